"""Key fuzz end to end: `python play.py` in a real pseudo-terminal, hit by a
seeded burst of bytes a terminal (or a cat on the keyboard) can send.

test_fuzz_tui.py types hypothesis' keys into the UI through a pipe; this one
goes through everything a player's terminal goes through as well: the tty in
raw mode, prompt-toolkit's VT100 parser reading real bytes (split wherever
the kernel splits them), the real output stream and its encoding. The burst
mixes control characters, escape sequences (complete, cut short, unknown,
mouse and cursor-position reports, bracketed pastes with newlines), wide and
combining Unicode, bytes that are not UTF-8 and long lines. It leaves out
the four keys that legitimately end or stop the game (Ctrl-C, Ctrl-D,
Ctrl-Z, Ctrl-\\) and Ctrl-R/Ctrl-S (a history search would swallow the
commands below). Enter is only sent after clearing the line and typing a
harmless command, so the burst cannot quit the game on its own ('q').

Afterwards the game must still answer a command, quit on Ctrl-D with exit
code 0, have printed no traceback and no "Something went wrong", and leave
an autosave that loads.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from pathlib import Path

import pytest
from fuzzkit import ROOT, SAMPLE

from game import loader, saves
from game.engine import Engine

pexpect = pytest.importorskip("pexpect")

SEEDS = [20240917, 7]
SEGMENTS = 70  # pieces of junk per burst, each followed by a safe command now and then
TIMEOUT = 20

STOPPERS = {"\x03", "\x04", "\x1a", "\x1c"}  # Ctrl-C, Ctrl-D, Ctrl-Z, Ctrl-\: they end or stop the game
CONTROLS = [chr(c) for c in [*range(32), 127]
            if chr(c) not in STOPPERS | {"\r", "\n", "\x12", "\x13"}]  # Enter is sent on purpose only
ESCAPES = [
    "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[1;5A", "\x1b[5~", "\x1b[6~", "\x1b[H", "\x1b[F",
    "\x1bOP", "\x1b[15~", "\x1b[24~", "\x1b[Z", "\x1b", "\x1b\x1b", "\x1b[", "\x1b[1;", "\x1bO",
    "\x1b[M !!", "\x1b[M", "\x1b[1M", "\x1b[96;14;13M", "\x1b[<0;10;10M", "\x1b[<64;1;1m", "\x1b[12;40R", "\x1b[I", "\x1b[O",
    "\x1b]0;pwned\x07", "\x1bP+q544e\x1b\\", "\x1b[999999999999;1H", "\x1b[?1049h", "\x1b[6n", "\x1b[3~",
    "\x1bc", "\x1b[200~\x1b[201~",
]
UNICODE = ["\u6848\u4ef6", "\U0001f575\ufe0f\u200d\u2640\ufe0f", "\uff46\uff55\uff4c\uff4c",
           "e\u0301\u0301\u0301", "\u202eevil", "\u200b", "\ufeff", "\U0001f469\u200d\U0001f467", "\u0130",
           "\u00a0", "\u2028", "\U00010348"]
NOT_UTF8 = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80\x80"]
SAFE_COMMANDS = ["look", "clues", "status", "help", "history", "1", "2", "undo", "saves", "zzz junk",
                 "save fuzz-a", "load fuzz-a", "\u6848\u4ef6"]
CLEAR = "\x1b\x1b\x05\x15"  # Esc (closes a completion menu), Esc (empties the line), Ctrl-E, Ctrl-U


def _junk(rng: random.Random) -> bytes:
    kind = rng.choice(["controls", "escape", "unicode", "bytes", "long", "paste", "typing"])
    if kind == "controls":
        return "".join(rng.choices(CONTROLS, k=rng.randint(1, 8))).encode()
    if kind == "escape":
        return "".join(rng.choices(ESCAPES, k=rng.randint(1, 4))).encode()
    if kind == "unicode":
        return "".join(rng.choices(UNICODE, k=rng.randint(1, 6))).encode("utf-8", "surrogatepass")
    if kind == "bytes":
        return b"".join(rng.choices(NOT_UTF8, k=rng.randint(1, 4)))
    if kind == "long":  # a long line, some of it wide
        return ("".join(rng.choices("abc xyz\u6848", k=rng.randint(600, 2500)))).encode()
    if kind == "paste":  # a pasted paragraph with newlines, even 'quit' lines: one line, never run
        body = "\n".join(rng.choices(["quit", "q", "1", "look around", "\u6848\u4ef6", "x" * 300, ""], k=6))
        # "~~~" first completes whatever sequence the junk before cut short ("\x1b[M" waits
        # for three bytes): a real terminal never sends half a sequence and then a paste.
        return ("~~~\x1b[200~" + body.replace("\n", rng.choice(["\n", "\r\n", "\r"])) + "\x1b[201~").encode()
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789 -_.\t", k=rng.randint(1, 30))).encode()


def burst(seed: int) -> list[bytes]:
    """The pieces to send, in order: junk, and now and then a harmless command."""
    rng = random.Random(seed)
    pieces = []
    for _ in range(SEGMENTS):
        pieces.append(_junk(rng))
        if rng.random() < 0.3:
            pieces.append((CLEAR + rng.choice(SAFE_COMMANDS) + "\r").encode())
    return pieces


def _drain(child) -> None:
    """Read what the game drew, so it never blocks writing to a full terminal."""
    child.expect(pexpect.TIMEOUT, timeout=0.02)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_a_burst_of_random_keys_in_a_real_terminal(tmp_path: Path, seed: int) -> None:
    saves_dir = tmp_path / "saves"
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(sys.executable, ["play.py", "--story", str(SAMPLE), "--saves", str(saves_dir),
                                           "--seed", "1"], cwd=str(ROOT), env=env, dimensions=(24, 80),
                          timeout=TIMEOUT)
    child.delaybeforesend = None  # pexpect's default 50 ms pause per send is for humans watching
    child.logfile_read = seen = io.BytesIO()
    try:
        child.expect(b"New case")
        child.send(b"1\r")  # a new case: the burst lands in a game in progress
        child.expect(b"Desk")
        for piece in burst(seed):
            child.send(piece)
            _drain(child)
        child.send((CLEAR + CLEAR + "save fuzzcheck\r").encode())  # still answering?
        # Checked on disk: the screen is redrawn by differences, so the words need not
        # appear in the output in one piece.
        deadline = time.monotonic() + TIMEOUT
        while not (saves_dir / "fuzzcheck.json").is_file() and time.monotonic() < deadline:
            _drain(child)
        assert (saves_dir / "fuzzcheck.json").is_file(), f"seed {seed}: no answer to 'save fuzzcheck'"
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    shown = seen.getvalue().decode("utf-8", "replace")
    assert child.exitstatus == 0, f"seed {seed}: exit {child.exitstatus} / signal {child.signalstatus}"
    # prompt-toolkit's own report of an error that escaped the UI, and the UI's report of one it caught
    for sign in ("Traceback", "Unhandled exception", "Press ENTER", "Something went wrong"):
        assert sign not in shown, f"seed {seed}: {sign!r} on the screen"
    engine = Engine(loader.load(SAMPLE).story)
    assert saves.load_slot(saves_dir, "autosave", engine).fits  # left an autosave that loads
