"""Pass one: read every file, check its sections, and collect every declaration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..diagnostics import Pos, Report, did_you_mean
from ..story import Story
from ..yamlsrc import YMap, accept_text, parse_text, read_text
from .base import LoaderBase, _Decl, _kind
from .cache import Parsed
from .fields import (
    FILE_DEFAULTS,
    ID_RE,
    KNOWLEDGE_SECTIONS,
    MANIFEST,
    MANIFEST_ONLY,
    MAX_FILES,
    SCENE_ID_RE,
    SECTIONS,
)
from .files import _link_problem, display_path, story_files

SINGULAR = {"people": "person", "places": "place", "things": "thing", "facts": "fact", "questions": "question"}


class Reading(LoaderBase):
    def run(self) -> Story | None:
        try:
            is_dir, is_file = self.root.is_dir(), self.root.is_file()
        except OSError as exc:  # e.g. a name too long to look at
            self.err(Pos(display_path(self.root)), f"cannot open the story folder: {exc.strerror}", "no-story")
            return None
        if not is_dir:
            problem = "is a file, not a story folder" if is_file else "story folder not found"
            self.err(Pos(display_path(self.root)), problem, "no-story")
            return None
        files = story_files(self.root)
        if len(files) > MAX_FILES:
            self.err(Pos(display_path(self.root)), f"more than {MAX_FILES} story files", "too-many-files")
            return None
        manifest_path = self.root / MANIFEST
        if manifest_path not in files:
            self.err(self.manifest_pos, f"missing manifest {MANIFEST} (it names the title and start scene)",
                     "no-manifest")
        for path in files:
            self.read_file(path)
        self.first_pass_to = len(self.report.items)
        if self.unreadable_files:
            # Names declared in a file that did not parse are unknown: checking
            # references now would only bury the real problem under echoes of it.
            return None
        self.known_names = {
            "clue": self.decls["clues"],
            "flag": self.decls["flags"],
            "stat": self.decls["stats"],
            "visited": self.decls["scenes"],
            "solved": self.decls["questions"],
            "concluded": self.concluded_names(),
        }
        return self.build()

    def read_file(self, path: Path) -> None:
        display = display_path(path)
        rel = path.relative_to(self.root).as_posix()
        errors_before = len(self.report.errors)
        problem = _link_problem(path, self.root)
        if problem:
            self.err(Pos(display), problem, "bad-link")
        if problem:
            text = None
        elif rel in self.overlay:  # an editor's unsaved buffer
            text = accept_text(self.overlay[rel], display, self.report, self.budget)
        else:
            text = read_text(path, display, self.report, self.budget)
        data = None if text is None else self.parse(text, display, rel)
        if text is None or (data is None and len(self.report.errors) > errors_before):
            self.unreadable_files += 1
            return
        self.texts[display], self.paths[display], self.data[display] = text, path, data
        self.digest.update(rel.encode() + b"\0" + text.encode() + b"\0")
        if data is None:
            if rel == MANIFEST:
                self.err(Pos(display), "the manifest is empty", "no-manifest")
            return
        if not isinstance(data, YMap):
            self.err(Pos(display, 1, 1), f"a story file must be a mapping of sections, not {_kind(data)}",
                     "bad-type")
            return
        is_manifest = rel == MANIFEST
        allowed = set(SECTIONS) | set(FILE_DEFAULTS) | (set(MANIFEST_ONLY) if is_manifest else set())
        for key in data:
            if key in allowed:
                continue
            if key in MANIFEST_ONLY:
                self.err(data.kpos(key), f"'{key}' belongs in {MANIFEST}", "misplaced-section")
            else:
                self.err(data.kpos(key), f"unknown section '{key}'{did_you_mean(str(key), allowed)}",
                         "unknown-section")
        if is_manifest:
            self.manifest = data
        file_area = data.get("area")
        if file_area is not None and not isinstance(file_area, str):
            self.err(data.vpos("area"), f"'area' must be an area id, not {_kind(file_area)}", "bad-type")
            file_area = None
        for section in SECTIONS:
            if section in data:
                self.declare(section, data[section], data.vpos(section), file_area,
                             data.vpos("area") if file_area else None)

    def parse(self, text: str, display: str, rel: str) -> Any:
        """A file's values: from the parse cache when its text is the same as last time,
        or built from its recorded events (a published page) when they match its text."""
        budget = self.budget
        if self.cache is None:
            events = self.precompiled.events(rel, text) if self.precompiled else None
            return parse_text(text, display, self.report, budget, events)
        hit = self.cache.get(display, text)
        if hit is not None and not budget.exhausted and budget.used + hit.cost <= budget.max_nodes:
            budget.used += hit.cost
            self.report.extend(hit.diagnostics)
            return hit.data
        own = Report()
        before = budget.used
        data = parse_text(text, display, own, budget)
        self.report.extend(own.items)
        if not budget.exhausted:  # a parse cut short by the story's budget depends on the other files
            self.cache.put(display, Parsed(text, data, tuple(own.items), budget.used - before))
        return data

    def declare(self, section: str, entries: Any, pos: Pos, file_area: str | None,
                file_area_pos: Pos | None) -> None:
        if entries is None:
            return
        if not isinstance(entries, YMap):
            self.err(pos, f"'{section}' must be a mapping of id: definition, not {_kind(entries)}", "bad-type")
            return
        pattern = SCENE_ID_RE if section == "scenes" else ID_RE
        known = self.decls[section]
        # People, places and things share one name space: `known.ID` and answers name them alone.
        # Facts share it too (#16): `known.ID` names any of them.
        kin = [self.decls[s] for s in KNOWLEDGE_SECTIONS] if section in KNOWLEDGE_SECTIONS else [known]
        noun = SINGULAR.get(section, section[:-1])
        for key, value in entries.items():
            where = entries.kpos(key)
            if not isinstance(key, str) or not pattern.match(key):
                shape = "letters, digits and _ in dot-separated parts" if section == "scenes" else \
                    "letters, digits and _"
                self.err(where, f"bad {noun} id {key!r}: use {shape}", "bad-id")
                continue
            first_decl = next((table[key] for table in kin if key in table), None)
            if first_decl is not None:
                what = ("person, place or thing" if section != "facts" and key not in self.decls["facts"]
                        else "person, place, thing or fact") if section in KNOWLEDGE_SECTIONS else noun
                code = "duplicate-entity" if section in KNOWLEDGE_SECTIONS else f"duplicate-{noun}"
                self.err(where, f"duplicate {what} '{key}' (first defined at {first_decl.pos})", code)
                continue
            known[key] = _Decl(key, value, where, file_area, file_area_pos, entries.vpos(key))

    # -- pass two: build --------------------------------------------------
