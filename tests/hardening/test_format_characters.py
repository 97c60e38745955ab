"""Format characters from a file never reach the screen raw.

A right-to-left override (U+202E) in a save's scene id once reached the
error line as it was, and made the rest of the line read backwards; a
zero-width space hides in a name. Wherever text from a file is shown (error
lines, load notes, replay errors, listings, menus, diagnostics) it goes
through safetext.printable(), which shows such characters as escapes
(\\u202e), as label() always did for file names.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from fuzzkit import SAMPLE, draw_tui, error_lines, run_play

from game import loader, saves
from game.engine import Engine
from game.safetext import label, printable
from game.ui import title
from game.ui.commands import dispatch
from game.ui.session import Session

STORY = loader.load(SAMPLE).story
ENGINE = Engine(STORY)
RLO, ZWSP = "\u202e", "\u200b"
FORMAT = [RLO, ZWSP, "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200c",
          "\u200d", "\u200e", "\u200f", "\u2060", "\u2061", "\ufeff", "\u00ad", "\u061c", "\U000e0001", "\u2028",
          "\u2029", "\x1b", "\x9b", "\x7f", "\ud800"]


def _raw(text: str) -> list[str]:
    """Characters that change how a line reads or what the terminal does, if shown raw."""
    return [ch for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")]


@pytest.mark.parametrize("char", FORMAT, ids=lambda c: f"U+{ord(c):04X}")
def test_printable_and_label_escape_every_format_and_control_character(char):
    text = f"scene{char}id"
    assert printable(text) == label(text) == f"scene{repr(char)[1:-1]}id"


def test_ordinary_text_is_left_alone():
    text = "Jessica\u00a0Jones \u6f22\u5b57 e\u0301 \U0001f575 \u2014 \u201cquoted\u201d"
    assert printable(text) == text and printable(text + "\nmore", keep="\n") == text + "\nmore"


def _misfit_save(folder: Path, slot: str, scene: str) -> None:
    """A checksummed save whose second turn names a scene that does not exist."""
    session = Session(STORY, folder, seed=1, engine=ENGINE)
    session.take_id("look_door")
    path = session.save(slot)
    doc = json.loads(path.read_text())
    doc["log"].append([scene, "board"])
    doc["checksum"] = saves.checksum(doc)
    path.write_text(json.dumps(doc))


@pytest.fixture
def folder(tmp_path) -> Path:
    _misfit_save(tmp_path, "rtl", f"office.{RLO}ksed{ZWSP}")
    session = Session(STORY, tmp_path, seed=1, engine=ENGINE)
    path = session.save("titled")
    doc = json.loads(path.read_text())
    doc["summary"]["title"] = f"The {RLO}kseD{ZWSP} of \x1b]0;pwned\x07"
    doc["summary"]["ending"] = f"end{RLO}"
    doc["checksum"] = saves.checksum(doc)
    path.write_text(json.dumps(doc))
    return tmp_path


def test_the_load_error_line_escapes_them(folder):
    proc = run_play("--plain", "--story", SAMPLE, "--saves", folder, "--load", "rtl")
    lines = error_lines(proc)
    assert proc.returncode == 1 and len(lines) == 1 and _raw(lines[0]) == []
    assert "in scene 'office.\\u202eksed\\u200b'" in lines[0]


def test_the_replay_error_escapes_them(folder):
    proc = run_play("replay", "rtl", "--story", SAMPLE, "--saves", folder)
    assert proc.returncode == 1
    assert _raw(proc.stderr.decode()) == [] and "\\u202e" in proc.stderr.decode()


def test_in_game_load_and_its_notes_escape_them_at_the_source(folder):
    """The reply itself is escaped, before any UI prints it."""
    session = Session(STORY, folder, seed=1, engine=ENGINE)
    for command in ("load rtl", "load rtl --partial"):
        texts = [text for _, text in dispatch(session, command).lines]
        assert texts and all(_raw(text) == [] for text in texts), texts
        assert any("\\u202e" in text for text in texts)


def test_listings_and_menus_escape_them(folder):
    out = run_play("saves", "--saves", folder).stdout.decode()
    assert _raw(out) == [] and "The \\u202ekseD\\u200b of \\x1b]0;pwned" in out
    session = Session(STORY, folder, seed=1, engine=ENGINE)
    listing = "\n".join(text for _, text in dispatch(session, "saves").lines)
    assert _raw(listing) == [] and "\\u202e" in listing
    options = title.slot_menu(saves.list_saves(folder))
    assert all(_raw(option.text + option.hint) == [] for option in options)
    _, drawn = draw_tui(session, ["3", "\r"])
    assert RLO not in drawn and ZWSP not in drawn and "\\u202e" in drawn


def test_story_diagnostics_escape_them(tmp_path):
    root = tmp_path / "story"
    root.mkdir()
    (root / "story.yaml").write_text("story: {id: t, title: T, start: a.one}\nareas: {a: A}\n"
                                     f"scenes:\n  a.one: {{text: Hi., ending: e, ti{RLO}tle: x}}\n"
                                     "endings: {e: {title: E}}\n")
    proc = run_play("check", root)
    out = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 1 and _raw(out) == [] and "ti\\u202etle" in out
