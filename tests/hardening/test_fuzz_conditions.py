"""The condition parser on anything a story file can hold: its own
ConditionError (with a column inside the text) or a condition that evaluates
to true/false on any playthrough; never another exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from game import conditions
from game.errors import ConditionError
from game.state import Found, Playthrough

KNOWN = {"clue": ["pill_label", "a"], "flag": ["evicted"], "stat": ["trust", "rage"],
         "visited": ["office.desk", "igh.lobby"]}

# Pieces of the language, glued at random: reaches deep into the grammar far
# more often than random characters do.
TOKENS = st.sampled_from([
    "clue.pill_label", "clue.a", "clue.nope", "flag.evicted", "stat.trust", "stat.rage", "visited.office.desk",
    "visited.igh.lobby", "turn", "true", "false", "and", "or", "not", "(", ")", "==", "!=", "<", "<=", ">",
    ">=", "-", "0", "2", "007", "99999999999999999999", "\u0663", "&&", "||", "!", "=", "clue", "clue.",
    ".a", "stat.trust.x", " ", "\t", "\n", "\u00a0", "#", "'", "\x00", "\ud800", "\U0001f575",
])
GLUED = st.lists(TOKENS, max_size=25).map(" ".join) | st.lists(TOKENS, max_size=25).map("".join)
NESTED = st.integers(0, 200).flatmap(
    lambda n: st.sampled_from(["(", "not ", "not (", "(not "]).map(lambda p: p * n + "clue.a" + ")" * n))


def _playthrough(data: st.DataObject) -> Playthrough:
    pt = Playthrough(scene="office.desk", turn=data.draw(st.integers(0, 50)))
    pt.stats = {"trust": data.draw(st.integers(-5, 5)), "rage": data.draw(st.integers(-5, 5))}
    pt.clues = {c: Found("office.desk", 0) for c in data.draw(st.sets(st.sampled_from(KNOWN["clue"])))}
    pt.flags = data.draw(st.sets(st.sampled_from(KNOWN["flag"])))
    pt.visited = {s: 1 for s in data.draw(st.sets(st.sampled_from(KNOWN["visited"])))}
    return pt


def _parse_or_explain(source, known):
    try:
        return conditions.parse(source, known)
    except ConditionError as exc:
        assert str(exc) and "\n" not in str(exc), "the message is one line"
        assert isinstance(exc.column, int) and exc.column >= 0
        if isinstance(source, str):
            assert exc.column <= max(len(source), conditions.MAX_CONDITION_LENGTH)
        return None


@given(st.one_of(st.text(max_size=300), GLUED, NESTED), st.sampled_from([KNOWN, None]), st.data())
def test_any_text_parses_or_raises_condition_error(source, known, data):
    condition = _parse_or_explain(source, known)
    if condition is not None and known is not None:  # unchecked names (known=None) may not exist
        assert condition(_playthrough(data)) in (True, False)


@given(st.one_of(st.none(), st.integers(), st.floats(), st.lists(st.text(max_size=3), max_size=2),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.binary(max_size=5)))
def test_a_condition_that_is_not_text_is_a_condition_error(source):
    assert _parse_or_explain(source, KNOWN) is None


def test_deep_and_long_conditions_are_refused_cleanly():
    for source in ["(" * 10_000 + "clue.a" + ")" * 10_000, "not " * 10_000 + "clue.a",
                   " and ".join(["clue.a"] * 5000), "1" * 5000 + " > 1"]:
        assert _parse_or_explain(source, KNOWN) is None
