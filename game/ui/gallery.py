"""The endings gallery: the endings found so far, and a teaser for the rest.

Shown by the `endings` command (both UIs) and from the title screen, where a
found ending can be replayed from the save of the playthrough that first
reached it (profile.closing_save). An ending not found yet shows "???" and
the writer's `teaser:`, never its title.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import profile, saves
from ..story import Ending, Story
from .render import Line

UNKNOWN = "???"


@dataclass(frozen=True)
class Entry:
    ending: Ending
    found: str = ""  # when it was first reached (ISO time), '' if not yet
    turns: int | None = None  # how many turns that playthrough took, if recorded

    def text(self) -> str:
        if not self.found:
            teaser = self.ending.teaser.strip()
            return f"{UNKNOWN}: {teaser}" if teaser else f"{UNKNOWN}: not found yet."
        when = saves.local_time(self.found)
        turns = "" if self.turns is None else f", in {self.turns} turn{'s' * (self.turns != 1)}"
        return f"{self.ending.title}: found {when}{turns}."


def entries(story: Story, found: profile.Profile) -> list[Entry]:
    return [Entry(ending, found.endings.get(ending.id, ""), found.turns.get(ending.id))
            for ending in story.endings.values()]


def heading(story: Story, found: profile.Profile) -> str:
    return f"Endings found: {len(found.discovered)} of {len(story.endings)}"


def gallery_lines(story: Story, found: profile.Profile) -> list[Line]:
    lines: list[Line] = [("class:title", heading(story, found))]
    lines.extend(("class:item", f"- {entry.text()}") for entry in entries(story, found))
    if found.warning:
        lines.append(("class:error", found.warning))
    return lines
