"""The values of the may-analysis: boxes of states, compiled effects, three-valued truth.

A box (AState) over-approximates a set of real states: for each clue, flag,
visited scene and once-only choice, whether it may hold and whether it may
not; an interval for each stat and for the turn. A condition evaluates to a
set of truth values (TRUE, FALSE or BOTH), a number to an interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

TRUE, FALSE, BOTH = 1, 2, 3
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


def _all(bits: dict) -> int:
    return (1 << len(bits)) - 1


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
