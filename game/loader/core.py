"""The loader put together: pass one, then pass two, into one Story."""

from __future__ import annotations

from types import MappingProxyType

from ..story import Story
from .base import LoaderBase
from .declarations import Declarations
from .effects import Effects
from .files import display_path
from .reading import Reading
from .renames import Renames
from .scenes import Scenes
from .usage import Usage


class _Loader(Reading, Declarations, Scenes, Effects, Renames, Usage, LoaderBase):
    def build(self) -> Story | None:
        meta = self.build_meta()
        areas = {k: self.build_area(d) for k, d in self.decls["areas"].items()}
        # Deductions first: every condition after this may say `deducible`.
        deductions = {k: d for k, decl in self.decls["deductions"].items() if (d := self.build_deduction(decl))}
        self.deducible = {k: (d.needs, d.gives) for k, d in deductions.items()}
        stats = {k: s for k, d in self.decls["stats"].items() if (s := self.build_stat(d))}
        self.stats = stats
        flags = {k: self.build_flag(d) for k, d in self.decls["flags"].items()}
        clues = {k: self.build_clue(d) for k, d in self.decls["clues"].items()}
        endings = {k: self.build_ending(d) for k, d in self.decls["endings"].items()}
        scenes = {k: s for k, d in self.decls["scenes"].items() if (s := self.build_scene(d))}
        renamed_scenes, renamed_choices = self.build_renames(scenes)
        start = meta.get("start", "")
        if meta.get("start_pos") is not None and start:
            self.ref("scene", start, meta["start_pos"], "the start scene")
        if not self.decls["scenes"]:
            self.err(self.manifest_pos, "the story has no scenes", "no-scenes")
        self.usage_warnings(scenes, deductions)
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
            intro=meta.get("intro", ""),
            content_notes=tuple(meta.get("content_notes", ())),
            renamed_scenes=MappingProxyType(renamed_scenes),
            renamed_choices=MappingProxyType(renamed_choices),
            fingerprint="sha256:" + self.digest.hexdigest(),
            root=display_path(self.root),
        )
