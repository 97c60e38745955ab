"""Story files read exactly as PyYAML's safe loader reads them.

game.yamlsrc resolves tags its own (quicker) way; these tests hold it to
PyYAML's answers, so `yes`, `~`, `0x1F` or `1_000` mean in a story what they
mean to every other YAML tool. Dates are the one deliberate difference:
they stay text.
"""

from __future__ import annotations

import datetime
import math

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from game.diagnostics import Report
from game.yamlsrc import parse_text

TRICKY = [
    "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "no", "No", "on", "Off", "y", "n",
    "true", "True", "TRUE", "false", "tRUE", "0", "-0", "+1", "007", "0x1F", "0o17", "0b101", "1_000",
    "1:30", "-1:30:15", "1.5", "-.5", ".5", "1e3", "1.0e+3", ".inf", "-.Inf", ".NaN", "2001-12-14",
    "2001-12-14t21:59:43.10-05:00", "text", "The door", "office.desk", "stat.trust >= 2",
    "1,000", "0.1.2", "+", ".", "12abc", "yes please", "'yes'", '"0x1F"', "[1, on, ~]",
]


def ours(text: str) -> object:
    report = Report()
    value = parse_text(text, "t.yaml", report)
    assert not report.errors, [str(d) for d in report.errors]
    return value


def same(mine: object, theirs: object) -> bool:
    if isinstance(theirs, (datetime.date, datetime.datetime)):
        return isinstance(mine, str)  # dates stay text in a story
    if isinstance(theirs, float) and math.isnan(theirs):
        return isinstance(mine, float) and math.isnan(mine)
    if isinstance(theirs, list):
        return isinstance(mine, list) and len(mine) == len(theirs) and all(map(same, mine, theirs))
    return type(mine) is type(theirs) and mine == theirs


def test_tricky_values_read_as_pyyaml_reads_them():
    for scalar in TRICKY:
        text = f"value: {scalar}\n"
        assert same(ours(text)["value"], yaml.safe_load(text)["value"]), scalar  # type: ignore[index]


def test_keys_and_list_items_resolve_too():
    text = "2: one\nyes: two\nlist: [on, '0', 0x10, ~, 2.5]\n"
    mine, theirs = ours(text), yaml.safe_load(text)
    assert list(mine) == list(theirs)  # type: ignore[arg-type]
    assert same(mine["list"], theirs["list"])  # type: ignore[index]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.-+_:eExXoObBnNyYtTfFrRuUaAlLsSiI~ ", max_size=12))
def test_any_plain_scalar_reads_as_pyyaml_reads_it(scalar: str):
    text = f"value: {scalar}\n"
    try:
        theirs = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):
        assume(False)  # not one plain scalar after all (e.g. "a: b"), or PyYAML cannot read it
    assume(isinstance(theirs, dict) and "value" in theirs)
    report = Report()
    mine = parse_text(text, "t.yaml", report)
    assume(not report.errors)  # e.g. a number too odd for the story format
    assert same(mine["value"], theirs["value"])
