"""Pass two, the effects: what choices and arrivals do (`do:` and `on_enter:`)."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Pos, did_you_mean
from ..story import (
    Answer,
    Chance,
    ChangeStat,
    Effect,
    EndGame,
    GainClue,
    IfEffect,
    Roll,
    SetFlag,
)
from ..yamlsrc import YList, YMap
from .base import LoaderBase, _kind
from .fields import EFFECT_BRANCHES, EFFECT_KINDS

MAX_EFFECT_DEPTH = 10  # if/chance inside if/chance, this deep at most


class Effects(LoaderBase):
    def effects(self, raw: Any, pos: Pos, what: str, site: str = "", here: str | None = None,
                depth: int = 0) -> tuple[Effect, ...]:
        """A list of effects. `site` names where they are written (scene:choice or
        scene:on_enter), so that each random effect draws its own numbers; `here`
        is the scene, for conditions that say `here`."""
        if raw is None:
            return ()
        if isinstance(raw, YMap):  # a single effect written without the list dash
            single = YList(raw.pos)
            single.append(raw)
            single.item_pos.append(raw.pos)
            raw = single
        if not isinstance(raw, YList):
            self.err(pos, f"effects of {what} must be a list, not {_kind(raw)}", "bad-type")
            return ()
        result: list[Effect] = []
        for index, item in enumerate(raw):
            where = raw.ipos(index)
            if isinstance(item, YMap) and ("if" in item or "chance" in item):
                effect = self.branching(item, where, what, f"{site}.{index}", here, depth)
                if effect is not None:
                    result.append(effect)
                continue
            if not isinstance(item, YMap) or len(item) != 1:
                self.err(where, f"an effect is one of {', '.join(k + ':' for k in EFFECT_KINDS)} "
                         f"(in {what})", "bad-effect")
                continue
            (kind, value), = item.items()
            vpos = item.vpos(kind)
            if kind == "clue":
                if self.ref("clue", value, vpos, what):
                    result.append(GainClue(value, vpos))
            elif kind in ("flag", "unflag"):
                if self.ref("flag", value, vpos, what):
                    result.append(SetFlag(value, kind == "flag", vpos))
            elif kind == "end":
                if self.ref("ending", value, vpos, what):
                    result.append(EndGame(value, vpos))
            elif kind in ("stat", "set"):
                result.extend(self.stat_effects(kind, value, vpos, what))
            elif kind == "roll":
                result.extend(self.rolls(value, vpos, what, f"{site}.{index}"))
            elif kind == "answer":
                result.extend(self.answer_effects(value, vpos, what))
            elif kind in EFFECT_BRANCHES:
                self.err(item.kpos(kind), f"'{kind}:' belongs beside 'if:' or 'chance:' in one effect "
                         f"(in {what})", "bad-effect")
            else:
                self.err(item.kpos(kind), f"unknown effect '{kind}'{did_you_mean(str(kind), EFFECT_KINDS)}; "
                         f"effects are {', '.join(EFFECT_KINDS)}", "bad-effect")
        return tuple(result)

    def answer_effects(self, value: Any, pos: Pos, what: str) -> list[Effect]:
        """`answer: {question: right}` or `{question: CONCLUSION}`: a question closed in dialogue."""
        if not isinstance(value, YMap) or not value:
            self.err(pos, "'answer:' takes a mapping of question: outcome, e.g. answer: {caller: right}",
                     "bad-effect")
            return []
        result: list[Effect] = []
        for question, outcome in value.items():
            if not self.ref("question", question, value.kpos(question), what):
                continue
            names = self.known_names.get("concluded", set())
            if not isinstance(outcome, str) or f"{question}.{outcome}" not in names:
                choices = sorted(n.split(".", 1)[1] for n in names if n.startswith(f"{question}."))
                self.err(value.vpos(question), f"question '{question}' has no outcome {outcome!r} to record; "
                         f"use {' or '.join(repr(c) for c in choices)} (a response needs 'conclude: true')"
                         f"{did_you_mean(str(outcome), choices)}", "bad-effect")
                continue
            result.append(Answer(question, outcome, value.vpos(question)))
        return result

    def stat_effects(self, kind: str, value: Any, pos: Pos, what: str) -> list[Effect]:
        if not isinstance(value, YMap) or not value:
            example = "{trust: +1}" if kind == "stat" else "{rage: 0}"
            self.err(pos, f"'{kind}:' takes a mapping of stat: number, e.g. {kind}: {example}", "bad-effect")
            return []
        result: list[Effect] = []
        for name, amount in value.items():
            if not self.ref("stat", name, value.kpos(name), what):
                continue
            if isinstance(amount, bool) or not isinstance(amount, int):
                self.err(value.vpos(name), f"change of stat '{name}' must be a whole number, not {_kind(amount)}",
                         "bad-type")
                continue
            stat = self.stats.get(name)
            if kind == "set" and stat is not None and not stat.min <= amount <= stat.max:
                self.err(value.vpos(name), f"{amount} is outside the range of stat '{name}' "
                         f"({stat.min}..{stat.max})", "out-of-range")
                continue
            if kind == "stat" and stat is not None and abs(amount) > stat.max - stat.min:
                self.err(value.vpos(name), f"change of {amount:+d} is larger than the whole range of stat "
                         f"'{name}' ({stat.min}..{stat.max})", "out-of-range")
                continue
            result.append(ChangeStat(name, amount, kind == "stat", value.vpos(name)))
        return result

    def branching(self, item: YMap, pos: Pos, what: str, site: str, here: str | None,
                  depth: int) -> Effect | None:
        """`- if: COND` or `- chance: PERCENT`, with `do:` and an optional `else:`."""
        kind = "if" if "if" in item else "chance"
        if "if" in item and "chance" in item:
            self.err(item.kpos("chance"), f"one effect has 'if:' or 'chance:', not both (in {what})", "bad-effect")
            return None
        if not self.fields(item, pos, {kind, *EFFECT_BRANCHES}, f"an '{kind}' effect in {what}", required=("do",)):
            return None
        if depth >= MAX_EFFECT_DEPTH:
            self.err(pos, f"effects nested more than {MAX_EFFECT_DEPTH} deep (in {what})", "bad-effect")
            return None
        then = self.effects(item.get("do"), item.vpos("do"), what, f"{site}.do", here, depth + 1)
        otherwise = self.effects(item.get("else"), item.vpos("else"), what, f"{site}.else", here, depth + 1)
        if kind == "if":
            condition = self.condition(item["if"], item.vpos("if"), here)
            return IfEffect(condition, then, otherwise, pos) if condition is not None else None
        percent = item["chance"]
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 < percent < 100:
            self.err(item.vpos("chance"), f"'chance:' takes a whole number of percent from 1 to 99, "
                     f"not {_kind(percent)} (in {what})", "bad-value")
            return None
        return Chance(percent, then, otherwise, site, pos)

    def rolls(self, value: Any, pos: Pos, what: str, site: str) -> list[Effect]:
        """`- roll: {luck: 1..6}`: each stat set to a number drawn evenly from its range."""
        if not isinstance(value, YMap) or not value:
            self.err(pos, "'roll:' takes a mapping of stat: LOW..HIGH, e.g. roll: {luck: 1..6}", "bad-effect")
            return []
        result: list[Effect] = []
        for name, span in value.items():
            if not self.ref("stat", name, value.kpos(name), what):
                continue
            low, _, high = str(span).partition("..")
            try:
                low_value, high_value = int(low), int(high)
            except ValueError:
                self.err(value.vpos(name), f"roll of stat '{name}' must be a range LOW..HIGH, e.g. 1..6, "
                         f"not {span!r}", "bad-value")
                continue
            stat = self.stats.get(name)
            if low_value >= high_value:
                self.err(value.vpos(name), f"roll of stat '{name}': {low_value}..{high_value} is not a range "
                         "(the first number must be the smaller)", "bad-value")
                continue
            if stat is not None and not stat.min <= low_value <= high_value <= stat.max:
                self.err(value.vpos(name), f"roll {low_value}..{high_value} leaves the range of stat '{name}' "
                         f"({stat.min}..{stat.max})", "out-of-range")
                continue
            result.append(Roll(name, low_value, high_value, f"{site}.{name}", value.vpos(name)))
        return result
