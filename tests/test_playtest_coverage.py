"""playtest tells rare from impossible: coverage-guided runs reach what uniform random runs never
do, the report gives check's verdict beside "seen in k runs", and --save-walkthroughs keeps a
replayable run per ending."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

from support import ROOT

from game import loader, saves
from game.cli import main
from game.engine import Engine
from game.tools import playtest_report
from game.tools.playtest import Playtester, playtest
from game.tools.verdicts import Verdicts, of_story
from game.tools.walkthrough import replay_problems

DATA = ROOT / "tests" / "data"
LOCK = DATA / "playtest" / "deep_lock"
LIGHTHOUSE = ROOT / "examples" / "lighthouse"


def _playtest(*args: object) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["playtest", *map(str, args)], stdout=out)
    return code, out.getvalue()


def _row(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if line.lstrip().startswith(name + " "))


def _replays_to_its_ending(path: Path, engine: Engine, ending: str) -> dict:
    doc = saves.read_doc(path)
    assert doc["kind"] == "walkthrough" and doc["expect"]["ending"] == ending
    result = engine.replay(saves.log_of(doc), doc["seed"])
    assert result.ok and result.playthrough.ending == ending
    assert replay_problems(engine, doc) == []
    return doc


def test_a_48_turn_combination_is_never_opened_at_random_but_found_by_default(tmp_path: Path) -> None:
    story = loader.load(LOCK).story
    random_runs = playtest(story, runs=5000, seed=0)  # the uniform player: one chance in 3**48 a run
    assert random_runs.endings["cracked"] == 0 and random_runs.endings["walked_away"] == 5000

    code, text = _playtest(LOCK, "--out", tmp_path / "replays", "--save-walkthroughs", tmp_path / "walks")
    assert code == 0, text
    assert "coverage-guided runs" in text
    row = _row(text, "cracked")
    assert "proven reachable" in row and "seen in       0" not in row and "<-" not in row
    walk = _replays_to_its_ending(tmp_path / "walks" / "cracked.json", Engine(story), "cracked")
    assert len(walk["log"]) >= 49  # 48 turns of the dial and the handle
    code, random_text = _playtest(LOCK, "--random", "-n", "300", "--out", tmp_path / "replays")
    assert "rare, not impossible: check has a path there" in _row(random_text, "cracked")


def test_a_default_run_reaches_every_ending_check_proves_reachable_on_the_lighthouse(tmp_path: Path) -> None:
    out = io.StringIO()
    code = main(["playtest", str(LIGHTHOUSE), "--json", "--out", str(tmp_path)], stdout=out)
    doc = json.loads(out.getvalue())
    assert code == 0 and doc["mode"] == "coverage" and doc["contradictions"] == []
    endings = doc["verdicts"]["endings"]
    assert {e for e, row in endings.items() if row["verdict"] == "proven reachable"} == set(endings)
    assert all(row["runs"] > 0 for row in endings.values()), endings
    assert all(row["runs"] > 0 for row in doc["verdicts"]["scenes"].values())


def test_the_real_story_every_ending_check_proves_reachable_is_reached_in_a_default_run() -> None:
    """300 runs: the first 300 of a default run with the same seed are these very runs (each run's
    seed comes from one generator in turn, and the guide learns only from the runs before), so what
    they reach, the default run reaches; the whole 1,000 would cost this suite half a minute."""
    story = loader.load(ROOT / "story").story
    report = playtest(story, runs=300, seed=0, guided=True)
    report.verdicts = of_story(story)
    proven = {e for e in story.endings if report.verdicts.ending(e) == "proven reachable"}
    assert proven  # check proves most of them; the test is that none of those is missed
    assert {e for e in proven if not report.runs_reaching(e)} == set()
    assert report.ok and not report.contradictions


def test_each_scene_and_ending_says_proven_unreachable_or_seen(tmp_path: Path) -> None:
    code, text = _playtest(DATA / "analysis" / "unreachable_scene", "-n", "50", "--out", tmp_path)
    assert code == 0
    for scene in ("office.vault", "office.attic", "office.orphan"):
        row = _row(text, scene)
        assert "proven unreachable" in row and "seen in       0 runs" in row and "<-" not in row
    row = _row(text, "office.desk")
    assert "proven reachable" in row and "seen in      50 runs" in row
    code, text = _playtest(DATA / "analysis" / "unreachable_ending", "-n", "50", "--out", tmp_path)
    assert code == 0 and "proven unreachable" in _row(text, "rich") and "proven reachable" in _row(text, "broke")


def test_what_check_leaves_undecided_is_unknown_and_says_why(tmp_path: Path) -> None:
    """The vault needs two flags no choice ever sets together: only a finished search proves it."""
    story_dir = DATA / "playtest" / "undecided"
    story = loader.load(story_dir).story
    report = playtest(story, runs=30, seed=1, guided=True)
    report.verdicts = of_story(story, budget=3)  # a search cut short
    text = playtest_report.format_report(report)
    assert "check could not decide everything: the search stopped at its budget of 3 states" in text
    row = _row(text, "hall.vault")
    assert "unknown" in row and "seen in       0 runs" in row and "<- never entered, and check could not decide" in row
    assert report.to_json()["verdicts"]["scenes"]["hall.vault"] == {"verdict": "unknown", "runs": 0}
    # With the default budget the search finishes, and the same row is a proof.
    code, text = _playtest(story_dir, "-n", "30", "--out", tmp_path)
    assert code == 0 and "proven unreachable" in _row(text, "hall.vault") and "<-" not in _row(text, "hall.vault")


def test_a_run_that_reaches_what_check_calls_unreachable_fails_as_a_contradiction() -> None:
    story = loader.load(LIGHTHOUSE).story
    report = playtest(story, runs=50, seed=1, guided=True)
    honest = of_story(story)
    report.verdicts = Verdicts(honest.reachable - {story.start}, honest.unreachable | {story.start})
    assert not report.ok and report.contradictions == [f"scene {story.start}"]
    text = playtest_report.format_report(report)
    assert "CONTRADICTION: check says it cannot be reached" in _row(text, story.start)
    assert text.rstrip().endswith("1 contradictions")


def test_save_walkthroughs_keeps_the_shortest_run_per_ending_and_leaves_other_files_alone(tmp_path: Path) -> None:
    story = loader.load(LIGHTHOUSE).story
    engine = Engine(story)
    walks = tmp_path / "walks"
    code, out = _playtest(LIGHTHOUSE, "-n", "300", "--json", "--out", tmp_path / "r", "--save-walkthroughs", walks)
    doc = json.loads(out)
    reached = {e for e, n in doc["endings"].items() if n}
    assert code == 0 and {p.stem for p in walks.glob("*.json")} == reached == set(story.endings)
    for ending in reached:
        _replays_to_its_ending(walks / f"{ending}.json", engine, ending)
        assert run_replay(walks / f"{ending}.json") == 0
    # The shortest seen: the shortest run of all is the walkthrough of its ending.
    shortest = doc["shortest"]
    assert len(saves.read_doc(walks / f"{shortest['ending']}.json")["log"]) == shortest["turns"]
    # A second playtest replaces its own files; a file it did not write stops it, untouched.
    assert _playtest(LIGHTHOUSE, "-n", "50", "--out", tmp_path / "r", "--save-walkthroughs", walks)[0] == 0
    mine = walks / "truth.json"
    shutil.copy(DATA / "walkthroughs" / "lighthouse" / "truth.json", mine)
    before = mine.read_bytes()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code, _ = _playtest(LIGHTHOUSE, "-n", "50", "--out", tmp_path / "r", "--save-walkthroughs", walks)
    assert code == 1 and "was not written by playtest" in err.getvalue()
    assert len(err.getvalue().strip().splitlines()) == 1 and mine.read_bytes() == before


def run_replay(path: Path) -> int:
    return main(["replay", str(path), "--story", str(LIGHTHOUSE)], stdout=io.StringIO())


def test_questions_every_outcome_and_every_slot_value_is_tried_and_both_endings_met() -> None:
    """The coverage player answers each question once per outcome (right, each response, wrong)
    and puts every candidate it holds into every slot at least once."""
    story = loader.load(DATA / "board").story
    tester = Playtester(story, guided=True)
    report = tester.run(runs=100, seed=2)
    assert {e for e in story.endings if report.runs_reaching(e)} == set(story.endings)
    assert report.questions is None  # per-question odds are the random players' (--random)
    guide = tester.guide
    assert {("office.board", f"answer:thief:{o}") for o in ("right", "blame_clerk", "wrong")} <= guide.taken
    assert {v for q, slot, v in guide.slots_tried if (q, slot) == ("pet", "kind")} == {"cat", "parrot", "ferret"}
    assert {v for q, slot, v in guide.slots_tried if (q, slot) == ("thief", "who")} >= {"owner", "clerk"}
