"""Exhaustive search of a story's state space, for soft-locks.

A search (deepest state first) over every situation a player can reach:
the scene plus the parts of the playthrough that choices can still read from
there — clues and flags that conditions or deductions read, stats that
conditions read or that ``overflow: block`` limits, scenes read by
``visited.``, once-only choices already taken, and the turn (capped just
above the largest number any condition compares with, since larger turns all
behave the same). "Still read" is a live-variable analysis over the scene
graph: a fact only read in scenes the player can no longer reach does not
split states. Anything else (text variations, stats nobody reads) cannot
change which choices are offered, so two playthroughs that agree on those
parts are one state.

After the search, every state from which no ending can be reached is a
soft-lock. A search that runs out of budget still reports the soft-locks it
proved: unexplored states are assumed to reach an ending, so nothing is
reported that the explored part does not show.

Steps use the story's rules directly (game.rules.Rules), without going
through the engine's ``transitions`` machine (about 4x faster);
tests/test_explore.py checks that every step agrees with ``Engine.choose``.
"""

from __future__ import annotations

import gc
import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..conditions import Compare, Condition, Lit, Node, Ref
from ..questions import question_conditions, question_reads
from ..rules import Rules
from ..state import Playthrough
from ..story import ChangeStat, IfEffect, Story, all_effects
from . import DEFAULT_BUDGET


@dataclass
class Search:
    """The explored state graph."""

    scenes: list[str] = field(default_factory=list)
    parent: list[tuple[int, str] | None] = field(default_factory=list)  # shortest way in: (state, choice)
    successors: list[list[tuple[int, str]]] = field(default_factory=list)
    ended: list[str | None] = field(default_factory=list)
    expanded: list[bool] = field(default_factory=list)
    frontier: list[Playthrough | None] = field(default_factory=list)  # states not yet expanded
    complete: bool = True
    budget: int = 0
    index: dict[tuple, int] = field(default_factory=dict)  # state key (Explorer.key) -> state number

    @property
    def size(self) -> int:
        return len(self.scenes)

    def path(self, index: int) -> list[tuple[str, str]]:
        """The shortest list of (scene, choice) from the start to this state."""
        steps = []
        while True:
            entry = self.parent[index]
            if entry is None:
                break
            index, choice = entry
            steps.append((self.scenes[index], choice))
        return steps[::-1]

    def doomed(self) -> list[bool]:
        """For each state: True if it is proved that no ending can be reached from it."""
        preds: list[list[int]] = [[] for _ in self.scenes]
        for source, succ in enumerate(self.successors):
            for target, _ in succ:
                preds[target].append(source)
        hopeful = [self.ended[i] is not None or not self.expanded[i] for i in range(self.size)]
        queue = deque(i for i, h in enumerate(hopeful) if h)
        while queue:
            index = queue.popleft()
            for pred in preds[index]:
                if not hopeful[pred]:
                    hopeful[pred] = True
                    queue.append(pred)
        return [not h for h in hopeful]


class Explorer:
    def __init__(self, story: Story, engine: Rules | None = None):
        self.story = story
        self.engine = engine or Rules(story)
        conditions = _choice_conditions(story)
        refs = {ref for condition in conditions for ref in condition.refs}
        self.clues = {n for k, n in refs if k == "clue"}
        for deduction in story.deductions.values():
            self.clues.update(deduction.needs)
            self.clues.add(deduction.gives)
        self.flags = {n for k, n in refs if k == "flag"}
        self.visited = {n for k, n in refs if k == "visited"}
        # Counts conditions read (#15): visits.SCENE and taken.SCENE.CHOICE, kept in
        # the state up to count_cap (None: exactly, when a count is compared with
        # something other than a number, where a cap could change the answer).
        self.visits = {n for k, n in refs if k == "visits"}
        self.counted = {tuple(n.rsplit(".", 1)) for k, n in refs if k == "taken"}
        blocked = {e.stat for s in story.scenes.values() for c in s.choices for e in c.effects
                   if isinstance(e, ChangeStat) and story.stats[e.stat].overflow == "block"}
        self.stats = tuple(sorted({n for k, n in refs if k == "stat"} | blocked))
        self.turn_cap = _turn_cap([c.tree for c in conditions], story) if ("turn", "") in refs else 0
        self.count_cap: int | None = _turn_cap([c.tree for c in conditions], story)
        if any(_counters_compared(c.tree) for c in conditions):
            self.count_cap = None
            if self.turn_cap:
                self.turn_cap = 1 << 62  # turn compared with a count: every turn is its own state
        self.live = _live_facts(story)
        # Visits and takings only text reads: kept exactly in each state (not in its key, so
        # they split no state), so that a state can witness conditional text (deadtext.py).
        text_refs = {ref for condition in _text_conditions(story) for ref in condition.refs}
        self.text_visits = {n for k, n in text_refs if k in ("visited", "visits")} - self.visits
        self.text_counted = {tuple(n.rsplit(".", 1)) for k, n in text_refs if k == "taken"} - self.counted

    def key(self, pt: Playthrough) -> tuple:
        """What decides the future of pt: its scene and the facts still read from there on."""
        live = self.live[pt.scene]
        return (
            pt.scene,
            live.clues.intersection(pt.clues),
            live.flags.intersection(pt.flags),
            tuple(pt.stats[s] for s in live.stats),
            live.visited.intersection(pt.visited),
            live.taken.intersection(pt.taken),
            min(pt.turn, self.turn_cap) if live.turn else 0,
            pt.ending,
            tuple(self._capped(pt.visited.get(s, 0)) for s in live.visits),
            tuple(self._capped(pt.chosen.get(c, 0)) for c in live.counts),
            self.engine.questions.state_key(pt),
        )

    def decides(self, scene: str, refs: frozenset[tuple[str, str]] | set[tuple[str, str]]) -> bool:
        """Whether the search's states at scene tell apart every value of these references
        (each is in the key there, exactly): then what a complete search never saw there with
        them cannot happen. Counts, the turn and anything else are not (capped or merged)."""
        live = self.live[scene]
        kept = {"clue": live.clues, "flag": live.flags, "stat": live.stats, "visited": live.visited}
        return all(kind in ("solved", "concluded") or name in kept.get(kind, ()) for kind, name in refs)

    def _capped(self, count: int) -> int:
        return count if self.count_cap is None else min(count, self.count_cap)

    def moves(self, pt: Playthrough) -> list[str]:
        """Ids of the choices (and deductions) that can be taken now."""
        return self.engine.available(pt)

    def successors(self, pt: Playthrough, choice_id: str) -> list[Playthrough]:
        """The playthroughs after taking an available choice; pt itself is not changed.

        The engine's own rules take the step (Rules.successors, the same order
        as Engine.choose, every result of a random rule); the copies keep no
        log and only the visits that conditions read, so they stay small on
        long paths through big stories.
        """
        result = self.engine.successors(pt, choice_id)
        cap = self.count_cap
        visits, text_visits, counted, text_counted = self.visits, self.text_visits, self.counted, self.text_counted
        for new in result:
            new.log.clear()
            new.visited = {s: (n if cap is None else min(n, cap)) if s in visits else n if s in text_visits else 1
                           for s, n in new.visited.items() if s in self.visited or s in visits or s in text_visits}
            new.chosen = {c: (n if cap is None else min(n, cap)) if c in counted else n
                          for c, n in new.chosen.items() if c in counted or c in text_counted}
        return result

    def exact(self) -> frozenset[tuple[str, str]]:
        """The visit and taking references whose values the search's states keep exactly."""
        kept = {("visited", s) for s in self.visited | self.visits | self.text_visits}
        kept |= {("visits", s) for s in self.text_visits}
        kept |= {("taken", f"{s}.{c}") for s, c in self.text_counted}
        if self.count_cap is None:
            kept |= {("visits", s) for s in self.visits} | {("taken", f"{s}.{c}") for s, c in self.counted}
        return frozenset(kept)

    def step(self, pt: Playthrough, choice_id: str) -> Playthrough:
        """The one playthrough after a choice with a single result (tests, replays of found paths)."""
        (new,) = self.successors(pt, choice_id)
        return new

    def search(self, budget: int = DEFAULT_BUDGET,
               observe: Callable[[Playthrough, list[str]], None] | None = None) -> Search:
        """observe(state, its moves) is told of every state found (a real playthrough)."""
        # The search makes millions of small objects and no reference cycles;
        # the cyclic collector would rescan the growing heap over and over.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._search(budget, observe)
        finally:
            if enabled:
                gc.enable()

    def _search(self, budget: int, observe: Callable[[Playthrough, list[str]], None] | None) -> Search:
        result = Search(budget=budget)
        start, _ = self.engine.start(0)
        index = result.index
        moves: list[list[str]] = []  # what each discovered state offers (evaluated once, when found)
        depth: list[int] = []
        per_scene: dict[str, int] = {}
        # Deepest state first, then the one in the least-explored scene. The
        # result is the same whatever the order when the search completes;
        # when the budget cuts it short, depth-first has reached most of the
        # story (measured on an 84-scene draft of ours: 81 scenes in 10,000
        # states, where breadth-first stays among the combinations of the
        # first 25). Example paths are made shortest afterwards
        # (_shortest_paths), so the order does not lengthen them.
        queue: list[tuple[int, int, int]] = []

        def add(pt: Playthrough, parent: tuple[int, str] | None, level: int) -> int:
            key = self.key(pt)
            found = index.get(key)
            if found is not None:
                return found
            number = index[key] = len(result.scenes)
            result.scenes.append(pt.scene)
            result.parent.append(parent)
            result.successors.append([])
            result.ended.append(pt.ending)
            offered = self.moves(pt)
            moves.append(offered)
            if observe is not None:
                observe(pt, offered)
            depth.append(level)
            # A state with nothing to choose is fully known as soon as it is
            # found: a dead end is proved even if the budget stops the search.
            result.expanded.append(pt.ending is None and not offered)
            result.frontier.append(pt if offered else None)
            if offered:
                seen = per_scene.get(pt.scene, 0)
                per_scene[pt.scene] = seen + 1
                heapq.heappush(queue, (-level, seen, number))
            return number

        add(start, None, 0)
        while queue:
            _, _, current = heapq.heappop(queue)
            if len(result.scenes) >= budget:
                result.complete = False
                break
            pt = result.frontier[current]
            assert pt is not None
            for choice_id in moves[current]:
                for after in self.successors(pt, choice_id):
                    target = add(after, (current, choice_id), depth[current] + 1)
                    result.successors[current].append((target, choice_id))
            result.expanded[current] = True
            result.frontier[current] = None  # rebuilt from its path when needed (see replay)
            moves[current] = []
        _shortest_paths(result)
        return result

    def replay(self, path: list[tuple[str, str]]) -> Playthrough:
        """A state at the end of a path found by the search.

        With random effects (#15) a choice has several results: the first run of
        outcomes along which every choice of the path can be taken is followed
        (depth first), so the state is one the path really reaches."""
        start, _ = self.engine.start(0)
        stack = [(start, 0)]
        while stack:
            pt, done = stack.pop()
            if done == len(path):
                return pt
            _, choice_id = path[done]
            if choice_id not in self.moves(pt):
                continue
            stack.extend((after, done + 1) for after in reversed(self.successors(pt, choice_id)))
        raise ValueError("the path cannot be replayed")  # not reached for a path the search found


def _shortest_paths(search: Search) -> None:
    """Re-point every state's parent along a shortest way from the start (breadth-first)."""
    parent: list[tuple[int, str] | None] = [None] * search.size
    seen = [False] * search.size
    seen[0] = True
    queue = deque([0])
    while queue:
        index = queue.popleft()
        for target, choice in search.successors[index]:
            if not seen[target]:
                seen[target] = True
                parent[target] = (index, choice)
                queue.append(target)
    search.parent = parent


class _Live(NamedTuple):
    """The facts that can still be read once the player is in a scene."""

    clues: frozenset[str]
    flags: frozenset[str]
    stats: tuple[str, ...]
    visited: frozenset[str]
    taken: frozenset[tuple[str, str]]  # once-only choices
    turn: bool
    visits: tuple[str, ...] = ()  # scenes whose visits are counted (visits.SCENE)
    counts: tuple[tuple[str, str], ...] = ()  # choices whose takings are counted (taken.SCENE.CHOICE)


def _live_facts(story: Story) -> dict[str, _Live]:
    """For each scene, what any choice from there on can read (a live-variable analysis).

    Two states in the same scene that agree on these facts have the same
    future, whatever else differs: facts only read in scenes the player can
    no longer reach do not split states. Computed per strongly connected
    component of the scene graph, sinks first.
    """
    here: dict[str, set[tuple]] = {}
    succ: dict[str, list[str]] = {}
    for scene in story.scenes.values():
        facts: set[tuple] = set()
        # An `if` among on_enter's effects is read on the way in: live here and before.
        facts.update(ref for c in _effect_conditions(scene.on_enter) for ref in c.refs)
        for choice in scene.choices:
            for condition in [choice.condition, *(b.condition for b in choice.branches),
                              *_effect_conditions(choice.effects)]:
                if condition is not None:
                    facts.update(condition.refs)
            facts.update(("stat", e.stat) for e in choice.effects
                         if isinstance(e, ChangeStat) and story.stats[e.stat].overflow == "block")
            if choice.once:
                facts.add(("taken", (scene.id, choice.id)))
        if scene.case_board:
            for deduction in story.deductions.values():
                facts.update(("clue", c) for c in (*deduction.needs, deduction.gives))
        here[scene.id] = facts
        succ[scene.id] = [t for c in scene.choices for t in c.targets]
    for scene_id, facts in question_reads(story).items():  # what a question asked there reads
        here[scene_id] |= facts
    for question in story.questions.values():  # answering may move the player
        for outcome in question.outcomes:
            if outcome.goto is not None:
                for scene_id in question.at or [s.id for s in story.scenes.values() if s.case_board]:
                    succ[scene_id].append(outcome.goto)
    live: dict[str, _Live] = {}
    facts_of: dict[str, set[tuple]] = {}  # scene -> the facts live there (shared by its component)
    for component in components(succ, [story.start, *story.scenes]):
        facts = set().union(*(here[s] for s in component))
        members = set(component)
        for sid in component:
            for target in succ[sid]:
                if target not in members:
                    facts |= facts_of[target]
        value = _Live(
            frozenset(n for k, n in facts if k == "clue"),
            frozenset(n for k, n in facts if k == "flag"),
            tuple(sorted(n for k, n in facts if k == "stat")),
            frozenset(n for k, n in facts if k == "visited"),
            frozenset(n for k, n in facts if k == "taken" and isinstance(n, tuple)),
            ("turn", "") in facts,
            tuple(sorted(n for k, n in facts if k == "visits")),
            tuple(sorted(tuple(n.rsplit(".", 1)) for k, n in facts if k == "taken" and isinstance(n, str))),
        )
        for sid in component:
            live[sid] = value
            facts_of[sid] = facts
    return live


def components(succ: dict[str, list[str]], roots: list[str] | None = None) -> list[list[str]]:
    """Strongly connected components of the graph succ, sinks first (Tarjan's algorithm,
    without recursion), visiting roots in order (default: succ's); an edge to a node
    outside succ is ignored."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    for root in succ if roots is None else roots:
        if root in index:
            continue
        work = [(root, iter(succ[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in succ:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    result.append(component)
    return result


def _choice_conditions(story: Story) -> list[Condition]:
    """The conditions that decide what can be taken, where it leads and what its
    effects do (an `if` among them); not text conditions."""
    found: list[Condition] = []
    for scene in story.scenes.values():
        found.extend(_effect_conditions(scene.on_enter))
        for choice in scene.choices:
            if choice.condition is not None:
                found.append(choice.condition)
            found.extend(b.condition for b in choice.branches if b.condition is not None)
            found.extend(_effect_conditions(choice.effects))
    found.extend(question_conditions(story))  # what opens a question, who is known
    for question in story.questions.values():  # an `if` among what answering does
        for outcome in question.outcomes:
            found.extend(_effect_conditions(outcome.effects))
    return found


def _text_conditions(story: Story) -> list[Condition]:
    """The conditions of conditional text: paragraphs' `if:` and those inside inline markup."""
    found: list[Condition] = []
    for scene in story.scenes.values():
        for paragraphs in (scene.text, *(c.outcome for c in scene.choices)):
            for para in paragraphs:
                if para.condition is not None:
                    found.append(para.condition)
                found.extend(para.conditions)
        for choice in scene.choices:
            found.extend(c for t in (choice.label, choice.hint_text) if t is not None for c in t.conditions)
    for ending in story.endings.values():
        if ending.body is not None:
            found.extend(ending.body.conditions)
    for question in story.questions.values():  # what answering says
        for body in (*(o.body for o in question.outcomes), question.pending_body):
            if body is not None:
                found.extend(body.conditions)
    return found


def _effect_conditions(effects) -> list[Condition]:
    return [e.condition for e in all_effects(effects) if isinstance(e, IfEffect)]


def _counters_compared(node: Node) -> bool:
    """Whether a count (visits, taken) is compared with anything but a number."""
    if isinstance(node, Compare):
        sides = (node.left, node.right)
        counted = any(isinstance(s, Ref) and s.kind in ("visits", "taken") for s in sides)
        return counted and not any(isinstance(s, Lit) for s in sides)
    return any(_counters_compared(child) for child in (*getattr(node, "operands", ()),
                                                       *filter(None, [getattr(node, "operand", None)])))


def _turn_cap(trees: list[Node], story: Story) -> int:
    """A turn number above which every condition reads the same (turn is only compared)."""
    numbers = [abs(s.min) for s in story.stats.values()] + [abs(s.max) for s in story.stats.values()]

    def walk(node: Node) -> None:
        if isinstance(node, Lit) and node.type == "number":
            numbers.append(abs(node.value))
        for child in getattr(node, "operands", ()):
            walk(child)
        if isinstance(node, Compare):
            walk(node.left)
            walk(node.right)
        operand = getattr(node, "operand", None)
        if operand is not None:
            walk(operand)

    for tree in trees:
        walk(tree)
    return max(numbers, default=0) + 1
