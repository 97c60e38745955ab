"""Where the cursor is in a YAML file, read from the text alone (it is often half-typed).

    scenes:
      office.desk:
        choices:
          - id: call
            goto: office.ph|

gives the container path ("scenes", "office.desk", "choices", "[]"), the
key whose value the cursor is in ("goto") and the word typed so far
("office.ph"). The path is found from indentation, walking up from the
cursor's line, so it works while the file does not parse. A flow
collection open on the cursor's line (`stat: {trust: +1, ra|`) counts too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ITEM = "[]"  # a list item in a path
_LEAD = re.compile(r"^( *)((?:- +)*)")
_KEY = re.compile(r"""^(?:"([^"]*)"|'([^']*)'|([^\s#'"{\[][^#]*?))\s*:(?:\s|$)""")
_TYPED = re.compile(r"[A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class Place:
    path: tuple[str, ...]  # keys and ITEMs from the top of the file to the cursor's mapping or list
    key: str | None  # the key whose value the cursor is in; None: where a key (or a list's item) goes
    value: str  # what is written of that value (or of the key or item) before the cursor
    typed: str  # the word being typed (letters, digits, _ and dots) up to the cursor
    line: str  # the whole line


def _split(line: str) -> tuple[int, int, int, str]:
    """(indent, number of '- ' marks, column of the content after them, the content)."""
    match = _LEAD.match(line)
    assert match is not None
    return len(match.group(1)), match.group(2).count("-"), match.end(), line[match.end():]


def _key(content: str) -> tuple[str | None, str]:
    """A line's key and what follows its colon (None and the content if it has no key)."""
    match = _KEY.match(content)
    if match is None:
        return None, content
    key = next(group for group in match.groups() if group is not None).strip()
    return key, content[match.end():]


def place(lines: list[str], row: int, col: int) -> Place:
    line = lines[row] if 0 <= row < len(lines) else ""
    before = line[:col]
    indent, dashes, content_col, content = _split(before)
    # The cursor's own list item starts at its dash: items above at that column are its siblings.
    target = indent if dashes else content_col if content else col
    path, continued = _parents(lines, row, target)
    path.extend([ITEM] * dashes)
    typed = _TYPED.search(before).group()  # type: ignore[union-attr]
    key, rest = _key(content)
    if key is None:
        if continued and not dashes:  # a value continued from the line above
            return Place(tuple(path[:-1]), path[-1], content.strip(), typed, line)
        return Place(tuple(path), None, content.strip(), typed, line)
    inner = _flow(rest)
    if inner is None:
        return Place(tuple(path), key, rest.strip(), typed, line)
    inside, flow_key, value = inner
    return Place(tuple([*path, key, *inside]), flow_key, value, typed, line)


def _flow(rest: str) -> tuple[list[str], str | None, str] | None:
    """Inside `{a: 1, b|` or `[x, y|` (after a key): the path into it, the key whose value the
    cursor is in (None: where a key or item goes), and what is typed of it. None if not inside.
    A `key: value` directly in a list (`[stat: {nerve: 1}, clue: |`) is YAML's single-pair
    mapping: the item is a mapping with that one key."""
    if not rest.lstrip().startswith(("{", "[")):
        return None  # a scalar: braces inside text are inline markup, not YAML
    stack: list[tuple[str, tuple[str, ...]]] = []  # (bracket, the steps from its parent to it)
    key: str | None = None
    token = ""
    for ch in rest:
        if ch in "{[":
            parent = stack[-1][0] if stack else ""
            steps: tuple[str, ...] = ()
            if parent == "{" and key is not None:
                steps = (key,)
            elif parent == "[":
                steps = (ITEM, key) if key is not None else (ITEM,)
            stack.append((ch, steps))
            key, token = None, ""
        elif ch in "}]":
            if stack:
                stack.pop()
            token = ""
        elif ch == "," and stack:
            key, token = None, ""
        elif ch == ":" and stack and key is None:
            key, token = token.strip(), ""
        else:
            token += ch
    if not stack:
        return None
    path = [step for _, steps in stack for step in steps]
    if stack[-1][0] == "[":
        return [*path, ITEM], key, token.strip()
    return path, key, token.strip()


def _parents(lines: list[str], row: int, target: int) -> tuple[list[str], bool]:
    """The keys and list items enclosing content that starts at column target on line row; and
    whether the innermost is a key with its value on its own line (the value continues below)."""
    path: list[str] = []
    continued = False
    for above in range(row - 1, -1, -1):
        if target <= 0:
            break
        text = lines[above]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent, dashes, content_col, content = _split(text)
        if content_col < target:
            key, rest = _key(content)
            if key is None and not dashes:
                continue  # a line of a text block
            if key is not None:
                if not path and rest.strip() and rest.strip()[0] not in "|>&#":
                    continued = True
                path.insert(0, key)
            path[0:0] = [ITEM] * dashes
            target = indent if dashes else content_col
        elif content_col == target and dashes:
            path[0:0] = [ITEM] * dashes
            target = indent
    return path, continued
