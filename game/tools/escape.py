"""Proofs that no player can get stuck, without visiting every state.

The may-analysis (game.tools.abstract) gives, for every scene S, a box A(S)
holding every state a player can be in there. This module proves, scene by
scene, that from *every* state of A(S) some ending can be reached, by a
ranking argument that needs no search of the state space:

* Facts that never go back are a *measure*: clues held, scenes visited,
  once-only choices taken, flags nothing clears, stats that only ever move
  one way. It can only grow, and it is bounded.
* Within a strongly connected group of scenes, each scene gets a *rank*:
  how many moves it is from leaving the group (or ending the game).
* A move is *good* for a state if it surely ends the game, or leads out of
  the group into a scene already proved, or to a scene of lower rank, or
  surely grows the measure (a clue surely not yet held is found, a once-only
  choice is used up, ...).

If every state of every scene in the group has a good way out (a path of at
most MAX_DEPTH moves, each available where it is taken, that ends the game,
leaves the group, reaches a lower-ranked scene or makes the measure grow),
an ending can be reached from all of them: each such path lowers the pair
(room left for the measure to grow, rank), which cannot go down forever, so
the player leaves the group, into scenes proved before (groups are proved
from the endings back). "Every state has one" is checked on sets of states
held as binary decision diagrams (game.tools.symbolic): the scene's box,
cut down by implications every reachable state satisfies (a clue held means
a scene that gives it was visited, ...), must lie inside the union of the
states that have a good way out. A scene that fails is dropped from the
group and the others are checked again without it, so what is proved stays
proved.

Failing proves nothing (A(S) may hold states no player reaches, or the way
out may need a longer detour than one move); the caller then relies on the
exhaustive search, or says "unknown".
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..conditions import Compare, Lit, Node, Ref
from ..story import Chance, ChangeStat, Effect, GainClue, IfEffect, Roll, SetFlag, Story
from . import DEFAULT_BUDGET, attractor, invariants, model, satcheck, symbolic
from .abstract import INF, Analyzer, Move, Possibilities
from .explore import components

DEFAULT_EFFORT = 100_000  # (scene, depth) checks before the proof gives up
DEFAULT_SECONDS = 5.0  # time the proof may take before it gives up (what is left is "unknown")
MAX_SECONDS = 120.0  # with --deep
BDD_MEMORY_FLOOR = 32 * 1024**2  # CUDD needs some room to start
MAX_SCENES = 2_000  # bigger stories are tried only with more time (the 1,000-scene synthetic one: 5 s, 4 proved)
# The invariant as one BDD of at most this many nodes (about 40 bytes each): on big
# stories the whole conjunction grows without bound (the 1,000-scene synthetic story:
# 227,000 nodes after 400 of its 1,251 implications, then minutes).
INVARIANT_NODES = 50_000
MAX_DEPTH = 2  # moves in the longest way out looked for from one scene


@dataclass
class EscapeResult:
    proved: set[str] = field(default_factory=set)  # scenes from whose every state an ending is reachable
    # scene -> the states of its box (as the invariant cuts it down) from which no way out
    # was found, as a BDD (None: not tried); example() turns one into words
    unproved: dict[str, Any] = field(default_factory=dict)
    exhausted: bool = False  # the effort ran out before every scene was tried
    reason: str = ""  # why nothing was tried, when nothing was
    every_path: bool = False  # the attractor (game.tools.attractor) was given its turn
    encoding: symbolic.Encoding | None = None
    invariant: list[Any] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unproved and not self.exhausted

    def example(self, sid: str) -> dict[str, Any] | None:
        """A state of scene sid's box, allowed by the invariant, from which no way out was
        found ({'clue.x': True, 'stat.y': 3, ...}); None where the proof did not try."""
        hole = self.unproved.get(sid)
        if hole is None or self.encoding is None:
            return None
        return self.encoding.example(self.encoding.restrict(hole, self.invariant))


class _OutOfEffort(Exception):
    pass




class Escaper:
    def __init__(self, analyzer: Analyzer, poss: Possibilities, effort: int = DEFAULT_EFFORT,
                 max_memory: int | None = None, seconds: float = DEFAULT_SECONDS,
                 max_scenes: int | None = None, every_path: bool | None = None, ranking: bool = True):
        self.analyzer = analyzer
        self.ranking = ranking  # False: the attractor alone (the property tests try it so)
        # By default only stories of up to MAX_SCENES scenes; a longer time (--deep) tries any.
        self.max_scenes = max_scenes if max_scenes is not None else \
            MAX_SCENES if seconds <= DEFAULT_SECONDS else 1 << 62
        self.deadline = time.monotonic() + seconds
        self.poss = poss
        self.effort = effort
        # The BDDs get a quarter of --max-memory: the search's states and the rest of
        # the analysis share the process (the 1,000-scene synthetic story reached 660 MB
        # with the whole 1G for its BDDs).
        self.max_memory = None if max_memory is None else max(BDD_MEMORY_FLOOR, max_memory // 4)
        self.examined = 0
        self.monotone = _Monotone(analyzer)
        self.encoding: symbolic.Encoding | None = None
        self.invariant: list[Any] = []  # its implications as one BDD, cut at INVARIANT_NODES
        self.parts: list[Any] = []  # the same implications, one BDD each (for game.tools.satcheck)
        # scenes whose on_enter may end the game inside an `if` or `chance`
        self.ends_inside = {sid: any(isinstance(e, (IfEffect, Chance)) for e in scene.on_enter)
                            for sid, scene in analyzer.story.scenes.items()}
        self.reason = ""  # why nothing was tried, when nothing was
        # The attractor (every path at once) proves what the ranking argument leaves: on this
        # repo's story its last 50 scenes in about a second. Its holes are looked for by a SAT
        # solver (game.tools.satcheck); without python-sat it is not tried.
        self.attract = satcheck.available() if every_path is None else every_path

    def run(self) -> EscapeResult:
        result = EscapeResult()
        analyzer, poss = self.analyzer, self.poss
        gaps = model.escape_gaps(analyzer.story)
        if gaps:
            self.reason = "the story uses " + ", ".join(gaps) + ", which the proof does not model"
        elif len(analyzer.story.scenes) > self.max_scenes:
            self.reason = (f"the story has more than {self.max_scenes:,} scenes, where it seldom finishes in "
                           f"time (check --deep tries it)")
        elif not symbolic.available():
            self.reason = "the 'dd' package is not installed (pip install -e '.[analysis]')"
        if self.reason:
            result.reason = self.reason
            result.unproved = {sid: None for sid in poss.states if sid not in poss.terminal}
            result.proved = set(poss.terminal)
            return result
        safe: set[str] = set(poss.terminal)
        try:
            self.encoding = symbolic.Encoding(analyzer, _turn_cap(analyzer.story), self.bdd_memory()[0])
            self.parts = invariants.invariant(self.encoding)
            self.invariant = [self.encoding.conjunction(self.parts, INVARIANT_NODES, self.deadline)]
            succ = {sid: sorted({t for m in poss.enabled.get(sid, ()) for t in poss.targets.get((sid, m.id), ())})
                    for sid in poss.states}
            for group in components(succ):
                members = set(group) - poss.terminal
                if members:
                    self._prove_group(members, succ, safe, result)
        except _OutOfEffort:
            result.exhausted = True
        except satcheck.TooBig:
            result.exhausted = True
            result.reason = "its clauses for the SAT solver reached the memory limit (raise --max-memory)"
        except ValueError as error:
            if not symbolic.out_of_memory(error):
                raise
            result.exhausted = True
            result.reason = "its BDDs reached the memory limit (raise --max-memory)"
        result.encoding, result.invariant = self.encoding, self.invariant
        result.every_path = self.attract
        for sid in poss.states:
            if sid in safe:
                result.proved.add(sid)
            else:
                result.unproved.setdefault(sid, None)
        return result

    def _prove_group(self, members: set[str], succ: dict[str, list[str]], safe: set[str],
                     result: EscapeResult) -> None:
        """Prove what can be proved of one strongly connected group; add it to safe."""
        usable = set(members)
        if self.ranking:
            self._rank_group(usable, succ, safe, result)
        left = members - safe
        if left and self.attract:  # what the ranking argument could not prove, by every path at once
            proved, holes = attractor.Attractor(self, left, safe).prove()
            safe.update(proved)
            for sid in proved:
                result.unproved.pop(sid, None)
            result.unproved.update(holes)

    def bdd_memory(self) -> tuple[int | None, int | None, int | None]:
        """The proof's memory as (main manager, the attractor's own manager, its clauses for
        the SAT solver): with the attractor on, half to the main manager, a quarter to each
        of the others."""
        if self.max_memory is None or not self.attract:
            return self.max_memory, None, None
        return self.max_memory - self.max_memory // 2, self.max_memory // 4, self.max_memory // 4

    def tick(self) -> None:
        """Count one step of effort; give up when the effort or the time is spent."""
        self.examined += 1
        if self.examined > self.effort or time.monotonic() > self.deadline:
            raise _OutOfEffort

    def _rank_group(self, usable: set[str], succ: dict[str, list[str]], safe: set[str],
                    result: EscapeResult) -> None:
        """The ranking argument on the group's scenes in usable: what it proves joins safe."""
        encoding = self.encoding
        assert encoding is not None
        while usable:
            rank = self._ranks(usable, safe)
            failed: dict[str, Any] = {}
            for sid in sorted(usable):
                hole = encoding.box(self.poss.states[sid], sid)
                if sid not in rank:
                    failed[sid] = hole
                    continue
                for depth in range(1, MAX_DEPTH + 1):
                    self.tick()
                    hole = hole & ~self._good(sid, depth, rank[sid], usable, rank, safe, {})
                    if encoding.breaks(hole, self.invariant):
                        break
                else:
                    failed[sid] = hole
            if not failed:
                safe.update(usable)
                return
            for sid, hole in failed.items():
                usable.discard(sid)
                result.unproved[sid] = hole

    def _ranks(self, usable: set[str], safe: set[str]) -> dict[str, int]:
        """How far each usable scene is from a way out of the group.

        Any numbering keeps the argument sound; this one makes it easy to meet:
        a scene is ranked one above the best of its moves, a move counting as
        high as the highest-ranked scene its branches may lead to (0 for a way
        out), so that from a scene some move leads lower whichever branch the
        state decides. A scene whose every move can lead back up gets no rank
        from this and falls back on how many moves away the nearest way out is."""
        poss = self.poss
        moves: dict[str, list[list[str]]] = {}
        for sid in usable:
            options = []
            for move in poss.enabled.get(sid, ()):
                if move.question is not None:
                    continue  # never a way out here (see _good): it must not rank the scene either
                targets = poss.targets.get((sid, move.id), ())
                if move.ends or (targets and all(t in safe for t in targets)):
                    options.append([])
                    continue
                inside = [t for t in targets if t not in safe]
                if move.choice is None or any(b.target is None for b in move.choice.branches):
                    inside.append(sid)  # it may stay here
                if all(t in usable for t in inside):
                    options.append(inside)
            moves[sid] = options
        rank: dict[str, int] = {}
        changed = True
        while changed:
            changed = False
            for sid, options in moves.items():
                best = rank.get(sid)
                for inside in options:
                    if all(t in rank and t != sid for t in inside):
                        value = 1 + max((rank[t] for t in inside), default=-1)
                        if best is None or value < best:
                            best = value
                if best is not None and best != rank.get(sid):
                    rank[sid] = best
                    changed = True
        # The rest: by the shortest way out over any move, above everything ranked so far.
        offset = max(rank.values(), default=-1) + 1
        preds: dict[str, list[str]] = {}
        starts = set(rank)
        for sid, options in moves.items():
            for inside in options:
                if not inside:
                    starts.add(sid)
                for target in inside:
                    preds.setdefault(target, []).append(sid)
        for sid, value in _bfs(starts, preds).items():
            rank.setdefault(sid, offset + value)
        return rank

    def _good(self, sid: str, depth: int, root_rank: int, usable: set[str], rank: dict[str, int],
              safe: set[str], memo: dict[tuple[str, int], Any]) -> Any:
        """The states at sid from which some path of at most `depth` moves surely ends the game,
        leaves the group into a proved scene, reaches a scene ranked below root_rank, or makes the
        measure grow (each move taken where it is available, its branch as the state decides)."""
        key = (sid, depth)
        found = memo.get(key)
        if found is not None:
            return found
        encoding = self.encoding
        assert encoding is not None
        result = encoding.false
        for move in self.poss.enabled.get(sid, ()):
            guard = encoding.guard(move)
            if move.ends:
                result = result | guard
                continue
            if move.question is not None:
                # Only the last step of a path: a right answer closes its question for good
                # (the measure grows) where it is surely available (guard); what it does
                # after is not undone (Encoding.pull), so no path goes on from it.
                assert move.outcome is not None
                if move.outcome.goto in safe:
                    result = result | guard
                elif (move.outcome.goto or sid) in usable:
                    result = result | (guard & self.monotone.growth(encoding, move, move.outcome.goto))
                continue
            branches = [(None, -1)] if move.choice is None else \
                [(b.target, i) for i, b in enumerate(move.choice.branches)]
            good = guard
            for target, index in branches:
                dest = sid if target is None else target
                if dest in safe or (dest in usable and dest != sid and rank.get(dest, INF) < root_rank):
                    continue  # this branch is a way out
                # Growth counts only where the path stays in the group: a scene outside it
                # that is not proved may hold the player for good.
                ok = self.monotone.growth(encoding, move, target) if dest in usable else encoding.false
                if move.may_end or (target is not None and self.ends_inside.get(target)):
                    ok = ok | encoding.pull(move, target, encoding.false)  # an ending on some way
                if depth > 1 and dest in self.poss.states:
                    later = self._good(dest, depth - 1, root_rank, usable, rank, safe, memo)
                    ok = ok | encoding.pull(move, target, later)
                good = good & (~encoding.branch(move, index) | ok)
            result = result | good
        memo[key] = result
        return result


class _Monotone:
    """The facts that never go back, and whether a move surely makes one of them grow."""

    def __init__(self, analyzer: Analyzer):
        self.analyzer = analyzer
        story: Story = analyzer.story
        effects = list(_every_effect(story))
        cleared = {e.flag for e in effects if isinstance(e, SetFlag) and not e.value}
        self.up_flags = 0
        for flag, bit in analyzer.flag_bit.items():
            # How a question was closed is not a fact that only grows (the proof does not follow it).
            if flag not in cleared and flag in analyzer.story.flags:
                self.up_flags |= bit
        # stat index -> +1 (only ever rises) or -1 (only ever falls)
        self.direction: dict[int, int] = {}
        rolled = {e.stat for e in effects if isinstance(e, Roll)}
        for stat_id, index in analyzer.stat_index.items():
            changes = [e for e in effects if isinstance(e, ChangeStat) and e.stat == stat_id]
            if not changes or stat_id in rolled or any(not e.relative for e in changes):
                continue
            if all(e.amount >= 0 for e in changes):
                self.direction[index] = 1
            elif all(e.amount <= 0 for e in changes):
                self.direction[index] = -1

    def _gains(self, move: Move, target: str | None) -> list[tuple[str, str, int]]:
        """(field, its 'not yet' field, bit) of each monotone fact the move sets."""
        analyzer = self.analyzer
        found = []
        effects = list(move.effects)
        if target is not None:
            effects += list(analyzer.story.scenes[target].on_enter)
            bit = analyzer.visit_bit.get(target, 0)
            if bit:
                found.append(("visited", "unvisited", bit))
        for effect in effects:
            if isinstance(effect, GainClue):
                found.append(("clues", "no_clues", analyzer.clue_bit[effect.clue]))
            elif isinstance(effect, SetFlag) and effect.value and analyzer.flag_bit[effect.flag] & self.up_flags:
                found.append(("flags", "no_flags", analyzer.flag_bit[effect.flag]))
        if move.once:
            found.append(("taken", "untaken", move.once))
        if move.question is not None and move.outcome is not None and (move.outcome.correct or move.outcome.conclude):
            # Nothing reopens a question (the loader lets no effect name concluded.q).
            found.append(("flags", "no_flags", analyzer.flag_bit[f"concluded.{move.question.id}"]))
        return found

    def _moves_stats(self, move: Move, target: str | None) -> list[tuple[int, int]]:
        analyzer = self.analyzer
        effects = list(move.effects)
        if target is not None:
            effects += list(analyzer.story.scenes[target].on_enter)
        found = []
        for effect in effects:
            if isinstance(effect, ChangeStat) and effect.relative and effect.amount:
                index = analyzer.stat_index[effect.stat]
                if self.direction.get(index):
                    found.append((index, effect.amount))
        return found

    def growth(self, encoding: symbolic.Encoding, move: Move, target: str | None) -> Any:
        """The states from which taking the move into target surely makes the measure grow."""
        result = encoding.false
        bdd = encoding.bdd
        tables = {"clues": (encoding.clue, self.analyzer.clue_bit), "flags": (encoding.flag, self.analyzer.flag_bit),
                  "visited": (encoding.visit, self.analyzer.visit_bit)}
        for yes, _, bit in self._gains(move, target):
            if yes == "taken":
                result = result | ~bdd.var(encoding.once[bit])
                continue
            table, bits = tables[yes]
            name = next(n for n, b in bits.items() if b == bit)
            result = result | ~bdd.var(table[name])
        stats = list(self.analyzer.story.stats)
        for index, amount in self._moves_stats(move, target):
            if stats[index] not in encoding.ranges:
                continue  # a stat nothing the proof evaluates reads: not held (symbolic.Encoding)
            low, high = encoding.ranges[stats[index]]
            result = result | (encoding.between(stats[index], low + 1, high) if amount < 0
                               else encoding.between(stats[index], low, high - 1))
        return result

def _bfs(starts: set[str], preds: dict[str, list[str]]) -> dict[str, int]:
    distance = {sid: 0 for sid in starts}
    queue = deque(sorted(starts))
    while queue:
        sid = queue.popleft()
        for pred in preds.get(sid, ()):
            if pred not in distance:
                distance[pred] = distance[sid] + 1
                queue.append(pred)
    return distance


def _every_effect(story: Story) -> Iterator[Effect]:
    """Every effect anything in the story may run: in scenes and choices and question
    outcomes, inside `if` and `chance`, and through `answer:` (model.effects_run)."""
    for scene in story.scenes.values():
        yield from model.effects_run(scene.on_enter, story)
        for choice in scene.choices:
            yield from model.effects_run(choice.effects, story)
    for question in story.questions.values():
        for outcome in question.outcomes:
            yield from model.effects_run(outcome.effects, story)


def _turn_cap(story: Story) -> int | None:
    """None if no condition reads the turn; else a turn above every number a condition compares it with."""
    numbers = [0]
    reads = False

    def walk(node: Node) -> None:
        nonlocal reads
        if isinstance(node, Ref) and node.kind == "turn":
            reads = True
        if isinstance(node, Lit) and node.type == "number":
            numbers.append(abs(int(node.value)))
        for child in getattr(node, "operands", ()):
            walk(child)
        if isinstance(node, Compare):
            walk(node.left)
            walk(node.right)
        operand = getattr(node, "operand", None)
        if operand is not None:
            walk(operand)

    for _, condition in model.all_conditions(story):
        walk(condition.tree)
    if not reads:
        return None
    numbers += [abs(s.min) for s in story.stats.values()] + [abs(s.max) for s in story.stats.values()]
    return max(numbers) + 1


def seconds_for(budget: int) -> float:
    """The proof's time for a search budget: DEFAULT_SECONDS at check's default, more as
    --budget or --deep asks the search for more (up to MAX_SECONDS)."""
    return min(MAX_SECONDS, DEFAULT_SECONDS * max(1, budget // DEFAULT_BUDGET))


def prove(analyzer: Analyzer, poss: Possibilities, effort: int = DEFAULT_EFFORT,
          max_memory: int | None = None, seconds: float = DEFAULT_SECONDS) -> EscapeResult:
    return Escaper(analyzer, poss, effort, max_memory, seconds).run()
