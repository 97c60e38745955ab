"""Completion: ids by context (a goto's scenes, a condition's clue.ID, an effect's keys ...).

Each item carries its kind (scene, clue, ...) and title in its detail and
replaces exactly the part of the id typed so far (`Completions.replace`: the
server sends it once as the list's default edit range where the editor
supports that, else on every item). The items of each section are built
once per load of the story and reused while the writer types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lsprotocol import types as lsp

from ..loader import fields
from ..yamlsrc import YMap
from .contexts import Context, context
from .index import Index, Symbol
from .kinds import CHOICES, WORDS, namespaces, noun, title_of
from .yamlpath import place

MAX_ITEMS = 5000  # beyond this a list is cut (is_incomplete): the editor asks again as the writer types

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


@dataclass
class Completions:
    items: list[lsp.CompletionItem] = field(default_factory=list)
    replace: lsp.Range | None = None  # what each item replaces (the part typed so far)
    incomplete: bool = False


_CACHE: dict[tuple, list[lsp.CompletionItem]] = {}  # (id(index), generation, section, scene) -> items


def complete(index: Index, lines: list[str], row: int, col: int, manifest: bool, story_format: int) -> Completions:
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
    return Completions()


def with_edits(completions: Completions) -> list[lsp.CompletionItem]:
    """The items, each with its own text edit (for editors without a list's default edit range)."""
    result = []
    for item in completions.items:
        text = item.text_edit_text or item.label
        result.append(lsp.CompletionItem(label=item.label, kind=item.kind, detail=item.detail,
                                         filter_text=item.filter_text, text_edit=lsp.TextEdit(completions.replace,
                                                                                              text)))
    return result


def _scene_of(path: tuple[str, ...]) -> str | None:
    return path[1] if len(path) >= 2 and path[0] == "scenes" else None


def _open_braces(before: str) -> str | None:
    """The expression typed so far in an unclosed `{` (inline text), or None if not in one."""
    starts: list[int] = []
    index = 0
    while index < len(before):
        ch = before[index]
        if ch == "\\":
            index += 2
            continue
        if ch == "{":
            starts.append(index)
        elif ch == "}" and starts:
            starts.pop()
        index += 1
    if not starts:
        return None
    inner = before[starts[-1] + 1:]
    if inner[:1] in ("&", "!", "~"):
        return None  # alternatives: text, not names
    inner = inner.removeprefix("#")
    if ":" in inner or "|" in inner:
        return None  # past the condition: this is text
    return inner


def _range(row: int, col: int, typed: str) -> lsp.Range:
    return lsp.Range(lsp.Position(row, col - len(typed)), lsp.Position(row, col))


def _one_line(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _item(index: Index, symbol: Symbol, label: str) -> lsp.CompletionItem:
    data = index.data(symbol)
    title = title_of(data) if data is not None else ""
    if symbol.section == CHOICES and isinstance(data, YMap):
        title = title_of({"title": data.get("text")})
    detail = f"{noun(symbol.section)} · {title}" if title else noun(symbol.section)
    return lsp.CompletionItem(label=label, kind=ITEM_KIND.get(symbol.section, DEFAULT_KIND),
                              detail=_one_line(detail))


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


def _section_items(index: Index, section: str, scene: str | None = None) -> list[lsp.CompletionItem]:
    key = (id(index), index.generation, section, scene)
    items = _CACHE.get(key)
    if items is None:
        if len(_CACHE) > 64:
            _CACHE.clear()
        items = [_item(index, symbol, label) for symbol, label in _ids(index, section, scene)]
        _CACHE[key] = items
    return items


def _collect(groups: list[list[lsp.CompletionItem]], replace: lsp.Range) -> Completions:
    items: list[lsp.CompletionItem] = []
    for group in groups:
        items.extend(group)
    return Completions(items[:MAX_ITEMS], replace, len(items) > MAX_ITEMS)


def _id_items(index: Index, found: Context, typed: str, row: int, col: int) -> Completions:
    groups = [_section_items(index, section, found.scene if section == CHOICES else None)
              for section in found.sections]
    return _collect(groups, _range(row, col, typed))


def _condition_items(index: Index, written: str, row: int, col: int, scene: str | None) -> Completions:
    """In a condition: ids after `clue.` and the like; otherwise the namespaces and words."""
    typed = ""
    for ch in reversed(written):
        if not (ch.isalnum() or ch in "_."):
            break
        typed = ch + typed
    spaces = namespaces(index.names, index.declarations)
    kind, dot, rest = typed.partition(".")
    if dot and kind in spaces:
        if kind == "taken":  # taken.CHOICE (this scene's) or taken.SCENE.CHOICE
            groups = ([_section_items(index, CHOICES, scene)] if scene else []) + [_section_items(index, CHOICES)]
        else:
            groups = [_section_items(index, section) for section in spaces[kind]]
        return _collect(groups, _range(row, col, rest))
    items = [lsp.CompletionItem(label=f"{name}.", kind=lsp.CompletionItemKind.Module,
                                detail=f"{', '.join(noun(s) for s in sections)} ids")
             for name, sections in sorted(spaces.items())]
    items.extend(lsp.CompletionItem(label=word, kind=lsp.CompletionItemKind.Keyword) for word in WORDS)
    return Completions(items, _range(row, col, typed))


def _key_items(found: Context, typed: str, row: int, col: int) -> Completions:
    effects = set(fields.EFFECT_KINDS)
    items = [lsp.CompletionItem(label=key, kind=lsp.CompletionItemKind.Property,
                                detail="effect" if key in effects else "field", text_edit_text=f"{key}: ")
             for key in found.keys]
    return Completions(items, _range(row, col, typed))
