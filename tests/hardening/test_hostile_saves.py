"""Hostile slot names, save files and saves folders: a clear one-line error,
nothing written outside the saves folder, and the save the player already
had left exactly as it was."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path

import pytest
from fuzzkit import SAMPLE, error_lines, run_play

from game import loader, profile, saves
from game.engine import Engine
from game.errors import SaveError
from game.ui.commands import dispatch
from game.ui.session import Session

STORY = loader.load(SAMPLE).story

HOSTILE_NAMES = [
    "../x", "..\\x", "../../etc/passwd", "..", ".", "./x", "x/../../y", "/etc/passwd", "/tmp/x", "C:\\x",
    "C:x", "\\\\server\\share\\x", "~/x", "$HOME", ".hidden", "-rf", "a" * (saves.MAX_SLOT_LENGTH + 1),
    "a" * 100_000, "CON", "con", "nul", "Nul", "prn", "aux", "com1", "COM9", "lpt1", "x\x00y", "x\x01y",
    "\x1b[2J", "x\u202ey", "caf\u00e9", "\uff41\uff42", "\u0130", "\U0001f575", "x.json", "x*", "x?",
    "x:y", "x|y", "x<y", '"x"', "", "   ", "\t",
]


def fresh_session(saves_dir: Path) -> Session:
    session = Session(STORY, saves_dir, seed=1)
    session.take(1)  # a turn, so there is something to lose
    return session


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_hostile_slot_names_are_refused(name):
    with pytest.raises(SaveError) as caught:
        saves.slot_name(name)
    message = str(caught.value)
    assert message and "\n" not in message and "\x1b" not in message and "\x00" not in message


@pytest.mark.parametrize("name", [*HOSTILE_NAMES, "{tmp}/x", "{tmp}/cwd/x", "{tmp}/saves/../x", "../cwd/x"],
                         ids=repr)
def test_hostile_slot_names_typed_in_game_write_nothing_outside(tmp_path, monkeypatch, name):
    """Typed at the prompt, control characters are dropped first (commands.clean),
    so 'save x<NUL>y' saves to 'xy'; everything else is a one-line error.

    Paths that lead out of the saves folder lead into this test's own folder
    (the working folder is in it too), so a file written where it should not
    be is found there, not looked for in a global place like /tmp."""
    saves_dir = tmp_path / "saves"
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    name = name.replace("{tmp}", str(tmp_path))
    session = fresh_session(saves_dir)
    session.save("mine")
    before = files_under(tmp_path)
    for command in (f"save {name}", f"load {name}"):
        reply = dispatch(session, command)
        assert len(reply.lines) == 1, reply.lines
        style, text = reply.lines[0]
        assert text.isprintable(), repr(text)
        if style == "class:notice":  # cleaned into a plain, valid slot name
            slot = saves.slot_name(text.split("'")[1])
            assert (saves_dir / f"{slot}.json").is_file()
        else:
            assert style == "class:error"
    assert {p.parent for p in files_under(tmp_path) - before} <= {saves_dir}, "nothing outside the saves folder"


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "con", "x\ny", "a" * 1000])
def test_hostile_slot_name_on_the_command_line(tmp_path, name):
    proc = run_play("--plain", "--story", SAMPLE, "--saves", tmp_path, "--load", name)
    assert proc.returncode in (1, 2)  # a bad slot name is bad usage (2); a missing save, 1
    assert len(error_lines(proc)) == 1 and error_lines(proc)[0].startswith("error: ")


def test_good_names_are_normalised_not_refused():
    assert saves.slot_name("Kozlov") == "kozlov"
    assert saves.slot_name("  my save  ") == "my-save"
    assert saves.slot_name("x\ny") == saves.slot_name("x\r\ty") == "x-y"  # white space of any kind
    assert saves.slot_name("a" * saves.MAX_SLOT_LENGTH) == "a" * saves.MAX_SLOT_LENGTH


# --- the saves folder is not what it seems --------------------------------


def test_a_saves_folder_that_is_a_symlink_is_followed(tmp_path):
    """Decision (docs/SECURITY.md): a linked saves folder is the player's own
    choice (e.g. into a synced folder), so saves go where it points."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    session = fresh_session(tmp_path / "link")
    session.save("a")
    assert (real / "a.json").is_file()
    other = Session(STORY, tmp_path / "link")
    other.load("a")
    assert other.pt.snapshot() == session.pt.snapshot()


def test_a_slot_file_that_links_elsewhere_is_replaced_not_written_through(tmp_path):
    saves_dir = tmp_path / "saves"
    saves_dir.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (saves_dir / "a.json").symlink_to(victim)
    fresh_session(saves_dir).save("a")
    assert victim.read_text() == "precious\n", "saving never writes through a link"
    assert not (saves_dir / "a.json").is_symlink()


@pytest.mark.parametrize("make", ["file", "under-a-file", "slot-is-a-folder"])
def test_saves_folder_in_the_way(tmp_path, make):
    if make == "file":
        saves_dir = tmp_path / "saves"
        saves_dir.write_text("not a folder")
    elif make == "under-a-file":
        (tmp_path / "file").write_text("x")
        saves_dir = tmp_path / "file" / "saves"
    else:
        saves_dir = tmp_path / "saves"
        (saves_dir / "a.json").mkdir(parents=True)
    session = fresh_session(saves_dir)
    with pytest.raises(SaveError) as caught:
        session.save("a")
    assert "\n" not in str(caught.value) and str(caught.value)
    reply = dispatch(session, "save a")
    assert reply.lines[0][0] == "class:error"
    if make != "slot-is-a-folder":
        assert session.try_autosave().startswith("Autosave failed: ")  # reported, never fatal


def _one_good_save(saves_dir: Path) -> tuple[Session, bytes]:
    session = fresh_session(saves_dir)
    path = session.save("mine")
    return session, path.read_bytes()


def _leftovers(saves_dir: Path) -> list[Path]:
    return [p for p in saves_dir.iterdir() if p.name != "mine.json"]


@pytest.mark.parametrize(("target", "code", "words"), [
    ("os.replace", errno.EROFS, "read-only"),
    ("os.replace", errno.EACCES, "permission denied"),
    ("os.fsync", errno.ENOSPC, "the disk is full"),
    ("os.fsync", errno.EDQUOT, ""),
    ("tempfile.mkstemp", errno.EACCES, "permission denied"),
    ("tempfile.mkstemp", errno.ENOSPC, "the disk is full"),
])
def test_read_only_or_full_disk_keeps_the_previous_save(tmp_path, monkeypatch, target, code, words):
    """As root, chmod cannot make a folder read-only, so the failing system call is simulated."""
    saves_dir = tmp_path / "saves"
    session, before = _one_good_save(saves_dir)
    session.take(2)  # the case board (choice 1, the door, was taken and keeps its number)

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    module, name = target.split(".")
    monkeypatch.setattr({"os": os, "tempfile": tempfile}[module], name, fail)
    with pytest.raises(SaveError) as caught:
        session.save("mine")
    message = str(caught.value)
    assert "\n" not in message and words in message
    monkeypatch.undo()
    assert (saves_dir / "mine.json").read_bytes() == before, "the previous save is untouched"
    assert _leftovers(saves_dir) == [], "no temporary file is left behind"
    Session(STORY, saves_dir).load("mine")  # and it still loads


def test_short_write_on_a_full_disk_keeps_the_previous_save(tmp_path, monkeypatch):
    """The disk fills in the middle of writing the new file."""
    saves_dir = tmp_path / "saves"
    session, before = _one_good_save(saves_dir)
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))
    with pytest.raises(SaveError, match="the disk is full; the previous save is untouched"):
        session.save("mine")
    monkeypatch.undo()
    assert (saves_dir / "mine.json").read_bytes() == before
    assert _leftovers(saves_dir) == []


def test_playing_on_with_an_unwritable_saves_folder_warns_and_exits_zero(tmp_path):
    (tmp_path / "file").write_text("x")
    proc = run_play("--plain", "--story", SAMPLE, "--saves", tmp_path / "file" / "saves", "--seed", "1",
                    stdin=b"1\nsave a\nquit\n")
    out = proc.stdout.decode()
    assert proc.returncode == 0
    assert "Autosave failed: cannot write to" in out


# --- save files that are not what they seem ------------------------------


def _valid_doc(tmp_path: Path) -> dict:
    return json.loads(_one_good_save(tmp_path / "made")[1])


HOSTILE_FILES = {
    "empty": b"",
    "binary": bytes(range(256)),
    "not-utf8": b'{"format": "aka-save\xff"}',
    "nested-array": b"[" * 100_000 + b"]" * 100_000,
    "nested-object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "huge-int": b'{"format": "aka-save", "version": 1, "seed": ' + b"9" * 5000 + b', "log": []}',
    "huge-version": b'{"format": "aka-save", "version": 1e999, "log": []}',
    "nan": b'{"format": "aka-save", "version": NaN, "log": []}',
    "string": b'"aka-save"',
    "list": b"[1, 2]",
    "null": b"null",
    "bom": b'\xef\xbb\xbf{"format": "aka-save", "version": 1, "log": []}',
    "utf16": '{"format": "aka-save", "version": 1, "log": []}'.encode("utf-16"),
    "future": b'{"format": "aka-save", "version": 999, "log": []}',
    "other-format": b'{"format": "something-else", "version": 1, "log": []}',
    "log-not-list": b'{"format": "aka-save", "version": 1, "log": "x"}',
    "log-entries": b'{"format": "aka-save", "version": 1, "log": [["office.desk"], [1, 2], null]}',
    "bad-scene": b'{"format": "aka-save", "version": 1, "log": [["\\u001b[2J", "x"]]}',
    "bad-seed": b'{"format": "aka-save", "version": 1, "seed": "1", "log": []}',
    "other-story": b'{"format": "aka-save", "version": 1, "story": {"id": "other"}, "log": []}',
    "too-long-log": json.dumps({"format": "aka-save", "version": 1,
                                "log": [["office.desk", "board"], ["office.board", "back"]] * 30_000}).encode(),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_save_files_are_one_line_save_errors(tmp_path, name):
    path = tmp_path / "slot.json"
    path.write_bytes(HOSTILE_FILES[name])
    engine = Engine(STORY)
    readable = False
    try:
        doc = saves.read_doc(path)
        readable = True
        saves.restore(doc, engine, str(path))
    except SaveError as exc:
        message = str(exc)
    else:
        pytest.fail(f"{name} loaded")
    assert message.startswith(str(path)) and "\n" not in message
    listed = saves.list_saves(tmp_path)  # the listing reads but does not replay
    assert [info.slot for info in listed] == ["slot"] and bool(listed[0].problem) != readable


def test_save_files_that_are_not_files(tmp_path):
    engine = Engine(STORY)
    (tmp_path / "dir.json").mkdir()
    os.mkfifo(tmp_path / "pipe.json")  # reading would wait forever for a writer
    (tmp_path / "zero.json").symlink_to("/dev/zero")  # reading would never end
    for name, words in [("dir", "is a folder"), ("pipe", "not a regular file"), ("zero", "not a regular file")]:
        with pytest.raises(SaveError, match=words):
            saves.load_slot(tmp_path, name, engine)
    assert {info.slot for info in saves.list_saves(tmp_path)} >= {"pipe", "zero"}


def test_oversized_save_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.json"
    with path.open("wb") as handle:
        handle.truncate(saves.MAX_SAVE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(SaveError, match="larger than any save"):
        saves.read_doc(path)


def test_hostile_save_files_through_the_command_line(tmp_path):
    for name in ("nested-array", "huge-int", "bad-scene", "binary"):
        (tmp_path / f"{name}.json").write_bytes(HOSTILE_FILES[name])
        for args in (["replay", tmp_path / f"{name}.json", "--story", SAMPLE],
                     ["--plain", "--story", SAMPLE, "--saves", tmp_path, "--load", name]):
            proc = run_play(*args)
            assert proc.returncode == 1, (name, args)
            lines = error_lines(proc)
            assert len(lines) == 1 and lines[0].isprintable(), lines
    listing = run_play("saves", "--saves", tmp_path)
    assert listing.returncode == 0
    assert all(line.isprintable() for line in listing.stdout.decode().splitlines())


def test_a_tampered_save_with_a_recomputed_checksum_still_only_replays(tmp_path):
    """The checksum catches accidents, not attackers: an edited log with a fresh
    checksum is replayed like any other, so it can only reach states the story allows."""
    doc = _valid_doc(tmp_path)
    doc["log"] = [["office.desk", "give_up"], ["office.desk", "look_door"]]  # a turn after the end
    doc["snapshot"]["stats"] = {"trust": 99}
    doc["checksum"] = saves.checksum(doc)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SaveError, match="turn 2"):
        saves.restore(saves.read_doc(path), Engine(STORY), str(path))


@pytest.mark.parametrize("make", ["fifo", "dev-zero", "folder", "huge"])
def test_an_endings_profile_that_is_not_a_file_never_stops_the_game(tmp_path, make):
    path = profile.path_of(tmp_path)
    path.parent.mkdir()
    if make == "fifo":
        os.mkfifo(path)  # reading would wait forever for a writer
    elif make == "dev-zero":
        path.symlink_to("/dev/zero")  # reading would never end
    elif make == "folder":
        path.mkdir()
    else:
        with path.open("wb") as handle:
            handle.truncate(profile.MAX_BYTES + 1)
    loaded = profile.load(tmp_path, STORY)
    assert loaded.warning.startswith("The endings record was damaged") and "\n" not in loaded.warning
