"""A story too big for the story-wide analysis by default is checked on its scene graph
alone, every condition read as "maybe" (game.tools.outline): what that graph cannot reach
is reported at file:line:col, nothing else is claimed, and the verdict says why.

The brute-force property test (test_check_soundness) holds the graph's claims to every
reachable state of random small stories; here, the shapes a writer meets.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_bench import synth

from game.cli import main
from game.tools import FULL_ANALYSIS_SCENES
from game.tools.check import run_check

DATA = Path(__file__).resolve().parent / "data" / "analysis"


def _errors(result) -> set[tuple[str, int, int]]:
    """(code, line, column) of each error (the stories here are one file)."""
    return {(d.code, d.pos.line, d.pos.col) for d in result.errors}


def test_a_story_past_the_size_gets_the_graph_and_an_unknown_verdict_that_says_how_to_run_the_analysis(
        tmp_path: Path, capsys) -> None:
    story = tmp_path / "big"
    assert synth(FULL_ANALYSIS_SCENES + 1, story).returncode == 0
    assert main(["check", str(story)]) == 0  # unknown is not a failure ...
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "check unknown: 0 errors, 0 warnings"
    assert lines[-2].startswith(f"unknown: {FULL_ANALYSIS_SCENES + 1:,} of {FULL_ANALYSIS_SCENES + 1:,} scenes")
    assert "the story-wide analysis was not run" in lines[-2] and "check --deep" in lines[-2]
    assert main(["check", "--strict", str(story)]) == 1  # ... but it is undecided
    capsys.readouterr()
    assert main(["check", "--json", "--budget", "0", str(story)]) == 0  # asked for: the analysis runs
    verdict = json.loads(capsys.readouterr().out)["verdict"]
    assert verdict["analysed"] is True
    assert "not run" not in verdict["line"]


def test_a_scene_no_choice_leads_to_is_reported_where_the_full_analysis_reports_it() -> None:
    root = DATA / "unreachable_scene"
    outline, full = run_check(root, full=False), run_check(root)
    assert _errors(outline) == {("unreachable-scene", 35, 3)}  # office.orphan
    assert _errors(outline) < _errors(full)  # the vault behind a flag never set needs the analysis
    assert outline.verdict is not None and not outline.verdict.proven
    assert outline.verdict.unreachable_scenes == {"office.orphan"}
    assert "office.vault" in outline.verdict.unknown_scenes


def test_a_loop_with_no_way_to_an_ending_is_reported_at_the_choice_into_it() -> None:
    root = DATA / "trap"
    outline = run_check(root, full=False)
    assert _errors(outline) == {("no-way-out", 9, 9)}
    assert "'maze.entry' to 'maze.left'" in outline.errors[0].message
    # the full analysis says soft-lock at the same place
    assert {(d.pos.line, d.pos.col) for d in run_check(root).errors} == {(9, 9)}


STORY = """\
story: {{id: t, title: T, start: a.hub}}
areas: {{a: A}}
endings:
  out: {{title: Out}}
  lost: {{title: Lost}}
scenes:
  a.hub:
    text: A hub.
    choices:
      - id: leave
        text: Leave.
        goto: a.exit
      - id: jump
        text: Jump.
        do:
          - {jump}
        goto: a.pit
  a.pit:
    text: A pit.
    choices:
      - id: climb
        text: Climb.
        goto: a.pit
  a.exit:
    text: Out.
    ending: out
  a.nowhere:
    text: Nobody comes here.
    ending: lost
"""


def test_a_move_that_ends_the_game_first_leaves_nobody_stuck(tmp_path: Path) -> None:
    (tmp_path / "story.yaml").write_text(STORY.format(jump="end: out"))
    result = run_check(tmp_path, full=False)
    assert _errors(result) == {("unreachable-scene", 27, 3),
                               ("ending-unreachable", 5, 3)}  # a.nowhere, lost
    (tmp_path / "story.yaml").write_text(STORY.format(jump="chance: 50\n            do:\n              - end: out"))
    result = run_check(tmp_path, full=False)  # the jump may not end it: then the player is in the pit
    assert ("no-way-out", 13, 9) in _errors(result)
