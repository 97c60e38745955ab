"""A real `play.py serve` on a random loopback port, and players that connect to it.

ServerProcess starts the server as a child process (as an operator would) and
stops it with SIGTERM; Player connects with asyncssh's client, with its own
key (or as a guest), asks for a pty or not, and reads what it is sent: a
pty's output goes through pyte, a terminal emulator, so tests check the
screen a player would see, never raw escape sequences.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import asyncssh
import pyte

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "sample"
LOOSE = ["--connects-per-minute", "10000", "--max-per-address", "100"]  # many connections from 127.0.0.1
WAIT = 20.0  # seconds to wait for anything the server should do at once (a loaded CI machine is slow)
ENTER = "\r"


class ServerProcess:
    def __init__(self, data: Path, *flags: str, story: Path = SAMPLE):
        self.data = data
        command = [sys.executable, str(ROOT / "play.py"), "serve", "--port", "0", "--story", str(story),
                   "--data", str(data), *flags]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     cwd=ROOT, start_new_session=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            line = self.wait_for_line("players connect with")
        except AssertionError:
            self.proc.kill()
            self.stop()  # reaps it and closes the pipe
            raise
        self.port = int(re.search(r"-p (\d+)", line)[1])
        self.fingerprint = re.search(r"fingerprint (\S+)", self.wait_for_line("fingerprint"))[1]

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, text: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"the server never said {text!r}; it said:\n" + "\n".join(self.lines))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("the server did not stop within the grace period") from None
        self._reader.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code

    def player_folders(self) -> list[Path]:
        return sorted(p for p in (self.data / "players").iterdir() if p.is_dir())


class GuestClient(asyncssh.SSHClient):
    """A client with no key that answers keyboard-interactive (a guest)."""

    def kbdint_auth_requested(self) -> str:
        return ""

    def kbdint_challenge_received(self, name, instructions, lang, prompts):
        return [""] * len(prompts)


def new_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


async def connect(port: int, key: asyncssh.SSHKey | None, username: str = "player") -> asyncssh.SSHClientConnection:
    if key is None:
        return await asyncssh.connect("127.0.0.1", port, username=username, client_keys=None, known_hosts=None,
                                      agent_path=None, client_factory=GuestClient, config=None,
                                      preferred_auth="keyboard-interactive")
    return await asyncssh.connect("127.0.0.1", port, username=username, client_keys=[key], known_hosts=None,
                                  agent_path=None, config=None, preferred_auth="publickey")


class Player:
    """One connected player: a session with a pty (a pyte screen) or without (plain text)."""

    def __init__(self, conn: asyncssh.SSHClientConnection, process: asyncssh.SSHClientProcess,
                 size: tuple[int, int] | None):
        self.conn = conn
        self.process = process
        self.text = ""  # everything received, as text
        self.screen = pyte.Screen(*size) if size else None
        self.stream = pyte.Stream(self.screen) if self.screen else None
        self.changed = asyncio.Event()
        self.closed = False
        self._reader = asyncio.get_running_loop().create_task(self._read())
        _OPEN.append(self)

    @classmethod
    async def join(cls, port: int, key: asyncssh.SSHKey | None, size: tuple[int, int] | None = (80, 24),
                   term: str = "xterm-256color", env: dict[str, str] | None = None) -> Player:
        conn = await connect(port, key)
        if size is None:
            process = await conn.create_process(env=env or {})
        else:
            process = await conn.create_process(term_type=term, term_size=size, env=env or {})
        return cls(conn, process, size)

    async def _read(self) -> None:
        try:
            while True:
                data = await self.process.stdout.read(65536)
                if not data:
                    break
                self.text += data
                if self.stream is not None:
                    self.stream.feed(data)
                self.changed.set()
        except (asyncssh.Error, OSError):
            pass
        finally:
            self.closed = True
            self.changed.set()

    def shown(self) -> str:
        """The screen as text (with a pty), or everything received (without)."""
        if self.screen is None:
            return self.text
        return "\n".join(line.rstrip() for line in self.screen.display)

    async def wait_for(self, text: str | re.Pattern[str], timeout: float = WAIT) -> str:
        """Wait until the screen (or the text received) shows text; the screen then."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.shown()
            if (text.search(shown) if isinstance(text, re.Pattern) else text in shown):
                return shown
            if self.closed or time.monotonic() > deadline:
                raise AssertionError(f"never saw {text!r}; the screen:\n{shown}")
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), max(0.01, deadline - time.monotonic()))

    async def wait_closed(self, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while not self.closed:
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not close the session; the screen:\n{self.shown()}")
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 0.2)

    def mark(self) -> int:
        return len(self.text)

    async def wait_for_prompt(self, since: int, timeout: float = WAIT) -> str:
        """Plain mode: wait for the next '> ' prompt after position since; the text in between."""
        deadline = time.monotonic() + timeout
        while not self.text.endswith("> ") or len(self.text) <= since:
            if self.closed or time.monotonic() > deadline:
                raise AssertionError(f"no prompt; got:\n{self.text[since:]}")
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 0.2)
        return self.text[since:]

    def type(self, keys: str) -> None:
        self.process.stdin.write(keys)

    async def close(self) -> None:
        self.conn.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.conn.wait_closed(), 5)
        self._reader.cancel()
        with contextlib.suppress(BaseException):
            await self._reader


_OPEN: list[Player] = []  # players of the scenario running now, closed when it ends


def run(coro) -> object:
    """Run a scenario; every connection it opened is closed after it, whatever happened."""

    async def scenario():
        try:
            return await coro
        finally:
            while _OPEN:
                await _OPEN.pop().close()

    return asyncio.run(scenario())


def autosave_turns(saves: Path) -> list[int]:
    """The turn of each autosave in the ring, newest first."""
    import json

    turns = []
    for number in range(1, 6):
        path = saves / f"autosave-{number}.json"
        if path.exists():
            turns.append(len(json.loads(path.read_text())["log"]))
    return turns


async def ring_becomes(saves: Path, turns: list[int], timeout: float = WAIT) -> None:
    """Wait until the autosave ring holds these turns (the server writes autosaves
    on a worker thread, a moment after the turn is shown)."""
    deadline = time.monotonic() + timeout
    while autosave_turns(saves) != turns:
        if time.monotonic() > deadline:
            raise AssertionError(f"the autosave ring holds turns {autosave_turns(saves)}, not {turns}")
        await asyncio.sleep(0.02)


def only_player_saves(server: ServerProcess) -> Path:
    folders = server.player_folders()
    assert len(folders) == 1, folders
    return folders[0] / "saves"


def kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
