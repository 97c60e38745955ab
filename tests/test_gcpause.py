"""Loading pauses the cycle collector and always gives it back as it was."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from game import loader
from game.engine import Engine
from game.errors import StoryError

SAMPLE = Path(__file__).parent / "data" / "sample"
BAD = Path(__file__).parent / "data" / "bad" / "unknown_names"


def test_collector_is_on_again_after_loading_and_building_an_engine():
    assert gc.isenabled()
    story = loader.load(SAMPLE).story
    assert gc.isenabled()
    Engine(story)
    assert gc.isenabled()


def test_collector_is_on_again_after_a_story_fails_to_load():
    with pytest.raises(StoryError):
        loader.load(BAD)
    assert gc.isenabled()
    story, diagnostics = loader.check(BAD)
    assert story is None and diagnostics
    assert gc.isenabled()


def test_a_caller_that_switched_the_collector_off_keeps_it_off():
    gc.disable()
    try:
        loader.load(SAMPLE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_garbage_cycles_made_while_loading_are_still_collected():
    class Node:
        pass

    import weakref

    before = Node()
    before.self = before  # a cycle, pending when the load starts
    alive = weakref.ref(before)
    del before
    loader.load(SAMPLE)
    gc.collect()
    assert alive() is None
