"""Diagnostics: every problem found in a story, with where it is.

Format follows compilers (and Ren'Py's lint): ``path:line:col: error: message``
so that editors and terminals can jump to the place.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .safetext import printable


class Pos(NamedTuple):
    """A place in a file: 1-based line and column, as editors count them.

    A named tuple, not a dataclass: the loader records a position for every
    key and value of a story (over a million in a 10,000-scene story), and a
    tuple is about half the cost to make. It is immutable and orders by
    path, line, column, as the frozen dataclass did.
    """

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        path = printable(self.path)  # a file name from a stranger's folder may hold anything
        if self.line:
            return f"{path}:{self.line}:{self.col}"
        return path

    def shifted(self, columns: int) -> Pos:
        return Pos(self.path, self.line, self.col + columns)


@dataclass(frozen=True)
class Diagnostic:
    pos: Pos
    severity: str  # "error" | "warning" | "note" (what the check itself could not do)
    message: str
    code: str = ""  # stable short name, used by tests and --json consumers

    def __post_init__(self) -> None:
        # Messages quote the writer's text (a key, a name): keep them one line
        # and free of terminal control characters, whoever prints them.
        object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        return f"{self.pos}: {self.severity}: {self.message}"

    def to_json(self) -> dict:
        return {
            "path": self.pos.path,
            "line": self.pos.line,
            "col": self.pos.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class Report:
    """Collects diagnostics so that one pass reports every problem at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, pos: Pos, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(pos, "error", message, code))

    def warning(self, pos: Pos, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(pos, "warning", message, code))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.pos, d.severity, d.message))


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix when a known name is close, else ''."""
    close = _closest(name, tuple(known))
    return f" (did you mean '{close}'?)" if close else ""


@functools.lru_cache(maxsize=512)
def _closest(name: str, known: tuple[str, ...]) -> str:
    # Comparing with every id costs ~50 ms among 1,000 scenes, and a renamed scene is often
    # mistyped the same way in many places (and the editor checks again on every keystroke).
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return close[0] if close else ""
