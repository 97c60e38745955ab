"""The bound pass: one box holding every reachable state of every scene (flow-insensitive).

The fixpoint (game.tools.abstract) widens to it; the escape proof reads it.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from ..conditions import Condition
from ..story import Question
from .boxes import AState
from .boxmoves import _NOTHING

if TYPE_CHECKING:
    from .boxmoves import Move, Moves


def _watched(condition: Condition | None) -> set[tuple[str, str]]:
    """The facts a condition reads, named as the bound pass names what grows (a question's
    solved./concluded. are flags)."""
    if condition is None:
        return set()
    return {(("flag", f"{k}.{n}") if k in ("solved", "concluded") else (k, n)) for k, n in condition.refs}


def bound(analyzer: Moves) -> AState:
    """One box holding every reachable state of every scene (a flow-insensitive pass).

    Starting from the start scene, every move that may be taken with what may
    be held anywhere so far is taken, adding what it gives, until nothing
    more can be taken; stats span their whole range. A clue only a locked
    deduction or an unreachable scene gives is not in it, so widening to this
    bound (unlike widening to "everything the story mentions") never makes
    the impossible look possible. Each move is tried again only when a fact
    its condition reads may newly hold, so the pass is linear in the story.
    """
    story = analyzer.story
    top = analyzer.top
    start = analyzer.enter(story.start, analyzer.initial())
    state = AState(start.clues, top.no_clues, start.flags, top.no_flags, start.visited, top.unvisited,
                   0, top.untaken, top.stats, top.turn)
    watchers: dict[tuple[str, str], list[Move]] = {}
    question_reads: dict[str, set[tuple[str, str]]] = {}
    for moves in analyzer.moves.values():
        for move in moves:
            reads = set()
            if move.choice is not None:  # its condition and its branches' (a branch may open later)
                for condition in (move.choice.condition, *(b.condition for b in move.choice.branches)):
                    reads.update(_watched(condition))
            if move.deduction is not None:
                reads.update(("clue", n) for n in move.deduction.needs)
            if move.question is not None:  # what opens it and what can be put in it (may_answer)
                q = move.question
                if q.id not in question_reads:
                    question_reads[q.id] = _question_reads(analyzer, q)
                reads = question_reads[q.id]
            for ref in reads:
                watchers.setdefault(ref, []).append(move)
    clue_names = {b: ("clue", n) for n, b in analyzer.clue_bit.items()}
    flag_names = {b: ("flag", n) for n, b in analyzer.flag_bit.items()}
    visit_names = {b: ("visited", n) for n, b in analyzer.visit_bit.items()}
    reached: set[str] = set()
    queued: set[int] = set()
    queue: deque[Move] = deque()
    # A case board's deductions and answers read many clues, so every clue found would take
    # them again; taken after the choices (the bound is the same in any order: every move
    # only adds), each is taken about once, with most of what it reads already in.
    later: deque[Move] = deque()

    def push(moves) -> None:
        for move in moves:
            if id(move) not in queued and move.scene in reached:
                queued.add(id(move))
                (queue if move.choice is not None else later).append(move)

    def reach(sid: str) -> None:
        if sid not in reached:
            reached.add(sid)
            if not analyzer._ends_on_entry[sid]:
                push(analyzer.moves[sid])

    reach(story.start)
    # A move is taken again whenever something it reads may newly hold: a branch
    # closed before may open, a question may take a new answer.
    # What a move adds to the bound does not depend on the box it is taken from (its gains
    # are fixed; both sides of an `if` are joined), only on which branches it may take; so
    # a move whose branches cannot change is taken once, not again at every growth.
    settled: set[int] = set()
    while queue or later:
        move = queue.popleft() if queue else later.popleft()
        queued.discard(id(move))
        if id(move) in settled:
            continue
        pre = analyzer.available(move, state)
        if pre is None:
            continue
        before = state
        if move.ends:
            continue
        if _fixed_branches(move):
            settled.add(id(move))
        plain = move.transfer is _NOTHING and not move.once  # it adds only what entering its target adds
        for target, taken in analyzer.branch_boxes(move, pre):
            if plain and target in reached:
                continue  # entering a scene adds the same whatever box it is entered from: added already
            after = analyzer.after(move, taken, target)
            state = AState(state.clues | after.clues, state.no_clues, state.flags | after.flags,
                           state.no_flags, state.visited | after.visited, state.unvisited,
                           state.taken | after.taken, state.untaken, state.stats, state.turn)
            if target is not None:
                reach(target)
        for grown, table in ((state.clues & ~before.clues, clue_names),
                             (state.flags & ~before.flags, flag_names),
                             (state.visited & ~before.visited, visit_names)):
            while grown:
                bit = grown & -grown
                grown ^= bit
                push(watchers.get(table[bit], ()))
    return state


def _fixed_branches(move: Move) -> bool:
    """Whether the move always goes the same way (a question's outcome, a deduction, a
    choice with one branch or no conditions on its branches)."""
    return move.choice is None or all(branch.condition is None for branch in move.choice.branches)


def _question_reads(analyzer: Moves, question: Question) -> set[tuple[str, str]]:
    """Everything may_answer reads for this question: whether it is concluded, what
    opens it, and what decides which candidates its slots may hold."""
    reads = {("flag", f"concluded.{question.id}")} | _watched(question.opens)
    entities = analyzer.story.entities
    for slot in question.slots:
        if slot.pool == "clues":
            reads.update(("clue", c) for c in (slot.among or analyzer.story.clues))
        elif slot.pool != "options":
            members = slot.among or [e.id for e in entities.values() if e.kind == slot.pool]
            for member in members:
                reads.update(_watched(entities[member].known))
    return reads
