"""publish: a story as a static web page (a folder and a zip for itch.io).

The page runs this same engine in the browser through Pyodide; nothing is
fetched from the network when it runs. The folder holds:

    index.html, style.css, app.js, worker.js   the front end (game/web/page)
    pyodide/                                   the pinned runtime (game/web/runtime.py)
    python.zip                                 the engine and its pure-Python dependencies
    story.zip                                  the story's files as written
    story-events.json                          the story's YAML, parsed here (see below)
    build.json                                 versions and sha256 of every file
    LICENSES.txt                               whose code the page carries, under which licence

python.zip and pyodide/python_stdlib.zip carry byte code beside their
sources, compiled by the pinned Pyodide in Node (game/web/bytecode.py); without
Node the page is published from source, with a note saying so.

The story is checked first (the same check as `play.py check`); a story with
errors is refused. The zip has index.html at its top, as itch.io wants.

Precompiling: under Pyodide, PyYAML has only its pure-Python parser, about
ten times slower than libyaml. Publishing parses the story here with libyaml
and ships the resulting event stream; the page's loader builds the story
from those events with the same builder and the same checks (yamlsrc), so
there is still one loader. docs/PERFORMANCE.md has the measurements.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import yamlsrc
from ..errors import GameError
from ..web import bundle, bytecode, runtime
from . import check

PAGE = Path(__file__).resolve().parent.parent / "web" / "page"
PAGE_FILES = ("index.html", "style.css", "app.js", "worker.js")
MARKER = "build.json"  # a folder holding it was written by publish, and may be replaced
EVENTS = "story-events.json"
PYODIDE_LICENCE = ("Pyodide (Mozilla Public License 2.0; the runtime's source is at "
                   "https://github.com/pyodide/pyodide) and CPython (Python Software Foundation License)")


class PublishError(GameError):
    """The story cannot be published (it has errors, or the output folder is in use)."""


@dataclass
class Published:
    folder: Path
    archive: Path
    files: dict[str, str] = field(default_factory=dict)  # name -> sha256
    zip_bytes: int = 0
    warnings: int = 0
    notes: list[str] = field(default_factory=list)  # what the publish could not do, said to the writer


def publish(story_dir: Path, out: Path, runtime_dir: Path | None = None, precompile: bool = True,
            budget: int = check.DEFAULT_BUDGET, compiled: bool = True) -> Published:
    """Check the story, then write the folder `out` and the zip `out`.zip beside it."""
    result = check.run_check(story_dir, budget, full=True)  # a release gets the whole analysis, whatever its size
    if not result.ok or result.story is None:
        errors = result.errors
        first = f": {errors[0]}" if errors else ""
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PublishError(f"the story has errors, so it was not published{first}{more}; "
                           f"'play.py check {story_dir}' lists them")
    story = result.story
    _refuse_foreign(out)
    pyodide = runtime.checked(runtime_dir) if runtime_dir else runtime.ensure()

    files: dict[str, bytes] = {}
    for name in PAGE_FILES:
        files[name] = (PAGE / name).read_bytes()
    files["index.html"] = files["index.html"].replace(b"{{TITLE}}", html.escape(story.title).encode())
    for name in runtime.pinned_files():
        files[f"pyodide/{name}"] = (pyodide / name).read_bytes()
    packages, python_files = bundle.dependency_files()
    python_files.update(bundle.game_files())
    files["python.zip"] = bundle.zip_bytes(python_files)
    story_files = bundle.story_files(story_dir)
    files["story.zip"] = bundle.zip_bytes(story_files)
    if precompile:
        files[EVENTS] = yamlsrc.precompile({name: data.decode("utf-8-sig") for name, data in story_files.items()})
    notes: list[str] = []
    compiled_by = _add_bytecode(files, python_files, pyodide, notes) if compiled else None
    files["LICENSES.txt"] = _licences(python_files)
    build = {
        "format": "aka-web-build",
        "version": 1,
        "story": {"id": story.id, "title": story.title, "version": story.version,
                  "fingerprint": story.fingerprint},
        "pyodide": runtime.version(),
        "packages": {p.name: p.version for p in packages},
        "precompiled": EVENTS if precompile else "",
        "bytecode": compiled_by or {},
        "files": {name: bundle.sha256(data) for name, data in sorted(files.items())},
    }
    files[MARKER] = (json.dumps(build, indent=1, ensure_ascii=False) + "\n").encode()
    _write_folder(out, files)
    archive = out.parent / (out.name + ".zip")
    archive_bytes = _zip_site(files)
    _replace_file(archive, archive_bytes)
    warnings = len(result.warnings)
    return Published(out, archive, build["files"], len(archive_bytes), warnings, notes)


def _add_bytecode(files: dict[str, bytes], python_files: dict[str, bytes], pyodide: Path,
                  notes: list[str]) -> dict[str, str] | None:
    """Put byte code beside the sources in python.zip and the stdlib zip; None (and a note) if it cannot."""
    try:
        compiled = bytecode.compile_page(pyodide, files)
    except bytecode.ByteCodeError as exc:
        notes.append(f"published without byte code ({exc}): the page compiles its Python at start, "
                     "about 2 s slower; 'play.py publish' with Node.js installed adds it")
        return None
    files["python.zip"] = bundle.zip_bytes({**python_files, **compiled.engine})
    stdlib = f"pyodide/{runtime.STDLIB}"
    files[stdlib] = bundle.zip_bytes({**bundle.unzip(files[stdlib]), **compiled.stdlib})
    return compiled.about


def _licences(python_files: dict[str, bytes]) -> bytes:
    parts = [f"This page carries {PYODIDE_LICENCE}, and these Python packages:\n"]
    for name in sorted(python_files):
        if ".dist-info/" in name and not name.endswith("METADATA"):
            parts.append(f"\n=== {name.split('.dist-info/')[0]} ===\n")
            parts.append(python_files[name].decode("utf-8", "replace"))
    return "".join(parts).encode()


def _refuse_foreign(out: Path) -> None:
    """Never overwrite a folder publish did not write: it could hold anything."""
    if out.is_file() or (out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file()):
        raise PublishError(f"{out} exists and was not written by publish; give an empty or new folder")


def _write_folder(out: Path, files: dict[str, bytes]) -> None:
    """Write beside the old folder, then swap: a failure leaves the old publish whole."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a web server must read it
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old"
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
        staging.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"cannot write {out}: {exc.strerror or exc}") from None


def _zip_site(files: dict[str, bytes]) -> bytes:
    # Already-compressed files (the wasm is the bulk) are deflated too: it still saves ~60%.
    return bundle.zip_bytes(files)


def _replace_file(path: Path, data: bytes) -> None:
    tmp = path.parent / f".{path.name}.tmp"
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from None


def summary(published: Published) -> str:
    size = published.zip_bytes / 1_000_000
    warn = f" ({published.warnings} warnings from check)" if published.warnings else ""
    notes = "".join(f"Note: {note}\n" for note in published.notes)
    return (f"Published to {published.folder}/ and {published.archive} ({size:.1f} MB){warn}.\n{notes}"
            f"Try it: python3 -m http.server -d {published.folder} -b 127.0.0.1 8000, then open "
            "http://127.0.0.1:8000/\n")


def unzip_check(archive: Path) -> list[str]:
    """The names in a published zip (for tests and the curious)."""
    with zipfile.ZipFile(archive) as opened:
        return opened.namelist()
