"""The published story in headless Chromium, played as a player plays it.

Few and lean on purpose (each starts Pyodide, a few seconds): one walkthrough
to an ending whose text must equal the terminal's transcript; saves across a
reload and between the browser and the terminal; keyboard-only play with
undo; an accessibility check with screenshots at desktop and phone width.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT
from webgame import WebGame

from game import loader, saves
from game.questions import parse_answer
from game.tools.transcript import format_transcript, transcript

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

WALKTHROUGHS = ROOT / "tests" / "walkthroughs"
SEED = 20261  # not the walkthrough's own 0: the page must take the seed it is given


@pytest.fixture(scope="module")
def story():
    return loader.load(ROOT / "story").story


# arrested: choices only; wrong_man: a question answered at the case board, and the wrong
# conclusion acted on (issue 13)
@pytest.mark.parametrize("name", ["arrested", "wrong_man"])
def test_a_walkthrough_in_the_browser_reads_exactly_like_the_terminal(new_context, site_url, story, artifacts,
                                                                      name):
    doc = saves.read_doc(WALKTHROUGHS / f"{name}.json")
    log = saves.log_of(doc)
    game = WebGame(new_context().new_page(), site_url)
    game.open(f"?seed={SEED}")
    # A transcript shows the numbers behind the stats' words: the page's switch for that.
    game.page.click("#numbers")
    game.page.wait_for_selector("#numbers[aria-pressed='true']")
    offered, taken = [], []
    for entry in log:
        offers = game.offers()
        offered.append(offers)
        answered = parse_answer(entry.choice)
        if answered:  # a question: its number, then a candidate for each blank, then give it
            taken.append(game.number_of(f"ask:{answered[0]}"))
            game.answer(*answered)
        else:
            taken.append(game.number_of(entry.choice))
            game.press(str(taken[-1]))
    page_turns = game.turns()
    assert [t.index for t in page_turns] == list(range(len(log) + 1))
    turns = [game.turn_text(turn, offers, number)
             for turn, offers, number in zip(page_turns, offered, taken, strict=False)]
    turns.append(game.turn_text(page_turns[-1], [], None))
    played = format_transcript(story.title, story.version, SEED, turns)
    expected = transcript(story, log, SEED)
    assert played == expected
    assert "THE END" in game.page.inner_text("section.ending")
    assert "Endings discovered: 1 of" in game.page.inner_text("section.ending")
    # Nothing came from anywhere but the page's own server.
    assert game.requests and all(url.startswith(site_url) for url in game.requests)
    assert game.errors == []
    if story.questions:  # the board, people and places a button away, with what the board says of each
        game.open_panel("open-board")
        board_text = game.page.inner_text("#panel-body")
        assert "People" in board_text and "Answered" in board_text
        game.close_panel()
    game.page.locator("section.ending").scroll_into_view_if_needed()
    game.page.screenshot(path=str(artifacts / f"ending-{name}-desktop.png"))


def _save_as(game: WebGame, name: str) -> None:
    game.open_panel("open-saves")
    game.page.fill("#save-name", name)
    game.page.click(".save-form button[type=submit]")
    game.page.wait_for_selector(f"text=Saved as '{name}'.")


def test_saves_survive_a_reload_and_move_between_browser_and_terminal(new_context, site_url, story, tmp_path):
    context = new_context()
    game = WebGame(context.new_page(), site_url)
    game.open()
    for _ in range(3):
        game.click_first()
    where = game.where()
    _save_as(game, "case-one")
    game.close_panel()
    game.click_first()

    # Reload: the page offers to continue from the autosave, at the turn played last.
    game.page.reload()
    game.page.wait_for_selector("#choice-list button:has-text('Continue the case')")
    game.click_choice(1)
    assert "Turn 4." in game.where()

    # The named slot loads; its file downloads and the terminal game loads it.
    game.open_panel("open-saves")
    game.page.click("button[aria-label='Load case-one']")
    game.page.wait_for_selector("#panel:not([open])", state="attached")
    assert game.where() == where
    game.open_panel("open-saves")
    with game.page.expect_download() as info:
        game.page.click("button[aria-label='Download case-one']")
    terminal_saves = tmp_path / "terminal-saves"
    terminal_saves.mkdir()
    info.value.save_as(terminal_saves / info.value.suggested_filename)
    assert info.value.suggested_filename == "case-one.json"
    played = subprocess.run(
        [sys.executable, str(ROOT / "play.py"), "--story", str(ROOT / "story"), "--saves", str(terminal_saves),
         "--load", "case-one", "--plain"], input="status\nsave from-terminal\nquit\n", capture_output=True,
        text=True, timeout=60, check=True)
    assert "Loaded 'case-one' (turn 3)" in played.stdout
    assert where.split(".")[0] in played.stdout  # the same scene

    # And back: a save the terminal wrote loads in the browser.
    before = game.page.inner_text("table.saves")
    game.page.set_input_files("#load-file", str(terminal_saves / "from-terminal.json"))
    game.page.wait_for_selector("#panel:not([open])", state="attached")
    assert game.where() == where
    assert "Loaded from-terminal.json (turn 3)" in game.turns()[-1].lines[-1][2] or \
        "Loaded from-terminal.json" in game.page.inner_text("article.turn:last-of-type")

    # A damaged file and another story's save: a clear message, nothing lost.
    game.open_panel("open-saves")
    listed = game.page.inner_text("table.saves")
    damaged = tmp_path / "damaged.json"
    damaged.write_text((terminal_saves / "from-terminal.json").read_text()[:200])
    game.page.set_input_files("#load-file", str(damaged))
    game.page.wait_for_selector("#panel-message.error")
    assert "damaged.json: damaged save file" in game.page.inner_text("#panel-message")
    foreign = json.loads((terminal_saves / "from-terminal.json").read_text())
    foreign["story"]["id"] = "some-other-story"
    foreign["checksum"] = saves.checksum(foreign)
    (tmp_path / "foreign.json").write_text(json.dumps(foreign))
    game.page.set_input_files("#load-file", str(tmp_path / "foreign.json"))
    game.page.wait_for_selector("#panel-message:has-text('belongs to story')")
    assert game.page.inner_text("table.saves") == listed
    assert game.where() == where
    assert before  # the list was there all along


def test_keyboard_only_play_with_undo(new_context, site_url):
    game = WebGame(new_context().new_page(), site_url)
    game.open()
    page = game.page
    first = page.evaluate("document.activeElement.dataset.number")
    assert first == "1", "focus starts on the first choice"
    game.press("2")  # a number key takes that choice
    assert "Turn 1." in game.where()
    assert game.turns()[-1].lines, "the choice's turn is shown"
    open_numbers = [str(o.number) for o in game.offers() if o.enabled]
    assert page.evaluate("document.activeElement.dataset.number") == open_numbers[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.number") == open_numbers[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    second = game.offers()[[str(o.number) for o in game.offers()].index(open_numbers[1])]
    game.press("Enter")  # Enter takes the focused choice
    assert "Turn 2." in game.where()
    assert f"You chose: {second.number}. {second.text}" in page.inner_text("article.turn:nth-last-of-type(2)")
    # Undo by keyboard alone: Shift+Tab back from the choices to the toolbar's Undo, Enter.
    for _ in range(12):
        if page.evaluate("document.activeElement.id") == "undo":
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "undo"
    game.press("Enter")
    assert "Turn 1." in game.where()
    assert "Undone: back to turn 1." in page.inner_text("article.turn:last-of-type")
    assert page.evaluate("document.activeElement.closest('#choice-list') !== null")
    assert game.errors == []


def test_accessible_markup_and_screenshots(new_context, site_url, artifacts):
    desktop = WebGame(new_context(color_scheme="dark").new_page(), site_url)
    desktop.open()
    page = desktop.page
    for role in ("banner", "navigation", "main", "contentinfo"):
        assert page.get_by_role(role).count() == 1, role
    assert page.locator("[aria-live='polite']").count() >= 1
    unnamed = page.evaluate("""() => [...document.querySelectorAll('button, input, a[href]')]
        .filter(el => el.offsetParent !== null)
        .filter(el => !(el.getAttribute('aria-label') || el.textContent.trim() || el.labels?.length))
        .map(el => el.outerHTML)""")
    assert unnamed == []
    desktop.press("1")
    announced = page.inner_text("#announcer")
    assert announced and announced in " ".join(line for *_rest, line in desktop.turns()[-1].lines) + announced
    assert desktop.turns()[-1].lines[0][2].split()[0] in announced
    desktop.open_panel("open-casefile")
    assert page.get_by_role("dialog", name="Case file").is_visible()
    desktop.close_panel()
    desktop.open_panel("open-saves")
    assert page.get_by_label("Save this game as").count() == 1
    page.screenshot(path=str(artifacts / "saves-desktop-dark.png"))
    desktop.close_panel()
    page.screenshot(path=str(artifacts / "desktop-dark.png"))

    # A phone, by touch, with reduced motion: nothing wider than the screen, no animation.
    phone = WebGame(new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True,
                                device_scale_factor=2, reduced_motion="reduce").new_page(), site_url)
    phone.open()
    before = phone.count()
    phone.page.tap("#choice-list button[data-number='1']")
    phone.wait_for_turn_after(before)
    assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone.page.evaluate("getComputedStyle(document.querySelector('article.turn')).animationName") == "none"
    phone.page.screenshot(path=str(artifacts / "phone.png"))

    # 200% zoom on a 1280-pixel window lays out like a 640-pixel one: still no sideways scrolling.
    page.set_viewport_size({"width": 640, "height": 450})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "zoom-200.png"))
    for name in ("desktop-dark.png", "phone.png", "zoom-200.png"):
        assert Path(artifacts / name).stat().st_size > 10_000
