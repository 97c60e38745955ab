"""check --continuity on the story as it was before the continuity pass (#16's "Done when").

tests/data/continuity/prefix_story is story/ as it was on main before the
pass, plus its knowledge: board/knowledge.yaml (the facts its prose takes for
granted) and `mentions:` in board/people.yaml. Every example the issue lists
must be found there, at its file and line, naming what it assumes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from game import loader
from game.tools.choicelints import choice_lints
from game.tools.continuity import Continuity, ContinuityResult

FIXTURE = Path(__file__).parent / "data" / "continuity" / "prefix_story"


@pytest.fixture(scope="module")
def story():
    return loader.load(FIXTURE).story


@pytest.fixture(scope="module")
def result(story) -> ContinuityResult:
    # The defaults of check --continuity, smaller: enough for every example, in seconds.
    return Continuity(story).run(budget=20_000, walks=300)


def _finding(result: ContinuityResult, path: str, line: int, target: str):
    for finding in result.findings:
        if finding.pos.path.endswith(path) and finding.pos.line == line and finding.mention.target.id == target:
            return finding
    raise AssertionError(f"no finding for {target} at {path}:{line}; found: "
                         + ", ".join(f"{f.pos.path.split('/')[-1]}:{f.pos.line} {f.mention.target.id}"
                                     for f in result.findings))


EXAMPLES = [
    # knowledge before learning
    ("igh/building.yaml", 8, "whizzer", "clue kozlov_file"),  # "Whizzer's included" before meeting him
    ("igh/building.yaml", 223, "kozlov_dead", "scene igh.records"),  # "a phone number at a funeral home"
    ("city/streets.yaml", 84, "kozlov_dead", "choice city.streets:shiva"),  # "... sitting shiva"
    ("city/streets.yaml", 95, "trish_after_simpson", "choice city.streets:simpson"),  # nothing set it up
    ("city/streets.yaml", 103, "malcolm", "the outcome of choice city.streets:simpson"),  # "Malcolm's doesn't."
    # stale state
    ("office/desk.yaml", 568, "good_week", "the outcome of choice office.phone:call_trish"),  # after Simpson
    ("story.yaml", 271, "holiday_alive", "clue holiday_killer"),  # Holiday dead, case file still offers Costa
    ("office/desk.yaml", 68, "folder_on_desk", "scene office.desk"),  # folder on the blotter, handed over
    ("board/questions.yaml", 289, "drinking", "question mother"),  # "pour a drink" to a sober player
    ("board/people.yaml", 28, "whizzer_dead", "the case file's line for whizzer"),  # "flat under a scaffold"
    ("office/desk.yaml", 635, "hansen_unknown", "scene office.board"),  # HANSEN ??? long after she is named
]


@pytest.mark.parametrize(("path", "line", "target", "where"), EXAMPLES,
                         ids=[f"{e[2]}@{e[0]}:{e[1]}" for e in EXAMPLES])
def test_every_example_of_the_issue_is_found_where_it_is_written(result, path, line, target, where) -> None:
    finding = _finding(result, path, line, target)
    assert where in finding.unit.what
    assert finding.path, "a path from the start that shows it"
    assert finding.silenced is None


def test_the_paths_found_by_the_search_are_the_shortest(result) -> None:
    # One choice: meet Whizzer, and his case-file line already has him flat under a scaffold.
    assert _finding(result, "board/people.yaml", 28, "whizzer_dead").path == [("office.desk", "whizzer")]
    # Four: pick up the folder, take it to Malcolm, hand it over, back to the desk: it is still there.
    assert _finding(result, "office/desk.yaml", 68, "folder_on_desk").path == [
        ("office.desk", "trish_folder"), ("office.desk", "malcolm"), ("office.malcolm", "kozlov"),
        ("office.malcolm", "back")]


def test_malcolms_message_after_he_handed_over_the_file_is_found_deep_in_the_story(result, story) -> None:
    # "I'm working the Hogarth thing... Call me back" on the tape after the folder on the partners
    # is in your hands: after Alisa's arrest, far beyond the breadth-first search. A walk that runs
    # the text's errands in turn (the arrest, the folder) finds it; its path is replayed, and
    # says it may not be the shortest.
    finding = _finding(result, "office/desk.yaml", 545, "malcolm_on_hogarth")
    assert finding.unit.what == "scene office.phone" and finding.silenced is None
    assert not finding.shortest
    assert "maybe not the shortest" in next(d.message for d in result.diagnostics(story)
                                        if d.pos == finding.pos and d.severity == "warning")
    scenes = [scene for scene, _ in finding.path]
    assert "city.alisa_arrest" in scenes and finding.path[-1] == ("office.desk", "phone")


def test_the_choices_that_lie_are_linted(story) -> None:
    found = {(d.pos.path.split("prefix_story/")[1], d.pos.line, d.code): d.message for d in choice_lints(story)}
    # All three hospital options end in Sunday's fall.
    assert "every choice of scene city.hospital (block, talk, fight) leads to city.hospital_costa" in \
        found[("city/road.yaml", 11, "same-result")]
    # "Grab for his lighter first" leads to "You always choose her": both choices end the same.
    assert "scene igh.fire (carry, reach)" in found[("igh/procedure.yaml", 188, "same-result")]
    # "Say nothing. Wait for Hogarth." ends the game on a stat the player does not see.
    assert "can end the game (arrested) on Hogarth (hogarth)" in found[("city/act1.yaml", 748, "hidden-stat-ending")]
