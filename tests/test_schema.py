"""The editor schema (game/schema/story.schema.json) accepts every real story file and rejects broken ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from game import loader

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "game" / "schema" / "story.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
VALIDATOR = Draft7Validator(SCHEMA)
STORY_FILES = (sorted((ROOT / "story").rglob("*.yaml")) + sorted((ROOT / "tests" / "data" / "sample").rglob("*.yaml"))
               + sorted((ROOT / "examples").rglob("*.yaml")))
COMMENT = re.compile(r"^# yaml-language-server: \$schema=(\S+)\s*$")


def test_the_schema_is_a_valid_draft_07_schema() -> None:
    Draft7Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", STORY_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_story_file_validates(path: Path) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in VALIDATOR.iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


def test_story_files_point_their_language_server_at_the_schema() -> None:
    manifest = (ROOT / "story" / "story.yaml").read_text().splitlines()[0]
    assert COMMENT.match(manifest), "story/story.yaml should start with the yaml-language-server comment"
    for path in sorted((ROOT / "story").rglob("*.yaml")):
        match = COMMENT.match(path.read_text().splitlines()[0])
        if match:
            assert (path.parent / match.group(1)).resolve() == SCHEMA_PATH, path


BROKEN = """\
scenes:
  office.desk:
    title: Desk
    choices:
      - id: go
        text: Go.
        gotoo: office.hall
        do:
          - clue: key
            flag: opened
      - text: No id.
stats:
  rage: {min: 0, max: 5, kind: "anger!"}
"""


def test_a_broken_file_is_rejected_where_it_is_broken() -> None:
    errors = {"/".join(map(str, e.absolute_path)) for e in VALIDATOR.iter_errors(yaml.safe_load(BROKEN))}
    assert errors == {
        "scenes/office.desk",  # no text
        "scenes/office.desk/choices/0",  # unknown field gotoo
        "scenes/office.desk/choices/0/do",  # an effect with two kinds
        "scenes/office.desk/choices/1",  # no id
        "stats/rage/kind",  # not a kind id (kinds are declared by the manifest's stat_groups)
    }


@pytest.mark.parametrize(("definition", "fields"), [
    ("story", loader.STORY_FIELDS),
    ("scene", loader.SCENE_FIELDS),
    ("choice", loader.CHOICE_FIELDS),
    ("branch", loader.BRANCH_FIELDS),
    ("stat", loader.STAT_FIELDS),
    ("clue", loader.CLUE_FIELDS),
    ("ending", loader.ENDING_FIELDS),
    ("deduction", loader.DEDUCTION_FIELDS),
    ("effect", set(loader.EFFECT_KINDS)),
    ("question", loader.QUESTION_FIELDS),
    ("file", set(loader.SECTIONS) | set(loader.MANIFEST_ONLY) | set(loader.FILE_DEFAULTS)),
])
def test_the_schema_knows_exactly_the_fields_the_loader_knows(definition: str, fields: set[str]) -> None:
    """When the format grows a field, the schema must grow with it (or editors flag good files)."""
    if definition == "file":
        node = SCHEMA
    elif definition == "story":
        node = SCHEMA["properties"]["story"]
    else:
        node = SCHEMA["definitions"][definition]
    assert set(node["properties"]) == fields


def test_the_schema_knows_the_parts_of_a_question_and_an_entity() -> None:
    question = SCHEMA["definitions"]["question"]["properties"]
    assert set(question["slots"]["additionalProperties"]["properties"]) == loader.SLOT_FIELDS
    assert set(question["lock"]["properties"]) == loader.LOCK_FIELDS
    assert set(question["responses"]["items"]["properties"]) == loader.RESPONSE_FIELDS
    assert set(SCHEMA["definitions"]["outcome"]["oneOf"][1]["properties"]) == loader.OUTCOME_FIELDS
    assert set(SCHEMA["definitions"]["entity"]["oneOf"][1]["properties"]) == loader.ENTITY_FIELDS
    assert set(SCHEMA["definitions"]["fact"]["oneOf"][1]["properties"]) == loader.FACT_FIELDS
