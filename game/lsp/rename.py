"""Rename an id everywhere: its declaration, every reference (conditions and text included), and,
for scenes and choices, the manifest's `renames:` so that old saves keep loading (docs/SAVES.md).

A save holds the log of choices taken (scene and choice ids); everything
else (clues, flags, stats) is replayed from it, so only scene and choice
renames need an entry (and deductions: one made at a case board is logged
as `deduce:ID`; and questions: an answer is logged as `answer:Q:slot=value`).
What an answer puts in its blanks is logged too, and `renames:` cannot follow
it: people, places and things are not renamed, nor a clue that a question's
blank can hold. Ids of sections this module does not know are not renamed
at all: a new kind of id may be in saves too. The entries are added to the manifest as YAML text,
in the style the manifest already uses (block or flow), so the writer's
file keeps its shape and comments.

Two renames reach further than one id. An area that scenes take from their
ids (`office.desk` is in area `office` unless it says otherwise) renames
those scenes too (`bureau.desk`), each with its `renames:` entry; a shared
choice is taken under its id in every scene it is offered in, so each of
those scenes gets a `renames: choices:` entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..loader import fields
from ..yamlsrc import YMap
from .index import Index, Symbol
from .kinds import CHOICES, noun


class RenameError(Exception):
    """Why an id cannot be renamed as asked (one line, shown by the editor)."""


@dataclass(frozen=True)
class Edit:
    """Replace [start, end) with text; lines 1-based, columns 1-based in characters."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclass(frozen=True)
class Manifest:
    path: str  # display path
    text: str
    data: YMap | None


# Ids a save does not record (it replays them from the log), and those renames: can follow.
FREE = ("areas", "clues", "flags", "stats", "endings", "snippets", "facts")  # facts (#16): never in a save
FOLLOWED = ("scenes", CHOICES, "shared_choices", "deductions", "questions")


def check_name(index: Index, symbol: Symbol, new: str) -> None:
    if symbol.section not in FREE + FOLLOWED:
        raise RenameError(f"renaming a {noun(symbol.section)} is not supported yet: a save may record its id, "
                          "and renames: cannot follow it")
    if symbol.section == "clues":
        question = _asks_for_clue(index, symbol.name)
        if question is not None:
            raise RenameError(f"clue '{symbol.name}' can be put in a blank of question '{question}', so a save's "
                              "answers may record its id, and renames: cannot follow it")
    if symbol.section == CHOICES:
        scene = symbol.name.rpartition(".")[0]
        if not fields.ID_RE.match(new):
            raise RenameError(f"'{new}' is not a choice id: use letters, digits and _")
        if index.definition(Symbol(CHOICES, f"{scene}.{new}")) is not None:
            raise RenameError(f"scene '{scene}' already has a choice '{new}'")
        return
    pattern = fields.SCENE_ID_RE if symbol.section == "scenes" else fields.ID_RE
    if not pattern.match(new):
        shape = "letters, digits and _ in dot-separated parts" if symbol.section == "scenes" else \
            "letters, digits and _"
        raise RenameError(f"'{new}' is not a {noun(symbol.section)} id: use {shape}")
    if new in index.declarations.get(symbol.section, {}):
        raise RenameError(f"there is already a {noun(symbol.section)} '{new}'")


def _asks_for_clue(index: Index, clue: str) -> str | None:
    """A question with a blank that can hold this clue (any clue, or this one among others), if any."""
    for question_id, decl in index.declarations.get("questions", {}).items():
        slots = getattr(decl, "data", None)
        slots = slots.get("slots") if isinstance(slots, dict) else None
        for spec in (slots or {}).values() if isinstance(slots, dict) else ():
            if isinstance(spec, dict) and spec.get("from") == "clues":
                among = spec.get("among")
                if not isinstance(among, list) or clue in among:
                    return question_id
    return None


def rename(index: Index, symbol: Symbol, new: str, manifest: Manifest | None) -> list[Edit]:
    """Every edit that renames symbol to new (for a choice: new is the choice's own id)."""
    check_name(index, symbol, new)
    if index.definition(symbol) is None:
        raise RenameError(f"{noun(symbol.section)} '{symbol.name}' is not declared; declare it before renaming it")
    edits: list[Edit] = []
    old_names: dict[str, Any] = {}  # what renames: gains, as nested mappings
    if symbol.section == "areas":
        for scene in _scenes_named_after(index, symbol.name):
            renamed = new + scene[len(symbol.name):]
            check_name(index, Symbol("scenes", renamed), renamed)
            edits += _everywhere(index, Symbol("scenes", scene), renamed)
            old_names.setdefault("scenes", {})[scene] = renamed
        edits += _everywhere(index, symbol, new, skip_implicit=True)
    else:
        edits += _everywhere(index, symbol, new)
    if symbol.section == "scenes":
        old_names.setdefault("scenes", {})[symbol.name] = new
    elif symbol.section == CHOICES:
        scene, _, old = symbol.name.rpartition(".")
        old_names.setdefault("choices", {}).setdefault(scene, {})[old] = new
    elif symbol.section == "shared_choices":
        for scene in _offered_in(index, symbol.name):
            old_names.setdefault("choices", {}).setdefault(scene, {})[symbol.name] = new
    elif symbol.section == "deductions":  # logged as deduce:ID where it was made
        old_names.setdefault("deductions", {})[symbol.name] = new
    elif symbol.section == "questions":  # logged as answer:ID:... (and in dialogue, by its answer: effect)
        old_names.setdefault("questions", {})[symbol.name] = new
    if old_names and manifest is not None:
        edits += _add_renames(manifest, old_names)
    unique = {(e.path, e.line, e.col): e for e in edits}
    return sorted(unique.values(), key=lambda e: (e.path, e.line, e.col))


def _everywhere(index: Index, symbol: Symbol, new: str, skip_implicit: bool = False) -> list[Edit]:
    text = new.rpartition(".")[2] if symbol.section == CHOICES else new
    places = [index.definition(symbol), *index.references(symbol)]
    return [Edit(o.path, o.line, o.col, o.line, o.col + o.length, text) for o in places
            if o is not None and not (skip_implicit and o.implicit)]


def _scenes_named_after(index: Index, area: str) -> list[str]:
    """The scenes that take this area from their ids (no area: of their own or of their file)."""
    implicit = {(o.path, o.line, o.col) for o in index.references(Symbol("areas", area)) if o.implicit}
    return sorted(ident for ident, decl in index.declarations.get("scenes", {}).items()
                  if (decl.pos.path, decl.pos.line, decl.pos.col) in implicit
                  or (decl.pos.path, decl.pos.line, decl.pos.col + 1) in implicit)


def _offered_in(index: Index, shared: str) -> list[str]:
    """The scenes a shared choice is offered in (the loader lists them for `taken.`)."""
    own = {o.symbol.name for o in index.defined.values() if o.symbol.section == CHOICES}
    names = index.names.get("taken", ())
    return sorted(name.rpartition(".")[0] for name in names
                  if name.rpartition(".")[2] == shared and name not in own)


# -- writing renames: into the manifest ---------------------------------------


def _add_renames(manifest: Manifest, wanted: dict[str, Any]) -> list[Edit]:
    renames = manifest.data.get("renames") if isinstance(manifest.data, YMap) else None
    for section in ("scenes", "deductions"):
        for new in (wanted.get(section) or {}).values():
            known = renames.get(section) if isinstance(renames, YMap) else None
            if isinstance(known, YMap) and new in known:
                raise RenameError(f"'{new}' is an old name in renames: {section}: of {manifest.path} (old saves "
                                  f"follow it to '{known[new]}'); remove that entry first")
    for scene, mapping in (wanted.get("choices") or {}).items():
        by_scene = renames.get("choices") if isinstance(renames, YMap) else None
        known = by_scene.get(scene) if isinstance(by_scene, YMap) else None
        for new in mapping.values():
            if isinstance(known, YMap) and new in known:
                raise RenameError(f"'{new}' is an old name in renames: choices: {scene}: of {manifest.path}; "
                                  "remove that entry first")
    lines = manifest.text.split("\n")
    root = manifest.data if isinstance(manifest.data, YMap) else None
    return _insert(manifest, lines, root, {"renames": wanted})


def _insert(manifest: Manifest, lines: list[str], node: YMap | None, wanted: dict[str, Any]) -> list[Edit]:
    """Edits that add wanted (nested mappings of text) into the mapping node (None: the file)."""
    edits: list[Edit] = []
    missing: dict[str, Any] = {}
    for key, value in wanted.items():
        present = node is not None and key in node
        child = node.get(key) if present else None
        if isinstance(value, dict) and isinstance(child, YMap):
            edits += _insert(manifest, lines, child, value)
        elif isinstance(value, dict) and present and child is None:  # `scenes:` and nothing under it
            where = node.kpos(key)
            if _is_flow(lines, node.pos):
                raise RenameError(f"{manifest.path}: give '{key}' a value before renaming (it is empty)")
            end = len(lines[where.line - 1]) + 1
            edits.append(Edit(manifest.path, where.line, end, where.line, end,
                              "\n" + _block(value, where.col - 1 + 2).rstrip("\n")))
        elif present:
            raise RenameError(f"{manifest.path}: '{key}' is already there and is not a mapping; fix it first")
        else:
            missing[key] = value
    if not missing:
        return edits
    if node is None or node is manifest.data:  # the file's top level: at its end
        end = len(lines)
        prefix = "" if not manifest.text or manifest.text.endswith("\n") else "\n"
        edits.append(Edit(manifest.path, end, len(lines[-1]) + 1, end, len(lines[-1]) + 1,
                          prefix + _block(missing, 0)))
    elif _is_flow(lines, node.pos):
        after = node.pos.col + 1  # just past '{'
        edits.append(Edit(manifest.path, node.pos.line, after, node.pos.line, after,
                          _flow(missing) + (", " if node else "")))
    else:
        first = min((node.kpos(k) for k in node), key=lambda p: (p.line, p.col))
        edits.append(Edit(manifest.path, first.line, 1, first.line, 1, _block(missing, first.col - 1)))
    return edits


def _is_flow(lines: list[str], pos) -> bool:
    line = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    return line[pos.col - 1:pos.col] == "{"


def _block(mapping: dict[str, Any], indent: int) -> str:
    text = ""
    for key, value in mapping.items():
        if isinstance(value, dict):
            text += " " * indent + f"{key}:\n" + _block(value, indent + 2)
        else:
            text += " " * indent + f"{key}: {value}\n"
    return text


def _flow(mapping: dict[str, Any]) -> str:
    return ", ".join(f"{key}: {{{_flow(value)}}}" if isinstance(value, dict) else f"{key}: {value}"
                     for key, value in mapping.items())
