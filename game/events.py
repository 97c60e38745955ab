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


@dataclass(frozen=True)
class QuestionAnswered:
    """A question was answered: closed (right, or a wrong conclusion), or a wrong try."""

    question: str
    outcome: str  # "right", a response's id, or "wrong"
    correct: bool
    closed: bool  # right or a conclusion: the question is no longer open


@dataclass(frozen=True)
class QuestionPending:
    """A batched question's answer is pinned, to be confirmed with others of its batch."""

    question: str


@dataclass(frozen=True)
class QuestionConfirmed:
    """A batch held together: this question's pinned answer was right and is now closed."""

    question: str


@dataclass(frozen=True)
class QuestionLocked:
    """Too many wrong tries: the question cannot be answered for some turns."""

    question: str
    turns: int


Event = (ClueFound | FlagChanged | StatChanged | SceneEntered | GameEnded | QuestionAnswered | QuestionPending
         | QuestionConfirmed | QuestionLocked)


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
