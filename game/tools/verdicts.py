"""What `check` proved about each scene and ending, for playtest to print beside what its runs saw.

playtest's runs can only say "seen in k runs": a scene never seen may be
rare or impossible. check's analysis decides it: **proven reachable** (a
witness path exists), **proven unreachable** (an argument that covers every
state), or **unknown** (it could not decide, and says why). This module asks
the analysis and nothing else; it proves nothing itself.

`of_story` is the one place that knows where check keeps those sets: when the
analysis changes, only it changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import Engine
from ..story import Story
from . import DEFAULT_BUDGET
from .analysis import analyze

REACHABLE = "proven reachable"
UNREACHABLE = "proven unreachable"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdicts:
    """check's verdict on every scene and named ending (ids of endings are prefixed 'ending:')."""

    reachable: frozenset[str]
    unreachable: frozenset[str]
    why_unknown: str = ""  # why what is neither was not decided (the analysis' words)

    def of(self, target: str) -> str:
        if target in self.reachable:
            return REACHABLE
        if target in self.unreachable:
            return UNREACHABLE
        return UNKNOWN

    def scene(self, scene_id: str) -> str:
        return self.of(scene_id)

    def ending(self, ending_id: str) -> str:
        return self.of(f"ending:{ending_id}")


def of_story(story: Story, engine: Engine | None = None, budget: int = DEFAULT_BUDGET) -> Verdicts:
    """check's verdicts (game.tools.analysis, its Verdict's reachable and unreachable sets: a
    witness path, or an argument over every state; the rest is unknown); budget as `check --budget`."""
    verdict = analyze(story, budget=budget, engine=engine).verdict
    reachable = set(verdict.reachable_scenes) | {f"ending:{e}" for e in verdict.reachable_endings}
    unreachable = set(verdict.unreachable_scenes) | {f"ending:{e}" for e in verdict.unreachable_endings}
    return Verdicts(frozenset(reachable), frozenset(unreachable), "; ".join(verdict.reasons))
