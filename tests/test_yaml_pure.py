"""Stories read the same without libyaml (the web page's case: Pyodide has no
libyaml), and from the event stream that `play.py publish` precompiles.

This file also runs under Pyodide (tests/web/test_wasm.py), where the pure
parser is the only one."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from support import ROOT

from game import loader, yamlsrc
from game.engine import Engine
from game.errors import StoryError
from game.yamlsrc import Precompiled

STORIES = [ROOT / "story", ROOT / "examples" / "lighthouse"]
BAD = ROOT / "tests" / "data" / "bad"


def _texts(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8-sig") for p in loader.story_files(root)}


def test_without_libyaml_the_safe_loader_is_used(monkeypatch):
    """The import-time fallback: a PyYAML built without libyaml has no CSafeLoader."""
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    spec = importlib.util.spec_from_file_location("game.yamlsrc_without_libyaml", yamlsrc.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module._Loader is yaml.SafeLoader


def test_the_loader_in_use_matches_what_pyyaml_offers():
    expected = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    assert yamlsrc._Loader is expected


@pytest.mark.parametrize("root", STORIES, ids=lambda p: p.name)
def test_pure_parser_builds_the_same_story(root, monkeypatch):
    usual = loader.load(root).story
    monkeypatch.setattr(yamlsrc, "_Loader", yaml.SafeLoader)
    pure = loader.load(root).story
    assert pure == usual
    assert pure.fingerprint == usual.fingerprint


@pytest.mark.parametrize("case", sorted(p.name for p in BAD.iterdir() if p.is_dir()))
def test_pure_parser_reports_the_same_problems(case, monkeypatch):
    monkeypatch.chdir(BAD / case)
    monkeypatch.setattr(yamlsrc, "_Loader", yaml.SafeLoader)
    _story, diagnostics = loader.check(Path("."))
    assert [str(d) for d in diagnostics] == (BAD / case / "expected.txt").read_text().splitlines()


@pytest.mark.parametrize("root", STORIES, ids=lambda p: p.name)
def test_precompiled_events_build_the_same_story(root, tmp_path):
    events = tmp_path / "events.json"
    events.write_bytes(yamlsrc.precompile(_texts(root)))
    precompiled = Precompiled.read(events)
    assert precompiled is not None
    assert loader.load(root, precompiled).story == loader.load(root).story


def test_a_file_edited_after_precompiling_is_parsed_from_its_text(write_story, tmp_path):
    files = {"story.yaml": "story: {id: t, title: T, start: a.one}\nareas: {a: A}\n"
                           "endings: {out: {title: Out}}\n",
             "a.yaml": "scenes:\n  a.one:\n    title: One\n    text: Before.\n"
                       "    choices: [{id: go, text: Go., do: [{end: out}]}]\n"}
    root = write_story(files)
    precompiled = Precompiled(json.loads(yamlsrc.precompile(_texts(root)))["files"])
    (root / "a.yaml").write_text(files["a.yaml"].replace("Before.", "After."))
    engine = Engine(loader.load(root, precompiled).story)
    pt, _step = engine.start()
    assert engine.text(pt) == ["After."]


def test_damaged_events_are_one_error_naming_the_file(write_story):
    root = write_story({"story.yaml": "story: {id: t, title: T, start: a.one}\nscenes: {}\n"})
    good = json.loads(yamlsrc.precompile(_texts(root)))["files"]
    good["story.yaml"]["events"] = good["story.yaml"]["events"][:4]  # cut short
    with pytest.raises(StoryError) as raised:
        loader.load(root, Precompiled(good))
    assert [d.severity for d in raised.value.diagnostics] == ["error"]
    assert "story.yaml" in str(raised.value) and "precompiled events" in str(raised.value)


def test_an_unreadable_events_file_means_parsing_as_usual(tmp_path):
    path = tmp_path / "events.json"
    path.write_text("{not json")
    assert Precompiled.read(path) is None
    path.write_text(json.dumps({"format": "something-else", "version": 1, "files": {}}))
    assert Precompiled.read(path) is None
