"""Between the story's places (1-based line, column in characters) and LSP's (0-based, UTF-16).

Also a diagnostic's range (from its position to the end of the word there),
its related locations (a duplicate's first definition, the ids a finding
names) and its fix (the loader's "did you mean 'x'?").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lsprotocol import types as lsp

from ..diagnostics import Diagnostic, Pos
from .index import Index, Occurrence, Symbol
from .kinds import ALL_SECTIONS, noun

SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
            "note": lsp.DiagnosticSeverity.Information}
SOURCE = "story check"
_WORD = re.compile(r"[A-Za-z0-9_.]+")
_QUOTED = re.compile(r"'([^'\s]+)'")
_SUGGESTION = re.compile(r"\(did you mean '([^']+)'\?\)")
_FIRST_AT = re.compile(r"first defined at (.+?):(\d+):(\d+)\)")
_FIRST_LINE = re.compile(r"\(first (?:defined )?at line (\d+)\)")
MAX_RELATED = 6

LineOf = Callable[[str, int], str]  # (display path, 1-based line) -> the line's text


def utf16(line: str, chars: int) -> int:
    """A column in characters as LSP counts it (UTF-16 code units)."""
    prefix = line[:chars]
    return chars + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


def chars(line: str, units: int) -> int:
    """A column in UTF-16 code units (LSP) as characters."""
    count = 0
    for index, ch in enumerate(line):
        if count >= units:
            return index
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def position(line_of: LineOf, path: str, line: int, col: int) -> lsp.Position:
    """1-based line and column (characters) -> an LSP position."""
    if line <= 0:
        return lsp.Position(0, 0)
    return lsp.Position(line - 1, utf16(line_of(path, line), max(col - 1, 0)))


def span(line_of: LineOf, path: str, line: int, col: int, length: int) -> lsp.Range:
    text = line_of(path, line)
    start = max(col - 1, 0)
    return lsp.Range(lsp.Position(max(line - 1, 0), utf16(text, start)),
                     lsp.Position(max(line - 1, 0), utf16(text, start + length)))


def occurrence_range(line_of: LineOf, occurrence: Occurrence) -> lsp.Range:
    return span(line_of, occurrence.path, occurrence.line, occurrence.col, occurrence.length)


def word_length(text: str, start: int) -> int:
    """How long the word (or quoted text) at a column is: what a diagnostic there underlines."""
    if start >= len(text):
        return 0
    if text[start] in "'\"":
        end = text.find(text[start], start + 1)
        return (end + 1 - start) if end > start else len(text) - start
    match = _WORD.match(text, start)
    if match:
        return len(match.group())
    return len(text.rstrip()) - start if text[start:].strip() else 1


def diagnostic_range(line_of: LineOf, diagnostic: Diagnostic) -> lsp.Range:
    pos = diagnostic.pos
    if not pos.line:  # a problem with the whole file (or folder): its first line
        return lsp.Range(lsp.Position(0, 0), lsp.Position(0, len(line_of(pos.path, 1))))
    text = line_of(pos.path, pos.line)
    return span(line_of, pos.path, pos.line, pos.col, word_length(text, pos.col - 1))


def suggestion(diagnostic: Diagnostic, line_of: LineOf) -> tuple[lsp.Range, str] | None:
    """The fix a did-you-mean diagnostic knows: what to replace, and with what.

    The word replaced is the one the message quotes that is written where the
    diagnostic points; when the suggestion is the first part of a dotted name
    (`clu.x`: did you mean 'clue'?), only that part is replaced.
    """
    found = _SUGGESTION.search(diagnostic.message)
    pos = diagnostic.pos
    if found is None or not pos.line:
        return None
    better = found.group(1)
    text = line_of(pos.path, pos.line)
    start = pos.col - 1
    for wrong in _QUOTED.findall(diagnostic.message[:found.start()]):
        if not text.startswith(wrong, start):
            continue
        if "." in wrong and "." not in better:
            wrong = wrong.split(".", 1)[0]
        return span(line_of, pos.path, pos.line, pos.col, len(wrong)), better
    return None


def related(diagnostic: Diagnostic, index: Index, line_of: LineOf, uri_of: Callable[[str], str]
            ) -> list[lsp.DiagnosticRelatedInformation]:
    """Places a finding refers to: a first definition, and the declaration of every id it quotes."""
    result: list[lsp.DiagnosticRelatedInformation] = []
    seen: set[tuple[str, int, int]] = set()

    def add(path: str, line: int, col: int, length: int, message: str) -> None:
        if (path, line, col) in seen or (path, line, col) == tuple(diagnostic.pos) or len(result) >= MAX_RELATED:
            return
        seen.add((path, line, col))
        result.append(lsp.DiagnosticRelatedInformation(
            lsp.Location(uri_of(path), span(line_of, path, line, col, length)), message))

    first = _FIRST_AT.search(diagnostic.message)
    if first:
        add(first.group(1), int(first.group(2)), int(first.group(3)), 1, "first defined here")
    first_line = _FIRST_LINE.search(diagnostic.message)
    if first_line:
        add(diagnostic.pos.path, int(first_line.group(1)), 1, 0, "first here")
    for name in _QUOTED.findall(_SUGGESTION.sub("", diagnostic.message)):
        for section in ALL_SECTIONS:
            declared = index.definition(Symbol(section, name))
            if declared is not None:
                add(declared.path, declared.line, declared.col, declared.length,
                    f"{noun(section)} '{name}' is declared here")
    return result


def to_lsp(diagnostic: Diagnostic, index: Index, line_of: LineOf, uri_of: Callable[[str], str]) -> lsp.Diagnostic:
    fix = suggestion(diagnostic, line_of)
    return lsp.Diagnostic(
        range=diagnostic_range(line_of, diagnostic),
        message=diagnostic.message,
        severity=SEVERITY.get(diagnostic.severity, lsp.DiagnosticSeverity.Information),
        code=diagnostic.code or None,
        source=SOURCE,
        related_information=related(diagnostic, index, line_of, uri_of) or None,
        data={"fix": fix[1]} if fix else None,
    )


__all__ = ["Pos", "chars", "diagnostic_range", "position", "span", "suggestion", "to_lsp", "utf16"]
