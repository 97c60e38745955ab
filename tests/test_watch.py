"""Live reload (--watch): an edit that keeps the log fitting keeps the state; one that breaks it says where."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from support import SAMPLE

from game import loader
from game.ui.plain import PlainUI
from game.ui.session import Session
from game.ui.watch import LiveReload, StoryWatcher


@pytest.fixture
def story_dir(tmp_path: Path) -> Path:
    root = tmp_path / "story"
    shutil.copytree(SAMPLE, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    # Some file systems keep coarse times; make sure the watcher can see the change.
    stamp = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(stamp, stamp))


def _session(story_dir: Path, tmp_path: Path, choices: list[str]) -> Session:
    session = Session(loader.load(story_dir).story, tmp_path / "saves", seed=3)
    for choice in choices:
        session.take_id(choice)
    return session


def test_a_text_edit_keeps_the_playthrough(story_dir: Path, tmp_path: Path) -> None:
    session = _session(story_dir, tmp_path, ["look_door", "out", "pay"])
    before = session.pt.snapshot()
    _edit(story_dir / "street.yaml", "A man leans on a lamppost.", "A man props up a lamppost.")
    result = session.reload(loader.load(story_dir).story)
    assert result.fits and result.replayed == 3
    assert session.pt.snapshot() == before
    assert "props up" in session.story.scenes["street.corner"].text[0].variants[0]


def test_an_edit_that_breaks_the_log_says_where_and_keeps_what_fits(story_dir: Path, tmp_path: Path) -> None:
    session = _session(story_dir, tmp_path, ["look_door", "out", "pay", "back"])
    _edit(story_dir / "street.yaml", "      - id: pay\n", "      - id: bribe\n")
    result = session.reload(loader.load(story_dir).story)
    assert not result.fits
    assert (result.error.turn, result.error.scene, result.error.choice) == (3, "street.corner", "pay")
    assert result.replayed == 2 and result.logged == 4
    assert session.pt.scene == "street.corner" and "collar" in session.pt.clues and "address" not in session.pt.clues
    assert "turn 3" in result.message() and "'pay'" in result.message() and "Continuing from turn 2" in result.message()


def test_live_reload_reloads_on_change_and_keeps_the_old_story_on_errors(story_dir: Path, tmp_path: Path) -> None:
    session = _session(story_dir, tmp_path, ["out"])
    live = LiveReload(session, story_dir)
    assert live.poll() is None  # nothing changed yet
    _edit(story_dir / "office.yaml", "The office smells of old coffee.", "The office smells of new coffee.")
    event = live.poll()
    assert event is not None and event.reloaded and event.result.fits
    assert live.poll() is None  # one change, one reload
    working = session.story
    _edit(story_dir / "office.yaml", "if: clue.address", "if: clue.adress")
    event = live.poll()
    assert event is not None and not event.reloaded
    assert session.story is working and session.pt.scene == "street.corner"
    assert len(event.errors) == 1
    assert event.errors[0].endswith("office.yaml:27:18: error: condition: unknown clue 'adress' "
                                    "(did you mean 'address'?)")


def test_the_watcher_sees_added_and_removed_files(story_dir: Path) -> None:
    watcher = StoryWatcher(story_dir)
    (story_dir / "extra.yaml").write_text("flags: {spare: unused}\n")
    assert watcher.changed() and not watcher.changed()
    (story_dir / "extra.yaml").unlink()
    assert watcher.changed()


class _EditingInput(io.StringIO):
    """Standard input that edits the story just before the player's Nth line, as a writer would."""

    def __init__(self, lines: list[str], edits: dict[int, tuple[Path, str, str]]):
        super().__init__()
        self.lines, self.edits, self.count = lines, edits, 0

    def readline(self, *args) -> str:
        self.count += 1
        if self.count in self.edits:
            _edit(*self.edits[self.count])
        return self.lines.pop(0) + "\n" if self.lines else ""


def test_plain_mode_with_watch_reloads_between_inputs(story_dir: Path, tmp_path: Path) -> None:
    session = _session(story_dir, tmp_path, [])
    stdin = _EditingInput(
        ["3", "1", "1", "look"],
        {3: (story_dir / "street.yaml", "      - id: pay\n", "      - id: bribe\n"),
         4: (story_dir / "street.yaml", "Head back.", "Head back to the office.")},
    )
    out = io.StringIO()
    PlainUI(session, stdin, out, width=200, live=LiveReload(session, story_dir)).run()
    text = out.getvalue()
    # Turn 2 ('pay') no longer exists: the reload says so, the typed '1' is not used, play goes on from turn 1.
    assert "stops fitting at turn 2 (scene 'street.corner', choice 'pay')" in text
    assert "your input was not used" in text
    # The next edit keeps the log fitting: the state is kept and the new text is shown.
    assert "Story reloaded; your 1 turn replayed as before." in text
    assert "3. Head back to the office." in text
    assert session.pt.log[-1].choice == "out" and len(session.pt.log) == 1
