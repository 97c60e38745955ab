"""When a phrase inside inline markup is drawn at all: the conditions of the `{cond: a|b}` branches
that hold it, for check --continuity's proofs (game.tools.continuity_proof).

Every way of drawing the text is listed (each `{cond: ...}` either way, each alternative of
`{a|b}`), so a phrase split across pieces is found too; the phrase shows only under the
conditions of the ways that hold it. A number or a plural (drawn from a stat) gives up:
None, "it may show anywhere", which is always sound.
"""

from __future__ import annotations

import re

from ..conditions import BOOL, BoolOp, Lit, Node, Not
from ..markup import Alternatives, Plural, Seq, Text, When

MAX_WAYS = 256  # ways of drawing a text beyond which it is not looked at


class _GiveUp(Exception):
    pass


def _ways(seq: Seq) -> list[tuple[str, tuple[Node, ...]]]:
    ways: list[tuple[str, tuple[Node, ...]]] = [("", ())]
    for piece in seq:
        if isinstance(piece, str):
            options = [(piece, ())]
        elif isinstance(piece, When):
            tree = piece.condition.tree
            options = [(text, (tree, *conds)) for text, conds in _ways(piece.then)] + \
                      [(text, (Not(tree, 0), *conds)) for text, conds in _ways(piece.otherwise)]
        elif isinstance(piece, Alternatives):
            options = [way for option in piece.options for way in _ways(option)]
        elif isinstance(piece, Plural):
            raise _GiveUp
        else:  # a number: drawn from a stat
            raise _GiveUp
        ways = [(text + more, conds + extra) for text, conds in ways for more, extra in options]
        if len(ways) > MAX_WAYS:
            raise _GiveUp
    return ways


def drawn_when(text: Text, pattern: re.Pattern[str]) -> Node | None:
    """A condition under which the phrase may be drawn (false: never), or None if it may be anywhere."""
    try:
        ways = _ways(text.parts)
    except _GiveUp:
        return None
    holding = [conds for drawn, conds in ways if pattern.search(drawn)]
    if not holding:
        return Lit(False, BOOL, 0)
    if any(not conds for conds in holding):
        return None
    return BoolOp("or", tuple(conds[0] if len(conds) == 1 else BoolOp("and", conds, 0) for conds in holding), 0)
