"""`play.py` in a real pseudo-terminal, with the screen as a player sees it.

pexpect runs the game in a pty; everything it writes is fed to pyte, a
terminal emulator, so a test can read the screen row by row (and each
cell's colours) instead of guessing from the stream of escape codes the
full-screen UI redraws with.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

ROOT = Path(__file__).resolve().parent.parent
# The game to run: this checkout, or (AKA_PLAY_ROOT) another one with its own stories, to see a
# test fail without a fix.
GAME = Path(os.environ.get("AKA_PLAY_ROOT", ROOT))
SAMPLE = GAME / "tests" / "data" / "sample"
TIMEOUT = 20
UP, DOWN, ENTER, TAB, ESC = "\x1b[A", "\x1b[B", "\r", "\t", "\x1b"
PAGE_UP, PAGE_DOWN = "\x1b[5~", "\x1b[6~"


class Terminal:
    def __init__(self, *args: str, rows: int = 24, cols: int = 80, story: Path = SAMPLE,
                 env: dict[str, str] | None = None, seed: int = 1):
        full_env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
        full_env.pop("NO_COLOR", None)
        full_env.update(env or {})
        argv = ["play.py", "--story", str(story), "--seed", str(seed), *args]
        self.child = pexpect.spawn(sys.executable, argv, cwd=str(GAME), env=full_env, dimensions=(rows, cols),
                                   timeout=TIMEOUT)
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)

    # -- reading ----------------------------------------------------------

    def pump(self, seconds: float = 0.05) -> None:
        """Feed whatever the game has written (waiting up to `seconds` for the first bytes)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                data = self.child.read_nonblocking(65536, timeout=max(0.0, deadline - time.monotonic()))
            except pexpect.TIMEOUT:
                return
            except pexpect.EOF:
                return
            self.stream.feed(data)
            deadline = time.monotonic() + 0.05  # keep reading while it is still drawing

    @property
    def rows(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    @property
    def text(self) -> str:
        return "\n".join(self.rows)

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> None:
        """Until `text` is on the screen (AssertionError with the screen if it never is)."""
        deadline = time.monotonic() + timeout
        while text not in self.text:
            if time.monotonic() > deadline or not self.child.isalive():
                raise AssertionError(f"{text!r} never appeared; the screen:\n{self.text}")
            self.pump(0.1)

    def settle(self, quiet: float = 0.3) -> None:
        """Until the game has drawn nothing new for `quiet` seconds."""
        before = None
        while before != self.text:
            before = self.text
            self.pump(quiet)

    # -- typing -----------------------------------------------------------

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def type_line(self, line: str, wait: str | None = None) -> None:
        self.child.send(line + ENTER)
        if wait is not None:
            self.wait_for(wait)
        else:
            self.settle()

    def quit(self) -> int:
        self.child.sendcontrol("d")
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus
