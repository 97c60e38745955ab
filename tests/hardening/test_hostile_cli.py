"""The command line used wrongly: one line on stderr, exit code 2 for bad
usage and 1 for a story or save problem, never a traceback."""

from __future__ import annotations

import pytest
from fuzzkit import SAMPLE, error_lines, run_play

LONG = "a" * 300  # longer than any file name the system allows


TMP = "{tmp}"  # replaced by the test's temporary folder
CASES = [
    (["--bogus"], 2),
    (["--seed", "x"], 2),
    (["--seed", "1.5"], 2),
    (["--seed", ""], 2),
    (["--seed", "9" * 5000], 2),
    (["--seed"], 2),
    (["frobnicate"], 2),
    (["check", "--nope"], 2),
    (["replay"], 2),
    (["--saves", "", "--plain"], 2),  # Path("") would be the working folder
    (["--story", " "], 2),
    (["check", ""], 2),
    (["--load"], 2),
    (["--story", TMP + "/" + "missing"], 1),
    (["--story", SAMPLE / "story.yaml"], 1),
    (["--story", "/dev/null"], 1),
    (["--story", LONG], 1),
    (["check", TMP + "/" + "missing"], 1),
    (["check", LONG], 1),
    (["replay", TMP + "/" + "missing.json", "--story", SAMPLE], 1),
    (["replay", TMP, "--story", SAMPLE], 1),  # a folder given as the save file
    (["replay", SAMPLE / "story.yaml", "--story", SAMPLE], 1),  # not JSON
    (["replay", "/dev/zero", "--story", SAMPLE], 1),
    (["replay", LONG, "--story", SAMPLE], 1),
    (["--plain", "--story", SAMPLE, "--saves", TMP, "--load", "nothing"], 1),
    (["--plain", "--story", SAMPLE, "--saves", LONG, "--load", "x"], 1),
]


@pytest.mark.parametrize(("args", "code"), CASES, ids=lambda v: str(v)[:40] if isinstance(v, list) else None)
def test_misuse_is_one_line_and_the_right_exit_code(tmp_path, args, code):
    proc = run_play(*[str(arg).replace(TMP, str(tmp_path)) for arg in args])
    assert proc.returncode == code, proc.stderr
    lines = error_lines(proc)
    if args[0] == "check" and code == 1:  # the writer's tool reports on stdout, one line a problem and a verdict
        lines = proc.stdout.decode().splitlines()[:-1]
    assert len(lines) == 1, lines
    assert lines[0].isprintable() and len(lines[0]) < 600, lines[0][:200]


def test_listing_a_saves_folder_that_cannot_be_one(tmp_path):
    for folder in (tmp_path / "missing", SAMPLE / "story.yaml", LONG):
        proc = run_play("saves", "--saves", folder)
        assert proc.returncode == 0 and proc.stdout.decode().startswith("No saves in")


def test_a_game_with_an_unusable_saves_folder_goes_on(tmp_path):
    """Every command that touches the saves folder fails in one line; the game goes on and exits 0."""
    proc = run_play("--plain", "--story", SAMPLE, "--saves", LONG, "--seed", 1,
                    stdin=b"saves\nload x\nsave y\n1\nstatus\nquit\n")
    out = proc.stdout.decode()
    assert proc.returncode == 0
    assert "Clue found: A red collar." in out and "Where: The Desk" in out
    assert "File name too long" in out
