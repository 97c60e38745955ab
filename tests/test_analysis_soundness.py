"""The analysis never claims the impossible: checked against the engine on many random stories.

The fast pass promises that what it calls impossible cannot happen; the
search promises that a state it calls a soft-lock never reaches an ending.
Random stories (seeded, so failures reproduce) are played at random by the
real engine, and everything the playthroughs do must fit both promises.
"""

from __future__ import annotations

import random

import pytest

from game import loader
from game.engine import Engine
from game.tools.abstract import Analyzer, possibilities
from game.tools.explore import Explorer


def _condition(rng: random.Random, names: dict[str, list[str]]) -> str:
    atoms = []
    for _ in range(rng.randint(1, 2)):
        kind = rng.choice([k for k, v in names.items() if v])
        name = rng.choice(names[kind])
        if kind == "stat":
            atoms.append(f"stat.{name} {rng.choice(['>=', '<=', '==', '!='])} {rng.randint(-1, 3)}")
        else:
            atoms.append(f"{'not ' if rng.random() < 0.3 else ''}{kind}.{name}")
    return f" {rng.choice(['and', 'or'])} ".join(atoms)


def _effects(rng: random.Random, names: dict[str, list[str]]) -> list[str]:
    found = []
    for _ in range(rng.randint(0, 2)):
        kind = rng.choice(["clue", "flag", "unflag", "stat", "set"])
        if kind == "clue" and names["clue"]:
            found.append(f"- clue: {rng.choice(names['clue'])}")
        elif kind in ("flag", "unflag") and names["flag"]:
            found.append(f"- {kind}: {rng.choice(names['flag'])}")
        elif kind == "stat":
            found.append(f"- stat: {{{rng.choice(names['stat'])}: {rng.choice([-2, -1, 1, 2]):+d}}}")
        elif kind == "set":
            found.append(f"- set: {{{rng.choice(names['stat'])}: {rng.randint(0, 3)}}}")
    return found


def random_story(seed: int) -> str:
    rng = random.Random(seed)
    scenes = [f"a.s{i}" for i in range(rng.randint(3, 7))]
    names = {"clue": [f"c{i}" for i in range(rng.randint(0, 3))], "flag": [f"f{i}" for i in range(rng.randint(0, 2))],
             "stat": ["x", "y"], "visited": scenes}
    out = ["story: {id: r, title: R, start: a.s0}", "areas: {a: A}",
           "stats:", "  x: {min: 0, max: 3, start: 1}", f"  y: {{min: -1, max: 3, start: 0, overflow: {rng.choice(['clamp', 'block'])}}}",
           "endings: {e1: {title: One}, e2: {title: Two}}"]
    if names["clue"]:
        out += ["clues:"] + [f"  {c}: {{title: {c}}}" for c in names["clue"]]
    if names["flag"]:
        out += ["flags:"] + [f"  {f}: a flag" for f in names["flag"]]
    if len(names["clue"]) >= 3 and rng.random() < 0.5:
        out += ["deductions:", "  d: {label: Think., needs: [c0, c1], gives: c2}"]
    out.append("scenes:")
    for index, scene in enumerate(scenes):
        out.append(f"  {scene}:")
        out.append("    text: Words.")
        if rng.random() < 0.3:
            out.append("    on_enter:")
            out += [f"      {e}" for e in _effects(rng, names)] or ["      - stat: {x: +1}"]
        if index and rng.random() < 0.15:
            out.append(f"    ending: {rng.choice(['e1', 'e2'])}")
            continue
        if rng.random() < 0.2:
            out.append("    case_board: true")
        out.append("    choices:")
        for number in range(rng.randint(1, 4)):
            out.append(f"      - id: ch{number}")
            out.append("        text: Choose.")
            if rng.random() < 0.5:
                out.append(f"        if: {_condition(rng, names)}")
            if rng.random() < 0.25:
                out.append("        once: true")
            roll = rng.random()
            if roll < 0.55:
                out.append(f"        goto: {rng.choice(scenes)}")
            elif roll < 0.75:
                out.append("        goto:")
                out.append(f"          - if: {_condition(rng, names)}")
                out.append(f"            goto: {rng.choice(scenes)}")
                out.append(f"          - goto: {rng.choice(scenes)}")
            effects = _effects(rng, names)
            if rng.random() < 0.1:
                effects.append(f"- end: {rng.choice(['e1', 'e2'])}")
            if effects:
                out.append("        do:")
                out += [f"          {e}" for e in effects]
    return "\n".join(out) + "\n"


def _tri(held: bool, may: int, may_not: int, bit: int) -> bool:
    return bool(may & bit) if held else bool(may_not & bit)


@pytest.mark.parametrize("seed", range(60))
def test_playthroughs_stay_inside_what_the_analysis_allows(seed: int, tmp_path) -> None:
    (tmp_path / "story.yaml").write_text(random_story(seed))
    story, diagnostics = loader.check(tmp_path)
    assert story is not None, [str(d) for d in diagnostics]
    poss = possibilities(story)
    analyzer = Analyzer(story)
    engine = Engine(story)
    explorer = Explorer(story)
    search = explorer.search(50_000)
    doomed = search.doomed()
    rng = random.Random(seed)
    for run in range(40):
        pt, _ = engine.start(run)
        seen_doomed = False
        for _ in range(30):
            if pt.ending is not None:
                assert pt.ending in poss.endings
                assert pt.scene in poss.reached | poss.shown_at_end
                assert not seen_doomed, "a state called a soft-lock reached an ending"
                break
            state = poss.states.get(pt.scene)
            assert state is not None, f"{pt.scene} was called unreachable"
            for clue, bit in analyzer.clue_bit.items():
                assert _tri(clue in pt.clues, state.clues, state.no_clues, bit), (pt.scene, clue)
            for flag, bit in analyzer.flag_bit.items():
                assert _tri(flag in pt.flags, state.flags, state.no_flags, bit), (pt.scene, flag)
            for scene, bit in analyzer.visit_bit.items():
                assert _tri(scene in pt.visited, state.visited, state.unvisited, bit), (pt.scene, scene)
            for stat, index in analyzer.stat_index.items():
                low, high = state.stats[index]
                assert low <= pt.stats[stat] <= high, (pt.scene, stat)
            if search.complete:
                number = search.index[explorer.key(pt)]
                seen_doomed = seen_doomed or doomed[number]
            offered = engine.available(pt)
            if pt.scene not in poss.terminal:
                allowed = {m.id for m in poss.enabled.get(pt.scene, [])}
                assert set(offered) <= allowed, pt.scene
            if not offered:
                break
            engine.choose(pt, rng.choice(offered))
