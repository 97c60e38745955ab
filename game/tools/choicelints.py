"""Lints about choices that lie (#16), part of `check --continuity`.

- `same-result`: two choices of a scene do the same (the same targets and
  the same effects), or every choice of a scene (two or more) leads to the
  same one scene and they differ only in stats: the player is offered a
  choice that is not one. Say so in the text, or make them differ.
- `hidden-stat-ending`: a choice that ends the game (an ending scene as a
  target, or `end:`) under a condition on a stat the player cannot see at
  that moment: not on the toolbar (`shown`, `clock`), and not read by the
  scene's text or the choice's label or hint (a paragraph's `if:` or inline
  markup), which is how a writer warns the player through something visible.

Both are silenced like continuity findings: `# continuity: ok — REASON` on
the choice's (or, for a whole scene, the scene's) line or the line above.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, Pos
from ..markup import literal
from ..story import ChangeStat, Choice, EndGame, IfEffect, Scene, Story, all_effects
from .mentions import Sources, Unit


def choice_lints(story: Story, sources: Sources | None = None) -> list[Diagnostic]:
    sources = sources or Sources()
    found: list[Diagnostic] = []
    for scene in story.scenes.values():
        if scene.ending:
            continue
        found += _same_result(scene, sources)
        found += _hidden_stat_endings(story, scene, sources)
    return found


def _silenced(sources: Sources, pos: Pos) -> bool:
    anchor = Unit("lint", "", pos, literal(""), ())
    verdict = sources.silence(anchor, pos)
    return verdict is not None and verdict[0]


def _result(choice: Choice) -> tuple:
    """What taking it does, and when it is offered (choices offered in different states are not rivals)."""
    return (tuple((b.target, b.condition.source if b.condition else None) for b in choice.branches),
            tuple(repr(e) for e in choice.effects), choice.condition.source if choice.condition else None)


def _same_result(scene: Scene, sources: Sources) -> list[Diagnostic]:
    own = [c for c in scene.choices if not c.shared]
    found: list[Diagnostic] = []
    seen: dict[tuple, Choice] = {}
    reported: set[str] = set()
    for choice in own:
        first = seen.setdefault(_result(choice), choice)
        if first is not choice and not _silenced(sources, choice.pos):
            reported.update((first.id, choice.id))
            where = ", ".join(choice.targets) or "this scene"
            found.append(Diagnostic(choice.pos, "warning", f"choice '{choice.id}' of scene {scene.id} does exactly "
                                    f"what '{first.id}' does (to {where}, the same effects): say so in the text, "
                                    "or make them differ", "same-result"))
    if len(own) >= 2 and not reported:
        targets = {c.targets for c in own}
        plot = {tuple(repr(e) for e in all_effects(c.effects) if not isinstance(e, ChangeStat)) for c in own}
        if len(targets) == 1 and len(next(iter(targets))) == 1 and len(plot) == 1 \
                and all(c.condition is None for c in own) and not _silenced(sources, scene.pos):
            (target,) = next(iter(targets))
            found.append(Diagnostic(scene.pos, "warning", f"every choice of scene {scene.id} "
                                    f"({', '.join(c.id for c in own)}) leads to {target} and they differ only in "
                                    "stats: say so in the text, or make them differ", "same-result"))
    return found


def _stats_read(condition) -> set[str]:
    return {name for kind, name in condition.refs if kind == "stat"} if condition is not None else set()


def _hidden_stat_endings(story: Story, scene: Scene, sources: Sources) -> list[Diagnostic]:
    visible = {s.id for s in story.stats.values() if s.shown or s.clock}
    seen_in_text = set()
    for para in scene.text:
        seen_in_text |= _stats_read(para.condition)
        for condition in para.conditions:
            seen_in_text |= _stats_read(condition)
    found: list[Diagnostic] = []
    for choice in scene.choices:
        told = set(seen_in_text)
        for text in (choice.label, choice.hint_text):
            if text is not None:
                for condition in text.conditions:
                    told |= _stats_read(condition)
        gates: dict[str, str] = {}  # stat -> the ending it may lead to
        reads = _stats_read(choice.condition)
        for branch in choice.branches:
            reads |= _stats_read(branch.condition)
            target = story.scenes.get(branch.target) if branch.target else None
            ending = target.ending if target is not None else None
            if ending is None and target is not None:
                ending = next((e.ending for e in target.on_enter if isinstance(e, EndGame)), None)
            if ending is not None:
                for stat in reads:
                    gates.setdefault(stat, ending)
        for effect in all_effects(choice.effects):
            if isinstance(effect, IfEffect):
                ends = [e.ending for e in all_effects((*effect.then, *effect.otherwise)) if isinstance(e, EndGame)]
                for stat in _stats_read(effect.condition):
                    if ends:
                        gates.setdefault(stat, ends[0])
        hidden = sorted(s for s in gates if s not in visible and s not in told)
        if hidden and not _silenced(sources, choice.pos):
            names = ", ".join(f"{story.stats[s].label} ({s})" for s in hidden)
            found.append(Diagnostic(choice.pos, "warning", f"choice '{choice.id}' of scene {scene.id} can end the game "
                                    f"({gates[hidden[0]]}) on {names}, which the player does not see here (not on the "
                                    "toolbar, not read by this scene's text or the choice's label): warn them "
                                    "through something they can see", "hidden-stat-ending"))
    return found
