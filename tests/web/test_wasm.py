"""The engine's own tests, run once under Pyodide in Node: the wasm path the
web page uses (CPython 3.14 compiled to WebAssembly, PyYAML's pure-Python
parser, no libyaml), checked fast and without a browser.

The subset is what the page runs: the engine, conditions, the loader (good
and broken stories, the pure parser and precompiled events), the story
language, the save documents and transcripts. Left out: tests that need
threads (Pyodide has none), child processes, terminals, or hypothesis
(its native part does not load under Pyodide).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import unavailable
from support import ROOT

from game.web import bundle

pytestmark = [pytest.mark.wasm, pytest.mark.slow, pytest.mark.timeout(600)]

HARNESS = ROOT / "tests" / "web" / "pyodide_pytest.mjs"
TESTS = [
    "tests/test_engine.py", "tests/test_conditions.py", "tests/test_language.py", "tests/test_bad_stories.py",
    "tests/test_yaml_pure.py", "tests/test_saves_basic.py", "tests/saves/test_save_files.py",
    "tests/saves/test_golden_transcripts.py", "tests/test_example_story.py",
]
# pytest and what it needs, beside the engine's own dependencies; all pure Python.
PYTEST_PACKAGES = ("pytest", "pluggy", "iniconfig", "packaging", "Pygments")


def test_the_engine_tests_pass_under_pyodide(pyodide_runtime, tmp_path):
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed (Debian: apt-get install nodejs npm)")
    _packages, files = bundle.dependency_files((*bundle.DEPENDENCIES, *PYTEST_PACKAGES))
    site = tmp_path / "site.zip"
    site.write_bytes(bundle.zip_bytes(files))
    done = subprocess.run([node, str(HARNESS), str(pyodide_runtime), str(ROOT), str(site), "-q", "-p", "no:randomly",
                           *TESTS], capture_output=True, text=True, timeout=540, cwd=ROOT, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "on emscripten" in output and "libyaml: False" in output, output[:500]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) > 200, output[-1000:]
    assert "failed" not in output.splitlines()[-1]
