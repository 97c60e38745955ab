"""`play.py playtest`: reproducible random runs, coverage, and replay files for what went wrong."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from game import loader, saves
from game.cli import main
from game.engine import Engine
from game.tools import playtest as playtest_tool
from game.tools.playtest import Playtester, playtest

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample"


def _json(args: list[str]) -> tuple[int, dict]:
    out = io.StringIO()
    code = main(["playtest", *args, "--json"], stdout=out)
    return code, json.loads(out.getvalue())


def test_the_same_seed_gives_the_same_report_and_another_seed_another(tmp_path: Path) -> None:
    args = [str(SAMPLE), "-n", "200", "--out", str(tmp_path)]
    code, first = _json([*args, "--seed", "5"])
    _, again = _json([*args, "--seed", "5"])
    _, other = _json([*args, "--seed", "6"])
    assert code == 0
    assert first == again
    assert first != other


def test_json_report_has_the_promised_keys_and_consistent_counts(tmp_path: Path) -> None:
    code, doc = _json([str(SAMPLE), "-n", "300", "--seed", "1", "--out", str(tmp_path)])
    assert {"runs", "errors", "endings", "unvisited_scenes", "untaken_choices", "stuck", "clues",
            "shortest", "longest"} <= doc.keys()
    assert doc["runs"] == 300 and doc["errors"] == [] and code == 0
    assert set(doc["endings"]) == {"found", "lost"}
    assert sum(doc["endings"].values()) + len(doc["stuck"]) == 300
    assert doc["shortest"]["turns"] <= doc["longest"]["turns"]
    # the receipt is given on entering the first scene: every run holds it from turn 0
    assert doc["clues"]["receipt"] == {"found_share": 1.0, "mean_turn": 0.0, "median_turn": 0}


def test_coverage_names_what_no_run_reached() -> None:
    story = loader.load(DATA / "analysis" / "unreachable_scene").story
    report = playtest(story, runs=50, seed=3)
    assert set(report.unvisited_scenes) == {"office.vault", "office.attic", "office.orphan"}
    assert "office.desk:secret" in report.untaken_choices
    assert "office.desk:leave" not in report.untaken_choices


class _FaultyEngine(Engine):
    """An engine with a bug: the second 'shove' of a run crashes."""

    def choose(self, pt, choice_id):
        if choice_id == "shove" and pt.stats["anger"] >= 3:
            raise RuntimeError("simulated engine bug")
        return super().choose(pt, choice_id)


def test_an_engine_error_is_reported_with_a_replay_file_that_leads_to_it(tmp_path: Path) -> None:
    story = loader.load(SAMPLE).story
    report = Playtester(story, tmp_path, engine=_FaultyEngine(story)).run(runs=100, seed=2)
    assert not report.ok
    problem = report.errors[0]
    assert problem.kind == "engine-error" and "simulated engine bug" in problem.message
    doc = saves.read_doc(Path(problem.replay))
    log = saves.log_of(doc)
    assert len(log) == problem.turn and (log[-1].scene, log[-1].choice) == (problem.scene, "shove")
    # Every choice before the failing one replays on the real engine to the scene where it failed...
    before = Engine(story).replay(log[:-1], doc["seed"])
    assert before.ok and before.playthrough.scene == problem.scene and before.playthrough.stats["anger"] >= 3
    # ...and the faulty engine fails on the last entry again.
    with pytest.raises(RuntimeError, match="simulated engine bug"):
        _FaultyEngine(story).replay(log, doc["seed"])


def test_dead_ends_fail_the_playtest_and_stuck_runs_are_kept_for_replay(tmp_path: Path) -> None:
    dead = playtest(loader.load(DATA / "analysis" / "dead_end").story, runs=40, seed=1, out_dir=tmp_path / "d")
    assert dead.errors and {p.kind for p in dead.errors} == {"dead-end"}
    assert all(p.scene == "office.closet" for p in dead.errors)
    trap_story = loader.load(DATA / "analysis" / "trap").story
    trap = playtest(trap_story, runs=40, seed=1, max_turns=30, out_dir=tmp_path / "t")
    assert trap.ok and trap.stuck
    stuck = trap.stuck[0]
    replayed = Engine(trap_story).replay(saves.log_of(saves.read_doc(Path(stuck.replay))), stuck.seed)
    assert replayed.ok and replayed.playthrough.turn == 30 and replayed.playthrough.ending is None


def test_playtest_command_exits_non_zero_on_errors(tmp_path: Path) -> None:
    code, doc = _json([str(DATA / "analysis" / "dead_end"), "-n", "20", "--out", str(tmp_path)])
    assert code == 1 and doc["errors"]
    assert all(Path(p["replay"]).exists() for p in doc["errors"][:10])


def test_questions_are_played_blind_and_informed_and_reported_per_question() -> None:
    story = loader.load(Path(__file__).parent / "data" / "board").story
    report = playtest(story, runs=300, seed=4)
    blind = report.questions.stats["blind"]
    informed = report.questions.stats["informed"]
    assert report.questions.runs == {"blind": 300, "informed": 300}
    # A blind guess of the pet question is right 1 time in 9: a blind first try is rarely right,
    # and the wrong tries add up; the informed player is always right and pays nothing.
    assert blind["pet"].reached == 300 and blind["pet"].first_try / blind["pet"].answered < 0.3
    assert blind["pet"].wrong > 300
    assert informed["pet"].first_try == informed["pet"].answered == 300 and informed["pet"].wrong == 0
    # Blaming the clerk is a conclusion the blind player lives with, and acts on at the desk.
    assert blind["thief"].concluded_wrong > 0 and blind["thief"].acted_on == blind["thief"].concluded_wrong
    assert informed["thief"].concluded_wrong == 0 and report.informed_endings == {"found": 300}
    assert set(report.endings) == {"found", "wrong_man"}  # random runs reach both endings
    doc = report.to_json()
    assert doc["questions"]["blind"]["questions"]["pet"]["reached_share"] == 1.0
    text = playtest_tool.format_report(report)
    assert "blind player (300 runs):" in text and "informed player (300 runs):" in text
    # An ending no blind run reached but the informed player did is marked as such, not as never reached.
    report.endings["found"] = 0
    line = next(t for t in playtest_tool.format_report(report).splitlines() if t.lstrip().startswith("found "))
    assert line.endswith("<- only by the informed player (300)")


def test_a_wrong_conclusion_that_goes_somewhere_is_acted_on_when_said(tmp_path: Path) -> None:
    # Blaming the clerk out loud takes the player straight to the shop: the accusation is the act.
    text = (Path(__file__).parent / "data" / "board" / "story.yaml").read_text()
    said = text.replace("        conclude: true\n", "        conclude: true\n        goto: street.wrong\n", 1)
    assert said != text
    (tmp_path / "story.yaml").write_text(said)
    story = loader.load(tmp_path).story
    assert story.questions["thief"].outcome("blame_clerk").goto == "street.wrong"
    blind = playtest(story, runs=200, seed=4).questions.stats["blind"]
    assert blind["thief"].concluded_wrong > 0 and blind["thief"].acted_on == blind["thief"].concluded_wrong
