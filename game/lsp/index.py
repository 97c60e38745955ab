"""Where every id of a story is declared and used: the language server's index.

The loader tells a Recorder (a loader.Observer) of every reference it
checks (a goto's scene, an effect's clue, a deduction's needs, ...) and of
every condition and expression in braces it parses; the Recorder turns
them into Occurrences: a Symbol (section, id) at a place in a file. The
declarations come from the load's pass one. Nothing here knows which field
names what: that is the loader's knowledge, heard as it checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..conditions import HERE, name_tokens
from ..diagnostics import Pos
from ..loader import Inspection, Observer
from ..yamlsrc import YList, YMap
from .kinds import CHOICES, namespaces


@dataclass(frozen=True)
class Symbol:
    section: str  # a section of the story (scenes, clues, ...) or CHOICES
    name: str  # the id; SCENE.CHOICE for a choice


@dataclass(frozen=True)
class Occurrence:
    symbol: Symbol
    path: str  # display path
    line: int  # 1-based
    col: int  # 1-based, in characters
    length: int
    definition: bool = False
    implicit: bool = False  # an area named by the first part of its scene's id (office.desk)

    def contains(self, line: int, col: int) -> bool:
        return line == self.line and self.col <= col <= self.col + self.length


@dataclass(frozen=True)
class Expression:
    """A condition or an expression in braces, as written, for hover."""

    path: str
    start: Pos
    end: Pos  # just past its last character
    source: str
    here: str | None


class Recorder(Observer):
    """Hears a load; finish() turns what it heard into occurrences, by file."""

    def __init__(self) -> None:
        self.refs: list[tuple[str, str, Pos]] = []
        self.tokens: list[tuple[str, Pos, Pos | None, str | None]] = []  # name, where, where its id starts, here
        self.expressions: list[Expression] = []

    def reference(self, section: str, name: str, pos: Pos) -> None:
        self.refs.append((section, name, pos))

    def expression(self, source: str, where: Callable[[int], Pos], here: str | None) -> None:
        if not source.strip():
            return
        start = where(0)
        last = where(len(source.rstrip()) - 1)
        self.expressions.append(Expression(start.path, start, last.shifted(1), source, here))
        for offset, name in name_tokens(source):
            kind, dot, rest = name.partition(".")
            if dot and rest:
                self.tokens.append((name, where(offset), where(offset + len(kind) + 1), here))

    def finish(self, inspection: Inspection) -> dict[str, list[Occurrence]]:
        """Every occurrence heard, by display path (declarations are Index.definitions' job)."""
        decls = inspection.declarations
        scene_at = {d.pos: sid for sid, d in decls.get("scenes", {}).items()}
        spaces = namespaces(inspection.names, decls)
        found: dict[str, set[Occurrence]] = {}

        def add(symbol: Symbol, pos: Pos, length: int, implicit: bool = False) -> None:
            if pos.line:
                found.setdefault(pos.path, set()).add(Occurrence(symbol, pos.path, pos.line, pos.col, length,
                                                                 implicit=implicit))

        for section, name, pos in self.refs:
            scene = scene_at.get(pos)
            implicit = section == "areas" and scene is not None and scene.startswith(name + ".")
            add(Symbol(section, name), _unquoted(pos, name, inspection.texts), len(name), implicit)
        for name, _, id_pos, here in self.tokens:
            kind, _, rest = name.partition(".")
            if kind == "taken":
                scene, _, choice = rest.rpartition(".")
                if scene and scene != HERE:
                    add(Symbol("scenes", scene), id_pos, len(scene))
                    choice_pos = id_pos.shifted(len(scene) + 1)
                else:
                    scene = here or ""
                    choice_pos = id_pos.shifted(len(rest) - len(choice))
                if scene and choice:
                    add(choice_symbol(scene, choice, decls), choice_pos, len(choice))
                continue
            if rest == HERE:
                continue
            for section in spaces.get(kind, ()):
                # Only scene ids have dots: of any other, the name is the id and what follows
                # (concluded.QUESTION.OUTCOME), if anything, is not.
                ident = rest if section == "scenes" else rest.split(".", 1)[0]
                if ident in decls.get(section, {}) or len(spaces[kind]) == 1:
                    add(Symbol(section, ident), id_pos, len(ident))
                    break
        for occurrence in manifest_choice_renames(inspection):
            found.setdefault(occurrence.path, set()).add(occurrence)
        return {path: sorted(items, key=_place) for path, items in found.items()}


def choice_symbol(scene: str, choice: str, decls: dict[str, dict]) -> Symbol:
    """SCENE.CHOICE: the scene's own choice, or a shared choice offered there."""
    own = decls.get("scenes", {}).get(scene)
    if (own is not None and choice in _choice_ids(own.data)) or choice not in decls.get("shared_choices", {}):
        return Symbol(CHOICES, f"{scene}.{choice}")
    return Symbol("shared_choices", choice)


def _choice_ids(data: Any) -> list[str]:
    raw = data.get("choices") if isinstance(data, YMap) else None
    return [c["id"] for c in raw if isinstance(c, YMap) and isinstance(c.get("id"), str)] \
        if isinstance(raw, YList) else []


def manifest_choice_renames(inspection: Inspection) -> Iterable[Occurrence]:
    """renames: choices: {SCENE: {old: NEW}}: each NEW names a choice of SCENE (the loader
    checks it against the built scene, not through a reference)."""
    for path, data in inspection.data.items():
        renames = data.get("renames") if isinstance(data, YMap) else None
        by_scene = renames.get("choices") if isinstance(renames, YMap) else None
        if not isinstance(by_scene, YMap):
            continue
        for scene, mapping in by_scene.items():
            if not isinstance(mapping, YMap):
                continue
            for old, new in mapping.items():
                if isinstance(new, str):
                    pos = _unquoted(mapping.vpos(old), new, inspection.texts)
                    yield Occurrence(Symbol(CHOICES, f"{scene}.{new}"), path, pos.line, pos.col, len(new))


def definitions(inspection: Inspection, only: set[str] | None = None,
                kept: dict[Symbol, Occurrence] | None = None) -> dict[Symbol, Occurrence]:
    """Where each id is declared: every section's keys, and each scene's choices. With only,
    those in other files are taken from kept (their files have not changed)."""
    result: dict[Symbol, Occurrence] = {}
    kept = kept or {}
    kept_choices: dict[str, list[Symbol]] = {}
    if only is not None:
        for symbol in kept:
            if symbol.section == CHOICES:
                kept_choices.setdefault(symbol.name.rpartition(".")[0], []).append(symbol)
    for section, decls in inspection.declarations.items():
        for ident, decl in decls.items():
            if only is not None and decl.pos.path not in only:
                symbol = Symbol(section, ident)
                if symbol in kept:
                    result[symbol] = kept[symbol]
                    continue
            pos = _unquoted(decl.pos, ident, inspection.texts)
            result[Symbol(section, ident)] = Occurrence(Symbol(section, ident), pos.path, pos.line, pos.col,
                                                        len(ident), definition=True)
    for scene, decl in inspection.declarations.get("scenes", {}).items():
        if only is not None and decl.pos.path not in only:
            for symbol in kept_choices.get(scene, ()):
                result[symbol] = kept[symbol]
            continue
        raw = decl.data.get("choices") if isinstance(decl.data, YMap) else None
        if not isinstance(raw, YList):
            continue
        for item in raw:
            if isinstance(item, YMap) and isinstance(item.get("id"), str):
                ident = item["id"]
                pos = _unquoted(item.vpos("id"), ident, inspection.texts)
                symbol = Symbol(CHOICES, f"{scene}.{ident}")
                result.setdefault(symbol, Occurrence(symbol, pos.path, pos.line, pos.col, len(ident),
                                                     definition=True))
    return result


def _unquoted(pos: Pos, name: str, texts: dict[str, str]) -> Pos:
    """Where name itself starts: a quoted key's position is its quote."""
    if not pos.line:
        return pos
    line = line_of(texts, pos.path, pos.line)
    start = pos.col - 1
    if line[start:start + 1] in ("'", '"') and line[start + 1:start + 1 + len(name)] == name:
        return pos.shifted(1)
    return pos


_LINES: dict[str, tuple[str, list[str]]] = {}  # display path -> (text, its lines): split once per text


def lines_of(texts: dict[str, str], path: str) -> list[str]:
    """A file's lines (without their ends), split once for each new text."""
    text = texts.get(path)
    if text is None:
        return []
    kept = _LINES.get(path)
    if kept is None or kept[0] is not text:
        kept = (text, text.split("\n"))
        _LINES[path] = kept
    return kept[1]


def line_of(texts: dict[str, str], path: str, number: int) -> str:
    """Line `number` (1-based) of a file, '' past its end."""
    lines = lines_of(texts, path)
    return lines[number - 1].rstrip("\r") if 0 < number <= len(lines) else ""


def _place(occurrence: Occurrence) -> tuple[int, int]:
    return occurrence.line, occurrence.col


class Index:
    """Declarations and uses of every id, kept up to date file by file."""

    def __init__(self) -> None:
        self.defined: dict[Symbol, Occurrence] = {}
        self.used: dict[str, list[Occurrence]] = {}  # display path -> references in it
        self.expressions: dict[str, list[Expression]] = {}
        self.declarations: dict[str, dict] = {}
        self.names: dict[str, Any] = {}
        self.deducible: dict[str, Any] = {}
        self._by_symbol: dict[Symbol, list[Occurrence]] | None = None
        self.generation = 0  # counts updates: what is computed from the index may be kept until it changes

    def update(self, inspection: Inspection, recorder: Recorder, only: set[str] | None = None) -> None:
        """Take what a load found; with only, the references of just those files (a partial build)."""
        self.defined = definitions(inspection, only, self.defined)
        self.declarations = inspection.declarations
        self.names = inspection.names
        self.deducible = inspection.deducible
        heard = recorder.finish(inspection)
        expressions: dict[str, list[Expression]] = {}
        for expression in recorder.expressions:
            expressions.setdefault(expression.path, []).append(expression)
        if only is None:
            self.used = heard
            self.expressions = expressions
        else:
            for path in only:
                self.used[path] = heard.get(path, [])
                self.expressions[path] = expressions.get(path, [])
        known = set(inspection.texts)
        for table in (self.used, self.expressions):
            for path in [p for p in table if p not in known]:
                del table[path]
        self._by_symbol = None
        self.generation += 1

    def at(self, path: str, line: int, col: int) -> Occurrence | None:
        """The declaration or reference at a place (1-based line and column)."""
        for occurrence in self.used.get(path, ()):
            if occurrence.contains(line, col) and not occurrence.implicit:  # (that place is the scene's id)
                return occurrence
        for occurrence in self.defined.values():
            if occurrence.path == path and occurrence.contains(line, col):
                return occurrence
        return None

    def expression_at(self, path: str, line: int, col: int) -> Expression | None:
        for expression in self.expressions.get(path, ()):
            if (expression.start.line, expression.start.col) <= (line, col) <= (expression.end.line,
                                                                               expression.end.col):
                return expression
        return None

    def references(self, symbol: Symbol) -> list[Occurrence]:
        """Every use of an id (its declaration not included), in file order."""
        if self._by_symbol is None:
            by_symbol: dict[Symbol, list[Occurrence]] = {}
            for path in sorted(self.used):
                for occurrence in self.used[path]:
                    by_symbol.setdefault(occurrence.symbol, []).append(occurrence)
            self._by_symbol = by_symbol
        return self._by_symbol.get(symbol, [])

    def definition(self, symbol: Symbol) -> Occurrence | None:
        return self.defined.get(symbol)

    def data(self, symbol: Symbol) -> Any:
        """The declaration's YAML values (a choice: its item in the scene's list)."""
        if symbol.section == CHOICES:
            scene, _, choice = symbol.name.rpartition(".")
            decl = self.declarations.get("scenes", {}).get(scene)
            raw = decl.data.get("choices") if decl is not None and isinstance(decl.data, YMap) else None
            for item in raw if isinstance(raw, YList) else ():
                if isinstance(item, YMap) and item.get("id") == choice:
                    return item
            return None
        decl = self.declarations.get(symbol.section, {}).get(symbol.name)
        return decl.data if decl is not None else None
