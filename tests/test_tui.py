"""The terminal UI driven by keys through a pipe, as prompt-toolkit's testing guide does.

Each test types keys into a TerminalUI (create_pipe_input + DummyOutput in
create_app_session) and checks what a player would notice: the scene,
the clues, the files on disk, the exit code; never the raw screen bytes.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from game import loader, profile
from game.ui.session import Session
from game.ui.storyview import StoryView
from game.ui.tui import TerminalUI

SAMPLE = Path(__file__).parent / "data" / "sample"
UP, DOWN, ENTER, TAB = "\x1b[A", "\x1b[B", "\r", "\t"
CTRL_C, CTRL_D = "\x03", "\x04"


@pytest.fixture(scope="module")
def story():
    return loader.load(SAMPLE).story


@pytest.fixture
def saves_dir(tmp_path):
    return tmp_path / "saves"


def new_session(story, saves_dir) -> Session:
    return Session(story, saves_dir, seed=7)


def play(session: Session, keys: str, resumed: str | None = None) -> tuple[TerminalUI, int]:
    """Type keys into a fresh UI until it quits (keys should end by quitting)."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        ui = TerminalUI(session, resumed=resumed)
        pipe.send_text(keys)
        code = ui.run()
    assert ui.errors == []  # no unexpected exception was swallowed on the way
    return ui, code


def play_steps(session: Session, steps: list[str]) -> TerminalUI:
    """Like play, but lets the screen be drawn after each step (scrolling needs a layout)."""

    async def drive(ui: TerminalUI, pipe) -> None:
        running = asyncio.ensure_future(ui.app.run_async())
        for keys in steps:
            drawn = ui.app.render_counter
            pipe.send_text(keys)
            for _ in range(500):  # wait (up to 5 s) for the redraw after these keys
                await asyncio.sleep(0.01)
                if ui.app.render_counter > drawn or running.done():
                    break
        pipe.send_text(CTRL_D)
        await running

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        ui = TerminalUI(session)
        asyncio.run(drive(ui, pipe))
    assert ui.errors == []
    return ui


def shown(view: StoryView) -> str:
    """All the text in the story view (transcript and menu), for 'is it there' checks."""
    return "\n".join("".join(text for _, text in row) for row in view.layout(200)[0])


def test_new_case_from_title_then_a_choice_by_number(story, saves_dir):
    session = new_session(story, saves_dir)
    ui, code = play(session, "1" + ENTER + "1" + ENTER + CTRL_D)
    assert code == 0
    assert session.pt.turn == 1
    assert "collar" in session.pt.clues
    assert "Clue found: A red collar." in shown(ui.view)
    assert (saves_dir / "autosave-1.json").exists()


def test_arrow_keys_move_over_locked_choices_and_enter_takes(story, saves_dir):
    # At the desk: 1 door, 2 board, 3 out, 4 shop (locked), 5 give up.
    session = new_session(story, saves_dir)
    play(session, ENTER + DOWN + DOWN + DOWN + ENTER + CTRL_D)  # Enter on the title: "New case"
    assert session.pt.ending == "lost"  # the third Down skipped the locked shop
    session = new_session(story, saves_dir)
    play(session, "1" + ENTER + DOWN + DOWN + UP + ENTER + CTRL_D)
    assert session.pt.scene == "office.board"


def test_a_locked_choice_is_refused_with_its_hint(story, saves_dir):
    session = new_session(story, saves_dir)
    ui, _ = play(session, "1" + ENTER + "4" + ENTER + CTRL_D)
    assert session.pt.turn == 0
    text = shown(ui.view)
    assert "You need an address first" in text
    assert "That way is locked" in text


def test_typing_a_number_moves_the_highlight(story, saves_dir):
    session = new_session(story, saves_dir)
    ui, _ = play(session, "1" + ENTER + "3" + CTRL_C)
    assert ui.view.selected_option().number == 3
    assert session.pt.turn == 0


def test_tab_completes_commands_and_slot_names(story, saves_dir):
    session = new_session(story, saves_dir)
    session.save("kozlov")
    session = new_session(story, saves_dir)
    keys = "1" + ENTER + "1" + ENTER  # a turn, so the game differs from the kozlov save
    keys += "stat" + TAB + ENTER  # status
    keys += "sav" + TAB + " mine" + ENTER  # Tab offers save and saves; the first is save
    keys += "loa" + TAB + " koz" + TAB + ENTER  # load kozlov
    ui, _ = play(session, keys + CTRL_D)
    assert "Status" in shown(ui.view)
    assert json.loads((saves_dir / "mine.json").read_text())["summary"]["turn"] == 1
    assert session.pt.turn == 0  # kozlov was saved at the start


def test_history_brings_back_earlier_commands(story, saves_dir):
    session = new_session(story, saves_dir)
    ui, _ = play(session, "1" + ENTER + "clues" + ENTER + "\x10" + ENTER + CTRL_D)  # Ctrl-P
    assert shown(ui.view).count("Case file: 1 of 3 clues") == 2


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D])
def test_ctrl_c_and_ctrl_d_autosave_and_quit(story, saves_dir, key):
    session = new_session(story, saves_dir)
    ui, code = play(session, "1" + ENTER + "1" + ENTER + key)
    assert code == 0
    doc = json.loads((saves_dir / "autosave-1.json").read_text())
    assert doc["log"] == [["office.desk", "look_door"]]
    assert "Autosaved" in ui.farewell


def test_continue_resumes_the_autosave(story, saves_dir):
    first = new_session(story, saves_dir)
    play(first, "1" + ENTER + "3" + ENTER + "2" + ENTER + CTRL_D)  # out, shove
    second = new_session(story, saves_dir)
    ui, _ = play(second, ENTER + CTRL_D)  # with an autosave, Enter on the title means Continue
    assert second.pt.log == first.pt.log
    assert second.pt.scene == "street.corner"
    assert ui.mode == "game"


def test_quitting_from_the_title_leaves_the_autosave_alone(story, saves_dir):
    session = new_session(story, saves_dir)
    play(session, "1" + ENTER + "1" + ENTER + CTRL_D)
    before = (saves_dir / "autosave-1.json").read_bytes()
    ui, code = play(new_session(story, saves_dir), CTRL_D)
    assert code == 0
    assert (saves_dir / "autosave-1.json").read_bytes() == before
    assert ui.farewell == ""


def test_load_menu_lists_slots_and_loads_one(story, saves_dir):
    session = new_session(story, saves_dir)
    session.take(3)  # out
    session.save("kozlov")
    fresh = new_session(story, saves_dir)
    play(fresh, "3" + ENTER + "1" + ENTER + CTRL_D)
    assert fresh.pt.scene == "street.corner"


def test_load_menu_escape_goes_back_to_the_title(story, saves_dir):
    new_session(story, saves_dir).save("kozlov")
    ui, _ = play(new_session(story, saves_dir), "3" + ENTER + "\x1b" + CTRL_D)
    assert ui.mode == "title"
    assert ui.view.options[0].key == "new"


def test_the_ending_screen_counts_endings_across_playthroughs(story, saves_dir):
    session = new_session(story, saves_dir)
    ui, _ = play(session, "1" + ENTER + "5" + ENTER + CTRL_D)  # give up
    text = shown(ui.view)
    assert "THE END" in text and "Case Lost" in text
    assert "Clues found: 1 of 3" in text
    assert "Endings discovered: 1 of 2" in text
    assert profile.load(saves_dir, story).discovered == ["lost"]
    # The ending menu: 1 starts a new case.
    session = new_session(story, saves_dir)
    play(session, "1" + ENTER + "5" + ENTER + "1" + ENTER + CTRL_D)
    assert session.pt.turn == 0 and not session.over


def test_help_lists_commands_and_keys(story, saves_dir):
    ui, _ = play(new_session(story, saves_dir), "1" + ENTER + "help" + ENTER + CTRL_D)
    text = shown(ui.view)
    assert "save NAME" in text and "PageUp/PageDown" in text


def test_unknown_input_and_strange_keys_change_nothing(story, saves_dir):
    session = new_session(story, saves_dir)
    strange = [
        "\x1bOP", "\x1b[15~", "\x1b[24~",  # F1, F5, F12
        "\x1b[1;5A", "\x1b[1;3B", "\x1b[99~",  # Ctrl-Up, Alt-Down, an unknown sequence
        "\x00", "\x07", "\x1a", "\x1c", "\x7f", "\x08",  # NUL, BEL, Ctrl-Z, Ctrl-\, DEL, BS
        "\x1bx", "\x1b\x1b", "\x1b[200~2\r3\x1b[201~",  # Alt-x, Esc Esc, a bracketed paste
        "\x1b[5~", "\x1b[6~", "\x1b[1;2A", "\x1b[1;2B",  # PageUp, PageDown, Shift-Up/Down
        "é漢字", "\x1b[<0;10;10M",  # wide text, a mouse report
    ]
    keys = "1" + ENTER + "".join(strange) + "\x15"  # Ctrl-U clears what the junk typed
    keys += "xyzzy" + ENTER + "99" + ENTER + "undo" + ENTER
    ui, code = play(session, keys + CTRL_D)
    assert code == 0
    assert session.pt.turn == 0 and session.pt.scene == "office.desk"
    text = shown(ui.view)
    assert "Unknown command 'xyzzy'" in text
    assert "There is no choice 99" in text


def test_start_in_game_after_load_skips_the_title(story, saves_dir):
    session = new_session(story, saves_dir)
    session.take(3)
    ui, _ = play(session, "1" + ENTER + CTRL_D, resumed="kozlov")
    assert "Resumed 'kozlov' at turn 1." in shown(ui.view)
    assert session.pt.log[-1].choice == "pay"


def test_a_damaged_profile_is_reported_and_the_game_goes_on(story, saves_dir):
    path = profile.path_of(saves_dir)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    ui, code = play(new_session(story, saves_dir), CTRL_D)
    assert code == 0
    assert "The endings record was damaged (not valid JSON); rebuilt it" in shown(ui.view)
    session = new_session(story, saves_dir)
    ui, code = play(session, "1" + ENTER + "5" + ENTER + CTRL_D)
    assert "damaged" not in shown(ui.view)  # it was rebuilt the first time
    assert profile.load(saves_dir, story).discovered == ["lost"]


def test_no_color_means_no_colour_anywhere(monkeypatch):
    from game.ui.styles import COLOUR, build_style

    monkeypatch.setenv("NO_COLOR", "1")
    style = build_style()
    for name in COLOUR:
        attrs = style.get_attrs_for_style_str(f"class:{name}")
        assert not attrs.color and not attrs.bgcolor, name


def test_staying_in_a_scene_shows_only_what_is_new(story, saves_dir):
    session = new_session(story, saves_dir)
    ui, _ = play(session, "1" + ENTER + "1" + ENTER + CTRL_D)  # check the door: still at the desk
    text = shown(ui.view)
    assert text.count("The office smells of old coffee.") == 1  # not repeated
    assert "The red collar sits on the blotter." in text  # the paragraph the clue brought
    ui, _ = play(new_session(story, saves_dir), "1" + ENTER + "1" + ENTER + "look" + ENTER + CTRL_D)
    assert shown(ui.view).count("The office smells of old coffee.") == 2  # look shows it all


def test_page_up_scrolls_back_through_the_story(story, saves_dir):
    # More text than the 40 rows DummyOutput reports, then PageUp, then PageDown.
    steps = ["1" + ENTER, *(["status" + ENTER] * 12)]
    ui = play_steps(new_session(story, saves_dir), steps)
    bottom = ui.view.top
    assert bottom > 0 and not ui.view.more_below
    ui = play_steps(new_session(story, saves_dir), [*steps, "\x1b[5~"])  # PageUp
    assert ui.view.top < bottom and ui.view.more_below
    ui = play_steps(new_session(story, saves_dir), [*steps, "\x1b[5~", "\x1b[6~"])  # and PageDown
    assert ui.view.top == bottom


def test_watch_reloads_an_edited_story_while_playing(tmp_path, saves_dir, monkeypatch):
    import shutil

    from game.ui import tui
    from game.ui.watch import LiveReload

    root = tmp_path / "story"
    shutil.copytree(SAMPLE, root)
    session = new_session(loader.load(root).story, saves_dir)
    monkeypatch.setattr(tui, "WATCH_SECONDS", 0.05)

    async def drive(ui: TerminalUI, pipe) -> None:
        running = asyncio.ensure_future(ui.run_async())
        pipe.send_text("1" + ENTER)  # New case
        await asyncio.sleep(0.3)
        office = root / "office.yaml"
        office.write_text(office.read_text().replace("smells of old coffee", "smells of fresh paint"))
        for _ in range(200):  # the watcher polls on its timer; give it up to 4 s
            await asyncio.sleep(0.02)
            if "fresh paint" in shown(ui.view):
                break
        pipe.send_text(CTRL_D)
        await running

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        ui = TerminalUI(session, live=LiveReload(session, root))
        asyncio.run(drive(ui, pipe))
    assert ui.errors == []
    assert "The office smells of fresh paint." in shown(ui.view)
    assert "fresh paint" in " ".join(session.text())  # the session plays the edited story now


def test_a_huge_paste_is_cut_to_one_usable_line(story, saves_dir):
    # 60 kB: as much as the test pipe holds before the app reads it
    session = new_session(story, saves_dir)
    ui, code = play(session, "1" + ENTER + "\x1b[200~" + "look " * 12_000 + "\x1b[201~" + CTRL_D)
    assert code == 0
    assert len(ui.line.buffer.text) <= 500


def test_what_a_scene_gives_is_noticed_after_its_text_and_a_choice_s_before(story, saves_dir):
    ui, _ = play(new_session(story, saves_dir), "1" + ENTER + "1" + ENTER + CTRL_D)
    text = shown(ui.view)
    # the desk's on_enter gives the receipt: read the room first, then the notice
    assert text.index("The office smells of old coffee.") < text.index("Clue found: A pet-shop receipt.")
    # the choice's own clue follows its narration and comes before what it changes in the scene
    assert (text.index("Something red by the hinge.") < text.index("Clue found: A red collar.")
            < text.index("The red collar sits on the blotter."))


def test_a_restart_notices_the_opening_clue_after_the_opening_text(story, saves_dir):
    ui, _ = play(new_session(story, saves_dir), "1" + ENTER + "2" + ENTER + "restart" + ENTER + "yes" + ENTER
                 + CTRL_D)
    text = shown(ui.view)
    restart = text.index("A new case begins.")
    assert text.index("The office smells of old coffee.", restart) < text.index("Clue found: A pet-shop receipt.",
                                                                               restart)
