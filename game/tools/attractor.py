"""The second escape proof: for the scenes the ranking argument left, every path at once.

game.tools.escape looks for a way out of at most MAX_DEPTH moves from each
state. In a hub the way to the next lead is often longer (back to the street,
into the building, down the corridor, into the room not yet searched), and
deeper paths over every fact cost minutes. This proof needs no depth:

* The *measure* is escape's (clues held, scenes visited, once-only choices
  taken, flags nothing clears, stats that move one way). Along a path on
  which it does not grow, the Boolean facts among it (call them M) do not
  change at all. So "from here some path makes it grow or leaves the group
  into a proved scene" depends on the scene and M alone, if the rest of the
  state (stats, flags that can be cleared, counts, the turn) is taken at its
  worst: a move counts only where it is available for *every* value of the
  rest that the scene's box allows.
* A(S), the values of M from which such a path exists at S, is then a least
  fixpoint over the group's scenes that needs no pre-image: a move keeps M,
  so A(S) grows by the moves whose every branch surely grows, leaves, or
  lands in a scene T with the same M in A(T).
* A scene is proved when every state of its box that the invariant allows
  (and that has left every other scene it visited by one of that scene's
  exits) lies in A(S). Scenes that fail are dropped and the rest computed
  again, so what is proved stays proved.

The fixpoint runs in a BDD manager of its own, over M alone, that reorders its
variables as the sets grow (CUDD's sifting). The story's order suits the
invariant and the boxes but not A(S): on this repo's story the sets reached
166,000 nodes each in it and 1,600 in a sifted one (the fixpoint went from 14 s
to under 1). The holes are then looked for by a SAT solver
(game.tools.satcheck), which needs no common order: conjoined in one manager,
A(S) and the invariant cost 15-20 s whichever order they shared.

Why it is sound: a reachable state at S is in S's box, so each move counted
in A(S) is available there and its branch (taken as the state decides)
grows the measure, leaves into a proved scene or an ending, or reaches a
reachable state at T whose M is unchanged and so in A(T): by induction on
the fixpoint, the measure grows or the group is left. The measure is
bounded; the group is left in the end, into scenes proved before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import invariants, satcheck, symbolic

if TYPE_CHECKING:
    from .escape import Escaper

# Solver calls per round for the holes' example states: each fact a hole's state holds costs
# one to try without (check's verdict quotes one state, with every fact false it can; with
# 77 scenes open at once on this repo's story, all of them made plain took 4,300 calls, 90 s).
PLAIN_CALLS = 300


class Attractor:
    """One group's proof; `prove` returns the scenes proved and the holes of the others."""

    def __init__(self, escaper: Escaper, usable: set[str], safe: set[str]):
        self.escaper = escaper
        encoding = escaper.encoding
        assert encoding is not None
        self.encoding = encoding
        self.usable = set(usable)
        self.safe = safe
        bdd = encoding.bdd
        analyzer = escaper.analyzer
        kept = set(encoding.visit.values()) | set(encoding.clue.values()) | set(encoding.once.values())
        kept |= {encoding.flag[name] for name, bit in analyzer.flag_bit.items()
                 if bit & escaper.monotone.up_flags and name in encoding.flag}
        # How questions were closed never changes back either (nothing reopens one).
        kept |= {var for name, var in encoding.flag.items() if name.startswith(("concluded.", "solved."))}
        self.kept = kept
        self.boxes = {sid: encoding.box(escaper.poss.states[sid], sid) for sid in self.usable}
        self.left = self._left()
        self.implied = invariants.implications(encoding)  # kept apart: together they are huge
        self.space = _space([v for v in sorted(bdd.vars, key=bdd.level_of_var) if v in kept],
                            escaper.bdd_memory()[1])

    def _here(self, states: Any) -> Any:
        """A set of the main manager, over M alone, as a set of the fixpoint's manager."""
        return self.encoding.bdd.copy(states, self.space)

    @property
    def rest(self) -> list[str]:
        """Every variable not in M, read afresh: a condition's count comparisons get their
        variables (atoms) when first encoded, which may be while this proof runs, and an
        atom left out of the rest would be taken as fixed along a path that changes it."""
        return [v for v in self.encoding.bdd.vars if v not in self.kept]

    def _every(self, states: Any) -> Any:
        """The values of M for which every value of the rest is in states."""
        rest = self.rest
        return self.encoding.bdd.forall(rest, states) if rest else states

    def _moves(self, sid: str) -> list[tuple[Any, list[tuple[Any, str | None]]]]:
        """(where the move is surely available, [(where a branch is fine without help, the
        scene it needs A of, or None)]) for each move at sid that may count."""
        escaper, encoding = self.escaper, self.encoding
        box = self.boxes[sid]
        found = []
        for move in escaper.poss.enabled.get(sid, ()):
            escaper.tick()
            if move.question is not None:
                continue  # see _answers
            guard = box & encoding.guard(move)
            available = self._every(~box | guard)
            if available == encoding.false:
                continue
            if move.ends:
                found.append((available, []))
                continue
            branches = [(None, -1)] if move.choice is None else \
                [(b.target, i) for i, b in enumerate(move.choice.branches)]
            needs = []
            for target, index in branches:
                dest = sid if target is None else target
                if dest in self.safe:
                    continue
                taken = guard & encoding.branch(move, index)
                never = self._every(~taken)
                if dest not in self.usable:
                    needs.append((never, None))
                    continue
                grows = self._every(~taken | escaper.monotone.growth(encoding, move, target))
                needs.append((never | grows, dest))
            found.append((available, needs))
        return found

    def _answers(self, sid: str) -> tuple[Any, Any]:
        """(where a right answer at sid surely closes a question, where one would but
        for a lock after wrong tries): closing a question makes the measure grow."""
        escaper, encoding = self.escaper, self.encoding
        box = self.boxes[sid]
        now, later = encoding.false, encoding.false
        for move in escaper.poss.enabled.get(sid, ()):
            if move.question is None:
                continue
            assert move.outcome is not None
            dest = move.outcome.goto
            if dest not in self.safe and (dest or sid) not in self.usable:
                continue
            escaper.tick()
            locks = bool(move.question.lock_after)  # then encoding.guard claims it nowhere
            guard = box & (encoding.answerable_once_unlocked(move.question, move.outcome) if locks
                           else encoding.guard(move))
            good = self._every(~box | guard)
            if dest not in self.safe:
                good = good & self._every(~guard | escaper.monotone.growth(encoding, move, dest))
            if locks:
                later = later | good
            else:
                now = now | good
        return now, later

    def _reach(self, moves: dict[str, list[tuple[Any, list[tuple[Any, str | None]]]]],
               start: dict[str, Any]) -> dict[str, Any]:
        """The least fixpoint: start, and the moves all of whose branches are fine or land
        where the fixpoint already holds (a scene is looked at again only when a scene its
        moves lead to has grown)."""
        false = self.space.false
        reach = {sid: start.get(sid, false) for sid in self.usable}
        users: dict[str, set[str]] = {}
        for sid, options in moves.items():
            for _, needs in options:
                for _, dest in needs:
                    if dest is not None:
                        users.setdefault(dest, set()).add(sid)
        dirty = set(self.usable)
        while dirty:  # sweeps in a fixed order (a stack instead made the sets grow larger on the way)
            for sid in sorted(self.usable):
                if sid not in dirty:
                    continue
                dirty.discard(sid)
                self.escaper.tick()
                new = reach[sid] | self._step(moves[sid], reach)
                if new != reach[sid]:
                    reach[sid] = new
                    dirty.update(users.get(sid, ()))
        return reach

    def _step(self, moves: list[tuple[Any, list[tuple[Any, str | None]]]], reach: dict[str, Any]) -> Any:
        """Where some move leads, whichever branch it takes, somewhere fine or into reach."""
        false = self.space.false
        result = false
        for available, needs in moves:
            good = available
            for fine, dest in needs:
                if good == false:
                    break
                good = good & (fine | reach[dest] if dest is not None else fine)
            result = result | good
        return result

    def _fixpoint(self) -> dict[str, Any]:
        """M -> A(S) for each usable scene S (sets of the fixpoint's manager).

        A question locked after wrong tries opens again as turns pass; a player at its
        scene who can surely walk a round that comes back there (the measure growing on
        the way, or the group left, does as well) waits the lock out, then answers."""
        space, here = self.space, self._here
        moves = {sid: [(here(available), [(here(fine), dest) for fine, dest in needs])
                       for available, needs in self._moves(sid)] for sid in sorted(self.usable)}
        start = {}
        for sid in sorted(self.usable):
            now, later = (here(found) for found in self._answers(sid))
            if later != space.false:
                back = self._reach(moves, {sid: space.true})
                back[sid] = space.false  # a round is at least one move
                now = now | (later & self._step(moves[sid], {**back, sid: space.true}))
            start[sid] = now
        return self._reach(moves, start)

    def _left(self) -> dict[str, Any]:
        """Scene S -> "S visited implies it was left by one of its exits": the exit's target
        visited, with what that move surely gave (its clues before anything that could stop
        them, its once-only mark) and the clues and visits its condition needs. True wherever
        the player stands except in S itself (so a scene with no exit is never left)."""
        encoding = self.encoding
        story = self.escaper.analyzer.story
        bdd = encoding.bdd
        boards = {s.id for s in story.scenes.values() if s.case_board}
        ways: dict[str, list[Any]] = {sid: [] for sid in story.scenes}
        unknown = set()
        for scene in story.scenes.values():
            for choice in scene.choices:
                common = encoding.true
                for var in invariants.sure_facts(encoding, scene.id, choice):
                    common = common & bdd.var(var)
                for branch in choice.branches:
                    if branch.target is None or branch.target == scene.id:
                        continue
                    if branch.target not in encoding.visit:
                        unknown.add(scene.id)
                        continue
                    way = common & bdd.var(encoding.visit[branch.target])
                    for var in invariants.must(encoding, branch.condition):
                        way = way & bdd.var(var)
                    ways[scene.id].append(way)
        for question in story.questions.values():
            for asked in set(question.at) or boards:
                for outcome in question.outcomes:
                    if outcome.goto is None or outcome.goto == asked:
                        continue
                    if outcome.goto not in encoding.visit:
                        unknown.add(asked)
                        continue
                    ways[asked].append(bdd.var(encoding.visit[outcome.goto]))
        found: dict[str, Any] = {}
        for sid, options in ways.items():
            if sid in unknown or sid not in encoding.visit:
                continue
            either = encoding.false
            for option in options:
                either = either | option
            found[sid] = ~bdd.var(encoding.visit[sid]) | either
        return found

    def prove(self) -> tuple[set[str], dict[str, Any]]:
        holes: dict[str, Any] = {}
        while self.usable:
            failed = self._holes(self._fixpoint())
            if not failed:
                break
            holes.update(failed)
            self.usable -= set(failed)
        return set(self.usable), holes

    def _holes(self, reach: dict[str, Any]) -> dict[str, Any]:
        """Scene -> one state outside A(S) that its box holds, that every implication of the
        invariant allows and that has left every other scene it visited by an exit, for
        each usable scene that has one (as a set of the main manager holding that state)."""
        bdd = self.encoding.bdd
        clauses = satcheck.Clauses(self.escaper.bdd_memory()[2], self.escaper.tick)
        for part in (*self.escaper.parts, *self.implied):
            clauses.require(bdd, part)
        left = {sid: clauses.switch(bdd, cut) for sid, cut in self.left.items()}
        asks = {sid: [clauses.literal(bdd, self.boxes[sid]), -clauses.literal(self.space, reach[sid]),
                      *(switch for other, switch in left.items() if other != sid)]
                for sid in sorted(self.usable)}
        failed = {}
        calls, facts = PLAIN_CALLS, self.encoding.facts()
        with clauses.solver() as solver:
            for sid, assumptions in asks.items():
                self.escaper.tick()
                found = satcheck.example(solver, clauses, assumptions, facts, calls)
                if found is None:
                    continue  # unsatisfiable: no such state, the scene is proved
                state, made = found
                calls = max(0, calls - made)
                failed[sid] = self._state(sid, state)
        return failed

    def _state(self, sid: str, state: dict[str, bool]) -> Any:
        """The states of sid's box that agree with `state` on its variables."""
        bdd = self.encoding.bdd
        return self.boxes[sid] & bdd.cube({var: value for var, value in state.items() if var in bdd.vars})


def _space(names: list[str], max_memory: int | None) -> Any:
    """A manager with these variables in this order to start from, that sifts them as
    its sets grow."""
    space = symbolic.manager(max_memory, reordering=True)
    for name in names:
        space.declare(name)
    return space
