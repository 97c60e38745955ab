"""What the analyses understand of a story, and where its conditions are.

The analyses (game.tools.abstract, escape, explore) reason about the rules
without playing them, so every one of their proofs rests on knowing what
each part of a story can read and change. This module is that knowledge in
one place:

* the condition references they understand (``clue``, ``flag``, ``stat``,
  ``visited``, ``turn``), and which part of a playthrough each one reads;
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
from collections.abc import Iterator

from ..conditions import Condition
from ..diagnostics import Pos
from ..state import Playthrough
from ..story import ChangeStat, Choice, EndGame, GainClue, Scene, SetFlag, Story

# Reference kind -> the playthrough field it reads.
REFS = {"clue": "clues", "flag": "flags", "stat": "stats", "visited": "visited", "turn": "turn"}
EFFECTS = (GainClue, SetFlag, ChangeStat, EndGame)

# Fields whose meaning the analyses know. Text-only fields are listed too: they change nothing.
STORY_FIELDS = {"id", "title", "version", "start", "scenes", "clues", "flags", "stats", "endings", "areas",
                "deductions", "intro", "content_notes", "renamed_scenes", "renamed_choices", "fingerprint",
                "root"}
SCENE_FIELDS = {"id", "area", "title", "text", "choices", "on_enter", "ending", "case_board", "pos"}
CHOICE_FIELDS = {"id", "text", "branches", "condition", "effects", "outcome", "once", "visible_when_locked",
                 "hint", "pos", "if_pos"}
PLAYTHROUGH_FIELDS = {"scene", "seed", "turn", "clues", "flags", "stats", "visited", "taken", "log", "ending"}


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


def gaps(story: Story) -> list[str]:
    """What this story uses that the analyses do not understand, in words (empty: nothing)."""
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
        for effect in [*scene.on_enter, *(e for c in scene.choices for e in c.effects)]:
            if not isinstance(effect, EFFECTS):
                effects.add(type(effect).__name__)
    found.extend(f"condition references '{kind}.'" for kind in sorted(kinds))
    found.extend(f"the effect {name}" for name in sorted(effects))
    return sorted(set(found))


def behaviour_conditions(scene: Scene) -> Iterator[tuple[Pos, Condition]]:
    """The conditions that decide what can be taken and where it leads (not text)."""
    for choice in scene.choices:
        if choice.condition is not None:
            yield choice.if_pos, choice.condition
        for branch in choice.branches:
            if branch.condition is not None:
                yield branch.pos, branch.condition


def text_conditions(scene: Scene) -> Iterator[tuple[Pos, Condition]]:
    """The conditions of a scene's paragraphs and its choices' outcome paragraphs."""
    for para in scene.text:
        if para.condition is not None:
            yield para.pos, para.condition
    for choice in scene.choices:
        for para in choice.outcome:
            if para.condition is not None:
                yield para.pos, para.condition


def all_conditions(story: Story) -> Iterator[tuple[Pos, Condition]]:
    for scene in story.scenes.values():
        yield from text_conditions(scene)
        yield from behaviour_conditions(scene)
