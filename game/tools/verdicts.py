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
from ..story import EndGame, Story, all_effects
from . import DEFAULT_BUDGET
from .analysis import analyze
from .explore import Explorer

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
    """check's verdicts, from main's analysis: the may-analysis (what it never allows is
    unreachable) and the bounded search (every scene and ending it enters has a path)."""
    analysis = analyze(story, budget=0, engine=engine)  # the may-analysis only; the search is below
    poss = analysis.possibilities
    assert poss is not None
    possible = poss.reached | poss.shown_at_end
    named = named_endings(story)
    unreachable = {s for s in story.scenes if s not in possible}
    unreachable |= {f"ending:{e}" for e in named if e not in poss.endings}
    reachable: set[str] = set()
    why = ""
    if budget > 0:
        search = Explorer(story, engine).search(budget)
        reachable = set(search.scenes) | {f"ending:{e}" for e in search.ended if e is not None}
        if not search.complete:
            why = f"the search stopped at its budget of {budget:,} states"
    else:
        why = "the search was skipped"
    return Verdicts(frozenset(reachable - unreachable), frozenset(unreachable), why)


def named_endings(story: Story) -> set[str]:
    """Endings some scene or effect names (an ending nothing names is the loader's warning)."""
    named = {s.ending for s in story.scenes.values() if s.ending}
    for scene in story.scenes.values():
        for effects in (scene.on_enter, *(c.effects for c in scene.choices)):
            named.update(e.ending for e in all_effects(effects) if isinstance(e, EndGame))
    return named
