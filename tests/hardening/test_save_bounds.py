"""What one save file, or a folder of them, may cost (docs/SECURITY.md, "Limits").

The files here are the costliest the limits allow: exactly MAX_SAVE_BYTES,
exactly MAX_VALUES values, exactly MAX_DEPTH levels, a valid save with
MAX_TURNS turns that replays in full. Every command that reads the saves
folder runs over them as a user would, in a child process whose address
space is capped (SAVE_MEMORY_BYTES) with a hang timeout; before these
bounds, one 16 MB save of empty lists took 447 MB to load and ten of them
made `play.py saves` take 15 seconds.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from fuzzkit import HANG_SECONDS, PLAY, ROOT, SAMPLE, error_lines, memory_limit, run_play
from hypothesis import given
from hypothesis import strategies as st

from game import loader, savefiles, saves
from game.engine import Engine
from game.errors import SaveError
from game.savefiles import json_cost

STORY = loader.load(SAMPLE).story
# Far above what the costliest file needs (the process stays under 100 MB of
# address space), far below what these files cost before the bounds.
SAVE_MEMORY_BYTES = 256 * 1024 * 1024


def _save_with(extra: object, turns: int = 0, slot: str = "x", pad_to: int | None = None) -> bytes:
    """A valid, checksummed save of the sample story with `turns` turns (looping
    between the desk and the case board) and an extra key holding `extra`,
    padded with spaces inside the JSON to exactly pad_to bytes."""
    engine = Engine(STORY)
    pt, _ = engine.start(1)
    while len(pt.log) < turns:
        engine.choose(pt, "board" if pt.scene == "office.desk" else "back")
    doc = saves.make_save(STORY, pt, slot)
    doc["extra"] = extra
    doc["checksum"] = saves.checksum(doc)
    data = saves.dumps(doc).encode()
    if pad_to is not None:
        assert len(data) <= pad_to, (len(data), pad_to)
        data = data[:-2] + b" " * (pad_to - len(data)) + data[-2:]  # white space before the last '}'
    return data


def _values(data: bytes) -> int:
    text = data.decode()
    return text.count(",") + text.count("[") + text.count("{")  # how json_cost counts, strings have none here


def _most_values(slot: str) -> bytes:
    """A valid save holding exactly MAX_VALUES values, most of them empty lists."""
    base = _values(_save_with([], slot=slot))
    lists = (saves.MAX_VALUES - base + 1) // 2  # each list is a "[" and, but the first, a ","
    data = _save_with([[]] * lists, slot=slot, pad_to=saves.MAX_SAVE_BYTES)
    assert _values(data) in (saves.MAX_VALUES - 1, saves.MAX_VALUES)
    return data


def _deepest(slot: str) -> bytes:
    """A valid save nesting exactly MAX_DEPTH levels (the document is one, 'extra' two)."""
    nest: list = []
    for _ in range(saves.MAX_DEPTH - 3):
        nest = [nest]
    return _save_with([nest] * 2000, slot=slot, pad_to=saves.MAX_SAVE_BYTES)


def _longest_text(slot: str) -> bytes:
    """A valid save whose extra text fills the file (four bytes a character)."""
    size = len(_save_with("", slot=slot))
    return _save_with("\U0001f600" * ((saves.MAX_SAVE_BYTES - size) // 4), slot=slot, pad_to=saves.MAX_SAVE_BYTES)


def _largest_valid(slot: str) -> bytes:
    """A valid save with MAX_TURNS turns, exactly MAX_SAVE_BYTES long: it loads, replaying every turn."""
    return _save_with("", turns=saves.MAX_TURNS, slot=slot, pad_to=saves.MAX_SAVE_BYTES)


def _longest_title(slot: str) -> bytes:
    """A valid save whose summary (read by every listing) holds a 60,000-character title."""
    doc = json.loads(_save_with("", slot=slot))
    doc["summary"]["title"] = "T" * 60_000
    doc["checksum"] = saves.checksum(doc)
    return saves.dumps(doc).encode()


def _over_the_limit(slot: str) -> bytes:
    return b"[" + b"[]," * 5_500_000 + b"[]]"  # 16.5 MB: what cost 447 MB to load before the bounds


COSTLIEST = {"most-values": _most_values, "deepest": _deepest, "longest-text": _longest_text,
             "largest-valid": _largest_valid, "longest-title": _longest_title, "over-the-limit": _over_the_limit}


@pytest.fixture(scope="module")
def costly_folder(tmp_path_factory) -> Path:
    """Two of each of the costliest files: one under its own name, one as autosave-N."""
    folder = tmp_path_factory.mktemp("costly") / "saves"
    folder.mkdir()
    for index, (name, make) in enumerate(COSTLIEST.items(), start=1):
        (folder / f"{name}.json").write_bytes(make(name))
        (folder / f"autosave-{index}.json").write_bytes(make(f"autosave-{index}"))
    return folder


# --- the limits are where docs/SECURITY.md says -----------------------------


@pytest.mark.parametrize("name", ["most-values", "deepest", "longest-text", "largest-valid"])
def test_a_save_at_every_limit_still_loads(tmp_path, name):
    data = COSTLIEST[name](name)
    assert len(data) <= saves.MAX_SAVE_BYTES
    path = tmp_path / f"{name}.json"
    path.write_bytes(data)
    loaded = saves.load_slot(tmp_path, name, Engine(STORY))
    assert loaded.fits and loaded.total == (saves.MAX_TURNS if name == "largest-valid" else 0)


@pytest.mark.parametrize(("data", "words"), [
    (b"[" + b"[]," * (saves.MAX_VALUES // 2) + b"[]]", "more than 200,000 values"),
    (b"[" * (saves.MAX_DEPTH + 1) + b"]" * (saves.MAX_DEPTH + 1), f"nested more than {saves.MAX_DEPTH} levels"),
    (b'{"x": "' + b"x" * saves.MAX_SAVE_BYTES + b'"}', "larger than any save"),
    (json.dumps({"format": "aka-save", "version": 2, "kind": "walkthrough",
                 "log": [["a", "b"]] * (saves.MAX_TURNS + 1)}).encode(), "more than 10,000 turns"),
])
def test_one_past_a_limit_is_a_one_line_error(tmp_path, data, words):
    path = tmp_path / "x.json"
    path.write_bytes(data)
    with pytest.raises(SaveError, match=words) as caught:
        saves.read_doc(path)
    assert "\n" not in str(caught.value)


def test_the_count_does_not_hold_brackets_in_text_against_a_save():
    """A title of commas and brackets is text, not values or nesting."""
    text = json.dumps({"title": "[{" * 5000 + "," * 300_000, "log": []})
    assert json_cost(text, saves.MAX_VALUES, saves.MAX_DEPTH) == ""
    assert json.loads(text)  # and json agrees it is a small document


@given(st.lists(st.booleans(), max_size=60), st.integers(0, 20))
def test_the_depth_count_agrees_with_counting_one_bracket_at_a_time(opens, most):
    """savefiles counts nesting by taking out innermost pairs, in C; here against
    the plain count, on every prefix of nested text (a file cut short included)."""
    depth = deepest = 0
    text = ""
    for is_open in opens:
        if not is_open and depth == 0:
            continue  # a closing bracket with nothing open is not JSON at all
        depth += 1 if is_open else -1
        deepest = max(deepest, depth)
        text += "[" if is_open else "]"
    expected = f"nested more than {most} levels deep" if deepest > most else ""
    assert json_cost(text, 10_000, most) == expected


def test_a_save_the_game_could_not_read_back_is_not_written(tmp_path, monkeypatch):
    """A save over the size limit would be lost on the next load: refused, the old one kept."""
    session_dir = tmp_path / "saves"
    engine = Engine(STORY)
    pt, _ = engine.start(1)
    path = saves.save_slot(session_dir, STORY, pt, "mine")
    before = path.read_bytes()
    monkeypatch.setattr(saves, "make_save", lambda *a, **k: {"padding": "x" * saves.MAX_SAVE_BYTES})
    with pytest.raises(SaveError, match="more than a save may be"):
        saves.save_slot(session_dir, STORY, pt, "mine")
    assert path.read_bytes() == before


# --- cheap listing and suggestions -------------------------------------------


def _reads(monkeypatch) -> list[tuple[str, int]]:
    """Record (file name, most bytes asked for) of every file the game reads."""
    seen: list[tuple[str, int]] = []
    real = savefiles.read_capped

    def recorded(path: Path, limit: int) -> bytes:
        seen.append((path.name, limit))
        return real(path, limit)

    monkeypatch.setattr(savefiles, "read_capped", recorded)
    for module in ("savedoc", "saves"):
        monkeypatch.setattr(f"game.{module}.read_capped", recorded, raising=False)
    return seen


def test_the_listing_reads_only_the_head_of_each_file(costly_folder, monkeypatch):
    seen = _reads(monkeypatch)
    infos = saves.list_saves(costly_folder)
    assert len(infos) == 2 * len(COSTLIEST)
    assert seen and all(limit <= saves.HEADER_BYTES for _, limit in seen), seen
    by_slot = {info.slot: info for info in infos}
    assert by_slot["largest-valid"].turn == saves.MAX_TURNS and not by_slot["largest-valid"].problem
    assert "larger than any save" in by_slot["over-the-limit"].problem


def test_a_suggestion_for_an_unknown_name_reads_no_file(costly_folder, monkeypatch):
    seen = _reads(monkeypatch)
    with pytest.raises(SaveError, match="did you mean 'deepest'"):
        saves.read_slot(costly_folder, "deepst")
    assert seen == []


# --- every command over a folder of them, under a memory cap -----------------


def test_the_largest_valid_save_loads_under_a_memory_cap(tmp_path):
    (tmp_path / "largest.json").write_bytes(_largest_valid("largest"))
    proc = run_play("--plain", "--story", SAMPLE, "--saves", tmp_path, "--load", "largest", "--seed", "1",
                    stdin=b"status\n", memory=SAVE_MEMORY_BYTES)
    assert proc.returncode == 0, proc.stderr
    assert f"Loaded 'largest' (turn {saves.MAX_TURNS})" in proc.stdout.decode()


@pytest.mark.parametrize("args", [
    ["saves"],
    ["--plain", "--load", "no-such-save"],
    ["--plain", "--continue"],
    ["--plain", "--load", "most-values"],
    ["--plain", "--load", "over-the-limit"],
    ["replay", "deepest"],
], ids=" ".join)
def test_every_command_over_the_costliest_folder_stays_small(costly_folder, args):
    if args[0] == "saves":
        args = [*args, "--saves", costly_folder]
    else:
        args = [*args, "--story", SAMPLE, "--saves", costly_folder]
    proc = run_play(*args, stdin=b"saves\nload no-such-save\nquit\n", memory=SAVE_MEMORY_BYTES)
    out = proc.stdout.decode()
    if "no-such-save" in args or "over-the-limit" in args:
        assert proc.returncode == 1 and len(error_lines(proc)) == 1
    else:
        assert proc.returncode == 0, proc.stderr
    if args[0] == "saves":
        assert "largest-valid" in out and "DAMAGED" in out
        assert all(len(line) < 300 for line in out.splitlines()), "a listing line stays a line"


def test_the_title_screen_over_the_costliest_folder(costly_folder):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    child = pexpect.spawn(sys.executable, [str(PLAY), "--story", str(SAMPLE), "--saves", str(costly_folder)],
                          cwd=str(ROOT), env=env, dimensions=(24, 100), timeout=HANG_SECONDS, encoding="utf-8",
                          preexec_fn=memory_limit(SAVE_MEMORY_BYTES))
    child.expect("Continue")
    child.send("3\r")  # the load menu lists every file
    child.expect("over-the-limit")
    child.send("\x04")  # Ctrl-D: leave
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


# --- numbers a listing prints ------------------------------------------------


def test_a_huge_turn_or_clue_count_in_the_summary_is_damage_not_a_4000_digit_listing(tmp_path):
    doc = json.loads(_save_with(""))
    doc["summary"]["turn"] = int("9" * 4000)
    doc["checksum"] = saves.checksum(doc)
    (tmp_path / "huge.json").write_text(json.dumps(doc))
    doc["summary"]["turn"] = saves.MAX_TURNS + 1
    doc["checksum"] = saves.checksum(doc)
    (tmp_path / "over.json").write_text(json.dumps(doc))
    doc["summary"]["turn"] = 1
    doc["summary"]["clues"] = int("7" * 4000)
    doc["checksum"] = saves.checksum(doc)
    (tmp_path / "clues.json").write_text(json.dumps(doc))
    proc = run_play("saves", "--saves", tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 0 and "9999999999" not in out and "7777777777" not in out
    assert out.count(f"'summary.turn' must be a whole number from 0 to {saves.MAX_TURNS:,}") == 2
    assert "'summary.clues' must be a whole number from 0 to 1,000,000" in out


# --- docs/SECURITY.md says what the code does --------------------------------


def test_the_security_doc_states_these_bounds_and_names_tests_that_exist():
    doc = (ROOT / "docs" / "SECURITY.md").read_text()
    for row in (f"| a save file | {saves.MAX_SAVE_BYTES // 2**20} MiB |", f"| {saves.MAX_VALUES:,} |",
                f"| nesting in a save | {saves.MAX_DEPTH} levels |", f"| turns in a save's log | {saves.MAX_TURNS:,} |",
                f"| what a listing reads of each file | {saves.HEADER_BYTES // 1024} KiB |"):
        assert row in doc, row
    held_by = doc.split("Each limit is held by a test", 1)[1].split("\n\n")[1]  # the table after it
    sources = "\n".join(path.read_text() for path in (ROOT / "tests").rglob("test_*.py"))
    named = {word.strip("`:,()") for word in held_by.split() if word.strip("`:,()").startswith("test_")}
    named = {name.split("::")[-1] for name in named if not name.endswith(".py")}
    assert len(named) > 10
    for name in named:
        assert f"def {name}(" in sources, f"docs/SECURITY.md names {name}, which is no test"
