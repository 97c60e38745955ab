"""The issue's 'done when', as a new user would do it in plain mode with real
processes: play, save to two slots, quit, come back, continue, undo three
times, replay a save to a transcript, load the old save into an edited copy
of the story, then into one with a scene deleted -- no traceback, no lost save."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from game import loader, saves
from game.engine import Engine

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample"


def _play(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, str(ROOT / "play.py"), *argv], input=stdin, capture_output=True,
                         text=True, timeout=60, cwd=ROOT)
    assert "Traceback" not in run.stdout + run.stderr
    return run


def test_a_new_user_comes_back_to_an_edited_story(tmp_path) -> None:
    saves_dir = tmp_path / "saves"
    common = ("--plain", "--saves", str(saves_dir))

    first = _play(*common, "--story", str(SAMPLE), "--seed", "4",
                  stdin="1\n2\n2\nsave first\n1\n2\n1\nsave second\nquit\n")
    assert first.returncode == 0
    assert "Saved to slot 'first'." in first.stdout and "Saved to slot 'second'." in first.stdout
    assert first.stdout.rstrip().endswith("Autosaved. Come back to it with --continue.")

    listing = _play("saves", "--saves", str(saves_dir))
    rows = {line.split()[0]: line for line in listing.stdout.splitlines()[1:-1]}
    assert "turn   3" in rows["first"] and "turn   6" in rows["second"] and "The Corner" in rows["second"]

    back = _play(*common, "--story", str(SAMPLE), "--continue", stdin="undo\nundo\nundo\nhistory\nquit\n")
    assert back.returncode == 0 and back.stdout.startswith("Loaded 'autosave-1' (turn 6).")
    assert "Undid 1 turn; back at turn 3." in back.stdout
    assert "Now: turn 3, The Case Board." in back.stdout

    transcript = tmp_path / "second.txt"
    replay = _play("replay", "second", "--saves", str(saves_dir), "--story", str(SAMPLE),
                   "--transcript", str(transcript))
    assert replay.returncode == 0 and "--- Turn 6 ---" in transcript.read_text()

    reworded = tmp_path / "reworded"
    shutil.copytree(SAMPLE, reworded)
    street = reworded / "street.yaml"
    street.write_text(street.read_text().replace("A man leans on a lamppost.", "A man in a wet coat waits."))
    updated = _play(*common, "--story", str(reworded), "--load", "second", stdin="quit\n")
    assert updated.returncode == 0
    assert "The story was updated since this save; your game replays fine." in updated.stdout
    assert "A man in a wet coat waits." in updated.stdout

    cut = tmp_path / "cut"
    shutil.copytree(SAMPLE, cut)
    text = (cut / "street.yaml").read_text()
    (cut / "street.yaml").write_text(text[:text.index("  street.corner:")] + text[text.index("  street.shop:"):])
    office = cut / "office.yaml"
    office.write_text(office.read_text().replace("goto: street.corner", "goto: street.shop"))
    refused = _play(*common, "--story", str(cut), "--load", "second", stdin="quit\n")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == ("error: save 'second': the story changed since this save: turn 6 of 6 no longer "
                              "fits: in scene 'street.corner', choice 'pay': scene 'street.corner' no longer "
                              "exists; use --partial to play on from turn 5\n")
    partial = _play(*common, "--story", str(cut), "--load", "second", "--partial", stdin="quit\n")
    assert partial.returncode == 0 and "Loaded turns 1-5 of 6; turn 6 of 6 no longer fits" in partial.stdout

    # nothing lost: both slots still hold exactly what was saved, and load on the original story
    engine = Engine(loader.load(SAMPLE).story)
    assert saves.load_slot(saves_dir, "first", engine).playthrough.turn == 3
    assert saves.load_slot(saves_dir, "second", engine).playthrough.turn == 6
