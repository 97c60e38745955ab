"""Gating, effects, branches, deductions, endings and replay, on small stories."""

from __future__ import annotations

import itertools

import pytest

from game import loader
from game.engine import ClueFound, Engine, GameEnded, StatChanged
from game.errors import ChoiceError
from game.state import LogEntry


def ids(offers):
    return [(o.id, o.enabled) for o in offers]


def test_start_applies_on_enter_and_offers_choices(engine):
    pt, step = engine.start(seed=1)
    assert pt.scene == "office.desk" and pt.turn == 0
    assert step.clues == ["receipt"]
    assert pt.clues["receipt"].scene == "office.desk" and pt.clues["receipt"].turn == 0
    assert ids(engine.offers(pt)) == [
        ("look_door", True), ("board", True), ("out", True), ("shop", False), ("give_up", True)]
    assert [o.number for o in engine.offers(pt)] == [1, 2, 3, 4, 5]


def test_locked_choice_shows_hint_and_cannot_be_taken(engine):
    pt, _ = engine.start()
    shop = next(o for o in engine.offers(pt) if o.id == "shop")
    assert shop.hint == "You need an address first."
    with pytest.raises(ChoiceError, match="condition is false: clue.address"):
        engine.choose(pt, "shop")
    with pytest.raises(ChoiceError, match="locked: You need an address first"):
        engine.choose_number(pt, 4)
    assert pt.turn == 0 and pt.log == []  # a refused choice changes nothing


def test_once_choice_gives_clue_and_disappears(engine):
    pt, _ = engine.start()
    step = engine.choose(pt, "look_door")
    assert step.outcome == "Something red by the hinge."
    assert step.events == [ClueFound("collar")]
    assert pt.clues["collar"].turn == 1
    assert "look_door" not in [o.id for o in engine.offers(pt)]
    with pytest.raises(ChoiceError, match="only once"):
        engine.choose(pt, "look_door")


def test_conditional_paragraph_appears_once_clue_is_held(engine):
    pt, _ = engine.start()
    assert "The red collar sits on the blotter." not in engine.text(pt)
    engine.choose(pt, "look_door")
    assert "The red collar sits on the blotter." in engine.text(pt)


def test_one_of_variation_is_fixed_by_seed(engine):
    texts = set()
    for seed in range(20):
        pt, _ = engine.start(seed)
        first = engine.text(pt)[-1]
        assert engine.text(pt)[-1] == first  # looking again does not reshuffle
        texts.add(first)
    assert texts == {"Rain taps the window.", "A siren passes below."}


def test_one_of_variants_take_turns_on_return_visits(write_story):
    root = write_story({"story.yaml": """
        story: {id: t, title: T, start: a.desk}
        areas: {a: A}
        scenes:
          a.desk:
            text:
              - one_of: [Rain., A siren., Onions frying downstairs.]
            choices:
              - {id: out, text: Out., goto: a.hall}
          a.hall:
            text: The hall.
            choices:
              - {id: back, text: Back., goto: a.desk}
    """})
    engine = Engine(loader.load(root).story)
    for seed in range(5):
        pt, _ = engine.start(seed)
        seen = [engine.text(pt)[0]]
        for _ in range(5):
            engine.choose(pt, "out")
            engine.choose(pt, "back")
            seen.append(engine.text(pt)[0])
        assert all(a != b for a, b in itertools.pairwise(seen))  # never the same twice running
        assert len(set(seen[:3])) == 3 and seen[3:] == seen[:3]  # all three before any repeats


def test_deduction_at_case_board_gives_new_clue(engine):
    pt, _ = engine.start()
    engine.choose(pt, "board")
    assert "deduce:shop" not in [o.id for o in engine.offers(pt)]  # needs collar too
    engine.choose(pt, "back")
    engine.choose(pt, "look_door")
    engine.choose(pt, "board")
    offer = next(o for o in engine.offers(pt) if o.id == "deduce:shop")
    assert offer.text == "Put the collar next to the receipt."
    step = engine.choose(pt, "deduce:shop")
    assert step.clues == ["address"] and "You have an address" in step.outcome
    assert "deduce:shop" not in [o.id for o in engine.offers(pt)]
    assert pt.scene == "office.board"


def test_block_stat_hides_choice_that_would_leave_range(engine):
    pt, _ = engine.start()
    engine.choose(pt, "out")
    step = engine.choose(pt, "pay")
    assert StatChanged("cash", 1, 0) in step.events
    assert "paid_informant" in pt.flags
    assert "pay" not in [o.id for o in engine.offers(pt)]
    with pytest.raises(ChoiceError, match="out of its range"):
        engine.choose(pt, "pay")


def test_clamped_stat_stops_at_range_edge(engine):
    pt, _ = engine.start()
    engine.choose(pt, "out")
    assert StatChanged("anger", 1, 3) in engine.choose(pt, "shove").events
    assert StatChanged("anger", 3, 5) in engine.choose(pt, "shove").events
    third = engine.choose(pt, "shove")
    assert pt.stats["anger"] == 5
    assert [e.stat for e in third.stat_changes] == ["trust"]  # anger was already at its max
    assert pt.stats["trust"] == -3


def test_branch_is_chosen_by_state(engine):
    def reach_shop(shoves):
        pt, _ = engine.start()
        engine.choose(pt, "out")
        for _ in range(shoves):
            engine.choose(pt, "shove")
        engine.choose(pt, "pay")
        engine.choose(pt, "back")
        engine.choose(pt, "shop")
        return pt

    kind = reach_shop(0)
    step = engine.choose(kind, "ask")
    assert kind.scene == "street.found" and step.ending == "found" and kind.over
    rude = reach_shop(1)
    engine.choose(rude, "ask")
    assert rude.scene == "street.refused" and not rude.over


def test_end_effect_ends_game_and_nothing_more_can_be_chosen(engine):
    pt, _ = engine.start()
    step = engine.choose(pt, "give_up")
    assert step.events == [GameEnded("lost")] and pt.ending == "lost"
    assert engine.offers(pt) == []
    with pytest.raises(ChoiceError, match="ended"):
        engine.choose(pt, "out")


def test_unknown_choice_and_number(engine):
    pt, _ = engine.start()
    with pytest.raises(ChoiceError, match="has no choice 'fly'"):
        engine.choose(pt, "fly")
    with pytest.raises(ChoiceError, match="no choice 9; pick 1 to 5"):
        engine.choose_number(pt, 9)


def test_replay_rebuilds_the_same_state(engine):
    pt, _ = engine.start(seed=7)
    for choice in ["look_door", "board", "deduce:shop", "back", "out", "shove", "back"]:
        engine.choose(pt, choice)
    result = engine.replay(pt.log, seed=7)
    assert result.ok
    assert result.playthrough.snapshot() == pt.snapshot()
    assert len(result.steps) == len(pt.log) + 1


def test_replay_reports_first_turn_that_no_longer_fits(engine):
    log = [LogEntry("office.desk", "look_door"), LogEntry("office.desk", "shop"),
           LogEntry("street.shop", "ask")]
    result = engine.replay(log)
    assert not result.ok
    assert result.error.turn == 2 and result.error.choice == "shop"
    assert "condition is false: clue.address" in str(result.error)
    assert result.playthrough.turn == 1  # state up to the last fitting turn


def test_replay_reports_missing_scene_and_scene_mismatch(engine):
    gone = engine.replay([LogEntry("office.attic", "open")])
    assert "scene 'office.attic' no longer exists" in gone.error.reason
    elsewhere = engine.replay([LogEntry("street.corner", "pay")])
    assert "now in scene 'office.desk'" in elsewhere.error.reason


def test_renames_in_manifest_let_old_logs_replay(write_story):
    root = write_story({
        "story.yaml": """
            story: {id: t, title: T, start: a.desk}
            areas: {a: A}
            endings: {done: {title: Done}}
            renames:
              scenes: {a.old_desk: a.desk}
              choices: {a.desk: {leave_now: leave}}
            scenes:
              a.desk:
                text: Desk.
                choices:
                  - {id: leave, text: Leave., goto: a.end}
              a.end: {text: End., ending: done}
        """,
    })
    engine = Engine(loader.load(root).story)
    result = engine.replay([LogEntry("a.old_desk", "leave_now")])
    assert result.ok and result.playthrough.ending == "done" and result.renamed == 1


def test_machine_has_no_auto_transitions(engine):
    # auto_transitions would add a to_<scene> trigger per scene (N^2 transitions)
    assert not any(name.startswith("to_") for name in engine.machine.events)
    assert set(engine.machine.states) == set(engine.story.scenes)


def test_turn_conditions_see_the_turn_the_player_saw(write_story):
    root = write_story({
        "story.yaml": """
            story: {id: t, title: T, start: a.desk}
            areas: {a: A}
            clues: {early: {title: Early}}
            endings: {done: {title: Done}}
            scenes:
              a.desk:
                text: Desk.
                choices:
                  - {id: hurry, text: Hurry., if: turn < 1, do: [{clue: early}], goto: a.end}
                  - {id: dawdle, text: Dawdle.}
              a.end:
                text: End.
                ending: done
        """,
    })
    engine = Engine(loader.load(root).story)
    pt, _ = engine.start()
    step = engine.choose(pt, "hurry")  # offered at turn 0, so it must be takeable at turn 0
    assert step.ending == "done" and pt.turn == 1
    assert pt.clues["early"].turn == 1  # effects belong to the new turn
    late, _ = engine.start()
    engine.choose(late, "dawdle")
    assert "hurry" not in engine.available(late)


OUTCOME_STORY = """
    story: {id: t, title: T, start: a.desk}
    areas: {a: A}
    flags: {read: The folder was read., called: Trish was called.}
    scenes:
      a.desk:
        text: Desk.
        choices:
          - {id: read, text: Read the folder., once: true, do: [{flag: read}]}
          - id: call
            text: Call Trish.
            do: [{flag: read}, {flag: called}]
            outcome:
              - She picks up on the first ring.
              - if: flag.read
                text: You tell her you read it.
              - if: not flag.read
                text: You change the subject.
              - one_of: [A siren goes past., The radiator knocks., A dog barks.]
"""


def test_outcome_paragraphs_read_the_state_before_the_choice(write_story):
    engine = Engine(loader.load(write_story({"story.yaml": OUTCOME_STORY})).story)
    unread, _ = engine.start(seed=1)
    first = engine.choose(unread, "call").outcome
    assert first.startswith("She picks up on the first ring.\n\nYou change the subject.")
    assert "You tell her" not in first  # its own flag: read is set by this very choice
    read, _ = engine.start(seed=1)
    engine.choose(read, "read")
    assert "You tell her you read it." in engine.choose(read, "call").outcome


def test_outcome_variants_take_turns_each_time_the_choice_is_taken(write_story):
    # Two variants and something else done between takings: cycling by turn
    # number would land on the same variant every time.
    read = "          - {id: read, text: Read the folder., once: true, do: [{flag: read}]}\n"
    variants = "[A siren goes past., The radiator knocks., A dog barks.]"
    assert read in OUTCOME_STORY and variants in OUTCOME_STORY
    text = OUTCOME_STORY.replace(read, read + "          - {id: wait, text: Wait.}\n")
    text = text.replace(variants, "[A siren goes past., The radiator knocks.]")
    engine = Engine(loader.load(write_story({"story.yaml": text})).story)

    def lines(seed, other_turns=False):
        pt, _ = engine.start(seed=seed)
        taken = []
        for _ in range(6):
            if other_turns:
                engine.choose(pt, "wait")
            taken.append(engine.choose(pt, "call").outcome.split("\n\n")[-1])
        return taken

    assert lines(7) == lines(7)  # a seed reads the same every time
    for seed in range(5):
        for taken in (lines(seed), lines(seed, other_turns=True)):
            assert all(a != b for a, b in itertools.pairwise(taken))


def test_a_bad_outcome_is_reported_where_it_is(write_story):
    root = write_story({"story.yaml": """
        story: {id: t, title: T, start: a.desk}
        areas: {a: A}
        scenes:
          a.desk:
            text: Desk.
            choices:
              - {id: call, text: Call., outcome: {text: no}}
    """})
    _, diagnostics = loader.check(root)
    assert [str(d) for d in diagnostics] == [
        f"{root / 'story.yaml'}:8:42: error: outcome of choice 'call' in scene 'a.desk' must be text "
        "or a list of paragraphs, not a mapping"]
