"""Effects on boxes: a list of effects compiled to bit operations and stat changes, and
applied to a box (entering a scene, taking a once-only choice, 'block' stats)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..story import (
    RIGHT,
    Answer,
    Chance,
    ChangeStat,
    Effect,
    EndGame,
    GainClue,
    IfEffect,
    Roll,
    SetFlag,
    Story,
)
from . import model
from .boxes import AState, Transfer
from .boxlogic import Domain

if TYPE_CHECKING:
    from .boxmoves import Move


class Effects(Domain):
    """Compiling and applying effects (the scenes' on_enter effects compiled once)."""

    def __init__(self, story):
        super().__init__(story)
        self._answering: set[str] = set()  # questions whose outcome effects are being compiled (cycles)
        # scene -> (its visited bit, its on_enter effects compiled, or None)
        self._entry = {sid: (self.visit_bit.get(sid, 0), self.compile_effects(s.on_enter) if s.on_enter else None)
                       for sid, s in story.scenes.items()}

    def compile_effects(self, effects: tuple[Effect, ...]) -> Transfer:
        if any(isinstance(e, (IfEffect, Chance, Roll, Answer)) for e in effects):
            return self._compile_steps(effects)
        gain = set_flags = clear_flags = 0
        stats = []
        unknown = False
        for effect in effects:
            if isinstance(effect, GainClue):
                gain |= self.clue_bit[effect.clue]
            elif isinstance(effect, SetFlag):
                bit = self.flag_bit[effect.flag]
                if effect.value:
                    set_flags, clear_flags = set_flags | bit, clear_flags & ~bit
                else:
                    clear_flags, set_flags = clear_flags | bit, set_flags & ~bit
            elif isinstance(effect, ChangeStat):
                stat = self.story.stats[effect.stat]
                stats.append((self.stat_index[stat.id], effect.amount, effect.relative, stat.min, stat.max))
            elif not isinstance(effect, EndGame):
                unknown = True
        return Transfer(gain, set_flags, clear_flags, tuple(stats), unknown)

    def _compile_steps(self, effects: tuple[Effect, ...]) -> Transfer:
        """Effects with branches: runs of plain effects, and alternatives joined (both
        sides of an `if`, whatever it reads; both outcomes of a chance; a roll's lowest
        and highest value, whose join is its whole range)."""
        steps: list[Transfer | tuple[Transfer, ...]] = []
        run: list[Effect] = []
        for effect in effects:
            if isinstance(effect, (IfEffect, Chance)):
                steps.append(self.compile_effects(tuple(run)))
                run = []
                steps.append((self.compile_effects(effect.then), self.compile_effects(effect.otherwise)))
            elif isinstance(effect, Roll):
                steps.append(self.compile_effects(tuple(run)))
                run = []
                steps.append(tuple(self.compile_effects((ChangeStat(effect.stat, value, relative=False),))
                                   for value in (effect.low, effect.high)))
            elif isinstance(effect, Answer):  # does nothing if the question is closed already
                steps.append(self.compile_effects(tuple(run)))
                run = []
                steps.append((Transfer(), self._answer(effect)))
            else:
                run.append(effect)
        steps.append(self.compile_effects(tuple(run)))
        parts = [part for step in steps for part in (step if isinstance(step, tuple) else (step,))]
        gain = set_flags = 0  # everything that may be given or set, for the widening's top
        for part in parts:
            gain, set_flags = gain | part.gain, set_flags | part.set_flags
        unknown = any(part.unknown for part in parts)
        return Transfer(gain, set_flags, 0, (), unknown, tuple(steps))

    def _answer(self, effect: Answer) -> Transfer:
        """A question closed in dialogue, when it was open: its own flags, then the outcome's effects."""
        question = self.story.questions[effect.question]
        bits = self.flag_bit[f"concluded.{question.id}"] | self.flag_bit[f"concluded.{question.id}.{effect.outcome}"]
        if effect.outcome == RIGHT:
            bits |= self.flag_bit[f"solved.{question.id}"]
        if question.id in self._answering:  # an outcome answers its own question, maybe via others:
            return Transfer(0, bits, 0, (), True)  # not followed round the loop; "anything may happen" is sound
        self._answering.add(question.id)
        try:
            inner = self.compile_effects(question.outcome(effect.outcome).effects)  # type: ignore[union-attr]
        finally:
            self._answering.discard(question.id)
        return Transfer(inner.gain, bits | inner.set_flags, 0, (), inner.unknown, (Transfer(0, bits), inner))

    def _blocks(self, effects: tuple[Effect, ...]) -> tuple[tuple[int, int, int, int], ...]:
        found = []
        for effect in effects:
            if isinstance(effect, ChangeStat) and effect.relative:
                stat = self.story.stats[effect.stat]
                if stat.overflow == "block":
                    found.append((self.stat_index[stat.id], effect.amount, stat.min, stat.max))
        return tuple(found)

    def block_window(self, move: Move, state: AState) -> AState | None:
        """The part of state in which the move's 'block' stats stay in range; None if none.

        Like the engine, each change is checked against the stat before the choice.
        """
        if not move.blocks or move.choice is None:
            return state
        stats = list(state.stats)
        for index, amount, low_edge, high_edge in move.blocks:
            low, high = stats[index]
            low, high = max(low, low_edge - amount), min(high, high_edge - amount)
            if low > high:
                return None
            stats[index] = (low, high)
        return state._replace(stats=tuple(stats))

    def blocks_hold(self, move: Move, state: AState) -> bool:
        """The move's 'block' stats stay in range from every state of the box."""
        for index, amount, low_edge, high_edge in move.blocks:
            low, high = state.stats[index]
            if low + amount < low_edge or high + amount > high_edge:
                return False
        return True

    def transfer(self, tr: Transfer, state: AState) -> AState:
        if tr.unknown:
            return self.top._replace(turn=state.turn)
        if tr.steps:
            for step in tr.steps:
                if isinstance(step, Transfer):
                    state = self.transfer(step, state)
                else:
                    results = [self.transfer(side, state) for side in step]
                    state = results[0]
                    for other in results[1:]:
                        state = state.join(other)
            return state
        clues, no_clues, flags, no_flags, visited, unvisited, taken, untaken, stats, turn = state
        if tr.gain:
            clues, no_clues = clues | tr.gain, no_clues & ~tr.gain
        if tr.set_flags or tr.clear_flags:
            flags = (flags | tr.set_flags) & ~tr.clear_flags
            no_flags = (no_flags | tr.clear_flags) & ~tr.set_flags
        if tr.stats:
            values = list(stats)
            for index, amount, relative, low_edge, high_edge in tr.stats:
                if relative:
                    low, high = values[index]
                    values[index] = (float(max(low_edge, min(high_edge, low + amount))),
                                     float(max(low_edge, min(high_edge, high + amount))))
                else:
                    values[index] = (float(amount), float(amount))
            stats = tuple(values)
        return AState(clues, no_clues, flags, no_flags, visited, unvisited, taken, untaken, stats, turn)

    def enter(self, scene_id: str, state: AState) -> AState:
        bit, on_enter = self._entry[scene_id]
        if bit:
            state = state._replace(visited=state.visited | bit, unvisited=state.unvisited & ~bit)
        return self.transfer(on_enter, state) if on_enter is not None else state

    @staticmethod
    def mark_taken(move: Move, state: AState) -> AState:
        bit = move.once
        return state._replace(taken=state.taken | bit, untaken=state.untaken & ~bit) if bit else state


def _ends(effects: tuple[Effect, ...]) -> tuple[str, ...]:
    """The endings the effects always trigger (not those inside an `if` or a `chance`)."""
    return tuple(e.ending for e in effects if isinstance(e, EndGame))


def _may_end(effects: tuple[Effect, ...], story: Story, answering: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The endings only an `if`, a `chance` or an `answer:` among the effects triggers (an
    answer runs its outcome's effects, an ending among them too, when the question was not
    closed yet; answering: the questions already closed by then, see model.effects_run)."""
    if not any(isinstance(e, (IfEffect, Chance, Answer)) for e in effects):
        return ()  # the common case: nothing is inside an `if`, a `chance` or an answer
    certain = set(_ends(effects))
    found = (e.ending for e in model.effects_run(effects, story, answering) if isinstance(e, EndGame))
    return tuple(dict.fromkeys(e for e in found if e not in certain))
