"""`check` never claims what a brute force contradicts (a property test on random small stories).

Hypothesis writes small stories with the shapes writers use: hubs, pickups
(once-only choices that find a clue), gated exits, deductions at a case
board, stats with limits (clamped or `overflow: block`), one-way doors, a
clock (conditions on `turn`) and endings by scene or by effect. For each,
this test explores every reachable state by itself, simply: breadth-first,
stepping with the engine (`Engine.choose` on a copy), a state being the whole
playthrough but its log (and the turn capped above every number the
generator compares it with, since nothing reads it otherwise). From that it
knows which scenes, endings and choices can be reached and which states can
no longer reach an ending. Then every claim `check` made must hold:

* a scene or ending it calls unreachable is never reached, a choice it calls
  never enabled is never available, a branch it calls never taken never is;
* a soft-lock it reports exists, and its example path leads to a stuck state;
* a verdict of "proven" means no soft-lock when it says none, and the count
  of unreachable scenes and endings it gives is the true one;
* the scene graph alone (a story past the size the analysis runs on by default)
  claims only what holds too;
* with a search budget too small to finish, it may say "unknown", but what
  it still calls proven must hold too;
* conditional text (a paragraph's `if:`, inline `{cond: a|b}` in scene text,
  outcomes and labels; each text a marker word Tn) it calls never shown is
  never drawn in any reachable state, and text it counts as seen is drawn.
"""

from __future__ import annotations

import os
import re
from collections import deque
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import every_path

from game import loader
from game.engine import Engine
from game.story import all_effects
from game.tools.check import run_check

MAX_LITERAL = 4  # the largest number a generated condition compares with
TURN_CAP = MAX_LITERAL + 2


@st.composite
def stories(draw) -> str:
    n_scenes = draw(st.integers(2, 6))
    scenes = [f"a.s{i}" for i in range(n_scenes)]
    clues = [f"c{i}" for i in range(draw(st.integers(0, 3)))]
    flags = [f"f{i}" for i in range(draw(st.integers(0, 2)))]
    stats = {"x": (0, draw(st.integers(1, 4)), draw(st.sampled_from(["clamp", "block"]))),
             "y": (-1, draw(st.integers(1, 3)), "clamp")}
    deduction = len(clues) >= 3 and draw(st.booleans())
    random_effects = draw(st.booleans())  # if / chance among the effects
    question = draw(st.booleans())  # a question at a case board (or at a scene), with options
    hasty = question and draw(st.booleans())  # with a concluding response 'hasty'
    markers = iter(range(1000))  # conditional texts: T0, T1, ... each written once

    def condition() -> str:
        atoms = []
        for _ in range(draw(st.integers(1, 2))):
            kind = draw(st.sampled_from(["clue", "flag", "stat", "visited", "turn", "visits", "question"]))
            if kind == "clue" and clues:
                atoms.append(f"{'not ' if draw(st.booleans()) else ''}clue.{draw(st.sampled_from(clues))}")
            elif kind == "flag" and flags:
                atoms.append(f"{'not ' if draw(st.booleans()) else ''}flag.{draw(st.sampled_from(flags))}")
            elif kind == "visited":
                atoms.append(f"visited.{draw(st.sampled_from(scenes))}")
            elif kind == "visits":
                atoms.append(f"visits.{draw(st.sampled_from(scenes))} {draw(st.sampled_from(['>=', '<']))} "
                             f"{draw(st.integers(1, 3))}")
            elif kind == "question" and question:
                atoms.append(f"{'not ' if draw(st.booleans()) else ''}"
                             f"{draw(st.sampled_from(['solved.q', 'concluded.q'] + (['concluded.q.hasty'] if hasty else [])))}")
            elif kind == "turn":
                atoms.append(f"turn {draw(st.sampled_from(['<', '<=', '>=']))} {draw(st.integers(1, MAX_LITERAL))}")
            else:
                stat = draw(st.sampled_from(sorted(stats)))
                atoms.append(f"stat.{stat} {draw(st.sampled_from(['>=', '<=', '==']))} "
                             f"{draw(st.integers(-1, MAX_LITERAL))}")
        return f" {draw(st.sampled_from(['and', 'or']))} ".join(atoms)

    def effects(depth: int = 0, dialogue: bool = False) -> list[str]:
        """dialogue: the effects may close the question in dialogue (not in its own outcomes)."""
        found = []
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(["clue", "flag", "unflag", "stat", "set", "if", "chance", "roll", "answer"]))
            if kind in ("if", "chance") and depth == 0 and random_effects:
                head = f"- if: {condition()}" if kind == "if" else f"- chance: {draw(st.sampled_from([30, 50]))}"
                then, otherwise = effects(1, dialogue) or ["- stat: {y: +1}"], effects(1, dialogue)
                found.append(head)
                found.append("  do:")
                found += [f"    {line}" for line in then]
                if otherwise:
                    found.append("  else:")
                    found += [f"    {line}" for line in otherwise]
                continue
            if kind == "clue" and clues:
                found.append(f"- clue: {draw(st.sampled_from(clues))}")
            elif kind in ("flag", "unflag") and flags:
                found.append(f"- {kind}: {draw(st.sampled_from(flags))}")
            elif kind == "stat":
                found.append(f"- stat: {{{draw(st.sampled_from(sorted(stats)))}: {draw(st.sampled_from([-2, -1, 1, 2])):+d}}}")
            elif kind == "set":
                found.append(f"- set: {{x: {draw(st.integers(0, stats['x'][1]))}}}")
            elif kind == "roll" and random_effects:
                found.append(f"- roll: {{y: {draw(st.sampled_from(['-1..1', '0..1', '-1..0']))}}}")
            elif kind == "answer" and question and dialogue:
                found.append(f"- answer: {{q: {draw(st.sampled_from(['right', 'hasty'] if hasty else ['right']))}}}")
            elif kind == "if" and depth == 1:
                found.append(f"- end: {draw(st.sampled_from(['e1', 'e2']))}")
        return found

    def inline() -> str:
        """Text with an inline condition, or none: `{cond: Tn}` or `{cond: Tn|Tm}`."""
        if draw(st.integers(0, 2)):
            return "Words."
        otherwise = f"|T{next(markers)}" if draw(st.booleans()) else ""
        return f"Words {{{condition()}: T{next(markers)}{otherwise}}}."

    def paragraphs(indent: str) -> list[str]:
        """A list of paragraphs, some with `if:`, some with inline conditions."""
        lines = [f"{indent}- \"{inline()}\""]
        for _ in range(draw(st.integers(0, 2))):
            lines += [f"{indent}- if: {condition()}", f"{indent}  text: \"T{next(markers)} {inline()}\""]
        return lines

    out = ["story: {id: r, title: R, start: a.s0, format: 2}", "areas: {a: A}", "stats:"]
    for name, (low, high, overflow) in stats.items():
        out.append(f"  {name}: {{min: {low}, max: {high}, start: {max(low, 0)}, overflow: {overflow}}}")
    out.append("endings: {e1: {title: One}, e2: {title: Two}}")
    if clues:
        out += ["clues:"] + [f"  {c}: {{title: {c}}}" for c in clues]
    if flags:
        out += ["flags:"] + [f"  {f}: a flag" for f in flags]
    if deduction:
        out += ["deductions:", "  d: {label: Think., needs: [c0, c1], gives: c2}"]
    if question:
        # A second slot, filled from the clues held or from people known by a condition.
        second = draw(st.sampled_from(["none", "people"] + (["clues"] if clues else [])))
        if second == "people":
            out.append("people:")
            for person in ("p0", "p1"):
                out.append(f"  {person}: {{name: {person}}}")
                if draw(st.booleans()):
                    known = f"visited.{draw(st.sampled_from(scenes))}" if not clues or draw(st.booleans()) \
                        else f"clue.{draw(st.sampled_from(clues))}"
                    out[-1] = f"  {person}: {{name: {person}, known: {known}}}"
        at = draw(st.sampled_from(scenes))
        out += ["questions:", "  q:", "    ask: Who?", f"    at: {at}"]
        if clues and draw(st.booleans()):
            out.append(f"    opens: clue.{draw(st.sampled_from(clues))}")
        out += ["    slots:", "      who: {prompt: It was, from: options, options: {a: A, b: B, c: C}}"]
        answer = "who: a"
        if second == "people":
            out.append("      whom: {prompt: With, from: people}")
            answer += ", whom: p0"
        elif second == "clues":
            out.append("      proof: {prompt: Because, from: clues}")
            answer += f", proof: {draw(st.sampled_from(clues))}"
        out += [f"    answer: {{{answer}}}", "    right:", f'      text: "Right. {inline()}"']
        if draw(st.booleans()):
            out.append(f"      goto: {draw(st.sampled_from(scenes))}")
        right = effects()
        if right:
            out += ["      do:"] + [f"        {e}" for e in right]
        out += ["    wrong:", f'      text: "Wrong. {inline()}"']
        wrong = effects()
        if wrong:
            out += ["      do:"] + [f"        {e}" for e in wrong]
        close = draw(st.booleans())  # a tempting wrong answer that closes nothing, with effects
        if hasty or close:
            out.append("    responses:")
        if hasty:
            out += ["      - id: hasty", "        if: {who: b}", "        text: Hasty.",
                    "        conclude: true"]
            if draw(st.booleans()):
                out.append(f"        goto: {draw(st.sampled_from(scenes))}")
        if close:
            out += ["      - id: close", "        if: {who: c}", "        text: Close."]
            cost = effects()
            if cost:
                out += ["        do:"] + [f"          {e}" for e in cost]
        if draw(st.booleans()):
            out.append(f"    lock: {{after: {draw(st.integers(1, 2))}, turns: {draw(st.integers(1, 2))}}}")
    out.append("scenes:")
    for index, scene in enumerate(scenes):
        out += [f"  {scene}:", "    text:", *paragraphs("      ")]
        if draw(st.integers(0, 9)) < 2:
            out += ["    on_enter:"] + [f"      {e}" for e in (effects(dialogue=True) or ["- stat: {x: +1}"])]
        if index and draw(st.integers(0, 9)) < 2:
            out.append(f"    ending: {draw(st.sampled_from(['e1', 'e2']))}")
            continue
        if deduction and draw(st.integers(0, 9)) < 3:
            out.append("    case_board: true")
        out.append("    choices:")
        for number in range(draw(st.integers(1, 4))):
            out += [f"      - id: ch{number}", f"        text: \"{inline()}\""]
            if draw(st.integers(0, 2)) == 0:
                out += ["        outcome:", *paragraphs("          ")]
            if draw(st.booleans()):
                out.append(f"        if: {condition()}")
            if draw(st.integers(0, 3)) == 0:
                out.append("        once: true")
            shape = draw(st.integers(0, 9))
            if shape < 6:
                out.append(f"        goto: {draw(st.sampled_from(scenes))}")
            elif shape < 8:
                out += ["        goto:", f"          - if: {condition()}",
                        f"            goto: {draw(st.sampled_from(scenes))}",
                        f"          - goto: {draw(st.sampled_from(scenes))}"]
            found = effects(dialogue=True)
            if draw(st.integers(0, 9)) == 0:
                found.append(f"- end: {draw(st.sampled_from(['e1', 'e2']))}")
            if found:
                out += ["        do:"] + [f"          {e}" for e in found]
    return "\n".join(out) + "\n"


# --- the brute force: every reachable state, stepping with the engine -------


MARKER = re.compile(r"\bT\d+\b")
COUNT_CAP = 4  # visits are compared with at most 3: counts above are all alike
QUESTION_LOCKS: dict[str, int] = {}  # question -> lock after this many wrong tries (set per story)


def pt_lock(pt, question: str) -> int:
    """Wrong tries only matter up to the next lock: counted modulo its period."""
    return QUESTION_LOCKS.get(question, 0)


def _key(pt) -> tuple:
    return (pt.scene, frozenset(pt.clues), frozenset(pt.flags), tuple(sorted(pt.stats.items())),
            frozenset((s, min(n, COUNT_CAP)) for s, n in pt.visited.items()), frozenset(pt.taken),
            min(pt.turn, TURN_CAP), tuple(sorted((q, c.outcome) for q, c in pt.answers.items())),
            tuple(sorted((q, n % (pt_lock(pt, q) or 1)) for q, n in pt.wrong.items())), tuple(sorted((q, t - pt.turn) for q, t in pt.locked.items()
                                                          if t > pt.turn)),
            pt.ending)


class Truth:
    """Everything about a story's reachable states, found by visiting all of them."""

    def __init__(self, engine: Engine):
        start, _ = engine.start(0)
        states = {_key(start): start}
        edges: dict[tuple, list[tuple]] = {}
        self.available: set[tuple[str, str]] = set()  # (scene, choice) available somewhere
        self.branches: set[tuple[str, str, int]] = set()  # (scene, choice, branch index) taken somewhere
        self.shown: set[str] = set()  # marker words of conditional text drawn somewhere
        queue = deque([start])
        while queue:
            pt = queue.popleft()
            key = _key(pt)
            edges[key] = []
            drawn = [*engine.text(pt), *(o.text + " " + o.hint for o in engine.offers(pt))]
            drawn += [engine.outcome(pt, move) for move in engine.available(pt)]  # answers' texts too
            self.shown.update(m for text in drawn for m in MARKER.findall(text))
            for move in engine.available(pt):
                self.available.add((pt.scene, move))
                choice = engine.story.scenes[pt.scene].choice(move)
                if choice is not None:
                    index = next(i for i, b in enumerate(choice.branches) if b.condition is None or b.condition(pt))
                    self.branches.add((pt.scene, move, index))
                for after in engine.successors(pt, move):  # every outcome of a chance
                    after.log.clear()
                    after_key = _key(after)
                    edges[key].append(after_key)
                    if after_key not in states:
                        states[after_key] = after
                        queue.append(after)
        self.states = states
        self.scenes = {k[0] for k in states}
        self.endings = {k[-1] for k in states if k[-1] is not None}
        can_end = {k for k in states if k[-1] is not None}
        preds: dict[tuple, list[tuple]] = {}
        for source, targets in edges.items():
            for target in targets:
                preds.setdefault(target, []).append(source)
        queue2 = deque(can_end)
        while queue2:
            key = queue2.popleft()
            for pred in preds.get(key, ()):
                if pred not in can_end:
                    can_end.add(pred)
                    queue2.append(pred)
        self.stuck = {k for k in states if k not in can_end}


def _claims_hold(story_text: str, tmp_path: Path, budget: int, outline: bool = False) -> None:
    """check's claims hold in every reachable state; outline: also those of the scene graph
    alone (game.tools.outline, a story too big for the analysis), held to the same brute force."""
    (tmp_path / "story.yaml").write_text(story_text)
    story, diagnostics = loader.check(tmp_path)
    if story is None or any(d.severity == "error" for d in diagnostics):
        return  # the generator wrote something the loader refuses: nothing to check
    engine = Engine(story)
    QUESTION_LOCKS.clear()
    QUESTION_LOCKS.update({q.id: q.lock_after for q in story.questions.values() if q.lock_after})
    truth = Truth(engine)
    for full in (True, False) if outline else (True,):
        _results_hold(run_check(tmp_path, budget, full=full), truth, story, story_text)


def _results_hold(result, truth: Truth, story, story_text: str) -> None:
    verdict = result.verdict
    assert verdict is not None
    for d in result.diagnostics:
        quoted = d.message.split("'")
        if d.code == "unreachable-scene":
            assert quoted[1] not in truth.scenes, d.message
        elif d.code == "ending-unreachable":
            assert quoted[1] not in truth.endings, d.message
        elif d.code in ("choice-never-enabled", "clue-after-gate"):
            scene = quoted[3]
            assert (scene, quoted[1]) not in truth.available, d.message
        elif d.code == "locked-dead-end":
            scene = quoted[1]
            assert not any((scene, c.id) in truth.available for c in story.scenes[scene].choices), d.message
        elif d.code == "soft-lock":
            assert truth.stuck, f"no reachable state is stuck, yet: {d.message}"
        elif d.code == "no-way-out":  # whoever stands in the scene it names, the game going on, is stuck
            target = quoted[3]
            assert all(k in truth.stuck for k in truth.states if k[0] == target and k[-1] is None), d.message
        elif d.code == "text-never-shown":
            marker = _marker(story_text, d.pos, "'otherwise' text" in d.message)
            assert marker not in truth.shown, f"{d.pos}: {d.message}, yet {marker} is drawn"
    # A text check counts as seen showing is drawn in some reachable state.
    for text in verdict.seen_texts:
        marker = _marker(story_text, text.pos, otherwise=not text.guards[-1][1])
        assert marker in truth.shown, f"{text.pos}: {text.what} counted as seen, yet {marker} is never drawn"
    # A choice check counts as seen available is available in some reachable state.
    for scene, choice in verdict.seen_choices:
        assert (scene, choice) in truth.available, f"choice '{choice}' in '{scene}' counted as seen, yet never available"
    if verdict.proven:
        if not verdict.soft_locks:
            assert not truth.stuck, f"'{verdict.line()}', yet {len(truth.stuck)} reachable states are stuck"
        named = {s.ending for s in story.scenes.values() if s.ending}
        effects = [e for s in story.scenes.values() for e in (*s.on_enter, *(x for c in s.choices for x in c.effects))]
        effects += [e for q in story.questions.values() for o in q.outcomes for e in o.effects]
        for effect in all_effects(tuple(effects)):
            if getattr(effect, "ending", None):
                named.add(effect.ending)
        unreachable = sum(1 for s in story.scenes if s not in truth.scenes) + len(named - truth.endings)
        assert verdict.unreachable == unreachable, verdict.line()
    else:
        # Unknown is allowed; what it names as undecided must not include what is decided.
        for scene in verdict.unknown_scenes:
            assert scene in story.scenes
    # Whatever the verdict, every stuck state is either reported or left unknown.
    if truth.stuck and not any(d.code in ("soft-lock", "locked-dead-end") for d in result.diagnostics):
        assert not verdict.proven, f"'{verdict.line()}', yet a reachable state is stuck and nothing says so"


def _marker(story_text: str, pos, otherwise: bool) -> str:
    """The marker word of the conditional text at pos (a paragraph's `- if:` line, whose
    text is on the next line, or the '{' of an inline condition)."""
    lines = story_text.splitlines()
    rest = lines[pos.line - 1][pos.col - 1:]
    if rest.startswith("if:"):
        return MARKER.findall(lines[pos.line])[0]
    match = re.match(r"\{[^:]*: (T\d+)(?:\|(T\d+))?\}", rest)
    assert match, rest
    return match.group(2) if otherwise else match.group(1)


# The example budget: modest by default (the suite runs on every change); raise it for a
# thorough run, e.g. CHECK_SOUNDNESS_EXAMPLES=5000 pytest tests/test_check_soundness.py
EXAMPLES = int(os.environ.get("CHECK_SOUNDNESS_EXAMPLES", "100"))
SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                    deadline=None, max_examples=EXAMPLES)


@SETTINGS
@given(stories())
def test_check_with_its_default_budget_never_contradicts_the_brute_force(tmp_path: Path, text: str) -> None:
    """And the scene graph alone, what check runs on a story too big for the analysis."""
    _claims_hold(text, tmp_path, budget=10_000, outline=True)


@SETTINGS
@given(stories())
def test_check_without_the_search_never_contradicts_the_brute_force(tmp_path: Path, text: str) -> None:
    """Budget 0: the verdict rests on the may-analysis and the escape proof alone."""
    _claims_hold(text, tmp_path, budget=0)


@SETTINGS
@given(stories())
def test_the_every_path_proof_alone_never_contradicts_the_brute_force(tmp_path: Path, monkeypatch, text: str) -> None:
    """Budget 0 and the ranking argument off: "no soft-lock" rests on the attractor
    (game.tools.attractor) and the invariants it cuts boxes with, nothing else."""
    every_path(monkeypatch, ranking=False)
    _claims_hold(text, tmp_path, budget=0)


@pytest.mark.parametrize("budget", [3, 10])
@SETTINGS
@given(text=stories())
def test_check_cut_short_never_contradicts_the_brute_force(tmp_path: Path, budget: int, text: str) -> None:
    _claims_hold(text, tmp_path, budget=budget)


def test_an_answer_in_dialogue_does_nothing_to_a_question_already_closed(tmp_path: Path) -> None:
    """Found by the property test: `answer: {q: right}` after q was closed with a hasty
    conclusion leaves it unsolved, so a choice for the unsolved case can be taken after it
    (the may-analysis once took the answer as always recorded and called it never enabled)."""
    story = """\
story: {id: r, title: R, start: a.s0, format: 2}
areas: {a: A}
endings: {e1: {title: One}}
questions:
  q:
    ask: Who?
    at: a.s0
    slots:
      who: {prompt: It was, from: options, options: {a: A, b: B, c: C}}
    answer: {who: a}
    right:
      text: Right.
    wrong:
      text: Wrong.
    responses:
      - id: hasty
        if: {who: b}
        text: Hasty.
        conclude: true
scenes:
  a.s0:
    text: Start.
    choices:
      - id: talk
        text: Talk.
        goto: a.s1
        do:
          - answer: {q: right}
  a.s1:
    text: After.
    choices:
      - id: doubt
        text: Doubt.
        if: not solved.q
        goto: a.end
      - id: done
        text: Done.
        goto: a.end
  a.end:
    text: End.
    ending: e1
"""
    _claims_hold(story, tmp_path, budget=0)
    (tmp_path / "story.yaml").write_text(story)
    assert not [d for d in run_check(tmp_path, 0).diagnostics if d.code == "choice-never-enabled"]


def test_an_ending_scene_whose_on_enter_may_end_the_game_first(tmp_path: Path) -> None:
    """Found by the property test: an `if` in an ending scene's on_enter that ends the game
    first (with another ending) reaches that ending; check once called it unreachable."""
    story = """\
story: {id: r, title: R, start: a.s0, format: 2}
areas: {a: A}
stats:
  y: {min: -1, max: 1, start: 0}
endings: {e1: {title: One}, e2: {title: Two}}
clues:
  c0: {title: c0}
scenes:
  a.s0:
    text: Start.
    choices:
      - id: go
        text: Go.
        goto: a.s1
  a.s1:
    text: End.
    on_enter:
      - if: clue.c0
        do:
          - stat: {y: +1}
        else:
          - end: e1
    ending: e2
"""
    _claims_hold(story, tmp_path, budget=10_000)
    (tmp_path / "story.yaml").write_text(story)
    unreachable = [d.message for d in run_check(tmp_path).diagnostics if d.code == "ending-unreachable"]
    assert len(unreachable) == 1 and "'e2'" in unreachable[0], unreachable


DIALOGUE_ENDING = """\
story: {id: r, title: R, start: a.s0, format: 2}
areas: {a: A}
endings: {e2: {title: Two}}
clues:
  c0: {title: c0}
  c1: {title: c1}
questions:
  q:
    ask: Who?
    at: a.s0
    opens: clue.c0
    slots:
      who: {prompt: It was, from: options, options: {a: A, b: B}}
    answer: {who: a}
    right:
      text: Right.
      do:
        - chance: 30
          do:
            - clue: c1
          else:
            - end: e2
    wrong:
      text: Wrong.
scenes:
  a.s0:
    text:
      - Words.
    choices:
      - id: talk
        text: Say it out loud.
        once: true
        do:
          - answer: {q: right}
      - id: wait
        text: Wait.
"""


def test_an_ending_an_answer_in_dialogue_reaches_is_not_called_unreachable(tmp_path: Path) -> None:
    """Saying the answer out loud closes the question (even one never open at the board) and
    runs its outcome, which ends the game seven times in ten. The fast pass once followed
    `if` and `chance` for endings but not `answer:`, so it called the ending unreachable and
    the start a certain soft-lock (found by the property test at 1,000 examples)."""
    (tmp_path / "story.yaml").write_text(DIALOGUE_ENDING)
    result = run_check(tmp_path, budget=0)
    assert result.verdict is not None and "e2" not in result.verdict.unreachable_endings
    assert not any("can never be reached" in d.message and "e2" in d.message for d in result.diagnostics)
    assert not any("no ending can ever be reached from the start" in d.message for d in result.diagnostics)
    _claims_hold(DIALOGUE_ENDING, tmp_path, budget=0)
