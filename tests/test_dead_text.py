"""Dead text: `check` warns, at its file:line:col, about conditional text that can never show.

The case story tests/data/analysis/dead_text has one dead text of each form
(a scene paragraph's `if:`, an outcome paragraph's `if:`, an inline
`{cond: ...}` in scene text, nested, the `otherwise` side of one in a choice's
label) beside live ones of the same forms, and a choice that is never enabled.
tests/test_check_soundness.py holds the warnings to a brute force.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from game.tools.check import report, run_check

CASE = Path(__file__).parent / "data" / "analysis" / "dead_text"


def _source_at(d) -> str:
    line = Path(d.pos.path).read_text().splitlines()[d.pos.line - 1]
    return line[d.pos.col - 1:]


def test_each_dead_form_is_warned_where_it_is_written() -> None:
    result = run_check(CASE)
    dead = {_source_at(d): d.message for d in result.diagnostics if d.code == "text-never-shown"}
    assert {source.split(":")[0] if source.startswith("{") else source for source in dead} == {
        "if: clue.ghost",  # a scene paragraph (line 14) and an outcome paragraph (line 27)
        "{clue.ghost",  # inline, nested inside the live {clue.key: ...|...}
        "{clue.key",  # the label's `otherwise` side: the choice needs clue.key
        "{flag.door_open",  # inline in another scene's text
    }
    lines = sorted(d.pos.line for d in result.diagnostics if d.code == "text-never-shown")
    assert lines == [14, 18, 27, 36, 40]
    label = next(m for s, m in dead.items() if s.startswith("{clue.key"))
    assert "'otherwise' text" in label and "choice 'door'" in label
    never = [d for d in result.diagnostics if d.code == "choice-never-enabled"]
    assert [_source_at(d) for d in never] == ["clue.ghost"]  # the dead choice, at its `if:` value


def test_live_text_is_not_warned_and_the_verdict_decides_every_text() -> None:
    result = run_check(CASE)
    warned = {d.pos.line for d in result.diagnostics if d.code == "text-never-shown"}
    assert not warned & {16, 25}  # `if: clue.key` in the scene, `if: not clue.key` in the outcome
    verdict = result.verdict
    assert verdict is not None and verdict.texts == 10 and verdict.dead_texts == 5
    assert verdict.unknown_texts == []
    out = io.StringIO()
    report(result, out, as_json=False, with_stats=False)
    assert "text proven: each of the 10 conditional texts was seen showing" in out.getvalue()


def test_an_undecided_text_is_listed_as_unknown_with_its_place() -> None:
    """The search is skipped (--budget 0): nothing is seen, so what the may-analysis
    cannot rule out is unknown, named by file:line:col; `check` never says it is fine."""
    result = run_check(CASE, budget=0)
    verdict = result.verdict
    assert verdict is not None and verdict.unknown_texts
    assert all(re.fullmatch(r".*dead_text/story\.yaml:\d+:\d+", place) for place in verdict.unknown_texts)
    assert any(place.endswith(":16:9") for place in verdict.unknown_texts)  # `if: clue.key`, live
    out = io.StringIO()
    report(result, out, as_json=False, with_stats=False)
    assert f"text unknown: {len(verdict.unknown_texts)} of 10 conditional texts" in out.getvalue()
