"""The findings of `check`'s story-wide analysis: each an error or warning at its file:line:col.

`Finder` turns the may-analysis (game.tools.abstract: what can never happen)
and the exhaustive search (game.tools.explore: soft-locks with the shortest
way there) into diagnostics. Severity: an **error** is something a player
will hit or something the writer wrote that no player can ever see; a
**warning** a likely mistake that traps nobody. Each finding has a stable
code (Diagnostic.code); docs/WRITING.md explains every one.
"""

from __future__ import annotations

from collections import deque

from ..conditions import BoolOp, Compare, Condition, Lit, Node, Not, Ref
from ..diagnostics import Diagnostic, Pos
from ..questions import question_reads
from ..state import Playthrough
from ..story import ChangeStat, EndGame, GainClue, IfEffect, Scene, Story, all_effects
from .abstract import (
    _INTERVAL_COMPARE,
    FALSE,
    TRUE,
    Analyzer,
    AState,
    Move,
    Possibilities,
)
from .explore import Explorer, Search

MAX_NAMES = 3  # scene names listed in one message
MAX_PATH = 6  # steps of an example path shown in one message


class Finder:
    def __init__(self, story: Story):
        self.story = story
        self.analyzer = Analyzer(story)
        self.found: list[Diagnostic] = []
        self.poss: Possibilities
        self.dead_ends: set[str] = set()
        self.trapped: set[str] = set()
        self.traps: list[tuple[Diagnostic, str]] = []  # soft-locks into scenes no ending is reachable from
        self.impossible_tests: set[Pos] = set()  # where a stat test can never pass (already an error)
        self.impossible_conditions: set[int] = set()  # ids of the conditions holding such a test
        self._conditions: list[tuple[Pos, Condition]] | None = None

    def conditions(self) -> list[tuple[Pos, Condition]]:
        """Every condition of the story with where it is written (gathered once)."""
        if self._conditions is None:
            self._conditions = _conditions_with_pos(self.story)
        return self._conditions

    def error(self, pos: Pos, message: str, code: str) -> None:
        self.found.append(Diagnostic(pos, "error", message, code))

    def warning(self, pos: Pos, message: str, code: str) -> None:
        self.found.append(Diagnostic(pos, "warning", message, code))

    def note(self, pos: Pos, message: str, code: str) -> None:
        self.found.append(Diagnostic(pos, "note", message, code))

    def run(self) -> None:
        self.poss = self.analyzer.run()
        self.unreachable_scenes()
        self.stat_tests()
        self.choices_and_dead_ends()
        self.structural_soft_locks()
        self.unreachable_endings()
        self.useless_clues()
        self.unblockable_changes()

    # -- scenes -----------------------------------------------------------

    def unreachable_scenes(self) -> None:
        poss, story = self.poss, self.story
        ways_in: dict[str, list[tuple[Scene, str]]] = {}
        for scene in story.scenes.values():
            for choice in scene.choices:
                for target in choice.targets:
                    ways_in.setdefault(target, []).append((scene, choice.id))
        for scene in story.scenes.values():
            if scene.id in poss.states or scene.id in poss.shown_at_end:
                continue
            ways = ways_in.get(scene.id, [])
            live = [(s, c) for s, c in ways if s.id in poss.states]
            if not ways:
                why = "no choice leads here"
            elif live:
                names = ", ".join(f"'{c}' in '{s.id}'" for s, c in live[:MAX_NAMES])
                why = f"the choices that lead here ({names}) can never be taken or never go this way"
            else:
                names = ", ".join(sorted({f"'{s.id}'" for s, _ in ways})[:MAX_NAMES])
                why = f"only unreachable scenes lead here ({names})"
            self.error(scene.pos, f"scene '{scene.id}' can never be reached: {why}", "unreachable-scene")

    def choices_and_dead_ends(self) -> None:
        poss = self.poss
        obtainable = 0
        for state in poss.states.values():
            obtainable |= state.clues
        for sid, state in poss.states.items():
            scene = self.story.scenes[sid]
            if sid in poss.terminal:
                for choice in scene.choices:
                    self.warning(choice.pos, f"choice '{choice.id}' is never offered: entering scene "
                                 f"'{sid}' ends the game", "choice-never-enabled")
                continue
            enabled = {m.id for m in poss.enabled.get(sid, [])}
            locked = [m for m in self.analyzer.moves[sid] if m.choice is not None and m.id not in enabled]
            if not enabled:
                self.dead_ends.add(sid)
                reasons = "; ".join(f"'{m.id}': {self.why_locked(m, state, obtainable)[0]}"
                                    for m in locked[:MAX_NAMES])
                self.error(scene.pos, f"scene '{sid}' is a dead end: none of its choices can ever be "
                           f"taken ({reasons})", "locked-dead-end")
                continue
            for move in locked:
                reason, late, pos = self.why_locked(move, state, obtainable)
                assert move.choice is not None
                if move.choice.if_pos in self.impossible_tests:
                    continue  # its stat test is reported as an error already
                if late:
                    self.error(pos, f"choice '{move.id}' in scene '{sid}' needs {reason}", "clue-after-gate")
                else:
                    self.warning(pos, f"choice '{move.id}' in scene '{sid}' can never be "
                                 f"taken: {reason}", "choice-never-enabled")
            for move in poss.enabled.get(sid, []):
                self.unused_branches(move, state)

    def unused_branches(self, move: Move, state: AState) -> None:
        if move.choice is None or len(move.choice.branches) < 2:
            return
        pre = self.analyzer.available(move, state)
        assert pre is not None
        taken = set(self.analyzer.branch_indexes(move, pre))
        for index, branch in enumerate(move.choice.branches):
            if index not in taken:
                where = f"to '{branch.target}'" if branch.target else "that stays here"
                self.warning(branch.pos, f"the branch {where} of choice '{move.id}' in scene "
                             f"'{move.scene}' is never taken: an earlier branch always wins or its "
                             "condition is never true here", "branch-never-taken")

    def why_locked(self, move: Move, state: AState, obtainable: int) -> tuple[str, bool, Pos]:
        """Why a choice can never be taken here, in words; whether a clue comes too late; where.

        A reason in the choice's condition points at its `if:` value, a 'block'
        stat at the choice itself.
        """
        choice = move.choice
        assert choice is not None
        analyzer = self.analyzer
        if not analyzer.truth(choice.condition, state) & TRUE:
            assert choice.condition is not None
            late = [c for kind, c in sorted(choice.condition.refs) if kind == "clue"
                    and obtainable & analyzer.clue_bit[c] and not state.clues & analyzer.clue_bit[c]]
            if late:
                bits = 0
                for clue in late:
                    bits |= analyzer.clue_bit[clue]
                richer = state._replace(clues=state.clues | bits)
                if analyzer.truth(choice.condition, richer) & TRUE:
                    names = ", ".join(f"'{c}'" for c in late)
                    givers = ", ".join(f"'{g}'" for g in self.givers(late)[:MAX_NAMES])
                    return (f"clue {names} (if: {choice.condition.source}), but the player can only "
                            f"find it after leaving this point (it is given in {givers})", True, choice.if_pos)
            return (f"its condition is never true here (if: {choice.condition.source}; "
                    f"{self.describe_refs(choice.condition, state)})", False, choice.if_pos)
        facts = []
        for effect in choice.effects:
            if isinstance(effect, ChangeStat) and effect.relative:
                stat = self.story.stats[effect.stat]
                if stat.overflow == "block":
                    low, high = state.stats[analyzer.stat_index[stat.id]]
                    facts.append(f"'{stat.id}' is {_span(low, high)} here and {effect.amount:+d} would leave "
                                 f"{stat.min}..{stat.max}")
        return "it would always take a 'block' stat out of its range (" + "; ".join(facts) + ")", False, choice.pos

    def givers(self, clues: list[str]) -> list[str]:
        found = []
        for scene in self.story.scenes.values():
            effects = _scene_effects(scene)
            if any(isinstance(e, GainClue) and e.clue in clues for e in effects):
                found.append(scene.id)
        found.extend(f"deduction {d.id}" for d in self.story.deductions.values() if d.gives in clues)
        return found

    def describe_refs(self, condition: Condition, state: AState) -> str:
        analyzer = self.analyzer
        parts = []
        for kind, name in sorted(condition.refs):
            if kind == "clue":
                bit = analyzer.clue_bit[name]
                value = _tri(state.clues & bit, state.no_clues & bit, "held")
            elif kind == "flag":
                bit = analyzer.flag_bit[name]
                value = _tri(state.flags & bit, state.no_flags & bit, "set")
            elif kind == "visited":
                bit = analyzer.visit_bit[name]
                value = _tri(state.visited & bit, state.unvisited & bit, "visited")
            elif kind == "stat":
                value = _span(*state.stats[analyzer.stat_index[name]])
            else:
                continue
            if value:
                parts.append(f"{kind}.{name} is {value}")
        return ", ".join(parts) if parts else "it is always false"

    def structural_soft_locks(self) -> None:
        poss, story = self.poss, self.story
        trapped = {sid for sid in poss.states if sid not in poss.can_end}
        self.trapped = trapped
        if story.start in trapped:
            if story.start not in self.dead_ends:
                self.error(story.scenes[story.start].pos, "soft-lock: no ending can ever be reached from the "
                           f"start scene '{story.start}'", "soft-lock")
            return
        for sid in poss.states:
            if sid in trapped:
                continue
            for move in poss.enabled.get(sid, []):
                if move.ends:
                    continue  # the game ends on the way: the player never stands in target
                for target in poss.targets.get((sid, move.id), []):
                    if target in trapped and target not in self.dead_ends:
                        region = self.region(target)
                        more = f" (it only leads on to {', '.join(region)})" if region else ""
                        # Kept aside: a real soft-lock only if a player can get to target (the caller
                        # knows, from the search and its witnesses).
                        self.traps.append((Diagnostic(_move_pos(move), "error", f"soft-lock: '{move.id}' in "
                                           f"scene '{sid}' leads to '{target}', from which no ending can ever "
                                           f"be reached{more}", "soft-lock"), target))

    def region(self, start: str) -> list[str]:
        """A few scenes reachable from a trapped scene, to say where the player circles."""
        seen, queue, names = {start}, deque([start]), []
        while queue and len(names) < MAX_NAMES:
            sid = queue.popleft()
            for move in self.poss.enabled.get(sid, []):
                for target in self.poss.targets.get((sid, move.id), []):
                    if target not in seen:
                        seen.add(target)
                        names.append(f"'{target}'")
                        queue.append(target)
        return names[:MAX_NAMES]

    # -- endings, clues, stats --------------------------------------------

    def unreachable_endings(self) -> None:
        referenced = {s.ending for s in self.story.scenes.values() if s.ending}
        for scene in self.story.scenes.values():
            effects = _scene_effects(scene)
            referenced.update(e.ending for e in effects if isinstance(e, EndGame))
        for ending_id, ending in self.story.endings.items():
            if ending_id in referenced and ending_id not in self.poss.endings:
                self.error(ending.pos, f"ending '{ending_id}' can never be reached: every scene or choice "
                           "that leads to it is unreachable or locked", "ending-unreachable")

    def useless_clues(self) -> None:
        read: set[str] = set()
        given: set[str] = set()
        for _, condition in self.conditions():
            read.update(name for kind, name in condition.refs if kind == "clue")
        for deduction in self.story.deductions.values():
            read.update(deduction.needs)
            given.add(deduction.gives)
        for facts in question_reads(self.story).values():  # opened by, or named as a candidate
            read.update(name for kind, name in facts if kind == "clue")
        for question in self.story.questions.values():
            for outcome in question.outcomes:
                given.update(e.clue for e in outcome.effects if isinstance(e, GainClue))
        for scene in self.story.scenes.values():
            effects = _scene_effects(scene)
            given.update(e.clue for e in effects if isinstance(e, GainClue))
        for clue_id, clue in self.story.clues.items():
            if clue_id in given and clue_id not in read:
                self.warning(clue.pos, f"clue '{clue_id}' gates nothing: no condition or deduction reads it "
                             "(fine for flavour; otherwise a gate is missing or misspelt)", "clue-gates-nothing")

    def stat_tests(self) -> None:
        # A condition is shared by every place it is written (parsed once per load): its
        # comparisons' verdicts are worked out once, and reported at each place.
        verdicts: dict[int, list] = {}
        for pos, condition in self.conditions():
            found = verdicts.get(id(condition))
            if found is None:
                found = verdicts[id(condition)] = [v for compare in _stat_compares(condition.tree)
                                                   if (v := self.range_verdict(compare)) is not None]
            for verdict in found:
                text, stat, never = verdict
                span = f"{stat.min}..{stat.max}"
                if never:
                    self.impossible_tests.add(pos)
                    self.impossible_conditions.add(id(condition))
                    self.error(pos, f"'{text}' can never be true: stat '{stat.id}' stays within {span} "
                               "(changes stop at its edges)", "stat-test-out-of-range")
                else:
                    self.warning(pos, f"'{text}' is always true: stat '{stat.id}' stays within {span}",
                                 "stat-test-always-true")

    def range_verdict(self, compare: Compare):
        ref, lit = (compare.left, compare.right) if isinstance(compare.left, Ref) else (compare.right, compare.left)
        assert isinstance(ref, Ref) and isinstance(lit, Lit)
        stat = self.story.stats[ref.name]
        whole = (float(stat.min), float(stat.max))
        value = (float(lit.value), float(lit.value))
        left, right = (whole, value) if compare.left is ref else (value, whole)
        result = _INTERVAL_COMPARE[compare.op](left, right)
        text = f"stat.{ref.name} {compare.op} {lit.value}" if compare.left is ref else \
            f"{lit.value} {compare.op} stat.{ref.name}"
        if result == FALSE:
            return text, stat, True
        if result == TRUE:
            return text, stat, False
        return None

    def unblockable_changes(self) -> None:
        for sid, state in self.poss.states.items():
            scene = self.story.scenes[sid]
            for effect in scene.on_enter:
                if not isinstance(effect, ChangeStat) or not effect.relative:
                    continue
                stat = self.story.stats[effect.stat]
                if stat.overflow != "block":
                    continue
                low, high = state.stats[self.analyzer.stat_index[stat.id]]
                if (effect.amount < 0 and low <= stat.min) or (effect.amount > 0 and high >= stat.max):
                    self.warning(effect.pos, f"stat '{stat.id}' is 'overflow: block', but this on_enter change "
                                 f"({effect.amount:+d}) cannot be blocked: it may be cut off at "
                                 f"{stat.min if effect.amount < 0 else stat.max} instead "
                                 "(move it into the choice that leads here)", "stat-unblockable")

    # -- the exhaustive search --------------------------------------------

    def soft_locks(self, explorer: Explorer, search: Search) -> None:
        doomed = search.doomed()
        story = self.story
        if search.size and doomed[0]:
            if story.start not in self.trapped and story.start not in self.dead_ends:
                self.error(story.scenes[story.start].pos, "soft-lock: no ending can be reached from the start; "
                           f"the player {self.where_stuck(search, doomed, 0)}", "soft-lock")
            return
        reported: set[tuple[str, str]] = set()
        for source, succ in enumerate(search.successors):
            if doomed[source]:
                continue
            for target, choice_id in succ:
                if not doomed[target] or (search.scenes[source], choice_id) in reported:
                    continue
                if search.scenes[target] in self.dead_ends:
                    continue  # reported as a dead end already
                reported.add((search.scenes[source], choice_id))
                path = search.path(source)
                state = explorer.replay([*path, (search.scenes[source], choice_id)])
                self.error(self.choice_pos(search.scenes[source], choice_id),
                           f"soft-lock: '{choice_id}' in scene '{search.scenes[source]}' can leave the player "
                           f"with no way to any ending; e.g. {_path_text(path, choice_id)}: from there the "
                           f"player {self.where_stuck(search, doomed, target)}{_state_text(explorer, state)}",
                           "soft-lock")

    def where_stuck(self, search: Search, doomed: list[bool], start: int) -> str:
        names: list[str] = []
        seen, queue = {start}, deque([start])
        while queue and len(names) < MAX_NAMES:
            index = queue.popleft()
            if search.scenes[index] not in names:
                names.append(search.scenes[index])
            for target, _ in search.successors[index]:
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        if not search.successors[start]:
            return f"is stuck in '{names[0]}' with no choice to take"
        return "can only circle in " + ", ".join(f"'{n}'" for n in names)

    def choice_pos(self, scene_id: str, choice_id: str) -> Pos:
        scene = self.story.scenes[scene_id]
        if choice_id.startswith("deduce:"):
            deduction = self.story.deductions.get(choice_id.split(":", 1)[1])
            return deduction.pos if deduction else scene.pos
        if choice_id.startswith("answer:"):
            question = self.story.questions.get(choice_id.split(":")[1])
            return question.pos if question else scene.pos
        choice = scene.choice(choice_id)
        return choice.pos if choice else scene.pos


# --- helpers -------------------------------------------------------------


def _move_pos(move: Move) -> Pos:
    return move.pos


def _manifest_pos(story: Story) -> Pos:
    root = story.root.rstrip("/")
    return Pos(f"{root}/story.yaml" if root else "story.yaml")


def _tri(may: int, may_not: int, word: str) -> str:
    if may and not may_not:
        return f"always {word}"
    if may_not and not may:
        return f"never {word}"
    return ""


def _span(low: float, high: float) -> str:
    return f"always {int(low)}" if low == high else f"always {int(low)}..{int(high)}"


def _path_text(path: list[tuple[str, str]], choice: str) -> str:
    """How to get there: the shortest list of choices before the fatal one."""
    if not path:
        return f"'{choice}' as the first choice"
    shown = ", ".join(f"{scene}:{c}" for scene, c in path[-MAX_PATH:])
    if len(path) > MAX_PATH:
        return f"after {len(path)} choices (the last: {shown}), then '{choice}'"
    return f"after {shown}, then '{choice}'"


def _state_text(explorer: Explorer, pt: Playthrough) -> str:
    parts = [f"{s} {pt.stats[s]}" for s in explorer.stats]
    flags = sorted(f for f in pt.flags if f in explorer.flags)
    if flags:
        parts.append("flags " + ", ".join(flags))
    clues = sorted(c for c in pt.clues if c in explorer.clues)
    if clues:
        parts.append("clues " + ", ".join(clues[:5]) + (" ..." if len(clues) > 5 else ""))
    return f" ({'; '.join(parts)})" if parts else ""


def _conditions_with_pos(story: Story) -> list[tuple[Pos, Condition]]:
    found: list[tuple[Pos, Condition]] = []
    for scene in story.scenes.values():
        found.extend((p.pos, p.condition) for p in scene.text if p.condition is not None)
        found.extend((p.pos, c) for p in scene.text for c in p.conditions)  # inline text (#15)
        found.extend((e.pos, e.condition) for e in all_effects(scene.on_enter) if isinstance(e, IfEffect))
        for choice in scene.choices:
            if choice.condition is not None:
                found.append((choice.if_pos, choice.condition))
            found.extend((p.pos, p.condition) for p in choice.outcome if p.condition is not None)
            found.extend((p.pos, c) for p in choice.outcome for c in p.conditions)
            found.extend((choice.pos, c) for t in (choice.label, choice.hint_text) if t for c in t.conditions)
            found.extend((b.pos, b.condition) for b in choice.branches if b.condition is not None)
            found.extend((e.pos, e.condition) for e in all_effects(choice.effects) if isinstance(e, IfEffect))
    for ending in story.endings.values():
        found.extend((ending.pos, c) for c in (ending.body.conditions if ending.body else ()))
    return found


def _scene_effects(scene: Scene) -> list:
    """Every effect of a scene, those inside an `if` or a `chance` too."""
    return [*all_effects(scene.on_enter), *(e for c in scene.choices for e in all_effects(c.effects))]


def _stat_compares(node: Node) -> list[Compare]:
    """Comparisons of one stat with a number, anywhere in a condition."""
    found: list[Compare] = []
    if isinstance(node, Compare):
        sides = (node.left, node.right)
        refs = [s for s in sides if isinstance(s, Ref) and s.kind == "stat"]
        lits = [s for s in sides if isinstance(s, Lit)]
        if len(refs) == 1 and len(lits) == 1:
            found.append(node)
    elif isinstance(node, Not):
        found.extend(_stat_compares(node.operand))
    elif isinstance(node, BoolOp):
        for operand in node.operands:
            found.extend(_stat_compares(operand))
    return found


