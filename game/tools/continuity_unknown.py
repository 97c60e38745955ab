"""Where a (monotone) condition may still be false: the may-analysis restricted to those states.

For a condition that, once true, stays true (continuity_proof.MayAnalysis.monotone),
every state on a way to a state where it is false has it false too. So the
states where it is false are exactly what a may-analysis reaches when every
box is narrowed to "the condition is false" after every move: a box that
narrows to nothing is a way that cannot be taken with the condition still
false. The boxes are an over-approximation of those states (game.tools.abstract),
so a text whose box is empty can never be read while the condition is false:
a proof, where the box of the whole story (which joins the states before and
after learning) says nothing.
"""

from __future__ import annotations

from ..conditions import Condition
from ..story import EndGame, Story, all_effects
from .abstract import Analyzer, AState

WIDEN = 8  # a scene's box may grow this many times before its stats jump to their whole range


class Unknowing:
    """The boxes of the states where one monotone condition is false, per scene."""

    def __init__(self, story: Story, analyzer: Analyzer, known: Condition):
        self.story = story
        self.analyzer = analyzer
        self.known = known
        self.states: dict[str, AState] = {}  # scene -> box of the states there with the condition false
        self.ended: dict[str, AState] = {}  # scene -> box of arrivals by a move that ended the game
        self.endings: dict[str, AState] = {}  # ending -> box of the states in which it may be reached
        self._run()

    def narrow(self, state: AState | None) -> AState | None:
        """The part of the box where the condition is false (None: no state)."""
        if state is None:
            return None
        narrowed = self.analyzer.assume(self.known.tree, state, positive=False)
        if narrowed is None or self.analyzer.is_empty(narrowed):
            return None
        return narrowed

    def _join(self, table: dict[str, AState], key: str, box: AState) -> bool:
        old = table.get(key)
        new = box if old is None else old.join(box)
        if new == old:
            return False
        table[key] = new
        return True

    def _run(self) -> None:
        analyzer, story = self.analyzer, self.story
        start = self.narrow(analyzer.enter(story.start, analyzer.initial()))
        if start is None:
            return
        self.states[story.start] = start
        ranges = tuple((float(s.min), float(s.max)) for s in story.stats.values())
        grown: dict[str, int] = {}
        work = [story.start]
        queued = {story.start}
        while work:
            sid = work.pop()
            queued.discard(sid)
            self._ending_boxes(sid)
            if analyzer.ends_on_entry(sid):
                continue
            for move in analyzer.moves[sid]:
                state = self.states[sid]
                pre = self.available(move, state)
                if pre is None:
                    continue
                for ending in (*move.ends, *move.may_end):
                    self._join(self.endings, ending, analyzer.transfer(move.transfer, pre))
                for target, taken in analyzer.branch_boxes(move, pre):
                    arrived = self.narrow(analyzer.after(move, taken, target))
                    if arrived is None:
                        continue
                    dest = sid if target is None else target
                    if move.ends:  # the game is over: the scene's text is read, nothing more
                        self._join(self.ended, dest, arrived)
                        continue
                    if self._join(self.states, dest, arrived):
                        grown[dest] = grown.get(dest, 0) + 1
                        if grown[dest] > WIDEN:  # stats are bounded, but a long range would take long
                            self.states[dest] = self.states[dest]._replace(stats=ranges)
                        if dest not in queued:
                            queued.add(dest)
                            work.append(dest)

    def _ending_boxes(self, sid: str) -> None:
        scene = self.story.scenes[sid]
        state = self.states[sid]
        ends = set(self.analyzer.ends_on_entry(sid))
        ends.update(e.ending for e in all_effects(scene.on_enter) if isinstance(e, EndGame))
        for ending in ends:
            self._join(self.endings, ending, state)

    def available(self, move, state: AState) -> AState | None:
        """The part of the box where the move may be taken (a question: while it is open)."""
        pre = self.analyzer.available(move, state)
        if pre is None:
            return None
        if move.question is not None:
            question = move.question
            bit = self.analyzer.flag_bit[f"concluded.{question.id}"]
            pre = pre._replace(flags=pre.flags & ~bit)
            if question.opens is not None:
                pre = self.analyzer.assume(question.opens.tree, pre)
        if pre is None or self.analyzer.is_empty(pre):
            return None
        return pre

    def boxes(self, scene: str) -> list[AState]:
        """Every box of the scene: while playing, and as the game ended there."""
        return [box for box in (self.states.get(scene), self.ended.get(scene)) if box is not None]

    def everywhere(self) -> list[AState]:
        return [*self.states.values(), *self.ended.values(), *self.endings.values()]
