"""Save documents: slot names, the readable format, damage detection, upgrades."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from game import saves
from game.errors import SaveError
from game.ui.session import Session

V1_FIXTURE = Path(__file__).resolve().parent.parent / "data" / "saves" / "v1-game.json"
V2_FIXTURE = Path(__file__).resolve().parent.parent / "data" / "saves" / "v2-game.json"  # written by the version 2 code
FOUND = ["look_door", "board", "deduce:shop", "back", "shop", "ask"]  # the 'found' ending in six turns


# --- slot names ------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("kozlov", "kozlov"),
    ("  My Game  ", "my-game"),
    ("Before   IGH", "before-igh"),
    ("a_b-1", "a_b-1"),
    ("7", "7"),
    ("a\nb", "a-b"),  # white space of any kind becomes one dash
    ("x" * saves.MAX_SLOT_LENGTH, "x" * saves.MAX_SLOT_LENGTH),
    ("console", "console"),  # only the exact reserved names are refused
])
def test_slot_names_are_normalised(raw: str, expected: str) -> None:
    assert saves.slot_name(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "   ", "a/b", "a\\b", "..", "../escape", "../../etc/passwd", "/etc/passwd",
    "C:\\saves\\x", "C:x", "~/x", ".hidden", "-rf", "_x", "a.json", "café", "a\x00b",
    "x" * (saves.MAX_SLOT_LENGTH + 1),
    "con", "CON", "prn", "aux", "nul", "com1", "COM9", "lpt1", "Lpt9", "com0",
])
def test_bad_slot_names_are_refused_in_one_line(raw: str) -> None:
    with pytest.raises(SaveError) as info:
        saves.slot_name(raw)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("raw", ["../escape", "/tmp/abs", "a/b", "..", "con", "autosave", "autosave-2"])
def test_saving_under_a_bad_name_writes_nothing_anywhere(tmp_path: Path, sample_story, raw: str) -> None:
    saves_dir = tmp_path / "saves" / "deep"
    session = Session(sample_story, saves_dir)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(SaveError):
        session.save(raw)
    assert sorted(tmp_path.rglob("*")) == before


def test_autosave_names_can_be_loaded_but_not_saved_to() -> None:
    assert saves.slot_name("autosave-3") == "autosave-3"
    with pytest.raises(SaveError, match="automatic saves"):
        saves.writable_slot("autosave-3")
    assert saves.writable_slot("autosaves") == "autosaves"


# --- the format ------------------------------------------------------------


def test_a_save_is_small_readable_json_with_one_log_entry_per_line(tmp_path, engine, play) -> None:
    pt = play(engine, FOUND[:5])
    path = saves.save_slot(tmp_path, engine.story, pt, "readable")
    text = path.read_text()
    assert '  ["office.board", "deduce:shop"],' in text
    doc = json.loads(text)
    assert doc["format"] == "aka-save" and doc["version"] == saves.VERSION and doc["kind"] == "save"
    assert doc["story"] == {"id": "sample", "version": "1", "fingerprint": engine.story.fingerprint}
    assert doc["summary"]["turn"] == 5 and doc["summary"]["title"] == "The Pet Shop"
    assert len(text.splitlines()) < 80 and len(text) < 4000


def test_saving_again_keeps_the_creation_time(tmp_path, engine, play) -> None:
    first = saves.read_doc(saves.save_slot(tmp_path, engine.story, play(engine, FOUND[:1]), "again"))
    second = saves.read_doc(saves.save_slot(tmp_path, engine.story, play(engine, FOUND[:3]), "again"))
    assert second["created"] == first["created"]
    assert second["summary"]["turn"] == 3


def test_the_saves_folder_is_created_on_demand(tmp_path, sample_story) -> None:
    saves_dir = tmp_path / "not" / "yet" / "there"
    session = Session(sample_story, saves_dir)
    assert session.slots() == []
    session.take_id("look_door")
    session.save("first")
    assert [info.slot for info in session.slots()] == ["first"]


# --- damage ----------------------------------------------------------------


def _good(tmp_path: Path, engine, play, name: str = "good") -> Path:
    return saves.save_slot(tmp_path, engine.story, play(engine, FOUND[:5]), name)


def _rewrite(path: Path, change) -> None:
    """Change a save's JSON and fix its checksum, as a careful hand-editor would."""
    doc = json.loads(path.read_text())
    change(doc)
    doc["checksum"] = saves.checksum(doc)
    path.write_text(json.dumps(doc))


def _damages():
    def truncate(path: Path) -> None:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    def empty(path: Path) -> None:
        path.write_bytes(b"")

    def garbage(path: Path) -> None:
        path.write_bytes(bytes(range(256)) * 4)

    def png(path: Path) -> None:
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)

    def edit_log(path: Path) -> None:  # a hand edit that forgets the checksum
        doc = json.loads(path.read_text())
        doc["log"].append(["office.desk", "give_up"])
        path.write_text(json.dumps(doc, indent=1))

    def drop_checksum(path: Path) -> None:
        doc = json.loads(path.read_text())
        del doc["checksum"]
        path.write_text(json.dumps(doc, indent=1))

    def folder(path: Path) -> None:
        path.unlink()
        path.mkdir()

    def deep(path: Path) -> None:
        path.write_text("[" * 100_000 + "]" * 100_000)

    def list_doc(path: Path) -> None:
        path.write_text("[1, 2, 3]")

    def other_format(path: Path) -> None:
        path.write_text('{"format": "quetzal", "version": 1}')

    return {
        "truncated": (truncate, "it looks cut short"),
        "empty": (empty, "empty"),
        "binary garbage": (garbage, "not UTF-8"),
        "png": (png, "not UTF-8"),
        "edited log": (edit_log, "checksum does not match"),
        "checksum removed": (drop_checksum, "checksum is missing"),
        "folder named like a slot": (folder, "is a folder"),
        "nested too deeply": (deep, "damaged save file"),
        "a list": (list_doc, "not a save file"),
        "another format": (other_format, "not a save file"),
        "log not a list": (lambda p: _rewrite(p, lambda d: d.update(log="office.desk")), "'log' must be"),
        "log entry a number": (lambda p: _rewrite(p, lambda d: d["log"].append(7)), "log entry 6"),
        "log entry triple": (lambda p: _rewrite(p, lambda d: d["log"].append(["a", "b", "c"])), "log entry 6"),
        "seed text": (lambda p: _rewrite(p, lambda d: d.update(seed="x")), "'seed' must be"),
        "seed true": (lambda p: _rewrite(p, lambda d: d.update(seed=True)), "'seed' must be"),
        "turn text": (lambda p: _rewrite(p, lambda d: d["summary"].update(turn="five")), "'summary.turn'"),
        "turn negative": (lambda p: _rewrite(p, lambda d: d["summary"].update(turn=-1)), "'summary.turn'"),
        "story a list": (lambda p: _rewrite(p, lambda d: d.update(story=["sample"])), "'story' must be"),
        "story id a number": (lambda p: _rewrite(p, lambda d: d["story"].update(id=3)), "'story.id'"),
        "kind unknown": (lambda p: _rewrite(p, lambda d: d.update(kind="movie")), "'kind' must be"),
        "version text": (lambda p: _rewrite(p, lambda d: d.update(version="2")), "version missing"),
        "version from the future": (lambda p: _rewrite(p, lambda d: d.update(version=99)), "newer than"),
        "version zero": (lambda p: _rewrite(p, lambda d: d.update(version=0)), "older than any"),
        "checksum a number": (lambda p: _rewrite(p, lambda d: None) or p.write_text(
            p.read_text().replace('"checksum": "sha256:', '"checksum": 1, "x": "')), "checksum does not match"),
    }


DAMAGES = _damages()


@pytest.mark.parametrize("case", list(DAMAGES))
def test_a_damaged_save_is_reported_in_one_line_and_the_others_stay_usable(
        tmp_path, engine, play, sample_story, case) -> None:
    good = _good(tmp_path, engine, play, "good")
    bad = _good(tmp_path, engine, play, "bad")
    damage, expected = DAMAGES[case]
    damage(bad)
    with pytest.raises(SaveError) as info:
        saves.load_slot(tmp_path, "bad", engine)
    message = str(info.value)
    assert "\n" not in message and expected in message and str(bad) in message
    # every other save still loads, and the listing marks only the damaged one
    assert saves.load_slot(tmp_path, "good", engine).playthrough.turn == 5
    listing = {info.slot: info for info in saves.list_saves(tmp_path)}
    assert listing["good"].problem == "" and listing["good"].turn == 5
    assert expected in listing["bad"].problem
    # and saving over the damaged slot replaces it with a good save
    if not bad.is_dir():
        session = Session(sample_story, tmp_path)
        session.save("bad")
        assert saves.load_slot(tmp_path, "bad", engine).playthrough.turn == 0
    assert good.exists()


def test_every_single_bit_flip_is_detected(tmp_path, engine, play) -> None:
    path = _good(tmp_path, engine, play)
    data = path.read_bytes()
    saves.parse_doc(data, "unflipped")  # the check below is about the flips alone
    undetected = []
    for offset in range(len(data)):
        for bit in range(8):
            flipped = data[:offset] + bytes([data[offset] ^ (1 << bit)]) + data[offset + 1:]
            try:
                saves.parse_doc(flipped, "flipped")
            except SaveError:
                continue
            undetected.append((offset, bit))
    assert undetected == []


def test_a_folder_in_the_way_of_a_save_is_a_clear_error(tmp_path, sample_story) -> None:
    (tmp_path / "blocked.json").mkdir()
    session = Session(sample_story, tmp_path)
    with pytest.raises(SaveError, match="a folder of that name is in the way"):
        session.save("blocked")


def test_files_that_are_not_slots_are_listed_as_such(tmp_path, engine, play) -> None:
    good = _good(tmp_path, engine, play)
    shutil.copy(good, tmp_path / "My Save.json")
    (tmp_path / ".good.json.abc123.tmp").write_text("half a save")
    (tmp_path / "notes.txt").write_text("not a save")
    listing = {info.slot: info for info in saves.list_saves(tmp_path)}
    assert set(listing) == {"good", "My Save"}
    assert "not a save name" in listing["My Save"].problem


def test_listing_a_missing_folder_or_a_file_is_empty(tmp_path) -> None:
    (tmp_path / "afile").write_text("x")
    assert saves.list_saves(tmp_path / "missing") == []
    assert saves.list_saves(tmp_path / "afile") == []


def test_a_missing_slot_suggests_a_close_name(tmp_path, engine, play) -> None:
    _good(tmp_path, engine, play, "kozlov")
    with pytest.raises(SaveError, match="did you mean 'kozlov'"):
        saves.load_slot(tmp_path, "kozlow", engine)


# --- walkthroughs and upgrades ------------------------------------------------


def test_a_walkthrough_needs_no_checksum_and_may_carry_expectations(tmp_path, engine) -> None:
    path = tmp_path / "walk.json"
    path.write_text(json.dumps({
        "format": "aka-save", "version": saves.VERSION, "kind": "walkthrough",
        "story": {"id": "sample"}, "seed": 4,
        "log": [["office.desk", c] for c in FOUND[:2]],
        "expect": {"ending": None, "clues": ["receipt", "collar"]},
    }))
    doc = saves.read_doc(path)
    assert doc["expect"]["clues"] == ["receipt", "collar"]
    assert saves.restore(doc, engine, str(path)).playthrough.scene == "office.board"


def test_a_version_1_save_is_upgraded_and_plays_on(tmp_path, engine, sample_story) -> None:
    original = json.loads(V1_FIXTURE.read_text())
    assert original["version"] == 1 and "kind" not in original
    shutil.copy(V1_FIXTURE, tmp_path / "old.json")
    session = Session(sample_story, tmp_path)
    loaded = session.load("old")
    assert loaded.fits and loaded.notes() == []
    assert session.pt.turn == 5 and session.pt.scene == "street.shop" and session.pt.seed == 7
    assert loaded.doc["version"] == saves.VERSION and loaded.doc["kind"] == "save"
    session.take_id("ask")
    session.save("old")  # written in the current version, and still the same game
    again = saves.read_doc(tmp_path / "old.json")
    assert again["version"] == saves.VERSION and again["created"] == original["created"]
    assert saves.load_slot(tmp_path, "old", engine).playthrough.ending == "found"


def test_a_version_1_save_edited_by_hand_is_still_caught(tmp_path) -> None:
    text = V1_FIXTURE.read_text().replace('"deduce:shop"', '"back"')
    (tmp_path / "old.json").write_text(text)
    with pytest.raises(SaveError, match="checksum does not match"):
        saves.read_doc(tmp_path / "old.json")


def test_a_version_1_walkthrough_without_checksum_upgrades_to_a_walkthrough() -> None:
    doc = {"format": "aka-save", "version": 1, "log": [["office.desk", "look_door"]]}
    upgraded = saves.validate(doc, "walk.json")
    assert upgraded["kind"] == "walkthrough" and upgraded["version"] == saves.VERSION
    assert doc["version"] == 1  # the upgrade does not change its input


def test_a_version_2_save_is_upgraded_gains_the_question_state_and_plays_on(tmp_path, engine,
                                                                           sample_story) -> None:
    original = json.loads(V2_FIXTURE.read_text())
    assert original["version"] == 2 and "answers" not in original["snapshot"]
    shutil.copy(V2_FIXTURE, tmp_path / "old.json")
    session = Session(sample_story, tmp_path)
    loaded = session.load("old")
    assert loaded.fits and loaded.notes() == []
    assert session.pt.scene == "office.board" and "address" in session.pt.clues
    assert loaded.doc["version"] == saves.VERSION
    assert loaded.doc["snapshot"]["answers"] == {} and loaded.doc["snapshot"]["clues"] == original["snapshot"]["clues"]
    session.save("old")
    assert saves.read_doc(tmp_path / "old.json")["version"] == saves.VERSION


def test_a_malformed_answer_in_a_log_is_one_clear_error() -> None:
    doc = {"format": "aka-save", "version": saves.VERSION, "kind": "walkthrough",
           "log": [["office.board", "answer:who"]]}
    with pytest.raises(SaveError, match="log entry 1 is not a well-formed answer"):
        saves.validate(doc, "walk.json")


def test_every_version_below_the_current_one_has_an_upgrade() -> None:
    assert sorted(saves.UPGRADES) == list(range(1, saves.VERSION))
