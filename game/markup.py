"""Inline text: the small markup inside a story's prose, parsed once at load time.

    {stat.trust}                     a number: any number expression of the condition language
    {#stat.clues clue|clues}         a number and the word that agrees with it: "1 clue", "2 clues"
    {#stat.clues no clues|clue|clues}    ... with a form for zero: "no clues"
    {name.office}  {protagonist}     names the story declares (fixed at load time)
    {snippet.ID}                     a snippet of text defined once in `snippets:`
    {clue.knife: You keep the knife.|You left the knife.}   a condition, then | otherwise (optional)
    {first|second|third}             a sequence: one per showing, then stays on the last
    {&first|second}                  a cycle          {!first|second}   once-only (then nothing)
    {~first|second|third}            a shuffle, seeded: each round shows every option once

Braces that are not markup are written ``\\{`` and ``\\}``; ``\\|`` and ``\\:``
give a plain bar or colon inside braces, ``\\\\`` a backslash. Every other
character is text.

The syntax is ink's (``{x: a|b}``, ``{&a|b}``, ``{~a|b}``, ``{!a|b}``),
hand-parsed like the conditions so that errors point at the exact column
(MarkupError carries the offset in the text; the loader turns it into
file:line:col). Conditions and numbers are handed to game.conditions, so
they are checked against the story's names and their references are plain
Refs that the analyses already read. Names and snippets are resolved here:
what the engine draws (game.prose) is a tree of text, numbers, conditions,
alternatives and plurals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .conditions import BOOL, NUM, Condition
from .diagnostics import Pos, did_you_mean
from .errors import ConditionError

MAX_DEPTH = 20  # braces (and snippets) nested deeper than this are an error
# Characters one text may grow to once its snippets are put in: snippets that use
# snippets twice over would otherwise double at every level (a "billion laughs").
MAX_EXPANDED = 100_000
MAX_STORY_EXPANDED = 8_000_000  # ... and all the texts of a story together
ALTERNATIVES = {"&": "cycle", "!": "once", "~": "shuffle"}
ESCAPABLE = "{}|:\\"


class MarkupError(Exception):
    """A problem in inline text: a message and the offset into the text (or into a snippet)."""

    def __init__(self, message: str, offset: int, snippet: str | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.snippet = snippet  # the snippet whose text holds the problem, None for the text itself


# --- the tree -------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """{stat.x}: the value of a number expression."""

    expr: Condition


@dataclass(frozen=True)
class Plural:
    """{#stat.x clue|clues}: the number and the form that agrees with it."""

    expr: Condition
    forms: tuple[Seq, ...]  # (one, many) or (zero, one, many); zero replaces the number


@dataclass(frozen=True)
class When:
    """{cond: then|otherwise}."""

    condition: Condition
    then: Seq
    otherwise: Seq = ()
    # Where its '{' is written (in a snippet: where the text puts the snippet in), for
    # check's dead-text warnings; None when the loader did not say.
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Alternatives:
    """{a|b}, {&a|b}, {!a|b}, {~a|b}: one option per showing."""

    kind: str  # sequence | cycle | once | shuffle
    options: tuple[Seq, ...]
    index: int  # its number within the text, so that two shuffles in one text differ


Piece = str | Number | Plural | When | Alternatives
Seq = tuple[Piece, ...]


@dataclass(frozen=True)
class Text:
    """A text as written (``source``) and as parsed (``parts``)."""

    source: str
    parts: Seq
    lines: bool = False  # keep the writer's line breaks (a `lines:` paragraph)
    conditions: tuple[Condition, ...] = field(default=(), compare=False)  # every condition and number inside

    @property
    def plain(self) -> bool:
        return all(isinstance(part, str) for part in self.parts)

    @property
    def varies(self) -> bool:
        """Whether it holds alternatives (so the count of showings matters)."""
        return any(isinstance(p, Alternatives) for p in walk(self.parts))


def literal(source: str, lines: bool = False) -> Text:
    """A text with no markup (format 1 stories, titles)."""
    return Text(source, (source,) if source else (), lines)


def walk(seq: Seq) -> Iterator[Piece]:
    """Every piece, nested ones too, in order."""
    for piece in seq:
        yield piece
        if isinstance(piece, When):
            yield from walk(piece.then)
            yield from walk(piece.otherwise)
        elif isinstance(piece, (Alternatives, Plural)):
            for option in (piece.options if isinstance(piece, Alternatives) else piece.forms):
                yield from walk(option)


# --- parsing ---------------------------------------------------------------


@dataclass
class Names:
    """What inline text may name, from the story: given to parse()."""

    # source, want (BOOL or NUM), here -> a parsed condition (raises ConditionError)
    condition: Callable[[str, str], Condition]
    names: dict[str, str] = field(default_factory=dict)  # name.ID / protagonist -> the text
    snippets: dict[str, str] = field(default_factory=dict)  # id -> source
    # What is left of the story's allowance of snippet text (shared by every text of one load).
    allowance: list[int] = field(default_factory=lambda: [MAX_STORY_EXPANDED])
    # Told of every expression and name in braces of the text itself (offset, what is written),
    # not of those inside snippets it puts in: the language server's index of references.
    seen: Callable[[int, str], None] | None = None
    # An offset into the text itself -> where it is in its file (for When.pos).
    locate: Callable[[int], Pos] | None = None


def parse(source: str, names: Names, lines: bool = False) -> Text:
    """Parse inline text; raise MarkupError with the offset of the problem."""
    if "{" not in source and "}" not in source and "\\" not in source:
        return literal(source, lines)  # the common case, and the fast one
    parser = _Parser(names)
    parts = parser.parse(source, None)
    return Text(source, parts, lines, tuple(parser.conditions))


class _Parser:
    def __init__(self, names: Names):
        self.names = names
        self.alternatives = 0
        self.conditions: list[Condition] = []
        self.snippets: list[str] = []  # the snippets being expanded, for loops
        self.expanded = 0  # characters of snippet text put in so far
        self.used_at = 0  # offset in the text itself of the outermost snippet being put in

    def parse(self, source: str, snippet: str | None) -> Seq:
        try:
            seq, end = self.sequence(source, 0, 0, stop="")
        except MarkupError as exc:
            if exc.snippet is None:
                exc.snippet = snippet
            raise
        assert end == len(source)
        return seq

    def sequence(self, src: str, pos: int, depth: int, stop: str) -> tuple[Seq, int]:
        """Pieces from pos up to an unescaped character in stop (at this level) or the end."""
        pieces: list[Piece] = []
        text: list[str] = []
        while pos < len(src):
            ch = src[pos]
            if ch == "\\" and pos + 1 < len(src) and src[pos + 1] in ESCAPABLE:
                text.append(src[pos + 1])
                pos += 2
            elif ch in stop:
                break
            elif ch == "{":
                if text:
                    pieces.append("".join(text))
                    text = []
                piece, pos = self.braces(src, pos, depth + 1)
                if isinstance(piece, tuple):
                    pieces.extend(piece)
                else:
                    pieces.append(piece)
            elif ch == "}":
                raise MarkupError("'}' without a '{' before it; write \\} for a plain brace", pos)
            else:
                text.append(ch)
                pos += 1
        if text:
            pieces.append("".join(text))
        return tuple(pieces), pos

    def braces(self, src: str, start: int, depth: int) -> tuple[Piece | Seq, int]:
        if depth > MAX_DEPTH:
            raise MarkupError(f"braces nested more than {MAX_DEPTH} deep", start)
        pos = start + 1
        mark = src[pos] if pos < len(src) else ""
        if mark in ALTERNATIVES:
            options, end = self.options(src, pos + 1, depth, start)
            return self.alternative(ALTERNATIVES[mark], options), end
        if mark == "#":
            return self.plural(src, pos + 1, depth, start)
        # Without a mark: a condition (a ':' at this level), a sequence (a '|'), or a value.
        colon, bar, close = self.scan(src, pos, start)
        if colon is not None and (bar is None or colon < bar):
            condition = self.expression(src[pos:colon], pos, want=BOOL)
            # The text after the colon is kept as written, spaces too: prose folds
            # runs of spaces into one, so `{clue.x: a knife}` reads as it looks.
            options, end = self.options(src, colon + 1, depth, start)
            if len(options) > 2:
                raise MarkupError("a condition in braces takes one '|': {condition: text|otherwise}", bar or start)
            where = None
            if self.names.locate is not None:
                where = self.names.locate(self.used_at if self.snippets else start)
            return When(condition, options[0], options[1] if len(options) > 1 else (), where), end
        if bar is not None:
            options, end = self.options(src, pos, depth, start)
            return self.alternative("sequence", options), end
        return self.value(src[pos:close], pos), close + 1

    def scan(self, src: str, pos: int, start: int) -> tuple[int | None, int | None, int]:
        """The first ':' and '|' at this level, and the closing '}'."""
        colon = bar = None
        level = 0
        while pos < len(src):
            ch = src[pos]
            if ch == "\\" and pos + 1 < len(src) and src[pos + 1] in ESCAPABLE:
                pos += 2
                continue
            if ch == "{":
                level += 1
            elif ch == "}":
                if level == 0:
                    return colon, bar, pos
                level -= 1
            elif level == 0 and ch == ":" and colon is None:
                colon = pos
            elif level == 0 and ch == "|" and bar is None:
                bar = pos
            pos += 1
        raise MarkupError("'{' is never closed; write \\{ for a plain brace", start)

    def options(self, src: str, pos: int, depth: int, start: int) -> tuple[list[Seq], int]:
        """Options separated by '|' up to the closing '}'; returns them and the position after it."""
        options: list[Seq] = []
        while True:
            seq, pos = self.sequence(src, pos, depth, stop="|}")
            options.append(seq)
            if pos >= len(src):
                raise MarkupError("'{' is never closed; write \\{ for a plain brace", start)
            if src[pos] == "}":
                return options, pos + 1
            pos += 1  # past '|'

    def alternative(self, kind: str, options: list[Seq]) -> Alternatives:
        self.alternatives += 1
        return Alternatives(kind, tuple(options), self.alternatives)

    def plural(self, src: str, pos: int, depth: int, start: int) -> tuple[Plural, int]:
        end = pos
        while end < len(src) and not src[end].isspace() and src[end] not in "|}":
            end += 1
        if end == pos:
            raise MarkupError("'{#' needs a number and its forms: {#stat.clues clue|clues}", pos)
        expr = self.expression(src[pos:end], pos, want=NUM)
        while end < len(src) and src[end] == " ":
            end += 1
        forms, after = self.options(src, end, depth, start)
        if len(forms) not in (2, 3):
            raise MarkupError("a plural takes two forms (one|many) or three (zero|one|many), "
                              "e.g. {#stat.clues clue|clues}", end)
        return Plural(expr, tuple(forms)), after

    def value(self, inner: str, pos: int) -> Piece | Seq:
        name = inner.strip()
        if not name:
            raise MarkupError("empty braces; write \\{\\} for plain braces", pos - 1)
        offset = pos + len(inner) - len(inner.lstrip())
        if self.names.seen is not None and not self.snippets and name.startswith(("snippet.", "name.")):
            self.names.seen(offset, name)  # (an expression is told in expression())
        if name.startswith("snippet."):
            if not self.snippets:
                self.used_at = pos - 1
            return self.snippet(name[len("snippet."):], offset)
        if name in self.names.names:
            return self.names.names[name]
        if name.startswith("name.") or name == "protagonist":
            known = sorted(k for k in self.names.names if k.startswith("name."))
            hint = did_you_mean(name, known)
            what = "the story declares no protagonist (story: protagonist:)" if name == "protagonist" else \
                f"unknown name '{name[len('name.'):]}'{hint}"
            raise MarkupError(what, offset)
        return Number(self.expression(inner, pos, want=NUM))

    def snippet(self, ident: str, offset: int) -> Seq:
        source = self.names.snippets.get(ident)
        if source is None:
            raise MarkupError(f"unknown snippet '{ident}'{did_you_mean(ident, self.names.snippets)}", offset)
        if ident in self.snippets:
            loop = " -> ".join([*self.snippets[self.snippets.index(ident):], ident])
            raise MarkupError(f"snippets use each other in a loop: {loop}", offset)
        if len(self.snippets) >= MAX_DEPTH:
            chain = " -> ".join([*self.snippets, ident])  # the error sits in the innermost: say whose chain it is
            raise MarkupError(f"snippets nested more than {MAX_DEPTH} deep: {chain}", offset)
        self.expanded += len(source)
        self.names.allowance[0] -= len(source)
        if self.names.allowance[0] < 0:
            raise MarkupError(f"the story's texts grow past {MAX_STORY_EXPANDED:,} characters with their "
                              "snippets", offset)
        if self.expanded > MAX_EXPANDED:
            raise MarkupError(f"the text grows past {MAX_EXPANDED:,} characters with its snippets "
                              "(snippets that use snippets several times over?)", offset)
        self.snippets.append(ident)
        try:
            return self.parse(source, ident)
        finally:
            self.snippets.pop()

    def expression(self, source: str, offset: int, want: str) -> Condition:
        if self.names.seen is not None and not self.snippets:
            self.names.seen(offset, source)
        try:
            condition = self.names.condition(source, want)
        except ConditionError as exc:
            hint = ""
            if want != NUM and ("unknown name" in exc.message or "unexpected" in exc.message):
                hint = " (a ':' in braces follows a condition; write \\: for a plain colon)"
            raise MarkupError(f"condition: {exc.message}{hint}", offset + exc.column) from None
        self.conditions.append(condition)
        return condition
