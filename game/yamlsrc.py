"""Read one YAML file safely, keeping the line and column of every value.

PyYAML's constructors forget positions and silently keep the last of two
duplicate keys, so we let libyaml *compose* the node graph (fast, in C) and
build plain Python values from it ourselves: dicts and lists that remember
where each key and item came from. Only the YAML core types are built; any
other tag (``!!python/object`` and friends) is refused, so nothing in a
story file can construct an object or run code.

Limits keep a hostile file from costing unbounded time or memory (see
docs/SECURITY.md): file size, nesting depth, and the number of nodes a
document may expand to through aliases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from .diagnostics import Pos, Report

try:  # libyaml's composer is ~10x faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
# libyaml's composer recurses in C; very deep nesting overflows the C stack
# (measured: a crash between 20,000 and 30,000 levels). Files whose nesting
# *could* exceed this bound get an iterative depth scan before composing.
_COMPOSE_SAFE_DEPTH = 2000
# Without aliases a document cannot have more nodes than bytes; allow some
# slack for small files, and refuse alias "billion laughs" expansions.
_MIN_NODE_BUDGET = 20_000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Composer(_Loader):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader with a quicker way to the same tags.

    libyaml composes in C but calls back into Python to resolve the tag of
    every node. PyYAML's Resolver.resolve builds lists and checks path
    resolvers on each call; with hundreds of thousands of scalars in a big
    story that was a quarter of the load time. This gives the same answers
    (the same implicit resolvers, looked up by first character, then the
    default tags) without the overhead. The safe loader has no path
    resolvers, so descending and ascending have nothing to track.
    """

    yaml_path_resolvers: ClassVar[dict] = {}  # none, and none can be inherited later

    _implicit: ClassVar[dict[str, tuple]] = {
        first: tuple(resolvers) + tuple(_Loader.yaml_implicit_resolvers.get(None, ()))
        for first, resolvers in _Loader.yaml_implicit_resolvers.items()
        if first is not None
    }
    _wildcard: ClassVar[tuple] = tuple(_Loader.yaml_implicit_resolvers.get(None, ()))

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:  # a plain scalar: it may be a number, a bool, null...
                for tag, regexp in self._implicit.get(value[:1], self._wildcard):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_ScalarNode = yaml.ScalarNode
_QUOTES = ("'", '"')

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


def read_text(path: Path, display: str, report: Report) -> str | None:
    """Read a story file as UTF-8 text, reporting size, NUL and encoding problems."""
    where = Pos(display)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            report.error(
                where,
                f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} (split it into smaller files)",
                "file-too-large",
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        report.error(where, f"cannot read file: {exc.strerror or exc}", "unreadable")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        report.warning(Pos(display, 1, 1), "byte-order mark ignored; save the file as plain UTF-8", "bom")
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


def _byte_pos(data: bytes, offset: int, display: str) -> Pos:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return Pos(display, line, col)


def parse_text(text: str, display: str, report: Report) -> Any:
    """Parse YAML text into YMap/YList/scalars; None (with errors reported) on failure."""
    if _may_nest_deeper_than(text, _COMPOSE_SAFE_DEPTH) and not _depth_ok(text, display, report):
        return None
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(display, mark.line + 1, mark.column + 1) if mark else Pos(display)
        report.error(pos, _yaml_message(exc, text), "yaml-syntax")
        return None
    except yaml.YAMLError as exc:  # e.g. a second document in the stream
        report.error(Pos(display), f"invalid YAML: {exc}".splitlines()[0], "yaml-syntax")
        return None
    if node is None:
        return None
    builder = _Builder(display, report, budget=max(_MIN_NODE_BUDGET, len(text)))
    try:
        return builder.build(node, 0)
    except _Abort:
        return None


def read_yaml(path: Path, display: str, report: Report) -> Any:
    """Read and parse one file; None when it is empty or unusable (errors reported)."""
    text = read_text(path, display, report)
    if text is None:
        return None
    return parse_text(text, display, report)


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


def _may_nest_deeper_than(text: str, depth: int) -> bool:
    # Block nesting needs indentation or an indicator per level on one line,
    # flow nesting needs a bracket per level: both are bounded cheaply.
    longest = max(map(len, text.split("\n")), default=0)
    return 2 * longest + text.count("[") + text.count("{") + 4 > depth


def _depth_ok(text: str, display: str, report: Report) -> bool:
    """Scan the event stream (iterative, no recursion) for excessive nesting."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    report.error(
                        Pos(display, mark.line + 1, mark.column + 1),
                        f"nesting deeper than {MAX_DEPTH} levels",
                        "too-deep",
                    )
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError:
        return True  # compose will report the syntax error with its position
    except yaml.YAMLError:
        return True
    return True


class _Builder:
    def __init__(self, display: str, report: Report, budget: int):
        self.display = display
        self.report = report
        self.budget = budget

    def pos(self, node: yaml.Node) -> Pos:
        mark = node.start_mark
        return Pos(self.display, mark.line + 1, mark.column + 1)

    def content_pos(self, node: yaml.Node) -> Pos:
        # Point inside quotes, so a column offset into the text lands exactly.
        pos = self.pos(node)
        if isinstance(node, yaml.ScalarNode) and node.style in _QUOTES:
            return pos.shifted(1)
        return pos

    def fail(self, node: yaml.Node, message: str, code: str) -> None:
        self.report.error(self.pos(node), message, code)
        raise _Abort

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            self.fail(node, "document expands to too many values (alias bomb?)", "too-many-nodes")
        if depth > MAX_DEPTH:
            self.fail(node, f"nesting deeper than {MAX_DEPTH} levels", "too-deep")
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            if tag == _STR:
                return node.value
            if tag == _TIMESTAMP:  # dates stay text: the story has no use for datetimes
                return node.value
            construct = _SCALARS.get(tag)
            if construct is None:
                self.fail(node, f"unsupported YAML tag {_short(tag)}", "bad-tag")
            try:
                return construct(node)
            except (ConstructorError, ValueError) as exc:
                self.fail(node, f"bad {_short(tag)} value: {exc}", "bad-scalar")
        # Children that are plain text (most of a story) are built inline:
        # the same checks and positions as build(), without a call per value.
        inline = depth < MAX_DEPTH
        display = self.display
        if isinstance(node, yaml.SequenceNode):
            if tag != _SEQ:
                self.fail(node, f"unsupported YAML tag {_short(tag)}", "bad-tag")
            seq = YList(self.pos(node))
            positions = seq.item_pos
            for item in node.value:
                if inline and self.budget > 0 and type(item) is _ScalarNode and item.tag == _STR:
                    self.budget -= 1
                    seq.append(item.value)
                    mark = item.start_mark
                    positions.append(Pos(display, mark.line + 1, mark.column + (2 if item.style in _QUOTES else 1)))
                else:
                    seq.append(self.build(item, depth + 1))
                    positions.append(self.content_pos(item))
            return seq
        if isinstance(node, yaml.MappingNode):
            if tag != _MAP:
                self.fail(node, f"unsupported YAML tag {_short(tag)}", "bad-tag")
            mapping = YMap(self.pos(node))
            key_pos, val_pos = mapping.key_pos, mapping.val_pos
            for key_node, value_node in node.value:
                mark = key_node.start_mark
                where = Pos(display, mark.line + 1, mark.column + 1)
                if inline and self.budget > 0 and type(key_node) is _ScalarNode and key_node.tag == _STR:
                    self.budget -= 1
                    key = key_node.value
                else:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        self.fail(key_node, "merge keys (<<) are not supported; write the keys out", "merge-key")
                    key = self.build(key_node, depth + 1)
                    if isinstance(key, (dict, list)):
                        self.fail(key_node, "a key must be a plain value, not a mapping or list", "bad-key")
                if key in mapping:
                    first = key_pos[key]
                    self.report.error(
                        where,
                        f"duplicate key '{key}' (first defined at line {first.line})",
                        "duplicate-key",
                    )
                    continue
                if inline and self.budget > 0 and type(value_node) is _ScalarNode and value_node.tag == _STR:
                    self.budget -= 1
                    mapping[key] = value_node.value
                    mark = value_node.start_mark
                    val_pos[key] = Pos(display, mark.line + 1,
                                       mark.column + (2 if value_node.style in _QUOTES else 1))
                else:
                    mapping[key] = self.build(value_node, depth + 1)
                    val_pos[key] = self.content_pos(value_node)
                key_pos[key] = where
            return mapping
        self.fail(node, "unsupported YAML node", "bad-tag")  # pragma: no cover
        return None


def _short(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag
