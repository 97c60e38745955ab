"""The one-line input under the story: editing, Tab completion, history, paste.

A prompt-toolkit Buffer with two things done by hand, synchronously:
completion (prompt-toolkit completes in a background task) and history
(see history.py). Both would otherwise race keys typed straight after
Tab or Enter: a fast typist, pasted input, a test driving the keys.
"""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.buffer import Buffer, CompletionState
from prompt_toolkit.completion import CompleteEvent, get_common_complete_suffix
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.layout import Window
from prompt_toolkit.layout.controls import BufferControl
from prompt_toolkit.layout.processors import AfterInput, BeforeInput, ConditionalProcessor

from .commands import MAX_INPUT, clean
from .completion import WordCompleter
from .history import CommandHistory

PROMPT = "> "


class InputLine:
    def __init__(self, words: Callable[[], list[str]], slot_commands: Callable[[], set[str]],
                 slots: Callable[[], list[str]], on_number: Callable[[int], None]):
        self.slot_commands = slot_commands
        self.on_number = on_number  # typing a choice's number highlights it
        self.history = CommandHistory()
        self._recalling = False  # the text is being set from the history, not typed
        self.buffer = Buffer(
            multiline=False,
            completer=WordCompleter(words, slot_commands, slots),
            complete_while_typing=False,
            on_text_changed=self._typed,
        )

    @property
    def text(self) -> str:
        return self.buffer.text

    def window(self, placeholder: Callable[[], str]) -> Window:
        hint = ConditionalProcessor(AfterInput(placeholder, style="class:placeholder"),
                                    filter=Condition(lambda: not self.buffer.text))
        control = BufferControl(self.buffer, input_processors=[BeforeInput(PROMPT, style="class:prompt"), hint])
        return Window(control, height=1, dont_extend_height=True)

    def take(self) -> str:
        """Empty the line and return what it held (cleaned); commands go into the history."""
        self.buffer.complete_state = None  # a highlighted completion is already in the text
        text = clean(self.buffer.text)
        if text and not text.isdecimal():
            self.history.add(text)
        self.buffer.reset()
        return text

    def clear(self) -> None:
        self.buffer.reset()

    def paste(self, data: str) -> None:
        """The input is one line: a pasted paragraph becomes one line, not a hidden second one.
        A paste stops at the longest line a command can use (megabytes would only slow the redraw)."""
        room = max(0, MAX_INPUT - len(self.buffer.text))
        self.buffer.insert_text(" ".join(data[: 4 * MAX_INPUT].split())[:room])

    # -- completion -------------------------------------------------------------

    @property
    def completing(self) -> bool:
        return self.buffer.complete_state is not None

    def complete(self, step: int) -> None:
        """Tab (step 1) or Shift-Tab (-1): one candidate is inserted; several insert
        their common start and open the menu, which further Tabs walk."""
        buffer = self.buffer
        if buffer.complete_state is not None:
            if step > 0:
                buffer.complete_next()
            else:
                buffer.complete_previous()
            return
        found = self._candidates()
        if len(found) == 1:
            buffer.apply_completion(found[0])
            typed = buffer.text.strip()
            if " " not in typed and typed in self.slot_commands():
                buffer.insert_text(" ")  # straight on to the slot name
            return
        if not found:
            return
        common = get_common_complete_suffix(buffer.document, found)
        if common:
            buffer.insert_text(common)
            found = self._candidates()
        buffer.complete_state = CompletionState(original_document=buffer.document, completions=found)

    def cancel_completion(self) -> None:
        self.buffer.cancel_completion()

    def _candidates(self) -> list:
        completer = self.buffer.completer
        assert completer is not None
        return list(completer.get_completions(self.buffer.document, CompleteEvent(completion_requested=True)))

    # -- history ----------------------------------------------------------------

    def recall(self, step: int) -> None:
        """Ctrl-P (step -1) / Ctrl-N (1): an earlier command starting with what is typed."""
        current = self.buffer.text
        line = self.history.back(current) if step < 0 else self.history.forward(current)
        self._recalling = True
        try:
            self.buffer.document = Document(line)  # cursor at the end
        finally:
            self._recalling = False

    def _typed(self, buffer: Buffer) -> None:
        if not self._recalling:
            self.history.stop()
        text = buffer.text.strip()
        if text.isascii() and text.isdecimal():
            self.on_number(int(text))
