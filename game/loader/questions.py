"""Pass two, the questions: deductions the player answers by filling slots.

    questions:
      number:
        ask: Whose number is inside the matchbook?
        opens: clue.matchbook                # shown once this holds (default: always)
        at: [street.bar]                     # asked there (default: every case board)
        slots:
          who: {prompt: It belongs to, from: people}
          proof: {prompt: What shows it?, from: clues, among: [matchbook, set_list]}
        answer: {who: singer, proof: set_list}   # or a list; a value may be a list
        right: {text: ..., do: [...], goto: SCENE}
        wrong: {text: ..., do: [...]}         # the default response; its `do` is every wrong try's cost
        responses:
          - id: blame_bartender
            if: {who: bartender}              # the slots it constrains
            text: ...
            conclude: true                    # a wrong conclusion: closes the question, wrongly
        lock: {after: 2, turns: 3}           # locked for 3 turns after every 2 wrong tries
        batch: witnesses                      # judged silently, confirmed with the rest of the batch
        batch_size: 3
        pending: shown when a batched answer is pinned
        required: true                        # check must prove it can be solved

Effects are built after the stats (they check stat ranges); everything else
before any scene, so conditions anywhere may say `open.q`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..conditions import BOOL, BoolOp, Node, Not, Ref
from ..diagnostics import Pos, did_you_mean
from ..questions import _search
from ..story import CANDIDATE_POOLS, RIGHT, WRONG, Entity, Outcome, Question, Slot
from ..yamlsrc import YList, YMap
from .base import LoaderBase, _Decl, _kind
from .fields import (
    ID_RE,
    LOCK_FIELDS,
    OUTCOME_FIELDS,
    QUESTION_FIELDS,
    RESPONSE_FIELDS,
    SLOT_FIELDS,
)

POOL_NOUNS = {"people": "people", "places": "places", "things": "things", "clues": "clues",
              "options": "options"}


class Questions(LoaderBase):
    def concluded_names(self) -> set[str]:
        """What `concluded.` may name: every question, and question.right / question.CONCLUSION."""
        names: set[str] = set()
        for question_id, decl in self.decls["questions"].items():
            names.update((question_id, f"{question_id}.{RIGHT}"))
            responses = decl.data.get("responses") if isinstance(decl.data, YMap) else None
            for item in responses if isinstance(responses, YList) else ():
                if isinstance(item, YMap) and isinstance(item.get("id"), str) and item.get("conclude") is True:
                    names.add(f"{question_id}.{item['id']}")
        return names

    # -- one question ---------------------------------------------------------

    def build_question(self, decl: _Decl, entities: dict[str, Entity]) -> Question | None:
        what = f"question '{decl.id}'"
        data = decl.data
        self.entities = entities
        if not self.fields(data, decl.pos, QUESTION_FIELDS, what, required=("ask", "slots", "answer")):
            return None
        opens = self.condition(data["opens"], data.vpos("opens")) if "opens" in data else None
        slots = self.slots(data, what, entities)
        at = self.scene_list(data, "at", what)
        batch = self.text(data, "batch", what)
        if batch and not ID_RE.match(batch):
            self.err(data.vpos("batch"), f"'batch' of {what} must be an id (letters, digits and _)", "bad-id")
        batch_size = self.integer(data, "batch_size", what, 3)
        if batch_size < 1:
            self.err(data.vpos("batch_size"), f"'batch_size' of {what} must be at least 1", "out-of-range")
        lock_after, lock_turns = self.lock(data, what)
        if slots is None:
            return None
        universe = {slot.id: self.universe(slot, entities) for slot in slots}
        accepted = self.accepted(data, what, slots, universe)
        right = self.outcome_fields(data.get("right"), data.vpos("right"), f"the right answer of {what}")
        wrong = self.outcome_fields(data.get("wrong"), data.vpos("wrong"), f"the wrong answer of {what}")
        responses = self.responses(data, what, slots, universe)
        if accepted is None or responses is None:
            return None
        question = Question(
            id=decl.id,
            ask=" ".join(self.text(data, "ask", what).split()),
            slots=slots,
            accepted=tuple(dataclasses.replace(a, text=right.text, goto=right.goto)
                           for a in accepted),
            responses=responses,
            wrong=dataclasses.replace(wrong, id=WRONG),
            opens=opens,
            at=at,
            lock_after=lock_after,
            lock_turns=lock_turns,
            batch=batch,
            batch_size=batch_size,
            pending=self.text(data, "pending", what),
            required=self.boolean(data, "required", what),
            pos=decl.pos,
        )
        self.judge_shape(question, data, universe, what)
        return question

    def slots(self, data: YMap, what: str, entities: dict[str, Entity]) -> tuple[Slot, ...] | None:
        raw = data.get("slots")
        if not isinstance(raw, YMap) or not raw:
            self.err(data.vpos("slots"), f"'slots' of {what} must map each slot id to its prompt and pool, "
                     f"e.g. who: {{prompt: Who did it?, from: people}}", "bad-type")
            return None
        result = []
        ok = True
        for slot_id, spec in raw.items():
            where = raw.kpos(slot_id)
            if not isinstance(slot_id, str) or not ID_RE.match(slot_id):
                self.err(where, f"bad slot id {slot_id!r} in {what}: use letters, digits and _", "bad-id")
                ok = False
                continue
            slot_what = f"slot '{slot_id}' of {what}"
            if not self.fields(spec, raw.vpos(slot_id), SLOT_FIELDS, slot_what, required=("prompt", "from")):
                ok = False
                continue
            pool = spec.get("from")
            if pool not in CANDIDATE_POOLS:
                self.err(spec.vpos("from"), f"'from' of {slot_what} must be one of {', '.join(CANDIDATE_POOLS)}"
                         f"{did_you_mean(str(pool), CANDIDATE_POOLS)}", "bad-value")
                ok = False
                continue
            options: list[tuple[str, str]] = []
            if pool == "options":
                options = self.options(spec, slot_what)
                if "among" in spec:
                    self.err(spec.kpos("among"), f"{slot_what} lists its options; 'among' is for the other pools",
                             "bad-value")
            elif "options" in spec:
                self.err(spec.kpos("options"), f"'options' of {slot_what} needs 'from: options'", "bad-value")
            among = self.among(spec, pool, slot_what, entities) if "among" in spec and pool != "options" else []
            result.append(Slot(slot_id, self.text(spec, "prompt", slot_what), pool, tuple(among), tuple(options),
                               raw.vpos(slot_id)))
        return tuple(result) if ok else None

    def options(self, spec: YMap, what: str) -> list[tuple[str, str]]:
        raw = spec.get("options")
        if not isinstance(raw, YMap) or len(raw) < 2:
            self.err(spec.vpos("options") if "options" in spec else spec.pos,
                     f"{what} needs 'options': at least two, as id: text", "bad-type")
            return []
        result = []
        for option_id, text in raw.items():
            if not isinstance(option_id, str) or not ID_RE.match(option_id):
                self.err(raw.kpos(option_id), f"bad option id {option_id!r} in {what}", "bad-id")
            elif not isinstance(text, str) or not text.strip():
                self.err(raw.vpos(option_id), f"option '{option_id}' of {what} needs its text", "bad-type")
            else:
                result.append((option_id, text))
        return result

    def among(self, spec: YMap, pool: str, what: str, entities: dict[str, Entity]) -> list[str]:
        raw = spec.get("among")
        if not isinstance(raw, YList) or not raw:
            self.err(spec.vpos("among"), f"'among' of {what} must list ids from its pool", "bad-type")
            return []
        result = []
        for index, item in enumerate(raw):
            if self.candidate(item, pool, raw.ipos(index), what, entities, f"'among' of {what}"):
                result.append(item)
        return result

    def candidate(self, value: Any, pool: str, pos: Pos, what: str, entities: dict[str, Entity],
                  where: str, universe: frozenset[str] | None = None) -> bool:
        """Is value something the slot's pool can hold? Report it where it stands if not."""
        if pool == "clues" and universe is None:
            return self.ref("clue", value, pos, where)
        if not isinstance(value, str):
            self.err(pos, f"{where} must name a candidate, not {_kind(value)}", "bad-type")
            return False
        if universe is not None:
            if value in universe:
                self.seen(pool, value, pos)
                return True
            self.err(pos, f"'{value}' in {where} is not a candidate of {what}: it can only hold "
                     f"{_few(universe)}{did_you_mean(value, universe)}", "answer-not-candidate")
            return False
        entity = entities.get(value)
        if entity is None or entity.kind != pool:
            known = [e.id for e in entities.values() if e.kind == pool]
            elsewhere = f" ('{value}' is one of the {entity.kind})" if entity is not None else ""
            self.err(pos, f"unknown {POOL_NOUNS[pool][:-1] if pool != 'people' else 'person'} '{value}' in "
                     f"{where}{elsewhere}{did_you_mean(value, known)}", "unknown-entity")
            return False
        self.seen(pool, value, pos)
        return True

    def seen(self, pool: str, value: str, pos: Pos) -> None:
        """Tell an editor's observer that a clue or entity is named here (an option is not an id)."""
        if self.observer is not None and pool != "options":
            self.observer.reference(pool, value, pos)

    def universe(self, slot: Slot, entities: dict[str, Entity]) -> frozenset[str]:
        """Every value the slot could ever hold."""
        if slot.pool == "options":
            return frozenset(o for o, _ in slot.options)
        if slot.among:
            return frozenset(slot.among)
        if slot.pool == "clues":
            return frozenset(self.decls["clues"])
        return frozenset(e.id for e in entities.values() if e.kind == slot.pool)

    def values(self, raw: Any, pos: Pos, slot: Slot, universe: frozenset[str], what: str,
               where: str) -> frozenset[str] | None:
        items = raw if isinstance(raw, YList) else [raw]
        positions = [raw.ipos(i) for i in range(len(raw))] if isinstance(raw, YList) else [pos]
        if not items:
            self.err(pos, f"{where} lists no value", "bad-value")
            return None
        ok = True
        # A pool without 'among' says 'unknown clue/person', which reads better than "not a candidate".
        restricted = universe if slot.among or slot.pool == "options" else None
        for item, where_item in zip(items, positions, strict=True):
            ok = self.candidate(item, slot.pool, where_item, what, self.entities, where, restricted) and ok
        return frozenset(items) if ok else None

    def accepted(self, data: YMap, what: str, slots: tuple[Slot, ...],
                 universe: dict[str, frozenset[str]]) -> list[Outcome] | None:
        raw = data.get("answer")
        answers = raw if isinstance(raw, YList) else [raw]
        positions = [raw.ipos(i) for i in range(len(raw))] if isinstance(raw, YList) else [data.vpos("answer")]
        result = []
        ok = True
        for answer, pos in zip(answers, positions, strict=True):
            if not isinstance(answer, YMap):
                self.err(pos, f"'answer' of {what} must map every slot to its value, e.g. "
                         f"{{{slots[0].id}: ...}}", "bad-type")
                ok = False
                continue
            match = self.match(answer, what, slots, universe, "the answer", every=True)
            if match is None:
                ok = False
                continue
            result.append(Outcome(RIGHT, match, correct=True, conclude=True, pos=pos))
        if not answers:
            self.err(data.vpos("answer"), f"{what} accepts no answer", "bad-value")
        return result if ok and result else None

    def match(self, raw: YMap, what: str, slots: tuple[Slot, ...], universe: dict[str, frozenset[str]],
              where: str, every: bool) -> tuple | None:
        ok = True
        pairs = []
        for key in raw:
            slot = next((s for s in slots if s.id == key), None)
            if slot is None:
                self.err(raw.kpos(key), f"{what} has no slot '{key}'{did_you_mean(str(key), [s.id for s in slots])}",
                         "unknown-slot")
                ok = False
                continue
            values = self.values(raw[key], raw.vpos(key), slot, universe[slot.id], what,
                                 f"{where} for slot '{key}'")
            if values is None:
                ok = False
            else:
                pairs.append((slot.id, values))
        if every:
            for slot in slots:
                if slot.id not in raw:
                    self.err(raw.pos, f"{where} of {what} leaves slot '{slot.id}' empty", "missing-field")
                    ok = False
        elif not raw:
            self.err(raw.pos, f"{where} of {what} must constrain at least one slot", "bad-value")
            ok = False
        if not ok:
            return None
        order = [s.id for s in slots]
        return tuple(sorted(pairs, key=lambda p: order.index(p[0])))

    def outcome_fields(self, raw: Any, pos: Pos, what: str) -> Outcome:
        """right: / wrong: text, or {text, do, goto}; effects are built later, after the stats."""
        if raw is None:
            return Outcome(RIGHT)
        if isinstance(raw, str):
            return Outcome(RIGHT, text=raw, pos=pos)
        if not self.fields(raw, pos, OUTCOME_FIELDS, what):
            return Outcome(RIGHT)
        goto = raw.get("goto")
        if goto is not None and not self.ref("scene", goto, raw.vpos("goto"), what):
            goto = None
        return Outcome(RIGHT, text=self.text(raw, "text", what), goto=goto, pos=pos)

    def responses(self, data: YMap, what: str, slots: tuple[Slot, ...],
                  universe: dict[str, frozenset[str]]) -> tuple[Outcome, ...] | None:
        raw = data.get("responses")
        if raw is None:
            return ()
        if not isinstance(raw, YList):
            self.err(data.vpos("responses"), f"'responses' of {what} must be a list", "bad-type")
            return None
        result = []
        seen: set[str] = set()
        ok = True
        for index, item in enumerate(raw):
            where = raw.ipos(index)
            if not self.fields(item, where, RESPONSE_FIELDS, f"a response of {what}", required=("id", "if")):
                ok = False
                continue
            response_id = item.get("id")
            if not isinstance(response_id, str) or not ID_RE.match(response_id) or response_id in (RIGHT, WRONG):
                self.err(item.vpos("id"), f"bad response id {response_id!r} in {what}: letters, digits and _, "
                         "and not 'right' or 'wrong'", "bad-id")
                ok = False
                continue
            if response_id in seen:
                self.err(item.vpos("id"), f"duplicate response '{response_id}' in {what}", "duplicate-response")
                ok = False
                continue
            seen.add(response_id)
            condition = item.get("if")
            if not isinstance(condition, YMap):
                self.err(item.vpos("if"), f"'if' of response '{response_id}' must map slots to the values it "
                         "answers, e.g. {who: simpson}", "bad-type")
                ok = False
                continue
            match = self.match(condition, what, slots, universe, f"response '{response_id}'", every=False)
            if match is None:
                ok = False
                continue
            goto = item.get("goto")
            if goto is not None and not self.ref("scene", goto, item.vpos("goto"), what):
                goto = None
            result.append(Outcome(response_id, match, self.text(item, "text", what), goto=goto,
                                  conclude=self.boolean(item, "conclude", f"response '{response_id}'"),
                                  pos=where))
        return tuple(result) if ok else None

    def lock(self, data: YMap, what: str) -> tuple[int, int]:
        raw = data.get("lock")
        if raw is None:
            return 0, 0
        if not self.fields(raw, data.vpos("lock"), LOCK_FIELDS, f"the lock of {what}", required=("after", "turns")):
            return 0, 0
        after = self.integer(raw, "after", what, 1)
        turns = self.integer(raw, "turns", what, 1)
        for key, value in (("after", after), ("turns", turns)):
            if value < 1:
                self.err(raw.vpos(key), f"'lock.{key}' of {what} must be at least 1", "out-of-range")
                return 0, 0
        return after, turns

    def scene_list(self, data: YMap, key: str, what: str) -> tuple[str, ...]:
        raw = data.get(key)
        if raw is None:
            return ()
        items = raw if isinstance(raw, YList) else [raw]
        positions = [raw.ipos(i) for i in range(len(raw))] if isinstance(raw, YList) else [data.vpos(key)]
        return tuple(item for item, pos in zip(items, positions, strict=True)
                     if self.ref("scene", item, pos, f"'{key}' of {what}"))

    def judge_shape(self, question: Question, data: YMap, universe: dict[str, frozenset[str]], what: str) -> None:
        """Whole-question checks: a wrong answer exists, responses can be reached, batches stay silent."""
        pools = [sorted(universe[s.id]) for s in question.slots]
        if _search(question.slots, pools, None, list(question.accepted)) is None:
            self.err(data.vpos("answer"), f"{what} cannot be answered wrongly: every candidate is accepted; "
                     "give a slot a candidate that is not the answer", "no-wrong-answer")
        earlier = list(question.accepted)
        for response in question.responses:
            if _search(question.slots, pools, response, earlier) is None:
                self.warn(response.pos, f"response '{response.id}' of {what} can never be given: an accepted "
                          "answer or an earlier response always matches first", "response-shadowed")
            earlier.append(response)
        if question.batch:
            for key in ("responses", "lock", "wrong"):
                if key in data:
                    self.err(data.kpos(key), f"{what} is batched: its answers are judged silently, so it takes no "
                             f"'{key}'", "batch-conflict")
            if question.right.goto is not None:
                self.err(data.kpos("right"), f"{what} is batched: confirming it cannot move the player "
                         "('goto')", "batch-conflict")

    # -- after the stats, and across questions -----------------------------------

    def question_effects(self, questions: dict[str, Question]) -> dict[str, Question]:
        """Fill in each outcome's effects (built now that stat ranges are known)."""
        result = {}
        for question_id, question in questions.items():
            data = self.decls["questions"][question_id].data
            what = f"question '{question_id}'"
            site = f"question:{question_id}"  # each random effect in an outcome draws its own numbers
            right = self.outcome_effects(data.get("right"), data.vpos("right"), f"the right answer of {what}",
                                         f"{site}:right")
            wrong = self.outcome_effects(data.get("wrong"), data.vpos("wrong"), f"the wrong answer of {what}",
                                         f"{site}:wrong")
            responses = data.get("responses") or []
            by_id = {item.get("id"): item for item in responses if isinstance(item, YMap)}
            right_body = self.body(question.right.text, data, "right", f"the right answer of {what}")
            result[question_id] = dataclasses.replace(
                question,
                accepted=tuple(dataclasses.replace(a, effects=right, body=right_body) for a in question.accepted),
                wrong=dataclasses.replace(question.wrong, effects=wrong,
                                          body=self.body(question.wrong.text, data, "wrong",
                                                         f"the wrong answer of {what}")),
                responses=tuple(dataclasses.replace(
                    r, effects=self.effects(by_id[r.id].get("do"), by_id[r.id].vpos("do"), f"response '{r.id}'",
                                            f"{site}:{r.id}"),
                    body=self.body(r.text, by_id[r.id], None, f"response '{r.id}' of {what}"))
                    for r in question.responses),
                pending_body=self.body(question.pending, data, "pending", what) if question.pending else None,
            )
        return result

    def body(self, text: str, data: YMap, key: str | None, what: str):
        """An outcome's text with its inline markup parsed (None: no text). `key` is the
        field in `data` holding the text, or the outcome itself (None: `data["text"]`)."""
        if not text:
            return None
        raw = data.get(key) if key is not None else data
        if isinstance(raw, YMap) and "text" in raw:
            pos = raw.vpos("text")
        elif key is not None and key in data:
            pos = data.vpos(key)
        else:
            pos = data.pos
        return self.inline(text, pos, what)

    def outcome_effects(self, raw: Any, pos: Pos, what: str, site: str) -> tuple:
        if not isinstance(raw, YMap) or "do" not in raw:
            return ()
        return self.effects(raw.get("do"), raw.vpos("do"), what, site)

    def question_macros(self, questions: dict[str, Question]) -> None:
        """Make `open.q` mean: q's opens holds and q is not closed; and `open`: some question
        the case boards ask is open (the `at` questions are asked elsewhere)."""
        table: dict[str, Node] = {}
        for question in questions.values():
            unclosed = Not(Ref("concluded", question.id, BOOL, 0), 0)
            table[question.id] = unclosed if question.opens is None else \
                BoolOp("and", (question.opens.tree, unclosed), 0)
        self.macros["open"] = table
        self.macros["open:board"] = {q.id: table[q.id] for q in questions.values() if not q.at}

    def batch_checks(self, questions: dict[str, Question]) -> None:
        sizes: dict[str, tuple[int, Question]] = {}
        counts: dict[str, int] = {}
        for question in questions.values():
            if not question.batch:
                continue
            counts[question.batch] = counts.get(question.batch, 0) + 1
            first = sizes.setdefault(question.batch, (question.batch_size, question))
            if first[0] != question.batch_size:
                self.err(question.pos, f"question '{question.id}' has batch_size {question.batch_size}, but "
                         f"question '{first[1].id}' of batch '{question.batch}' has {first[0]}", "batch-conflict")
        for batch, (size, first) in sizes.items():
            if counts[batch] < size:
                self.err(first.pos, f"batch '{batch}' confirms answers {size} at a time but has only "
                         f"{counts[batch]} question{'s' * (counts[batch] != 1)}", "batch-conflict")


def _few(values: frozenset[str]) -> str:
    shown = sorted(values)
    text = ", ".join(f"'{v}'" for v in shown[:6])
    return text + (f" and {len(shown) - 6} more" if len(shown) > 6 else "")
