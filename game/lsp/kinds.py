"""The kinds of id a story declares, and how names in conditions and braces refer to them.

Sections come from the loader (game.loader.fields.SECTIONS: every section a
file may declare ids in), plus choices, which are declared inside scenes.
A name in a condition (``clue.x``) or in braces (``{snippet.x}``) refers
to a section through its namespace; the loader's own table of names
(Inspection.names: kind -> the declarations it is checked against) says
which section most namespaces read, so a new section whose names reach
conditions that way needs nothing here. The few namespaces the parsers
spell out themselves are listed in READS_LIKE and SPELLED_OUT;
tests/test_lsp_kinds.py fails when a namespace of game.conditions is
covered by neither.
"""

from __future__ import annotations

from typing import Any

from ..loader.fields import SECTIONS

CHOICES = "choices"  # a pseudo-section: SCENE.CHOICE, declared in a scene's choices
ALL_SECTIONS = (*SECTIONS, CHOICES)

# Namespaces the condition parser checks against another namespace's names.
READS_LIKE = {"visits": "visited"}
# Namespaces whose ids the parsers resolve themselves (not through Inspection.names).
# Only those whose sections the story format has are used (the entities and questions of issue 13
# arrive with their sections).
SPELLED_OUT = {
    "deducible": ("deductions",),  # deducible.ID: game.conditions expands it into clue tests
    "taken": (CHOICES,),  # taken.SCENE.CHOICE, taken.here.CHOICE, taken.CHOICE
    "snippet": ("snippets",),  # {snippet.ID}: game.markup
    "name": ("areas",),  # {name.AREA}: game.markup
    "known": ("people", "places", "things", "facts"),  # known.ID: the entity's (or fact's) known condition
    "open": ("questions",),  # open.QUESTION
    "solved": ("questions",),
    "concluded": ("questions",),  # concluded.QUESTION or concluded.QUESTION.OUTCOME
}
# Words of the condition language that are not namespaces (offered by completion).
WORDS = ("and", "or", "not", "true", "false", "turn", "first_visit", "deducible")

_IRREGULAR = {"people": "person", "shared_choices": "shared choice"}


def noun(section: str) -> str:
    """'scenes' -> 'scene', 'people' -> 'person': how a message names one id of a section."""
    if section in _IRREGULAR:
        return _IRREGULAR[section]
    word = section[:-3] + "y" if section.endswith("ies") else section.removesuffix("s")
    return word.replace("_", " ")


def namespaces(names: dict[str, Any], declarations: dict[str, dict]) -> dict[str, tuple[str, ...]]:
    """Namespace -> the sections its ids are declared in, from a load's table of names."""
    result: dict[str, tuple[str, ...]] = {}
    for kind, known in names.items():
        sections = tuple(s for s, decls in declarations.items() if decls is known)
        if sections:
            result[kind] = sections
    for kind, other in READS_LIKE.items():
        if other in result:
            result[kind] = result[other]
    for kind, sections in SPELLED_OUT.items():
        if kind not in result and all(s == CHOICES or s in declarations for s in sections):
            result[kind] = sections
    return result


def title_of(data: Any) -> str:
    """A declaration's human name: its title, label, name, ask or description, or the text itself."""
    if isinstance(data, str):
        return data
    if isinstance(data, dict):
        for key in ("title", "label", "name", "ask", "description"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value
    return ""
