"""The soft-lock search steps through a story exactly as the engine does."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from game import loader
from game.engine import Engine
from game.tools.explore import Explorer

DATA = Path(__file__).parent / "data"
STORIES = [DATA / "sample", *sorted(p for p in (DATA / "analysis").iterdir() if p.is_dir()),
           *sorted(p for p in (DATA / "questions").iterdir() if p.is_dir())]


def _random_story(seed: int, tmp_path: Path) -> Path:
    from test_analysis_soundness import random_story

    (tmp_path / "story.yaml").write_text(random_story(seed))
    return tmp_path


@pytest.mark.parametrize("folder", STORIES + [f"random-{seed}" for seed in range(20)],
                         ids=lambda p: getattr(p, "name", p))
def test_search_steps_agree_with_engine_choose(folder, tmp_path: Path) -> None:
    if isinstance(folder, str):
        folder = _random_story(int(folder.split("-")[1]), tmp_path)
    story = loader.load(folder).story
    engine = Engine(story)
    explorer = Explorer(story)
    rng = random.Random(7)
    for _ in range(30):
        pt, _ = engine.start(0)
        for _ in range(40):
            offered = engine.available(pt)
            assert explorer.moves(pt) == offered
            if not offered:
                break
            choice = rng.choice(offered)
            predicted = explorer.step(pt, choice).snapshot()
            engine.choose(pt, choice)
            actual = pt.snapshot()
            # The search keeps only the visited scenes that conditions read.
            assert set(predicted.pop("visited")) & explorer.visited == set(actual.pop("visited")) & explorer.visited
            assert predicted == actual


def test_search_finds_every_state_of_a_small_story() -> None:
    story = loader.load(DATA / "analysis" / "search_budget").story
    search = Explorer(story).search(10_000)
    # stats a and b each 0..9 in the counting room, plus the ending: 101 distinct situations
    assert search.complete and search.size == 101


def test_a_search_out_of_budget_says_so_and_proves_nothing_wrong() -> None:
    story = loader.load(DATA / "analysis" / "search_budget").story
    search = Explorer(story).search(30)
    assert not search.complete and search.size == 30
    assert not any(search.doomed())
