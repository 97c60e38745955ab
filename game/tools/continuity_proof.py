"""The proofs of 'never' for check --continuity when its search is cut short (game.tools.continuity).

The may-analysis (game.tools.abstract) over-approximates every state in every
scene; told of the references the continuity conditions read, and narrowed
by a text's own conditions, it proves that a mention's condition holds
wherever the text can show. Anything it cannot narrow it leaves as it is,
which is always sound.
"""

from __future__ import annotations

from ..conditions import BoolOp, Condition, Node, Not, Ref
from ..conditions import parse as parse_condition
from ..story import Story
from .abstract import FALSE, TRUE, Analyzer, AState
from .mentions import Mention, Unit


class MayAnalysis:
    """The proofs of 'never' when the search is cut short: the may-analysis' states per scene."""

    def __init__(self, story: Story, conditions: list[Condition]):
        self.story = story
        self.analyzer = _KnowledgeAnalyzer(story, conditions)
        self.states = self.analyzer.run().states

    def never(self, unit: Unit, mention: Mention) -> bool:
        known = mention.target.known
        truth = self.analyzer.truth
        if unit.scene:
            state = self.states.get(unit.scene)
            if state is None:
                return True  # the scene is never reached
            for gate in (unit.paragraph.condition if unit.paragraph is not None else None,
                         unit.choice.condition if unit.choice is not None and unit.kind == "outcome" else None):
                if gate is not None:
                    if truth(gate, state) == FALSE:
                        return True
                    state = self.assume(gate.tree, state)  # only where the text shows
            return truth(known, state) == TRUE
        # Shown in any scene once it holds: the condition must be certain wherever the text may show.
        gate = self._gate(unit)
        for state in self.states.values():
            if gate is not None:
                if truth(gate, state) == FALSE:
                    continue
                state = self.assume(gate.tree, state)
            if truth(known, state) != TRUE:
                return False
        return True

    def _gate(self, unit: Unit) -> Condition | None:
        """When a text outside scenes shows, as a condition (None: it may show anywhere)."""
        if unit.kind == "clue":
            return self.parse(f"clue.{unit.subject}")
        if unit.kind == "entity":
            return self.story.entities[unit.subject].known
        if unit.kind == "deduction":  # shown when made: where every clue it needs is held
            needs = self.story.deductions[unit.subject].needs
            return self.parse(" and ".join(f"clue.{c}" for c in needs)) if needs else None
        if unit.kind in ("ask", "answer"):
            return self.story.questions[unit.subject].opens
        return None  # an ending: any scene

    def parse(self, source: str) -> Condition:
        return parse_condition(source, {"clue": set(self.story.clues)})

    def assume(self, node: Node, state: AState) -> AState:
        """The abstract state narrowed to where a condition holds: its clue, flag and visit
        tests joined by `and` (anything else narrows nothing, which is always sound)."""
        analyzer = self.analyzer
        if isinstance(node, BoolOp) and node.op == "and":
            for operand in node.operands:
                state = self.assume(operand, state)
            return state
        positive = True
        if isinstance(node, Not):
            node, positive = node.operand, False
        if not isinstance(node, Ref):
            return state
        if node.kind == "clue" and node.name in analyzer.clue_bit:
            bit = analyzer.clue_bit[node.name]
            return state._replace(no_clues=state.no_clues & ~bit) if positive else \
                state._replace(clues=state.clues & ~bit)
        if node.kind == "flag" and node.name in analyzer.flag_bit:
            bit = analyzer.flag_bit[node.name]
            return state._replace(no_flags=state.no_flags & ~bit) if positive else \
                state._replace(flags=state.flags & ~bit)
        if node.kind == "visited" and node.name in analyzer.visit_bit:
            bit = analyzer.visit_bit[node.name]
            return state._replace(unvisited=state.unvisited & ~bit) if positive else \
                state._replace(visited=state.visited & ~bit)
        return state


class _KnowledgeAnalyzer(Analyzer):
    """The may-analysis, told of the scenes the continuity conditions read (so `visited.X` is tracked)."""

    def __init__(self, story: Story, extra: list[Condition]):
        self._extra = extra
        super().__init__(story)

    def _conditions(self) -> list[Condition]:
        return [*super()._conditions(), *self._extra]
