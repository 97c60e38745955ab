"""The engine: a ``transitions`` state machine over the story's scenes.

Scenes are the machine's states; every choice is a transition (one per
branch of its ``goto``) whose conditions are the choice's compiled
condition, its once-only rule and its stat limits. The choice's effects run
as the transition's ``before`` callback, a scene's ``on_enter`` effects as
the state's ``on_enter`` callback. Deductions are internal transitions on
case-board scenes.

The engine is pure: it never prints, reads the clock or touches files. It
turns (story, playthrough, choice id) into a changed playthrough and a Step
describing what happened; the UI decides how to show it. One Machine is
built per Engine and reused for every playthrough: ``Machine.add_model``
costs O(scenes), ``set_state`` costs almost nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from transitions import Machine

from . import gcpause
from .errors import ChoiceError, ReplayError
from .state import Found, LogEntry, Playthrough
from .story import (
    ChangeStat,
    Choice,
    Deduction,
    Effect,
    EndGame,
    GainClue,
    Paragraph,
    Scene,
    SetFlag,
    Story,
)

CHOICE = "choose:"
DEDUCE = "deduce:"


# --- what the engine reports ---------------------------------------------


@dataclass(frozen=True)
class ClueFound:
    clue: str


@dataclass(frozen=True)
class FlagChanged:
    flag: str
    value: bool


@dataclass(frozen=True)
class StatChanged:
    stat: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old


@dataclass(frozen=True)
class SceneEntered:
    scene: str


@dataclass(frozen=True)
class GameEnded:
    ending: str


Event = ClueFound | FlagChanged | StatChanged | SceneEntered | GameEnded


@dataclass(frozen=True)
class Offer:
    """A choice as offered now (ink's Choice): built fresh every turn."""

    number: int  # 1-based, as the player types it
    id: str  # a scene choice id, or "deduce:<id>" for a case-board deduction
    text: str
    enabled: bool
    hint: str = ""  # why it is locked, for locked-but-visible choices
    target: str | None = None  # the scene it leads to, when known without taking it


@dataclass
class Step:
    """What one turn did: the narration to show and the events that happened."""

    choice: str | None  # None for the opening of a playthrough
    outcome: str = ""
    events: list[Event] = field(default_factory=list)

    @property
    def clues(self) -> list[str]:
        return [e.clue for e in self.events if isinstance(e, ClueFound)]

    @property
    def stat_changes(self) -> list[StatChanged]:
        return [e for e in self.events if isinstance(e, StatChanged)]

    @property
    def ending(self) -> str | None:
        for event in self.events:
            if isinstance(event, GameEnded):
                return event.ending
        return None

    @property
    def entered(self) -> list[str]:
        return [e.scene for e in self.events if isinstance(e, SceneEntered)]


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


# --- the engine ----------------------------------------------------------


class Engine:
    def __init__(self, story: Story):
        self.story = story
        self._events: list[Event] = []
        # scene id -> [(choice, availability test)], shared by offers and the machine
        self._tests: dict[str, dict[str, Callable[[Playthrough], bool]]] = {}
        self._board: list[Deduction] = list(story.deductions.values())
        self._model = _Model()
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
            tests = self._tests.setdefault(scene.id, {})
            for choice in scene.choices:
                test = self._availability(scene, choice)
                tests[choice.id] = test
                before = self._effects_callback(choice.effects)
                for branch in choice.branches:
                    conditions = [test]
                    if branch.condition is not None:
                        conditions.append(branch.condition.test)
                    yield {
                        "trigger": CHOICE + choice.id,
                        "source": scene.id,
                        "dest": branch.target,  # None: an internal transition, the scene is not re-entered
                        "conditions": conditions,
                        "before": [before],
                    }
            if scene.case_board:
                for deduction in self._board:
                    yield {
                        "trigger": DEDUCE + deduction.id,
                        "source": scene.id,
                        "dest": None,
                        "conditions": [self._deduction_test(deduction)],
                        "before": [self._effects_callback((GainClue(deduction.gives),))],
                    }

    def _availability(self, scene: Scene, choice: Choice) -> Callable[[Playthrough], bool]:
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

    def _stat_limits(self, effects: tuple[Effect, ...]) -> Callable[[Playthrough], bool] | None:
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
    def _deduction_test(deduction: Deduction) -> Callable[[Playthrough], bool]:
        needs, gives = deduction.needs, deduction.gives
        return lambda pt: gives not in pt.clues and all(n in pt.clues for n in needs)

    def _effects_callback(self, effects: tuple[Effect, ...]) -> Callable[[Playthrough], None]:
        def run(pt: Playthrough) -> None:
            self._apply(effects, pt)

        return run

    # -- effects ----------------------------------------------------------

    def _apply(self, effects: tuple[Effect, ...], pt: Playthrough) -> None:
        events = self._events
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

    @staticmethod
    def _begin_turn(pt: Playthrough) -> None:
        pt.turn += 1

    def _on_enter(self, pt: Playthrough) -> None:
        self._enter(pt, self._model.state)

    def _enter(self, pt: Playthrough, scene_id: str) -> None:
        scene = self.story.scenes[scene_id]
        pt.scene = scene_id
        pt.visited[scene_id] = pt.visited.get(scene_id, 0) + 1
        self._events.append(SceneEntered(scene_id))
        self._apply(scene.on_enter, pt)
        if scene.ending and pt.ending is None:
            pt.ending = scene.ending
            self._events.append(GameEnded(scene.ending))

    # -- the public API ---------------------------------------------------

    def start(self, seed: int = 0) -> tuple[Playthrough, Step]:
        """A new playthrough at the start scene, with the start scene's effects applied."""
        pt = Playthrough(scene=self.story.start, seed=seed)
        pt.stats = {s.id: s.start for s in self.story.stats.values()}
        self._events = []
        self._enter(pt, self.story.start)
        step = Step(None, "", self._events)
        self._events = []
        return pt, step

    def scene(self, pt: Playthrough) -> Scene:
        return self.story.scenes[pt.scene]

    def text(self, pt: Playthrough) -> list[str]:
        """The current scene's paragraphs, with conditions and variations applied."""
        scene = self.story.scenes[pt.scene]
        return _render(scene.text, pt, f"{pt.seed}:{scene.id}", turn=pt.visited.get(scene.id, 0))

    def offers(self, pt: Playthrough) -> list[Offer]:
        """The choices to show now: enabled ones and locked-but-visible ones, numbered."""
        if pt.ending is not None:
            return []
        scene = self.story.scenes[pt.scene]
        tests = self._tests[scene.id]
        result: list[Offer] = []
        for choice in scene.choices:
            enabled = tests[choice.id](pt)
            if enabled or (choice.visible_when_locked and not (choice.once and (scene.id, choice.id) in pt.taken)):
                target = choice.branches[0].target if len(choice.branches) == 1 else None
                result.append(Offer(len(result) + 1, choice.id, choice.text, enabled,
                                    "" if enabled else choice.hint, target))
        if scene.case_board:
            for deduction in self._board:
                if deduction.gives not in pt.clues and all(n in pt.clues for n in deduction.needs):
                    result.append(Offer(len(result) + 1, DEDUCE + deduction.id, deduction.label, True))
        return result

    def available(self, pt: Playthrough) -> list[str]:
        """Ids of the choices that can be taken now (for tools and random play)."""
        return [offer.id for offer in self.offers(pt) if offer.enabled]

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
        choice = scene.choice(choice_id)
        if choice is None:
            return f"scene '{scene.id}' has no choice '{choice_id}'"
        if self._tests[scene.id][choice_id](pt):
            return None
        if choice.once and (scene.id, choice_id) in pt.taken:
            return "it can be taken only once, and was"
        if choice.condition is not None and not choice.condition(pt):
            return f"its condition is false: {choice.condition.source}"
        return "it would take a stat out of its range"

    def choose(self, pt: Playthrough, choice_id: str) -> Step:
        """Take a choice by id: change pt in place and return what happened."""
        reason = self.why_locked(pt, choice_id)
        if reason is not None:
            raise ChoiceError(reason)
        scene_id = pt.scene
        self._events = []
        once = False
        if choice_id.startswith(DEDUCE):
            trigger = choice_id
            outcome = self.story.deductions[choice_id[len(DEDUCE):]].text
        else:
            trigger = CHOICE + choice_id
            choice = self.story.scenes[scene_id].choice(choice_id)
            assert choice is not None  # why_locked checked it
            # Read before the effects: the narration of the moment of choosing.
            # Variants take turns by how often this choice was taken before (counted
            # only when there is something to vary: the log is walked once).
            varies = any(len(para.variants) > 1 for para in choice.outcome)
            taken = sum(1 for e in pt.log if e.choice == choice_id and e.scene == scene_id) if varies else 0
            key = f"{pt.seed}:{scene_id}:{choice_id}"
            outcome, once = "\n\n".join(_render(choice.outcome, pt, key, turn=taken)), choice.once
        self.machine.set_state(scene_id, self._model)
        if not self._model.trigger(trigger, pt):  # pragma: no cover - why_locked agrees with the machine
            raise ChoiceError(f"no branch of '{choice_id}' fits in scene '{scene_id}'")
        pt.log.append(LogEntry(scene_id, choice_id))
        if once:  # recorded after the trigger: the machine re-checks availability
            pt.taken.add((scene_id, choice_id))
        step = Step(choice_id, outcome, self._events)
        self._events = []
        return step

    def choose_number(self, pt: Playthrough, number: int) -> Step:
        """Take the choice shown with this number (as the player typed it)."""
        offers = self.offers(pt)
        if not 1 <= number <= len(offers):
            raise ChoiceError(f"there is no choice {number}; pick 1 to {len(offers)}" if offers
                              else "there are no choices here")
        offer = offers[number - 1]
        if not offer.enabled:
            raise ChoiceError(f"that way is locked{': ' + offer.hint if offer.hint else ''}")
        return self.choose(pt, offer.id)

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
        return LogEntry(scene_id, choice_id), self._misfit(pt, scene_id, choice_id)

    def _misfit(self, pt: Playthrough, scene_id: str, choice_id: str) -> str | None:
        if pt.ending is not None:
            return f"the story already ended ({pt.ending}) before this turn"
        if scene_id not in self.story.scenes:
            return f"scene '{scene_id}' no longer exists"
        if scene_id != pt.scene:
            return f"the story is now in scene '{pt.scene}' at this point, not '{scene_id}'"
        return self.why_locked(pt, choice_id)


def _render(paragraphs: tuple[Paragraph, ...], pt: Playthrough, key: str, turn: int) -> list[str]:
    """Text whose `if:` holds now, and one variant of each `one_of`.

    Variants take turns (ink's cycle), from a start fixed by key (the seed and
    the place), so a scene's visits never show the same variant twice running
    and show them all before any repeats, while a replay with the same seed
    reads the same. `turn` counts the scene's visits (for an outcome, how often
    its choice was taken before).
    """
    shown = []
    for index, para in enumerate(paragraphs):
        if para.condition is not None and not para.condition(pt):
            continue
        if len(para.variants) == 1:
            shown.append(para.variants[0])
        else:
            start = zlib.crc32(f"{key}:{index}".encode())
            shown.append(para.variants[(start + turn) % len(para.variants)])
    return [p.strip() for p in shown if p.strip()]
