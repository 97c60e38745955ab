"""What a place in a story file holds: ids of which section, a condition, or which keys.

The loader is the authority on what each field names; this table repeats
it for completion, where the file is half-typed and the loader cannot be
asked. tests/test_lsp_contexts.py holds the two together: every reference
the loader checks in the real story and the example story must be where
this table says that section goes, and every field list comes from
game.loader.fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..loader import fields
from .kinds import CHOICES, noun
from .yamlpath import ITEM, Place

EFFECT_LISTS = ("do", "on_enter", "else")  # keys whose value is a list of effects
CONDITION_KEYS = ("if", "opens", "known", "visible_when_locked")  # keys whose value is a condition
# What a question's blank can hold: its answers, responses and `among` name these (the slot's pool decides which).
CANDIDATES = ("clues", "people", "places", "things")
# An effect's key -> the section its value names (stat, set and roll name stats as their keys).
EFFECT_VALUES = {"clue": "clues", "flag": "flags", "unflag": "flags", "end": "endings"}
STAT_EFFECTS = ("stat", "set", "roll")


@dataclass(frozen=True)
class Context:
    what: str  # "ids", "condition", "keys" or "" (nothing to offer)
    sections: tuple[str, ...] = ()  # for ids
    keys: tuple[str, ...] = ()  # for keys
    scene: str | None = None  # the scene the place is in (for taken.CHOICE, CHOICES of a scene)


NOTHING = Context("")


def _in_effects(path: tuple[str, ...]) -> bool:
    """The path ends in an effect: a list item of do, on_enter or else."""
    return len(path) >= 2 and path[-1] == ITEM and path[-2] in EFFECT_LISTS


def _fields(section: str) -> tuple[str, ...]:
    """A section's entry fields, by fields.py's naming (CLUE_FIELDS, SHARED_CHOICE_FIELDS, ...)."""
    if section in fields.ENTITY_SECTIONS:
        return tuple(sorted(fields.ENTITY_FIELDS))
    if section == "facts":
        return tuple(sorted(fields.FACT_FIELDS))
    found = getattr(fields, noun(section).upper().replace(" ", "_") + "_FIELDS", None)
    return tuple(sorted(found)) if found else ()


def _question_part(path: tuple[str, ...]) -> str | None:
    """Inside a question: 'answer' (its accepted answers), 'match' (a response's `if`) or 'among'
    (a slot's candidates); None elsewhere."""
    if len(path) < 3 or path[0] != "questions":
        return None
    if path[2] == "answer":
        return "answer"
    if path[2] == "responses" and "if" in path[3:]:
        return "match"
    if path[2] == "slots" and (path[-1:] == ("among",) or path[-2:] == ("among", ITEM)):
        return "among"
    return None


def context(place: Place, manifest: bool) -> Context:
    path, key = place.path, place.key
    scene = path[1] if len(path) >= 2 and path[0] == "scenes" else None
    if key is not None:
        return _value(path, key, scene)
    # Where a key, or a list's item, goes.
    if not path:
        top = (*fields.SECTIONS, *fields.FILE_DEFAULTS, *(fields.MANIFEST_ONLY if manifest else ()))
        return Context("keys", keys=top)
    if path == ("story",):
        return Context("keys", keys=tuple(sorted(fields.STORY_FIELDS)))
    if len(path) == 2 and path[0] in fields.SECTIONS:
        return Context("keys", keys=_fields(path[0]), scene=scene)
    if path == ("renames", "choices"):
        return Context("ids", ("scenes",))
    if _in_effects(path):
        return Context("keys", keys=fields.EFFECT_KINDS + fields.EFFECT_BRANCHES, scene=scene)
    if len(path) >= 3 and path[-1] in STAT_EFFECTS and _in_effects(path[:-1]):
        return Context("ids", ("stats",), scene=scene)
    if len(path) >= 3 and path[-1] == "answer" and _in_effects(path[:-1]):  # answer: {question: outcome}
        return Context("ids", ("questions",), scene=scene)
    if _question_part(path) in ("answer", "match", "among") and path[-1] == ITEM:
        return Context("ids", CANDIDATES)
    if len(path) == 4 and path[0] == "questions" and path[2:] == ("at", ITEM):
        return Context("ids", ("scenes",))
    if path[-1] == ITEM and len(path) >= 2:
        owner = path[-2]
        if owner == "choices":
            return Context("keys", keys=tuple(sorted(fields.CHOICE_FIELDS)), scene=scene)
        if owner == "goto":
            return Context("keys", keys=tuple(sorted(fields.BRANCH_FIELDS)), scene=scene)
        if owner in ("text", "outcome"):
            return Context("keys", keys=tuple(sorted(fields.PARAGRAPH_FIELDS)), scene=scene)
        if owner == "needs":
            return Context("ids", ("clues",))
        if path[0] == "shared_choices" and owner in ("areas", "scenes", "except"):
            return Context("ids", ("areas",) if owner == "areas" else ("scenes",))
    return NOTHING


def _value(path: tuple[str, ...], key: str, scene: str | None) -> Context:
    part = _question_part((*path, key))
    if part in ("answer", "match") and key not in ("answer", "if", "id", "text", "do", "goto", "conclude"):
        return Context("ids", CANDIDATES)  # slot: value, in an answer or a response's `if`
    if part == "match":
        return NOTHING  # a response's `if` maps blanks to values; it is not a condition
    if key in CONDITION_KEYS:
        return Context("condition", scene=scene)
    if len(path) == 2 and path[0] == "questions" and key == "at":
        return Context("ids", ("scenes",))
    if key == "goto" or (path == ("story",) and key == "start"):
        return Context("ids", ("scenes",), scene=scene)
    if key == "area" and (not path or (len(path) == 2 and path[0] == "scenes")):
        return Context("ids", ("areas",))
    if key == "ending" and len(path) == 2 and path[0] == "scenes":
        return Context("ids", ("endings",))
    if _in_effects(path) and key in EFFECT_VALUES:
        return Context("ids", (EFFECT_VALUES[key],), scene=scene)
    if path and path[0] == "deductions" and key == "gives":
        return Context("ids", ("clues",))
    if path and path[0] == "shared_choices" and key in ("areas", "scenes", "except"):
        return Context("ids", ("areas",) if key == "areas" else ("scenes",))
    if path == ("renames", "scenes"):
        return Context("ids", ("scenes",))
    if path == ("renames", "deductions"):
        return Context("ids", ("deductions",))
    if path == ("renames", "questions"):
        return Context("ids", ("questions",))
    if len(path) == 3 and path[:2] == ("renames", "choices"):
        return Context("ids", (CHOICES,), scene=path[2])
    return NOTHING
