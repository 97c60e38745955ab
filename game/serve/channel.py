"""One SSH session channel: a shell request becomes a game, and nothing else is allowed.

Built on prompt-toolkit's own SSH glue (prompt_toolkit.contrib.ssh), which
runs an application in an app session whose input is fed from the channel and
whose output (a Vt100_Output for the client's TERM and window size) writes to
it; resizes reach the application as they happen. What we add around it:

- a pty decides the UI: full screen with one, plain line mode without one
  (`ssh -T`) or with TERM=dumb;
- the window size is clamped to the largest the server draws (Limits);
- input is metered (limits.InputMeter: bytes, and lines, which run commands):
  past the rate, what was typed waits and the channel stops reading, so SSH's
  flow control makes the client wait (nothing typed is lost, and no burst can
  hold the server's one event loop for long);
- when the client stops reading what we send, we stop reading what it types,
  so a client cannot make the server buffer output without end;
- exec and subsystem requests (scp, sftp, a command line) are refused, and a
  second shell on the same channel too;
- a dropped channel stops its game, which autosaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from prompt_toolkit.contrib.ssh import PromptToolkitSSHSession
from prompt_toolkit.data_structures import Size
from prompt_toolkit.output import ColorDepth

from .games import PLAIN_WIDTH, PlainGame, TuiGame
from .limits import InputMeter, clamp_size
from .saving import HostedSession

if TYPE_CHECKING:
    from .identity import Player
    from .server import GameHost

DELIVER_CHUNK = 1024  # characters passed to the game per turn of the event loop, at most
PLAIN_TERMS = ("dumb", "")  # terminals that cannot draw the full-screen UI
MONOCHROME_TERMS = ("vt52", "vt100", "vt102", "vt220")


def _drop_winch_handler() -> None:
    """Take away the loop's SIGWINCH handler when a game ends.

    Each running prompt-toolkit application installs its own SIGWINCH handler and,
    when it ends, puts back the one it found. With many games in one process ending
    in any order, a game that ends after an older one puts back that older, finished
    application's handler, which then keeps the whole finished game in memory
    (found under load by tests/serve/test_serve_lifecycle.py). A server never needs
    the handler: window sizes come over SSH (terminal_size_changed)."""
    winch = getattr(signal, "SIGWINCH", None)
    if winch is None:
        return
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(winch)


def color_depth_for(term: str, env: Mapping[str, str]) -> tuple[ColorDepth, bool]:
    """Colours from the client's TERM (and COLORTERM, NO_COLOR if its ssh sends them):
    (depth, monochrome). Unknown terminals get the 16 ANSI colours every one has."""
    if env.get("NO_COLOR"):
        return ColorDepth.MONOCHROME, True
    term = term.lower()
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit") or term.endswith("-direct"):
        return ColorDepth.TRUE_COLOR, False
    if "256color" in term:
        return ColorDepth.DEPTH_8_BIT, False
    if term in MONOCHROME_TERMS:
        return ColorDepth.MONOCHROME, True
    return ColorDepth.DEPTH_4_BIT, False


class GameChannel(PromptToolkitSSHSession):
    def __init__(self, host: GameHost, player: Player, address: str, on_close: Callable[[], None]):
        super().__init__(self._run_tui, enable_cpr=False)  # full screen: no cursor position queries
        self.host = host
        self.player = player
        self.address = address
        self.on_close = on_close
        self.channel: Any = None
        self.game: TuiGame | PlainGame | None = None
        self.shell = False
        self.plain: list[str] | None = None  # plain mode: input that came before its game (None: full screen)
        self.meter = InputMeter(host.limits.input_rate, host.limits.input_burst, time.monotonic())
        self._paused: set[str] = set()
        self._typed = ""  # received, not yet let through by the meter
        self._pump_later: asyncio.TimerHandle | None = None

    # -- what the client may ask for -------------------------------------------------

    def connection_made(self, chan: Any) -> None:
        self.channel = chan
        super().connection_made(chan)

    def shell_requested(self) -> bool:
        if self.shell:
            return False
        self.shell = True
        return True

    def exec_requested(self, command: str) -> bool:
        return False  # no commands: scp, rsync and `ssh host CMD` are refused

    def subsystem_requested(self, subsystem: str) -> bool:
        return False  # no sftp or any other subsystem

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal: str) -> None:
        pass

    # -- starting the game -----------------------------------------------------------

    def session_started(self) -> None:
        term = self.channel.get_terminal_type()
        if term is not None and term.lower() not in PLAIN_TERMS:
            super().session_started()  # prompt-toolkit's app session, then _run_tui
            return
        self.plain = []
        self._plain_task = asyncio.get_running_loop().create_task(self._run_plain(pty=term is not None))

    def _new_session(self) -> HostedSession:
        return HostedSession(self.host.story, self.player.saves, self.host.new_seed(), self.host.engine,
                             self.host.saver, self.host.limits.max_saves)

    async def _run_tui(self, _: PromptToolkitSSHSession) -> None:
        env = self.channel.get_environment()
        depth, mono = color_depth_for(self.channel.get_terminal_type() or "", env)
        game = TuiGame(self._new_session(), self.player, depth, mono)
        await self._play(game, game.run(self.stdout.write, lambda: self._get_size().columns))

    async def _run_plain(self, pty: bool) -> None:
        width = self._get_size().columns if pty else PLAIN_WIDTH
        game = PlainGame(self._new_session(), self.player, self._write, width, pty, self._pause_for_backlog)
        for early in self.plain or ():
            game.feed(early)
        await self._play(game, game.run())

    async def _play(self, game: TuiGame | PlainGame, playing: Any) -> None:
        self.game = game
        self.host.games.add(game)
        try:
            await playing
        except Exception as exc:  # a bug: the player's last autosave stands; say so in the log
            self.host.log(f"game of {self.player.describe()} failed: {type(exc).__name__}: {exc}")
            self._write("\r\nSomething went wrong on the server; your last autosave is kept.\r\n")
        finally:
            _drop_winch_handler()
            await game.session.flush()  # the last autosave is on disk before the game counts as over
            self.host.games.discard(game)
            self.host.game_over(self.player)
            with contextlib.suppress(Exception):  # the channel may be gone already
                self.channel.exit(0)

    # -- input and output --------------------------------------------------------------

    def _get_size(self) -> Size:
        size = super()._get_size()
        columns, rows = clamp_size(size.columns, size.rows, self.host.limits)
        return Size(rows=rows, columns=columns)

    def _write(self, text: str) -> None:
        with contextlib.suppress(Exception):  # a closed channel: the game still ends and autosaves
            self.channel.write(text)

    def data_received(self, data: str, datatype: object) -> None:
        if self.game is not None:
            self.game.last_input = time.monotonic()
        self._typed += data
        if self._pump_later is None:
            self._pump()

    def _pump(self) -> None:
        """Pass on what the input meter allows now; stop reading until the rest may go."""
        self._pump_later = None
        allowed, wait = self.meter.admit(self._typed[:DELIVER_CHUNK], time.monotonic())
        chunk, self._typed = self._typed[:allowed], self._typed[allowed:]
        if chunk:
            self._deliver(chunk)
        if self._typed:
            self._pause("rate", True)
            # Even within the rate, a chunk at a time: prompt-toolkit's input pipe is an OS pipe
            # written without blocking checks, and it reads 1 KB a turn of the event loop.
            self._pump_later = asyncio.get_running_loop().call_later(wait, self._pump)
        else:
            self._pause("rate", False)

    def _deliver(self, data: str) -> None:
        if self.plain is None:
            super().data_received(data, None)  # the full-screen UI's input pipe
        elif self.game is None:
            self.plain.append(data)  # typed before the game was set up: kept for it
        elif isinstance(self.game, PlainGame):
            self.game.feed(data)

    def eof_received(self) -> bool:
        if isinstance(self.game, PlainGame):
            self.game.end_of_input()
        elif self.game is not None:
            self.game.stop("")
        return True  # keep the channel open to say goodbye; the game closes it

    def pause_writing(self) -> None:
        self._pause("output", True)  # the client is not reading: stop taking its input

    def resume_writing(self) -> None:
        self._pause("output", False)

    def _pause_for_backlog(self, on: bool) -> None:
        self._pause("backlog", on)

    def _pause(self, reason: str, on: bool) -> None:
        was = bool(self._paused)
        if on:
            self._paused.add(reason)
        else:
            self._paused.discard(reason)
        with contextlib.suppress(Exception):  # the channel may have closed meanwhile
            if self._paused and not was:
                self.channel.pause_reading()
            elif was and not self._paused:
                self.channel.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        """The client went away (or the server closed the channel): the game ends, autosaving."""
        if self._pump_later is not None:
            self._pump_later.cancel()
        if self.game is not None:
            self.game.stop("")
        self.on_close()
        super().connection_lost(exc)
