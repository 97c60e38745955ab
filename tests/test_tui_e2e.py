"""End to end: `python play.py` in a real pseudo-terminal, as a player would run it.

The full-screen UI redraws only what changed, so the terminal output is not
plain text; the expectations below wait for short phrases that a step newly
draws, and the checks that matter are on disk (saves) and the exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample"
DOWN = "\x1b[B"
TIMEOUT = 20


def spawn(saves: Path, *extra: str):
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(sys.executable, ["play.py", "--story", str(SAMPLE), "--saves", str(saves),
                                           "--seed", "1", *extra],
                          cwd=str(ROOT), env=env, dimensions=(24, 80), timeout=TIMEOUT, encoding="utf-8")
    return child


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


@pytest.mark.slow
def test_play_save_quit_and_continue_in_a_terminal(tmp_path):
    saves = tmp_path / "saves"
    child = spawn(saves)
    child.expect("New case")
    child.send("1\r")  # the title menu, by number
    child.expect("Desk")
    child.send("1\r")  # check the door, by number
    child.expect("hinge")
    child.send(DOWN)  # from "case board" down to "Go out"
    child.send("\r")
    child.expect("lamppost")
    child.send("clues\r")
    child.expect("Case file")
    child.send("save mine\r")
    child.expect("Saved")
    child.sendcontrol("d")
    assert finish(child) == 0
    mine = json.loads((saves / "mine.json").read_text())
    autosave = json.loads((saves / "autosave.json").read_text())
    expected = [["office.desk", "look_door"], ["office.desk", "out"]]
    assert mine["log"] == expected
    assert autosave["log"] == expected

    child = spawn(saves)
    child.expect("Continue")
    child.send("2\r")  # Continue: the autosave
    child.expect("Resumed")
    child.send("2\r")  # shove the man on the corner: a turn taken after resuming
    child.expect("Anger")
    child.sendcontrol("c")
    assert finish(child) == 0
    resumed = json.loads((saves / "autosave.json").read_text())
    assert resumed["log"] == [*expected, ["street.corner", "shove"]]


@pytest.mark.slow
def test_plain_flag_gives_line_mode_in_a_terminal(tmp_path):
    saves = tmp_path / "saves"
    child = spawn(saves, "--plain")
    child.expect("1. Check the door.")
    child.expect("> ")
    child.send("1\r")
    child.expect("Something red by the hinge.")
    child.sendcontrol("d")
    assert finish(child) == 0
    assert json.loads((saves / "autosave.json").read_text())["log"] == [["office.desk", "look_door"]]


def test_piped_input_gets_plain_mode(tmp_path):
    result = subprocess.run(
        [sys.executable, "play.py", "--story", str(SAMPLE), "--saves", str(tmp_path), "--seed", "1"],
        cwd=ROOT, input="1\nquit\n", capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert result.returncode == 0
    assert "1. Check the door." in result.stdout
    assert "\x1b" not in result.stdout  # no escape sequences: plain text for screen readers
