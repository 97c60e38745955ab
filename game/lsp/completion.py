"""Completion: ids by context (a goto's scenes, a condition's clue.ID, an effect's keys ...).

Each item carries its kind (scene, clue, ...) and title in its detail and
replaces exactly the part of the id typed so far.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from ..loader import fields
from ..yamlsrc import YMap
from .contexts import Context, context
from .index import Index, Symbol
from .kinds import CHOICES, WORDS, namespaces, noun, title_of
from .yamlpath import place

MAX_ITEMS = 2000  # a huge story's ids: clients filter as the writer types

ITEM_KIND = {
    "scenes": lsp.CompletionItemKind.Class,
    "choices": lsp.CompletionItemKind.Method,
    "clues": lsp.CompletionItemKind.Constant,
    "flags": lsp.CompletionItemKind.Variable,
    "stats": lsp.CompletionItemKind.Value,
    "endings": lsp.CompletionItemKind.Event,
    "areas": lsp.CompletionItemKind.Folder,
    "deductions": lsp.CompletionItemKind.Function,
    "snippets": lsp.CompletionItemKind.Snippet,
    "shared_choices": lsp.CompletionItemKind.Method,
}
DEFAULT_KIND = lsp.CompletionItemKind.Reference


def complete(index: Index, lines: list[str], row: int, col: int, manifest: bool, story_format: int
             ) -> list[lsp.CompletionItem]:
    """What may be written at a place (0-based row, column in characters)."""
    where = place(lines, row, col)
    found = context(where, manifest)
    before = where.line[:col]
    if found.what != "condition" and story_format >= 2 and where.key is not None:
        braces = _open_braces(before)
        if braces is not None:
            return _condition_items(index, braces, row, col, found.scene or _scene_of(where.path))
    if found.what == "ids":
        return _id_items(index, found, where.typed, row, col)
    if found.what == "condition":
        return _condition_items(index, where.value, row, col, found.scene)
    if found.what == "keys":
        return _key_items(found, where.typed, row, col)
    return []


def _scene_of(path: tuple[str, ...]) -> str | None:
    return path[1] if len(path) >= 2 and path[0] == "scenes" else None


def _open_braces(before: str) -> str | None:
    """The expression typed so far in an unclosed `{` (inline text), or None if not in one."""
    depth_start: list[int] = []
    index = 0
    while index < len(before):
        ch = before[index]
        if ch == "\\":
            index += 2
            continue
        if ch == "{":
            depth_start.append(index)
        elif ch == "}" and depth_start:
            depth_start.pop()
        index += 1
    if not depth_start:
        return None
    inner = before[depth_start[-1] + 1:]
    if inner[:1] in ("&", "!", "~"):
        return None  # alternatives: text, not names
    inner = inner.removeprefix("#")
    if ":" in inner or "|" in inner:
        return None  # past the condition: this is text
    return inner


def _replace(row: int, col: int, typed: str) -> lsp.Range:
    return lsp.Range(lsp.Position(row, col - len(typed)), lsp.Position(row, col))


def _item(index: Index, symbol: Symbol, label: str, row: int, col: int, typed: str) -> lsp.CompletionItem:
    data = index.data(symbol)
    title = title_of(data) if data is not None else ""
    if symbol.section == CHOICES and isinstance(data, YMap):
        title = title_of({"title": data.get("text")})
    detail = f"{noun(symbol.section)} · {title}" if title else noun(symbol.section)
    return lsp.CompletionItem(
        label=label,
        kind=ITEM_KIND.get(symbol.section, DEFAULT_KIND),
        detail=_one_line(detail),
        text_edit=lsp.TextEdit(_replace(row, col, typed), label),
        filter_text=label,
    )


def _one_line(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _ids(index: Index, section: str, scene: str | None = None) -> list[tuple[Symbol, str]]:
    """(symbol, label) for each id of a section; choices as SCENE.CHOICE (or of one scene)."""
    if section == CHOICES:
        result = []
        for symbol in index.defined:
            if symbol.section != CHOICES:
                continue
            owner, _, choice = symbol.name.rpartition(".")
            if scene is None:
                result.append((symbol, symbol.name))
            elif owner == scene:
                result.append((symbol, choice))
        return result
    return [(Symbol(section, ident), ident) for ident in index.declarations.get(section, {})]


def _id_items(index: Index, found: Context, typed: str, row: int, col: int) -> list[lsp.CompletionItem]:
    items = []
    for section in found.sections:
        choices_of = found.scene if section == CHOICES else None
        for symbol, label in _ids(index, section, choices_of):
            items.append(_item(index, symbol, label, row, col, typed))
            if len(items) >= MAX_ITEMS:
                return items
    return items


def _condition_items(index: Index, written: str, row: int, col: int, scene: str | None
                     ) -> list[lsp.CompletionItem]:
    """In a condition: ids after `clue.` and the like; otherwise the namespaces and words."""
    typed = ""
    for ch in reversed(written):
        if not (ch.isalnum() or ch in "_."):
            break
        typed = ch + typed
    spaces = namespaces(index.names, index.declarations)
    kind, dot, rest = typed.partition(".")
    if dot and kind in spaces:
        items = []
        for section in spaces[kind]:
            if kind == "taken":  # taken.CHOICE (this scene's) or taken.SCENE.CHOICE
                pairs = (_ids(index, CHOICES, scene) if scene else []) + _ids(index, CHOICES)
            else:
                pairs = _ids(index, section)
            for symbol, label in pairs:
                items.append(_item(index, symbol, label, row, col, rest))
                if len(items) >= MAX_ITEMS:
                    return items
        return items
    items = [lsp.CompletionItem(label=f"{name}.", kind=lsp.CompletionItemKind.Module,
                                detail=f"{', '.join(noun(s) for s in sections)} ids",
                                text_edit=lsp.TextEdit(_replace(row, col, typed), f"{name}."))
             for name, sections in sorted(spaces.items())]
    items.extend(lsp.CompletionItem(label=word, kind=lsp.CompletionItemKind.Keyword,
                                    text_edit=lsp.TextEdit(_replace(row, col, typed), word))
                 for word in WORDS)
    return items


def _key_items(found: Context, typed: str, row: int, col: int) -> list[lsp.CompletionItem]:
    kind = lsp.CompletionItemKind.Property
    effects = set(fields.EFFECT_KINDS)
    return [lsp.CompletionItem(label=key, kind=kind, detail="effect" if key in effects else "field",
                               text_edit=lsp.TextEdit(_replace(row, col, typed), f"{key}: "))
            for key in found.keys]
