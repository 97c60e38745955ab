"""One Engine serves many playthroughs at once (a server shares one per story)."""

from __future__ import annotations

import random
import threading

from game import loader
from game.engine import Engine
from game.rules import Rules


def _play(engine: Engine, seed: int, turns: int = 40):
    """A seeded random run: every step's events and outcome, and the final snapshot."""
    rng = random.Random(seed)
    pt, first = engine.start(seed)
    record = [(first.outcome, first.events)]
    for _ in range(turns):
        offered = engine.available(pt)
        if not offered:
            break
        step = engine.choose(pt, rng.choice(offered))
        record.append((step.outcome, step.events))
    return record, pt.snapshot()


def test_interleaved_playthroughs_on_one_engine_see_only_their_own_events(sample_story):
    alone = [_play(Engine(sample_story), seed) for seed in range(6)]
    shared = Engine(sample_story)
    rngs = [random.Random(seed) for seed in range(6)]
    runs = [shared.start(seed) for seed in range(6)]
    records = [[(first.outcome, first.events)] for _, first in runs]
    for _ in range(40):  # one turn of each playthrough in turn, round robin
        for index, (pt, _) in enumerate(runs):
            offered = shared.available(pt)
            if offered:
                step = shared.choose(pt, rngs[index].choice(offered))
                records[index].append((step.outcome, step.events))
    assert [(r, pt.snapshot()) for r, (pt, _) in zip(records, runs, strict=True)] == alone


def test_threads_sharing_one_engine_get_the_same_runs_as_alone(sample_story):
    alone = [_play(Engine(sample_story), seed, 200) for seed in range(8)]
    shared = Engine(sample_story)
    results: list = [None] * 8

    def worker(seed: int) -> None:
        results[seed] = _play(shared, seed, 200)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == alone


def test_a_branch_that_reads_the_turn_sees_the_turn_the_player_saw(write_story):
    root = write_story({"story.yaml": """
        story: {id: t, title: T, start: a.one}
        areas: {a: A}
        endings: {early: {title: Early}, late: {title: Late}}
        scenes:
          a.one:
            text: One.
            choices:
              - {id: wait, text: Wait.}
              - id: go
                text: Go.
                goto:
                  - {if: turn == 1, goto: a.early}
                  - {goto: a.late}
          a.early: {text: Early., ending: early}
          a.late: {text: Late., ending: late}
        """})
    story = loader.load(root).story
    for path, ending in ((["wait", "go"], "early"), (["go"], "late")):
        engine, rules = Engine(story), Rules(story)
        by_machine, _ = engine.start()
        direct, _ = rules.start()
        for choice in path:
            engine.choose(by_machine, choice)
            rules.step(direct, choice)
        assert by_machine.ending == direct.ending == ending
        assert by_machine.snapshot() == direct.snapshot()
