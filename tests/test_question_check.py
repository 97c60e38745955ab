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


# --- random small stories against brute force -------------------------------------------


def _random_question_story(seed: int) -> str:
    """A chain of rooms that hand out clues (some only after the board, some never), a board
    the player can reach from some rooms, and a question over those clues and over people
    known by clue; a way out that may need the question solved."""
    import random

    rng = random.Random(seed)
    rooms = rng.randint(2, 5)
    clues = [f"c{i}" for i in range(rng.randint(2, 5))]
    given = {c: rng.randrange(rooms + 1) for c in clues}  # room index that gives it; == rooms: never
    board_from = sorted(rng.sample(range(rooms), rng.randint(1, rooms)))
    people = ["p0", "p1", "p2"]
    known = {p: rng.choice([None, *clues]) for p in people}
    answer_clue, answer_person = rng.choice(clues), rng.choice(people)
    gated = rng.random() < 0.5
    out = ["story: {id: rq, title: RQ, start: a.r0}", "areas: {a: A}", "clues:"]
    out += [f"  {c}: {{title: Clue {c}}}" for c in clues]
    out += ["people:"]
    for p in people:
        out.append(f"  {p}: {{name: Person {p}" + (f", known: clue.{known[p]}" if known[p] else "") + "}")
    out += ["questions:", "  q:", "    ask: Who?",
            "    slots:",
            "      who: {prompt: Who, from: people}",
            f"      proof: {{prompt: Why, from: clues, among: [{', '.join(clues)}]}}",
            f"    answer: {{who: {answer_person}, proof: {answer_clue}}}",
            "endings:", "  done: {title: Done}", "scenes:"]
    for i in range(rooms):
        out += [f"  a.r{i}:", "    text: A room.", "    on_enter:"]
        out += [f"      - clue: {c}" for c in clues if given[c] == i] or ["      - flag: f"]
        out += ["    choices:"]
        nxt = f"a.r{i + 1}" if i + 1 < rooms else "a.exit"
        cond = "\n        if: solved.q" if gated and nxt == "a.exit" else ""
        out += [f"      - id: onward\n        text: On.{cond}\n        goto: {nxt}"]
        if i in board_from:
            out += [f"      - id: board\n        text: Board.\n        goto: a.board{i}"]
    for i in board_from:
        back = f"a.r{i}"
        out += [f"  a.board{i}:", "    text: Board.", "    case_board: true", "    choices:",
                f"      - id: back\n        text: Back.\n        goto: {back}"]
    out += ["  a.exit:", "    text: Out.", "    ending: done", "flags:", "  f: nothing"]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("seed", range(40))
def test_question_findings_agree_with_brute_force_on_random_stories(seed: int, tmp_path: Path) -> None:
    (tmp_path / "story.yaml").write_text(_random_question_story(seed))
    story, diagnostics = loader.check(tmp_path)
    if story is None:  # e.g. every candidate accepted: a loader error, nothing to analyse
        assert any(d.code in ("no-wrong-answer",) for d in diagnostics), [str(d) for d in diagnostics]
        return
    findings = _findings(tmp_path)
    explorer = Explorer(story)
    search = explorer.search(200_000)
    assert search.complete
    right, held = False, set()
    rules = explorer.engine
    question = story.questions["q"]
    for index in range(search.size):
        for _, move in search.successors[index]:
            if move.startswith("answer:") and question.judge(dict(
                    p.split("=") for p in move.split(":", 2)[2].split(","))).correct:
                right = True
    # what can be held while the question is asked: replay every state found at a board
    for index in range(search.size):
        if search.scenes[index].startswith("a.board"):
            pt = explorer.replay(search.path(index))
            if rules.questions.is_open(question, pt):
                for slot in question.slots:
                    held.update(rules.questions.candidates(question, slot, pt))
    unsolvable = any(line.startswith("question-unsolvable") for line in findings)
    assert unsolvable == (not right), findings
    never = {line.split("'")[1] for line in findings if line.startswith("candidate-never-held")}
    assert never.isdisjoint(held), (never, held)  # a candidate called never held never is
