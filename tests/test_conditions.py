from __future__ import annotations

import pytest

from game.conditions import parse
from game.errors import ConditionError
from game.state import Found, Playthrough

KNOWN = {
    "clue": {"pill_label", "whizzer_card"},
    "flag": {"evicted"},
    "stat": {"trust", "rage"},
    "visited": {"office.desk", "igh.lobby"},
}


def state(**kw) -> Playthrough:
    pt = Playthrough(scene="office.desk", stats={"trust": 0, "rage": 0})
    for clue in kw.pop("clues", ()):
        pt.clues[clue] = Found("office.desk", 0)
    pt.flags.update(kw.pop("flags", ()))
    pt.stats.update(kw.pop("stats", {}))
    for scene in kw.pop("visited", ()):
        pt.visited[scene] = 1
    pt.turn = kw.pop("turn", 0)
    return pt


@pytest.mark.parametrize(
    ("source", "pt", "expected"),
    [
        ("clue.pill_label", state(clues=["pill_label"]), True),
        ("clue.pill_label", state(), False),
        ("not flag.evicted", state(), True),
        ("clue.pill_label and not flag.evicted", state(clues=["pill_label"], flags=["evicted"]), False),
        ("clue.pill_label or clue.whizzer_card", state(clues=["whizzer_card"]), True),
        ("stat.trust >= 2", state(stats={"trust": 2}), True),
        ("stat.trust >= 2", state(stats={"trust": 1}), False),
        ("stat.trust > -1", state(stats={"trust": 0}), True),
        ("stat.rage == stat.trust", state(stats={"rage": 3, "trust": 3}), True),
        ("stat.rage != 3", state(stats={"rage": 3}), False),
        ("visited.office.desk and not visited.igh.lobby", state(visited=["office.desk"]), True),
        ("turn < 10", state(turn=9), True),
        ("turn < 10", state(turn=10), False),
        ("(clue.pill_label or flag.evicted) and stat.trust <= 0", state(flags=["evicted"]), True),
        ("not (clue.pill_label or flag.evicted)", state(), True),
        ("true", state(), True),
        ("false or not false", state(), True),
        ("clue.pill_label == false", state(), True),
        ("not not clue.pill_label", state(clues=["pill_label"]), True),
    ],
)
def test_conditions_evaluate(source, pt, expected):
    assert parse(source, KNOWN)(pt) is expected


def test_precedence_and_binds_tighter_than_or():
    cond = parse("flag.evicted or clue.pill_label and clue.whizzer_card", KNOWN)
    assert cond(state(flags=["evicted"])) is True
    assert cond(state(clues=["pill_label"])) is False


def test_refs_list_everything_read():
    cond = parse("clue.pill_label and stat.trust > 1 or visited.igh.lobby", KNOWN)
    assert cond.refs == {("clue", "pill_label"), ("stat", "trust"), ("visited", "igh.lobby")}


@pytest.mark.parametrize(
    ("source", "column", "fragment"),
    [
        ("", 0, "empty condition"),
        ("clue.pill_lable", 5, "did you mean 'pill_label'"),
        ("clues.pill_label", 0, "did you mean 'clue'"),
        ("clue.pill_label && flag.evicted", 16, "use 'and'"),
        ("stat.trust = 2", 11, "use '=='"),
        ("stat.trust", 0, "is a number"),
        ("stat.trust and clue.pill_label", 0, "compare it"),
        ("clue.pill_label > 2", 0, "needs numbers"),
        ("stat.trust == true", 11, "cannot compare"),
        ("(clue.pill_label", 16, "missing ')'"),
        ("clue.pill_label)", 15, "unexpected ')'"),
        ("clue.pill_label and", 19, "ends too early"),
        ("1 < stat.trust < 3", 15, "chained comparisons"),
        ("clue.pill_label $", 16, "unexpected character"),
        ("and clue.pill_label", 0, "needs something before it"),
        ("- clue.pill_label", 2, "must be followed by a number"),
        ("(" * 60 + "true" + ")" * 60, 50, "nested more than"),
    ],
)
def test_condition_errors_point_at_their_column(source, column, fragment):
    with pytest.raises(ConditionError) as info:
        parse(source, KNOWN)
    assert fragment in info.value.message
    assert info.value.column == column


def test_non_text_condition_is_an_error():
    with pytest.raises(ConditionError, match="must be text"):
        parse(3, KNOWN)
    assert parse(True, KNOWN)(state()) is True  # YAML `if: true` arrives as a bool


DEDUCTIONS = {"shop": (("collar", "receipt"), "address"), "motive": (("receipt", "debt"), "motive_clue")}


@pytest.mark.parametrize(
    ("source", "clues", "expected"),
    [
        ("deducible.shop", [], False),
        ("deducible.shop", ["collar"], False),
        ("deducible.shop", ["collar", "receipt"], True),
        ("deducible.shop", ["collar", "receipt", "address"], False),  # already made
        ("deducible", ["receipt", "debt"], True),  # motive is ready
        ("deducible", ["collar", "receipt", "address"], False),
        ("not deducible and clue.collar", ["collar"], True),
    ],
)
def test_deducible_means_a_deduction_can_be_made_now(source, clues, expected):
    condition = parse(source, deductions=DEDUCTIONS)
    assert condition(state(clues=clues)) is expected
    assert ("clue", "receipt") in condition.refs  # analyses see the clues it stands for


def test_deducible_without_deductions_is_never_true_and_unknown_ones_are_named():
    assert parse("deducible")(state(clues=["collar", "receipt"])) is False
    with pytest.raises(ConditionError) as info:
        parse("clue.collar and deducible.shpo", deductions=DEDUCTIONS)
    assert info.value.message == "unknown deduction 'shpo' (did you mean 'shop'?)"
    assert info.value.column == len("clue.collar and deducible.")
