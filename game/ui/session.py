"""A game in progress: the engine, the playthrough and the saves, for any UI.

Both the plain line mode and the prompt-toolkit interface drive a Session;
neither talks to the engine or the save files directly. Undo is a replay of
the log minus its last turns: the log is the truth, so undo can never drift
from what a reload would give.
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
        available = len(self.pt.log)
        if available == 0:
            raise ChoiceError("nothing to undo: this is the start of the case")
        turns = min(turns, available)
        result = self.engine.replay(self.pt.log[:-turns], self.pt.seed)
        # The log was made by this very story, so it always replays.
        self.pt = result.playthrough
        self.last_step = Step(None)
        return turns

    # -- saving -----------------------------------------------------------

    def save(self, slot: str) -> Path:
        return saves.save_slot(self.saves_dir, self.story, self.pt, slot)

    def autosave(self) -> Path | None:
        """Save to the autosave slot; a failure is reported by the caller, never fatal."""
        return saves.save_slot(self.saves_dir, self.story, self.pt, saves.AUTOSAVE)

    def load(self, slot: str) -> None:
        result = saves.load_slot(self.saves_dir, slot, self.engine)
        self.pt = result.playthrough
        self.seed = self.pt.seed
        self.last_step = Step(None)

    def slots(self) -> list[saves.SaveInfo]:
        return saves.list_saves(self.saves_dir)

    def try_autosave(self) -> str:
        """Autosave, returning a warning line if it failed ('' when it worked)."""
        try:
            self.autosave()
        except SaveError as exc:
            return f"Autosave failed: {exc}"
        return ""
