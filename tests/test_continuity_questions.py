"""check --continuity against a brute force over random small stories with questions (#16).

Hypothesis writes stories of a hub and a few scenes (loops allowed; the docks
reached only by answering), a stat
raised by choices (some behind doors that open once), flags and a clue, two
people known by a visit, a flag, a clue or a solved question, and one or two
questions asked at a case board or in a scene, whose answers (right, a
conclusion, wrong) may name them, give things and lead somewhere. The brute
force walks every reachable state with the engine (a state: everything but the
turn, the log and the counts nothing reads) and lists every text shown while
a person it names is unknown: scene paragraphs, labels, outcomes (after the
choice's own effects), the questions and every answer the player can give.
Continuity, its search cut short or not, must report only what the brute
force lists, and everything the brute force lists must be reported or unknown.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_continuity import _story

from game.markup import literal
from game.prose import draw as draw_text
from game.rules import Rules
from game.tools.continuity import Continuity

NAMES = {"vera": "Vera", "ana": "Ana"}
TEXTS = ["Rain.", "Vera nods.", "Ana laughs.", '"{flag.f1: Vera nods.|Rain.}"', '"{known.ana: Ana waves.|Rain.}"']


@st.composite
def question_stories(draw) -> str:
    count = draw(st.integers(3, 5))
    scenes = [f"s{i}" for i in range(count)]  # s0 the hub (a case board, maybe); z the ending
    board = draw(st.booleans())
    knowns = ["visited.s1", f"visited.s{count - 1}", "flag.f1", "clue.card", "solved.q1", "flag.f1 or clue.card"]
    gates = ["", "", "", "flag.f1", "not flag.f2", "clue.card", "stat.heat >= 2", "not visited.s1", "solved.q1"]
    effects = ["", "", "[{flag: f1}]", "[{flag: f2}]", "[{unflag: f1}]", "[{clue: card}]", "[{stat: {heat: +1}}]",
               "[{flag: f2}, {stat: {heat: +1}}]"]

    def text() -> str:
        return draw(st.sampled_from(TEXTS))

    def do() -> str:
        effect = draw(st.sampled_from(effects))
        return f", do: {effect}" if effect else ""

    lines = ["stats:", "  heat: {label: Heat, min: 0, max: 4, start: 0}",
             "flags: {f1: {}, f2: {}}", "clues:", "  card: {title: A card}", "people:"]
    for person, name in NAMES.items():
        lines.append(f"  {person}: {{name: {name}, mentions: [{name}], known: {draw(st.sampled_from(knowns))}}}")
    lines += ["  coat: {name: The coat}", "questions:"]
    for number in range(1, draw(st.integers(1, 2)) + 1):
        answer = draw(st.sampled_from(["coat", "coat", "vera", "ana"]))  # the coat: always answerable
        other = draw(st.sampled_from([p for p in ("vera", "ana", "coat") if p != answer]))
        where = "" if board else f"\n    at: {draw(st.sampled_from(scenes))}"
        opens = draw(st.sampled_from(["", "flag.f2", "clue.card", "visited.s1", "stat.heat >= 1"]))
        opens = f"\n    opens: {opens}" if opens else ""
        # The docks are reached only by an answer: no choice leads there.
        goto = draw(st.sampled_from(["", *(f", goto: {s}" for s in scenes), ", goto: z", ", goto: docks", ", goto: docks"]))
        conclude = draw(st.booleans())
        ask = draw(st.sampled_from(["Who was it?", "Who did Vera see?"]))
        lines.append(f"""  q{number}:
    ask: {ask}{where}{opens}
    slots:
      who: {{prompt: It was, from: people}}
    answer: {{who: {answer}}}
    right: {{text: {text()}{do()}{goto}}}
    wrong: {{text: {text()}{do()}}}
    responses:
      - {{id: other, if: {{who: {other}}}, conclude: {str(conclude).lower()}, text: {text()}{do()}}}""")
    lines.append("scenes:")
    for index, scene in enumerate(scenes):
        lines += [f"  {scene}:", "    text:"]
        if index == 0 and board:
            lines.insert(-1, "    case_board: true")
        for _ in range(draw(st.integers(1, 2))):
            gate = draw(st.sampled_from(gates))
            lines.append(f"      - {{if: {gate}, text: {text()}}}" if gate else f"      - {text()}")
        lines.append("    choices:")
        for number in range(draw(st.integers(1, 3))):
            target = draw(st.sampled_from([*scenes, "z"]))
            gate = draw(st.sampled_from(gates))
            gate = f", if: {gate}" if gate else ""
            label = draw(st.sampled_from([f"Go {number}.", f"Follow Ana {number}."]))
            outcome = draw(st.sampled_from(["", "", "Vera nods.", "Ana laughs."]))
            outcome = f", outcome: {outcome}" if outcome else ""
            lines.append(f"      - {{id: c{number}, text: {label}, goto: {target}{gate}{do()}{outcome}}}")
        if index + 1 < count:  # a way on: every scene can be reached
            lines.append(f"      - {{id: next, text: On., goto: s{index + 1}}}")
        lines.append("      - {id: home, text: Home., goto: z}")  # every scene can end the game
    lines += ["  docks:", "    text:", f"      - {draw(st.sampled_from(TEXTS[1:]))}", "    choices:", "      - {id: back, text: Back., goto: a}",
              "      - {id: home, text: Home., goto: z}", "  z:", "    ending: done", "    text: Night."]
    return "\n".join(lines).replace("s0", "a") + "\n"


def _state(pt) -> tuple:
    return (pt.scene, frozenset(pt.clues), frozenset(pt.flags), tuple(sorted(pt.stats.items())),
            frozenset(pt.visited), frozenset(pt.taken), tuple(sorted((q, c.outcome) for q, c in pt.answers.items())),
            pt.ending)


def _named(story, text: str, pt) -> set[str]:
    """The people a text names, drawn at pt, who are unknown at pt."""
    drawn = draw_text(text, pt, "x", 0)
    return {person for person, name in NAMES.items() if name in drawn and not story.entities[person].is_known(pt)}


def _brute_force(story) -> set[tuple]:
    """(where, person) for every text some reachable state shows while the person it names is unknown."""
    rules = Rules(story)
    start, _ = rules.start(0)
    seen, stack, found = {_state(start)}, [start], set()
    people = [e for e in story.entities if e in ("vera", "ana", "coat")]
    while stack:
        pt = stack.pop()
        scene = story.scenes[pt.scene]
        for index, para in enumerate(scene.text):
            if para.condition is None or para.condition(pt):
                found.update(((pt.scene, index), p) for p in _named(story, para.texts[0], pt))
        if pt.ending is not None:
            continue
        for choice in scene.choices:
            if not rules.tests[pt.scene][choice.id](pt):
                continue
            found.update(((pt.scene, f"label {choice.id}"), p) for p in _named(story, choice.label, pt))
            if choice.outcome:  # read after the choice's own effects, before the next scene
                after = pt.copy()
                rules.apply(choice.effects, after, [])
                found.update(((pt.scene, f"outcome {choice.id}"), p)
                             for p in _named(story, choice.outcome[0].texts[0], after)
                             if not story.entities[p].is_known(after))
        for question in story.questions.values():
            asked = pt.scene in question.at if question.at else scene.case_board
            if not asked or question.id in pt.answers or (question.opens is not None and not question.opens(pt)):
                continue
            found.update(((f"question {question.id}", 0), p) for p in _named(story, literal(question.ask), pt))
            known = [e for e in people if story.entities[e].is_known(pt)]
            for value in known:
                outcome = question.judge({"who": value})
                text = outcome.body or literal(outcome.text)
                found.update(((f"the answer '{outcome.id}' to question {question.id}", 0), p)
                             for p in _named(story, text, pt))
        for move in rules.available(pt):
            for after in rules.successors(pt, move):
                key = _state(after)
                if key not in seen:
                    seen.add(key)
                    stack.append(after)
    return found


def _place(story, unit) -> tuple:
    if unit.kind == "label":
        return (unit.scene, f"label {unit.choice.id}")
    if unit.kind == "outcome":
        return (unit.scene, f"outcome {unit.choice.id}")
    if unit.kind == "scene":
        return (unit.scene, next(i for i, p in enumerate(story.scenes[unit.scene].text) if p is unit.paragraph))
    return (unit.what, 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question_stories(), st.sampled_from([1, 3, 10, 100_000]), st.sampled_from([0, 5]))
def test_continuity_with_questions_reports_only_what_happens_and_proves_only_what_never_does(
        tmp_path_factory, body: str, budget: int, walks: int) -> None:
    story = _story(tmp_path_factory.mktemp("story"), body)
    result = Continuity(story).run(budget, walks)
    truth = _brute_force(story)
    reported = {(_place(story, f.unit), f.mention.target.id) for f in result.findings}
    unknown = {(_place(story, unit), mention.target.id) for unit, mention, _ in result.unknown}
    assert reported <= truth  # every finding happens
    assert truth <= reported | unknown  # every slip is found or left unknown: none is proven fine
    if result.complete:
        assert reported == truth and not unknown
