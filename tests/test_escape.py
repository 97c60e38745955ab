"""The escape proof (game.tools.escape) on the story language's every part.

With the search's budget at 0, "no soft-lock" can only come from the escape
proof. It models questions closed in dialogue (`answer:`), `if`, `chance`,
`roll` and counts (`visits.`, `taken.`), and a right answer at a board
where it is surely at hand. tests/test_check_soundness.py holds it to the brute force
on random stories; these tests show what it proves and what it leaves open.
"""

from __future__ import annotations

from pathlib import Path

from support import every_path, without_sat

from game import loader
from game.tools import escape
from game.tools.check import run_check
from game.tools.findings import Finder

HEAD = """\
story: {id: esc, title: Escape, start: a.hub, format: 2}
areas: {a: A}
stats:
  x: {min: 0, max: 5, start: 0}
endings: {out: {title: Out}}
flags:
  rang: the phone rang
questions:
  q:
    ask: Who?
    at: a.board
    slots:
      who: {prompt: It was, from: options, options: {a: A, b: B}}
    answer: {who: a}
    right:
      text: Right.
    wrong:
      text: Wrong.
"""

SCENES = """\
scenes:
  a.hub:
    text: A hub.
    on_enter:
      - if: visits.a.hub >= 3
        do:
          - flag: rang
    choices:
      - id: talk
        text: Talk it through.
        do:
          - answer: {{q: right}}
      - id: wait
        text: Wait.
        goto: a.hub
        do:
          - chance: 50
            do:
              - stat: {{x: +1}}
          - roll: {{x: 0..2}}
      - id: board
        text: The board.
        goto: a.board
      - id: leave
        text: Leave.
        if: {leave}
        goto: a.out
  a.board:
    text: The board.
    choices:
      - id: back
        text: Back.
        goto: a.hub
  a.out:
    text: Out.
    ending: out
"""


def _story(tmp_path: Path, leave: str) -> Path:
    (tmp_path / "story.yaml").write_text(HEAD + SCENES.format(leave=leave))
    return tmp_path


def test_a_question_closed_in_dialogue_is_a_way_out_the_proof_follows(tmp_path: Path) -> None:
    """Talking closes the question, and then the door opens: from every state of the hub
    an ending is reachable, proved without searching (budget 0), through an `answer:`, a
    count in an `if`, a `chance` and a `roll`."""
    result = run_check(_story(tmp_path, "concluded.q"), budget=0)
    assert result.verdict is not None
    assert result.verdict.proven, result.verdict.line()
    assert not result.verdict.unproved_escape


def test_a_count_the_proof_does_not_follow_leaves_the_scene_unknown(tmp_path: Path) -> None:
    """Only a third visit opens the door: true, but the proof forgets counts, so it does
    not claim it. The verdict names the scenes left unproved instead of guessing."""
    result = run_check(_story(tmp_path, "visits.a.hub >= 3"), budget=0)
    assert result.verdict is not None
    assert not result.verdict.proven
    assert "a.hub" in result.verdict.unproved_escape
    # The search, given its budget, settles it: every state is visited.
    searched = run_check(_story(tmp_path, "visits.a.hub >= 3"))
    assert searched.verdict is not None and searched.verdict.proven, searched.verdict.line()


def test_an_unproved_scene_comes_with_a_state_the_proof_found_no_way_out_of(tmp_path: Path) -> None:
    """The proof keeps, for each scene it leaves open, a state of that scene's box it could
    not get out of: here the hub, visited, the door's count unknown to it."""
    story = loader.load(_story(tmp_path, "visits.a.hub >= 3")).story
    finder = Finder(story)
    finder.run()
    result = escape.prove(finder.analyzer, finder.poss)
    assert "a.hub" in result.unproved and "a.out" in result.proved
    example = result.example("a.hub")
    assert example is not None and example["visited.a.hub"] is True
    assert result.example("a.out") is None  # proved: nothing to show


def _board_story(tmp_path: Path, question_extra: str = "") -> Path:
    """Only solving the question at the board opens the door (talking no longer closes it)."""
    folder = _story(tmp_path, "solved.q")
    text = (folder / "story.yaml").read_text().replace("          - answer: {q: right}\n", "          - stat: {x: +1}\n")
    (folder / "story.yaml").write_text(text.replace("    at: a.board\n", "    at: a.board\n" + question_extra))
    return folder


def test_a_right_answer_at_the_board_is_progress_the_proof_follows(tmp_path: Path) -> None:
    """Walk to the board, give the right answer, and the door opens: the proof takes a
    right answer it can see is at hand (the question open, each slot fillable) as progress,
    and proves every state of both scenes without searching."""
    result = run_check(_board_story(tmp_path), budget=0)
    assert result.verdict is not None
    assert result.verdict.proven, result.verdict.line()
    assert not result.verdict.unproved_escape


def test_a_locked_question_is_waited_out_by_the_every_path_proof(tmp_path: Path, monkeypatch) -> None:
    """The lock lifts as turns pass, and the board and the hub make a round the player can
    always walk: the attractor waits the lock out and answers, so without any search every
    state of both scenes is proved. A board with no way to pass the time stays unknown."""
    folder = _board_story(tmp_path, "    lock: {after: 1, turns: 2}\n")
    every_path(monkeypatch)
    result = run_check(folder, budget=0)
    assert result.verdict is not None
    assert result.verdict.proven, result.verdict.line()

    text = (folder / "story.yaml").read_text()
    # The board's only way back now needs the question closed: no round to wait on.
    (folder / "story.yaml").write_text(text.replace("      - id: back\n        text: Back.\n",
                                                    "      - id: back\n        text: Back.\n        if: concluded.q\n"))
    stuck = run_check(folder, budget=0)
    assert stuck.verdict is not None
    assert "a.board" in stuck.verdict.unproved_escape, stuck.verdict.line()


def test_a_lead_three_rooms_away_is_proved_by_every_path_at_once(tmp_path: Path, monkeypatch) -> None:
    """From the street the next clue is three moves off (street, lobby, corridor, room):
    no short way out exists, so the ranking argument alone (without python-sat) leaves the
    hub unknown and says what would help; the default, every path at once, proves every
    scene without searching."""
    (tmp_path / "story.yaml").write_text(LONG_WAY)
    default = run_check(tmp_path, budget=0)
    assert default.verdict is not None
    assert default.verdict.proven, default.verdict.line()
    without_sat(monkeypatch)
    short = run_check(tmp_path, budget=0)
    assert short.verdict is not None and not short.verdict.proven
    assert "with python-sat installed" in short.verdict.line()


def test_a_scene_every_path_leaves_open_comes_with_a_state_in_the_verdict(tmp_path: Path, monkeypatch) -> None:
    """The way out needs a count the proof does not follow: with every path tried it still
    cannot rule out the hub with both clues in hand and nowhere left to grow, and the
    verdict says so in the story's words (the ranking argument alone shows no state)."""
    story = LONG_WAY.replace("if: clue.key and clue.map,", "if: clue.key and clue.map and visits.a.street >= 2,")
    (tmp_path / "story.yaml").write_text(story)
    deep = run_check(tmp_path, budget=0)
    assert deep.verdict is not None and not deep.verdict.proven
    line = deep.verdict.line()
    assert "for instance at a.hall holding key, map, 5 scenes visited" in line, line
    without_sat(monkeypatch)
    short = run_check(tmp_path, budget=0)
    assert short.verdict is not None and not short.verdict.proven
    assert "for instance" not in short.verdict.line()


LONG_WAY = """\
story: {id: far, title: Far, start: a.street, format: 2}
areas: {a: A}
endings: {out: {title: Out}}
clues:
  key: {title: A key, text: A key.}
  map: {title: A map, text: A map.}
scenes:
  a.street:
    text: The street.
    choices:
      - {id: lobby, text: In., goto: a.lobby}
      - {id: out, text: Out., if: clue.key and clue.map, goto: a.out}
  a.lobby:
    text: The lobby.
    choices:
      - {id: hall, text: On., goto: a.hall}
      - {id: back, text: Back., goto: a.street}
  a.hall:
    text: The hall.
    choices:
      - {id: room, text: A room., goto: a.room}
      - {id: study, text: A study., goto: a.study}
      - {id: back, text: Back., goto: a.lobby}
  a.room:
    text: The room.
    choices:
      - id: take
        text: Take the key.
        if: not clue.key
        do: [{clue: key}]
      - {id: back, text: Back., goto: a.hall}
  a.study:
    text: The study.
    choices:
      - id: take
        text: Take the map.
        if: not clue.map
        do: [{clue: map}]
      - {id: back, text: Back., goto: a.hall}
  a.out:
    text: Out.
    ending: out
"""


def test_a_question_that_locks_is_waited_out_by_every_path(tmp_path: Path, monkeypatch) -> None:
    """After a wrong try the same question is locked for two turns; the states do not hold
    the lock, so the ranking argument claims nothing about answering it and, without the
    search, leaves the hub unknown. Every path at once waits the lock out (a round that
    comes back to the board) and proves it with no search; so does the search alone."""
    folder = _board_story(tmp_path, "    lock: {after: 1, turns: 2}\n")
    result = run_check(folder, budget=0)
    assert result.verdict is not None and result.verdict.proven, result.verdict.line()
    without_sat(monkeypatch)
    short = run_check(folder, budget=0)
    assert short.verdict is not None and not short.verdict.proven
    assert "a.hub" in short.verdict.unproved_escape
    searched = run_check(folder)
    assert searched.verdict is not None and searched.verdict.proven, searched.verdict.line()


def test_a_story_past_the_default_size_is_left_to_deep_and_says_so(tmp_path: Path) -> None:
    """Past 2,000 scenes the proof seldom finishes in its 5 seconds, so the default check
    does not try it, and the verdict says why and what does (--deep)."""
    from game.tools.escape import MAX_SCENES

    lines = ["story: {id: long, title: Long, start: a.r0}", "areas: {a: A}", "endings: {out: {title: Out}}",
             "scenes:"]
    for i in range(MAX_SCENES + 1):
        target = f"a.r{i + 1}" if i < MAX_SCENES else "a.end"
        lines += [f"  a.r{i}:", "    text: A room.", "    choices:", "      - id: walk", "        text: Walk on.",
                  f"        goto: {target}"]
    lines += ["  a.end:", "    text: Out.", "    ending: out"]
    (tmp_path / "story.yaml").write_text("\n".join(lines) + "\n")
    result = run_check(tmp_path, budget=0)
    assert result.verdict is not None and not result.verdict.proven
    assert f"more than {MAX_SCENES:,} scenes" in result.verdict.line()
    assert "check --deep tries it" in result.verdict.line()


def test_a_clue_found_on_the_way_into_a_trap_is_no_way_out(tmp_path: Path) -> None:
    """Once the door is shut the only move left finds a clue, which the proof counts as
    progress; but it leads into a room no ending can be reached from. The scene it leaves
    must stay unproved (the proof once called it safe, and the verdict 'proven')."""
    (tmp_path / "story.yaml").write_text("""\
story: {id: trap, title: Trap, start: a.start, format: 2}
areas: {a: A}
clues:
  key: {title: A key}
flags:
  doomed: the door shut
endings: {out: {title: Out}}
scenes:
  a.start:
    text: Start.
    choices:
      - id: doom
        text: Shut the door.
        once: true
        goto: a.start
        do:
          - flag: doomed
      - id: leave
        text: Leave.
        if: not flag.doomed
        goto: a.end
      - id: go
        text: Go.
        goto: a.trap
        do:
          - clue: key
  a.trap:
    text: Trap.
    choices:
      - id: loop
        text: Loop.
        goto: a.trap
  a.end:
    text: End.
    ending: out
""")
    result = run_check(tmp_path, budget=0)
    assert result.verdict is not None
    assert not result.verdict.proven, result.verdict.line()
    assert "a.start" in result.verdict.unproved_escape


CROSSED = """\
story: {id: crossed, title: Crossed, start: a.desk, format: 2}
areas: {a: A}
endings: {out: {title: Out}}
people:
  p0: {name: P}
  p1: {name: Q}
questions:
  q:
    ask: Who?
    at: a.desk
    slots:
      who: {prompt: It was, from: people}
    answer: {who: p0}
    right:
      text: Right.
      do:
        - answer: {r: right}
  r:
    ask: Whom?
    at: a.desk
    slots:
      who: {prompt: It was, from: people}
    answer: {who: p1}
    right:
      text: Right.
      do:
        - answer: {q: right}
scenes:
  a.desk:
    text: A desk.
    on_enter:
      - answer: {q: right}
    choices:
      - {id: go, text: Go., goto: a.out}
  a.out: {text: Out., ending: out}
"""


def test_outcomes_that_answer_each_other_get_a_verdict_without_the_search(tmp_path: Path) -> None:
    """Closing q closes r, whose outcome answers q again: the engine closes a question before
    its outcome's effects run, so the second answer does nothing. The proof follows it the
    same way (it once went round the loop until Python's recursion limit, a traceback). The
    start scene, never entered again, is reached by standing in it."""
    (tmp_path / "story.yaml").write_text(CROSSED)
    result = run_check(tmp_path, budget=0)
    assert result.verdict is not None
    assert result.verdict.proven, result.verdict.line()


BRUISE = """\
story: {id: bruise, title: Bruise, start: a.hub, format: 2}
areas: {a: A}
endings: {out: {title: Out}}
clues:
  bruise: {title: A bruise, text: What a wrong guess cost.}
questions:
  q:
    ask: Who?
    at: a.board
    opens: not clue.bruise
    slots:
      who: {prompt: It was, from: options, options: {a: A, b: B}}
    answer: {who: a}
    right:
      text: Right.
    responses:
      - id: close
        if: {who: b}
        text: Close, and it hurts to be close.
        do:
          - clue: bruise
    wrong:
      text: Wrong.
scenes:
  a.hub:
    text: The hub.
    choices:
      - {id: board, text: The board., goto: a.board}
      - {id: out, text: Out., if: solved.q, goto: a.out}
  a.board:
    text: The board.
    choices:
      - {id: back, text: Back., goto: a.hub}
  a.out:
    text: Out.
    ending: out
"""


def test_a_clue_a_wrong_try_gives_is_no_sign_the_question_was_closed(tmp_path: Path, monkeypatch) -> None:
    """One tempting wrong guess (a response that does not conclude) bruises, and a bruised
    player can no longer ask: stuck between the hub and the board for good. The search
    finds it; the every-path proof alone must not prove the hub (the response's clue comes
    with no closed question)."""
    (tmp_path / "story.yaml").write_text(BRUISE)
    searched = run_check(tmp_path)
    assert searched.verdict is not None and searched.verdict.soft_locks, searched.verdict.line()
    every_path(monkeypatch)
    alone = run_check(tmp_path, budget=0)
    assert alone.verdict is not None and not alone.verdict.proven, alone.verdict.line()
    assert "a.hub" in alone.verdict.unproved_escape
