"""Where the player may stand, as sets of whole states: forward reachability with BDDs.

The may-analysis (game.tools.abstract) keeps one box per scene: each fact on its
own, so "the red key is held" and "the blue key is held" may each be true there
without saying whether they can be true together. Conditional text that needs
such a combination is neither shown by any search nor proven dead by a box.
This pass keeps, for each scene, a set of states as a BDD over the escape
proof's encoding (game.tools.symbolic): the relations between facts survive,
and a text whose guards meet no state of its scene's set can never show.

Whole states of a real story do not fit in seconds, so prove_dead tries each
text *localized*: only the variables it reads are held, every condition is read
as "some value of the others makes it hold", and the followed variables grow
to those that decide them until the text is proven dead or the budget is spent
(docs/ARCHITECTURE.md, "Dead text").

The sets over-approximate, never under: a variable not followed (the turn,
counts such as visits.X, every fact outside the text's cone) is free in every
set; a question may be answered, each way it can go, wherever it may be open
(the slots' candidates and the locks after wrong tries are not asked for); a
move that ends the game is followed on as if it had not. The fixpoint must
finish: stopped short (time or memory) its sets hold less than the truth, and
nothing is claimed from them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..story import (
    RIGHT,
    Answer,
    Chance,
    ChangeStat,
    Effect,
    EndGame,
    GainClue,
    IfEffect,
    Question,
    Roll,
    SetFlag,
)
from .abstract import Analyzer
from .symbolic import Encoding

try:  # CUDD's relational product, when dd has its compiled module
    from dd.cudd import and_exists as _and_exists
except ImportError:  # pragma: no cover - depends on the platform's wheel
    _and_exists = None


class Unmodelled(Exception):
    """An effect or condition the encoding cannot follow: the sets would be wrong."""


class Forward:
    """Scene -> every state (as the encoding holds it) a player may stand in there."""

    def __init__(self, analyzer: Analyzer, encoding: Encoding, tick: Callable[[], None], followed: set[str]):
        self.analyzer = analyzer
        self.encoding = encoding
        self.bdd = encoding.bdd
        # Only these variables are held (a localization): every condition is read as "some
        # value of the others would make it hold", more states, never fewer. The turn, counts
        # (atoms) and whatever is not followed are free in every set, so a move that changes
        # them needs nothing done.
        self.followed = followed
        self._compiled: dict[str, list[tuple[Any, Any, list[tuple[Any, str | None]]]]] = {}
        self._ifs: dict[int, tuple[Any, Any]] = {}
        # Where each question may be closed: where it is asked, and for one of a batch, wherever
        # another of the batch is asked (answering that one may confirm it).
        asked = {sid: list(questions) for sid, questions in analyzer.asked.items()}
        batches: dict[str, list[Question]] = {}
        for question in analyzer.story.questions.values():
            if question.batch:
                batches.setdefault(question.batch, []).append(question)
        for questions in asked.values():
            for member in [m for q in questions if q.batch for m in batches[q.batch]]:
                if member not in questions:
                    questions.append(member)
        self._asked = asked
        self.tick = tick  # called once per scene looked at; it may raise to stop the pass

    # -- the fixpoint ---------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """The least fixpoint from the start (raises Unmodelled, or whatever tick raises)."""
        story = self.analyzer.story
        false = self.encoding.false
        reach: dict[str, Any] = {sid: false for sid in story.scenes}
        expanded: dict[str, Any] = dict(reach)
        reach[story.start] = self._enter(story.start, self._initial())
        dirty = {story.start}
        order = self.analyzer._reverse_postorder()
        while dirty:
            sid = min(dirty, key=order.__getitem__)  # upstream first: fewer passes
            dirty.discard(sid)
            self.tick()
            new = reach[sid] & ~expanded[sid]
            expanded[sid] = reach[sid]
            if new == false or self.analyzer._ends_on_entry[sid]:
                continue  # an ending scene offers nothing: the game is over there
            for target, states in self._successors(sid, new):
                grown = reach[target] | states
                if grown != reach[target]:
                    reach[target] = grown
                    dirty.add(target)
        return reach

    def _initial(self) -> Any:
        """A new playthrough before it enters the start: no fact held, stats at their start."""
        enc, bdd = self.encoding, self.bdd
        states = self._local(enc.domain)
        for table in (enc.clue, enc.flag, enc.visit):
            for var in table.values():
                if var in self.followed:
                    states = states & ~bdd.var(var)
        for var in enc.once.values():
            if var in self.followed:
                states = states & ~bdd.var(var)
        for stat in self.analyzer.story.stats.values():
            if stat.id in enc.ranges and enc.stat_bits[stat.id][0] in self.followed:
                states = states & enc.equals(stat.id, stat.start)
        return states

    def _successors(self, sid: str, states: Any) -> list[tuple[str, Any]]:
        enc = self.encoding
        found: list[tuple[str, Any]] = []
        for move, guard, branches in self._moves(sid):
            pre = states & guard
            if pre == enc.false:
                continue
            if move.deduction is not None:
                found.append((sid, self._set(pre, enc.clue[move.deduction.gives], True)))
                continue
            assert move.choice is not None
            for taken_when, target in branches:
                taken = pre & taken_when
                if taken == enc.false:
                    continue
                after = self._effects(move.choice.effects, taken)
                if target is not None:
                    after = self._enter(target, after)
                if move.once:
                    after = self._set(after, enc.once[move.once], True)
                found.append((target or sid, after))
        for question in self._asked.get(sid, ()):
            found.extend(self._answers(sid, question, states))
        return found

    def _moves(self, sid: str) -> list[tuple[Any, Any, list[tuple[Any, str | None]]]]:
        """The scene's choices and deductions with where each may be taken, and each branch
        with where it is taken: built once a scene (answers are _answers')."""
        found = self._compiled.get(sid)
        if found is None:
            enc = self.encoding
            found = self._compiled[sid] = []
            for move in self.analyzer.moves[sid]:
                if move.question is not None:
                    continue
                guard = self._local(enc.guard(move))
                if guard == enc.false:
                    continue
                branches = [] if move.choice is None else \
                    [(self._local(enc.branch(move, index)), branch.target)
                     for index, branch in enumerate(move.choice.branches)]
                found.append((move, guard, branches))
        return found

    def _answers(self, sid: str, question: Question, states: Any) -> list[tuple[str, Any]]:
        """Each way answering may go, from wherever the question may be open: closed with an
        accepted answer or a conclusion, or a wrong try that leaves it open."""
        enc = self.encoding
        closed = enc.flag.get(f"concluded.{question.id}")
        # A batch's answers are confirmed together, later: its `opens` may no longer hold then.
        open_ = states if question.batch else \
            states & self._local(enc.condition(question.opens))
        if closed is not None and closed in self.followed:
            open_ = open_ & ~self.bdd.var(closed)
        if open_ == enc.false:
            return []
        found = []
        for outcome in (question.right, *question.responses):
            if outcome.correct or outcome.conclude:
                after = self._effects(outcome.effects, self._close(question, RIGHT if outcome.correct else outcome.id,
                                                                    open_))
                found.append((outcome.goto or sid, self._enter(outcome.goto, after) if outcome.goto else after))
        for outcome in (*question.responses, question.wrong):
            if not (outcome.correct or outcome.conclude):
                after = open_ if outcome is question.wrong else self._effects(outcome.effects, open_)
                after = self._effects(question.wrong.effects, after)
                found.append((outcome.goto or sid, self._enter(outcome.goto, after) if outcome.goto else after))
        return found

    def _branches(self, effect: IfEffect) -> tuple[Any, Any]:
        """Where an `if` among effects holds, and where it does not (each localized once)."""
        found = self._ifs.get(id(effect))
        if found is None:
            holds = self.encoding.condition(effect.condition)
            found = self._ifs[id(effect)] = (self._local(holds), self._local(~holds))
        return found

    def _local(self, states: Any) -> Any:
        """A condition's states, the variables not followed let go."""
        free = [v for v in self.bdd.support(states) if v not in self.followed]
        return self.bdd.exist(free, states) if free else states

    # -- one step forward -------------------------------------------------------

    def _set(self, states: Any, var: str, value: bool) -> Any:
        if var not in self.followed:
            return states  # free in every set
        bdd = self.bdd
        return bdd.exist([var], states) & (bdd.var(var) if value else ~bdd.var(var))

    def _change(self, states: Any, key: str, amount: int, relative: bool) -> Any:
        """states after the stat changes, clamped like the engine."""
        enc, bdd = self.encoding, self.bdd
        bits, primed = enc.stat_bits[key], enc.stat_primed[key]
        if bits[0] not in self.followed:
            return states  # free in every set
        relation = enc._relation(key, amount, relative)
        if _and_exists is not None:  # CUDD's relational product: no conjunction built first
            moved = _and_exists(states, relation, bits)
        else:
            moved = bdd.exist(bits, states & relation)
        return bdd.let(dict(zip(primed, bits, strict=True)), moved)

    def _enter(self, target: str, states: Any) -> Any:
        """Rules.enter: the visit counts, then on_enter runs."""
        var = self.encoding.visit.get(target)
        if var is not None:
            states = self._set(states, var, True)
        return self._effects(self.analyzer.story.scenes[target].on_enter, states)

    def _close(self, question: Question, outcome_id: str, states: Any) -> Any:
        """How the question was closed, as the flags conditions read (solved., concluded.)."""
        flags = {f"concluded.{question.id}": True, f"concluded.{question.id}.{outcome_id}": True,
                 f"solved.{question.id}": outcome_id == RIGHT}
        for name, value in flags.items():
            var = self.encoding.flag.get(name)
            if var is not None:
                states = self._set(states, var, value)
        return states

    def _effects(self, effects: tuple[Effect, ...], states: Any) -> Any:
        """Effects run in order (Rules.apply)."""
        enc = self.encoding
        for effect in effects:
            if states == enc.false:
                return states
            if isinstance(effect, GainClue):
                states = self._set(states, enc.clue[effect.clue], True)
            elif isinstance(effect, SetFlag):
                states = self._set(states, enc.flag[effect.flag], effect.value)
            elif isinstance(effect, ChangeStat):
                if effect.stat in enc.ranges:
                    states = self._change(states, effect.stat, effect.amount, effect.relative)
            elif isinstance(effect, EndGame):
                pass  # followed on as if the game went on: more states, never fewer
            elif isinstance(effect, IfEffect):  # read when it runs, after the effects before it
                holds, fails = self._branches(effect)
                states = self._effects(effect.then, states & holds) | self._effects(effect.otherwise, states & fails)
            elif isinstance(effect, Chance):
                states = self._effects(effect.then, states) | self._effects(effect.otherwise, states)
            elif isinstance(effect, Roll):
                if effect.stat in enc.ranges:
                    rolled = enc.false
                    for value in range(effect.low, effect.high + 1):
                        rolled = rolled | self._change(states, effect.stat, value, False)
                    states = rolled
            elif isinstance(effect, Answer):  # closed in dialogue (QuestionRules.record)
                states = self._record(effect, states)
            else:
                raise Unmodelled(f"the effect {type(effect).__name__}")
        return states

    def _record(self, answer: Answer, states: Any) -> Any:
        question = self.analyzer.story.questions[answer.question]
        outcome = question.outcome(answer.outcome)
        assert outcome is not None  # the loader checked it
        closed = self.encoding.flag.get(f"concluded.{question.id}")
        if closed is None:
            raise Unmodelled(f"answering '{question.id}'")
        if closed not in self.followed:  # whether it was closed is not held: it may be either
            return states | self._effects(outcome.effects, self._close(question, answer.outcome, states))
        held = self.bdd.var(closed)
        opened = self._effects(outcome.effects, self._close(question, answer.outcome, states & ~held))
        return (states & held) | opened


# -- proving conditional text dead ----------------------------------------------------

MAX_FOLLOWED = 16  # variables one localized pass may follow (more: the text stays unknown)
ROUNDS = 4  # times the followed facts are widened to what decides them
TICKS = 5_000  # scenes looked at for one text, in all its passes: the same verdict on any machine
STORY_TICKS = 20_000  # ... and for all the texts of one story (this repo's story: about 7,000)


def prove_dead(analyzer: Analyzer, texts: list[tuple[int, Any]], max_memory: int | None,
               deadline: float) -> dict[int, str]:
    """index -> why, for the conditional texts (index, deadtext.Conditional) that no state
    of their scene can draw. Each is tried with the facts its guards read followed, then
    with what decides those facts (the conditions of the moves that change them, and of
    the ways into the scenes where they change), up to MAX_FOLLOWED variables."""
    from . import escape  # the turn's cap; escape imports this module's users

    reads = frozenset(r for _, text in texts for condition, _ in text.guards for r in condition.refs)
    encoding = Encoding(analyzer, escape._turn_cap(analyzer.story), max_memory,
                        frozenset(n for k, n in reads if k == "stat"))
    encoding.bdd.configure(reordering=True)
    cone = _Cone(analyzer, encoding)
    spent = [0, 0]  # for this text, for the story

    def tick() -> None:
        spent[0] += 1
        spent[1] += 1
        if spent[0] > TICKS:
            raise _OutOfBudget
        if spent[1] > STORY_TICKS or time.monotonic() > deadline:
            raise _OutOfTime

    found: dict[int, str] = {}
    for index, text in texts:
        spent[0] = 0
        try:
            guards = [(condition, want) for condition, want in text.guards]
            followed = cone.variables({ref for condition, _ in guards for ref in condition.refs}
                                      | {("visited", text.scene)})
            scenes = {text.scene}
            for _ in range(ROUNDS):
                if len(followed) > MAX_FOLLOWED:
                    break
                local = Forward(analyzer, encoding, tick, followed=followed)
                states = local.run()[text.scene]
                for condition, want in guards:
                    holds = encoding.condition(condition)
                    states = states & local._local(holds if want else ~holds)
                if states == encoding.false:
                    found[index] = cone.why(text.scene, followed)
                    break
                wider, more = cone.widen(followed, scenes)
                if wider == followed and more == scenes:
                    break
                followed, scenes = wider, more
        except (_OutOfBudget, Unmodelled, ValueError):
            continue  # this one stays unknown
        except _OutOfTime:
            break  # what was proved stays proved; the rest stays unknown
    return found


class _OutOfBudget(Exception):
    pass


class _OutOfTime(Exception):
    pass


class _Cone:
    """Which facts decide which: for each move, what it changes and what it reads to."""

    def __init__(self, analyzer: Analyzer, encoding: Encoding):
        self.encoding = encoding
        story = analyzer.story
        self.writes: list[tuple[set[str], set[str]]] = []  # (variables changed, variables read)
        self.entering: list[tuple[str, str, set[str]]] = []  # (from scene, into scene, variables read)
        for sid, moves in analyzer.moves.items():
            for move in moves:
                if move.choice is not None:
                    base = set(move.choice.condition.refs) if move.choice.condition else set()
                    for branch in move.choice.branches:
                        read = base | (set(branch.condition.refs) if branch.condition else set())
                        effects = move.choice.effects
                        if branch.target is not None:
                            self.entering.append((sid, branch.target, self.variables(read)))
                            self.writes.append((self.variables({("visited", branch.target)}), self.variables(read)))
                            effects = (*effects, *story.scenes[branch.target].on_enter)
                        self._effects(effects, read)
                    if move.once:
                        self.writes.append(({encoding.once[move.once]}, self.variables(base)))
                elif move.deduction is not None:
                    self.writes.append((self.variables({("clue", move.deduction.gives)}),
                                        self.variables({("clue", n) for n in move.deduction.needs})))
                elif move.question is not None and move.outcome is not None:
                    question = move.question
                    read = set(question.opens.refs) if question.opens else set()
                    self.writes.append((self.variables({("concluded", question.id), ("solved", question.id)}),
                                        self.variables(read)))
                    self._effects((*move.outcome.effects, *question.wrong.effects), read)

    def _effects(self, effects: tuple[Effect, ...], read: set[tuple[str, str]]) -> None:
        for effect in effects:
            if isinstance(effect, IfEffect):
                inner = read | set(effect.condition.refs)
                self._effects((*effect.then, *effect.otherwise), inner)
            elif isinstance(effect, Chance):
                self._effects((*effect.then, *effect.otherwise), read)
            else:
                changed = {GainClue: lambda e: ("clue", e.clue), SetFlag: lambda e: ("flag", e.flag),
                           ChangeStat: lambda e: ("stat", e.stat), Roll: lambda e: ("stat", e.stat),
                           Answer: lambda e: ("concluded", e.question)}.get(type(effect))
                if changed is not None:
                    self.writes.append((self.variables({changed(effect)}), self.variables(read)))

    def variables(self, refs: set[tuple[str, str]]) -> set[str]:
        """The encoding's variables for these references (a stat: its bits, primed too)."""
        enc = self.encoding
        found: set[str] = set()
        for kind, name in refs:
            if kind in ("solved", "concluded"):
                kind, name = "flag", f"{kind}.{name}"
            if kind == "stat" and name in enc.ranges:
                found.update(enc.stat_bits[name], enc.stat_primed[name])
            var = {"clue": enc.clue, "flag": enc.flag, "visited": enc.visit}.get(kind, {}).get(name)
            if var is not None:
                found.add(var)
        return found

    def widen(self, followed: set[str], scenes: set[str]) -> tuple[set[str], set[str]]:
        """followed, and what the moves that change it read; scenes (where the text is drawn,
        and where followed facts change), and the scenes that lead into them."""
        wider, more = set(followed), set(scenes)
        for changed, read in self.writes:
            if changed & followed:
                wider |= read
        for source, target, read in self.entering:
            if target in scenes:
                wider |= read
                more.add(source)
            if self.encoding.visit.get(target) in followed:
                more.add(source)
        return wider, more

    def why(self, scene: str, followed: set[str]) -> str:
        enc = self.encoding
        names = {var: f"{kind}.{name}" for kind, table in (("clue", enc.clue), ("flag", enc.flag),
                                                         ("visited", enc.visit)) for name, var in table.items()}
        names.update({bits[0]: f"stat.{key}" for key, bits in enc.stat_bits.items()})
        facts = sorted({names[v] for v in followed if v in names})
        return (f"no way into '{scene}' brings what it needs there (every move followed with "
                f"{', '.join(facts)})")
