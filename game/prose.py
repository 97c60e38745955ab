"""Drawing text: which paragraphs of a scene or outcome show now, which variant, and what
the inline markup (game.markup) says in this playthrough.

Pure functions of the story's text and a playthrough; the engine calls them,
nothing here changes state. Randomness (a shuffle, a `one_of`'s start) is a
hash of the seed and the place, so a replay reads the same.

How a text becomes paragraphs: a blank line starts a new paragraph; any
other run of spaces and line breaks is one space (YAML's `|` blocks keep the
writer's hard-wrapped lines, which are not line breaks); in a `lines:`
paragraph every line break is kept. A kept line break is a "\\n" inside a
returned paragraph; paragraphs never hold a blank line.
"""

from __future__ import annotations

import hashlib
import re
import zlib

from .markup import Alternatives, Number, Plural, Seq, Text, When, literal
from .state import Playthrough
from .story import Paragraph

_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def render(paragraphs: tuple[Paragraph, ...], pt: Playthrough, key: str, turn: int,
           shown: int | None = None) -> list[str]:
    """Text whose `if:` holds now, one variant of each `one_of`, markup drawn.

    `one_of` variants take turns (ink's cycle), from a start fixed by key (the
    seed and the place), so a scene's visits never show the same variant twice
    running and show them all before any repeats, while a replay with the same
    seed reads the same. `turn` counts the scene's visits (for an outcome, how
    often its choice was taken before); `shown` is how many times the text was
    shown before (0 the first time), for inline alternatives (default: turn).
    """
    count = turn if shown is None else shown
    result: list[str] = []
    for index, para in enumerate(paragraphs):
        if para.condition is not None and not para.condition(pt):
            continue
        texts = para.texts
        if len(texts) == 1:
            text = texts[0]
        else:
            start = zlib.crc32(f"{key}:{index}".encode())
            text = texts[(start + turn) % len(texts)]
        result.extend(shape(draw(text, pt, f"{key}:{index}", count), text.lines))
    return result


def render_text(text: Text, pt: Playthrough, key: str, count: int = 0) -> str:
    """One text drawn and shaped: its paragraphs joined by blank lines."""
    return "\n\n".join(shape(draw(text, pt, key, count), text.lines))


def shape(raw: str, lines: bool = False) -> list[str]:
    """Paragraphs from drawn text: blank lines split, other whitespace folds (see the module doc)."""
    result = []
    for chunk in _BLANK_LINE.split(raw):
        if lines:
            para = "\n".join(" ".join(line.split()) for line in chunk.split("\n") if line.strip())
        else:
            para = " ".join(chunk.split())
        if para:
            result.append(para)
    return result


def fold(text: str) -> str:
    """Plain text (a clue's, an intro) shaped like prose: paragraphs by blank lines, the rest folded."""
    return "\n\n".join(shape(text))


def draw(text: Text, pt: Playthrough, key: str, count: int) -> str:
    """The text with its markup resolved for pt; `count` is how many times it was shown before."""
    if text.plain:
        return "".join(text.parts)  # type: ignore[arg-type]
    out: list[str] = []
    _draw(text.parts, pt, key, count, out)
    return "".join(out)


def _draw(seq: Seq, pt: Playthrough, key: str, count: int, out: list[str]) -> None:
    for piece in seq:
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, Number):
            out.append(str(piece.expr(pt)))
        elif isinstance(piece, When):
            _draw(piece.then if piece.condition(pt) else piece.otherwise, pt, key, count, out)
        elif isinstance(piece, Plural):
            value = piece.expr(pt)
            if value == 0 and len(piece.forms) == 3:
                _draw(piece.forms[0], pt, key, count, out)
            else:
                out.append(f"{value} ")
                _draw(piece.forms[-2] if value in (1, -1) else piece.forms[-1], pt, key, count, out)
        else:
            option = choose(piece, f"{key}:{piece.index}", count)
            if option is not None:
                _draw(piece.options[option], pt, key, count, out)


def choose(alt: Alternatives, key: str, count: int) -> int | None:
    """Which option an alternative shows on its showing number `count` (0 first); None: nothing."""
    n = len(alt.options)
    if alt.kind == "sequence":
        return min(count, n - 1)
    if alt.kind == "cycle":
        return count % n
    if alt.kind == "once":
        return count if count < n else None
    # shuffle: every round of n showings is a fresh seeded permutation
    round_, place = divmod(count, n)
    order = list(range(n))
    for i in range(n - 1, 0, -1):  # Fisher-Yates with hashed draws: the same on every Python
        j = draw_number(f"{key}:{round_}:{i}", i + 1)
        order[i], order[j] = order[j], order[i]
    return order[place]


def draw_number(key: str, n: int) -> int:
    """A whole number in 0..n-1 fixed by key: the engine's only source of chance.

    A hash, not random.Random: the same on every platform and Python version,
    and stateless, so replays and saves draw exactly the same numbers.
    """
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n


__all__ = ["choose", "draw", "draw_number", "fold", "literal", "render", "render_text", "shape"]
