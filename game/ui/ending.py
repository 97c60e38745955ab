"""The ending screen: which ending, the numbers, the endings found across playthroughs.

Reaching an ending records it in the player's profile (game/profile.py);
a failure to write it is one line on the screen, never the end of the game.
The menu under it runs ordinary commands (restart, undo, quit).
"""

from __future__ import annotations

from .. import profile
from ..errors import SaveError
from . import render
from .render import Line
from .session import Session
from .storyview import Option

RUN = "run:"  # an option key that runs a command line through the command table
MENU = (("restart", "Start a new case"), ("undo", "Undo the last choice"), ("quit", "Quit"))


def ending_screen(session: Session) -> tuple[list[Line], list[Option]]:
    story, pt = session.story, session.pt
    ending = story.endings[pt.ending or ""]
    warning = ""
    try:
        found = profile.record(session.saves_dir, story, ending.id, playthrough=pt).discovered
    except SaveError as exc:
        found = profile.load(session.saves_dir, story).discovered
        warning = f"Could not record this ending: {exc}"
    if ending.id not in found:
        found.append(ending.id)
    lines: list[Line] = [("class:banner", "THE END"), ("class:ending", ending.title)]
    # render's lines after its heading: the epilogue and the numbers; its typed-commands
    # hint is left out, the menu below says it
    lines += [line for line in render.ending_lines(story, pt, len(found))[1:] if line[0] != "class:hint"]
    titles = [story.endings[e].title for e in found]
    lines.append(("class:item", "Endings found so far: " + ", ".join(titles) + ". The title screen's "
                                "endings gallery has hints at the others."))
    if warning:
        lines.append(("class:error", warning))
    options = [Option(number, label, True, "", RUN + command) for number, (command, label) in enumerate(MENU, 1)]
    return lines, options
