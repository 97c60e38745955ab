"""Each choice in check's verdict: seen available in a real playthrough, proven never
available, or unknown, listed by file:line:col on a `choices unknown:` line.

tests/data/choices has one of each: choices the search sees offered, one whose
condition the fast pass proves never true (`haunt`), one the fast pass allows but
no reachable state offers (`both_ways`: the flags it needs exclude each other),
and one that needs two pickups (`both_keys`), which the search reaches, and
without it random play.
tests/test_check_soundness.py holds the statuses to a brute force.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from game.tools.check import report, run_check

CASE = Path(__file__).parent / "data" / "choices"


def _line_of(choice_id: str) -> int:
    lines = (CASE / "story.yaml").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.strip() == f"- id: {choice_id}")


def _report(result, strict: bool = False) -> tuple[str, int]:
    out = io.StringIO()
    code = report(result, out, as_json=False, with_stats=False, strict=strict)
    return out.getvalue(), code


def test_with_the_whole_search_every_choice_is_decided() -> None:
    result = run_check(CASE)
    verdict = result.verdict
    assert verdict is not None
    assert verdict.choices == 8 and verdict.unknown_choices == []
    assert ("yard.gate", "both_keys") in verdict.seen_choices
    never = sorted(d.message.split("'")[1] for d in result.diagnostics if d.code == "choice-never-enabled")
    assert never == ["both_ways", "haunt"]
    # the search's proof points at the condition, like the fast pass's
    both_ways = next(d for d in result.diagnostics if "'both_ways'" in d.message)
    assert both_ways.pos.line == _line_of("both_ways") + 2 and "every reachable state was visited" in both_ways.message
    assert verdict.never_choices == 2
    text, _ = _report(result)
    assert "choices unknown" not in text  # nothing undecided: no line


def test_without_the_search_the_undecided_choices_are_listed_where_they_are_written() -> None:
    """Without the search, random play still takes both pickups (`both_keys` is seen); no
    real playthrough offers `both_ways`, but only the search proves it, so it is unknown."""
    result = run_check(CASE, budget=0)
    verdict = result.verdict
    assert verdict is not None
    assert ("yard.gate", "both_keys") in verdict.seen_choices
    places = [re.sub(r".*/", "", place) for place in verdict.unknown_choices]
    assert places == [f"story.yaml:{_line_of('both_ways')}:9"]
    assert not any("'both_ways'" in d.message for d in result.diagnostics)  # not proven without the search
    text, _ = _report(result)
    assert "choices unknown: 1 of 8 choices neither seen available in a real playthrough nor proven never " \
           "available (" in text
    doc = verdict.to_json()
    assert doc["choices"] == 8 and len(doc["unknown_choices"]) == 1


def test_strict_fails_on_unknown_choices() -> None:
    """Without --strict the choices line, like the text line, leaves the exit code alone;
    with --strict anything undecided fails, and the last line does not say "ok"."""
    result = run_check(CASE, budget=0)
    assert result.verdict is not None and result.verdict.proven
    text, code = _report(result)
    assert "choices unknown" in text and code == 0 and text.rstrip().endswith("check ok: 0 errors, 2 warnings")
    text, code = _report(result, strict=True)
    assert code == 1 and text.rstrip().endswith("check unknown: 0 errors, 2 warnings")
