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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from ..conditions import BoolOp, Compare, Condition, Lit, Node, Not, Ref
from ..questions import _search
from ..story import (
    RIGHT,
    Answer,
    Chance,
    ChangeStat,
    Choice,
    Deduction,
    Effect,
    EndGame,
    GainClue,
    IfEffect,
    Outcome,
    Question,
    Roll,
    Scene,
    SetFlag,
    Slot,
    Story,
    all_effects,
)
from . import model

TRUE, FALSE, BOTH = 1, 2, 3
WIDEN_STATS = 2  # a scene's stats may grow this many times before they jump to their bounds
WIDEN_FACTS = 8  # a scene's clues, flags and visits may grow this many times before they jump to the bound
INF = float("inf")

Interval = tuple[float, float]


class AState(NamedTuple):
    """What may hold while the player is in one scene (a box: a join of many real states).

    A NamedTuple rather than a frozen dataclass: the fixpoint builds hundreds
    of thousands of these on a large story, and tuples are much cheaper to make.
    """

    clues: int  # bit set: clue may be held
    no_clues: int  # bit set: clue may be missing
    flags: int  # flag may be set
    no_flags: int  # flag may be clear
    visited: int  # scene (among those conditions read) may have been visited
    unvisited: int  # ... may not have been visited
    taken: int  # once-only choice may have been taken
    untaken: int  # ... may not have been taken
    stats: tuple[Interval, ...]
    turn: Interval

    def join(self, other: AState) -> AState:
        stats = self.stats
        if stats != other.stats:
            stats = tuple((min(a[0], b[0]), max(a[1], b[1])) for a, b in zip(stats, other.stats, strict=True))
        turn = self.turn if self.turn == other.turn else (min(self.turn[0], other.turn[0]),
                                                          max(self.turn[1], other.turn[1]))
        return AState(
            self.clues | other.clues, self.no_clues | other.no_clues,
            self.flags | other.flags, self.no_flags | other.no_flags,
            self.visited | other.visited, self.unvisited | other.unvisited,
            self.taken | other.taken, self.untaken | other.untaken,
            stats, turn,
        )

    def within(self, other: AState) -> bool:
        """Every real state this box holds, other holds too."""
        return (not self.clues & ~other.clues and not self.no_clues & ~other.no_clues
                and not self.flags & ~other.flags and not self.no_flags & ~other.no_flags
                and not self.visited & ~other.visited and not self.unvisited & ~other.unvisited
                and not self.taken & ~other.taken and not self.untaken & ~other.untaken
                and other.turn[0] <= self.turn[0] and self.turn[1] <= other.turn[1]
                and all(o[0] <= s[0] and s[1] <= o[1] for s, o in zip(self.stats, other.stats, strict=True)))


@dataclass(frozen=True)
class Transfer:
    """A list of effects compiled to bit operations and stat changes."""

    gain: int = 0  # clues gained
    set_flags: int = 0
    clear_flags: int = 0
    # (stat index, amount, relative, min, max), in the effects' order
    stats: tuple[tuple[int, int, bool, int, int], ...] = ()
    unknown: bool = False  # an effect this module does not know: anything may change
    # Effects with an `if`, a `chance` or a `roll` (#15): run in order, each a flat
    # Transfer or a tuple of alternatives whose results are joined ("either
    # outcome"); the fields above then only sum up what may be given or set.
    steps: tuple[Transfer | tuple[Transfer, ...], ...] = ()


def _watched(condition: Condition | None) -> set[tuple[str, str]]:
    """The facts a condition reads, named as the bound pass names what grows (a question's
    solved./concluded. are flags)."""
    if condition is None:
        return set()
    return {(("flag", f"{k}.{n}") if k in ("solved", "concluded") else (k, n)) for k, n in condition.refs}


@dataclass(frozen=True)
class Move:
    """One way to leave (or stay in) a scene: a choice, a deduction at a case board, or
    answering a question one way (each outcome of a question is a move of its own)."""

    scene: str
    choice: Choice | None
    deduction: Deduction | None
    effects: tuple[Effect, ...]
    ends: tuple[str, ...]  # endings its effects trigger
    transfer: Transfer = Transfer()
    blocks: tuple[tuple[int, int, int, int], ...] = ()  # (stat index, amount, min, max) of 'block' changes
    once: int = 0  # the bit of a once-only choice (0: not once-only)
    may_end: tuple[str, ...] = ()  # endings an `if` or `chance` among its effects may trigger
    question: Question | None = None
    outcome: Outcome | None = None

    @property
    def id(self) -> str:
        if self.question is not None:
            return f"answer:{self.question.id}~{self.outcome.id}"  # type: ignore[union-attr]
        return self.choice.id if self.choice else f"deduce:{self.deduction.id}"  # type: ignore[union-attr]

    @property
    def pos(self):
        if self.choice is not None:
            return self.choice.pos
        if self.question is not None:
            return self.question.pos
        return self.deduction.pos  # type: ignore[union-attr]


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


class Analyzer:
    """Builds the abstract domain for one story and runs the fixpoint."""

    def __init__(self, story: Story):
        self.story = story
        self.gaps = model.gaps(story)
        self.clue_bit = {c: 1 << i for i, c in enumerate(story.clues)}
        # Flags, then how questions were closed, as flags of their own ("solved.q",
        # "concluded.q", "concluded.q.o": no flag id has a dot, so they cannot collide).
        closed = [name for q in story.questions.values()
                  for name in (f"solved.{q.id}", f"concluded.{q.id}", f"concluded.{q.id}.{RIGHT}",
                               *(f"concluded.{q.id}.{r.id}" for r in q.responses if r.conclude))]
        self.flag_bit = {f: 1 << i for i, f in enumerate([*story.flags, *closed])}
        self.stat_index = {s: i for i, s in enumerate(story.stats)}
        read_scenes = sorted({name for _, cond in model.all_conditions(story)
                              for kind, name in cond.refs if kind == "visited"})
        self.visit_bit = {s: 1 << i for i, s in enumerate(read_scenes)}
        once = [(s.id, c.id) for s in story.scenes.values() for c in s.choices if c.once]
        self.once_bit = {key: 1 << i for i, key in enumerate(once)}
        self._compiled: dict[int, Callable[[AState], object]] = {}
        boards = [s.id for s in story.scenes.values() if s.case_board]
        self.asked: dict[str, list[Question]] = {}
        for question in story.questions.values():
            for scene_id in question.at or boards:
                self.asked.setdefault(scene_id, []).append(question)
        self.moves: dict[str, list[Move]] = {sid: self._moves(scene) for sid, scene in story.scenes.items()}
        # scene -> (its visited bit, its on_enter effects compiled, or None)
        self._entry = {sid: (self.visit_bit.get(sid, 0), self.compile_effects(s.on_enter) if s.on_enter else None)
                       for sid, s in story.scenes.items()}
        self._ranges = [(float(s.min), float(s.max)) for s in story.stats.values()]
        self._ends_on_entry = {sid: ((s.ending,) if s.ending else ()) + _ends(s.on_enter)
                               for sid, s in story.scenes.items()}
        self._may_end_on_entry = {sid: _may_end(s.on_enter) for sid, s in story.scenes.items()}
        self.top = self._top()

    # -- building ---------------------------------------------------------

    def _moves(self, scene: Scene) -> list[Move]:
        moves = [Move(scene.id, c, None, c.effects, _ends(c.effects), self.compile_effects(c.effects),
                      self._blocks(c.effects), once=self.once_bit.get((scene.id, c.id), 0),
                      may_end=_may_end(c.effects)) for c in scene.choices]
        if scene.case_board:
            for d in self.story.deductions.values():
                effects = (GainClue(d.gives),)
                moves.append(Move(scene.id, None, d, effects, (), self.compile_effects(effects)))
        for question in self.asked.get(scene.id, ()):
            for outcome in question.outcomes:
                closes = outcome.correct or outcome.conclude
                effects = outcome.effects if closes or outcome is question.wrong else \
                    outcome.effects + question.wrong.effects
                transfer = self.compile_effects(effects)
                if closes:  # its answer is recorded: set the question's own flags
                    name = RIGHT if outcome.correct else outcome.id
                    bits = self.flag_bit[f"concluded.{question.id}"] | self.flag_bit[f"concluded.{question.id}.{name}"]
                    if outcome.correct:
                        bits |= self.flag_bit[f"solved.{question.id}"]
                    if transfer.steps:  # after the outcome's own effects, whichever way they went
                        transfer = replace(transfer, set_flags=transfer.set_flags | bits,
                                           steps=(*transfer.steps, Transfer(set_flags=bits)))
                    else:
                        transfer = replace(transfer, set_flags=transfer.set_flags | bits,
                                           clear_flags=transfer.clear_flags & ~bits)
                moves.append(Move(scene.id, None, None, effects, _ends(effects), transfer,
                                  may_end=_may_end(effects), question=question, outcome=outcome))
        return moves

    def compile_effects(self, effects: tuple[Effect, ...]) -> Transfer:
        if any(isinstance(e, (IfEffect, Chance, Roll)) for e in effects):
            return self._compile_steps(effects)
        gain = set_flags = clear_flags = 0
        stats = []
        unknown = False
        for effect in effects:
            if isinstance(effect, GainClue):
                gain |= self.clue_bit[effect.clue]
            elif isinstance(effect, SetFlag):
                bit = self.flag_bit[effect.flag]
                if effect.value:
                    set_flags, clear_flags = set_flags | bit, clear_flags & ~bit
                else:
                    clear_flags, set_flags = clear_flags | bit, set_flags & ~bit
            elif isinstance(effect, ChangeStat):
                stat = self.story.stats[effect.stat]
                stats.append((self.stat_index[stat.id], effect.amount, effect.relative, stat.min, stat.max))
            elif isinstance(effect, Answer):  # a question closed in dialogue
                question = self.story.questions[effect.question]
                bits = self.flag_bit[f"concluded.{question.id}"] | self.flag_bit[f"concluded.{question.id}.{effect.outcome}"]
                if effect.outcome == RIGHT:
                    bits |= self.flag_bit[f"solved.{question.id}"]
                set_flags, clear_flags = set_flags | bits, clear_flags & ~bits
                inner = self.compile_effects(question.outcome(effect.outcome).effects)  # type: ignore[union-attr]
                gain |= inner.gain
                set_flags, clear_flags = (set_flags | inner.set_flags) & ~inner.clear_flags, \
                    (clear_flags | inner.clear_flags) & ~inner.set_flags
                stats.extend(inner.stats)
                unknown = unknown or inner.unknown
            elif not isinstance(effect, EndGame):
                unknown = True
        return Transfer(gain, set_flags, clear_flags, tuple(stats), unknown)

    def _compile_steps(self, effects: tuple[Effect, ...]) -> Transfer:
        """Effects with branches: runs of plain effects, and alternatives joined (both
        sides of an `if`, whatever it reads; both outcomes of a chance; a roll's lowest
        and highest value, whose join is its whole range)."""
        steps: list[Transfer | tuple[Transfer, ...]] = []
        run: list[Effect] = []
        for effect in effects:
            if isinstance(effect, (IfEffect, Chance)):
                steps.append(self.compile_effects(tuple(run)))
                run = []
                steps.append((self.compile_effects(effect.then), self.compile_effects(effect.otherwise)))
            elif isinstance(effect, Roll):
                steps.append(self.compile_effects(tuple(run)))
                run = []
                steps.append(tuple(self.compile_effects((ChangeStat(effect.stat, value, relative=False),))
                                   for value in (effect.low, effect.high)))
            else:
                run.append(effect)
        steps.append(self.compile_effects(tuple(run)))
        gain = set_flags = 0  # everything that may be given or set, for the widening's top
        for effect in all_effects(effects):
            if isinstance(effect, GainClue):
                gain |= self.clue_bit[effect.clue]
            elif isinstance(effect, SetFlag) and effect.value:
                set_flags |= self.flag_bit[effect.flag]
        unknown = any(part.unknown for step in steps for part in (step if isinstance(step, tuple) else (step,)))
        return Transfer(gain, set_flags, 0, (), unknown, tuple(steps))

    def _blocks(self, effects: tuple[Effect, ...]) -> tuple[tuple[int, int, int, int], ...]:
        found = []
        for effect in effects:
            if isinstance(effect, ChangeStat) and effect.relative:
                stat = self.story.stats[effect.stat]
                if stat.overflow == "block":
                    found.append((self.stat_index[stat.id], effect.amount, stat.min, stat.max))
        return tuple(found)

    def initial(self) -> AState:
        stats = tuple((float(s.start), float(s.start)) for s in self.story.stats.values())
        return AState(0, _all(self.clue_bit), 0, _all(self.flag_bit), 0, _all(self.visit_bit),
                      0, _all(self.once_bit), stats, (0.0, 0.0))

    def _top(self) -> AState:
        """Anything at all: every fact may or may not hold, every stat anywhere in its range."""
        return AState(_all(self.clue_bit), _all(self.clue_bit), _all(self.flag_bit), _all(self.flag_bit),
                      _all(self.visit_bit), _all(self.visit_bit), _all(self.once_bit), _all(self.once_bit),
                      tuple(self._ranges), (0.0, INF))

    def is_empty(self, state: AState) -> bool:
        """No real state fits this box."""
        return bool((~state.clues & ~state.no_clues & _all(self.clue_bit))
                    or (~state.flags & ~state.no_flags & _all(self.flag_bit))
                    or (~state.visited & ~state.unvisited & _all(self.visit_bit))
                    or (~state.taken & ~state.untaken & _all(self.once_bit))
                    or state.turn[0] > state.turn[1]
                    or any(lo > hi for lo, hi in state.stats))

    # -- conditions, three-valued -----------------------------------------

    def truth(self, condition: Condition | None, state: AState) -> int:
        """TRUE, FALSE or BOTH: what the condition may be in this abstract state."""
        if condition is None:
            return TRUE
        fn = self._compiled.get(id(condition.tree))
        if fn is None:
            fn = self._compiled[id(condition.tree)] = self._compile(condition.tree)
        return fn(state)  # type: ignore[return-value]

    def _compile(self, node: Node) -> Callable[[AState], object]:
        if isinstance(node, Lit):
            if node.type == "number":
                value = (float(node.value), float(node.value))
                return lambda st: value
            const = TRUE if node.value else FALSE
            return lambda st: const
        if isinstance(node, Ref):
            return self._compile_ref(node)
        if isinstance(node, Not):
            inner = self._compile(node.operand)
            return lambda st: _NOT[inner(st)]  # type: ignore[index]
        if isinstance(node, BoolOp):
            parts = [self._compile(op) for op in node.operands]
            if node.op == "and":
                def conj(st: AState) -> int:
                    values = [p(st) for p in parts]
                    return (TRUE if all(v & TRUE for v in values) else 0) | (  # type: ignore[operator]
                        FALSE if any(v & FALSE for v in values) else 0)  # type: ignore[operator]
                return conj

            def disj(st: AState) -> int:
                values = [p(st) for p in parts]
                return (TRUE if any(v & TRUE for v in values) else 0) | (  # type: ignore[operator]
                    FALSE if all(v & FALSE for v in values) else 0)  # type: ignore[operator]
            return disj
        assert isinstance(node, Compare)
        left, right = self._compile(node.left), self._compile(node.right)
        if node.left.type == "number":
            compare = _INTERVAL_COMPARE[node.op]
            return lambda st: compare(left(st), right(st))  # type: ignore[arg-type]
        equal = node.op == "=="

        def bool_compare(st: AState) -> int:
            a, b = left(st), right(st)
            can_equal = bool(a & b)  # type: ignore[operator]
            can_differ = not (a == b and a in (TRUE, FALSE))
            same = (TRUE if can_equal else 0) | (FALSE if can_differ else 0)
            return same if equal else _NOT[same]
        return bool_compare

    def _compile_ref(self, node: Ref) -> Callable[[AState], object]:
        name = node.name
        if node.kind == "clue":
            bit = self.clue_bit[name]
            return lambda st: (TRUE if st.clues & bit else 0) | (FALSE if st.no_clues & bit else 0)
        if node.kind == "flag":
            bit = self.flag_bit[name]
            return lambda st: (TRUE if st.flags & bit else 0) | (FALSE if st.no_flags & bit else 0)
        if node.kind == "visited":
            bit = self.visit_bit[name]
            return lambda st: (TRUE if st.visited & bit else 0) | (FALSE if st.unvisited & bit else 0)
        if node.kind in ("solved", "concluded"):
            bit = self.flag_bit[f"{node.kind}.{name}"]
            return lambda st: (TRUE if st.flags & bit else 0) | (FALSE if st.no_flags & bit else 0)
        if node.kind == "stat":
            index = self.stat_index[name]
            return lambda st: st.stats[index]
        if node.kind == "turn":
            return lambda st: st.turn
        # A reference this module does not know: it may be anything.
        if node.type == "number":
            return lambda st: (-INF, INF)
        return lambda st: BOTH

    # -- effects ----------------------------------------------------------

    def block_window(self, move: Move, state: AState) -> AState | None:
        """The part of state in which the move's 'block' stats stay in range; None if none.

        Like the engine, each change is checked against the stat before the choice.
        """
        if not move.blocks or move.choice is None:
            return state
        stats = list(state.stats)
        for index, amount, low_edge, high_edge in move.blocks:
            low, high = stats[index]
            low, high = max(low, low_edge - amount), min(high, high_edge - amount)
            if low > high:
                return None
            stats[index] = (low, high)
        return state._replace(stats=tuple(stats))

    def blocks_hold(self, move: Move, state: AState) -> bool:
        """The move's 'block' stats stay in range from every state of the box."""
        for index, amount, low_edge, high_edge in move.blocks:
            low, high = state.stats[index]
            if low + amount < low_edge or high + amount > high_edge:
                return False
        return True

    def transfer(self, tr: Transfer, state: AState) -> AState:
        if tr.unknown:
            return self.top._replace(turn=state.turn)
        if tr.steps:
            for step in tr.steps:
                if isinstance(step, Transfer):
                    state = self.transfer(step, state)
                else:
                    results = [self.transfer(side, state) for side in step]
                    state = results[0]
                    for other in results[1:]:
                        state = state.join(other)
            return state
        clues, no_clues, flags, no_flags, visited, unvisited, taken, untaken, stats, turn = state
        if tr.gain:
            clues, no_clues = clues | tr.gain, no_clues & ~tr.gain
        if tr.set_flags or tr.clear_flags:
            flags = (flags | tr.set_flags) & ~tr.clear_flags
            no_flags = (no_flags | tr.clear_flags) & ~tr.set_flags
        if tr.stats:
            values = list(stats)
            for index, amount, relative, low_edge, high_edge in tr.stats:
                if relative:
                    low, high = values[index]
                    values[index] = (float(max(low_edge, min(high_edge, low + amount))),
                                     float(max(low_edge, min(high_edge, high + amount))))
                else:
                    values[index] = (float(amount), float(amount))
            stats = tuple(values)
        return AState(clues, no_clues, flags, no_flags, visited, unvisited, taken, untaken, stats, turn)

    def enter(self, scene_id: str, state: AState) -> AState:
        bit, on_enter = self._entry[scene_id]
        if bit:
            state = state._replace(visited=state.visited | bit, unvisited=state.unvisited & ~bit)
        return self.transfer(on_enter, state) if on_enter is not None else state

    @staticmethod
    def mark_taken(move: Move, state: AState) -> AState:
        bit = move.once
        return state._replace(taken=state.taken | bit, untaken=state.untaken & ~bit) if bit else state

    def ends_on_entry(self, scene_id: str) -> tuple[str, ...]:
        return self._ends_on_entry[scene_id]

    def available(self, move: Move, state: AState) -> AState | None:
        """The part of state in which the move may be taken, or None if it never can be."""
        if move.question is not None:
            return state if self.may_answer(move.question, move.outcome, state) else None  # type: ignore[arg-type]
        if move.deduction is not None:
            d = move.deduction
            if not all(state.clues & self.clue_bit[n] for n in d.needs) or not state.no_clues & self.clue_bit[d.gives]:
                return None
            return state
        assert move.choice is not None
        if move.once and not state.untaken & move.once:
            return None
        if move.choice.condition is not None:
            if not self.truth(move.choice.condition, state) & TRUE:
                return None
            state = self.assume(move.choice.condition.tree, state)  # type: ignore[assignment]
            if state is None:
                return None
        if move.once:
            state = state._replace(taken=state.taken & ~move.once)
        return self.block_window(move, state) if move.blocks else state

    def surely_available(self, move: Move, state: AState) -> int:
        """TRUE if the move is available in every state of the box, FALSE in none, BOTH otherwise."""
        if move.deduction is not None:
            d = move.deduction
            bits = [self.clue_bit[n] for n in d.needs]
            gives = self.clue_bit[d.gives]
            may = all(state.clues & b for b in bits) and state.no_clues & gives
            if not may:
                return FALSE
            sure = not any(state.no_clues & b for b in bits) and not state.clues & gives
            return TRUE if sure else BOTH
        assert move.choice is not None
        value = TRUE
        if move.once:
            if not state.untaken & move.once:
                return FALSE
            if state.taken & move.once:
                value = BOTH
        if move.choice.condition is not None:
            truth = self.truth(move.choice.condition, state)
            if not truth & TRUE:
                return FALSE
            if truth & FALSE:
                value = BOTH
        if move.blocks:
            if self.block_window(move, state) is None:
                return FALSE
            if not self.blocks_hold(move, state):
                value = BOTH
        return value

    def assume(self, node: Node, state: AState, positive: bool = True) -> AState | None:
        """The part of the box in which the condition is (positive) true; None if there is none.

        Exact for what a box can say (a clue held, a stat at most 3); a disjunction
        gives the join of its parts, and anything else leaves the box as it is."""
        if isinstance(node, Lit):
            return state if node.type != "number" and bool(node.value) == positive else \
                (state if node.type == "number" else None)
        if isinstance(node, Not):
            return self.assume(node.operand, state, not positive)
        if isinstance(node, Ref):
            table = {"clue": ("clues", "no_clues", self.clue_bit), "flag": ("flags", "no_flags", self.flag_bit),
                     "visited": ("visited", "unvisited", self.visit_bit)}.get(node.kind)
            if table is None or node.type == "number":
                return state
            yes, no, bits = table
            bit = bits[node.name]
            if positive:
                return state._replace(**{no: getattr(state, no) & ~bit}) if getattr(state, yes) & bit else None
            return state._replace(**{yes: getattr(state, yes) & ~bit}) if getattr(state, no) & bit else None
        if isinstance(node, BoolOp):
            if (node.op == "and") == positive:
                current: AState | None = state
                for operand in node.operands:
                    current = self.assume(operand, current, positive)
                    if current is None:
                        return None
                return current
            joined: AState | None = None
            for operand in node.operands:
                part = self.assume(operand, state, positive)
                if part is not None:
                    joined = part if joined is None else joined.join(part)
            return joined
        assert isinstance(node, Compare)
        if node.left.type != "number":
            return state
        op = node.op if positive else _NEGATED[node.op]
        left, right = node.left, node.right
        if isinstance(left, Lit) and isinstance(right, Ref):
            left, right, op = right, left, _FLIPPED[op]
        if not (isinstance(left, Ref) and isinstance(right, Lit)) or left.kind not in ("stat", "turn"):
            return state
        k = float(right.value)
        low, high = state.turn if left.kind == "turn" else state.stats[self.stat_index[left.name]]
        if op == "<":
            high = min(high, k - 1)
        elif op == "<=":
            high = min(high, k)
        elif op == ">":
            low = max(low, k + 1)
        elif op == ">=":
            low = max(low, k)
        elif op == "==":
            low, high = max(low, k), min(high, k)
        elif low == high == k:  # != k, and the box holds only k
            return None
        if low > high:
            return None
        if left.kind == "turn":
            return state._replace(turn=(low, high))
        stats = list(state.stats)
        stats[self.stat_index[left.name]] = (low, high)
        return state._replace(stats=tuple(stats))

    def branch_boxes(self, move: Move, pre: AState) -> list[tuple[str | None, AState]]:
        """Each branch the move may take from pre, with the part of pre in which it is taken."""
        if move.outcome is not None:
            return [(move.outcome.goto, pre)]
        if move.choice is None:
            return [(None, pre)]
        result: list[tuple[str | None, AState]] = []
        rest: AState | None = pre
        for branch in move.choice.branches:
            if rest is None:
                break
            if branch.condition is None:
                result.append((branch.target, rest))
                break
            taken = self.assume(branch.condition.tree, rest)
            if taken is not None:
                result.append((branch.target, taken))
            rest = self.assume(branch.condition.tree, rest, positive=False)
        return result

    def may_answer(self, question: Question, outcome: Outcome, state: AState) -> bool:
        """Whether the question may be open here and the player may hold an answer with
        this outcome (over-approximated: each slot on its own; locks are ignored)."""
        if not state.no_flags & self.flag_bit[f"concluded.{question.id}"]:
            return False
        if question.opens is not None and not self.truth(question.opens, state) & TRUE:
            return False
        if outcome.correct:
            constraint = dict(outcome.match)
            return all(self.may_hold(slot, constraint.get(slot.id), state) for slot in question.slots)
        # A wrong answer needs one that no earlier outcome answers first: search the values
        # each slot may hold (each judged on its own, so this may say yes too often, never no).
        pools = [self.holdable(slot, state) for slot in question.slots]
        earlier = list(question.accepted)
        if question.batch or outcome is question.wrong:
            earlier += [] if question.batch else list(question.responses)
            return _search(question.slots, pools, None, earlier) is not None
        earlier += list(question.responses[:question.responses.index(outcome)])
        return _search(question.slots, pools, outcome, earlier) is not None

    def holdable(self, slot: Slot, state: AState) -> list[str]:
        """The values the player may be able to put in the slot."""
        if slot.pool == "options":
            return [o for o, _ in slot.options]
        if slot.pool == "clues":
            bits = self.clue_bit
            return [c for c in (slot.among or self.story.clues) if state.clues & bits[c]]
        entities = self.story.entities
        members = slot.among or [e.id for e in entities.values() if e.kind == slot.pool]
        return [e for e in members if entities[e].known is None or self.truth(entities[e].known, state) & TRUE]

    def may_hold(self, slot: Slot, allowed: frozenset[str] | None, state: AState) -> bool:
        """Whether the player may be able to put one of `allowed` (anything, if None) in the slot."""
        if slot.pool == "options":
            return allowed is None or any(o in allowed for o, _ in slot.options)
        if slot.pool == "clues":
            values = slot.among or (allowed if allowed is not None else self.story.clues)
            return any(state.clues & self.clue_bit[c] for c in values if allowed is None or c in allowed)
        members = slot.among or [e.id for e in self.story.entities.values() if e.kind == slot.pool]
        entities = self.story.entities
        return any(entities[e].known is None or self.truth(entities[e].known, state) & TRUE
                   for e in members if allowed is None or e in allowed)

    def branch_indexes(self, move: Move, state: AState) -> list[int]:
        """The indexes of the branches the move may take (the first whose condition holds wins)."""
        assert move.choice is not None
        result: list[int] = []
        for index, branch in enumerate(move.choice.branches):
            value = self.truth(branch.condition, state)
            if value & TRUE:
                result.append(index)
            if not value & FALSE:  # this branch always wins when reached: later ones never run
                break
        return result

    def branches(self, move: Move, state: AState) -> list[str | None]:
        """The targets the move may lead to (None: stays in the scene)."""
        if move.outcome is not None:
            return [move.outcome.goto]
        if move.choice is None:
            return [None]
        branches = move.choice.branches
        if len(branches) == 1 and branches[0].condition is None:
            return [branches[0].target]
        return [branches[i].target for i in self.branch_indexes(move, state)]

    def after(self, move: Move, pre: AState, target: str | None) -> AState:
        """The box after taking the move from pre into target (None: stays).

        The turn is not followed from scene to scene (any number of moves may have
        been taken): a refinement by a condition on the turn holds only before the move."""
        post = self.transfer(move.transfer, pre)._replace(turn=(0.0, INF))
        if target is not None:
            post = self.enter(target, post)
        return self.mark_taken(move, post)

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
        """One box holding every reachable state of every scene (a flow-insensitive pass).

        Starting from the start scene, every move that may be taken with what may
        be held anywhere so far is taken, adding what it gives, until nothing
        more can be taken; stats span their whole range. A clue only a locked
        deduction or an unreachable scene gives is not in it, so widening to this
        bound (unlike widening to "everything the story mentions") never makes
        the impossible look possible. Each move is tried again only when a fact
        its condition reads may newly hold, so the pass is linear in the story.
        """
        story = self.story
        top = self.top
        start = self.enter(story.start, self.initial())
        state = AState(start.clues, top.no_clues, start.flags, top.no_flags, start.visited, top.unvisited,
                       0, top.untaken, top.stats, top.turn)
        watchers: dict[tuple[str, str], list[Move]] = {}
        question_reads: dict[str, set[tuple[str, str]]] = {}
        for moves in self.moves.values():
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
                        question_reads[q.id] = self._question_reads(q)
                    reads = question_reads[q.id]
                for ref in reads:
                    watchers.setdefault(ref, []).append(move)
        clue_names = {b: ("clue", n) for n, b in self.clue_bit.items()}
        flag_names = {b: ("flag", n) for n, b in self.flag_bit.items()}
        visit_names = {b: ("visited", n) for n, b in self.visit_bit.items()}
        reached: set[str] = set()
        queued: set[int] = set()
        queue: deque[Move] = deque()

        def push(moves) -> None:
            for move in moves:
                if id(move) not in queued and move.scene in reached:
                    queued.add(id(move))
                    queue.append(move)

        def reach(sid: str) -> None:
            if sid not in reached:
                reached.add(sid)
                if not self._ends_on_entry[sid]:
                    push(self.moves[sid])

        reach(story.start)
        # A move is taken again whenever something it reads may newly hold: a branch
        # closed before may open, a question may take a new answer.
        while queue:
            move = queue.popleft()
            queued.discard(id(move))
            if self.available(move, state) is None:
                continue
            before = state
            if move.ends:
                continue
            for target, taken in self.branch_boxes(move, self.available(move, state)):  # type: ignore[arg-type]
                after = self.after(move, taken, target)
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

    def _question_reads(self, question: Question) -> set[tuple[str, str]]:
        """Everything may_answer reads for this question: whether it is concluded, what
        opens it, and what decides which candidates its slots may hold."""
        reads = {("flag", f"concluded.{question.id}")} | _watched(question.opens)
        entities = self.story.entities
        for slot in question.slots:
            if slot.pool == "clues":
                reads.update(("clue", c) for c in (slot.among or self.story.clues))
            elif slot.pool != "options":
                members = slot.among or [e.id for e in entities.values() if e.kind == slot.pool]
                for member in members:
                    reads.update(_watched(entities[member].known))
        return reads

    def _everything(self, result: Possibilities) -> Possibilities:
        """A story with a gap: every scene may be reached in any state, every move may be taken."""
        top = self.top
        result.bound = top
        for sid in self.story.scenes:
            result.states[sid] = top
            if self._ends_on_entry[sid]:
                result.terminal.add(sid)
                result.endings.update(self._ends_on_entry[sid])
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

    def successors_graph(self) -> dict[str, list[str]]:
        return {sid: [t for m in moves if m.choice for t in m.choice.targets]
                + [m.outcome.goto for m in moves if m.outcome is not None and m.outcome.goto]
                for sid, moves in self.moves.items()}

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
                result.endings.update(ends)
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


def _all(bits: dict) -> int:
    return (1 << len(bits)) - 1


def _ends(effects: tuple[Effect, ...]) -> tuple[str, ...]:
    """The endings the effects always trigger (not those inside an `if` or a `chance`)."""
    return tuple(e.ending for e in effects if isinstance(e, EndGame))


def _may_end(effects: tuple[Effect, ...]) -> tuple[str, ...]:
    """The endings only an `if` or a `chance` among the effects triggers."""
    certain = set(_ends(effects))
    return tuple(e.ending for e in all_effects(effects) if isinstance(e, EndGame) and e.ending not in certain)


_NOT = {TRUE: FALSE, FALSE: TRUE, BOTH: BOTH, 0: 0}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _lt(a: Interval, b: Interval) -> int:
    return (TRUE if a[0] < b[1] else 0) | (FALSE if a[1] >= b[0] else 0)


def _le(a: Interval, b: Interval) -> int:
    return (TRUE if a[0] <= b[1] else 0) | (FALSE if a[1] > b[0] else 0)


def _eq(a: Interval, b: Interval) -> int:
    overlap = a[0] <= b[1] and b[0] <= a[1]
    single = a[0] == a[1] == b[0] == b[1]
    return (TRUE if overlap else 0) | (FALSE if not single else 0)


_INTERVAL_COMPARE: dict[str, Callable[[Interval, Interval], int]] = {
    "<": _lt,
    "<=": _le,
    ">": lambda a, b: _lt(b, a),
    ">=": lambda a, b: _le(b, a),
    "==": _eq,
    "!=": lambda a, b: _NOT[_eq(a, b)],
}


def possibilities(story: Story) -> Possibilities:
    return Analyzer(story).run()
