"""A file that goes between looking for it and reading it is not a damaged save.

Another game sharing the folder turns the autosave ring on every turn: it
renames autosave-4 to -5, ... autosave-1 to -2, then puts the new autosave-1
in place. A reader that found autosave-1 just before that rename finds no
file when it opens it; it used to report "Passed over a damaged autosave:
...autosave-1.json: no such file" (4 reads in 6,000 during a real race).
The races here are made deterministic: the file goes at the moment it is
opened for reading.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from game import saves
from game.errors import SaveError
from game.ui.commands import dispatch
from game.ui.session import Session


def _vanish_when_opened(monkeypatch, name: str, then) -> list[str]:
    """The first time `name` is opened for reading, run then() first (another game acting)."""
    real_open = Path.open
    fired: list[str] = []

    def racing_open(self: Path, mode: str = "r", *args, **kwargs):
        if self.name == name and "r" in mode and not fired:
            fired.append(name)
            then()
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", racing_open)
    return fired


def _ring(saves_dir: Path, sample_story, engine, play, turns: list[list[str]]) -> list[dict]:
    """Autosave each playthrough in turn; return their documents, newest first."""
    for ids in turns:
        saves.autosave(saves_dir, sample_story, play(engine, ids))
    return [json.loads((saves_dir / f"autosave-{i}.json").read_text()) for i in range(1, len(turns) + 1)]


def test_autosave_read_while_the_ring_turns_is_the_newest_not_damaged(tmp_path, sample_story, engine, play,
                                                                     monkeypatch):
    older, newer = ["look_door"], ["look_door", "board"]
    docs = _ring(tmp_path, sample_story, engine, play, [older, newer])

    def another_game_turns_the_ring() -> None:  # halfway through: autosave-1 renamed, the new one not yet in
        os.replace(tmp_path / "autosave-2.json", tmp_path / "autosave-3.json")
        os.replace(tmp_path / "autosave-1.json", tmp_path / "autosave-2.json")

    fired = _vanish_when_opened(monkeypatch, "autosave-1.json", another_game_turns_the_ring)
    loaded = saves.load_slot(tmp_path, "autosave", engine)
    assert fired, "the race happened"
    assert loaded.doc == docs[0] and loaded.slot == "autosave-2"  # what was the newest, found where it went
    assert loaded.skipped == () and not [note for note in loaded.notes() if "damaged" in note]


def test_in_game_load_autosave_during_the_race_says_nothing_of_damage(tmp_path, sample_story, engine, play,
                                                                      monkeypatch):
    _ring(tmp_path, sample_story, engine, play, [["look_door"], ["look_door", "board"]])
    session = Session(sample_story, tmp_path, engine=engine)
    _vanish_when_opened(monkeypatch, "autosave-1.json",
                        lambda: os.replace(tmp_path / "autosave-1.json", tmp_path / "autosave-2.json"))
    reply = dispatch(session, "load autosave")
    texts = [text for _, text in reply.lines]
    assert texts[0] == "Loaded 'autosave-2' (turn 2)."
    assert not any("damaged" in text for text in texts), texts


def test_a_save_deleted_while_the_folder_is_listed_is_left_out(tmp_path, sample_story, engine, play, monkeypatch):
    pt = play(engine, ["look_door"])
    for slot in ("keep", "gone"):
        saves.save_slot(tmp_path, sample_story, pt, slot)
    _vanish_when_opened(monkeypatch, "gone.json", (tmp_path / "gone.json").unlink)
    infos = saves.list_saves(tmp_path)
    assert [(info.slot, info.problem) for info in infos] == [("keep", "")]


def test_a_named_save_deleted_before_it_is_read_is_no_save(tmp_path, sample_story, engine, play, monkeypatch):
    saves.save_slot(tmp_path, sample_story, play(engine, ["look_door"]), "gone")
    _vanish_when_opened(monkeypatch, "gone.json", (tmp_path / "gone.json").unlink)
    with pytest.raises(SaveError) as caught:
        saves.load_slot(tmp_path, "gone", engine)
    assert str(caught.value).startswith("no save named 'gone'")


def test_a_damaged_autosave_is_still_reported(tmp_path, sample_story, engine, play):
    """Going away is not damage, but damage is still damage."""
    _ring(tmp_path, sample_story, engine, play, [["look_door"], ["look_door", "board"]])
    (tmp_path / "autosave-1.json").write_text("{ cut short")
    loaded = saves.load_slot(tmp_path, "autosave", engine)
    assert loaded.slot == "autosave-2" and len(loaded.skipped) == 1
    assert loaded.notes()[0].startswith("Passed over a damaged autosave: ")
