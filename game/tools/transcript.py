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
from dataclasses import dataclass, field

from ..engine import Engine, Offer
from ..questions import ASK, parse_answer
from ..rules import Numbering, keep_numbers, visit_of
from ..state import LogEntry
from ..story import Story
from ..ui import board, render
from ..ui.render import Line

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


@dataclass
class TurnText:
    """One turn as the player read it: the lines of what the last choice did,
    the scene (and what arriving gave), then the ending or the choices offered
    and the number taken. A transcript is a list of these, however it was
    played: replayed here, or read back from the web page (tests/web)."""

    before: list[Line]
    scene: list[Line]
    ending: list[Line] | None = None
    offers: list[Offer] = field(default_factory=list)
    taken: int | None = None  # the number chosen; None on the last turn
    problem: str = ""  # why the next entry of the log did not fit
    answer: str = ""  # the answer given, in words, when the number taken was a question's


def transcript(story: Story, log: list[LogEntry], seed: int = 0, engine: Engine | None = None,
               upto: int | None = None) -> str:
    """Replay the log (up to turn `upto`) and return the transcript text.

    Replay stops at the first entry that does not fit, with a line saying
    why; callers that must fail on a misfit check it first (saves.replay_doc).
    """
    engine = engine or Engine(story)
    pt, step = engine.start(seed)
    entries = log if upto is None else log[:upto]
    memory = render.SceneMemory()  # a turn that stays in its scene shows only what is new, as in play
    numbering: Numbering | None = None  # choice numbers stay put for a visit, as in play
    turns: list[TurnText] = []
    for turn in range(len(entries) + 1):
        # writers want the numbers behind the stats' words
        text = TurnText(render.step_lines(story, step, pt, numbers=True),
                        memory.lines(engine, pt, only_new=turn > 0)
                        + render.arrival_lines(story, step, pt, numbers=True)
                        + board.arrival_board(engine, pt, step.entered, hint=False))
        turns.append(text)
        if pt.over:
            text.ending = render.ending_lines(story, pt)[:-1]
            break
        if step.entered:
            numbering = None
        text.offers, numbering = keep_numbers(engine.offers(pt), visit_of(pt), numbering)
        if turn == len(entries):
            break
        entry, problem = engine.fit(pt, entries[turn])
        if problem is not None:
            text.problem = (f"(turn {turn + 1} no longer fits: in scene '{entries[turn].scene}', "
                            f"choice '{entries[turn].choice}': {problem}; replay stops)")
            break
        answered = parse_answer(entry.choice)  # an answer is taken as its question's offer
        taken = ASK + answered[0] if answered else entry.choice
        text.taken = next(offer.number for offer in text.offers if offer.id == taken)
        if answered:
            text.answer = board.describe_move(engine, entry.choice) or ""
        step = engine.choose(pt, entry.choice)
    return format_transcript(story.title, story.version, seed, turns)


def format_transcript(title: str, version: str, seed: int, turns: list[TurnText]) -> str:
    """The text of a transcript: a header, then each turn; the choices of a
    turn played on are listed with '>' at the one taken."""
    out = [f"Transcript: {title} (version {version})", f"Seed: {seed}", ""]
    for number, turn in enumerate(turns):
        if number:
            out.append("")
        out.extend(_block(turn.before))
        out.append(f"--- Turn {number} ---")
        out.extend(_block(turn.scene))
        if turn.ending is not None:
            out.extend(_block(turn.ending))
            break
        if turn.taken is None and not turn.problem:
            out.extend("  " + text for _style, text in render.offer_lines(turn.offers))
            break
        for offer in turn.offers:
            mark = ">" if offer.number == turn.taken else " "
            state = "" if offer.enabled else " [locked]"
            out.append(f"{mark} {offer.number}.{state} {render.offer_text(offer)}")
        if turn.answer:
            out.append(_para(f"  ({turn.answer})"))
        if turn.problem:
            out.append(turn.problem)
            break
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
