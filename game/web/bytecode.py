"""Byte code for a published page, so that its Python does not compile source at start.

Pyodide ships its standard library as source, and the page's engine is source
too: without byte code the page's CPython compiles every module it imports,
Pyodide's own start included, which was most of the start's CPU time
(docs/PERFORMANCE.md). Byte code must come from the same Python as the page's,
so publish runs the pinned Pyodide in Node (bytecode.mjs): it starts the game
as the page does and compiles the modules that start imported, the engine's
and the standard library's.

The byte code is checked-hash (PEP 552): Python uses it only when its magic
number is its own and the source beside it hashes the same, and compiles the
source otherwise, so the sources stay in the zips and a mismatch can cost
time, never behaviour. Without Node, publish goes on without byte code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import GameError

SCRIPT = Path(__file__).with_name("bytecode.mjs")
NODE_TIMEOUT = 600  # seconds: Pyodide's start and the compiling, on a loaded 2-core machine


class ByteCodeError(GameError):
    """The byte code could not be compiled (the story or the engine failed under Pyodide)."""


@dataclass(frozen=True)
class ByteCode:
    engine: dict[str, bytes]  # path in python.zip ("game/__pycache__/engine.cpython-314.pyc") -> .pyc
    stdlib: dict[str, bytes]  # path in the stdlib zip ("re/__init__.pyc") -> .pyc
    about: dict[str, str]  # magic, cache_tag, python, stdlib (the zip's name in the page)


def node() -> str | None:
    return shutil.which("node")


def compile_page(runtime_dir: Path, files: dict[str, bytes]) -> ByteCode:
    """Byte code for the published `files` (python.zip, story.zip, the events), by the pinned Pyodide."""
    found = node()
    if found is None:
        raise ByteCodeError("Node.js was not found")
    with tempfile.TemporaryDirectory(prefix="aka-bytecode-") as tmp:
        work = Path(tmp)
        for name in ("python.zip", "story.zip", "story-events.json"):
            if name in files:
                (work / name).write_bytes(files[name])
        try:
            done = subprocess.run([found, str(SCRIPT), str(runtime_dir), str(work)], capture_output=True,
                                  text=True, timeout=NODE_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ByteCodeError(f"running Pyodide in Node failed: {exc}") from None
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["(no message)"])[-1]
            raise ByteCodeError(f"compiling under Pyodide failed (exit {done.returncode}): {last}")
        out = work / "out"
        return ByteCode(_read_tree(out / "app"), _read_tree(out / "stdlib"),
                        json.loads((out / "bytecode.json").read_text()))


def _read_tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*.pyc"))}
