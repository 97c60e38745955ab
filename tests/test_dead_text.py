"""Dead text: `check` warns, at its file:line:col, about conditional text that can never show.

The case story tests/data/analysis/dead_text has one dead text of each form
(a scene paragraph's `if:`, an outcome paragraph's `if:`, an inline
`{cond: ...}` in scene text, nested, the `otherwise` side of one in a choice's
label) beside live ones of the same forms, and a choice that is never enabled.
tests/test_check_soundness.py holds the warnings to a brute force.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from game.tools import forward, symbolic
from game.tools.check import report, run_check

CASE = Path(__file__).parent / "data" / "analysis" / "dead_text"


def _source_at(d) -> str:
    line = Path(d.pos.path).read_text().splitlines()[d.pos.line - 1]
    return line[d.pos.col - 1:]


def test_each_dead_form_is_warned_where_it_is_written() -> None:
    result = run_check(CASE)
    dead = {_source_at(d): d.message for d in result.diagnostics if d.code == "text-never-shown"}
    assert {source.split(":")[0] if source.startswith("{") else source for source in dead} == {
        "if: clue.ghost",  # a scene paragraph (line 14) and an outcome paragraph (line 27)
        "{clue.ghost",  # inline, nested inside the live {clue.key: ...|...}
        "{clue.key",  # the label's `otherwise` side: the choice needs clue.key
        "{flag.door_open",  # inline in another scene's text
    }
    lines = sorted(d.pos.line for d in result.diagnostics if d.code == "text-never-shown")
    assert lines == [14, 18, 27, 36, 40]
    label = next(m for s, m in dead.items() if s.startswith("{clue.key"))
    assert "'otherwise' text" in label and "choice 'door'" in label
    never = [d for d in result.diagnostics if d.code == "choice-never-enabled"]
    assert [_source_at(d) for d in never] == ["clue.ghost"]  # the dead choice, at its `if:` value


def test_live_text_is_not_warned_and_the_verdict_decides_every_text() -> None:
    result = run_check(CASE)
    warned = {d.pos.line for d in result.diagnostics if d.code == "text-never-shown"}
    assert not warned & {16, 25}  # `if: clue.key` in the scene, `if: not clue.key` in the outcome
    verdict = result.verdict
    assert verdict is not None and verdict.texts == 10 and verdict.dead_texts == 5
    assert verdict.unknown_texts == []
    out = io.StringIO()
    report(result, out, as_json=False, with_stats=False)
    assert "text proven: each of the 10 conditional texts was seen showing" in out.getvalue()


PAIR = """\
story: {id: pair, title: Pair, start: a.hub}
areas: {a: A}
clues: {ka: {title: A}, kb: {title: B}}
endings: {out: {title: Out}}
scenes:
  a.hub:
    text:
      - A hub.
      - if: clue.ka and clue.kb
        text: Both keys, at last.
    choices:
      - {id: take_a, text: Take A., if: not clue.kb, do: [{clue: ka}]}
      - {id: take_b, text: Take B., if: not clue.ka, do: [{clue: kb}]}
      - {id: go, text: Go., goto: a.out}
  a.out:
    text: Out.
    ending: out
"""


def test_an_undecided_text_is_listed_as_unknown_with_its_place(tmp_path: Path, monkeypatch) -> None:
    """Either key, never both: the fast pass holds one fact at a time and cannot rule the
    paragraph out, and no playthrough shows it. With the search skipped (--budget 0) and
    no pass over whole states (as without the `analysis` extra) it is unknown, named by
    file:line:col, and check never says the text is fine. The search, visiting every
    state, proves it dead."""
    monkeypatch.setattr(forward, "prove_dead", lambda *args: {})
    (tmp_path / "story.yaml").write_text(PAIR)
    result = run_check(tmp_path, budget=0)
    verdict = result.verdict
    assert verdict is not None and verdict.texts == 1
    assert [re.sub(r".*/", "", place) for place in verdict.unknown_texts] == ["story.yaml:9:9"]
    out = io.StringIO()
    report(result, out, as_json=False, with_stats=False)
    assert "text unknown: 1 of 1 conditional texts" in out.getvalue()
    assert "text proven" not in out.getvalue()
    searched = run_check(tmp_path)
    assert searched.verdict is not None and searched.verdict.unknown_texts == []
    assert [d.pos.line for d in searched.diagnostics if d.code == "text-never-shown"] == [9]


@pytest.mark.skipif(not symbolic.available(), reason="needs the dd package (the analysis extra)")
def test_facts_that_never_come_together_are_proven_apart_without_the_search(tmp_path: Path) -> None:
    """The same paragraph with the search skipped: the pass over whole states
    (game.tools.forward) follows both keys through every move and finds no state at the
    hub holding both, so the paragraph is dead, warned where it is written, with the facts
    it followed; the live text beside it is not."""
    (tmp_path / "story.yaml").write_text(PAIR)
    result = run_check(tmp_path, budget=0)
    warned = [d for d in result.diagnostics if d.code == "text-never-shown"]
    assert [(d.pos.line, d.pos.col) for d in warned] == [(9, 9)]
    assert "clue.ka" in warned[0].message and "clue.kb" in warned[0].message
    assert result.verdict is not None and result.verdict.unknown_texts == []


RELATED = """\
story: {id: related, title: Related, start: a.hall, format: 2}
areas: {a: A}
clues: {red: {title: Red}, blue: {title: Blue}}
endings: {out: {title: Out}}
scenes:
  a.hall:
    text: A hall with two doors.
    choices:
      - {id: left, text: Left., goto: a.left}
      - {id: right, text: Right., goto: a.right}
  a.left:
    on_enter: [{clue: red}]
    text: Red light.
    choices:
      - {id: onward, text: On., goto: a.exit}
  a.right:
    on_enter: [{clue: blue}]
    text: Blue light.
    choices:
      - {id: onward, text: On., goto: a.exit}
  a.exit:
    text:
      - "The exit. {clue.red: You smell of red.|You smell of blue.}"
      - if: clue.red and clue.blue
        text: Both colours on you, somehow.
    choices:
      - {id: out, text: Out., goto: a.end}
  a.end:
    text: Out.
    ending: out
"""


@pytest.mark.skipif(not symbolic.available(), reason="needs the dd package (the analysis extra)")
@pytest.mark.parametrize("budget", [0, 10_000])
def test_a_text_needing_two_exclusive_paths_is_dead_and_its_neighbours_live(tmp_path: Path, budget: int) -> None:
    """Red on one road, blue on the other, one way only: at the exit each colour may be
    held, never both. Proven dead whether or not the search runs; both sides of the inline
    text beside it are seen showing."""
    (tmp_path / "story.yaml").write_text(RELATED)
    result = run_check(tmp_path, budget=budget)
    assert [d.pos.line for d in result.diagnostics if d.code == "text-never-shown"] == [24]
    assert result.verdict is not None and result.verdict.unknown_texts == []
    assert result.verdict.dead_texts == 1 and result.verdict.texts == 3


PATIENCE = """\
story: {id: patience, title: Patience, start: a.hub}
areas: {a: A}
stats: {x: {min: 0, max: 9, start: 0}}
endings: {out: {title: Out}}
scenes:
  a.hub:
    text:
      - A hub.
      - if: stat.x >= 6
        text: Six hours on the stakeout, and the door finally opens.
    choices:
      - {id: wait, text: Wait., do: [{stat: {x: +1}}]}
      - {id: go, text: Go., goto: a.out}
  a.out:
    text: Out.
    ending: out
"""


def test_random_play_shows_what_the_searches_stop_short_of(tmp_path: Path) -> None:
    """Six waits in a row: the coverage search keeps a state only when something new is
    offered, so it never gets there, and with --budget 0 there is no search. Random play
    does, in a real playthrough, so the paragraph is seen showing, not unknown."""
    (tmp_path / "story.yaml").write_text(PATIENCE)
    result = run_check(tmp_path, budget=0)
    verdict = result.verdict
    assert verdict is not None and verdict.texts == 1
    assert verdict.unknown_texts == []
    assert not [d for d in result.diagnostics if d.code == "text-never-shown"]


ANSWERED = """\
story: {id: answered, title: Answered, start: a.hub, format: 2}
areas: {a: A}
clues: {key: {title: The key}}
endings: {out: {title: Out}}
questions:
  q:
    ask: Who?
    at: a.hub
    slots:
      who: {prompt: It was, from: options, options: {a: A, b: B}}
    answer: {who: a}
    right:
      text: "Right. {clue.key: And the key says so too.}"
    wrong:
      text: "Wrong. {clue.key: Even with the key in your pocket.|Guessing, with nothing to go on.}"
scenes:
  a.hub:
    text: A hub.
    choices:
      - {id: take, text: Take the key., once: true, do: [{clue: key}]}
      - {id: go, text: Go., goto: a.out}
  a.out:
    text: Out.
    ending: out
"""


def test_what_answering_says_is_seen_when_a_real_state_offers_that_answer(tmp_path: Path) -> None:
    """Each side of the inline conditions in the right and the wrong text is drawn from the
    state before the answer runs: with the key and without it, both reachable, so every one
    of the four is seen showing (they were always listed as unknown)."""
    (tmp_path / "story.yaml").write_text(ANSWERED)
    result = run_check(tmp_path)
    verdict = result.verdict
    assert verdict is not None and verdict.texts == 3
    assert verdict.unknown_texts == []
    assert not [d for d in result.diagnostics if d.code == "text-never-shown"]
