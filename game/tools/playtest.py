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
from .playtest_questions import QuestionTally, RunQuestions

DEFAULT_RUNS = 1000
DEFAULT_MAX_TURNS = 500
MAX_REPLAYS_PER_KIND = 10  # replay files written for each kind of problem
MAX_LISTED = 5  # problems of each kind listed in the text report
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
class Report:
    story: Story
    runs: int
    seed: int
    max_turns: int
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

    @property
    def ok(self) -> bool:
        return not self.errors

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
            if self.story.questions else {},
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
    def __init__(self, story: Story, out_dir: Path | None = None, engine: Engine | None = None):
        self.story = story
        self.engine = engine or Engine(story)
        self.out_dir = out_dir
        self._written: Counter = Counter()
        # A scene's own choices; deductions and questions are looked up by what the player holds
        # (a case board offers only those open, so a pick costs what is open, not the story's size).
        self._choice_ids = {scene.id: [c.id for c in scene.choices] for scene in story.scenes.values()}
        self.tally = QuestionTally(story, self.engine)

    def run(self, runs: int = DEFAULT_RUNS, seed: int = 0, max_turns: int = DEFAULT_MAX_TURNS) -> Report:
        report = Report(self.story, runs, seed, max_turns)
        report.questions = self.tally
        if self.out_dir is not None and self.out_dir.is_dir():
            # Replays from an earlier playtest would be mistaken for this one's.
            for old in self.out_dir.glob(f"playtest-*{saves.SUFFIX}"):
                old.unlink(missing_ok=True)
        seeds = random.Random(seed)
        started = time.perf_counter()  # for the text report only; the JSON holds no timings
        for index in range(1, runs + 1):
            self._one(report, index, seeds.randrange(2**31), max_turns)
        if self.story.questions:  # as many runs again, by a player who knows the answers
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
        watch = bool(self.story.questions)
        while pt.ending is None:
            if pt.turn >= max_turns:
                problem = Problem("stuck", index, run_seed, pt.turn, pt.scene,
                                  message=f"no ending within {max_turns} turns")
                break
            try:
                if watch:
                    self.tally.before(asked, pt)
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
        if watch:
            self.tally.finish(asked, pt, informed)
        if informed:  # the informed runs count for the questions, their own endings and coverage
            report.informed_choices += len(pt.log)
            report.visited.update(pt.visited)  # a scene behind a right answer is reachable too
            report.taken.update((e.scene, e.choice) for e in pt.log)
            if problem is not None and problem.kind != "stuck":
                problem.replay = self._write_replay(problem, pt)
                report.errors.append(problem)
            elif pt.ending is not None:
                report.informed_endings[pt.ending] += 1
            return
        report.choices += len(pt.log)
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


def playtest(story: Story, runs: int = DEFAULT_RUNS, seed: int = 0, max_turns: int = DEFAULT_MAX_TURNS,
             out_dir: Path | None = None) -> Report:
    return Playtester(story, out_dir).run(runs, seed, max_turns)


# --- the text report -----------------------------------------------------


def format_report(report: Report) -> str:
    story = report.story
    lines = []
    played = report.choices + report.informed_choices
    rate = f", {played / report.seconds:,.0f} choices/s" if report.seconds > 0 else ""
    informed = f" (and {report.runs:,} informed runs, {report.informed_choices:,} choices)" \
        if report.informed_choices else ""
    lines.append(f"Playtest of {story.title}: {report.runs:,} runs (seed {report.seed}), "
                 f"{report.choices:,} choices{informed} in {report.seconds:.1f} s{rate}")
    lines.append("")
    lines.append("Endings:")
    width = max((len(e) for e in story.endings), default=0)
    for ending_id, ending in story.endings.items():
        count = report.endings.get(ending_id, 0)
        share = count / report.runs if report.runs else 0
        informed = report.informed_endings.get(ending_id, 0)
        mark = "" if count else f"   <- only by the informed player ({informed:,})" if informed \
            else "   <- never reached"
        lines.append(f"  {ending_id:<{width}}  {count:>7,}  {share:6.1%}  {ending.title}{mark}")
    if report.shortest and report.longest:
        s, long_ = report.shortest, report.longest
        lines.append(f"Shortest run: {_turns(s.turns)} (run {s.run}, seed {s.seed}, {s.ending}); "
                     f"longest: {_turns(long_.turns)} (run {long_.run}, seed {long_.seed}, {long_.ending})")
    lines.append("")
    if report.stuck:
        lines.append(f"Stuck: {len(report.stuck):,} runs reached no ending within {report.max_turns} turns "
                     "(a loop with no way out, or raise --max-turns):")
        lines.extend(_problem_line(p) for p in report.stuck[:MAX_LISTED])
        if len(report.stuck) > MAX_LISTED:
            lines.append(f"  ... and {len(report.stuck) - MAX_LISTED:,} more (all in --json)")
    if report.errors:
        lines.append(f"ERRORS: {len(report.errors):,} runs failed:")
        lines.extend(_problem_line(p) for p in report.errors[:MAX_LISTED])
        if len(report.errors) > MAX_LISTED:
            lines.append(f"  ... and {len(report.errors) - MAX_LISTED:,} more (all in --json)")
    unvisited = report.unvisited_scenes
    lines.append(f"Scenes never visited ({len(unvisited)}): {', '.join(unvisited) if unvisited else 'none'}")
    untaken = report.untaken_choices
    in_visited = [c for c in untaken if c.split(":", 1)[0] in report.visited]
    elsewhere = len(untaken) - len(in_visited)
    more = f" (and {elsewhere} in scenes never visited)" if elsewhere else ""
    lines.append(f"Choices never taken in visited scenes ({len(in_visited)}): "
                 f"{', '.join(in_visited) if in_visited else 'none'}{more}")
    if story.clues:
        lines.append("")
        lines.append("Clues: share of runs that found it; turn first found (mean / median)")
        width = max(len(c) for c in story.clues)
        for clue, row in report.clue_table().items():
            if row["mean_turn"] is None:
                lines.append(f"  {clue:<{width}}  {0:6.1%}  never found")
            else:
                lines.append(f"  {clue:<{width}}  {row['found_share']:6.1%}  turn {row['mean_turn']:.1f} / "
                             f"{row['median_turn']:g}")
    if report.questions is not None and story.questions:
        lines.append("")
        lines.extend(report.questions.lines())
        reached = ", ".join(f"{e} {n:,}" for e, n in report.informed_endings.items() if n) or "none"
        lines.append(f"  endings the informed player reached: {reached}")
    lines.append("")
    verdict = "ok" if report.ok else "FAILED"
    lines.append(f"playtest {verdict}: {len(report.errors)} errors, {len(report.stuck)} stuck")
    return "\n".join(lines) + "\n"


def _problem_line(p: Problem) -> str:
    where = f"turn {p.turn}, scene '{p.scene}'" + (f", choice '{p.choice}'" if p.choice else "")
    replay = f" -> {p.replay}" if p.replay else ""
    return f"  run {p.run} (seed {p.seed}), {where}: {p.kind}: {p.message}{replay}"


def _turns(n: int) -> str:
    return f"{n} turn" if n == 1 else f"{n} turns"
