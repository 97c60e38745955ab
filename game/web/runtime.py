"""The pinned Pyodide runtime a published page ships, got through npm's lock file.

Pyodide (CPython compiled to WebAssembly) is published on the npm registry as
the `pyodide` package: the runtime only (the WebAssembly module, its loader,
the standard library and the lock file Pyodide reads at start), no package
wheels. runtime/package.json pins one version and runtime/package-lock.json
records its integrity hash (sha512), so `npm ci` installs exactly that
tarball or fails. We run it once into a cache folder and then check the five
files a page needs against runtime/pyodide.sha256, so a cache edited or
damaged after the install is caught too. Nothing is fetched when the page
runs: the files are copied into the published folder.

docs/PUBLISHING.md says how to move to a newer Pyodide.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from ..errors import GameError

PINS = Path(__file__).parent / "runtime"
CHECKSUMS = PINS / "pyodide.sha256"
NPM_TIMEOUT = 600  # seconds; the package is about 6.5 MB
STDLIB = "python_stdlib.zip"  # the standard library (sources); publish adds byte code to it


class RuntimeMissing(GameError):
    """The Pyodide runtime could not be got or does not match its pinned checksums."""


def version() -> str:
    return json.loads((PINS / "package.json").read_text())["dependencies"]["pyodide"]


def pinned_files() -> dict[str, str]:
    """File name -> sha256, as pinned in runtime/pyodide.sha256."""
    pins = {}
    for line in CHECKSUMS.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            pins[name.strip()] = digest
    return pins


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def problems(folder: Path) -> list[str]:
    """What is wrong with a runtime folder: missing files, files that differ from the pins."""
    found = []
    for name, digest in pinned_files().items():
        path = folder / name
        if not path.is_file():
            found.append(f"{name} is missing")
        elif file_sha256(path) != digest:
            found.append(f"{name} does not match its pinned sha256")
    return found


def cache_root() -> Path:
    """Where the runtime is installed once: $AKA_CACHE, else the user's cache folder."""
    if os.environ.get("AKA_CACHE"):
        return Path(os.environ["AKA_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aka"


def ensure(cache: Path | None = None) -> Path:
    """The folder holding the pinned runtime's files, installing it with `npm ci` if needed."""
    folder = (cache or cache_root()) / f"pyodide-{version()}"
    runtime = folder / "node_modules" / "pyodide"
    if runtime.is_dir() and not problems(runtime):
        return runtime
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeMissing(
            f"publishing needs Pyodide {version()}, which is installed with npm, and npm was not found; "
            "install Node.js and npm (Debian: apt-get install npm), or pass --runtime DIR with its files")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PINS / name, folder / name)
    try:
        done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=folder,
                              capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeMissing(f"npm ci in {folder} failed: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise RuntimeMissing(f"npm ci in {folder} failed (exit {done.returncode}): {last}")
    return checked(runtime)


def checked(folder: Path) -> Path:
    """The folder, if it holds the pinned runtime's files; RuntimeMissing saying what differs."""
    found = problems(folder)
    if found:
        raise RuntimeMissing(f"{folder}: not Pyodide {version()} as pinned: {'; '.join(found)}")
    return folder
