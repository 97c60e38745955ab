"""`play.py check`: load a story folder and report every problem, plus its numbers.

The loader finds what is wrong in each file; story-wide analysis (reachability,
soft-locks) lives in game.tools.analysis and is added to the same report; on a story
of more than FULL_ANALYSIS_SCENES scenes, unless asked for, the scene graph alone
(game.tools.outline) stands in for it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .. import loader
from ..diagnostics import Diagnostic
from ..story import Story
from . import DEFAULT_BUDGET, FULL_ANALYSIS_SCENES
from .analysis import SearchSummary, Verdict, analyze
from .outline import analyze_outline
from .questions import Odds, QuestionCheck, format_odds


@dataclass
class CheckResult:
    story: Story | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    search: SearchSummary | None = None  # the soft-lock search, when it ran
    verdict: Verdict | None = None  # what the analysis proved (None: the story did not load)
    odds: dict[str, Odds] = field(default_factory=dict)  # per question: how a blind guesser fares

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def notes(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "note"]

    @property
    def ok(self) -> bool:
        return self.story is not None and not self.errors


def run_check(root: Path, budget: int = DEFAULT_BUDGET, max_memory: int | None = None,
              continuity: bool = False, deep: bool = False, continuity_budget: int | None = None,
              full: bool | None = None) -> CheckResult:
    """Load and, if the story loads, analyse it; budget caps the soft-lock search (0: skip it).

    full: run the story-wide analysis (game.tools.analysis); None: only on a story of up to
    FULL_ANALYSIS_SCENES scenes, past which the condition-blind graph (game.tools.outline) stands in.

    continuity: also the continuity check and the lints about choices (game.tools.continuity, choicelints);
    its search's budget is continuity_budget if given, else the default (four times it when deep)."""
    story, diagnostics = loader.check(root)
    if story is None:
        return CheckResult(story, diagnostics)
    if full is None:
        full = len(story.scenes) <= FULL_ANALYSIS_SCENES
    analysis = analyze(story, budget, max_memory=max_memory) if full else analyze_outline(story)
    found = list(analysis.diagnostics)
    odds: dict[str, Odds] = {}
    if story.questions and analysis.possibilities is not None and analysis.analyzer is not None:
        questions = QuestionCheck(story, analysis.possibilities, analysis.analyzer)
        found += questions.run()
        odds = questions.odds()
    if continuity:
        from .choicelints import choice_lints
        from .continuity import CONTINUITY_BUDGET, DEEP_FACTOR, Continuity

        chosen = continuity_budget if continuity_budget is not None else CONTINUITY_BUDGET * (DEEP_FACTOR if deep else 1)
        result = Continuity(story).run(chosen)
        if deep or continuity_budget is not None:
            result.advice = f"raise --continuity-budget above {chosen:,}"  # --deep would not search more
        found += result.diagnostics(story)
        found += choice_lints(story)
    combined = sorted(diagnostics + found, key=lambda d: (d.pos, d.severity, d.message))
    return CheckResult(story, combined, analysis.search, analysis.verdict, odds)


def story_stats(story: Story | None) -> dict[str, Any]:
    if story is None:
        return {"scenes": 0, "clues": 0, "endings": 0, "words": 0, "areas": {}, "deductions": 0,
                "questions": 0, "choices": 0, "stats": 0, "flags": 0}
    areas = Counter(scene.area for scene in story.scenes.values())
    return {
        "title": story.title,
        "version": story.version,
        "scenes": len(story.scenes),
        "choices": sum(len(scene.choices) for scene in story.scenes.values()),
        "clues": len(story.clues),
        "flags": len(story.flags),
        "stats": len(story.stats),
        "deductions": len(story.deductions),
        "questions": len(story.questions),
        "endings": len(story.endings),
        "words": story.word_count(),
        "areas": {area: areas.get(area, 0) for area in story.areas},
    }


def report(result: CheckResult, out: TextIO, as_json: bool, with_stats: bool, strict: bool = False) -> int:
    """Print the findings and the verdict; the exit code: 1 for errors, or when strict for
    anything left undecided (the verdict, or a text or choice neither seen nor ruled out)."""
    verdict_ = result.verdict
    undecided = verdict_ is not None and (not verdict_.proven or (strict and bool(
        verdict_.unknown_texts or verdict_.unknown_choices)))
    failed = not result.ok or (strict and undecided)
    if as_json:
        doc: dict[str, Any] = {
            "ok": result.ok,
            "errors": [d.to_json() for d in result.errors],
            "warnings": [d.to_json() for d in result.warnings],
            "notes": [d.to_json() for d in result.notes],
        }
        doc.update(story_stats(result.story))
        if result.search is not None:
            doc["search"] = result.search.to_json()
        if result.verdict is not None:
            doc["verdict"] = result.verdict.to_json()
        if result.odds:
            doc["question_odds"] = {q: o.to_json() for q, o in result.odds.items()}
        out.write(json.dumps(doc, indent=2) + "\n")
        return 1 if failed else 0
    for diagnostic in result.diagnostics:
        out.write(f"{diagnostic}\n")
    errors, warnings = len(result.errors), len(result.warnings)
    if with_stats and result.story is not None:
        stats = story_stats(result.story)
        areas = ", ".join(f"{area} {count}" for area, count in stats["areas"].items())
        out.write(
            f"{_n(stats['scenes'], 'scene')} ({areas}), {_n(stats['choices'], 'choice')}, "
            f"{_n(stats['clues'], 'clue')}, {_n(stats['deductions'], 'deduction')}, "
            f"{_n(stats['questions'], 'question')}, "
            f"{_n(stats['endings'], 'ending')}, {_n(stats['words'], 'word')}\n"
        )
        if result.search is not None:
            search = result.search
            verdict = "every reachable state" if search.complete else f"stopped at its budget of {search.budget:,}"
            out.write(f"soft-lock search: {search.states:,} states ({verdict})\n")
        for line in format_odds(result.story, result.odds):
            out.write(line + "\n")
    if result.verdict is not None:
        for line in (result.verdict.text_line(), result.verdict.choice_line()):
            if line is not None:
                out.write(line + "\n")
        out.write(result.verdict.line() + "\n")
    # "ok" is a promise too: a verdict that left something open must not end on it.
    verdict = "failed" if not result.ok else "unknown" if undecided else "ok"
    out.write(f"check {verdict}: {errors} error{'s' * (errors != 1)}, "
              f"{warnings} warning{'s' * (warnings != 1)}\n")
    return 1 if failed else 0


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' * (count != 1)}"
