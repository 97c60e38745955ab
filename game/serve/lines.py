"""Lines out of raw keystrokes, for plain mode over SSH.

Without a pty (`ssh -T`, a script, a screen reader's setup) the client's own
terminal edits and echoes the line and sends it whole, so this only splits
lines. With a pty and TERM=dumb the client sends each key as typed, and a
real server's kernel tty would echo and edit; LineReader(echo=True) does that
much (echo, Backspace, Ctrl-U, Ctrl-C, Ctrl-D), so the player sees what they
type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LINE = 4096  # characters kept of one line; the command table reads the first 500 (commands.MAX_INPUT)
CTRL_C, CTRL_D, CTRL_U, BACKSPACES = "\x03", "\x04", "\x15", ("\x7f", "\b")


@dataclass
class Fed:
    """What one chunk of input gave: text to echo, complete lines, and whether input ended."""

    echo: str = ""
    lines: list[str] = field(default_factory=list)
    ended: bool = False


class LineReader:
    def __init__(self, echo: bool):
        self.echo = echo
        self.line: list[str] = []
        self._after_cr = False

    def feed(self, data: str) -> Fed:
        fed = Fed()
        echo: list[str] = []
        for ch in data:
            if ch == "\n" and self._after_cr:  # the \n of a \r\n pair: already ended the line
                self._after_cr = False
                continue
            self._after_cr = ch == "\r"
            if ch in "\r\n":
                fed.lines.append("".join(self.line))
                self.line.clear()
                echo.append("\r\n")
            elif self.echo and ch in BACKSPACES:
                if self.line:
                    self.line.pop()
                    echo.append("\b \b")
            elif self.echo and ch == CTRL_U:
                echo.append("\b \b" * len(self.line))
                self.line.clear()
            elif self.echo and ch == CTRL_C:  # as a terminal's interrupt: leave (the game autosaves)
                echo.append("^C\r\n")
                fed.ended = True
                break
            elif self.echo and ch == CTRL_D and not self.line:
                fed.ended = True
                break
            elif len(self.line) < MAX_LINE:
                self.line.append(ch)
                echo.append(ch if ch.isprintable() else "")  # an arrow key's escape must not move their cursor
        if self.echo:
            fed.echo = "".join(echo)
        return fed
