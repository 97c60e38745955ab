"""The games being played on the server: one per SSH session, in the full-screen UI
or in plain mode, and the registry the server stops them through.

A game ends in one of four ways, and every one of them autosaves a game in
progress first (the UIs' own leave, as Ctrl-D or 'quit' do): the player
quits; the connection drops; the player is idle too long; the server shuts
down. The last two tell the player why before the channel closes.
"""

from __future__ import annotations

import asyncio
import io
import textwrap
import time
from collections.abc import Callable
from typing import Protocol

from prompt_toolkit.output import ColorDepth

from .. import saves
from ..errors import SaveError
from ..safetext import printable
from ..ui.plain import PlainUI
from ..ui.tui import TerminalUI
from .identity import Player
from .lines import LineReader
from .saving import HostedSession

COME_BACK = "Connect again and choose Continue to pick it up."
PLAIN_COME_BACK = "Connect again to pick it up where you left it."
PLAIN_WIDTH = 80  # without a pty there is no width; the usual terminal's
BACKLOG = 32  # lines typed ahead before plain mode stops reading (SSH flow control holds the rest)


class Game(Protocol):
    player: Player
    session: HostedSession
    last_input: float

    def stop(self, notice: str) -> None:
        """Autosave, tell the player notice (if the channel is still there), end."""


class Games:
    """Every game in progress, for the idle watch and for shutdown."""

    def __init__(self) -> None:
        self.live: set[Game] = set()

    def add(self, game: Game) -> None:
        self.live.add(game)

    def discard(self, game: Game) -> None:
        self.live.discard(game)

    def stop_all(self, notice: str) -> None:
        for game in list(self.live):
            game.stop(notice)

    def stop_idle(self, idle_seconds: float, now: float) -> int:
        """Stop the games nobody typed in for idle_seconds; how many."""
        idle = [g for g in self.live if now - g.last_input >= idle_seconds]
        minutes = idle_seconds / 60
        shown = f"{minutes:g} minute{'s' * (minutes != 1)}" if idle_seconds >= 60 else f"{idle_seconds:g} seconds"
        for game in idle:
            game.stop(f"Closed after {shown} without a key pressed.")
        return len(idle)


class TuiGame:
    """The full-screen UI on a pty channel (run inside prompt-toolkit's app session
    for the channel, which gives TerminalUI the channel's input and output)."""

    def __init__(self, session: HostedSession, player: Player, color_depth: ColorDepth, monochrome: bool):
        self.player = player
        self.session = session
        self.last_input = time.monotonic()
        self.ui = TerminalUI(session, monochrome=monochrome, color_depth=color_depth, hosted=True)
        self._pending = ""  # a stop asked before the app was running
        self._stopped = False
        self.ui.app.pre_run_callables.append(self._started)

    def stop(self, notice: str) -> None:
        if self._stopped:
            return
        if not self.ui.app.is_running:
            self._pending = notice or " "
            return
        self._stopped = True
        self.ui.stop(notice)

    def _started(self) -> None:
        if self._pending:
            self.stop(self._pending.strip())

    async def run(self, write: Callable[[str], None], width: Callable[[], int]) -> None:
        await self.ui.run_async()
        failure = await self.session.flush()
        farewell = self.ui.farewell
        if failure and farewell:  # the goodbye said 'Autosaved', but the write failed after all
            farewell = failure
        if farewell:  # back on the normal screen, where the terminal wraps at any letter
            write(textwrap.fill(farewell, max(20, width() - 1)) + "\n")


class ChannelText(io.TextIOBase):
    """Plain mode's stdout: text to the channel (\\n as \\r\\n when the client's terminal is raw)."""

    def __init__(self, write: Callable[[str], None], crlf: bool):
        self._write = write
        self.crlf = crlf

    def write(self, text: str) -> int:
        self._write(text.replace("\n", "\r\n") if self.crlf else text)
        return len(text)


class PlainGame:
    """Plain line mode on a channel: lines in through a queue, text out."""

    def __init__(self, session: HostedSession, player: Player, write: Callable[[str], None], width: int,
                 pty: bool, pause: Callable[[bool], None]):
        self.player = player
        self.last_input = time.monotonic()
        self.session = session
        self.out = ChannelText(write, crlf=pty)
        self.ui = PlainUI(session, io.StringIO(), self.out, width=min(width, 100))
        self.ui.come_back = PLAIN_COME_BACK
        self.reader = LineReader(echo=pty)
        self.lines: asyncio.Queue[str] = asyncio.Queue()
        self.pause = pause  # pause(True) stops reading the channel; pause(False) reads again
        self._ended = False

    def feed(self, data: str) -> None:
        if self._ended:
            return
        fed = self.reader.feed(data)
        if fed.echo:
            self.out.write(fed.echo.replace("\r\n", "\n"))
        for line in fed.lines:
            self.lines.put_nowait(line + "\n")
        if fed.ended:
            self.end_of_input()
        elif self.lines.qsize() >= BACKLOG:
            self.pause(True)

    def end_of_input(self) -> None:
        if not self._ended:
            self._ended = True
            self.lines.put_nowait("")  # PlainUI.handle('') leaves, autosaving

    def stop(self, notice: str) -> None:
        if notice and not self._ended:
            self.out.write(f"\n{notice}\n")
        self.end_of_input()

    async def run(self) -> None:
        self.ui.start(fresh=not self._resume())
        while True:
            self.ui.prompt()
            line = await self.lines.get()
            if self.lines.qsize() < BACKLOG // 2:
                self.pause(False)
            if self.ui.handle(line) is not None:
                failure = await self.session.flush()
                if failure:
                    self.out.write(failure + "\n")
                return

    def _resume(self) -> bool:
        """A returning player's newest autosave, loaded (plain mode has no title screen)."""
        if not saves.has_autosave(self.session.saves_dir):
            return False
        try:
            loaded = self.session.load(saves.AUTOSAVE)
        except SaveError as exc:
            self.out.write(f"Your autosave could not be loaded ({exc}); a new case begins.\n\n")
            return False
        self.out.write(f"Welcome back: your case resumes at turn {loaded.playthrough.turn}. "
                       "('restart' begins a new one; 'saves' lists your saves.)\n")
        for note in loaded.notes():
            self.out.write(printable(note) + "\n")  # notes quote the save file
        self.out.write("\n")
        return True
