"""Saves made before the story was edited: they load where the log still fits,
say exactly which turn stopped fitting where it does not, load up to there on
request, and follow renames the writer declared in the manifest."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from game import cli, loader, saves
from game.engine import Engine
from game.errors import SaveError
from game.ui.commands import dispatch
from game.ui.session import Session

FOUND = ["look_door", "board", "deduce:shop", "back", "shop", "ask"]
INFORMANT = ["out", "pay", "back", "look_door", "board"]  # visits street.corner at turn 1


def _save(tmp_path: Path, story, choices: list[str], slot: str = "before") -> Path:
    saves_dir = tmp_path / "saves"
    session = Session(story, saves_dir, seed=5)
    for choice in choices:
        session.take_id(choice)
    session.save(slot)
    return saves_dir


def _session(story_dir: Path, saves_dir: Path) -> Session:
    return Session(loader.load(story_dir).story, saves_dir)


def test_a_compatible_edit_loads_the_same_game_and_says_the_story_changed(
        tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, INFORMANT)
    edited = story_copy()
    edit(edited / "street.yaml", "A man leans on a lamppost.", "A woman leans on a lamppost, smoking.")
    edit(edited / "office.yaml", "Go to the case board.", "Walk over to the case board.")
    session = _session(edited, saves_dir)
    loaded = session.load("before")
    assert loaded.fits and loaded.story_changed
    assert loaded.notes() == ["The story was updated since this save; your game replays fine."]
    original = saves.read_doc(saves_dir / "before.json")["snapshot"]
    assert session.pt.snapshot() == original


def test_an_unchanged_story_loads_without_notes(tmp_path, sample_story) -> None:
    saves_dir = _save(tmp_path, sample_story, FOUND[:4])
    loaded = Session(sample_story, saves_dir).load("before")
    assert loaded.fits and not loaded.story_changed and loaded.notes() == []


def _delete_the_corner(story_dir: Path, edit) -> None:
    text = (story_dir / "street.yaml").read_text()
    start, end = text.index("  street.corner:"), text.index("  street.shop:")
    (story_dir / "street.yaml").write_text(text[:start] + text[end:])
    edit(story_dir / "office.yaml", "goto: street.corner", "goto: street.shop")


def test_a_deleted_scene_reports_the_exact_turn_and_loads_up_to_it(
        tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, INFORMANT)
    edited = story_copy()
    _delete_the_corner(edited, edit)
    session = _session(edited, saves_dir)
    with pytest.raises(saves.SaveMisfit) as info:
        session.load("before")
    misfit = info.value
    assert (misfit.error.turn, misfit.error.scene, misfit.error.choice) == (2, "street.corner", "pay")
    assert misfit.error.reason == "scene 'street.corner' no longer exists"
    message = str(misfit)
    assert "\n" not in message
    assert message.startswith("save 'before': the story changed since this save: turn 2 of 5 no longer fits")
    assert message.endswith("use --partial to play on from turn 1")
    assert session.pt.turn == 0  # a refused load changes nothing
    loaded = session.load("before", partial=True)
    assert session.pt.turn == 1 and session.pt.scene == "street.shop"
    assert loaded.fitting == 1 and loaded.total == 5
    assert "turn 2 of 5 no longer fits" in loaded.notes()[0]
    assert (saves_dir / "before.json").exists() and saves.read_doc(saves_dir / "before.json")["summary"]["turn"] == 5


def test_a_condition_now_false_reports_the_exact_turn(tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, FOUND[:5])
    edited = story_copy()
    edit(edited / "office.yaml", "if: clue.address", "if: clue.address and stat.trust >= 1")
    with pytest.raises(saves.SaveMisfit) as info:
        _session(edited, saves_dir).load("before")
    error = info.value.error
    assert (error.turn, error.scene, error.choice) == (5, "office.desk", "shop")
    assert error.reason == "its condition is false: clue.address and stat.trust >= 1"


def test_a_deleted_choice_reports_the_exact_turn(tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, FOUND[:3])
    edited = story_copy()
    edit(edited / "office.yaml", """      - id: board
        text: Go to the case board.
        goto: office.board
""", "")
    with pytest.raises(saves.SaveMisfit) as info:
        _session(edited, saves_dir).load("before")
    assert info.value.error.turn == 2
    assert info.value.error.reason == "scene 'office.desk' has no choice 'board'"


def _rename_the_corner(story_dir: Path, edit, declare: bool) -> None:
    for name in ("street.yaml", "office.yaml"):
        edit(story_dir / name, "street.corner", "street.lamppost")
    edit(story_dir / "street.yaml", "- id: pay", "- id: bribe")
    if declare:
        with (story_dir / "story.yaml").open("a") as manifest:
            manifest.write("\nrenames:\n  scenes: {street.corner: street.lamppost}\n"
                           "  choices: {street.lamppost: {pay: bribe}}\n")


def test_renames_declared_in_the_manifest_are_followed_end_to_end(
        tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, INFORMANT)
    edited = story_copy()
    _rename_the_corner(edited, edit, declare=True)
    session = _session(edited, saves_dir)
    loaded = session.load("before")
    assert loaded.fits and loaded.result.renamed == 2  # [street.corner, pay] and [street.corner, back]
    assert "2 turns followed renamed scenes or choices." in loaded.notes()
    assert session.pt.turn == 5 and "address" in session.pt.clues
    assert session.pt.clues["address"].scene == "street.lamppost"
    # saved again, the game is written with the new names and loads with no renames to follow
    session.save("after")
    again = Session(session.story, saves_dir).load("after")
    assert again.result.renamed == 0
    assert ["street.lamppost", "bribe"] in again.doc["log"]


def test_an_undeclared_rename_is_reported_as_the_scene_being_gone(
        tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, INFORMANT)
    edited = story_copy()
    _rename_the_corner(edited, edit, declare=False)
    with pytest.raises(saves.SaveMisfit) as info:
        _session(edited, saves_dir).load("before")
    assert info.value.error.turn == 2 and "street.corner' no longer exists" in info.value.error.reason


def test_a_save_from_another_story_is_refused(tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, FOUND[:2])
    other = story_copy("other")
    edit(other / "story.yaml", "id: sample", "id: another")
    with pytest.raises(SaveError, match="belongs to story 'sample', not 'another'"):
        _session(other, saves_dir).load("before")


def test_in_game_load_reports_the_misfit_and_offers_partial(tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, INFORMANT)
    edited = story_copy()
    _delete_the_corner(edited, edit)
    session = _session(edited, saves_dir)
    refused = dispatch(session, "load before")
    assert [style for style, _ in refused.lines] == ["class:error"]
    assert "turn 2 of 5 no longer fits" in refused.lines[0][1] and "--partial" in refused.lines[0][1]
    assert not refused.show_scene
    accepted = dispatch(session, "load before --partial")
    assert accepted.show_scene and session.pt.turn == 1
    assert any("Loaded turns 1-1 of 5" in text for _, text in accepted.lines)


def _main(argv: list[str], stdin: str = "quit\n") -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(argv, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_cli_load_of_a_misfit_is_one_line_and_exit_1_unless_partial(
        tmp_path, sample_story, story_copy, edit, capsys) -> None:
    saves_dir = _save(tmp_path, sample_story, INFORMANT)
    edited = story_copy()
    _delete_the_corner(edited, edit)
    before = sorted(p.name for p in saves_dir.iterdir())
    code, out = _main(["--plain", "--story", str(edited), "--saves", str(saves_dir), "--load", "before"])
    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "turn 2 of 5 no longer fits" in err and "--partial" in err
    assert sorted(p.name for p in saves_dir.iterdir()) == before  # nothing written, nothing lost
    code, out = _main(["--plain", "--story", str(edited), "--saves", str(saves_dir), "--load", "before",
                       "--partial"])
    assert code == 0 and "Loaded turns 1-1 of 5; turn 2 of 5 no longer fits" in out
    assert "The Pet Shop" in out
    assert saves.read_doc(saves_dir / "before.json")["summary"]["turn"] == 5


def test_an_engine_replay_of_the_misfit_matches_the_transcript(tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, INFORMANT)
    edited = story_copy()
    _delete_the_corner(edited, edit)
    story = loader.load(edited).story
    doc = saves.read_doc(saves_dir / "before.json")
    from game.tools.transcript import transcript

    text = transcript(story, saves.log_of(doc), doc["seed"], Engine(story))
    assert text.rstrip().endswith("(turn 2 no longer fits: in scene 'street.corner', choice 'pay': "
                                  "scene 'street.corner' no longer exists; replay stops)")


def test_an_edit_that_changes_what_a_turn_gives_says_what_moved(
        tmp_path, sample_story, story_copy, edit) -> None:
    saves_dir = _save(tmp_path, sample_story, INFORMANT)
    before = saves.read_doc(saves_dir / "before.json")["snapshot"]
    assert "receipt" in before["clues"]
    edited = story_copy()
    # the receipt no longer comes with the desk; paying the informant now costs trust too
    edit(edited / "office.yaml", "      - clue: receipt\n", "")
    edit(edited / "street.yaml", "- stat: {cash: -1}", "- stat: {cash: -1, trust: -1}")
    loaded = _session(edited, saves_dir).load("before")
    assert loaded.fits
    assert loaded.notes()[-1] == (
        "After the update: clues no longer held: A pet-shop receipt; Trust 0 -> -1.")
