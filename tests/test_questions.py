"""Questions in the engine: opening, candidates, judging, costs, locks, batches,
conclusions, answers recorded in dialogue, and replays of answers."""

from __future__ import annotations

import pytest

from game import loader
from game.engine import Engine
from game.errors import ChoiceError
from game.events import QuestionAnswered, QuestionConfirmed, QuestionLocked, QuestionPending
from game.questions import answer_id, parse_answer

STORY = """\
story: {id: qs, title: Questions, start: office.desk}
areas: {office: Office}
stats:
  control: {min: 0, max: 5, start: 3}
clues:
  scaffold: {title: The bent scaffold}
  gate: {title: The bent gate}
  pills: {title: Red pills}
  one_killer: {title: One pair of hands}
flags:
  pier_said: You said it to her face.
people:
  simpson: Will Simpson
  coat: {name: The woman in the gray coat, known: clue.scaffold}
  cheng: {name: Pryce Cheng, known: flag.pier_said}
things:
  hands: Bare hands
  shaft: The elevator shaft
questions:
  killer:
    ask: Who killed Whizzer?
    opens: clue.scaffold
    slots:
      who: {prompt: Who did it?, from: people}
      proof: {prompt: What shows it?, from: clues, among: [scaffold, gate, pills]}
    answer: {who: coat, proof: [scaffold, gate]}
    right: {text: The gray coat., do: [{clue: one_killer}]}
    wrong: {text: It does not hold., do: [{stat: {control: -1}}]}
    responses:
      - id: blame_simpson
        if: {who: simpson}
        text: Simpson it is, then.
        conclude: true
      - id: pills
        if: {proof: pills}
        text: The pills explain a soldier, not a gate.
    lock: {after: 2, turns: 3}
  run_death:
    ask: Who killed the runner?
    batch: deaths
    batch_size: 2
    pending: Pinned.
    slots:
      who: {prompt: Who?, from: people, among: [simpson, coat]}
    answer: {who: coat}
    right: The runner, confirmed.
  doctor_death:
    ask: Who killed the doctor?
    batch: deaths
    batch_size: 2
    slots:
      who: {prompt: Who?, from: people, among: [simpson, coat]}
    answer: {who: coat}
    pending: Pinned.
    right: The doctor, confirmed.
  motive:
    ask: Why now?
    at: office.pier
    opens: solved.killer
    slots:
      why: {prompt: Why?, from: options, options: {money: Money, revenge: Revenge, fear: Fear}}
    answer: {why: fear}
    right:
      text: She is afraid.
      goto: office.end
endings:
  end: {title: End}
scenes:
  office.desk:
    text:
      - A desk.
      - if: open.killer
        text: The board wants something.
      - if: known.cheng
        text: Cheng's card is on the desk.
    choices:
      - id: look
        text: Look.
        once: true
        do: [{clue: scaffold}, {clue: gate}, {clue: pills}]
      - id: board
        text: The board.
        goto: office.board
      - id: pier
        text: The pier.
        goto: office.pier
  office.board:
    text: The board.
    case_board: true
    choices:
      - id: back
        text: Back.
        goto: office.desk
  office.pier:
    text: The pier.
    choices:
      - id: accuse
        text: You're not who you say.
        if: not concluded.killer
        do:
          - flag: pier_said
          - answer: {killer: right}
      - id: home
        text: Home.
        goto: office.desk
  office.end:
    text: The end.
    ending: end
"""


@pytest.fixture
def story(write_story):
    return loader.load(write_story({"story.yaml": STORY})).story


@pytest.fixture
def engine(story):
    return Engine(story)


def at_board(engine):
    pt, _ = engine.start(seed=3)
    engine.choose(pt, "look")
    engine.choose(pt, "board")
    return pt


def answer(q, **values):
    return answer_id(q, values)


def test_an_answer_id_reads_back_exactly():
    move = answer("killer", who="coat", proof="scaffold")
    assert move == "answer:killer:who=coat,proof=scaffold"
    assert parse_answer(move) == ("killer", {"who": "coat", "proof": "scaffold"})
    for bad in ("answer:", "answer:killer", "answer:killer:who", "answer:killer:who=a,who=b", "choose"):
        assert parse_answer(bad) is None


def test_a_question_opens_with_its_condition_and_only_where_it_is_asked(engine):
    pt, _ = engine.start()
    engine.choose(pt, "board")
    assert "ask:killer" not in [o.id for o in engine.offers(pt)]  # not open: no scaffold yet
    engine.choose(pt, "back")
    engine.choose(pt, "look")
    assert "The board wants something." in engine.text(pt)  # open.killer reads the same test
    engine.choose(pt, "board")
    asks = [(o.id, o.enabled) for o in engine.offers(pt) if o.id.startswith("ask:")]
    assert asks == [("ask:killer", True), ("ask:run_death", True), ("ask:doctor_death", True)]
    assert not any(o.id == "ask:motive" for o in engine.offers(pt))  # asked only at the pier


def test_candidates_are_what_the_player_holds_or_knows(engine, story):
    pt = at_board(engine)
    killer = story.questions["killer"]
    rules = engine.questions
    assert rules.candidates(killer, killer.slots[0], pt) == ["simpson", "coat"]  # Cheng not known yet
    assert rules.candidates(killer, killer.slots[1], pt) == ["scaffold", "gate", "pills"]
    assert rules.label(killer.slots[0], "coat") == "The woman in the gray coat"


def test_available_lists_one_representative_answer_per_outcome(engine):
    pt = at_board(engine)
    moves = [m for m in engine.available(pt) if m.startswith("answer:killer")]
    outcomes = [engine.story.questions["killer"].judge(parse_answer(m)[1]).id for m in moves]
    # Who is simpson or coat: every answer is right, a conclusion or the pills response; none is
    # left for the default wrong answer, so no move is listed for it.
    assert outcomes == ["right", "blame_simpson", "pills"]
    for move in moves:
        assert engine.why_locked(pt, move) is None


def test_a_right_answer_closes_the_question_and_gives_what_it_gives(engine):
    pt = at_board(engine)
    step = engine.choose(pt, answer("killer", who="coat", proof="gate"))
    assert step.outcome == "The gray coat."
    assert QuestionAnswered("killer", "right", True, True) in step.events
    assert "one_killer" in pt.clues and pt.answers["killer"].outcome == "right"
    assert pt.answers["killer"].values == (("who", "coat"), ("proof", "gate"))
    assert "ask:killer" not in [o.id for o in engine.offers(pt)]
    with pytest.raises(ChoiceError, match="already answered"):
        engine.choose(pt, answer("killer", who="coat", proof="gate"))


def test_a_wrong_try_costs_and_locks_after_two(engine):
    pt = at_board(engine)
    step = engine.choose(pt, answer("killer", who="coat", proof="pills"))
    assert step.outcome == "The pills explain a soldier, not a gate."
    assert pt.stats["control"] == 2 and pt.wrong == {"killer": 1} and "killer" not in pt.answers
    step = engine.choose(pt, answer("killer", who="coat", proof="pills"))
    assert QuestionLocked("killer", 3) in step.events and pt.stats["control"] == 1
    offer = next(o for o in engine.offers(pt) if o.id == "ask:killer")
    assert not offer.enabled and offer.hint == "wrong too often; try again in 3 turns"
    assert not any(m.startswith("answer:killer") for m in engine.available(pt))
    with pytest.raises(ChoiceError, match="try again in 3 turns"):
        engine.choose(pt, answer("killer", who="coat", proof="gate"))
    for _ in range(3):  # three turns pass: back and forth
        engine.choose(pt, "back" if pt.scene == "office.board" else "board")
    assert pt.scene == "office.desk"
    engine.choose(pt, "board")
    engine.choose(pt, answer("killer", who="coat", proof="gate"))
    assert pt.answers["killer"].outcome == "right"


def test_a_wrong_conclusion_closes_the_question_wrongly_and_conditions_read_it(write_story):
    text = STORY.replace("""      - id: home
        text: Home.""", """      - id: arrest
        text: Arrest Simpson's memory.
        if: concluded.killer.blame_simpson and not solved.killer
        goto: office.end
      - id: home
        text: Home.""")
    engine = Engine(loader.load(write_story({"story.yaml": text})).story)
    pt = at_board(engine)
    step = engine.choose(pt, answer("killer", who="simpson", proof="gate"))
    assert step.outcome == "Simpson it is, then."
    assert QuestionAnswered("killer", "blame_simpson", False, True) in step.events
    assert pt.stats["control"] == 3 and "one_killer" not in pt.clues  # no cost: she believes it
    engine.choose(pt, "back")
    engine.choose(pt, "pier")
    assert [o.id for o in engine.offers(pt)] == ["arrest", "home"]  # the accusation is past
    engine.choose(pt, "arrest")
    assert pt.ending == "end"


def test_an_answer_given_in_dialogue_is_recorded_and_gives_what_it_gives(engine):
    pt, _ = engine.start()
    engine.choose(pt, "look")
    engine.choose(pt, "pier")
    step = engine.choose(pt, "accuse")
    assert QuestionAnswered("killer", "right", True, True) in step.events
    assert pt.answers["killer"].outcome == "right" and pt.answers["killer"].values == ()
    assert "one_killer" in pt.clues
    assert "Cheng's card is on the desk." not in engine.text(pt)  # known.cheng: the flag is set...
    engine.choose(pt, "home")
    assert "Cheng's card is on the desk." in engine.text(pt)  # ...and the desk reads it
    assert "The board wants something." not in engine.text(pt)  # open.killer: closed now


def test_open_alone_means_a_question_the_boards_ask_is_open(story):
    from game.conditions import parse
    macros = {"open": {"a": parse("false").tree, "b": parse("true").tree},
              "open:board": {"a": parse("false").tree}}
    assert not parse("open", macros=macros).test(None)  # 'b' is open but asked elsewhere
    assert parse("open.b", macros=macros).test(None)


def test_an_answer_may_lead_to_another_scene(engine):
    pt, _ = engine.start()
    engine.choose(pt, "look")
    engine.choose(pt, "pier")
    engine.choose(pt, "accuse")
    assert [o.id for o in engine.offers(pt)][-1] == "ask:motive"
    wrong = engine.choose(pt, answer("motive", why="money"))
    assert wrong.outcome == "" and pt.scene == "office.pier" and pt.wrong == {"motive": 1}
    engine.choose(pt, answer("motive", why="fear"))
    assert pt.ending == "end"


def test_a_batch_is_judged_silently_and_confirmed_together(engine):
    pt = at_board(engine)
    step = engine.choose(pt, answer("run_death", who="coat"))
    assert step.outcome == "Pinned." and step.events == [QuestionPending("run_death")]
    assert pt.pending == {"run_death": (("who", "coat"),)} and pt.answers == {}
    step = engine.choose(pt, answer("doctor_death", who="simpson"))  # wrong: nothing is said
    assert step.outcome == "Pinned." and pt.answers == {} and pt.wrong == {} and pt.stats["control"] == 3
    step = engine.choose(pt, answer("doctor_death", who="coat"))  # both right: confirmed at once
    assert step.outcome == "Pinned.\n\nThe runner, confirmed.\n\nThe doctor, confirmed."
    # and the second question's own text only once: the pending line, then each confirmation
    assert [e for e in step.events if isinstance(e, QuestionConfirmed)] == [
        QuestionConfirmed("run_death"), QuestionConfirmed("doctor_death")]
    assert set(pt.answers) == {"run_death", "doctor_death"} and pt.pending == {}


def test_a_batch_offers_one_right_and_one_wrong_move(engine):
    pt = at_board(engine)
    moves = [m for m in engine.available(pt) if m.startswith("answer:run_death")]
    assert moves == [answer("run_death", who="coat"), answer("run_death", who="simpson")]


def test_an_answer_that_cannot_be_given_now_is_refused_with_the_reason(engine):
    pt = at_board(engine)
    for move, reason in [
        (answer("killer", who="cheng", proof="gate"), "'cheng' is not something you can put in slot 'who' now"),
        (answer("killer", who="coat"), "leaves slot 'proof' empty"),
        (answer("killer", who="coat", proof="gate", why="x"), "has no slot 'why'"),
        (answer("nobody", who="coat"), "the story has no question 'nobody'"),
        (answer("motive", why="fear"), "does not ask question 'motive'"),
        ("answer:killer", "not a well-formed answer"),
        ("ask:killer", "filling its slots"),
    ]:
        with pytest.raises(ChoiceError, match=reason):
            engine.choose(pt, move)
    assert pt.turn == 2 and pt.answers == {} and pt.wrong == {}


def test_answers_replay_exactly_and_rules_step_agrees_with_the_engine(engine):
    pt = at_board(engine)
    for move in [answer("killer", who="coat", proof="pills"), answer("run_death", who="simpson"),
                 answer("killer", who="simpson", proof="scaffold"), "back", "pier"]:
        copy = engine.successors(pt, move)[0]
        engine.choose(pt, move)
        assert copy.snapshot() == pt.snapshot()
    replayed = engine.replay(pt.log, pt.seed)
    assert replayed.ok and replayed.playthrough.snapshot() == pt.snapshot()
    assert [s.outcome for s in replayed.steps[3:6]] == [
        "The pills explain a soldier, not a gate.", "Pinned.", "Simpson it is, then."]


def test_a_logged_deduction_that_became_a_question_replays_as_its_right_answer(write_story):
    text = STORY.replace("questions:\n  killer:", "questions:\n  one_killer:").replace(
        "killer.blame", "one_killer.blame").replace("answer: {killer: right}", "answer: {one_killer: right}").replace(
        "not concluded.killer", "not concluded.one_killer").replace("open.killer", "open.one_killer").replace(
        "solved.killer", "solved.one_killer")
    engine = Engine(loader.load(write_story({"story.yaml": text})).story)
    from game.state import LogEntry
    log = [LogEntry("office.desk", "look"), LogEntry("office.desk", "board"),
           LogEntry("office.board", "deduce:one_killer")]
    result = engine.replay(log, 3)
    assert result.ok and result.playthrough.answers["one_killer"].outcome == "right"
    assert result.playthrough.log[-1].choice.startswith("answer:one_killer:who=coat")


def test_a_lock_can_show_only_while_its_subject_is_open(write_story):
    text = STORY.replace("""      - id: pier
        text: The pier.
        goto: office.pier""", """      - id: pier
        text: The pier.
        goto: office.pier
      - id: arrest
        text: Arrest whoever it was.
        if: solved.killer
        visible_when_locked: open.killer
        hint: Work out who it was first.
        goto: office.end""")
    engine = Engine(loader.load(write_story({"story.yaml": text})).story)
    pt, _ = engine.start()
    assert "arrest" not in [o.id for o in engine.offers(pt)]  # nothing about a killer has come up
    engine.choose(pt, "look")
    arrest = next(o for o in engine.offers(pt) if o.id == "arrest")
    assert not arrest.enabled and arrest.hint == "Work out who it was first."
    engine.choose(pt, "pier")
    engine.choose(pt, "accuse")  # solved in dialogue
    engine.choose(pt, "home")
    assert next(o for o in engine.offers(pt) if o.id == "arrest").enabled
