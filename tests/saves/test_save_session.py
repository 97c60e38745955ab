"""The autosave ring, continue, undo, rewind and history, as a player uses them."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from game import cli, saves
from game.errors import ChoiceError, SaveError
from game.ui.commands import dispatch
from game.ui.session import Session

FOUND = ["look_door", "board", "deduce:shop", "back", "shop", "ask"]
V1_FIXTURE = Path(__file__).resolve().parent.parent / "data" / "saves" / "v1-game.json"


def _turns(session: Session, choices: list[str]) -> None:
    for choice in choices:
        session.take_id(choice)
        assert session.try_autosave() == ""


def _ring(saves_dir: Path) -> dict[str, int]:
    return {info.slot: info.turn for info in saves.list_saves(saves_dir) if info.autosave}


def test_autosaves_form_a_ring_with_the_newest_first(tmp_path, sample_story) -> None:
    session = Session(sample_story, tmp_path)
    _turns(session, FOUND)
    assert _ring(tmp_path) == {"autosave-1": 6, "autosave-2": 5, "autosave-3": 4, "autosave-4": 3, "autosave-5": 2}
    assert not (tmp_path / "autosave-6.json").exists()


def test_autosave_skips_a_state_already_autosaved(tmp_path, sample_story) -> None:
    session = Session(sample_story, tmp_path)
    _turns(session, FOUND[:2])
    session.autosave()
    session.autosave()
    assert _ring(tmp_path) == {"autosave-1": 2, "autosave-2": 1}


def test_autosave_means_the_newest_autosave(tmp_path, sample_story) -> None:
    _turns(Session(sample_story, tmp_path), FOUND[:4])
    later = Session(sample_story, tmp_path)
    loaded = later.load("autosave")
    assert loaded.slot == "autosave-1" and later.pt.turn == 4
    later.try_autosave()  # quitting at once does not push the ring
    assert _ring(tmp_path)["autosave-1"] == 4 and _ring(tmp_path)["autosave-4"] == 1


def test_a_damaged_newest_autosave_is_passed_over_and_kept(tmp_path, sample_story) -> None:
    _turns(Session(sample_story, tmp_path), FOUND[:4])
    newest = tmp_path / "autosave-1.json"
    newest.write_bytes(newest.read_bytes()[:100])
    session = Session(sample_story, tmp_path)
    loaded = session.load("autosave")
    assert loaded.slot == "autosave-2" and session.pt.turn == 3
    assert len(loaded.notes()) == 1 and "damaged" in loaded.notes()[0] and "autosave-1.json" in loaded.notes()[0]
    assert newest.stat().st_size == 100  # evidence is kept, not deleted


def test_no_autosave_and_all_damaged_are_clear_errors(tmp_path, sample_story) -> None:
    session = Session(sample_story, tmp_path)
    with pytest.raises(SaveError, match="no autosave yet"):
        session.load("autosave")
    for name in ("autosave-1", "autosave-2"):
        (tmp_path / f"{name}.json").write_text("{")
    with pytest.raises(SaveError, match=r"autosave-1.json.*\(and 1 older autosaves are damaged too\)"):
        session.load("autosave")


def test_an_autosave_from_version_1_is_still_found(tmp_path, sample_story) -> None:
    shutil.copy(V1_FIXTURE, tmp_path / "autosave.json")
    session = Session(sample_story, tmp_path)
    assert session.load("autosave").slot == "autosave" and session.pt.turn == 5


def test_undo_several_turns_and_rewind_to_any_turn(tmp_path, sample_story) -> None:
    session = Session(sample_story, tmp_path)
    _turns(session, FOUND)
    assert session.pt.ending == "found"
    assert session.undo(3) == 3 and session.pt.turn == 3 and session.pt.ending is None
    assert session.pt.snapshot() == _fresh_after(sample_story, tmp_path, FOUND[:3])
    session.take_id("back")
    session.rewind(1)
    assert [e.choice for e in session.pt.log] == ["look_door"] and "collar" in session.pt.clues
    session.rewind(0)
    assert session.pt.turn == 0 and session.pt.scene == "office.desk"
    with pytest.raises(ChoiceError, match="nothing to undo"):
        session.undo()
    with pytest.raises(ChoiceError, match="nothing to rewind"):
        session.rewind(0)


def _fresh_after(story, tmp_path, choices) -> dict:
    fresh = Session(story, tmp_path / "elsewhere")
    for choice in choices:
        fresh.take_id(choice)
    return fresh.pt.snapshot()


@pytest.mark.parametrize("line, error", [
    ("rewind", "Rewind takes a turn number"),
    ("rewind two", "Rewind takes a turn number"),
    ("rewind 3", "Rewind takes a turn from 0 to 2"),
    ("rewind -1", "Rewind takes a turn from 0 to 2"),
    ("undo 0", "positive number"),
    ("undo x", "Undo takes a number"),
])
def test_bad_rewinds_and_undos_are_one_line_errors(tmp_path, sample_story, line, error) -> None:
    session = Session(sample_story, tmp_path)
    _turns(session, FOUND[:3])
    reply = dispatch(session, line)
    assert reply.lines == [("class:error", reply.lines[0][1])] and error in reply.lines[0][1]
    assert session.pt.turn == 3


def test_history_numbers_the_turns_that_rewind_takes(tmp_path, sample_story) -> None:
    session = Session(sample_story, tmp_path)
    _turns(session, FOUND[:4])
    texts = [text for _, text in dispatch(session, "history").lines]
    assert "Turn 3. The Case Board: Put the collar next to the receipt." in texts
    assert texts[-1] == "Now: turn 4, The Desk."
    reply = dispatch(session, "rewind 2")
    assert reply.show_scene and reply.lines == [("class:notice", "Rewound to just after turn 2.")]
    assert session.pt.scene == "office.board" and session.pt.turn == 2
    assert [text for _, text in dispatch(session, "undo 5").lines] == ["Undid 2 turns; back at turn 0."]


def test_the_saves_listing_shows_date_scene_turn_and_clues(tmp_path, sample_story, capsys) -> None:
    session = Session(sample_story, tmp_path)
    _turns(session, FOUND[:3])
    session.save("kozlov")
    (tmp_path / "broken.json").write_text("{")
    out = io.StringIO()
    assert cli.main(["saves", "--saves", str(tmp_path)], stdout=out) == 0
    lines = out.getvalue().splitlines()
    kozlov = next(line for line in lines if line.strip().startswith("kozlov "))
    assert "turn   3" in kozlov and "clues  3" in kozlov and "The Case Board" in kozlov
    assert saves.local_time(saves.read_doc(tmp_path / "kozlov.json")["updated"]) in kozlov
    broken = next(line for line in lines if line.strip().startswith("broken "))
    assert "DAMAGED" in broken
    assert lines[-1].startswith("Resume with")
    in_game = [text for _, text in dispatch(session, "saves").lines]
    assert any(text.startswith("- kozlov: The Case Board, turn 3, 3 clues") for text in in_game)
    assert any(text.startswith("- broken: cannot be loaded") for text in in_game)


def test_continue_resumes_the_newest_autosave_or_starts_a_new_case(tmp_path, sample_story) -> None:
    story = str(Path(__file__).resolve().parent.parent / "data" / "sample")
    out = io.StringIO()
    assert cli.main(["--plain", "--story", story, "--saves", str(tmp_path), "--continue"],
                    stdin=io.StringIO("1\n3\nquit\n"), stdout=out) == 0
    assert out.getvalue().startswith("No autosave yet; a new case begins.")
    out = io.StringIO()
    assert cli.main(["--plain", "--story", story, "--saves", str(tmp_path), "--continue"],
                    stdin=io.StringIO("history\n"), stdout=out) == 0
    assert out.getvalue().startswith("Loaded 'autosave-1' (turn 2).")
    assert "Turn 2. The Desk: Go out." in out.getvalue()


@pytest.mark.parametrize("argv, code, message", [
    (["--load", "../etc"], 2, "--load: save name '../etc'"),
    (["--load", "one", "--continue"], 2, "either --load SLOT or --continue"),
    (["--load", "nothere"], 1, "no save named 'nothere'"),
])
def test_cli_load_mistakes_are_one_line(tmp_path, capsys, argv, code, message) -> None:
    story = str(Path(__file__).resolve().parent.parent / "data" / "sample")
    out = io.StringIO()
    assert cli.main(["--plain", "--story", story, "--saves", str(tmp_path), *argv],
                    stdin=io.StringIO(""), stdout=out) == code
    err = capsys.readouterr().err
    assert out.getvalue() == "" and message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
