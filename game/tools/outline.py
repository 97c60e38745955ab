"""check's story-wide pass for a story too big for the full analysis by default.

Past FULL_ANALYSIS_SCENES scenes, `check` (without --deep or --budget) does
not run game.tools.analysis: its may-analysis alone costs more than loading
the story, and the 10,000-scene story must be checked in at most twice the
time a bare YAML parse of its files takes (docs/PERFORMANCE.md). What it runs
instead is linear and sound: the scene graph with every condition read as
"maybe" (each choice may be taken and each branch may be the one, each
question at each scene that asks it may be answered any way). That graph
over-approximates every playthrough, so what it cannot reach no player
reaches:

* a scene no chain of moves leads to from the start is unreachable;
* an ending no reachable scene or move can trigger is unreachable;
* a reachable scene from which no chain of moves reaches an ending is either
  never entered or a soft-lock: reported where the moves lead into it.

Everything else (a witness for each scene and ending, soft-locks behind
conditions, dead text and choices) is left open, and the verdict says
"unknown" and why.
"""

from __future__ import annotations

from collections import deque

from .. import gcpause
from ..diagnostics import Diagnostic, Pos
from ..story import EndGame, Question, Story
from . import FULL_ANALYSIS_SCENES
from .analysis import Analysis, Verdict, named_endings
from .model import effects_run

NAMES = 3  # scene names in one message


class Outline:
    """The condition-blind scene graph: where each scene may lead, and what it may end."""

    def __init__(self, story: Story):
        self.story = story
        boards = [sid for sid, scene in story.scenes.items() if scene.case_board]
        asked: dict[str, list[Question]] = {}
        batched: dict[str, set[str]] = {}  # batch -> endings any member's outcome may trigger
        for question in story.questions.values():
            for sid in question.at or boards:
                asked.setdefault(sid, []).append(question)
            if question.batch:  # confirming one answer confirms the pinned others, and runs their effects
                batched.setdefault(question.batch, set()).update(
                    *(self._endings(o.effects) for o in question.outcomes))
        # scene -> (target, where the move that leads there is written, whether it surely ends the game first)
        self.ways: dict[str, list[tuple[str, Pos, bool]]] = {}
        self.ends: dict[str, set[str]] = {}  # scene -> endings entering it or a move there may trigger
        for sid, scene in story.scenes.items():
            ways: list[tuple[str, Pos, bool]] = []
            ends = {scene.ending} if scene.ending else set()
            ends |= self._endings(scene.on_enter)
            for choice in scene.choices:
                ends_first = _surely_ends(choice.effects)
                ways.extend((target, choice.pos, ends_first) for target in choice.targets)
                ends |= self._endings(choice.effects)
            for question in asked.get(sid, ()):
                for outcome in question.outcomes:
                    if outcome.goto:
                        # a response that does not close the question costs what a wrong try does
                        closes = outcome.correct or outcome.conclude or outcome is question.wrong
                        runs = outcome.effects if closes else outcome.effects + question.wrong.effects
                        ways.append((outcome.goto, outcome.pos if outcome.pos.path else question.pos,
                                     _surely_ends(runs)))
                    ends |= self._endings(outcome.effects)
                ends |= batched.get(question.batch, set())
            self.ways[sid], self.ends[sid] = ways, ends
        self.reached = self._reach([story.start] if story.start in story.scenes else [],
                                   lambda sid: (way[0] for way in self.ways[sid]))
        self.back: dict[str, list[str]] = {}  # scene -> the scenes with a move that leads there
        for sid, ways in self.ways.items():
            for target, _, _ in ways:
                self.back.setdefault(target, []).append(sid)
        self.can_end = self._reach([sid for sid, ends in self.ends.items() if ends],
                                   lambda sid: self.back.get(sid, ()))

    def _endings(self, effects: tuple) -> set[str]:
        if not effects:
            return set()  # most choices: nothing to walk
        return {e.ending for e in effects_run(effects, self.story) if isinstance(e, EndGame)}

    @staticmethod
    def _reach(start: list[str], step) -> set[str]:
        seen, queue = set(start), deque(start)
        while queue:
            for nxt in step(queue.popleft()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen


def analyze_outline(story: Story) -> Analysis:
    """The findings and the verdict of the condition-blind graph (see the module's note)."""
    with gcpause.paused():  # tens of thousands of small objects beside the story's millions
        return _analyze(story)


def _analyze(story: Story) -> Analysis:
    outline = Outline(story)
    found: list[Diagnostic] = []
    reached, can_end = outline.reached, outline.can_end
    for sid, scene in story.scenes.items():
        if sid in reached:
            continue
        sources = sorted(set(outline.back.get(sid, ())))
        why = ("no choice leads here" if not sources else
               "only unreachable scenes lead here (" + ", ".join(f"'{s}'" for s in sources[:NAMES]) + ")")
        found.append(Diagnostic(scene.pos, "error", f"scene '{sid}' can never be reached: {why}",
                                "unreachable-scene"))
    named = named_endings(story)
    possible_ends = set().union(*(outline.ends[sid] for sid in reached)) if reached else set()
    for ending_id in sorted(named - possible_ends):
        if ending_id in story.endings:
            found.append(Diagnostic(story.endings[ending_id].pos, "error", f"ending '{ending_id}' can never be "
                                    "reached: every scene or choice that leads to it is unreachable",
                                    "ending-unreachable"))
    trapped = reached - can_end
    if story.start in trapped:
        found.append(Diagnostic(story.scenes[story.start].pos, "error", "soft-lock: no ending can ever be "
                                f"reached from the start scene '{story.start}'", "soft-lock"))
    else:
        for sid in sorted(reached - trapped):
            for target, pos, ends_first in outline.ways[sid]:
                if target in trapped and not ends_first:  # a move that ends the game leaves nobody there
                    found.append(Diagnostic(pos, "error", f"no way out: this leads from '{sid}' to "
                                            f"'{target}', from which no chain of choices reaches an ending, "
                                            "whatever their conditions (a player who gets there is stuck)",
                                            "no-way-out"))
    verdict = Verdict(scenes=len(story.scenes), endings=len(named))
    verdict.unreachable_scenes = set(story.scenes) - reached
    verdict.unreachable_endings = named - possible_ends
    verdict.unreachable = len(verdict.unreachable_scenes) + len(verdict.unreachable_endings)
    verdict.unknown_scenes = sorted(reached)
    verdict.unknown_endings = sorted(named & possible_ends)
    verdict.unproved_escape = sorted(reached - trapped)
    size = len(story.scenes)
    why = (f"at {size:,} scenes the story is past the {FULL_ANALYSIS_SCENES:,} it runs on by default, so "
           if size > FULL_ANALYSIS_SCENES else "")
    verdict.reasons.append(f"the story-wide analysis was not run: {why}only the scene graph was looked at, "
                           "every condition read as 'maybe'; check --deep, or --budget STATES, runs it")
    verdict.analysed = False
    return Analysis(sorted(found, key=lambda d: (d.pos, d.message)), None, verdict)


def _surely_ends(effects: tuple) -> bool:
    """Whether the effects always end the game (an `end:` not inside an `if` or a `chance`)."""
    return any(isinstance(e, EndGame) for e in effects)


__all__ = ["Outline", "analyze_outline"]
