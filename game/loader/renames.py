"""The manifest's renames: old scene, choice, deduction and question ids, so that old saves still replay."""

from __future__ import annotations

from ..diagnostics import did_you_mean
from ..story import Scene
from ..yamlsrc import YMap
from .base import LoaderBase
from .fields import RENAMES_FIELDS


class Renames(LoaderBase):
    def build_renames(self, scenes: dict[str, Scene]
                      ) -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, str]]:
        data = self.manifest.get("renames") if self.manifest is not None else None
        if data is None:
            return {}, {}, {}
        pos = self.manifest.vpos("renames") if self.manifest is not None else self.manifest_pos
        if not self.fields(data, pos, RENAMES_FIELDS, "renames"):
            return {}, {}, {}
        renamed_scenes: dict[str, str] = {}
        old_scenes = data.get("scenes") or YMap(pos)
        if not isinstance(old_scenes, YMap):
            self.err(data.vpos("scenes"), "renames.scenes must map an old scene id to its new id", "bad-type")
            old_scenes = YMap(pos)
        for old, new in old_scenes.items():
            if old in self.decls["scenes"]:
                self.err(old_scenes.kpos(old), f"renamed scene '{old}' still exists", "bad-rename")
            elif self.ref("scene", new, old_scenes.vpos(old), f"the rename of '{old}'"):
                renamed_scenes[str(old)] = new
        renamed_choices: dict[tuple[str, str], str] = {}
        by_scene = data.get("choices") or YMap(pos)
        if not isinstance(by_scene, YMap):
            self.err(data.vpos("choices"), "renames.choices must map scene: {old choice: new choice}", "bad-type")
            by_scene = YMap(pos)
        for scene_id, mapping in by_scene.items():
            if not self.ref("scene", scene_id, by_scene.kpos(scene_id), "renames.choices"):
                continue
            if not isinstance(mapping, YMap):
                self.err(by_scene.vpos(scene_id), "map each old choice id to its new id", "bad-type")
                continue
            scene = scenes.get(scene_id)
            for old, new in mapping.items():
                if scene is not None and scene.choice(str(new)) is None:
                    ids = [c.id for c in scene.choices]
                    self.err(mapping.vpos(old), f"scene '{scene_id}' has no choice '{new}'"
                             f"{did_you_mean(str(new), ids)}", "bad-rename")
                    continue
                renamed_choices[(scene_id, str(old))] = str(new)
        return renamed_scenes, renamed_choices, self.renamed_deductions(data, pos)

    def renamed_deductions(self, data: YMap, pos) -> dict[str, str]:
        """renames: deductions: {old: new}: a deduction made at a case board is logged as deduce:ID."""
        old_ids = data.get("deductions") or YMap(pos)
        if not isinstance(old_ids, YMap):
            self.err(data.vpos("deductions"), "renames.deductions must map an old deduction id to its new id",
                     "bad-type")
            return {}
        renamed: dict[str, str] = {}
        for old, new in old_ids.items():
            if old in self.decls["deductions"]:
                self.err(old_ids.kpos(old), f"renamed deduction '{old}' still exists", "bad-rename")
            elif self.ref("deduction", new, old_ids.vpos(old), f"the rename of '{old}'"):
                renamed[str(old)] = new
        return renamed

    def build_question_renames(self) -> dict[str, str]:
        """renames.questions: an old question (or a deduction that became a question) -> its question now."""
        data = self.manifest.get("renames") if self.manifest is not None else None
        if not isinstance(data, YMap) or data.get("questions") is None:
            return {}
        old_questions = data["questions"]
        if not isinstance(old_questions, YMap):
            self.err(data.vpos("questions"), "renames.questions must map an old question or deduction id to a "
                     "question id", "bad-type")
            return {}
        renamed: dict[str, str] = {}
        for old, new in old_questions.items():
            if old in self.decls["questions"] or old in self.decls["deductions"]:
                self.err(old_questions.kpos(old), f"renamed question '{old}' still exists", "bad-rename")
            elif self.ref("question", new, old_questions.vpos(old), f"the rename of '{old}'"):
                renamed[str(old)] = new
        return renamed
