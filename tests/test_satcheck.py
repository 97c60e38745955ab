"""game.tools.satcheck against the BDDs themselves: random sets over a few variables, in two
managers with different variable orders (as the attractor's and the story's are), and in
dd's pure-Python BDDs as well as CUDD's. "No common state" must be exactly what conjoining
them in one manager says; a state it finds must lie in every set; the plainest state must
have each fact false wherever that still leaves one (and, out of solver calls, the state
found so far must still be one)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.tools import satcheck

dd_cudd = pytest.importorskip("dd.cudd")
from dd import autoref  # noqa: E402  (after the skip: both come with dd)

NAMES = ["a", "b", "c", "d", "e"]


def _manager(backend, order):
    bdd = backend.BDD()
    for name in order:
        bdd.declare(name)
    return bdd


def _set(bdd, rows):
    """The set of these assignments (each a tuple of booleans over NAMES)."""
    found = bdd.false
    for row in rows:
        found = found | bdd.cube(dict(zip(NAMES, row, strict=True)))
    return found


ROWS = list(itertools.product([False, True], repeat=len(NAMES)))
sets = st.lists(st.sampled_from(ROWS), unique=True, max_size=len(ROWS))


@settings(max_examples=150, deadline=None)
@given(first=sets, second=sets, third=sets, cudd=st.booleans(), negate=st.booleans())
def test_no_common_state_is_exactly_what_one_manager_says(first, second, third, cudd, negate):
    backend = dd_cudd if cudd else autoref
    here = _manager(backend, NAMES)
    there = _manager(backend, list(reversed(NAMES)))
    one, two, three = _set(here, first), _set(there, second), _set(here, third)
    clauses = satcheck.Clauses()
    clauses.require(here, one)
    other = clauses.literal(there, two)
    switch = clauses.switch(here, three)
    truth = set(first) & (set(ROWS) - set(second) if negate else set(second))
    with_third = truth & set(third)
    with clauses.solver() as solver:
        for assumptions, expected in (([-other if negate else other], truth),
                                      ([-other if negate else other, switch], with_third)):
            assert solver.solve(assumptions=assumptions) == bool(expected)
            if expected:
                state = satcheck.model(solver, clauses)
                row = tuple(state.get(name, False) for name in NAMES)
                assert row in expected  # (a variable no set reads is absent: either value will do)
                found = satcheck.example(solver, clauses, assumptions, NAMES)
                assert found is not None
                plain, _ = found
                wanted = min(expected, key=lambda r: tuple(r))  # False < True: falsest first, in order
                assert tuple(plain.get(name, False) for name in NAMES) == wanted
                # out of calls at once: the first state found, still one with every assumption
                first, made = satcheck.example(solver, clauses, assumptions, NAMES, calls=0)
                assert made == 1 and tuple(first.get(name, False) for name in NAMES) in expected
            else:
                assert satcheck.example(solver, clauses, assumptions, NAMES) is None


def test_a_set_shared_by_two_literals_is_encoded_once():
    bdd = _manager(dd_cudd, NAMES)
    both = bdd.add_expr("(a & b) | (c & ~d)")
    clauses = satcheck.Clauses()
    first = clauses.literal(bdd, both)
    size = len(clauses.clauses)
    assert clauses.literal(bdd, both) == first and clauses.literal(bdd, ~both) == -first
    assert len(clauses.clauses) == size


def test_clauses_stop_at_their_memory_and_let_the_caller_stop_them():
    """A set of a few thousand nodes: with room for 500 clauses the encoding stops (the proof
    then says its clauses reached the memory limit); with room enough it calls tick() as it
    goes, so a deadline can stop it too."""
    import random

    names = [f"x{i}" for i in range(24)]
    bdd = _manager(dd_cudd, names)
    rng = random.Random(7)
    big = bdd.false
    for _ in range(400):
        big = big | bdd.cube({name: rng.random() < 0.5 for name in rng.sample(names, 12)})
    assert len(big) > 3 * satcheck.TICK_NODES
    with pytest.raises(satcheck.TooBig):
        satcheck.Clauses(max_memory=500 * satcheck.CLAUSE_BYTES).literal(bdd, big)
    ticks = []
    satcheck.Clauses(tick=lambda: ticks.append(1)).literal(bdd, big)
    assert len(ticks) >= 3
