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
