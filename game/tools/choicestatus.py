"""What check decided about each choice: seen available, proven never available, or unknown.

- **seen available**: a real state that the soft-lock search or the coverage
  search (game.tools.witness.cover) reached offers it. Those states are real
  playthroughs from the start (the searches step with the engine's rules), so
  a player can take it.
- **never available**: the may-analysis (game.tools.abstract) never enables it
  (its scene is unreachable, entering it ends the game, or its condition, its
  once-only rule or its stat limits never allow it: already an error or a
  `choice-never-enabled` warning); or the search visited every reachable state
  and none offered it (then `never_offered` names it, for a warning).
- **unknown**: neither; the verdict lists them by file:line:col.

Only the scenes' choices are counted (not deductions or answers to questions).
"""

from __future__ import annotations

from ..state import Playthrough
from ..story import Story
from .abstract import Possibilities


class ChoiceStatus:
    def __init__(self, story: Story, poss: Possibilities):
        self.story = story
        self.choices = [(sid, choice.id) for sid, scene in story.scenes.items() for choice in scene.choices]
        self._pos = {(sid, choice.id): choice.pos for sid, scene in story.scenes.items() for choice in scene.choices}
        self._ids = {sid: frozenset(c.id for c in scene.choices) for sid, scene in story.scenes.items()}
        enabled = {(sid, m.id) for sid, moves in poss.enabled.items() for m in moves if m.choice is not None}
        self.never = {key for key in self.choices if key not in enabled}
        self.seen: set[tuple[str, str]] = set()

    def witness(self, pt: Playthrough, offered: list[str]) -> None:
        """Mark seen the choices this real state offers."""
        if pt.ending is None and offered:
            ids = self._ids[pt.scene]
            self.seen.update((pt.scene, move) for move in offered if move in ids)

    def open(self) -> bool:
        """Some choice is neither seen available nor proven never available."""
        return any(key not in self.seen and key not in self.never for key in self.choices)

    def never_offered(self) -> list[tuple[str, str]]:
        """After a search that visited every reachable state: the choices the may-analysis
        allows but no state offered, which are therefore never available (in story order)."""
        return [key for key in self.choices if key not in self.seen and key not in self.never]

    def unknown(self) -> list[str]:
        """Where the undecided choices are written (file:line:col), in story order."""
        return [str(self._pos[key]) for key in self.choices if key not in self.seen and key not in self.never]
