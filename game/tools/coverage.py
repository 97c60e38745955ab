"""The coverage-guided player of `play.py playtest`: it goes where no run has been.

A uniform random player tells how often a random reader meets each ending;
it cannot tell a rare ending from an impossible one. An ending behind a
48-step combination was met in 0 of 30,000 random runs. This player shares
what every run before it saw and, at each turn, prefers in this order:

1. a move never taken in this scene (choices, deductions, and one answer per
   outcome of each open question: a wrong answer, a response and the right
   answer are different moves here; and an answer that puts in a slot a
   candidate no run put there yet), those that lead to a scene no run has
   entered first;
2. a move whose result (looked at one step ahead, with the seeded draw the
   turn will really make; moves in random order, the first that qualifies) is
   a situation no run has been in (scene, clues, flags, stats, conclusions,
   once-choices spent), or an ending no run has reached;
3. otherwise, half the time, a move towards the nearest scene that still has
   something new (in the scene graph, gates ignored), else any move.

Every run still starts at the start and plays the engine's own moves, so
each run is a real playthrough whose log replays; the counts it gives are
"seen in k runs", not the odds of a reader (`--random` gives those).
"""

from __future__ import annotations

import random
from collections import deque

from ..questions import answer_id, parse_answer
from ..rules import Rules
from ..state import Playthrough
from ..story import EndGame, Story

LOOKAHEAD = 8  # most moves looked at one step ahead per turn
MAX_REMEMBERED = 500_000  # situations (and looks ahead) remembered: bounds memory (~100 MB) on any story
TOWARDS_NEW = 0.5  # share of turns without anything new that head for the nearest scene with something new


class CoverageGuide:
    """What all runs have seen so far, and the move to make next."""

    def __init__(self, story: Story, rules: Rules):
        self.story = story
        self.rules = rules
        self.taken: set[tuple[str, str]] = set()  # (scene, move key) taken in some run
        self.entered: set[str] = set()  # scenes some run has been in
        self.endings: set[str] = set()  # endings some run reached
        # Situations some run has been in (hashes of situation(): a collision only hides a novelty),
        # and what a move from a situation led to when looked at ahead: (situation, move) -> the
        # situation's hash, or the ending (the same look again is a lookup, not a step).
        self.situations: set[int] = set()
        self._ahead: dict[tuple[int, str], int | str] = {}
        self._here = 0  # the hash of the situation of the last arrival
        self.slots_tried: set[tuple[str, str, str]] = set()  # (question, slot, value) some answer put in
        self._moves_of = {s.id: {c.id: c.targets for c in s.choices} for s in story.scenes.values()}
        self._ending_scenes = _ending_scenes(story)
        self._into: dict[str, set[str]] = {}  # scene -> scenes with a choice into it
        for scene in story.scenes.values():
            for choice in scene.choices:
                for target in choice.targets:
                    self._into.setdefault(target, set()).add(scene.id)
        self._distance: dict[str, int] = {}
        self._stale = True

    # -- what is new ---------------------------------------------------------

    def move_key(self, move: str) -> str:
        """What counts as the same move for coverage: an answer counts by its outcome."""
        parsed = parse_answer(move)
        if parsed is None:
            return move
        question = self.story.questions.get(parsed[0])
        return move if question is None else f"answer:{question.id}:{question.judge(parsed[1]).id}"

    @staticmethod
    def situation(pt: Playthrough) -> tuple:
        """The parts of a playthrough that gates read (not the turn or the visit counts: those
        would make every turn new)."""
        return (pt.scene, frozenset(pt.clues), frozenset(pt.flags), tuple(pt.stats.values()),
                frozenset((q, c.outcome) for q, c in pt.answers.items()), frozenset(pt.taken))

    def record(self, scene: str, move: str, pt: Playthrough) -> None:
        """A move just taken in scene, and where it led."""
        parsed = parse_answer(move)
        if parsed is not None:
            self.slots_tried.update((parsed[0], slot, value) for slot, value in parsed[1].items())
        item = (scene, self.move_key(move))
        if item not in self.taken:
            self.taken.add(item)
            self._stale = True
        self.arrive(pt)

    def arrive(self, pt: Playthrough) -> None:
        if pt.scene not in self.entered:
            self.entered.add(pt.scene)
            self._stale = True
        if pt.ending is not None and pt.ending not in self.endings:
            self.endings.add(pt.ending)
            self._stale = True
        if pt.ending is None:
            self._here = hash(self.situation(pt))
            if len(self.situations) < MAX_REMEMBERED:
                self.situations.add(self._here)

    # -- choosing ------------------------------------------------------------

    def pick(self, pt: Playthrough, moves: list[str], rng: random.Random) -> str:
        """The move to make among those available (moves is not empty)."""
        scene = pt.scene
        fresh = [m for m in moves if (scene, self.move_key(m)) not in self.taken]
        if self.story.questions:
            fresh += self._untried_slots(pt)
        if fresh:
            targets = self._moves_of[scene]
            new_places = [m for m in fresh if any(t not in self.entered for t in targets.get(m, ()))]
            return rng.choice(new_places or fresh)
        novel = self._novel(pt, moves, rng)
        if novel:
            return rng.choice(novel)
        if rng.random() < TOWARDS_NEW:
            nearer = self._towards_new(scene, moves)
            if nearer:
                return rng.choice(nearer)
        return rng.choice(moves)

    def _untried_slots(self, pt: Playthrough) -> list[str]:
        """For each question that can be answered here, an answer that puts in some slot a
        candidate no answer has put there yet (the other slots: any candidate); [] if none."""
        rules = self.rules.questions
        moves = []
        for question in rules.open_here(pt):
            if rules.locked_for(question, pt):
                continue
            values, new = {}, False
            for slot in question.slots:
                pool = rules.candidates(question, slot, pt)
                if not pool:
                    break
                untried = [v for v in pool if (question.id, slot.id, v) not in self.slots_tried]
                values[slot.id] = (untried or pool)[0]
                new = new or bool(untried)
            else:
                if new:
                    moves.append(answer_id(question.id, values))
        return moves

    def _novel(self, pt: Playthrough, moves: list[str], rng: random.Random) -> list[str]:
        """A move that leads to an ending no run reached or a situation no run was in ([] if none
        of at most LOOKAHEAD looked at in random order does). It stops at the first new situation:
        in a big story nearly every situation is new, and looking at every move would cost a step
        each for nothing.

        pt must be where the guide last arrived (its situation is self._here)."""
        sample = rng.sample(moves, min(len(moves), LOOKAHEAD))
        for move in sample:
            result = self._ahead.get((self._here, move))
            if result is None:
                result = self._look(pt, move)
                if result is None:
                    continue
                if len(self._ahead) < MAX_REMEMBERED:
                    self._ahead[(self._here, move)] = result
            if isinstance(result, str) and result not in self.endings:
                return [move]
            if isinstance(result, int) and result not in self.situations:
                return [move]
        return []

    def _look(self, pt: Playthrough, move: str) -> int | str | None:
        """Where a move leads (with the draw the turn would make): the ending, or the situation's
        hash; None if the move fails (the real turn will report that)."""
        log, pt.log = pt.log, []  # the copy need not carry the log
        try:
            after = pt.copy()
        finally:
            pt.log = log
        try:
            self.rules.step(after, move, narrate=False)
        except Exception:  # the real turn will report it; here it is just not new
            return None
        return after.ending if after.ending is not None else hash(self.situation(after))

    def _towards_new(self, scene: str, moves: list[str]) -> list[str]:
        """The scene's choices that lead nearer a scene where something is still new."""
        if self._stale:
            self._distance = self._distances()
            self._stale = False
        far = 1 << 30
        here = self._distance.get(scene, far)
        targets = self._moves_of[scene]
        return [m for m in moves if any(self._distance.get(t, far) < here for t in targets.get(m, ()))]

    def _distances(self) -> dict[str, int]:
        """Scene -> fewest choices (gates ignored) to a scene with a move never taken, not yet
        entered, or ending in an ending not yet reached."""
        goals = [s.id for s in self.story.scenes.values()
                 if s.id not in self.entered
                 or self._ending_scenes.get(s.id, set()) - self.endings
                 or any((s.id, c.id) not in self.taken for c in s.choices)]
        distance = dict.fromkeys(goals, 0)
        queue = deque(goals)
        while queue:
            sid = queue.popleft()
            for before in self._into.get(sid, ()):
                if before not in distance:
                    distance[before] = distance[sid] + 1
                    queue.append(before)
        return distance


def _ending_scenes(story: Story) -> dict[str, set[str]]:
    """Scene -> the endings entering it or one of its choices can give."""
    found: dict[str, set[str]] = {}
    for scene in story.scenes.values():
        if scene.ending:
            found.setdefault(scene.id, set()).add(scene.ending)
        for choice in scene.choices:
            for effect in choice.effects:
                if isinstance(effect, EndGame):
                    found.setdefault(scene.id, set()).add(effect.ending)
    return found
