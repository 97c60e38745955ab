"""Editor support outside the server: `play.py schema`, `play.py new`, the schema agreeing with the
loader on every shape, renames written into the manifest, and the server's start without its
packages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from lsp_support import MANIFEST, YARD, write_story
from support import ROOT

from game import loader
from game.engine import Engine
from game.lsp.index import Index, Recorder, Symbol
from game.lsp.rename import Manifest, RenameError, rename
from game.saves import log_of, read_doc
from game.tools.check import run_check

SCHEMA = json.loads((ROOT / "game" / "schema" / "story.schema.json").read_text())


def play(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "play.py"), *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_schema_prints_the_schema_with_its_stable_id() -> None:
    done = play("schema")
    assert done.returncode == 0
    printed = json.loads(done.stdout)
    assert printed == SCHEMA
    assert printed["$id"] == "urn:yaml-story-engine:story-file"


def test_new_makes_a_story_that_checks_clean_with_a_working_modeline_and_editor_settings(tmp_path: Path) -> None:
    folder = tmp_path / "my-first-case"
    done = play("new", str(folder))
    assert done.returncode == 0, done.stderr
    assert "check ok" in done.stdout
    result = run_check(folder)
    assert result.ok and result.diagnostics == [], [str(d) for d in result.diagnostics]
    assert result.story.id == "my-first-case" and result.story.title == "My First Case"
    manifest = (folder / "story.yaml").read_text()
    schema_path = manifest.splitlines()[0].split("$schema=", 1)[1]
    schema = json.loads((folder / schema_path).read_text())  # the modeline resolves from the file
    assert schema == SCHEMA
    assert list(Draft7Validator(schema).iter_errors(yaml.safe_load(manifest))) == []
    settings = json.loads((folder / ".vscode" / "settings.json").read_text())
    assert settings["yaml.schemas"] == {"./.schema/story.schema.json": ["*.yaml", "**/*.yaml"]}
    command = settings["storyLsp.command"]
    assert Path(command[1]) == ROOT / "play.py" and command[2] == "lsp"
    # A folder that holds anything is never written over.
    again = play("new", str(folder))
    assert again.returncode == 2 and "not an empty folder" in again.stderr
    assert (folder / "story.yaml").read_text() == manifest


# Each kind of entry with a field neither the schema nor the loader knows: both must refuse it.
UNKNOWN_FIELD = {
    "the story section": ("story:\n  {fields}\n", "story"),
    "a scene": ("scenes:\n  a.b:\n    {fields}\n", "scenes/a.b"),
    "a choice": ("scenes:\n  a.b:\n    text: T\n    choices:\n      - {fields}\n", "scenes/a.b/choices/0"),
    "a branch": ("scenes:\n  a.b:\n    text: T\n    choices:\n      - id: x\n        text: X\n        goto:\n"
                 "          - {fields}\n", "scenes/a.b/choices/0/goto"),
    "a stat": ("stats:\n  s:\n    {fields}\n", "stats/s"),
    "a clue": ("clues:\n  c:\n    {fields}\n", "clues/c"),
    "an ending": ("endings:\n  e:\n    {fields}\n", "endings/e"),
    "a deduction": ("deductions:\n  d:\n    {fields}\n", "deductions/d"),
    "a paragraph": ("scenes:\n  a.b:\n    text:\n      - {fields}\n", "scenes/a.b/text"),
}
GOOD = {
    "the story section": "id: x, title: X, start: a.b",
    "a scene": "text: T",
    "a choice": "id: x, text: X",
    "a branch": "goto: a.b",
    "a stat": "min: 0, max: 1",
    "a clue": "title: C",
    "an ending": "title: E",
    "a deduction": "label: D, needs: [c, c2], gives: c3",
    "a paragraph": "text: T",
}


@pytest.mark.parametrize("what", sorted(UNKNOWN_FIELD))
def test_the_schema_and_the_loader_refuse_the_same_unknown_field(what: str, tmp_path: Path) -> None:
    template, where = UNKNOWN_FIELD[what]
    good = template.replace("{fields}", "{" + GOOD[what] + "}")
    bad = template.replace("{fields}", "{" + GOOD[what] + ", bogus_field: 1}")
    validator = Draft7Validator(SCHEMA)
    assert not [e for e in validator.iter_errors(yaml.safe_load(good)) if "bogus" in e.message]
    assert any("/".join(map(str, e.absolute_path)).startswith(where)
               for e in validator.iter_errors(yaml.safe_load(bad)))
    root = tmp_path / "story"
    root.mkdir()
    (root / "story.yaml").write_text(MANIFEST)
    (root / "more.yaml").write_text(bad.replace("story:", "story_again:") if what == "the story section" else bad)
    if what == "the story section":
        (root / "story.yaml").write_text(MANIFEST.replace("  format: 2\n", "  format: 2\n  bogus_field: 1\n"))
    _, found = loader.check(root)
    assert any("bogus_field" in d.message for d in found if d.severity == "error"), [str(d) for d in found]


def _index(root: Path) -> tuple[Index, loader.Inspection]:
    recorder = Recorder()
    inspection = loader.inspect(root, observer=recorder)
    index = Index()
    index.update(inspection, recorder)
    return index, inspection


def _apply(root: Path, edits) -> None:
    by_file: dict[str, list] = {}
    for edit in edits:
        by_file.setdefault(edit.path, []).append(edit)
    for path, changes in by_file.items():
        lines = Path(path).read_text().split("\n")
        for edit in sorted(changes, key=lambda e: (e.line, e.col), reverse=True):
            assert edit.line == edit.end_line or edit.text == ""
            if edit.line > len(lines):
                lines.append("")
            line = lines[edit.line - 1]
            lines[edit.line - 1] = line[:edit.col - 1] + edit.text + line[edit.end_col - 1:]
        Path(path).write_text("\n".join(lines))


@pytest.mark.parametrize("style", ["none", "block", "flow", "empty", "choices only"])
def test_a_scene_rename_is_recorded_in_the_manifest_whatever_its_style(style: str, tmp_path: Path) -> None:
    renames = {
        "none": "",
        "block": "renames:\n  scenes:\n    hall.porch: hall.door\n",
        "flow": "renames:\n  scenes: {hall.porch: hall.door}\n",
        "empty": "renames:\n  scenes:\n",
        "choices only": "renames:\n  choices:\n    hall.door: {look: search}\n",
    }[style]
    manifest = MANIFEST + "# the end of the manifest\n" + renames
    root = write_story(tmp_path / "story", {"story.yaml": manifest, "yard.yaml": YARD})
    if style == "empty":
        _, found = loader.check(root)  # `scenes:` with nothing is allowed and means none
        assert not [d for d in found if d.severity == "error"]
    index, inspection = _index(root)
    display = loader.display_path(root / "story.yaml")
    edits = rename(index, Symbol("scenes", "hall.door"), "hall.entrance",
                   Manifest(display, inspection.texts[display], inspection.data[display]))
    _apply(root, edits)
    result = run_check(root)
    assert result.ok, [str(d) for d in result.diagnostics]
    expected = {"hall.door": "hall.entrance"}
    if style in ("block", "flow"):
        expected["hall.porch"] = "hall.entrance"
    assert dict(result.story.renamed_scenes) == expected
    assert "# the end of the manifest" in (root / "story.yaml").read_text()


def test_a_rename_that_would_break_saves_or_clash_is_refused(tmp_path: Path) -> None:
    manifest = MANIFEST + "renames:\n  scenes: {hall.porch: hall.door}\n"
    root = write_story(tmp_path / "story", {"story.yaml": manifest, "yard.yaml": YARD})
    index, inspection = _index(root)
    display = loader.display_path(root / "story.yaml")
    info = Manifest(display, inspection.texts[display], inspection.data[display])
    with pytest.raises(RenameError, match="'hall.porch' is an old name in renames"):
        rename(index, Symbol("scenes", "hall.door"), "hall.porch", info)
    with pytest.raises(RenameError, match="already a scene 'yard.gate'"):
        rename(index, Symbol("scenes", "hall.door"), "yard.gate", info)
    with pytest.raises(RenameError, match="not a clue id"):
        rename(index, Symbol("clues", "key"), "a key", info)
    edits = rename(index, Symbol("clues", "key"), "brass_key", info)  # no save records clues
    assert {e.text for e in edits} == {"brass_key"}
    _apply(root, edits)
    assert run_check(root).ok


def test_renaming_an_area_renames_the_scenes_named_after_it_and_old_saves_follow(tmp_path: Path) -> None:
    root = write_story(tmp_path / "story")
    before = loader.load(root).story
    engine = Engine(before)
    pt, _ = engine.start(seed=3)
    for choice in ("search", "open", "back"):
        engine.choose(pt, choice)
    index, inspection = _index(root)
    display = loader.display_path(root / "story.yaml")
    edits = rename(index, Symbol("areas", "hall"), "house",
                   Manifest(display, inspection.texts[display], inspection.data[display]))
    _apply(root, edits)
    result = run_check(root)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert set(result.story.areas) == {"house", "yard"}
    assert "house.door" in result.story.scenes and result.story.start == "house.door"
    assert dict(result.story.renamed_scenes) == {"hall.door": "house.door"}
    replayed = Engine(result.story).replay(pt.log, seed=3)
    assert replayed.ok and replayed.playthrough.scene == "house.door"


def test_renaming_a_shared_choice_records_it_for_every_scene_it_is_offered_in(tmp_path: Path) -> None:
    root = tmp_path / "lighthouse"
    shutil.copytree(ROOT / "examples" / "lighthouse", root)
    walks = sorted((ROOT / "tests" / "data" / "walkthroughs" / "lighthouse").glob("*.json"))
    before = loader.load(root).story
    offered = sorted(s.id for s in before.scenes.values() if any(c.id == "listen" and c.shared for c in s.choices))
    assert offered
    index, inspection = _index(root)
    display = loader.display_path(root / "story.yaml")
    edits = rename(index, Symbol("shared_choices", "listen"), "hark",
                   Manifest(display, inspection.texts[display], inspection.data[display]))
    _apply(root, edits)
    result = run_check(root)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert dict(result.story.renamed_choices) == {**before.renamed_choices,
                                                  **{(scene, "listen"): "hark" for scene in offered}}
    assert "taken.here.hark" in (root / "story.yaml").read_text()
    engine = Engine(result.story)
    for walk in walks:
        doc = read_doc(walk)
        assert engine.replay(log_of(doc), seed=doc.get("seed", 0)).ok, walk.name


def test_renaming_a_deduction_keeps_saves_that_made_it_loading(tmp_path: Path) -> None:
    root = tmp_path / "lighthouse"
    shutil.copytree(ROOT / "examples" / "lighthouse", root)
    before = loader.load(root).story
    (deduction,) = before.deductions
    walks = [read_doc(p) for p in sorted((ROOT / "tests" / "data" / "walkthroughs" / "lighthouse").glob("*.json"))]
    made = [doc for doc in walks if any(choice == f"deduce:{deduction}" for _, choice in doc["log"])]
    assert made, "no walkthrough makes the deduction: nothing would be tested"
    index, inspection = _index(root)
    display = loader.display_path(root / "story.yaml")
    edits = rename(index, Symbol("deductions", deduction), "worked_it_out",
                   Manifest(display, inspection.texts[display], inspection.data[display]))
    _apply(root, edits)
    result = run_check(root)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert dict(result.story.renamed_deductions) == {deduction: "worked_it_out"}
    engine = Engine(result.story)
    for doc in made:
        assert engine.replay(log_of(doc), seed=doc.get("seed", 0)).ok


def test_the_schema_knows_what_renames_can_follow() -> None:
    assert set(SCHEMA["properties"]["renames"]["properties"]) == loader.fields.RENAMES_FIELDS


def test_without_its_packages_the_server_says_what_to_install(tmp_path: Path) -> None:
    blocker = tmp_path / "pygls"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('pygls', name='pygls')\n")
    done = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
                           f"sys.argv = ['play.py', 'lsp']; import runpy; runpy.run_path({str(ROOT / 'play.py')!r}, "
                           "run_name='__main__')"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: the language server needs its packages (pygls is missing): "
                                   "pip install -c constraints.txt -e '.[lsp]' in the engine's folder")
