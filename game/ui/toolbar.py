"""The bottom toolbar: where the player is, the turn, the clues, the shown stats, a running clock.

A pure function of the session (plus what the toolbar showed last turn, so
a value that just changed can stand out). Items are laid out whole onto as
few rows as the width allows: one row at 80 columns, two at 40. A stat
reads as its word where the story gives words (its number too with
'numbers on'); a stat declared `clock: true` is on the toolbar as
"value/max" whenever it is listed (its `if:` holds): once it is running.
"""

from __future__ import annotations

from ..story import Stat
from .render import stat_value
from .session import Session
from .wrap import Row, cell_width, pack

SEPARATOR = ("class:toolbar.sep", " | ")


def on_bar(stat: Stat) -> bool:
    return stat.shown or stat.clock


def values(session: Session, numbers: bool = False) -> dict[str, str]:
    """The toolbar's values by name, as shown, to spot what changed since last turn."""
    pt = session.pt
    shown = {f"stat:{stat.id}": stat_value(stat, pt.stats.get(stat.id, stat.start), numbers)
             for stat in session.story.stats.values() if on_bar(stat) and stat.listed(pt)}
    return {"turn": str(pt.turn), "clues": str(len(pt.clues)), **shown}


def place(session: Session, width: int) -> str:
    """Where the player is: one label per place, the same every turn whatever else
    is on the bar ("Area: Scene", or just the scene when it is named like its
    area). Only a terminal too narrow for it gets the scene alone, cut short if
    even that does not fit."""
    story = session.story
    scene = story.scenes[session.pt.scene]
    area = story.areas.get(scene.area)
    title = scene.title or scene.id
    full = f"{area.title}: {title}" if area is not None and area.title and area.title != title else title
    if cell_width(full) <= width:
        return full
    if cell_width(title) <= width:
        return title
    return title[: max(1, width - 1)] + "…"


def segments(session: Session, previous: dict[str, str] | None = None, width: int = 1000,
             numbers: bool = False) -> list[Row]:
    story, pt = session.story, session.pt
    now = values(session, numbers)
    previous = previous or now

    def item(label: str, key: str, shown: str) -> Row:
        changed = previous.get(key, now[key]) != now[key]
        return [("class:toolbar.label", label + " "),
                ("class:toolbar.changed" if changed else "class:toolbar.value", shown)]

    result: list[Row] = [[("class:toolbar.place", place(session, width))]]
    if pt.over:
        result.append([("class:toolbar.value", "Case closed")])
    result.append(item("Turn", "turn", now["turn"]))
    result.append(item("Clues", "clues", f"{len(pt.clues)}/{len(story.clues)}"))
    for stat in story.stats.values():
        if on_bar(stat) and stat.listed(pt):
            result.append(item(stat.label, f"stat:{stat.id}", now[f"stat:{stat.id}"]))
    return result


def rows(session: Session, width: int, previous: dict[str, str] | None = None,
         numbers: bool = False) -> list[Row]:
    """The toolbar as rows no wider than width (one space of padding each side)."""
    inner = max(1, width - 2)
    packed = pack(segments(session, previous, inner, numbers), inner, SEPARATOR)
    return [[("class:toolbar", " "), *row] for row in packed]


def title_rows(title: str, width: int) -> list[Row]:
    """The toolbar under the title screen."""
    keys = [[("class:toolbar.label", "Up/Down, Enter: choose")], [("class:toolbar.label", "Ctrl-D: quit")]]
    packed = pack([[("class:toolbar.place", title)], *keys], max(1, width - 2), SEPARATOR)
    return [[("class:toolbar", " "), *row] for row in packed]
