"""Data-driven tests of `check`'s story-wide analysis (black's tests/data/cases style).

Each folder under tests/data/analysis/ is a small story and an ``expected.txt``
listing every finding `check` must report for it, one per line, and its verdict:

    CODE PATH:LINE:COL: SEVERITY: MESSAGE
    verdict proven: ... | verdict unknown: ...

with PATH relative to the case folder. A first line ``# budget: N`` sets the
soft-lock search budget (default: check's). To rewrite the files after a
deliberate change of wording, run with UPDATE_EXPECTED=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import without_sat

from game.tools import DEFAULT_BUDGET
from game.tools.check import run_check

CASES = Path(__file__).parent / "data" / "analysis"


def _budget(expected: Path) -> int:
    if expected.exists():
        first = expected.read_text().splitlines()[:1]
        if first and first[0].startswith("# budget:"):
            return int(first[0].split(":", 1)[1])
    return DEFAULT_BUDGET


def _findings(case: Path, budget: int) -> list[str]:
    result = run_check(case, budget)
    lines = [f"verdict {result.verdict.line()}"] if result.verdict is not None else []
    for d in result.diagnostics:
        rel = Path(d.pos.path).resolve().relative_to(case.resolve()).as_posix()
        where = f"{rel}:{d.pos.line}:{d.pos.col}" if d.pos.line else rel
        lines.append(f"{d.code} {where}: {d.severity}: {d.message}")
    return sorted(lines)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case_reports_exactly_its_expected_findings(case: str) -> None:
    folder = CASES / case
    expected_file = folder / "expected.txt"
    budget = _budget(expected_file)
    found = _findings(folder, budget)
    if os.environ.get("UPDATE_EXPECTED"):
        header = [f"# budget: {budget}"] if budget != DEFAULT_BUDGET else []
        expected_file.write_text("\n".join(header + found) + "\n")
    expected = sorted(line for line in expected_file.read_text().splitlines()
                      if line.strip() and not line.startswith("#"))
    assert found == expected


def test_every_analysis_has_a_case() -> None:
    """Each finding code the analysis can produce is exercised by some case."""
    codes = set()
    for folder in CASES.iterdir():
        for line in (folder / "expected.txt").read_text().splitlines():
            if line and not line.startswith("#"):
                codes.add(line.split(" ", 1)[0])
    assert {"unreachable-scene", "locked-dead-end", "soft-lock", "clue-gates-nothing", "clue-after-gate",
            "ending-unreachable", "stat-test-out-of-range", "stat-test-always-true", "stat-unblockable",
            "choice-never-enabled", "branch-never-taken", "text-never-shown", "verdict"} <= codes


def test_the_clean_story_has_no_findings() -> None:
    result = run_check(CASES / "clean")
    assert result.ok and result.diagnostics == [] and result.search is not None and result.search.complete


def test_findings_about_a_choice_condition_point_at_its_if_value() -> None:
    """A writer's editor jumps to the condition itself, not to the choice's `- id:` line."""
    checked = 0
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        for d in run_check(folder, _budget(folder / "expected.txt")).diagnostics:
            if d.code not in ("clue-after-gate", "choice-never-enabled") or "(if: " not in d.message:
                continue
            line = Path(d.pos.path).read_text().splitlines()[d.pos.line - 1]
            source = d.message.split("(if: ", 1)[1]
            assert line[:d.pos.col - 1].strip() == "if:", (folder.name, d)
            assert source.startswith(line[d.pos.col - 1:].rstrip()), (folder.name, d)
            checked += 1
    assert checked >= 4  # clue_after_gate, condition_position, unreachable_ending, unreachable_scene


def test_a_block_stat_finding_still_points_at_the_choice() -> None:
    folder = CASES / "condition_position"
    lines = (folder / "story.yaml").read_text().splitlines()
    found = {d.message.split("'")[1]: d.pos for d in run_check(folder).diagnostics if d.message.startswith("choice")}
    assert lines[found["bribe"].line - 1].strip() == "- id: bribe"
    assert lines[found["open_safe"].line - 1].strip() == "if: clue.key and"


def _corridor(tmp_path: Path, length: int) -> Path:
    """A start hub with 12 pickups (4,096 states) in front of a corridor of `length` scenes."""
    lines = ["story: {id: corridor, title: Corridor, start: a.hub}", "areas: {a: A}",
             "endings: {out: {title: Out}}", "clues:"]
    lines += [f"  c{i}: {{title: C{i}}}" for i in range(12)]
    lines += ["scenes:", "  a.hub:", "    text: A hub.", "    choices:"]
    for i in range(12):
        lines += [f"      - id: take{i}", "        text: Take.", "        once: true", f"        do: [{{clue: c{i}}}]"]
    lines += ["      - id: go", "        text: Go.", "        if: " + " and ".join(f"clue.c{i}" for i in range(12)),
              "        goto: a.r0"]
    for i in range(length):
        target = f"a.r{i + 1}" if i + 1 < length else "a.end"
        lines += [f"  a.r{i}:", "    text: A room.", "    choices:", "      - id: walk", "        text: Walk on.",
                  f"        goto: {target}"]
    lines += ["  a.end:", "    text: Out.", "    ending: out"]
    (tmp_path / "story.yaml").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_a_search_cut_short_is_no_news_where_the_proof_covers_it(tmp_path: Path) -> None:
    """The escape proof covers every scene the search did not enter: the verdict is proven
    and no note says soft-locks there were not looked for."""
    result = run_check(_corridor(tmp_path, 30), budget=10)
    assert result.search is not None and not result.search.complete
    assert result.verdict is not None and result.verdict.proven, result.verdict.line()
    assert not [d for d in result.diagnostics if d.code == "search-incomplete"]


def test_a_search_cut_short_names_every_scene_it_did_not_enter(tmp_path: Path, monkeypatch) -> None:
    """'N of M scenes' always says which: up to 20 in the note, every one in --json (the
    note shows where the escape proof leaves scenes open: here, without python-sat)."""
    import io
    import json

    from game.tools.check import report

    without_sat(monkeypatch)
    result = run_check(_corridor(tmp_path, 30), budget=10)
    (note,) = [d for d in result.diagnostics if d.code == "search-incomplete"]
    missing = [f"a.r{i}" for i in range(30)] + ["a.end"]
    assert "having entered 1 of 32 scenes; not entered: " in note.message
    named = note.message.split("not entered: ", 1)[1].split(" and ", 1)[0].split(", ")
    assert named == missing[:20] and "and 11 more (check --json lists them all)" in note.message
    out = io.StringIO()
    report(result, out, as_json=True, with_stats=False)
    assert json.loads(out.getvalue())["search"]["not_entered"] == missing
    small = run_check(_corridor(tmp_path, 3), budget=10)
    (note,) = [d for d in small.diagnostics if d.code == "search-incomplete"]
    assert note.message.split("not entered: ", 1)[1].startswith("a.r0, a.r1, a.r2, a.end (")


def test_max_memory_bounds_the_search_and_the_verdict_says_so(tmp_path: Path, monkeypatch) -> None:
    """4,096 ways to hold the 12 pickups: the default budget sees them all and proves the
    story; --max-memory 16M allows fewer states (about 6 KB each), so where the escape proof
    cannot cover the rest (without python-sat) the verdict is unknown and names the memory
    limit as the reason."""
    without_sat(monkeypatch)
    folder = _corridor(tmp_path, 3)
    whole = run_check(folder)
    assert whole.search is not None and whole.search.complete and whole.verdict.proven
    cut = run_check(folder, max_memory=16 * 1024**2)
    assert cut.search is not None and not cut.search.complete and cut.search.states < 4096
    assert not cut.verdict.proven
    assert "as many as the memory limit of 16M allows" in cut.verdict.line()
    (note,) = [d for d in cut.diagnostics if d.code == "search-incomplete"]
    assert "what --max-memory 16M allows" in note.message and "raise --max-memory" in note.message
