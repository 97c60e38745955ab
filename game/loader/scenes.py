"""Pass two, the scenes: text, choices and where they lead."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Pos
from ..story import (
    Branch,
    Choice,
    Paragraph,
    Scene,
)
from ..yamlsrc import YList, YMap
from .base import LoaderBase, _Decl, _kind
from .fields import (
    BRANCH_FIELDS,
    CHOICE_FIELDS,
    ID_RE,
    PARAGRAPH_FIELDS,
    SCENE_FIELDS,
)


class Scenes(LoaderBase):
    def build_scene(self, decl: _Decl) -> Scene | None:
        what = f"scene '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, SCENE_FIELDS, what, required=("text",)):
            return None
        area = self.scene_area(decl, data)
        text = self.paragraphs(data.get("text"), data.vpos("text"), what)
        on_enter = self.effects(data.get("on_enter"), data.vpos("on_enter"), what)
        ending = data.get("ending")
        if ending is not None and not self.ref("ending", ending, data.vpos("ending"), what):
            ending = None
        case_board = self.boolean(data, "case_board", what)
        choices = self.choices(data, decl.id, what)
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

    def paragraphs(self, raw: Any, pos: Pos, what: str, key: str = "text") -> tuple[Paragraph, ...]:
        if raw is None:
            return ()
        if isinstance(raw, str):
            return (Paragraph((raw,), None, pos),)
        if not isinstance(raw, YList):
            self.err(pos, f"{key} of {what} must be text or a list of paragraphs, not {_kind(raw)}", "bad-type")
            return ()
        result = []
        for index, item in enumerate(raw):
            where = raw.ipos(index)
            if isinstance(item, str):
                result.append(Paragraph((item,), None, where))
                continue
            if not self.fields(item, where, PARAGRAPH_FIELDS, f"a paragraph of {what}"):
                continue
            condition = self.condition(item["if"], item.vpos("if")) if "if" in item else None
            if ("text" in item) == ("one_of" in item):
                self.err(where, f"a paragraph of {what} needs exactly one of 'text' or 'one_of'", "bad-value")
                continue
            if "text" in item:
                variants = (self.text(item, "text", what),)
            else:
                options = item["one_of"]
                if not isinstance(options, YList) or not options or not all(isinstance(o, str) for o in options):
                    self.err(item.vpos("one_of"), "'one_of' must be a list of text", "bad-type")
                    continue
                variants = tuple(options)
            result.append(Paragraph(variants, condition, where))
        return tuple(result)

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

    def choice(self, item: Any, pos: Pos, scene_id: str) -> Choice | None:
        label = item.get("id") if isinstance(item, YMap) else None
        what = f"choice '{label}' in scene '{scene_id}'" if isinstance(label, str) else \
            f"a choice in scene '{scene_id}'"
        if not self.fields(item, pos, CHOICE_FIELDS, what, required=("id", "text")):
            return None
        choice_id = item.get("id")
        if not isinstance(choice_id, str) or not ID_RE.match(choice_id):
            if "id" in item:
                self.err(item.vpos("id"), f"bad choice id {choice_id!r}: use letters, digits and _", "bad-id")
            return None
        text = self.text(item, "text", what)
        condition = self.condition(item["if"], item.vpos("if")) if "if" in item else None
        branches = self.branches(item, what)
        effects = self.effects(item.get("do"), item.vpos("do"), what)
        shown_if = None
        raw_visible = item.get("visible_when_locked", False)
        if isinstance(raw_visible, str):  # a condition: shown locked only while it holds
            shown_if = self.condition(raw_visible, item.vpos("visible_when_locked"))
            visible = True
        else:
            visible = self.boolean(item, "visible_when_locked", what)
        hint = self.text(item, "hint", what)
        if hint and not visible:
            self.warn(item.kpos("hint"), f"{what} has a hint but is not visible_when_locked; "
                      "the hint is never shown", "unused-hint")
        if visible and "if" not in item:  # a broken if is reported already; no second complaint
            self.warn(item.kpos("visible_when_locked"), f"{what} is visible_when_locked but has no 'if'",
                      "unused-lock")
        return Choice(
            id=choice_id,
            text=text,
            branches=branches,
            condition=condition,
            effects=effects,
            outcome=self.paragraphs(item.get("outcome"), item.vpos("outcome"), what, "outcome"),
            once=self.boolean(item, "once", what),
            visible_when_locked=visible,
            hint=hint,
            pos=pos,
            if_pos=item.vpos("if") if "if" in item else pos,
            shown_locked_if=shown_if,
        )

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
