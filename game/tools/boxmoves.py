"""The moves of the may-analysis and when they may be taken: choices, deductions at a
case board, and each outcome of answering a question."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..questions import _search
from ..story import RIGHT, Choice, Deduction, Effect, GainClue, Outcome, Question, Scene, Slot
from .boxeffects import Effects, _ends, _may_end
from .boxes import BOTH, FALSE, INF, TRUE, AState, Transfer


@dataclass(frozen=True)
class Move:
    """One way to leave (or stay in) a scene: a choice, a deduction at a case board, or
    answering a question one way (each outcome of a question is a move of its own)."""

    scene: str
    choice: Choice | None
    deduction: Deduction | None
    effects: tuple[Effect, ...]
    ends: tuple[str, ...]  # endings its effects trigger
    transfer: Transfer = Transfer()  # noqa: RUF009 - frozen, so one shared default is safe
    blocks: tuple[tuple[int, int, int, int], ...] = ()  # (stat index, amount, min, max) of 'block' changes
    once: int = 0  # the bit of a once-only choice (0: not once-only)
    may_end: tuple[str, ...] = ()  # endings an `if` or `chance` among its effects may trigger
    question: Question | None = None
    outcome: Outcome | None = None

    @property
    def id(self) -> str:
        if self.question is not None:
            return f"answer:{self.question.id}~{self.outcome.id}"  # type: ignore[union-attr]
        return self.choice.id if self.choice else f"deduce:{self.deduction.id}"  # type: ignore[union-attr]

    @property
    def pos(self):
        if self.choice is not None:
            return self.choice.pos
        if self.question is not None:
            return self.question.pos
        return self.deduction.pos  # type: ignore[union-attr]


_NOTHING = Transfer()  # what a choice without effects does (compile_effects(()) gives the same)


class Moves(Effects):
    """Every scene's moves, built once, and what each may do to a box."""

    def __init__(self, story):
        super().__init__(story)
        boards = [s.id for s in story.scenes.values() if s.case_board]
        self.asked: dict[str, list[Question]] = {}
        for question in story.questions.values():
            for scene_id in question.at or boards:
                self.asked.setdefault(scene_id, []).append(question)
        self._clue_masks: dict[tuple[int, frozenset[str] | None], int] = {}
        self._slot_members: dict[int, list[str]] = {}
        self._deductions: dict[str, tuple[tuple[Effect, ...], Transfer]] = {}
        self.moves: dict[str, list[Move]] = {sid: self._moves(scene) for sid, scene in story.scenes.items()}
        self._ends_on_entry = {sid: ((s.ending,) if s.ending else ()) + _ends(s.on_enter)
                               for sid, s in story.scenes.items()}
        self._may_end_on_entry = {sid: _may_end(s.on_enter, story) for sid, s in story.scenes.items()}

    def _moves(self, scene: Scene) -> list[Move]:
        once_bit = self.once_bit
        moves = [Move(scene.id, c, None, c.effects, _ends(c.effects), self.compile_effects(c.effects),
                      self._blocks(c.effects), once=once_bit.get((scene.id, c.id), 0),
                      may_end=_may_end(c.effects, self.story)) if c.effects else
                 Move(scene.id, c, None, (), (), _NOTHING, once=once_bit.get((scene.id, c.id), 0))
                 for c in scene.choices]
        if scene.case_board:
            for d in self.story.deductions.values():
                effects, transfer = self._deduction(d)
                moves.append(Move(scene.id, None, d, effects, (), transfer))
        for question in self.asked.get(scene.id, ()):
            for outcome in question.outcomes:
                closes = outcome.correct or outcome.conclude
                effects = outcome.effects if closes or outcome is question.wrong else \
                    outcome.effects + question.wrong.effects
                transfer = self.compile_effects(effects)
                if closes:  # its answer is recorded: set the question's own flags
                    name = RIGHT if outcome.correct else outcome.id
                    bits = self.flag_bit[f"concluded.{question.id}"] | self.flag_bit[f"concluded.{question.id}.{name}"]
                    if outcome.correct:
                        bits |= self.flag_bit[f"solved.{question.id}"]
                    if transfer.steps:  # after the outcome's own effects, whichever way they went
                        transfer = replace(transfer, set_flags=transfer.set_flags | bits,
                                           steps=(*transfer.steps, Transfer(set_flags=bits)))
                    else:
                        transfer = replace(transfer, set_flags=transfer.set_flags | bits,
                                           clear_flags=transfer.clear_flags & ~bits)
                moves.append(Move(scene.id, None, None, effects, _ends(effects), transfer,
                                  may_end=_may_end(effects, self.story, frozenset({question.id}) if closes
                                                   else frozenset()),
                                  question=question, outcome=outcome))
        return moves

    def _deduction(self, deduction: Deduction) -> tuple[tuple[Effect, ...], Transfer]:
        """A deduction's effect and its transfer, the same at every case board (compiled once)."""
        known = self._deductions.get(deduction.id)
        if known is None:
            effects = (GainClue(deduction.gives),)
            known = self._deductions[deduction.id] = (effects, self.compile_effects(effects))
        return known

    def ends_on_entry(self, scene_id: str) -> tuple[str, ...]:
        return self._ends_on_entry[scene_id]

    def available(self, move: Move, state: AState) -> AState | None:
        """The part of state in which the move may be taken, or None if it never can be."""
        if move.question is not None:
            return state if self.may_answer(move.question, move.outcome, state) else None  # type: ignore[arg-type]
        if move.deduction is not None:
            d = move.deduction
            if not all(state.clues & self.clue_bit[n] for n in d.needs) or not state.no_clues & self.clue_bit[d.gives]:
                return None
            return state
        assert move.choice is not None
        if move.once and not state.untaken & move.once:
            return None
        if move.choice.condition is not None:
            if not self.truth(move.choice.condition, state) & TRUE:
                return None
            state = self.assume(move.choice.condition.tree, state)  # type: ignore[assignment]
            if state is None:
                return None
        if move.once:
            state = state._replace(taken=state.taken & ~move.once)
        return self.block_window(move, state) if move.blocks else state

    def surely_available(self, move: Move, state: AState) -> int:
        """TRUE if the move is available in every state of the box, FALSE in none, BOTH otherwise."""
        if move.deduction is not None:
            d = move.deduction
            bits = [self.clue_bit[n] for n in d.needs]
            gives = self.clue_bit[d.gives]
            may = all(state.clues & b for b in bits) and state.no_clues & gives
            if not may:
                return FALSE
            sure = not any(state.no_clues & b for b in bits) and not state.clues & gives
            return TRUE if sure else BOTH
        assert move.choice is not None
        value = TRUE
        if move.once:
            if not state.untaken & move.once:
                return FALSE
            if state.taken & move.once:
                value = BOTH
        if move.choice.condition is not None:
            truth = self.truth(move.choice.condition, state)
            if not truth & TRUE:
                return FALSE
            if truth & FALSE:
                value = BOTH
        if move.blocks:
            if self.block_window(move, state) is None:
                return FALSE
            if not self.blocks_hold(move, state):
                value = BOTH
        return value

    def branch_boxes(self, move: Move, pre: AState) -> list[tuple[str | None, AState]]:
        """Each branch the move may take from pre, with the part of pre in which it is taken."""
        if move.outcome is not None:
            return [(move.outcome.goto, pre)]
        if move.choice is None:
            return [(None, pre)]
        result: list[tuple[str | None, AState]] = []
        rest: AState | None = pre
        for branch in move.choice.branches:
            if rest is None:
                break
            if branch.condition is None:
                result.append((branch.target, rest))
                break
            taken = self.assume(branch.condition.tree, rest)
            if taken is not None:
                result.append((branch.target, taken))
            rest = self.assume(branch.condition.tree, rest, positive=False)
        return result

    def may_answer(self, question: Question, outcome: Outcome, state: AState) -> bool:
        """Whether the question may be open here and the player may hold an answer with
        this outcome (over-approximated: each slot on its own; locks are ignored)."""
        if not state.no_flags & self.flag_bit[f"concluded.{question.id}"]:
            return False
        if question.opens is not None and not self.truth(question.opens, state) & TRUE:
            return False
        if outcome.correct:
            constraint = dict(outcome.match)
            return all(self.may_hold(slot, constraint.get(slot.id), state) for slot in question.slots)
        # A wrong answer needs one that no earlier outcome answers first: search the values
        # each slot may hold (each judged on its own, so this may say yes too often, never no).
        pools = [self.holdable(slot, state) for slot in question.slots]
        earlier = list(question.accepted)
        if question.batch or outcome is question.wrong:
            earlier += [] if question.batch else list(question.responses)
            return _search(question.slots, pools, None, earlier) is not None
        earlier += list(question.responses[:question.responses.index(outcome)])
        return _search(question.slots, pools, outcome, earlier) is not None

    def holdable(self, slot: Slot, state: AState) -> list[str]:
        """The values the player may be able to put in the slot."""
        if slot.pool == "options":
            return [o for o, _ in slot.options]
        if slot.pool == "clues":
            bits = self.clue_bit
            return [c for c in (slot.among or self.story.clues) if state.clues & bits[c]]
        entities = self.story.entities
        members = self._members(slot)
        return [e for e in members if entities[e].known is None or self.truth(entities[e].known, state) & TRUE]

    def _members(self, slot: Slot) -> list[str]:
        """The entities a slot draws its candidates from (kept: the story's entities are many)."""
        members = self._slot_members.get(id(slot))
        if members is None:
            members = self._slot_members[id(slot)] = list(slot.among) or \
                [e.id for e in self.story.entities.values() if e.kind == slot.pool]
        return members

    def may_hold(self, slot: Slot, allowed: frozenset[str] | None, state: AState) -> bool:
        """Whether the player may be able to put one of `allowed` (anything, if None) in the slot."""
        if slot.pool == "options":
            return allowed is None or any(o in allowed for o, _ in slot.options)
        if slot.pool == "clues":  # one mask per (slot, allowed), not a loop over the story's clues
            key = (id(slot), allowed)
            mask = self._clue_masks.get(key)
            if mask is None:
                values = slot.among or (allowed if allowed is not None else self.story.clues)
                mask = 0
                for clue in values:
                    if allowed is None or clue in allowed:
                        mask |= self.clue_bit[clue]
                self._clue_masks[key] = mask
            return bool(state.clues & mask)
        members = self._members(slot)
        entities = self.story.entities
        return any(entities[e].known is None or self.truth(entities[e].known, state) & TRUE
                   for e in members if allowed is None or e in allowed)

    def branch_indexes(self, move: Move, state: AState) -> list[int]:
        """The indexes of the branches the move may take (the first whose condition holds wins)."""
        assert move.choice is not None
        result: list[int] = []
        for index, branch in enumerate(move.choice.branches):
            value = self.truth(branch.condition, state)
            if value & TRUE:
                result.append(index)
            if not value & FALSE:  # this branch always wins when reached: later ones never run
                break
        return result

    def branches(self, move: Move, state: AState) -> list[str | None]:
        """The targets the move may lead to (None: stays in the scene)."""
        if move.outcome is not None:
            return [move.outcome.goto]
        if move.choice is None:
            return [None]
        branches = move.choice.branches
        if len(branches) == 1 and branches[0].condition is None:
            return [branches[0].target]
        return [branches[i].target for i in self.branch_indexes(move, state)]

    def after(self, move: Move, pre: AState, target: str | None) -> AState:
        """The box after taking the move from pre into target (None: stays).

        The turn is not followed from scene to scene (any number of moves may have
        been taken): a refinement by a condition on the turn holds only before the move."""
        post = self.transfer(move.transfer, pre)._replace(turn=(0.0, INF))
        if target is not None:
            post = self.enter(target, post)
        return self.mark_taken(move, post)

    def successors_graph(self) -> dict[str, list[str]]:
        return {sid: [t for m in moves if m.choice for t in m.choice.targets]
                + [m.outcome.goto for m in moves if m.outcome is not None and m.outcome.goto]
                for sid, moves in self.moves.items()}
