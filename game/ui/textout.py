"""Styled lines as plain text: paragraphs wrapped, a blank line around prose.

One layout for everything written as plain text during play: plain mode's
output and the in-game transcript (scribe.py), so a transcript reads exactly
as plain mode did. Bullets ("- ") are left out and the item indented instead:
plain mode is what screen readers read, and a dash read aloud before every
line of a list is noise (README, "Accessibility").
"""

from __future__ import annotations

import textwrap

from ..safetext import printable
from .render import Line

PARAGRAPH_STYLES = {"class:title", "class:text", "class:outcome", "class:ending"}
INDENT = "  "


def plain_text(lines: list[Line], width: int) -> str:
    """The lines as text: each wrapped to width, paragraphs (prose) set off by blank lines."""
    out: list[str] = []
    previous = ""
    for style, text in lines:
        text = printable(text, limit=0, keep="\n")  # save files and errors may quote anything
        kind = "para" if style in PARAGRAPH_STYLES else "line"
        if style == "class:echo":  # what the player typed (the full UI's transcript)
            text = "> " + text
        if previous and (kind == "para" or previous == "para"):
            out.append("\n")
        for number, paragraph in enumerate(text.split("\n\n")):
            if number:
                out.append("\n")
            indent = ""
            if paragraph.lstrip().startswith("- "):
                paragraph, indent = paragraph.lstrip()[2:], INDENT
            for line in paragraph.split("\n"):  # a line break the writer kept (a `lines:` paragraph)
                out.append(textwrap.fill(" ".join(line.split()), width=max(20, width - 1), initial_indent=indent,
                                         subsequent_indent=indent) + "\n")
        previous = kind
    if lines:
        out.append("\n")
    return "".join(out)
