"""What the analyses understand of a story, and where its conditions are.

The analyses (game.tools.abstract, escape, explore) reason about the rules
without playing them, so every one of their proofs rests on knowing what
each part of a story can read and change. This module is that knowledge in
one place:

* the condition references they understand (``clue``, ``flag``, ``stat``,
  ``visited``, ``turn``, ``solved``, ``concluded``; the counts ``visits`` and
  ``taken`` only as "any number" in the over-approximation), and which part of
  a playthrough each one reads;
* the effects they understand;
* the fields of a story, scene, choice and playthrough whose meaning they know.

Anything else a story uses (a reference kind, an effect, a field added by a
later feature) is a *gap*: `gaps()` names it, the over-approximation then
assumes anything may happen, the exhaustive search keeps whole every part of
a playthrough it does not understand, and the verdict says "unknown" rather
than guess. Adding a feature to the engine without teaching it here costs
precision, never soundness.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterator

from ..conditions import Condition
from ..diagnostics import Pos
from ..questions import question_conditions
from ..state import Playthrough
from ..story import (
    Answer,
    Chance,
    ChangeStat,
    Choice,
    EndGame,
    GainClue,
    IfEffect,
    Roll,
    Scene,
    SetFlag,
    Story,
    all_effects,
)

# Reference kind -> the playthrough field it reads.
REFS = {"clue": "clues", "flag": "flags", "stat": "stats", "visited": "visited", "turn": "turn",
        "visits": "visited", "taken": "chosen", "solved": "answers", "concluded": "answers"}
# An `if` runs either way and a `chance` or `roll` each outcome, joined ("either outcome");
# an answer in dialogue sets how its question was closed and runs the outcome's effects.
EFFECTS = (GainClue, SetFlag, ChangeStat, EndGame, IfEffect, Chance, Roll, Answer)

# Fields whose meaning the analyses know. Text-only fields are listed too: they change nothing.
STORY_FIELDS = {"id", "title", "version", "start", "scenes", "clues", "flags", "stats", "endings", "areas",
                "deductions", "intro", "content_notes", "renamed_scenes", "renamed_choices", "fingerprint",
                "root", "questions", "entities", "renamed_deductions", "renamed_questions", "format",
                "protagonist", "stat_groups",
                # #16: text's knowledge; a fact changes nothing a player can do (a condition that says
                # known.ID holds the fact's condition itself, which the analyses read like any other)
                "facts"}
SCENE_FIELDS = {"id", "area", "title", "text", "choices", "on_enter", "ending", "case_board", "pos"}
CHOICE_FIELDS = {"id", "text", "branches", "condition", "effects", "outcome", "once", "visible_when_locked",
                 "hint", "pos", "if_pos", "shown_locked_if", "label", "hint_text", "shared"}
# answers/wrong/locked/pending: the search keys on QuestionRules.state_key; chosen: counts (taken.S.C)
PLAYTHROUGH_FIELDS = {"scene", "seed", "turn", "clues", "flags", "stats", "visited", "taken", "log", "ending",
                      "answers", "wrong", "locked", "pending", "chosen"}


def unknown_playthrough_fields() -> tuple[str, ...]:
    """Fields of a playthrough the analyses do not understand (kept whole by the search)."""
    return tuple(f.name for f in dataclasses.fields(Playthrough) if f.name not in PLAYTHROUGH_FIELDS)


def _unset(obj: object, spec: dataclasses.Field) -> bool:
    value = getattr(obj, spec.name)
    if spec.default is not dataclasses.MISSING:
        return value == spec.default
    if spec.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return value == spec.default_factory()  # type: ignore[misc]
    return not value


# The last story gaps() answered for, and its answer: the may-analysis and the escape
# proof both ask, about the same (immutable) story, and the walk reads every scene.
_last_gaps: tuple[weakref.ref[Story], list[str]] | None = None


def gaps(story: Story) -> list[str]:
    """What this story uses that the analyses do not understand, in words (empty: nothing)."""
    global _last_gaps
    last = _last_gaps
    if last is not None and last[0]() is story:
        return list(last[1])
    found = _gaps(story)
    _last_gaps = (weakref.ref(story), found)
    return list(found)


def _gaps(story: Story) -> list[str]:
    found: list[str] = []
    for spec in dataclasses.fields(Story):
        if spec.name not in STORY_FIELDS and not _unset(story, spec):
            found.append(f"the story's '{spec.name}'")
    scene_extra = [f for f in dataclasses.fields(Scene) if f.name not in SCENE_FIELDS]
    choice_extra = [f for f in dataclasses.fields(Choice) if f.name not in CHOICE_FIELDS]
    kinds: set[str] = set()
    effects: set[str] = set()
    for scene in story.scenes.values():
        found.extend(f"scene field '{f.name}'" for f in scene_extra if not _unset(scene, f))
        for choice in scene.choices:
            found.extend(f"choice field '{f.name}'" for f in choice_extra if not _unset(choice, f))
        for _, condition in behaviour_conditions(scene):
            kinds.update(kind for kind, _ in condition.refs if kind not in REFS)
        for effect in all_effects((*scene.on_enter, *(e for c in scene.choices for e in c.effects))):
            if not isinstance(effect, EFFECTS):
                effects.add(type(effect).__name__)
    for question in story.questions.values():
        for outcome in question.outcomes:
            effects.update(type(e).__name__ for e in all_effects(outcome.effects) if not isinstance(e, EFFECTS))
    for condition in question_conditions(story):
        kinds.update(kind for kind, _ in condition.refs if kind not in REFS)
    found.extend(f"condition references '{kind}.'" for kind in sorted(kinds))
    found.extend(f"the effect {name}" for name in sorted(effects))
    return sorted(set(found))


def behaviour_conditions(scene: Scene) -> Iterator[tuple[Pos, Condition]]:
    """The conditions that decide what can be taken, where it leads and what its effects do."""
    for effect in all_effects(scene.on_enter):
        if isinstance(effect, IfEffect):
            yield effect.pos, effect.condition
    for choice in scene.choices:
        if choice.condition is not None:
            yield choice.if_pos, choice.condition
        for branch in choice.branches:
            if branch.condition is not None:
                yield branch.pos, branch.condition
        for effect in all_effects(choice.effects):
            if isinstance(effect, IfEffect):
                yield effect.pos, effect.condition


def text_conditions(scene: Scene) -> Iterator[tuple[Pos, Condition]]:
    """The conditions of a scene's paragraphs (and their inline parts), its choices'
    labels and hints, and its choices' outcome paragraphs."""
    for para in scene.text:
        if para.condition is not None:
            yield para.pos, para.condition
        for condition in para.conditions:
            yield para.pos, condition
    for choice in scene.choices:
        for text in (choice.label, choice.hint_text):
            for condition in (text.conditions if text else ()):
                yield choice.pos, condition
        if choice.shown_locked_if is not None:
            yield choice.pos, choice.shown_locked_if
        for para in choice.outcome:
            if para.condition is not None:
                yield para.pos, para.condition
            for condition in para.conditions:
                yield para.pos, condition


def all_conditions(story: Story) -> Iterator[tuple[Pos, Condition]]:
    for scene in story.scenes.values():
        yield from text_conditions(scene)
        yield from behaviour_conditions(scene)
    for question in story.questions.values():
        for outcome in question.outcomes:
            for effect in all_effects(outcome.effects):
                if isinstance(effect, IfEffect):
                    yield question.pos, effect.condition
    for condition in question_conditions(story):
        yield story.questions[next(iter(story.questions))].pos if story.questions else Pos(""), condition
    for ending in story.endings.values():
        for condition in (ending.body.conditions if ending.body else ()):
            yield ending.pos, condition
    for target in (*story.entities.values(), *story.facts.values()):  # what text may assume (#16: continuity)
        if target.known is not None:
            yield target.pos, target.known


def effects_run(effects: tuple, story: Story, answering: frozenset[str] = frozenset()) -> Iterator:
    """Every effect these may run: inside `if` and `chance` (both ways), and the effects of
    the outcome an `answer:` records (unlike story.all_effects, which stops at the answer).
    A question is closed before its outcome's effects run (QuestionRules.record), so an
    `answer:` of it among them, however far down, does nothing: not followed (and outcomes
    that answer each other do not send this round for ever)."""
    for effect in effects:
        yield effect
        if isinstance(effect, (IfEffect, Chance)):
            yield from effects_run(effect.then, story, answering)
            yield from effects_run(effect.otherwise, story, answering)
        elif isinstance(effect, Answer) and effect.question not in answering:
            outcome = story.questions[effect.question].outcome(effect.outcome)
            if outcome is not None:
                yield from effects_run(outcome.effects, story, answering | {effect.question})


def escape_gaps(story: Story) -> list[str]:
    """What the escape proof (game.tools.escape, symbolic) does not model: only gaps().
    It models every effect and reference; a count (visits., taken.) or a question it does
    not follow is a value it forgets, and answering a question is never its way out."""
    return sorted(set(gaps(story)))
