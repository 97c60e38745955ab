"""What can possibly happen in a story, computed without playing it.

An abstract interpretation over the scene graph: for every scene we keep an
over-approximation of the states a player can be in while there — which
clues may (and may not) be held, which flags may be set (and unset), which
scenes may have been visited, and an interval for each stat. A worklist
propagates these along every choice that *might* be enabled until nothing
grows. Facts only grow, so it ends; each scene is revisited only when
something it depends on grew, so the cost is near-linear in the story's size.

Because it over-approximates, its negative answers are certain: a scene it
never reaches cannot be reached, a choice whose condition it finds always
false can never be taken, and a scene from which its graph reaches no ending
is a certain soft-lock. Positive answers ("may be reached") are not promises;
the exhaustive search in game.tools.explore decides those.

Conditions are evaluated three-valued: a boolean condition yields a set of
possible values (TRUE, FALSE or both), a number yields an interval.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..conditions import BoolOp, Compare, Condition, Lit, Node, Not, Ref
from ..story import ChangeStat, Choice, Deduction, Effect, EndGame, GainClue, Scene, SetFlag, Story

TRUE, FALSE, BOTH = 1, 2, 3
INF = float("inf")

Interval = tuple[float, float]


@dataclass(frozen=True)
class AState:
    """What may hold while the player is in one scene (a join of many real states)."""

    clues: int  # bit set: clue may be held
    no_clues: int  # bit set: clue may be missing
    flags: int  # flag may be set
    no_flags: int  # flag may be clear
    visited: int  # scene (among those conditions read) may have been visited
    unvisited: int  # ... may not have been visited
    stats: tuple[Interval, ...]

    def join(self, other: AState) -> AState:
        return AState(
            self.clues | other.clues,
            self.no_clues | other.no_clues,
            self.flags | other.flags,
            self.no_flags | other.no_flags,
            self.visited | other.visited,
            self.unvisited | other.unvisited,
            tuple((min(a[0], b[0]), max(a[1], b[1])) for a, b in zip(self.stats, other.stats, strict=True)),
        )


@dataclass(frozen=True)
class Move:
    """One way to leave (or stay in) a scene: a choice, or a deduction at a case board."""

    scene: str
    choice: Choice | None
    deduction: Deduction | None
    effects: tuple[Effect, ...]
    ends: tuple[str, ...]  # endings its effects trigger

    @property
    def id(self) -> str:
        return self.choice.id if self.choice else f"deduce:{self.deduction.id}"  # type: ignore[union-attr]


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

    @property
    def reached(self) -> set[str]:
        return set(self.states)


class Analyzer:
    """Builds the abstract domain for one story and runs the fixpoint."""

    def __init__(self, story: Story):
        self.story = story
        self.clue_bit = {c: 1 << i for i, c in enumerate(story.clues)}
        self.flag_bit = {f: 1 << i for i, f in enumerate(story.flags)}
        self.stat_index = {s: i for i, s in enumerate(story.stats)}
        read_scenes = sorted({name for cond in self._conditions() for kind, name in cond.refs if kind == "visited"})
        self.visit_bit = {s: 1 << i for i, s in enumerate(read_scenes)}
        self._compiled: dict[int, Callable[[AState], int]] = {}
        self.moves: dict[str, list[Move]] = {sid: self._moves(scene) for sid, scene in story.scenes.items()}

    # -- building ---------------------------------------------------------

    def _conditions(self) -> list[Condition]:
        found = []
        for scene in self.story.scenes.values():
            for choice in scene.choices:
                if choice.condition is not None:
                    found.append(choice.condition)
                found.extend(b.condition for b in choice.branches if b.condition is not None)
        return found

    def _moves(self, scene: Scene) -> list[Move]:
        moves = [Move(scene.id, c, None, c.effects, _ends(c.effects)) for c in scene.choices]
        if scene.case_board:
            moves.extend(Move(scene.id, None, d, (GainClue(d.gives),), ()) for d in self.story.deductions.values())
        return moves

    def initial(self) -> AState:
        all_clues = (1 << len(self.clue_bit)) - 1
        all_flags = (1 << len(self.flag_bit)) - 1
        all_visits = (1 << len(self.visit_bit)) - 1
        stats = tuple((float(s.start), float(s.start)) for s in self.story.stats.values())
        return AState(0, all_clues, 0, all_flags, 0, all_visits, stats)

    # -- conditions, three-valued -----------------------------------------

    def truth(self, condition: Condition | None, state: AState) -> int:
        """TRUE, FALSE or BOTH: what the condition may be in this abstract state."""
        if condition is None:
            return TRUE
        fn = self._compiled.get(id(condition.tree))
        if fn is None:
            fn = self._compiled[id(condition.tree)] = self._compile(condition.tree)
        return fn(state)

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
                    return (TRUE if all(v & TRUE for v in values) else 0) | (
                        FALSE if any(v & FALSE for v in values) else 0)  # type: ignore[operator]
                return conj

            def disj(st: AState) -> int:
                values = [p(st) for p in parts]
                return (TRUE if any(v & TRUE for v in values) else 0) | (
                    FALSE if all(v & FALSE for v in values) else 0)  # type: ignore[operator]
            return disj
        assert isinstance(node, Compare)
        left, right = self._compile(node.left), self._compile(node.right)
        if node.left.type == "number":
            compare = _INTERVAL_COMPARE[node.op]
            return lambda st: compare(left(st), right(st))
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
        if node.kind == "stat":
            index = self.stat_index[name]
            return lambda st: st.stats[index]
        return lambda st: (0.0, INF)  # turn: any number of choices

    # -- effects ----------------------------------------------------------

    def block_window(self, move: Move, state: AState) -> AState | None:
        """The part of state in which the move's 'block' stats stay in range; None if none."""
        stats = list(state.stats)
        for effect in move.effects:
            if not isinstance(effect, ChangeStat) or not effect.relative:
                continue
            stat = self.story.stats[effect.stat]
            if stat.overflow != "block" or move.choice is None:
                continue
            index = self.stat_index[stat.id]
            low, high = stats[index]
            low, high = max(low, stat.min - effect.amount), min(high, stat.max - effect.amount)
            if low > high:
                return None
            stats[index] = (low, high)
        return AState(state.clues, state.no_clues, state.flags, state.no_flags, state.visited,
                      state.unvisited, tuple(stats))

    def apply(self, effects: tuple[Effect, ...], state: AState) -> AState:
        clues, no_clues, flags, no_flags = state.clues, state.no_clues, state.flags, state.no_flags
        stats = list(state.stats)
        for effect in effects:
            if isinstance(effect, GainClue):
                bit = self.clue_bit[effect.clue]
                clues |= bit
                no_clues &= ~bit
            elif isinstance(effect, SetFlag):
                bit = self.flag_bit[effect.flag]
                if effect.value:
                    flags |= bit
                    no_flags &= ~bit
                else:
                    no_flags |= bit
                    flags &= ~bit
            elif isinstance(effect, ChangeStat):
                stat = self.story.stats[effect.stat]
                index = self.stat_index[stat.id]
                if effect.relative:
                    low, high = stats[index]
                    stats[index] = (_clamp(low + effect.amount, stat.min, stat.max),
                                    _clamp(high + effect.amount, stat.min, stat.max))
                else:
                    stats[index] = (float(effect.amount), float(effect.amount))
        return AState(clues, no_clues, flags, no_flags, state.visited, state.unvisited, tuple(stats))

    def enter(self, scene_id: str, state: AState) -> AState:
        bit = self.visit_bit.get(scene_id, 0)
        if bit:
            state = AState(state.clues, state.no_clues, state.flags, state.no_flags, state.visited | bit,
                           state.unvisited & ~bit, state.stats)
        return self.apply(self.story.scenes[scene_id].on_enter, state)

    def ends_on_entry(self, scene_id: str) -> tuple[str, ...]:
        scene = self.story.scenes[scene_id]
        return ((scene.ending,) if scene.ending else ()) + _ends(scene.on_enter)

    def available(self, move: Move, state: AState) -> AState | None:
        """The part of state in which the move may be taken, or None if it never can be."""
        if move.deduction is not None:
            d = move.deduction
            if not all(state.clues & self.clue_bit[n] for n in d.needs) or not state.no_clues & self.clue_bit[d.gives]:
                return None
            return state
        assert move.choice is not None
        if not self.truth(move.choice.condition, state) & TRUE:
            return None
        return self.block_window(move, state)

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
        if move.choice is None:
            return [None]
        return [move.choice.branches[i].target for i in self.branch_indexes(move, state)]

    # -- the fixpoint -----------------------------------------------------

    def run(self) -> Possibilities:
        story = self.story
        result = Possibilities(story)
        states = result.states
        if story.start not in story.scenes:
            return result
        states[story.start] = self.enter(story.start, self.initial())
        queue = deque([story.start])
        queued = {story.start}
        while queue:
            sid = queue.popleft()
            queued.discard(sid)
            if self.ends_on_entry(sid):
                continue
            for move in self.moves[sid]:
                pre = self.available(move, states[sid])
                if pre is None:
                    continue
                post = self.apply(move.effects, pre)
                if move.ends:
                    continue
                for target in self.branches(move, pre):
                    dest = sid if target is None else target
                    arrived = post if target is None else self.enter(target, post)
                    old = states.get(dest)
                    new = arrived if old is None else old.join(arrived)
                    if new != old:
                        states[dest] = new
                        if dest not in queued:
                            queued.add(dest)
                            queue.append(dest)
        self._summarise(result)
        return result

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
            enabled = result.enabled.setdefault(sid, [])
            for move in self.moves[sid]:
                pre = self.available(move, state)
                if pre is None:
                    continue
                enabled.append(move)
                targets = [t for t in self.branches(move, pre) if t is not None]
                result.targets[(sid, move.id)] = targets
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


def _ends(effects: tuple[Effect, ...]) -> tuple[str, ...]:
    return tuple(e.ending for e in effects if isinstance(e, EndGame))


def _clamp(value: float, low: int, high: int) -> float:
    return float(max(low, min(high, value)))


_NOT = {TRUE: FALSE, FALSE: TRUE, BOTH: BOTH, 0: 0}


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
