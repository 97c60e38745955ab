"""`check` never claims what a brute force contradicts (a property test on random small stories).

Hypothesis writes small stories with the shapes writers use: hubs, pickups
(once-only choices that find a clue), gated exits, deductions at a case
board, stats with limits (clamped or `overflow: block`), one-way doors, a
clock (conditions on `turn`) and endings by scene or by effect. For each,
this test explores every reachable state by itself, simply: breadth-first,
stepping with the engine (`Engine.choose` on a copy), a state being the whole
playthrough but its log (and the turn capped above every number the
generator compares it with, since nothing reads it otherwise). From that it
knows which scenes, endings and choices can be reached and which states can
no longer reach an ending. Then every claim `check` made must hold:

* a scene or ending it calls unreachable is never reached, a choice it calls
  never enabled is never available, a branch it calls never taken never is;
* a soft-lock it reports exists, and its example path leads to a stuck state;
* a verdict of "proven" means no soft-lock when it says none, and the count
  of unreachable scenes and endings it gives is the true one;
* with a search budget too small to finish, it may say "unknown", but what
  it still calls proven must hold too.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import loader
from game.engine import Engine
from game.tools.check import run_check

MAX_LITERAL = 4  # the largest number a generated condition compares with
TURN_CAP = MAX_LITERAL + 2


@st.composite
def stories(draw) -> str:
    n_scenes = draw(st.integers(2, 6))
    scenes = [f"a.s{i}" for i in range(n_scenes)]
    clues = [f"c{i}" for i in range(draw(st.integers(0, 3)))]
    flags = [f"f{i}" for i in range(draw(st.integers(0, 2)))]
    stats = {"x": (0, draw(st.integers(1, 4)), draw(st.sampled_from(["clamp", "block"]))),
             "y": (-1, draw(st.integers(1, 3)), "clamp")}
    deduction = len(clues) >= 3 and draw(st.booleans())

    def condition() -> str:
        atoms = []
        for _ in range(draw(st.integers(1, 2))):
            kind = draw(st.sampled_from(["clue", "flag", "stat", "visited", "turn"]))
            if kind == "clue" and clues:
                atoms.append(f"{'not ' if draw(st.booleans()) else ''}clue.{draw(st.sampled_from(clues))}")
            elif kind == "flag" and flags:
                atoms.append(f"{'not ' if draw(st.booleans()) else ''}flag.{draw(st.sampled_from(flags))}")
            elif kind == "visited":
                atoms.append(f"visited.{draw(st.sampled_from(scenes))}")
            elif kind == "turn":
                atoms.append(f"turn {draw(st.sampled_from(['<', '<=', '>=']))} {draw(st.integers(1, MAX_LITERAL))}")
            else:
                stat = draw(st.sampled_from(sorted(stats)))
                atoms.append(f"stat.{stat} {draw(st.sampled_from(['>=', '<=', '==']))} "
                             f"{draw(st.integers(-1, MAX_LITERAL))}")
        return f" {draw(st.sampled_from(['and', 'or']))} ".join(atoms)

    def effects() -> list[str]:
        found = []
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(["clue", "flag", "unflag", "stat", "set"]))
            if kind == "clue" and clues:
                found.append(f"- clue: {draw(st.sampled_from(clues))}")
            elif kind in ("flag", "unflag") and flags:
                found.append(f"- {kind}: {draw(st.sampled_from(flags))}")
            elif kind == "stat":
                found.append(f"- stat: {{{draw(st.sampled_from(sorted(stats)))}: {draw(st.sampled_from([-2, -1, 1, 2])):+d}}}")
            elif kind == "set":
                found.append(f"- set: {{x: {draw(st.integers(0, stats['x'][1]))}}}")
        return found

    out = ["story: {id: r, title: R, start: a.s0}", "areas: {a: A}", "stats:"]
    for name, (low, high, overflow) in stats.items():
        out.append(f"  {name}: {{min: {low}, max: {high}, start: {max(low, 0)}, overflow: {overflow}}}")
    out.append("endings: {e1: {title: One}, e2: {title: Two}}")
    if clues:
        out += ["clues:"] + [f"  {c}: {{title: {c}}}" for c in clues]
    if flags:
        out += ["flags:"] + [f"  {f}: a flag" for f in flags]
    if deduction:
        out += ["deductions:", "  d: {label: Think., needs: [c0, c1], gives: c2}"]
    out.append("scenes:")
    for index, scene in enumerate(scenes):
        out += [f"  {scene}:", "    text: Words."]
        if draw(st.integers(0, 9)) < 2:
            out += ["    on_enter:"] + [f"      {e}" for e in (effects() or ["- stat: {x: +1}"])]
        if index and draw(st.integers(0, 9)) < 2:
            out.append(f"    ending: {draw(st.sampled_from(['e1', 'e2']))}")
            continue
        if deduction and draw(st.integers(0, 9)) < 3:
            out.append("    case_board: true")
        out.append("    choices:")
        for number in range(draw(st.integers(1, 4))):
            out += [f"      - id: ch{number}", "        text: Choose."]
            if draw(st.booleans()):
                out.append(f"        if: {condition()}")
            if draw(st.integers(0, 3)) == 0:
                out.append("        once: true")
            shape = draw(st.integers(0, 9))
            if shape < 6:
                out.append(f"        goto: {draw(st.sampled_from(scenes))}")
            elif shape < 8:
                out += ["        goto:", f"          - if: {condition()}",
                        f"            goto: {draw(st.sampled_from(scenes))}",
                        f"          - goto: {draw(st.sampled_from(scenes))}"]
            found = effects()
            if draw(st.integers(0, 9)) == 0:
                found.append(f"- end: {draw(st.sampled_from(['e1', 'e2']))}")
            if found:
                out += ["        do:"] + [f"          {e}" for e in found]
    return "\n".join(out) + "\n"


# --- the brute force: every reachable state, stepping with the engine -------


def _key(pt) -> tuple:
    return (pt.scene, frozenset(pt.clues), frozenset(pt.flags), tuple(sorted(pt.stats.items())),
            frozenset(pt.visited), frozenset(pt.taken), min(pt.turn, TURN_CAP), pt.ending)


class Truth:
    """Everything about a story's reachable states, found by visiting all of them."""

    def __init__(self, engine: Engine):
        start, _ = engine.start(0)
        states = {_key(start): start}
        edges: dict[tuple, list[tuple]] = {}
        self.available: set[tuple[str, str]] = set()  # (scene, choice) available somewhere
        self.branches: set[tuple[str, str, int]] = set()  # (scene, choice, branch index) taken somewhere
        queue = deque([start])
        while queue:
            pt = queue.popleft()
            key = _key(pt)
            edges[key] = []
            for move in engine.available(pt):
                self.available.add((pt.scene, move))
                choice = engine.story.scenes[pt.scene].choice(move)
                if choice is not None:
                    index = next(i for i, b in enumerate(choice.branches) if b.condition is None or b.condition(pt))
                    self.branches.add((pt.scene, move, index))
                after = pt.copy()
                engine.choose(after, move)
                after.log.clear()
                after_key = _key(after)
                edges[key].append(after_key)
                if after_key not in states:
                    states[after_key] = after
                    queue.append(after)
        self.states = states
        self.scenes = {k[0] for k in states}
        self.endings = {k[-1] for k in states if k[-1] is not None}
        can_end = {k for k in states if k[-1] is not None}
        preds: dict[tuple, list[tuple]] = {}
        for source, targets in edges.items():
            for target in targets:
                preds.setdefault(target, []).append(source)
        queue2 = deque(can_end)
        while queue2:
            key = queue2.popleft()
            for pred in preds.get(key, ()):
                if pred not in can_end:
                    can_end.add(pred)
                    queue2.append(pred)
        self.stuck = {k for k in states if k not in can_end}


def _claims_hold(story_text: str, tmp_path: Path, budget: int) -> None:
    (tmp_path / "story.yaml").write_text(story_text)
    story, diagnostics = loader.check(tmp_path)
    if story is None or any(d.severity == "error" for d in diagnostics):
        return  # the generator wrote something the loader refuses: nothing to check
    engine = Engine(story)
    truth = Truth(engine)
    result = run_check(tmp_path, budget)
    verdict = result.verdict
    assert verdict is not None
    for d in result.diagnostics:
        quoted = d.message.split("'")
        if d.code == "unreachable-scene":
            assert quoted[1] not in truth.scenes, d.message
        elif d.code == "ending-unreachable":
            assert quoted[1] not in truth.endings, d.message
        elif d.code in ("choice-never-enabled", "clue-after-gate"):
            scene = quoted[3]
            assert (scene, quoted[1]) not in truth.available, d.message
        elif d.code == "locked-dead-end":
            scene = quoted[1]
            assert not any((scene, c.id) in truth.available for c in story.scenes[scene].choices), d.message
        elif d.code == "soft-lock":
            assert truth.stuck, f"no reachable state is stuck, yet: {d.message}"
    if verdict.proven:
        if not verdict.soft_locks:
            assert not truth.stuck, f"'{verdict.line()}', yet {len(truth.stuck)} reachable states are stuck"
        named = {s.ending for s in story.scenes.values() if s.ending}
        for scene in story.scenes.values():
            for effect in [*scene.on_enter, *(e for c in scene.choices for e in c.effects)]:
                if getattr(effect, "ending", None):
                    named.add(effect.ending)
        unreachable = sum(1 for s in story.scenes if s not in truth.scenes) + len(named - truth.endings)
        assert verdict.unreachable == unreachable, verdict.line()
    else:
        # Unknown is allowed; what it names as undecided must not include what is decided.
        for scene in verdict.unknown_scenes:
            assert scene in story.scenes
    # Whatever the verdict, every stuck state is either reported or left unknown.
    if truth.stuck and not any(d.code in ("soft-lock", "locked-dead-end") for d in result.diagnostics):
        assert not verdict.proven, f"'{verdict.line()}', yet a reachable state is stuck and nothing says so"


SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                    deadline=None)


@SETTINGS
@given(stories())
def test_check_with_its_default_budget_never_contradicts_the_brute_force(tmp_path: Path, text: str) -> None:
    _claims_hold(text, tmp_path, budget=10_000)


@SETTINGS
@given(stories())
def test_check_without_the_search_never_contradicts_the_brute_force(tmp_path: Path, text: str) -> None:
    """Budget 0: the verdict rests on the may-analysis and the escape proof alone."""
    _claims_hold(text, tmp_path, budget=0)


@pytest.mark.parametrize("budget", [3, 10])
@SETTINGS
@given(text=stories())
def test_check_cut_short_never_contradicts_the_brute_force(tmp_path: Path, budget: int, text: str) -> None:
    _claims_hold(text, tmp_path, budget=budget)
