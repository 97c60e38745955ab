"""Earlier commands, for Ctrl-P/Ctrl-N (and Up/Down while a command is typed).

Kept by hand rather than with prompt-toolkit's History: its history loads in
the background after every line, so a key pressed straight after Enter
(a fast typist, pasted input, a test) could not see the line just entered.
Walking back only visits entries that start with what was typed, as in
fish or IPython: type "sa", press Ctrl-P, get the last save command.
"""

from __future__ import annotations

MAX_ENTRIES = 200


class CommandHistory:
    def __init__(self) -> None:
        self.entries: list[str] = []
        self._index: int | None = None  # position while walking; None when not walking
        self._draft = ""  # what was typed before the walk started

    def add(self, line: str) -> None:
        self._index = None
        if line and (not self.entries or self.entries[-1] != line):
            self.entries.append(line)
            del self.entries[:-MAX_ENTRIES]

    def back(self, current: str) -> str:
        """The previous entry matching the typed start (or current, if there is none)."""
        if self._index is None:
            self._draft, start = current, len(self.entries)
        else:
            start = self._index
        for index in range(start - 1, -1, -1):
            if self.entries[index].startswith(self._draft):
                self._index = index
                return self.entries[index]
        return current

    def forward(self, current: str) -> str:
        """The next matching entry; past the newest, what was typed before the walk."""
        if self._index is None:
            return current
        for index in range(self._index + 1, len(self.entries)):
            if self.entries[index].startswith(self._draft):
                self._index = index
                return self.entries[index]
        self._index = None
        return self._draft

    def stop(self) -> None:
        """The player edited the line: the next walk starts from the newest entry."""
        self._index = None
