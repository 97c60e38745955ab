"""Save documents: round trip by replay, checksums, atomic writes, slot names."""

from __future__ import annotations

import errno
import json
import os

import pytest

from game import saves
from game.errors import SaveError


def played(engine, *choices, seed=3):
    pt, _ = engine.start(seed)
    for choice in choices:
        engine.choose(pt, choice)
    return pt


def test_save_and_load_round_trip_by_replay(engine, sample_story, tmp_path):
    pt = played(engine, "look_door", "out", "pay")
    path = saves.save_slot(tmp_path, sample_story, pt, "Kozlov")
    assert path.name == "kozlov.json"
    doc = json.loads(path.read_text())
    assert doc["format"] == "aka-save" and doc["version"] == saves.VERSION
    assert doc["story"] == {"id": "sample", "version": "1", "fingerprint": sample_story.fingerprint}
    assert doc["log"] == [["office.desk", "look_door"], ["office.desk", "out"], ["street.corner", "pay"]]
    assert doc["summary"]["turn"] == 3 and doc["summary"]["clues"] == 3
    result = saves.load_slot(tmp_path, "kozlov", engine)
    assert result.playthrough.snapshot() == pt.snapshot()


def test_saving_again_keeps_created_and_updates_log(engine, sample_story, tmp_path):
    saves.save_slot(tmp_path, sample_story, played(engine, "look_door"), "a")
    created = json.loads((tmp_path / "a.json").read_text())["created"]
    saves.save_slot(tmp_path, sample_story, played(engine, "look_door", "out"), "a")
    doc = json.loads((tmp_path / "a.json").read_text())
    assert doc["created"] == created and len(doc["log"]) == 2


def test_hand_edited_save_fails_its_checksum(engine, sample_story, tmp_path):
    path = saves.save_slot(tmp_path, sample_story, played(engine, "look_door"), "a")
    doc = json.loads(path.read_text())
    doc["snapshot"]["stats"]["cash"] = 5
    path.write_text(json.dumps(doc))
    with pytest.raises(SaveError, match="checksum does not match"):
        saves.load_slot(tmp_path, "a", engine)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "damaged save file"),
        (b'{"format": "aka-save", "version": 1, "log": [[', "damaged save file"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2, 3]", "expected a JSON object"),
        (b'{"format": "other"}', "format is not 'aka-save'"),
        (b'{"format": "aka-save", "version": 99, "log": []}', "newer than this game"),
        (b'{"format": "aka-save", "version": 1, "log": [["a"]]}', "log entry 1"),
    ],
)
def test_damaged_files_give_one_line_errors(tmp_path, engine, content, message):
    (tmp_path / "bad.json").write_bytes(content)
    with pytest.raises(SaveError, match=message) as info:
        saves.load_slot(tmp_path, "bad", engine)
    assert "\n" not in str(info.value)


def test_log_that_no_longer_fits_names_the_turn(engine, tmp_path):
    doc = {"format": "aka-save", "version": 1, "log": [["office.desk", "look_door"], ["office.desk", "shop"]]}
    (tmp_path / "w.json").write_text(json.dumps(doc))
    with pytest.raises(SaveError, match="turn 2 of 2 no longer fits: in scene 'office.desk', choice 'shop'"):
        saves.load_slot(tmp_path, "w", engine)


def test_save_of_another_story_is_refused(engine, tmp_path):
    doc = {"format": "aka-save", "version": 1, "story": {"id": "other"}, "log": []}
    (tmp_path / "o.json").write_text(json.dumps(doc))
    with pytest.raises(SaveError, match="belongs to story 'other'"):
        saves.load_slot(tmp_path, "o", engine)


@pytest.mark.parametrize("name", ["../escape", "/etc/passwd", "a/b", "..", ".hidden", "x" * 41, "con", "LPT1",
                                  "", "  ", "na\x00me", "a.json"])
def test_hostile_slot_names_are_refused(name):
    with pytest.raises(SaveError):
        saves.slot_name(name)


def test_a_refused_name_is_quoted_as_typed_with_its_controls_escaped():
    with pytest.raises(SaveError) as refused:
        saves.slot_name("it's \"mine\"")
    assert str(refused.value).startswith("save name 'it's \"mine\"' may use only letters")
    with pytest.raises(SaveError) as refused:
        saves.slot_name("red\x1b[31m")
    assert "\x1b" not in str(refused.value) and "'red\\x1b[31m'" in str(refused.value)


def test_slot_names_are_normalised():
    assert saves.slot_name("  Kozlov Shiva ") == "kozlov-shiva"
    assert saves.slot_name("case_2") == "case_2"


def test_failed_write_keeps_the_previous_save(engine, sample_story, tmp_path, monkeypatch):
    path = saves.save_slot(tmp_path, sample_story, played(engine, "look_door"), "a")
    before = path.read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(SaveError, match="the disk is full; the previous save is untouched"):
        saves.save_slot(tmp_path, sample_story, played(engine, "look_door", "out"), "a")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temp file left behind


def test_list_saves_shows_damaged_ones_without_hiding_others(engine, sample_story, tmp_path):
    saves.save_slot(tmp_path, sample_story, played(engine, "look_door"), "good")
    (tmp_path / "broken.json").write_text("{not json")
    infos = {i.slot: i for i in saves.list_saves(tmp_path)}
    assert infos["good"].problem == "" and infos["good"].turn == 1
    assert "damaged" in infos["broken"].problem
