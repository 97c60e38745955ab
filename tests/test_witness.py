"""Witnesses: every way in that check believes is a real playthrough the engine replays.

A witness is a seed and a list of choices; `replays` plays it through the
engine from that seed. The coverage search and the directed search play from
seed 0; random playouts start from seeds of their own, which they keep.
"""

from __future__ import annotations

from pathlib import Path

from game import loader
from game.rules import Rules
from game.tools import witness
from game.tools.explore import Explorer

DATA = Path(__file__).parent / "data" / "witness"


def _corridor(tmp_path: Path, length: int) -> Path:
    lines = ["story: {id: c, title: C, start: a.r0}", "areas: {a: A}", "endings: {out: {title: Out}}", "scenes:"]
    for i in range(length):
        target = f"a.r{i + 1}" if i + 1 < length else "a.end"
        lines += [f"  a.r{i}:", "    text: A room.", "    choices:",
                  "      - id: walk", "        text: Walk on.", f"        goto: {target}",
                  "      - id: back", "        text: Go back.", f"        goto: a.r{max(i - 1, 0)}"]
    lines += ["  a.end:", "    text: Out.", "    ending: out"]
    (tmp_path / "story.yaml").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_a_playout_through_a_chance_replays_from_the_seed_it_kept() -> None:
    """The vault opens only on heads (10 in 100): a run that got there did so on its seed."""
    story = loader.load(DATA / "coin").story
    rules = Rules(story)
    found = witness.playouts(story, {"a.vault"}, set(), rules=rules)
    way = found["a.vault"]
    assert witness.replays(rules, way, "a.vault", None)
    assert way.path == [("a.table", "toss"), ("a.table", "vault")]
    # The same choices from seed 0 come up tails: without its seed the path would not replay.
    assert not witness.replays(rules, witness.Witness(0, way.path), "a.vault", None)


def test_playouts_are_deterministic() -> None:
    """A budget of steps, never of seconds: the same story gets the same witnesses."""
    story = loader.load(DATA / "coin").story
    first = witness.playouts(story, {"a.vault"}, {"out"}, rules=Rules(story))
    again = witness.playouts(story, {"a.vault"}, {"out"}, rules=Rules(story))
    assert {k: (w.seed, w.path) for k, w in first.items()} == {k: (w.seed, w.path) for k, w in again.items()}


def test_the_coverage_search_enters_every_scene_of_a_long_corridor_with_shortest_paths(tmp_path: Path) -> None:
    story = loader.load(_corridor(tmp_path, 300)).story
    explorer = Explorer(story)
    targets = set(story.scenes) - {story.start}
    found = witness.cover(story, targets, {"out"}, explorer)
    assert set(found) == targets | {"ending:out"}
    rules = explorer.engine
    for scene in ("a.r1", "a.r150", "a.end"):
        way = found[scene]
        assert way.seed == 0 and witness.replays(rules, way, scene, "out" if scene == "a.end" else None)
    assert len(found["a.r150"].path) == 150  # breadth-first: never a detour


def test_the_coverage_search_stops_at_its_budget_of_states(tmp_path: Path) -> None:
    story = loader.load(_corridor(tmp_path, 300)).story
    found = witness.cover(story, set(story.scenes) - {story.start}, set(), budget=50)
    assert 40 <= len(found) < 50  # a count of states, not of seconds


def test_playouts_end_when_the_start_offers_nothing(tmp_path: Path) -> None:
    """A start scene whose only choice is locked: every run stops at once, and the budget of
    steps still runs out (it once looped for ever, hidden by a wall-clock limit)."""
    (tmp_path / "story.yaml").write_text(
        "story: {id: s, title: S, start: a.start}\nareas: {a: A}\nclues: {key: {title: Key}}\n"
        "endings: {out: {title: Out}}\nscenes:\n  a.start:\n    text: Shut.\n    choices:\n"
        "      - {id: open, text: Open., if: clue.key, goto: a.end}\n"
        "  a.end:\n    text: Out.\n    ending: out\n")
    story = loader.load(tmp_path).story
    assert witness.playouts(story, {"a.end"}, {"out"}, steps=1_000, rules=Rules(story)) == {}
