"""The bottom toolbar: where the player is, the turn, the clues, the shown stats.

A pure function of the session (plus what the toolbar showed last turn, so
a value that just changed can stand out). Items are laid out whole onto as
few rows as the width allows: one row at 80 columns, two at 40.
"""

from __future__ import annotations

from .session import Session
from .wrap import Row, cell_width, pack

SEPARATOR = ("class:toolbar.sep", " | ")


def values(session: Session) -> dict[str, str]:
    """The toolbar's numbers by name, to spot what changed since last turn."""
    pt = session.pt
    shown = {f"stat:{stat.id}": str(pt.stats.get(stat.id, stat.start))
             for stat in session.story.stats.values() if stat.shown and stat.listed(pt)}
    return {"turn": str(pt.turn), "clues": str(len(pt.clues)), **shown}


def place(session: Session, width: int, with_area: bool = True) -> str:
    """Area and scene title; just the scene when both do not fit, cut short if even that does not."""
    story = session.story
    scene = story.scenes[session.pt.scene]
    area = story.areas.get(scene.area)
    title = scene.title or scene.id
    full = f"{area.title}: {title}" if area is not None and area.title and area.title != title else title
    if with_area and cell_width(full) <= width:
        return full
    if cell_width(title) <= width:
        return title
    return title[: max(1, width - 1)] + "…"


def segments(session: Session, previous: dict[str, str] | None = None, width: int = 1000,
             with_area: bool = True) -> list[Row]:
    story, pt = session.story, session.pt
    now = values(session)
    previous = previous or now

    def item(label: str, key: str, shown: str) -> Row:
        changed = previous.get(key, now[key]) != now[key]
        return [("class:toolbar.label", label + " "),
                ("class:toolbar.changed" if changed else "class:toolbar.value", shown)]

    result: list[Row] = [[("class:toolbar.place", place(session, width, with_area))]]
    if pt.over:
        result.append([("class:toolbar.value", "Case closed")])
    result.append(item("Turn", "turn", now["turn"]))
    result.append(item("Clues", "clues", f"{len(pt.clues)}/{len(story.clues)}"))
    for stat in story.stats.values():
        if stat.shown and stat.listed(pt):
            result.append(item(stat.label, f"stat:{stat.id}", now[f"stat:{stat.id}"]))
    return result


def rows(session: Session, width: int, previous: dict[str, str] | None = None) -> list[Row]:
    """The toolbar as rows no wider than width (one space of padding each side)."""
    inner = max(1, width - 2)
    packed = pack(segments(session, previous, inner), inner, SEPARATOR)
    shorter = pack(segments(session, previous, inner, with_area=False), inner, SEPARATOR)
    if len(shorter) < len(packed):  # the area's name is not worth a second row
        packed = shorter
    return [[("class:toolbar", " "), *row] for row in packed]


def title_rows(title: str, width: int) -> list[Row]:
    """The toolbar under the title screen."""
    keys = [[("class:toolbar.label", "Up/Down, Enter: choose")], [("class:toolbar.label", "Ctrl-D: quit")]]
    packed = pack([[("class:toolbar.place", title)], *keys], max(1, width - 2), SEPARATOR)
    return [[("class:toolbar", " "), *row] for row in packed]
