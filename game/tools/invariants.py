"""What every reachable state satisfies: implications the escape proofs cut boxes with.

The may-analysis's boxes hold one fact at a time; a proof about a box would
have to cover states no player can reach. These implications, each over facts
that never go back (scenes visited, clues, once-only choices taken, flags
nothing clears, how questions were closed), relate them:

* `invariant`: "this fact holds, so one of the ways to it happened" (a scene
  leading here was visited, a scene giving this clue was, ...), and a closed
  question has one record. On a cycle of scenes that is too weak: each visit
  is explained by the visit before it, round the cycle, and no way in is
  needed. So, for game.tools.attractor:
* `implications`, necessary: g holds wherever f does when every way f can
  come about needs g, or needs a fact that needs g. A greatest fixpoint
  (start from "everything", keep what every way supports), like dominators
  in a graph; sound by induction on the order in which facts first came
  about in a play, because what a way needs held before its move.
* `implications`, gained together: a way that gives f surely gives g in the
  same move (the clue a scene's on_enter always gives, the scene a once-only
  choice always enters, the question an `answer:` closes); if every way to f
  does, g holds wherever f does. The two are closed under each other.
"""

from __future__ import annotations

import weakref
from typing import Any

from ..conditions import BoolOp, Ref
from ..questions import RIGHT
from ..story import Answer, ChangeStat, Effect, EndGame, GainClue, Question, Roll, SetFlag
from . import model


def invariant(encoding: Any) -> list[Any]:
    """Implications every reachable state satisfies, from how facts can come about.

    Each fact here only ever goes from false to true, and only in known ways:
    a once-only choice is taken in its scene (so that scene was visited) and
    enters one of its targets; a clue is found in the scenes that give it or
    by the deduction that gives it; a scene is entered from a scene leading
    to it. So "this fact holds" implies "one of the ways to it happened",
    when the way is something we hold a variable for. The may-analysis keeps
    no such relations (its boxes are one fact at a time), and without them
    a proof about a box would have to cover states no player can reach.
    They are kept apart (one small BDD each): their conjunction, under any
    fixed variable order, can be huge, while a set of states cut down by
    them one at a time stays small.
    """
    analyzer = encoding.analyzer
    story = analyzer.story
    bdd = encoding.bdd
    visit = encoding.visit
    result: list[Any] = []

    def visited_any(scenes: set[str]) -> Any:
        if not scenes or any(s not in visit for s in scenes):
            return None
        found = encoding.false
        for scene in scenes:
            found = found | bdd.var(visit[scene])
        return found

    givers: dict[str, list[Any]] = {}
    into: dict[str, list[Any]] = {}
    for scene in story.scenes.values():
        here = bdd.var(visit[scene.id])
        for clue in _clue_gains(scene.on_enter, story):
            givers.setdefault(clue, []).append(here)
        for choice in scene.choices:
            needed = here & _must_all(encoding, choice.condition)
            for branch in choice.branches:
                if branch.target is not None:
                    into.setdefault(branch.target, []).append(needed & _must_all(encoding, branch.condition))
            for clue in _clue_gains(choice.effects, story):
                givers.setdefault(clue, []).append(needed)
            bit = analyzer.once_bit.get((scene.id, choice.id))
            if bit is None:
                continue
            taken = bdd.var(encoding.once[bit])
            result.append(~taken | needed)
            if all(b.target is not None for b in choice.branches):
                there = visited_any({b.target for b in choice.branches})  # type: ignore[misc]
                if there is not None:
                    result.append(~taken | there)
    boards = {s.id for s in story.scenes.values() if s.case_board}
    for question in story.questions.values():  # answered where it is asked
        asked = visited_any(set(question.at) or boards)
        for outcome in question.outcomes:
            for clue in _clue_gains((*outcome.effects, *question.wrong.effects), story):
                givers.setdefault(clue, []).append(asked)
            if outcome.goto is not None:
                into.setdefault(outcome.goto, []).append(encoding.true if asked is None else asked)
    for question in story.questions.values():  # one record per closed question
        result.extend(_closed_once(encoding, question))
    for deduction in story.deductions.values():
        held = visited_any(boards)
        for need in deduction.needs:
            held = None if held is None else held & bdd.var(encoding.clue[need])
        givers.setdefault(deduction.gives, []).append(held)
    for clue, ways in givers.items():
        if ways and all(w is not None for w in ways):
            either = encoding.false
            for way in ways:
                either = either | way
            result.append(~bdd.var(encoding.clue[clue]) | either)
    for scene_id, var in visit.items():
        if scene_id == story.start:
            continue
        either = encoding.false
        for way in into.get(scene_id, ()):
            either = either | way
        result.append(~bdd.var(var) | either)
    return result

def _closed_once(encoding: Any, question: Question) -> list[Any]:
    """A closed question has one record (QuestionRules): concluded.q holds exactly when
    one concluded.q.o does, no two of those at once, and solved.q is concluded.q.right."""
    names = [f"concluded.{question.id}.{RIGHT}",
             *(f"concluded.{question.id}.{r.id}" for r in question.responses if r.conclude)]
    wanted = [f"concluded.{question.id}", f"solved.{question.id}", *names]
    if any(name not in encoding.flag for name in wanted):
        return []
    var = {name: encoding.bdd.var(encoding.flag[name]) for name in wanted}
    closed, solved, right = var[wanted[0]], var[wanted[1]], var[names[0]]
    some = encoding.false
    for name in names:
        some = some | var[name]
    found = [(~closed | some) & (closed | ~some), (solved & right) | (~solved & ~right)]
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            found.append(~var[first] | ~var[second])
    return found

def _must_all(encoding: Any, condition: Any) -> Any:
    """Facts that never go back and that the condition needs to hold (its top-level
    'and' of plain clue and visited tests), as one set: they still hold after the move."""
    result = encoding.true
    for var in must(encoding, condition):
        result = result & encoding.bdd.var(var)
    return result


def _clue_gains(effects: tuple[Effect, ...], story: Any) -> set[str]:
    """Every clue the effects may give (model.effects_run: in if/chance, through answer:)."""
    return {e.clue for e in model.effects_run(effects, story) if isinstance(e, GainClue)}


def implications(encoding: Any) -> list[Any]:
    """One BDD per fact f: "f implies every fact it needs or comes with"."""
    bdd = encoding.bdd
    found = []
    for fact, implied in closure(encoding).items():
        if implied:
            both = encoding.true
            for other in implied:
                both = both & bdd.var(other)
            found.append(~bdd.var(fact) | both)
    return found


def closure(encoding: Any) -> dict[str, list[str]]:
    """Variable of each fact -> the variables of the facts it implies."""
    story = encoding.analyzer.story
    ways = _ways(encoding)
    facts = sorted(set(ways) | set(encoding.visit.values()) | set(encoding.clue.values())
                   | {encoding.flag[f] for f in _kept_flags(encoding)}
                   | set(encoding.once.values()) | set(_closing(encoding).values()))
    index = {f: i for i, f in enumerate(facts)}
    everything = (1 << len(facts)) - 1
    start = encoding.visit[story.start]
    held: dict[str, int] = {}
    fixed = set()
    for fact in facts:
        routes = ways.get(fact)
        if fact == start or not routes or any(r is None for r in routes):
            held[fact] = 1 << index[fact]  # nothing known of how it comes about
            fixed.add(fact)
        else:
            held[fact] = everything
    changed = True
    while changed:
        changed = False
        for fact in facts:
            if fact in fixed:
                continue
            common = everything
            for route in ways[fact]:
                union = 0
                for need in route:
                    union |= (1 << index[need]) | held[need]
                common &= union
            new = (1 << index[fact]) | common
            if new != held[fact]:
                held[fact] = new
                changed = True
    for fact, others in _together(encoding).items():
        for other in others:
            if other in index and fact in held:
                held[fact] |= 1 << index[other]
    changed = True
    while changed:  # transitive closure
        changed = False
        for fact in facts:
            value = held[fact]
            bits, new = value, value
            while bits:
                low = bits & -bits
                bits ^= low
                new |= held[facts[low.bit_length() - 1]]
            if new != value:
                held[fact] = new
                changed = True
    return {f: [facts[i] for i in range(len(facts)) if held[f] >> i & 1 and facts[i] != f] for f in facts}


def _closing(encoding: Any) -> dict[str, str]:
    """concluded.q and concluded.q.o flag names -> variables: how questions were closed."""
    return {name: var for name, var in encoding.flag.items() if name.startswith("concluded.")}


def must(encoding: Any, condition: Any) -> set[str]:
    """Variables of the clue and visited facts the condition's top-level 'and' needs."""
    found: set[str] = set()
    if condition is None:
        return found
    nodes = [condition.tree]
    while nodes:
        node = nodes.pop()
        if isinstance(node, BoolOp) and node.op == "and":
            nodes.extend(node.operands)
        elif isinstance(node, Ref) and node.kind in ("clue", "visited"):
            found.add((encoding.clue if node.kind == "clue" else encoding.visit)[node.name])
    return found


def _gains(encoding: Any, effects: tuple[Effect, ...]) -> set[str]:
    """Variables of the facts the effects may make true (in if/chance, through answer:):
    clues, and flags nothing clears."""
    found = set()
    for effect in model.effects_run(effects, encoding.analyzer.story):
        if isinstance(effect, GainClue):
            found.add(encoding.clue[effect.clue])
        elif isinstance(effect, SetFlag) and effect.value and effect.flag in _kept_flags(encoding):
            found.add(encoding.flag[effect.flag])
    return found


def _kept_flags(encoding: Any) -> set[str]:
    """Flags (with a variable) that no effect anywhere clears."""
    kept = _KEPT.get(encoding)
    if kept is None:
        kept = _KEPT[encoding] = _find_kept_flags(encoding)
    return kept


_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _find_kept_flags(encoding: Any) -> set[str]:
    story = encoding.analyzer.story
    cleared = set()
    lists = [s.on_enter for s in story.scenes.values()]
    lists += [c.effects for s in story.scenes.values() for c in s.choices]
    lists += [o.effects for q in story.questions.values() for o in q.outcomes]
    lists += [q.wrong.effects for q in story.questions.values()]
    for effects in lists:
        for effect in model.effects_run(effects, story):
            if isinstance(effect, SetFlag) and not effect.value:
                cleared.add(effect.flag)
    return {f for f in story.flags if f in encoding.flag and f not in cleared}


def _ways(encoding: Any) -> dict[str, list[frozenset[str] | None]]:
    """Fact variable -> for each way it comes about, the facts held before that move
    (None: a way through something without a variable). The same ways as
    invariant(), a disjunction of scenes split into one way each."""
    analyzer = encoding.analyzer
    story = analyzer.story
    visit = encoding.visit
    found: dict[str, list[frozenset[str] | None]] = {}

    def add(fact: str, needs: set[str] | None) -> None:
        found.setdefault(fact, []).append(None if needs is None else frozenset(needs))

    boards = {s.id for s in story.scenes.values() if s.case_board}
    for scene in story.scenes.values():
        here = visit[scene.id]
        for fact in _gains(encoding, scene.on_enter):
            add(fact, {here})
        for choice in scene.choices:
            needed = {here} | must(encoding, choice.condition)
            for branch in choice.branches:
                if branch.target is not None:
                    add(visit[branch.target], needed | must(encoding, branch.condition))
            for fact in _gains(encoding, choice.effects):
                add(fact, needed)
            bit = analyzer.once_bit.get((scene.id, choice.id))
            if bit is not None:
                add(encoding.once[bit], needed)
    for question in story.questions.values():
        asked = set(question.at) or boards
        for outcome in question.outcomes:
            for fact in _gains(encoding, (*outcome.effects, *question.wrong.effects)):
                for scene in asked:
                    add(fact, {visit[scene]} if scene in visit else None)
            if outcome.goto is not None:
                for scene in asked:
                    add(visit[outcome.goto], {visit[scene]} if scene in visit else None)
    for deduction in story.deductions.values():
        for board in boards:
            add(encoding.clue[deduction.gives], {visit[board], *(encoding.clue[n] for n in deduction.needs)})
    return found


def _sure(encoding: Any, effects: tuple[Effect, ...]) -> set[str]:
    """Variables of the facts the effects make true whatever happens: the clues and kept
    flags before anything that could stop them, and a question an answer: closes (or
    finds closed already); its outcome's effects may end the game, so nothing after."""
    found = set()
    kept = _kept_flags(encoding)
    for effect in effects:
        if isinstance(effect, GainClue):
            found.add(encoding.clue[effect.clue])
        elif isinstance(effect, SetFlag):
            if effect.value and effect.flag in kept:
                found.add(encoding.flag[effect.flag])
        elif isinstance(effect, (ChangeStat, Roll)):
            continue
        else:
            if isinstance(effect, Answer) and f"concluded.{effect.question}" in encoding.flag:
                found.add(encoding.flag[f"concluded.{effect.question}"])
            break
    return found


def _together(encoding: Any) -> dict[str, set[str]]:
    """Fact variable -> facts every way to it surely makes true in the same move."""
    analyzer = encoding.analyzer
    story = analyzer.story
    visit = encoding.visit

    def entered(target: str) -> set[str]:
        return {visit[target]} | _sure(encoding, story.scenes[target].on_enter)

    ways: dict[str, list[set[str]]] = {}

    def add(fact: str, facts: set[str]) -> None:
        ways.setdefault(fact, []).append(facts)

    for scene in story.scenes.values():
        for gained in _gains(encoding, scene.on_enter):
            add(gained, entered(scene.id))
        for choice in scene.choices:
            targets = {b.target for b in choice.branches}
            after = _sure(encoding, choice.effects)
            ends = any(isinstance(e, EndGame) for e in model.effects_run(choice.effects, story))
            if len(targets) == 1 and None not in targets and not ends:
                after |= entered(next(iter(targets)))  # type: ignore[arg-type]
            bit = analyzer.once_bit.get((scene.id, choice.id))
            if bit is not None:
                add(encoding.once[bit], after)
                after = after | {encoding.once[bit]}
            for gained in _gains(encoding, choice.effects):
                add(gained, after)
    closing = _closing(encoding)
    for question in story.questions.values():
        closed = encoding.flag.get(f"concluded.{question.id}")
        for outcome in question.outcomes:
            name = closing.get(f"concluded.{question.id}.{RIGHT if outcome.correct else outcome.id}")
            with_it = _sure(encoding, outcome.effects)
            if outcome.correct or outcome.conclude:  # a wrong try runs its effects and closes nothing
                with_it |= {v for v in (closed, name) if v is not None}
            for gained in _gains(encoding, outcome.effects):
                add(gained, with_it)
            for gained in _gains(encoding, question.wrong.effects):
                add(gained, set())
            if name is not None:
                add(name, with_it)
    for deduction in story.deductions.values():
        add(encoding.clue[deduction.gives], set())
    found: dict[str, set[str]] = {}
    for fact, options in ways.items():
        found[fact] = set.intersection(*options) - {fact}
    for scene in story.scenes.values():
        found.setdefault(visit[scene.id], set()).update(_sure(encoding, scene.on_enter))
    return found


def sure_facts(encoding: Any, scene_id: str, choice: Any) -> set[str]:
    """Variables of the facts a choice, taken, surely holds after: what its condition needs
    (clues, visits), what its effects make true whatever happens (_sure), and its
    once-only mark."""
    found = must(encoding, choice.condition) | _sure(encoding, choice.effects)
    bit = encoding.analyzer.once_bit.get((scene_id, choice.id))
    if bit is not None:
        found.add(encoding.once[bit])
    return found
