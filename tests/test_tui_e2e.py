"""End to end: `python play.py` in a real pseudo-terminal, as a player would run it.

The full-screen UI redraws only what changed, so the terminal output is not
plain text; the expectations below wait for short phrases that a step newly
draws, and the checks that matter are on disk (saves) and the exit code.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample"
DOWN = "\x1b[B"
TIMEOUT = 20


def spawn(saves: Path, *extra: str, term: str = "xterm-256color", pipe_stdout: bool = False):
    env = {**os.environ, "TERM": term, "LANG": "C.UTF-8"}
    env.pop("NO_COLOR", None)
    args = ["play.py", "--story", str(SAMPLE), "--saves", str(saves), "--seed", "1", *extra]
    if pipe_stdout:  # a terminal for input, a pipe for output: `play.py | tee log`
        args = ["-c", f"{sys.executable} {' '.join(args)} | cat"]
        return pexpect.spawn("/bin/sh", args, cwd=str(ROOT), env=env, dimensions=(24, 80),
                             timeout=TIMEOUT, encoding="utf-8")
    return pexpect.spawn(sys.executable, args, cwd=str(ROOT), env=env, dimensions=(24, 80),
                         timeout=TIMEOUT, encoding="utf-8")


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
    autosave = json.loads((saves / "autosave-1.json").read_text())
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
    resumed = json.loads((saves / "autosave-1.json").read_text())
    assert resumed["log"] == [*expected, ["street.corner", "shove"]]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["--plain", "TERM=dumb", "stdout piped"])
def test_plain_line_mode_in_a_terminal(tmp_path, how):
    saves = tmp_path / "saves"
    if how == "--plain":
        child = spawn(saves, "--plain")
    elif how == "TERM=dumb":
        child = spawn(saves, term="dumb")
    else:
        child = spawn(saves, pipe_stdout=True)
    child.logfile_read = seen = io.StringIO()
    child.expect("1. Check the door.")
    child.expect("> ")
    child.send("1\r")
    child.expect("Something red by the hinge.")
    child.sendcontrol("d")
    assert finish(child) == 0
    assert json.loads((saves / "autosave-1.json").read_text())["log"] == [["office.desk", "look_door"]]
    assert "\x1b[?1049h" not in seen.getvalue()  # the full-screen UI never started


def test_piped_input_gets_plain_mode(tmp_path):
    result = subprocess.run(
        [sys.executable, "play.py", "--story", str(SAMPLE), "--saves", str(tmp_path), "--seed", "1"],
        cwd=ROOT, input="1\nquit\n", capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert result.returncode == 0
    assert "1. Check the door." in result.stdout
    assert "\x1b" not in result.stdout  # no escape sequences: plain text for screen readers


@pytest.mark.slow
def test_closing_the_terminal_autosaves_the_game_as_it_is(tmp_path):
    saves = tmp_path / "saves"
    child = spawn(saves)
    child.expect("New case")
    child.send("1\r")
    child.expect("Desk")
    child.send("1\r")  # a turn: autosaved at once
    child.expect("hinge")
    child.send("undo\r")  # not autosaved by itself
    child.expect("Undid")
    child.kill(signal.SIGHUP)  # the terminal window is closed
    assert finish(child) == 0
    assert json.loads((saves / "autosave-1.json").read_text())["log"] == []


BOARD = ROOT / "tests" / "data" / "board"


def spawn_board(saves: Path):
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    env.pop("NO_COLOR", None)
    args = ["play.py", "--story", str(BOARD), "--saves", str(saves), "--seed", "1"]
    return pexpect.spawn(sys.executable, args, cwd=str(ROOT), env=env, dimensions=(40, 100),
                         timeout=TIMEOUT, encoding="utf-8")


def to_the_board(child) -> None:
    child.expect("New case")
    child.send("1\r")
    child.expect("Look at the collar")
    child.send("1\r")  # the collar (and the feathers on it)
    child.expect("Green feathers")
    child.send("2\r")  # the coat pockets: the receipt (numbers stay put within a visit)
    child.expect("receipt")
    child.send("3\r")  # the case board
    child.expect("The case board")


@pytest.mark.slow
def test_fail_a_question_and_pay_then_solve_it_in_a_terminal(tmp_path):
    # The screen redraws only what changed, and the prompts of a question come back at
    # the same rows: each step waits for a phrase that step draws for the first time.
    saves = tmp_path / "saves"
    child = spawn_board(saves)
    to_the_board(child)
    child.send("2\r")  # Question: What kind of pet wore the collar?
    child.expect("Blank 1 of 2")
    child.send("\r")  # cat: the highlighted first option, by Enter
    child.expect("So far")
    child.send("\r")  # the collar
    child.expect("Give this answer")
    child.send("\r")  # Give this answer.
    child.expect("Wrong answer")
    child.expect("Control down 1")
    child.send("2\r")  # the question again, now with the arrow keys
    child.expect("wore the collar")
    child.send(DOWN + "\r")  # parrot
    child.expect("parrot")
    child.send(DOWN + DOWN + "\r")  # Green feathers
    child.expect("Shown by Green feathers")
    child.send("yes\r")  # typed, as plain mode would
    child.expect("A parrot")
    child.sendcontrol("d")
    assert finish(child) == 0
    save = json.loads((saves / "autosave-1.json").read_text())
    assert save["log"][-2:] == [["office.board", "answer:pet:kind=cat,proof=collar"],
                                ["office.board", "answer:pet:kind=parrot,proof=feathers"]]
    assert save["snapshot"]["stats"]["control"] == 3 and save["snapshot"]["answers"]["pet"]["outcome"] == "right"


@pytest.mark.slow
def test_act_on_a_wrong_conclusion_in_a_terminal(tmp_path):
    saves = tmp_path / "saves"
    child = spawn_board(saves)
    to_the_board(child)
    for line in ("2", "parrot", "feathers", "yes"):  # names and words typed, as a screen reader user would
        child.send(line + "\r")
    child.expect("Answered")
    child.send("3\r")  # Question: Who took the parrot? (a new number after the ones shown)
    child.expect("Blank 1 of 2")
    child.send("the kid at the till\r")  # the clerk, by one of his words
    child.expect("Blank 2 of 2")
    child.send("shop\r")
    child.expect("Give this answer")
    child.send("1\r")
    child.expect("Nobody else looked that guilty")
    child.send("1\r")  # back to the desk
    child.expect("tell the owner what his clerk did")
    child.send("2\r")  # acting on it: the only way to the shop now
    child.expect("The Wrong Man")
    child.sendcontrol("d")
    assert finish(child) == 0
    autosave = json.loads((saves / "autosave-1.json").read_text())
    assert autosave["snapshot"]["ending"] == "wrong_man"
    assert autosave["snapshot"]["answers"]["thief"]["outcome"] == "blame_clerk"
