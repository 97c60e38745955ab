"""How far a stat can move while a condition is still false: a counting argument (#16).

The boxes of game.tools.continuity_unknown join every state of a scene, so
they cannot tell that a loop is taken only once: the desk leads to a visitor
whose choice raises a stat and comes back, and the box of the desk grows by
one at every round, although the visitor's door (`not visited.office.cheng`)
opens only once. This module bounds instead how often each thing that moves
a stat can happen in the states where the condition is false:

- a choice taken at most once: `once`, a condition `not clue.X` (or `not
  flag.F`, F never cleared) on a choice that gives it, `not visited.T` on a
  choice that always enters T; a right answer or a conclusion (the question
  closes); a deduction (it gives the clue it needs missing);
- any other choice that leaves its scene: at most once per visit of it;
- a scene's visits: one for the start, plus what the moves into it add up
  to, and the moves into T that need `not visited.T` add one between them all;
- anything else (a choice that stays, a wrong answer, a loop) is unbounded.

A stat never ends above the largest value it starts or is set at plus what
every change up can add (a change down, clamped at the minimum, never raises
it), and symmetrically for its floor. Only the moves the boxes let be taken
from such a state into such a state count (every step of a way to a state
where the condition is false stays in such states, as the condition, once
true, stays true). The result is a range per stat that holds in every such
state: narrowing the boxes by it is sound.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..conditions import BoolOp, Node, Not, Ref
from ..story import Answer, ChangeStat, Choice, Effect, GainClue, Roll, SetFlag, Story, all_effects

if TYPE_CHECKING:
    from .continuity_unknown import Unknowing

UNBOUNDED = math.inf


class Changes:
    """What one run of some effects may do to each stat: the most it may add and take
    away, and the values it may set (`set`, `roll`)."""

    def __init__(self, story: Story):
        self.story = story
        self.cache: dict[tuple[Effect, ...], dict[str, tuple[float, float, list[float]]]] = {}

    def of(self, effects: tuple[Effect, ...], answering: frozenset[str] = frozenset()) -> dict:
        """stat -> (most added, most taken away, values set), over every branch of an if or
        a chance at once (only one runs: the sum is more than any can do, which is sound)."""
        cached = self.cache.get(effects) if not answering else None
        if cached is not None:
            return cached
        result: dict[str, tuple[float, float, list[float]]] = {}

        def add(stat: str, up: float, down: float, sets: list[float]) -> None:
            old = result.get(stat, (0.0, 0.0, []))
            result[stat] = (old[0] + up, old[1] + down, old[2] + sets)
        for effect in all_effects(effects):
            if isinstance(effect, ChangeStat):
                if not effect.relative:
                    add(effect.stat, 0, 0, [float(effect.amount)])
                elif effect.amount > 0:
                    add(effect.stat, effect.amount, 0, [])
                else:
                    add(effect.stat, 0, -effect.amount, [])
            elif isinstance(effect, Roll):
                add(effect.stat, 0, 0, [float(effect.low), float(effect.high)])
            elif isinstance(effect, Answer):  # closes a question, with what its outcome does
                question = self.story.questions.get(effect.question)
                if question is None:
                    continue
                if effect.question in answering:  # answers itself: it closes once, but say anything
                    for stat in self.story.stats:
                        add(stat, UNBOUNDED, UNBOUNDED, [])
                    continue
                outcome = question.outcome(effect.outcome)
                if outcome is None:
                    continue
                for stat, (up, down, sets) in self.of(outcome.effects, answering | {effect.question}).items():
                    add(stat, up, down, sets)
        if not answering:
            self.cache[effects] = result
        return result


class Counts:
    """How often each move and each scene's arrival may happen in the states of an Unknowing."""

    def __init__(self, story: Story, unknowing: Unknowing, cleared: set[str]):
        self.story = story
        self.unknowing = unknowing
        self.cleared = cleared
        self.moves = self._moves()  # (scene, move, targets): taken from such a state into one
        self.into: dict[str, list[tuple[str, object]]] = {}
        for scene, move, targets in self.moves:
            for target in targets:
                self.into.setdefault(target, []).append((scene, move))
        self.visit_memo: dict[str, float] = {}
        self.busy: set[str] = set()

    def _moves(self) -> list[tuple[str, object, set[str]]]:
        """Every move the boxes let be taken from a state where the condition is false into
        one (targets: the scenes it may enter so)."""
        unknowing, analyzer = self.unknowing, self.unknowing.analyzer
        result = []
        for sid, box in unknowing.states.items():
            for move in analyzer.moves[sid]:
                pre = unknowing.available(move, box)
                if pre is None:
                    continue
                targets: set[str] = set()
                stays = False
                if move.question is not None and move.outcome.correct and move.question.id in unknowing.batched:
                    stays = True  # a batched answer goes nowhere (confirmed or pinned)
                else:
                    for target, taken in analyzer.branch_boxes(move, pre):
                        if unknowing.narrow(analyzer.after(move, taken, target)) is None:
                            continue
                        if target is None:
                            stays = True
                        else:
                            targets.add(target)
                if stays or targets:
                    result.append((sid, move, targets))
        return result

    def times(self, scene: str, move) -> float:
        """How often the move may be taken from such a state into such a state."""
        if move.question is not None:
            return 1 if move.outcome.correct or move.outcome.conclude else UNBOUNDED
        if move.deduction is not None:
            return 1
        choice = move.choice
        if choice.once:
            return 1
        conjuncts = _conjuncts(choice.condition.tree) if choice.condition is not None else []
        for node in conjuncts:
            if not (isinstance(node, Not) and isinstance(node.operand, Ref)):
                continue
            ref = node.operand
            if ref.kind == "clue" and any(isinstance(e, GainClue) and e.clue == ref.name for e in choice.effects):
                return 1
            if ref.kind == "flag" and ref.name not in self.cleared and any(
                    isinstance(e, SetFlag) and e.flag == ref.name and e.value for e in choice.effects):
                return 1
            if ref.kind == "visited" and _always_goes(choice) and all(b.target == ref.name for b in choice.branches):
                return 1
        if _always_goes(choice) and all(b.target is not None and b.target != scene for b in choice.branches):
            return self.visits(scene)  # it leaves: once per visit at most
        return UNBOUNDED

    def visits(self, scene: str) -> float:
        """How often the scene may be entered in such states."""
        if scene in self.visit_memo:
            return self.visit_memo[scene]
        if scene in self.busy:
            return UNBOUNDED  # a loop: nothing here bounds it
        self.busy.add(scene)
        total: float = 1 if scene == self.story.start else 0
        gated = False  # a move into it that needs `not visited.SCENE`: one of them, once
        for source, move in self.into.get(scene, ()):
            if move.choice is not None and move.choice.condition is not None and any(
                    isinstance(n, Not) and isinstance(n.operand, Ref) and n.operand.kind == "visited"
                    and n.operand.name == scene for n in _conjuncts(move.choice.condition.tree)):
                gated = True
                continue
            total += self.times(source, move)
            if total == UNBOUNDED:
                break
        total += 1 if gated else 0
        self.busy.discard(scene)
        self.visit_memo[scene] = total
        return total


def stat_ranges(story: Story, unknowing: Unknowing, cleared: set[str]) -> tuple[tuple[float, float], ...]:
    """A range per stat (in the story's order) that holds in every state where the
    Unknowing's condition is false (its boxes so far: an over-approximation of them)."""
    counts = Counts(story, unknowing, cleared)
    changes = Changes(story)
    stats = list(story.stats.values())
    up = {s.id: 0.0 for s in stats}
    down = {s.id: 0.0 for s in stats}
    sets: dict[str, list[float]] = {s.id: [float(s.start)] for s in stats}

    def count(effects: tuple[Effect, ...], times: float) -> None:
        for stat, (more, less, values) in changes.of(effects).items():
            if stat not in up:
                continue
            up[stat] += times * more if more else 0
            down[stat] += times * less if less else 0
            sets[stat].extend(values)
    for scene, move, _ in counts.moves:
        if move.effects:
            count(move.effects, counts.times(scene, move))
    for sid in {t for _, _, targets in counts.moves for t in targets} | {story.start}:
        on_enter = story.scenes[sid].on_enter
        if on_enter:
            count(on_enter, counts.visits(sid))
    return tuple((float(max(s.min, min(sets[s.id]) - down[s.id])), float(min(s.max, max(sets[s.id]) + up[s.id])))
                 for s in stats)


def _always_goes(choice: Choice) -> bool:
    """Whether some branch is always taken (the last has no condition): otherwise it may stay."""
    return bool(choice.branches) and choice.branches[-1].condition is None


def _conjuncts(node: Node) -> list[Node]:
    if isinstance(node, BoolOp) and node.op == "and":
        return [c for o in node.operands for c in _conjuncts(o)]
    return [node]


__all__ = ["Changes", "Counts", "stat_ranges"]
