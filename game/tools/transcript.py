"""Transcripts: a replayed log written out as the player read it.

Each turn shows the scene's title and text, the choices on offer, the one
taken (marked with '>') and what it did. Golden transcripts in the tests pin
the story's behaviour: an edit that changes what a walkthrough reads shows up
as a diff. Renames declared in the manifest are followed, as in any replay.
"""

from __future__ import annotations

import difflib
import itertools
import textwrap

from ..engine import Engine
from ..rules import Numbering, keep_numbers, visit_of
from ..state import LogEntry
from ..story import Story
from ..ui import render

WIDTH = 78
PROSE = {"class:text", "class:outcome", "class:ending"}


def _para(text: str) -> str:
    """A paragraph wrapped; its kept line breaks (a `lines:` paragraph) stay, and
    a blank line inside (several paragraphs in one piece) stays a blank line."""
    return "\n\n".join("\n".join(textwrap.fill(" ".join(line.split()), width=WIDTH) for line in block.split("\n"))
                       for block in text.split("\n\n"))


def _block(lines: list[tuple[str, str]]) -> list[str]:
    """Lines as the player reads them: a blank line between two paragraphs of prose,
    so that a merged or split paragraph shows in a diff."""
    out: list[str] = []
    previous = ""
    for style, text in lines:
        if style in PROSE and previous in PROSE:
            out.append("")
        out.append(_para(text))
        previous = style
    return out


def transcript(story: Story, log: list[LogEntry], seed: int = 0, engine: Engine | None = None,
               upto: int | None = None) -> str:
    """Replay the log (up to turn `upto`) and return the transcript text.

    Replay stops at the first entry that does not fit, with a line saying
    why; callers that must fail on a misfit check it first (saves.replay_doc).
    """
    engine = engine or Engine(story)
    pt, step = engine.start(seed)
    out = [f"Transcript: {story.title} (version {story.version})", f"Seed: {seed}", ""]
    entries = log if upto is None else log[:upto]
    memory = render.SceneMemory()  # a turn that stays in its scene shows only what is new, as in play
    numbering: Numbering | None = None  # choice numbers stay put for a visit, as in play
    for turn in range(len(entries) + 1):
        if turn:
            out.append("")
        # writers want the numbers behind the stats' words
        out.extend(_block(render.step_lines(story, step, pt, numbers=True)))
        out.append(f"--- Turn {turn} ---")
        out.extend(_block(memory.lines(engine, pt, only_new=turn > 0)
                          + render.arrival_lines(story, step, pt, numbers=True)))
        if pt.over:
            out.extend(_block(render.ending_lines(story, pt)[:-1]))
            break
        if step.entered:
            numbering = None
        offers, numbering = keep_numbers(engine.offers(pt), visit_of(pt), numbering)
        if turn == len(entries):
            out.extend("  " + text for _style, text in render.offer_lines(offers))
            break
        entry, problem = engine.fit(pt, entries[turn])
        for offer in offers:
            mark = ">" if offer.id == entry.choice and problem is None else " "
            state = "" if offer.enabled else " [locked]"
            out.append(f"{mark} {offer.number}.{state} {offer.text}")
        if problem is not None:
            out.append(f"(turn {turn + 1} no longer fits: in scene '{entries[turn].scene}', "
                       f"choice '{entries[turn].choice}': {problem}; replay stops)")
            break
        step = engine.choose(pt, entry.choice)
    return "\n".join(out).rstrip() + "\n"


def compare(expected: str, actual: str, name: str, context: int = 2, most: int = 60) -> str:
    """A unified diff of two transcripts ('' when they are the same), at most
    `most` lines: a regression check, like Inform's blessed transcripts."""
    old, new = expected.splitlines(), actual.splitlines()
    if old == new:  # a missing last newline is not a regression
        return ""
    lines = list(difflib.unified_diff(old, new, name, "this replay", n=context, lineterm=""))
    if len(lines) > most:
        lines = [*lines[:most], f"... and {len(lines) - most} more lines of difference"]
    return "\n".join(lines) + "\n"


def first_difference(expected: str, actual: str) -> int:
    """The first line (1-based) where two different transcripts part."""
    pairs = itertools.zip_longest(expected.splitlines(), actual.splitlines())
    return next((number for number, (a, b) in enumerate(pairs, 1) if a != b), 1)
