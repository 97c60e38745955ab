"""Byte code in a published page: its Python starts without compiling source,
and byte code that does not fit the page's Python is ignored, not obeyed.

Run under Pyodide in Node (the page's Python without a browser), on the
published real story.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile

import pytest
from conftest import unavailable
from support import ROOT

from game.tools import publish
from game.web import bundle, bytecode, runtime

pytestmark = [pytest.mark.wasm, pytest.mark.slow, pytest.mark.timeout(300)]

HARNESS = ROOT / "tests" / "web" / "pyodide_boot.mjs"
STDLIB = f"pyodide/{runtime.STDLIB}"


def _boot(folder) -> dict:
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed (Debian: apt-get install nodejs npm)")
    done = subprocess.run([node, str(HARNESS), str(folder)], capture_output=True, text=True, timeout=240,
                          check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pycs(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [name for name in archive.namelist() if name.endswith(".pyc")]


def test_every_module_the_start_imports_is_byte_code_beside_its_source(published, pyodide_runtime):
    folder = published.folder
    build = json.loads((folder / "build.json").read_text())
    assert build["bytecode"]["cache_tag"].startswith("cpython-3")
    engine = bundle.unzip((folder / "python.zip").read_bytes())
    compiled = [name for name in engine if name.endswith(".pyc")]
    assert "game/__pycache__/engine." + build["bytecode"]["cache_tag"] + ".pyc" in compiled
    for name in compiled:  # each beside its source, which stays as the fallback
        folder_name, _, file = name.rpartition("__pycache__/")
        assert folder_name + file.split(".")[0] + ".py" in engine, name
    stdlib = bundle.unzip((folder / STDLIB).read_bytes())
    pinned = bundle.unzip((pyodide_runtime / runtime.STDLIB).read_bytes())
    assert {name: data for name, data in stdlib.items() if not name.endswith(".pyc")} == pinned
    assert {"json/__init__.pyc", "asyncio/__init__.pyc"} <= set(stdlib)
    assert all(name[:-1] in stdlib for name in stdlib if name.endswith(".pyc"))


def test_the_page_starts_without_compiling_any_source(published):
    booted = _boot(published.folder)
    assert booted["first"], booted
    assert booted["from_source"] == []


def test_byte_code_of_another_python_is_ignored_and_the_source_runs(published, tmp_path):
    """As if the runtime were changed under a published page: wrong magic numbers everywhere."""
    folder = tmp_path / "site"
    shutil.copytree(published.folder, folder)
    for name in ("python.zip", STDLIB):
        files = bundle.unzip((folder / name).read_bytes())
        for path, data in files.items():
            if path.endswith(".pyc"):
                files[path] = bytes([data[0] ^ 0xFF]) + data[1:]
        (folder / name).write_bytes(bundle.zip_bytes(files))
    expected = _boot(published.folder)
    booted = _boot(folder)
    assert booted["first"] == expected["first"]
    assert "/app/game/engine.py" in booted["from_source"]


def test_without_node_the_page_is_published_from_source_and_says_so(pyodide_runtime, tmp_path, monkeypatch):
    monkeypatch.setattr(bytecode, "node", lambda: None)
    done = publish.publish(ROOT / "examples" / "lighthouse", tmp_path / "site", pyodide_runtime, budget=0)
    assert len(done.notes) == 1 and "without byte code (Node.js was not found)" in done.notes[0]
    assert "Note: published without byte code" in publish.summary(done)
    assert not _pycs((done.folder / "python.zip").read_bytes())
    assert (done.folder / STDLIB).read_bytes() == (pyodide_runtime / runtime.STDLIB).read_bytes()
    assert json.loads((done.folder / "build.json").read_text())["bytecode"] == {}
