"""`play.py walkthrough SAVE OUT`: any save becomes a walkthrough that replays to the same state;
bad input is one line and a non-zero exit, and the save is never touched."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, SAMPLE

from game import loader, saves
from game.engine import Engine
from game.tools import walkthrough

SAVES = ROOT / "tests" / "data" / "saves"
LIGHTHOUSE = ROOT / "examples" / "lighthouse"


def run(*args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(ROOT / "play.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=60)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def _replays_like_the_save(out: Path, save: Path, story_dir: Path) -> dict:
    """The walkthrough replays (through play.py replay, and the engine) to the save's own state."""
    doc = json.loads(out.read_text())
    assert doc["kind"] == "walkthrough" and doc["format"] == "aka-save"
    engine = Engine(loader.load(story_dir).story)
    saved = engine.replay(saves.log_of(saves.read_doc(save)), saves.read_doc(save).get("seed", 0)).playthrough
    again = engine.replay(saves.log_of(doc), doc["seed"])
    assert again.ok
    assert again.playthrough.snapshot() == saved.snapshot()
    assert walkthrough.replay_problems(engine, saves.read_doc(out)) == []
    proc = run("replay", out, "--story", story_dir)
    assert proc.returncode == 0, proc.stderr
    return doc


@pytest.mark.parametrize("name", ["v1-game.json", "v2-game.json"])
def test_an_old_format_save_becomes_a_walkthrough_that_replays(tmp_path: Path, name: str) -> None:
    save = tmp_path / name
    shutil.copy(SAVES / name, save)
    before = save.read_bytes()
    out = tmp_path / "walk.json"
    proc = run("walkthrough", save, out, "--story", SAMPLE)
    assert proc.returncode == 0, proc.stderr
    assert f"written to {out}" in proc.stdout and "no ending yet" in proc.stdout
    doc = _replays_like_the_save(out, save, SAMPLE)
    assert doc["version"] == saves.VERSION and doc["seed"] == json.loads(before)["seed"]
    snapshot = json.loads(before)["snapshot"]
    assert doc["expect"]["scene"] == snapshot["scene"] and set(doc["expect"]["clues"]) == set(snapshot["clues"])
    assert save.read_bytes() == before  # the save is only read


def test_a_finished_game_in_the_autosave_ring_becomes_a_walkthrough_of_its_ending(tmp_path: Path) -> None:
    engine = Engine(loader.load(LIGHTHOUSE).story)
    source = saves.read_doc(ROOT / "tests" / "data" / "walkthroughs" / "lighthouse" / "truth.json")
    pt = engine.replay(saves.log_of(source), source.get("seed", 0)).playthrough
    assert pt.ending is not None
    saves.autosave(tmp_path / "saves", engine.story, pt)
    out = tmp_path / "truth.json"
    proc = run("walkthrough", "autosave", out, "--story", LIGHTHOUSE, "--saves", tmp_path / "saves")
    assert proc.returncode == 0, proc.stderr
    assert f"replays to ending '{pt.ending}'" in proc.stdout
    doc = _replays_like_the_save(out, tmp_path / "saves" / "autosave-1.json", LIGHTHOUSE)
    assert doc["expect"]["ending"] == pt.ending and doc["expect"]["turns"] == len(pt.log)


def _one_line_error(proc: subprocess.CompletedProcess, words: str) -> None:
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], proc.stderr


def test_bad_input_is_one_line_and_leaves_the_save_alone(tmp_path: Path) -> None:
    save = tmp_path / "game.json"
    shutil.copy(SAVES / "v2-game.json", save)
    before = save.read_bytes()
    _one_line_error(run("walkthrough", tmp_path / "missing.json", tmp_path / "a.json", "--story", SAMPLE),
                    "no such file")
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_bytes(before[:200])
    _one_line_error(run("walkthrough", corrupt, tmp_path / "a.json", "--story", SAMPLE), "damaged save file")
    _one_line_error(run("walkthrough", save, tmp_path / "a.json", "--story", LIGHTHOUSE), "belongs to story 'sample'")
    _one_line_error(run("walkthrough", "ghost", tmp_path / "a.json", "--story", SAMPLE, "--saves", tmp_path),
                    "no save named 'ghost'")
    (tmp_path / "file").write_text("not a folder")
    _one_line_error(run("walkthrough", save, tmp_path / "file" / "a.json", "--story", SAMPLE), "cannot write")
    taken = tmp_path / "taken.json"
    taken.write_text("mine")
    _one_line_error(run("walkthrough", save, taken, "--story", SAMPLE), "already exists")
    assert taken.read_text() == "mine"
    _one_line_error(run("walkthrough", save, save, "--story", SAMPLE), "already exists")
    assert not (tmp_path / "a.json").exists()
    assert save.read_bytes() == before
    assert corrupt.read_bytes() == before[:200]


def test_a_save_the_story_outgrew_is_refused_or_cut_with_partial(tmp_path: Path) -> None:
    story_dir = tmp_path / "story"
    shutil.copytree(SAMPLE, story_dir)
    office = story_dir / "office.yaml"
    office.write_text(office.read_text().replace("id: board", "id: corkboard"))
    save = tmp_path / "game.json"
    shutil.copy(SAVES / "v2-game.json", save)
    proc = run("walkthrough", save, tmp_path / "a.json", "--story", story_dir)
    _one_line_error(proc, "turn 2 of 3 no longer fits")
    assert not (tmp_path / "a.json").exists()
    proc = run("walkthrough", save, tmp_path / "a.json", "--story", story_dir, "--partial")
    assert proc.returncode == 0 and "kept turns 1-1 of 3" in proc.stderr
    doc = json.loads((tmp_path / "a.json").read_text())
    assert doc["log"] == [["office.desk", "look_door"]] and doc["expect"]["scene"] == "office.desk"
    assert run("replay", tmp_path / "a.json", "--story", story_dir).returncode == 0


def test_a_walkthrough_that_would_not_replay_is_not_kept(tmp_path: Path) -> None:
    """The file is read back and replayed before it is kept: a wrong expectation removes it."""
    engine = Engine(loader.load(SAMPLE).story)
    pt = engine.replay(saves.log_of(saves.read_doc(SAVES / "v2-game.json")), 11).playthrough
    doc = walkthrough.document(engine.story, pt)
    assert "paid_informant" not in pt.flags
    doc["expect"]["flags"].append("paid_informant")
    with pytest.raises(saves.SaveError, match="did not replay to the same state.*flags not set: paid_informant"):
        walkthrough.write_new(tmp_path / "w.json", doc, engine)
    assert not (tmp_path / "w.json").exists()
