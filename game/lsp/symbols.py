"""Document symbols (a file's outline: its sections, their entries, each scene's choices) and
workspace symbols (any id or title in the story, by name)."""

from __future__ import annotations

from lsprotocol import types as lsp

from ..loader import fields
from ..yamlsrc import YList, YMap
from .convert import LineOf, span
from .index import Index, Symbol
from .kinds import CHOICES, noun, title_of

SYMBOL_KIND = {
    "scenes": lsp.SymbolKind.Class,
    CHOICES: lsp.SymbolKind.Method,
    "clues": lsp.SymbolKind.Constant,
    "flags": lsp.SymbolKind.Boolean,
    "stats": lsp.SymbolKind.Number,
    "endings": lsp.SymbolKind.Event,
    "areas": lsp.SymbolKind.Package,
    "deductions": lsp.SymbolKind.Function,
    "snippets": lsp.SymbolKind.String,
    "shared_choices": lsp.SymbolKind.Method,
}
DEFAULT_KIND = lsp.SymbolKind.Object
MAX_WORKSPACE = 500


def _last_line(lines: list[str], start: int, before: int) -> int:
    """The last line (1-based) with content from start up to (not including) line `before`."""
    last = start
    for number in range(start, min(before, len(lines) + 1)):
        if lines[number - 1].strip() and not lines[number - 1].lstrip().startswith("#"):
            last = number
    return last


def _range(lines: list[str], start: int, before: int) -> lsp.Range:
    end = _last_line(lines, start, before)
    return lsp.Range(lsp.Position(start - 1, 0), lsp.Position(end - 1, len(lines[end - 1]) if lines else 0))


def document_symbols(data: object, lines: list[str], path: str, line_of: LineOf) -> list[lsp.DocumentSymbol]:
    if not isinstance(data, YMap):
        return []
    result = []
    tops = sorted(((data.kpos(k).line, k) for k in data), key=lambda t: t[0])
    for number, (line, key) in enumerate(tops):
        before = tops[number + 1][0] if number + 1 < len(tops) else len(lines) + 1
        value = data[key]
        children = []
        if key in fields.SECTIONS and isinstance(value, YMap):
            children = _entries(key, value, lines, path, line_of, before)
        pos = data.kpos(key)
        result.append(lsp.DocumentSymbol(
            name=str(key), kind=lsp.SymbolKind.Namespace, range=_range(lines, line, before),
            selection_range=span(line_of, path, pos.line, pos.col, len(str(key))), children=children or None,
            detail=f"{len(value)}" if isinstance(value, (YMap, YList)) else None))
    return result


def _entries(section: str, entries: YMap, lines: list[str], path: str, line_of: LineOf, end: int
             ) -> list[lsp.DocumentSymbol]:
    keys = sorted(((entries.kpos(k).line, k) for k in entries), key=lambda t: t[0])
    result = []
    for number, (line, ident) in enumerate(keys):
        before = keys[number + 1][0] if number + 1 < len(keys) else end
        body = entries[ident]
        pos = entries.kpos(ident)
        children = _choices(body, lines, path, line_of, before) if section == "scenes" else []
        title = title_of(body)
        result.append(lsp.DocumentSymbol(
            name=str(ident), kind=SYMBOL_KIND.get(section, DEFAULT_KIND), range=_range(lines, line, before),
            selection_range=span(line_of, path, pos.line, pos.col, len(str(ident))),
            detail=_short(title) or noun(section), children=children or None))
    return result


def _choices(body: object, lines: list[str], path: str, line_of: LineOf, end: int) -> list[lsp.DocumentSymbol]:
    raw = body.get("choices") if isinstance(body, YMap) else None
    if not isinstance(raw, YList):
        return []
    result = []
    starts = [raw.ipos(i).line for i in range(len(raw))]
    for number, item in enumerate(raw):
        if not isinstance(item, YMap) or not isinstance(item.get("id"), str):
            continue
        before = starts[number + 1] if number + 1 < len(starts) else end
        where = item.vpos("id")
        result.append(lsp.DocumentSymbol(
            name=item["id"], kind=SYMBOL_KIND[CHOICES], range=_range(lines, starts[number], before),
            selection_range=span(line_of, path, where.line, where.col, len(item["id"])),
            detail=_short(item.get("text") if isinstance(item.get("text"), str) else "")))
    return result


def _short(text: str, limit: int = 60) -> str:
    words = " ".join(str(text).split())
    return words if len(words) <= limit else words[:limit - 1] + "…"


def workspace_symbols(index: Index, query: str, line_of: LineOf, uri_of) -> list[lsp.WorkspaceSymbol]:
    """Ids (and titles) that hold the query's letters in order, best matches first."""
    wanted = query.lower().replace(" ", "")
    found = []
    for symbol, where in index.defined.items():
        data = index.data(symbol)
        title = title_of(data) if data is not None and symbol.section != CHOICES else ""
        score = _score(wanted, symbol.name.lower(), title.lower())
        if score is None:
            continue
        found.append((score, symbol, where, title))
    found.sort(key=lambda t: (t[0], t[1].section != "scenes", t[1].name))
    return [lsp.WorkspaceSymbol(
        name=symbol.name, kind=SYMBOL_KIND.get(symbol.section, DEFAULT_KIND),
        location=lsp.Location(uri_of(where.path), span(line_of, where.path, where.line, where.col, where.length)),
        container_name=f"{noun(symbol.section)}" + (f" · {_short(title, 40)}" if title else ""))
        for _, symbol, where, title in found[:MAX_WORKSPACE]]


def _score(wanted: str, name: str, title: str) -> int | None:
    """0: the name starts with the query, 1: holds it, 2: the title holds it, 3: letters in order."""
    if not wanted or name.startswith(wanted):
        return 0
    if wanted in name:
        return 1
    if wanted in title.replace(" ", ""):
        return 2
    letters = iter(name)
    return 3 if all(ch in letters for ch in wanted) else None


__all__ = ["Symbol", "document_symbols", "workspace_symbols"]
