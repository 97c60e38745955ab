"""play.py publish: what it writes, and what it refuses."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import ROOT

from game.tools import publish
from game.web import bundle, runtime

PLAY = [sys.executable, str(ROOT / "play.py")]


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*PLAY, *args], capture_output=True, text=True, timeout=300, cwd=cwd, check=False)


def test_a_broken_story_is_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / "site"
    done = _run("publish", str(ROOT / "tests" / "data" / "bad" / "unknown_names"), str(out))
    assert done.returncode == 1
    assert done.stderr.startswith("error: the story has errors, so it was not published: ")
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not out.exists() and not (tmp_path / "site.zip").exists()


def test_a_folder_publish_did_not_write_is_never_overwritten(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    done = _run("publish", str(ROOT / "examples" / "lighthouse"), str(out))
    assert done.returncode == 1
    assert "was not written by publish" in done.stderr
    assert (out / "notes.txt").read_text() == "my notes"


def test_a_runtime_that_differs_from_the_pins_is_refused(tmp_path):
    fake = tmp_path / "pyodide"
    fake.mkdir()
    for name in runtime.pinned_files():
        (fake / name).write_bytes(b"not pyodide")
    done = _run("publish", str(ROOT / "examples" / "lighthouse"), str(tmp_path / "out"), "--runtime", str(fake))
    assert done.returncode == 1
    assert "does not match its pinned sha256" in done.stderr


def test_the_published_site_holds_what_the_page_needs(published):
    folder = published.folder
    build = json.loads((folder / "build.json").read_text())
    # every file is listed with its checksum, and nothing else is there
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted([*build["files"], "build.json"]) == on_disk
    for name, digest in build["files"].items():
        assert bundle.sha256((folder / name).read_bytes()) == digest, name
    assert build["pyodide"] == runtime.version()
    assert set(build["packages"]) == {"transitions", "six", "PyYAML"}
    # the zip has index.html at its top (itch.io's rule) and the same files
    with zipfile.ZipFile(published.archive) as archive:
        names = archive.namelist()
        assert "index.html" in names and sorted(names) == on_disk
        assert archive.read("pyodide/pyodide.asm.wasm") == (folder / "pyodide/pyodide.asm.wasm").read_bytes()
    assert published.zip_bytes <= 10_000_000
    index = (folder / "index.html").read_text()
    assert "<title>AKA: Alias Investigations</title>" in index
    assert "{{" not in index


def test_the_page_carries_the_engine_without_the_terminal_ui(published):
    with zipfile.ZipFile(io.BytesIO((published.folder / "python.zip").read_bytes())) as archive:
        names = set(archive.namelist())
        sources = {name: archive.read(name).decode() for name in names if name.endswith(".py")}
    assert {"game/engine.py", "game/saves.py", "game/web/bridge.py", "game/ui/session.py", "yaml/__init__.py",
            "transitions/core.py", "six.py"} <= names
    assert not any(name.startswith(("game/tools/", "game/cli", "game/serve/", "game/lsp/")) for name in names)
    assert not [name for name in names if name.startswith("game/web/") and name.endswith(".py")
                and name not in ("game/web/__init__.py", "game/web/bridge.py")]  # publishing is not played
    assert not [name for name in names if name.startswith("game/ui/") and name.endswith(".py")
                and name.removeprefix("game/") not in bundle.GAME_UI_KEEP]
    assert not {"game/ui/tui.py", "game/ui/plain.py", "game/ui/commands.py", "game/ui/storyview.py"} & names
    assert not [name for name, text in sources.items() if "prompt_toolkit" in text]
    assert not [name for name in names if name.endswith((".so", ".pyd"))]
    # byte code only as Python's own cache, beside the source it was compiled from (test_bytecode.py)
    assert not [name for name in names if name.endswith(".pyc") and name.split("/")[-2:-1] != ["__pycache__"]]


def test_publishing_twice_gives_the_same_bytes(published, pyodide_runtime, tmp_path):
    again = publish.publish(ROOT / "story", tmp_path / "again", pyodide_runtime)
    assert again.files == published.files
    assert again.archive.read_bytes() == published.archive.read_bytes()


@pytest.mark.parametrize("precompile", [True, False])
def test_a_second_story_publishes_with_or_without_precompiled_events(pyodide_runtime, tmp_path, precompile):
    out = tmp_path / "lighthouse"
    done = _run("publish", str(ROOT / "examples" / "lighthouse"), str(out), "--runtime", str(pyodide_runtime),
                *([] if precompile else ["--no-precompile"]))
    assert done.returncode == 0, done.stderr
    assert f"Published to {out}/" in done.stdout
    build = json.loads((out / "build.json").read_text())
    assert build["story"]["title"] != "AKA: Alias Investigations"
    assert ("story-events.json" in build["files"]) is precompile
    # publishing again over its own earlier output is allowed
    assert _run("publish", str(ROOT / "examples" / "lighthouse"), str(out), "--runtime",
                str(pyodide_runtime)).returncode == 0
