"""Sets of states as binary decision diagrams, for game.tools.escape.

One BDD variable per clue, flag, visited scene (those conditions read) and
once-only choice; a stat is a few variables holding its value in binary (its
offset from the minimum); the turn, when a condition reads it, is held the
same way up to a cap above every number it is compared with. A condition
becomes the set of states where it holds; a move's guard, the set where it
is available and takes a given branch; a box of game.tools.abstract, the
set of states it holds. `pull` gives the states from which a move lands in
a given set (the pre-image), with the effects undone in reverse order.

We use the `dd` package (CUDD underneath when its compiled module is there,
its own pure-Python BDDs otherwise): a well-kept implementation of a data
structure whose details are easy to get subtly wrong. It is in the `analysis`
extra; without it, `available()` is False and the proofs that need it are
not attempted (check then says "unknown" where only they could decide).
"""

from __future__ import annotations

import operator
from typing import Any

from ..conditions import BoolOp, Compare, Lit, Node, Not, Ref
from ..story import ChangeStat, Effect, EndGame, GainClue, SetFlag
from .abstract import INF, Analyzer, AState, Move

try:  # the compiled CUDD module when the wheel has it, else dd's own BDDs (same interface)
    from dd import cudd as _dd
except ImportError:  # pragma: no cover - depends on the platform's wheel
    try:
        from dd import autoref as _dd  # type: ignore[no-redef]
    except ImportError:
        _dd = None  # type: ignore[assignment]

_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
            ">": operator.gt, ">=": operator.ge}


def available() -> bool:
    return _dd is not None


class Encoding:
    """The story's state as BDD variables, and its conditions and moves as BDDs."""

    def __init__(self, analyzer: Analyzer, turn_cap: int | None, max_memory: int | None = None):
        assert _dd is not None
        self.analyzer = analyzer
        story = analyzer.story
        bdd = self.bdd = _dd.BDD()
        settings: dict[str, Any] = {"reordering": False}
        if max_memory and hasattr(bdd, "statistics"):
            settings["max_memory"] = max_memory
        try:
            bdd.configure(**settings)
        except (TypeError, ValueError, KeyError):  # pure-Python BDDs take fewer settings
            bdd.configure(reordering=False)
        self.true, self.false = bdd.true, bdd.false
        self.clue: dict[str, str] = {}
        self.flag: dict[str, str] = {}
        self.visit: dict[str, str] = {}
        self.once: dict[int, str] = {}
        # The order of the variables decides the size of every BDD. Facts that come
        # about together sit together: scene by scene in the order play reaches
        # them, a scene's visit, then its once-only choices, then what it gives.
        order = sorted(story.scenes, key=analyzer._reverse_postorder().__getitem__)
        for sid in order:
            scene = story.scenes[sid]
            self.visit[sid] = self._declare(f"v{len(self.visit)}")  # every scene: see invariant()
            for choice in scene.choices:
                bit = analyzer.once_bit.get((sid, choice.id))
                if bit is not None:
                    self.once[bit] = self._declare(f"t{len(self.once)}")
            for effect in (*scene.on_enter, *(e for c in scene.choices for e in c.effects)):
                if isinstance(effect, GainClue) and effect.clue not in self.clue:
                    self.clue[effect.clue] = self._declare(f"c{len(self.clue)}")
                elif isinstance(effect, SetFlag) and effect.flag not in self.flag:
                    self.flag[effect.flag] = self._declare(f"f{len(self.flag)}")
            if scene.case_board:
                for deduction in story.deductions.values():
                    if deduction.gives not in self.clue:
                        self.clue[deduction.gives] = self._declare(f"c{len(self.clue)}")
        for clue in story.clues:
            if clue not in self.clue:
                self.clue[clue] = self._declare(f"c{len(self.clue)}")
        for flag in story.flags:
            if flag not in self.flag:
                self.flag[flag] = self._declare(f"f{len(self.flag)}")
        for sid in analyzer.visit_bit:
            if sid not in self.visit:
                self.visit[sid] = self._declare(f"v{len(self.visit)}")
        self.stat_bits: dict[str, list[str]] = {}
        self.stat_primed: dict[str, list[str]] = {}
        self.ranges: dict[str, tuple[int, int]] = {}
        for i, stat in enumerate(story.stats.values()):
            self._number(stat.id, f"s{i}", stat.min, stat.max)
        self.turn_cap = turn_cap
        if turn_cap is not None:
            self._number("", "turn", 0, turn_cap)
        self._eq: dict[tuple[str, int, bool], Any] = {}
        self._rel: dict[tuple[str, int, bool], Any] = {}
        self._conditions: dict[int, Any] = {}
        # Binary numbers have codes past the stat's maximum: no state holds those.
        self.domain = self.true
        for key in self.ranges:
            low, high = self.ranges[key]
            if (high - low + 1) & (high - low):  # not a power of two: some codes are unused
                self.domain = self.domain & self.between(key, low, high)

    def _declare(self, name: str) -> str:
        self.bdd.declare(name)
        return name

    def _number(self, key: str, prefix: str, low: int, high: int) -> None:
        width = max(1, (high - low).bit_length())
        bits = [self._declare(f"{prefix}_{i}") for i in range(width)]
        primed = [self._declare(f"{prefix}_{i}p") for i in range(width)]
        self.stat_bits[key] = bits
        self.stat_primed[key] = primed
        self.ranges[key] = (low, high)

    # -- numbers ------------------------------------------------------------

    def equals(self, key: str, value: int, primed: bool = False) -> Any:
        """The states where stat `key` ('' for the turn) has this value."""
        cache = (key, value, primed)
        found = self._eq.get(cache)
        if found is None:
            low, _ = self.ranges[key]
            bits = self.stat_primed[key] if primed else self.stat_bits[key]
            offset = value - low
            found = self.true
            for i, name in enumerate(bits):
                var = self.bdd.var(name)
                found = found & (var if (offset >> (len(bits) - 1 - i)) & 1 else ~var)
            self._eq[cache] = found
        return found

    def values(self, key: str) -> range:
        low, high = self.ranges[key]
        return range(low, high + 1)

    def between(self, key: str, low: float, high: float) -> Any:
        result = self.false
        for value in self.values(key):
            if low <= value <= high:
                result = result | self.equals(key, value)
        return result

    def _relation(self, key: str, amount: int, relative: bool) -> Any:
        """Pairs (value, value after the change): clamped like the engine, or set outright."""
        cache = (key, amount, relative)
        found = self._rel.get(cache)
        if found is None:
            low, high = self.ranges[key]
            found = self.false
            for value in self.values(key):
                after = max(low, min(high, value + amount)) if relative else amount
                found = found | (self.equals(key, value) & self.equals(key, after, primed=True))
            self._rel[cache] = found
        return found

    def undo_change(self, key: str, amount: int, relative: bool, states: Any) -> Any:
        """The states from which the change lands in `states`."""
        bits, primed = self.stat_bits[key], self.stat_primed[key]
        renamed = self.bdd.let(dict(zip(bits, primed, strict=True)), states)
        return self.bdd.exist(primed, renamed & self._relation(key, amount, relative))

    # -- conditions, guards and boxes ----------------------------------------

    def condition(self, condition: Any) -> Any:
        if condition is None:
            return self.true
        found = self._conditions.get(id(condition.tree))
        if found is None:
            found = self._conditions[id(condition.tree)] = self._node(condition.tree)
        return found

    def _node(self, node: Node) -> Any:
        if isinstance(node, Lit):
            return self.true if node.value else self.false
        if isinstance(node, Ref):
            table = {"clue": self.clue, "flag": self.flag, "visited": self.visit}.get(node.kind)
            if table is None:
                raise ValueError(f"no set of states for a reference to '{node.kind}'")
            return self.bdd.var(table[node.name])
        if isinstance(node, Not):
            return ~self._node(node.operand)
        if isinstance(node, BoolOp):
            parts = [self._node(op) for op in node.operands]
            result = parts[0]
            for part in parts[1:]:
                result = (result & part) if node.op == "and" else (result | part)
            return result
        assert isinstance(node, Compare)
        if node.left.type != "number":
            a, b = self._node(node.left), self._node(node.right)
            same = (a & b) | (~a & ~b)
            return same if node.op == "==" else ~same
        compare = _COMPARE[node.op]
        result = self.false
        for a, in_a in self._numbers(node.left):
            for b, in_b in self._numbers(node.right):
                if compare(a, b):
                    result = result | (in_a & in_b)
        return result

    def _numbers(self, node: Node) -> list[tuple[int, Any]]:
        if isinstance(node, Lit):
            return [(int(node.value), self.true)]
        assert isinstance(node, Ref)
        key = node.name if node.kind == "stat" else "" if node.kind == "turn" else None
        if key is None or key not in self.ranges:
            raise ValueError(f"no set of states for a reference to '{node.kind}'")
        return [(value, self.equals(key, value)) for value in self.values(key)]

    def guard(self, move: Move) -> Any:
        """Where the move is available."""
        analyzer = self.analyzer
        if move.deduction is not None:
            result = ~self.bdd.var(self.clue[move.deduction.gives])
            for clue in move.deduction.needs:
                result = result & self.bdd.var(self.clue[clue])
            return result
        assert move.choice is not None
        result = self.condition(move.choice.condition)
        if move.once:
            result = result & ~self.bdd.var(self.once[move.once])
        stats = list(analyzer.story.stats)
        for index, amount, low_edge, high_edge in move.blocks:
            result = result & self.between(stats[index], low_edge - amount, high_edge - amount)
        return result

    def branch(self, move: Move, index: int) -> Any:
        """Where the move, when taken, takes its branch `index` (the first that holds wins)."""
        if move.choice is None:
            return self.true
        result = self.true
        for number, branch in enumerate(move.choice.branches):
            holds = self.condition(branch.condition)
            if number == index:
                return result & holds
            result = result & ~holds
        return self.false

    def box(self, box: AState, scene: str | None = None) -> Any:
        """The states a box of the may-analysis holds (at scene: which has then been visited)."""
        analyzer = self.analyzer
        result = self.domain
        bdd = self.bdd
        for table, bits, yes, no in ((self.clue, analyzer.clue_bit, box.clues, box.no_clues),
                                     (self.flag, analyzer.flag_bit, box.flags, box.no_flags),
                                     (self.visit, analyzer.visit_bit, box.visited, box.unvisited)):
            for name, bit in bits.items():
                if not yes & bit:
                    result = result & ~bdd.var(table[name])
                elif not no & bit:
                    result = result & bdd.var(table[name])
        if scene is not None:
            result = result & bdd.var(self.visit[scene])
        for bit, name in self.once.items():
            if not box.taken & bit:
                result = result & ~bdd.var(name)
            elif not box.untaken & bit:
                result = result & bdd.var(name)
        for stat, index in analyzer.stat_index.items():
            low, high = box.stats[index]
            if (low, high) != self.ranges[stat]:
                result = result & self.between(stat, low, high)
        if self.turn_cap is not None and box.turn != (0.0, INF):
            low, high = box.turn
            result = result & self.between("", low, min(high, self.turn_cap))
        return result

    # -- undoing a move ------------------------------------------------------

    def pull(self, move: Move, target: str | None, states: Any) -> Any:
        """The states (before the move) from which taking it into target lands in `states`.

        The engine's order, undone: the once-only mark, the target's on_enter and
        its visit, the move's effects, the turn."""
        bdd = self.bdd
        if move.once:
            states = bdd.let({self.once[move.once]: True}, states)
        if target is not None:
            states = self.undo(self.analyzer.story.scenes[target].on_enter, states)
            name = self.visit.get(target)
            if name is not None:
                states = bdd.let({name: True}, states)
        if move.deduction is not None:
            states = bdd.let({self.clue[move.deduction.gives]: True}, states)
        else:
            states = self.undo(move.effects, states)
        if self.turn_cap is not None:
            states = self.undo_change("", 1, True, states)
        return states

    def push(self, move: Move, target: str | None, states: Any) -> Any:
        """The states right after taking the move into target from `states` (the image),
        in the engine's order: the turn, the effects, entering the target, the once-only mark."""
        if self.turn_cap is not None:
            states = self.do_change("", 1, True, states)
        if move.deduction is not None:
            states = self._set(self.clue[move.deduction.gives], True, states)
        else:
            states = self.do(move.effects, states)
        if target is not None:
            states = self._set(self.visit[target], True, states)
            states = self.do(self.analyzer.story.scenes[target].on_enter, states)
        if move.once:
            states = self._set(self.once[move.once], True, states)
        return states

    def _set(self, name: str, value: bool, states: Any) -> Any:
        var = self.bdd.var(name)
        return self.bdd.exist([name], states) & (var if value else ~var)

    def do_change(self, key: str, amount: int, relative: bool, states: Any) -> Any:
        bits, primed = self.stat_bits[key], self.stat_primed[key]
        moved = self.bdd.exist(bits, states & self._relation(key, amount, relative))
        return self.bdd.let(dict(zip(primed, bits, strict=True)), moved)

    def do(self, effects: tuple[Effect, ...], states: Any) -> Any:
        for effect in effects:
            if isinstance(effect, GainClue):
                states = self._set(self.clue[effect.clue], True, states)
            elif isinstance(effect, SetFlag):
                states = self._set(self.flag[effect.flag], effect.value, states)
            elif isinstance(effect, ChangeStat):
                states = self.do_change(effect.stat, effect.amount, effect.relative, states)
            elif not isinstance(effect, EndGame):
                raise ValueError(f"no image for the effect {type(effect).__name__}")
        return states

    def undo(self, effects: tuple[Effect, ...], states: Any) -> Any:
        bdd = self.bdd
        for effect in reversed(effects):
            if isinstance(effect, GainClue):
                states = bdd.let({self.clue[effect.clue]: True}, states)
            elif isinstance(effect, SetFlag):
                states = bdd.let({self.flag[effect.flag]: effect.value}, states)
            elif isinstance(effect, ChangeStat):
                states = self.undo_change(effect.stat, effect.amount, effect.relative, states)
            elif isinstance(effect, EndGame):
                continue  # the game ends: the caller treats such moves as ways out
            else:
                raise ValueError(f"no pre-image for the effect {type(effect).__name__}")
        return states

    def invariant(self) -> list[Any]:
        """Implications every reachable state satisfies, from how facts can come about.

        Each fact here only ever goes from false to true, and only in known ways:
        a once-only choice is taken in its scene (so that scene was visited) and
        enters one of its targets; a clue is found in the scenes that give it or
        by the deduction that gives it; a scene is entered from a scene leading
        to it. So "this fact holds" implies "one of the ways to it happened",
        when the way is something we hold a variable for. The may-analysis keeps
        no such relations (its boxes are one fact at a time), and without them
        a proof about a box would have to cover states no player can reach.
        They are kept apart (one small BDD each): their conjunction, under any
        fixed variable order, can be huge, while a set of states cut down by
        them one at a time stays small.
        """
        analyzer = self.analyzer
        story = analyzer.story
        bdd = self.bdd
        visit = self.visit
        result: list[Any] = []

        def visited_any(scenes: set[str]) -> Any:
            if not scenes or any(s not in visit for s in scenes):
                return None
            found = self.false
            for scene in scenes:
                found = found | bdd.var(visit[scene])
            return found

        givers: dict[str, list[Any]] = {}
        into: dict[str, list[Any]] = {}
        for scene in story.scenes.values():
            here = bdd.var(visit[scene.id])
            for effect in scene.on_enter:
                if isinstance(effect, GainClue):
                    givers.setdefault(effect.clue, []).append(here)
            for choice in scene.choices:
                needed = here & self._must(choice.condition)
                for branch in choice.branches:
                    if branch.target is not None:
                        into.setdefault(branch.target, []).append(needed & self._must(branch.condition))
                for effect in choice.effects:
                    if isinstance(effect, GainClue):
                        givers.setdefault(effect.clue, []).append(needed)
                bit = analyzer.once_bit.get((scene.id, choice.id))
                if bit is None:
                    continue
                taken = bdd.var(self.once[bit])
                result.append(~taken | needed)
                if all(b.target is not None for b in choice.branches):
                    there = visited_any({b.target for b in choice.branches})  # type: ignore[misc]
                    if there is not None:
                        result.append(~taken | there)
        boards = {s.id for s in story.scenes.values() if s.case_board}
        for deduction in story.deductions.values():
            held = visited_any(boards)
            for need in deduction.needs:
                held = None if held is None else held & bdd.var(self.clue[need])
            givers.setdefault(deduction.gives, []).append(held)
        for clue, ways in givers.items():
            if ways and all(w is not None for w in ways):
                either = self.false
                for way in ways:
                    either = either | way
                result.append(~bdd.var(self.clue[clue]) | either)
        for scene_id, var in visit.items():
            if scene_id == story.start:
                continue
            either = self.false
            for way in into.get(scene_id, ()):
                either = either | way
            result.append(~bdd.var(var) | either)
        return result

    def _must(self, condition: Any) -> Any:
        """Facts that never go back and that the condition needs to hold (its top-level
        'and' of plain clue and visited tests): they still hold after the move."""
        if condition is None:
            return self.true
        result = self.true
        nodes = [condition.tree]
        while nodes:
            node = nodes.pop()
            if isinstance(node, BoolOp) and node.op == "and":
                nodes.extend(node.operands)
            elif isinstance(node, Ref) and node.kind in ("clue", "visited"):
                result = result & self.bdd.var((self.clue if node.kind == "clue" else self.visit)[node.name])
        return result

    def restrict(self, states: Any, invariant: list[Any]) -> Any:
        """states without those that break an implication of the invariant."""
        for implication in invariant:
            if states == self.false:
                break
            states = states & implication
        return states

    def conjunction(self, sets: list[Any]) -> Any:
        result = self.true
        for part in sets:
            result = result & part
        return result

    def empty(self, states: Any) -> bool:
        return states == self.false

    def example(self, states: Any) -> dict[str, Any]:
        """One state of a non-empty set, in the story's words: {'clue.x': True, 'stat.y': 3, ...}."""
        picked = self.bdd.pick(states) or {}
        found: dict[str, Any] = {}
        for kind, table in (("clue", self.clue), ("flag", self.flag), ("visited", self.visit)):
            for name, var in table.items():
                if var in picked:
                    found[f"{kind}.{name}"] = picked[var]
        for key, bits in self.stat_bits.items():
            if all(b in picked for b in bits):
                offset = 0
                for b in bits:
                    offset = offset * 2 + int(picked[b])
                low, _ = self.ranges[key]
                found["turn" if key == "" else f"stat.{key}"] = low + offset
        once = {bit: key for key, bit in self.analyzer.once_bit.items()}
        for bit, var in self.once.items():
            if var in picked:
                scene, choice = once[bit]
                found[f"taken.{scene}.{choice}"] = picked[var]
        return found
