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


Effect = GainClue | SetFlag | ChangeStat | EndGame | IfEffect | Chance | Roll


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
    intro: str = ""
    content_notes: tuple[str, ...] = ()
    # Old name -> new name, so saves made before a rename still replay.
    renamed_scenes: dict[str, str] = field(default_factory=dict)
    renamed_choices: dict[tuple[str, str], str] = field(default_factory=dict)
    renamed_deductions: dict[str, str] = field(default_factory=dict)  # made at a case board: logged as deduce:ID
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
        return words + len(self.intro.split())
