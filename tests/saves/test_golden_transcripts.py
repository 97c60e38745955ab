"""Golden transcripts: every walkthrough with a golden file replays to exactly
that text, through `play.py replay WALKTHROUGH --transcript OUT`.

Data-driven (one case per file): a walkthrough is covered as soon as its
golden transcript exists. Suites (walkthrough folder -> story -> goldens):

    tests/data/walkthroughs/*.json  -> tests/data/sample -> tests/data/transcripts/sample/NAME.txt
    tests/walkthroughs/*.json       -> story/            -> tests/data/transcripts/story/NAME.txt
    tests/data/walkthroughs/lighthouse/*.json -> examples/lighthouse -> tests/data/transcripts/lighthouse/NAME.txt

To write or refresh the goldens after a deliberate story change, run

    UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/saves/test_golden_transcripts.py

(which writes one for every walkthrough, new ones included), or for one file
`play.py replay WALKTHROUGH --story DIR --transcript GOLDEN`; then read the
diff before committing it.
"""

from __future__ import annotations

import difflib
import functools
import io
import os
from pathlib import Path

import pytest

from game import cli, loader, saves
from game.engine import Engine

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDENS = ROOT / "tests" / "data" / "transcripts"
SUITES = [
    (ROOT / "tests" / "data" / "walkthroughs", ROOT / "tests" / "data" / "sample", GOLDENS / "sample"),
    (ROOT / "tests" / "walkthroughs", ROOT / "story", GOLDENS / "story"),
    (ROOT / "tests" / "data" / "walkthroughs" / "lighthouse", ROOT / "examples" / "lighthouse",
     GOLDENS / "lighthouse"),
]
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"


def _cases() -> list:
    cases = []
    for walkthroughs, story, goldens in SUITES:
        for walkthrough in sorted(walkthroughs.glob("*.json")):
            golden = goldens / (walkthrough.stem + ".txt")
            if UPDATE or golden.exists():
                cases.append(pytest.param(walkthrough, story, golden,
                                          id=f"{goldens.name}/{walkthrough.stem}"))
    return cases


@pytest.mark.parametrize("walkthrough, story, golden", _cases())
def test_walkthrough_replays_to_its_golden_transcript(tmp_path, walkthrough, story, golden, capsys) -> None:
    out = tmp_path / "transcript.txt"
    code = cli.main(["replay", str(walkthrough), "--story", str(story), "--transcript", str(out)],
                    stdout=io.StringIO())
    assert code == 0, capsys.readouterr().err
    actual = out.read_text()
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual)
    expected = golden.read_text()
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            str(golden), "replayed"))
        pytest.fail(f"{walkthrough.name} no longer reads as {golden.name}:\n{diff}")
    # a walkthrough that states the ending it reaches must reach it
    doc = saves.read_doc(walkthrough)
    expect = doc.get("expect")
    if isinstance(expect, dict) and "ending" in expect:
        loaded = saves.replay_doc(doc, _engine(story), str(walkthrough))
        assert loaded.fits and loaded.playthrough.ending == expect["ending"]


@functools.cache
def _engine(story: Path) -> Engine:
    return Engine(loader.load(story).story)

def test_the_sample_walkthroughs_are_all_covered() -> None:
    walkthroughs, _, goldens = SUITES[0]
    names = sorted(p.stem for p in walkthroughs.glob("*.json"))
    assert names and names == sorted(p.stem for p in goldens.glob("*.txt"))


def test_a_changed_story_text_shows_up_as_a_golden_diff(tmp_path, story_copy, edit, capsys) -> None:
    walkthroughs, _, goldens = SUITES[0]
    edited = story_copy()
    edit(edited / "street.yaml", "Bells on the door.", "A bell over the door.")
    out = tmp_path / "t.txt"
    assert cli.main(["replay", str(walkthroughs / "found.json"), "--story", str(edited),
                     "--transcript", str(out)], stdout=io.StringIO()) == 0
    assert "the story was updated" not in capsys.readouterr().err  # walkthroughs name no fingerprint
    diff = [line for line in difflib.unified_diff((goldens / "found.txt").read_text().splitlines(),
                                                  out.read_text().splitlines(), lineterm="")
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert diff == ["-Bells on the door.", "+A bell over the door."]
