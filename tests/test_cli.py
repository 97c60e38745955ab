"""The command line as a user meets it: real subprocesses, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support import ROOT, SAMPLE


def run(*args, stdin="", cwd=ROOT):
    proc = subprocess.run([sys.executable, str(ROOT / "play.py"), *map(str, args)], input=stdin,
                          capture_output=True, text=True, cwd=cwd, timeout=60)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def play(saves, stdin, *extra):
    return run("--plain", "--story", SAMPLE, "--saves", saves, "--seed", 1, *extra, stdin=stdin)


def snapshot(path):
    return json.loads(path.read_text())["snapshot"]


def test_choose_save_quit_then_load_resumes_same_state(tmp_path):
    first = play(tmp_path, "1\nsave a\nquit\n")
    assert first.returncode == 0
    assert "Clue found: A red collar." in first.stdout
    assert "Saved to slot 'a'." in first.stdout
    saved = snapshot(tmp_path / "a.json")
    assert saved["scene"] == "office.desk" and set(saved["clues"]) == {"receipt", "collar"}

    again = play(tmp_path, "", "--load", "a")
    assert again.returncode == 0
    assert "The red collar sits on the blotter." in again.stdout
    resumed = snapshot(tmp_path / "autosave-1.json")
    for key in ("scene", "clues", "stats", "flags", "turn"):
        assert resumed[key] == saved[key]


def test_end_of_input_autosaves_and_exits_zero(tmp_path):
    proc = play(tmp_path, "3\n1\n")
    assert proc.returncode == 0 and "Autosaved" in proc.stdout
    assert snapshot(tmp_path / "autosave-1.json")["scene"] == "street.corner"


def test_undo_and_in_game_load(tmp_path):
    proc = play(tmp_path, "save start\n1\n2\nundo\nstatus\nload start\nhistory\nquit\n")
    out = proc.stdout
    assert "Undid 1 turn; back at turn 1." in out
    assert "Where: The Desk, The Office. Turn 1." in out  # after undo: one turn taken
    assert "Loaded 'start' (turn 0)." in out and "No choices taken yet." in out


def test_mistakes_at_the_prompt_are_explained(tmp_path):
    out = play(tmp_path, "42\nfrobnicate\nsave ../../etc\nload nothing\nundo\n\x1b[A\n").stdout
    assert "There is no choice 42; pick 1 to 5." in out
    assert "Unknown command 'frobnicate'" in out
    assert "may use only letters, digits" in out
    assert "No save named 'nothing'" in out
    assert "Nothing to undo" in out


def test_ending_screen_and_restart(tmp_path):
    out = play(tmp_path, "5\n1\nrestart\nquit\n").stdout
    assert "THE END: Case Lost" in out
    assert "The case is closed; type 'undo', 'restart' or 'quit'." in out
    assert "A new case begins." in out


def test_check_clean_and_stats(tmp_path):
    proc = run("check", SAMPLE, "--stats")
    assert proc.returncode == 0
    assert "6 scenes (office 2, street 4)" in proc.stdout and "check ok: 0 errors" in proc.stdout


def test_check_never_ends_on_ok_when_the_verdict_is_unknown():
    # A vault only a finished search proves unreachable: with too small a budget nothing is
    # claimed, and the last line a writer reads must not say "ok" (with --strict: exit 1).
    story = ROOT / "tests" / "data" / "playtest" / "undecided"
    proc = run("check", str(story), "--budget", "3")
    assert proc.returncode == 0
    assert "unknown" in proc.stdout.splitlines()[-2]
    assert proc.stdout.splitlines()[-1] == "check unknown: 0 errors, 0 warnings"
    assert run("check", str(story), "--budget", "3", "--strict").returncode == 1
    finished = run("check", str(story))
    assert finished.stdout.splitlines()[-2].startswith("proven:")  # the vault is proved unreachable
    assert finished.stdout.splitlines()[-1].startswith("check failed: 1 error")


def test_check_json_contract():
    doc = json.loads(run("check", SAMPLE, "--stats", "--json").stdout)
    for key in ("ok", "errors", "warnings", "scenes", "clues", "endings", "words", "areas"):
        assert key in doc
    assert doc["ok"] is True and doc["areas"] == {"office": 2, "street": 4} and doc["endings"] == 2


def test_check_broken_story_exits_1_naming_file_line_col(tmp_path):
    bad = ROOT / "tests" / "data" / "bad" / "unknown_names"
    proc = run("check", ".", cwd=bad)
    assert proc.returncode == 1
    assert "story.yaml:13:15: error: unknown clue 'pill_lable'" in proc.stdout
    doc = json.loads(run("check", ".", "--json", cwd=bad).stdout)
    assert doc["ok"] is False and doc["errors"][0]["line"] == 13


def test_playing_a_broken_story_exits_1(tmp_path):
    proc = run("--plain", "--story", ROOT / "tests" / "data" / "bad" / "dup_key", "--saves", tmp_path)
    assert proc.returncode == 1 and "duplicate key 'title'" in proc.stderr


@pytest.mark.parametrize("args", [["--seed", "x"], ["frobnicate"], ["check", "--nope"]])
def test_bad_usage_exits_2(args):
    proc = run(*args)
    assert proc.returncode == 2 and proc.stderr.startswith("error:")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_missing_or_corrupt_save_exits_1(tmp_path):
    proc = play(tmp_path, "", "--load", "ghost")
    assert proc.returncode == 1 and "no save named 'ghost'" in proc.stderr
    (tmp_path / "broken.json").write_text('{"format": "aka-save", "version": 1, "log": [')
    proc = play(tmp_path, "", "--load", "broken")
    assert proc.returncode == 1 and "damaged save file" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_missing_story_folder_exits_1(tmp_path):
    proc = run("--plain", "--story", tmp_path / "nope", "--saves", tmp_path)
    assert proc.returncode == 1 and "story folder not found" in proc.stderr


def test_replay_prints_transcript_of_a_save(tmp_path):
    play(tmp_path, "1\n2\nsave a\n")
    proc = run("replay", tmp_path / "a.json", "--story", SAMPLE)
    assert proc.returncode == 0
    assert "> 1. Check the door." in proc.stdout
    assert "--- Turn 2 ---" in proc.stdout and "The Case Board" in proc.stdout


def test_real_story_checks_clean():
    proc = run("check", "story")
    assert proc.returncode == 0, proc.stdout


def test_status_names_a_hub_once_when_it_shares_its_area_title(tmp_path):
    out = run("--plain", "--story", ROOT / "story", "--saves", tmp_path, stdin="status\nquit\n").stdout
    assert "Where: Alias Investigations. Turn 0." in out


def test_plain_mode_notices_a_scene_s_gifts_after_its_text(tmp_path):
    out = play(tmp_path, "2\n").stdout  # the case board: nothing new; the desk's receipt came at the start
    desk, receipt = out.index("The office smells of old coffee."), out.index("Clue found: A pet-shop receipt.")
    assert desk < receipt < out.index("1. Check the door.")


def test_playtest_refuses_a_turn_limit_whose_replays_could_not_be_loaded(tmp_path):
    """A stuck run is written as a replay save; a save holds at most 10,000 turns, so a longer
    limit would write replays the game then refuses. Said up front, in one line."""
    proc = run("playtest", SAMPLE, "--max-turns", 10_001, "-n", 1, "--out", tmp_path)
    assert proc.returncode == 2
    assert "--max-turns: at most 10,000" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert run("playtest", SAMPLE, "--max-turns", 10_000, "-n", 1, "--out", tmp_path).returncode == 0


SELF_ANSWERING = """story: {id: s, title: S, start: a.desk, format: 2}
areas: {a: A}
endings: {out: {title: Out}}
clues:
  ring: {title: A ring}
people:
  clerk: {name: The clerk}
  owner: {name: The owner}
questions:
  who:
    ask: Who took it?
    at: [a.desk]
    slots:
      who: {prompt: Who, from: people}
    answer: {who: clerk}
    right:
      text: It was the clerk.
      do:
        - answer: {who: right}
    wrong: No.
scenes:
  a.desk:
    text: A desk.
    choices:
      - {id: look, text: Look., once: true, do: [{clue: ring}]}
      - {id: go, text: Go., if: solved.who, goto: a.out}
  a.out:
    text: Out.
    ending: out
"""


def test_check_follows_a_question_whose_right_answer_closes_itself(tmp_path):
    """A right outcome that answers its own question (in dialogue) plays fine; check once
    recursed forever on it and died with a traceback."""
    (tmp_path / "story.yaml").write_text(SELF_ANSWERING)
    proc = run("check", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "proven: no soft-lock; every scene and ending reachable" in proc.stdout
