"""Pass two, the scenes: text, choices and where they lead."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Pos, did_you_mean
from ..story import (
    Answer,
    Branch,
    Chance,
    ChangeStat,
    Choice,
    Effect,
    Roll,
    Scene,
    all_effects,
)
from ..yamlsrc import YList, YMap
from .base import LoaderBase, _Decl, _kind
from .fields import (
    BRANCH_FIELDS,
    CHOICE_FIELDS,
    ID_RE,
    SCENE_FIELDS,
    SHARED_CHOICE_FIELDS,
)
from .text import Texts


class Scenes(Texts, LoaderBase):
    def draws(self, effects: tuple[Effect, ...], followed: frozenset[tuple[str, str]] = frozenset()) -> bool:
        """Whether the effects may draw by chance, also inside the outcome an `answer:` records
        (its effects run then: a chance there is a chance in the start scene's on_enter)."""
        for effect in all_effects(effects):
            if isinstance(effect, (Chance, Roll)):
                return True
            if isinstance(effect, Answer) and (effect.question, effect.outcome) not in followed:
                question = self.built_questions.get(effect.question)
                outcome = question.outcome(effect.outcome) if question is not None else None
                if outcome is not None and self.draws(outcome.effects,
                                                      followed | {(effect.question, effect.outcome)}):
                    return True
        return False

    def build_scene(self, decl: _Decl) -> Scene | None:
        what = f"scene '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, SCENE_FIELDS, what, required=("text",)):
            return None
        area = self.scene_area(decl, data)
        text = self.paragraphs(data.get("text"), data.vpos("text"), what, here=decl.id)
        on_enter = self.effects(data.get("on_enter"), data.vpos("on_enter"), what, f"{decl.id}:on_enter", decl.id)
        if decl.id == self.start_scene and self.draws(on_enter):
            self.err(data.vpos("on_enter"), f"{what} is the start scene: its on_enter cannot draw by chance "
                     "(the analyses begin from one start); move the chance or roll into a choice", "bad-effect")
        ending = data.get("ending")
        if ending is not None and not self.ref("ending", ending, data.vpos("ending"), what):
            ending = None
        case_board = self.boolean(data, "case_board", what)
        choices = self.choices(data, decl.id, what)
        if "ending" not in data:
            choices = choices + self.shared_here(decl.id, area, choices, what)
        if ending and choices:
            self.err(data.kpos("choices"), f"{what} is an ending; it cannot offer choices", "ending-choices")
        if "ending" not in data and not choices and not case_board:
            self.err(decl.pos, f"{what} has no choices and is not an ending (a dead end)", "dead-end")
        return Scene(
            id=decl.id,
            area=area,
            title=self.text(data, "title", what, ""),
            text=text,
            choices=choices,
            on_enter=on_enter,
            ending=ending,
            case_board=case_board,
            pos=decl.pos,
        )

    @staticmethod
    def quiet_area(decl: _Decl) -> str:
        """The scene's area as scene_area finds it, without reporting anything."""
        data = decl.data
        if isinstance(data, YMap) and isinstance(data.get("area"), str):
            return data["area"]
        return decl.file_area or decl.id.split(".", 1)[0]

    def scene_area(self, decl: _Decl, data: YMap) -> str:
        if "area" in data:
            area, pos = data["area"], data.vpos("area")
        elif decl.file_area:
            area, pos = decl.file_area, decl.file_area_pos or decl.pos
        elif "." in decl.id:
            area, pos = decl.id.split(".", 1)[0], decl.pos
        else:
            self.err(decl.pos, f"scene '{decl.id}' has no area: add 'area:' or name it area.scene",
                     "missing-field")
            return ""
        self.ref("area", area, pos, f"scene '{decl.id}'")
        return area if isinstance(area, str) else ""

    def choices(self, data: YMap, scene_id: str, what: str) -> tuple[Choice, ...]:
        raw = data.get("choices")
        if raw is None:
            return ()
        if not isinstance(raw, YList):
            self.err(data.vpos("choices"), f"choices of {what} must be a list, not {_kind(raw)}", "bad-type")
            return ()
        result: list[Choice] = []
        seen: dict[str, Pos] = {}
        for index, item in enumerate(raw):
            choice = self.choice(item, raw.ipos(index), scene_id)
            if choice is None:
                continue
            if choice.id in seen:
                self.err(choice.pos, f"duplicate choice id '{choice.id}' in {what} "
                         f"(first at line {seen[choice.id].line})", "duplicate-choice")
                continue
            seen[choice.id] = choice.pos
            result.append(choice)
        return tuple(result)

    def choice(self, item: Any, pos: Pos, scene_id: str, shared: str | None = None) -> Choice | None:
        """A choice of a scene; `shared`: the id of a shared choice being offered in it."""
        label = shared or (item.get("id") if isinstance(item, YMap) else None)
        what = f"choice '{label}' in scene '{scene_id}'" if isinstance(label, str) else \
            f"a choice in scene '{scene_id}'"
        if shared is not None:
            what = f"shared choice '{shared}'"
            if not self.fields(item, pos, SHARED_CHOICE_FIELDS, what, required=("text",)):
                return None
            choice_id = shared
        else:
            if not self.fields(item, pos, CHOICE_FIELDS, what, required=("id", "text")):
                return None
            choice_id = item.get("id")
            if not isinstance(choice_id, str) or not ID_RE.match(choice_id):
                if "id" in item:
                    self.err(item.vpos("id"), f"bad choice id {choice_id!r}: use letters, digits and _", "bad-id")
                return None
        text = self.text(item, "text", what)
        condition = self.condition(item["if"], item.vpos("if"), scene_id) if "if" in item else None
        branches = self.branches(item, what)
        effects = self.effects(item.get("do"), item.vpos("do"), what, f"{scene_id}:{choice_id}", scene_id)
        shown_if = None
        raw_visible = item.get("visible_when_locked", False)
        if isinstance(raw_visible, str):  # a condition: shown locked only while it holds
            shown_if = self.condition(raw_visible, item.vpos("visible_when_locked"), scene_id)
            visible = True
        else:
            visible = self.boolean(item, "visible_when_locked", what)
        hint = self.text(item, "hint", what)
        if hint and not visible:
            self.warn(item.kpos("hint"), f"{what} has a hint but is not visible_when_locked; "
                      "the hint is never shown", "unused-hint")
        blockable = any(isinstance(e, ChangeStat) and e.relative and e.stat in self.stats
                        and self.stats[e.stat].overflow == "block" for e in effects)
        # A broken if is reported already; a change of an `overflow: block` stat can lock it too.
        if visible and "if" not in item and not blockable:
            self.warn(item.kpos("visible_when_locked"), f"{what} is visible_when_locked but has no 'if' "
                      "and changes no 'overflow: block' stat, so it is never locked", "unused-lock")
        return Choice(
            id=choice_id,
            text=text,
            branches=branches,
            condition=condition,
            effects=effects,
            outcome=self.paragraphs(item.get("outcome"), item.vpos("outcome"), what, "outcome", scene_id),
            once=self.boolean(item, "once", what),
            visible_when_locked=visible,
            hint=hint,
            pos=pos,
            if_pos=item.vpos("if") if "if" in item else pos,
            shown_locked_if=shown_if,
            label=self.inline(text, item.vpos("text"), what, scene_id),
            hint_text=self.inline(hint, item.vpos("hint"), what, scene_id) if hint else None,
            shared=shared is not None,
        )

    # -- shared choices ---------------------------------------------------

    def shared_places(self) -> None:
        """Check each shared choice's areas, scenes and except once; remember where it is offered."""
        self.shared: dict[str, tuple[Any, set[str] | None, set[str], set[str]]] = {}
        for ident, decl in self.decls["shared_choices"].items():
            data = decl.data
            if not isinstance(data, YMap):
                self.fields(data, decl.pos, SHARED_CHOICE_FIELDS, f"shared choice '{ident}'")
                continue
            lists = {}
            for key, kind in (("areas", "area"), ("scenes", "scene"), ("except", "scene")):
                raw = data.get(key, [])
                if isinstance(raw, str):
                    raw = [raw]
                if not isinstance(raw, list):
                    self.err(data.vpos(key), f"'{key}' of shared choice '{ident}' must be a list of {kind} ids",
                             "bad-type")
                    raw = []
                where = data.vpos(key)
                lists[key] = {name for index, name in enumerate(raw)
                              if self.ref(kind, name, raw.ipos(index) if isinstance(raw, YList) else where,
                                          f"shared choice '{ident}'")}
            everywhere = "areas" not in data and "scenes" not in data
            self.shared[ident] = (decl, None if everywhere else lists["areas"], lists["scenes"], lists["except"])

    def shared_here(self, scene_id: str, area: str, own: tuple[Choice, ...], what: str) -> tuple[Choice, ...]:
        """The shared choices offered in this scene, built for it (so `here` means this scene)."""
        result = []
        for ident, (decl, areas, scenes, excluded) in self.shared.items():
            if scene_id in excluded:
                continue
            if areas is not None and area not in areas and scene_id not in scenes:
                continue
            clash = next((c for c in own if c.id == ident), None)
            if clash is not None:
                self.err(clash.pos, f"{what} has its own choice '{ident}', and shared choice '{ident}' is offered "
                         f"here too; rename one, or list '{scene_id}' in the shared choice's except", "duplicate-choice")
                continue
            choice = self.choice(decl.data, decl.pos, scene_id, shared=ident)
            if choice is not None:
                result.append(choice)
        return tuple(result)

    def unused_shared(self, scenes: dict[str, Scene]) -> None:
        offered = {c.id for s in scenes.values() for c in s.choices if c.shared}
        for ident, decl in self.decls["shared_choices"].items():
            if ident in self.shared and ident not in offered:
                self.warn(decl.pos, f"shared choice '{ident}' is offered in no scene (its areas and scenes hold "
                          f"none that is not an ending or excepted){did_you_mean(ident, offered)}", "shared-unused")

    def branches(self, item: YMap, what: str) -> tuple[Branch, ...]:
        raw = item.get("goto")
        pos = item.vpos("goto")
        if raw is None:
            return (Branch(None, None, pos),)
        if isinstance(raw, str):
            return (Branch(raw, None, pos),) if self.ref("scene", raw, pos, what) else ()
        if not isinstance(raw, YList) or not raw:
            self.err(pos, f"'goto' of {what} must be a scene id or a list of {{if, goto}}", "bad-type")
            return ()
        result = []
        for index, entry in enumerate(raw):
            where = raw.ipos(index)
            if not self.fields(entry, where, BRANCH_FIELDS, f"a branch of {what}", required=("goto",)):
                continue
            target = entry.get("goto")
            if target is not None and not self.ref("scene", target, entry.vpos("goto"), what):
                continue
            condition = self.condition(entry["if"], entry.vpos("if")) if "if" in entry else None
            if condition is None and index != len(raw) - 1 and "if" not in entry:
                self.err(where, f"a branch without 'if' must be the last one in {what}", "bad-branch")
            result.append(Branch(target, condition, where))
        if result and raw and isinstance(raw[-1], YMap) and "if" in raw[-1]:
            self.err(raw.ipos(len(raw) - 1), f"the last branch of {what} needs no 'if': it is where the "
                     "choice goes when no other branch fits", "bad-branch")
        return tuple(result)
