"""The engine: a ``transitions`` state machine over the story's scenes.

Scenes are the machine's states; every choice is a transition (one per
branch of its ``goto``) whose conditions are the choice's availability test
(its condition, its once-only rule, its stat limits, all from game.rules)
plus the branch's condition. The choice's effects run as the transition's
``before`` callback, a scene's ``on_enter`` effects as the state's
``on_enter`` callback. Deductions and answers to questions are not
transitions: they are the same on every case board, so the machine would
hold boards x deductions of them (measured: engine build growing as
size^1.4 on synthetic stories); they are taken by game.rules directly.

The engine is pure: it never prints, reads the clock or touches files. It
turns (story, playthrough, choice id) into a changed playthrough and a Step
describing what happened; the UI decides how to show it.

One Machine is built per Engine (``Machine.add_model`` costs O(scenes)) and
its one model is moved with ``set_state``. Everything a turn changes travels
as the trigger's arguments (the playthrough and the list its events go to),
and the model is only touched under a lock, so one Engine serves any number
of playthroughs, from any number of sessions or threads, without one turn's
events reaching another.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from transitions import Machine

from . import gcpause
from .errors import ChoiceError, ReplayError
from .events import ClueFound, Event, FlagChanged, GameEnded, SceneEntered, StatChanged, Step
from .questions import ANSWER, answer_id, parse_answer
from .rules import CHOICE, DEDUCE, Offer, Rules, Test, pick
from .state import LogEntry, Playthrough
from .story import Effect, Story

__all__ = [
    "CHOICE", "DEDUCE", "ClueFound", "Engine", "Event", "FlagChanged", "GameEnded", "Offer",
    "ReplayResult", "SceneEntered", "StatChanged", "Step",
]


@dataclass
class ReplayResult:
    """A replayed log: the playthrough as far as the log fits, and why it stopped."""

    playthrough: Playthrough
    steps: list[Step]
    error: ReplayError | None = None
    renamed: int = 0  # log entries that followed a rename declared in the manifest

    @property
    def ok(self) -> bool:
        return self.error is None


class _Model:
    """The object ``transitions`` moves between states; holds nothing else."""

    state: str


def _on_turn(test: Test):
    """A playthrough test as a machine condition (callbacks get the trigger's arguments)."""
    return lambda pt, events: test(pt)


class Engine(Rules):
    def __init__(self, story: Story):
        super().__init__(story)
        self._model = _Model()
        self._lock = threading.Lock()
        with gcpause.paused():  # a big story makes hundreds of thousands of long-lived objects here
            states = [{"name": scene.id, "on_enter": [self._on_enter]} for scene in story.scenes.values()]
            self.machine = Machine(
                model=self._model,
                states=states,
                transitions=list(self._transitions()),
                initial=story.start,
                auto_transitions=False,  # with it on, N scenes would make N^2 transitions
                send_event=False,
                # Runs after the conditions passed and before the choice's effects: the
                # conditions see the turn as the player saw it, the effects see the new turn.
                before_state_change=[self._begin_turn],
            )

    def _transitions(self) -> Iterable[dict]:
        for scene in self.story.scenes.values():
            tests = self.tests[scene.id]
            for choice in scene.choices:
                available = _on_turn(tests[choice.id])
                before = self._effects_callback(choice.effects)
                for branch in choice.branches:
                    conditions = [available]
                    if branch.condition is not None:
                        conditions.append(_on_turn(branch.condition.test))
                    yield {
                        "trigger": CHOICE + choice.id,
                        "source": scene.id,
                        "dest": branch.target,  # None: an internal transition, the scene is not re-entered
                        "conditions": conditions,
                        "before": [before],
                    }

    def _effects_callback(self, effects: tuple[Effect, ...]):
        def run(pt: Playthrough, events: list[Event]) -> None:
            self.apply(effects, pt, events)

        return run

    @staticmethod
    def _begin_turn(pt: Playthrough, events: list[Event]) -> None:
        pt.turn += 1

    def _on_enter(self, pt: Playthrough, events: list[Event]) -> None:
        self.enter(pt, self._model.state, events)

    # -- the public API ---------------------------------------------------

    def choose(self, pt: Playthrough, choice_id: str) -> Step:
        """Take a choice by id through the state machine: change pt in place and return what happened."""
        if choice_id.startswith((DEDUCE, ANSWER)):
            return self.step(pt, choice_id)  # the same on every board: no transition of its own
        reason = self.why_locked(pt, choice_id)
        if reason is not None:
            raise ChoiceError(reason)
        scene_id = pt.scene
        # Read before the effects: the narration of the moment of choosing.
        outcome = self.outcome(pt, choice_id)
        trigger = CHOICE + choice_id
        events: list[Event] = []
        with self._lock:
            self.machine.set_state(scene_id, self._model)
            if not self._model.trigger(trigger, pt, events):  # pragma: no cover - why_locked agrees
                raise ChoiceError(f"no branch of '{choice_id}' fits in scene '{scene_id}'")
        pt.log.append(LogEntry(scene_id, choice_id))
        choice = self.story.scenes[scene_id].choice(choice_id)
        if choice is not None and choice.once:  # recorded after the trigger: the machine re-checks it
            pt.taken.add((scene_id, choice_id))
        self.count(pt, scene_id, choice_id)
        return Step(choice_id, outcome, events)

    def choose_number(self, pt: Playthrough, number: int) -> Step:
        """Take the choice shown with this number (as the player typed it)."""
        return self.choose(pt, pick(self.offers(pt), number).id)

    def replay(self, entries: Iterable[LogEntry], seed: int = 0) -> ReplayResult:
        """Replay a choice log from the start; stop where it no longer fits the story.

        Renames declared in the manifest are followed, so a save made before a
        scene or choice was renamed still replays.
        """
        pt, first = self.start(seed)
        steps = [first]
        renamed = 0
        for turn, entry in enumerate(entries, start=1):
            current, problem = self.fit(pt, entry)
            renamed += current != entry
            if problem is not None:
                error = ReplayError(turn, entry.scene, entry.choice, problem)
                return ReplayResult(pt, steps, error, renamed)
            steps.append(self.choose(pt, current.choice))
        return ReplayResult(pt, steps, None, renamed)

    def fit(self, pt: Playthrough, entry: LogEntry) -> tuple[LogEntry, str | None]:
        """A logged choice as it stands in this story now: the entry with declared
        renames followed, and why it cannot be taken at pt (None if it can)."""
        scene_id = self.story.renamed_scenes.get(entry.scene, entry.scene)
        choice_id = self.story.renamed_choices.get((scene_id, entry.choice), entry.choice)
        if choice_id.startswith(DEDUCE):
            deduction = choice_id[len(DEDUCE):]
            choice_id = DEDUCE + self.story.renamed_deductions.get(deduction, deduction)
        choice_id = self._deduction_now_question(pt, choice_id)
        return LogEntry(scene_id, choice_id), self._misfit(pt, scene_id, choice_id)

    def _deduction_now_question(self, pt: Playthrough, choice_id: str) -> str:
        """A logged deduction that the story has since turned into a question (of the same
        id, or one the manifest's renames.questions names) replays as that question's
        accepted answer, if one can be given; a logged answer follows a question's rename."""
        renamed = self.story.renamed_questions
        parsed = parse_answer(choice_id)
        if parsed is not None and parsed[0] in renamed:
            return answer_id(renamed[parsed[0]], parsed[1])
        if not choice_id.startswith(DEDUCE):
            return choice_id
        name = choice_id[len(DEDUCE):]
        if name in self.story.deductions:
            return choice_id
        name = renamed.get(name, name)
        question = self.story.questions.get(name)
        if question is None:
            return choice_id
        for outcome, values in self.questions.representatives(question, pt):
            if outcome.correct:
                return answer_id(name, values)
        return choice_id

    def _misfit(self, pt: Playthrough, scene_id: str, choice_id: str) -> str | None:
        if pt.ending is not None:
            return f"the story already ended ({pt.ending}) before this turn"
        if scene_id not in self.story.scenes:
            return f"scene '{scene_id}' no longer exists"
        if scene_id != pt.scene:
            return f"the story is now in scene '{pt.scene}' at this point, not '{scene_id}'"
        return self.why_locked(pt, choice_id)
