"""Walkthroughs from playthroughs: `play.py walkthrough SAVE OUT` and `playtest --save-walkthroughs`.

A walkthrough is a save document of kind "walkthrough" (docs/SAVES.md): the
seed and the choice log, plus an ``expect`` block saying where the log leads
(the ending, or the scene of a game still in progress; the clues held, flags
set, stats and how questions were closed). tests/test_walkthroughs.py and
`play.py replay` read exactly this. Writers used to copy a save's log into a
walkthrough by hand; this writes it from the replayed state, and checks that
the file written replays to that same state before saying it is done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import saves
from ..engine import Engine
from ..errors import SaveError
from ..safetext import printable
from ..state import Playthrough
from ..story import Story


def expectations(pt: Playthrough) -> dict[str, Any]:
    """What a replay of pt's log must end holding: everything a writer would check by eye."""
    expect: dict[str, Any] = {"ending": pt.ending} if pt.ending is not None else {"scene": pt.scene}
    expect["turns"] = len(pt.log)
    expect["clues"] = sorted(pt.clues)
    expect["flags"] = sorted(pt.flags)
    expect["stats"] = dict(pt.stats)
    if pt.answers:
        expect["answers"] = {q: c.outcome for q, c in sorted(pt.answers.items())}
    return expect


def document(story: Story, pt: Playthrough, note: str = "") -> dict[str, Any]:
    """A walkthrough document whose log and seed lead to pt."""
    doc: dict[str, Any] = {
        "format": saves.FORMAT,
        "version": saves.VERSION,
        "kind": "walkthrough",
        "story": {"id": story.id, "version": story.version, "fingerprint": story.fingerprint},
        "seed": pt.seed,
    }
    if note:
        doc["note"] = note
    doc["log"] = [entry.to_json() for entry in pt.log]
    doc["expect"] = expectations(pt)
    return doc


def unmet(story: Story, expect: dict[str, Any], pt: Playthrough) -> list[str]:
    """What the expect block promises that pt does not hold (empty: it holds all of it).

    The same rules as tests/test_walkthroughs.py: clues and flags must be held
    (at least those named), stats equal a number or lie in [low, high]."""
    problems = []
    if "ending" in expect and pt.ending != expect["ending"]:
        problems.append(f"ends in {pt.ending or 'no ending'}, expected {expect['ending']}")
    if "scene" in expect and (pt.ending is not None or pt.scene != expect["scene"]):
        problems.append(f"stops in scene {pt.scene}, expected {expect['scene']}")
    if "turns" in expect and len(pt.log) != expect["turns"]:
        problems.append(f"{len(pt.log)} turns, expected {expect['turns']}")
    missing = sorted(set(expect.get("clues", [])) - set(pt.clues))
    if missing:
        problems.append(f"clues not held: {', '.join(missing)}")
    unset = sorted(set(expect.get("flags", [])) - pt.flags)
    if unset:
        problems.append(f"flags not set: {', '.join(unset)}")
    for stat, wanted in expect.get("stats", {}).items():
        value = pt.stats.get(stat)
        low, high = wanted if isinstance(wanted, list) else (wanted, wanted)
        if value is None or not low <= value <= high:
            problems.append(f"stat {stat} is {value}, expected {wanted}")
    for question, outcome in expect.get("answers", {}).items():
        held = pt.answers.get(question)
        if held is None or held.outcome != outcome:
            problems.append(f"question {question} closed as {held.outcome if held else 'nothing'}, "
                            f"expected {outcome}")
    return problems


def replay_problems(engine: Engine, doc: dict[str, Any]) -> list[str]:
    """Replay a walkthrough document; what goes wrong (empty: it replays to what it expects)."""
    result = engine.replay(saves.log_of(doc), seed=doc.get("seed", 0))
    if result.error is not None:
        return [saves.describe_misfit(result.error, len(doc["log"]))]
    return unmet(engine.story, doc.get("expect", {}), result.playthrough)


def write_new(path: Path, doc: dict[str, Any], engine: Engine) -> None:
    """Write a walkthrough to a path that must not exist yet, then read it back and replay it.

    SaveError in one line if the path exists, cannot be written, or the file
    read back does not replay to its own expectations (then it is removed)."""
    if path.exists() or path.is_symlink():
        raise SaveError(f"{path} already exists; a walkthrough is never written over a file (pick a new name)")
    if path.parent.exists() and not path.parent.is_dir():
        raise SaveError(f"cannot write {path}: {path.parent} is not a folder")
    saves.write_doc(path, doc)
    verify_file(path, engine)


def verify_file(path: Path, engine: Engine) -> None:
    """Read a written walkthrough back as any tool would and replay it; SaveError (and the file
    removed) if it does not reach what it expects. A file that lies is worse than none."""
    problems = replay_problems(engine, saves.read_doc(path))
    if problems:
        saves.unlink(str(path))
        raise SaveError(f"{path}: the walkthrough did not replay to the same state ({printable(problems[0])}); "
                        "nothing was kept")


def from_save(doc: dict[str, Any], engine: Engine, where: str, partial: bool = False) -> tuple[dict, str]:
    """A walkthrough document from a read (validated, upgraded) save document, and a note for
    the user ('' or what was left out). SaveError if it belongs to another story, or its log
    stops fitting the story (unless partial: then the part that fits)."""
    loaded = saves.replay_doc(doc, engine, where)
    note = ""
    if not loaded.fits:
        if not partial:
            raise loaded.misfit()
        note = f"kept turns 1-{loaded.fitting} of {loaded.total}: " \
               f"{saves.describe_misfit(loaded.result.error, loaded.total)}"  # type: ignore[arg-type]
    source = doc.get("slot") or Path(where).name
    made = f"from {'the ' + doc['kind'] if doc.get('kind') else 'a save'} '{printable(str(source), 100)}'"
    return document(engine.story, loaded.playthrough, note=made), note


MADE_BY_PLAYTEST = "playtest run "  # how the note of a walkthrough playtest wrote begins


def save_per_ending(engine: Engine, kept: dict[str, Any], folder: Path) -> list[Path]:
    """Write each kept run (ending -> an object with run, seed and log) as folder/ENDING.json,
    each read back and replayed. A file of that name is replaced only if an earlier playtest
    wrote it; anything else there is refused (SaveError) before a file is written."""
    if folder.exists() and not folder.is_dir():
        raise SaveError(f"--save-walkthroughs {folder}: not a folder")
    paths = {ending: folder / f"{ending}{saves.SUFFIX}" for ending in sorted(kept)}
    for path in paths.values():
        if path.exists() or path.is_symlink():
            try:
                mine = str(saves.read_doc(path).get("note", "")).startswith(MADE_BY_PLAYTEST)
            except SaveError:
                mine = False
            if not mine:
                raise SaveError(f"{path} exists and was not written by playtest; it is left alone and no "
                                "walkthrough was written (pick another folder)")
    written = []
    for ending, path in paths.items():
        run = kept[ending]
        pt = engine.replay(run.log, run.seed).playthrough
        doc = document(engine.story, pt, note=f"{MADE_BY_PLAYTEST}{run.run} (seed {run.seed}): the shortest "
                       f"run to '{ending}' seen")
        saves.write_doc(path, doc)
        verify_file(path, engine)
        written.append(path)
    return written
