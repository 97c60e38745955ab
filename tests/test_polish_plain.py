"""Player polish (issue 17) in plain mode, the screen-reader path: `play.py --plain` as a player uses it.

Messages as sentences, 'again', the in-game transcript, "Previously" on
continuing, stats in words that say why they moved, hubs that mark spent
places, the endings gallery, and nothing decorative read aloud.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from support import ROOT, SAMPLE, sample_with_teaser

from game import loader, saves
from game.engine import Engine
from game.rules import Rules
from game.ui.commands import dispatch
from game.ui.session import Session

STORY = ROOT / "story"


def play(saves_dir, stdin: str, *extra, story=SAMPLE) -> str:
    proc = subprocess.run([sys.executable, str(ROOT / "play.py"), "--plain", "--story", str(story), "--saves",
                           str(saves_dir), "--seed", "1", *map(str, extra)],
                          input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc.stdout


def answers(out: str) -> list[str]:
    """What the game said after each prompt, one string each."""
    return [part.strip() for part in out.split("\n> ")[1:]]


# -- messages -------------------------------------------------------------


def test_messages_keep_the_writer_s_words_and_count_properly(tmp_path):
    out = play(tmp_path, "4\n2\n2\nsave one\nsaves\n1\n5\nsaves\n")
    said = answers(out)
    assert said[0] == "That way is locked: You need an address first."  # the hint as written, one full stop
    assert said[2] == "There is no choice 2; the only one is 1."  # at the board: never "pick 1 to 1"
    assert "- " not in said[4] and "one: The Case Board, turn 1, 1 clue," in said[4]  # not "1 clues"
    assert "ended: Case Lost" in said[7] and "ended: lost" not in said[7]  # the ending's title, not its id
    listing = subprocess.run([sys.executable, str(ROOT / "play.py"), "--story", str(SAMPLE), "saves", "--saves",
                              str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=60).stdout
    assert "ended: Case Lost" in listing and "ended: lost" not in listing


BAD_INPUT = ["42", "4", "frobnicate", "save ../../etc", "save autosave-1", "load nothing", "load ../x",
             "undo x", "undo 0", "rewind", "rewind 99", "numbers maybe", "transcript ../../x",
             "transcript off", "again", "restart please"]


def test_every_error_is_one_sentence_with_a_capital_and_a_full_stop(tmp_path, sample_story):
    session = Session(sample_story, tmp_path / "saves", seed=1)
    (tmp_path / "saves").mkdir()
    (tmp_path / "saves" / "broken.json").write_text("{")
    errors = []
    for line in [*BAD_INPUT, "load broken"]:
        errors += [text for style, text in dispatch(session, line).lines if style == "class:error"]
    session.take_id("give_up")
    errors += [text for style, text in dispatch(session, "1").lines if style == "class:error"]
    assert len(errors) >= len(BAD_INPUT)
    for text in errors:
        assert re.match(r"^[A-Z'\"]", text) and text.endswith((".", "?", "!")), text
        assert ".." not in text.replace("'../../etc'", "").replace("'../x'", "").replace("../../x", ""), text


# -- conveniences -----------------------------------------------------------


def test_again_repeats_the_last_choice_or_command(tmp_path):
    out = play(tmp_path, "3\n2\ng\nagain\nclues\nagain\n3\ng\nquit\n")
    said = answers(out)
    assert "Anger up 2 (now 3)" in said[1] and "Anger up 2 (now 5)" in said[2]
    assert "Trust down 1 (now -3)" in said[3]  # a third shove: anger is at its top, trust still falls
    assert said[5].startswith("Case file") and said[5] == said[4]
    assert said[7].startswith("'Head back.' is not on offer now.")  # back at the desk: no 'Head back' here
    log = saves.read_doc(tmp_path / "autosave-1.json")["log"]
    assert [choice for _, choice in log] == ["out", "shove", "shove", "shove", "back"]


def test_an_in_game_transcript_writes_what_happens_and_refuses_hostile_names(tmp_path):
    saves_dir = tmp_path / "saves"
    out = play(saves_dir, "transcript ../../outside\ntranscript /tmp/x\ntranscript case one\n1\nstatus\n"
                          "transcript off\n3\nquit\n")
    said = answers(out)
    assert said[0].startswith("'../../outside' cannot be a transcript name")
    assert said[1].startswith("'/tmp/x' cannot be a transcript name")
    assert not (tmp_path / "outside.txt").exists() and not list(tmp_path.glob("*.txt"))
    written = (saves_dir / "transcripts" / "case-one.txt").read_text()
    assert "> 1. Check the door." in written and "Something red by the hinge." in written
    assert "> status" in written and "Where: The Desk, The Office." in written
    assert "A man leans on a lamppost" not in written  # after 'transcript off'
    assert written.rstrip().endswith("=== Transcript stopped at turn 1 ===")


def test_a_transcript_never_follows_a_link_or_writes_into_a_fifo(tmp_path, sample_story):
    folder = tmp_path / "saves" / "transcripts"
    folder.mkdir(parents=True)
    target = tmp_path / "elsewhere.txt"
    (folder / "linked.txt").symlink_to(target)
    import os

    os.mkfifo(folder / "pipe.txt")
    session = Session(sample_story, tmp_path / "saves", seed=1)
    for name in ("linked", "pipe"):
        [(style, text)] = dispatch(session, f"transcript {name}").lines
        assert style == "class:error" and "transcript" in text.lower(), text
    assert not target.exists()


def test_continuing_in_plain_mode_starts_with_previously(tmp_path):
    play(tmp_path, "1\n3\nquit\n")
    out = play(tmp_path, "quit\n", "--continue")
    assert out.startswith("Loaded 'autosave-1' (turn 2).")
    recap = out.index("Previously")
    assert recap < out.index("Turn 1, The Desk: Check the door.") < out.index("Something red by the hinge.")
    assert out.index("Turn 2, The Desk: Go out.") < out.index("A man leans on a lamppost.")


def test_stats_in_words_say_why_they_moved_and_show_numbers_on_request(tmp_path):
    out = play(tmp_path, "2\nstatus\nnumbers on\nstatus\nquit\n", story=STORY)
    said = answers(out)
    assert "Trish trusts you a little more (Trish: close)." in said[0]
    assert "Trish up" not in said[0]
    assert "Trish: close" in said[1] and "Trish: close (" not in said[1] and "Police: noticed" in said[1]
    assert "Type 'numbers on' to see the numbers as well." in said[1]
    assert "Trish: close, 2 (from -5 to 5)" in said[3]


def _playland(scene: str, extra: list[str] = ()):
    """The real story's Playland walkthrough up to a scene, then the given choice ids."""
    story = loader.load(STORY).story
    engine = Engine(story)
    doc = saves.read_doc(ROOT / "tests" / "walkthroughs" / "playland.json")
    pt, _ = engine.start(doc.get("seed", 0))
    for entry in saves.log_of(doc):
        if pt.scene == scene:
            break
        engine.choose(pt, entry.choice)
    for choice in extra:
        engine.choose(pt, choice)
    return story, engine, pt


def test_the_midway_marks_a_place_with_nothing_left_once_going_back_costs_time(tmp_path):
    story, engine, pt = _playland("playland.midway")
    booth = next(o for o in engine.offers(pt) if o.id == "booth")
    assert not booth.spent  # not visited yet
    engine.choose(pt, "booth")
    engine.choose(pt, "photo")  # the booth's one thing to do
    engine.choose(pt, "back")
    offers = {o.id: o for o in engine.offers(pt)}
    assert offers["booth"].spent and not offers["shed"].spent and not offers["lot"].spent
    saves.save_slot(tmp_path, story, pt, "midway")
    out = play(tmp_path, "quit\n", "--load", "midway", story=STORY)
    assert "Check the photo booth by the arcade. It still has a light on. (nothing new there)" in " ".join(out.split())


def test_spent_needs_a_clock_and_a_place_with_nothing_left(write_story):
    root = write_story({"story.yaml": """
        story: {id: hub, title: Hub, start: town.hub}
        areas: {town: Town}
        stats:
          night: {min: 0, max: 5, clock: true}
          mood: {min: 0, max: 5}
        endings:
          done: {title: Done}
        scenes:
          town.hub:
            on_enter: [{stat: {night: +1}}]
            text: The square.
            choices:
              - {id: bar, text: The bar., goto: town.bar}
              - {id: shop, text: The shop., goto: town.shop}
              - {id: end, text: Go home., do: [{end: done}]}
          town.bar:
            text: The bar.
            choices:
              - {id: drink, text: Drink., once: true, do: [{stat: {mood: +1}}]}
              - {id: back, text: Back., goto: town.hub}
          town.shop:
            text: The shop.
            on_enter: [{stat: {mood: +1}}]
            choices:
              - {id: back, text: Back., goto: town.hub}
        """})
    story = loader.load(root).story
    rules = Rules(story)
    pt, _ = rules.start()
    assert "town.hub" in rules.costly
    for choice in ("bar", "back", "shop", "back"):
        rules.step(pt, choice)
    spent = {o.id: o.spent for o in rules.offers(pt)}
    assert spent == {"bar": False, "shop": False, "end": False}  # a drink left; the shop's gift on entry
    rules.step(pt, "bar")
    rules.step(pt, "drink")
    rules.step(pt, "back")
    assert {o.id: o.spent for o in rules.offers(pt)}["bar"]


def test_the_endings_command_lists_found_endings_and_teasers(tmp_path):
    story = sample_with_teaser(tmp_path)
    play(tmp_path / "saves", "5\nquit\n", story=story)
    out = play(tmp_path / "saves", "endings\nquit\n", story=story)
    said = answers(out)[0]
    assert said.startswith("Endings found: 1 of 2")
    assert "???: Somebody in this city sells cat food." in said
    assert "Case Lost: found " in said and "in 1 turn." in said and "Cat Found" not in said


# -- accessibility -------------------------------------------------------------

DECORATIVE = set("─│┌┐└┘▸•*[]|#~=_<>")


@pytest.mark.parametrize("story", [SAMPLE, STORY], ids=["sample", "story"])
def test_plain_mode_reads_aloud_without_decoration_or_unasked_status(tmp_path, story):
    commands = "1\n2\nclues\nstatus\nhistory\nhelp\nsaves\nendings\nnumbers on\nstatus\nrestart\nno\n" \
               "undo\nagain\nlook\nquit\n"
    out = play(tmp_path, commands, story=story)
    lines = [line for line in out.splitlines() if line.strip()]
    for line in lines:
        # the prompt is the one mark, as in all IF; a question's prompt says what to type
        text = line.removeprefix("> ").removeprefix("yes or no> ")
        assert not DECORATIVE & set(text), line
        assert not text.lstrip().startswith("- "), line  # no bullets
    # the status (turn, clues) only when asked: never after a turn by itself
    assert out.count("Where: ") == 2
    assert "\nyes or no> Not restarted" in out  # the restart question's prompt names the answers


def test_words_in_a_story_are_checked_where_they_are_written(write_story):
    root = write_story({"story.yaml": """
        story: {id: w, title: W, start: x.a}
        areas: {x: X}
        stats:
          trust: {min: -2, max: 2, words: {-1: wary, 1: close, 5: never}}
        endings:
          e: {title: E}
        scenes:
          x.a: {text: A., ending: e}
        """})
    _, diagnostics = loader.check(root)
    messages = sorted(d.message for d in diagnostics)
    assert messages == [
        "'words' of stat 'trust' start at -1, above min -2: give a word from -2 up",
        "'words' of stat 'trust': 5 is above max 2, so 'never' is never shown",
    ]
