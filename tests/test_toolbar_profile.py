"""The toolbar's contents, the endings profile, command history and completion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from game import loader, profile
from game.errors import SaveError
from game.ui import toolbar
from game.ui.completion import WordCompleter
from game.ui.history import CommandHistory
from game.ui.session import Session
from game.ui.wrap import cell_width

SAMPLE = Path(__file__).parent / "data" / "sample"


@pytest.fixture(scope="module")
def story():
    return loader.load(SAMPLE).story


def row_texts(rows):
    return ["".join(text for _, text in row) for row in rows]


def test_toolbar_shows_place_turn_clues_and_only_the_shown_stats(story, tmp_path):
    session = Session(story, tmp_path, seed=1)
    session.take(3)  # out to the corner
    text = " ".join(row_texts(toolbar.rows(session, 80)))
    assert "The Street: The Corner" in text
    assert "Turn 1" in text
    assert "Clues 1/3" in text
    assert "Trust 0" in text  # trust is shown: true
    assert "Cash" not in text and "anger" not in text.lower()  # not shown


def test_toolbar_fits_forty_columns(story, tmp_path):
    session = Session(story, tmp_path, seed=1)
    rows = row_texts(toolbar.rows(session, 40))
    assert len(rows) == 2
    assert all(cell_width(row) <= 40 for row in rows)


def test_toolbar_marks_what_changed_this_turn(story, tmp_path):
    session = Session(story, tmp_path, seed=1)
    session.take(3)
    before = toolbar.values(session)
    session.take(2)  # shove: trust down
    styles = {text: style for row in toolbar.rows(session, 80, before) for style, text in row}
    assert styles["-1"] == "class:toolbar.changed"
    assert styles["1/3"] == "class:toolbar.value"


def test_profile_records_endings_once_per_story(story, tmp_path):
    assert profile.load(tmp_path, story).discovered == []
    profile.record(tmp_path, story, "lost", now="2025-01-01T00:00:00+00:00")
    profile.record(tmp_path, story, "lost", now="2025-02-02T00:00:00+00:00")
    profile.record(tmp_path, story, "found")
    loaded = profile.load(tmp_path, story)
    assert loaded.discovered == ["found", "lost"]  # in the story's order
    assert loaded.endings["lost"] == "2025-01-01T00:00:00+00:00"  # the first time is kept
    doc = json.loads(profile.path_of(tmp_path).read_text())
    assert list(doc["stories"]) == ["sample"]


def test_profile_is_not_listed_as_a_save(story, tmp_path):
    from game import saves

    profile.record(tmp_path, story, "lost")
    assert saves.list_saves(tmp_path) == []


@pytest.mark.parametrize("damage", [b"{nope", b"\xff\xfe", b"[]", b'{"format": "aka-profile", "version": 9}',
                                    b'{"format": "aka-profile", "version": 1, "stories": {"sample": 3}}'])
def test_a_damaged_profile_is_rebuilt_from_the_saves(story, tmp_path, damage):
    session = Session(story, tmp_path, seed=1)
    session.take(5)  # give up: the "lost" ending
    session.save("gave-up")
    path = profile.path_of(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    loaded = profile.load(tmp_path, story)
    assert loaded.warning.startswith("The endings record was damaged")
    assert loaded.discovered == ["lost"]
    assert profile.load(tmp_path, story).warning == ""  # it was written back


def test_profile_write_failure_is_a_save_error(story, tmp_path):
    blocker = tmp_path / "profile"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(SaveError):
        profile.record(tmp_path, story, "lost")


def test_history_walks_back_through_matching_commands():
    history = CommandHistory()
    for line in ["save one", "clues", "save two", "clues"]:
        history.add(line)
    assert history.entries == ["save one", "clues", "save two", "clues"]
    assert history.back("sa") == "save two"
    assert history.back("save two") == "save one"
    assert history.back("save one") == "save one"  # nothing older: stays
    assert history.forward("save one") == "save two"
    assert history.forward("save two") == "sa"  # past the newest: what was typed


def test_completion_offers_commands_then_slot_names():
    completer = WordCompleter(lambda: ["save", "saves", "status"], lambda: {"save", "s"},
                              lambda: ["kozlov", "kilgrave"])

    def complete(text):
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True))]

    assert complete("sa") == ["save", "saves"]
    assert complete("ST") == ["status"]
    assert complete("save k") == ["kozlov", "kilgrave"]
    assert complete("s ko") == ["kozlov"]
    assert complete("status k") == []


def test_plain_mode_records_endings_too(tmp_path):
    import io

    from game.cli import main

    args = ["--story", str(SAMPLE), "--saves", str(tmp_path), "--seed", "1"]
    first, second = io.StringIO(), io.StringIO()
    assert main(args, stdin=io.StringIO("5\nquit\n"), stdout=first) == 0
    assert "Endings discovered: 1 of 2." in first.getvalue()
    # out, pay for the address, back (3: pay's 1 stays unused once it is gone), the pet shop, ask
    assert main(args, stdin=io.StringIO("3\n1\n3\n4\n1\nquit\n"), stdout=second) == 0
    assert "THE END: Cat Found" in second.getvalue()
    assert "Endings discovered: 2 of 2." in second.getvalue()


def test_a_place_has_one_toolbar_label_whatever_else_is_on_the_bar(story, tmp_path):
    """It used to lose its area when that saved a row, so one place read two ways from turn to turn."""
    session = Session(story, tmp_path, seed=1)
    session.take(3)  # out: The Street, The Corner
    assert row_texts(toolbar.rows(session, 80))[0].startswith(" The Street: The Corner | Turn 1")
    for width in (50, 40, 30):
        assert row_texts(toolbar.rows(session, width))[0].startswith(" The Street: The Corner")
    assert row_texts(toolbar.rows(session, 16))[0] == " The Corner"  # too narrow for the area
    assert row_texts(toolbar.rows(session, 8))[0] == " The C…"


def test_an_ending_is_recorded_with_its_turns_even_when_its_closing_save_cannot_be_kept(story, tmp_path):
    session = Session(story, tmp_path, seed=1)
    session.take_id("give_up")
    (tmp_path / "profile" / "ending-lost.json").mkdir(parents=True)  # a folder in the way of the save
    found = profile.record(tmp_path, story, "lost", playthrough=session.pt)
    assert found.discovered == ["lost"] and found.turns == {"lost": 1}
    assert profile.load(tmp_path, story).turns == {"lost": 1}
    session = Session(story, tmp_path / "other", seed=1)
    session.take_id("give_up")
    profile.record(tmp_path / "other", story, "lost", playthrough=session.pt)
    kept = profile.closing_save(tmp_path / "other", "lost")
    assert Session(story, tmp_path / "other").load_file(kept).playthrough.ending == "lost"
