"""The random playthroughs of check --continuity (game.tools.continuity): deep text a search cut
short did not reach.

Coverage-guided walks, some heading for the scene of a text still without a path, some running
a text's errands in turn (the clues, flags and visits its conditions need, then its scene).
What they find has its loops cut, then a breadth-first search through the scenes it went through
looks for a shorter way; it is replayed from the start, and reported as maybe not the shortest
way unless Continuity proves it is (no shorter way was left unsearched). A mixin of Continuity:
it uses its story, rules, explorer, units, `_look` and `broken`.
"""

from __future__ import annotations

import random
from collections import deque

from ..conditions import BoolOp, Not, Ref
from ..state import Playthrough
from ..story import GainClue, SetFlag, all_effects
from .mentions import Unit

MAX_WALK = 400  # steps of one
REGION_BUDGET = 20_000  # states of the search for a shorter way near a walk's finding


class Walks:
    def _walk(self, trails: dict, total: int, walks: int, seed: int) -> None:
        """Random playthroughs for what the cut-short search did not reach: deep text.

        Each prefers the moves taken least so far (coverage-guided), and every
        state it passes is looked at like the search's; a trail found this way
        is made shorter by cutting its loops (a state met twice) before it is
        replayed and reported."""
        rng = random.Random(seed)
        taken: dict[tuple[str, str], int] = {}
        for walk in range(walks):
            if len(trails) == total:
                return
            # Every other walk heads for the scene of a text still without a path, now and then.
            goal, eagerness = None, 0.0
            waiting = [i for i, n in enumerate(self.left) if n and self.units[i].scene]
            scenes = sorted({self.units[i].scene for i in waiting})
            steps: list[tuple] = []  # a walk with errands: (the fact it needs, where it is made) in turn
            if walk % 2 and scenes:
                goal, eagerness = self._distances(rng.choice(scenes)), rng.uniform(0.2, 0.9)
                if walk % 4 == 3:
                    unit = self.units[rng.choice(waiting)]
                    steps = self._errands(unit)
                    goal, eagerness = self._distances(unit.scene), rng.uniform(0.5, 0.95)
            pt, _ = self.rules.start(0)
            trail: list[tuple[str, int]] = []
            for _ in range(MAX_WALK):
                moves = self.rules.available(pt)
                if not moves:
                    break
                if steps:  # head for where the first fact the text needs and pt lacks is made
                    errand = next((where for holds, where in steps if not holds(pt)), None)
                    goal = errand if errand is not None else self._distances(unit.scene)
                if goal is not None and rng.random() < eagerness:
                    here = self.story.scenes[pt.scene]
                    far = len(self.story.scenes) + 1

                    def distance(move: str, here=here, goal=goal, far=far) -> int:
                        choice = here.choice(move)
                        targets = choice.targets if choice is not None else ()
                        return min((goal.get(t, far) for t in targets), default=goal.get(here.id, far))
                    best = min(distance(m) for m in moves)
                    move = rng.choice([m for m in moves if distance(m) == best])
                else:
                    weights = [1.0 / (1 + taken.get((pt.scene, m), 0)) for m in moves]
                    move = rng.choices(moves, weights)[0]
                taken[(pt.scene, move)] = taken.get((pt.scene, move), 0) + 1
                results = self.rules.successors(pt, move)
                which = rng.randrange(len(results))
                pt = results[which]
                trail.append((move, which))
                found: dict = {}
                self._look(0, pt, found, skip=trails)
                for key in found:
                    trails[key] = self._shortest_near(key, self._shorten(list(trail)))
                    self.left[key[0]] -= 1

    def _errands(self, unit: Unit) -> list[tuple]:
        """What a text needs before it can show without its mentions holding, in order: the
        clues, flags and visits its `if:` (and its choice's) require, then what the first of its
        mentions that is a plain `not ...` requires; each as (a test on a playthrough, the
        distances to where it is made). Heading for them in turn reaches deep text that a walk
        heading only for the scene does not."""
        trees = [c.tree for c in (unit.paragraph.condition if unit.paragraph is not None else None,
                                  unit.choice.condition if unit.choice is not None else None) if c is not None]
        for mention in unit.mentions:
            known = mention.target.known
            if known is not None and isinstance(known.tree, Not):
                trees.append(known.tree.operand)
                break
        result = []
        for tree in trees:
            for kind, name in _required(tree):
                where = self._makers(kind, name)
                if where:
                    result.append((_holds(kind, name), where))
        return result

    def _makers(self, kind: str, name: str) -> dict[str, int] | None:
        """Distances to the scenes where a clue is given, a flag set or a scene entered."""
        if kind == "visited":
            return self._distances(name) if name in self.story.scenes else None
        givers = set()
        for scene in self.story.scenes.values():
            effects = [*scene.on_enter, *(e for c in scene.choices for e in c.effects)]
            if scene.case_board:
                effects += [e for q in self.story.questions.values() for o in q.outcomes for e in o.effects]
                effects += [GainClue(d.gives) for d in self.story.deductions.values()]
            if any((kind == "clue" and isinstance(e, GainClue) and e.clue == name)
                   or (kind == "flag" and isinstance(e, SetFlag) and e.value and e.flag == name)
                   for e in all_effects(tuple(effects))):
                givers.add(scene.id)
        if not givers:
            return None
        result: dict[str, int] = {}
        for giver in givers:
            for scene, distance in self._distances(giver).items():
                result[scene] = min(distance, result.get(scene, distance))
        return result

    def _distances(self, goal: str) -> dict[str, int]:
        """Choices needed from each scene to reach the goal scene, over the scene graph (with the
        questions' answers that lead somewhere: the focused search keeps only the scenes from
        which the text's can be reached, so every way in must be here)."""
        cached = self.distance_cache.get(goal)
        if cached is not None:
            return cached
        into: dict[str, list[str]] = {}
        for scene in self.story.scenes.values():
            for choice in scene.choices:
                for target in choice.targets:
                    into.setdefault(target, []).append(scene.id)
        boards = [s.id for s in self.story.scenes.values() if s.case_board]
        for question in self.story.questions.values():
            for outcome in question.outcomes:
                if outcome.goto:
                    into.setdefault(outcome.goto, []).extend(question.at or boards)
        result = {goal: 0}
        queue = deque([goal])
        while queue:
            scene_id = queue.popleft()
            for source in into.get(scene_id, ()):
                if source not in result:
                    result[source] = result[scene_id] + 1
                    queue.append(source)
        self.distance_cache[goal] = result
        return result

    def _shortest_near(self, key: tuple[int, int], trail: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """A shortest way to the slip among the states in the scenes the trail goes through: a
        breadth-first search from the start that does not leave them (at most REGION_BUDGET
        states, and no deeper than the trail). What it finds is as real as the trail (every
        step is the rules'), and never longer; it is the shortest overall only when no shorter
        way leaves the region, which run() proves or not (Continuity._shortest)."""
        unit = self.units[key[0]]
        pt, _ = self.rules.start(0)
        region = {pt.scene}
        for move, which in trail:
            pt = self.rules.successors(pt, move)[which]
            region.add(pt.scene)
        start, _ = self.rules.start(0)
        seen = {self._key(start)}
        level: list[tuple[Playthrough, list[tuple[str, int]]]] = [(start, [])]
        explorer = self.explorer
        for _ in range(len(trail) - 1):  # a way no shorter than the trail is no better
            following = []
            for pt, steps in level:
                for move in explorer.moves(pt):
                    for which, after in enumerate(explorer.successors(pt, move)):
                        if after.scene not in region:
                            continue
                        after_key = self._key(after)
                        if after_key in seen:
                            continue
                        seen.add(after_key)
                        path = [*steps, (move, which)]
                        if key[1] in self.broken(unit, after):
                            return path
                        if after.ending is None:
                            following.append((after, path))
                        if len(seen) >= REGION_BUDGET:
                            return trail
            level = following
        return trail

    def _shorten(self, trail: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """The trail without its loops: from a state met twice, on from the second time."""
        pt, _ = self.rules.start(0)
        keys = [self._key(pt)]
        for move, which in trail:
            pt = self.rules.successors(pt, move)[which]
            keys.append(self._key(pt))
        stack = [keys[0]]  # the states kept; kept[i] leads from stack[i] to stack[i + 1]
        kept: list[tuple[str, int]] = []
        at = {keys[0]: 0}
        for step, key in zip(trail, keys[1:], strict=True):
            if key in at:  # back in a state met before: forget the loop
                cut = at[key]
                for dropped in stack[cut + 1:]:
                    del at[dropped]
                del stack[cut + 1:], kept[cut:]
            else:
                at[key] = len(stack)
                stack.append(key)
                kept.append(step)
        return kept


def _required(node) -> list[tuple[str, str]]:
    """The clues, flags and visits a condition needs (its positive tests joined by `and`)."""
    if isinstance(node, BoolOp) and node.op == "and":
        return [ref for operand in node.operands for ref in _required(operand)]
    return [(node.kind, node.name)] if isinstance(node, Ref) and node.kind in ("clue", "flag", "visited") else []


def _holds(kind: str, name: str):
    if kind == "clue":
        return lambda pt: name in pt.clues
    if kind == "flag":
        return lambda pt: name in pt.flags
    return lambda pt: pt.visited.get(name, 0) > 0
