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
import time
from typing import Any

from ..conditions import BoolOp, Compare, Lit, Node, Not, Ref
from ..questions import RIGHT, question_conditions
from ..story import (
    Answer,
    Chance,
    ChangeStat,
    Effect,
    EndGame,
    GainClue,
    IfEffect,
    Outcome,
    Question,
    Roll,
    SetFlag,
    all_effects,
)
from . import model
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


def manager(max_memory: int | None, reordering: bool) -> Any:
    """A new BDD manager: at most max_memory bytes where the backend can bound it, its
    variables sifted as sets grow or kept in the order they are declared in."""
    assert _dd is not None
    bdd = _dd.BDD()
    settings: dict[str, Any] = {"reordering": reordering}
    if max_memory and hasattr(bdd, "statistics"):
        settings["max_memory"] = max_memory
    try:
        bdd.configure(**settings)
    except (TypeError, ValueError, KeyError):  # pure-Python BDDs take fewer settings
        bdd.configure(reordering=reordering)
    return bdd


def out_of_memory(error: ValueError) -> bool:
    """Whether dd raised this because CUDD could not allocate a node within its memory
    limit (it hands back a NULL node: "`DdNode *node` is `NULL` pointer")."""
    return "NULL" in str(error)


class Encoding:
    """The story's state as BDD variables, and its conditions and moves as BDDs."""

    def __init__(self, analyzer: Analyzer, turn_cap: int | None, max_memory: int | None = None,
                 also_stats: frozenset[str] = frozenset()):
        assert _dd is not None
        self.analyzer = analyzer
        story = analyzer.story
        bdd = self.bdd = manager(max_memory, reordering=False)
        self.true, self.false = bdd.true, bdd.false
        self.clue: dict[str, str] = {}
        self.flag: dict[str, str] = {}
        self.visit: dict[str, str] = {}
        self.once: dict[int, str] = {}
        # The order of the variables decides the size of every BDD. Facts that come
        # about together sit together: scene by scene in the order play reaches
        # them, a scene's visit, then its once-only choices, then what it gives.
        order = sorted(story.scenes, key=analyzer._reverse_postorder().__getitem__)
        # How a question was closed sits right after the last fact its `opens` reads: "some
        # question is open" (the case board's door) then stays small.
        closing: dict[str, list[str]] = {}
        for name in analyzer.flag_bit:
            parts = name.split(".")
            if parts[0] in ("concluded", "solved") and len(parts) > 1 and parts[1] in story.questions:
                closing.setdefault(parts[1], []).append(name)
        waiting = {q.id: {(k, n) for k, n in (q.opens.refs if q.opens is not None else ())
                          if k in ("clue", "visited", "flag")} for q in story.questions.values()}

        def place_questions() -> None:
            for qid, reads in list(waiting.items()):
                if all(n in {"clue": self.clue, "visited": self.visit, "flag": self.flag}[k] for k, n in reads):
                    del waiting[qid]
                    for flag in closing.get(qid, ()):
                        if flag not in self.flag:
                            self.flag[flag] = self._declare(f"f{len(self.flag)}")

        place_questions()
        for sid in order:
            scene = story.scenes[sid]
            self.visit[sid] = self._declare(f"v{len(self.visit)}")  # every scene: see invariants.invariant
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
            place_questions()
        for clue in story.clues:
            if clue not in self.clue:
                self.clue[clue] = self._declare(f"c{len(self.clue)}")
        for flag in story.flags:
            if flag not in self.flag:
                self.flag[flag] = self._declare(f"f{len(self.flag)}")
        # How questions were closed ("solved.q", "concluded.q", "concluded.q.o"): flags of
        # the may-analysis's boxes, so the boxes bound them like any flag.
        for flag in analyzer.flag_bit:
            if flag not in self.flag:
                self.flag[flag] = self._declare(f"f{len(self.flag)}")
        # Counts (visits.S, taken.S.C) are not held as numbers: each comparison that reads
        # one is an *atom*, a variable of its own that nothing bounds, forgotten (every
        # value allowed) wherever a move may change what it reads.
        self.atoms: dict[Node, str] = {}
        self.atom_reads: dict[str, frozenset[tuple[str, str]]] = {}
        for sid in analyzer.visit_bit:
            if sid not in self.visit:
                self.visit[sid] = self._declare(f"v{len(self.visit)}")
        self.stat_bits: dict[str, list[str]] = {}
        self.stat_primed: dict[str, list[str]] = {}
        self.ranges: dict[str, tuple[int, int]] = {}
        # Only the stats something the proof evaluates reads (a choice's or branch's
        # condition, an `if` among effects, a question's, a 'block' limit): a stat only
        # text reads changes nothing a move does, so it is left out, and so are its changes.
        read = _stats_read(story) | also_stats  # and those the caller asks for (text it judges)
        for i, stat in enumerate(story.stats.values()):
            if stat.id in read:
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
            if node.kind in ("solved", "concluded"):
                name = self.flag.get(f"{node.kind}.{node.name}")
                return self.bdd.var(name) if name is not None else self._atom(node)
            if node.kind in ("visits", "taken"):
                return self._atom(node)
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
        if any(kind in ("visits", "taken") for kind, _ in _refs(node)):
            return self._atom(node)
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

    def _atom(self, node: Node) -> Any:
        name = self.atoms.get(node)
        if name is None:
            name = self.atoms[node] = self._declare(f"a{len(self.atoms)}")
            self.atom_reads[name] = frozenset(_refs(node))
        return self.bdd.var(name)

    def forget(self, states: Any, *changed: tuple[str, str]) -> Any:
        """states, holding whatever the atoms that read a changed reference now say
        (the states in which every value of those atoms is in `states`)."""
        names = [name for name, reads in self.atom_reads.items() if any(c in reads for c in changed)]
        return self.bdd.forall(names, states) if names else states

    def _numbers(self, node: Node) -> list[tuple[int, Any]]:
        if isinstance(node, Lit):
            return [(int(node.value), self.true)]
        assert isinstance(node, Ref)
        key = node.name if node.kind == "stat" else "" if node.kind == "turn" else None
        if key is None or key not in self.ranges:
            raise ValueError(f"no set of states for a reference to '{node.kind}'")
        return [(value, self.equals(key, value)) for value in self.values(key)]

    def guard(self, move: Move) -> Any:
        """Where the move is available (an answer: where it surely is, see _answerable)."""
        analyzer = self.analyzer
        if move.question is not None:
            return self._answerable(move.question, move.outcome)
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

    def answerable_once_unlocked(self, question: Question, outcome: Outcome | None) -> Any:
        """Where the answer would surely be accepted but for a lock after wrong tries, which
        lifts by itself as turns pass (game.tools.attractor waits it out)."""
        return self._answerable(question, outcome, ignore_lock=True)

    def _answerable(self, question: Question, outcome: Outcome | None, ignore_lock: bool = False) -> Any:
        """Where the player can surely give an accepted answer (QuestionRules.why_not): the
        question not yet closed, its `opens` holding, and a value for each slot at hand.
        Anything else is claimed nowhere (under the truth, never over it): wrong answers
        and authored responses, and questions whose lock (wrong tries, turns left) or batch
        (answers pinned) the states do not hold."""
        closed = self.flag.get(f"concluded.{question.id}")
        locked = question.lock_after and not ignore_lock
        if outcome is None or not outcome.correct or question.batch or locked or closed is None:
            return self.false
        story = self.analyzer.story
        result = ~self.bdd.var(closed) & self.condition(question.opens)
        allowed = dict(outcome.match)
        for slot in question.slots:
            wanted = allowed.get(slot.id)
            at_hand = self.false
            if slot.pool == "options":
                at_hand = self.true if any(wanted is None or o in wanted for o, _ in slot.options) else self.false
            elif slot.pool == "clues":
                for clue in slot.among or story.clues:
                    if wanted is None or clue in wanted:
                        at_hand = at_hand | self.bdd.var(self.clue[clue])
            else:
                members = slot.among or [e.id for e in story.entities.values() if e.kind == slot.pool]
                for member in members:
                    if wanted is None or member in wanted:
                        at_hand = at_hand | self.condition(story.entities[member].known)
            result = result & at_hand
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
            if stat in self.ranges and (low, high) != self.ranges[stat]:
                result = result & self.between(stat, low, high)
        if self.turn_cap is not None and box.turn != (0.0, INF):
            low, high = box.turn
            result = result & self.between("", low, min(high, self.turn_cap))
        return result

    # -- undoing a move ------------------------------------------------------

    def pull(self, move: Move, target: str | None, states: Any) -> Any:
        """The states (before the move) from which taking it into target lands in `states`
        (for a random effect: in some outcome; an ending on the way lands anywhere).

        The engine's order (Rules.step), undone: the choice's count, the once-only
        mark, the target's on_enter and its visit, the move's effects, the turn.
        Answering a question as a move is not modelled: no state is claimed."""
        bdd = self.bdd
        if move.question is not None:
            return self.false
        if move.choice is not None:
            states = self.forget(states, ("taken", f"{move.scene}.{move.choice.id}"))
        if move.once:
            states = bdd.let({self.once[move.once]: True}, states)
        if target is not None:
            states = self.undo(self.analyzer.story.scenes[target].on_enter, states)
            states = self.forget(states, ("visits", target))
            name = self.visit.get(target)
            if name is not None:
                states = bdd.let({name: True}, states)
        if move.deduction is not None:
            states = bdd.let({self.clue[move.deduction.gives]: True}, states)
        else:
            states = self.undo(move.effects, states)
        states = self.forget(states, ("turn", ""))
        if self.turn_cap is not None:
            states = self.undo_change("", 1, True, states)
        return states

    def undo(self, effects: tuple[Effect, ...], states: Any, answering: frozenset[str] = frozenset()) -> Any:
        """The states from which the effects, run in order, land in `states` (answering: the
        questions whose outcome's effects these are, closed by then: see _undo_answer)."""
        bdd = self.bdd
        for effect in reversed(effects):
            if isinstance(effect, GainClue):
                states = bdd.let({self.clue[effect.clue]: True}, states)
            elif isinstance(effect, SetFlag):
                states = bdd.let({self.flag[effect.flag]: effect.value}, states)
            elif isinstance(effect, ChangeStat):
                states = self.forget(states, ("stat", effect.stat))
                if effect.stat in self.ranges:
                    states = self.undo_change(effect.stat, effect.amount, effect.relative, states)
            elif isinstance(effect, EndGame):
                states = self.true  # the game ends here, whatever comes after: a way out
            elif isinstance(effect, IfEffect):  # read when it runs, after the effects before it
                holds = self.condition(effect.condition)
                states = (holds & self.undo(effect.then, states, answering)) | \
                    (~holds & self.undo(effect.otherwise, states, answering))
            elif isinstance(effect, Chance):  # some outcome will do: each is a way the game can go
                states = self.undo(effect.then, states, answering) | self.undo(effect.otherwise, states, answering)
            elif isinstance(effect, Roll):
                states = self.forget(states, ("stat", effect.stat))
                if effect.stat in self.ranges:
                    states = self._undo_roll(effect, states)
            elif isinstance(effect, Answer):
                if effect.question not in answering:  # else closed already: it does nothing
                    states = self._undo_answer(effect, states, answering)
            else:
                raise ValueError(f"no pre-image for the effect {type(effect).__name__}")
        return states

    def _undo_roll(self, roll: Roll, states: Any) -> Any:
        result = self.false
        for value in range(roll.low, roll.high + 1):
            result = result | self.undo_change(roll.stat, value, False, states)
        return result

    def _undo_answer(self, answer: Answer, states: Any, answering: frozenset[str] = frozenset()) -> Any:
        """A question closed in dialogue (QuestionRules.record): nothing if it was closed
        already; else it is closed with this outcome (its own flags: concluded.q,
        concluded.q.o, solved.q) and then the outcome's effects run, in which it is closed."""
        question = self.analyzer.story.questions[answer.question]
        outcome = question.outcome(answer.outcome)
        assert outcome is not None  # the loader checked it
        closed = self.flag.get(f"concluded.{question.id}")
        post = {f"concluded.{question.id}": True, f"concluded.{question.id}.{answer.outcome}": True,
                f"solved.{question.id}": answer.outcome == RIGHT}
        unknown = [n for n, reads in self.atom_reads.items()
                   if any(k in ("solved", "concluded") and r.split(".")[0] == question.id for k, r in reads)]
        if closed is None or any(f not in self.flag for f in post) or unknown:
            raise ValueError(f"no pre-image for answering '{question.id}'")  # the loader declares them all
        ran = self.undo(outcome.effects, states, answering | {question.id})
        opened = self.bdd.let({self.flag[f]: value for f, value in post.items()}, ran)
        held = self.bdd.var(closed)
        return (held & states) | (~held & opened)

    def restrict(self, states: Any, invariant: list[Any]) -> Any:
        """states without those that break an implication of the invariant."""
        for implication in invariant:
            if states == self.false:
                break
            states = states & implication
        return states

    def breaks(self, states: Any, invariant: list[Any]) -> bool:
        """Whether every state of the set breaks the invariant (none is reachable).

        With the invariant as one BDD this is an implication test (states <= not
        invariant), which builds no nodes: conjoining a set with a large invariant
        only to see it empty was most of the escape proof's time on this repo's story."""
        if states == self.false:
            return True
        if len(invariant) == 1:
            return bool(states <= ~invariant[0])
        return self.empty(self.restrict(states, invariant))

    def conjunction(self, sets: list[Any], max_nodes: int | None = None, deadline: float | None = None) -> Any:
        """The sets' intersection; with max_nodes, the parts from the one that would grow
        it past that many nodes on are left out (for an invariant: a weaker one, still true
        of every reachable state, so what it proves stays proved)."""
        result = self.true
        for part in sets:
            if deadline is not None and time.monotonic() > deadline:
                break
            joined = result & part
            if max_nodes is not None and len(joined) > max_nodes:
                break
            result = joined
        return result

    def empty(self, states: Any) -> bool:
        return states == self.false

    def facts(self) -> list[str]:
        """The variables of clues, flags, visits and once-only marks, in the manager's order."""
        facts = [*self.clue.values(), *self.flag.values(), *self.visit.values(), *self.once.values()]
        return sorted(facts, key=self.bdd.level_of_var)

    def example(self, states: Any) -> dict[str, Any]:
        """One state of a non-empty set, in the story's words: {'clue.x': True, 'stat.y': 3, ...}.

        Facts (clues, flags, visits, once-only marks) are false wherever the set allows: a
        state with only what it must hold reads as a situation, not as noise."""
        for var in self.facts():
            without = states & ~self.bdd.var(var)
            states = without if without != self.false else states & self.bdd.var(var)
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


def _stats_read(story: Any) -> set[str]:
    """The stats read by what the proof evaluates: behaviour, questions, 'block' limits."""
    conditions = [c for scene in story.scenes.values() for _, c in model.behaviour_conditions(scene)]
    conditions += [e.condition for q in story.questions.values() for o in q.outcomes
                   for e in all_effects(o.effects) if isinstance(e, IfEffect)]
    conditions += list(question_conditions(story))
    found = {name for c in conditions for kind, name in c.refs if kind == "stat"}
    found |= {stat.id for stat in story.stats.values() if stat.overflow == "block"}
    return found


def _refs(node: Node) -> set[tuple[str, str]]:
    if isinstance(node, Ref):
        return {(node.kind, node.name)}
    if isinstance(node, Not):
        return _refs(node.operand)
    if isinstance(node, BoolOp):
        return set().union(*(_refs(op) for op in node.operands))
    if isinstance(node, Compare):
        return _refs(node.left) | _refs(node.right)
    return set()
