"""The loader on anything a story folder can hold: diagnostics, never an
exception. And whatever it accepts, the engine can play without crashing
(stats stay in range, the log replays to the same state)."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import yaml
from fuzzkit import ROOT, SAMPLE, check_invariants, mutated, story_folders
from hypothesis import given
from hypothesis import strategies as st

from game import loader
from game.engine import Engine
from game.ui import render

REAL_FILES = sorted(SAMPLE.glob("*.yaml")) + sorted((ROOT / "story").rglob("*.yaml"))


def check_folder(files: dict[str, bytes]):
    """Write the files into a fresh folder and check it: (story or None, diagnostics)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        story, diagnostics = loader.check(root)
    for diagnostic in diagnostics:
        assert diagnostic.severity in ("error", "warning")
        assert "\n" not in diagnostic.message, "every diagnostic is one line"
        assert diagnostic.pos.path, "every diagnostic names a file"
    errors = [d for d in diagnostics if d.severity == "error"]
    assert (story is None) == bool(errors), "a story comes back exactly when there are no errors"
    return story, diagnostics


def play_randomly(story, seed: int, turns: int = 25) -> None:
    """Take random enabled choices, rendering every screen; the invariants hold throughout."""
    engine = Engine(story)
    pt, step = engine.start(seed)
    rng = random.Random(seed)
    render.step_lines(story, step, pt)
    for _ in range(turns):
        render.scene_lines(engine, pt)
        render.status_lines(story, pt)
        render.case_file_lines(story, pt)
        offers = engine.offers(pt)
        render.offer_lines(offers)
        enabled = [o for o in offers if o.enabled]
        if pt.over or not enabled:
            render.ending_lines(story, pt)
            break
        step = engine.choose_number(pt, rng.choice(enabled).number)
        render.step_lines(story, step, pt)
    check_invariants(engine, pt)


def dump(doc) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()


@given(story_folders(), st.integers(0, 2**31))
def test_near_valid_story_folders_load_or_explain_and_play(folder, seed):
    story, _ = check_folder({rel: dump(doc) for rel, doc in folder.items()})
    if story is not None:
        play_randomly(story, seed)


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@given(JSONISH, JSONISH, st.sampled_from([{}, {"default_flow_style": True}, {"default_style": '"'},
                                          {"canonical": True}, {"explicit_start": True}]))
def test_any_yaml_document_gives_diagnostics_only(manifest, other, style):
    files = {"story.yaml": yaml.safe_dump(manifest, **style).encode(),
             "sub/other.yaml": yaml.safe_dump(other, **style).encode()}
    check_folder(files)


@given(st.binary(max_size=400), st.binary(max_size=400))
def test_any_bytes_give_diagnostics_only(manifest, other):
    check_folder({"story.yaml": manifest, "other.yml": other})


@given(st.data())
def test_mutated_real_story_files_give_diagnostics_only(data):
    target = data.draw(st.sampled_from(REAL_FILES))
    files = {path.name if path.parent == SAMPLE else "story/" + path.relative_to(ROOT / "story").as_posix():
             path.read_bytes() for path in REAL_FILES if path.parent == target.parent}
    name = next(rel for rel in files if rel.endswith(target.name))
    files[name] = data.draw(mutated(files[name]))
    story, _ = check_folder(files)
    if story is not None:
        play_randomly(story, data.draw(st.integers(0, 2**31)))
