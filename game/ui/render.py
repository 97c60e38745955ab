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
from ..state import Playthrough
from ..story import Story

Line = tuple[str, str]


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


def offer_lines(offers: list[Offer]) -> list[Line]:
    lines: list[Line] = []
    for offer in offers:
        if offer.enabled:
            lines.append(("class:choice", f"{offer.number}. {offer.text}"))
        else:
            hint = f" ({offer.hint})" if offer.hint else ""
            lines.append(("class:locked", f"{offer.number}. [locked] {offer.text}{hint}"))
    return lines


def _arrival(step: Step) -> int:
    """Where the events of arriving in a scene (its on_enter) begin in step.events."""
    entered = [i for i, event in enumerate(step.events) if isinstance(event, SceneEntered)]
    return entered[-1] + 1 if entered else len(step.events)


def step_lines(story: Story, step: Step, pt: Playthrough) -> list[Line]:
    """The choice's narration and the notices of its own effects, shown before
    the new scene; what the scene itself gives waits for arrival_lines. pt is
    the playthrough after the step."""
    lines: list[Line] = []
    if step.outcome.strip():
        lines.append(("class:outcome", step.outcome.strip()))
    return lines + notice_lines(story, step.events[:_arrival(step)], pt)


def arrival_lines(story: Story, step: Step, pt: Playthrough) -> list[Line]:
    """Notices of what entering the new scene gave (its on_enter), shown after
    its text: "Clue found: Alisa Jones" belongs after the kitchen where she
    says who she is, not before it."""
    return notice_lines(story, step.events[_arrival(step):], pt)


def notice_lines(story: Story, events: list[Event], pt: Playthrough) -> list[Line]:
    """A line per clue found and per stat changed; a stat not listed now (its
    `if:` is false) changes silently, as it is on neither status nor toolbar."""
    lines: list[Line] = [("class:notice", f"Clue found: {story.clues[e.clue].title}.")
                         for e in events if isinstance(e, ClueFound)]
    lines.extend(("class:notice", stat_notice(story, e)) for e in events
                 if isinstance(e, StatChanged) and story.stats[e.stat].listed(pt))
    return lines


def stat_notice(story: Story, change: StatChanged) -> str:
    stat = story.stats[change.stat]
    direction = "up" if change.delta > 0 else "down"
    return f"{stat.label} {direction} {abs(change.delta)} (now {change.new})."


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
    lines.append(("class:hint", "Type 'undo' to step back, 'restart' to begin again, or 'quit'."))
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


def status_lines(story: Story, pt: Playthrough) -> list[Line]:
    scene = story.scenes[pt.scene]
    area = story.areas.get(scene.area)
    lines: list[Line] = [("class:title", "Status")]
    title = scene.title or scene.id
    area_title = area.title if area else scene.area
    where = title if area_title == title else f"{title}, {area_title}"  # the office hub is named for its area
    lines.append(("class:text", f"Where: {where}. Turn {pt.turn}. Clues: {len(pt.clues)} of {len(story.clues)}."))
    by_kind: dict[str, list[str]] = defaultdict(list)
    for stat in story.stats.values():
        if not stat.listed(pt):
            continue
        by_kind[stat.kind].append(f"- {stat.label}: {pt.stats[stat.id]} (from {stat.min} to {stat.max})")
    for kind, heading in story.stat_groups.items():  # the manifest's groups and headings, in order
        if by_kind.get(kind):
            lines.append(("class:heading", heading))
            lines.extend(("class:item", entry) for entry in by_kind[kind])
    return lines


def ended(step: Step) -> bool:
    return any(isinstance(e, GameEnded) for e in step.events)
