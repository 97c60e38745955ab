from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support import SAMPLE

from game import loader
from game.engine import Engine


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
