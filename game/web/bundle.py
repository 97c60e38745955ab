"""The Python a published page runs: pure-Python zips, built from what is installed here.

The page needs the engine and its dependencies, none of which Pyodide ships:
transitions and six are pure Python, and PyYAML's own modules are pure Python
too (its C accelerator is optional; game/yamlsrc.py falls back to SafeLoader
without it). Rather than download wheels at publish time we copy the files of
the distributions installed in this environment (importlib.metadata lists
them): they are the versions the lock file pins and the terminal game is
tested with, and publishing then needs no network. Only source and licence
files are copied; compiled extensions, byte code and stubs are left out.

Zips are deterministic (sorted names, one fixed date), so the same sources
publish to the same bytes and the same checksums.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import game

# The engine's run-time dependencies, by distribution name (pyproject.toml's
# dependencies, less prompt-toolkit, which only the terminal UI uses).
DEPENDENCIES = ("transitions", "six", "PyYAML")

# What of the game package a page runs, as an allow list (a new front end or
# tool package, like serve/ or lsp/, stays out until it is named here): the
# top-level modules but the command line, the loader, the UI-independent half
# of ui/ that every front end shares (with ui/board.py and ui/answering.py: the
# case board, and an answer put together blank by blank), and the page's bridge.
GAME_LEAVE_OUT = ("cli.py", "__main__.py")
GAME_PACKAGES_KEEP = ("loader/",)
GAME_UI_KEEP = ("ui/__init__.py", "ui/session.py", "ui/render.py", "ui/scribe.py", "ui/textout.py",
                "ui/gallery.py", "ui/board.py", "ui/answering.py")
GAME_WEB_KEEP = ("web/__init__.py", "web/bridge.py")
KEEP_SUFFIXES = (".py",)
LICENCE_NAMES = ("LICENSE", "LICENCE", "COPYING", "METADATA")

ZIP_DATE = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Package:
    name: str
    version: str


def _keep_dependency_file(path: PurePosixPath) -> bool:
    if "__pycache__" in path.parts:
        return False
    if path.suffix in KEEP_SUFFIXES:
        return True
    return any(part.endswith(".dist-info") for part in path.parts) and path.name.startswith(LICENCE_NAMES)


def dependency_files(names: Iterable[str] = DEPENDENCIES) -> tuple[list[Package], dict[str, bytes]]:
    """The installed pure-Python files of the dependencies, by path under site-packages."""
    packages, files = [], {}
    for name in names:
        dist = metadata.distribution(name)
        packages.append(Package(dist.metadata["Name"], dist.version))
        for entry in dist.files or ():
            path = PurePosixPath(str(entry))
            if path.parts[0] == ".." or not _keep_dependency_file(path):
                continue
            files[str(path)] = Path(str(dist.locate_file(entry))).read_bytes()
    return packages, files


def game_files() -> dict[str, bytes]:
    """The game package's modules a page needs, by path under site-packages."""
    root = Path(game.__file__).parent
    files = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel or rel in GAME_LEAVE_OUT:
            continue
        if "/" in rel and not rel.startswith(GAME_PACKAGES_KEEP) and rel not in GAME_UI_KEEP + GAME_WEB_KEEP:
            continue
        files[f"game/{rel}"] = path.read_bytes()
    return files


def story_files(story_dir: Path) -> dict[str, bytes]:
    """The story's files (the ones the loader reads), by path under the story folder."""
    from ..loader import story_files as listed

    return {path.relative_to(story_dir).as_posix(): path.read_bytes() for path in listed(story_dir)}


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A deterministic zip of the files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o40755 << 16) | 0x10 if name.endswith("/") else 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def unzip(data: bytes) -> dict[str, bytes]:
    """A zip's files (folders as empty entries ending in '/'), by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
