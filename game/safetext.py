"""Text from a file, made safe to show on a terminal in one line: one rule for all of it.

Story folders and save files come from strangers, and their text ends up on
the screen: a key name in a diagnostic, a scene id in a replay error, a
title in a save listing, a file's name in a menu, the story's own prose. A
control character there could break the one-line error format (a newline)
or make the terminal act (ESC starts an escape sequence: clear the screen,
set the window title, in old terminals even answer back); a format character
(a right-to-left override, a zero-width space) changes how the rest of the
line reads without being seen. printable() shows every such character as an
escape (\\x1b, \\n, \\u202e) and cuts runaway text short; label() does the same
for a name in a menu and cuts it to a number of terminal cells.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 1000


def printable(text: str, limit: int = MAX_LENGTH, keep: str = "") -> str:
    """text with every character that is not printable escaped — C0 and C1
    controls and DEL, format characters (bidi overrides and isolates, zero-width
    spaces and joiners, the BOM), line and paragraph separators, lone surrogates,
    private-use and unassigned code points — except those in keep (e.g. '\\n');
    at most about limit characters long (0: no limit). Spaces of any width stay."""
    if limit and len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():  # the common case, tested in C
        return text
    if keep:
        # each kept character splits the text; the parts take the fast path above
        for ch in keep:
            if ch in text:
                return ch.join(printable(part, 0, keep.replace(ch, "")) for part in text.split(ch))
    return "".join(ch if ch.isprintable() or unicodedata.category(ch) == "Zs" else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    return repr(ch)[1:-1]  # '\x1b', '\n', '\u202e', '\udcff', '\U000e0001'


LABEL_LENGTH = 48


def label(name: str, limit: int = LABEL_LENGTH) -> str:
    """A name that came from outside (a file name in the saves folder, a save's
    title), made fit for one line of a menu or a listing: escaped as printable()
    does, and cut to at most limit terminal cells (0: not cut)."""
    name = printable(name, limit=0)
    if not limit or cells(name) <= limit:
        return name
    used = 0
    for index, ch in enumerate(name):
        used += cells(ch)
        if used > limit - 1:  # leave a cell for the ellipsis
            return name[:index] + "…"
    return name  # not reached: the whole name is wider than limit


def cells(text: str) -> int:
    """How many terminal columns text takes (wide East Asian characters two,
    combining marks none), for lining up columns without prompt-toolkit."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)
