"""Plain line mode: text in, text out, one prompt line `> `.

Used with --plain and whenever standard input is not a terminal (pipes,
scripts, tests). It must stay fully usable with a screen reader: no colour,
no boxes, no cursor tricks; every piece of information is in the words.
"""

from __future__ import annotations

import shutil
import textwrap
from typing import TextIO

from .. import profile
from ..errors import SaveError
from ..safetext import printable
from . import render
from .commands import Reply, dispatch
from .render import Line
from .session import Session
from .watch import LiveReload

PROMPT = "> "
PARAGRAPH_STYLES = {"class:title", "class:text", "class:outcome", "class:ending"}


class PlainUI:
    def __init__(self, session: Session, stdin: TextIO, stdout: TextIO, width: int | None = None,
                 live: LiveReload | None = None):
        self.session = session
        self.stdin = stdin
        self.stdout = stdout
        self.width = width or min(shutil.get_terminal_size((80, 24)).columns, 100)
        self.live = live  # --watch: reload the story when its files change
        self.memory = render.SceneMemory()
        self.come_back = "Come back to it with --continue."  # said on leaving, after "Autosaved."

    def check_live(self, show: bool = True) -> bool:
        """With --watch: reload an edited story (showing the scene again if show); True if it reloaded."""
        if self.live is None:
            return False
        event = self.live.poll()
        if event is None:
            return False
        self.write(event.lines)
        if event.reloaded and show:
            self.show_scene()
        return event.reloaded

    def write(self, lines: list[Line]) -> None:
        """Paragraphs get a blank line around them; list items and notices stay tight."""
        previous = ""
        for style, text in lines:
            text = printable(text, limit=0, keep="\n")  # save files and errors may quote anything
            kind = "para" if style in PARAGRAPH_STYLES else "line"
            if previous and (kind == "para" or previous == "para"):
                self.stdout.write("\n")
            for number, paragraph in enumerate(text.split("\n\n")):
                if number:
                    self.stdout.write("\n")
                indent = "  " if paragraph.startswith("- ") else ""
                self.stdout.write(textwrap.fill(" ".join(paragraph.split()), width=max(20, self.width - 1),
                                                subsequent_indent=indent) + "\n")
            previous = kind
        if lines:
            self.stdout.write("\n")

    def show_scene(self, only_new: bool = False, arrived: bool = False) -> None:
        """The scene and its choices; after a turn in the same scene, only its new
        paragraphs; arrived: then what entering it gave (session.last_step)."""
        session = self.session
        self.write(self.memory.lines(session.engine, session.pt, only_new))
        if arrived:
            self.write(render.arrival_lines(session.story, session.last_step, session.pt))
        if session.over:
            self.write(render.ending_lines(session.story, session.pt, self.endings_found()))
        else:
            self.write(render.offer_lines(session.offers()))

    def endings_found(self) -> int | None:
        """Record the ending in the player's profile; how many endings they have found."""
        session = self.session
        try:
            found = profile.record(session.saves_dir, session.story, session.pt.ending or "")
        except SaveError as exc:
            self.stdout.write(f"Could not record this ending: {exc}\n")
            return None
        if found.warning:
            self.stdout.write(found.warning + "\n")
        return len(found.discovered)

    def intro(self) -> None:
        story = self.session.story
        lines: list[Line] = [("class:title", story.title)]
        if story.content_notes:
            lines.append(("class:notice", "Content notes: " + ", ".join(story.content_notes) + "."))
        if story.intro.strip():
            lines.append(("class:text", story.intro.strip()))
        lines.append(("class:hint", "Type a number to choose, or 'help' for commands."))
        self.write(lines)

    def run(self, fresh: bool = True) -> int:
        self.start(fresh)
        while True:
            self.check_live()
            self.prompt()
            code = self.handle(self.stdin.readline())
            if code is not None:
                return code

    # start, prompt and handle are the loop in pieces, for a caller that has the
    # lines from elsewhere (the SSH server feeds them from a channel).

    def start(self, fresh: bool = True) -> None:
        """The intro (for a new game), then the scene and its choices."""
        if fresh:
            self.intro()
        self.write(render.step_lines(self.session.story, self.session.last_step, self.session.pt))
        self.show_scene(arrived=True)

    def prompt(self) -> None:
        self.stdout.write(PROMPT)
        self.stdout.flush()

    def handle(self, line: str) -> int | None:
        """One line of input ('' is the end of input); the exit code once the game is left."""
        if not line:  # end of input: leave as if the player typed quit
            self.stdout.write("\n")
            return self.leave()
        before = [(o.number, o.id, o.enabled) for o in self.session.offers()]
        if self.check_live(show=False) and before != [(o.number, o.id, o.enabled) for o in self.session.offers()]:
            # The numbers on screen when this line was typed no longer mean the same choices.
            self.write([("class:notice", "The choices changed with the edit; your input was not used.")])
            self.show_scene()
            return None
        reply: Reply = dispatch(self.session, line)
        self.write(reply.lines)
        if reply.quit:
            return self.leave()
        if reply.show_scene:
            self.show_scene(only_new=reply.took_turn, arrived=reply.arrived)
        return None

    def leave(self) -> int:
        warning = self.session.try_autosave()
        if warning:
            self.stdout.write(warning + "\n")
        else:
            self.stdout.write(f"Autosaved. {self.come_back}\n")
        self.stdout.flush()
        return 0
