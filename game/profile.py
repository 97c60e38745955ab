"""The player's profile: which endings they have reached, across playthroughs.

Kept in the saves folder as profile/endings.json (in a subfolder, so the
save listing, which reads every *.json in the folder, never mistakes it for
a damaged save). Written atomically with saves.write_bytes. It is a
convenience, not a save: a damaged file is reported in one line and rebuilt
from the endings recorded in the save files, never a reason to stop a game.

    {"format": "aka-profile", "version": 1,
     "stories": {"<story id>": {"endings": {"<ending id>": "<first reached, ISO time>"},
                                "turns": {"<ending id>": <turns that playthrough took>}}}}

"turns" is optional (older files lack it; the gallery then shows no count).
Beside it, profile/ending-<id>.json keeps the save of the playthrough that
first reached each ending, so the endings gallery can replay it.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import savelock, saves
from .errors import SaveError
from .safetext import printable
from .savefiles import TooCostly, decode_json
from .state import Playthrough
from .story import Story

FORMAT = "aka-profile"
VERSION = 1
FOLDER = "profile"
FILE = "endings.json"
MAX_BYTES = 1024 * 1024
LOCK = ".endings.lock"  # two games ending at once must not each drop the other's ending
LOCK_TIMEOUT = 3.0


@dataclass
class Profile:
    """Endings reached for one story (id -> when first reached), and any problem reading it."""

    story: Story
    endings: dict[str, str] = field(default_factory=dict)
    warning: str = ""  # one line for the player when the file had to be rebuilt
    turns: dict[str, int] = field(default_factory=dict)  # ending id -> turns of the first playthrough

    @property
    def discovered(self) -> list[str]:
        """Ids of the reached endings that the story still has, in the story's order."""
        return [ending for ending in self.story.endings if ending in self.endings]


def path_of(saves_dir: Path) -> Path:
    return saves_dir / FOLDER / FILE


def closing_save(saves_dir: Path, ending: str) -> Path:
    """The save of the playthrough that first reached this ending (the gallery replays it)."""
    return saves_dir / FOLDER / f"ending-{ending}.json"


def load(saves_dir: Path, story: Story) -> Profile:
    """The profile for this story; an empty one if there is none yet.

    A damaged file is rebuilt (from the endings in the saves) and rewritten,
    with a one-line warning in Profile.warning; this never raises.
    """
    path = path_of(saves_dir)
    try:
        doc = _read(path)
    except SaveError as exc:
        profile = Profile(story, _endings_from_saves(saves_dir, story))
        profile.warning = f"The endings record was damaged ({exc}); rebuilt it from your saves."
        try:
            _write(path, _replace_story(_empty(), story.id, profile.endings))
        except SaveError as write_exc:
            profile.warning += f" Could not write it back: {write_exc}."
        return profile
    entry = doc["stories"].get(story.id, {})
    return Profile(story, dict(entry.get("endings", {})), turns=dict(entry.get("turns", {})))


def record(saves_dir: Path, story: Story, ending: str, now: str | None = None,
           playthrough: Playthrough | None = None) -> Profile:
    """Note that this ending was reached; write the file only if it is new.
    With the playthrough, also how many turns it took and its closing save.

    Raises SaveError if the file cannot be written (the caller reports it).
    """
    profile = load(saves_dir, story)
    if ending in profile.endings or ending not in story.endings:
        return profile
    path = path_of(saves_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with savelock.exclusive(path.parent / LOCK, LOCK_TIMEOUT):
            profile = load(saves_dir, story)  # again, under the lock: another game may have just written
            if ending in profile.endings:
                return profile
            profile.endings[ending] = now or datetime.now(UTC).isoformat(timespec="seconds")
            if playthrough is not None:
                profile.turns[ending] = playthrough.turn
                # A convenience for the gallery: if it cannot be written, the ending is still
                # recorded, and the gallery says no save of that game was kept.
                with contextlib.suppress(SaveError):
                    saves.write_doc(closing_save(saves_dir, ending),
                                    saves.make_save(story, playthrough, f"ending-{ending}"))
            try:
                doc = _read(path)
            except SaveError:
                doc = _empty()  # load() just rebuilt it; if it is damaged again, start over
            _write(path, _replace_story(doc, story.id, profile.endings, profile.turns))
    except TimeoutError:
        raise SaveError(f"cannot record the ending in {path}: another game kept it locked "
                        f"for {LOCK_TIMEOUT:g} s") from None
    except OSError as exc:
        raise SaveError(f"cannot record the ending in {path}: {exc.strerror or exc}") from None
    return profile


# --- the file --------------------------------------------------------------


def _empty() -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "stories": {}}


def _replace_story(doc: dict[str, Any], story_id: str, endings: dict[str, str],
                   turns: dict[str, int] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"endings": dict(sorted(endings.items()))}
    kept = {e: n for e, n in (turns or {}).items() if e in endings}
    if kept:
        entry["turns"] = dict(sorted(kept.items()))
    doc["stories"][story_id] = entry
    return doc


def _read(path: Path) -> dict[str, Any]:
    """The parsed, checked document; an empty one if the file does not exist."""
    try:
        raw = saves.read_capped(path, MAX_BYTES)
        if len(raw) > MAX_BYTES:
            raise SaveError("the file is too large")
    except (saves.NotARegularFile, IsADirectoryError):
        raise SaveError("not a regular file") from None
    except FileNotFoundError:
        return _empty()
    except OSError as exc:
        raise SaveError(f"cannot read it: {exc.strerror or exc}") from None
    try:
        doc = decode_json(raw.decode("utf-8"), saves.MAX_VALUES, saves.MAX_DEPTH)  # bounded like a save
    except TooCostly as exc:
        raise SaveError(f"{exc}; no real endings record comes near that") from None
    except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: bad JSON, or a 4,300-digit number
        raise SaveError("not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SaveError(f"not a '{FORMAT}' file")
    if doc.get("version") != VERSION:
        raise SaveError(f"unknown version {printable(repr(doc.get('version')), limit=40)}")
    stories = doc.get("stories")
    if not isinstance(stories, dict):
        raise SaveError("'stories' is not an object")
    for story_id, entry in stories.items():
        endings = entry.get("endings") if isinstance(entry, dict) else None
        if not isinstance(endings, dict) or not all(isinstance(v, str) for v in endings.values()):
            raise SaveError(f"the entry for story '{printable(story_id, limit=60)}' is malformed")
        turns = entry.get("turns", {})
        if not isinstance(turns, dict) or not all(type(v) is int and v >= 0 for v in turns.values()):
            raise SaveError(f"the turns for story '{printable(story_id, limit=60)}' are malformed")
    return doc


def _write(path: Path, doc: dict[str, Any]) -> None:
    saves.write_bytes(path, (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode())


def _endings_from_saves(saves_dir: Path, story: Story) -> dict[str, str]:
    """Endings the save files show were reached (their summaries name the ending)."""
    found: dict[str, str] = {}
    for info in saves.list_saves(saves_dir):
        if info.ending in story.endings and not info.problem:
            found.setdefault(str(info.ending), info.updated)
    return found
