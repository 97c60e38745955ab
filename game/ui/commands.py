"""The command table: what a player can type, shared by every UI.

A line of input is either a choice number or a command with an optional
argument. dispatch() runs it against a Session and returns a Reply (lines to
show, whether to show the scene again, whether to quit). Both the plain mode
and the prompt-toolkit UI use this table, so `help`, aliases and completion
always agree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import saves
from ..diagnostics import did_you_mean
from ..errors import ChoiceError, SaveError
from ..safetext import label
from . import render
from .render import Line
from .session import Session

MAX_INPUT = 500


@dataclass
class Reply:
    lines: list[Line] = field(default_factory=list)
    show_scene: bool = False  # show the (new) scene and its choices after the lines
    arrived: bool = False  # a fresh step: show what entering its scene gave, after the scene text
    quit: bool = False
    took_turn: bool = False


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    usage: str
    help: str
    run: Callable[[Session, str], Reply]
    takes_slot: bool = False  # its argument is a save slot (for completion)


def _look(session: Session, arg: str) -> Reply:
    return Reply(show_scene=True)


def _clues(session: Session, arg: str) -> Reply:
    return Reply(render.case_file_lines(session.story, session.pt))


def _status(session: Session, arg: str) -> Reply:
    return Reply(render.status_lines(session.story, session.pt))


def _save(session: Session, arg: str) -> Reply:
    path = session.save(arg or "quicksave")
    return Reply([("class:notice", f"Saved to slot '{path.stem}'.")])


PARTIAL = "--partial"


def _load(session: Session, arg: str) -> Reply:
    words = arg.split()
    partial = PARTIAL in words
    slot = " ".join(w for w in words if w != PARTIAL) or "quicksave"
    try:
        loaded = session.load(slot, partial=partial)
    except saves.SaveMisfit as misfit:
        hint = f"type 'load {misfit.loaded.slot} --partial' to {misfit.remedy}"
        raise SaveError(f"{misfit.problem}; {hint}") from None
    turns = f"turn {loaded.playthrough.turn}"
    lines: list[Line] = [("class:notice", f"Loaded '{loaded.slot}' ({turns}).")]
    lines.extend(("class:notice", note) for note in loaded.notes())
    return Reply(lines, show_scene=True)


def _undo(session: Session, arg: str) -> Reply:
    try:
        turns = int(arg) if arg else 1
    except ValueError:
        raise ChoiceError(f"undo takes a number of turns, not {arg!r}") from None
    undone = session.undo(turns)
    plural = "s" if undone != 1 else ""
    return Reply([("class:notice", f"Undid {undone} turn{plural}; back at turn {session.pt.turn}.")],
                 show_scene=True)


def _rewind(session: Session, arg: str) -> Reply:
    try:
        turn = int(arg)
    except ValueError:
        raise ChoiceError("rewind takes a turn number from 'history', e.g. 'rewind 2'") from None
    session.rewind(turn)
    where = "the start of the case" if turn == 0 else f"just after turn {turn}"
    return Reply([("class:notice", f"Rewound to {where}.")], show_scene=True)


def _history(session: Session, arg: str) -> Reply:
    if not session.pt.log:
        return Reply([("class:text", "No choices taken yet.")])
    lines: list[Line] = [("class:title", "History")]
    lines.append(("class:hint", "'rewind N' goes back to just after turn N; 'rewind 0' to the start."))
    for turn, entry in enumerate(session.pt.log, start=1):
        scene = session.story.scenes.get(entry.scene)
        title = scene.title if scene and scene.title else entry.scene
        choice = scene.choice(entry.choice) if scene else None
        if choice is not None:
            text = choice.text
        elif entry.choice.startswith("deduce:"):
            deduction = session.story.deductions.get(entry.choice.split(":", 1)[1])
            text = deduction.label if deduction else entry.choice
        else:
            text = entry.choice
        lines.append(("class:item", f"Turn {turn}. {title}: {text}"))
    scene = session.story.scenes.get(session.pt.scene)
    lines.append(("class:item", f"Now: turn {session.pt.turn}, {scene.title if scene else session.pt.scene}."))
    return Reply(lines)


def _saves(session: Session, arg: str) -> Reply:
    infos = session.slots()
    if not infos:
        return Reply([("class:text", "No saves yet. Type 'save NAME' to make one.")])
    lines: list[Line] = [("class:title", "Saves")]
    # Named saves first, then the autosave ring in its own order, damaged files last.
    for info in sorted(infos, key=lambda i: (bool(i.problem), i.autosave)):
        if info.problem:
            lines.append(("class:locked", f"- {label(info.slot)}: cannot be loaded ({info.problem})"))
        else:
            ending = f", ended: {label(info.ending)}" if info.ending else ""
            lines.append(("class:item", f"- {info.slot}: {label(info.title)}, turn {info.turn}, "
                                        f"{info.clues} clues{ending}, saved {saves.local_time(info.updated)}"))
    return Reply(lines)


def _restart(session: Session, arg: str) -> Reply:
    session.new_game()
    return Reply([("class:notice", "A new case begins.")], show_scene=True, arrived=True)


def _help(session: Session, arg: str) -> Reply:
    lines: list[Line] = [("class:title", "Commands")]
    lines.append(("class:text", "Type a choice's number to take it."))
    for command in COMMANDS:
        aliases = f" (or {', '.join(command.aliases)})" if command.aliases else ""
        lines.append(("class:item", f"{command.usage}{aliases}: {command.help}{_story_words(session, command)}"))
    return Reply(lines)


def _story_words(session: Session, command: Command) -> str:
    """What `status` shows, in the story's own words: the headings its manifest gives the stats."""
    if command.name != "status":
        return ""
    kinds = {stat.kind for stat in session.story.stats.values()}
    headings = [heading for kind, heading in session.story.stat_groups.items() if kind in kinds]
    return f" ({', '.join(headings)})" if headings else ""


def _quit(session: Session, arg: str) -> Reply:
    return Reply(quit=True)


COMMANDS: tuple[Command, ...] = (
    Command("look", ("l",), "look", "show the scene and its choices again", _look),
    Command("clues", ("c", "case"), "clues", "open the case file: every clue, where and when found", _clues),
    Command("status", ("st",), "status", "where you are, and how things stand", _status),
    Command("history", ("hi",), "history", "the choices taken so far", _history),
    Command("save", ("s",), "save NAME", "save to a named slot", _save, takes_slot=True),
    Command("load", ("lo",), "load NAME [--partial]",
            "load a named slot ('autosave': the newest); --partial loads what still fits an edited story",
            _load, takes_slot=True),
    Command("saves", (), "saves", "list the save slots", _saves),
    Command("undo", ("u",), "undo [N]", "take back the last N turns (default 1)", _undo),
    Command("rewind", (), "rewind N", "go back to just after turn N of the history", _rewind),
    Command("restart", (), "restart", "start the case over from the beginning", _restart),
    Command("help", ("h", "?"), "help", "this list", _help),
    Command("quit", ("q", "exit"), "quit", "save to the autosave slot and leave", _quit),
)

_BY_NAME = {name: command for command in COMMANDS for name in (command.name, *command.aliases)}


def command_words() -> list[str]:
    return [command.name for command in COMMANDS]


def clean(text: str) -> str:
    """Printable text only: control and format characters (escape sequences'
    ESC among them) are dropped, runs of white space become one space."""
    text = text[:MAX_INPUT]
    kept = [" " if ch in "\t\r\n" else ch for ch in text
            if ch in "\t\r\n" or not unicodedata.category(ch).startswith("C")]
    return " ".join("".join(kept).split())


def dispatch(session: Session, raw: str) -> Reply:
    """Run one line of player input; errors a player can cause become a Reply."""
    text = clean(raw)
    if not text:
        return Reply()
    word, _, arg = text.partition(" ")
    arg = arg.strip()
    if word.isascii() and word.isdecimal():
        return _take(session, int(word))
    command = _BY_NAME.get(word.lower())
    if command is None:
        hint = did_you_mean(word.lower(), list(_BY_NAME))
        return Reply([("class:error", f"Unknown command '{word[:40]}'{hint}. Type a number, or 'help'.")])
    try:
        return command.run(session, arg)
    except (ChoiceError, SaveError) as exc:
        return Reply([("class:error", str(exc))])
    except OSError as exc:  # the saves folder misbehaves in a way nothing below explained: never end the game
        return Reply([("class:error", f"The saves folder cannot be used: {exc.strerror or exc}.")])


def _take(session: Session, number: int) -> Reply:
    if session.over:
        return Reply([("class:error", "The case is closed. Type 'undo', 'restart' or 'quit'.")])
    try:
        step = session.take(number)
    except ChoiceError as exc:
        return Reply([("class:error", str(exc).capitalize() + ".")])
    lines = render.step_lines(session.story, step, session.pt)
    warning = session.try_autosave(once=True)
    if warning:
        lines.append(("class:error", warning))
    return Reply(lines, show_scene=True, took_turn=True, arrived=True)
