"""The save loader on any file a stranger can hand over: SaveError (one line)
or a game that replays soundly; never another exception. Listing a folder
holding such a file never fails either."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from fuzzkit import SAMPLE, check_invariants, mutated
from hypothesis import given
from hypothesis import strategies as st

from game import loader, profile, saves
from game.engine import Engine
from game.errors import SaveError

STORY = loader.load(SAMPLE).story
ENGINE = Engine(STORY)


def _valid_save() -> bytes:
    pt, _ = ENGINE.start(7)
    for choice in ("look_door", "board", "deduce:shop", "back", "out", "pay"):
        ENGINE.choose(pt, choice)
    with tempfile.TemporaryDirectory() as tmp:
        return saves.save_slot(Path(tmp), STORY, pt, "good").read_bytes()


VALID = _valid_save()


def load_bytes(data: bytes) -> None:
    """Read, restore and list a save made of these bytes: only SaveError may escape."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "slot.json"
        path.write_bytes(data)
        try:
            doc = saves.read_doc(path)
            result = saves.restore(doc, ENGINE, str(path))
        except SaveError as exc:
            assert str(exc) and "\n" not in str(exc), "a save error is one line"
        else:
            check_invariants(ENGINE, result.playthrough)
        for info in saves.list_saves(Path(tmp)):
            assert info.slot == "slot"


@given(st.binary(max_size=300))
def test_any_bytes_are_a_save_error_or_a_save(data):
    load_bytes(data)


@given(st.data())
def test_mutated_save_bytes_are_a_save_error_or_a_save(data):
    load_bytes(data.draw(mutated(VALID, max_edits=3)))


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-2**80, 2**80), st.floats(),
              st.text(max_size=8), st.sampled_from(["office.desk", "look_door", "sample", "deduce:shop", ""])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)


def _paths(value, prefix=()):
    """Every place in a JSON document: (key path)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@given(st.data(), st.booleans())
def test_save_documents_with_any_value_anywhere(data, fix_checksum):
    """A hand edit of any field, with the checksum recomputed (an attacker can)
    or not: still only SaveError, or a sound replay."""
    doc = json.loads(VALID)
    for _ in range(data.draw(st.integers(1, 3))):
        places = list(_paths(doc))[1:]
        place = data.draw(st.sampled_from(places))
        parent = doc
        for key in place[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[place[-1]]
        else:
            parent[place[-1]] = data.draw(JSON_VALUES)
    if fix_checksum and isinstance(doc, dict):
        doc["checksum"] = saves.checksum(doc)
    load_bytes(json.dumps(doc, allow_nan=True).encode())


@given(st.one_of(st.binary(max_size=200), JSON_VALUES.map(lambda v: json.dumps(v).encode()),
                 st.builds(lambda stories: json.dumps({"format": "aka-profile", "version": 1,
                                                       "stories": stories}).encode(), JSON_VALUES),
                 st.just(b'{"format": "aka-profile", "version": ' + b"1" * 5000 + b"}")))
def test_the_endings_profile_survives_any_content(data):
    """The profile (endings reached) lives in the saves folder too: a damaged
    one is rebuilt with a one-line warning, never a reason to stop."""
    with tempfile.TemporaryDirectory() as tmp:
        path = profile.path_of(Path(tmp))
        path.parent.mkdir()
        path.write_bytes(data)
        loaded = profile.load(Path(tmp), STORY)
        assert "\n" not in loaded.warning
        assert set(loaded.discovered) <= set(STORY.endings)
        assert "lost" in profile.record(Path(tmp), STORY, "lost").discovered
        assert profile.load(Path(tmp), STORY).warning == ""  # rewritten whole
