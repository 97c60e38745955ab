"""The web page's side of a game: a Session turned into plain data for the front end.

This module runs inside the page's Web Worker, under Pyodide. The front end
(page/app.js) sends one request at a time: an operation name and JSON
arguments; handle() answers with JSON. Everything a player sees comes from
the same code the terminal game uses: Session (turns, undo, saves), render
(the lines of a turn, the case file, the status page) and profile (endings
found); this module only arranges it. Nothing here reads input: under
Pyodide, input() would open the browser's blocking prompt().

Saves live in the worker's file system under SAVES (the page mounts the
browser's IndexedDB there), written by game/saves.py exactly as on a
terminal, so a downloaded save is a file the terminal game loads, and back.
"""

from __future__ import annotations

import json
import random
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import loader, profile, saves
from ..errors import ChoiceError, GameError, SaveError
from ..questions import ASK
from ..rules import Offer
from ..safetext import printable
from ..ui import answering, board, gallery, render
from ..ui.render import Line
from ..ui.session import Session
from ..yamlsrc import Precompiled

MAX_IMPORT_BYTES = saves.MAX_SAVE_BYTES


def _lines(lines: list[Line]) -> list[list[str]]:
    """[style, text] pairs, the style without prompt-toolkit's 'class:' prefix."""
    return [[style.removeprefix("class:"), text] for style, text in lines]


def _offer(offer: Offer) -> dict[str, Any]:
    shown = render.offer_text(offer)  # what the terminal shows: "Question: ..." for an open question
    prefix = shown[:len(shown) - len(offer.text)] if shown.endswith(offer.text) else ""
    return {"number": offer.number, "id": offer.id, "text": offer.text, "enabled": offer.enabled,
            "hint": offer.hint, "prefix": prefix}


def new_seed() -> int:
    """A fresh seed, as the terminal game picks one (cli.cmd_play)."""
    return random.SystemRandom().randrange(2**31)


class WebGame:
    """One page's game: the story, the session and what the player last read."""

    def __init__(self, story_dir: Path, saves_dir: Path, seed: int | None = None, events: Path | None = None):
        precompiled = Precompiled.read(events) if events else None
        self.story = loader.load(story_dir, precompiled).story
        self.saves_dir = saves_dir
        self.session = Session(self.story, saves_dir, seed=new_seed() if seed is None else seed)
        self.memory = render.SceneMemory()

    # -- what the page shows ------------------------------------------------

    def about(self) -> dict[str, Any]:
        story = self.story
        return {"id": story.id, "title": story.title, "version": story.version,
                "protagonist": story.protagonist, "has_autosave": saves.has_autosave(self.saves_dir),
                "endings": len(story.endings), "max_save_bytes": MAX_IMPORT_BYTES,
                "board": bool(story.questions)}  # the page shows its Case board button

    def turn(self, notes: list[str] | None = None, fresh: bool = True) -> dict[str, Any]:
        """The turn the player reads now, as a transcript shows it
        (tools/transcript.py): what the last step did, the scene (only its new
        paragraphs when a choice stayed in the scene, unless fresh), what
        arriving gave, then the ending or the choices."""
        session, story = self.session, self.story
        pt, step = session.pt, session.last_step
        if fresh:
            self.memory = render.SceneMemory()
        view: dict[str, Any] = {
            "turn": pt.turn,
            "index": len(pt.log),  # the turn's number in a transcript: choices taken so far
            "scene": pt.scene,
            "before": _lines(render.step_lines(story, step, pt, numbers=session.numbers)),
            "text": _lines(self.memory.lines(session.engine, pt, only_new=not fresh)),
            "arrival": _lines(render.arrival_lines(story, step, pt, numbers=session.numbers)
                              + board.arrival_board(session.engine, pt, step.entered, hint=False)),
            "ending": None,
            "offers": [],
            "notes": [printable(note) for note in notes or []],
            "can_undo": bool(pt.log),
            "where": self.where(),
        }
        if pt.over:
            view["ending"] = _lines(render.ending_lines(story, pt)[:-1])  # its typed-command hint is the terminal's
            view["endings_found"] = self.record_ending()
        else:
            view["offers"] = [_offer(offer) for offer in session.offers()]
        return view

    def where(self) -> str:
        pt = self.session.pt
        scene = self.story.scenes[pt.scene]
        return f"{scene.title or scene.id}. Turn {pt.turn}. Clues: {len(pt.clues)} of {len(self.story.clues)}."

    def record_ending(self) -> dict[str, Any]:
        story, pt = self.story, self.session.pt
        warning = ""
        try:
            found = profile.record(self.saves_dir, story, pt.ending or "", playthrough=pt).discovered
        except SaveError as exc:
            found = profile.load(self.saves_dir, story).discovered
            warning = f"Could not record this ending: {printable(str(exc))}"
        return {"found": len(set(found) | {pt.ending}), "total": len(story.endings), "warning": warning}

    def autosaved(self, view: dict[str, Any]) -> dict[str, Any]:
        warning = self.session.try_autosave(once=True)
        if warning:
            view["notes"].append(printable(warning))
        view["wrote"] = True
        return view

    # -- operations ---------------------------------------------------------

    def op_about(self, _args: dict[str, Any]) -> dict[str, Any]:
        return self.about()

    def op_new(self, args: dict[str, Any]) -> dict[str, Any]:
        """A new game; args.seed (the page's ?seed=N, like play.py --seed N) replays a given one."""
        seed = args.get("seed")
        self.session.new_game(seed if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0
                              else new_seed())
        return self.turn()

    def op_continue(self, _args: dict[str, Any]) -> dict[str, Any]:
        return self.loaded_view(self.session.load(saves.AUTOSAVE))

    def op_choose(self, args: dict[str, Any]) -> dict[str, Any]:
        """Take a choice; a question's number begins an answer instead (the draft view: no turn yet)."""
        session = self.session
        offer = next((o for o in session.offers() if o.number == args.get("number")), None)
        if offer is not None and offer.id.startswith(ASK):
            session.start_answer(offer)
            return self.draft_view()
        session.draft = None
        session.take(int(args["number"]))
        return self.autosaved(self.turn(fresh=False))

    # -- answering a question, blank by blank (game/ui/answering.py) ----------

    def draft_view(self, notes: list[str] | None = None) -> dict[str, Any]:
        """The answer being put together: the question, what is filled, and what can be picked
        (each pick's id is its action, e.g. 'fill:igh'); extra: the page's ways back out."""
        session = self.session
        draft = session.draft
        assert draft is not None
        picks = [{"number": p.number, "id": p.action, "text": p.text, "enabled": True, "hint": ""}
                 for p in answering.picks(session, draft)]
        extra = [] if draft.confirming else [{"word": "cancel", "text": "Leave the question open for now."}]
        if 0 < draft.slot < len(draft.question.slots):
            extra.insert(0, {"word": "back", "text": "Back to the previous blank."})
        lines = [line for line in answering.prompt_lines(session, draft) if line[0] != "class:hint"]  # typing help
        return {"draft": {"question": draft.question.id, "lines": _lines(lines),
                          "picks": picks, "extra": extra, "notes": [printable(n) for n in notes or []]}}

    def op_answer(self, args: dict[str, Any]) -> dict[str, Any]:
        """One step of an answer: args.pick (a number on the list) or args.word ('back', 'cancel').
        Giving the whole answer is a turn like any choice (autosaved); the page is told what was
        answered, in words, to show beside the choice it took."""
        session = self.session
        draft = session.draft
        if draft is None:
            raise ChoiceError("no question is being answered")
        text = str(args["pick"]) if "pick" in args else str(args.get("word", ""))
        action = answering.choose(session, draft, text)
        if action == "cancel":
            session.draft = None
            return {"cancelled": True, "offers": [_offer(o) for o in session.offers()],
                    "note": "You leave the question open for now."}
        if action == "answer":
            move = draft.move
            session.give_answer()
            view = self.turn(fresh=False)
            view["answered"] = printable(board.describe_answer(self.story, move) or "")
            return self.autosaved(view)
        return self.draft_view()

    def op_look(self, _args: dict[str, Any]) -> dict[str, Any]:
        return self.turn()

    def op_undo(self, _args: dict[str, Any]) -> dict[str, Any]:
        undone = self.session.undo(1)
        note = (f"Undone: back to turn {self.session.pt.turn}." if undone else
                "Back to the game you left when you started over.")
        return self.autosaved(self.turn(notes=[note]))

    def op_restart(self, _args: dict[str, Any]) -> dict[str, Any]:
        """Start over; the game left behind is autosaved, and undo brings it back (as on a terminal)."""
        self.session.seed = new_seed()
        left = bool(self.session.pt.log)
        self.session.restart()
        note = "A new case begins. Undo brings back the one you left." if left else "A new case begins."
        view = self.turn(notes=[note])
        view["wrote"] = left  # restart autosaved the game it left
        return view

    def op_numbers(self, args: dict[str, Any]) -> dict[str, Any]:
        """Show the numbers behind the stats' words too (the terminal's 'numbers on')."""
        self.session.numbers = bool(args.get("on"))
        return {"numbers": self.session.numbers}

    def op_casefile(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {"lines": _lines(render.case_file_lines(self.story, self.session.pt))}

    def op_board(self, _args: dict[str, Any]) -> dict[str, Any]:
        """The case board in full (the terminal's 'board'): open questions, clues, and who and
        what the player can name, with what the board says about each."""
        lines = board.board_lines(self.session.engine, self.session.pt)
        return {"lines": _lines(lines[1:])}  # its heading is the panel's title

    def op_status(self, _args: dict[str, Any]) -> dict[str, Any]:
        lines = render.status_lines(self.story, self.session.pt, numbers=self.session.numbers)
        # its hint names the terminal's 'numbers' command; the page has a switch for that
        return {"lines": _lines([line for line in lines if line[0] != "class:hint"])}

    def op_endings(self, _args: dict[str, Any]) -> dict[str, Any]:
        """The endings gallery, as the terminal shows it: found ones by title, the rest by teaser."""
        return {"lines": _lines(gallery.gallery_lines(self.story, profile.load(self.saves_dir, self.story)))}

    def op_saves(self, _args: dict[str, Any]) -> dict[str, Any]:
        listed = []
        for info in saves.list_saves(self.saves_dir):
            listed.append({"slot": info.slot, "autosave": info.autosave, "title": info.title,
                           "turn": info.turn, "ending": info.ending, "when": saves.local_time(info.updated),
                           "problem": printable(info.problem), "story": info.story_id,
                           "other_story": bool(info.story_id) and info.story_id != self.story.id})
        return {"saves": listed}

    def op_save(self, args: dict[str, Any]) -> dict[str, Any]:
        path = self.session.save(str(args.get("name", "")))
        return {"message": f"Saved as '{path.stem}'.", "wrote": True, **self.op_saves({})}

    def op_load(self, args: dict[str, Any]) -> dict[str, Any]:
        loaded = self.session.load(str(args["slot"]), partial=bool(args.get("partial")))
        return self.loaded_view(loaded)

    def op_export(self, args: dict[str, Any]) -> dict[str, Any]:
        """The text of a save file to download: a slot's file as it is on disk,
        or (no slot) the game in progress as a new save document."""
        slot = args.get("slot")
        if slot:
            found = saves.read_slot(self.saves_dir, str(slot))  # checks it is a readable save first
            return {"filename": found.path.name, "text": found.path.read_text(encoding="utf-8")}
        name = f"{self.story.id}-turn-{self.session.pt.turn}"
        name = saves.slot_name("".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:saves.MAX_SLOT_LENGTH])
        doc = saves.make_save(self.story, self.session.pt, name)
        return {"filename": name + saves.SUFFIX, "text": saves.dumps(doc)}

    def op_import(self, args: dict[str, Any]) -> dict[str, Any]:
        """Load a save file the player picked. It is read and checked before
        anything changes: a damaged or foreign file leaves the game and every
        save as they were."""
        name = printable(str(args.get("name") or "the file"))[:80]
        raw = str(args.get("text", "")).encode("utf-8", "surrogatepass")
        if len(raw) > MAX_IMPORT_BYTES:
            raise SaveError(f"{name}: file is larger than any save ({MAX_IMPORT_BYTES:,} bytes)")
        doc = saves.parse_doc(raw, name)
        if doc.get("kind") != "save" and not doc.get("log"):
            raise SaveError(f"{name}: this file holds no game to load")
        loaded = self.session.load_doc(doc, name, partial=bool(args.get("partial")))
        return self.loaded_view(loaded)

    def loaded_view(self, loaded: saves.Loaded) -> dict[str, Any]:
        view = self.turn(notes=[f"Loaded {loaded.slot or loaded.where} (turn {loaded.playthrough.turn}).",
                                *loaded.notes()])
        return self.autosaved(view)


# -- the worker's entry points ------------------------------------------------

_game: WebGame | None = None


def boot(story_dir: str, saves_dir: str, events: str = "") -> str:
    """Load the story; the page's first call. Returns handle()'s kind of answer.
    events: the story's precompiled YAML events (game/tools/publish.py), if published with them."""
    global _game
    try:
        _game = WebGame(Path(story_dir), Path(saves_dir), events=Path(events) if events else None)
    except GameError as exc:
        return json.dumps({"error": printable(str(exc))})
    return json.dumps({"result": _game.about()})


def handle(op: str, args_json: str) -> str:
    """Run one operation; {"result": ...} or {"error": one line for the player}."""
    if _game is None:
        return json.dumps({"error": "the story is not loaded"})
    method: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(_game, f"op_{op}", None)
    if method is None:
        return json.dumps({"error": f"unknown operation {op!r}"})
    try:
        args = json.loads(args_json or "{}")
        result = method(args if isinstance(args, dict) else {})
    except GameError as exc:
        extra = {}
        if isinstance(exc, saves.SaveMisfit):
            extra = {"misfit": exc.problem, "remedy": exc.remedy}
        return json.dumps({"error": printable(str(exc)), **extra})
    except Exception as exc:  # the game goes on; the page says what went wrong in one line
        traceback.print_exc()
        return json.dumps({"error": f"something went wrong inside the game: {type(exc).__name__}: "
                                    f"{printable(str(exc))[:200]}"})
    return json.dumps({"result": result})
