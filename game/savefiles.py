"""The files of a saves folder: which names are saves, reading one at a bounded
cost, writing one atomically, and tidying up what a crash left behind.

Nothing here knows what is inside a save (game/savedoc.py does); saves.py
builds slots, the autosave ring and loading on top. The endings record
(game/profile.py) and `replay --compare` use the same reading and writing.

Reading is bounded twice: read_capped() never reads more than a limit of
bytes (whatever the file claims to be), and decode_json() refuses, before
json.loads builds anything, a text with more values or deeper nesting than
its caps. A megabyte of `[],[],...` would otherwise become a third of a
million lists (over 20 MB); a deep `[[[[...` would reach json's recursion
limit, or a later json.dumps of it would (docs/SECURITY.md lists the bounds).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from .errors import SaveError
from .safetext import printable

SUFFIX = ".json"
MAX_SLOT_LENGTH = 40
AUTOSAVE = "autosave"  # what a player types to mean "the newest autosave"
AUTOSAVE_RING = 5  # autosave-1 (newest) .. autosave-5 (oldest)
STALE_TEMP_SECONDS = 600  # a temp file this old was left by a crash, not by a save in progress

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
        # quoted as typed (Python's repr would escape a quote and add its own), controls escaped
        raise SaveError(f"save name '{printable(shown)}' may use only letters, digits, '-' and '_', "
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


def names_a_slot(name: str) -> bool:
    """Whether a file name (without .json) is one a save can have been written to."""
    try:
        return name == slot_name(name)
    except SaveError:
        return False


def slot_path(saves_dir: Path, slot: str) -> Path:
    return saves_dir / (slot_name(slot) + SUFFIX)


def save_files(saves_dir: Path) -> list[tuple[str, Path]]:
    """(name without .json, path) of every *.json file in the folder, by name; hidden
    ones (the locks, temp files) left out. Reads the folder, not the files."""
    if not exists(saves_dir, folder=True):
        return []
    try:
        paths = sorted(saves_dir.glob("*" + SUFFIX))
    except OSError:
        return []
    return [(path.name[: -len(SUFFIX)], path) for path in paths if not path.name.startswith(".")]


def slot_names(saves_dir: Path) -> list[str]:
    """The slot names that have a file in the folder, from the file names alone
    (for 'did you mean': suggesting a name must not read a stranger's files)."""
    return [name for name, _ in save_files(saves_dir) if names_a_slot(name)]


def exists(path: Path, folder: bool = False) -> bool:
    """Path.exists()/is_dir() that says False, not OSError, for a path the system
    cannot even look at (a name too long, a loop of links): the caller's own
    error then names the problem in one line (docs/SECURITY.md)."""
    try:
        return path.is_dir() if folder else path.exists()
    except OSError:
        return False


# --- reading -------------------------------------------------------------


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


class TooCostly(ValueError):
    """JSON text that would cost more to decode than its caps allow; str() says which cap."""


# A JSON string, or the rest of the text after a quote that is never closed (so
# the pattern always matches where it starts: one pass, no backtracking).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
# For the depth: brackets kept, everything else deleted, and every opening one
# made '(' and every closing one ')' (a mismatch is json.loads's to report).
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_PARENS = bytes.maketrans(b"[{]}", b"(())")


def json_cost(text: str, max_values: int, max_depth: int) -> str:
    """Why decoding text would exceed the caps ('' if it would not), without decoding it.

    Values are counted by their separators: every ',' and every '[' or '{'
    (a value or a key is either first in its container or follows a comma).
    The first look counts commas and brackets inside strings too, which costs
    only a few passes in C over the text; only text that fails it is looked
    at again with its strings taken out, so a title full of brackets is not
    held against a real save.
    """
    problem = _cost(text, max_values, max_depth)
    if problem:
        problem = _cost(_STRING.sub("", text), max_values, max_depth)
    return problem


def _cost(text: str, max_values: int, max_depth: int) -> str:
    openers = text.count("[") + text.count("{")
    if text.count(",") + openers > max_values:
        return f"more than {max_values:,} values"
    if openers <= max_depth:
        return ""  # it cannot nest that deep
    parens = text.encode("utf-8", "surrogatepass").translate(_PARENS, _NOT_BRACKETS)  # ASCII brackets survive
    return f"nested more than {max_depth} levels deep" if _deeper(parens, max_depth) else ""


def _deeper(parens: bytes, most: int) -> bool:
    """Whether a string of '(' and ')' nests more than `most` deep. Each pass takes
    out every innermost '()' (in C), so a well-nested string of depth d is gone
    after d passes; what stays is unmatched (a text cut short, or not JSON)."""
    rest, passes = parens, 0
    while True:
        shorter = rest.replace(b"()", b"")
        if shorter == rest:
            break
        rest, passes = shorter, passes + 1
        if passes > most:  # a pair taken out in pass k holds k - 1 levels
            return True
    if passes + rest.count(b"(") <= most:  # the unmatched ones can add at most themselves
        return False
    depth = deepest = 0  # near the limit: count exactly
    for step in parens:
        depth += 1 if step == 40 else -1  # 40: '('
        deepest = max(deepest, depth)
    return deepest > most


def decode_json(text: str, max_values: int, max_depth: int) -> Any:
    """json.loads(text), or TooCostly before anything is built if it exceeds the caps.

    Also raises what json.loads raises: json.JSONDecodeError for bad JSON,
    ValueError for a number of more than 4,300 digits.
    """
    problem = json_cost(text, max_values, max_depth)
    if problem:
        raise TooCostly(problem)
    return json.loads(text)


# --- writing -------------------------------------------------------------


def write_text(path: Path, text: str) -> None:
    """Write a text file (a transcript) atomically."""
    write_bytes(path, text.encode())


def write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: temp file in the same folder, fsync, rename; the old file survives any failure."""
    commit(stage(path, data), path)


def stage(path: Path, data: bytes) -> str:
    """Write data to a fsynced temporary file beside path; return its name."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise SaveError(f"cannot write to {folder}: {why(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        unlink(tmp)
        raise SaveError(f"cannot write {path}: {why(exc)}; the previous save is untouched") from None
    return tmp


def commit(tmp: str, path: Path) -> None:
    """Rename the staged file over path (atomic on POSIX and Windows)."""
    try:
        os.replace(tmp, path)
    except OSError as exc:
        unlink(tmp)
        raise SaveError(f"cannot write {path}: {why(exc)}; the previous save is untouched") from None
    _fsync_dir(path.parent)
    _remove_stale_temps(path.parent, f".{path.name}.*.tmp")


def unlink(name: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


_tidied: set[str] = set()


def tidy(saves_dir: Path) -> None:
    """Remove the temporary files crashed saves left in the folder, once per
    process, when the folder is first used: a game killed mid-save leaves one
    per kill, and they would pile up until the same slot was saved again."""
    key = os.path.abspath(saves_dir)
    if key not in _tidied:
        _tidied.add(key)
        _remove_stale_temps(saves_dir, f".*{SUFFIX}.*.tmp")


def _remove_stale_temps(folder: Path, pattern: str) -> None:
    # Never one young enough to belong to a save in progress in another game.
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        for leftover in folder.glob(pattern):
            info = leftover.lstat()
            if not stat.S_ISDIR(info.st_mode) and info.st_mtime < cutoff:
                unlink(leftover)
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


def why(exc: OSError) -> str:
    """An OSError in the player's words."""
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
