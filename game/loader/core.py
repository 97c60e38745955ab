"""The loader put together: pass one, then pass two, into one Story."""

from __future__ import annotations

from types import MappingProxyType

from ..story import Story
from .base import LoaderBase
from .declarations import Declarations
from .effects import Effects
from .entities import Entities
from .fields import ENTITY_SECTIONS
from .files import display_path
from .questions import Questions
from .reading import Reading
from .renames import Renames
from .scenes import Scenes
from .usage import Usage


class _Loader(Reading, Declarations, Entities, Questions, Scenes, Effects, Renames, Usage, LoaderBase):
    def build(self) -> Story | None:
        meta = self.build_meta()
        areas = {k: self.build_area(d) for k, d in self.decls["areas"].items()}
        # Deductions first: every condition after this may say `deducible`.
        deductions = {k: d for k, decl in self.decls["deductions"].items() if (d := self.build_deduction(decl))}
        self.deducible = {k: (d.needs, d.gives) for k, d in deductions.items()}
        # Then entities and questions, so every condition after them may say `known.x` and `open.q`.
        entities = {k: e for section in ENTITY_SECTIONS for k, d in self.decls[section].items()
                    if (e := self.build_entity(section, d))}
        self.entity_macros(entities)
        self.stats = {}  # the questions' effects are built once the stats are (they check ranges)
        questions = {k: q for k, d in self.decls["questions"].items() if (q := self.build_question(d, entities))}
        self.question_macros(questions)
        self.batch_checks(questions)
        self.parsed.clear()  # a condition parsed before the macros existed must be read again
        stats = {k: s for k, d in self.decls["stats"].items() if (s := self.build_stat(d))}
        self.stats = stats
        questions = self.question_effects(questions)
        flags = {k: self.build_flag(d) for k, d in self.decls["flags"].items()}
        clues = {k: self.build_clue(d) for k, d in self.decls["clues"].items()}
        endings = {k: self.build_ending(d) for k, d in self.decls["endings"].items()}
        scenes = {k: s for k, d in self.decls["scenes"].items() if (s := self.build_scene(d))}
        renamed_scenes, renamed_choices = self.build_renames(scenes)
        renamed_questions = self.build_question_renames()
        start = meta.get("start", "")
        if meta.get("start_pos") is not None and start:
            self.ref("scene", start, meta["start_pos"], "the start scene")
        if not self.decls["scenes"]:
            self.err(self.manifest_pos, "the story has no scenes", "no-scenes")
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
            questions=MappingProxyType(questions),
            intro=meta.get("intro", ""),
            content_notes=tuple(meta.get("content_notes", ())),
            renamed_scenes=MappingProxyType(renamed_scenes),
            renamed_choices=MappingProxyType(renamed_choices),
            renamed_questions=MappingProxyType(renamed_questions),
            fingerprint="sha256:" + self.digest.hexdigest(),
            root=display_path(self.root),
        )
