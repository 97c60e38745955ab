"""Save files: a replayable choice log, written so that nothing is ever lost.

A save is JSON a person can read: the format and version, its kind, the
story's id, version and content fingerprint, the slot, timestamps, the seed,
the full choice log, a summary and a snapshot of the playthrough (for
listings and for people) and a checksum over all of it. Loading replays the
log on the story as it is now; the replayed state is the truth. If the story
was edited since, the replay either still fits (the save loads) or stops at
the first turn that no longer fits, which is reported and can be loaded up
to that point.

Writes are atomic: a temporary file in the same folder, flushed and fsynced,
then renamed over the old file, so a crash leaves either the old save or the
new one, never half of each. Autosaves go into a small ring (autosave-1 is
the newest). Walkthroughs (used by tests and tools) are the same format with
kind "walkthrough"; they need no checksum and may leave out everything but
the log.

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
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring as _encode_str
from pathlib import Path
from typing import Any

from . import savelock
from .diagnostics import did_you_mean
from .engine import Engine, ReplayResult
from .errors import ReplayError, SaveError
from .state import LogEntry, Playthrough
from .story import Story

FORMAT = "aka-save"
VERSION = 2
KINDS = ("save", "walkthrough")
SUFFIX = ".json"
MAX_SAVE_BYTES = 16 * 1024 * 1024
MAX_TURNS = 50_000  # loading replays every turn (~0.1 ms each): a bound on the time a save can cost
MAX_SLOT_LENGTH = 40
AUTOSAVE = "autosave"  # what a player types to mean "the newest autosave"
AUTOSAVE_RING = 5  # autosave-1 (newest) .. autosave-5 (oldest)
STALE_TEMP_SECONDS = 600  # a temp file this old was left by a crash, not by a save in progress
RING_LOCK = ".autosave.lock"  # taken around every autosave (a dot: never listed as a save)
RING_LOCK_TIMEOUT = 3.0  # seconds; an autosave takes milliseconds, so this is a stuck or stopped game

_SLOT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_AUTOSAVE_RE = re.compile(rf"^{AUTOSAVE}(-[0-9]+)?$")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}


# --- slot names ----------------------------------------------------------


def slot_name(raw: str) -> str:
    """Normalise a slot name typed by a player, or raise SaveError saying why not.

    Slots are plain file names: lower-case ASCII letters, digits, '-' and '_'
    (spaces become '-'), starting with a letter or digit; so no path
    separators, no dots (no '..', no extension games), no absolute paths,
    nothing Windows reserves, at most MAX_SLOT_LENGTH characters.
    """
    name = "-".join(raw.strip().lower().split())
    shown = raw.strip()[:MAX_SLOT_LENGTH]
    if not name:
        raise SaveError("a save needs a name, e.g. 'save kozlov'")
    if len(name) > MAX_SLOT_LENGTH:
        raise SaveError(f"save name is longer than {MAX_SLOT_LENGTH} characters")
    if not _SLOT_RE.match(name):
        raise SaveError(f"save name {shown!r} may use only letters, digits, '-' and '_', "
                        "and must start with a letter or digit")
    if name in _WINDOWS_RESERVED:
        raise SaveError(f"save name '{name}' is reserved on Windows; pick another")
    return name


def writable_slot(raw: str) -> str:
    """A slot name a player may save to: any slot name but the autosaves'."""
    name = slot_name(raw)
    if is_autosave(name):
        raise SaveError(f"'{name}' is kept for automatic saves; pick another name")
    return name


def is_autosave(name: str) -> bool:
    return bool(_AUTOSAVE_RE.match(name))


def autosave_slots() -> list[str]:
    """The ring, newest first."""
    return [f"{AUTOSAVE}-{i}" for i in range(1, AUTOSAVE_RING + 1)]


def _names_a_slot(name: str) -> bool:
    """Whether a file name (without .json) is one a save can have been written to."""
    try:
        return name == slot_name(name)
    except SaveError:
        return False


def slot_path(saves_dir: Path, slot: str) -> Path:
    return saves_dir / (slot_name(slot) + SUFFIX)


# --- building documents --------------------------------------------------


def _canonical(doc: dict[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "checksum"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checksum(doc: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(_canonical(doc)).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def make_save(story: Story, pt: Playthrough, slot: str, created: str | None = None,
              now: str | None = None) -> dict[str, Any]:
    """The save document for a playthrough (not yet written)."""
    stamp = now or _now()
    scene = story.scenes.get(pt.scene)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "kind": "save",
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


def dumps(doc: dict[str, Any]) -> str:
    """The document as a person would like to read it: one key per line, one
    log entry per line (indent=1 alone would spend four lines on each)."""
    parts = []
    for key, value in doc.items():
        if key == "log" and isinstance(value, list) and value:
            body = ",\n".join(map(_log_line, value))
            text = "[\n" + body + "\n ]"
        else:
            text = json.dumps(value, indent=1, ensure_ascii=False).replace("\n", "\n ")
        parts.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _log_line(entry: Any) -> str:
    # A save writes a line per choice taken; json.dumps per entry was half the
    # time of a 1,000-choice save. An entry is [scene, choice]: encoding the
    # two strings directly gives the same text about ten times faster.
    if type(entry) is list and len(entry) == 2 and type(entry[0]) is str and type(entry[1]) is str:
        return f"  [{_encode_str(entry[0])}, {_encode_str(entry[1])}]"
    return "  " + json.dumps(entry, ensure_ascii=False)


# --- checking and upgrading documents ------------------------------------


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    # Version 1 had no 'kind': a save was told from a walkthrough by its checksum.
    new = dict(doc)
    if new.get("kind") not in KINDS:
        new["kind"] = "save" if "checksum" in doc and "expect" not in doc else "walkthrough"
    new["version"] = 2
    new.pop("checksum", None)  # it covered the version 1 text, and was checked before the upgrade
    return new


# version N -> a function turning a version N document into version N+1
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring an older document up to VERSION, one step at a time (the input is not changed)."""
    while doc["version"] < VERSION:
        doc = UPGRADES[doc["version"]](doc)
    return doc


def validate(doc: Any, where: str) -> dict[str, Any]:
    """Check a parsed save or walkthrough, upgrade it to VERSION and check its
    shape; raise SaveError naming the first problem. Returns the upgraded document."""
    if not isinstance(doc, dict):
        raise SaveError(f"{where}: not a save file (expected a JSON object)")
    if doc.get("format") != FORMAT:
        raise SaveError(f"{where}: not a save file (format is not '{FORMAT}')")
    version = doc.get("version")
    if not _is_int(version):
        raise SaveError(f"{where}: save version missing or not a whole number")
    if version > VERSION:
        raise SaveError(f"{where}: save version {version} is newer than this game understands ({VERSION}); "
                        "update the game")
    if version < min(UPGRADES, default=VERSION):
        raise SaveError(f"{where}: save version {version} is older than any this game can read")
    if "checksum" in doc:
        if doc["checksum"] != checksum(doc):
            raise SaveError(f"{where}: checksum does not match; the file is damaged or was edited by hand")
    elif version >= 2 and doc.get("kind") != "walkthrough":
        raise SaveError(f"{where}: the checksum is missing; the file is damaged or was edited by hand")
    doc = upgrade(doc)
    _check_shape(doc, where)
    return doc


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_shape(doc: dict[str, Any], where: str) -> None:
    def bad(key: str, what: str) -> SaveError:
        return SaveError(f"{where}: '{key}' must be {what}")

    if doc.get("kind") not in KINDS:
        raise bad("kind", " or ".join(f"'{k}'" for k in KINDS))
    log = doc.get("log")
    if isinstance(log, list) and len(log) > MAX_TURNS:
        raise SaveError(f"{where}: the log has more than {MAX_TURNS:,} turns; no game is that long")
    if not isinstance(log, list):
        raise SaveError(f"{where}: 'log' must be a list of [scene, choice] pairs")
    for index, entry in enumerate(log, start=1):
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            raise SaveError(f"{where}: log entry {index} must be [scene, choice]")
    if not _is_int(doc.get("seed", 0)):
        raise bad("seed", "a whole number")
    for key in ("slot", "created", "updated"):
        if key in doc and not isinstance(doc[key], str):
            raise bad(key, "text")
    for key in ("story", "summary", "snapshot"):
        if key in doc and not isinstance(doc[key], dict):
            raise bad(key, "an object")
    story = doc.get("story", {})
    for key in ("id", "fingerprint"):
        if key in story and not isinstance(story[key], str):
            raise bad(f"story.{key}", "text")
    summary = doc.get("summary", {})
    for key in ("scene", "title", "area"):
        if key in summary and not isinstance(summary[key], str):
            raise bad(f"summary.{key}", "text")
    for key in ("turn", "clues"):
        if key in summary and not (_is_int(summary[key]) and summary[key] >= 0):
            raise bad(f"summary.{key}", "a whole number")
    if summary.get("ending") is not None and not isinstance(summary["ending"], str):
        raise bad("summary.ending", "text or null")


def log_of(doc: dict[str, Any]) -> list[LogEntry]:
    return [LogEntry(scene, choice) for scene, choice in doc["log"]]


# --- files ---------------------------------------------------------------


class NotARegularFile(OSError):
    """A FIFO, device or socket where a file was expected: reading could block forever or never end."""


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, at most limit + 1 of them (one past the limit,
    so the caller can tell it is too large, whatever stat said about its size).

    OSError as the system raises it (FileNotFoundError, IsADirectoryError, ...),
    or NotARegularFile. Shared by saves, the endings record and replay --compare.
    """
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):  # a folder: open() says so in its own words
        raise NotARegularFile(f"{path}: not a regular file")
    with path.open("rb") as handle:
        return handle.read(limit + 1)


def read_doc(path: Path) -> dict[str, Any]:
    """Read, validate and upgrade one save or walkthrough file."""
    where = str(path)
    try:
        raw = read_capped(path, MAX_SAVE_BYTES)
        if len(raw) > MAX_SAVE_BYTES:
            raise SaveError(f"{where}: file is larger than any save ({MAX_SAVE_BYTES:,} bytes)")
    except NotARegularFile:
        raise SaveError(f"{where}: not a regular file, so not a save file") from None
    except FileNotFoundError:
        raise SaveError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise SaveError(f"{where}: is a folder, not a save file") from None
    except OSError as exc:
        raise SaveError(f"{where}: cannot read: {_why(exc)}") from None
    return parse_doc(raw, where)


def parse_doc(raw: bytes, where: str) -> dict[str, Any]:
    """Parse, validate and upgrade the bytes of a save or walkthrough."""
    if not raw.strip():
        raise SaveError(f"{where}: damaged save file: it is empty")
    try:
        text = raw.decode("utf-8")
        if _nested_too_deeply(text):
            raise RecursionError
        doc = json.loads(text)
    except UnicodeDecodeError:
        raise SaveError(f"{where}: damaged save file: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        short = "; it looks cut short" if not text.rstrip().endswith("}") else ""
        raise SaveError(f"{where}: damaged save file: {exc.msg.removesuffix(' at')} "
                        f"(line {exc.lineno}, column {exc.colno}){short}") from None
    except RecursionError:
        raise SaveError(f"{where}: damaged save file: nested too deeply") from None
    except ValueError:  # e.g. a number of more than 4,300 digits
        raise SaveError(f"{where}: damaged save file: a number too long to read") from None
    return validate(doc, where)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
MAX_NESTING_PASSES = 32  # a save nests about five deep; each pass peels one level or more


def _nested_too_deeply(text: str) -> bool:
    """Whether the JSON nests deeper than any save could. Checked before parsing:
    json's C decoder recurses, and under Pyodide (the web page) a few thousand
    levels overflow the WebAssembly stack and kill the interpreter instead of
    raising RecursionError. Peels innermost bracket pairs, a level or more per
    pass, with regular expressions and str methods (no Python loop per character)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    for _ in range(MAX_NESTING_PASSES):
        shorter = brackets.replace("[]", "").replace("{}", "")
        if shorter == brackets:
            return False
        brackets = shorter
    return "[]" in brackets or "{}" in brackets


def write_doc(path: Path, doc: dict[str, Any]) -> None:
    """Write a save document atomically (see write_bytes)."""
    write_bytes(path, dumps(doc).encode())


def write_text(path: Path, text: str) -> None:
    """Write a text file (a transcript) atomically."""
    write_bytes(path, text.encode())


def write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: temp file in the same folder, fsync, rename; the old file survives any failure."""
    _commit(_stage(path, data), path)


def _stage(path: Path, data: bytes) -> str:
    """Write data to a fsynced temporary file beside path; return its name."""
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
    except OSError as exc:
        _unlink(tmp)
        raise SaveError(f"cannot write {path}: {_why(exc)}; the previous save is untouched") from None
    return tmp


def _commit(tmp: str, path: Path) -> None:
    """Rename the staged file over path (atomic on POSIX and Windows)."""
    try:
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise SaveError(f"cannot write {path}: {_why(exc)}; the previous save is untouched") from None
    _fsync_dir(path.parent)
    _remove_stale_temps(path)


def _unlink(name: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


def _remove_stale_temps(path: Path) -> None:
    # A process killed mid-save leaves its temp file behind; tidy those up,
    # but never one young enough to belong to a save in progress elsewhere.
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        leftovers = list(path.parent.glob(f".{path.name}.*.tmp"))
        for leftover in leftovers:
            if leftover.stat().st_mtime < cutoff:
                _unlink(leftover)
    except OSError:
        pass


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
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "a folder of that name is in the way"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "a file is in the way of the saves folder"
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
    story_id: str = ""
    fingerprint: str = ""

    @property
    def autosave(self) -> bool:
        return is_autosave(self.slot)


def save_slot(saves_dir: Path, story: Story, pt: Playthrough, slot: str) -> Path:
    """Write the playthrough to a named slot, keeping its creation time."""
    name = writable_slot(slot)
    path = slot_path(saves_dir, name)
    created = None
    if _exists(path):
        try:
            created = read_doc(path).get("created")
        except SaveError:
            created = None  # an unreadable old file is replaced by a good one
    write_doc(path, make_save(story, pt, name, created=created))
    return path


def autosave(saves_dir: Path, story: Story, pt: Playthrough) -> Path:
    """Save into the autosave ring: the new save becomes autosave-1, the
    others move one down, the oldest drops out.

    The new file is written and fsynced before anything moves, so a full disk
    costs nothing; a crash while the ring moves can only lose its oldest
    entry, and 'autosave' then still finds the newest one left.

    Two games sharing the saves folder take turns: the whole autosave, from
    its timestamp to the last rename, runs under a lock on RING_LOCK
    (game/savelock.py), so the ring stays newest-first and nothing is moved
    twice. If another game holds the lock for RING_LOCK_TIMEOUT seconds this
    autosave is skipped with a SaveError and the ring is left as it was.
    """
    ring = [slot_path(saves_dir, name) for name in autosave_slots()]
    with contextlib.ExitStack() as held:
        try:
            saves_dir.mkdir(parents=True, exist_ok=True)
            held.enter_context(savelock.exclusive(saves_dir / RING_LOCK, RING_LOCK_TIMEOUT))
        except TimeoutError:
            raise SaveError(f"cannot autosave in {saves_dir}: another game kept the autosave ring locked "
                            f"for {RING_LOCK_TIMEOUT:g} s; this turn was not autosaved, the ring is untouched"
                            ) from None
        except OSError as exc:
            raise SaveError(f"cannot write to {saves_dir}: {_why(exc)}") from None
        tmp = _stage(ring[0], dumps(make_save(story, pt, AUTOSAVE + "-1")).encode())
        try:
            for older, newer in zip(reversed(ring[:-1]), reversed(ring[1:]), strict=True):
                if older.is_file():
                    os.replace(older, newer)
        except OSError as exc:
            _unlink(tmp)
            raise SaveError(f"cannot autosave in {saves_dir}: {_why(exc)}") from None
        _commit(tmp, ring[0])
    return ring[0]


def _exists(path: Path, folder: bool = False) -> bool:
    """Path.exists()/is_dir() that says False, not OSError, for a path the system
    cannot even look at (a name too long, a loop of links): the caller's own
    error then names the problem in one line (docs/SECURITY.md)."""
    try:
        return path.is_dir() if folder else path.exists()
    except OSError:
        return False


def has_autosave(saves_dir: Path) -> bool:
    """Whether 'autosave' (continue) has anything to load, damaged or not."""
    return any(_exists(slot_path(saves_dir, name)) for name in [*autosave_slots(), AUTOSAVE])


@dataclass(frozen=True)
class SlotDoc:
    """A slot's file, read and validated (not yet replayed)."""

    slot: str
    path: Path
    doc: dict[str, Any]
    skipped: tuple[str, ...] = ()  # damaged autosaves passed over to find this one


def read_slot(saves_dir: Path, slot: str) -> SlotDoc:
    """Read a slot. 'autosave' means the newest autosave that can be read; a
    damaged one is passed over (and reported in `skipped`), never deleted."""
    name = slot_name(slot)
    if name != AUTOSAVE:
        path = slot_path(saves_dir, name)
        if not _exists(path):
            known = [info.slot for info in list_saves(saves_dir)]
            raise SaveError(f"no save named '{name}' in {saves_dir}{did_you_mean(name, known)}")
        return SlotDoc(name, path, read_doc(path))
    skipped: list[str] = []
    for candidate in [*autosave_slots(), AUTOSAVE]:  # plain 'autosave' is what version 1 wrote
        path = slot_path(saves_dir, candidate)
        if not _exists(path):
            continue
        try:
            return SlotDoc(candidate, path, read_doc(path), tuple(skipped))
        except SaveError as exc:
            skipped.append(str(exc))
    if skipped:
        more = f" (and {len(skipped) - 1} older autosaves are damaged too)" if len(skipped) > 1 else ""
        raise SaveError(skipped[0] + more)
    raise SaveError(f"no autosave yet in {saves_dir}")


@dataclass(frozen=True)
class Loaded:
    """A save replayed on the story as it is now: as far as it fits."""

    slot: str
    where: str
    doc: dict[str, Any]
    result: ReplayResult
    story: Story  # the story it was replayed on
    story_changed: bool  # its fingerprint differs from the one saved
    skipped: tuple[str, ...] = ()

    @property
    def playthrough(self) -> Playthrough:
        return self.result.playthrough

    @property
    def total(self) -> int:
        return len(self.doc["log"])

    @property
    def fits(self) -> bool:
        return self.result.error is None

    @property
    def fitting(self) -> int:
        """How many turns of the log fit the story."""
        return self.total if self.result.error is None else self.result.error.turn - 1

    def misfit(self) -> SaveMisfit:
        assert self.result.error is not None
        return SaveMisfit(self)

    def notes(self) -> list[str]:
        """What the player should be told about this load, one line each."""
        lines = [f"Passed over a damaged autosave: {problem}" for problem in self.skipped]
        if self.result.error is not None:
            lines.append(f"Loaded turns 1-{self.fitting} of {self.total}; "
                         f"{describe_misfit(self.result.error, self.total)}. The save file is unchanged."
                         if self.fitting else
                         f"Loaded the start of the case; {describe_misfit(self.result.error, self.total)}. "
                         "The save file is unchanged.")
        elif self.story_changed:
            lines.append("The story was updated since this save; your game replays fine.")
        saved_scene = self.doc.get("summary", {}).get("scene")
        if self.fits and saved_scene and saved_scene != self.playthrough.scene:
            lines.append(f"After the update this game is in scene '{self.playthrough.scene}', "
                         f"not '{saved_scene}' where it was saved.")
        if self.fits and self.story_changed and len(self.playthrough.log) == self.total:  # not cut by --to
            drift = state_drift(self.doc.get("snapshot"), self.playthrough, self.story)
            if drift:
                lines.append(f"After the update: {drift}.")
        if self.result.renamed:
            plural = "s" if self.result.renamed != 1 else ""
            lines.append(f"{self.result.renamed} turn{plural} followed renamed scenes or choices.")
        return lines


def _names(ids: list[str], title: Callable[[str], str], most: int = 3) -> str:
    shown = [title(i) for i in ids[:most]]
    more = f" and {len(ids) - most} more" if len(ids) > most else ""
    return ", ".join(shown) + more


def state_drift(snapshot: Any, pt: Playthrough, story: Story) -> str:
    """What replaying on the edited story changed in the case, against the
    snapshot saved with the log: clues, flags and stats ('' if nothing did).
    The log is what a save means; the snapshot only lets us say what moved."""
    if not isinstance(snapshot, dict):
        return ""
    parts = []
    saved_clues = snapshot.get("clues")
    if isinstance(saved_clues, dict):
        def clue(i: str) -> str:
            return story.clues[i].title if i in story.clues else i  # a clue the edit deleted has only its id

        gained = sorted(set(pt.clues) - set(saved_clues))
        lost = sorted(c for c in saved_clues if c not in pt.clues)
        if gained:
            parts.append(f"clues gained: {_names(gained, clue)}")
        if lost:
            parts.append(f"clues no longer held: {_names(lost, clue)}")
    saved_flags = snapshot.get("flags")
    if isinstance(saved_flags, list) and all(isinstance(f, str) for f in saved_flags):
        changed = sorted(set(saved_flags) ^ pt.flags)
        if changed:
            parts.append(f"flags changed: {_names(changed, str)}")
    saved_stats = snapshot.get("stats")
    if isinstance(saved_stats, dict):
        moved = [f"{decl.label} {saved_stats[sid]} -> {pt.stats[sid]}" for sid, decl in story.stats.items()
                 if _is_int(saved_stats.get(sid)) and sid in pt.stats and saved_stats[sid] != pt.stats[sid]]
        if moved:
            parts.append(_names(moved, str))
    return "; ".join(parts)


def describe_misfit(error: ReplayError, total: int) -> str:
    """'turn 3 of 5 no longer fits: in scene ..., choice ...: why' (no capital, no full stop)."""
    return (f"turn {error.turn} of {total} no longer fits: in scene '{error.scene}', "
            f"choice '{error.choice}': {error.reason}")


class SaveMisfit(SaveError):
    """A readable save whose log stops fitting the story; it can be loaded up to that turn."""

    def __init__(self, loaded: Loaded):
        error = loaded.result.error
        assert error is not None
        self.loaded = loaded
        self.error = error
        changed = "the story changed since this save: " if loaded.story_changed else ""
        keep = f"play on from turn {loaded.fitting}" if loaded.fitting else "start over from it"
        label = f"save '{loaded.slot}'" if loaded.slot else loaded.where
        self.problem = f"{label}: {changed}{describe_misfit(error, loaded.total)}"
        self.remedy = keep  # what loading the fitting part does, for a UI's own hint
        super().__init__(f"{self.problem}; use --partial to {keep}")


def replay_doc(doc: dict[str, Any], engine: Engine, where: str, slot: str = "",
               skipped: tuple[str, ...] = (), upto: int | None = None) -> Loaded:
    """Replay a validated document (its first `upto` turns) on the story; never
    raises for a log that stops fitting: the Loaded says where it stops."""
    story_info = doc.get("story") or {}
    saved_id = story_info.get("id")
    if saved_id not in (None, "", engine.story.id):
        raise SaveError(f"{where}: this save belongs to story '{saved_id}', not '{engine.story.id}'")
    log = log_of(doc)
    if upto is not None:
        log = log[:upto]
    result = engine.replay(log, seed=doc.get("seed", 0))
    changed = story_info.get("fingerprint") not in (None, engine.story.fingerprint)
    return Loaded(slot, where, doc, result, engine.story, changed, skipped)


def restore(doc: dict[str, Any], engine: Engine, where: str, partial: bool = False) -> ReplayResult:
    """Replay a validated document; SaveMisfit if the log stops fitting (unless partial)."""
    loaded = replay_doc(doc, engine, where)
    if not loaded.fits and not partial:
        raise loaded.misfit()
    return loaded.result


def load_slot(saves_dir: Path, slot: str, engine: Engine, partial: bool = False) -> Loaded:
    """Read a slot and replay it. SaveError if it cannot be read; SaveMisfit if
    its log stops fitting the story, unless partial (then it loads up to there)."""
    found = read_slot(saves_dir, slot)
    loaded = replay_doc(found.doc, engine, str(found.path), found.slot, found.skipped)
    if not loaded.fits and not partial:
        raise loaded.misfit()
    return loaded


def list_saves(saves_dir: Path) -> list[SaveInfo]:
    """Every save in the folder, newest first; damaged ones last, with their problem."""
    if not _exists(saves_dir, folder=True):
        return []
    good, damaged = [], []
    try:
        paths = sorted(saves_dir.glob("*" + SUFFIX))
    except OSError:
        return []
    for path in paths:
        slot = path.name[: -len(SUFFIX)]
        if slot.startswith("."):
            continue
        try:
            if not _names_a_slot(slot):  # one reason for every odd name: listings quote it already
                raise SaveError(f"{path}: the file name is not a save name; rename it to at most "
                                f"{MAX_SLOT_LENGTH} letters, digits, '-' and '_'")
            doc = read_doc(path)
        except SaveError as exc:
            damaged.append(SaveInfo(slot, path, problem=str(exc).removeprefix(f"{path}: ")))
            continue
        summary = doc.get("summary", {})
        story = doc.get("story", {})
        good.append(SaveInfo(
            slot=slot,
            path=path,
            updated=str(doc.get("updated", "")),
            scene=summary.get("scene", ""),
            title=summary.get("title", ""),
            turn=summary.get("turn", len(doc["log"])),
            clues=summary.get("clues", 0),
            ending=summary.get("ending"),
            story_id=story.get("id", ""),
            fingerprint=story.get("fingerprint", ""),
        ))
    ring = {name: index for index, name in enumerate(autosave_slots())}
    good.sort(key=lambda i: ring.get(i.slot, len(ring)))  # the ring's own order breaks ties
    good.sort(key=lambda i: _when(i.updated), reverse=True)
    return good + damaged


def _when(stamp: str) -> datetime:
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def local_time(stamp: str) -> str:
    """A saved UTC timestamp as local 'YYYY-MM-DD HH:MM' for listings ('' if unreadable)."""
    if not stamp:
        return ""
    when = _when(stamp)
    if when.year == 1:
        return stamp[:40]
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
