"""The terminal UI: a full-screen prompt-toolkit application.

    +--------------------------------------------+
    | story view: transcript + numbered choices  |  storyview.StoryView
    |                                            |
    |---------------------- more below: PgDn ----|  a rule: the scroll hint, or Tab's candidates
    | > input line (Tab completes, history)      |  inputline.InputLine
    | Area: Scene | Turn 3 | Clues 1/4 | Trust 2 |  toolbar.rows
    +--------------------------------------------+

Full screen, because the layout needs it: the toolbar stays at the bottom,
the choices can be highlighted in place with the arrow keys, and a resize
re-wraps every paragraph already shown (a line-mode prompt cannot re-wrap
what it has already printed). What the player types goes through the same
command table as plain mode (commands.dispatch); this module only decides
how things look and which keys do what.

Imported only when the terminal UI is chosen: prompt-toolkit costs about a
tenth of a second to import, which plain mode and the writer's tools skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import textwrap
from collections.abc import Callable
from typing import TextIO

from prompt_toolkit.application import Application, get_app
from prompt_toolkit.data_structures import Point
from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import HSplit, Layout, Window
from prompt_toolkit.layout.controls import UIContent, UIControl
from prompt_toolkit.layout.margins import ConditionalMargin, ScrollbarMargin
from prompt_toolkit.output import ColorDepth

from .. import profile
from ..errors import GameError, SaveError
from ..safetext import printable
from . import answering, board, gallery, render, title, toolbar
from .commands import COMMANDS, Reply, dispatch
from .completion import menu_row
from .ending import RUN, ending_screen
from .inputline import InputLine
from .render import Line, error_line
from .session import Session
from .storyview import Option, StoryView
from .styles import build_style, no_color, paints_screen
from .watch import LiveReload
from .wrap import Row

TITLE, SLOTS, GALLERY, GAME = "title", "slots", "gallery", "game"
WATCH_SECONDS = 0.5  # how often --watch looks at the story's files

KEY_HELP: list[Line] = [
    ("class:heading", "Keys"),
    ("class:item", "- Up/Down, then Enter: take the highlighted choice (or type its number)"),
    ("class:item", "- Answering a question: Up/Down and Enter pick each blank's candidate; Esc leaves the question"),
    ("class:item", "- PageUp/PageDown: scroll the story"),
    ("class:item", "- Tab: complete a command or a save name; Ctrl-P/Ctrl-N: earlier commands"),
    ("class:item", "- Ctrl-D or Ctrl-C: autosave and quit"),
]


class RowsControl(UIControl):
    """A few rows computed for the width at render time (the toolbar, the rule).

    A render asks for them up to three times (the layout measures heights twice,
    then draws): they are computed once per render and width."""

    def __init__(self, get_rows: Callable[[int], list[Row]]):
        self._get_rows = get_rows
        self._cached: tuple[int, int, list[Row]] | None = None

    def get_rows(self, width: int) -> list[Row]:
        render = get_app().render_counter
        cached = self._cached
        if cached is None or cached[0] != render or cached[1] != width:
            self._cached = cached = (render, width, self._get_rows(width))
        return cached[2]

    def preferred_height(self, width: int, max_available_height: int, wrap_lines: bool,
                         get_line_prefix: object) -> int:
        return len(self.get_rows(width))

    def create_content(self, width: int, height: int) -> UIContent:
        rows = self.get_rows(width)
        return UIContent(get_line=lambda i: rows[i] if i < len(rows) else [], line_count=len(rows),
                         cursor_position=Point(0, 0), show_cursor=False)


class TerminalUI:
    def __init__(self, session: Session, resumed: str | None = None, monochrome: bool | None = None,
                 notes: list[str] | None = None, live: LiveReload | None = None, theme: str = "default",
                 color_depth: ColorDepth | None = None, hosted: bool = False):
        """resumed: the slot the game was loaded from (--load); None shows the title screen.
        notes: what the load said (story updated, damaged autosave passed over...).
        live: with --watch, reloads the story when its files change (polled on a timer).
        theme: "default" or "high-contrast" (styles.THEMES); NO_COLOR wins over both.
        color_depth: the terminal's colours (None: what the output says its TERM allows).
        hosted: one of many games in a server's event loop (game/serve): it leaves the
        process's signals and the loop's exception handler to the server."""
        self.session = session
        self.live = live
        self.hosted = hosted
        self.monochrome = no_color() if monochrome is None else monochrome
        self.view = StoryView()
        self.view.listener = session.scribe.write  # the in-game transcript sees what the view shows
        self.mode = TITLE
        self.errors: list[BaseException] = []  # unexpected errors shown to the player (tests check it)
        self.farewell = ""  # printed on the normal screen once the UI has gone
        self.quit_requested = False
        self._changed_from: dict[str, str] | None = None
        self._slot_cache: list[str] | None = None
        self._memory = render.SceneMemory()
        self.line = InputLine(self._words, self._slot_commands, self._slot_names, self.view.select_number)
        self.theme = theme
        self.app: Application[int] = Application(
            layout=self._layout(),
            key_bindings=self._bindings(),
            style=build_style(self.monochrome, theme),
            full_screen=True,
            mouse_support=False,
            color_depth=ColorDepth.MONOCHROME if self.monochrome else color_depth,
            # A hosted game hears of resizes from its SSH channel; polling the size twice
            # a second in each of a hundred games is only wake-ups for the server's loop.
            terminal_size_polling_interval=None if hosted else 0.5,
            # prompt-toolkit postpones a redraw while the loop has other work, up to 10 ms,
            # re-queueing it (and waking the loop through its self-pipe) each time round. On a
            # server the loop always has other players' work: that was only waiting and wake-ups.
            max_render_postpone_time=0 if hosted else 0.01,
        )
        startup = profile.load(session.saves_dir, session.story)
        if resumed:
            self._enter_game([("class:notice", f"Resumed '{resumed}' at turn {session.pt.turn}."),
                              *(("class:notice", note) for note in notes or ())], recap=True)
        else:
            self._show_title()
        if startup.warning:
            self.view.add_block([error_line(startup.warning)])

    # -- running ------------------------------------------------------------

    def run(self) -> int:
        try:
            return self.app.run(pre_run=self._pre_run) or 0
        except EOFError:  # the terminal went away: keep what was played
            self._leave()
            return 0

    async def run_async(self) -> int:
        """The same, inside a running event loop (tests and the SSH server drive it this way)."""
        own = not self.hosted  # a hosted game must not take the server's SIGINT or exception handler
        return await self.app.run_async(pre_run=self._pre_run, handle_sigint=own, set_exception_handler=own) or 0

    def stop(self, notice: str) -> None:
        """End the game from outside (the server's idle timeout or shutdown) as Ctrl-D
        does: a game in progress is autosaved; notice comes first in the farewell."""
        self._guard(self._leave)
        self.farewell = f"{notice} {self.farewell}".strip()

    def _pre_run(self) -> None:
        if not self.hosted:
            self._on_signals()
        if self.live is not None:
            self.app.create_background_task(self._watch())

    async def _watch(self) -> None:
        """--watch: look for edited story files twice a second (cancelled when the app exits)."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            self._guard(self._reload)
            self.app.invalidate()

    def _reload(self) -> None:
        assert self.live is not None
        event = self.live.poll()
        if event is None:
            return
        self.view.add_block(event.lines)
        if event.reloaded and self.mode == GAME:
            self._show_scene()

    def _on_signals(self) -> None:
        """A closed terminal window (SIGHUP) or a polite kill (SIGTERM) leaves as Ctrl-D does."""
        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM"):
            number = getattr(signal, name, None)
            if number is None:
                continue
            # Windows has no loop signal handlers; a thread other than the main one may not set them
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, lambda: self._guard(self._leave))

    # -- layout ---------------------------------------------------------------

    def _layout(self) -> Layout:
        scrolls = Condition(lambda: self.view.more_above or self.view.more_below)
        story = Window(
            self.view,
            right_margins=[ConditionalMargin(ScrollbarMargin(display_arrows=False), filter=scrolls)],
            get_vertical_scroll=lambda window: self.view.top,
            always_hide_cursor=True,
        )
        prompt = self.line.window(self._placeholder)
        # No floating completion menu: Tab's candidates are shown in the rule
        # (menu_row), so nothing is ever drawn over the toolbar or the choices.
        body = HSplit([
            story,
            Window(RowsControl(self._rule), height=1),
            prompt,
            Window(RowsControl(self._toolbar), style="class:toolbar", dont_extend_height=True),
        ], style="class:screen" if paints_screen(self.monochrome, self.theme) else "")
        # (the high-contrast theme sets the whole screen's background; the others leave it alone)
        return Layout(body, focused_element=prompt)

    def _placeholder(self) -> str:
        if self.mode == GAME and self.session.pending is not None:
            return "yes or no"  # a question is waiting (restart asks one)
        return "a number, or 'help'" if self.view.options else "'help' lists the commands"

    def _rule(self, width: int) -> list[Row]:
        state = self.line.buffer.complete_state
        if state is not None and state.completions:
            return [menu_row([c.text for c in state.completions], state.complete_index, width)]
        if self.view.more_below:
            label = " more below: PgDn "
            if width > len(label) + 4:
                return [[("class:rule", "─" * (width - len(label) - 2)), ("class:rule.more", label),
                         ("class:rule", "──")]]
            return [[("class:rule.more", label.strip()[:width])]]
        return [[("class:rule", "─" * width)]]

    def _toolbar(self, width: int) -> list[Row]:
        if self.mode != GAME:
            return toolbar.title_rows(self.session.story.title, width)
        return toolbar.rows(self.session, width, self._changed_from, self.session.numbers)

    # -- keys -----------------------------------------------------------------

    def _bindings(self) -> KeyBindings:
        keys = KeyBindings()
        line = self.line
        completing = Condition(lambda: line.completing)

        @keys.add("enter", eager=True)
        def _(event: KeyPressEvent) -> None:
            self._guard(self._enter)

        @keys.add("tab", eager=True)
        def _(event: KeyPressEvent) -> None:
            self._guard(lambda: line.complete(1))

        @keys.add("s-tab", eager=True)
        def _(event: KeyPressEvent) -> None:
            self._guard(lambda: line.complete(-1))

        @keys.add("up", filter=completing)
        def _(event: KeyPressEvent) -> None:
            line.complete(-1)

        @keys.add("down", filter=completing)
        def _(event: KeyPressEvent) -> None:
            line.complete(1)

        @keys.add("up", filter=~completing)
        def _(event: KeyPressEvent) -> None:
            self._guard(lambda: self._arrow(-1))

        @keys.add("down", filter=~completing)
        def _(event: KeyPressEvent) -> None:
            self._guard(lambda: self._arrow(1))

        @keys.add("c-p")
        def _(event: KeyPressEvent) -> None:
            line.recall(-1)

        @keys.add("c-n")
        def _(event: KeyPressEvent) -> None:
            line.recall(1)

        @keys.add("pageup")
        def _(event: KeyPressEvent) -> None:
            self.view.page(-1)

        @keys.add("pagedown")
        def _(event: KeyPressEvent) -> None:
            self.view.page(1)

        @keys.add("s-up")
        def _(event: KeyPressEvent) -> None:
            self.view.scroll(-1)

        @keys.add("s-down")
        def _(event: KeyPressEvent) -> None:
            self.view.scroll(1)

        @keys.add("escape", eager=True)
        def _(event: KeyPressEvent) -> None:
            if line.completing:
                line.cancel_completion()
            elif self.mode in (SLOTS, GALLERY):
                self._guard(self._show_title)
            elif self.mode == GAME and self.session.draft is not None and not line.text:
                self._guard(lambda: self.submit("cancel"))
            else:
                line.clear()

        @keys.add(Keys.BracketedPaste)
        def _(event: KeyPressEvent) -> None:
            line.paste(event.data)

        @keys.add(Keys.Vt100MouseEvent)
        def _(event: KeyPressEvent) -> None:
            # Mouse support is off, yet prompt-toolkit's own handler still parses
            # what looks like a mouse report, and typing ESC [ 1 M (or line noise)
            # made it raise outside any guard: a traceback and "Press ENTER".
            pass

        @keys.add("c-c", eager=True)
        @keys.add("c-d", eager=True)
        @keys.add(Keys.SIGINT, eager=True)
        def _(event: KeyPressEvent) -> None:
            self._guard(self._leave)

        return keys

    def _arrow(self, step: int) -> None:
        """Up/Down pick a choice; once a command is being typed they walk the history."""
        text = self.line.text.strip()
        if text and not text.isdecimal():
            self.line.recall(step)
            return
        if text:
            self.line.clear()
        self.view.move_selection(step)

    # -- input ----------------------------------------------------------------

    def _enter(self) -> None:
        text = self.line.take()
        if not text:
            option = self.view.selected_option()
            if option is None:
                return
            text = str(option.number)
        self.submit(text)

    def submit(self, text: str) -> None:
        """Run one line of input as if typed: a number or a command."""
        mark, generation = self.view.mark(), self.view.generation
        option = self._option_for(text)
        echo = f"{option.number}. {option.text}" if option else text
        self.view.add_block([("class:echo", echo)])  # the transcript (view.listener) writes it as "> ..."
        if self.mode == GAME:
            self._game_input(text, option)
        else:
            self._menu_input(text, option)
        if not self.quit_requested and self.view.generation == generation:
            self.view.show_from(mark)  # page in from this turn's first line

    def _option_for(self, text: str) -> Option | None:
        if text.isascii() and text.isdecimal():
            for option in self.view.options:
                if option.number == int(text):
                    return option
        return None

    def _game_input(self, text: str, option: Option | None) -> None:
        session = self.session
        before = toolbar.values(session, session.numbers)
        if option is not None and option.key.startswith(RUN):
            text = option.key[len(RUN):]
        reply: Reply = dispatch(session, text)
        if text.split(" ", 1)[0].lower() in ("help", "h", "?") and session.pending is None:
            reply.lines.extend(KEY_HELP)
        self.view.add(reply.lines)
        if reply.took_turn or (reply.show_scene and toolbar.values(session, session.numbers) != before):
            self._changed_from = before
        if reply.quit:
            self._leave()
            return
        if reply.recap:
            self.view.add_block(render.recap_lines(session.engine, session.pt, numbers=session.numbers))
        if reply.show_scene:
            # A choice that keeps the player in the same scene shows only what is new in it;
            # 'look' (or anything else) shows the whole scene again.
            stayed = reply.took_turn and not session.last_step.entered
            self._show_scene(only_new=stayed, arrived=reply.arrived)
        if reply.show_draft and session.draft is not None:
            self._show_draft()
        self._slot_cache = None

    def _menu_input(self, text: str, option: Option | None) -> None:
        word, _, arg = text.partition(" ")
        if option is not None:
            if not option.enabled:
                self.view.add([error_line(f"that is not available: {option.hint}")])
                return
            action = option.key
        elif word.lower() in ("help", "h", "?"):
            self.view.add([("class:text", "Type a number from the list, or new, continue, load NAME, "
                                          "endings, quit."), *KEY_HELP])
            return
        elif word.lower() in title.WORDS:
            action = title.WORDS[word.lower()]
            if action == title.LOAD and arg:
                action = title.SLOT + arg
        else:
            self.view.add([error_line("type a number from the list, or 'help'")])
            return
        self._menu_action(action)

    def _menu_action(self, action: str) -> None:
        if action == title.NEW:
            self.session.new_game()
            self._enter_game(render.step_lines(self.session.story, self.session.last_step, self.session.pt),
                             arrived=True)
        elif action == title.CONTINUE:
            self._load("autosave")
        elif action == title.LOAD:
            self._show_slots()
        elif action == title.GALLERY:
            self._show_gallery()
        elif action.startswith(title.SLOT):
            self._load(action[len(title.SLOT):])
        elif action.startswith(title.REPLAY):
            self._replay_ending(action[len(title.REPLAY):])
        elif action == title.BACK:
            self._show_title()
        elif action == title.QUIT:
            self._leave()

    def _load(self, slot: str) -> None:
        try:
            loaded = self.session.load(slot)
        except SaveError as exc:
            self.view.add([error_line(str(exc))])
            return
        self._enter_game([("class:notice", f"Resumed '{slot}' at turn {self.session.pt.turn}."),
                          *(("class:notice", note) for note in loaded.notes())], recap=True)

    def _replay_ending(self, ending: str) -> None:
        """From the gallery: load the save that first reached this ending; 'undo' steps back into it."""
        try:
            loaded = self.session.load_file(profile.closing_save(self.session.saves_dir, ending))
        except SaveError as exc:
            self.view.add([error_line(str(exc))])
            return
        self._enter_game([("class:notice", f"Replaying the game that first reached this ending, at turn "
                                           f"{self.session.pt.turn}. 'undo' steps back into it."),
                          *(("class:notice", note) for note in loaded.notes())], recap=True)

    # -- screens ----------------------------------------------------------------

    def _show_title(self) -> None:
        self.mode = TITLE
        self.view.clear()
        self.view.add_block(title.title_lines(self.session.story))
        found = profile.load(self.session.saves_dir, self.session.story)
        options = title.menu(self.session.slots(), self.session.story, found)
        resume = options[1]  # Continue, when there is an autosave, is what a returning player wants
        self.view.set_options(options, selected=1 if resume.enabled else None)
        self.view.show_from(0)

    def _show_slots(self) -> None:
        self.mode = SLOTS
        self.view.add_block([("class:heading", "Saved cases (Esc: back)")])
        self.view.set_options(title.slot_menu(self.session.slots(), self.session.story))

    def _show_gallery(self) -> None:
        self.mode = GALLERY
        story = self.session.story
        found = profile.load(self.session.saves_dir, story)
        self.view.add_block([("class:heading", gallery.heading(story, found) + " (Esc: back)"),
                             ("class:hint", "Pick a found ending to replay the game that reached it.")])
        self.view.set_options(title.gallery_menu(story, found, self.session.saves_dir))

    def _enter_game(self, lines: list[Line], arrived: bool = False, recap: bool = False) -> None:
        self.mode = GAME
        self._changed_from = None
        self.view.clear()
        self.view.add_block(lines)
        if recap:  # a continued game: the last few turns as they read, instead of an empty screen
            session = self.session
            self.view.add_block(render.recap_lines(session.engine, session.pt, numbers=session.numbers))
        self._show_scene(arrived=arrived)
        self.view.show_from(0)

    def _show_scene(self, only_new: bool = False, arrived: bool = False) -> None:
        session = self.session
        self.view.add_block(self._memory.lines(session.engine, session.pt, only_new))
        if arrived:  # what entering the scene gave, after its text (render.arrival_lines)
            self.view.add(render.arrival_lines(session.story, session.last_step, session.pt, session.numbers))
            self.view.add_block(board.arrival_board(session.engine, session.pt, session.last_step.entered))
        if session.over:
            lines, options = ending_screen(session)
            self.view.add_block(lines)
            self.view.set_options(options)
        else:
            offers = session.offers()
            session.scribe.write(render.offer_lines(offers))  # the menu is not added as lines
            self.view.set_options([Option(o.number, render.offer_text(o), o.enabled, o.hint, o.id,
                                          render.SPENT if o.spent else "") for o in offers])

    def _show_draft(self) -> None:
        """A question being answered: the answer so far and the picks for the blank (arrows and Enter)."""
        draft = self.session.draft
        assert draft is not None
        self.view.add_block(answering.prompt_lines(self.session, draft))
        self.view.set_options([Option(p.number, p.text) for p in answering.picks(self.session, draft)])

    # -- leaving and errors -------------------------------------------------------

    def _leave(self) -> None:
        """Quit: autosave a game in progress (never the title screen's untouched new game)."""
        self.quit_requested = True
        self.session.scribe.stop(closing="Transcript ends: the player left the game")
        if self.mode == GAME:
            warning = self.session.try_autosave()
            self.farewell = warning or "Autosaved. 'Continue' on the title screen resumes the case."
        if self.app.is_running and not self.app.future.done():
            self.app.exit(result=0)

    def _guard(self, action: Callable[[], None]) -> None:
        """Run a key's action; no error may take the game down with it."""
        try:
            action()
        except GameError as exc:
            self.view.add_block([error_line(printable(str(exc)))])  # may quote a save file
        except Exception as exc:  # a bug: say so in one line and keep the game alive
            self.errors.append(exc)
            self.view.add_block([error_line(f"Something went wrong ({type(exc).__name__}: {exc}). "
                                            "Your game is autosaved after every turn.")])

    # -- completion sources -------------------------------------------------------

    def _words(self) -> list[str]:
        if self.mode == GAME:
            return [command.name for command in COMMANDS]
        return list(title.COMPLETION_WORDS)

    def _slot_commands(self) -> set[str]:
        if self.mode == GAME:
            return {name for c in COMMANDS if c.takes_slot for name in (c.name, *c.aliases)}
        return {"load", "lo"}

    def _slot_names(self) -> list[str]:
        if self._slot_cache is None:
            self._slot_cache = [info.slot for info in self.session.slots() if not info.problem]
        return self._slot_cache


def run(session: Session, stdout: TextIO, resumed: str | None = None, notes: list[str] | None = None,
        live: LiveReload | None = None, theme: str = "default") -> int:
    """Play in the terminal; returns the exit code. Ctrl-C and Ctrl-D autosave and quit.

    resumed: the slot already loaded (--load SLOT), which skips the title screen;
    notes: what that load said; live: --watch's reloader."""
    ui = TerminalUI(session, resumed=resumed, notes=notes, live=live, theme=theme)
    code = ui.run()
    if ui.farewell:  # back on the normal screen, where the terminal wraps at any letter
        width = shutil.get_terminal_size((80, 24)).columns
        stdout.write(textwrap.fill(ui.farewell, max(20, width - 1)) + "\n")
        stdout.flush()
    return code
