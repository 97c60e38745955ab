"""Fixtures for the save tests: the sample story, copies of it to edit, and
playthroughs made by taking choices by id (as a player would, through the engine)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from game import loader
from game.engine import Engine
from game.state import Playthrough
from game.story import Story

from support import SAMPLE


@pytest.fixture
def play() -> Callable[..., Playthrough]:
    """play(engine, ids, seed=0): a playthrough after taking the choices in order."""

    def run(engine: Engine, ids: list[str], seed: int = 0) -> Playthrough:
        pt, _ = engine.start(seed)
        for choice in ids:
            engine.choose(pt, choice)
        return pt

    return run


@pytest.fixture
def story_copy(tmp_path: Path) -> Callable[..., Path]:
    """story_copy(name='edited'): a fresh copy of the sample story to edit."""

    def copy(name: str = "edited") -> Path:
        target = tmp_path / name
        shutil.copytree(SAMPLE, target)
        return target

    return copy


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """edit(file, old, new): replace text in a story file, failing loudly if it is not there."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text()
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new))

    return replace
