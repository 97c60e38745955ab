"""The story as loaded: immutable definitions, shared by every playthrough.

Nothing here changes during play (ink's Story / StoryState split): what
changes lives in game.state.Playthrough. Positions (``pos``) point back at
the YAML so that tools can report problems where the writer can fix them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .diagnostics import Pos
from .markup import Text, literal

if TYPE_CHECKING:
    from .conditions import Condition


# The status page's groups when the manifest declares none (kind -> heading).
DEFAULT_STAT_GROUPS = {"relationship": "People", "state": "State", "suspicion": "Suspicion"}


@dataclass(frozen=True)
class Stat:
    id: str
    label: str
    min: int
    max: int
    start: int
    shown: bool = False  # on the UI's toolbar
    kind: str = "state"  # its group on the status page: a key of Story.stat_groups
    # "clamp": changes stop at the range's edge; "block": a choice whose effects
    # would leave the range is offered as locked.
    overflow: str = "clamp"
    description: str = ""
    pos: Pos = field(default=Pos(""), compare=False)
    # `if:` in the YAML: the stat is listed (status page, toolbar) only while
    # this holds, so a clock that matters in one place is not on screen all game.
    listed_if: Condition | None = field(default=None, compare=False)
    # How the player reads it: `words` (lowest value first, (from, word)) name
    # ranges of the number; `rises` / `falls` say what a change means.
    words: tuple[tuple[int, str], ...] = ()
    rises: str = ""
    falls: str = ""
    clock: bool = False  # a clock running out: on the toolbar as "value/max" while listed

    def listed(self, playthrough: object) -> bool:
        return self.listed_if is None or bool(self.listed_if(playthrough))

    def word(self, value: int) -> str:
        """The word for a value ('' if the stat has no words)."""
        found = ""
        for start, word in self.words:
            if value >= start:
                found = word
        return found


@dataclass(frozen=True)
class Clue:
    id: str
    title: str
    text: str
    group: str = "Leads"
    pos: Pos = field(default=Pos(""), compare=False)


@dataclass(frozen=True)
class Flag:
    id: str
    description: str = ""
    pos: Pos = field(default=Pos(""), compare=False)


@dataclass(frozen=True)
class Ending:
    id: str
    title: str
    text: str = ""  # epilogue shown on the ending screen
    kind: str = ""  # free label, e.g. "canonical", "dark", "lost"
    teaser: str = ""  # a hint shown in the endings gallery until the ending is found
    pos: Pos = field(default=Pos(""), compare=False)
    body: Text | None = field(default=None, compare=False)  # text parsed (inline markup); None: plain

    def __post_init__(self) -> None:
        if self.body is None:
            object.__setattr__(self, "body", literal(self.text))


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    pos: Pos = field(default=Pos(""), compare=False)


# --- effects -------------------------------------------------------------


@dataclass(frozen=True)
class GainClue:
    clue: str
    pos: Pos = field(default=Pos(""), compare=False)


@dataclass(frozen=True)
class SetFlag:
    flag: str
    value: bool = True
    pos: Pos = field(default=Pos(""), compare=False)


@dataclass(frozen=True)
class ChangeStat:
    stat: str
    amount: int
    relative: bool = True  # False: set to amount
    pos: Pos = field(default=Pos(""), compare=False)


@dataclass(frozen=True)
class EndGame:
    ending: str
    pos: Pos = field(default=Pos(""), compare=False)


@dataclass(frozen=True)
class Answer:
    """Record a question's outcome without asking it: a conclusion reached in dialogue.

    ``outcome`` is RIGHT (the accepted answer, with what a right answer gives)
    or the id of one of the question's conclusions.
    """

    question: str
    outcome: str
    pos: Pos = field(default=Pos(""), compare=False)



@dataclass(frozen=True)
class IfEffect:
    """`- if: COND` with `do:` and optional `else:`: the condition is read when the effect runs."""

    condition: Condition
    then: tuple[Effect, ...]
    otherwise: tuple[Effect, ...] = ()
    pos: Pos = field(default=Pos(""), compare=False)


@dataclass(frozen=True)
class Chance:
    """`- chance: 30` with `do:` and optional `else:`: `do` runs in 30 of 100 playthroughs.

    The draw is a hash of the playthrough's seed, the turn and `site` (where
    the effect is written), so a replay draws the same."""

    percent: int
    then: tuple[Effect, ...]
    otherwise: tuple[Effect, ...] = ()
    site: str = ""
    pos: Pos = field(default=Pos(""), compare=False)

    @property
    def outcomes(self) -> tuple[tuple[Effect, ...], ...]:
        return (self.then, self.otherwise)


@dataclass(frozen=True)
class Roll:
    """`- roll: {luck: 1..6}`: set the stat to a whole number drawn evenly from the range."""

    stat: str
    low: int
    high: int
    site: str = ""
    pos: Pos = field(default=Pos(""), compare=False)


Effect = GainClue | SetFlag | ChangeStat | EndGame | IfEffect | Chance | Roll | Answer


def all_effects(effects: tuple[Effect, ...]):
    """Every effect, those inside if/chance too (for tools that ask what may happen)."""
    for effect in effects:
        yield effect
        if isinstance(effect, (IfEffect, Chance)):
            yield from all_effects(effect.then)
            yield from all_effects(effect.otherwise)


def certain(effects: tuple[Effect, ...]) -> bool:
    """Whether the effects always do the same (no if, no chance, no roll)."""
    return not any(isinstance(e, (IfEffect, Chance, Roll)) for e in effects)


# --- text ----------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """One block of scene text: fixed, conditional (``if``) or varied (``one_of``)."""

    variants: tuple[str, ...]  # one entry unless one_of, as written
    condition: Condition | None = None
    pos: Pos = field(default=Pos(""), compare=False)
    texts: tuple[Text, ...] = field(default=(), compare=False)  # the variants parsed (inline markup)

    def __post_init__(self) -> None:
        if not self.texts:
            object.__setattr__(self, "texts", tuple(literal(v) for v in self.variants))

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """The conditions and numbers inside its text (not its own `if:`)."""
        return tuple(c for t in self.texts for c in t.conditions)


# --- scenes --------------------------------------------------------------


@dataclass(frozen=True)
class Branch:
    """Where a choice leads: the first branch whose condition holds wins."""

    target: str | None  # scene id; None means stay in the current scene
    condition: Condition | None = None
    pos: Pos = field(default=Pos(""), compare=False)


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    branches: tuple[Branch, ...] = ()
    condition: Condition | None = None
    effects: tuple[Effect, ...] = ()
    # Narration shown after taking the choice; like scene text, its `if:`
    # paragraphs are read before the choice's own effects.
    outcome: tuple[Paragraph, ...] = ()
    once: bool = False
    visible_when_locked: bool = False
    hint: str = ""
    pos: Pos = field(default=Pos(""), compare=False)
    # Where the `if:` value is, for findings about the condition itself.
    if_pos: Pos = field(default=Pos(""), compare=False)
    # `visible_when_locked: CONDITION`: shown locked only while this holds (so a hint never
    # shows before the player has heard of what it is about); None: whenever it is locked.
    shown_locked_if: Condition | None = field(default=None, compare=False)
    label: Text | None = field(default=None, compare=False)  # text parsed; None: plain
    hint_text: Text | None = field(default=None, compare=False)
    shared: bool = False  # expanded from `shared_choices:` (defined once, offered in many scenes)

    def __post_init__(self) -> None:
        if self.label is None:
            object.__setattr__(self, "label", literal(self.text))
        if self.hint_text is None:
            object.__setattr__(self, "hint_text", literal(self.hint))

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(b.target for b in self.branches if b.target)


@dataclass(frozen=True)
class Scene:
    id: str
    area: str
    title: str
    text: tuple[Paragraph, ...]
    choices: tuple[Choice, ...] = ()
    on_enter: tuple[Effect, ...] = ()
    ending: str | None = None  # entering this scene ends the game
    case_board: bool = False  # offers the story's deductions as choices
    pos: Pos = field(default=Pos(""), compare=False)

    def choice(self, choice_id: str) -> Choice | None:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        return None


@dataclass(frozen=True)
class Deduction:
    """Combining clues at a case board yields a new clue (a lead)."""

    id: str
    label: str  # the choice text offered at the board
    needs: tuple[str, ...]
    gives: str
    text: str = ""  # what the protagonist works out, shown when the connection is made
    pos: Pos = field(default=Pos(""), compare=False)


# --- entities and questions ------------------------------------------------

ENTITY_KINDS = ("people", "places", "things")


@dataclass(frozen=True)
class Entity:
    """A person, place or thing the story declares: a candidate for question slots.

    A fact (kind "facts", #16) has the same shape: what the text may take for
    granted (`known`: from when it holds); it is never a candidate."""

    id: str
    kind: str  # "people" | "places" | "things" | "facts"
    name: str  # shown
    words: tuple[str, ...] = ()  # phrases the player may type for it (default: the name)
    known: Condition | None = None  # when the player knows of it (None: always)
    text: str = ""  # a line for the case file
    pos: Pos = field(default=Pos(""), compare=False)
    # Phrases by which the prose names it, for the continuity check (default: the name; a fact: none).
    mentions: tuple[str, ...] = ()

    def is_known(self, pt: object) -> bool:
        return self.known is None or bool(self.known(pt))


RIGHT = "right"  # the outcome id of an accepted answer
WRONG = "wrong"  # the outcome id of the default wrong answer
CANDIDATE_POOLS = ("people", "places", "things", "clues", "options")


@dataclass(frozen=True)
class Slot:
    """One blank of a question: who / what / where / why / which clue."""

    id: str
    prompt: str
    pool: str  # one of CANDIDATE_POOLS
    among: tuple[str, ...] = ()  # only these ids of the pool (empty: the whole pool)
    options: tuple[tuple[str, str], ...] = ()  # pool "options": (id, text), always offered
    pos: Pos = field(default=Pos(""), compare=False)


Match = tuple[tuple[str, frozenset[str]], ...]  # slot id -> the values that match it


@dataclass(frozen=True)
class Outcome:
    """What answering does: an accepted answer, an authored response or the default wrong one."""

    id: str
    match: Match = ()  # the slots it constrains (an accepted answer constrains every slot)
    text: str = ""
    effects: tuple[Effect, ...] = ()
    goto: str | None = None  # a scene to enter after answering
    correct: bool = False
    conclude: bool = False  # closes the question (every correct answer does)
    pos: Pos = field(default=Pos(""), compare=False)
    body: Text | None = field(default=None, compare=False)  # the text with its inline markup parsed

    def matches(self, values: dict[str, str]) -> bool:
        return all(values.get(slot) in allowed for slot, allowed in self.match)


@dataclass(frozen=True)
class Question:
    """A deduction the player makes by filling slots; it can be got wrong."""

    id: str
    ask: str  # the question as the player reads it
    slots: tuple[Slot, ...]
    accepted: tuple[Outcome, ...]  # one per accepted answer; all share the right text and effects
    responses: tuple[Outcome, ...] = ()  # authored answers to tempting wrong answers, first match wins
    wrong: Outcome = Outcome(WRONG)  # the default response; its effects are the cost of every wrong try
    opens: Condition | None = None  # when the question shows (None: always)
    at: tuple[str, ...] = ()  # scenes that ask it (empty: every case board)
    lock_after: int = 0  # lock after this many wrong tries (0: never)
    lock_turns: int = 0
    batch: str = ""  # confirmed only together with other questions of this batch
    batch_size: int = 3
    pending: str = ""  # shown when a batched answer is pinned, before it is confirmed
    required: bool = False  # check proves it can be solved
    pos: Pos = field(default=Pos(""), compare=False)
    pending_body: Text | None = field(default=None, compare=False)

    @property
    def right(self) -> Outcome:
        return self.accepted[0]

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return (*self.accepted, *self.responses, self.wrong)

    def outcome(self, outcome_id: str) -> Outcome | None:
        if outcome_id == RIGHT:
            return self.right
        for outcome in (*self.responses, self.wrong):
            if outcome.id == outcome_id:
                return outcome
        return None

    def judge(self, values: dict[str, str]) -> Outcome:
        """The outcome of a full answer: an accepted one, else the first response that matches, else wrong."""
        for outcome in self.accepted:
            if outcome.matches(values):
                return outcome
        for outcome in self.responses:
            if outcome.matches(values):
                return outcome
        return self.wrong

    def slot(self, slot_id: str) -> Slot | None:
        return next((s for s in self.slots if s.id == slot_id), None)


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    version: str
    start: str
    scenes: dict[str, Scene]
    clues: dict[str, Clue]
    flags: dict[str, Flag]
    stats: dict[str, Stat]
    endings: dict[str, Ending]
    areas: dict[str, Area]
    deductions: dict[str, Deduction] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    facts: dict[str, Entity] = field(default_factory=dict)  # what the text may assume, and from when (#16)
    questions: dict[str, Question] = field(default_factory=dict)
    intro: str = ""
    content_notes: tuple[str, ...] = ()
    # Old name -> new name, so saves made before a rename still replay.
    renamed_scenes: dict[str, str] = field(default_factory=dict)
    renamed_choices: dict[tuple[str, str], str] = field(default_factory=dict)
    renamed_deductions: dict[str, str] = field(default_factory=dict)  # made at a case board: logged as deduce:ID
    # Old question or deduction id -> the question it is now (a logged deduction replays as its right answer).
    renamed_questions: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""  # sha256 over the story files, for saves
    root: str = ""  # the folder it was loaded from, for display
    format: int = 1  # the story format version the manifest declares (2: inline markup)
    protagonist: str = ""  # the main character's name, for the UI's words (status, help)
    # stat kind -> the heading the status page groups it under, in order
    stat_groups: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STAT_GROUPS))

    def __hash__(self) -> int:  # dict fields make the dataclass unhashable otherwise
        return hash((self.id, self.fingerprint))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Story) and (self.id, self.fingerprint) == (other.id, other.fingerprint)

    @property
    def ending_scenes(self) -> list[Scene]:
        return [s for s in self.scenes.values() if s.ending]

    def word_count(self) -> int:
        words = 0
        for scene in self.scenes.values():
            for para in scene.text:
                words += sum(len(v.split()) for v in para.variants)
            for choice in scene.choices:
                words += len(choice.text.split())
                words += sum(len(v.split()) for para in choice.outcome for v in para.variants)
        for ending in self.endings.values():
            words += len(ending.text.split())
        for clue in self.clues.values():
            words += len(clue.text.split())
        for deduction in self.deductions.values():
            words += len(deduction.text.split())
        for question in self.questions.values():
            words += len(question.ask.split())
            words += sum(len(o.text.split()) for o in question.outcomes)
        return words + len(self.intro.split())
