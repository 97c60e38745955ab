"""Read one YAML file safely, keeping the line and column of every value.

PyYAML's constructors forget positions and silently keep the last of two
duplicate keys, so we let libyaml *parse* the file into events (fast, in C)
and build plain Python values from them ourselves: dicts and lists that
remember where each key and item came from. Only the YAML core types are
built; any other tag (``!!python/object`` and friends) is refused, so
nothing in a story file can construct an object or run code.

We build from the event stream rather than from PyYAML's node graph for
safety: libyaml's composer recurses in C and overflows the C stack (a
segfault, no Python error) somewhere past 20,000 nesting levels, while the
event builder below keeps its own stack and stops at MAX_DEPTH; and counting
values as they arrive stops an alias bomb or a huge file before it costs
much time or memory. It is also about twice as fast and half the memory.

Limits keep a hostile file from costing unbounded time or memory (see
docs/SECURITY.md, which lists them).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, NoReturn

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from .diagnostics import Pos, Report

try:  # libyaml's parser is ~10x faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML built without libyaml, as under Pyodide (tests/test_yaml_pure.py)
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# Limits (docs/SECURITY.md). MAX_NODES counts values in all files of a
# story: a scalar is 1 (plus 1 per 128 characters of text), a mapping or list
# 2 (its start and its end), and an alias all the values it repeats, so an
# alias bomb stops at once. Measured: bench/synth.py's 10,000-scene story is
# 9.7 MB in 201 files and 570,000 values (checked in about 2 s); a folder
# built to hit the limits costs up to about 8 s and 300 MB, never more.
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_STORY_BYTES = 32 * 1024 * 1024  # all files of a story together
MAX_NODES = 2_000_000
MAX_DEPTH = 64  # nested mappings and lists
MAX_NUMBER_CHARS = 100  # characters of one number

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_NO_KEY = object()
# Control characters a terminal acts on (ESC starts an escape sequence). YAML
# refuses them raw; only escapes in "double quotes" (\e, \x1b) can make them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# PyYAML's safe-loader rules for plain scalars (yes/no, 0x1f, 1:20, ~...),
# looked up by first character: the same answers as Resolver.resolve without
# its overhead per call, which bench/ measured at a quarter of the load time
# of a big story (the table is bench's, from the composer-based builder).
_IMPLICIT: dict[str, tuple] = {
    first: tuple(resolvers) + tuple(Resolver.yaml_implicit_resolvers.get(None, ()))
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
    if first is not None
}
_WILDCARD = tuple(Resolver.yaml_implicit_resolvers.get(None, ()))


def _plain_tag(value: str) -> str:
    for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
        if regexp.match(value):
            return tag
    return _STR


_constructor = SafeConstructor()
_SCALARS = {
    _INT: _constructor.construct_yaml_int,
    _FLOAT: _constructor.construct_yaml_float,
    _BOOL: _constructor.construct_yaml_bool,
    _NULL: _constructor.construct_yaml_null,
}


class YMap(dict):
    """A mapping that knows where it, its keys and its values are."""

    __slots__ = ("key_pos", "pos", "val_pos")

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos
        self.key_pos: dict[Any, Pos] = {}
        self.val_pos: dict[Any, Pos] = {}

    def kpos(self, key: Any) -> Pos:
        return self.key_pos.get(key, self.pos)

    def vpos(self, key: Any) -> Pos:
        return self.val_pos.get(key, self.pos)


class YList(list):
    """A sequence that knows where it and each of its items are."""

    __slots__ = ("item_pos", "pos")

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos
        self.item_pos: list[Pos] = []

    def ipos(self, index: int) -> Pos:
        return self.item_pos[index] if 0 <= index < len(self.item_pos) else self.pos


def pos_of(value: Any, default: Pos) -> Pos:
    return getattr(value, "pos", default)


class _Abort(Exception):
    """Stops building a document after a fatal problem was reported."""


class Budget:
    """What a whole story may cost: shared by all its files (one per load)."""

    def __init__(self, max_nodes: int = MAX_NODES, max_bytes: int = MAX_STORY_BYTES):
        self.max_nodes = max_nodes
        self.max_bytes = max_bytes
        self.used = 0  # values built so far
        self.bytes = 0  # bytes read so far
        self.exhausted = False  # reported once; later files are skipped quietly


def read_text(path: Path, display: str, report: Report, budget: Budget | None = None) -> str | None:
    """Read a story file as UTF-8 text, reporting size, NUL and encoding problems."""
    where = Pos(display)
    budget = budget or Budget()
    if budget.exhausted:
        return None
    try:
        # Read at most one byte past the limit, never trusting a size from stat:
        # a file may grow after it was listed, or be a /proc file that claims 0.
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        report.error(where, f"cannot read file: {exc.strerror or exc}", "unreadable")
        return None
    if len(data) > MAX_FILE_BYTES:
        report.error(where, f"file is larger than {MAX_FILE_BYTES:,} bytes, the limit for one file "
                     "(split it into smaller files)", "file-too-large")
        return None
    budget.bytes += len(data)
    if budget.bytes > budget.max_bytes:
        budget.exhausted = True
        report.error(where, f"the story's files add up to more than {budget.max_bytes:,} bytes, the limit "
                     "for a story", "story-too-large")
        return None
    # A byte-order mark is allowed by YAML and added by some Windows editors: accept it quietly.
    # It is not part of the text, so adding or removing one does not change the story's fingerprint.
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        report.error(_byte_pos(data, nul, display), "NUL byte in file; is this a binary file?", "nul-byte")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.error(
            _byte_pos(data, exc.start, display),
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            "encoding",
        )
        return None


def accept_text(text: str, display: str, report: Report, budget: Budget | None = None) -> str | None:
    """read_text's checks for a text that is already in memory (an editor's unsaved buffer)."""
    where = Pos(display)
    budget = budget or Budget()
    if budget.exhausted:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        report.error(where, f"file is larger than {MAX_FILE_BYTES:,} bytes, the limit for one file "
                     "(split it into smaller files)", "file-too-large")
        return None
    budget.bytes += size
    if budget.bytes > budget.max_bytes:
        budget.exhausted = True
        report.error(where, f"the story's files add up to more than {budget.max_bytes:,} bytes, the limit "
                     "for a story", "story-too-large")
        return None
    text = text.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        report.error(_byte_pos(text.encode("utf-8", "surrogatepass"), len(text[:nul].encode("utf-8", "surrogatepass")),
                               display), "NUL byte in file; is this a binary file?", "nul-byte")
        return None
    return text


def _byte_pos(data: bytes, offset: int, display: str) -> Pos:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return Pos(display, line, col)


def parse_text(text: str, display: str, report: Report, budget: Budget | None = None,
               events: list[list[Any]] | None = None) -> Any:
    """Parse YAML text into YMap/YList/scalars; None (with errors reported) on failure.
    events: the text's events as precompile() recorded them, to build from instead of parsing."""
    budget = budget or Budget()
    if budget.exhausted:
        return None
    try:
        parser = _Loader(text) if events is None else _Replay(events)
    except UnicodeEncodeError:  # a lone surrogate: text that did not come from a UTF-8 file
        report.error(Pos(display), "not valid Unicode text; save the file as UTF-8", "encoding")
        return None
    builder = _Builder(display, report, budget)
    try:
        return builder.run(parser)
    except _Abort:
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(display, mark.line + 1, mark.column + 1) if mark else Pos(display)
        if _is_nesting_limit(exc):  # libyaml's own limit came first: the same problem as ours
            report.error(pos, f"nesting deeper than {MAX_DEPTH} levels", "too-deep")
        else:
            report.error(pos, _yaml_message(exc, text), "yaml-syntax")
        return None
    except ReaderError as exc:  # a character YAML forbids, e.g. a control character
        pos = _byte_pos(text.encode("utf-8", "surrogatepass"), exc.position, display)
        report.error(pos, f"character U+{exc.character:04X} is not allowed in YAML; remove it", "yaml-syntax")
        return None
    except yaml.YAMLError as exc:
        report.error(Pos(display), f"invalid YAML: {exc}".splitlines()[0], "yaml-syntax")
        return None
    finally:
        parser.dispose()
        budget.used += builder.used


# --- precompiled events -------------------------------------------------------
#
# Under Pyodide PyYAML has only its pure-Python parser (about ten times slower
# than libyaml). `play.py publish` parses the story here and ships the event
# stream; the page builds from it with the same _Builder, so every check above
# still runs and there is one loader. An event is a short list:
# [kind, line, column] plus, by kind, [anchor, tag] (collections), [anchor]
# (aliases) or [anchor, tag, plain, style, value] (scalars).

PRECOMPILED = "aka-yaml-events"
PRECOMPILED_VERSION = 1
_KINDS: tuple[type, ...] = (
    yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentStartEvent, yaml.DocumentEndEvent,
    yaml.MappingStartEvent, yaml.MappingEndEvent, yaml.SequenceStartEvent, yaml.SequenceEndEvent,
    yaml.ScalarEvent, yaml.AliasEvent,
)
_CODE = {kind: code for code, kind in enumerate(_KINDS)}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def events_of(text: str) -> list[list[Any]]:
    """The text's parse events in precompile()'s form (yaml.YAMLError if it does not parse)."""
    parser = _Loader(text)
    out: list[list[Any]] = []
    try:
        while True:
            event = parser.get_event()
            code = _CODE[type(event)]
            row: list[Any] = [code, event.start_mark.line, event.start_mark.column]
            if code == 8:
                row += [event.anchor, event.tag, event.implicit[0], event.style, event.value]
            elif code in (4, 6):
                row += [event.anchor, event.tag]
            elif code == 9:
                row.append(event.anchor)
            out.append(row)
            if code == 1:
                return out
    finally:
        parser.dispose()


def precompile(texts: dict[str, str]) -> bytes:
    """The events of each file (by its path in the story folder), keyed to its text's sha256."""
    files = {name: {"sha256": _sha256(text), "events": events_of(text)} for name, text in sorted(texts.items())}
    doc = {"format": PRECOMPILED, "version": PRECOMPILED_VERSION, "files": files}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


class Precompiled:
    """Recorded events for a story's files; a file whose text changed since is parsed instead."""

    def __init__(self, files: dict[str, Any]):
        self.files = files

    @classmethod
    def read(cls, path: Path) -> Precompiled | None:
        """None (so the text is parsed as usual) if the file is missing or not of this format."""
        try:
            doc = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(doc, dict) or doc.get("format") != PRECOMPILED or doc.get("version") != PRECOMPILED_VERSION:
            return None
        files = doc.get("files")
        return cls(files) if isinstance(files, dict) else None

    def events(self, name: str, text: str) -> list[list[Any]] | None:
        entry = self.files.get(name)
        if not isinstance(entry, dict) or entry.get("sha256") != _sha256(text):
            return None
        events = entry.get("events")
        return events if isinstance(events, list) else None


class _Mark:
    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int):
        self.line = line
        self.column = column


class _Replay:
    """A parser that hands out recorded events (the interface _Builder.run uses)."""

    def __init__(self, events: list[list[Any]]):
        self.rows = iter(events)

    def get_event(self) -> yaml.Event:
        try:
            row = next(self.rows)
            mark = _Mark(row[1], row[2])
            kind = _KINDS[row[0]]
            if kind is yaml.ScalarEvent:
                return yaml.ScalarEvent(row[3], row[4], (row[5], False), row[7], mark, mark, row[6])
            if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                return kind(row[3], row[4], True, mark, mark)
            if kind is yaml.AliasEvent:
                return kind(row[3], mark, mark)
            return kind(mark, mark)
        except (StopIteration, IndexError, TypeError, KeyError) as exc:
            raise yaml.YAMLError("the precompiled events of this file are damaged; publish the story again") from exc

    def dispose(self) -> None:
        pass


def read_yaml(path: Path, display: str, report: Report) -> Any:
    """Read and parse one file; None when it is empty or unusable (errors reported)."""
    text = read_text(path, display, report)
    if text is None:
        return None
    return parse_text(text, display, report)


def _is_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    """Whether libyaml stopped at its own nesting limit. libyaml 0.2.6 (bundled
    with PyYAML 6.0.4) refuses more than 1,000 levels ("exceeded maximum nesting
    depth"), and its scanner reads a flow collection's brackets ahead of the
    events we count, so in `[[[[...` its limit fires before MAX_DEPTH does.
    Either way the file nests too deeply: it is reported as our 'too-deep'."""
    return "nesting depth" in (exc.problem or "").lower()


def _yaml_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = exc.problem or "invalid YAML"
    mark = exc.problem_mark
    if mark is not None:
        lines = text.split("\n")
        line = lines[mark.line] if mark.line < len(lines) else ""
        indent = line[: len(line) - len(line.lstrip())]
        if "\t" in indent or line[mark.column : mark.column + 1] == "\t":
            return "tab character in indentation; YAML indents with spaces only"
    context = f" {exc.context}" if exc.context else ""
    started = exc.context_mark
    if started is not None and mark is not None and started.line != mark.line:
        context += f" (started at line {started.line + 1})"
    return f"YAML syntax: {problem}{context}".strip()


class _Open:
    """A mapping or list whose end event has not come yet."""

    __slots__ = ("anchor", "is_map", "key", "key_pos", "skip", "start", "value")

    def __init__(self, value: YMap | YList, anchor: str | None, start: int):
        self.value = value
        self.is_map = isinstance(value, YMap)
        self.anchor = anchor
        self.start = start  # the count of values before it opened: its size is known at its end
        self.key: Any = _NO_KEY  # in a mapping: the key waiting for its value
        self.key_pos: Pos | None = None
        self.skip = False  # the waiting key is a duplicate: drop its value


class _Builder:
    """Builds values from libyaml's event stream.

    An explicit stack instead of recursion, so no nesting can overflow any
    stack; every value is counted as it arrives (an alias counts as all the
    values it repeats), so an alias bomb or a huge file stops early. Aliased
    values are shared, not copied: the loader only reads them.
    """

    def __init__(self, display: str, report: Report, budget: Budget):
        self.display = display
        self.report = report
        self.budget = budget
        self.used = 0  # values in this file so far
        self.limit = budget.max_nodes - budget.used
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int, Pos] | None] = {}  # None: still open
        self.root: Any = None

    def pos(self, event: yaml.Event) -> Pos:
        mark = event.start_mark
        return Pos(self.display, mark.line + 1, mark.column + 1)

    def fail(self, event: yaml.Event, message: str, code: str) -> NoReturn:
        self.report.error(self.pos(event), message, code)
        raise _Abort

    def run(self, parser: Any) -> Any:
        # The hot loop: written for speed (a story file is mostly scalars).
        get_event, stack, limit = parser.get_event, self.stack, self.limit
        documents = 0
        while True:
            event = get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                # Long text costs more (one per 128 characters), so that aliases
                # repeating a long text are bounded in characters, not just in values.
                cost = 1 + (len(event.value) >> 7)
                self.used += cost
                if self.used > limit:
                    self.too_many(event)
                value = event.value
                if event.tag is not None:
                    value = self.scalar(event, event.tag)
                elif event.implicit[0]:  # plain: text, or a number, true/false, null...
                    tag = _plain_tag(value)
                    if tag != _STR:
                        value = self.scalar(event, tag)
                if event.style == '"' and isinstance(value, str) and _CONTROL.search(value):
                    self.control_character(event, value)
                if event.anchor is not None:
                    self.anchor(event, value, cost)
                pos = self.pos(event)
                if event.style in ("'", '"'):  # point inside quotes, so a column offset into the text lands
                    self.place(value, pos, pos.shifted(1))
                else:
                    self.place(value, pos, pos)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self.open(event, kind is yaml.MappingStartEvent)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()
                if done.anchor is not None:
                    self.anchors[done.anchor] = (done.value, self.used - done.start, done.value.pos)
                self.place(done.value, done.value.pos, done.value.pos)
            elif kind is yaml.AliasEvent:
                self.alias(event)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.fail(event, "a second YAML document in one file (after '---' or '...'); "
                              "a story file holds one", "yaml-syntax")
            elif kind is yaml.StreamEndEvent:
                return self.root

    def too_many(self, event: yaml.Event) -> NoReturn:
        self.budget.exhausted = True  # no later file can fit either: say it once
        self.fail(event, f"the story holds more than {self.budget.max_nodes:,} values, counting every "
                  "value an alias repeats (an alias bomb?)", "too-many-nodes")

    def control_character(self, event: yaml.ScalarEvent, value: str) -> None:
        char = _CONTROL.search(value).group()  # type: ignore[union-attr]
        self.report.error(self.pos(event), f"control character U+{ord(char):04X} in text; terminals act "
                          "on these, so a story may not hold them", "control-character")

    def expecting_key(self) -> bool:
        return bool(self.stack) and self.stack[-1].is_map and self.stack[-1].key is _NO_KEY

    def scalar(self, event: yaml.ScalarEvent, tag: str) -> Any:
        if tag == "!":  # the non-specific tag: plain text
            tag = _STR
        if tag in (_STR, _TIMESTAMP):  # dates stay text: the story has no use for datetimes
            return event.value
        construct = _SCALARS.get(tag)
        if construct is None:
            if tag == _MERGE and self.expecting_key():
                self.fail(event, "merge keys (<<) are not supported; write the keys out", "merge-key")
            self.fail(event, f"unsupported YAML tag {_short(tag)}", "bad-tag")
        if len(event.value) > MAX_NUMBER_CHARS:
            # PyYAML converts 1:2:3... (base 60) in quadratic time; no story needs such numbers
            self.fail(event, f"a number longer than {MAX_NUMBER_CHARS} characters; quote it if it is text",
                      "bad-scalar")
        try:
            return construct(yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark))
        except (ConstructorError, ValueError, OverflowError) as exc:
            self.fail(event, f"bad {_short(tag)} value: {exc}", "bad-scalar")

    def open(self, event: yaml.CollectionStartEvent, is_map: bool) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self.fail(event, f"nesting deeper than {MAX_DEPTH} levels", "too-deep")
        if self.expecting_key():
            self.fail(event, "a key must be a plain value, not a mapping or list", "bad-key")
        tag = event.tag
        if tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
            self.fail(event, f"unsupported YAML tag {_short(tag)}", "bad-tag")
        start = self.used
        self.used += 2  # it costs its start and its end (an empty [] is not free)
        if self.used > self.limit:
            self.too_many(event)
        if event.anchor is not None:
            self.anchor(event, None, 0)  # open: an alias to it before its end would be a loop
        value = YMap(self.pos(event)) if is_map else YList(self.pos(event))
        self.stack.append(_Open(value, event.anchor, start))

    def anchor(self, event: yaml.NodeEvent, value: Any, size: int) -> None:
        name = event.anchor
        if name in self.anchors:  # PyYAML refuses this too: which one would an alias mean?
            first = self.anchors[name]
            where = f" (first at line {first[2].line})" if first else ""
            self.fail(event, f"anchor &{name} is defined twice{where}", "bad-alias")
        self.anchors[name] = (value, size, self.pos(event)) if size else None

    def alias(self, event: yaml.AliasEvent) -> None:
        name = event.anchor
        if name not in self.anchors:
            self.fail(event, f"alias *{name} names no anchor defined before it", "bad-alias")
        entry = self.anchors[name]
        if entry is None:
            self.fail(event, f"alias *{name} is inside the value it names (a loop)", "bad-alias")
        value, size, _ = entry
        if isinstance(value, (YMap, YList)) and self.expecting_key():
            self.fail(event, "a key must be a plain value, not a mapping or list", "bad-key")
        self.used += size
        if self.used > self.limit:
            self.too_many(event)
        pos = self.pos(event)
        self.place(value, pos, pos)

    def place(self, value: Any, pos: Pos, content_pos: Pos) -> None:
        """Put a finished value into the open collection (or make it the document)."""
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        parent = top.value
        if not top.is_map:
            parent.append(value)
            parent.item_pos.append(content_pos)
        elif top.key is _NO_KEY:
            if value in parent:
                first = parent.key_pos[value]
                self.report.error(pos, f"duplicate key '{value}' (first defined at line {first.line})",
                                  "duplicate-key")
                top.skip = True
            top.key, top.key_pos = value, pos
        else:
            if not top.skip:
                parent[top.key] = value
                parent.key_pos[top.key] = top.key_pos
                parent.val_pos[top.key] = content_pos
            top.key, top.skip = _NO_KEY, False


def _short(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag
