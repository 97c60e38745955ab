"""Colours and attributes for the terminal UI's style classes: three themes.

The class names are the ones render.py gives its lines, plus a few of the
full UI's own. Nothing may depend on colour alone: every notice has a
leading mark or a word, the selected choice a '>' as well as reverse video,
a locked choice the word "locked" as well as dim text. With NO_COLOR set
(https://no-color.org) prompt-toolkit drops to monochrome by itself; we
also swap in a style that uses only bold, italic, underline and reverse, so
nothing is left looking half-styled. `--high-contrast` gives white on black
with no dim greys: every colour it uses has a contrast ratio of at least 7:1
against the black background (WCAG AAA), and the screen's background is set
rather than left to the terminal's. NO_COLOR wins over it.
"""

from __future__ import annotations

import os

from prompt_toolkit.styles import Style

COLOUR = {
    "title": "bold #e0b050",
    "heading": "bold underline",
    "text": "",
    "outcome": "italic #a8b8c8",
    "notice": "bold #70c0a0",
    "notice.mark": "bold #70c0a0",
    "error": "#e07070",
    "error.mark": "bold #e07070",
    "hint": "#909090",
    "stakes": "#d0a060",  # what a wrong answer to a question costs
    "item": "",
    "ending": "bold #e0b050",
    "banner": "bold #e0b050",
    "echo": "#8a8a8a",
    "echo.mark": "#8a8a8a",
    "choice": "",
    "choice.number": "bold #e0b050",
    "choice.mark": "bold #e0b050",
    "choice.selected": "reverse",
    "choice.selected.number": "bold reverse",
    "locked": "#707070",
    "locked.hint": "#707070 italic",
    "rule": "#505050",
    "rule.more": "bold #e0b050",
    "prompt": "bold #e0b050",
    "placeholder": "#6a6a6a italic",
    "toolbar": "bg:#262a33 #c8c8c8",
    "toolbar.place": "bg:#262a33 bold #ffffff",
    "toolbar.label": "bg:#262a33 #909aa8",
    "toolbar.value": "bg:#262a33 bold #e8e8e8",
    "toolbar.changed": "bg:#262a33 bold #e0b050",
    "toolbar.sep": "bg:#262a33 #50565f",
    "completion": "#d0d0d0",
    "completion.current": "bg:#e0b050 #000000",
    "scrollbar.background": "bg:#262a33",
    "scrollbar.button": "bg:#707480",
}

MONO = {
    "title": "bold",
    "heading": "bold underline",
    "outcome": "italic",
    "notice": "bold",
    "notice.mark": "bold",
    "stakes": "bold",
    "error.mark": "bold",
    "ending": "bold",
    "banner": "bold",
    "choice.number": "bold",
    "choice.mark": "bold",
    "choice.selected": "reverse",
    "choice.selected.number": "bold reverse",
    "locked.hint": "italic",
    "rule.more": "bold",
    "prompt": "bold",
    "placeholder": "italic",
    "toolbar": "reverse",
    "toolbar.place": "reverse bold",
    "toolbar.value": "reverse bold",
    "toolbar.changed": "reverse bold underline",
    "completion.current": "reverse bold",
    "scrollbar.background": "",
    "scrollbar.button": "reverse",
}


HIGH_CONTRAST = {
    "screen": "bg:#000000 #ffffff",
    "title": "bold #ffff00",
    "heading": "bold underline #ffffff",
    "text": "#ffffff",
    "outcome": "italic #ffffff",
    "notice": "bold #00ffff",
    "notice.mark": "bold #00ffff",
    "error": "bold #ff9090",
    "error.mark": "bold #ff9090",
    "hint": "#e0e0e0",
    "stakes": "bold #ffffff",
    "item": "#ffffff",
    "ending": "bold #ffff00",
    "banner": "bold #ffff00",
    "echo": "#e0e0e0",
    "echo.mark": "#e0e0e0",
    "choice": "#ffffff",
    "choice.number": "bold #ffff00",
    "choice.mark": "bold #ffff00",
    "choice.selected": "bg:#ffff00 #000000 bold",
    "choice.selected.number": "bg:#ffff00 #000000 bold",
    "locked": "#d0d0d0",
    "locked.hint": "#d0d0d0 italic",
    "rule": "#ffffff",
    "rule.more": "bold #ffff00",
    "prompt": "bold #ffff00",
    "placeholder": "#d0d0d0 italic",
    "toolbar": "bg:#ffffff #000000",
    "toolbar.place": "bg:#ffffff #000000 bold",
    "toolbar.label": "bg:#ffffff #000000",
    "toolbar.value": "bg:#ffffff #000000 bold",
    "toolbar.changed": "bg:#ffffff #000000 bold underline",
    "toolbar.sep": "bg:#ffffff #000000",
    "completion": "#ffffff",
    "completion.current": "bg:#ffff00 #000000 bold",
    "scrollbar.background": "bg:#000000",
    "scrollbar.button": "bg:#ffffff",
}

THEMES = {"default": COLOUR, "high-contrast": HIGH_CONTRAST}


def no_color() -> bool:
    """NO_COLOR set to anything non-empty means: no colour."""
    return bool(os.environ.get("NO_COLOR"))


def paints_screen(monochrome: bool, theme: str) -> bool:
    """Whether the theme gives the whole screen a style (high contrast sets its background).
    Without one the UI leaves the screen's empty cells alone, which makes every redraw
    cheaper (prompt-toolkit fills every cell of every window with the style otherwise)."""
    table = MONO if monochrome else THEMES[theme]
    return bool(table.get("screen"))


def build_style(monochrome: bool | None = None, theme: str = "default") -> Style:
    if monochrome is None:
        monochrome = no_color()
    table = MONO if monochrome else THEMES[theme]
    return Style([(name, value) for name, value in table.items() if value])
