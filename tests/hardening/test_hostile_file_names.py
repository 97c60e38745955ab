"""Files in the saves folder with names nobody typed at the game's prompt:
made by hand, by another tool, or by a stranger who shared the folder.

Whatever their names (escape sequences, control characters, right-to-left
overrides, wide letters, 255 bytes, bytes that are not UTF-8, names that are
no slot name), the title screen's load menu, Tab completion, the in-game
`saves` and `play.py saves` neither crash nor let a control character reach
the terminal raw: such a file is listed, escaped and cut short, as one that
cannot be loaded, and never offered to load or complete.
"""

from __future__ import annotations

import io
import json
import os
import unicodedata
from pathlib import Path

import pytest
from fuzzkit import SAMPLE, draw_tui
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from game import cli, loader, saves
from game.engine import Engine
from game.safetext import cells
from game.ui import title
from game.ui.commands import dispatch
from game.ui.session import Session
from game.ui.tui import TerminalUI
from game.ui.wrap import cell_width

STORY = loader.load(SAMPLE).story
ENGINE = Engine(STORY)
ENTER, TAB, CTRL_D = "\r", "\t", "\x04"

# name (without .json) -> what is in the file: a whole save, or junk
HOSTILE = {
    "\x1b]0;pwned\x07": "save",  # sets the window title
    "\x1b[31mred\x1b[0m": "junk",  # colours the rest of the screen
    "keep\x1b[2J": "save",  # starts like a good slot: Tab after 'load k' must not offer it
    "autosave\x1b[2J": "save",  # looks like an autosave: 'Continue' must not pick it
    "x\x9by": "save",  # C1 CSI, an escape sequence in one character
    "two\nlines": "junk",
    "tab\there\x7f": "save",
    "evil\u202etxt": "save",  # right-to-left override
    "zero\u200bwidth": "junk",
    "\uff46\uff55\uff4c\uff4c\u6848\u4ef6": "save",  # full-width letters and CJK: two cells each
    "\U0001f575\U0001f575": "junk",
    "x" * 250: "save",  # 255 bytes with .json, the most a file name may have
    "\u6848" * 80: "save",  # 245 bytes, 160 cells
    "Has Space.and.dots": "save",  # printable, but no slot name
}
RAW = ["\x1b]0;pwned", "\x1b[31mred", "\x1b[2J\n", "\x9b", "two\nlines", "\x7f", "\u202e", "\u200b"]


def _unsafe(text: str) -> list[str]:
    """Characters that must not reach a terminal raw (controls but newline, format
    characters, surrogates); escapes of them ('\\x1b') are fine."""
    return [ch for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")]


@pytest.fixture
def folder(tmp_path) -> Path:
    """A saves folder with a good save ('keep', at turn 1), an autosave-less ring and every hostile name."""
    folder = tmp_path / "saves"
    session = Session(STORY, folder, seed=3, engine=ENGINE)
    session.take_id("look_door")
    good = session.save("keep").read_bytes()
    for name, content in HOSTILE.items():
        (folder / f"{name}.json").write_bytes(good if content == "save" else b"\x00junk\x1b[2J")
    try:  # a name that is not UTF-8 (the system hands it to Python as lone surrogates)
        with open(os.fsencode(folder) + b"/\xff\xfe\x1b.json", "wb") as handle:
            handle.write(good)
    except OSError:  # a file system that insists on UTF-8 names
        pass
    return folder


def test_play_saves_lists_every_file_escaped_short_and_in_line(folder) -> None:
    out = io.StringIO()
    assert cli.main(["saves", "--saves", str(folder)], stdout=out) == 0
    text = out.getvalue()
    assert _unsafe(text) == [] and not any(raw in text for raw in RAW)
    text.encode("utf-8")  # no lone surrogate left to crash a terminal's encoder
    assert "\\x1b]0;pwned\\x07" in text and "evil\\u202etxt" in text  # escaped, so the player can find them
    assert "keep " in text.split("Damaged")[0]  # the good save is still listed as one
    damaged = [line for line in text.split("Damaged", 1)[1].splitlines() if "DAMAGED" in line]
    assert len(damaged) >= len(HOSTILE)
    assert all(cells(line) < 250 for line in text.splitlines())  # long names are cut short
    columns = {cells(line[: line.index("DAMAGED")]) for line in damaged}
    assert len(columns) == 1  # wide letters do not push their row out of line


def test_the_in_game_saves_command_lists_them_escaped(folder) -> None:
    session = Session(STORY, folder, seed=3, engine=ENGINE)
    reply = dispatch(session, "saves")
    text = "\n".join(line for _, line in reply.lines)
    assert _unsafe(text) == [] and not any(raw in text for raw in RAW)
    assert "- keep: " in text and "\\x1b[31mred" in text


@pytest.mark.parametrize("columns", [80, 40])
def test_the_load_menu_shows_odd_names_safely_and_still_loads_a_good_save(folder, columns) -> None:
    session = Session(STORY, folder, seed=3, engine=ENGINE)
    menu = title.slot_menu(session.slots())
    keep = next(o.number for o in menu if o.key == title.SLOT + "keep")
    ui, drawn = draw_tui(session, ["3", ENTER, "\x1b[6~" * 3, str(keep), ENTER], columns)  # PgDn through it

    drawn.encode("utf-8")
    for raw in RAW:  # what a file name held is drawn as text, never sent raw
        assert raw not in drawn
    assert "pwned" in drawn
    offered = [o for o in menu if o.key.startswith(title.SLOT)]
    assert [o.key for o in offered if o.enabled] == [title.SLOT + "keep"]  # nothing else may be loaded
    assert all(_unsafe(o.text + o.hint) == [] and len(o.text) < 60 for o in offered)
    assert [(e.scene, e.choice) for e in session.pt.log] == [("office.desk", "look_door")] and ui.mode == "game"  # 'keep' loaded


def test_every_row_of_the_load_menu_fits_the_width_it_was_drawn_for(folder) -> None:
    session = Session(STORY, folder, seed=3, engine=ENGINE)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=Vt100_Output(
            io.StringIO(), lambda: Size(rows=24, columns=80), term="xterm")):
        ui = TerminalUI(session)
        ui._show_slots()
        for width in (80, 40, 20):
            for row in ui.view.layout(width)[0]:
                text = "".join(t for _, t in row)
                assert _unsafe(text) == []
                assert cell_width(text) <= width, text  # what was measured is what is drawn


def test_tab_completes_only_real_slot_names(folder) -> None:
    session = Session(STORY, folder, seed=3, engine=ENGINE)
    session.new_game()
    session.take_id("look_door")
    session.take_id("board")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=Vt100_Output(
            io.StringIO(), lambda: Size(rows=24, columns=80), term="xterm")):
        ui = TerminalUI(session, resumed="keep")
        completer = ui.line.buffer.completer
        assert completer is not None
        offered = [c.text for c in completer.get_completions(Document("load "), None)]  # type: ignore[arg-type]
    assert offered == ["keep"]  # not one of the odd names, nor a name the lookalike autosave claims
    ui, _ = draw_tui(Session(STORY, folder, seed=3, engine=ENGINE),
                  ["1", ENTER, "loa", TAB, " k", TAB, ENTER], 80)  # new case, then 'load k<Tab>'
    assert [(e.scene, e.choice) for e in ui.session.pt.log] == [("office.desk", "look_door")]  # completed to 'keep', which loaded


def test_a_lookalike_autosave_is_not_what_continue_resumes(folder) -> None:
    options = title.menu(saves.list_saves(folder))
    resume = options[1]
    assert not resume.enabled and resume.hint == "no autosave yet"
    session = Session(STORY, folder, seed=3, engine=ENGINE)
    session.take_id("look_door")
    session.autosave()
    resume = title.menu(saves.list_saves(folder))[1]
    assert resume.enabled and resume.key == title.CONTINUE
    doc = json.loads((folder / "autosave-1.json").read_text())
    assert doc["slot"] == "autosave-1"


@pytest.mark.parametrize("name, shown", [
    ("kozlov", "kozlov"),
    ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("rtl\u202e", "rtl\\u202e"),
    ("\udcff", "\\udcff"),
    ("x" * 60, "x" * 47 + "…"),
    ("\u6848" * 30, "\u6848" * 23 + "…"),  # 23 wide characters are 46 cells, and one for the ellipsis
])
def test_a_label_is_escaped_and_at_most_48_cells(name, shown) -> None:
    from game.safetext import label

    assert label(name) == shown and cells(label(name)) <= 48
