"""The case board as the player reads it: open questions, clues, people and places,
an answer being put together, and what answering did.

Styled lines like game.ui.render (no wrapping, meaning never in colour alone),
shared by plain mode, the full UI and transcripts. Nothing here says whether a
closed question was closed rightly: a wrong conclusion reads like any other
answer, because the player believes it.
"""

from __future__ import annotations

from collections import defaultdict

from ..events import Event, QuestionAnswered, QuestionConfirmed, QuestionLocked, QuestionPending
from ..questions import candidate_label, parse_answer
from ..rules import Rules
from ..state import Playthrough
from ..story import ChangeStat, Question, Story

Line = tuple[str, str]


def answer_text(story: Story, question: Question, values: dict[str, str] | tuple) -> str:
    """'Who did it? The woman in the gray coat. What shows it? The bent scaffold.'

    Each blank's prompt then its value, as sentences: prompts are written to start one
    ("They came from", "Because of"), so the parts are joined with full stops."""
    given = dict(values)
    parts = [f"{slot.prompt} {_mid_sentence(slot.prompt, candidate_label(story, slot, given[slot.id]))}"
             for slot in question.slots if slot.id in given]
    return ". ".join(parts) + "."


def _mid_sentence(prompt: str, label: str) -> str:
    """A label read after a prompt: "Because of" + "The bent scaffold" reads "Because of the bent
    scaffold"; after a prompt that ends a sentence ("Who did it?") the label starts one."""
    label = label.rstrip(".")
    if prompt.rstrip()[-1:] not in ("?", ":", ".", "!") and label.split(" ", 1)[0] in ("The", "A", "An"):
        return label[0].lower() + label[1:]
    return label


def describe_move(rules: Rules, move: str) -> str | None:
    """An answer move in words (for history and transcripts); None if it is not one."""
    return describe_answer(rules.story, move)


def describe_answer(story: Story, move: str) -> str | None:
    """An answer move in words, from the story alone; None if it is not one."""
    parsed = parse_answer(move)
    if parsed is None or parsed[0] not in story.questions:
        return None
    question = story.questions[parsed[0]]
    return f"answered '{question.ask}': {answer_text(story, question, parsed[1])}"


def stakes(story: Story, question: Question, pt: Playthrough) -> str | None:
    """What getting this question wrong costs, in one line (None: nothing), so a player
    can weigh a guess before making it: the shown stats a wrong answer moves, the lock,
    and batches that are confirmed only together."""
    parts = []
    wrong = question.wrong
    if wrong.effects:
        shown = [story.stats[e.stat].label for e in wrong.effects
                 if isinstance(e, ChangeStat) and e.stat in story.stats and story.stats[e.stat].shown]
        parts.append(f"a wrong answer costs you ({', '.join(dict.fromkeys(shown))})" if shown
                     else "a wrong answer costs you something")
    if question.lock_after:
        so_far = pt.wrong.get(question.id, 0) % question.lock_after
        tries = "each wrong answer locks" if question.lock_after == 1 else \
            f"every {question.lock_after} wrong answers lock"
        parts.append(f"{tries} it for {question.lock_turns} turn{'s' * (question.lock_turns != 1)}"
                     + (f" ({so_far} so far)" if so_far else ""))
    if question.batch:
        parts.append(f"the board confirms answers only {question.batch_size} at a time, all right together")
    if not parts:
        return None
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def question_notices(story: Story, events: list[Event], pt: Playthrough) -> list[Line]:
    lines: list[Line] = []
    for event in events:
        if isinstance(event, QuestionAnswered):
            question = story.questions[event.question]
            if event.closed:
                lines.append(("class:notice", f"Answered: {question.ask}"))
            else:
                count = pt.wrong.get(event.question, 0)
                lines.append(("class:notice", f"Wrong answer ({count} so far)."))
        elif isinstance(event, QuestionLocked):
            lines.append(("class:notice", f"Too many wrong answers: that question is locked for "
                                          f"{event.turns} turn{'s' * (event.turns != 1)}."))
        elif isinstance(event, QuestionPending):
            question = story.questions[event.question]
            lines.append(("class:notice", f"Pinned, not confirmed yet: {question.ask}"))
        elif isinstance(event, QuestionConfirmed):
            lines.append(("class:notice", f"Confirmed: {story.questions[event.question].ask}"))
    return lines


def open_question_lines(rules: Rules, pt: Playthrough, everywhere: bool = True) -> list[Line]:
    """The investigation's to-do list: questions open now (anywhere, or here), then those settled."""
    story = rules.story
    questions = rules.questions
    lines: list[Line] = []
    # A question asked in one scene only (its `at`) is listed there, not as an errand elsewhere.
    open_now = [q for q in story.questions.values() if questions.is_open(q, pt)
                and (not q.at or pt.scene in q.at)] if everywhere else questions.open_here(pt)
    if open_now:
        lines.append(("class:heading", "Open questions"))
        for question in open_now:
            notes = []
            turns = questions.locked_for(question, pt)
            if turns:
                notes.append(f"locked for {turns} more turn{'s' * (turns != 1)}")
            if question.id in pt.pending:
                notes.append("pinned: " + answer_text(story, question, pt.pending[question.id]).rstrip("."))
            where = "" if not question.at else f" (asked in: {', '.join(_titles(story, question.at))})"
            note = f" [{'; '.join(notes)}]" if notes else ""
            lines.append(("class:item", f"- {question.ask}{where}{note}"))
    answered = [(story.questions[q], c) for q, c in pt.answers.items() if q in story.questions]
    if answered:
        lines.append(("class:heading", "Answered"))
        for question, conclusion in answered:
            given = answer_text(story, question, conclusion.values) if conclusion.values else \
                "settled face to face."
            lines.append(("class:item", f"- {question.ask} {given}"))
    return lines


def board_lines(rules: Rules, pt: Playthrough, compact: bool = False) -> list[Line]:
    """The case board: open questions, the clues found (titles, by group), who and what is known.
    compact: names only, one line each for people, places and things (walking up to the board);
    the `board` command shows what the board says beside each name."""
    story = rules.story
    lines: list[Line] = [("class:heading", "The case board")]
    if not compact:  # walking up to it, the open questions are listed with the choices below
        lines += open_question_lines(rules, pt)
    groups: dict[str, list[str]] = defaultdict(list)
    order = {clue_id: index for index, clue_id in enumerate(story.clues)}
    for clue_id in sorted(pt.clues, key=lambda c: order.get(c, 0)):
        clue = story.clues[clue_id]
        groups[clue.group].append(clue.title)
    if groups:
        lines.append(("class:heading", "Clues"))
        lines.extend(("class:item", f"- {group}: {'; '.join(titles)}.") for group, titles in groups.items())
    if compact and any(e.is_known(pt) for e in story.entities.values()):
        lines.append(("class:heading", "Who and what you can name"))
    for kind, heading in (("people", "People"), ("places", "Places"), ("things", "Things")):
        known = [e for e in story.entities.values() if e.kind == kind and e.is_known(pt)]
        if known and compact:
            lines.append(("class:item", f"- {heading}: {'; '.join(e.name for e in known)}."))
        elif known:
            lines.append(("class:heading", heading))
            lines.extend(("class:item", f"- {e.name}" + (f": {e.text.strip()}" if e.text.strip() else ""))
                         for e in known)
    if len(lines) == 1:
        lines.append(("class:text", "Nothing on it yet."))
    return lines


def arrival_board(rules: Rules, pt: Playthrough, entered: list[str], hint: bool = True) -> list[Line]:
    """The board, when the player has just walked up to a case board (what they came to read).
    hint: end with the terminal's pointer to the `board` command (not in transcripts, nor on
    the web page, which has its own button)."""
    story = rules.story
    if not story.questions:  # a story of needs/gives deductions reads as it always did
        return []
    scene = story.scenes[pt.scene]
    if not scene.case_board or pt.ending is not None or not entered or entered[-1] != pt.scene:
        return []
    more = [("class:hint", "Type 'board' for what the board says about each of them.")] if hint else []
    return [*board_lines(rules, pt, compact=True), *more]


def _titles(story: Story, scenes: tuple[str, ...]) -> list[str]:
    return [story.scenes[s].title or s for s in scenes if s in story.scenes]
