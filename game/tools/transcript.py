"""Transcripts: a replayed log written out as the player read it.

Each turn shows the scene's title and text, the choices on offer, the one
taken (marked with '>') and what it did. Golden transcripts in the tests pin
the story's behaviour: an edit that changes what a walkthrough reads shows up
as a diff.
"""

from __future__ import annotations

import textwrap

from ..engine import Engine
from ..state import LogEntry
from ..story import Story
from ..ui import render

WIDTH = 78


def _para(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=WIDTH)


def transcript(story: Story, log: list[LogEntry], seed: int = 0, engine: Engine | None = None,
               upto: int | None = None) -> str:
    """Replay the log (up to turn `upto`) and return the transcript text.

    Replay stops quietly at the first entry that does not fit; the caller
    checks fitness first (saves.restore) when that matters.
    """
    engine = engine or Engine(story)
    pt, step = engine.start(seed)
    out = [f"Transcript: {story.title} (version {story.version})", f"Seed: {seed}", ""]
    entries = log if upto is None else log[:upto]
    for turn in range(len(entries) + 1):
        for _style, text in render.step_lines(story, step):
            out.append(_para(text))
        out.append(f"--- Turn {turn} ---")
        for _style, text in render.scene_lines(engine, pt):
            out.append(_para(text))
        if pt.over:
            out.extend(_para(text) for _style, text in render.ending_lines(story, pt)[:-1])
            break
        if turn == len(entries):
            out.extend("  " + text for _style, text in render.offer_lines(engine.offers(pt)))
            break
        entry = entries[turn]
        offers = engine.offers(pt)
        for offer in offers:
            mark = ">" if offer.id == entry.choice else " "
            state = "" if offer.enabled else " [locked]"
            out.append(f"{mark} {offer.number}.{state} {offer.text}")
        if engine.why_locked(pt, entry.choice) is not None:
            out.append(f"(the log's next choice '{entry.choice}' does not fit here; replay stops)")
            break
        step = engine.choose(pt, entry.choice)
    return "\n".join(out).rstrip() + "\n"
