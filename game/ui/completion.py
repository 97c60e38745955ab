"""Tab completion for the input line: command words, then save slot names.

The words come from the one command table (commands.COMMANDS), so what Tab
offers is always what dispatch() understands. After a command that takes a
slot (save, load and their aliases) Tab offers the slot names on disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document


class WordCompleter(Completer):
    def __init__(self, words: Callable[[], list[str]], slot_commands: Callable[[], set[str]],
                 slots: Callable[[], list[str]]):
        self.words = words
        self.slot_commands = slot_commands
        self.slots = slots

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor.lstrip()
        if " " not in text:
            yield from _matching(text, self.words())
            return
        command, _, rest = text.partition(" ")
        if command.lower() in self.slot_commands() and " " not in rest.strip():
            yield from _matching(rest.strip(), self.slots())


def _matching(prefix: str, candidates: list[str]) -> Iterable[Completion]:
    lowered = prefix.lower()
    for word in candidates:
        if word.startswith(lowered) and word != lowered:
            yield Completion(word, start_position=-len(prefix))
