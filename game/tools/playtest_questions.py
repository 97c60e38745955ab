"""What playtest learns about each question: how often it is reached, solved at the
first try, how many wrong answers it costs, and how often a wrong conclusion is
acted on; for the two players playtest plays.

- the **blind** player guesses: it fills every blank with a random candidate it
  holds, and pays for it;
- the **informed** player knows the answers: it answers a question only when it
  can answer it right, and then does.

A question is *reached* in a run when the player stands where it is asked while
it is open. A wrong conclusion is *acted on* when, with the question closed that
way, the run takes a choice whose condition (or one of whose branches) reads
that conclusion (positively: `concluded.q.o`, not under a `not`), or when the
conclusion is itself the act: its outcome goes somewhere (`goto`) or ends the
game, as an accusation made out loud does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..conditions import BoolOp, Node, Not, Ref
from ..questions import answer_id, parse_answer
from ..rules import Rules
from ..state import Playthrough
from ..story import EndGame, Outcome, Story

PLAYERS = ("blind", "informed")


@dataclass
class QuestionStats:
    reached: int = 0  # runs in which it was open where the player stood
    answered: int = 0  # runs in which it was answered at least once
    first_try: int = 0  # runs whose first answer to it was right
    solved: int = 0  # runs that ended with it answered right
    wrong: int = 0  # wrong answers, over all runs (pinned wrong answers of a batch too)
    concluded_wrong: int = 0  # runs that closed it with a wrong conclusion
    acted_on: int = 0  # runs that then took a choice needing that conclusion

    def to_json(self, runs: int) -> dict[str, Any]:
        return {**self.__dict__, "mean_wrong": round(self.wrong / self.reached, 3) if self.reached else None,
                "reached_share": round(self.reached / runs, 4) if runs else 0.0}


@dataclass
class RunQuestions:
    """What one run did with the questions (folded into the tallies at its end)."""

    reached: set[str] = field(default_factory=set)
    first: dict[str, bool] = field(default_factory=dict)
    wrong: dict[str, int] = field(default_factory=dict)
    acted: set[str] = field(default_factory=set)


class QuestionTally:
    def __init__(self, story: Story, rules: Rules):
        self.story = story
        self.rules = rules
        self.stats: dict[str, dict[str, QuestionStats]] = {p: {q: QuestionStats() for q in story.questions}
                                                           for p in PLAYERS}
        self.runs = dict.fromkeys(PLAYERS, 0)
        # (scene, choice) -> the (question, conclusion) its condition needs
        self.needs: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for scene in story.scenes.values():
            for choice in scene.choices:
                # the choice's condition, or a branch of it (a choice that goes elsewhere for it)
                wanted: set[tuple[str, str]] = set()
                for condition in (choice.condition, *(b.condition for b in choice.branches)):
                    if condition is not None:
                        wanted |= _conclusions(condition.tree)
                if wanted:
                    self.needs[(scene.id, choice.id)] = wanted

    # -- choosing ------------------------------------------------------------------

    def asks(self, pt: Playthrough, informed: bool) -> list[str]:
        """The open questions here that this player would answer now (ids)."""
        rules = self.rules.questions
        result = []
        for question in rules.open_here(pt):
            if rules.locked_for(question, pt):
                continue
            if informed:
                if any(o.correct for o, _ in rules.representatives(question, pt)):
                    result.append(question.id)
            elif all(rules.candidates(question, slot, pt) for slot in question.slots):
                result.append(question.id)
        return result

    def answer(self, pt: Playthrough, question_id: str, informed: bool, rng: random.Random) -> str:
        """The move this player makes on a question: a blind guess, or the right answer."""
        rules = self.rules.questions
        question = self.story.questions[question_id]
        if informed:
            values = next(v for o, v in rules.representatives(question, pt) if o.correct)
            return answer_id(question_id, values)
        return answer_id(question_id, {slot.id: rng.choice(rules.candidates(question, slot, pt))
                                       for slot in question.slots})

    # -- watching a run ------------------------------------------------------------

    def before(self, run: RunQuestions, pt: Playthrough) -> None:
        for question in self.rules.questions.open_here(pt):
            run.reached.add(question.id)

    def after(self, run: RunQuestions, pt_before: Playthrough, move: str, pt: Playthrough) -> None:
        """Record a move just taken (pt_before: the state it was taken in, only its scene and answers read)."""
        parsed = parse_answer(move)
        if parsed is not None:
            question = self.story.questions[parsed[0]]
            correct = question.judge(parsed[1]).correct
            run.first.setdefault(question.id, correct)
            outcome = question.judge(parsed[1])
            if not correct and not outcome.conclude:
                run.wrong[question.id] = run.wrong.get(question.id, 0) + 1
            elif not correct and _acts(outcome) and question.id in pt.answers:
                run.acted.add(question.id)  # the conclusion was said out loud, and the story moved on it
            return
        for question_id, outcome in self.needs.get((pt_before.scene, move), ()):
            conclusion = pt_before.answers.get(question_id)
            if conclusion is not None and conclusion.outcome == outcome:
                run.acted.add(question_id)

    def finish(self, run: RunQuestions, pt: Playthrough, informed: bool) -> None:
        player = PLAYERS[informed]
        self.runs[player] += 1
        stats = self.stats[player]
        for question_id in run.reached:
            stats[question_id].reached += 1
        for question_id, right in run.first.items():
            stats[question_id].answered += 1
            stats[question_id].first_try += right
        for question_id, count in run.wrong.items():
            stats[question_id].wrong += count
        for question_id, conclusion in pt.answers.items():
            if conclusion.outcome == "right":
                stats[question_id].solved += 1
            else:
                stats[question_id].concluded_wrong += 1
        for question_id in run.acted:
            stats[question_id].acted_on += 1

    # -- reporting ------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {player: {"runs": self.runs[player],
                         "questions": {q: s.to_json(self.runs[player]) for q, s in self.stats[player].items()}}
                for player in PLAYERS if self.runs[player]}

    def lines(self) -> list[str]:
        if not self.story.questions:
            return []
        width = max(len(q) for q in self.story.questions)
        lines = ["Questions: reached (share of runs); solved at the first try (of runs that answered); mean "
                 "wrong answers (per run that reached it); wrong conclusions, and how often one was acted on"]
        for player in PLAYERS:
            runs = self.runs[player]
            if not runs:
                continue
            lines.append(f"  {player} player ({runs:,} runs):")
            for question_id, s in self.stats[player].items():
                if not s.reached:
                    lines.append(f"    {question_id:<{width}}  never reached")
                    continue
                first = f"{s.first_try / s.answered:6.1%}" if s.answered else "     -"
                mean = s.wrong / s.reached
                acted = f", acted on in {s.acted_on:,}" if s.concluded_wrong else ""
                lines.append(f"    {question_id:<{width}}  reached {s.reached / runs:6.1%}  first try {first}  "
                             f"wrong {mean:5.2f}  wrong conclusions {s.concluded_wrong:,}{acted}")
        return lines


def _conclusions(node: Node, negated: bool = False) -> set[tuple[str, str]]:
    """The (question, conclusion id) a condition reads positively (not under 'not'): with that
    conclusion held, taking the choice acts on it."""
    if isinstance(node, Ref):  # only a named wrong conclusion: `concluded.q` alone holds either way
        if node.kind == "concluded" and not negated:
            question, _, outcome = node.name.partition(".")
            return set() if outcome in ("", "right") else {(question, outcome)}
        return set()
    if isinstance(node, Not):
        return _conclusions(node.operand, not negated)
    if isinstance(node, BoolOp) and not negated:
        found: set[tuple[str, str]] = set()
        for operand in node.operands:
            found |= _conclusions(operand)
        return found
    return set()


def _acts(outcome: Outcome) -> bool:
    """Whether answering this way moves the story by itself: it goes somewhere, or ends the game."""
    return outcome.goto is not None or any(isinstance(e, EndGame) for e in outcome.effects)
