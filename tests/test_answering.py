"""Answering questions through the command table (plain mode and the full UI share
it) and in the full UI with keys: one blank at a time, the whole answer shown before
it counts, clear errors, and nothing taken until the player confirms."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from game import loader, saves
from game.ui.commands import dispatch
from game.ui.plain import PlainUI
from game.ui.session import Session
from game.ui.tui import TerminalUI

BOARD = Path(__file__).parent / "data" / "board"
DOWN, ENTER, ESC, CTRL_D = "\x1b[B", "\r", "\x1b", "\x04"


@pytest.fixture(scope="module")
def story():
    return loader.load(BOARD).story


@pytest.fixture
def session(story, tmp_path):
    session = Session(story, tmp_path / "saves", seed=5)
    for line in ("1", "2", "3"):  # the collar, the receipt, the board (numbers stay put within a visit)
        dispatch(session, line)
    assert session.pt.scene == "office.board"
    return session


def text_of(reply) -> str:
    return "\n".join(text for _, text in reply.lines)


def test_taking_a_question_starts_an_answer_without_taking_a_turn(session):
    offers = [(o.number, o.id) for o in session.offers()]
    assert offers == [(1, "back"), (2, "ask:pet")]
    reply = dispatch(session, "2")
    assert reply.show_draft and session.draft is not None and session.pt.turn == 3


def test_a_right_answer_by_numbers_and_names_with_the_whole_answer_shown_first(session):
    dispatch(session, "2")
    dispatch(session, "parrot")  # by name
    reply = dispatch(session, "3")  # Green feathers, by number (clues in story order: collar, receipt, feathers)
    assert session.draft.confirming and session.pt.turn == 3  # nothing given yet
    reply = dispatch(session, "yes")
    assert "Green feathers, a collar too small for a dog. A parrot." in text_of(reply)
    assert "Answered: What kind of pet wore the collar?" in text_of(reply)
    assert session.pt.answers["pet"].outcome == "right" and session.draft is None
    assert reply.took_turn and session.pt.log[-1].choice == "answer:pet:kind=parrot,proof=feathers"


def test_a_wrong_answer_costs_and_says_so(session):
    for line in ("2", "cat", "collar", "1"):
        reply = dispatch(session, line)
    assert "Wrong answer (1 so far)." in text_of(reply) and "Control down 1 (now 3)." in text_of(reply)
    assert "pet" not in session.pt.answers and session.pt.stats["control"] == 3


def test_unknown_names_and_numbers_out_of_range_are_clear_errors_that_change_nothing(session):
    dispatch(session, "2")
    reply = dispatch(session, "9")
    assert text_of(reply) == "There is no 9 for 'It was a'; pick 1 to 3." and reply.show_draft
    dispatch(session, "parrot")
    reply = dispatch(session, "fingerprint")
    assert text_of(reply) == ("There is no clue you hold called 'fingerprint' for 'Shown by'; type a number "
                              "from the list.")
    assert session.draft.slot == 1 and session.pt.turn == 3


def test_back_and_changing_a_blank_before_confirming(session):
    dispatch(session, "2")
    dispatch(session, "cat")
    dispatch(session, "back")
    assert session.draft.slot == 0
    dispatch(session, "parrot")
    dispatch(session, "collar")
    dispatch(session, "3")  # change 'Shown by'
    assert session.draft.slot == 1
    dispatch(session, "feathers")
    assert session.draft.confirming and session.draft.values == {"kind": "parrot", "proof": "feathers"}


def test_cancel_leaves_the_question_open_and_the_turn_untaken(session):
    dispatch(session, "2")
    dispatch(session, "parrot")
    reply = dispatch(session, "cancel")
    assert session.draft is None and reply.show_scene and session.pt.turn == 3 and session.pt.answers == {}


def test_info_commands_keep_the_answer_and_others_drop_it(session):
    dispatch(session, "2")
    dispatch(session, "parrot")
    reply = dispatch(session, "clues")
    assert "Open questions" in text_of(reply) and "- What kind of pet wore the collar?" in text_of(reply)
    assert session.draft is not None and reply.show_draft
    reply = dispatch(session, "board")
    assert "People" in text_of(reply) and "- The clerk: Nervous hands." in text_of(reply)
    assert session.draft is not None
    dispatch(session, "look")
    assert session.draft is None


def test_a_wrong_conclusion_is_lived_with(session):
    # the second question appears at the board as a new number, after the ones already shown
    for line in ("2", "parrot", "feathers", "yes", "3", "clerk", "shop", "yes"):
        reply = dispatch(session, line)
    assert "The kid at the till." in text_of(reply) and session.pt.answers["thief"].outcome == "blame_clerk"
    dispatch(session, "1")  # back to the desk
    offers = [o.text for o in session.offers()]
    assert "Go to the shop and tell the owner what his clerk did." in offers
    assert "Go to the shop and take the parrot back." not in offers


def test_a_locked_question_says_why_when_taken(session):
    dispatch(session, "2")
    for line in ("parrot", "feathers", "yes"):
        dispatch(session, line)
    for _ in range(2):  # two wrong tries lock it
        for line in ("3", "neighbor", "park", "yes"):
            dispatch(session, line)
    reply = dispatch(session, "3")
    assert text_of(reply) == "That question can't be answered now: wrong too often; try again in 2 turns."


def test_history_and_saves_hold_the_answers(session, story, tmp_path):
    for line in ("2", "parrot", "feathers", "yes"):
        dispatch(session, line)
    history = text_of(dispatch(session, "history"))
    assert ("Turn 4. The Case Board: answered 'What kind of pet wore the collar?': It was a parrot. Shown by "
            "Green feathers.") in history
    session.save("mid")
    loaded = saves.load_slot(tmp_path / "saves", "mid", session.engine)
    assert loaded.fits and loaded.playthrough.answers["pet"].values == (("kind", "parrot"), ("proof", "feathers"))


def test_plain_mode_prompts_one_blank_at_a_time(story, tmp_path):
    out = io.StringIO()
    keys = "1\n2\n3\n2\nparrot\nfeathers\nyes\nquit\n"
    PlainUI(Session(story, tmp_path / "saves", seed=5), io.StringIO(keys), out, width=100).run()
    text = out.getvalue()
    assert "Blank 1 of 2: It was a" in text and "1. cat" in text
    assert "Blank 2 of 2: Shown by" in text and "3. Green feathers" in text
    assert "Your answer: It was a parrot. Shown by Green feathers." in text
    assert "Answered: What kind of pet wore the collar?" in text
    assert "Question: Who took the parrot?" in text  # the next question is open now


def test_the_full_ui_answers_with_arrow_keys_and_enter(story, tmp_path):
    session = Session(story, tmp_path / "saves", seed=5)
    keys = ("1" + ENTER + "1" + ENTER + "2" + ENTER + "3" + ENTER  # new case, collar, receipt, board
            + "2" + ENTER  # the question
            + DOWN + ENTER  # parrot (the second option)
            + DOWN + DOWN + ENTER  # Green feathers (the third)
            + ENTER  # Give this answer.
            + CTRL_D)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        ui = TerminalUI(session)
        pipe.send_text(keys)
        ui.run()
    assert ui.errors == []
    assert session.pt.answers["pet"].outcome == "right"


def test_escape_leaves_a_question_in_the_full_ui(story, tmp_path):
    session = Session(story, tmp_path / "saves", seed=5)
    keys = "1" + ENTER + "1" + ENTER + "2" + ENTER + "3" + ENTER + "2" + ENTER + DOWN + ENTER + ESC + CTRL_D
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        ui = TerminalUI(session)
        pipe.send_text(keys)
        ui.run()
    assert ui.errors == [] and session.draft is None and session.pt.answers == {}
