"""Plain line mode: text in, text out, one prompt line `> `.

Used with --plain and whenever standard input is not a terminal (pipes,
scripts, tests). It is the screen-reader path and must stay fully usable
with one: no colour, no boxes, no cursor tricks, no decorative characters
(no bullets, marks or rules: textout.py), every piece of information in the
words, and nothing printed that the player did not ask for (the status is
a command, never a line after every turn). See README, "Accessibility".
"""

from __future__ import annotations

import shutil
from typing import TextIO

from .. import profile
from ..errors import SaveError
from . import answering, board, render
from .commands import Reply, clean, dispatch
from .render import Line, sentence
from .session import Session
from .textout import plain_text
from .watch import LiveReload

PROMPT = "> "
QUESTION = "yes or no> "  # the prompt while a question waits (restart asks one): it says what to type


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
        self.stdout.write(plain_text(lines, self.width))
        self.session.scribe.write(lines)

    def say(self, text: str) -> None:
        """A message of the game's own (an error or warning), as one sentence."""
        self.stdout.write(sentence(text) + "\n")

    def show_scene(self, only_new: bool = False, arrived: bool = False) -> None:
        """The scene and its choices; after a turn in the same scene, only its new
        paragraphs; arrived: then what entering it gave (session.last_step)."""
        session = self.session
        self.write(self.memory.lines(session.engine, session.pt, only_new))
        if arrived:
            self.write(render.arrival_lines(session.story, session.last_step, session.pt, session.numbers))
            self.write(board.arrival_board(session.engine, session.pt, session.last_step.entered))
        if session.over:
            self.write(render.ending_lines(session.story, session.pt, self.endings_found()))
        else:
            self.write(render.offer_lines(session.offers()))

    def show_draft(self) -> None:
        """The question being answered, the answer so far, and the numbered picks for the blank."""
        draft = self.session.draft
        assert draft is not None
        self.write(answering.prompt_lines(self.session, draft))
        self.write([("class:choice", f"{p.number}. {p.text}") for p in answering.picks(self.session, draft)])

    def endings_found(self) -> int | None:
        """Record the ending in the player's profile; how many endings they have found."""
        session = self.session
        try:
            found = profile.record(session.saves_dir, session.story, session.pt.ending or "",
                                   playthrough=session.pt)
        except SaveError as exc:
            self.say(f"could not record this ending: {exc}")
            return None
        if found.warning:
            self.say(found.warning)
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
        """The intro (for a new game) or a recap (a continued one), then the scene and its choices."""
        session = self.session
        if fresh:
            self.intro()
        else:  # a continued game: the last few turns, as they read
            self.write(render.recap_lines(session.engine, session.pt, numbers=session.numbers))
        self.write(render.step_lines(session.story, session.last_step, session.pt, session.numbers))
        self.show_scene(arrived=True)

    def prompt(self) -> None:
        self.stdout.write(QUESTION if self.session.pending is not None else PROMPT)
        self.stdout.flush()

    def handle(self, line: str) -> int | None:
        """One line of input ('' is the end of input); the exit code once the game is left."""
        session = self.session
        if not line:  # end of input: leave as if the player typed quit
            self.stdout.write("\n")
            return self.leave()
        before = [(o.number, o.id, o.enabled) for o in session.offers()]
        if self.check_live(show=False) and before != [(o.number, o.id, o.enabled) for o in session.offers()]:
            # The numbers on screen when this line was typed no longer mean the same choices.
            self.write([("class:notice", "The choices changed with the edit; your input was not used.")])
            self.show_scene()
            return None
        if session.scribe.active:
            session.scribe.echo(self._echo(line))
        reply: Reply = dispatch(session, line)
        self.write(reply.lines)
        if reply.quit:
            return self.leave()
        if reply.recap:
            self.write(render.recap_lines(session.engine, session.pt, numbers=session.numbers))
        if reply.show_scene:
            self.show_scene(only_new=reply.took_turn, arrived=reply.arrived)
        if reply.show_draft and self.session.draft is not None:
            self.show_draft()
        return None

    def _echo(self, line: str) -> str:
        """What was typed, for the transcript: a choice's number with its text, as the full UI echoes it."""
        typed = clean(line)
        if typed.isascii() and typed.isdecimal() and len(typed) < 6 and not self.session.over:
            for offer in self.session.offers():
                if offer.number == int(typed):
                    return f"{offer.number}. {offer.text}"
        return typed

    def leave(self) -> int:
        self.session.scribe.stop(closing="Transcript ends: the player left the game")
        warning = self.session.try_autosave()
        if warning:
            self.say(warning)
        else:
            self.stdout.write(f"Autosaved. {self.come_back}\n")
        self.stdout.flush()
        return 0
