"""`check --continuity`: text that names what the player cannot know yet, or a fact that no longer holds (#16).

Every mention found by game.tools.mentions gets one of three verdicts:

- a finding (warning): a breadth-first search over the reachable states
  reached one where the text is shown and the mention's `known` condition is
  false; the path there is a shortest one, and it is replayed through the
  rules from the start (unpruned) before it is reported, so every finding can
  happen;
- proven fine (counted in the summary): the search was complete, or the
  may-analysis (game.tools.abstract, an over-approximation of every state in
  every scene) shows the condition true wherever the text can show, or the
  text never shows;
- unknown (a note naming the text): neither, because the search stopped at
  its budget first.

The search keys its states on what the soft-lock search keys them on
(game.tools.explore.Explorer.key: what choices can still read) plus every
reference the continuity conditions read (a mention's `known`, a paragraph's
`if:`, inline conditions, a locked choice's visibility), so two playthroughs
in one state show the same text and agree on what is known. It steps with
the same `Rules.successors` as every analysis.

Approximations, on the side of saying more: a `one_of` variant, or an
inline alternative, counts as shown whenever its paragraph is (the showing
count that would pick it is not tracked); a mention in a snippet is not
looked for (only the text as written).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..conditions import Condition
from ..diagnostics import Diagnostic, Pos
from ..prose import draw
from ..rules import Rules, every_outcome
from ..state import Playthrough
from ..story import Story
from .continuity_proof import MayAnalysis, monotone
from .continuity_walks import Walks
from .explore import Explorer
from .mentions import Mention, Sources, Unit, phrase_pattern, units

CONTINUITY_BUDGET = 100_000  # states (about 4 KB each while queued); --deep: DEEP_FACTOR times as many
DEEP_FACTOR = 4
MAX_PATH = 8  # steps of a path shown in a message
WALKS = 500  # random playthroughs after a search cut short, for the text it did not reach


@dataclass
class Finding:
    unit: Unit
    mention: Mention
    pos: Pos
    path: list[tuple[str, str]]  # (scene, move) from the start
    silenced: str | None = None  # the reason, when a comment silences it
    reasonless: bool = False  # a `# continuity: ok` without a reason covers it
    shortest: bool = True  # found breadth-first; False: by a random playthrough, loops cut


@dataclass
class ContinuityResult:
    findings: list[Finding] = field(default_factory=list)
    proven: int = 0  # mentions proven to be shown only where known
    unknown: list[tuple[Unit, Mention, Pos]] = field(default_factory=list)
    states: int = 0
    complete: bool = True
    budget: int = 0
    advice: str = ""  # how to search more, for the unknown notes ("": from the budget)

    @property
    def silenced(self) -> list[Finding]:
        return [f for f in self.findings if f.silenced]

    def diagnostics(self, story: Story) -> list[Diagnostic]:
        result = []
        for finding in self.findings:
            if finding.silenced:
                continue
            message = _message(finding)
            if finding.reasonless:
                message += " (the '# continuity: ok' here has no reason, so it silences nothing: say why)"
            result.append(Diagnostic(finding.pos, "warning", message, "continuity"))
        for unit, mention, pos in self.unknown:
            result.append(Diagnostic(pos, "note", f"continuity unknown: {_name(mention)} in {unit.what}: no path "
                                     "found where it shows before it holds, and none proven impossible (the "
                                     f"search stopped at its budget of {self.budget:,} states; "
                                     f"{self._advice()})", "continuity-unknown"))
        where = Pos(f"{story.root}/story.yaml" if story.root else "story.yaml")
        verdict = "every reachable state" if self.complete else f"stopped at its budget of {self.budget:,}"
        result.append(Diagnostic(where, "note", f"continuity: {len(self.findings) - len(self.silenced)} "
                                 f"finding(s), {len(self.silenced)} silenced with a reason, {self.proven} "
                                 f"mention(s) proven fine, {len(self.unknown)} unknown; search: {self.states:,} "
                                 f"states ({verdict})", "continuity-summary"))
        return result


    def _advice(self) -> str:
        """How to look further: --deep while it would search more, then a bigger budget."""
        if self.advice:
            return self.advice
        if self.budget < CONTINUITY_BUDGET * DEEP_FACTOR:
            return (f"run check --continuity --deep for {CONTINUITY_BUDGET * DEEP_FACTOR:,}, "
                    "or raise --continuity-budget")
        return f"raise --continuity-budget above {self.budget:,}"


def _name(mention: Mention) -> str:
    target = mention.target
    kind = {"people": "person", "places": "place", "things": "thing", "facts": "fact"}[target.kind]
    return f"'{' '.join(mention.phrase.split())}' ({kind} {target.id})"


def _message(finding: Finding) -> str:
    target = finding.mention.target
    known = target.known.source if target.known is not None else "true"
    if target.kind == "facts":
        claim = f"assumes '{target.name}' where it may not hold (it holds when: {known})"
    else:
        claim = f"names {target.name} where the player may not know of them yet (known: {known})"
    path = _path_text(finding.path)
    if not finding.shortest:
        path += " (found by a random playthrough: maybe not the shortest way)"
    return f"{_name(finding.mention)} in {finding.unit.what} {claim}; e.g. {path}"


def _path_text(path: list[tuple[str, str]]) -> str:
    if not path:
        return "at the start"
    shown = ", ".join(f"{scene}:{move}" for scene, move in path[-MAX_PATH:])
    if len(path) > MAX_PATH:
        return f"after {len(path)} choices (the last: {shown})"
    return f"after {shown}"


class Continuity(Walks):
    def __init__(self, story: Story, rules: Rules | None = None):
        self.story = story
        self.rules = rules or Rules(story)
        self.units = units(story)
        self.sources = Sources()
        self.explorer = Explorer(story, self.rules)
        self.reads = self._reads()
        self.extra = self._extra_key()
        by_scene: dict[str, list[int]] = {}
        self.everywhere: list[int] = []
        for index, unit in enumerate(self.units):
            if unit.scene:
                by_scene.setdefault(unit.scene, []).append(index)
            else:
                self.everywhere.append(index)
        self.by_scene = by_scene
        self.distance_cache: dict[str, dict[str, int]] = {}
        self.left = [len(unit.mentions) for unit in self.units]

    # -- what the continuity conditions read --------------------------------

    def _conditions(self) -> list[Condition]:
        found: list[Condition] = []
        for unit in self.units:
            found.extend(m.target.known for m in unit.mentions if m.target.known is not None)
            if unit.paragraph is not None and unit.paragraph.condition is not None:
                found.append(unit.paragraph.condition)
            found.extend(unit.text.conditions)
            if unit.choice is not None and unit.choice.shown_locked_if is not None:
                found.append(unit.choice.shown_locked_if)
            if unit.kind == "entity":
                known = self.story.entities[unit.subject].known
                if known is not None:
                    found.append(known)
        return found

    def _reads(self) -> set[tuple[str, str]]:
        reads = {ref for condition in self._conditions() for ref in condition.refs}
        # A clue's text shows while the clue is held: two states must not merge over that.
        reads.update(("clue", unit.subject) for unit in self.units if unit.kind == "clue")
        return reads

    def _extra_key(self):
        """A function: the values of everything the continuity conditions read (beside Explorer.key)."""
        reads = sorted(self.reads)
        explorer = self.explorer
        # The search's copies keep only the visits and takings conditions read: keep ours too.
        for kind, name in reads:
            if kind == "visited":
                explorer.visited.add(name)
            elif kind == "visits":
                explorer.visits.add(name)
            elif kind == "taken" and "." in name:
                explorer.counted.add(tuple(name.rsplit(".", 1)))
        clues = tuple(n for k, n in reads if k == "clue")
        flags = tuple(n for k, n in reads if k == "flag")
        stats = tuple(n for k, n in reads if k == "stat")
        visited = tuple(n for k, n in reads if k == "visited")  # whether: a count here would split
        visits = tuple(n for k, n in reads if k == "visits")  # every round of a loop into a new state
        taken = tuple(tuple(n.rsplit(".", 1)) for k, n in reads if k == "taken" and "." in n)
        turn = any(k == "turn" for k, _ in reads)

        def key(pt: Playthrough) -> tuple:
            return (tuple(c in pt.clues for c in clues), tuple(f in pt.flags for f in flags),
                    tuple(pt.stats.get(s, 0) for s in stats), tuple(v in pt.visited for v in visited),
                    tuple(pt.visited.get(v, 0) for v in visits),
                    tuple(pt.chosen.get(t, 0) for t in taken), pt.turn if turn else 0)  # type: ignore[arg-type]
        return key

    # -- when a text shows ----------------------------------------------------

    def shown(self, unit: Unit, pt: Playthrough, asked: dict | None = None) -> bool:
        """Whether the unit's text is on screen at pt (asked: the open questions here, if known)."""
        kind = unit.kind
        if kind in ("scene", "label", "hint", "outcome"):
            if pt.scene != unit.scene:
                return False
            if kind == "scene":
                return unit.paragraph.condition is None or bool(unit.paragraph.condition(pt))  # type: ignore[union-attr]
            if pt.ending is not None:
                return False
            choice = unit.choice
            assert choice is not None
            enabled = self.rules.tests[unit.scene][choice.id](pt)
            if kind in ("label", "hint"):
                locked_in_view = (not enabled and choice.visible_when_locked
                                  and not (choice.once and (unit.scene, choice.id) in pt.taken)
                                  and (choice.shown_locked_if is None or bool(choice.shown_locked_if(pt))))
                return locked_in_view if kind == "hint" else enabled or locked_in_view
            return enabled and (unit.paragraph.condition is None  # type: ignore[union-attr]
                                or bool(unit.paragraph.condition(pt)))  # type: ignore[union-attr]
        if kind == "clue":
            return unit.subject in pt.clues
        if kind == "entity":
            return self.story.entities[unit.subject].is_known(pt)
        if kind == "deduction":
            return any(d.id == unit.subject for d in self.rules.ready_deductions(pt)) \
                and self.story.scenes[pt.scene].case_board
        if kind in ("ask", "answer"):
            if pt.ending is not None:
                return False
            questions = self.rules.questions
            if asked is None:
                asked = {q.id: q for q in questions.open_here(pt)}
            question = asked.get(unit.subject)
            if question is None:
                return False
            if kind == "ask":
                return True
            return not questions.locked_for(question, pt) and any(
                outcome.id == unit.outcome or (outcome.correct and unit.outcome == question.right.id)
                for outcome, _ in questions.representatives(question, pt))
        return pt.ending == unit.subject

    def drawn(self, unit: Unit, mention: Mention, pt: Playthrough) -> bool:
        """Whether a mention inside markup survives drawing the text at pt (at some showing)."""
        if not mention.braced:
            return True
        pattern = phrase_pattern(mention.phrase)
        return any(pattern.search(draw(unit.text, pt, f"{pt.seed}:{unit.what}", count)) for count in range(4))

    def judged(self, unit: Unit, pt: Playthrough) -> list[Playthrough]:
        """The states a text shown at pt is read in: pt itself, or for a choice's outcome, the
        states right after the choice's own effects (every outcome of a chance), before the next
        scene: the outcome is drawn before them but read with their notices, so what they make
        known it may name."""
        if unit.kind != "outcome":
            return [pt]
        choice = unit.choice
        assert choice is not None

        def run(pick) -> Playthrough:
            after = pt.copy()
            after.turn += 1  # as Rules.step: the turn advances before the effects run
            self.rules.apply(choice.effects, after, [], pick)
            if choice.once:
                after.taken.add((unit.scene, choice.id))
            self.rules.count(after, unit.scene, choice.id)  # the choice is taken: `taken.` counts it
            return after
        return every_outcome(run)

    def broken(self, unit: Unit, pt: Playthrough) -> list[int]:
        """The mentions of a unit that show at pt without holding where they are read."""
        if not self.shown(unit, pt):
            return []
        read = self.judged(unit, pt)
        return [i for i, m in enumerate(unit.mentions)
                if not all(m.target.is_known(state) for state in read) and self.drawn(unit, m, pt)]

    # -- the search ---------------------------------------------------------------

    def run(self, budget: int = CONTINUITY_BUDGET, walks: int = WALKS, seed: int = 0,
            prove: bool = True) -> ContinuityResult:
        """prove=False: only the search (and walks): its findings are as sure, everything it did not
        reach is left unknown (no proofs, no focused searches); for a quick look, as in the tests."""
        result = ContinuityResult(budget=budget)
        if not self.units:
            return result
        found: dict[tuple[int, int], tuple[int, list]] = {}  # (unit, mention) -> (state, path)
        self.left = [len(unit.mentions) for unit in self.units]  # per unit: mentions not found yet
        total = sum(len(u.mentions) for u in self.units)
        # Stopped once everything is found: nothing is left to prove or look for.
        parent, result.complete, result.states, self.looked = self._search(found, budget,
                                                                           lambda: len(found) == total)
        trails = {k: self._trail(number, parent) for k, (number, _) in found.items()}
        self.decided: set[tuple[int, int]] = set()  # proven, by the may-analysis or a focused search
        self.walked: set[tuple[int, int]] = set()  # found by a random playthrough: maybe not the shortest
        self.looked_for: dict[tuple[int, int], float] = {}  # as self.looked, by a focused search
        if not result.complete and prove:
            possible = MayAnalysis(self.story)
            self.decided = {(i, m) for i, unit in enumerate(self.units) for m, mention in enumerate(unit.mentions)
                            if (i, m) not in trails and possible.never(unit, mention)}
            self._focus(trails, budget, possible.cleared)
        if not result.complete and walks:
            before = set(trails)
            self._walk(trails, total, walks, seed)
            self.walked = set(trails) - before
        self._report(result, trails)
        return result

    def _focus(self, trails: dict, budget: int, cleared: set[str]) -> None:
        """A search per person or fact still undecided whose condition, once true, stays true:
        only the states where it is still false (every state on a way to one where it is false is
        one too), and only those from which a scene showing the text can still be reached. It is
        breadth-first like the whole search, so what it finds has a shortest path; when it goes
        through every such state, what it did not find never happens."""
        open_: dict[str, list[tuple[int, int]]] = {}
        for index, unit in enumerate(self.units):
            for mention_index, mention in enumerate(unit.mentions):
                key = (index, mention_index)
                if key not in trails and key not in self.decided and monotone(mention.target.known.tree, cleared):  # type: ignore[union-attr]
                    open_.setdefault(mention.target.id, []).append(key)
        # One budget shared by them all (each gets an even share of what is left, so the states
        # a small one does not use go to the later ones).
        left = budget
        for number, keys in enumerate(sorted(open_.values(), key=len)):
            target = self.units[keys[0][0]].mentions[keys[0][1]].target
            scenes = {self.units[i].scene for i, _ in keys}
            near = None if "" in scenes else set().union(*(self._distances(s) for s in scenes))
            hits, complete, used, looked = self._focused(target, keys, near, left // (len(open_) - number))
            left -= used
            trails.update(hits)
            self.looked_for.update((k, looked) for k in keys if k not in hits)
            if complete:
                self.decided.update(k for k in keys if k not in hits)

    def _focused(self, target, keys: list[tuple[int, int]], near: set[str] | None,
                 budget: int) -> tuple[dict, bool, int, float]:
        wanted = set(keys)
        focus = {i for i, _ in keys}
        saved_left = self.left
        # _look records only the wanted mentions: the others count as found already.
        self.left = [sum(1 for k in keys if k[0] == i) if i in focus else 0 for i in range(len(self.units))]
        found: dict = {(i, m): None for i in focus for m in range(len(self.units[i].mentions))
                       if (i, m) not in wanted}
        start, _ = self.rules.start(0)
        try:
            if target.is_known(start):
                return {}, True, 1, math.inf

            def keep(after: Playthrough) -> bool:  # known for good / no way on to the text from here
                return not target.is_known(after) and (near is None or after.scene in near)
            # Cut short, every state where it is still false this close to the start was looked at,
            # and a way to a slip goes only through such states: it is further away.
            parent, complete, used, looked = self._search(found, budget, lambda: all(k in found for k in wanted),
                                                          keep)
            return self._hits(found, wanted, parent), complete, used, looked
        finally:
            self.left = saved_left

    def _search(self, found: dict, budget: int, done: Callable[[], bool],
                keep: Callable[[Playthrough], bool] | None = None) -> tuple[list, bool, int, float]:
        """Breadth-first from the start, stepping and keying like every analysis, recording in
        `found` (by _look) the mentions that show where they do not hold; only the states `keep`
        allows; until `done()`, the budget, or no state is left. Returns the way into each state
        (parent[i] = (state, move, which of its results), for the path and its replay), whether
        it went through them all (or was done), how many it saw, and how many choices from the
        start it had looked at every state (inf: all)."""
        explorer, extra = self.explorer, self.extra
        start, _ = self.rules.start(0)
        seen: dict[tuple, int] = {(explorer.key(start), extra(start)): 0}
        parent: list[tuple[int, str, int] | None] = [None]
        depth = [0]  # choices from the start to each state (breadth-first: the fewest)
        queue: deque[tuple[int, Playthrough]] = deque([(0, start)])
        self._look(0, start, found)
        while queue:
            if done():
                break
            if len(seen) >= budget:  # the states before the next are expanded: all of its depth seen
                return parent, False, len(seen), depth[queue[0][0]]
            index, pt = queue.popleft()
            for move in explorer.moves(pt):
                for which, after in enumerate(explorer.successors(pt, move)):
                    if keep is not None and not keep(after):
                        continue
                    key = (explorer.key(after), extra(after))
                    if key in seen:
                        continue
                    number = seen[key] = len(parent)
                    parent.append((index, move, which))
                    depth.append(depth[index] + 1)
                    self._look(number, after, found)
                    if after.ending is None:
                        queue.append((number, after))
        return parent, True, len(seen), math.inf

    def _hits(self, found: dict, wanted: set, parent: list) -> dict:
        return {k: self._trail(found[k][0], parent) for k in wanted if k in found}

    def _key(self, pt: Playthrough) -> tuple:
        return (self.explorer.key(pt), self.extra(pt))

    def _look(self, number: int, pt: Playthrough, found: dict, skip: dict | None = None) -> None:
        """Record the mentions that show at pt without holding (those not recorded before)."""
        done = skip if skip is not None else found
        left = self.left
        known: dict[str, bool] = {}  # per target, evaluated once per state
        asked: dict | None = None
        for index in (*self.by_scene.get(pt.scene, ()), *self.everywhere):
            if left[index] == 0:
                continue  # every mention of it already has its path
            unit = self.units[index]
            if unit.kind == "outcome":  # read after its own effects: judged on those states
                pending = [i for i in range(len(unit.mentions)) if (index, i) not in done]
                if pending:
                    broken = self.broken(unit, pt)
                    for mention_index in pending:
                        if mention_index in broken:
                            found[(index, mention_index)] = (number, [])
                            if skip is None:
                                left[index] -= 1
                continue
            bad = []
            for mention_index, mention in enumerate(unit.mentions):
                if (index, mention_index) in done:
                    continue
                target = mention.target
                holds = known.get(target.id)
                if holds is None:
                    holds = known[target.id] = target.is_known(pt)
                if not holds:
                    bad.append(mention_index)
            if not bad:
                continue
            if unit.kind == "clue" and unit.subject not in pt.clues:
                continue
            if unit.kind in ("ask", "answer") and asked is None:
                asked = {q.id: q for q in self.rules.questions.open_here(pt)}
            if not self.shown(unit, pt, asked):
                continue
            for mention_index in bad:
                if self.drawn(unit, unit.mentions[mention_index], pt):
                    found[(index, mention_index)] = (number, [])
                    if skip is None:
                        left[index] -= 1

    def _trail(self, number: int, parent: list) -> list[tuple[str, int]]:
        steps = []
        while parent[number] is not None:
            number, move, which = parent[number]
            steps.append((move, which))
        return steps[::-1]

    def replay(self, trail: list[tuple[str, int]]) -> tuple[Playthrough, list[tuple[str, str]]] | None:
        """The full playthrough at the end of a trail, stepped by the rules from the start (no pruning)."""
        pt, _ = self.rules.start(0)
        path = []
        for move, which in trail:
            if move not in self.rules.available(pt):
                return None
            results = self.rules.successors(pt, move)
            if which >= len(results):
                return None
            path.append((pt.scene, move))
            pt = results[which]
        return pt, path

    def _shortest(self, key: tuple[int, int], trail: list) -> bool:
        """Whether a trail is proven a shortest way to its slip: found breadth-first, or no
        longer than one more than the depth to which a breadth-first search (the whole one, or
        the focused one for its condition) looked at every state without finding it."""
        if key not in self.walked:
            return True
        return len(trail) <= max(self.looked, self.looked_for.get(key, -1)) + 1

    def _report(self, result: ContinuityResult, trails: dict) -> None:
        for index, unit in enumerate(self.units):
            for mention_index, mention in enumerate(unit.mentions):
                pos = self.sources.locate(unit, mention)
                hit = trails.get((index, mention_index))
                if hit is not None:
                    replayed = self.replay(hit)
                    if replayed is not None and mention_index in self.broken(unit, replayed[0]):
                        path = replayed[1]
                        if unit.kind == "outcome":  # read once the choice is taken: the path takes it
                            path = [*path, (unit.scene, unit.choice.id)]  # type: ignore[union-attr]
                        finding = Finding(unit, mention, pos, path, shortest=self._shortest((index, mention_index), hit))
                        silence = self.sources.silence(unit, pos)
                        if silence is not None:
                            if silence[0]:
                                finding.silenced = silence[1]
                            else:
                                finding.reasonless = True
                        result.findings.append(finding)
                        continue
                if (result.complete or (index, mention_index) in self.decided) and hit is None:
                    result.proven += 1
                else:
                    result.unknown.append((unit, mention, pos))
        result.findings.sort(key=lambda f: f.pos)


def continuity(story: Story, budget: int = CONTINUITY_BUDGET, walks: int = WALKS) -> ContinuityResult:
    return Continuity(story).run(budget, walks)


__all__ = ["CONTINUITY_BUDGET", "DEEP_FACTOR", "Continuity", "ContinuityResult", "Finding", "continuity"]

