"""The scrolling story view: a transcript of the case, and the choices on offer.

A prompt-toolkit UIControl. It keeps paragraphs, not screen rows: every
render wraps them (by words, see wrap.py) to the width it is given, so a
resized terminal re-wraps the whole transcript. Wrapped rows are cached per
width, which keeps a long session cheap to redraw.

Scrolling is anchored to a paragraph, not a row number, so it survives a
resize: after each turn the view's top is put at the start of what that turn
printed (clamped so the bottom of the window is never left empty), the way a
classic IF interpreter pages new text in. PageUp/PageDown move the anchor;
moving the selection scrolls just enough to show the selected choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from prompt_toolkit.data_structures import Point
from prompt_toolkit.layout.controls import UIContent, UIControl

from ..safetext import printable
from .render import Line
from .wrap import Fragment, Row, cell_width, wrap

MAX_ENTRIES = 3000  # older paragraphs are dropped; the save file keeps the real history
TRIM_SLACK = 300  # ... that many more at a time
MAX_MEASURE = 78  # prose reads badly in very long lines; wider terminals get a margin
WIDE = 60  # from this width on, the text gets a small left margin

# Styles that are prose (a blank row before and after), as in plain mode.
PARAGRAPH_STYLES = {"class:title", "class:text", "class:outcome", "class:ending", "class:banner"}
BANNER = "class:banner"  # a heading centred in a rule, e.g. ─── THE END ───


@dataclass(frozen=True)
class Option:
    """One numbered line of the menu under the text: a choice, or a title-screen item."""

    number: int
    text: str
    enabled: bool = True
    hint: str = ""
    key: str = ""  # what taking it means, for the owner (a choice id, a menu action)
    note: str = ""  # said dimly after the text, e.g. render.SPENT


@dataclass
class _Entry:
    fragments: list[Fragment]
    first_prefix: Row = field(default_factory=list)
    prefix: Row = field(default_factory=list)
    blank: bool = False
    _cache: tuple[int, list[Row]] | None = None

    def rows(self, width: int) -> list[Row]:
        if self.blank:
            return [[]]
        if self._cache is None or self._cache[0] != width:
            if self.fragments and self.fragments[0][0] == BANNER:
                rows = _banner(self.fragments[0][1], width)
            else:
                rows = wrap(self.fragments, width, first_prefix=self.first_prefix, prefix=self.prefix)
            self._cache = (width, rows)
        return self._cache[1]


def _banner(label: str, width: int) -> list[Row]:
    label = f" {label} "
    side = (width - cell_width(label)) // 2
    if side < 3:
        return wrap([(BANNER, label.strip())], width)
    return [[("class:rule", "─" * side), (BANNER, label), ("class:rule", "─" * (width - side - cell_width(label)))]]


class StoryView(UIControl):
    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.options: list[Option] = []
        self.selected: int | None = None  # index into options
        self._option_entries: list[_Entry] = []
        self._anchor: tuple[int, int] = (0, 0)  # (entry index, row within it) at the top
        self._reveal = False
        self._last_kind = ""
        self.generation = 0  # bumped by clear(), so a caller can tell its mark is stale
        # What the last render saw, for paging and for the "more below" hint.
        self.height = 24
        self.top = 0
        self.row_count = 0
        self._owners: list[tuple[int, int]] = []
        self._version = 0  # bumped whenever entries are removed (added ones are laid out incrementally)
        self._laid_out: tuple[tuple[int, int, int], tuple[list[Row], list[tuple[int, int]], list[int]]] | None = None
        self.listener: Callable[[list[Line]], None] | None = None  # told every block added (transcripts)

    # -- content ------------------------------------------------------------

    def add(self, lines: list[Line]) -> None:
        """Append a block of styled paragraphs, spaced as in plain mode."""
        if self.listener is not None and lines:
            self.listener(lines)
        for style, text in lines:
            kind = "para" if style in PARAGRAPH_STYLES else "line"
            if self._last_kind and (kind == "para" or self._last_kind == "para"):
                self._blank()
            for number, paragraph in enumerate(text.split("\n\n")):
                if number:
                    self._blank()
                for line in paragraph.split("\n"):  # a line break the writer kept (a `lines:` paragraph)
                    self._add_paragraph(style, " ".join(line.split()))
            self._last_kind = kind
        self._trim()

    def add_block(self, lines: list[Line]) -> None:
        """Append lines as a new block, separated from what came before by a blank row."""
        if not lines:
            return
        if self.entries and not self.entries[-1].blank:
            self._blank()
        self._last_kind = ""
        self.add(lines)

    def _add_paragraph(self, style: str, text: str) -> None:
        first: Row = []
        prefix: Row = []
        if text.startswith("- "):  # list items hang under their dash
            prefix = [("", "  ")]
        elif style == "class:error":
            first, prefix = [("class:error.mark", "! ")], [("", "  ")]
        elif style == "class:notice":
            first, prefix = [("class:notice.mark", "* ")], [("", "  ")]
        elif style == "class:echo":
            first, prefix = [("class:echo.mark", "> ")], [("", "  ")]
        # Text may quote a save file or a file name: no control character reaches the
        # terminal raw, and every character drawn is one the wrapping measured.
        self.entries.append(_Entry([(style, printable(text, limit=0))], first, prefix))

    def _blank(self) -> None:
        self.entries.append(_Entry([], blank=True))

    def _trim(self) -> None:
        if len(self.entries) <= MAX_ENTRIES:
            return
        extra = len(self.entries) - MAX_ENTRIES + TRIM_SLACK  # trimmed in steps, so the layout is redone rarely
        if extra > 0:
            del self.entries[:extra]
            self._version += 1
            entry, row = self._anchor
            self._anchor = (max(0, entry - extra), row if entry >= extra else 0)

    def set_options(self, options: list[Option], selected: int | None = None) -> None:
        """Show a new menu under the text; the first choice that can be taken is selected."""
        self.options = list(options)
        if selected is None:
            selected = next((i for i, o in enumerate(options) if o.enabled), None)
        self.selected = selected
        self._option_entries = []

    def clear(self) -> None:
        self.generation += 1
        self._version += 1
        self.entries.clear()
        self.options = []
        self._option_entries = []
        self.selected = None
        self._anchor = (0, 0)
        self._last_kind = ""

    # -- selection ----------------------------------------------------------

    def move_selection(self, step: int) -> None:
        """Move to the next (step 1) or previous (step -1) option that can be taken."""
        enabled = [i for i, o in enumerate(self.options) if o.enabled]
        if not enabled:
            return
        if self.selected not in enabled:
            self.selected = enabled[0] if step > 0 else enabled[-1]
        else:
            position = enabled.index(self.selected)
            self.selected = enabled[max(0, min(len(enabled) - 1, position + step))]
        self._option_entries = []
        self._reveal = True

    def select_number(self, number: int) -> None:
        for index, option in enumerate(self.options):
            if option.number == number:
                if self.selected != index:
                    self.selected = index
                    self._option_entries = []
                    self._reveal = True
                return

    def selected_option(self) -> Option | None:
        if self.selected is None or not 0 <= self.selected < len(self.options):
            return None
        return self.options[self.selected]

    # -- scrolling ----------------------------------------------------------

    def mark(self) -> int:
        """Where the next content will start (give it to show_from)."""
        return len(self.entries)

    def show_from(self, mark: int) -> None:
        """Put the top of the view at this mark (a turn's first line)."""
        while mark < len(self.entries) and self.entries[mark].blank:
            mark += 1  # do not waste the top row on a blank
        self._anchor = (mark, 0)
        self._reveal = False

    def scroll(self, rows: int) -> None:
        """Scroll by rows (negative: up), as the last render laid them out.

        The new top is kept at once, not only at the next render: several
        PageDowns that arrive together (a held key, a fast hand) each move on
        from where the one before left the view, so three pages are three pages."""
        if not self._owners:
            return
        top = max(0, min(self.top + rows, max(0, self.row_count - self.height)))
        self.top = top
        self._anchor = self._owners[top]
        self._reveal = False

    def page(self, direction: int) -> None:
        self.scroll(direction * max(1, self.height - 2))

    @property
    def more_below(self) -> bool:
        return self.top + self.height < self.row_count

    @property
    def more_above(self) -> bool:
        return self.top > 0

    # -- rendering ----------------------------------------------------------

    def _all_entries(self) -> list[_Entry]:
        """The transcript, then (after a blank row) the menu; the menu is always last."""
        if len(self._option_entries) != len(self.options):
            self._option_entries = [self._option_entry(i, o) for i, o in enumerate(self.options)]
        options = self._option_entries
        if options and self.entries and not self.entries[-1].blank:
            return [*self.entries, _Entry([], blank=True), *options]
        return [*self.entries, *options]

    def _option_entry(self, index: int, option: Option) -> _Entry:
        selected = index == self.selected
        mark = "▸ " if selected else "  "
        number = f"{option.number}. "
        text = printable(option.text, limit=0)  # a menu item may name a file (see _add_paragraph)
        if option.enabled:
            style = "class:choice.selected" if selected else "class:choice"
            body = [(style, text)]
            if option.note:
                body.append(("class:locked.hint", f" ({printable(option.note, limit=0)})"))
        else:
            style = "class:locked"
            hint = f" (locked: {printable(option.hint, limit=0)})" if option.hint else " (locked)"
            if option.note:  # not a lock, e.g. an ending not found yet
                hint = f" ({printable(option.note, limit=0)})"
            body = [(style, text), ("class:locked.hint", hint)]
        first = [("class:choice.mark", mark), (style + ".number" if option.enabled else style, number)]
        indent = [("", " " * (len(mark) + cell_width(number)))]
        return _Entry(body, first, indent)

    def layout(self, width: int) -> tuple[list[Row], list[tuple[int, int]], list[int]]:
        """Rows for the width, the (entry, row) each came from, and each entry's first row.

        The transcript's rows are kept between renders until it changes (a long
        game has thousands of rows, and most renders only move the selection or
        echo a key); the menu's few rows are laid out every time."""
        margin = 1 if width >= WIDE else 0
        measure = max(1, min(width - margin, MAX_MEASURE))
        pad: Row = [("", " " * margin)] if margin else []
        key = (measure, margin, self._version)
        laid = self._laid_out
        if laid is None or laid[0] != key:
            self._laid_out = laid = (key, ([], [], []))
        cached_rows, cached_owners, cached_starts = laid[1]
        if len(cached_starts) < len(self.entries):  # entries added since: lay out only those
            done = len(cached_starts)
            new_rows, new_owners, new_starts = self._lay_out(self.entries[done:], done, measure, pad,
                                                             len(cached_rows))
            cached_rows += new_rows
            cached_owners += new_owners
            cached_starts += new_starts
        rows, owners, starts = list(cached_rows), list(cached_owners), list(cached_starts)
        menu = self._all_entries()[len(self.entries):]
        more_rows, more_owners, more_starts = self._lay_out(menu, len(self.entries), measure, pad, len(rows))
        rows += more_rows
        owners += more_owners
        starts += more_starts
        starts.append(len(rows))  # the end, so starts[i + 1] is always the row after entry i
        return rows, owners, starts

    @staticmethod
    def _lay_out(entries: list[_Entry], first_index: int, measure: int, pad: Row,
                 first_row: int = 0) -> tuple[list[Row], list[tuple[int, int]], list[int]]:
        rows: list[Row] = []
        owners: list[tuple[int, int]] = []
        starts: list[int] = []
        for index, entry in enumerate(entries, start=first_index):
            starts.append(first_row + len(rows))
            for number, row in enumerate(entry.rows(measure)):
                rows.append(pad + row if row else [])
                owners.append((index, number))
        return rows, owners, starts

    def create_content(self, width: int, height: int) -> UIContent:
        rows, owners, starts = self.layout(width)
        entry_count = len(starts) - 1
        entry, offset = self._anchor
        if entry < entry_count:
            top = starts[entry] + min(offset, max(0, starts[entry + 1] - starts[entry] - 1))
        else:
            top = len(rows)  # past the end: follow the bottom
        if self._reveal and self.selected is not None and self.options:
            option_entry = entry_count - len(self.options) + self.selected
            first, last = starts[option_entry], starts[option_entry + 1] - 1
            if first < top:
                top = first
            elif last >= top + height:
                top = last - height + 1
            self._reveal = False
        top = max(0, min(top, len(rows) - height))
        self.height, self.top, self.row_count = height, top, len(rows)
        self._owners = owners
        if top < len(owners):
            self._anchor = owners[top]

        def get_line(number: int) -> Row:
            return rows[number] if 0 <= number < len(rows) else []

        return UIContent(get_line=get_line, line_count=max(1, len(rows)),
                         cursor_position=Point(0, top), show_cursor=False)

    def is_focusable(self) -> bool:
        return False
