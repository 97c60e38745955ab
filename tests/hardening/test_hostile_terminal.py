"""What a terminal (or a paste, or a pipe) can send to plain mode, through the
real `play.py --plain`: never a traceback, exit 0, the autosave written, and
nothing typed is echoed back raw (no escape sequence reaches the screen)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from fuzzkit import HANG_SECONDS, PLAY, SAMPLE, run_play

# Output may hold printable text and newlines only: any other control
# character would be the game (or the player's input) driving the terminal.
RAW_CONTROL = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")

INPUTS = {
    "control-characters": bytes(range(1, 32)) + b"\x7f\n1\n",
    "escape-sequences": b"\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[31m1\x1b[0m\n\x1b[A\x1b[B\n\x9b31m\n1\n",
    "bracketed-paste": b"\x1b[200~1\n2\nsave pasted\n\x1b[201~\n",
    "pasted-lines": b"1\n" * 50 + b"status\nclues\nhistory\n" + b"2\n3\n1\n" * 20,
    "long-line": b"1" * (5 * 1024 * 1024) + b"\n1\n",
    "long-line-no-newline": b"x" * (3 * 1024 * 1024),
    "many-short-lines": b"\n" * 100_000 + b"look\n",
    "wide-unicode": "\U0001f575\ufe0f \u6f22\u5b57 e\u0301\u0301\u0301 \u202eevil \ufeff \u200b \uff11\n1\n".encode(),
    "emoji-save-name": "save \U0001f575\nsave caf\u00e9\n".encode(),
    "invalid-utf8": b"\xff\xfe\xfd\n\xc3\x28\n\xed\xa0\x80\n\xf4\x90\x80\x80\n\xc0\xaf\n1\n",
    "nul-bytes": b"\x00\x00\x00\n1\x002\n\x00save\x00 x\n",
    "crlf": b"1\r\n2\r\nstatus\r\n",
    "lone-cr": b"1\r2\r3\r",
    "commands-with-junk": b"undo 99999999999999999999999\nundo -1\nundo x\nsave\nload\nload ../x\nrestart\n"
                          b"99999999999999999999\n-1\n0\n1.5\n1e3\n\xd9\xa3\n",
    "utf16-text": "look\nstatus\n".encode("utf-16"),
    "nothing": b"",
}


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_terminal_input_never_breaks_plain_mode(tmp_path, name):
    proc = run_play("--plain", "--story", SAMPLE, "--saves", tmp_path, "--seed", 1, stdin=INPUTS[name])
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert proc.stderr == b""
    assert not RAW_CONTROL.search(proc.stdout), "a control character reached the terminal"
    assert proc.stdout.decode("utf-8")  # the output is valid UTF-8
    autosaves = list(tmp_path.glob("autosave*.json"))
    assert autosaves, "leaving always autosaves"
    for path in autosaves:
        assert json.loads(path.read_text())["format"] == "aka-save"


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "utf-8"}, {"PYTHONIOENCODING": "ascii"},
                                 {"LC_ALL": "C", "LANG": "C"}, {"PYTHONUTF8": "1"}])
def test_strict_or_narrow_terminal_encodings(tmp_path, env):
    """With a strict UTF-8 codec, bytes that are not UTF-8 used to end the game
    with a UnicodeDecodeError; an ASCII-only terminal could not print prose."""
    stdin = b"\xff\xfe junk\n1\nstatus\n" + "caf\u00e9 \U0001f575\n".encode()
    proc = run_play("--plain", "--story", SAMPLE, "--saves", tmp_path, "--seed", 1, stdin=stdin, env=env)
    assert proc.returncode == 0 and proc.stderr == b""
    assert b"Clue found" in proc.stdout
    assert list(tmp_path.glob("autosave*.json"))


def test_the_reader_going_away_ends_the_game_quietly(tmp_path):
    """`play.py --plain | head -3`: the reader leaves mid-game; no traceback,
    no hang, and the turns taken before are in the autosave."""
    typed = tmp_path / "typed.txt"
    typed.write_bytes(b"1\n" + b"look\n" * 20_000)  # from a file: no pipe to deadlock on
    saves_dir = tmp_path / "saves"
    with typed.open("rb") as stdin:
        proc = subprocess.Popen([sys.executable, str(PLAY), "--plain", "--story", str(SAMPLE), "--saves",
                                 str(saves_dir), "--seed", "1"], stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    seen = b""
    while b"Clue found: A red collar." not in seen:  # the first turn is taken: now leave
        chunk = proc.stdout.read1(4096)
        assert chunk, "plain mode ended before the first turn"
        seen += chunk
    proc.stdout.close()  # the reader leaves
    assert proc.wait(timeout=HANG_SECONDS) == 0
    assert proc.stderr.read() == b""
    proc.stderr.close()
    saved = [json.loads(p.read_text()) for p in saves_dir.glob("autosave*.json")]
    assert saved and max(len(doc["log"]) for doc in saved) == 1
