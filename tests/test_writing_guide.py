"""docs/WRITING.md's worked example works: each step's files give exactly the output the guide shows."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from support import ROOT

from game.cli import main

GUIDE = (ROOT / "docs" / "WRITING.md").read_text()
BLOCK = re.compile(r"<!-- (file|output): (\S+) -->\n```\w*\n(.*?)```", re.S)


def _blocks(kind: str) -> list[tuple[str, str]]:
    return [(name, body) for k, name, body in BLOCK.findall(GUIDE) if k == kind]


def _output(name: str) -> str:
    return dict(_blocks("output"))[name]


FILES = _blocks("file")
FIRST_MANIFEST, STREET, LINKED_MANIFEST, BOARD = (body for _, body in FILES)


def _check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], *flags: str) -> str:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.chdir(tmp_path)  # so that paths print as mystory/..., as in the guide
    out = io.StringIO()
    main(["check", "mystory", *flags], stdout=out)
    return out.getvalue()


def test_the_guide_has_the_files_of_each_step() -> None:
    assert [name for name, _ in FILES] == ["mystory/story.yaml", "mystory/street.yaml", "mystory/story.yaml",
                                           "mystory/board.yaml"]


def test_step_1_checks_clean(tmp_path, monkeypatch) -> None:
    assert _check(tmp_path, monkeypatch, {"mystory/story.yaml": FIRST_MANIFEST}) == \
        "proven: no soft-lock; every scene and ending reachable\ncheck ok: 0 errors, 0 warnings\n"


def test_step_2_reports_the_unlinked_area(tmp_path, monkeypatch) -> None:
    files = {"mystory/story.yaml": FIRST_MANIFEST, "mystory/street.yaml": STREET}
    assert _check(tmp_path, monkeypatch, files) == _output("unlinked")


def test_step_3_checks_clean_with_the_numbers_shown(tmp_path, monkeypatch) -> None:
    files = {"mystory/story.yaml": LINKED_MANIFEST, "mystory/street.yaml": STREET}
    assert _check(tmp_path, monkeypatch, files, "--stats") == _output("linked")


def test_step_4_typo_is_reported_with_its_column(tmp_path, monkeypatch) -> None:
    street = STREET.replace("if: clue.matchbook", "if: clue.matchbok")
    files = {"mystory/story.yaml": LINKED_MANIFEST, "mystory/street.yaml": street}
    assert _check(tmp_path, monkeypatch, files) == _output("typo")


def test_step_5_soft_lock_is_found(tmp_path, monkeypatch) -> None:
    street = STREET.replace("        text: Back to the office.\n",
                            "        text: Back to the office.\n        once: true\n")
    street = street.replace("        text: Call it a night.\n        goto: office.door",
                            "        text: Call it a night.\n        goto: street.alley")
    files = {"mystory/story.yaml": LINKED_MANIFEST, "mystory/street.yaml": street}
    assert _check(tmp_path, monkeypatch, files) == _output("soft-lock")


def test_step_6_graph_and_playtest(tmp_path, monkeypatch) -> None:
    _check(tmp_path, monkeypatch, {"mystory/story.yaml": LINKED_MANIFEST, "mystory/street.yaml": STREET})
    assert main(["graph", "mystory", "-o", "mystory.md"], stdout=io.StringIO()) == 0
    assert '-.->|"to_bar: clue.matchbook"|' in (tmp_path / "mystory.md").read_text()
    out = io.StringIO()
    assert main(["playtest", "mystory", "-n", "500", "--json"], stdout=out) == 0
    report = json.loads(out.getvalue())
    assert report["unvisited_scenes"] == [] and report["untaken_choices"] == []
    assert 0.2 < report["clues"]["matchbook"]["found_share"] < 0.5


def test_the_example_files_match_the_schema_their_comment_names() -> None:
    validator = Draft7Validator(json.loads((ROOT / "game/schema/story.schema.json").read_text()))
    for name, body in FILES:
        schema = re.match(r"# yaml-language-server: \$schema=(\S+)", body).group(1)
        assert ((ROOT / name).parent / schema).resolve() == ROOT / "game" / "schema" / "story.schema.json"
        assert list(validator.iter_errors(yaml.safe_load(body))) == []


def test_step_8_a_question_checks_clean_with_its_odds_and_plays(tmp_path, monkeypatch) -> None:
    files = {"mystory/story.yaml": LINKED_MANIFEST, "mystory/street.yaml": STREET, "mystory/board.yaml": BOARD}
    assert _check(tmp_path, monkeypatch, files, "--stats") == _output("question")
    from game import loader
    from game.engine import Engine
    engine = Engine(loader.load(Path("mystory")).story)
    pt, _ = engine.start()
    for choice in ("alley", "pick_up", "to_bar"):
        engine.choose(pt, choice)
    assert [o.id for o in engine.offers(pt)][-1] == "ask:number"
    engine.choose(pt, "answer:number:who=bartender,proof=matchbook")
    assert pt.answers["number"].outcome == "bartender"  # lived with: closed, wrongly
    pt, _ = engine.start()
    for choice in ("alley", "pick_up", "to_bar", "answer:number:who=singer,proof=matchbook"):
        engine.choose(pt, choice)
    assert pt.ending == "closed"
