"""The case itself stays continuous: a story edit that names someone before Jessica can know
them, or assumes a fact after it stopped holding, fails here (#16).

A short search (findings are real at any budget: each is replayed from the start) over
story/; `play.py check --continuity story` runs the full one, with its proofs.
"""

from __future__ import annotations

from pathlib import Path

from game import loader
from game.tools.continuity import Continuity

STORY = Path(__file__).resolve().parent.parent / "story"


def test_the_story_has_no_continuity_finding_that_is_not_silenced_with_a_reason() -> None:
    story = loader.load(STORY).story
    result = Continuity(story).run(budget=3_000, walks=40, prove=False)
    assert result.states > 1_000
    open_findings = [d for d in result.diagnostics(story) if d.severity == "warning"]
    assert open_findings == [], "\n".join(str(d) for d in open_findings)
