"""Hover: what an id stands for (a scene's title and first lines, a clue's text, a stat's range)
and what a condition means, parsed the way the engine reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import conditions
from ..conditions import BoolOp, Compare, Lit, Node, Not, Ref
from ..errors import ConditionError
from ..yamlsrc import YList, YMap
from .index import Expression, Index, Symbol
from .kinds import CHOICES, noun, title_of

FIRST_LINES = 3  # of a scene's text
_WORDS_FOR = {"==": "is", "!=": "is not", "<": "is less than", "<=": "is at most", ">": "is more than",
              ">=": "is at least"}


def describe(index: Index, symbol: Symbol, shown: Callable[[str], str] = str) -> str:
    """Markdown for an id: its kind and title, then what matters about it (shown: how a file's
    path is written, e.g. relative to the story folder)."""
    data = index.data(symbol)
    name = symbol.name
    title = title_of(data) if data is not None else ""
    if symbol.section == CHOICES and isinstance(data, YMap):
        title = _text(data.get("text"))
    head = f"**{noun(symbol.section)}** `{name}`" + (f" — {_one_line(title)}" if title else "")
    if data is None:
        return head + "\n\n*not declared*"
    lines = [head]
    if symbol.section == "scenes" and isinstance(data, YMap):
        lines.append(_first_lines(_text(data.get("text"))))
        if data.get("ending"):
            lines.append(f"ends the story: `{data['ending']}`")
    elif symbol.section == "stats" and isinstance(data, YMap):
        low, high = data.get("min"), data.get("max")
        start = data.get("start", max(low, min(0, high)) if isinstance(low, int) and isinstance(high, int) else "?")
        lines.append(f"range {low}..{high}, starts at {start}"
                     + (f", {data['overflow']} at the edges" if data.get("overflow") else ""))
        if data.get("description"):
            lines.append(_text(data["description"]))
    elif symbol.section == "deductions" and isinstance(data, YMap):
        needs = data.get("needs")
        if isinstance(needs, list):
            lines.append(f"needs {', '.join(f'`{n}`' for n in needs)} → gives `{data.get('gives')}`")
        lines.append(_text(data.get("text")))
    elif symbol.section == CHOICES and isinstance(data, YMap):
        goto = data.get("goto")
        if isinstance(goto, str):
            lines.append(f"goes to `{goto}`")
        if "if" in data:
            lines.append(f"if `{data['if']}`")
    elif isinstance(data, YMap):
        for key in ("text", "description", "group", "kind"):
            if isinstance(data.get(key), str) and data[key] != title:
                lines.append(_first_lines(_text(data[key])) if key == "text" else f"{key}: {data[key]}")
    elif isinstance(data, str) and symbol.section == "snippets":
        lines.append(_first_lines(data))
    count = len(index.references(symbol))
    where = index.definition(symbol)
    if where is not None:
        lines.append(f"*{shown(where.path)}:{where.line}* · used {count} time{'s' * (count != 1)}")
    return "\n\n".join(line for line in lines if line)


def _text(value: Any) -> str:
    """A text field's words: a string, or the first paragraph of a list of them."""
    if isinstance(value, str):
        return value
    if isinstance(value, YList):
        for item in value:
            if isinstance(item, str):
                return item
            if isinstance(item, YMap):
                for key in ("text", "lines"):
                    if isinstance(item.get(key), str):
                        return item[key]
                if isinstance(item.get("one_of"), list) and item["one_of"]:
                    return str(item["one_of"][0])
    return ""


def _first_lines(text: str) -> str:
    words = " ".join(text.split())
    if not words:
        return ""
    # About FIRST_LINES lines of 80 characters.
    limit = 80 * FIRST_LINES
    return "> " + (words if len(words) <= limit else words[:limit].rsplit(" ", 1)[0] + " …")


def _one_line(text: str) -> str:
    words = " ".join(str(text).split())
    return words if len(words) <= 80 else words[:79] + "…"


def meaning(index: Index, expression: Expression) -> str:
    """Markdown: a condition (or a number in braces) and what it means, or why it does not parse."""
    source = expression.source.strip()
    want = conditions.BOOL
    try:
        try:
            parsed = conditions.parse(source, index.names, index.deducible, expression.here)
        except ConditionError:
            parsed = conditions.parse(source, index.names, index.deducible, expression.here, conditions.NUM)
            want = conditions.NUM
    except ConditionError as exc:
        return f"**condition** `{source}`\n\ndoes not parse: {exc.message}"
    if want == conditions.NUM:
        return f"**number** `{source}`\n\nshows {_explain(index, parsed.tree)}"
    return f"**condition** `{source}`\n\ntrue when {_explain(index, parsed.tree)}"


def _explain(index: Index, node: Node, inner: bool = False) -> str:
    if isinstance(node, Lit):
        return str(node.value).lower() if isinstance(node.value, bool) else str(node.value)
    if isinstance(node, Ref):
        return _ref(index, node)
    if isinstance(node, Not):
        operand = node.operand
        if isinstance(operand, Ref) and operand.kind == "clue":
            return f"you do not hold {_ref(index, operand)}"
        if isinstance(operand, Ref) and operand.kind == "flag":
            return f"flag `{operand.name}` is not set"
        if isinstance(operand, Ref) and operand.kind == "visited":
            return _ref(index, operand).replace("you have been", "you have not been", 1)
        return f"not ({_explain(index, operand)})"
    if isinstance(node, BoolOp):
        joined = f" **{node.op}** ".join(_explain(index, part, True) for part in node.operands)
        return f"({joined})" if inner else joined
    assert isinstance(node, Compare)
    return f"{_explain(index, node.left, True)} {_WORDS_FOR[node.op]} {_explain(index, node.right, True)}"


def _ref(index: Index, ref: Ref) -> str:
    def title(section: str, name: str) -> str:
        data = index.data(Symbol(section, name))
        named = title_of(data) if data is not None else ""
        return f"`{name}` ({_one_line(named)})" if named else f"`{name}`"

    if ref.kind == "clue":
        return f"you hold clue {title('clues', ref.name)}"
    if ref.kind == "flag":
        return f"flag `{ref.name}` is set"
    if ref.kind == "visited":
        return f"you have been to {title('scenes', ref.name)}"
    if ref.kind == "visits":
        return f"the times you entered {title('scenes', ref.name)}"
    if ref.kind == "taken":
        scene, _, choice = ref.name.rpartition(".")
        return f"the times you took `{choice}` in {title('scenes', scene)}"
    if ref.kind == "stat":
        data = index.data(Symbol("stats", ref.name))
        parts = [_one_line(title_of(data))] if data is not None and title_of(data) else []
        if isinstance(data, YMap):
            parts.append(f"{data.get('min')}..{data.get('max')}")
        return f"stat `{ref.name}`" + (f" ({', '.join(parts)})" if parts else "")
    if ref.kind == "turn":
        return "the turn"
    return f"{ref.kind} `{ref.name}`"  # a kind this module does not know yet: said plainly
