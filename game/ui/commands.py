"""The command table: what a player can type, shared by every UI.

A line of input is either a choice number or a command with an optional
argument. dispatch() runs it against a Session and returns a Reply (lines to
show, whether to show the scene again, whether to quit). Both the plain mode
and the prompt-toolkit UI use this table, so `help`, aliases and completion
always agree. A new command is one more Command in COMMANDS (its words,
usage, help line and the function that runs it); nothing else needs to know.

Every error a command shows is made a sentence by render.sentence (capital
first letter, full stop at the end), whatever the layer below wrote.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import profile, saves
from ..diagnostics import did_you_mean
from ..errors import ChoiceError, SaveError
from ..questions import ASK
from ..safetext import label
from ..state import LogEntry
from . import answering, board, gallery, render
from .render import Line, error_line
from .session import Session

MAX_INPUT = 500
YES = ("yes", "y")
NO = ("no", "n")


@dataclass
class Reply:
    lines: list[Line] = field(default_factory=list)
    show_scene: bool = False  # show the (new) scene and its choices after the lines
    arrived: bool = False  # a fresh step: show what entering its scene gave, after the scene text
    quit: bool = False
    took_turn: bool = False
    recap: bool = False  # a game was just loaded: show "Previously" before the scene
    show_draft: bool = False  # an answer is being put together: show its prompt and picks after the lines


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    usage: str
    help: str
    run: Callable[[Session, str], Reply]
    takes_slot: bool = False  # its argument is a save slot (for completion)
    repeatable: bool = True  # 'again' may repeat it
    keeps_draft: bool = False  # may be typed while answering a question without leaving it


def notice(text: str) -> Line:
    return ("class:notice", text)


def _look(session: Session, arg: str) -> Reply:
    return Reply(show_scene=True)


def _clues(session: Session, arg: str) -> Reply:
    return Reply(render.case_file_lines(session.story, session.pt)
                 + board.open_question_lines(session.engine, session.pt))


def _board(session: Session, arg: str) -> Reply:
    return Reply(board.board_lines(session.engine, session.pt))


def _status(session: Session, arg: str) -> Reply:
    return Reply(render.status_lines(session.story, session.pt, session.numbers))


def _numbers(session: Session, arg: str) -> Reply:
    word = arg.lower()
    if word not in ("", "on", "off"):
        raise ChoiceError(f"numbers takes 'on' or 'off', not '{label(arg, 20)}'")
    session.numbers = not session.numbers if not word else word == "on"
    if session.numbers:
        return Reply([notice("Stats now show their numbers beside their words.")])
    return Reply([notice("Stats now show in words where the story gives words.")])


def _save(session: Session, arg: str) -> Reply:
    path = session.save(arg or "quicksave")
    return Reply([notice(f"Saved to slot '{path.stem}'.")])


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
    except SaveError as exc:
        if not _names_a_path(str(exc)):
            raise
        raise SaveError(f"cannot load '{label(slot, 40)}': {exc}") from None
    turns = f"turn {loaded.playthrough.turn}"
    lines: list[Line] = [notice(f"Loaded '{loaded.slot}' ({turns}).")]
    lines.extend(notice(note) for note in loaded.notes())
    return Reply(lines, show_scene=True, recap=True)


def _names_a_path(message: str) -> bool:
    """Whether a message opens with a file's path (a sentence cannot start with it)."""
    first = message.split(" ", 1)[0]
    return "/" in first or "\\" in first


def _undo(session: Session, arg: str) -> Reply:
    try:
        turns = int(arg) if arg else 1
    except ValueError:
        raise ChoiceError(f"undo takes a number of turns, not '{label(arg, 20)}'") from None
    restarted = session.abandoned is not None and not session.pt.log
    undone = session.undo(turns)
    if restarted:
        return Reply([notice(f"Restart undone: back in the game you left, at turn {session.pt.turn}.")],
                     show_scene=True)
    plural = "s" if undone != 1 else ""
    return Reply([notice(f"Undid {undone} turn{plural}; back at turn {session.pt.turn}.")],
                 show_scene=True)


def _rewind(session: Session, arg: str) -> Reply:
    try:
        turn = int(arg)
    except ValueError:
        raise ChoiceError("rewind takes a turn number from 'history', e.g. 'rewind 2'") from None
    session.rewind(turn)
    where = "the start of the case" if turn == 0 else f"just after turn {turn}"
    return Reply([notice(f"Rewound to {where}.")], show_scene=True)


def _history(session: Session, arg: str) -> Reply:
    story, pt = session.story, session.pt
    lines: list[Line] = []
    if not pt.log and session.abandoned is not None:
        # Restarted, nothing taken yet: the game left behind is still one 'undo' away.
        pt = session.abandoned
        lines.append(("class:title", "History of the game you restarted"))
        lines.append(("class:hint", "'undo' brings it back, until you take a turn in the new case."))
    elif not pt.log:
        return Reply([("class:text", "No choices taken yet.")])
    else:
        lines.append(("class:title", "History"))
        lines.append(("class:hint", "'rewind N' goes back to just after turn N; 'rewind 0' to the start."))
    for turn, entry in enumerate(pt.log, start=1):
        title = render.place_title(story, entry.scene)
        lines.append(("class:item", f"Turn {turn}. {title}: {render.choice_text(story, entry.scene, entry.choice)}"))
    now = "Now" if pt is session.pt else "Left at"
    lines.append(("class:item", f"{now}: turn {pt.turn}, {render.place_title(story, pt.scene)}."))
    return Reply(lines)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def ending_title(session: Session, info: saves.SaveInfo) -> str:
    """A save's ending by its title in this story (the id only for another story's save)."""
    ending = session.story.endings.get(info.ending or "")
    mine = info.story_id in ("", session.story.id)
    return ending.title if ending is not None and mine else label(info.ending or "")


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
            ending = f", ended: {ending_title(session, info)}" if info.ending else ""
            lines.append(("class:item", f"- {info.slot}: {label(info.title)}, turn {info.turn}, "
                                        f"{plural(info.clues, 'clue')}{ending}, "
                                        f"saved {saves.local_time(info.updated)}"))
    return Reply(lines)


def _restart(session: Session, arg: str) -> Reply:
    if session.pt.log and not session.over and arg.lower() not in YES:
        session.pending = "restart"
        return Reply([("class:notice", f"Start the case over from the beginning? You are at turn "
                                       f"{session.pt.turn}; this game stays in the autosaves, and "
                                       "'undo' brings it back until you take a turn in the new one."),
                      ("class:hint", "Type 'yes' to restart, or 'no' to keep playing.")])
    return _restart_now(session)


def _restart_now(session: Session) -> Reply:
    kept = bool(session.pt.log)
    warning = ""
    try:
        session.restart()
    except SaveError as exc:  # the old game could not be autosaved: still undoable in this session
        warning = f"autosave failed: {exc}"
        session.abandoned = session.pt if kept else None
        session.new_game()
    lines: list[Line] = [notice("A new case begins." + (" Type 'undo' to go back to the one you left."
                                                          if kept else ""))]
    if warning:
        lines.append(error_line(warning))
    return Reply(lines, show_scene=True, arrived=True)


def _endings(session: Session, arg: str) -> Reply:
    return Reply(gallery.gallery_lines(session.story, profile.load(session.saves_dir, session.story)))


def _transcript(session: Session, arg: str) -> Reply:
    scribe = session.scribe
    if arg.lower() == "off":
        path = scribe.stop(closing=f"Transcript stopped at turn {session.pt.turn}")
        if path is None:
            raise ChoiceError("no transcript is being written; 'transcript NAME' starts one")
        return Reply([notice(f"Transcript stopped; it is in {path}.")])
    heading = f"{session.story.title}: transcript from turn {session.pt.turn}"
    path = scribe.start(arg, heading)
    return Reply([notice(f"Writing a transcript to {path}; 'transcript off' stops it.")], show_scene=True)


def _again(session: Session, arg: str) -> Reply:
    last = session.last_input
    if last is None:
        raise ChoiceError("there is nothing to do again yet")
    if isinstance(last, LogEntry):  # a choice: the same one, by id, wherever its number is now
        here = session.pt.scene == last.scene
        offer = next((o for o in session.offers() if o.id == last.choice and o.enabled), None) if here else None
        if offer is None:
            raise ChoiceError(f"'{render.choice_text(session.story, last.scene, last.choice)}' "
                              "is not on offer now")
        return _take(session, offer.number)
    return dispatch(session, last)


def _help(session: Session, arg: str) -> Reply:
    lines: list[Line] = [("class:title", "Commands")]
    lines.append(("class:text", "Type a choice's number to take it."))
    for command in COMMANDS:
        aliases = f" (or {', '.join(command.aliases)})" if command.aliases else ""
        lines.append(("class:item", f"- {command.usage}{aliases}: {command.help}{_story_words(session, command)}"))
    lines.append(("class:heading", "Answering a question"))
    lines.extend(("class:item", line) for line in (
        "- Open questions are listed with the choices; type a question's number to answer it.",
        "- Fill one blank at a time: type a candidate's number, or its name (a word of it is enough).",
        "- 'back' returns to the previous blank, 'cancel' leaves the question unanswered.",
        "- The whole answer is shown before it counts: 'yes' (or 1) gives it, a number changes that blank.",
        "- A wrong answer can cost you, and too many lock the question for a while; some answers are "
        "confirmed only when enough of a set are right together.",
        "- While answering, clues, board, status, history, save and help still work.",
    ))
    return Reply(lines, show_draft=session.draft is not None)


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
    Command("again", ("g",), "again", "do the last thing again (the same choice, or the same command)",
            _again, repeatable=False),
    Command("clues", ("c", "case"), "clues", "open the case file: every clue, where and when found, and the "
            "open questions", _clues, keeps_draft=True),
    Command("board", ("b",), "board", "the case board: open questions, clues, people, places and things",
            _board, keeps_draft=True),
    Command("status", ("st",), "status", "where you are, and how things stand", _status, keeps_draft=True),
    Command("numbers", (), "numbers on, numbers off", "show stats as numbers as well as words, or not", _numbers,
            keeps_draft=True),
    Command("history", ("hi",), "history", "the choices taken so far", _history, keeps_draft=True),
    Command("save", ("s",), "save NAME", "save to a named slot", _save, takes_slot=True, keeps_draft=True),
    Command("load", ("lo",), "load NAME",
            "load a named slot ('autosave': the newest); 'load NAME --partial' loads what still fits an "
            "edited story",
            _load, takes_slot=True),
    Command("saves", (), "saves", "list the save slots", _saves, keeps_draft=True),
    Command("undo", ("u",), "undo, undo N", "take back the last turn, or the last N, or a restart", _undo),
    Command("rewind", (), "rewind N", "go back to just after turn N of the history", _rewind),
    Command("restart", (), "restart", "start the case over (asks first; 'undo' takes it back)", _restart),
    Command("endings", (), "endings", "the endings found so far, and hints at the others", _endings,
            keeps_draft=True),
    Command("transcript", (), "transcript NAME, transcript off",
            "write what happens to the file NAME.txt in the saves folder's transcripts folder, or stop",
            _transcript, keeps_draft=True),
    Command("help", ("h", "?"), "help", "this list", _help, keeps_draft=True),
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
    if session.pending is not None:
        return _answer(session, text)
    reply = _run(session, text)
    problem = session.scribe.take_problem()
    if problem:
        reply.lines.append(error_line(problem))
    return reply


def _answer(session: Session, text: str) -> Reply:
    """The reply to a question (only 'restart' asks one): yes does it, anything else keeps the game."""
    pending, session.pending = session.pending, None
    word = text.lower()
    if word in YES and pending == "restart":
        session.last_input = None
        return _restart_now(session)
    kept = Reply([notice("Not restarted; the case goes on.")])
    if word in NO:
        return kept
    reply = _run(session, text)  # another command or a number: it was meant, so it runs
    reply.lines[:0] = kept.lines
    return reply


def _run(session: Session, text: str) -> Reply:
    word, _, arg = text.partition(" ")
    arg = arg.strip()
    command = _BY_NAME.get(word.lower())
    if session.draft is not None and (command is None or word.lower() in answering.CANCEL_WORDS):
        return _answering(session, text)
    if word.isascii() and word.isdecimal():
        return _take(session, int(word))
    if command is None:
        hint = did_you_mean(word.lower(), list(_BY_NAME))
        return Reply([error_line(f"unknown command '{label(word, 40)}'{hint}; type a number, or 'help'")])
    if session.draft is not None and not command.keeps_draft:
        session.draft = None  # looking, undoing, loading...: the half-made answer is dropped
    try:
        reply = command.run(session, arg)
        reply.show_draft = reply.show_draft or (session.draft is not None and not reply.quit)
    except (ChoiceError, SaveError) as exc:
        return Reply([error_line(str(exc))])
    except OSError as exc:  # the saves folder misbehaves in a way nothing below explained: never end the game
        return Reply([error_line(f"the saves folder cannot be used: {exc.strerror or exc}")])
    if command.repeatable:
        session.last_input = text
    return reply


def _take(session: Session, number: int) -> Reply:
    if session.over:
        return Reply([error_line("the case is closed; type 'undo', 'restart' or 'quit'")])
    offer = next((o for o in session.offers() if o.number == number), None)
    if offer is not None and offer.id.startswith(ASK):
        try:
            session.start_answer(offer)
        except ChoiceError as exc:
            return Reply([error_line(str(exc))])
        return Reply(show_draft=True)
    try:
        step = session.take(number)
    except ChoiceError as exc:
        return Reply([error_line(str(exc))])
    session.last_input = session.pt.log[-1]
    return _after_turn(session, step)


def _after_turn(session: Session, step) -> Reply:
    lines = render.step_lines(session.story, step, session.pt, session.numbers)
    warning = session.try_autosave(once=True)
    if warning:
        lines.append(error_line(warning))
    return Reply(lines, show_scene=True, took_turn=True, arrived=True)


def _answering(session: Session, text: str) -> Reply:
    """A line typed while an answer is being put together: a pick, a name, back, cancel, yes."""
    draft = session.draft
    assert draft is not None
    try:
        action = answering.choose(session, draft, text)
    except ChoiceError as exc:
        return Reply([error_line(str(exc))], show_draft=True)
    if action == "cancel":
        session.draft = None
        return Reply([("class:notice", "You leave the question open for now.")], show_scene=True)
    if action == "answer":
        try:
            step = session.give_answer()
        except ChoiceError as exc:  # the question changed under the draft (e.g. a live reload)
            return Reply([error_line(str(exc))], show_scene=True)
        return _after_turn(session, step)
    return Reply(show_draft=True)

