"""Plain mode on any line a player (or a cat on the keyboard) can type: a
reply, never an exception, and the game stays sound after every line."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

from fuzzkit import LINES, SAMPLE, check_invariants
from hypothesis import given
from hypothesis import strategies as st

from game import loader
from game.engine import Engine
from game.ui.commands import Reply, dispatch
from game.ui.plain import PlainUI
from game.ui.session import Session

STORY = loader.load(SAMPLE).story
ENGINE = Engine(STORY)
# Lines that reach the save files too, mixed with everything else.
PLAYER_LINES = st.one_of(LINES, st.sampled_from(["save a", "load a", "save b", "load b", "load autosave", "undo 3",
                                                 "restart", "1", "2", "3", "4", "5"]))
TERMINAL_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@given(st.lists(PLAYER_LINES, max_size=20), st.integers(0, 2**31))
def test_any_lines_keep_the_game_sound(lines, seed):
    with tempfile.TemporaryDirectory() as tmp:
        session = Session(STORY, Path(tmp), seed=seed, engine=ENGINE)
        for line in lines:
            reply = dispatch(session, line)
            assert isinstance(reply, Reply)
            for style, text in reply.lines:
                assert style.startswith("class:") and isinstance(text, str)
                assert not TERMINAL_CONTROL.search(text), f"reply to {line!r} holds a control character"
            check_invariants(session.engine, session.pt)


@given(st.lists(PLAYER_LINES, max_size=12), st.integers(0, 2**31), st.booleans())
def test_plain_mode_session_ends_cleanly_and_autosaves(lines, seed, quit_at_end):
    text = "\n".join(lines) + ("\nquit\n" if quit_at_end else "")
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        session = Session(STORY, Path(tmp), seed=seed, engine=ENGINE)
        assert PlainUI(session, io.StringIO(text), out, width=60).run() == 0
        assert list(Path(tmp).glob("autosave*.json")), "leaving always autosaves"
        check_invariants(session.engine, session.pt)
    assert not TERMINAL_CONTROL.search(out.getvalue()), "nothing the player typed reaches the terminal raw"


BOARD = loader.load(Path(__file__).resolve().parent.parent / "data" / "board").story
BOARD_ENGINE = Engine(BOARD)
# At the board and in the middle of an answer: numbers, names, words of names, the draft's own words.
ANSWER_LINES = st.one_of(LINES, st.sampled_from(
    ["1", "2", "3", "4", "9", "0", "-1", "yes", "no", "back", "cancel", "parrot", "feathers", "the kid",
     "clerk", "shop", "owner", "c", "board", "look", "undo", "save a", "load a", "history", "p", "a", ""]))


@given(st.lists(ANSWER_LINES, max_size=30), st.integers(0, 2**31))
def test_any_lines_while_answering_keep_the_game_sound(lines, seed):
    """Only a confirmed answer is a turn; everything else typed while answering changes nothing
    of the case, and every reply is words, never an exception."""
    with tempfile.TemporaryDirectory() as tmp:
        session = Session(BOARD, Path(tmp), seed=seed, engine=BOARD_ENGINE)
        for line in ("1", "2", "3", "2"):  # collar, receipt, the board, start the pet question
            dispatch(session, line)
        for line in lines:
            draft = session.draft
            reply = dispatch(session, line)
            assert isinstance(reply, Reply)
            for style, text in reply.lines:
                assert style.startswith("class:") and not TERMINAL_CONTROL.search(text)
            if draft is not None and reply.took_turn:
                # a turn taken from inside an answer: only by confirming the whole answer
                assert draft.confirming and session.pt.log[-1].choice == draft.move
            check_invariants(session.engine, session.pt)
