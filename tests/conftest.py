from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from support import SAMPLE

from game import loader
from game.engine import Engine

# Property-based tests stay bounded and leave nothing behind: no example
# database written into the repository, no per-example deadline (a loaded CI
# machine stalls now and then), a fixed number of examples. For a longer hunt
# by hand: HYPOTHESIS_PROFILE=deep python -m pytest tests/hardening
try:
    from hypothesis import settings
except ImportError:  # under Pyodide (tests/web/test_wasm.py), which cannot load hypothesis's native part
    settings = None
if settings is not None:
    settings.register_profile("ci", database=None, deadline=None, max_examples=100, print_blob=True)
    settings.register_profile("deep", database=None, deadline=None, max_examples=3000, print_blob=True)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

@pytest.fixture(scope="session")
def sample_story():
    return loader.load(SAMPLE).story


@pytest.fixture
def engine(sample_story):
    return Engine(sample_story)


@pytest.fixture
def write_story(tmp_path):
    """Write {relative path: yaml text} into a fresh story folder and return it."""

    def write(files: dict[str, str], folder: str = "story") -> Path:
        root = tmp_path / folder
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return root

    return write
