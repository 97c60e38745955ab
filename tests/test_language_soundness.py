"""The analyses stay sound on the story language's newer parts: checked against the engine.

Random stories (seeded) with conditional and random effects (`if`, `chance`,
`roll`, in choices and on_enter), counts in conditions (`visits.`, `taken.`,
`first_visit`) and shared choices are played at random by the real engine.
Everything a playthrough does must fit what the fast pass allows, no state
the search calls a soft-lock may reach an ending, every random outcome the
engine draws must be one that Rules.successors lists, and the search must
step exactly as the engine does.
"""

from __future__ import annotations

import random

import pytest

from game import loader
from game.engine import Engine
from game.tools.abstract import Analyzer, possibilities
from game.tools.analysis import analyze
from game.tools.explore import Explorer


def _condition(rng: random.Random, scenes: list[str], here: str) -> str:
    atoms = []
    for _ in range(rng.randint(1, 2)):
        kind = rng.choice(["clue", "flag", "stat", "visits", "taken", "first", "visited"])
        if kind == "clue":
            atoms.append(f"{'not ' if rng.random() < 0.3 else ''}clue.c{rng.randint(0, 1)}")
        elif kind == "flag":
            atoms.append(f"{'not ' if rng.random() < 0.3 else ''}flag.f0")
        elif kind == "stat":
            atoms.append(f"stat.{rng.choice('xy')} {rng.choice(['>=', '<=', '=='])} {rng.randint(-1, 3)}")
        elif kind == "visits":
            atoms.append(f"visits.{rng.choice([*scenes, 'here'])} {rng.choice(['>=', '<', '=='])} {rng.randint(0, 3)}")
        elif kind == "taken":
            atoms.append(f"taken.{here}.ch0 {rng.choice(['>=', '<'])} {rng.randint(1, 2)}")
        elif kind == "first":
            atoms.append(f"{'not ' if rng.random() < 0.5 else ''}first_visit")
        else:
            atoms.append(f"visited.{rng.choice(scenes)}")
    return f" {rng.choice(['and', 'or'])} ".join(atoms)


def _effects(rng: random.Random, scenes: list[str], here: str, depth: int = 0) -> list[str]:
    found = []
    for _ in range(rng.randint(0, 2)):
        kind = rng.choice(["clue", "flag", "stat", "set", "if", "chance", "roll", "end"])
        if kind == "clue":
            found.append(f"- clue: c{rng.randint(0, 1)}")
        elif kind == "flag":
            found.append(f"- {rng.choice(['flag', 'unflag'])}: f0")
        elif kind == "stat":
            found.append(f"- stat: {{{rng.choice('xy')}: {rng.choice([-2, -1, 1, 2]):+d}}}")
        elif kind == "set":
            found.append(f"- set: {{x: {rng.randint(0, 3)}}}")
        elif kind == "roll":
            found.append("- roll: {y: 0..2}")
        elif kind == "end" and rng.random() < 0.3:
            found.append(f"- end: {rng.choice(['e1', 'e2'])}")
        elif kind in ("if", "chance") and depth < 2:
            head = f"- if: {_condition(rng, scenes, here)}" if kind == "if" else f"- chance: {rng.randint(10, 90)}"
            then = _effects(rng, scenes, here, depth + 1) or ["- flag: f0"]
            found.append(head)
            found.append("  do:")
            found += [f"    {line}" for line in then]
            other = _effects(rng, scenes, here, depth + 1)
            if other:
                found.append("  else:")
                found += [f"    {line}" for line in other]
    return found


def random_story(seed: int) -> str:
    rng = random.Random(seed)
    scenes = [f"a.s{i}" for i in range(rng.randint(3, 6))]
    out = ["story: {id: r, title: R, start: a.s0, format: 2}", "areas: {a: A}",
           "stats:", "  x: {min: 0, max: 3, start: 1}",
           f"  y: {{min: -1, max: 3, start: 0, overflow: {rng.choice(['clamp', 'block'])}}}",
           "endings: {e1: {title: One}, e2: {title: Two}}",
           "clues: {c0: {title: C0}, c1: {title: C1}}", "flags: {f0: a flag}"]
    if rng.random() < 0.5:
        out += ["shared_choices:", "  call:", "    text: 'Call ({stat.x}).'",
                f"    if: {_condition(rng, scenes, 'here')}", "    do:"]
        out += [f"      {line}" for line in (_effects(rng, scenes, "a.s0") or ["- stat: {x: -1}"])]
        out += [f"    except: [{rng.choice(scenes[1:])}]"]
    out.append("scenes:")
    for index, scene in enumerate(scenes):
        out.append(f"  {scene}:")
        out.append("    text: '{first_visit: New.|Again, {visits.here} times.} {&a|b}'")
        if index and rng.random() < 0.3:
            out.append("    on_enter:")
            out += [f"      {e}" for e in _effects(rng, scenes, scene)] or ["      - stat: {x: +1}"]
        if index and rng.random() < 0.15:
            out.append(f"    ending: {rng.choice(['e1', 'e2'])}")
            continue
        out.append("    choices:")
        for number in range(rng.randint(1, 3)):
            out.append(f"      - id: ch{number}")
            out.append("        text: Choose.")
            if number and rng.random() < 0.5:
                out.append(f"        if: {_condition(rng, scenes, scene)}")
            if rng.random() < 0.2:
                out.append("        once: true")
            if rng.random() < 0.8:
                out.append(f"        goto: {rng.choice(scenes)}")
            effects = _effects(rng, scenes, scene)
            if effects:
                out.append("        do:")
                out += [f"          {e}" for e in effects]
    return "\n".join(out) + "\n"


def _load(seed: int, tmp_path):
    (tmp_path / "story.yaml").write_text(random_story(seed))
    story, diagnostics = loader.check(tmp_path)
    assert story is not None, [str(d) for d in diagnostics if d.severity == "error"]
    return story


@pytest.mark.parametrize("seed", range(40))
def test_new_language_playthroughs_stay_inside_what_the_analysis_allows(seed: int, tmp_path) -> None:
    story = _load(seed, tmp_path)
    poss = possibilities(story)
    analyzer = Analyzer(story)
    engine = Engine(story)
    explorer = Explorer(story)
    search = explorer.search(50_000)
    doomed = search.doomed()
    rng = random.Random(seed)
    for run in range(30):
        pt, _ = engine.start(run)
        seen_doomed = False
        for _ in range(25):
            if pt.ending is not None:
                assert pt.ending in poss.endings
                assert not seen_doomed, "a state called a soft-lock reached an ending"
                break
            state = poss.states.get(pt.scene)
            assert state is not None, f"{pt.scene} was called unreachable"
            for clue, bit in analyzer.clue_bit.items():
                assert bool((state.clues if clue in pt.clues else state.no_clues) & bit), (pt.scene, clue)
            for flag, bit in analyzer.flag_bit.items():
                assert bool((state.flags if flag in pt.flags else state.no_flags) & bit), (pt.scene, flag)
            for stat, index in analyzer.stat_index.items():
                low, high = state.stats[index]
                assert low <= pt.stats[stat] <= high, (pt.scene, stat)
            if search.complete:
                seen_doomed = seen_doomed or doomed[search.index[explorer.key(pt)]]
            offered = engine.available(pt)
            if pt.scene not in poss.terminal:
                assert set(offered) <= {m.id for m in poss.enabled.get(pt.scene, [])}, pt.scene
            if not offered:
                break
            choice = rng.choice(offered)
            predicted = [explorer.key(after) for after in explorer.successors(pt, choice)]
            engine.choose(pt, choice)
            assert explorer.key(pt) in predicted, "the engine drew an outcome the search never explores"


@pytest.mark.parametrize("seed", range(20))
def test_every_random_outcome_is_a_successor_and_the_seed_picks_one(seed: int, tmp_path) -> None:
    story = _load(seed, tmp_path)
    assert analyze(story, budget=2_000).diagnostics is not None  # check runs through every new kind
    engine = Engine(story)
    rng = random.Random(seed)
    pt, _ = engine.start(seed)
    for _ in range(20):
        offered = engine.available(pt)
        if not offered:
            break
        choice = rng.choice(offered)
        outcomes = [after.snapshot() for after in engine.successors(pt, choice)]
        again = pt.copy()
        engine.step(again, choice)  # the machine-free step draws what the machine draws
        engine.choose(pt, choice)
        assert pt.snapshot() == again.snapshot() and pt.snapshot() in outcomes
