"""Save documents: building one, writing it as readable JSON, and reading one
back: parsed within bounds, checked, upgraded to the current version.

A save is JSON a person can read: the format and version, its kind, the
story's id, version and content fingerprint, the slot, timestamps, the seed,
the full choice log, a summary and a snapshot of the playthrough (for
listings and for people) and a checksum over all of it. Walkthroughs (used
by tests and tools) are the same format with kind "walkthrough"; they need
no checksum and may leave out everything but the log.

Everything but the log and the snapshot comes first in the file (the
header), so a listing can read a save's first few kilobytes and know what it
is (read_header). Every field a listing shows is checked here, including the
timestamps, so that no formatter downstream meets a date it cannot show.

See docs/SAVES.md for the format and how versions are upgraded, and
docs/SECURITY.md for the bounds.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from json.encoder import encode_basestring as _encode_str
from pathlib import Path
from typing import Any

from .errors import SaveError
from .questions import ANSWER, parse_answer
from .savefiles import (
    NotARegularFile,
    TooCostly,
    decode_json,
    json_cost,
    read_capped,
    why,
    write_bytes,
)
from .state import LogEntry, Playthrough
from .story import Story

FORMAT = "aka-save"
VERSION = 3
KINDS = ("save", "walkthrough")
# Bounds on what one save may cost (docs/SECURITY.md). The longest real
# playthrough saves to about 22 KB, a 1,000-choice one to 33 KB.
MAX_SAVE_BYTES = 1024 * 1024
MAX_TURNS = 10_000  # loading replays every turn: 10,000 take about a second (a 1,000-turn log 0.04 s)
MAX_VALUES = 200_000  # JSON values and keys in one file: a 10,000-turn save has about 30,000
MAX_DEPTH = 16  # nesting of JSON lists and objects: a save uses 4
MAX_CLUES = 1_000_000  # summary.clues: a count for the listing, kept short
HEADER_BYTES = 64 * 1024  # what a listing reads of each file (docs/SAVES.md)
MAX_STAMP_LENGTH = 40
# The instants a timestamp may name: any time zone can show them (a UTC offset
# is under a day), so no formatter overflows at the ends of the calendar.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


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


def encode(doc: dict[str, Any], where: Path) -> bytes:
    """The bytes to write for a document; SaveError (nothing written) if they are
    more than any save may be, since the game would refuse to read them back."""
    data = dumps(doc).encode()
    if len(data) > MAX_SAVE_BYTES:
        raise SaveError(f"cannot write {where}: the save would be {len(data):,} bytes, more than a save "
                        f"may be ({MAX_SAVE_BYTES:,}); the previous save is untouched")
    return data


def write_doc(path: Path, doc: dict[str, Any]) -> None:
    """Write a save document atomically (savefiles.write_bytes)."""
    write_bytes(path, encode(doc, path))


# --- checking and upgrading documents ------------------------------------


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    # Version 1 had no 'kind': a save was told from a walkthrough by its checksum.
    new = dict(doc)
    if new.get("kind") not in KINDS:
        new["kind"] = "save" if "checksum" in doc and "expect" not in doc else "walkthrough"
    new["version"] = 2
    new.pop("checksum", None)  # it covered the version 1 text, and was checked before the upgrade
    return new


def _v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
    # Version 3 logs may hold answers to questions ("answer:Q:slot=value,..."), and its
    # snapshots the question state; a version 2 log has no answers, so it is a version 3
    # log as it stands. Its snapshot gains the (empty) question state.
    new = dict(doc)
    snapshot = new.get("snapshot")
    if isinstance(snapshot, dict):
        new["snapshot"] = {"answers": {}, "wrong": {}, "locked": {}, "pending": {}, **snapshot}
    new["version"] = 3
    new.pop("checksum", None)  # it covered the version 2 text, and was checked before the upgrade
    return new


# version N -> a function turning a version N document into version N+1
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring an older document up to VERSION, one step at a time (the input is not changed)."""
    while doc["version"] < VERSION:
        doc = UPGRADES[doc["version"]](doc)
    return doc


def validate(doc: Any, where: str) -> dict[str, Any]:
    """Check a parsed save or walkthrough, upgrade it to VERSION and check its
    shape; raise SaveError naming the first problem. Returns the upgraded document."""
    _check_version(doc, where)
    if "checksum" in doc:
        if doc["checksum"] != checksum(doc):
            raise SaveError(f"{where}: checksum does not match; the file is damaged or was edited by hand")
    elif doc["version"] >= 2 and doc.get("kind") != "walkthrough":
        raise SaveError(f"{where}: the checksum is missing; the file is damaged or was edited by hand")
    doc = upgrade(doc)
    if doc.get("kind") not in KINDS:
        raise SaveError(f"{where}: 'kind' must be " + " or ".join(f"'{k}'" for k in KINDS))
    _check_log(doc, where)
    check_header(doc, where)
    return doc


def _check_version(doc: Any, where: str) -> None:
    if not isinstance(doc, dict):
        raise SaveError(f"{where}: not a save file (expected a JSON object)")
    if doc.get("format") != FORMAT:
        raise SaveError(f"{where}: not a save file (format is not '{FORMAT}')")
    version = doc.get("version")
    if not _is_int(version):
        raise SaveError(f"{where}: save version missing or not a whole number")
    if version > VERSION:
        shown = version if version < 10**6 else "above a million"
        raise SaveError(f"{where}: save version {shown} is newer than this game understands ({VERSION}); "
                        "update the game")
    if version < min(UPGRADES, default=VERSION):
        raise SaveError(f"{where}: save version {max(version, -1)} is older than any this game can read")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_log(doc: dict[str, Any], where: str) -> None:
    log = doc.get("log")
    if isinstance(log, list) and len(log) > MAX_TURNS:
        raise SaveError(f"{where}: the log has more than {MAX_TURNS:,} turns; no game is that long")
    if not isinstance(log, list):
        raise SaveError(f"{where}: 'log' must be a list of [scene, choice] pairs")
    for index, entry in enumerate(log, start=1):
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            raise SaveError(f"{where}: log entry {index} must be [scene, choice]")
        if entry[1].startswith(ANSWER) and parse_answer(entry[1]) is None:
            raise SaveError(f"{where}: log entry {index} is not a well-formed answer "
                            "('answer:QUESTION:slot=value,...')")


def check_header(doc: dict[str, Any], where: str) -> None:
    """Check what a listing shows: every field before the log. Used on whole
    documents and on the header a listing reads (read_header)."""
    def bad(key: str, what: str) -> SaveError:
        return SaveError(f"{where}: '{key}' must be {what}")

    if not _is_int(doc.get("seed", 0)):
        raise bad("seed", "a whole number")
    for key in ("slot", "created", "updated"):
        if key in doc and not isinstance(doc[key], str):
            raise bad(key, "text")
    for key in ("created", "updated"):
        if key in doc and timestamp(doc[key]) is None:
            raise bad(key, "a date and time (ISO 8601) that every time zone can show")
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
    for key, most in (("turn", MAX_TURNS), ("clues", MAX_CLUES)):
        if key in summary and not (_is_int(summary[key]) and 0 <= summary[key] <= most):
            raise bad(f"summary.{key}", f"a whole number from 0 to {most:,}")
    if summary.get("ending") is not None and not isinstance(summary["ending"], str):
        raise bad("summary.ending", "text or null")


def timestamp(stamp: Any) -> datetime | None:
    """A saved timestamp as an aware datetime (a stamp without an offset is UTC),
    or None if it is no date and time that every time zone can show."""
    if not isinstance(stamp, str) or len(stamp) > MAX_STAMP_LENGTH:
        return None
    try:
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        utc = when.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: 9999-12-31T23:00-14:00 is in the year 10000
        return None
    return when if _EARLIEST <= utc <= _LATEST else None


def log_of(doc: dict[str, Any]) -> list[LogEntry]:
    return [LogEntry(scene, choice) for scene, choice in doc["log"]]


# --- reading files -------------------------------------------------------


class SaveGone(SaveError):
    """The file was there when the folder was looked at, and is not now: another
    game moved or replaced it (the autosave ring turns). Not damage."""


def read_doc(path: Path) -> dict[str, Any]:
    """Read, validate and upgrade one save or walkthrough file (at most MAX_SAVE_BYTES)."""
    return parse_doc(_read(path, MAX_SAVE_BYTES), str(path))


def _read(path: Path, limit: int) -> bytes:
    """At most limit + 1 bytes of the file (what is too many is the caller's to say)."""
    where = str(path)
    try:
        raw = read_capped(path, limit)
    except NotARegularFile:
        raise SaveError(f"{where}: not a regular file, so not a save file") from None
    except FileNotFoundError:
        raise SaveGone(f"{where}: no such file") from None
    except IsADirectoryError:
        raise SaveError(f"{where}: is a folder, not a save file") from None
    except OSError as exc:
        raise SaveError(f"{where}: cannot read: {why(exc)}") from None
    return raw


def parse_doc(raw: bytes, where: str) -> dict[str, Any]:
    """Parse, validate and upgrade the bytes of a save or walkthrough."""
    if len(raw) > MAX_SAVE_BYTES:
        raise SaveError(f"{where}: file is larger than any save ({MAX_SAVE_BYTES:,} bytes)")
    if not raw.strip():
        raise SaveError(f"{where}: damaged save file: it is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError(f"{where}: damaged save file: not UTF-8 text") from None
    return validate(_decode(text, where), where)


def _decode(text: str, where: str) -> Any:
    try:
        return decode_json(text, MAX_VALUES, MAX_DEPTH)
    except TooCostly as exc:
        raise SaveError(f"{where}: damaged save file: {exc}; no real save comes near that") from None
    except json.JSONDecodeError as exc:
        short = "; it looks cut short" if not text.rstrip().endswith("}") else ""
        raise SaveError(f"{where}: damaged save file: {exc.msg.removesuffix(' at')} "
                        f"(line {exc.lineno}, column {exc.colno}){short}") from None
    except RecursionError:  # not reached within MAX_DEPTH; kept for a smaller recursion limit
        raise SaveError(f"{where}: damaged save file: nested too deeply") from None
    except ValueError:  # e.g. a number of more than 4,300 digits
        raise SaveError(f"{where}: damaged save file: a number too long to read") from None


def read_header(path: Path) -> tuple[dict[str, Any], bool]:
    """What a listing needs of a file, at the cost of its first HEADER_BYTES.

    Returns (document, whole): a file that fits in HEADER_BYTES is read,
    validated and upgraded in full, as read_doc does (whole=True); of a larger
    one, the top-level keys that come before the first one cut off (the
    header: everything before the log, as saves are written) are checked with
    check_header and returned (whole=False). SaveError as read_doc raises it
    (SaveGone if the file vanished); a file over MAX_SAVE_BYTES is refused
    from its size alone.
    """
    where = str(path)
    raw = _read(path, HEADER_BYTES)
    if len(raw) <= HEADER_BYTES:
        return parse_doc(raw, where), True
    try:
        if path.stat().st_size > MAX_SAVE_BYTES:  # a hint is enough for a listing; loading reads and counts
            raise SaveError(f"{where}: file is larger than any save ({MAX_SAVE_BYTES:,} bytes)")
    except OSError:
        pass
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(raw[:HEADER_BYTES])  # may end mid-character
    except UnicodeDecodeError:
        raise SaveError(f"{where}: damaged save file: not UTF-8 text") from None
    too_costly = json_cost(text, MAX_VALUES, MAX_DEPTH)
    if too_costly:
        raise SaveError(f"{where}: damaged save file: {too_costly}; no real save comes near that")
    header = _leading_keys(text, where)
    _check_version(header, where)
    if header["version"] >= 2 and header.get("kind", "save") not in KINDS:
        raise SaveError(f"{where}: 'kind' must be " + " or ".join(f"'{k}'" for k in KINDS))
    if not isinstance(header.get("summary"), dict):  # a save this game wrote has one before its log
        raise SaveError(f"{where}: not a save file: no summary in its first {HEADER_BYTES // 1024} KiB, "
                        "where every save has one")
    check_header(header, where)
    return header, False


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's white space


def _leading_keys(text: str, where: str) -> dict[str, Any]:
    """The key-value pairs at the start of a JSON object that text begins but
    may not finish: every pair up to the first one cut off."""
    problem = f"{where}: not a save file (expected a JSON object)"
    if not text.lstrip().startswith("{"):
        raise SaveError(problem)
    header: dict[str, Any] = {}
    at = text.index("{") + 1
    try:
        while True:
            at = _skip_space(text, at)
            key, at = _DECODER.raw_decode(text, at)
            at = _skip_space(text, at)
            if not isinstance(key, str) or text[at : at + 1] != ":":
                raise SaveError(problem)
            if key == "log":
                return header  # the header ends where the log begins (as saves are written)
            value, at = _DECODER.raw_decode(text, _skip_space(text, at + 1))
            header[key] = value
            at = _skip_space(text, at)
            if text[at : at + 1] != ",":
                return header  # the end of the object (a whole one would have been parsed in full)
            at += 1
    except (json.JSONDecodeError, RecursionError, ValueError):
        return header  # the pair HEADER_BYTES cut through, or damage after the header: loading will tell


def _skip_space(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]  # always matches

