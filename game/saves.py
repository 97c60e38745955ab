"""Save slots: saving a playthrough, the autosave ring, and loading a slot by
replaying its log on the story as it is now, so that nothing is ever lost.

Loading replays the log; the replayed state is the truth. If the story was
edited since, the replay either still fits (the save loads) or stops at the
first turn that no longer fits, which is reported and can be loaded up to
that point. Writes are atomic (a fsynced temporary file renamed over the old
one), so a crash leaves the old save or the new one, never half of each.
Autosaves go into a small ring (autosave-1 is the newest).

This module is also the one place the rest of the game imports save
handling from; the work is split by job:

    savefiles.py   slot names, reading a file within bounds, atomic writes, tidying temp files
    savedoc.py     the document: building, writing, parsing within bounds, checking, upgrading
    savelist.py    the listing, from each file's header; timestamps shown in local time
    saves.py       slots, the autosave ring, reading a slot, replaying it (this file)

See docs/SAVES.md for the format and how versions are upgraded.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import savelock
from .diagnostics import did_you_mean
from .engine import Engine, ReplayResult
from .errors import ReplayError, SaveError
from .safetext import printable
from .savedoc import (  # noqa: F401  (the rest of the game imports these from here)
    FORMAT,
    HEADER_BYTES,
    KINDS,
    MAX_DEPTH,
    MAX_SAVE_BYTES,
    MAX_TURNS,
    MAX_VALUES,
    UPGRADES,
    VERSION,
    SaveGone,
    checksum,
    dumps,
    encode,
    log_of,
    make_save,
    parse_doc,
    read_doc,
    read_header,
    upgrade,
    validate,
    write_doc,
)
from .savefiles import (  # noqa: F401
    AUTOSAVE,
    AUTOSAVE_RING,
    MAX_SLOT_LENGTH,
    STALE_TEMP_SECONDS,
    SUFFIX,
    NotARegularFile,
    autosave_slots,
    commit,
    exists,
    is_autosave,
    read_capped,
    slot_name,
    slot_names,
    slot_path,
    stage,
    tidy,
    unlink,
    why,
    writable_slot,
    write_bytes,
    write_text,
)
from .savelist import SaveInfo, list_saves, local_time  # noqa: F401
from .state import Playthrough
from .story import Story

RING_LOCK = ".autosave.lock"  # taken around every autosave (a dot: never listed as a save)
RING_LOCK_TIMEOUT = 3.0  # seconds; an autosave takes milliseconds, so this is a stuck or stopped game
VANISHED_RETRIES = 3  # rescans of the ring when a file goes while 'autosave' is being read


# --- slots ---------------------------------------------------------------


def save_slot(saves_dir: Path, story: Story, pt: Playthrough, slot: str) -> Path:
    """Write the playthrough to a named slot, keeping its creation time."""
    name = writable_slot(slot)
    path = slot_path(saves_dir, name)
    tidy(saves_dir)
    created = None
    if exists(path):
        try:
            created = read_header(path)[0].get("created")  # the header is enough, and cheap
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
            raise SaveError(f"cannot write to {saves_dir}: {why(exc)}") from None
        tidy(saves_dir)
        tmp = stage(ring[0], encode(make_save(story, pt, AUTOSAVE + "-1"), ring[0]))
        try:
            for older, newer in zip(reversed(ring[:-1]), reversed(ring[1:]), strict=True):
                if older.is_file():
                    os.replace(older, newer)
        except OSError as exc:
            unlink(tmp)
            raise SaveError(f"cannot autosave in {saves_dir}: {why(exc)}") from None
        commit(tmp, ring[0])
    return ring[0]


def has_autosave(saves_dir: Path) -> bool:
    """Whether 'autosave' (continue) has anything to load, damaged or not."""
    return any(exists(slot_path(saves_dir, name)) for name in [*autosave_slots(), AUTOSAVE])


@dataclass(frozen=True)
class SlotDoc:
    """A slot's file, read and validated (not yet replayed)."""

    slot: str
    path: Path
    doc: dict[str, Any]
    skipped: tuple[str, ...] = ()  # damaged autosaves passed over to find this one


def read_slot(saves_dir: Path, slot: str) -> SlotDoc:
    """Read a slot. 'autosave' means the newest autosave that can be read; a
    damaged one is passed over (and reported in `skipped`), never deleted.

    A file that goes between looking for it and reading it is not damaged:
    another game is turning the autosave ring (each autosave renames every
    file one down), so the ring is looked at again from its newest end.
    """
    name = slot_name(slot)
    tidy(saves_dir)
    if name != AUTOSAVE:
        path = slot_path(saves_dir, name)
        with contextlib.suppress(SaveGone):  # gone since we looked: as if it had never been there
            if exists(path):
                return SlotDoc(name, path, read_doc(path))
        known = slot_names(saves_dir)  # from the file names: a suggestion reads no file
        raise SaveError(f"no save named '{name}' in {saves_dir}{did_you_mean(name, known)}")
    for attempt in range(VANISHED_RETRIES, -1, -1):
        with contextlib.suppress(SaveGone):
            return _newest_autosave(saves_dir, rescan=attempt > 0)
    raise AssertionError("not reached: the last attempt passes over files that go")


def _newest_autosave(saves_dir: Path, rescan: bool) -> SlotDoc:
    """The newest readable autosave; SaveGone if one went while we read (and rescan)."""
    skipped: list[str] = []
    for candidate in [*autosave_slots(), AUTOSAVE]:  # plain 'autosave' is what version 1 wrote
        path = slot_path(saves_dir, candidate)
        if not exists(path):
            continue
        try:
            return SlotDoc(candidate, path, read_doc(path), tuple(skipped))
        except SaveGone:
            if rescan:
                raise
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
        """What the player should be told about this load, one line each; they
        quote the save file, so each is escaped (safetext.printable)."""
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
        return [printable(line) for line in lines]


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
                 if _whole(saved_stats.get(sid)) and sid in pt.stats and saved_stats[sid] != pt.stats[sid]]
        if moved:
            parts.append(_names(moved, str))
    return "; ".join(parts)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**9


def describe_misfit(error: ReplayError, total: int) -> str:
    """'turn 3 of 5 no longer fits: in scene ..., choice ...: why' (no capital, no full stop).
    The scene and choice come from the save's log: escaped, and cut short."""
    return (f"turn {error.turn} of {total} no longer fits: in scene '{printable(error.scene, 100)}', "
            f"choice '{printable(error.choice, 100)}': {printable(error.reason, 300)}")


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
        raise SaveError(f"{where}: this save belongs to story '{printable(str(saved_id), 100)}', "
                        f"not '{engine.story.id}'")
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


