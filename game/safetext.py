"""Untrusted text made safe to print on a terminal, in one line.

Story folders and save files come from strangers, and their text ends up in
messages (a key name in a diagnostic, a slot title in a listing). A control
character there could break the one-line error format (a newline) or make
the terminal act (ESC starts an escape sequence: clear the screen, set the
window title, in old terminals even answer back). printable() shows such
characters as escapes (\\n, \\x1b) instead, and cuts runaway text short.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls and DEL (terminals act on these), line and paragraph
# separators, and lone surrogates (they cannot be encoded for output).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
MAX_LENGTH = 1000


def printable(text: str, limit: int = MAX_LENGTH, keep: str = "") -> str:
    """text with unsafe characters escaped (except those in keep, e.g. '\\n'),
    at most about limit characters long (0: no limit)."""
    if limit and len(text) > limit:
        text = text[:limit] + "…"
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else repr(m.group())[1:-1], text)


LABEL_LENGTH = 48


def label(name: str, limit: int = LABEL_LENGTH) -> str:
    """A name that came from outside (a file name in the saves folder), made fit
    for one line of a menu or a listing: every character that is not printable
    is escaped — controls, but also format characters such as a right-to-left
    override or a zero-width space, and the lone surrogates an undecodable file
    name turns into — and the result is cut to at most limit terminal cells."""
    if not name.isprintable():
        name = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name)
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
