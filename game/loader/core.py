"""The loader put together: pass one, then pass two, into one Story."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from ..story import DEFAULT_STAT_GROUPS, Story
from .base import LoaderBase
from .declarations import Declarations
from .effects import Effects
from .facts import Facts
from .fields import ENTITY_SECTIONS
from .files import display_path
from .questions import Questions
from .reading import Reading
from .renames import Renames
from .scenes import Scenes
from .usage import Usage


class _Loader(Reading, Declarations, Facts, Questions, Scenes, Effects, Renames, Usage, LoaderBase):
    def build(self) -> Story | None:
        meta = self.build_meta()
        self.format = meta.get("format", 1)
        self.start_scene = meta.get("start") or None
        self.groups = meta.get("stat_groups", DEFAULT_STAT_GROUPS)
        areas = {k: self.build_area(d) for k, d in self.decls["areas"].items()}
        self.text_names(meta, areas)
        self.shared_places()
        self.known_names["taken"] = self.choice_names()
        # Deductions first: every condition after this may say `deducible`.
        deductions = {k: d for k, decl in self.decls["deductions"].items() if (d := self.build_deduction(decl))}
        self.deducible = {k: (d.needs, d.gives) for k, d in deductions.items()}
        # Then entities and questions, so every condition after them may say `known.x` and `open.q`.
        entities = {k: e for section in ENTITY_SECTIONS for k, d in self.decls[section].items()
                    if (e := self.build_entity(section, d))}
        self.entity_macros(entities)
        # Facts after the entities: a fact's condition may say `known.person`.
        facts = {k: f for k, d in self.decls["facts"].items() if (f := self.build_fact(d))}
        self.entity_macros(facts)
        self.stats = {}  # the questions' effects are built once the stats are (they check ranges)
        questions = {k: q for k, d in self.decls["questions"].items() if (q := self.build_question(d, entities))}
        self.question_macros(questions)
        self.batch_checks(questions)
        self.parsed.clear()  # a condition parsed before the macros existed must be read again
        stats = {k: s for k, d in self.decls["stats"].items() if (s := self.build_stat(d))}
        self.stats = stats
        questions = self.question_effects(questions)
        self.built_questions = questions  # the start scene's check follows `answer:` into them
        flags = {k: self.build_flag(d) for k, d in self.decls["flags"].items()}
        clues = {k: self.build_clue(d) for k, d in self.decls["clues"].items()}
        endings = {k: self.build_ending(d) for k, d in self.decls["endings"].items()}
        endings = {k: replace(e, body=self.inline(e.text, self.ending_text_pos(k), f"ending '{k}'"))
                   for k, e in endings.items()}
        self.check_snippets()
        wanted = self.decls["scenes"].items()
        if self.only is not None:  # an editor's check of one file: its scenes, against every declaration
            wanted = [(k, d) for k, d in wanted if d.pos.path in self.only]
        scenes = {k: s for k, d in wanted if (s := self.build_scene(d))}
        renamed_scenes, renamed_choices, renamed_deductions = self.build_renames(scenes)
        renamed_questions = self.build_question_renames()
        start = meta.get("start", "")
        if meta.get("start_pos") is not None and start:
            self.ref("scene", start, meta["start_pos"], "the start scene")
        if not self.decls["scenes"]:
            self.err(self.manifest_pos, "the story has no scenes", "no-scenes")
        if self.only is not None:
            return None  # a part of a story is not a story
        self.story_wide_from = len(self.report.items)  # what follows needs every scene (an editor shows it on save)
        self.unused_shared(scenes)
        self.usage_warnings(scenes, deductions, questions)
        if self.report.errors:
            return None
        return Story(
            id=meta.get("id", ""),
            title=meta.get("title", ""),
            version=meta.get("version", ""),
            start=start,
            scenes=MappingProxyType(scenes),
            clues=MappingProxyType(clues),
            flags=MappingProxyType(flags),
            stats=MappingProxyType(stats),
            endings=MappingProxyType(endings),
            areas=MappingProxyType(areas),
            deductions=MappingProxyType(deductions),
            entities=MappingProxyType(entities),
            facts=MappingProxyType(facts),
            questions=MappingProxyType(questions),
            intro=meta.get("intro", ""),
            content_notes=tuple(meta.get("content_notes", ())),
            renamed_scenes=MappingProxyType(renamed_scenes),
            renamed_choices=MappingProxyType(renamed_choices),
            renamed_questions=MappingProxyType(renamed_questions),
            renamed_deductions=MappingProxyType(renamed_deductions),
            fingerprint="sha256:" + self.digest.hexdigest(),
            root=display_path(self.root),
            format=self.format,
            protagonist=meta.get("protagonist", ""),
            stat_groups=MappingProxyType(dict(self.groups)),
        )

    def ending_text_pos(self, ending_id: str):
        data = self.decls["endings"][ending_id].data
        return data.vpos("text") if hasattr(data, "vpos") and "text" in data else self.decls["endings"][ending_id].pos

    def choice_names(self) -> set[str]:
        """Every SCENE.CHOICE a story has, shared choices included, for `taken.` (read from the YAML
        before the scenes are built: a condition may count a choice of a scene built later)."""
        names = set()
        for scene_id, decl in self.decls["scenes"].items():
            data = decl.data
            raw = data.get("choices") if hasattr(data, "get") else None
            for item in raw if isinstance(raw, list) else ():
                if hasattr(item, "get") and isinstance(item.get("id"), str):
                    names.add(f"{scene_id}.{item['id']}")
            if not hasattr(data, "get") or "ending" in data:
                continue
            area = self.quiet_area(decl)
            for ident, (_, areas, scenes, excluded) in self.shared.items():
                if scene_id not in excluded and (areas is None or area in areas or scene_id in scenes):
                    names.add(f"{scene_id}.{ident}")
        return names
