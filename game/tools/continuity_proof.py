"""The proofs of 'never' for check --continuity when its search is cut short (game.tools.continuity).

The may-analysis (game.tools.abstract) over-approximates every state in every
scene; it tracks what the texts read (game.tools.model.all_conditions), and narrowed
by a text's own conditions, it proves that a mention's condition holds
wherever the text can show. For a condition that once true stays true, the
may-analysis restricted to the states where it is still false
(game.tools.continuity_unknown) proves much more: that no such state shows
the text. Anything it cannot narrow it leaves as it is, which is always sound.
"""

from __future__ import annotations

from ..conditions import BOOL, BoolOp, Compare, Condition, Lit, Node, Not, Ref
from ..conditions import parse as parse_condition
from ..story import SetFlag, Story, all_effects
from .abstract import FALSE, TRUE, Analyzer, AState
from .continuity_markup import drawn_when
from .continuity_unknown import Unknowing
from .mentions import Mention, Unit, phrase_pattern


class MayAnalysis:
    """The proofs of 'never' when the search is cut short: the may-analysis' states per scene."""

    def __init__(self, story: Story):
        self.story = story
        self.analyzer = Analyzer(story)  # it tracks what continuity reads too (model.all_conditions)
        possible = self.analyzer.run()
        self.states = possible.states
        self.shown_at_end = possible.shown_at_end  # scenes entered only by a move that ends the game
        self.boards = [s.id for s in story.scenes.values() if s.case_board]
        self.unknowing: dict[str, Unknowing] = {}  # target -> the boxes of the states where it is false
        self.cleared = self.cleared_flags(story)

    @staticmethod
    def cleared_flags(story: Story) -> set[str]:
        """The flags some effect clears (a condition on one of them may turn back)."""
        cleared = {e.flag for s in story.scenes.values() for c in (*s.choices, None)
                   for e in all_effects(c.effects if c is not None else s.on_enter)
                   if isinstance(e, SetFlag) and not e.value}
        for question in story.questions.values():
            for outcome in question.outcomes:
                cleared.update(e.flag for e in all_effects(outcome.effects) if isinstance(e, SetFlag) and not e.value)
        return cleared

    def never(self, unit: Unit, mention: Mention) -> bool:
        known = mention.target.known
        truth = self.analyzer.truth
        if known is not None and self.gated(unit, mention, known.tree):
            return True
        if known is not None and self.monotone(known.tree) and self.never_while_false(unit, mention):
            return True  # once true, true for good: the states where it is still false never show it
        if unit.scene:
            state = self.states.get(unit.scene)
            if state is None:
                return unit.scene not in self.shown_at_end  # never reached (or only as the game ends)
            for gate in (unit.paragraph.condition if unit.paragraph is not None else None,
                         unit.choice.condition if unit.choice is not None and unit.kind == "outcome" else None):
                if gate is not None:
                    if truth(gate, state) == FALSE:
                        return True
                    state = self.assume(gate.tree, state)  # only where the text shows
            if unit.kind == "outcome":  # read after the choice's own effects
                move = next(m for m in self.analyzer.moves[unit.scene] if m.choice is unit.choice)
                state = self.analyzer.transfer(move.transfer, state)
                if _taken_makes_true(known.tree, f"{unit.scene}.{move.choice.id}"):  # type: ignore[union-attr]
                    return True
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

    def never_while_false(self, unit: Unit, mention: Mention) -> bool:
        """Whether the text can never be read in a state where the (monotone) condition is false:
        no box of those states (continuity_unknown.Unknowing) lets it show."""
        target = mention.target
        assert target.known is not None
        unknowing = self.unknowing.get(target.known.source)  # people known alike share their boxes
        if unknowing is None:
            unknowing = self.unknowing[target.known.source] = Unknowing(self.story, self.analyzer, target.known,
                                                                          self.cleared)
        drawn = drawn_when(unit.text, phrase_pattern(mention.phrase)) if mention.braced else None
        if unit.scene:
            box = unknowing.states.get(unit.scene)
            if box is not None and self._may_show(unit, box, unknowing, drawn):
                return False
            ended = unknowing.ended.get(unit.scene)
            return not (unit.kind == "scene" and ended is not None and self._may_show(unit, ended, unknowing, drawn))
        if unit.kind == "ending":
            return unit.subject not in unknowing.endings
        gate = self._gate(unit)
        boxes = unknowing.everywhere()
        if unit.kind in ("ask", "answer"):  # only where the question is asked, and only while playing
            question = self.story.questions[unit.subject]
            boxes = [unknowing.states[s] for s in question.at or self.boards if s in unknowing.states]
            if unit.kind == "answer":  # and where the player can give such an answer (a batched one
                # is read when the batch is confirmed, but was given, with the condition false, before)
                outcome = next(o for o in question.outcomes if o.id == unit.outcome)
                boxes = [b for b in boxes if self.analyzer.may_answer(question, outcome, b)]
        for box in boxes:
            if drawn is not None:  # the phrase is drawn only where its markup's conditions hold
                box = self.analyzer.assume(drawn, box)
                if box is None:
                    continue
            if gate is None or self.analyzer.assume(gate.tree, box) is not None:
                return False
        return True

    def _may_show(self, unit: Unit, box: AState, unknowing: Unknowing, drawn: Node | None = None) -> bool:
        """Whether the scene's text (paragraph, label, hint, outcome) may be read in the box (with
        the phrase drawn: `drawn`, the conditions of its markup, on the state before any effects)."""
        analyzer = self.analyzer
        if drawn is not None:
            box = analyzer.assume(drawn, box)  # type: ignore[assignment]
            if box is None:
                return False
        paragraph = unit.paragraph.condition if unit.paragraph is not None else None
        if unit.kind == "scene":
            return paragraph is None or analyzer.assume(paragraph.tree, box) is not None
        choice = unit.choice
        assert choice is not None
        if unit.kind == "hint" or (unit.kind == "label" and choice.visible_when_locked):
            return True
        move = next(m for m in analyzer.moves[unit.scene] if m.choice is choice)
        pre = unknowing.available(move, box)
        if pre is None or unit.kind == "label":
            return pre is not None
        if paragraph is not None:
            pre = analyzer.assume(paragraph.tree, pre)
            if pre is None:
                return False
        # An outcome is read after the choice's own effects (before the next scene is entered),
        # when the choice has been taken: a condition it makes true by being taken holds.
        if _taken_makes_true(unknowing.known.tree, f"{unit.scene}.{choice.id}"):
            return False
        return unknowing.narrow(analyzer.transfer(move.transfer, pre)) is not None

    def monotone(self, node: Node) -> bool:
        return monotone(node, self.cleared)

    def _answerable(self, unit: Unit) -> list[Node]:
        """What must hold for an answer's text to be read: each slot it constrains holds one of its
        values, and the player can only put in a slot a person, place or thing they know of, or
        a clue they hold (game.questions: the candidates)."""
        question = self.story.questions[unit.subject]
        outcome = next((o for o in question.outcomes if o.id == unit.outcome), None)
        slots = {slot.id: slot for slot in question.slots}
        needs: list[Node] = []
        for slot_id, allowed in outcome.match if outcome is not None else ():
            slot = slots.get(slot_id)
            if slot is None or slot.pool == "options":
                continue
            if slot.pool == "clues":
                ways: list[Node] = [Ref("clue", value, BOOL, 0) for value in sorted(allowed)]
            else:
                entities = [self.story.entities.get(value) for value in sorted(allowed)]
                if any(e is None or e.known is None for e in entities):
                    continue  # one of them is always known: nothing needed
                ways = [e.known.tree for e in entities]  # type: ignore[union-attr]
            needs.append(ways[0] if len(ways) == 1 else BoolOp("or", tuple(ways), 0))
        return needs

    def gated(self, unit: Unit, mention: Mention, known: Node) -> bool:
        """Whether what it takes for the text (and the phrase in it) to show says the condition
        outright: its `if:`, a label's choice condition (a label shown only when it can be
        taken), the markup branch the phrase is in (e.g. `if: clue.a and not flag.b` with known:
        `clue.a`). Read on the same state as the text: an outcome (read after its effects) is not."""
        if unit.kind == "answer":
            # A batched answer is read when the batch is confirmed, maybe later than it was given:
            # only a condition that stays true carries over.
            if self.story.questions[unit.subject].batch and not self.monotone(known):
                return False
            given = self._answerable(unit)
            return bool(given) and _implies(given, known)
        if unit.kind == "outcome":
            return False
        gates = [unit.paragraph.condition.tree if unit.paragraph is not None and unit.paragraph.condition else None]
        if unit.kind == "label":
            choice = unit.choice
            if choice is None or choice.visible_when_locked or choice.condition is None:
                return False
            gates.append(choice.condition.tree)
        given = [c for g in gates if g is not None for c in _conjuncts(g)]
        drawn = drawn_when(unit.text, phrase_pattern(mention.phrase)) if mention.braced else None
        ways = [[]] if drawn is None else [_conjuncts(d) for d in _disjuncts(drawn)]
        return bool(given or drawn is not None) and all(_implies(given + way, known) for way in ways)

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


def _taken_makes_true(node: Node, taken: str) -> bool:
    """Whether the condition holds whenever choice `taken` (SCENE.CHOICE) has been taken once."""
    if isinstance(node, BoolOp):
        parts = [_taken_makes_true(o, taken) for o in node.operands]
        return any(parts) if node.op == "or" else all(parts)
    if isinstance(node, Compare) and node.op in (">=", ">") and isinstance(node.left, Ref) \
            and node.left.kind == "taken" and node.left.name == taken and isinstance(node.right, Lit):
        return float(node.right.value) <= (1 if node.op == ">=" else 0)
    return False


def monotone(node: Node, cleared: set[str]) -> bool:
    """Whether a condition, once true, stays true: clues, visits, answers, counts that have
    reached a number and flags nothing clears (`cleared`), joined by and/or (a clue is never
    taken away; `not`, a stat or the turn could turn back)."""
    if isinstance(node, BoolOp):
        return all(monotone(operand, cleared) for operand in node.operands)
    if isinstance(node, Lit):
        return True
    if isinstance(node, Ref):
        return node.kind in ("clue", "visited", "solved", "concluded") or (
            node.kind == "flag" and node.name not in cleared)
    if isinstance(node, Compare):  # a count that has reached a number: counts only grow
        count, number = (node.left, node.right) if node.op in (">=", ">") else (node.right, node.left)
        return node.op in (">=", ">", "<=", "<") and isinstance(count, Ref) and count.kind in (
            "visits", "taken") and isinstance(number, Lit)
    return False


def _canon(node: Node) -> object:
    """A node without its columns, to compare two conditions as written."""
    if isinstance(node, BoolOp):
        return (node.op, tuple(_canon(o) for o in node.operands))
    if isinstance(node, Not):
        return ("not", _canon(node.operand))
    if isinstance(node, Compare):
        return (node.op, _canon(node.left), _canon(node.right))
    if isinstance(node, Ref):
        return ("ref", node.kind, node.name)
    return ("lit", node.value) if isinstance(node, Lit) else repr(node)


def _conjuncts(node: Node) -> list[Node]:
    if isinstance(node, BoolOp) and node.op == "and":
        return [c for o in node.operands for c in _conjuncts(o)]
    return [node]


def _disjuncts(node: Node) -> list[Node]:
    if isinstance(node, BoolOp) and node.op == "or":
        return [d for o in node.operands for d in _disjuncts(o)]
    return [node]


def _implies(given: list[Node], goal: Node) -> bool:
    """Whether the conjunction `given` says `goal` outright (as written: the same tests)."""
    if isinstance(goal, Lit) and goal.value is True:
        return True
    if _canon(goal) in {_canon(g) for g in given}:
        return True
    if any(isinstance(g, Lit) and g.value is False for g in given):
        return True  # never shown at all
    if isinstance(goal, BoolOp):
        parts = [_implies(given, o) for o in goal.operands]
        return all(parts) if goal.op == "and" else any(parts)
    return False
