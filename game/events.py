"""What a turn reports: the events that happened and the narration to show.

The engine returns these; the UI, saves and tools decide how to show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClueFound:
    clue: str


@dataclass(frozen=True)
class FlagChanged:
    flag: str
    value: bool


@dataclass(frozen=True)
class StatChanged:
    stat: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old


@dataclass(frozen=True)
class SceneEntered:
    scene: str


@dataclass(frozen=True)
class GameEnded:
    ending: str


Event = ClueFound | FlagChanged | StatChanged | SceneEntered | GameEnded


@dataclass
class Step:
    """What one turn did: the narration to show and the events that happened."""

    choice: str | None  # None for the opening of a playthrough
    outcome: str = ""
    events: list[Event] = field(default_factory=list)

    @property
    def clues(self) -> list[str]:
        return [e.clue for e in self.events if isinstance(e, ClueFound)]

    @property
    def stat_changes(self) -> list[StatChanged]:
        return [e for e in self.events if isinstance(e, StatChanged)]

    @property
    def ending(self) -> str | None:
        for event in self.events:
            if isinstance(event, GameEnded):
                return event.ending
        return None

    @property
    def entered(self) -> list[str]:
        return [e.scene for e in self.events if isinstance(e, SceneEntered)]
