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
from dataclasses import dataclass

from . import gcpause
from .errors import ChoiceError
from .events import ClueFound, Event, FlagChanged, GameEnded, SceneEntered, StatChanged, Step
from .prose import render
from .questions import ANSWER, ASK, QuestionRules, answer_id, parse_answer
from .state import Found, LogEntry, Playthrough
from .story import (
    Answer,
    ChangeStat,
    Choice,
    Deduction,
    Effect,
    EndGame,
    GainClue,
    Question,
    Scene,
    SetFlag,
    Story,
)

CHOICE = "choose:"
DEDUCE = "deduce:"

Test = Callable[[Playthrough], bool]


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
        index = self.deductions_by_clue
        if len(pt.clues) < len(index):
            found = [d for clue in pt.clues for d in index.get(clue, ())]
        else:
            found = [d for clue, ds in index.items() if clue in pt.clues for d in ds]
        ready = [d for d in found if self.deduction_ready(d, pt)]
        if len(ready) > 1:
            ready.sort(key=lambda d: self._deduction_order[d.id])
        return ready

    # -- effects ----------------------------------------------------------

    def apply(self, effects: tuple[Effect, ...], pt: Playthrough, events: list[Event]) -> None:
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
            elif isinstance(effect, EndGame) and pt.ending is None:
                pt.ending = effect.ending
                events.append(GameEnded(effect.ending))
            elif isinstance(effect, Answer):
                self.questions.record(pt, effect.question, effect.outcome, events, self.apply)

    def enter(self, pt: Playthrough, scene_id: str, events: list[Event]) -> None:
        """Arrive in a scene: count the visit, run its on_enter, end the game if it is an ending."""
        scene = self.story.scenes[scene_id]
        pt.scene = scene_id
        pt.visited[scene_id] = pt.visited.get(scene_id, 0) + 1
        events.append(SceneEntered(scene_id))
        self.apply(scene.on_enter, pt, events)
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
        return render(scene.text, pt, f"{pt.seed}:{scene.id}", turn=pt.visited.get(scene.id, 0))

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
                result.append(Offer(len(result) + 1, choice.id, choice.text, enabled,
                                    "" if enabled else choice.hint, target))
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
            return f"locked for {turns} more turn{'s' * (turns != 1)}"
        for slot in question.slots:
            if not self.questions.candidates(question, slot, pt):
                return f"nothing to answer '{slot.prompt}' with yet"
        return ""

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
            return "\n\n".join(self.questions.narration(resolution))
        scene_id = pt.scene
        choice = self.story.scenes[scene_id].choice(choice_id)
        assert choice is not None
        # Variants take turns by how often this choice was taken before (counted
        # only when there is something to vary: the log is walked once).
        varies = any(len(para.variants) > 1 for para in choice.outcome)
        taken = sum(1 for e in pt.log if e.choice == choice_id and e.scene == scene_id) if varies else 0
        return "\n\n".join(render(choice.outcome, pt, f"{pt.seed}:{scene_id}:{choice_id}", turn=taken))

    # -- taking a turn ----------------------------------------------------

    def step(self, pt: Playthrough, choice_id: str, narrate: bool = True) -> Step:
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
            self.questions.answer(pt, resolution, events, self.apply)
            if not resolution.pending and resolution.outcome.goto is not None:
                self.enter(pt, resolution.outcome.goto, events)
        else:
            choice = self.story.scenes[scene_id].choice(choice_id)
            assert choice is not None
            target = next((b.target for b in choice.branches if b.condition is None or b.condition.test(pt)),
                          None)
            pt.turn += 1
            self.apply(choice.effects, pt, events)
            if target is not None:
                self.enter(pt, target, events)
            if choice.once:
                pt.taken.add((scene_id, choice_id))
        pt.log.append(LogEntry(scene_id, choice_id))
        return Step(choice_id, outcome, events)

    def successors(self, pt: Playthrough, choice_id: str) -> list[Playthrough]:
        """Every playthrough that taking an available choice at pt can lead to; pt is unchanged.

        One today. The analyses explore moves through this, never through
        step, so that a rule with more than one possible result (a random
        effect) is explored in every result, whatever the seed would pick.
        """
        new = pt.copy()
        self.step(new, choice_id, narrate=False)
        return [new]
