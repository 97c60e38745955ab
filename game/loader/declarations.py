"""Pass two, the declarations: the manifest, areas, stats, flags, clues, endings, deductions."""

from __future__ import annotations

from typing import Any

from ..diagnostics import did_you_mean
from ..prose import fold
from ..story import (
    DEFAULT_STAT_GROUPS,
    Area,
    Clue,
    Deduction,
    Ending,
    Flag,
    Stat,
)
from ..yamlsrc import YList, YMap
from .base import LoaderBase, _Decl
from .fields import (
    AREA_FIELDS,
    CLUE_FIELDS,
    DEDUCTION_FIELDS,
    ENDING_FIELDS,
    FLAG_FIELDS,
    FORMATS,
    ID_RE,
    MANIFEST,
    STAT_FIELDS,
    STORY_FIELDS,
)


class Declarations(LoaderBase):
    def build_meta(self) -> dict[str, Any]:
        data = self.manifest
        if data is None:
            return {}
        if "story" not in data:
            self.err(data.pos, f"{MANIFEST} is missing the 'story' section (id, title, version, start)",
                     "missing-field")
            return {}
        info = data["story"]
        if not self.fields(info, data.vpos("story"), STORY_FIELDS, "the story section",
                           required=("id", "title", "start")):
            return {}
        meta: dict[str, Any] = {
            "id": self.text(info, "id", "the story"),
            "title": self.text(info, "title", "the story"),
            "start": self.text(info, "start", "the story"),
            "intro": self.text(info, "intro", "the story"),
            "start_pos": info.vpos("start") if "start" in info else None,
        }
        version = info.get("version", "")
        if isinstance(version, bool) or not isinstance(version, (str, int, float)):
            self.err(info.vpos("version"), "'version' must be text or a number", "bad-type")
            version = ""
        meta["version"] = str(version)
        notes = info.get("content_notes", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            self.err(info.vpos("content_notes"), "'content_notes' must be a list of text", "bad-type")
            notes = []
        meta["content_notes"] = notes
        meta["intro"] = fold(meta["intro"])
        meta["protagonist"] = self.text(info, "protagonist", "the story")
        story_format = info.get("format", 1)
        if isinstance(story_format, bool) or story_format not in FORMATS:
            self.err(info.vpos("format"), f"this engine reads story formats {', '.join(map(str, FORMATS))}, "
                     f"not {story_format!r}", "bad-value")
            story_format = max(FORMATS)
        meta["format"] = story_format
        meta["stat_groups"] = self.stat_groups(info)
        return meta

    def stat_groups(self, info: YMap) -> dict[str, str]:
        """`stat_groups: {relationship: People, state: You}`: kind -> heading, in order."""
        raw = info.get("stat_groups")
        if raw is None:
            return dict(DEFAULT_STAT_GROUPS)
        if not isinstance(raw, YMap) or not raw:
            self.err(info.vpos("stat_groups"), "'stat_groups' maps each stat kind to its heading on the status "
                     "page, e.g. {people: People, state: You}", "bad-type")
            return dict(DEFAULT_STAT_GROUPS)
        groups = {}
        for key, heading in raw.items():
            if not isinstance(key, str) or not ID_RE.match(key):
                self.err(raw.kpos(key), f"bad stat kind {key!r}: use letters, digits and _", "bad-id")
            elif not isinstance(heading, str) or not heading.strip():
                self.err(raw.vpos(key), f"the heading of stat kind '{key}' must be text", "bad-type")
            else:
                groups[key] = heading
        return groups or dict(DEFAULT_STAT_GROUPS)

    def build_area(self, decl: _Decl) -> Area:
        data = decl.data
        if data is None or isinstance(data, str):  # `office: The Office`
            return Area(decl.id, data or decl.id, decl.pos)
        self.fields(data, decl.pos, AREA_FIELDS, f"area '{decl.id}'")
        title = self.text(data, "title", f"area '{decl.id}'", decl.id) if isinstance(data, YMap) else decl.id
        return Area(decl.id, title, decl.pos)

    def build_stat(self, decl: _Decl) -> Stat | None:
        what = f"stat '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, STAT_FIELDS, what, required=("min", "max")):
            return None
        low = self.integer(data, "min", what, 0)
        high = self.integer(data, "max", what, 0)
        start = self.integer(data, "start", what, max(low, min(0, high)))
        if low > high:
            self.err(data.vpos("max"), f"{what}: max {high} is below min {low}", "bad-range")
        elif not low <= start <= high:
            self.err(data.vpos("start"), f"{what}: start {start} is outside its range {low}..{high}",
                     "out-of-range")
        groups = self.groups
        kind = self.text(data, "kind", what, "state" if "state" in groups else next(iter(groups)))
        if kind not in groups:
            self.err(data.vpos("kind"), f"{what}: kind must be one of {', '.join(groups)} (the manifest's "
                     f"stat_groups){did_you_mean(kind, groups)}", "bad-value")
        overflow = self.text(data, "overflow", what, "clamp")
        if overflow not in ("clamp", "block"):
            self.err(data.vpos("overflow"), f"{what}: overflow must be 'clamp' or 'block'", "bad-value")
        return Stat(
            id=decl.id,
            label=self.text(data, "label", what, decl.id.replace("_", " ").capitalize()),
            min=low,
            max=high,
            start=start,
            shown=self.boolean(data, "shown", what),
            kind=kind,
            overflow=overflow,
            description=self.text(data, "description", what),
            pos=decl.pos,
            listed_if=self.condition(data["if"], data.vpos("if")) if "if" in data else None,
            words=self.stat_words(data, what, low, high),
            rises=self.text(data, "rises", what),
            falls=self.text(data, "falls", what),
            clock=self.boolean(data, "clock", what),
        )

    def stat_words(self, data: YMap, what: str, low: int, high: int) -> tuple[tuple[int, str], ...]:
        """`words: {-5: estranged, -1: wary, 2: close}`: from each number up, the stat reads as
        that word; the lowest must be at or below min, so every value has one."""
        if "words" not in data:
            return ()
        words = data["words"]
        if not isinstance(words, YMap) or not words:
            self.err(data.vpos("words"), f"'words' of {what} must map numbers to words, "
                     "e.g. {-5: estranged, 0: wary, 3: close}", "bad-type")
            return ()
        found: list[tuple[int, str]] = []
        for start, word in words.items():
            if isinstance(start, bool) or not isinstance(start, int):
                self.err(words.kpos(start), f"'words' of {what}: '{start}' is not a whole number", "bad-type")
            elif not isinstance(word, str) or not word.strip():
                self.err(words.vpos(start), f"'words' of {what}: the word for {start} must be text", "bad-type")
            elif start > high:
                self.err(words.kpos(start), f"'words' of {what}: {start} is above max {high}, so "
                         f"'{word}' is never shown", "out-of-range")
            else:
                found.append((start, word.strip()))
        found.sort()
        if found and found[0][0] > low:
            self.err(data.vpos("words"), f"'words' of {what} start at {found[0][0]}, above min {low}: "
                     f"give a word from {low} up", "out-of-range")
        return tuple(found)

    def build_flag(self, decl: _Decl) -> Flag:
        data = decl.data
        if data is None or isinstance(data, str):  # `evicted: the landlord wants you out`
            return Flag(decl.id, data or "", decl.pos)
        if not self.fields(data, decl.pos, FLAG_FIELDS, f"flag '{decl.id}'"):
            return Flag(decl.id, "", decl.pos)
        return Flag(decl.id, self.text(data, "description", f"flag '{decl.id}'"), decl.pos)

    def build_clue(self, decl: _Decl) -> Clue:
        what = f"clue '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, CLUE_FIELDS, what, required=("title",)):
            return Clue(decl.id, decl.id, "", pos=decl.pos)
        return Clue(
            id=decl.id,
            title=self.text(data, "title", what, decl.id),
            text=fold(self.text(data, "text", what)),
            group=self.text(data, "group", what, "Leads"),
            pos=decl.pos,
        )

    def build_ending(self, decl: _Decl) -> Ending:
        what = f"ending '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, ENDING_FIELDS, what, required=("title",)):
            return Ending(decl.id, decl.id, pos=decl.pos)
        return Ending(
            id=decl.id,
            title=self.text(data, "title", what, decl.id),
            text=self.text(data, "text", what),
            kind=self.text(data, "kind", what),
            teaser=self.text(data, "teaser", what),
            pos=decl.pos,
        )

    def build_deduction(self, decl: _Decl) -> Deduction | None:
        what = f"deduction '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, DEDUCTION_FIELDS, what, required=("needs", "gives", "label")):
            return None
        needs = data.get("needs")
        ok = True
        if not isinstance(needs, YList) or len(needs) < 2:
            self.err(data.vpos("needs"), f"{what}: 'needs' must list at least two clues", "bad-type")
            needs, ok = YList(data.pos), False
        for index, clue in enumerate(needs):
            ok = self.ref("clue", clue, needs.ipos(index), what) and ok
        gives = data.get("gives")
        ok = self.ref("clue", gives, data.vpos("gives"), what) and ok
        if ok and gives in needs:
            self.err(data.vpos("gives"), f"{what} gives a clue it needs", "bad-value")
        if not ok:
            return None
        return Deduction(
            id=decl.id,
            label=self.text(data, "label", what),
            needs=tuple(needs),
            gives=gives,
            text=fold(self.text(data, "text", what)),
            pos=decl.pos,
        )

    # -- scenes -----------------------------------------------------------
