"""The in-game transcript (Inform's TRANSCRIPT): what happens, written to a file as it happens.

`transcript NAME` starts writing to saves/transcripts/NAME.txt (added to the
end if it exists), `transcript off` stops. Everything the player reads goes
in, laid out as plain mode shows it (textout.py), with what they typed after
'> '. The name is a plain file name, like a save's: letters, digits, '-' and
'_', so it can never reach outside the transcripts folder; the file is opened
without following a link and must be a regular file (docs/SECURITY.md).
A failed write stops the transcript and says so once; the game goes on.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path
from typing import TextIO

from ..errors import SaveError
from ..safetext import label
from .render import Line
from .textout import plain_text

FOLDER = "transcripts"
SUFFIX = ".txt"
WIDTH = 78
MAX_NAME = 40
DEFAULT_NAME = "transcript"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}


def transcript_name(raw: str) -> str:
    """A transcript's file name (without .txt) from what the player typed, or SaveError saying why not."""
    name = "-".join(raw.strip().lower().split()).removesuffix(SUFFIX) or DEFAULT_NAME
    if len(name) > MAX_NAME or not _NAME_RE.match(name) or name in _RESERVED:
        shown = label(raw.strip(), limit=MAX_NAME)
        raise SaveError(f"'{shown}' cannot be a transcript name: use up to {MAX_NAME} letters, digits, "
                        "'-' and '_' (no folders, no dots); the file goes in the saves folder's "
                        f"'{FOLDER}' folder")
    return name


class Scribe:
    def __init__(self, saves_dir: Path):
        self.folder = saves_dir / FOLDER
        self.path: Path | None = None
        self._out: TextIO | None = None
        self.problem = ""  # why writing stopped, to tell the player once (take_problem)

    @property
    def active(self) -> bool:
        return self._out is not None

    def start(self, raw: str, heading: str) -> Path:
        """Start writing to the named transcript (stopping any other first)."""
        path = self.folder / (transcript_name(raw) + SUFFIX)
        self.stop()
        try:
            if self.folder.is_symlink():
                raise SaveError(f"{self.folder} is a link; transcripts are written only to a real folder")
            self.folder.mkdir(parents=True, exist_ok=True)
            flags = (os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            raise SaveError(f"cannot write the transcript {path}: {_why(exc)}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise SaveError(f"{path} is not a regular file; pick another transcript name")
        self._out = os.fdopen(fd, "w", encoding="utf-8", errors="replace")
        self.path = path
        self._put(f"=== {heading} ===\n\n")
        return path

    def stop(self, closing: str = "") -> Path | None:
        """Stop writing; returns the file that was being written (None if none was)."""
        if self._out is None:
            return None
        if closing:
            self._put(f"=== {closing} ===\n\n")
        out, self._out = self._out, None
        try:
            out.close()
        except OSError as exc:
            self.problem = self.problem or f"the transcript {self.path} may be incomplete: {_why(exc)}"
        return self.path

    def write(self, lines: list[Line]) -> None:
        if self._out is not None and lines:
            self._put(plain_text(lines, WIDTH))

    def echo(self, typed: str) -> None:
        """What the player typed, as a line of the transcript."""
        if self._out is not None and typed.strip():
            self._put(f"> {typed.strip()}\n\n")

    def take_problem(self) -> str:
        problem, self.problem = self.problem, ""
        return problem

    def _put(self, text: str) -> None:
        assert self._out is not None
        try:
            self._out.write(text)
            self._out.flush()
        except OSError as exc:
            self.problem = f"the transcript stopped: cannot write {self.path}: {_why(exc)}"
            out, self._out = self._out, None
            with contextlib.suppress(OSError):
                out.close()


def _why(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)
