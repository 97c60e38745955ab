"""The save listing: what is in a saves folder, for `saves`, the title screen
and its load menu, at a bounded cost per file.

Each file is known by its first savedoc.HEADER_BYTES (64 KiB): a save that
fits (every real one does) is checked in full, checksum and all; of a larger
one only the header (everything before the log) is read and checked, and
the rest is checked when it is loaded. So a folder of files made to be
expensive costs a listing 64 KiB of reading and parsing each, not their
size (docs/SECURITY.md). A file that disappears while the folder is being
listed (another game turning the autosave ring) is left out, not called
damaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import SaveError
from .safetext import printable
from .savedoc import SaveGone, read_header, timestamp
from .savefiles import MAX_SLOT_LENGTH, autosave_slots, is_autosave, names_a_slot, save_files, tidy


@dataclass(frozen=True)
class SaveInfo:
    slot: str
    path: Path
    updated: str = ""
    scene: str = ""
    title: str = ""
    turn: int = 0
    clues: int = 0
    ending: str | None = None
    problem: str = ""  # why the file cannot be loaded, if it cannot
    story_id: str = ""
    fingerprint: str = ""

    @property
    def autosave(self) -> bool:
        return is_autosave(self.slot)


def list_saves(saves_dir: Path) -> list[SaveInfo]:
    """Every save in the folder, newest first; damaged ones last, with their problem."""
    files = save_files(saves_dir)
    if files:
        tidy(saves_dir)
    good, damaged = [], []
    for slot, path in files:
        try:
            if not names_a_slot(slot):  # one reason for every odd name: listings quote it already
                raise SaveError(f"{path}: the file name is not a save name; rename it to at most "
                                f"{MAX_SLOT_LENGTH} letters, digits, '-' and '_'")
            doc, whole = read_header(path)
        except SaveGone:
            continue  # moved away since the folder was read (the ring turned): not damage
        except SaveError as exc:
            damaged.append(SaveInfo(slot, path, problem=printable(str(exc).removeprefix(f"{path}: "), limit=300)))
            continue
        summary = doc.get("summary", {})
        story = doc.get("story", {})
        good.append(SaveInfo(
            slot=slot,
            path=path,
            updated=doc.get("updated", ""),
            scene=summary.get("scene", ""),
            title=summary.get("title", ""),
            turn=summary.get("turn", len(doc["log"]) if whole else 0),
            clues=summary.get("clues", 0),
            ending=summary.get("ending"),
            story_id=story.get("id", ""),
            fingerprint=story.get("fingerprint", ""),
        ))
    ring = {name: index for index, name in enumerate(autosave_slots())}
    good.sort(key=lambda i: ring.get(i.slot, len(ring)))  # the ring's own order breaks ties
    good.sort(key=lambda i: when(i.updated), reverse=True)
    return good + damaged


_UNKNOWN = datetime.min.replace(tzinfo=UTC)


def when(stamp: str) -> datetime:
    """A saved timestamp for sorting: the oldest possible time if it is unreadable."""
    return timestamp(stamp) or _UNKNOWN


def local_time(stamp: str) -> str:
    """A saved timestamp as the player's local 'YYYY-MM-DD HH:MM', for listings.
    Total: '' for no stamp, the stamp itself (escaped, cut short) for one that
    cannot be shown, never an exception."""
    if not stamp:
        return ""
    moment = timestamp(stamp)
    if moment is not None:
        try:
            return moment.astimezone().strftime("%Y-%m-%d %H:%M")
        except (ValueError, OverflowError, OSError):  # a platform whose time functions stop earlier
            pass
    return printable(stamp, limit=25)
