"""Two or more games autosaving into one saves folder at the same time.

The autosave ring is moved under a lock on saves/.autosave.lock
(game/savelock.py): games take turns, so the ring stays newest-first, every
entry in it is a whole save, and a game that cannot get the lock in time skips
that autosave with one line instead of waiting forever.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from game import loader, profile, savelist, savelock, saves
from game.engine import Engine
from game.ui.session import Session

from support import SAMPLE

ROOT = Path(__file__).resolve().parent.parent.parent
CHOICES = ["look_door", "board", "deduce:shop", "back", "shop", "ask"]
WORKERS = 4
AUTOSAVES = 40  # each; 160 autosaves in all, about a second on a 2-core machine


def _hammer(folder: str, worker: int, go, results) -> None:
    """One game: autosave AUTOSAVES different states as fast as it can.

    The seed says who wrote an entry and when: worker * 1000 + its number.
    """
    story = loader.load(SAMPLE).story
    engine = Engine(story)
    go.wait(30)
    problems = []
    for n in range(AUTOSAVES):
        pt, _ = engine.start(worker * 1000 + n)
        for choice in CHOICES[: n % (len(CHOICES) + 1)]:
            engine.choose(pt, choice)
        try:
            saves.autosave(Path(folder), story, pt)
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on any
            problems.append(f"{type(exc).__name__}: {exc}")
    results.put((worker, problems))


def test_games_autosaving_into_one_folder_at_once_keep_a_whole_ordered_ring(tmp_path, engine) -> None:
    context = multiprocessing.get_context("spawn")  # fork would copy pytest's threads and warn
    go, results = context.Event(), context.Queue()
    workers = [context.Process(target=_hammer, args=(str(tmp_path), w, go, results)) for w in range(WORKERS)]
    for process in workers:
        process.start()
    go.set()
    reports = dict(results.get(timeout=60) for _ in workers)
    for process in workers:
        process.join(10)
        assert process.exitcode == 0
    assert reports == {w: [] for w in range(WORKERS)}  # no autosave failed or timed out

    ring = []
    for slot in saves.autosave_slots():
        loaded = saves.load_slot(tmp_path, slot, engine)  # raises if a file is missing or damaged
        assert loaded.fits and loaded.doc["slot"] == "autosave-1"
        ring.append((savelist.when(loaded.doc["updated"]), loaded.doc["seed"]))
    times = [when for when, _ in ring]
    assert times == sorted(times, reverse=True)  # autosave-1 is the newest, autosave-5 the oldest
    for worker in range(WORKERS):  # and each game's own autosaves keep their order down the ring
        own = [seed for _, seed in ring if seed // 1000 == worker]
        assert own == sorted(own, reverse=True)
    assert len({seed for _, seed in ring}) == len(ring)  # nothing moved twice
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == sorted([saves.RING_LOCK, *(f"{s}.json" for s in saves.autosave_slots())])


HOLDER = """
import sys
from pathlib import Path
from game import savelock
with savelock.exclusive(Path(sys.argv[1]), 5):
    print("locked", flush=True)
    sys.stdin.readline()
"""


@contextlib.contextmanager
def _lock_held(folder: Path) -> Iterator[subprocess.Popen]:
    """Another game (a child process) holding the ring's lock until the block ends or it is killed."""
    folder.mkdir(exist_ok=True)
    with subprocess.Popen([sys.executable, "-c", HOLDER, str(folder / saves.RING_LOCK)], cwd=ROOT,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield holder  # leaving closes its stdin: it lets go and ends


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_an_autosave_that_cannot_get_the_lock_is_skipped_in_one_line_and_loses_nothing(
        tmp_path, sample_story, monkeypatch) -> None:
    session = Session(sample_story, tmp_path)
    session.take_id("look_door")
    assert session.try_autosave() == ""
    before = _files(tmp_path)
    with _lock_held(tmp_path):
        monkeypatch.setattr(saves, "RING_LOCK_TIMEOUT", 0.2)
        session.take_id("board")
        warning = session.try_autosave(once=True)
        assert warning.startswith("Autosave failed: cannot autosave in ")
        assert "another game kept the autosave ring locked for 0.2 s" in warning and "\n" not in warning
        assert _files(tmp_path) == before  # the ring is untouched, no temp file is left
        assert session.try_autosave(once=True) == ""  # said once, not on every turn
    assert session.try_autosave() == ""  # the next autosave carries the skipped turn
    assert saves.load_slot(tmp_path, "autosave", session.engine).playthrough.turn == 2
    assert saves.load_slot(tmp_path, "autosave-2", session.engine).playthrough.turn == 1


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_game_killed_while_holding_the_lock_does_not_leave_the_folder_locked(tmp_path, sample_story,
                                                                               monkeypatch) -> None:
    with _lock_held(tmp_path) as holder:
        holder.kill()
        holder.wait(10)
    monkeypatch.setattr(saves, "RING_LOCK_TIMEOUT", 0.5)
    session = Session(sample_story, tmp_path)
    session.take_id("look_door")
    assert session.try_autosave() == ""
    assert (tmp_path / "autosave-1.json").is_file()


class FakeMsvcrt:
    """msvcrt.locking as Windows does it: byte locks that fail at once when held."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self, held: bool = False):
        self.held = held
        self.calls: list[tuple[int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        self.calls.append((mode, os.lseek(fd, 0, os.SEEK_CUR)))
        if mode == self.LK_NBLCK and self.held:
            raise PermissionError(errno.EACCES, "Permission denied")


def test_without_fcntl_the_ring_is_locked_with_msvcrt(tmp_path, sample_story, monkeypatch) -> None:
    fake = FakeMsvcrt()
    monkeypatch.setattr(savelock, "_fcntl", None)
    monkeypatch.setattr(savelock, "_msvcrt", fake)
    session = Session(sample_story, tmp_path)
    session.take_id("look_door")
    assert session.try_autosave() == ""
    assert fake.calls == [(FakeMsvcrt.LK_NBLCK, 0), (FakeMsvcrt.LK_UNLCK, 0)]  # first byte, locked then freed

    fake.held = True
    monkeypatch.setattr(saves, "RING_LOCK_TIMEOUT", 0.05)
    session.take_id("board")
    assert "another game kept the autosave ring locked" in session.try_autosave()
    assert saves.load_slot(tmp_path, "autosave", session.engine).playthrough.turn == 1


def test_where_nothing_can_lock_autosave_still_works(tmp_path, sample_story, monkeypatch) -> None:
    monkeypatch.setattr(savelock, "_fcntl", None)
    monkeypatch.setattr(savelock, "_msvcrt", None)
    session = Session(sample_story, tmp_path)
    session.take_id("look_door")
    assert session.try_autosave() == ""
    assert saves.load_slot(tmp_path, "autosave", session.engine).playthrough.turn == 1


@pytest.mark.skipif(savelock._fcntl is None, reason="POSIX flock")
def test_a_file_system_that_cannot_lock_does_not_stop_autosaves(tmp_path, sample_story, monkeypatch) -> None:
    class NoLocks:  # what flock says on some network mounts
        LOCK_EX, LOCK_NB, LOCK_UN = 2, 4, 8

        @staticmethod
        def flock(fd: int, op: int) -> None:
            raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(savelock, "_fcntl", NoLocks)
    monkeypatch.setattr(saves, "RING_LOCK_TIMEOUT", 0.05)
    session = Session(sample_story, tmp_path)
    session.take_id("look_door")
    assert session.try_autosave() == ""


@pytest.mark.parametrize("planted", ["folder", "link", "fifo"])
def test_something_else_under_the_lock_name_is_one_line_and_never_followed(
        tmp_path, sample_story, planted) -> None:
    lock = tmp_path / saves.RING_LOCK
    target = tmp_path / "elsewhere"
    if planted == "folder":
        lock.mkdir()
    elif planted == "link":
        lock.symlink_to(target)
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(lock)
    session = Session(sample_story, tmp_path)
    session.take_id("look_door")
    warning = session.try_autosave()
    assert warning.startswith(f"Autosave failed: cannot write to {tmp_path}: ") and "\n" not in warning
    assert not target.exists()  # a link is never followed to create a file elsewhere
    assert not (tmp_path / "autosave-1.json").exists()


ROUNDS = 40


def _record_endings(folder: str, ending: str, barrier) -> None:
    """Reach `ending` in round r's own saves folder, at the same moment as the other game."""
    story = loader.load(SAMPLE).story
    for round_ in range(ROUNDS):
        barrier.wait(30)
        profile.record(Path(folder) / f"r{round_}", story, ending)


def test_two_games_reaching_endings_at_once_both_stay_recorded(tmp_path, sample_story) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    games = [context.Process(target=_record_endings, args=(str(tmp_path), ending, barrier))
             for ending in ("found", "lost")]
    for process in games:
        process.start()
    for process in games:
        process.join(120)
        assert process.exitcode == 0
    missing = [r for r in range(ROUNDS)
               if set(profile.load(tmp_path / f"r{r}", sample_story).endings) != {"found", "lost"}]
    assert missing == []
