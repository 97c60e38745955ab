"""Rename an id everywhere: its declaration, every reference (conditions and text included), and,
for scenes and choices, the manifest's `renames:` so that old saves keep loading (docs/SAVES.md).

A save holds the log of choices taken (scene and choice ids); everything
else (clues, flags, stats) is replayed from it, so only scene and choice
renames need an entry. The entry is added to the manifest as YAML text,
in the style the manifest already uses (block or flow), so the writer's
file keeps its shape and comments.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def check_name(index: Index, symbol: Symbol, new: str) -> None:
    if symbol.section == "shared_choices":
        raise RenameError("a shared choice is taken under its id in every scene it is offered in; rename it by "
                          "hand and list it under renames: choices: for each of those scenes")
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


@dataclass(frozen=True)
class Manifest:
    path: str  # display path
    text: str
    data: YMap | None


def rename(index: Index, symbol: Symbol, new: str, manifest: Manifest | None) -> list[Edit]:
    """Every edit that renames symbol to new (for a choice: new is the choice's own id)."""
    check_name(index, symbol, new)
    definition = index.definition(symbol)
    if definition is None:
        raise RenameError(f"{noun(symbol.section)} '{symbol.name}' is not declared; declare it before renaming it")
    uses = index.references(symbol)
    implicit = sorted({o.path for o in uses if o.implicit})
    if implicit:
        scenes = sorted(s for s in index.declarations.get("scenes", {}) if s.startswith(symbol.name + "."))
        raise RenameError(f"scenes take area '{symbol.name}' from their ids ({', '.join(scenes[:3])}"
                          f"{', ...' if len(scenes) > 3 else ''}): give them 'area:' first, or rename them")
    edits = [Edit(o.path, o.line, o.col, o.line, o.col + o.length, new) for o in [definition, *uses]]
    if manifest is not None and symbol.section in ("scenes", CHOICES):
        edits.append(_renames_entry(symbol, new, manifest))
    unique = {(e.path, e.line, e.col): e for e in edits}
    return sorted(unique.values(), key=lambda e: (e.path, e.line, e.col))


def _renames_entry(symbol: Symbol, new: str, manifest: Manifest) -> Edit:
    data = manifest.data
    renames = data.get("renames") if isinstance(data, YMap) else None
    if symbol.section == "scenes":
        old_scenes = renames.get("scenes") if isinstance(renames, YMap) else None
        if isinstance(old_scenes, YMap) and new in old_scenes:
            raise RenameError(f"'{new}' is an old name in renames: scenes: of {manifest.path} (old saves follow "
                              f"it to '{old_scenes[new]}'); remove that entry first")
        return _add_entry(manifest.path, manifest.text, data, ["renames", "scenes"], symbol.name, new)
    scene, _, old = symbol.name.rpartition(".")
    by_scene = renames.get("choices") if isinstance(renames, YMap) else None
    mapping = by_scene.get(scene) if isinstance(by_scene, YMap) else None
    if isinstance(mapping, YMap) and new in mapping:
        raise RenameError(f"'{new}' is an old name in renames: choices: {scene}: of {manifest.path}; remove "
                          "that entry first")
    return _add_entry(manifest.path, manifest.text, data, ["renames", "choices", scene], old, new)


def _add_entry(path: str, text: str, root: YMap | None, keys: list[str], key: str, value: str) -> Edit:
    """Add `key: value` to the mapping at keys (creating what is missing), as text."""
    lines = text.split("\n")
    node: YMap | None = root if isinstance(root, YMap) else None
    depth = 0
    while node is not None and depth < len(keys):
        child = node.get(keys[depth])
        if not isinstance(child, YMap):
            break
        node, depth = child, depth + 1
    missing = keys[depth:]
    if node is None or (depth == 0 and keys[0] not in node):
        # Nothing of it yet: a block at the end of the file.
        block = _block(missing, key, value, 0)
        end = len(lines)
        prefix = "" if text.endswith("\n") or not text else "\n"
        return Edit(path, end, len(lines[-1]) + 1, end, len(lines[-1]) + 1, prefix + block)
    if missing and missing[0] in node:  # the key is there with no value (`scenes:` and nothing)
        where = node.kpos(missing[0])
        if _is_flow(lines, node.pos):
            raise RenameError(f"{path}: give '{missing[0]}' a value before renaming (it is empty)")
        indent = where.col - 1 + 2
        line = lines[where.line - 1]
        return Edit(path, where.line, len(line) + 1, where.line, len(line) + 1,
                    "\n" + _block(missing[1:], key, value, indent).rstrip("\n"))
    if _is_flow(lines, node.pos):
        inner = _flow(missing, key, value)
        after = node.pos.col + 1  # just past '{'
        return Edit(path, node.pos.line, after, node.pos.line, after, inner + (", " if node else ""))
    first = min((node.kpos(k) for k in node), key=lambda p: (p.line, p.col))
    indent = first.col - 1
    return Edit(path, first.line, 1, first.line, 1, _block(missing, key, value, indent))


def _is_flow(lines: list[str], pos) -> bool:
    line = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    return line[pos.col - 1:pos.col] == "{"


def _block(keys: list[str], key: str, value: str, indent: int) -> str:
    text = ""
    for depth, name in enumerate(keys):
        text += " " * (indent + 2 * depth) + f"{name}:\n"
    return text + " " * (indent + 2 * len(keys)) + f"{key}: {value}\n"


def _flow(keys: list[str], key: str, value: str) -> str:
    text = f"{key}: {value}"
    for name in reversed(keys):
        text = f"{name}: {{{text}}}"
    return text
