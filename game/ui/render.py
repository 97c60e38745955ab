"""What the player reads, as styled lines any UI can show.

Every function returns a list of (style, text) pairs, one paragraph each,
unwrapped: the plain mode wraps them to the terminal, the prompt-toolkit UI
lets its window wrap (so a resize re-wraps). Styles are names the full UI
maps to colours; plain mode ignores them, so nothing here may rely on colour
or layout to make sense (screen readers read plain mode).
"""

from __future__ import annotations

from collections import defaultdict

from ..engine import ClueFound, Engine, Event, GameEnded, Offer, SceneEntered, StatChanged, Step
from ..prose import render_text
from ..questions import ASK
from ..state import Playthrough
from ..story import Stat, Story
from . import board

Line = tuple[str, str]
ENDS_SENTENCE = (".", "!", "?", "…")


def sentence(text: str) -> str:
    """An error or warning as the player reads it: one sentence, starting with a
    capital letter and ending with a full stop. The rule for every message in
    the game: messages are made lower-case and unpunctuated below the UI (so the
    command line can prefix 'error: '), and made sentences here. A message that
    opens with a file's path or a quoted name keeps it exactly as written."""
    text = text.strip()
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if text[0].islower() and "/" not in first and "\\" not in first:
        text = text[0].upper() + text[1:]
    return text if text.endswith(ENDS_SENTENCE) else text + "."


def error_line(text: str) -> Line:
    return ("class:error", sentence(text))


def scene_lines(engine: Engine, pt: Playthrough) -> list[Line]:
    scene = engine.scene(pt)
    lines: list[Line] = []
    if scene.title:
        lines.append(("class:title", scene.title))
    lines.extend(("class:text", para) for para in engine.text(pt))
    return lines


class SceneMemory:
    """The scene text last shown, so a choice that stays in the scene shows only what is new.

    Re-reading the same paragraphs after every choice is noise in an hour of
    play; `look` shows the whole scene again. Shared by every UI and by
    transcripts, so they all read the same way.
    """

    def __init__(self) -> None:
        self._scene: str | None = None
        self._lines: list[Line] = []

    def lines(self, engine: Engine, pt: Playthrough, only_new: bool = False) -> list[Line]:
        lines = scene_lines(engine, pt)
        fresh = lines
        if only_new and self._scene == pt.scene:
            fresh = [line for line in lines if line[0] != "class:title" and line not in self._lines]
        self._scene, self._lines = pt.scene, lines
        return fresh


def offer_text(offer: Offer) -> str:
    """An offer's words: an open question reads as one, so it is not mistaken for a choice."""
    return f"Question: {offer.text}" if offer.id.startswith(ASK) else offer.text


SPENT = "nothing new there"  # the mark of a choice leading to a place with nothing left (Offer.spent)


def offer_lines(offers: list[Offer]) -> list[Line]:
    """The numbered choices in words only (plain mode reads them aloud): a locked
    one says "Locked:" and the writer's hint as written, no brackets."""
    lines: list[Line] = []
    for offer in offers:
        if offer.enabled:
            spent = f" ({SPENT})" if offer.spent else ""
            lines.append(("class:choice", f"{offer.number}. {offer_text(offer)}{spent}"))
        else:
            hint = f": {sentence(offer.hint)}" if offer.hint else "."
            lines.append(("class:locked", f"{offer.number}. {offer_text(offer)} Locked{hint}"))
    return lines


def _arrival(step: Step) -> int:
    """Where the events of arriving in a scene (its on_enter) begin in step.events."""
    entered = [i for i, event in enumerate(step.events) if isinstance(event, SceneEntered)]
    return entered[-1] + 1 if entered else len(step.events)


def step_lines(story: Story, step: Step, pt: Playthrough, numbers: bool = False) -> list[Line]:
    """The choice's narration and the notices of its own effects, shown before
    the new scene; what the scene itself gives waits for arrival_lines. pt is
    the playthrough after the step."""
    lines: list[Line] = []
    if step.outcome.strip():
        lines.append(("class:outcome", step.outcome.strip()))
    return lines + notice_lines(story, step.events[:_arrival(step)], pt, numbers)


def arrival_lines(story: Story, step: Step, pt: Playthrough, numbers: bool = False) -> list[Line]:
    """Notices of what entering the new scene gave (its on_enter), shown after
    its text: "Clue found: Alisa Jones" belongs after the kitchen where she
    says who she is, not before it."""
    return notice_lines(story, step.events[_arrival(step):], pt, numbers)


def notice_lines(story: Story, events: list[Event], pt: Playthrough, numbers: bool = False) -> list[Line]:
    """A line per clue found and per stat changed; a stat not listed now (its
    `if:` is false) changes silently, as it is on neither status nor toolbar."""
    lines: list[Line] = board.question_notices(story, events, pt)
    lines += [("class:notice", f"Clue found: {story.clues[e.clue].title}.")
              for e in events if isinstance(e, ClueFound)]
    lines.extend(("class:notice", stat_notice(story, e, numbers)) for e in events
                 if isinstance(e, StatChanged) and story.stats[e.stat].listed(pt))
    return lines


def stat_value(stat: Stat, value: int, numbers: bool = False) -> str:
    """A stat as the player reads it: its word where the story gives words (the
    number beside it on request), else the number; a clock as 'value/max'."""
    word = stat.word(value)
    if word:
        return f"{word}, {value}" if numbers else word
    return f"{value}/{stat.max}" if stat.clock else str(value)


def stat_notice(story: Story, change: StatChanged, numbers: bool = False) -> str:
    """What a change means, in the writer's words where they gave them (`rises:`,
    `falls:`), and where the stat stands now: "The crew trusts you a little more
    (Crew: loyal)." Without words, the numbers are all there is: "Trust up 1 (now 2)"."""
    stat = story.stats[change.stat]
    now = stat_value(stat, change.new, numbers)
    phrase = (stat.rises if change.delta > 0 else stat.falls).strip()
    if phrase:
        return f"{phrase.rstrip('.')} ({stat.label}: {now})."
    direction = "up" if change.delta > 0 else "down"
    amount = f" {abs(change.delta)}" if numbers or not stat.words else ""
    return f"{stat.label} {direction}{amount} (now {now})."


def ending_lines(story: Story, pt: Playthrough, discovered: int | None = None) -> list[Line]:
    ending = story.endings.get(pt.ending or "")
    if ending is None:
        return []
    lines: list[Line] = [("class:ending", f"THE END: {ending.title}")]
    text = render_text(ending.body, pt, f"{pt.seed}:ending:{ending.id}") if ending.body else ""
    if text:
        lines.append(("class:text", text))
    lines.append(("class:notice", f"Clues found: {len(pt.clues)} of {len(story.clues)}. Turns: {pt.turn}."))
    if discovered is not None:
        lines.append(("class:notice", f"Endings discovered: {discovered} of {len(story.endings)}."))
    lines.append(("class:hint", "Type 'undo' to step back, 'restart' to begin again, 'endings' to see "
                                "the endings found so far, or 'quit'."))
    return lines


def case_file_lines(story: Story, pt: Playthrough) -> list[Line]:
    if not pt.clues:
        return [("class:text", "The case file is empty. Nothing found yet.")]
    groups: dict[str, list[str]] = defaultdict(list)
    order = {clue_id: index for index, clue_id in enumerate(story.clues)}
    for clue_id in sorted(pt.clues, key=lambda c: order.get(c, 0)):
        clue = story.clues[clue_id]
        found = pt.clues[clue_id]
        scene = story.scenes.get(found.scene)
        where = scene.title if scene and scene.title else found.scene
        when = "at the start" if found.turn == 0 else f"turn {found.turn}"
        text = f" {clue.text.strip()}" if clue.text.strip() else ""
        groups[clue.group].append(f"- {clue.title}.{text} (Found: {where}, {when}.)")
    lines: list[Line] = [("class:title", f"Case file: {len(pt.clues)} of {len(story.clues)} clues")]
    for group, entries in groups.items():
        lines.append(("class:heading", group))
        lines.extend(("class:item", entry) for entry in entries)
    return lines


def status_lines(story: Story, pt: Playthrough, numbers: bool = False) -> list[Line]:
    scene = story.scenes[pt.scene]
    area = story.areas.get(scene.area)
    lines: list[Line] = [("class:title", "Status")]
    title = scene.title or scene.id
    area_title = area.title if area else scene.area
    where = title if area_title == title else f"{title}, {area_title}"  # the office hub is named for its area
    lines.append(("class:text", f"Where: {where}. Turn {pt.turn}. Clues: {len(pt.clues)} of {len(story.clues)}."))
    by_kind: dict[str, list[str]] = defaultdict(list)
    worded = False
    for stat in story.stats.values():
        if not stat.listed(pt):
            continue
        value = pt.stats[stat.id]
        word = stat.word(value)
        worded = worded or bool(word)
        if word and not numbers:
            by_kind[stat.kind].append(f"- {stat.label}: {word}")
        else:
            shown = f"{word}, {value}" if word else str(value)
            by_kind[stat.kind].append(f"- {stat.label}: {shown} (from {stat.min} to {stat.max})")
    for kind, heading in story.stat_groups.items():  # the manifest's groups and headings, in order
        if by_kind.get(kind):
            lines.append(("class:heading", heading))
            lines.extend(("class:item", entry) for entry in by_kind[kind])
    if worded:
        lines.append(("class:hint", "Type 'numbers off' to see words only." if numbers
                      else "Type 'numbers on' to see the numbers as well."))
    return lines


def ended(step: Step) -> bool:
    return any(isinstance(e, GameEnded) for e in step.events)


def choice_text(story: Story, scene_id: str, choice_id: str) -> str:
    """A logged choice as the player saw it offered: its text, or the deduction's label."""
    scene = story.scenes.get(scene_id)
    choice = scene.choice(choice_id) if scene else None
    if choice is not None:
        return choice.text
    answered = board.describe_answer(story, choice_id)
    if answered is not None:
        return answered
    if choice_id.startswith("deduce:"):
        deduction = story.deductions.get(choice_id.split(":", 1)[1])
        if deduction is not None:
            return deduction.label
    return choice_id


def place_title(story: Story, scene_id: str) -> str:
    scene = story.scenes.get(scene_id)
    return scene.title if scene and scene.title else scene_id


RECAP_TURNS = 3


def recap_lines(engine: Engine, pt: Playthrough, turns: int = RECAP_TURNS, numbers: bool = False) -> list[Line]:
    """"Previously": the last few turns of a continued game as they read when
    played (the choice, its narration and what it gave), so a player coming
    back knows where they were. Replays the log (the save holds no text)."""
    log = pt.log
    if not log:
        return []
    first = max(0, len(log) - turns)
    then = engine.replay(log[:first], pt.seed).playthrough
    lines: list[Line] = [("class:heading", "Previously")]
    for turn, entry in enumerate(log[first:], start=first + 1):
        where, what = place_title(engine.story, entry.scene), choice_text(engine.story, entry.scene, entry.choice)
        if then.scene != entry.scene or engine.why_locked(then, entry.choice) is not None:
            break  # cannot happen for a log this story made; a recap is never worth an error
        step = engine.choose(then, entry.choice)
        lines.append(("class:item", f"Turn {turn}, {where}: {what}"))
        lines.extend(step_lines(engine.story, step, then, numbers))
        lines.extend(arrival_lines(engine.story, step, then, numbers))
    return lines
