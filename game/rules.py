"""The story's rules as pure functions of a playthrough, without a state machine.

What is offered now, why a choice is locked, what effects and entering a
scene do, and one turn taken directly. The Engine (game.engine) puts the same
availability tests and effect code behind a ``transitions`` Machine; the
writer's tools step with Rules alone, which is several times faster and
costs nothing to build. tests/test_explore.py checks that the two agree.

Nothing here keeps per-call state: every method takes the playthrough (and
the list events go to) as arguments, so one Rules, or one Engine, can serve
any number of playthroughs at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from . import gcpause
from .errors import ChoiceError
from .events import ClueFound, Event, FlagChanged, GameEnded, SceneEntered, StatChanged, Step
from .prose import draw_number, render, render_text
from .questions import ANSWER, ASK, QuestionRules, answer_id, parse_answer
from .state import Found, LogEntry, Playthrough
from .story import (
    Answer,
    Chance,
    ChangeStat,
    Choice,
    Deduction,
    Effect,
    EndGame,
    GainClue,
    IfEffect,
    Question,
    Roll,
    Scene,
    SetFlag,
    Story,
)

CHOICE = "choose:"
DEDUCE = "deduce:"

T = TypeVar("T")
Test = Callable[[Playthrough], bool]
# Picks one of several outcomes of a random effect: (playthrough, site, weights) -> index.
Pick = Callable[[Playthrough, str, tuple[int, ...]], int]


def seeded(pt: Playthrough, site: str, weights: tuple[int, ...]) -> int:
    """The playthrough's own draw: a hash of its seed, the turn and the site.

    Never a global random generator: replaying the log with the same seed
    draws the same numbers, whatever else ran in between."""
    number = draw_number(f"{pt.seed}:{pt.turn}:{site}", sum(weights))
    for index, weight in enumerate(weights):
        if number < weight:
            return index
        number -= weight
    return len(weights) - 1  # not reached: number < sum(weights)


class _Forced:
    """A Pick that follows a given list of outcomes, then takes the first; it
    records every pick, so that Rules.successors can try the others."""

    def __init__(self, forced: tuple[int, ...]):
        self.forced = forced
        self.made: list[int] = []
        self.sizes: list[int] = []

    def __call__(self, pt: Playthrough, site: str, weights: tuple[int, ...]) -> int:
        index = self.forced[len(self.made)] if len(self.made) < len(self.forced) else 0
        self.made.append(index)
        self.sizes.append(len(weights))
        return index


def every_outcome(run: Callable[[Pick], T]) -> list[T]:
    """run once per combination of the outcomes of the random effects it meets (depth first):
    run gets a Pick to draw with, and is run again for each pick it has not tried yet."""
    result: list[T] = []
    pending: list[tuple[int, ...]] = [()]
    while pending:
        forced = pending.pop()
        pick = _Forced(forced)
        result.append(run(pick))
        for depth in range(len(forced), len(pick.made)):
            for other in range(pick.sizes[depth] - 1, 0, -1):
                pending.append((*pick.made[:depth], other))
    return result


@dataclass(frozen=True)
class Offer:
    """A choice as offered now (ink's Choice): built fresh every turn."""

    number: int  # 1-based, as the player types it
    # a scene choice id, "deduce:<id>" for a case-board deduction, or "ask:<id>" for an open
    # question (not a move: the player answers it by filling its slots, see game.questions)
    id: str
    text: str
    enabled: bool
    hint: str = ""  # why it is locked, for locked-but-visible choices
    target: str | None = None  # the scene it leads to, when known without taking it
    spent: bool = False  # leads to a place with nothing left to do, on a hub where going back costs time


Visit = tuple[str, int]  # (scene, how many times it has been entered): one stay in a scene


@dataclass(frozen=True)
class Numbering:
    """The numbers one visit's choices were shown with (see keep_numbers)."""

    visit: Visit
    numbers: tuple[tuple[str, int], ...] = ()  # (offer id, number), in the order given


def visit_of(pt: Playthrough) -> Visit:
    return pt.scene, pt.visited.get(pt.scene, 0)


def keep_numbers(offers: list[Offer], visit: Visit, before: Numbering | None) -> tuple[list[Offer], Numbering]:
    """Number the offers so that a number typed during a visit always means the same choice.

    A visit starts in the writer's order (offers as Rules.offers gives them).
    While it lasts, a choice keeps the number it was first shown with; one that
    appears later takes the next number after every number given so far in
    the visit, and one that goes away (a once-only choice taken, a condition
    now false) leaves its number unused rather than shifting the rest. Pure:
    the caller keeps the Numbering between calls. Numbers are only display:
    logs and saves record choice ids.
    """
    if before is None or before.visit != visit:
        fresh = [replace(offer, number=number) for number, offer in enumerate(offers, start=1)]
        return fresh, Numbering(visit, tuple((offer.id, offer.number) for offer in fresh))
    given = dict(before.numbers)
    top = max(given.values(), default=0)
    numbers = list(before.numbers)
    for offer in offers:
        if offer.id not in given:
            top += 1
            given[offer.id] = top
            numbers.append((offer.id, top))
    kept = sorted((replace(offer, number=given[offer.id]) for offer in offers), key=lambda o: o.number)
    return kept, Numbering(visit, tuple(numbers))


def pick(offers: list[Offer], number: int) -> Offer:
    """The offer shown with this number, or ChoiceError saying which numbers there are."""
    for offer in offers:
        if offer.number == number:
            if not offer.enabled:
                raise ChoiceError(f"that way is locked: {offer.hint}" if offer.hint else "that way is locked")
            return offer
    if not offers:
        raise ChoiceError("there are no choices here")
    numbers = [offer.number for offer in offers]
    if len(numbers) == 1:
        raise ChoiceError(f"there is no choice {number}; the only one is {numbers[0]}")
    raise ChoiceError(f"there is no choice {number}; pick {_listed(numbers)}")


def _listed(numbers: list[int]) -> str:
    """[1, 2, 3, 4, 6] -> '1 to 4 or 6': the numbers on offer, runs shortened."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts: list[str] = []
    for run in runs:
        parts.extend([f"{run[0]} to {run[-1]}"] if len(run) > 2 else map(str, run))
    return ", ".join(parts[:-1]) + " or " + parts[-1] if len(parts) > 1 else parts[0]


def _stats_moved(effects: tuple[Effect, ...]) -> set[str]:
    """The stats some effect may change, inside if/chance too."""
    moved: set[str] = set()
    for effect in effects:
        if isinstance(effect, ChangeStat | Roll):
            moved.add(effect.stat)
        elif isinstance(effect, IfEffect):
            moved |= _stats_moved(effect.then) | _stats_moved(effect.otherwise)
        elif isinstance(effect, Chance):
            for outcome in effect.outcomes:
                moved |= _stats_moved(outcome)
    return moved


class Rules:
    def __init__(self, story: Story):
        self.story = story
        self.board: list[Deduction] = list(story.deductions.values())
        # Deductions filed under their first clue: a board tests only those whose first
        # clue is held, so offering costs what the player holds, not what the story has.
        self.deductions_by_clue: dict[str, list[Deduction]] = {}
        for deduction in self.board:
            self.deductions_by_clue.setdefault(deduction.needs[0], []).append(deduction)
        self._deduction_order = {d.id: i for i, d in enumerate(self.board)}
        # A closure per choice: on a big story the cycle collector would rescan the whole
        # story for every few hundred of them (measured: half of building Rules at 10,000 scenes).
        with gcpause.paused():
            self.questions = QuestionRules(story)
            # scene id -> choice id -> availability test, shared by offers and the Engine's machine
            self.tests: dict[str, dict[str, Test]] = {
                scene.id: {choice.id: self._availability(scene, choice) for choice in scene.choices}
                for scene in story.scenes.values()
            }
        # Hubs where coming back costs time: entering them moves a stat declared `clock: true`.
        clocks = {stat.id for stat in story.stats.values() if stat.clock}
        self.costly: frozenset[str] = frozenset(
            scene.id for scene in story.scenes.values() if clocks & _stats_moved(scene.on_enter))

    # -- availability -----------------------------------------------------

    def _availability(self, scene: Scene, choice: Choice) -> Test:
        condition = choice.condition.test if choice.condition is not None else None
        key = (scene.id, choice.id)
        once = choice.once
        limits = self._stat_limits(choice.effects)

        def available(pt: Playthrough) -> bool:
            if once and key in pt.taken:
                return False
            if condition is not None and not condition(pt):
                return False
            return limits is None or limits(pt)

        return available

    def _stat_limits(self, effects: tuple[Effect, ...]) -> Test | None:
        """For stats declared with overflow: block, a test that the change stays in range."""
        checks = []
        for effect in effects:
            if isinstance(effect, ChangeStat):
                stat = self.story.stats[effect.stat]
                if stat.overflow == "block":
                    checks.append((effect, stat))
        if not checks:
            return None

        def within(pt: Playthrough) -> bool:
            for effect, stat in checks:
                value = pt.stats[stat.id] + effect.amount if effect.relative else effect.amount
                if not stat.min <= value <= stat.max:
                    return False
            return True

        return within

    @staticmethod
    def deduction_ready(deduction: Deduction, pt: Playthrough) -> bool:
        return deduction.gives not in pt.clues and all(n in pt.clues for n in deduction.needs)

    def ready_deductions(self, pt: Playthrough) -> list[Deduction]:
        """The deductions a case board offers now, in story order (none elsewhere)."""
        if not self.deductions_by_clue or not self.story.scenes[pt.scene].case_board:
            return []
        index, clues = self.deductions_by_clue, pt.clues
        if len(clues) < len(index):
            found = [d for clue in clues for d in index.get(clue, ())]
        else:
            found = [d for clue, ds in index.items() if clue in clues for d in ds]
        # deduction_ready, inlined: a board with many clues held tests many deductions
        ready = [d for d in found if d.gives not in clues and all(n in clues for n in d.needs)]
        if len(ready) > 1:
            ready.sort(key=lambda d: self._deduction_order[d.id])
        return ready

    # -- effects ----------------------------------------------------------

    def apply(self, effects: tuple[Effect, ...], pt: Playthrough, events: list[Event],
              pick: Pick = seeded) -> None:
        for effect in effects:
            if isinstance(effect, GainClue):
                if effect.clue not in pt.clues:
                    pt.clues[effect.clue] = Found(pt.scene, pt.turn)
                    events.append(ClueFound(effect.clue))
            elif isinstance(effect, SetFlag):
                if (effect.flag in pt.flags) != effect.value:
                    if effect.value:
                        pt.flags.add(effect.flag)
                    else:
                        pt.flags.discard(effect.flag)
                    events.append(FlagChanged(effect.flag, effect.value))
            elif isinstance(effect, ChangeStat):
                stat = self.story.stats[effect.stat]
                old = pt.stats[stat.id]
                new = old + effect.amount if effect.relative else effect.amount
                new = max(stat.min, min(stat.max, new))
                if new != old:
                    pt.stats[stat.id] = new
                    events.append(StatChanged(stat.id, old, new))
            elif isinstance(effect, EndGame):
                if pt.ending is None:
                    pt.ending = effect.ending
                    events.append(GameEnded(effect.ending))
            elif isinstance(effect, IfEffect):  # read now, after the effects before it
                self.apply(effect.then if effect.condition(pt) else effect.otherwise, pt, events, pick)
            elif isinstance(effect, Chance):
                outcome = pick(pt, effect.site, (effect.percent, 100 - effect.percent))
                self.apply(effect.outcomes[outcome], pt, events, pick)
            elif isinstance(effect, Roll):
                value = effect.low + pick(pt, effect.site, (1,) * (effect.high - effect.low + 1))
                self.apply((ChangeStat(effect.stat, value, relative=False),), pt, events, pick)
            elif isinstance(effect, Answer):  # a question closed in dialogue
                self.questions.record(pt, effect.question, effect.outcome, events,
                                      lambda more, p, ev: self.apply(more, p, ev, pick))

    def enter(self, pt: Playthrough, scene_id: str, events: list[Event], pick: Pick = seeded) -> None:
        """Arrive in a scene: count the visit, run its on_enter, end the game if it is an ending.

        The visit counts before anything else: on the first visit `visits.here`
        is 1 (and `visited.here` true) in on_enter, in the text and in the choices."""
        scene = self.story.scenes[scene_id]
        pt.scene = scene_id
        pt.visited[scene_id] = pt.visited.get(scene_id, 0) + 1
        events.append(SceneEntered(scene_id))
        self.apply(scene.on_enter, pt, events, pick)
        if scene.ending and pt.ending is None:
            pt.ending = scene.ending
            events.append(GameEnded(scene.ending))

    # -- reading the state ------------------------------------------------

    def start(self, seed: int = 0) -> tuple[Playthrough, Step]:
        """A new playthrough at the start scene, with the start scene's effects applied."""
        pt = Playthrough(scene=self.story.start, seed=seed)
        pt.stats = {s.id: s.start for s in self.story.stats.values()}
        events: list[Event] = []
        self.enter(pt, self.story.start, events)
        return pt, Step(None, "", events)

    def scene(self, pt: Playthrough) -> Scene:
        return self.story.scenes[pt.scene]

    def text(self, pt: Playthrough) -> list[str]:
        """The current scene's paragraphs, with conditions and variations applied."""
        scene = self.story.scenes[pt.scene]
        visits = pt.visited.get(scene.id, 0)
        return render(scene.text, pt, f"{pt.seed}:{scene.id}", turn=visits, shown=max(0, visits - 1))

    def offers(self, pt: Playthrough) -> list[Offer]:
        """The choices to show now: enabled ones and locked-but-visible ones, numbered."""
        if pt.ending is not None:
            return []
        scene = self.story.scenes[pt.scene]
        tests = self.tests[scene.id]
        result: list[Offer] = []
        for choice in scene.choices:
            enabled = tests[choice.id](pt)
            if enabled or (choice.visible_when_locked and not (choice.once and (scene.id, choice.id) in pt.taken)
                           and (choice.shown_locked_if is None or choice.shown_locked_if(pt))):
                target = choice.branches[0].target if len(choice.branches) == 1 else None
                spent = (enabled and target is not None and not choice.effects and scene.id in self.costly
                         and self.spent(pt, target))
                result.append(Offer(len(result) + 1, choice.id, self._words(choice, pt, choice.label),
                                    enabled, "" if enabled else self._words(choice, pt, choice.hint_text), target,
                                    spent))
        for deduction in self.ready_deductions(pt):
            result.append(Offer(len(result) + 1, DEDUCE + deduction.id, deduction.label, True))
        for question in self.questions.open_here(pt):
            hint = self.question_hint(pt, question)
            result.append(Offer(len(result) + 1, ASK + question.id, question.ask, not hint, hint))
        return result

    def question_hint(self, pt: Playthrough, question: Question) -> str:
        """Why an open question cannot be answered now ('' if it can)."""
        turns = self.questions.locked_for(question, pt)
        if turns:
            return f"wrong too often; try again in {turns} turn{'s' * (turns != 1)}"
        for slot in question.slots:
            if not self.questions.candidates(question, slot, pt):
                return f"nothing to answer '{slot.prompt}' with yet"
        return ""

    def _words(self, choice: Choice, pt: Playthrough, text) -> str:
        """A choice's text or hint, its markup drawn (alternatives turn with the times it was taken)."""
        if text.plain:
            return text.source
        count = pt.chosen.get((pt.scene, choice.id), 0)
        return render_text(text, pt, f"{pt.seed}:{pt.scene}:{choice.id}:label", count)

    def spent(self, pt: Playthrough, place: str) -> bool:
        """Whether going to `place` from here would be a wasted trip: it was visited
        before, entering it again gives nothing (no clue, flag, stat or ending), and
        every choice it would offer leads straight back here and does nothing else.
        Judged on a copy of the state as it would be on arrival; only advice for
        the player (hubs where coming back costs time mark such choices)."""
        if not pt.visited.get(place) or place == pt.scene:
            return False
        here = pt.scene
        arrived = pt.copy()
        events: list[Event] = []
        self.enter(arrived, place, events)
        if any(not isinstance(event, SceneEntered) for event in events):
            return False
        scene = self.story.scenes[place]
        tests = self.tests[place]
        for choice in scene.choices:
            if not tests[choice.id](arrived):
                continue
            if choice.effects or any(branch.target != here for branch in choice.branches):
                return False
        return not (self.ready_deductions(arrived) or self.questions.open_here(arrived))

    def available(self, pt: Playthrough) -> list[str]:
        """Ids of the moves that can be taken now (for tools and random play): the
        scene's choices, ready deductions, and for each open question one answer per
        outcome the player can reach (game.questions: a representative of each)."""
        if pt.ending is not None:
            return []
        scene = self.story.scenes[pt.scene]
        tests = self.tests[scene.id]
        ids = [c.id for c in scene.choices if tests[c.id](pt)]
        ids.extend(DEDUCE + d.id for d in self.ready_deductions(pt))
        ids.extend(self.answer_moves(pt))
        return ids

    def answer_moves(self, pt: Playthrough) -> list[str]:
        """One answer move per reachable outcome of each open, unlocked question here."""
        questions = self.questions
        moves = []
        for question in questions.open_here(pt):
            if questions.locked_for(question, pt):
                continue
            moves.extend(answer_id(question.id, values) for _, values in questions.representatives(question, pt))
        return moves

    def why_locked(self, pt: Playthrough, choice_id: str) -> str | None:
        """None if the choice can be taken now; otherwise the reason, in words."""
        if pt.ending is not None:
            return "the story has ended"
        scene = self.story.scenes[pt.scene]
        if choice_id.startswith(DEDUCE):
            deduction = self.story.deductions.get(choice_id[len(DEDUCE):])
            if deduction is None or not scene.case_board:
                return f"scene '{scene.id}' offers no deduction '{choice_id[len(DEDUCE):]}'"
            if deduction.gives in pt.clues:
                return "that deduction is already made"
            missing = [n for n in deduction.needs if n not in pt.clues]
            return f"missing clues: {', '.join(missing)}" if missing else None
        if choice_id.startswith(ANSWER):
            return self._why_not_answer(pt, choice_id)
        if choice_id.startswith(ASK):
            return "a question is answered by filling its slots, not taken like a choice"
        choice = scene.choice(choice_id)
        if choice is None:
            return f"scene '{scene.id}' has no choice '{choice_id}'"
        if self.tests[scene.id][choice_id](pt):
            return None
        if choice.once and (scene.id, choice_id) in pt.taken:
            return "it can be taken only once, and was"
        if choice.condition is not None and not choice.condition(pt):
            return f"its condition is false: {choice.condition.source}"
        return "it would take a stat out of its range"

    def _why_not_answer(self, pt: Playthrough, move: str) -> str | None:
        parsed = parse_answer(move)
        if parsed is None:
            return f"'{move}' is not a well-formed answer (answer:QUESTION:slot=value,...)"
        question_id, values = parsed
        question = self.story.questions.get(question_id)
        if question is None:
            return f"the story has no question '{question_id}'"
        if not self.questions.asks(pt.scene) or question_id not in self.questions.index[pt.scene].ids:
            return f"scene '{pt.scene}' does not ask question '{question_id}'"
        return self.questions.why_not(question, values, pt)

    def outcome(self, pt: Playthrough, choice_id: str) -> str:
        """The narration of taking a choice now, read before its effects run."""
        if choice_id.startswith(DEDUCE):
            return self.story.deductions[choice_id[len(DEDUCE):]].text
        if choice_id.startswith(ANSWER):
            question_id, values = parse_answer(choice_id)  # type: ignore[misc]
            resolution = self.questions.resolve(self.story.questions[question_id], values, pt)
            return "\n\n".join(self.questions.narration(resolution, pt))
        scene_id = pt.scene
        choice = self.story.scenes[scene_id].choice(choice_id)
        assert choice is not None
        # Variants take turns by how often this choice was taken before.
        taken = pt.chosen.get((scene_id, choice_id), 0)
        return "\n\n".join(render(choice.outcome, pt, f"{pt.seed}:{scene_id}:{choice_id}", turn=taken))

    # -- taking a turn ----------------------------------------------------

    def step(self, pt: Playthrough, choice_id: str, narrate: bool = True, pick: Pick = seeded) -> Step:
        """Take an available choice directly, changing pt in place (no state machine).

        The order is the Engine's: the branch is decided and the outcome read
        as the player saw the state, then the turn advances, the choice's
        effects run and the target scene is entered. ``narrate=False`` skips
        drawing the outcome (the analyses never read it).
        """
        reason = self.why_locked(pt, choice_id)
        if reason is not None:
            raise ChoiceError(reason)
        events: list[Event] = []
        scene_id = pt.scene
        outcome = self.outcome(pt, choice_id) if narrate else ""
        if choice_id.startswith(DEDUCE):
            pt.turn += 1
            self.apply((GainClue(self.story.deductions[choice_id[len(DEDUCE):]].gives),), pt, events)
        elif choice_id.startswith(ANSWER):
            question_id, values = parse_answer(choice_id)  # type: ignore[misc]
            resolution = self.questions.resolve(self.story.questions[question_id], values, pt)
            pt.turn += 1
            self.questions.answer(pt, resolution, events, lambda more, p, ev: self.apply(more, p, ev, pick))
            if not resolution.pending and resolution.outcome.goto is not None:
                self.enter(pt, resolution.outcome.goto, events, pick)
        else:
            choice = self.story.scenes[scene_id].choice(choice_id)
            assert choice is not None
            target = next((b.target for b in choice.branches if b.condition is None or b.condition.test(pt)),
                          None)
            pt.turn += 1
            self.apply(choice.effects, pt, events, pick)
            if target is not None:
                self.enter(pt, target, events, pick)
            if choice.once:
                pt.taken.add((scene_id, choice_id))
            self.count(pt, scene_id, choice_id)
        pt.log.append(LogEntry(scene_id, choice_id))
        return Step(choice_id, outcome, events)

    @staticmethod
    def count(pt: Playthrough, scene_id: str, choice_id: str) -> None:
        """One more taking of the choice, for `taken.SCENE.CHOICE` (after its effects: they see the count before)."""
        key = (scene_id, choice_id)
        pt.chosen[key] = pt.chosen.get(key, 0) + 1

    def successors(self, pt: Playthrough, choice_id: str) -> list[Playthrough]:
        """Every playthrough that taking an available choice at pt can lead to; pt is unchanged.

        The analyses explore moves through this, never through step, so that
        a random effect (`chance`, `roll`, in the choice's effects or the
        next scene's on_enter) is explored in every outcome, whatever the seed
        would pick: each combination of outcomes is one playthrough.
        """
        def take(pick: Pick) -> Playthrough:
            new = pt.copy()
            self.step(new, choice_id, narrate=False, pick=pick)
            return new
        return every_outcome(take)
