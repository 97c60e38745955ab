"""Questions: deductions the player makes by filling slots, and can get wrong.

A question (game.story.Question) is asked at every case board, or in the
scenes its ``at`` names, while its ``opens`` condition holds and it is not
yet closed. The player fills each slot with a candidate they hold (a clue
found, a person, place or thing they know of, or a fixed option); the whole
answer is then judged: an accepted answer closes the question and gives what
a right answer gives; an authored response answers a tempting wrong answer,
and may be a *conclusion* the player then lives with (it closes the question
too, wrongly); anything else is the default wrong answer. A wrong try costs
what the question's ``wrong`` does, and may lock the question for some turns.
Questions of a ``batch`` are judged silently: their answers are pinned and
confirmed only when enough of the batch is right at once.

Answering is a move like any choice, with the id ``answer:QUESTION:slot=value,...``
(all ids are letters, digits and ``_``, so the id reads back unambiguously).
``moves(pt)`` lists, for each open question, one move per outcome the
player can reach now, with a representative answer they can give; that is
how the analyses (which only step through Rules.available / successors)
explore every way a question can go without enumerating every combination.

Offering costs in proportion to the questions that may be open, not to the
story: each question is filed under one fact its ``opens`` requires (a clue,
flag, visited scene or answered question), and only the questions filed under
facts the player holds are tested.

Nothing here keeps per-call state; the playthrough is always an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .conditions import BoolOp, Node, Ref
from .events import Event, QuestionAnswered, QuestionConfirmed, QuestionLocked, QuestionPending
from .prose import fold, render_text
from .state import Conclusion, Playthrough, Values
from .story import RIGHT, Effect, Outcome, Question, Slot, Story

ANSWER = "answer:"
ASK = "ask:"  # an offer that starts answering (the UI fills the slots; it is never a move)
MAX_SEARCH = 20_000  # nodes tried when looking for a representative answer of one outcome
MAX_REMEMBERED = 4096  # representatives remembered (by question and candidates) before forgetting them all

ApplyEffects = Callable[[tuple[Effect, ...], Playthrough, list[Event]], None]


def answer_id(question_id: str, values: dict[str, str] | Values) -> str:
    pairs = values.items() if isinstance(values, dict) else values
    return f"{ANSWER}{question_id}:" + ",".join(f"{slot}={value}" for slot, value in pairs)


def parse_answer(move: str) -> tuple[str, dict[str, str]] | None:
    """(question id, slot -> value) of an answer move; None if move is not one or is malformed."""
    if not move.startswith(ANSWER):
        return None
    question, sep, rest = move[len(ANSWER):].partition(":")
    if not sep or not question:
        return None
    values: dict[str, str] = {}
    for part in rest.split(",") if rest else []:
        slot, eq, value = part.partition("=")
        if not eq or not slot or not value or slot in values:
            return None
        values[slot] = value
    return question, values


@dataclass(frozen=True)
class Resolution:
    """What an answer does, decided on the state before it (like a choice's branch)."""

    question: Question
    values: Values
    outcome: Outcome
    pending: bool = False  # batched: pinned, not judged aloud
    confirms: tuple[tuple[Question, Values], ...] = ()  # batched: the answers this one confirms
    locks: bool = False  # this wrong try locks the question

    @property
    def closes(self) -> bool:
        return not self.pending and (self.outcome.correct or self.outcome.conclude)


_ANCHOR_KINDS = ("clue", "flag", "visited", "solved", "concluded")


def _anchor(node: Node | None) -> tuple[str, str] | None:
    """A fact the condition cannot hold without (a positive reference it requires), if any."""
    if isinstance(node, Ref) and node.kind in _ANCHOR_KINDS and "." not in node.name:
        return node.kind, node.name
    if isinstance(node, BoolOp) and node.op == "and":
        for operand in node.operands:
            found = _anchor(operand)
            if found is not None:
                return found
    return None


class _Index:
    """The questions one scene asks, filed by a fact their ``opens`` needs."""

    def __init__(self, questions: list[Question]):
        self.ids = frozenset(q.id for q in questions)
        self.free: list[Question] = []
        self.by_fact: dict[str, dict[str, list[Question]]] = {}
        for question in questions:
            anchor = _anchor(question.opens.tree if question.opens is not None else None)
            if anchor is None:
                self.free.append(question)
            else:
                self.by_fact.setdefault(anchor[0], {}).setdefault(anchor[1], []).append(question)


def _held(pt: Playthrough, kind: str) -> Iterable[str]:
    if kind == "clue":
        return pt.clues
    if kind == "flag":
        return pt.flags
    if kind == "visited":
        return pt.visited
    if kind == "solved":
        return [q for q, c in pt.answers.items() if c.outcome == RIGHT]
    return pt.answers


class QuestionRules:
    def __init__(self, story: Story):
        self.story = story
        self.clue_order = {c: i for i, c in enumerate(story.clues)}
        self.question_order = {q: i for i, q in enumerate(story.questions)}
        boards = [s.id for s in story.scenes.values() if s.case_board]
        asked: dict[str, list[Question]] = {}
        for question in story.questions.values():
            for scene in question.at or boards:
                asked.setdefault(scene, []).append(question)
        shared: dict[tuple[str, ...], _Index] = {}  # every case board asks the same list: one index
        self.index: dict[str, _Index] = {}
        for scene, questions in asked.items():
            key = tuple(q.id for q in questions)
            self.index[scene] = shared.setdefault(key, _Index(questions))
        self.batches: dict[str, list[Question]] = {}
        for question in story.questions.values():
            if question.batch:
                self.batches.setdefault(question.batch, []).append(question)
        self.pools: dict[str, list[str]] = {"people": [], "places": [], "things": []}
        for entity in story.entities.values():
            self.pools[entity.kind].append(entity.id)
        # Clue slots open to any clue: whether the player holds one no outcome names matters
        # to what can be answered (state_key), and only for these slots.
        self.open_clue_slots = [named_values(q, s) for q in story.questions.values() for s in q.slots
                                if s.pool == "clues" and not s.among]
        # (question, the candidates of each slot) -> its representatives: the search depends on
        # nothing else, and random play asks the same few questions with the same pools again
        self._representatives: dict[tuple[str, tuple[tuple[str, ...], ...]], list[tuple[Outcome, Values]]] = {}

    # -- what is open --------------------------------------------------------

    def asks(self, scene_id: str) -> bool:
        return scene_id in self.index

    def open_here(self, pt: Playthrough) -> list[Question]:
        """The questions open in pt's scene, in story order (locked ones included)."""
        index = self.index.get(pt.scene)
        if index is None:
            return []
        found = list(index.free)
        for kind, table in index.by_fact.items():
            held = _held(pt, kind)
            if len(held) < len(table):  # type: ignore[arg-type]
                for fact in held:
                    found.extend(table.get(fact, ()))
            else:
                for fact, questions in table.items():
                    if fact in held:
                        found.extend(questions)
        result = [q for q in found if self.is_open(q, pt)]
        if len(result) > 1:
            result.sort(key=lambda q: self.question_order[q.id])
        return result

    @staticmethod
    def is_open(question: Question, pt: Playthrough) -> bool:
        return question.id not in pt.answers and (question.opens is None or question.opens(pt))

    @staticmethod
    def locked_for(question: Question, pt: Playthrough) -> int:
        """How many more turns the question stays locked (0: it can be answered)."""
        return max(0, pt.locked.get(question.id, 0) - pt.turn)

    # -- candidates ----------------------------------------------------------

    def candidates(self, question: Question, slot: Slot, pt: Playthrough) -> list[str]:
        """The values the player can put in a slot now, in story order."""
        if slot.pool == "options":
            return [option for option, _ in slot.options]
        if slot.pool == "clues":
            if slot.among:
                return [c for c in slot.among if c in pt.clues]
            return sorted(pt.clues, key=lambda c: self.clue_order.get(c, 0))
        entities = self.story.entities
        pool = slot.among or self.pools[slot.pool]
        return [e for e in pool if entities[e].is_known(pt)]

    def label(self, slot: Slot, value: str) -> str:
        """A candidate as the player reads it."""
        return candidate_label(self.story, slot, value)

    # -- judging ---------------------------------------------------------------

    def representatives(self, question: Question, pt: Playthrough) -> list[tuple[Outcome, Values]]:
        """One answer the player can give now for each outcome they can reach, in outcome order."""
        pools = [self.candidates(question, slot, pt) for slot in question.slots]
        if not all(pools):
            return []
        key = (question.id, tuple(map(tuple, pools)))
        known = self._representatives.get(key)
        if known is not None:
            return list(known)
        if len(self._representatives) >= MAX_REMEMBERED:
            self._representatives.clear()
        result = self._represent(question, pools)
        self._representatives[key] = result
        return list(result)

    @staticmethod
    def _represent(question: Question, pools: list[list[str]]) -> list[tuple[Outcome, Values]]:
        result = []
        earlier: list[Outcome] = list(question.accepted)
        for outcome in question.accepted:
            values = _search(question.slots, pools, outcome, [])
            if values is not None:
                result.append((outcome, values))
        if question.batch:  # judged silently: right or not is all that can differ
            wrong = _search(question.slots, pools, None, earlier)
            if wrong is not None:
                result.append((question.wrong, wrong))
            return result
        for outcome in question.responses:
            values = _search(question.slots, pools, outcome, earlier)
            if values is not None:
                result.append((outcome, values))
            earlier.append(outcome)
        wrong = _search(question.slots, pools, None, earlier)
        if wrong is not None:
            result.append((question.wrong, wrong))
        return result

    def why_not(self, question: Question, values: dict[str, str], pt: Playthrough) -> str | None:
        """None if the answer can be given now; otherwise why not, in words."""
        if question.id in pt.answers:
            return "that question is already answered"
        if question.opens is not None and not question.opens(pt):
            return "that question is not open yet"
        turns = self.locked_for(question, pt)
        if turns:
            return f"that question was answered wrong too often; try again in {turns} turn{'s' * (turns != 1)}"
        if set(values) != {s.id for s in question.slots}:
            missing = [s.id for s in question.slots if s.id not in values]
            extra = [k for k in values if question.slot(k) is None]
            return (f"the answer has no slot '{extra[0]}'" if extra
                    else f"the answer leaves slot '{missing[0]}' empty")
        for slot in question.slots:
            if values[slot.id] not in self.candidates(question, slot, pt):
                return f"'{values[slot.id]}' is not something you can put in slot '{slot.id}' now"
        return None

    def resolve(self, question: Question, values: dict[str, str], pt: Playthrough) -> Resolution:
        """What answering with these values does; pt is not changed."""
        given: Values = tuple((slot.id, values[slot.id]) for slot in question.slots)
        outcome = question.judge(values)
        if question.batch:
            confirms: list[tuple[Question, Values]] = []
            group = [q for q in self.batches[question.batch] if q.id not in pt.answers]
            right: list[tuple[Question, Values]] = []
            for member in group:
                answer = given if member is question else pt.pending.get(member.id)
                if answer is not None and member.judge(dict(answer)).correct:
                    right.append((member, answer))
            if len(right) >= min(question.batch_size, len(group)):
                confirms = right
            return Resolution(question, given, outcome, pending=True, confirms=tuple(confirms))
        locks = False
        if not (outcome.correct or outcome.conclude) and question.lock_after:
            locks = (pt.wrong.get(question.id, 0) + 1) % question.lock_after == 0
        return Resolution(question, given, outcome, locks=locks)

    def narration(self, resolution: Resolution, pt: Playthrough) -> list[str]:
        """The paragraphs the player reads after answering, their markup drawn for pt."""
        question = resolution.question
        if resolution.pending:
            texts = [(question.pending_body, question.pending, f"{question.id}:pending")]
            texts.extend((q.right.body, q.right.text, f"{q.id}:right") for q, _ in resolution.confirms)
        else:
            outcome = resolution.outcome
            texts = [(outcome.body, outcome.text, f"{question.id}:{outcome.id}")]
        paragraphs: list[str] = []
        for body, text, key in texts:
            drawn = render_text(body, pt, f"{pt.seed}:question:{key}", pt.wrong.get(question.id, 0)) \
                if body is not None else fold(text)
            paragraphs.extend(p for p in drawn.split("\n\n") if p.strip())
        return paragraphs

    # -- changing the playthrough --------------------------------------------

    def answer(self, pt: Playthrough, resolution: Resolution, events: list[Event], apply: ApplyEffects) -> None:
        """Carry out a resolved answer (the turn has already advanced)."""
        question = resolution.question
        if resolution.pending:
            pt.pending[question.id] = resolution.values
            events.append(QuestionPending(question.id))
            for member, values in resolution.confirms:
                pt.pending.pop(member.id, None)
                pt.answers[member.id] = Conclusion(RIGHT, values, pt.turn)
                events.append(QuestionConfirmed(member.id))
                apply(member.right.effects, pt, events)
            return
        outcome = resolution.outcome
        if resolution.closes:
            pt.answers[question.id] = Conclusion(RIGHT if outcome.correct else outcome.id, resolution.values,
                                                 pt.turn)
            events.append(QuestionAnswered(question.id, RIGHT if outcome.correct else outcome.id,
                                           outcome.correct, True))
            apply(outcome.effects, pt, events)
            return
        pt.wrong[question.id] = pt.wrong.get(question.id, 0) + 1
        events.append(QuestionAnswered(question.id, outcome.id, False, False))
        if resolution.locks:
            pt.locked[question.id] = pt.turn + question.lock_turns
            events.append(QuestionLocked(question.id, question.lock_turns))
        if outcome is not question.wrong:
            apply(outcome.effects, pt, events)
        apply(question.wrong.effects, pt, events)  # the cost of every wrong try

    def record(self, pt: Playthrough, question_id: str, outcome_id: str, events: list[Event],
               apply: ApplyEffects) -> None:
        """Close a question as reached in dialogue (the `answer:` effect); nothing if already closed."""
        question = self.story.questions[question_id]
        if question_id in pt.answers:
            return
        outcome = question.outcome(outcome_id)
        assert outcome is not None  # the loader checked it
        pt.pending.pop(question_id, None)
        pt.answers[question_id] = Conclusion(outcome_id, (), pt.turn)
        events.append(QuestionAnswered(question_id, outcome_id, outcome.correct, True))
        apply(outcome.effects, pt, events)

    # -- for the analyses -----------------------------------------------------

    def state_key(self, pt: Playthrough) -> tuple:
        """What about the questions decides the future: how each was closed, the wrong
        tries that count towards a lock, the turns a lock has left, whether each pinned
        answer is right, and whether each open-ended clue slot has a clue to spare."""
        if not self.story.questions:
            return ()
        questions = self.story.questions
        answers = tuple(sorted((q, c.outcome) for q, c in pt.answers.items()))
        tries = tuple(sorted((q, n % questions[q].lock_after) for q, n in pt.wrong.items()
                             if questions[q].lock_after))
        locks = tuple(sorted((q, until - pt.turn) for q, until in pt.locked.items() if until > pt.turn))
        pending = tuple(sorted((q, questions[q].judge(dict(v)).correct) for q, v in pt.pending.items()))
        return answers, tries, locks, pending, self.spare_clues(pt)

    def spare_clues(self, pt: Playthrough) -> tuple[bool, ...]:
        """For each clue slot without `among`: does the player hold a clue no outcome names there?"""
        held = pt.clues.keys()
        return tuple(not held <= named for named in self.open_clue_slots)  # a set comparison, in C


def candidate_label(story: Story, slot: Slot, value: str) -> str:
    """A candidate as the player reads it: the option's text, the clue's title, the entity's name."""
    if slot.pool == "options":
        return next((text for option, text in slot.options if option == value), value)
    if slot.pool == "clues":
        clue = story.clues.get(value)
        return clue.title if clue else value
    entity = story.entities.get(value)
    return entity.name if entity else value


def named_values(question: Question, slot: Slot) -> frozenset[str]:
    """The values some outcome of the question names for this slot."""
    found: set[str] = set()
    for outcome in question.outcomes:
        for slot_id, allowed in outcome.match:
            if slot_id == slot.id:
                found |= allowed
    return frozenset(found)


def _search(slots: tuple[Slot, ...], pools: list[list[str]], want: Outcome | None,
            avoid: list[Outcome]) -> Values | None:
    """An answer from the pools that matches `want` (any answer if None) and none of `avoid`.

    Depth-first over the slots; an outcome to avoid is dropped from the search as
    soon as one slot rules it out, and values that rule out the most are tried first.
    """
    constraint = dict(want.match) if want is not None else {}
    choices = [[v for v in pool if v in constraint[slot.id]] if slot.id in constraint else pool
               for slot, pool in zip(slots, pools, strict=True)]
    if not all(choices):
        return None
    avoided = [dict(o.match) for o in avoid]
    budget = [MAX_SEARCH]

    def walk(index: int, alive: list[dict[str, frozenset[str]]], chosen: list[str]) -> list[str] | None:
        if index == len(slots):
            return None if alive else chosen
        budget[0] -= 1
        if budget[0] < 0:
            return None
        slot_id = slots[index].id

        def kills(value: str) -> int:
            return sum(1 for m in alive if slot_id in m and value not in m[slot_id])

        for value in sorted(choices[index], key=kills, reverse=True) if alive else choices[index]:
            still = [m for m in alive if slot_id not in m or value in m[slot_id]]
            found = walk(index + 1, still, [*chosen, value])
            if found is not None:
                return found
        return None

    found = walk(0, avoided, [])
    if found is None:
        return None
    return tuple((slot.id, value) for slot, value in zip(slots, found, strict=True))


# --- what the analyses need to know --------------------------------------------


def question_conditions(story: Story) -> list:
    """Every condition a question's offer reads: its opens, and the known of each entity."""
    found = [q.opens for q in story.questions.values() if q.opens is not None]
    found.extend(e.known for e in story.entities.values() if e.known is not None)
    return found


def question_reads(story: Story) -> dict[str, set[tuple[str, str]]]:
    """Scene -> the facts its questions read: what opens them, which people, places and
    things are known, and the clues an outcome names (other clues only count as 'some
    clue to spare', which QuestionRules.state_key holds)."""
    boards = [s.id for s in story.scenes.values() if s.case_board]
    reads: dict[str, set[tuple[str, str]]] = {}
    for question in story.questions.values():
        facts: set[tuple[str, str]] = set()
        if question.opens is not None:
            facts |= question.opens.refs
        for slot in question.slots:
            if slot.pool == "clues":
                facts.update(("clue", c) for c in (*slot.among, *named_values(question, slot)))
            elif slot.pool != "options":
                members = slot.among or [e.id for e in story.entities.values() if e.kind == slot.pool]
                for member in members:
                    known = story.entities[member].known
                    if known is not None:
                        facts |= known.refs
        for scene in question.at or boards:
            reads.setdefault(scene, set()).update(facts)
    return reads
