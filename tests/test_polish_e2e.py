"""Player polish (issue 17), end to end: `play.py` in a real pseudo-terminal, the screen read through pyte.

Each test is something a player noticed: a restart that could not be taken
back, numbers that moved, a completion menu over the toolbar, PageDowns that
got lost, a continued game with an empty screen, a clock nobody could see.
"""

from __future__ import annotations

import json
import re

import pytest
from ptyscreen import ESC, GAME, PAGE_DOWN, PAGE_UP, ROOT, TAB, Terminal
from support import sample_with_teaser

from game import loader, saves
from game.engine import Engine

pytestmark = pytest.mark.slow
STORY = GAME / "story"


def log_of(path) -> list[list[str]]:
    return json.loads(path.read_text())["log"]


def story_rows(term: Terminal) -> list[str]:
    """The rows above the rule: the story view."""
    rows = term.rows
    rule = max(i for i, row in enumerate(rows) if row.startswith("─") or row.startswith(" Tab:") or "more below" in row)
    return rows[:rule]


def new_case(term: Terminal) -> None:
    term.wait_for("New case")
    term.type_line("1", wait="Check the door")


def test_restart_asks_first_and_undo_brings_the_old_game_back(tmp_path):
    saves_dir = tmp_path / "saves"
    term = Terminal("--saves", str(saves_dir))
    new_case(term)
    term.type_line("3", wait="A man leans on a lamppost")  # out: turn 1
    term.type_line("2", wait="Anger up 2")  # shove him: turn 2
    term.type_line("undo", wait="Undid 1 turn")  # back at turn 1, a state no autosave holds yet
    term.type_line("restart", wait="Type 'yes' to restart")
    assert "Start the case over" in term.text
    term.type_line("no", wait="Not restarted")
    assert log_of(saves_dir / "autosave-1.json") == [["office.desk", "out"], ["street.corner", "shove"]]
    term.type_line("restart", wait="Type 'yes' to restart")
    term.type_line("yes", wait="A new case begins")
    # the game left behind is in the autosave ring, as it was when restarted
    assert log_of(saves_dir / "autosave-1.json") == [["office.desk", "out"]]
    term.type_line("history", wait="History of the game you restarted")
    assert "Turn 1. The Desk: Go out." in term.text
    term.type_line("undo", wait="Restart undone")
    assert "A man leans on a lamppost" in term.text
    assert term.quit() == 0
    assert log_of(saves_dir / "autosave-1.json") == [["office.desk", "out"]]


def menu(term: Terminal) -> list[str]:
    """The numbered options under the story, as "N. text" (echoes of typed input start with '>')."""
    found = []
    for row in story_rows(term):
        match = re.match(r"^ [▸ ] (\d+\. .*)$", row)
        if match:
            found.append(match.group(1).strip())
    return found


def test_choice_numbers_stay_put_within_a_visit(tmp_path):
    term = Terminal("--saves", str(tmp_path / "saves"))
    new_case(term)
    assert menu(term)[:3] == ["1. Check the door.", "2. Go to the case board.", "3. Go out."]
    term.type_line("1", wait="Something red by the hinge")  # once-only: it goes, the rest keep their numbers
    assert menu(term)[:2] == ["2. Go to the case board.", "3. Go out."]
    term.type_line("3", wait="A man leans on a lamppost")  # 3 still means "Go out"
    term.type_line("3", wait="The Desk")  # head back: a new visit, in the writer's order again
    assert menu(term)[:2] == ["1. Go to the case board.", "2. Go out."]
    assert term.quit() == 0


@pytest.mark.parametrize("typed", ["sa", "load p"])
def test_the_tab_menu_covers_neither_the_toolbar_nor_the_choices(tmp_path, typed):
    term = Terminal("--saves", str(tmp_path / "saves"), rows=30, cols=100)
    new_case(term)
    term.type_line("save pier", wait="Saved to slot 'pier'")
    term.type_line("save park", wait="Saved to slot 'park'")
    before = term.rows
    choices = [row for row in before if "Go to the case board." in row or "Give up on the cat." in row]
    assert len(choices) == 2
    term.send(typed + TAB)
    term.settle()
    after = term.rows
    assert after[-1] == before[-1] and after[-1].startswith(" The Office: The Desk | Turn 0")
    for row in choices:
        assert row in after, f"{row!r} was covered:\n" + "\n".join(after)
    assert any(row.startswith(" Tab: ") for row in after)  # the candidates are shown, on the rule
    term.send(ESC)
    assert term.quit() == 0


def test_several_pagedowns_at_once_scroll_that_many_pages(tmp_path):
    term = Terminal("--saves", str(tmp_path / "saves"), rows=16, cols=60)
    new_case(term)
    for _ in range(4):
        term.type_line("help")
    term.send(PAGE_DOWN * 6)
    term.settle()
    bottom = story_rows(term)
    for _ in range(3):  # one at a time, the screen redrawn after each
        term.send(PAGE_UP)
        term.settle(0.2)
    three_by_one = story_rows(term)
    term.send(PAGE_DOWN * 6)
    term.settle()
    assert story_rows(term) == bottom
    term.send(PAGE_UP)
    term.settle()
    one_page = story_rows(term)
    term.send(PAGE_DOWN)
    term.settle()
    assert story_rows(term) == bottom
    term.send(PAGE_UP * 3)  # all three arrive together
    term.settle()
    assert story_rows(term) == three_by_one != one_page
    assert term.quit() == 0


def test_a_place_keeps_one_toolbar_label(tmp_path):
    term = Terminal("--saves", str(tmp_path / "saves"), rows=24, cols=50)
    new_case(term)
    term.type_line("3", wait="A man leans on a lamppost")
    assert term.rows[-2].startswith(" The Street: The Corner") or term.rows[-1].startswith(" The Street: The Corner")
    assert term.quit() == 0


def test_continuing_shows_what_happened_previously(tmp_path):
    saves_dir = tmp_path / "saves"
    term = Terminal("--saves", str(saves_dir))
    new_case(term)
    term.type_line("1", wait="Something red by the hinge")
    term.type_line("3", wait="A man leans on a lamppost")
    assert term.quit() == 0
    term = Terminal("--saves", str(saves_dir))
    term.wait_for("Continue")
    term.type_line("2", wait="Resumed")
    text = term.text
    assert "Previously" in text and "Turn 1, The Desk: Check the door." in text
    assert "Something red by the hinge." in text and "Turn 2, The Desk: Go out." in text
    assert text.index("Previously") < text.index("A man leans on a lamppost")
    assert term.quit() == 0


def test_the_endings_gallery_shows_found_endings_teasers_and_replays(tmp_path):
    saves_dir, story = tmp_path / "saves", sample_with_teaser(tmp_path)
    term = Terminal("--saves", str(saves_dir), story=story)
    new_case(term)
    term.type_line("5", wait="THE END")  # give up on the cat: "Case Lost", in one turn
    assert term.quit() == 0
    term = Terminal("--saves", str(saves_dir), story=story)
    term.wait_for("Endings found: 1 of 2")
    term.type_line("endings", wait="Pick a found ending")
    text = term.text
    assert "Case Lost: found " in text and "in 1 turn." in text
    assert "???: Somebody in this city sells cat food." in text  # the other one: its teaser, not its title
    assert "Cat Found" not in text
    term.type_line("1", wait="not available")  # "Cat Found", not found yet: nothing to replay
    term.type_line("2", wait="Replaying the game that first reached this ending")
    assert "Case Lost" in term.text
    term.type_line("undo", wait="Undid 1 turn")
    assert "Check the door." in term.text
    assert term.quit() == 0


def contrast(fg: str, bg: str) -> float:
    """WCAG's contrast ratio of two colours given as 'rrggbb'."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def visible_cells(term: Terminal) -> list:
    return [cell for row in term.screen.buffer.values() for cell in row.values() if cell.data.strip()]


def test_the_high_contrast_theme_and_no_color(tmp_path):
    term = Terminal("--saves", str(tmp_path / "saves"), "--high-contrast")
    new_case(term)
    cells = visible_cells(term)
    assert cells and all(c.fg != "default" and c.bg != "default" for c in cells)  # nothing left to the terminal
    weakest = min(contrast(c.fg, c.bg) for c in cells)
    assert weakest >= 7, weakest  # WCAG AAA for every character on the screen
    assert term.quit() == 0
    term = Terminal("--saves", str(tmp_path / "saves"), "--high-contrast", env={"NO_COLOR": "1"})
    new_case(term)
    assert {(c.fg, c.bg) for c in visible_cells(term)} == {("default", "default")}
    assert any(c.reverse for c in visible_cells(term))  # the toolbar and the selection still stand out
    assert term.quit() == 0


def _save_at(saves_dir, slot: str, scene: str) -> None:
    """A save of the real story's Playland walkthrough, stopped on arriving at scene."""
    story = loader.load(STORY).story
    engine = Engine(story)
    doc = saves.read_doc(ROOT / "tests" / "walkthroughs" / "playland.json")
    pt, _ = engine.start(doc.get("seed", 0))
    for entry in saves.log_of(doc):
        engine.choose(pt, entry.choice)
        if pt.scene == scene:
            break
    assert pt.scene == scene
    saves.save_slot(saves_dir, story, pt, slot)


def test_the_story_s_clock_is_on_the_toolbar_once_it_runs(tmp_path):
    saves_dir = tmp_path / "saves"
    _save_at(saves_dir, "gate", "playland.gate")
    term = Terminal("--saves", str(saves_dir), "--load", "gate", story=STORY, rows=30, cols=100)
    term.wait_for("Resumed 'gate'")
    bar = " ".join(term.rows[-3:])
    assert "Cordon 0/6" in bar
    term.type_line("1", wait="The Midway")
    bar = " ".join(term.rows[-3:])
    assert "Cordon 1/6" in bar
    assert term.quit() == 0


def test_stats_read_as_words_and_say_why_they_moved(tmp_path):
    term = Terminal("--saves", str(tmp_path / "saves"), story=STORY, rows=30, cols=100)
    term.wait_for("New case")
    term.type_line("1", wait="Open the folder Trish left")
    assert "Trish close" in " ".join(term.rows[-3:])
    term.type_line("2", wait="Trish trusts you a little more")
    assert "(Trish: close)" in term.text
    term.type_line("numbers on", wait="numbers beside their words")
    assert "Trish close, 2" in " ".join(term.rows[-3:])
    assert term.quit() == 0
