"""Nothing is ever lost: failed writes leave the previous save whole, and a
process killed while saving leaves either the old save or the new one."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from game import cli, saves
from game.errors import SaveError
from game.ui.commands import dispatch
from game.ui.session import Session

ROOT = Path(__file__).resolve().parent.parent.parent
FOUND = ["look_door", "board", "deduce:shop", "back", "shop", "ask"]


def _fail_with(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


def _session_with_save(tmp_path: Path, sample_story) -> tuple[Session, bytes]:
    session = Session(sample_story, tmp_path)
    session.take_id("look_door")
    path = session.save("keep")
    return session, path.read_bytes()


@pytest.mark.parametrize("where, code, message", [
    ("fsync", errno.ENOSPC, "the disk is full"),
    ("replace", errno.EROFS, "the disk is read-only"),
    ("mkstemp", errno.EACCES, "permission denied"),
    ("fsync", errno.EIO, "Input/output error"),
])
def test_a_failed_write_is_one_clear_line_and_the_old_save_survives(
        tmp_path, sample_story, monkeypatch, where, code, message) -> None:
    session, before = _session_with_save(tmp_path, sample_story)
    session.take_id("board")
    target = {"fsync": (os, "fsync"), "replace": (os, "replace"), "mkstemp": (tempfile, "mkstemp")}[where]
    monkeypatch.setattr(*target, _fail_with(code))
    with pytest.raises(SaveError) as info:
        session.save("keep")
    assert message in str(info.value) and "\n" not in str(info.value)
    monkeypatch.undo()
    assert (tmp_path / "keep.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json"]  # no temp file left behind


def test_a_full_disk_while_autosaving_leaves_the_ring_as_it_was(tmp_path, sample_story, monkeypatch) -> None:
    session = Session(sample_story, tmp_path)
    for choice in FOUND[:3]:
        session.take_id(choice)
        session.autosave()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    session.take_id("back")
    monkeypatch.setattr(os, "fsync", _fail_with(errno.ENOSPC))
    with pytest.raises(SaveError, match="the disk is full"):
        session.autosave()
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_the_game_plays_on_when_autosave_fails_and_says_so_once(tmp_path, sample_story) -> None:
    blocker = tmp_path / "saves"
    blocker.write_text("a file where the saves folder should be")
    session = Session(sample_story, blocker)
    first = dispatch(session, "1")
    assert first.took_turn
    warnings = [text for style, text in first.lines if style == "class:error"]
    assert len(warnings) == 1 and "a file is in the way of the saves folder" in warnings[0]
    second = dispatch(session, "2")
    assert second.took_turn and not [t for s, t in second.lines if s == "class:error"]
    assert blocker.read_text().startswith("a file")


def test_stale_temp_files_from_a_crash_are_tidied_but_fresh_ones_are_not(tmp_path, sample_story) -> None:
    session = Session(sample_story, tmp_path)
    session.save("slot")
    stale = tmp_path / ".slot.json.stale.tmp"
    fresh = tmp_path / ".slot.json.fresh.tmp"
    for leftover in (stale, fresh):
        leftover.write_text("half a save")
    old = time.time() - saves.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    session.save("slot")
    assert not stale.exists() and fresh.exists()


def _leave_temps(folder: Path, names: list[str], age: float) -> list[Path]:
    made = []
    for index, name in enumerate(names):
        path = folder / f".{name}.json.crash{index}-{int(age)}.tmp"
        path.write_text("half a save")
        os.utime(path, (time.time() - age, time.time() - age))
        made.append(path)
    return made


@pytest.mark.parametrize("opening", [["saves"], ["--plain", "--story", "tests/data/sample", "--seed", "1"]],
                         ids=["listing", "playing"])
def test_stale_temp_files_of_any_slot_are_tidied_when_the_folder_is_opened(tmp_path, sample_story, opening):
    """A game killed mid-save leaves a temp file each time (43 after 320 kills):
    opening the folder, by listing it or by playing, tidies every stale one up,
    whatever slot it was for, and leaves young ones and other files alone."""
    Session(sample_story, tmp_path).save("mine")
    stale = _leave_temps(tmp_path, ["autosave-1"] * 40 + ["mine", "other", "autosave-3"],
                         age=saves.STALE_TEMP_SECONDS + 60)
    fresh = _leave_temps(tmp_path, ["autosave-1", "mine"], age=1)
    others = [tmp_path / ".notes.tmp", tmp_path / ".autosave.lock", tmp_path / "x.tmp"]
    for path in others:
        path.write_text("")
        os.utime(path, (0, 0))
    args = [*opening, "--saves", str(tmp_path)]
    proc = subprocess.run([sys.executable, "play.py", *args], cwd=ROOT, input=b"", capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert [path.name for path in stale if path.exists()] == []
    assert all(path.exists() for path in fresh + others)


# The writer runs in a child process that saves in a loop (a named slot and
# the autosave ring, both) until it is killed with SIGKILL at a random moment.
# After each kill the driver copies the saves folder aside; the test then
# checks every copy. Forking inside one driver process keeps 100 kills to
# about a second (starting a Python per kill would take ten).
KILL_DRIVER = textwrap.dedent("""
    import os, random, shutil, signal, sys, time
    from pathlib import Path
    from game import loader, saves
    from game.engine import Engine

    story_dir, out, iterations, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    choices = sys.argv[5].split(",")
    story = loader.load(story_dir).story
    engine = Engine(story)
    states = []
    for n in range(len(choices) + 1):
        pt, _ = engine.start(seed)
        for choice in choices[:n]:
            engine.choose(pt, choice)
        states.append(pt)
    folder = out / "saves"
    saves.save_slot(folder, story, states[0], "slot")
    saves.autosave(folder, story, states[0])
    rng = random.Random(seed)
    for i in range(iterations):
        start = rng.randrange(len(states))
        pid = os.fork()
        if pid == 0:  # the writer: save, save, save... until killed (or 5 s, as a safety net)
            deadline = time.monotonic() + 5
            k = start
            while time.monotonic() < deadline:
                pt = states[k % len(states)]
                saves.save_slot(folder, story, pt, "slot")
                saves.autosave(folder, story, pt)
                k += 1
            os._exit(0)
        time.sleep(rng.uniform(0, 0.008))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        shutil.copytree(folder, out / f"after-{i:03d}")
    print("done")
""")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the driver forks its writers")
def test_a_process_killed_while_saving_always_leaves_a_loadable_save(tmp_path, engine, play) -> None:
    iterations = 100
    seed = 11
    run = subprocess.run(
        [sys.executable, "-c", KILL_DRIVER, str(ROOT / "tests" / "data" / "sample"), str(tmp_path),
         str(iterations), str(seed), ",".join(FOUND)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    expected = {len(log): play(engine, FOUND[:len(log)], seed).snapshot()
                for log in (FOUND[:n] for n in range(len(FOUND) + 1))}
    seen_turns = set()
    for n in range(iterations):
        folder = tmp_path / f"after-{n:03d}"
        for slot in ("slot", "autosave", *saves.autosave_slots()):
            if slot.startswith("autosave-") and not (folder / f"{slot}.json").exists():
                continue  # a kill between two moves of the ring leaves a gap, never a broken file
            loaded = saves.load_slot(folder, slot, engine)
            assert loaded.fits and loaded.skipped == ()
            turn = loaded.playthrough.turn
            # a whole state the writer saved: the one before the kill or the one after
            assert loaded.playthrough.snapshot() == expected[turn]
            assert loaded.doc["snapshot"] == expected[turn]
            if slot == "slot":
                seen_turns.add(turn)
    assert len(seen_turns) > 1  # the kills really did land at different points of the loop



def test_cli_play_with_an_unwritable_saves_folder_warns_and_never_claims_it_saved(tmp_path, capsys) -> None:
    blocker = tmp_path / "saves"
    blocker.write_text("in the way")
    out = io.StringIO()
    code = cli.main(["--plain", "--story", str(ROOT / "tests" / "data" / "sample"), "--saves", str(blocker)],
                    stdin=io.StringIO("1\n2\nsave mine\nquit\n"), stdout=out)
    text = out.getvalue()
    assert code == 0 and "Traceback" not in text + capsys.readouterr().err
    assert text.count("Autosave failed: cannot write to") == 2  # after the first turn, and on leaving
    assert "Cannot write to" in text.split("> ")[3]  # 'save mine' says why, in one line
    assert "Autosaved." not in text
    assert blocker.read_text() == "in the way"
