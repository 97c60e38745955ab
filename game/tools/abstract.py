"""What can possibly happen in a story, computed without playing it (the may-analysis).

An abstract interpretation over the scene graph: for every scene we keep an
over-approximation of the states a player can be in while there — which
clues may (and may not) be held, which flags may be set (and unset), which
scenes may have been visited, which once-only choices may have been taken,
and an interval for each stat. A worklist propagates these along every move
that *might* be enabled until nothing grows.

Because it over-approximates, its negative answers are proofs: a scene it
never reaches cannot be reached, a choice whose condition it finds always
false can never be taken, a paragraph whose condition it finds always false
never shows. Its positive answers ("may be reached") promise nothing; the
search (game.tools.explore, witness) finds witnesses for those, and
game.tools.escape uses these states as the situations it must get out of.

Conditions are evaluated three-valued: a boolean condition yields a set of
possible values (TRUE, FALSE or both), a number an interval. A reference
kind or an effect this module does not know (game.tools.model) reads as
"anything"; a story with such a gap gets the top state everywhere.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field

from ..story import Story
from .boxbound import bound
from .boxes import _INTERVAL_COMPARE, BOTH, FALSE, INF, TRUE, AState, Interval, Transfer
from .boxmoves import Move, Moves

__all__ = ["BOTH", "FALSE", "INF", "TRUE", "_INTERVAL_COMPARE", "AState", "Analyzer", "Interval", "Move",
           "Possibilities", "Transfer", "possibilities"]

WIDEN_STATS = 2  # a scene's stats may grow this many times before they jump to their bounds
WIDEN_FACTS = 8  # a scene's clues, flags and visits may grow this many times before they jump to the bound


@dataclass
class Possibilities:
    """The result: reached scenes, their abstract states, what can be enabled and ended."""

    story: Story
    states: dict[str, AState] = field(default_factory=dict)
    # scene -> moves that may be enabled there
    enabled: dict[str, list[Move]] = field(default_factory=dict)
    # (scene, move id) -> targets that move may lead to
    targets: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    endings: set[str] = field(default_factory=set)  # endings that may be reached
    terminal: set[str] = field(default_factory=set)  # reached scenes that end the game on entry
    shown_at_end: set[str] = field(default_factory=set)  # scenes only entered by a move that ends the game
    can_end: set[str] = field(default_factory=set)  # scenes from which some ending may be reached
    gaps: list[str] = field(default_factory=list)  # what the analysis does not understand (then: top)
    bound: AState | None = None  # a box holding every reachable state in every scene

    @property
    def reached(self) -> set[str]:
        return set(self.states)


class Analyzer(Moves):
    """Runs the fixpoint over the moves of one story (the domain: boxlogic, boxeffects, boxmoves)."""

    # -- the fixpoint -----------------------------------------------------

    def run(self) -> Possibilities:
        story = self.story
        result = Possibilities(story, gaps=list(self.gaps))
        if story.start not in story.scenes:
            return result
        if self.gaps:
            return self._everything(result)
        bound = self.bound()
        result.bound = bound
        states = result.states
        # Visit scenes in reverse postorder of the scene graph: facts then flow
        # forward in one sweep and only loops send work back, so each scene is
        # expanded a few times rather than once per fact that reaches it.
        order = self._reverse_postorder()
        states[story.start] = self.enter(story.start, self.initial())._replace(turn=(0.0, INF))
        heap = [(order[story.start], story.start)]
        queued = {story.start}
        available, ends_on_entry = self.available, self._ends_on_entry
        grown: dict[str, list[int]] = {}
        while heap:
            _, sid = heapq.heappop(heap)
            queued.discard(sid)
            if ends_on_entry[sid]:
                continue
            state = states[sid]
            for move in self.moves[sid]:
                pre = available(move, state)
                if pre is None or move.ends:
                    continue
                for target, taken in self.branch_boxes(move, pre):
                    dest = sid if target is None else target
                    arrived = self.after(move, taken, target)
                    old = states.get(dest)
                    new = arrived if old is None else old.join(arrived)
                    if new != old:
                        if old is not None:
                            new = self._maybe_widen(dest, old, new, grown, bound)
                        states[dest] = new
                        if dest == sid:
                            state = new  # later moves of this scene see what earlier ones made possible
                        if dest not in queued:
                            queued.add(dest)
                            heapq.heappush(heap, (order[dest], dest))
        self._summarise(result)
        return result

    def bound(self) -> AState:
        """One box holding every reachable state of every scene (game.tools.boxbound)."""
        return bound(self)

    def _everything(self, result: Possibilities) -> Possibilities:
        """A story with a gap: every scene may be reached in any state, every move may be taken."""
        top = self.top
        result.bound = top
        for sid in self.story.scenes:
            result.states[sid] = top
            if self._ends_on_entry[sid]:
                result.terminal.add(sid)
                result.endings.update(self._ends_on_entry[sid], self._may_end_on_entry[sid])
            else:
                result.enabled[sid] = list(self.moves[sid])
                for move in self.moves[sid]:
                    result.targets[(sid, move.id)] = list(move.choice.targets) if move.choice else []
                    result.endings.update(move.ends)
            result.can_end.add(sid)
        result.endings.update(self.story.endings)
        return result

    def _maybe_widen(self, sid: str, old: AState, new: AState, grown: dict[str, list[int]],
                     bound: AState) -> AState:
        """Widening: what keeps growing at a scene jumps to the story-wide bound.

        Without it a loop that lowers a stat by 1 costs one round of the whole
        fixpoint per point of the stat's range, and on a large, tangled story
        clues and flags trickle into every scene one at a time (measured: a
        minute on a 10,000-scene synthetic story). A stat that grew more than
        WIDEN_STATS times jumps to its edges; facts that grew more than
        WIDEN_FACTS times jump to `bound()`, which holds every reachable state.
        Widening only adds possibilities that the bound already allows, so
        nothing impossible becomes possible that was not already in the bound.
        """
        counts = grown.setdefault(sid, [0, 0])
        if new.stats != old.stats:
            counts[0] += 1
            if counts[0] > WIDEN_STATS:
                ranges = self._ranges
                new = new._replace(stats=tuple(
                    (ranges[i][0] if n[0] < o[0] else n[0], ranges[i][1] if n[1] > o[1] else n[1])
                    for i, (o, n) in enumerate(zip(old.stats, new.stats, strict=True))))
        if new[:8] != old[:8]:
            counts[1] += 1
            if counts[1] > WIDEN_FACTS:
                # Only the "may hold" sides jump: what surely holds here (a clue every way
                # in gives, a scene every way in passes) is what later proofs lean on.
                new = new._replace(clues=new.clues | bound.clues, flags=new.flags | bound.flags,
                                   visited=new.visited | bound.visited, taken=new.taken | bound.taken)
        return new

    def _reverse_postorder(self) -> dict[str, int]:
        """Scene -> its position in a reverse postorder from the start (iterative DFS)."""
        cached = getattr(self, "_rpo", None)
        if cached is not None:
            return cached
        successors = self.successors_graph()
        post: list[str] = []
        seen = {self.story.start}
        stack = [(self.story.start, iter(successors[self.story.start]))]
        while stack:
            sid, children = stack[-1]
            for child in children:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(successors[child])))
                    break
            else:
                stack.pop()
                post.append(sid)
        order = {sid: len(post) - i for i, sid in enumerate(post)}
        for sid in self.story.scenes:
            order.setdefault(sid, len(order) + 1)
        self._rpo = order
        return order

    def _summarise(self, result: Possibilities) -> None:
        """On the final states: what is enabled, where it leads, what ends, what can end."""
        preds: dict[str, set[str]] = {}
        for sid, state in result.states.items():
            ends = self.ends_on_entry(sid)
            if ends:
                result.terminal.add(sid)
                # an `if` or `chance` in its on_enter may end the game first, with another ending
                result.endings.update(ends, self._may_end_on_entry[sid])
                result.can_end.add(sid)
                continue
            if self._may_end_on_entry[sid]:  # an on_enter `if` or `chance` may end the game here
                result.endings.update(self._may_end_on_entry[sid])
                result.can_end.add(sid)
            enabled = result.enabled.setdefault(sid, [])
            for move in self.moves[sid]:
                pre = self.available(move, state)
                if pre is None:
                    continue
                enabled.append(move)
                targets = [t for t in self.branches(move, pre) if t is not None]
                result.targets[(sid, move.id)] = targets
                if move.may_end:
                    result.endings.update(move.may_end)
                    result.can_end.add(sid)
                if move.ends:
                    result.endings.update(move.ends)
                    result.can_end.add(sid)
                    result.shown_at_end.update(t for t in targets if t not in result.states)
                    continue
                for target in targets:
                    preds.setdefault(target, set()).add(sid)
        # Scenes from which an ending may be reached: backwards from the ones that end.
        queue = deque(result.can_end)
        while queue:
            sid = queue.popleft()
            for pred in preds.get(sid, ()):
                if pred not in result.can_end:
                    result.can_end.add(pred)
                    queue.append(pred)


def possibilities(story: Story) -> Possibilities:
    return Analyzer(story).run()
