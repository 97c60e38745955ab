"""The full-screen UI on any keys a terminal can send: no unexpected error
(TerminalUI records every one it has to swallow), the game stays sound, and
text from a save file never reaches the terminal as a raw escape sequence.

Keys go through a pipe into prompt-toolkit as in tests/test_tui.py."""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
from pathlib import Path

from fuzzkit import HANG_SECONDS, KEYS, LINES, SAMPLE, check_invariants
from hypothesis import given
from hypothesis import strategies as st
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from game import loader, saves
from game.engine import Engine
from game.ui.session import Session
from game.ui.tui import TerminalUI

STORY = loader.load(SAMPLE).story
ENGINE = Engine(STORY)
CTRL_D = "\x04"
TYPING = st.one_of(KEYS, LINES.map(lambda line: line + "\r"),
                   st.sampled_from(["1\r", "2\r", "n\r", "new\r", "save a\r", "load a\r", "undo\r", "c\r",
                                    "restart\r"]))


def drive(ui: TerminalUI, pipe, keys: str) -> int:
    """Type the keys, then quit; fail on any error that escaped the UI's own guard
    (prompt-toolkit would print a traceback and wait for Enter)."""
    unhandled: list[object] = []

    def escaped(loop, context) -> None:
        unhandled.append(context.get("exception") or context["message"])
        if ui.app.is_running and not ui.app.future.done():
            ui.app.exit(result=0)  # end this example now: a wedged key processor would not quit

    async def run() -> int:
        asyncio.get_running_loop().set_exception_handler(escaped)
        running = asyncio.ensure_future(ui.app.run_async(set_exception_handler=False))
        pipe.send_bytes(keys.encode("utf-8", "surrogatepass"))  # a lone surrogate: bytes that are not UTF-8
        pipe.send_text("\x1b[201~" + CTRL_D)  # end a paste left open, then quit
        return await asyncio.wait_for(running, HANG_SECONDS)

    code = asyncio.run(run())
    assert unhandled == [], f"escaped the UI's guard: {unhandled!r}"
    return code


@given(st.lists(TYPING, max_size=12), st.integers(0, 2**31), st.booleans())
def test_any_keys_keep_the_full_screen_game_sound(keys, seed, resumed):
    with tempfile.TemporaryDirectory() as tmp:
        session = Session(STORY, Path(tmp), seed=seed, engine=ENGINE)
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            ui = TerminalUI(session, resumed="autosave" if resumed else None)
            assert (drive(ui, pipe, "".join(keys)) or 0) == 0
        assert ui.errors == [], "an unexpected error was swallowed"
        check_invariants(session.engine, session.pt)


def test_escape_sequences_from_a_save_are_drawn_as_escapes_by_the_game(tmp_path):
    """A load note quoting a hostile save must not drive the terminal. The note
    comes from the game's own load (a save whose log names a scene with an
    escape sequence and a right-to-left override, loaded with --partial), and
    is drawn as the game escapes it (\\x1b, \\u202e), not left for
    prompt-toolkit to show in caret notation (^[)."""
    hostile = "\x1b]0;pwned\x07\x1b[6n\u202e"
    session = Session(STORY, tmp_path, seed=1, engine=ENGINE)
    session.take_id("look_door")
    path = session.save("hostile")
    doc = json.loads(path.read_text())
    doc["log"].append([hostile, "board"])
    doc["checksum"] = saves.checksum(doc)
    path.write_text(json.dumps(doc))
    loaded = session.load("hostile", partial=True)
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=120), term="xterm")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=output):
        ui = TerminalUI(session, resumed="hostile", notes=loaded.notes())
        drive(ui, pipe, "")
    drawn = screen.getvalue()
    assert "\\x1b]0;pwned\\x07\\x1b[6n\\u202e" in drawn  # the game's escapes, drawn as text
    assert "\x1b]0;pwned" not in drawn and "\x1b[6n" not in drawn and "\u202e" not in drawn
    assert "^[" not in drawn  # nothing was left for prompt-toolkit to escape
