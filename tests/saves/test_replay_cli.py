"""`play.py replay`: transcripts of saves and walkthroughs, --to, --branch, --partial."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from game import cli, saves
from game.ui.session import Session

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample"
FOUND_WALK = ROOT / "tests" / "data" / "walkthroughs" / "found.json"
INFORMANT = ["out", "pay", "back", "look_door", "board"]


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(list(argv), stdin=io.StringIO(""), stdout=out)
    return code, out.getvalue()


@pytest.fixture
def saved(tmp_path, sample_story) -> Path:
    session = Session(sample_story, tmp_path / "saves", seed=9)
    for choice in INFORMANT:
        session.take_id(choice)
    session.save("trip")
    return tmp_path / "saves"


def test_replay_prints_every_scene_and_the_choice_taken(saved) -> None:
    code, out = _run("replay", "trip", "--saves", str(saved), "--story", str(SAMPLE))
    assert code == 0
    assert out.startswith("Transcript: The Missing Cat (version 1)\nSeed: 9\n")
    assert [line for line in out.splitlines() if line.startswith("--- Turn")] == \
        [f"--- Turn {n} ---" for n in range(6)]
    assert "> 3. Go out." in out and "> 1. Pay him for a tip." in out
    assert "He pockets the bill and points north." in out and "A man leans on a lamppost." in out


def test_replay_writes_the_same_transcript_to_a_file(saved, tmp_path) -> None:
    _, printed = _run("replay", str(saved / "trip.json"), "--story", str(SAMPLE))
    target = tmp_path / "out" / "trip.txt"
    code, out = _run("replay", str(saved / "trip.json"), "--story", str(SAMPLE), "--transcript", str(target))
    assert code == 0 and out == f"Transcript of 5 turns written to {target}\n"
    assert target.read_text() == printed


def test_replay_to_stops_at_a_turn_and_branch_saves_it_as_a_new_slot(saved, sample_story) -> None:
    code, out = _run("replay", "trip", "--saves", str(saved), "--story", str(SAMPLE), "--to", "2",
                     "--branch", "paid")
    assert code == 0
    assert "--- Turn 2 ---" in out and "--- Turn 3 ---" not in out
    assert out.splitlines()[-1].startswith("Saved turn 2 as slot 'paid'")
    session = Session(sample_story, saved)
    session.load("paid")
    assert [e.choice for e in session.pt.log] == ["out", "pay"] and session.pt.seed == 9
    assert saves.read_doc(saved / "trip.json")["summary"]["turn"] == 5  # the original is untouched


@pytest.mark.parametrize("argv, message", [
    (["--to", "6"], "--to 6: "),
    (["--to", "-1"], "--to -1: "),
    (["--branch", "trip"], "a save of that name exists"),
    (["--branch", "../x"], "--branch: save name"),
    (["--branch", "autosave-1"], "kept for automatic saves"),
])
def test_bad_replay_options_are_usage_errors(saved, capsys, argv, message) -> None:
    before = (saved / "trip.json").read_bytes()
    code, out = _run("replay", "trip", "--saves", str(saved), "--story", str(SAMPLE), *argv)
    err = capsys.readouterr().err
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
    assert (saved / "trip.json").read_bytes() == before


def _edited(story_copy, edit) -> Path:
    edited = story_copy()
    text = (edited / "street.yaml").read_text()
    start, end = text.index("  street.corner:"), text.index("  street.shop:")
    (edited / "street.yaml").write_text(text[:start] + text[end:])
    edit(edited / "office.yaml", "goto: street.corner", "goto: street.shop")
    return edited


def test_replay_on_an_edited_story_shows_how_far_it_fits_and_fails(saved, story_copy, edit, capsys) -> None:
    code, out = _run("replay", "trip", "--saves", str(saved), "--story", str(_edited(story_copy, edit)))
    err = capsys.readouterr().err
    assert code == 1
    assert "(turn 2 no longer fits: in scene 'street.corner', choice 'pay'" in out
    assert err.count("\n") == 1 and "turn 2 of 5 no longer fits" in err and "--partial" in err


def test_replay_partial_stops_quietly_and_can_branch_from_there(saved, sample_story, story_copy, edit,
                                                                capsys) -> None:
    edited = _edited(story_copy, edit)
    code, out = _run("replay", "trip", "--saves", str(saved), "--story", str(edited), "--partial",
                     "--branch", "kept")
    err = capsys.readouterr().err
    assert code == 0 and "stopped there" in err
    assert "Saved turn 1 as slot 'kept'" in out
    assert [e.choice for e in saves.load_slot(saved, "kept", Session(sample_story, saved).engine)
            .playthrough.log] == ["out"]


def test_replay_of_a_compatible_edit_notes_the_update(saved, story_copy, edit, capsys) -> None:
    edited = story_copy()
    edit(edited / "street.yaml", "Bells on the door.", "A bell over the door.")
    code, _ = _run("replay", "trip", "--saves", str(saved), "--story", str(edited))
    assert code == 0 and "the story was updated since this save; it replays fine" in capsys.readouterr().err


@pytest.mark.parametrize("target, message", [
    ("missing.json", "no such file"),
    ("nosuchslot", "no save named 'nosuchslot'"),
])
def test_replay_of_something_missing_is_one_line(saved, capsys, target, message) -> None:
    code, out = _run("replay", target, "--saves", str(saved), "--story", str(SAMPLE))
    err = capsys.readouterr().err
    assert code == 1 and out == "" and message in err and err.count("\n") == 1


def test_replay_of_a_damaged_save_is_one_line(saved, capsys) -> None:
    path = saved / "trip.json"
    path.write_bytes(path.read_bytes().replace(b'"pay"', b'"shove"'))
    code, out = _run("replay", str(path), "--story", str(SAMPLE))
    err = capsys.readouterr().err
    assert code == 1 and out == "" and "checksum does not match" in err and err.count("\n") == 1


def test_replay_into_the_wrong_story_is_refused(capsys, story_copy, edit) -> None:
    other = story_copy()
    edit(other / "story.yaml", "id: sample", "id: another")
    code, _ = _run("replay", str(FOUND_WALK), "--story", str(other))
    assert code == 1 and "belongs to story 'sample'" in capsys.readouterr().err


def test_replay_compare_passes_on_the_same_story_and_shows_a_regression(saved, story_copy, edit, tmp_path,
                                                                       capsys) -> None:
    golden = tmp_path / "golden.txt"
    code, _ = _run("replay", "trip", "--saves", str(saved), "--story", str(SAMPLE), "--transcript", str(golden))
    assert code == 0
    code, out = _run("replay", "trip", "--saves", str(saved), "--story", str(SAMPLE), "--compare", str(golden))
    assert code == 0 and out == "Transcript matches " + str(golden) + " (5 turns).\n"

    edited = story_copy()
    edit(edited / "street.yaml", "A man leans on a lamppost.", "A woman leans on a lamppost, smoking.")
    code, out = _run("replay", "trip", "--saves", str(saved), "--story", str(edited), "--compare", str(golden))
    assert code == 1
    assert "-A man leans on a lamppost." in out and "+A woman leans on a lamppost, smoking." in out
    line = golden.read_text().splitlines().index("A man leans on a lamppost.") + 1
    assert capsys.readouterr().err.startswith(
        f"error: {saved / 'trip.json'}: the transcript differs from {golden} from line {line} on")


def test_replay_compare_with_an_unreadable_golden_is_one_usage_line(saved, tmp_path, capsys) -> None:
    binary = tmp_path / "golden.bin"
    binary.write_bytes(b"\xff\xfe not text")
    pipe = tmp_path / "golden.fifo"
    os.mkfifo(pipe)  # reading it would wait forever for a writer
    for target, message in [(tmp_path / "missing.txt", "cannot read it"), (binary, "not UTF-8 text"),
                            (pipe, "not a regular file")]:
        code, _ = _run("replay", "trip", "--saves", str(saved), "--story", str(SAMPLE), "--compare", str(target))
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1
