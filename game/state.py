"""The playthrough: everything that changes during play, and nothing else.

A small, plain value (ink's StoryState): the scene, clues with where and
when each was found, flags, stats, the turn, the scenes visited, the
questions answered (and the wrong tries, locks and answers pinned for a
batch), the log of choices taken and the random seed. It converts to and from JSON-ready dicts
for save files; the story itself is never copied into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SNAPSHOT_VERSION = 2  # 2: questions (answers, wrong tries, locks, pending)


@dataclass(frozen=True)
class Found:
    """Where and when a clue was found."""

    scene: str
    turn: int


Values = tuple[tuple[str, str], ...]  # an answer: (slot id, candidate id) per slot, in slot order


@dataclass(frozen=True)
class Conclusion:
    """How a question was closed: its outcome (an accepted answer or a conclusion), with what, when."""

    outcome: str  # "right", or the id of the wrong conclusion the player now lives with
    values: Values  # the answer given; () when it was reached in dialogue
    turn: int


@dataclass(frozen=True)
class LogEntry:
    """One choice taken: in which scene, which choice id."""

    scene: str
    choice: str

    def to_json(self) -> list[str]:
        return [self.scene, self.choice]


@dataclass
class Playthrough:
    scene: str
    seed: int = 0
    turn: int = 0
    clues: dict[str, Found] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    stats: dict[str, int] = field(default_factory=dict)
    visited: dict[str, int] = field(default_factory=dict)  # scene -> times entered
    taken: set[tuple[str, str]] = field(default_factory=set)  # (scene, choice) of once-only choices
    answers: dict[str, Conclusion] = field(default_factory=dict)  # question -> how it was closed
    wrong: dict[str, int] = field(default_factory=dict)  # question -> wrong tries so far
    locked: dict[str, int] = field(default_factory=dict)  # question -> locked while turn < this
    pending: dict[str, Values] = field(default_factory=dict)  # batched question -> answer awaiting confirmation
    # (scene, choice) -> times taken, for `taken.SCENE.CHOICE` and outcome variants;
    # kept beside the log because the analyses drop the log of the states they copy.
    chosen: dict[tuple[str, str], int] = field(default_factory=dict)
    log: list[LogEntry] = field(default_factory=list)
    ending: str | None = None

    @property
    def over(self) -> bool:
        return self.ending is not None

    def copy(self) -> Playthrough:
        return Playthrough(
            scene=self.scene,
            seed=self.seed,
            turn=self.turn,
            clues=dict(self.clues),
            flags=set(self.flags),
            stats=dict(self.stats),
            visited=dict(self.visited),
            taken=set(self.taken),
            answers=dict(self.answers),
            wrong=dict(self.wrong),
            locked=dict(self.locked),
            pending=dict(self.pending),
            chosen=dict(self.chosen),
            log=list(self.log),
            ending=self.ending,
        )

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready picture of the state (for save files and comparisons)."""
        return {
            "version": SNAPSHOT_VERSION,
            "scene": self.scene,
            "seed": self.seed,
            "turn": self.turn,
            "clues": {k: {"scene": v.scene, "turn": v.turn} for k, v in self.clues.items()},
            "flags": sorted(self.flags),
            "stats": dict(self.stats),
            "visited": dict(self.visited),
            "taken": sorted([s, c] for s, c in self.taken),
            "answers": {q: {"outcome": c.outcome, "values": dict(c.values), "turn": c.turn}
                        for q, c in self.answers.items()},
            "wrong": dict(self.wrong),
            "locked": dict(self.locked),
            "pending": {q: dict(v) for q, v in self.pending.items()},
            "ending": self.ending,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], log: list[LogEntry] | None = None) -> Playthrough:
        """Rebuild from snapshot(); the caller has validated the shape.

        The counts of choices taken are not in the snapshot: they are the log's."""
        chosen: dict[tuple[str, str], int] = {}
        for entry in log or []:
            chosen[(entry.scene, entry.choice)] = chosen.get((entry.scene, entry.choice), 0) + 1
        return cls(
            scene=data["scene"],
            seed=int(data.get("seed", 0)),
            turn=int(data["turn"]),
            clues={k: Found(v["scene"], int(v["turn"])) for k, v in data.get("clues", {}).items()},
            flags=set(data.get("flags", [])),
            stats={k: int(v) for k, v in data.get("stats", {}).items()},
            visited={k: int(v) for k, v in data.get("visited", {}).items()},
            taken={(s, c) for s, c in data.get("taken", [])},
            answers={q: Conclusion(a["outcome"], tuple(a.get("values", {}).items()), int(a.get("turn", 0)))
                     for q, a in data.get("answers", {}).items()},
            wrong={q: int(n) for q, n in data.get("wrong", {}).items()},
            locked={q: int(n) for q, n in data.get("locked", {}).items()},
            pending={q: tuple(v.items()) for q, v in data.get("pending", {}).items()},
            chosen=chosen,
            log=list(log or []),
            ending=data.get("ending"),
        )
