"""What every part of the loader shares: the report, field checks, references and conditions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import conditions
from ..diagnostics import Pos, Report, did_you_mean
from ..errors import ConditionError
from ..story import DEFAULT_STAT_GROUPS
from ..yamlsrc import Budget, Precompiled, YMap
from .cache import ParseCache
from .fields import (
    MANIFEST,
    REF_SECTIONS,
    SECTIONS,
)
from .files import display_path


class Observer:
    """Told of every name a load meets, where it is written (the language server's index,
    game.lsp). The loader calls it; the default hears nothing."""

    def reference(self, section: str, name: str, pos: Pos) -> None:
        """A field names an id of a section (a goto's scene, an effect's clue, ...)."""

    def expression(self, source: str, where: Callable[[int], Pos], here: str | None) -> None:
        """A condition, or an expression in braces in a text; where(i): the place of character i."""


@dataclass
class _Decl:
    """A declaration seen in pass one: its raw YAML and where it stands."""

    id: str
    data: Any
    pos: Pos
    file_area: str | None = None
    file_area_pos: Pos | None = None
    value_pos: Pos | None = None  # where its value starts (a snippet's text: problems inside it are placed from here)


class LoaderBase:
    """The loader's state and the small checks every builder uses."""

    def __init__(self, root: Path, report: Report, cache: ParseCache | None = None,
                 overlay: dict[str, str] | None = None, only: set[str] | None = None,
                 observer: Observer | None = None):
        self.root = root
        self.report = report
        self.cache = cache  # parses kept from an earlier load (game.loader.cache)
        self.overlay = overlay or {}  # file (relative posix path) -> text to read instead of the disk's
        self.only = only  # display paths: build only the scenes of these files (an editor's partial check)
        self.observer = observer
        self.texts: dict[str, str] = {}  # display path -> the text read
        self.paths: dict[str, Path] = {}  # display path -> the file
        self.data: dict[str, Any] = {}  # display path -> its parsed values
        self.known_names: dict[str, Any] = {}
        self.first_pass_to = 0  # report.items[:first_pass_to]: what pass one found (files, sections, ids)
        self.story_wide_from: int | None = None  # report.items[story_wide_from:]: the story-wide warnings
        self.decls: dict[str, dict[str, _Decl]] = {name: {} for name in SECTIONS}
        self.manifest: YMap | None = None
        self.manifest_pos = Pos(display_path(root / MANIFEST))
        self.digest = hashlib.sha256()
        # (source, scene for `here` or None, wanted type) -> the parsed condition or its error
        self.parsed: dict[tuple, conditions.Condition | ConditionError] = {}
        self.deducible: conditions.Deductions = {}  # set once deductions are built (pass two)
        # `known.x` and `open.q`: filled as entities and questions are built (pass two)
        self.macros: dict[str, dict[str, conditions.Node]] = {"known": {}, "open": {}}
        self.unreadable_files = 0
        self.budget = Budget()  # time and memory limits for the whole folder (yamlsrc)
        self.precompiled: Precompiled | None = None  # recorded YAML events to build from (a published page)
        self.reported: set[tuple[Pos, str]] = set()  # a shared choice's problem is reported once, not per scene
        # For text (game.loader.text): the story's format, what inline text may name, file sources.
        self.format = 1
        self.start_scene: str | None = None
        self.built_questions: dict[str, Any] = {}  # id -> Question, once their effects are built
        self.inline_names: dict[str, str] = {}
        self.snippet_sources: dict[str, str] = {}
        self.snippet_allowance: list[int] = [0]
        self.broken_snippets: set[str] = set()
        self.warned_braces = False
        self.sources: dict[str, list[str] | None] = {}
        self.groups: dict[str, str] = dict(DEFAULT_STAT_GROUPS)  # the manifest's stat kinds -> headings

    # -- helpers ----------------------------------------------------------

    def err(self, pos: Pos, message: str, code: str) -> None:
        if (pos, message) not in self.reported:
            self.reported.add((pos, message))
            self.report.error(pos, message, code)

    def warn(self, pos: Pos, message: str, code: str) -> None:
        if (pos, message) not in self.reported:
            self.reported.add((pos, message))
            self.report.warning(pos, message, code)

    def fields(self, data: Any, pos: Pos, allowed: set[str], what: str, required: tuple[str, ...] = ()) -> bool:
        """Check that data is a mapping with only allowed keys; report the rest."""
        if not isinstance(data, YMap):
            self.err(pos, f"{what} must be a mapping of fields, not {_kind(data)}", "bad-type")
            return False
        for key in data:
            if key not in allowed:
                self.err(
                    data.kpos(key),
                    f"unknown field '{key}' in {what}{did_you_mean(str(key), allowed)}",
                    "unknown-field",
                )
        for key in required:
            if key not in data:
                self.err(data.pos, f"{what} is missing '{key}'", "missing-field")
        return True

    def text(self, data: YMap, key: str, what: str, default: str = "") -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            self.err(data.vpos(key), f"'{key}' of {what} must be text, not {_kind(value)}", "bad-type")
            return default
        return value

    def integer(self, data: YMap, key: str, what: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(data.vpos(key), f"'{key}' of {what} must be a whole number, not {_kind(value)}", "bad-type")
            return default
        return value

    def boolean(self, data: YMap, key: str, what: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.err(data.vpos(key), f"'{key}' of {what} must be true or false, not {_kind(value)}", "bad-type")
            return False
        return value

    def ref(self, kind: str, name: Any, pos: Pos, what: str) -> bool:
        """Check that name is a declared id of the given section."""
        section = REF_SECTIONS[kind]
        if self.observer is not None and isinstance(name, str):
            self.observer.reference(section, name, pos)
        if not isinstance(name, str):
            self.err(pos, f"{what} must name a {kind}, not {_kind(name)}", "bad-type")
            return False
        known = self.decls[section]
        if name not in known:
            self.err(pos, f"unknown {kind} '{name}' in {what}{did_you_mean(name, known)}", f"unknown-{kind}")
            return False
        return True

    def condition(self, source: Any, pos: Pos, here: str | None = None) -> conditions.Condition | None:
        if self.observer is not None and isinstance(source, str):
            self.observer.expression(source, lambda offset: self.locate(pos, source, offset), here)
        # Stories repeat their conditions (`stat.control <= 2` on many choices)
        # and a Condition is immutable, so each distinct text is parsed once
        # (once per scene if it says `here`: the scene is part of its meaning).
        key = (source, here if isinstance(source, str) and _says_here(source) else None, conditions.BOOL)
        parsed = self.parsed.get(key) if isinstance(source, str) else None
        if parsed is None:
            try:
                parsed = conditions.parse(source, self.known_names, self.deducible, here, macros=self.macros)
            except ConditionError as exc:
                parsed = exc.with_traceback(None)  # kept for reuse: don't keep the parser's frames
            if isinstance(source, str):
                self.parsed[key] = parsed
        if isinstance(parsed, ConditionError):
            self.err(pos.shifted(parsed.column), f"condition: {parsed.message}", "condition")
            return None
        return parsed

    def locate(self, pos: Pos, value: str, offset: int) -> Pos:
        """Where character `offset` of a text value is in its file (pos: where the value starts).

        Walks the value and the file's source side by side, matching the
        characters that are not spaces: YAML folds and indents a text's lines,
        but never changes those (escapes in double quotes aside, skipped).
        Falls back to pos when the source cannot be read or does not match.
        """
        if not pos.line or offset <= 0:
            return pos
        source = self.source_lines(pos.path)
        if source is None or pos.line > len(source):
            return pos
        row, col = pos.line - 1, pos.col - 1
        if source[row].startswith(value[:offset + 1], col):  # written as it reads, on one line: the common case
            return pos.shifted(offset)
        if source[row][col:col + 1] in ("|", ">"):  # a block: the text starts on the next line
            row, col = row + 1, 0

        def next_visible(row: int, col: int) -> tuple[int, int]:
            while row < len(source):
                line = source[row]
                while col < len(line) and line[col] in " \t":
                    col += 1
                if col < len(line):
                    return row, col
                row, col = row + 1, 0
            return row, col

        for ch in value[:offset]:
            if ch.isspace():
                continue
            row, col = next_visible(row, col)
            if row >= len(source):
                return pos
            if source[row][col] != ch and source[row][col] == "\\":
                col += 1  # an escape in double quotes
                row, col = next_visible(row, col)
                if row >= len(source):
                    return pos
            col += 1
        row, col = next_visible(row, col)
        if row >= len(source):
            return pos
        return Pos(pos.path, row + 1, col + 1)

    def source_lines(self, path: str) -> list[str] | None:
        """A file's lines, split from the text read (pass one) when a place in a text is wanted."""
        if path not in self.sources:
            text = self.texts.get(path)
            self.sources[path] = text.splitlines() if text is not None else None
        return self.sources[path]

    # -- pass one: files and declarations ---------------------------------

def _says_here(source: str) -> bool:
    """Whether a condition's meaning depends on the scene it is in (so it is parsed once per scene)."""
    return "here" in source or "first_visit" in source or "taken." in source


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):  # YAML 1.1 reads yes/no/on/off as booleans
        return "true/false (quote it if you meant the text)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
