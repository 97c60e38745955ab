"""Data-driven tests of what `check` proves about questions (tests/data/questions/).

Each folder is a small story and an ``expected.txt`` listing every finding
`check` must report for it, one per line, ``CODE PATH:LINE:COL: SEVERITY:
MESSAGE`` (as tests/test_analysis.py). UPDATE_EXPECTED=1 rewrites them after a
deliberate change of wording; review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from game import loader
from game.tools.check import run_check
from game.tools.explore import Explorer

CASES = Path(__file__).parent / "data" / "questions"


def _findings(case: Path) -> list[str]:
    result = run_check(case)
    lines = []
    for d in result.diagnostics:
        rel = Path(d.pos.path).resolve().relative_to(case.resolve()).as_posix()
        where = f"{rel}:{d.pos.line}:{d.pos.col}" if d.pos.line else rel
        lines.append(f"{d.code} {where}: {d.severity}: {d.message}")
    return sorted(lines)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case_reports_exactly_its_expected_findings(case: str) -> None:
    folder = CASES / case
    expected_file = folder / "expected.txt"
    found = _findings(folder)
    if os.environ.get("UPDATE_EXPECTED"):
        expected_file.write_text("\n".join(found) + ("\n" if found else ""))
    expected = sorted(line for line in expected_file.read_text().splitlines() if line.strip())
    assert found == expected


def test_every_question_finding_has_a_case() -> None:
    codes = {line.split(" ", 1)[0] for case in CASES.iterdir() if case.is_dir()
             for line in (case / "expected.txt").read_text().splitlines() if line.strip()}
    assert {"question-unsolvable", "candidate-never-held", "question-no-decoy", "question-after-gate",
            "soft-lock"} <= codes


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_unsolvable_claims_agree_with_every_reachable_state(case: str) -> None:
    """A question check calls unsolvable is never answered right in any state the
    exhaustive search reaches; one it calls solvable is, in some state."""
    story = loader.load(CASES / case).story
    explorer = Explorer(story)
    search = explorer.search(100_000)
    assert search.complete
    answered_right: set[str] = set()
    for index in range(search.size):
        if not search.expanded[index]:
            continue
        for _, move in search.successors[index]:
            if move.startswith("answer:"):
                question = story.questions[move.split(":")[1]]
                values = dict(p.split("=") for p in move.split(":", 2)[2].split(","))
                if question.judge(values).correct:
                    answered_right.add(question.id)
    unsolvable = {line.split("'")[1] for line in _findings(CASES / case) if line.startswith("question-unsolvable")}
    assert unsolvable.isdisjoint(answered_right)
    assert set(story.questions) - unsolvable <= answered_right
