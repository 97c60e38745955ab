"""The story's facts as bits of a box, and conditions evaluated on boxes (three-valued).

`Domain` numbers the story's clues, flags (and how questions were closed),
the scenes some condition reads as visited, the once-only choices and the
stats; `truth` says what a condition may be in a box, `assume` narrows a box
to where a condition holds. A reference kind this module does not know reads
as "anything".
"""

from __future__ import annotations

from collections.abc import Callable

from ..conditions import BoolOp, Compare, Condition, Lit, Node, Not, Ref
from ..story import RIGHT, Story
from . import model
from .boxes import _FLIPPED, _INTERVAL_COMPARE, _NEGATED, _NOT, BOTH, FALSE, INF, TRUE, AState, _all


class Domain:
    """The bit tables of one story, and conditions on its boxes."""

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
        self._ranges = [(float(s.min), float(s.max)) for s in story.stats.values()]
        self.top = self._top()

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
