"""Whether sets of states held as BDDs have a state in common, by a SAT solver.

game.tools.attractor must show that no state lies in a scene's box, in every
implication of the invariant and outside the fixpoint's set A(S). The
invariant is small in the story's variable order; A(S) is small only in an
order sifted for it (docs/PERFORMANCE.md, "#14"). Conjoined in either order
one of them grows a hundredfold, and the proof spent 15-20 s doing that. A SAT
solver needs no common order: each BDD becomes clauses with one variable per
node (Tseitin's encoding, linear in its size), BDDs from different managers
share a variable where theirs have the same name, and "no common state" is
"unsatisfiable". On this repo's story every check takes milliseconds.

The solver is python-sat's Glucose 4 (pysathq/pysat: MIT, wheels for every
major platform, released several times a year): a complete solver, so
"unsatisfiable" is a proof and a model is a state in every set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    from pysat.solvers import Solver
except ImportError:  # pragma: no cover - the 'analysis' extra brings it
    Solver = None

TRUE = 1  # a variable that a unit clause holds true: the constants' literal
# What a clause costs, here and in the solver (a list of three ints, about 90 bytes, and the
# solver's copy and watches): the memory limit is counted in clauses.
CLAUSE_BYTES = 160
TICK_NODES = 1_000  # nodes encoded between two calls of the caller's tick()


class TooBig(Exception):
    """The clauses would pass the memory they were given."""


def available() -> bool:
    return Solver is not None


class Clauses:
    """Sets of states as clauses over shared variables, for one solver."""

    def __init__(self, max_memory: int | None = None, tick: Callable[[], None] | None = None) -> None:
        self.max_clauses = None if max_memory is None else max_memory // CLAUSE_BYTES
        self.tick = tick  # called now and then while encoding: it may raise to stop
        self.count = TRUE
        self.clauses: list[list[int]] = [[TRUE]]
        self.variables: dict[str, int] = {}  # a BDD variable's name -> its SAT variable
        self._nodes: dict[tuple[int, int], int] = {}  # (manager, node) -> its SAT variable
        self._kept: list[Any] = []  # what was encoded stays alive, so no node number is reused

    def _new(self) -> int:
        self.count += 1
        return self.count

    def variable(self, name: str) -> int:
        found = self.variables.get(name)
        if found is None:
            found = self.variables[name] = self._new()
        return found

    def literal(self, bdd: Any, states: Any) -> int:
        """A literal true exactly where a state is in `states` (a set of manager bdd)."""
        self._kept.append(states)
        manager = id(bdd)
        stack = [states]
        while stack:  # children before parents, without recursion (BDDs can be deep)
            node = stack[-1]
            if self._known(bdd, manager, node) is not None:
                stack.pop()
                continue
            low, high = node.low, node.high
            waiting = [c for c in (low, high) if self._known(bdd, manager, c) is None]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            here = self._nodes[(manager, _number(node))] = self._new()
            if here % TICK_NODES == 0:
                if self.tick is not None:
                    self.tick()
                if self.max_clauses is not None and len(self.clauses) > self.max_clauses:
                    raise TooBig
            var = self.variable(node.var)
            yes, no = self._known(bdd, manager, high), self._known(bdd, manager, low)
            # here <-> (var ? yes : no); the last two are implied, and help the solver
            self.clauses += [[-here, -var, yes], [-here, var, no], [here, -var, -yes], [here, var, -no],
                             [-here, yes, no], [here, -yes, -no]]
        found = self._known(bdd, manager, states)
        assert found is not None
        return found

    def _known(self, bdd: Any, manager: int, node: Any) -> int | None:
        if node == bdd.true:
            return TRUE
        if node == bdd.false:
            return -TRUE
        found = self._nodes.get((manager, _number(node)))
        if found is None:
            return None
        return -found if node.negated else found

    def require(self, bdd: Any, states: Any) -> None:
        """Every state considered lies in `states`."""
        self.clauses.append([self.literal(bdd, states)])

    def switch(self, bdd: Any, states: Any) -> int:
        """A new literal s: where s holds, the state lies in `states` (s is assumed or not)."""
        switch = self._new()
        self.clauses.append([-switch, self.literal(bdd, states)])
        return switch

    def solver(self) -> Any:
        assert Solver is not None
        return Solver(name="glucose4", bootstrap_with=self.clauses)


def model(solver: Any, clauses: Clauses) -> dict[str, bool]:
    """The state the solver's last satisfiable call found, as {variable name: value}."""
    return _named(clauses, _true(solver))


def example(solver: Any, clauses: Clauses, assumptions: list[int], falsest: list[str],
            calls: int | None = None) -> tuple[dict[str, bool], int] | None:
    """A state with every assumption, as {variable name: value}, and the solver calls made
    for it; None if there is none. The variables in `falsest` are made false in turn
    wherever that still leaves one (a state holding only what it must reads as a situation,
    not as noise), until `calls` further calls are spent (then the state found so far)."""
    if not solver.solve(assumptions=assumptions):
        return None
    true = _true(solver)
    fixed, made = list(assumptions), 1
    for name in falsest:
        var = clauses.variables.get(name)
        if var is None:
            continue  # nothing here reads it: false will do
        if var in true:  # else false already, with every choice made so far
            if calls is not None and made > calls:
                break
            made += 1
            if not solver.solve(assumptions=[*fixed, -var]):
                fixed.append(var)
                continue
            true = _true(solver)
        fixed.append(-var)
    return _named(clauses, true), made


def _true(solver: Any) -> set[int]:
    """The literals true in the solver's last model."""
    return set(solver.get_model() or ())


def _named(clauses: Clauses, true: set[int]) -> dict[str, bool]:
    return {name: var in true for name, var in clauses.variables.items()}


def _number(node: Any) -> int:
    """The node's number without its complement mark (the same for u and ~u)."""
    return int(~node) if node.negated else int(node)
