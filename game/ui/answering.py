"""Answering a question blank by blank: the answer being put together, for every UI.

The player picks an open question from the choices (its number), then fills
its slots one at a time, by a candidate's number or its name; the whole
answer is then shown, and only a confirmation turns it into a move
(`answer:Q:slot=value,...`, taken like any choice: a turn, logged, replayed).
Plain mode prompts one slot at a time; the full UI shows the same candidates
as options to pick with the arrow keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ChoiceError
from ..questions import answer_id
from ..story import Question
from .board import Line, answer_text, stakes

CONFIRM_WORDS = ("yes", "y", "answer", "confirm")
BACK_WORDS = ("back",)
CANCEL_WORDS = ("cancel", "stop")


@dataclass
class Draft:
    question: Question
    values: dict[str, str] = field(default_factory=dict)
    slot: int = 0  # the slot being filled; len(slots): the whole answer is shown for confirming

    @property
    def confirming(self) -> bool:
        return self.slot >= len(self.question.slots)

    @property
    def move(self) -> str:
        return answer_id(self.question.id, {s.id: self.values[s.id] for s in self.question.slots})


@dataclass(frozen=True)
class Pick:
    """One numbered entry while answering: a candidate, or a line of the confirmation menu."""

    number: int
    text: str
    action: str  # "fill:<value>", "answer", "change:<slot index>", "cancel"


def picks(session, draft: Draft) -> list[Pick]:
    """What the player can pick now, numbered."""
    rules = session.engine.questions
    question = draft.question
    if not draft.confirming:
        slot = question.slots[draft.slot]
        return [Pick(n, rules.label(slot, value), f"fill:{value}")
                for n, value in enumerate(rules.candidates(question, slot, session.pt), start=1)]
    result = [Pick(1, "Give this answer.", "answer")]
    for index, slot in enumerate(question.slots):
        result.append(Pick(len(result) + 1, f"Change '{slot.prompt}' (now: {rules.label(slot, draft.values[slot.id])})",
                           f"change:{index}"))
    result.append(Pick(len(result) + 1, "Cancel: leave the question for now.", "cancel"))
    return result


def prompt_lines(session, draft: Draft) -> list[Line]:
    """The question, the answer so far, and what to do next (the picks follow as options)."""
    question = draft.question
    lines: list[Line] = [("class:title", question.ask)]
    cost = stakes(session.story, question, session.pt)
    if cost and (draft.confirming or draft.slot == 0):
        lines.append(("class:stakes", cost))
    if draft.confirming:
        lines.append(("class:text", "Your answer: " + answer_text(session.story, question, draft.values)))
        lines.append(("class:hint", "Type 1 or 'yes' to give it, the number of a blank to change it, "
                                    "or 'cancel'."))
        return lines
    filled = {k: v for k, v in draft.values.items()
              if any(s.id == k for s in question.slots[:draft.slot])}
    if filled:
        lines.append(("class:text", "So far: " + answer_text(session.story, question, filled)))
    slot = question.slots[draft.slot]
    lines.append(("class:heading", f"Blank {draft.slot + 1} of {len(question.slots)}: {slot.prompt}"))
    lines.append(("class:hint", "Type a number or a name; 'back' for the previous blank, 'cancel' to stop."))
    return lines


def choose(session, draft: Draft, text: str) -> str:
    """Apply one line of input to the draft: returns 'answer', 'cancel', or 'more' (keep
    prompting). ChoiceError says what is wrong with the input (it changes nothing)."""
    word = text.strip().lower()
    options = picks(session, draft)
    if word in CANCEL_WORDS:
        return "cancel"
    if word in BACK_WORDS:
        if draft.slot == 0:
            raise ChoiceError("this is the first blank; type 'cancel' to leave the question")
        draft.slot -= 1
        return "more"
    if draft.confirming and word in CONFIRM_WORDS:
        return "answer"
    if draft.confirming and word in ("no", "n"):
        draft.values.clear()
        draft.slot = 0
        return "more"
    if word.isascii() and word.isdecimal():
        number = int(word)
        if not 1 <= number <= len(options):
            where = "on the list" if draft.confirming else \
                f"for '{draft.question.slots[draft.slot].prompt}'"
            raise ChoiceError(f"there is no {number} {where}; pick 1 to {len(options)}")
        return _act(draft, options[number - 1].action)
    if draft.confirming:
        raise ChoiceError("type 1 or 'yes' to give the answer, a number to change a blank, or 'cancel'")
    return _act(draft, "fill:" + _by_name(session, draft, word))


def _act(draft: Draft, action: str) -> str:
    if action == "answer":
        return "answer"
    if action == "cancel":
        return "cancel"
    if action.startswith("change:"):
        draft.slot = int(action.split(":", 1)[1])
        return "more"
    draft.values[draft.question.slots[draft.slot].id] = action.split(":", 1)[1]
    draft.slot += 1
    if not draft.confirming and draft.question.slots[draft.slot].id in draft.values:
        draft.slot = len(draft.question.slots)  # changing one blank of a full answer: back to the whole
    return "more"


def _by_name(session, draft: Draft, word: str) -> str:
    """A candidate named by the player: its whole name, a word of it, or the start of one."""
    rules = session.engine.questions
    question = draft.question
    slot = question.slots[draft.slot]
    values = rules.candidates(question, slot, session.pt)
    story = session.story

    def names(value: str) -> list[str]:
        found = [rules.label(slot, value), value.replace("_", " ")]
        entity = story.entities.get(value)
        if entity is not None and slot.pool != "clues":
            found.extend(entity.words)
        return [n.lower() for n in found]

    exact = [v for v in values if word in names(v)]
    if len(exact) == 1:
        return exact[0]
    near = [v for v in values if any(n.startswith(word) or f" {word}" in f" {n}" for n in names(v))]
    if len(near) == 1:
        return near[0]
    kind = {"clues": "clue you hold", "people": "person you know of", "places": "place you know of",
            "things": "thing you know of", "options": "option"}[slot.pool]
    if len(near) > 1:
        which = ", ".join(rules.label(slot, v) for v in near[:4])
        raise ChoiceError(f"'{word}' could be {which}; type its number")
    shown = word[:40]
    raise ChoiceError(f"there is no {kind} called '{shown}' for '{slot.prompt}'; type a number from the list")
