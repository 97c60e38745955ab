"""Witnesses: a replayable path to each scene and ending the search has not yet entered.

A reachability claim needs a witness, a list of choices from the start that
the engine accepts and that ends in the scene. The exhaustive search finds
them for what it visits; on a story too big to visit whole it stops short of
the deepest scenes. This search goes for those directly: greedy best-first
over real states (stepping with Rules.successors, like the exhaustive one),
always expanding a state in the scene nearest to a target in the scene
graph, until every target is entered or its own budget runs out. Whatever it
returns is replayed through the engine before it is believed.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable

from ..rules import Rules
from ..state import Playthrough
from ..story import Story
from .explore import Explorer


class Witness:
    """A replayable way in: the playthrough's seed and its (scene, choice) steps from the start.

    The steps are read back from the search's parent links only when asked for: a search
    that finds ten thousand scenes along one long corridor would otherwise spend most of
    its time writing out paths nobody reads (the verdict needs only that one exists)."""

    __slots__ = ("_index", "_parents", "_path", "seed")

    def __init__(self, seed: int, path: list[tuple[str, str]] | None = None,
                 parents: list[tuple[int, str, str] | None] | None = None, index: int = 0):
        self.seed = seed
        self._path = path
        self._parents = parents
        self._index = index

    @property
    def path(self) -> list[tuple[str, str]]:
        if self._path is None:
            assert self._parents is not None
            self._path = _path(self._parents, self._index)
        return self._path


Found = dict[str, Witness]  # target (a scene id, or 'ending:ID') -> its witness

DEFAULT_BUDGET = 20_000  # states the directed search may expand in all
COVER_PER_SCENE = 4  # states the coverage search may keep, per scene of the story
# Random play for texts and choices nothing has yet shown or ruled out: on this repo's story
# 25,000 steps (about 1.5 s) take the unknown texts from 140 to 14 and the unknown choices to 0.
WANDER_STEPS = 25_000


def cover(story: Story, targets: set[str], endings: set[str] = frozenset(),  # type: ignore[assignment]
          explorer: Explorer | None = None, budget: int | None = None,
          observe: Callable[[Playthrough, list[str]], None] | None = None,
          until_found: bool = True, may_offer: dict[str, frozenset[str]] | None = None) -> Found:
    """Target -> a witness that enters it: a breadth-first search that keeps a state only when
    it enters a scene (or ending) first, or offers a move there that no state kept before did.

    That is enough to take every move the story offers in the states it keeps once, so it
    keeps about as many states as the story has scenes and moves (its budget,
    COVER_PER_SCENE per scene by default, is a count of states: the result does not depend on
    the machine). Paths are shortest in that graph. A path whose steps each had one result
    is what the engine plays from seed 0; one through a random outcome is replayed first.
    observe(state, its moves) is told of every state kept (the dead-text witnesses); with
    until_found=False the search goes on when every target is found, for them. may_offer:
    scene -> every move the may-analysis says may ever be offered there (scenes left out:
    not known); once a kept state offered each of them, later states there are dropped
    without asking the rules what they offer."""
    explorer = explorer or Explorer(story)
    rules = explorer.engine
    found: Found = {}
    wanted = set(targets) | {f"ending:{e}" for e in endings}
    if not wanted and until_found:
        return found
    budget = COVER_PER_SCENE * len(story.scenes) if budget is None else budget
    start, _ = rules.start(0)
    first = rules.available(start)
    # (scene, move) offered by some state kept so far, and scenes (with how the game ended) entered
    offered_somewhere = {(start.scene, move) for move in first}
    entered = {(start.scene, start.ending)}
    saturated: set[str] = set()
    taken: set[tuple[str, str]] = set()
    parents: list[tuple[int, str, str] | None] = [None]
    forked = [False]  # a step on the way had several results (a chance): replay before believing
    queue: deque[tuple[int, Playthrough, list[str]]] = deque([(0, start, first)])
    if observe is not None:
        observe(start, first)
    for target in (_standing(story, start), f"ending:{start.ending}"):
        if target in wanted:  # the start itself: no step needed to stand there
            found[target] = Witness(0, path=[])
            wanted.discard(target)
    while queue and (wanted or not until_found) and len(parents) < budget:
        index, pt, moves = queue.popleft()
        for move in moves:
            if (pt.scene, move) in taken:
                continue  # taken from a state kept before (whose results were kept if new)
            taken.add((pt.scene, move))
            results = explorer.successors(pt, move)
            for after in results:
                place = (after.scene, after.ending)
                if place in entered and after.scene in saturated:
                    continue  # every move that can ever be offered here was offered by a kept state
                offered = rules.available(after) if after.ending is None else []
                new_moves = [m for m in offered if (after.scene, m) not in offered_somewhere]
                if place in entered and not new_moves:
                    continue  # nothing here that a state kept before does not offer
                entered.add(place)
                offered_somewhere.update((after.scene, m) for m in new_moves)
                if new_moves and may_offer is not None and after.scene in may_offer and \
                        all((after.scene, m) in offered_somewhere for m in may_offer[after.scene]):
                    saturated.add(after.scene)
                parents.append((index, pt.scene, move))
                forked.append(forked[index] or len(results) > 1)
                number = len(parents) - 1
                for target in (_standing(story, after), f"ending:{after.ending}"):
                    if target in wanted:
                        witness = Witness(0, parents=parents, index=number)
                        if not forked[number] or replays(rules, witness, after.scene, after.ending):
                            found[target] = witness
                            wanted.discard(target)
                if observe is not None:
                    observe(after, offered)
                if offered:
                    queue.append((number, after, offered))
    return found


def find(story: Story, targets: set[str], endings: set[str] = frozenset(),  # type: ignore[assignment]
         budget: int = DEFAULT_BUDGET, explorer: Explorer | None = None) -> Found:
    """Target -> a path of (scene, choice) from the start that enters it, for the targets reached.

    Targets are scene ids, and 'ending:ID' for each ending in `endings`."""
    explorer = explorer or Explorer(story)
    rules = explorer.engine
    found: Found = {}
    wanted = set(targets) | {f"ending:{e}" for e in endings}
    if not wanted:
        return found
    distance = _distances(story, wanted)
    aimed_at = len(wanted)  # how many targets the distances were computed for
    start, _ = rules.start(0)
    seen = {explorer.key(start)}
    parents: list[tuple[int, str, str] | None] = [None]
    states: list[Playthrough] = [start]
    heap = [(distance.get(start.scene, 1 << 30), 0, 0)]
    expanded = 0
    while heap and wanted and expanded < budget:
        _, depth, index = heapq.heappop(heap)
        pt = states[index]
        expanded += 1
        for move in rules.available(pt):
            for after in explorer.successors(pt, move):
                key = explorer.key(after)
                if key in seen:
                    continue
                seen.add(key)
                states.append(after)
                parents.append((index, pt.scene, move))
                number = len(states) - 1
                for target in (_standing(story, after), f"ending:{after.ending}"):
                    if target not in wanted:
                        continue
                    path = _path(parents, number)
                    if replays(rules, Witness(0, path), after.scene, after.ending):
                        found[target] = Witness(0, path)
                        wanted.discard(target)
                        # Distances to targets already found only steer less well (every path
                        # is replayed before it counts), so re-aim only when a quarter of the
                        # targets are gone: a few passes over the scene graph, not one per target.
                        if wanted and len(wanted) * 4 <= aimed_at * 3:
                            distance, aimed_at = _distances(story, wanted), len(wanted)
                            heap = [(distance.get(states[i].scene, 1 << 30), d, i) for _, d, i in heap]
                            heapq.heapify(heap)
                if after.ending is None:
                    heapq.heappush(heap, (distance.get(after.scene, 1 << 30), depth + 1, number))
        states[index] = pt  # kept: its successors' paths go through it
    return found


def _standing(story: Story, pt: Playthrough) -> str | None:
    """The scene pt witnesses: its own, unless the game ended on the way into it (a move's
    effect ended it: the player never stands there; an ending scene is entered, though)."""
    if pt.ending is None or story.scenes[pt.scene].ending == pt.ending:
        return pt.scene
    return None


def _path(parents: list[tuple[int, str, str] | None], index: int) -> list[tuple[str, str]]:
    steps = []
    while parents[index] is not None:
        parent, scene, move = parents[index]  # type: ignore[misc]
        steps.append((scene, move))
        index = parent
    return steps[::-1]


def replays(rules: Rules, witness: Witness, scene: str, ending: str | None) -> bool:
    """The engine takes every step of the witness from the start (with its seed) and ends in
    scene (and ending)."""
    pt, _ = rules.start(witness.seed)
    for expected, move in witness.path:
        if pt.scene != expected or move not in rules.available(pt):
            return False
        rules.step(pt, move, narrate=False)
    return pt.scene == scene and pt.ending == ending


def _distances(story: Story, targets: set[str]) -> dict[str, int]:
    """Scene -> fewest choices to one of the targets in the scene graph (conditions ignored);
    an 'ending:ID' target is at the scenes that end with it or have a choice that does."""
    preds: dict[str, list[str]] = {}
    starts = {t for t in targets if t in story.scenes}
    for scene in story.scenes.values():
        if f"ending:{scene.ending}" in targets:
            starts.add(scene.id)
        for choice in scene.choices:
            if any(f"ending:{getattr(e, 'ending', None)}" in targets for e in choice.effects):
                starts.add(scene.id)
            for target in choice.targets:
                preds.setdefault(target, []).append(scene.id)
    distance = {t: 0 for t in starts}
    queue = deque(starts)
    while queue:
        sid = queue.popleft()
        for pred in preds.get(sid, ()):
            if pred not in distance:
                distance[pred] = distance[sid] + 1
                queue.append(pred)
    return distance


def playouts(story: Story, targets: set[str], endings: set[str], steps: int = 60_000, seed: int = 0,
             max_turns: int = 600, rules: Rules | None = None,
             observe: Callable[[Playthrough, list[str]], None] | None = None,
             undecided: Callable[[], bool] | None = None) -> Found:
    """Coverage-guided random playthroughs: at each turn a choice never taken before if there
    is one (one towards a scene never entered first), else any; each run's log is a witness for
    the targets it enters. Cheap, and good at what a long random walk finds but a search
    ordered by distance misses (stats built up over many turns). observe(state, its moves)
    is told of every state on the way (the dead-text witnesses: a real playthrough's state
    is exact in every fact); runs go on while targets are missing or undecided() says
    something it watches for is still open (asked between runs)."""
    import random

    # A budget of steps, not of seconds: the same story gets the same verdict on any machine.
    rules = rules or Rules(story)
    rng = random.Random(seed)
    wanted = set(targets) | {f"ending:{e}" for e in endings}
    found: Found = {}
    taken: set[tuple[str, str]] = set()
    entered: set[str] = set()
    spent = 0
    while (wanted or (undecided is not None and undecided())) and spent < steps:
        run_seed = rng.randrange(2**31)  # chance draws hash the seed: kept with the path, it replays
        pt, _ = rules.start(run_seed)
        spent += 1  # a run counts even when the start offers nothing (else: no end to the loop)
        path: list[tuple[str, str]] = []
        while spent < steps:
            moves = rules.available(pt)
            if observe is not None:
                observe(pt, moves)
            if not moves or pt.ending is not None or len(path) >= max_turns:
                break
            fresh = [m for m in moves if (pt.scene, m) not in taken]
            if fresh:
                scene = story.scenes[pt.scene]
                new_places = [m for m in fresh if (c := scene.choice(m)) is not None
                              and any(t not in entered for t in c.targets)]
                move = rng.choice(new_places or fresh)
            else:
                move = rng.choice(moves)
            taken.add((pt.scene, move))
            path.append((pt.scene, move))
            rules.step(pt, move, narrate=False)
            spent += 1
            entered.add(pt.scene)
            for target in (_standing(story, pt), f"ending:{pt.ending}"):
                if target in wanted:
                    found[target] = Witness(run_seed, list(path))
                    wanted.discard(target)
    return found
