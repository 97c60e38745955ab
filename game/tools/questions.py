"""What `check` proves about questions, and how hard each one is to guess.

Built on the fast pass's result (game.tools.abstract: for every reachable
scene, what may be held there; an answer to a question is a move of its own
there, one per outcome). Because that pass over-approximates, "never" is a
proof:

- ``question-unsolvable``: no right answer can ever be given (the question
  never opens where it is asked, or a candidate the answer needs is never
  held there). An error when the question is ``required`` or something reads
  whether it was solved; a warning otherwise.
- ``candidate-never-held``: a candidate the question names (in ``among``, an
  answer or a response) is never held, or its person, place or thing never
  known, where and while the question is asked.
- ``question-no-decoy``: whenever the question can be asked, the player
  holds nothing but the answer: it cannot be got wrong, so it tests nothing.
- ``question-after-gate``: a choice reads that a question was solved (or
  concluded) where that can never be true yet, although it can be answered
  elsewhere: the answer only comes after the gate.

Soft-locks through questions (a wrong answer that costs the Control or the
clock a way out needs) are found by the soft-lock search, which steps
through every outcome of every open question like any other move.

``odds()`` is what `check --stats` prints: for each question, the chance
that a blind guesser, holding every candidate the player may hold there,
gets it right at the first try, and how many wrong tries that guesser can
expect to pay for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

from ..conditions import BoolOp, Node, Not, Ref
from ..diagnostics import Diagnostic
from ..story import Question, Slot, Story
from .abstract import TRUE, Analyzer, AState, Possibilities

MAX_ENUMERATED = 200_000  # answers counted one by one for the odds; beyond that, a sum over accepted answers


@dataclass
class Odds:
    question: str
    candidates: tuple[int, ...]  # per slot: how many candidates a player may hold there at most
    accepted: int  # full answers among those that are accepted
    batch_size: int = 1  # answers confirmed together (1: judged at once)
    batch_odds: float | None = None  # the chance a blind batch is confirmed at once

    @property
    def total(self) -> int:
        return math.prod(self.candidates) if self.candidates else 0

    @property
    def first_try(self) -> float:
        return self.accepted / self.total if self.total else 0.0

    @property
    def expected_wrong(self) -> float:
        """Wrong tries a blind guesser who never repeats an answer pays before the right one."""
        if not self.accepted:
            return float("inf")
        return (self.total - self.accepted) / (self.accepted + 1)

    def to_json(self) -> dict:
        return {"candidates": list(self.candidates), "answers": self.total, "accepted": self.accepted,
                "first_try": round(self.first_try, 6), "expected_wrong": round(self.expected_wrong, 3)
                if math.isfinite(self.expected_wrong) else None,
                "batch_size": self.batch_size,
                "batch_odds": None if self.batch_odds is None else round(self.batch_odds, 9)}


class QuestionCheck:
    def __init__(self, story: Story, poss: Possibilities, analyzer: Analyzer):
        self.story = story
        self.poss = poss
        self.analyzer = analyzer
        self.found: list[Diagnostic] = []
        self._enabled: dict[str, set[str]] | None = None
        # question id -> the abstract states of the reachable scenes where it may be open
        self.open_at: dict[str, list[AState]] = {}
        for scene_id, questions in analyzer.asked.items():
            state = poss.states.get(scene_id)
            if state is None or scene_id in poss.terminal:
                continue
            for question in questions:
                if self.may_be_open(question, state):
                    self.open_at.setdefault(question.id, []).append(state)

    def may_be_open(self, question: Question, state: AState) -> bool:
        analyzer = self.analyzer
        if not state.no_flags & analyzer.flag_bit[f"concluded.{question.id}"]:
            return False
        return question.opens is None or bool(analyzer.truth(question.opens, state) & TRUE)

    def enabled(self, question: Question) -> set[str]:
        """Ids of the question's outcomes that may be reached somewhere ('!' marks a right one)."""
        if self._enabled is None:  # one pass over every enabled move, not one per question
            self._enabled = {}
            for moves in self.poss.enabled.values():
                for m in moves:
                    if m.question is not None and m.outcome is not None:
                        self._enabled.setdefault(m.question.id, set()).add(
                            m.outcome.id + ("!" if m.outcome.correct else ""))
        return set(self._enabled.get(question.id, ()))

    # -- findings ----------------------------------------------------------------

    def run(self) -> list[Diagnostic]:
        gated = self.gated_questions()
        for question in self.story.questions.values():
            reached = self.enabled(question)
            states = self.open_at.get(question.id, [])
            if not any(name.endswith("!") for name in reached):
                severity = "error" if question.required or question.id in gated else "warning"
                self.found.append(Diagnostic(question.pos, severity, f"question '{question.id}' can never be "
                                  f"answered right: {self.why_unsolvable(question, states)}",
                                  "question-unsolvable"))
            elif states and not any(not name.endswith("!") for name in reached):
                self.found.append(Diagnostic(question.pos, "error", f"question '{question.id}' cannot be got "
                                  "wrong: wherever it is asked the player holds nothing but the answer "
                                  "(give a slot a candidate that is not the answer, one the player can hold)",
                                  "question-no-decoy"))
            if states:
                self.never_held(question, states)
        self.late_gates()
        return self.found

    def why_unsolvable(self, question: Question, states: list[AState]) -> str:
        if not self.analyzer.asked.get(question.at[0] if question.at else "", []) and not any(
                question in qs for qs in self.analyzer.asked.values()):
            return "no scene asks it (it has no 'at' and the story has no case board)"
        asked = [s for s, qs in self.analyzer.asked.items() if question in qs]
        if not any(s in self.poss.states for s in asked):
            return f"no scene that asks it can be reached ({_names(asked)})"
        if not states:
            opens = f" (opens: {question.opens.source})" if question.opens is not None else ""
            return f"it is never open where it is asked{opens}"
        missing = []
        for outcome in question.accepted:
            for slot_id, allowed in outcome.match:
                slot = question.slot(slot_id)
                assert slot is not None
                if not any(self.analyzer.may_hold(slot, allowed, state) for state in states):
                    missing.append(f"'{'/'.join(sorted(allowed))}' for '{slot_id}'")
        if missing:
            return f"the answer needs {', '.join(sorted(set(missing)))}, never held where and while it is asked"
        return "no right answer can be put together where it is asked"

    def never_held(self, question: Question, states: list[AState]) -> None:
        for slot in question.slots:
            if slot.pool == "options":
                continue
            named = set(slot.among)
            for outcome in question.outcomes:
                named |= dict(outcome.match).get(slot.id, frozenset())
            for value in sorted(named):
                if not any(self.analyzer.may_hold(slot, frozenset((value,)), state) for state in states):
                    what = "clue" if slot.pool == "clues" else {"people": "person", "places": "place",
                                                                 "things": "thing"}[slot.pool]
                    verb = "held" if slot.pool == "clues" else "known"
                    self.found.append(Diagnostic(slot.pos, "error", f"{what} '{value}', a candidate for slot "
                                      f"'{slot.id}' of question '{question.id}', is never {verb} where and "
                                      "while the question is asked", "candidate-never-held"))

    def gated_questions(self) -> set[str]:
        """Questions some choice or branch condition reads the answer of."""
        found: set[str] = set()
        for scene in self.story.scenes.values():
            for choice in scene.choices:
                for condition in (choice.condition, *(b.condition for b in choice.branches)):
                    if condition is not None:
                        found.update(name.split(".")[0] for kind, name in condition.refs
                                     if kind in ("solved", "concluded"))
        return found

    def late_gates(self) -> None:
        """Choices that need a question answered where it never can have been, yet."""
        reachable = {q: self.enabled(self.story.questions[q]) for q in self.story.questions}
        for scene_id, state in self.poss.states.items():
            scene = self.story.scenes[scene_id]
            for choice in scene.choices:
                if choice.condition is None:
                    continue
                for kind, name in sorted(_positive_refs(choice.condition.tree)):
                    question, _, outcome = name.partition(".")
                    if kind == "solved" or outcome == "right":
                        answerable = any(n.endswith("!") for n in reachable[question])
                    elif outcome:
                        answerable = outcome in reachable[question]
                    else:
                        answerable = any(n.endswith("!") or n in {r.id for r in self.story.questions[question]
                                         .responses if r.conclude} for n in reachable[question])
                    if answerable and not state.flags & self.analyzer.flag_bit[f"{kind}.{name}"]:
                        self.found.append(Diagnostic(choice.if_pos, "error", f"choice '{choice.id}' in scene "
                                          f"'{scene_id}' needs question '{question}' answered ({kind}.{name}), "
                                          "but the player can only answer it after leaving this point",
                                          "question-after-gate"))
                        break

    # -- odds --------------------------------------------------------------------

    def odds(self) -> dict[str, Odds]:
        result: dict[str, Odds] = {}
        for question in self.story.questions.values():
            states = self.open_at.get(question.id, [])
            pools = [self.holdable(question, slot, states) for slot in question.slots]
            result[question.id] = Odds(question.id, tuple(len(p) for p in pools), _accepted(question, pools),
                                       question.batch_size if question.batch else 1)
        batches: dict[str, list[Odds]] = {}
        for question in self.story.questions.values():
            if question.batch:
                batches.setdefault(question.batch, []).append(result[question.id])
        for members in batches.values():
            size = min(members[0].batch_size, len(members))
            best = sorted((m.first_try for m in members), reverse=True)[:size]
            for member in members:
                member.batch_odds = math.prod(best)
        return result

    def holdable(self, question: Question, slot: Slot, states: list[AState]) -> list[str]:
        """The candidates a player may hold for the slot somewhere the question is open."""
        if slot.pool == "options":
            return [o for o, _ in slot.options]
        if slot.pool == "clues":
            values = list(slot.among or self.story.clues)
        else:
            values = list(slot.among or [e.id for e in self.story.entities.values() if e.kind == slot.pool])
        return [v for v in values if any(self.analyzer.may_hold(slot, frozenset((v,)), s) for s in states)]


def _accepted(question: Question, pools: list[list[str]]) -> int:
    """How many full answers from the pools are accepted."""
    if not all(pools):
        return 0
    slots = [s.id for s in question.slots]
    if math.prod(len(p) for p in pools) <= MAX_ENUMERATED:
        return sum(1 for values in product(*pools)
                   if any(o.matches(dict(zip(slots, values, strict=True))) for o in question.accepted))
    count = 0  # too many to count one by one: accepted answers rarely overlap, so add them up
    for outcome in question.accepted:
        allowed = dict(outcome.match)
        count += math.prod(len([v for v in pool if slot not in allowed or v in allowed[slot]])
                           for slot, pool in zip(slots, pools, strict=True))
    return count


def _positive_refs(node: Node, negated: bool = False) -> set[tuple[str, str]]:
    """The solved/concluded references a condition needs to be true (not under a 'not')."""
    if isinstance(node, Ref):
        return {(node.kind, node.name)} if node.kind in ("solved", "concluded") and not negated else set()
    if isinstance(node, Not):
        return _positive_refs(node.operand, not negated)
    if isinstance(node, BoolOp) and node.op == "and" and not negated:
        found: set[tuple[str, str]] = set()
        for operand in node.operands:
            found |= _positive_refs(operand, negated)
        return found
    return set()  # under 'or' (or a comparison) no single reference is needed


def _names(ids: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids[:3]) + (" ..." if len(ids) > 3 else "")


def format_odds(story: Story, odds: dict[str, Odds]) -> list[str]:
    """The lines `check --stats` prints, one per question."""
    lines = []
    for question_id, o in odds.items():
        question = story.questions[question_id]
        if not o.total:
            lines.append(f"question {question_id}: never answerable (see the findings above)")
            continue
        sizes = " x ".join(str(n) for n in o.candidates)
        line = (f"question {question_id}: a blind guess is right 1 time in {1 / o.first_try:,.1f} "
                f"({o.accepted} of {o.total:,} answers: {sizes} candidates)" if o.first_try else
                f"question {question_id}: no accepted answer among the {o.total:,} a player can give")
        if question.batch and o.batch_odds is not None:
            line += f"; confirmed {o.batch_size} at a time, a blind batch holds 1 time in {1 / o.batch_odds:,.0f}" \
                if o.batch_odds else "; its batch can never be confirmed blind"
        elif o.first_try:
            line += f"; about {o.expected_wrong:,.1f} wrong tries before a blind guesser gets it"
            if question.wrong.effects:
                line += ", each one paid for"
            if question.lock_after:
                line += f"; locked {question.lock_turns} turns every {question.lock_after} wrong"
        lines.append(line)
    return lines
