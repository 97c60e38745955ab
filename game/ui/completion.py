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
    """The candidates starting with prefix; a word typed out in full is one of
    them only beside longer ones ('save' with 'saves'), so Tab can pick either."""
    lowered = prefix.lower()
    found = [word for word in candidates if word.startswith(lowered)]
    if found == [lowered]:
        return
    for word in found:
        yield Completion(word, start_position=-len(prefix))


def menu_row(words: list[str], current: int | None, width: int) -> list[tuple[str, str]]:
    """The candidates Tab found, on one row (the rule above the input line), the
    current one highlighted: a menu there covers nothing, where a floating one
    drew over the toolbar and the choices. When they do not all fit, the row
    shows a window of them around the current one, with '…' where more are."""
    label = ("class:rule.more", " Tab: ")
    gap = "  "
    first = 0 if current is None else current
    last = first  # the window [first, last] grows around the current word while it fits
    room = width - len(label[1]) - 4

    def size(lo: int, hi: int) -> int:
        return sum(len(w) for w in words[lo:hi + 1]) + len(gap) * (hi - lo) + 2 * (lo > 0) + 2 * (hi < len(words) - 1)

    if not words:
        return [("class:rule", "─" * width)]
    if size(first, last) > room:  # even one word is too wide: cut it
        shown = words[first][: max(1, room - 1)] + "…"
        return [label, ("class:completion.current" if current is not None else "class:completion", shown)]
    grew = True
    while grew:
        grew = False
        if last + 1 < len(words) and size(first, last + 1) <= room:
            last, grew = last + 1, True
        if first > 0 and size(first - 1, last) <= room:
            first, grew = first - 1, True
    row: list[tuple[str, str]] = [label]
    if first > 0:
        row.append(("class:completion", "… "))
    for index in range(first, last + 1):
        if index > first:
            row.append(("class:completion", gap))
        style = "class:completion.current" if index == current else "class:completion"
        row.append((style, words[index]))
    if last < len(words) - 1:
        row.append(("class:completion", " …"))
    used = sum(len(text) for _, text in row)
    row.append(("class:rule", " " + "─" * max(0, width - used - 1)))
    return row
