"""Save files: a replayable choice log, written so that nothing is ever lost.

A save is JSON a person can read: the format and version, the story's id,
version and content fingerprint, the slot, timestamps, the seed, the full
choice log, a snapshot of the playthrough (for listings and for checking a
replay) and a checksum over all of it. Loading replays the log on the story;
the replayed state is the truth, the snapshot only a cross-check.

Writes are atomic: a temporary file in the same folder, flushed and fsynced,
then renamed over the old file, so a crash leaves either the old save or the
new one, never half of each. Walkthroughs (used by tests and tools) are the
same format; they may leave out everything but the log.

See docs/SAVES.md for the format and how versions are upgraded.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .engine import Engine, ReplayResult
from .errors import SaveError
from .state import LogEntry, Playthrough
from .story import Story

FORMAT = "aka-save"
VERSION = 1
SUFFIX = ".json"
MAX_SAVE_BYTES = 16 * 1024 * 1024
MAX_TURNS = 50_000  # loading replays every turn (~0.1 ms each): a bound on the time a save can cost
MAX_SLOT_LENGTH = 40
AUTOSAVE = "autosave"

_SLOT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)}


def slot_name(raw: str) -> str:
    """Normalise a slot name typed by a player, or raise SaveError saying why not.

    Slots are plain file names: lower-case letters, digits, '-' and '_'; no
    path separators, no dots (so no '..'), no names Windows reserves.
    """
    name = raw.strip().lower().replace(" ", "-")
    if not name:
        raise SaveError("a save needs a name, e.g. 'save kozlov'")
    if len(name) > MAX_SLOT_LENGTH:
        raise SaveError(f"save name is longer than {MAX_SLOT_LENGTH} characters")
    if not _SLOT_RE.match(name):
        raise SaveError(f"save name {raw.strip()[:MAX_SLOT_LENGTH]!r} may use only letters, digits, '-' and '_'")
    if name in _WINDOWS_RESERVED:
        raise SaveError(f"save name '{name}' is reserved on Windows; pick another")
    return name


def slot_path(saves_dir: Path, slot: str) -> Path:
    return saves_dir / (slot_name(slot) + SUFFIX)


# --- building and checking documents -------------------------------------


def _canonical(doc: dict[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "checksum"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checksum(doc: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(_canonical(doc)).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def make_save(story: Story, pt: Playthrough, slot: str, created: str | None = None,
              now: str | None = None) -> dict[str, Any]:
    """The save document for a playthrough (not yet written)."""
    stamp = now or _now()
    scene = story.scenes.get(pt.scene)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "slot": slot,
        "story": {"id": story.id, "version": story.version, "fingerprint": story.fingerprint},
        "created": created or stamp,
        "updated": stamp,
        "seed": pt.seed,
        "summary": {
            "scene": pt.scene,
            "title": scene.title if scene else pt.scene,
            "area": scene.area if scene else "",
            "turn": pt.turn,
            "clues": len(pt.clues),
            "ending": pt.ending,
        },
        "log": [entry.to_json() for entry in pt.log],
        "snapshot": pt.snapshot(),
    }
    doc["checksum"] = checksum(doc)
    return doc


def validate(doc: Any, where: str) -> dict[str, Any]:
    """Check a parsed save or walkthrough document's shape; raise SaveError naming the problem."""
    if not isinstance(doc, dict):
        raise SaveError(f"{where}: not a save file (expected a JSON object)")
    if doc.get("format") != FORMAT:
        raise SaveError(f"{where}: not a save file (format is not '{FORMAT}')")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SaveError(f"{where}: save version missing or not a number")
    if version > VERSION:
        raise SaveError(f"{where}: save version {version} is newer than this game understands ({VERSION}); "
                        "update the game")
    if "checksum" in doc and doc["checksum"] != checksum(doc):
        raise SaveError(f"{where}: checksum does not match; the file is damaged or was edited by hand")
    log = doc.get("log")
    if isinstance(log, list) and len(log) > MAX_TURNS:
        raise SaveError(f"{where}: the log has more than {MAX_TURNS:,} turns; no game is that long")
    if not isinstance(log, list):
        raise SaveError(f"{where}: 'log' must be a list of [scene, choice] pairs")
    for index, entry in enumerate(log, start=1):
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            raise SaveError(f"{where}: log entry {index} must be [scene, choice]")
    seed = doc.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise SaveError(f"{where}: 'seed' must be a whole number")
    return doc


def log_of(doc: dict[str, Any]) -> list[LogEntry]:
    return [LogEntry(scene, choice) for scene, choice in doc["log"]]


# --- files ---------------------------------------------------------------


def read_doc(path: Path) -> dict[str, Any]:
    """Read and validate one save or walkthrough file."""
    where = str(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():
            # a FIFO would block forever, /dev/zero never ends
            raise SaveError(f"{where}: not a regular file, so not a save file")
        with path.open("rb") as handle:  # read at most one byte past the limit, whatever stat said
            raw = handle.read(MAX_SAVE_BYTES + 1)
        if len(raw) > MAX_SAVE_BYTES:
            raise SaveError(f"{where}: file is larger than any save ({MAX_SAVE_BYTES:,} bytes)")
    except FileNotFoundError:
        raise SaveError(f"{where}: no such save") from None
    except IsADirectoryError:
        raise SaveError(f"{where}: is a folder, not a save file") from None
    except OSError as exc:
        raise SaveError(f"{where}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SaveError(f"{where}: not a save file (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SaveError(f"{where}:{exc.lineno}:{exc.colno}: damaged save file: {exc.msg}") from None
    except RecursionError:
        raise SaveError(f"{where}: damaged save file: nested too deeply") from None
    except ValueError:  # e.g. a number of more than 4,300 digits
        raise SaveError(f"{where}: damaged save file: a number too long to read") from None
    return validate(doc, where)


def write_doc(path: Path, doc: dict[str, Any]) -> None:
    """Write a save document atomically (see write_bytes)."""
    write_bytes(path, (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode())


def write_text(path: Path, text: str) -> None:
    """Write a text file (a transcript) atomically."""
    write_bytes(path, text.encode())


def write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: temp file in the same folder, fsync, rename; the old file survives any failure."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise SaveError(f"cannot write to {folder}: {_why(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SaveError(f"cannot write {path}: {_why(exc)}; the previous save is untouched") from None
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EROFS,):
        return "the disk is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)


# --- slots ---------------------------------------------------------------


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


def save_slot(saves_dir: Path, story: Story, pt: Playthrough, slot: str) -> Path:
    """Write the playthrough to a named slot, keeping its creation time."""
    name = slot_name(slot)
    path = slot_path(saves_dir, name)
    created = None
    if path.exists():
        try:
            created = read_doc(path).get("created")
        except SaveError:
            created = None  # an unreadable old file is replaced by a good one
    write_doc(path, make_save(story, pt, name, created=created))
    return path


def load_slot(saves_dir: Path, slot: str, engine: Engine) -> ReplayResult:
    """Read a slot and replay it; raise SaveError if it cannot be read or does not fit."""
    path = slot_path(saves_dir, slot)
    if not path.exists():
        raise SaveError(f"no save named '{slot_name(slot)}' in {saves_dir}")
    return restore(read_doc(path), engine, str(path))


def restore(doc: dict[str, Any], engine: Engine, where: str) -> ReplayResult:
    """Replay a validated document on the story; SaveError if the log stops fitting."""
    story_info = doc.get("story") or {}
    if isinstance(story_info, dict) and story_info.get("id") not in (None, engine.story.id):
        raise SaveError(f"{where}: this save belongs to story '{story_info.get('id')}', "
                        f"not '{engine.story.id}'")
    result = engine.replay(log_of(doc), seed=doc.get("seed", 0))
    if result.error is not None:
        raise SaveError(f"{where}: the story changed since this save; {result.error}")
    return result


def list_saves(saves_dir: Path) -> list[SaveInfo]:
    """Every save in the folder, newest first; damaged ones are listed with their problem."""
    if not saves_dir.is_dir():
        return []
    infos = []
    for path in saves_dir.glob("*" + SUFFIX):
        slot = path.name[: -len(SUFFIX)]
        try:
            doc = read_doc(path)
        except SaveError as exc:
            infos.append(SaveInfo(slot, path, problem=str(exc).split(": ", 1)[-1]))
            continue
        summary = doc.get("summary") if isinstance(doc.get("summary"), dict) else {}
        infos.append(SaveInfo(
            slot=slot,
            path=path,
            updated=str(doc.get("updated", "")),
            scene=str(summary.get("scene", "")),
            title=str(summary.get("title", "")),
            turn=_whole(summary.get("turn")),
            clues=_whole(summary.get("clues")),
            ending=summary.get("ending") if isinstance(summary.get("ending"), str) else None,
        ))
    return sorted(infos, key=lambda i: (i.updated, i.slot), reverse=True)


def _whole(value: Any) -> int:
    # The summary is for display only, and a hand-edited file may hold anything there.
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
