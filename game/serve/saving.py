"""A game's saves on the server: autosaves off the event loop, and bounds on what a
player can make the server keep.

Locally an autosave is a few milliseconds the player never notices. On the
server every game shares one event loop, and an autosave's fsyncs and
renames (5 to 10 ms of waiting for the disk) would stall every other
player's screen. HostedSession keeps Session's behaviour (every turn
autosaves, the same ring, the same lock) but hands the write to a worker
thread with a copy of the playthrough:

- one write at a time per game, in turn order; if turns come faster than the
  disk, the newest state waiting replaces an older one still waiting (the
  ring then skips a turn, never goes back in time);
- a failed write is reported on the next turn, as a failed autosave is
  locally, and the same state is tried again then;
- flush() waits for the last write: the game is not over (and a guest's
  folder not removed, the server not stopped) until its autosave is on disk.

A stranger must not be able to fill the server's disk: named saves are
capped per player (--max-saves; overwriting one is always allowed), and the
in-game transcript is refused, since it would grow without end in a file
the player cannot fetch (no scp, no sftp); their own terminal can keep one.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from pathlib import Path

from .. import saves
from ..engine import Engine
from ..errors import SaveError
from ..state import Playthrough
from ..story import Story
from ..ui.scribe import Scribe
from ..ui.session import Session

NO_TRANSCRIPTS = ("this server does not keep transcripts (you could not fetch them); keep your own: "
                  "'ssh -T ... | tee case.txt', or your terminal's logging")


class NoTranscripts(Scribe):
    def start(self, raw: str, heading: str) -> Path:
        raise SaveError(NO_TRANSCRIPTS)


class HostedSession(Session):
    def __init__(self, story: Story, saves_dir: Path, seed: int, engine: Engine, executor: Executor,
                 max_saves: int):
        self._executor = executor
        self.max_saves = max_saves
        self._writing: asyncio.Future[Path] | None = None
        self._waiting: Playthrough | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.failure = ""  # the last write's error, until a write works
        super().__init__(story, saves_dir, seed=seed, engine=engine)
        self.scribe = NoTranscripts(saves_dir)

    def save(self, slot: str) -> Path:
        """A named save; a new name only while the player has fewer than max_saves."""
        name = saves.writable_slot(slot)
        if not saves.slot_path(self.saves_dir, name).exists():
            named = [path for path in self.saves_dir.glob("*" + saves.SUFFIX) if not saves.is_autosave(path.stem)]
            if len(named) >= self.max_saves:
                raise SaveError(f"this server keeps at most {self.max_saves} saves a player; save over one "
                                "of yours ('saves' lists them)")
        return super().save(name)

    def autosave(self) -> Path | None:
        """Queue this state for the autosave ring; None (the path is known once written)."""
        key = (self.pt.seed, tuple(self.pt.log))
        if key == self._autosaved:
            return None
        self._autosaved = key
        self._waiting = self.pt.copy()
        if self._writing is None:
            self._write_next()
        return None

    def try_autosave(self, once: bool = False) -> str:
        self.autosave()
        warning = self.failure
        repeated = warning == self._autosave_warning
        self._autosave_warning = warning
        return "" if once and repeated else warning

    async def flush(self) -> str:
        """Wait until every queued autosave is written; the failure of the last, if any."""
        await self._idle.wait()
        return self.failure

    def _write_next(self) -> None:
        pt, self._waiting = self._waiting, None
        assert pt is not None
        self._idle.clear()
        loop = asyncio.get_running_loop()
        self._writing = loop.run_in_executor(self._executor, saves.autosave, self.saves_dir, self.story, pt)
        self._writing.add_done_callback(self._written)

    def _written(self, done: asyncio.Future[Path]) -> None:
        self._writing = None
        error = done.exception() if not done.cancelled() else SaveError("the autosave was cancelled")
        if error is None:
            self.failure = ""
        else:
            reason = str(error) if isinstance(error, SaveError) else f"{type(error).__name__}: {error}"
            self.failure = f"Autosave failed: {reason}"
            self._autosaved = None  # try this state again next time
        if self._waiting is not None:
            self._write_next()
        else:
            self._idle.set()
