"""Drawing text: which paragraphs of a scene or outcome show now, and which variant.

Pure functions of the story's paragraphs and a playthrough; the engine calls
them, nothing here changes state.
"""

from __future__ import annotations

import zlib

from .state import Playthrough
from .story import Paragraph


def render(paragraphs: tuple[Paragraph, ...], pt: Playthrough, key: str, turn: int) -> list[str]:
    """Text whose `if:` holds now, and one variant of each `one_of`.

    Variants take turns (ink's cycle), from a start fixed by key (the seed and
    the place), so a scene's visits never show the same variant twice running
    and show them all before any repeats, while a replay with the same seed
    reads the same. `turn` counts the scene's visits (for an outcome, how often
    its choice was taken before).
    """
    shown = []
    for index, para in enumerate(paragraphs):
        if para.condition is not None and not para.condition(pt):
            continue
        if len(para.variants) == 1:
            shown.append(para.variants[0])
        else:
            start = zlib.crc32(f"{key}:{index}".encode())
            shown.append(para.variants[(start + turn) % len(para.variants)])
    return [p.strip() for p in shown if p.strip()]
