"""A game in progress: the engine, the playthrough and the saves, for any UI.

Both the plain line mode and the prompt-toolkit interface drive a Session;
neither talks to the engine or the save files directly. Undo and rewind are
a replay of the log minus its last turns: the log is the truth, so undo can
never drift from what a reload would give.
"""

from __future__ import annotations

from pathlib import Path

from .. import saves
from ..engine import Engine, Offer, Step
from ..errors import ChoiceError, SaveError
from ..state import Playthrough
from ..story import Story


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
        self.new_game(seed)

    # -- playing ----------------------------------------------------------

    def new_game(self, seed: int | None = None) -> Step:
        if seed is not None:
            self.seed = seed
        self.pt, self.last_step = self.engine.start(self.seed)
        return self.last_step

    @property
    def over(self) -> bool:
        return self.pt.over

    def offers(self) -> list[Offer]:
        return self.engine.offers(self.pt)

    def text(self) -> list[str]:
        return self.engine.text(self.pt)

    def take(self, number: int) -> Step:
        """Take the numbered choice; ChoiceError if there is none or it is locked."""
        self.last_step = self.engine.choose_number(self.pt, number)
        return self.last_step

    def take_id(self, choice_id: str) -> Step:
        self.last_step = self.engine.choose(self.pt, choice_id)
        return self.last_step

    def undo(self, turns: int = 1) -> int:
        """Go back some turns by replaying the shorter log; returns how many were undone."""
        if turns < 1:
            raise ChoiceError("undo takes a positive number of turns")
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
        self.pt = loaded.playthrough
        self.seed = self.pt.seed
        self.last_step = Step(None)
        if loaded.fits and loaded.slot == saves.autosave_slots()[0]:
            # The newest autosave already holds this state: quitting now should not push the ring.
            self._autosaved = (self.pt.seed, tuple(self.pt.log))
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
