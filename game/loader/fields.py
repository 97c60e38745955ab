"""The shape of a story file: its sections, and the fields each kind of entry may hold.

The editor schema (game/schema/story.schema.json) must agree with these;
tests/test_schema.py checks that it does.
"""

from __future__ import annotations

import re

MANIFEST = "story.yaml"
ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SCENE_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
MAX_FILES = 5000

SECTIONS = ("areas", "stats", "flags", "clues", "endings", "deductions", "snippets", "shared_choices",
            "people", "places", "things", "facts", "questions", "scenes")
ENTITY_SECTIONS = ("people", "places", "things")
# Everything the player can know, one name space (`known.ID`): the entities and the facts (#16).
KNOWLEDGE_SECTIONS = (*ENTITY_SECTIONS, "facts")
MANIFEST_ONLY = ("story", "renames")
FILE_DEFAULTS = ("area",)  # a file may set the area of all its scenes
# What a field may name (LoaderBase.ref): kind of reference -> the section its ids are declared in.
REF_SECTIONS = {"clue": "clues", "flag": "flags", "stat": "stats", "ending": "endings", "scene": "scenes",
                "area": "areas", "deduction": "deductions", "question": "questions"}
# what the manifest's renames: can follow (saves log these ids; an answer names its question)
RENAMES_FIELDS = {"scenes", "choices", "deductions", "questions"}

STORY_FIELDS = {"id", "title", "version", "start", "intro", "content_notes", "author", "format", "protagonist",
                "stat_groups"}
FORMATS = (1, 2)  # story format versions this engine reads; 2 reads inline markup in text
AREA_FIELDS = {"title"}
STAT_FIELDS = {"label", "min", "max", "start", "shown", "kind", "overflow", "description", "if",
               "words", "rises", "falls", "clock"}
STAT_KINDS = ("relationship", "state", "suspicion")  # the stat groups when the manifest declares none
CLUE_FIELDS = {"title", "text", "group"}
FLAG_FIELDS = {"description"}
ENDING_FIELDS = {"title", "text", "kind", "teaser"}
DEDUCTION_FIELDS = {"label", "needs", "gives", "text"}
SCENE_FIELDS = {"area", "title", "text", "on_enter", "choices", "ending", "case_board"}
CHOICE_FIELDS = {"id", "text", "if", "goto", "do", "outcome", "once", "visible_when_locked", "hint"}
SHARED_CHOICE_FIELDS = (CHOICE_FIELDS - {"id"}) | {"areas", "scenes", "except"}
BRANCH_FIELDS = {"if", "goto"}
EFFECT_KINDS = ("clue", "flag", "unflag", "stat", "set", "end", "if", "chance", "roll", "answer")
EFFECT_BRANCHES = ("do", "else")  # beside `if:` or `chance:` in one effect
ENTITY_FIELDS = {"name", "words", "mentions", "known", "text"}
FACT_FIELDS = {"name", "mentions", "known", "text"}
QUESTION_FIELDS = {"ask", "opens", "at", "slots", "answer", "right", "wrong", "responses", "lock", "batch",
                   "batch_size", "pending", "required"}
SLOT_FIELDS = {"prompt", "from", "among", "options"}
OUTCOME_FIELDS = {"text", "do", "goto"}
RESPONSE_FIELDS = {"id", "if", "text", "do", "goto", "conclude"}
LOCK_FIELDS = {"after", "turns"}
PARAGRAPH_FIELDS = {"if", "text", "one_of", "lines"}
