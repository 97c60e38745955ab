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

from ..conditions import BoolOp, Condition, Node, Ref
from ..story import Answer, EndGame, Story, all_effects
from .abstract import INF, Analyzer, AState
from .continuity_counts import stat_ranges

WIDEN = 8  # a stat's bound may grow this many times at a scene before it jumps to the stat's edge


class Unknowing:
    """The boxes of the states where one monotone condition is false, per scene."""

    def __init__(self, story: Story, analyzer: Analyzer, known: Condition, cleared: set[str] | None = None):
        self.story = story
        self.analyzer = analyzer
        self.known = known
        self.states: dict[str, AState] = {}  # scene -> box of the states there with the condition false
        self.ended: dict[str, AState] = {}  # scene -> box of arrivals by a move that ended the game
        self.endings: dict[str, AState] = {}  # ending -> box of the states in which it may be reached
        self.batched = self._batched()
        self.limits: tuple[tuple[float, float], ...] | None = None  # each stat's range in such states
        self._run()
        if cleared is not None and self.states:
            # How far each stat can move in these states, counted (continuity_counts): a loop the
            # boxes cannot tell is taken once no longer widens a stat to its whole range.
            limits = stat_ranges(story, self, cleared)
            if any(limit != whole for limit, whole in zip(limits, _ranges(story), strict=True)):
                self.limits = limits
                self.states, self.ended, self.endings = {}, {}, {}
                self._run()

    def _batched(self) -> dict[str, tuple[list[Node], list]]:
        """Question -> (what its right answer's effects need held, the right answers' transfers of
        its batch), for a batch confirmed only with every member right: then every member was open
        when its answer was pinned, and the clues and visits its `opens` needs are still held.
        (Not when a member can be closed another way, by an `answer:` effect: the batch then
        needs fewer.)"""
        story = self.story
        closed = {e.question for s in story.scenes.values() for c in (*s.choices, None)
                  for e in all_effects(c.effects if c is not None else s.on_enter) if isinstance(e, Answer)}
        closed.update(e.question for q in story.questions.values() for o in q.outcomes
                      for e in all_effects(o.effects) if isinstance(e, Answer))
        batches: dict[str, list] = {}
        for question in story.questions.values():
            if question.batch:
                batches.setdefault(question.batch, []).append(question)
        rights = {m.question.id: m.transfer for moves in self.analyzer.moves.values() for m in moves
                  if m.question is not None and m.outcome is not None and m.outcome.correct}
        result: dict[str, tuple[list[Node], list]] = {}
        for members in batches.values():
            if any(m.id in closed or m.id not in rights for m in members) or members[0].batch_size < len(members):
                continue
            needs = [ref for m in members if m.opens is not None for ref in _held(m.opens.tree)]
            for member in members:
                result[member.id] = (needs, [rights[m.id] for m in members])
        return result

    def _confirm(self, move, state: AState) -> AState | None:
        """A right answer to a question of such a batch: pinned (nothing changes), or the last one,
        confirming them all: every member's right effects at once, where every member's opens
        was met. (Stays in the scene: a batched answer goes nowhere.)"""
        needs, transfers = self.batched[move.question.id]
        box = self.available(move, state)
        for need in needs:
            box = self.analyzer.assume(need, box) if box is not None else None
        if box is None:
            return None
        for transfer in transfers:
            box = self.analyzer.transfer(transfer, box)
        return self.narrow(box._replace(turn=(0.0, INF)))

    def narrow(self, state: AState | None) -> AState | None:
        """The part of the box where the condition is false (None: no state)."""
        if state is None:
            return None
        narrowed = self.analyzer.assume(self.known.tree, state, positive=False)
        if narrowed is None or self.analyzer.is_empty(narrowed):
            return None
        if self.limits is not None:
            stats = tuple((max(low, limit[0]), min(high, limit[1]))
                          for (low, high), limit in zip(narrowed.stats, self.limits, strict=True))
            if any(low > high for low, high in stats):
                return None
            narrowed = narrowed._replace(stats=stats)
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
        ranges = _ranges(story)
        grown: dict[tuple[str, int], int] = {}  # (scene, 2 * stat + side) -> how often that bound grew
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
                if move.question is not None and move.outcome.correct and move.question.id in self.batched:
                    confirmed = self._confirm(move, state)
                    if confirmed is not None and self._join(self.states, sid, confirmed) and sid not in queued:
                        queued.add(sid)
                        work.append(sid)
                    continue
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
                    old = self.states.get(dest)
                    if self._join(self.states, dest, arrived):
                        if old is not None:
                            self._widen(dest, old, grown, ranges)
                        if dest not in queued:
                            queued.add(dest)
                            work.append(dest)

    def _widen(self, dest: str, old: AState, grown: dict[tuple[str, int], int],
               ranges: tuple[tuple[float, float], ...]) -> None:
        """Widening, bound by bound: a stat's low (high) end that has grown more than WIDEN
        times at this scene jumps to the stat's minimum (maximum). Stats are bounded, so the
        fixpoint ends without it; it only keeps a long range from taking a round per point.
        Per bound, not per box: a hub entered from everywhere grows its box often, but a stat
        that moves a little (e.g. only up to 4 before some scene is visited) keeps its bound,
        which is what a proof over the states before learning leans on."""
        new = self.states[dest]
        if new.stats == old.stats:
            return
        stats = list(new.stats)
        for index, (before, after) in enumerate(zip(old.stats, new.stats, strict=True)):
            for side in (0, 1):
                if after[side] != before[side]:
                    count = grown[(dest, 2 * index + side)] = grown.get((dest, 2 * index + side), 0) + 1
                    if count > WIDEN:
                        low, high = stats[index]
                        stats[index] = (ranges[index][0], high) if side == 0 else (low, ranges[index][1])
        self.states[dest] = new._replace(stats=tuple(stats))

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


def _ranges(story: Story) -> tuple[tuple[float, float], ...]:
    return tuple((float(s.min), float(s.max)) for s in story.stats.values())


def _held(node: Node) -> list[Node]:
    """The clue and visit tests a condition needs (joined by `and`): once true, they stay."""
    if isinstance(node, BoolOp) and node.op == "and":
        return [ref for operand in node.operands for ref in _held(operand)]
    return [node] if isinstance(node, Ref) and node.kind in ("clue", "visited") else []
