"""Word-wrapping styled text to a width, for the terminal UI.

prompt-toolkit's own line wrapping (Window(wrap_lines=True)) breaks lines at
any character, in the middle of words, which reads badly in prose. The story
view instead wraps by words here, at render time, with the width
prompt-toolkit hands it: nothing is stored wrapped, so a resized window is
simply wrapped again. Widths are terminal cells (wcwidth, as prompt-toolkit
measures them, with its get_cwidth), so wide characters count double.
"""

from __future__ import annotations

import re
from itertools import groupby
from operator import itemgetter

from prompt_toolkit.utils import get_cwidth

Fragment = tuple[str, str]  # (style, text), prompt-toolkit's formatted-text pair
Row = list[Fragment]
_SPACES = re.compile(r"\s+")


def cell_width(text: str) -> int:
    if text.isascii() and text.isprintable():  # the common case, and much the fastest
        return len(text)
    return get_cwidth(text)


def wrap(fragments: list[Fragment], width: int, indent: int = 0, first_prefix: Row | None = None,
         prefix: Row | None = None) -> list[Row]:
    """Wrap fragments into rows no wider than width, breaking at spaces.

    first_prefix is put in front of the first row, prefix in front of the
    others (a hanging indent, e.g. under a choice's number); both count
    towards the width. A word longer than a whole row is broken where it must.
    White space runs collapse to one space, as in HTML or Markdown prose.
    """
    width = max(1, width)
    first = list(first_prefix or [])
    rest = list(prefix or ([("", " " * indent)] if indent else []))
    words = _words(fragments)
    rows: list[Row] = []
    row: Row = list(first)
    used = _row_width(row)
    at_start = True  # no word on this row yet (prefixes do not count)
    for word in words:
        word_width = sum(cell_width(text) for _, text in word)
        space = 0 if at_start else 1
        if not at_start and used + space + word_width > width:
            rows.append(row)
            row, used, at_start, space = list(rest), _row_width(rest), True, 0
        if used + space + word_width <= width:
            if space:
                row.append((word[0][0], " "))
            row.extend(word)
            used += space + word_width
            at_start = False
            continue
        # The word does not fit even on an empty row: break it by cells.
        for style, text in word:
            for ch in text:
                ch_width = get_cwidth(ch)
                if used + ch_width > width and not at_start:
                    rows.append(row)
                    row, used = list(rest), _row_width(rest)
                    if used + ch_width > width:  # a prefix too wide for the window: drop it
                        row, used = [], 0
                row.append((style, ch))
                used += ch_width
                at_start = False
    rows.append(row)
    return [_merge(r) for r in rows]


def _words(fragments: list[Fragment]) -> list[Row]:
    """Split styled text into words; a word may span several styles."""
    words: list[Row] = []
    current: Row = []
    for style, text in fragments:
        for index, part in enumerate(_SPACES.split(text)):
            if index and current:  # white space came before this part: a word ended
                words.append(current)
                current = []
            if part:
                current.append((style, part))
    if current:
        words.append(current)
    return words


def _row_width(row: Row) -> int:
    return sum(cell_width(text) for _, text in row)


def _merge(row: Row) -> Row:
    """Join neighbouring fragments of the same style (fewer, longer writes)."""
    return [(style, "".join(text for _, text in group)) for style, group in groupby(row, key=itemgetter(0))]


def pack(segments: list[Row], width: int, separator: Fragment) -> list[Row]:
    """Lay whole segments (e.g. toolbar items) onto as few rows as fit the width.

    A segment is only split (by wrap) if it is wider than a row on its own.
    """
    rows: list[Row] = []
    row: Row = []
    used = 0
    sep_width = cell_width(separator[1])
    for segment in segments:
        seg_width = _row_width(segment)
        if row and used + sep_width + seg_width <= width:
            row.append(separator)
            row.extend(segment)
            used += sep_width + seg_width
            continue
        if row:
            rows.append(row)
        if seg_width <= width:
            row, used = list(segment), seg_width
        else:
            *full, last = wrap(segment, width)
            rows.extend(full)
            row, used = last, _row_width(last)
    if row:
        rows.append(row)
    return [_merge(r) for r in rows]
