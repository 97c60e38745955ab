"""`play.py playtest`: thousands of random playthroughs, and what they found.

Like ChoiceScript's randomtest: each run starts a new playthrough and picks
uniformly among the choices on offer until an ending, a dead end (nothing on
offer), an engine error, or ``--max-turns``. An open question counts as one
thing on offer: the random player answers it blindly (a random candidate in
every blank) and pays for it. In a story with questions, as many runs again
are played by an informed player, who answers a question only when it can
answer it right; game.tools.playtest_questions reports, per question and
player, how often it was reached, solved at the first try, how many wrong
answers it cost and how often a wrong conclusion was acted on. One Engine (one transitions
Machine) serves every run; ``Engine.start`` resets the playthrough, which
costs nothing, where building a machine costs O(scenes).

Reproducible: ``--seed`` seeds a generator that hands every run its own
seed, and a run's choices depend only on that seed, so the same seed gives
the same report (the JSON report holds no timings for that reason).

Every run that went wrong — an engine error, a dead end, or no ending within
``--max-turns`` ("stuck") — is written as a replay file in the save format
(game.saves), which ``play.py replay FILE`` or ``--load`` reproduces.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import saves
from ..engine import Engine
from ..rules import DEDUCE
from ..state import LogEntry, Playthrough
from ..story import Story
from .coverage import CoverageGuide
from .playtest_questions import QuestionTally, RunQuestions
from .verdicts import UNREACHABLE, Verdicts

DEFAULT_RUNS = 1000
DEFAULT_MAX_TURNS = 500
MAX_REPLAYS_PER_KIND = 10  # replay files written for each kind of problem
ASKED = "\0ask:"  # a candidate that stands for answering an open question (never a choice id)


@dataclass
class Problem:
    kind: str  # "engine-error" | "dead-end" | "stuck"
    run: int
    seed: int
    turn: int
    scene: str
    choice: str = ""  # the choice that failed (engine errors)
    message: str = ""
    replay: str = ""  # the replay file, if one was written

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class RunSummary:
    run: int
    seed: int
    turns: int
    ending: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Kept:
    """The shortest run that reached an ending: enough to replay it."""

    run: int
    seed: int
    log: list[LogEntry]


@dataclass
class Report:
    story: Story
    runs: int
    seed: int
    max_turns: int
    guided: bool = False  # coverage-guided runs (counts are "seen in k runs", not odds)
    choices: int = 0
    seconds: float = 0.0
    endings: Counter = field(default_factory=Counter)
    errors: list[Problem] = field(default_factory=list)  # engine errors and dead ends
    stuck: list[Problem] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    taken: set[tuple[str, str]] = field(default_factory=set)
    clue_turns: dict[str, list[int]] = field(default_factory=dict)
    shortest: RunSummary | None = None
    longest: RunSummary | None = None
    questions: QuestionTally | None = None
    informed_endings: Counter = field(default_factory=Counter)  # endings the informed player reached
    informed_choices: int = 0
    kept: dict[str, Kept] = field(default_factory=dict)  # ending -> its shortest run
    scene_runs: Counter = field(default_factory=Counter)  # scene -> runs (of either player) that entered it
    verdicts: Verdicts | None = None  # check's verdict on each scene and ending, if it was asked
    walkthroughs: list[Path] = field(default_factory=list)  # written by --save-walkthroughs

    @property
    def ok(self) -> bool:
        return not self.errors and not self.contradictions

    def runs_reaching(self, ending: str) -> int:
        """Runs of either player that reached the ending."""
        return self.endings.get(ending, 0) + self.informed_endings.get(ending, 0)

    @property
    def contradictions(self) -> list[str]:
        """Scenes and endings a run reached that check calls unreachable: check is wrong there
        (a run is a path the engine took), which is a bug in check, never in the story."""
        if self.verdicts is None:
            return []
        found = [f"scene {s}" for s in self.story.scenes
                 if self.scene_runs.get(s) and self.verdicts.scene(s) == UNREACHABLE]
        found += [f"ending {e}" for e in self.story.endings
                  if self.runs_reaching(e) and self.verdicts.ending(e) == UNREACHABLE]
        return found

    def verdict_table(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Per scene and per ending: check's verdict (None if not asked) and the runs that got there."""
        verdicts = self.verdicts
        return {
            "scenes": {s: {"verdict": verdicts.scene(s) if verdicts else None, "runs": self.scene_runs.get(s, 0)}
                       for s in self.story.scenes},
            "endings": {e: {"verdict": verdicts.ending(e) if verdicts else None, "runs": self.runs_reaching(e)}
                        for e in self.story.endings},
        }

    @property
    def unvisited_scenes(self) -> list[str]:
        return [s for s in self.story.scenes if s not in self.visited]

    @property
    def untaken_choices(self) -> list[str]:
        return [f"{scene}:{choice}" for scene, choice in all_choices(self.story)
                if (scene, choice) not in self.taken]

    def clue_table(self) -> dict[str, dict[str, Any]]:
        table = {}
        for clue in self.story.clues:
            turns = self.clue_turns.get(clue, [])
            table[clue] = {
                "found_share": round(len(turns) / self.runs, 4) if self.runs else 0.0,
                "mean_turn": round(statistics.fmean(turns), 2) if turns else None,
                "median_turn": statistics.median(turns) if turns else None,
            }
        return table

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "mode": "coverage" if self.guided else "random",
            "runs": self.runs,
            "seed": self.seed,
            "max_turns": self.max_turns,
            "choices": self.choices,
            "errors": [p.to_json() for p in self.errors],
            "stuck": [p.to_json() for p in self.stuck],
            "endings": {e: self.endings.get(e, 0) for e in self.story.endings},
            "unvisited_scenes": self.unvisited_scenes,
            "untaken_choices": self.untaken_choices,
            "clues": self.clue_table(),
            "shortest": self.shortest.to_json() if self.shortest else None,
            "longest": self.longest.to_json() if self.longest else None,
            "questions": self.questions.to_json() if self.questions else {},
            "informed_endings": {e: self.informed_endings.get(e, 0) for e in self.story.endings}
            if self.story.questions and not self.guided else {},
            "walkthroughs": [str(p) for p in self.walkthroughs],
            "verdicts": self.verdict_table(),
            "unknown_because": self.verdicts.why_unknown if self.verdicts else None,
            "contradictions": self.contradictions,
        }


def all_choices(story: Story) -> list[tuple[str, str]]:
    """Every (scene, choice id) a player could take, deductions at case boards included."""
    found = []
    for scene in story.scenes.values():
        found.extend((scene.id, c.id) for c in scene.choices)
        if scene.case_board:
            found.extend((scene.id, DEDUCE + d.id) for d in story.deductions.values())
    return found


class Playtester:
    def __init__(self, story: Story, out_dir: Path | None = None, engine: Engine | None = None,
                 guided: bool = False):
        self.story = story
        self.engine = engine or Engine(story)
        self.out_dir = out_dir
        self.guide = CoverageGuide(story, self.engine) if guided else None
        self._written: Counter = Counter()
        # A scene's own choices; deductions and questions are looked up by what the player holds
        # (a case board offers only those open, so a pick costs what is open, not the story's size).
        self._choice_ids = {scene.id: [c.id for c in scene.choices] for scene in story.scenes.values()}
        self.tally = QuestionTally(story, self.engine)

    def run(self, runs: int = DEFAULT_RUNS, seed: int = 0, max_turns: int = DEFAULT_MAX_TURNS) -> Report:
        report = Report(self.story, runs, seed, max_turns, guided=self.guide is not None)
        report.questions = None if report.guided else self.tally
        if self.out_dir is not None and self.out_dir.is_dir():
            # Replays from an earlier playtest would be mistaken for this one's.
            for old in self.out_dir.glob(f"playtest-*{saves.SUFFIX}"):
                old.unlink(missing_ok=True)
        seeds = random.Random(seed)
        started = time.perf_counter()  # for the text report only; the JSON holds no timings
        for index in range(1, runs + 1):
            self._one(report, index, seeds.randrange(2**31), max_turns)
        if self.story.questions and self.guide is None:  # as many runs again, by a player who knows the answers
            for index in range(runs + 1, 2 * runs + 1):
                self._one(report, index, seeds.randrange(2**31), max_turns, informed=True)
        report.seconds = time.perf_counter() - started
        return report

    def _one(self, report: Report, index: int, run_seed: int, max_turns: int, informed: bool = False) -> None:
        engine = self.engine
        rng = random.Random(run_seed)
        pt, _ = engine.start(run_seed)
        problem: Problem | None = None
        asked = RunQuestions()
        guide = self.guide
        watch = bool(self.story.questions) and guide is None
        if guide is not None:
            guide.arrive(pt)
        while pt.ending is None:
            if pt.turn >= max_turns:
                problem = Problem("stuck", index, run_seed, pt.turn, pt.scene,
                                  message=f"no ending within {max_turns} turns")
                break
            try:
                if watch:
                    self.tally.before(asked, pt)
                if guide is not None:
                    moves = engine.available(pt)
                    choice = guide.pick(pt, moves, rng) if moves else None
                else:
                    choice = self._pick(pt, rng, informed)
            except Exception as exc:  # a condition that fails to evaluate is an engine error too
                problem = Problem("engine-error", index, run_seed, pt.turn + 1, pt.scene, "",
                                  f"{type(exc).__name__} while testing the choices: {exc}")
                break
            if choice is None:
                problem = Problem("dead-end", index, run_seed, pt.turn, pt.scene,
                                  message=f"nothing can be chosen in scene '{pt.scene}'")
                break
            scene, turn = pt.scene, len(pt.log) + 1
            before = Playthrough(scene, answers=dict(pt.answers)) if watch else pt
            try:
                engine.choose(pt, choice)
            except Exception as exc:  # any engine failure is a finding, never a crash of the tool
                problem = Problem("engine-error", index, run_seed, turn, scene, choice,
                                  f"{type(exc).__name__}: {exc}")
                del pt.log[turn - 1:]
                break
            if watch:
                self.tally.after(asked, before, choice, pt)
            if guide is not None:
                guide.record(scene, choice, pt)
        if watch:
            self.tally.finish(asked, pt, informed)
        if informed:  # the informed runs count for the questions, their own endings and coverage
            report.informed_choices += len(pt.log)
            report.scene_runs.update(pt.visited.keys())
            report.visited.update(pt.visited)  # a scene behind a right answer is reachable too
            report.taken.update((e.scene, e.choice) for e in pt.log)
            if problem is not None and problem.kind != "stuck":
                problem.replay = self._write_replay(problem, pt)
                report.errors.append(problem)
            elif pt.ending is not None:
                report.informed_endings[pt.ending] += 1
                _keep(report, index, run_seed, pt)
            return
        report.choices += len(pt.log)
        report.scene_runs.update(pt.visited.keys())
        report.visited.update(pt.visited)
        report.taken.update((e.scene, e.choice) for e in pt.log)
        for clue, found in pt.clues.items():
            report.clue_turns.setdefault(clue, []).append(found.turn)
        if problem is not None:
            problem.replay = self._write_replay(problem, pt)
            (report.stuck if problem.kind == "stuck" else report.errors).append(problem)
            return
        assert pt.ending is not None
        report.endings[pt.ending] += 1
        _keep(report, index, run_seed, pt)
        summary = RunSummary(index, run_seed, pt.turn, pt.ending)
        if report.shortest is None or summary.turns < report.shortest.turns:
            report.shortest = summary
        if report.longest is None or summary.turns > report.longest.turns:
            report.longest = summary

    def _pick(self, pt: Playthrough, rng: random.Random, informed: bool = False) -> str | None:
        """A move drawn uniformly from those that can be taken now (None: there are none).

        Draws candidates in a random order and takes the first that is open:
        the first open entry of a random permutation is uniform among the open
        ones, and most turns test two or three choices instead of all of them.
        The ready deductions and open questions here are added to the scene's
        choices (an open question is one candidate, answered as this player does).
        """
        candidates = list(self._choice_ids[pt.scene])
        engine = self.engine
        if engine.deductions_by_clue:
            candidates.extend(DEDUCE + d.id for d in engine.ready_deductions(pt))
        # Answering is one candidate however many questions are open (the player walks up to the
        # board once, then picks one of them): otherwise a board with five open questions would
        # hold a random player five times as long as a real one, guessing.
        asks = self.tally.asks(pt, informed) if self.story.questions else []
        if asks:
            candidates.append(ASKED)
        while candidates:
            index = rng.randrange(len(candidates))
            choice = candidates[index]
            if choice == ASKED:
                return self.tally.answer(pt, rng.choice(asks), informed, rng)
            if choice.startswith(DEDUCE) or engine.why_locked(pt, choice) is None:
                return choice
            candidates[index] = candidates[-1]
            candidates.pop()
        return None

    def _write_replay(self, problem: Problem, pt: Playthrough) -> str:
        """A save-format file whose log leads to the problem ('' if none is written)."""
        if self.out_dir is None or self._written[problem.kind] >= MAX_REPLAYS_PER_KIND:
            return ""
        self._written[problem.kind] += 1
        if problem.kind == "engine-error":
            # The failed choice may have left pt half-changed: rebuild the state
            # before it, then log the failing choice last, so replaying the file
            # fails at exactly that turn. (No choice: testing the choices failed;
            # the file then leads to the state where it did.)
            before = self.engine.replay(pt.log, problem.seed).playthrough
            before.log = [*pt.log, LogEntry(problem.scene, problem.choice)] if problem.choice else list(pt.log)
            pt = before
        slot = f"playtest-{problem.kind}-{problem.run}"
        path = self.out_dir / f"{slot}{saves.SUFFIX}"
        saves.write_doc(path, saves.make_save(self.story, pt, slot))
        return str(path)


def _keep(report: Report, index: int, run_seed: int, pt: Playthrough) -> None:
    """Keep the run if it is the shortest yet to its ending (the nicest walkthrough)."""
    assert pt.ending is not None
    kept = report.kept.get(pt.ending)
    if kept is None or len(pt.log) < len(kept.log):
        report.kept[pt.ending] = Kept(index, run_seed, list(pt.log))


def playtest(story: Story, runs: int = DEFAULT_RUNS, seed: int = 0, max_turns: int = DEFAULT_MAX_TURNS,
             out_dir: Path | None = None, guided: bool = False) -> Report:
    return Playtester(story, out_dir, guided=guided).run(runs, seed, max_turns)


from .playtest_report import format_report  # noqa: E402, F401  (the text report lives there)
