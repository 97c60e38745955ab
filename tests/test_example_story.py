"""The second example story (examples/lighthouse): it checks clean, every ending has a
walkthrough that reaches it, and it uses every part of the story format, so that a
writer can read each feature of docs/WRITING.md at work in a real story."""

from __future__ import annotations

from pathlib import Path

import pytest

from game import loader, markup
from game.engine import Engine
from game.saves import log_of, read_doc
from game.story import Chance, ChangeStat, EndGame, GainClue, IfEffect, Roll, SetFlag, all_effects
from game.tools.check import run_check

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "lighthouse"
WALKTHROUGHS = sorted((ROOT / "tests" / "data" / "walkthroughs" / "lighthouse").glob("*.json"))


@pytest.fixture(scope="module")
def story():
    return loader.load(EXAMPLE).story


def test_the_example_checks_clean_with_a_complete_search() -> None:
    result = run_check(EXAMPLE)
    assert result.ok and not result.errors and not result.warnings, [str(d) for d in result.diagnostics]
    assert result.search is not None and result.search.complete


def test_every_ending_of_the_example_has_a_walkthrough(story) -> None:
    assert {read_doc(path)["expect"]["ending"] for path in WALKTHROUGHS} == set(story.endings)


@pytest.mark.parametrize("path", WALKTHROUGHS, ids=lambda p: p.stem)
def test_example_walkthrough_reaches_its_ending(story, path: Path) -> None:
    doc = read_doc(path)
    result = Engine(story).replay(log_of(doc), seed=doc["seed"])
    assert result.ok, result.error
    pt = result.playthrough
    assert pt.ending == doc["expect"]["ending"]
    assert set(doc["expect"]["clues"]) <= set(pt.clues)
    assert all(pt.stats[k] == v for k, v in doc["expect"]["stats"].items())


def _everything(story):
    """Every paragraph, choice, effect, condition and piece of text in the story."""
    paragraphs, choices, effects, conditions, texts = [], [], [], [], []
    for scene in story.scenes.values():
        paragraphs += scene.text
        effects += all_effects(scene.on_enter)
        for choice in scene.choices:
            choices.append(choice)
            paragraphs += choice.outcome
            effects += all_effects(choice.effects)
            conditions += [c for c in (choice.condition, *(b.condition for b in choice.branches)) if c]
            texts += [choice.label, choice.hint_text]
        conditions += [p.condition for p in scene.text if p.condition]
    texts += [t for p in paragraphs for t in p.texts] + [e.body for e in story.endings.values()]
    conditions += [e.condition for e in effects if isinstance(e, IfEffect)]
    conditions += [c for t in texts if t for c in t.conditions]
    conditions += [s.listed_if for s in story.stats.values() if s.listed_if]
    return paragraphs, choices, effects, conditions, texts


def test_the_example_uses_every_part_of_the_format(story) -> None:
    paragraphs, choices, effects, conditions, texts = _everything(story)
    assert story.format == 2 and story.protagonist and story.intro and story.content_notes
    assert len(story.stat_groups) == 3 and story.renamed_scenes and story.renamed_choices
    assert {s.overflow for s in story.stats.values()} == {"clamp", "block"}
    assert any(s.listed_if for s in story.stats.values()) and any(s.shown for s in story.stats.values())
    assert story.deductions and any(s.case_board for s in story.scenes.values())
    assert any(c.group != "Leads" for c in story.clues.values())
    # paragraphs: plain, conditional, one_of, lines
    assert any(p.condition for p in paragraphs) and any(len(p.variants) > 1 for p in paragraphs)
    assert any(t.lines for p in paragraphs for t in p.texts)
    # choices: every field, shared ones, staying in the scene, branching goto
    assert any(c.once for c in choices) and any(c.visible_when_locked and c.hint for c in choices)
    assert any(c.outcome for c in choices) and any(c.shared for c in choices)
    assert any(c.branches == (c.branches[0],) and c.branches[0].target is None for c in choices)
    assert any(len(c.branches) > 1 for c in choices)
    # effects: every kind
    kinds = {type(e) for e in effects}
    assert {GainClue, SetFlag, ChangeStat, EndGame, IfEffect, Chance, Roll} <= kinds
    assert any(isinstance(e, SetFlag) and not e.value for e in effects)
    assert any(isinstance(e, ChangeStat) and not e.relative for e in effects)
    assert any(isinstance(e, IfEffect) and e.otherwise for e in effects)
    # conditions: every kind of name (deducible is spelled out into clue tests; first_visit into visits)
    refs = {kind for c in conditions for kind, _ in c.refs}
    assert {"clue", "flag", "stat", "visited", "visits", "taken", "turn"} <= refs
    sources = " ".join(c.source for c in conditions)
    assert all(word in sources for word in ("first_visit", "deducible", " or ", " and ", "not ", "here"))
    # inline markup: every form
    pieces = [p for t in texts if t for p in markup.walk(t.parts)]
    assert {type(p) for p in pieces} >= {str, markup.Number, markup.Plural, markup.When, markup.Alternatives}
    assert {p.kind for p in pieces if isinstance(p, markup.Alternatives)} == {"sequence", "cycle", "once", "shuffle"}
    assert {len(p.forms) for p in pieces if isinstance(p, markup.Plural)} == {2, 3}
    sources = " ".join(t.source for t in texts if t) + (EXAMPLE / "text.yaml").read_text()
    assert all(word in sources for word in ("{snippet.", "{protagonist}", "\\{", "{name.", "{#", "{~", "{!", "{&"))
