"""A game in progress: the engine, the playthrough and the saves, for any UI.

Both the plain line mode and the prompt-toolkit interface drive a Session;
neither talks to the engine or the save files directly. Undo and rewind are
a replay of the log minus its last turns: the log is the truth, so undo can
never drift from what a reload would give.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import saves
from ..engine import Engine, Offer, Step
from ..errors import ChoiceError, ReplayError, SaveError
from ..questions import ASK
from ..rules import Numbering, keep_numbers, pick, visit_of
from ..state import LogEntry, Playthrough
from ..story import Story
from .answering import Draft
from .scribe import Scribe


@dataclass(frozen=True)
class ReloadResult:
    """What Session.reload did: how much of the playthrough survived the edit, and why not all."""

    replayed: int  # turns of the log that still fit and were replayed
    logged: int  # turns in the log before the reload
    error: ReplayError | None = None  # where and why the log stopped fitting (None: all of it fits)

    @property
    def fits(self) -> bool:
        return self.error is None

    def message(self) -> str:
        """One line for the player or writer."""
        if self.error is None and self.replayed == 0:
            return "Story reloaded."
        if self.error is None:
            turns = f"{self.replayed} turn{'s' * (self.replayed != 1)}"
            return f"Story reloaded; your {turns} replayed as before."
        e = self.error
        return (f"Story reloaded, but your playthrough stops fitting at turn {e.turn} (scene '{e.scene}', "
                f"choice '{e.choice}'): {e.reason}. Continuing from turn {self.replayed}, the last point "
                f"that fits; {self.logged - self.replayed} later turn{'s' * (self.logged - self.replayed != 1)} "
                "dropped.")


class Session:
    def __init__(self, story: Story, saves_dir: Path, seed: int = 0, engine: Engine | None = None):
        self.story = story
        self.engine = engine or Engine(story)
        self.saves_dir = saves_dir
        self.seed = seed
        self.pt: Playthrough
        self.last_step: Step
        self._autosaved: tuple | None = None  # (seed, log) of the newest autosave this session wrote
        self._autosave_warning = ""
        self.draft: Draft | None = None  # an answer to a question being put together, slot by slot
        self._numbering: Numbering | None = None  # the numbers this visit's choices were shown with
        self.numbers = False  # show stats as numbers too (the 'numbers' command)
        self.pending: str | None = None  # a command waiting for the player's 'yes' (see commands)
        self.abandoned: Playthrough | None = None  # the game a restart left, until a turn is taken
        self._abandoned_numbering: Numbering | None = None
        self.last_input: str | LogEntry | None = None  # what 'again' repeats: a command line, or a choice
        self.scribe = Scribe(saves_dir)  # the in-game transcript ('transcript NAME')
        self.new_game(seed)

    # -- playing ----------------------------------------------------------

    def new_game(self, seed: int | None = None) -> Step:
        if seed is not None:
            self.seed = seed
        self.pt, self.last_step = self.engine.start(self.seed)
        self._numbering = None
        self.draft = None
        return self.last_step

    def restart(self) -> Step:
        """Start over, keeping the game left behind: it is autosaved first, and
        'undo' brings it back until a turn is taken in the new one."""
        if self.pt.log:
            self.autosave()
            self.abandoned, self._abandoned_numbering = self.pt, self._numbering
        return self.new_game()

    @property
    def over(self) -> bool:
        return self.pt.over

    def offers(self) -> list[Offer]:
        """The choices on offer, numbered so that a number keeps its meaning for
        the whole visit to a scene (rules.keep_numbers)."""
        offers, self._numbering = keep_numbers(self.engine.offers(self.pt), visit_of(self.pt), self._numbering)
        return offers

    def text(self) -> list[str]:
        return self.engine.text(self.pt)

    def take(self, number: int) -> Step:
        """Take the choice shown with this number; ChoiceError if there is none or it is locked."""
        return self.take_id(pick(self.offers(), number).id)

    def take_id(self, choice_id: str) -> Step:
        self.last_step = self.engine.choose(self.pt, choice_id)
        self.abandoned = None  # moved on: the restarted game is the one now
        if self.last_step.entered:
            self._numbering = None  # a new visit: numbers start again in the writer's order
        return self.last_step

    def start_answer(self, offer: Offer) -> Draft:
        """Begin answering the open question an offer stands for (ChoiceError if it can't be now)."""
        if not offer.id.startswith(ASK):
            raise ChoiceError(f"choice {offer.number} is not a question")
        if not offer.enabled:
            raise ChoiceError(f"that question can't be answered now: {offer.hint}")
        self.draft = Draft(self.story.questions[offer.id[len(ASK):]])
        return self.draft

    def give_answer(self) -> Step:
        """Answer with the draft, as a move (a turn); the draft is gone afterwards either way."""
        draft, self.draft = self.draft, None
        if draft is None:
            raise ChoiceError("no answer is being put together")
        return self.take_id(draft.move)

    def undo(self, turns: int = 1) -> int:
        """Go back some turns by replaying the shorter log; returns how many were undone.
        At the start of a restarted game, undo brings back the game the restart left."""
        if turns < 1:
            raise ChoiceError("undo takes a positive number of turns")
        if not self.pt.log and self.abandoned is not None:
            self.pt, self.abandoned = self.abandoned, None
            self.last_step = Step(None)
            self._numbering = self._abandoned_numbering  # the numbers it was left with
            return 0
        if not self.pt.log:
            raise ChoiceError("nothing to undo: this is the start of the case")
        turns = min(turns, len(self.pt.log))
        self.rewind(len(self.pt.log) - turns)
        return turns

    def rewind(self, turn: int) -> None:
        """Go back to the state just after `turn` (0: the start of the case)."""
        now = len(self.pt.log)
        if not 0 <= turn < now:
            raise ChoiceError(f"rewind takes a turn from 0 to {now - 1}; see 'history'" if now
                              else "nothing to rewind: this is the start of the case")
        result = self.engine.replay(self.pt.log[:turn], self.pt.seed)
        # The log was made by this very story, so it always replays.
        self.pt = result.playthrough
        self.last_step = Step(None)
        self.abandoned = None
        self.draft = None

    def reload(self, story: Story) -> ReloadResult:
        """Switch to an edited story, keeping the playthrough by replaying its log.

        The log replays on the new story up to the first turn that no longer
        fits (a scene or choice gone, a condition now false); play continues
        from there. Used by live reload (--watch); any UI can call it.
        """
        engine = Engine(story)
        logged = list(self.pt.log)
        result = engine.replay(logged, self.pt.seed)
        self.story, self.engine, self.pt = story, engine, result.playthrough
        self.last_step = Step(None)
        self._autosaved = None
        self._numbering = None  # the edit may have changed what is offered
        self.draft = None
        return ReloadResult(len(result.playthrough.log), len(logged), result.error)

    # -- saving -----------------------------------------------------------

    def save(self, slot: str) -> Path:
        return saves.save_slot(self.saves_dir, self.story, self.pt, slot)

    def autosave(self) -> Path | None:
        """Save into the autosave ring; None if this state is already the newest autosave."""
        key = (self.pt.seed, tuple(self.pt.log))
        if key == self._autosaved:
            return None
        path = saves.autosave(self.saves_dir, self.story, self.pt)
        self._autosaved = key
        return path

    def load(self, slot: str, partial: bool = False) -> saves.Loaded:
        """Load a slot ('autosave': the newest autosave). SaveError if it cannot
        be read; SaveMisfit if the story changed so that it stops fitting, unless
        partial, which loads the turns that still fit. loaded.notes() says what
        the player should be told."""
        loaded = saves.load_slot(self.saves_dir, slot, self.engine, partial=partial)
        self._adopt(loaded)
        if loaded.fits and loaded.slot == saves.autosave_slots()[0]:
            # The newest autosave already holds this state: quitting now should not push the ring.
            self._autosaved = (self.pt.seed, tuple(self.pt.log))
        return loaded

    def _adopt(self, loaded: saves.Loaded) -> None:
        self.pt = loaded.playthrough
        self.seed = self.pt.seed
        self.last_step = Step(None)
        self._numbering = None
        self.abandoned = None
        self.draft = None

    def load_doc(self, doc: dict, where: str, partial: bool = False) -> saves.Loaded:
        """Load a save document read from elsewhere (a file a player picked in a
        web page); the same checks and notes as load(). The saves folder is not touched."""
        loaded = saves.replay_doc(doc, self.engine, where)
        if not loaded.fits and not partial:
            raise loaded.misfit()
        self._adopt(loaded)
        return loaded

    def load_file(self, path: Path) -> saves.Loaded:
        """Load a save file outside the slots (the endings gallery's closing saves);
        SaveError if it cannot be read or no longer fits the story."""
        loaded = saves.replay_doc(saves.read_doc(path), self.engine, str(path))
        if not loaded.fits:
            raise loaded.misfit()
        self._adopt(loaded)
        return loaded

    def slots(self) -> list[saves.SaveInfo]:
        return saves.list_saves(self.saves_dir)

    def try_autosave(self, once: bool = False) -> str:
        """Autosave, returning a warning line if it failed ('' when it worked).
        With once=True (after every turn) the same failure is reported only the
        first time, so a full disk does not shout on every turn."""
        try:
            self.autosave()
        except SaveError as exc:
            warning = f"Autosave failed: {exc}"
            repeated = warning == self._autosave_warning
            self._autosave_warning = warning
            return "" if once and repeated else warning
        self._autosave_warning = ""
        return ""
