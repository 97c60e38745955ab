"""A parse cache for loaders that run again and again on the same folder.

The language server (game.lsp) loads the story on every edit and `--watch`
on every save; most files have not changed since the last time. The cache
keeps, per file, the text it last parsed and what parsing it gave (the
values, the problems parsing reported, what it cost the story's budget), so
a file whose text is the same is not parsed again. Keyed by the file's text
itself, not its modification time: an editor's unsaved buffer has none, and
comparing two equal strings is cheap next to parsing them.

The loader only reads what the cache hands back (nothing in game.loader
changes a parsed value), so one parse can serve every later load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic


@dataclass(frozen=True)
class Parsed:
    """One file's parse: the values (None if empty or broken) and what it reported."""

    text: str
    data: Any
    diagnostics: tuple[Diagnostic, ...]
    cost: int  # values counted against the story's budget (yamlsrc.Budget.used)


class ParseCache:
    """The last parse of each file, by its display path."""

    def __init__(self) -> None:
        self._entries: dict[str, Parsed] = {}
        self.hits = 0
        self.misses = 0

    def get(self, display: str, text: str) -> Parsed | None:
        entry = self._entries.get(display)
        if entry is not None and entry.text == text:
            self.hits += 1
            return entry
        self.misses += 1
        return None

    def put(self, display: str, parsed: Parsed) -> None:
        self._entries[display] = parsed

    def forget(self, keep: set[str]) -> None:
        """Drop the files not in keep (deleted or renamed since)."""
        for display in list(self._entries):
            if display not in keep:
                del self._entries[display]
