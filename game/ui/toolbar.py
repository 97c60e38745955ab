"""The bottom toolbar: where Jessica is, the turn, the clues, the shown stats.

A pure function of the session (plus what the toolbar showed last turn, so
a value that just changed can stand out). Items are laid out whole onto as
few rows as the width allows: one row at 80 columns, two at 40.
"""

from __future__ import annotations

from .session import Session
from .wrap import Row, pack

SEPARATOR = ("class:toolbar.sep", " | ")


def values(session: Session) -> dict[str, str]:
    """The toolbar's numbers by name, to spot what changed since last turn."""
    pt = session.pt
    shown = {f"stat:{stat.id}": str(pt.stats.get(stat.id, stat.start))
             for stat in session.story.stats.values() if stat.shown}
    return {"turn": str(pt.turn), "clues": str(len(pt.clues)), **shown}


def segments(session: Session, previous: dict[str, str] | None = None) -> list[Row]:
    story, pt = session.story, session.pt
    scene = story.scenes[pt.scene]
    area = story.areas.get(scene.area)
    place = scene.title or scene.id
    if area is not None and area.title and area.title != place:
        place = f"{area.title}: {place}"
    now = values(session)
    previous = previous or now

    def item(label: str, key: str, shown: str) -> Row:
        changed = previous.get(key, now[key]) != now[key]
        return [("class:toolbar.label", label + " "),
                ("class:toolbar.changed" if changed else "class:toolbar.value", shown)]

    result: list[Row] = [[("class:toolbar.place", place)]]
    if pt.over:
        result.append([("class:toolbar.value", "Case closed")])
    result.append(item("Turn", "turn", now["turn"]))
    result.append(item("Clues", "clues", f"{len(pt.clues)}/{len(story.clues)}"))
    for stat in story.stats.values():
        if stat.shown:
            result.append(item(stat.label, f"stat:{stat.id}", now[f"stat:{stat.id}"]))
    return result


def rows(session: Session, width: int, previous: dict[str, str] | None = None) -> list[Row]:
    """The toolbar as rows no wider than width (one space of padding each side)."""
    inner = max(1, width - 2)
    packed = pack(segments(session, previous), inner, SEPARATOR)
    return [[("class:toolbar", " "), *row] for row in packed]


def title_rows(title: str, width: int) -> list[Row]:
    """The toolbar under the title screen."""
    keys = [[("class:toolbar.label", "Up/Down, Enter: choose")], [("class:toolbar.label", "Ctrl-D: quit")]]
    packed = pack([[("class:toolbar.place", title)], *keys], max(1, width - 2), SEPARATOR)
    return [[("class:toolbar", " "), *row] for row in packed]
