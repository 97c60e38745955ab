"""The case itself stays continuous: a story edit that names someone before Jessica can know
them, or assumes a fact after it stopped holding, fails here (#16).

A short search (findings are real at any budget: each is replayed from the start) over
story/; `play.py check --continuity story` runs the full one, with its proofs.
"""

from __future__ import annotations

import json
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


def test_a_player_who_never_learned_kozlovs_name_does_not_read_it_at_playland() -> None:
    # Found by a search that kept Kozlov unknown (#16): no folder from Malcolm, no records room,
    # no shiva, the truth to Costa at the precinct; then Costa's last question, answered right.
    from game.rules import Rules
    from game.ui import render

    story = loader.load(STORY).story
    rules = Rules(story)
    pt, _ = rules.start(0)
    path = json.loads((Path(__file__).parent / "data" / "continuity" / "never_met_kozlov.json").read_text())
    for scene, move in path[:-1]:
        assert pt.scene == scene
        rules.step(pt, move)
    answer = rules.outcome(pt, path[-1][1])  # Costa's last question, answered right
    rules.step(pt, path[-1][1])
    assert pt.ending == "on_the_record" and not story.entities["kozlov"].is_known(pt)
    assert "Whizzer and the ones whose names you never got" in answer
    read = [answer, *rules.text(pt), *(text for _, text in render.ending_lines(story, pt, 1))]
    assert [text for text in read if "Kozlov" in text] == []
    assert any("IGH, Hansen, Malus" in text for text in read)
