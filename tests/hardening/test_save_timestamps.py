"""A save's timestamps are checked when it is read, and every date the game
shows is formatted without fail: a far-future 'updated' once made `play.py
saves` print an OverflowError traceback, ended plain mode at the in-game
`saves` (losing the rest of the input) and, as autosave-1, stopped the
full-screen UI before its title screen was up.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fuzzkit import SAMPLE, draw_tui, run_play

from game import loader, profile, savelist, saves
from game.engine import Engine
from game.errors import SaveError
from game.ui import title
from game.ui.commands import dispatch
from game.ui.session import Session

STORY = loader.load(SAMPLE).story
ENGINE = Engine(STORY)

# (stamp, TZ): a stamp that converting to local time overflows, in that time zone
FAR = [
    ("9999-12-31T23:59:59.000-14:00", "UTC"),  # past the year 9999 in UTC already
    ("9999-12-31T20:00:00+00:00", "Asia/Tokyo"),  # past it in Tokyo (UTC+9)
    ("0001-01-01T00:00:00+14:00", "UTC"),  # before the year 1 in UTC
    ("0001-01-01T02:00:00+00:00", "America/New_York"),  # before it in New York
]
NOT_DATES = ["", "yesterday", "2026-13-45T99:99:99", "2026-11-21T20:47:17+99:00", "9" * 40, "2026-11-21" + "0" * 60]


def write_save(folder: Path, slot: str, **fields: object) -> Path:
    """A checksummed save with the given top-level fields changed (the checksum
    catches accidents, not a stranger's edit, so it is recomputed)."""
    session = Session(STORY, folder, seed=1, engine=ENGINE)
    session.take_id("look_door")
    path = session.save("tmp")
    doc = json.loads(path.read_text())
    path.unlink()
    doc.update(slot=slot, **fields)
    doc["checksum"] = saves.checksum(doc)
    target = folder / f"{slot}.json"
    target.write_text(json.dumps(doc))
    return target


@pytest.fixture
def local_zone(monkeypatch):
    def use(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("stamp", "zone"), FAR)
def test_a_save_with_a_time_no_zone_can_show_is_damaged_not_a_crash(tmp_path, stamp, zone):
    write_save(tmp_path, "good")
    path = write_save(tmp_path, "far", updated=stamp)
    with pytest.raises(SaveError, match="'updated' must be a date and time"):
        saves.read_doc(path)
    proc = run_play("saves", "--saves", tmp_path, env={"TZ": zone})
    out = proc.stdout.decode()
    assert proc.returncode == 0 and proc.stderr == b""
    assert "  good " in out.split("Damaged")[0]
    assert "far  " in out.split("Damaged")[1] and "'updated' must be a date and time" in out


@pytest.mark.parametrize(("stamp", "zone"), FAR)
def test_the_in_game_saves_command_lists_it_and_the_game_goes_on(tmp_path, stamp, zone):
    write_save(tmp_path, "far", created=stamp)
    proc = run_play("--plain", "--story", SAMPLE, "--saves", tmp_path, "--seed", "1",
                    stdin=b"saves\nclues\nsave after\n", env={"TZ": zone})
    out = proc.stdout.decode()
    assert proc.returncode == 0 and proc.stderr == b""
    assert "far: cannot be loaded ('created' must be a date and time" in out
    assert "Case file" in out and "Saved to slot 'after'" in out  # the input after 'saves' was still read


@pytest.mark.parametrize(("stamp", "zone"), FAR)
def test_the_title_screen_starts_with_it_as_the_newest_autosave(tmp_path, local_zone, stamp, zone):
    local_zone(zone)
    write_save(tmp_path, "keep")
    write_save(tmp_path, "autosave-1", updated=stamp)
    ui, drawn = draw_tui(Session(STORY, tmp_path, seed=1, engine=ENGINE), ["3", "\r"], columns=100)
    assert "keep: The Desk" in drawn and ui.errors == []  # the load menu was drawn, then Ctrl-D left
    resume = title.menu(saves.list_saves(tmp_path))[1]
    assert not resume.enabled and "'updated' must be a date and time" in resume.hint


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "Pacific/Kiritimati", "Etc/GMT+12", "America/St_Johns"])
@pytest.mark.parametrize("stamp", [stamp for stamp, _ in FAR] + NOT_DATES)
def test_every_date_formatter_is_total(local_zone, zone, stamp):
    """Whatever a listing is handed, a line, never an exception."""
    local_zone(zone)
    shown = saves.local_time(stamp)
    assert isinstance(shown, str) and shown.isprintable() and len(shown) <= 30
    info = saves.SaveInfo("x", Path("x.json"), updated=stamp, title="T")
    assert title.describe(info).startswith("T, turn 0")
    assert savelist.when(stamp) is not None


@pytest.mark.parametrize("stamp", NOT_DATES[1:])
def test_a_timestamp_that_is_no_date_is_damage(tmp_path, stamp):
    path = write_save(tmp_path, "odd", created=stamp)
    with pytest.raises(SaveError, match="'created' must be a date and time"):
        saves.read_doc(path)


@pytest.mark.parametrize("stamp", ["2026-11-21T20:47:17+00:00", "2026-11-21T20:47:17.123+00:00",
                                   "2026-11-21T20:47:17Z", "2026-11-21T20:47:17", "1970-01-01T00:00:00+00:00",
                                   "2999-06-01T12:00:00-11:00"])
def test_the_stamps_a_game_writes_or_wrote_are_accepted(tmp_path, local_zone, stamp):
    local_zone("Asia/Tokyo")
    path = write_save(tmp_path, "fine", created=stamp, updated=stamp)
    assert saves.read_doc(path)["updated"] == stamp
    assert saves.local_time(stamp)[:2] in ("19", "20", "29")


@pytest.mark.parametrize(("stamp", "zone"), FAR)
def test_the_endings_gallery_shows_a_far_future_find_without_failing(tmp_path, local_zone, stamp, zone):
    """The endings record is a file too; when an ending was found is shown by the same formatter."""
    local_zone(zone)
    ending = next(iter(STORY.endings))
    profile.record(tmp_path, STORY, ending, now=stamp)
    session = Session(STORY, tmp_path, seed=1, engine=ENGINE)
    texts = [text for _, text in dispatch(session, "endings").lines]
    found = next(text for text in texts if text.startswith(f"- {STORY.endings[ending].title}: found "))
    assert stamp[:10] in found
