"""Warnings about declared names nothing uses: usually a typo or an unfinished thread."""

from __future__ import annotations

from ..story import (
    Answer,
    Deduction,
    Effect,
    EndGame,
    GainClue,
    Question,
    Scene,
    SetFlag,
    all_effects,
)
from .base import LoaderBase


class Usage(LoaderBase):
    def usage_warnings(self, scenes: dict[str, Scene], deductions: dict[str, Deduction],
                       questions: dict[str, Question] | None = None) -> None:
        """Declared names nobody uses: usually a typo or an unfinished thread."""
        questions = questions or {}
        given: set[str] = {d.gives for d in deductions.values()}
        set_flags: set[str] = set()
        endings_used: set[str] = set()
        answered: set[str] = set()

        def scan(effects: tuple[Effect, ...]) -> None:
            for effect in all_effects(effects):  # those inside an `if` or a `chance` count too
                if isinstance(effect, GainClue):
                    given.add(effect.clue)
                elif isinstance(effect, SetFlag) and effect.value:
                    set_flags.add(effect.flag)
                elif isinstance(effect, EndGame):
                    endings_used.add(effect.ending)
                elif isinstance(effect, Answer):
                    answered.add(effect.question)

        for scene in scenes.values():
            scan(scene.on_enter)
            if scene.ending:
                endings_used.add(scene.ending)
            for choice in scene.choices:
                scan(choice.effects)
        for question in questions.values():
            for outcome in question.outcomes:
                scan(outcome.effects)
        for clue_id, decl in self.decls["clues"].items():
            if clue_id not in given:
                self.warn(decl.pos, f"clue '{clue_id}' is never given by any scene, choice or deduction",
                          "clue-never-given")
        for flag_id, decl in self.decls["flags"].items():
            if flag_id not in set_flags:
                self.warn(decl.pos, f"flag '{flag_id}' is never set", "flag-never-set")
        for ending_id, decl in self.decls["endings"].items():
            if ending_id not in endings_used:
                self.warn(decl.pos, f"ending '{ending_id}' is never reached by any scene or effect",
                          "ending-unused")
        if deductions and not any(s.case_board for s in scenes.values()):
            first = next(iter(deductions.values()))
            self.warn(first.pos, "deductions are declared but no scene is a case_board", "no-case-board")
        if not any(s.case_board for s in scenes.values()):
            for question in questions.values():
                if not question.at:
                    self.warn(question.pos, f"question '{question.id}' is asked nowhere: no scene is a case_board "
                              "and it names no scene in 'at'", "no-case-board")

