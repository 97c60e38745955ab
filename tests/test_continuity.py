"""check --continuity (game.tools.continuity): text that names what the player cannot know yet.

Small stories, one per class of slip (knowledge before learning, stale state
after an event, a name whose knowledge depends on the path), silencing, the
verdicts when the search is cut short, and a brute force over every
playthrough of random small stories.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from game import loader
from game.cli import main
from game.prose import draw as draw_text
from game.rules import Rules
from game.tools.continuity import Continuity

MANIFEST = """\
story:
  id: t
  title: T
  version: "1"
  start: a
  format: 2
endings:
  done: {title: Done}
areas:
  x: X
area: x
"""


def _line(folder: Path, needle: str) -> tuple[int, int]:
    """Where a phrase is written in the story file (1-based line and column)."""
    for number, line in enumerate((folder / "story.yaml").read_text().splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def _story(tmp_path: Path, body: str):
    (tmp_path / "story.yaml").write_text(MANIFEST + textwrap.dedent(body))
    story, problems = loader.check(tmp_path)
    assert story is not None, [str(p) for p in problems]
    return story


def _warnings(story, budget: int = 100_000, walks: int = 0):
    result = Continuity(story).run(budget, walks)
    return result, [d for d in result.diagnostics(story) if d.severity == "warning"]


KNOWLEDGE_BEFORE_LEARNING = """\
people:
  vera:
    name: Vera Lind
    mentions: [Vera]
    known: visited.b
scenes:
  a:
    text: Vera's number is on the desk.
    choices:
      - {id: go, text: Go to the bar., goto: b}
  b:
    text: A woman at the bar says her name is Vera.
    choices:
      - {id: leave, text: Leave., goto: c}
  c:
    ending: done
    text: Vera waves.
"""


def test_a_name_read_before_the_player_meets_her_is_reported_where_it_is(tmp_path: Path) -> None:
    story = _story(tmp_path, KNOWLEDGE_BEFORE_LEARNING)
    result, warnings = _warnings(story)
    assert [(d.pos.line, d.pos.col) for d in warnings] == [_line(tmp_path, "Vera's number")]
    assert "'Vera' (person vera) in scene a names Vera Lind" in warnings[0].message
    assert "at the start" in warnings[0].message
    assert result.complete and result.proven == 2  # b and c name her only once she is known


STALE_STATE = """\
flags:
  gave_folder: {}
facts:
  folder_on_desk:
    name: The folder is on the desk
    mentions: ["folder sits on the blotter"]
    known: not flag.gave_folder
scenes:
  a:
    text: The folder sits on the blotter.
    choices:
      - id: give
        text: Give the folder to Malcolm.
        if: not flag.gave_folder
        do: [{flag: gave_folder}]
      - {id: out, text: Go out., goto: z}
  z:
    ending: done
    text: Night.
"""


def test_text_that_assumes_a_fact_after_the_event_that_ends_it_is_reported_with_the_path(tmp_path: Path) -> None:
    story = _story(tmp_path, STALE_STATE)
    _, warnings = _warnings(story)
    assert len(warnings) == 1
    assert (warnings[0].pos.line, warnings[0].pos.col) == _line(tmp_path, "folder sits on the blotter.")
    assert "assumes 'The folder is on the desk' where it may not hold (it holds when: not flag.gave_folder)" \
        in warnings[0].message
    assert warnings[0].message.endswith("e.g. after a:give")


PATH_DEPENDENT = """\
people:
  vera:
    name: Vera Lind
    mentions: [Vera]
    known: visited.bar
scenes:
  a:
    text: Two ways to the docks.
    choices:
      - {id: bar, text: Through the bar., goto: bar}
      - {id: alley, text: Down the alley., goto: alley}
  bar:
    text: Vera pours you one.
    choices:
      - {id: onward, text: On to the docks., goto: docks}
  alley:
    text: Rats.
    choices:
      - {id: onward, text: On to the docks., goto: docks}
  docks:
    text: Vera's boat is gone.
    choices:
      - {id: end, text: Go home., goto: home}
  home:
    ending: done
    text: Home.
"""


def test_a_name_known_on_one_path_only_is_reported_with_the_path_that_skips_the_meeting(tmp_path: Path) -> None:
    story = _story(tmp_path, PATH_DEPENDENT)
    _, warnings = _warnings(story)
    assert len(warnings) == 1
    assert "in scene docks" in warnings[0].message
    assert warnings[0].message.endswith("e.g. after a:alley, alley:onward")
    # Both ways through the bar: nothing to report, and the search proves it.
    story = _story(tmp_path, PATH_DEPENDENT.replace("goto: alley}", "goto: bar}"))
    result, warnings = _warnings(story)
    assert warnings == [] and result.complete and result.unknown == []


def test_markup_that_names_her_only_once_known_is_not_reported(tmp_path: Path) -> None:
    story = _story(tmp_path, PATH_DEPENDENT.replace("text: Vera's boat is gone.",
                                                    "text: \"{visited.bar: Vera's|The} boat is gone.\""))
    result, warnings = _warnings(story)
    assert warnings == []
    assert result.complete


def test_a_comment_with_a_reason_silences_and_is_counted_one_without_a_reason_does_not(tmp_path: Path) -> None:
    silenced = KNOWLEDGE_BEFORE_LEARNING.replace(
        "    text: Vera's number is on the desk.",
        "    text: Vera's number is on the desk.  # continuity: ok — the note names her; she is met next")
    result, warnings = _warnings(_story(tmp_path, silenced))
    assert warnings == []
    assert [f.silenced for f in result.findings] == ["the note names her; she is met next"]
    summary = [d for d in result.diagnostics(_story(tmp_path, silenced)) if d.code == "continuity-summary"]
    assert "0 finding(s), 1 silenced with a reason" in summary[0].message
    bare = KNOWLEDGE_BEFORE_LEARNING.replace("    text: Vera's number is on the desk.",
                                             "    text: Vera's number is on the desk.  # continuity: ok")
    _, warnings = _warnings(_story(tmp_path, bare))
    assert len(warnings) == 1 and "has no reason" in warnings[0].message


def test_a_search_cut_short_says_unknown_and_names_the_text(tmp_path: Path) -> None:
    story = _story(tmp_path, PATH_DEPENDENT)
    result, warnings = _warnings(story, budget=2)
    assert not result.complete
    assert warnings == []  # nothing reached shows it, and nothing is claimed
    notes = [d for d in result.diagnostics(story) if d.code == "continuity-unknown"]
    assert any("in scene docks" in d.message for d in notes)


def test_the_may_analysis_proves_what_a_cut_short_search_cannot(tmp_path: Path) -> None:
    # Vera is named only in the bar, where she is always known: proven without a search.
    story = _story(tmp_path, PATH_DEPENDENT.replace("text: Vera's boat is gone.", "text: A boat is gone."))
    result, warnings = _warnings(story, budget=1)
    assert warnings == [] and result.unknown == [] and result.proven == 1


def test_case_file_and_clue_text_are_checked(tmp_path: Path) -> None:
    story = _story(tmp_path, """\
        clues:
          card: {title: A card, text: "Vera's card. She is dead."}
        facts:
          vera_dead: {name: Vera is dead, mentions: [She is dead], known: visited.z}
        people:
          vera:
            name: Vera Lind
            known: clue.card
            text: Vera Lind. She is dead.
        scenes:
          a:
            text: A card on the floor.
            choices:
              - {id: take, text: Take it., do: [{clue: card}], once: true}
              - {id: out, text: Out., goto: z}
          z:
            ending: done
            text: Done.
        """)
    _, warnings = _warnings(story)
    assert sorted(d.message.split(" in ")[1].split(" assumes")[0] for d in warnings) == [
        "clue card", "the case file's line for vera"]


def test_check_continuity_on_the_command_line(tmp_path: Path, capsys) -> None:
    _story(tmp_path, STALE_STATE)
    assert main(["check", "--continuity", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    line, col = _line(tmp_path, "folder sits on the blotter.")
    assert f"story.yaml:{line}:{col}: warning:" in out and "fact folder_on_desk" in out
    assert "continuity: 1 finding(s), 0 silenced with a reason" in out
    assert main(["check", str(tmp_path)]) == 0  # without the flag: not looked for
    assert "folder_on_desk" not in capsys.readouterr().out


# -- brute force ------------------------------------------------------------------------------------

@st.composite
def small_stories(draw):
    """A story of 4-6 scenes in a line of layers (no loops, so every playthrough is finite),
    two flags set by choices, a person known by a flag and a fact that an event ends, named in
    paragraphs under random conditions."""
    count = draw(st.integers(4, 6))
    conditions = ["", "flag.f1", "not flag.f1", "flag.f2", "flag.f1 and flag.f2"]
    scenes = []
    for index in range(count):
        lines = [f"  s{index}:", "    text:"]
        for _ in range(draw(st.integers(1, 2))):
            words = draw(st.sampled_from(["Vera waits.", "The folder is here.", "Rain.", "Ana sings.",
                                          # markup: the name drawn only under a condition
                                          '"{flag.f1: Vera waits.|Rain.}"', '"{flag.f2: Rain.|Vera {&waits|sits}.}"']))
            condition = draw(st.sampled_from(conditions))
            lines.append(f"      - {{if: {condition}, text: {words}}}" if condition else f"      - {words}")
        if index == count - 1:
            lines.insert(1, "    ending: done")
        else:
            lines.append("    choices:")
            for number in range(draw(st.integers(1, 2))):
                target = draw(st.integers(index + 1, count - 1))
                effect = draw(st.sampled_from(["", "[{flag: f1}]", "[{flag: f2}]", "[{unflag: f1}]", "[{clue: card}]",
                                               "[{flag: f1}, {clue: card}]",
                                               "[{chance: 50, do: [{flag: f1}], else: [{flag: f2}]}]"]))
                do = f", do: {effect}" if effect else ""
                label = draw(st.sampled_from([f"Go {number}.", f"Follow Ana {number}."]))
                gate = draw(st.sampled_from(["", "", "flag.f1", "flag.f2", "clue.card", "not flag.f1"]))
                gate = f", if: {gate}" if gate else ""
                # An outcome is read after the choice's own effects: it may name what they make known.
                outcome = draw(st.sampled_from(["", "", "Vera nods.", "Ana laughs."]))
                outcome = f", outcome: {outcome}" if outcome else ""
                lines.append(f"      - {{id: c{number}, text: {label}, goto: s{target}{do}{gate}{outcome}}}")
        scenes.append("\n".join(lines))
    return ("flags:\n  f1: {}\n  f2: {}\nclues:\n  card: {title: A card, text: Vera's card.}\n"
            "people:\n  vera: {name: Vera, known: flag.f1}\n  ana: {name: Ana, known: flag.f2 or clue.card}\n"
            "facts:\n  folder: {name: the folder, mentions: [The folder], known: not flag.f2}\n"
            "scenes:\n" + "\n".join(scenes).replace("s0:", "a:").replace("goto: s0", "goto: a") + "\n")


def _brute_force(story) -> set[tuple[str, int, str]]:
    """(scene, paragraph, target) for every paragraph shown somewhere without its target holding
    (and ("clue card", 0, "vera") when the card's text can be read before she is known)."""
    rules = Rules(story)
    start, _ = rules.start(0)
    stack, found = [start], set()
    targets = [story.entities["vera"], story.facts["folder"], story.entities["ana"]]
    while stack:
        pt = stack.pop()
        for index, para in enumerate(story.scenes[pt.scene].text):
            if para.condition is None or para.condition(pt):
                for target in targets:
                    if target.mentions[0] in draw_text(para.texts[0], pt, "x", 0) and not target.is_known(pt):
                        found.add((pt.scene, index, target.id))
        if "card" in pt.clues and not targets[0].is_known(pt):
            found.add(("clue card", 0, "vera"))
        if pt.ending is None and not targets[2].is_known(pt):
            for choice in story.scenes[pt.scene].choices:
                if "Ana" in choice.text and rules.tests[pt.scene][choice.id](pt):
                    found.add((pt.scene, -1, "ana"))
        for choice in story.scenes[pt.scene].choices if pt.ending is None else ():
            if not (choice.outcome and rules.tests[pt.scene][choice.id](pt)):
                continue
            # Read after the choice's effects, before the next scene: every outcome of its chance.
            for after in rules.successors(pt, choice.id):
                before_entering = pt.copy()
                before_entering.flags, before_entering.clues = after.flags, after.clues
                for target in targets:
                    if target.mentions[0] in choice.outcome[0].variants[0] and not target.is_known(before_entering):
                        found.add((pt.scene, f"outcome {choice.id}", target.id))
        for move in rules.available(pt):
            stack.extend(rules.successors(pt, move))
    return found


@settings(max_examples=40)
@given(small_stories())
def test_continuity_agrees_with_every_playthrough_of_small_random_stories(tmp_path_factory, body: str) -> None:
    folder = tmp_path_factory.mktemp("story")
    story = _story(folder, body)
    result = Continuity(story).run(100_000, 0)
    assert result.complete
    assert reported(story, result.findings) == _brute_force(story)
    assert result.unknown == []


def _place(story, unit) -> tuple:
    if unit.kind == "label":
        return (unit.scene, -1)
    if unit.kind == "outcome":
        return (unit.scene, f"outcome {unit.choice.id}")
    if unit.scene:
        return (unit.scene, next(i for i, p in enumerate(story.scenes[unit.scene].text) if p is unit.paragraph))
    return (unit.what, 0)


def reported(story, findings) -> set[tuple]:
    return {(*_place(story, f.unit), f.mention.target.id) for f in findings}


@settings(max_examples=100)
@given(small_stories(), st.integers(1, 3))
def test_a_search_cut_short_reports_only_what_happens_and_proves_only_what_never_does(
        tmp_path_factory, body: str, budget: int) -> None:
    """With the search stopped early, findings are real and every real one is found or unknown:
    the may- and must-analyses never call fine what a playthrough shows."""
    story = _story(tmp_path_factory.mktemp("story"), body)
    result = Continuity(story).run(budget, 0)
    truth = _brute_force(story)
    assert reported(story, result.findings) <= truth
    unknown = {(*_place(story, unit), mention.target.id) for unit, mention, _ in result.unknown}
    assert truth <= reported(story, result.findings) | unknown


def test_mention_phrases_match_whole_words_case_only_with_capitals_and_either_apostrophe() -> None:
    from game.tools.mentions import phrase_pattern

    assert phrase_pattern("I'm working the Hogarth thing").search("\"I’m working the\n   Hogarth thing.\"")
    assert phrase_pattern("Will Simpson").search("Find Will Simpson.")
    assert not phrase_pattern("Will").search("you will see")  # a capital: case and all
    assert phrase_pattern("the folder").search("The folder sits")  # no capital: any case
    assert not phrase_pattern("Malus").search("Malusian")  # whole words


def test_facts_load_share_the_name_space_and_known_reads_them(tmp_path: Path) -> None:
    story = _story(tmp_path, STALE_STATE.replace(
        "      - {id: out, text: Go out., goto: z}",
        "      - {id: out, text: Go out., goto: z, if: not known.folder_on_desk}"))
    fact = story.facts["folder_on_desk"]
    assert (fact.kind, fact.mentions, fact.known.source) == ("facts", ("folder sits on the blotter",),
                                                            "not flag.gave_folder")
    assert "folder_on_desk" not in story.entities  # never a candidate for a question's blank
    (tmp_path / "story.yaml").write_text(MANIFEST + textwrap.dedent(STALE_STATE) + textwrap.dedent("""\
        people:
          folder_on_desk: {name: Someone, mentions: nope}
        """))
    _, problems = loader.check(tmp_path)
    assert any("duplicate person, place, thing or fact 'folder_on_desk'" in p.message for p in problems)
    (tmp_path / "story.yaml").write_text(MANIFEST + textwrap.dedent(STALE_STATE).replace(
        'mentions: ["folder sits on the blotter"]', "mentions: {a: b}").replace(
        "if: not flag.gave_folder", "if: not known.folder_on_dsk"))
    messages = [p.message for p in loader.check(tmp_path)[1]]
    assert any("'mentions' of fact 'folder_on_desk' must be a list of phrases" in m for m in messages)
    assert any("unknown person, place, thing or fact 'folder_on_dsk'" in m for m in messages), messages


def test_a_clue_no_condition_reads_still_splits_states_for_its_text(tmp_path: Path) -> None:
    # The card is read by nothing, so the soft-lock search would merge "card held" with "not held";
    # its text names Vera before the bar, which only the state holding it shows.
    story = _story(tmp_path, PATH_DEPENDENT.replace("""  alley:
    text: Rats.
    choices:""", """  alley:
    text: Rats.
    choices:
      - {id: card, text: Pick up a card., do: [{clue: card}]}""").replace(
        "people:", "clues:\n  card: {title: A card, text: Vera's card.}\npeople:").replace(
        "text: Vera's boat is gone.", "text: A boat is gone."))
    result, warnings = _warnings(story)
    assert result.complete
    assert [d.message.split(" in ")[1].split(" names")[0] for d in warnings] == ["clue card"]


def test_a_locked_choices_hint_is_checked_only_while_it_shows(tmp_path: Path) -> None:
    story = _story(tmp_path, PATH_DEPENDENT.replace(
        "      - {id: end, text: Go home., goto: home}",
        "      - {id: end, text: Go home., goto: home}\n"
        "      - {id: call, text: Call her., if: clue.number, visible_when_locked: true,\n"
        "         hint: Vera never gave you her number.}").replace(
        "people:", "clues:\n  number: {title: A number, text: Digits.}\npeople:").replace(
        "text: Vera's boat is gone.", "text: A boat is gone."))
    _, warnings = _warnings(story)
    assert [d.message.split(" in ")[1].split(" names")[0] for d in warnings] == ["the hint of choice docks:call"]
    assert warnings[0].message.endswith("e.g. after a:alley, alley:onward")


def test_facts_do_not_make_the_soft_lock_verdict_unknown(tmp_path: Path) -> None:
    from game.tools.check import run_check

    _story(tmp_path, STALE_STATE)
    verdict = run_check(tmp_path).verdict
    assert verdict is not None and verdict.proven, verdict.line()


def test_an_outcome_is_judged_after_its_own_effects_it_may_name_what_they_make_known(tmp_path: Path) -> None:
    story = _story(tmp_path, """\
        flags:
          met: {}
        people:
          vera: {name: Vera Lind, mentions: [Vera], known: flag.met}
        scenes:
          a:
            text: A bar.
            choices:
              - {id: meet, text: Say hello to the woman., do: [{flag: met}], outcome: She says her name is Vera., once: true}
              - {id: ask, text: Ask the barman., outcome: He says Vera owes him., once: true}
              - {id: out, text: Out., goto: z}
          z:
            ending: done
            text: Night.
        """)
    result, warnings = _warnings(story)
    # The outcome that introduces her is fine; the barman names her before she is met.
    assert [d.message.split(" in ")[1].split(" names")[0] for d in warnings] == ["the outcome of choice a:ask"]
    assert warnings[0].message.endswith("e.g. after a:ask")
    assert result.proven == 1


def test_the_proof_follows_what_is_still_unknown_through_every_move(tmp_path: Path) -> None:
    # The docks need either ticket; both are given only once Vera is known (in the bar), and the
    # hub is reached before and after. A box per scene that joins before and after cannot tell;
    # boxes of the states where she is still unknown never reach the docks.
    story = _story(tmp_path, """\
        flags:
          t1: {}
          t2: {}
        people:
          vera: {name: Vera Lind, mentions: [Vera], known: visited.bar}
        scenes:
          a:
            text: The hub.
            choices:
              - {id: bar, text: The bar., goto: bar}
              - {id: docks, text: The docks., if: flag.t1 or flag.t2, goto: docks}
          bar:
            text: A woman at the bar.
            choices:
              - {id: one, text: Take a ticket., do: [{flag: t1}], goto: a}
              - {id: two, text: Take the other., do: [{flag: t2}], goto: a}
          docks:
            text: Vera's boat.
            choices:
              - {id: end, text: Home., goto: z}
          z:
            ending: done
            text: Night.
        """)
    result, warnings = _warnings(story, budget=1)
    assert not result.complete
    assert warnings == [] and result.unknown == [] and result.proven == 1


def test_text_whose_own_condition_says_the_fact_holds_is_proven_without_a_search(tmp_path: Path) -> None:
    # The fact can turn false again (not monotone); the paragraph and the markup branch say it holds.
    story = _story(tmp_path, STALE_STATE.replace(
        "    text: The folder sits on the blotter.",
        "    text:\n"
        "      - {if: not flag.gave_folder and turn < 9, text: The folder sits on the blotter.}\n"
        "      - \"{flag.gave_folder: Gone.|The folder sits on the blotter, still.}\""))
    result, warnings = _warnings(story, budget=1)
    assert warnings == [] and result.unknown == [] and result.proven == 2


def test_an_answer_that_names_whom_the_player_put_in_the_blank_is_proven(tmp_path: Path) -> None:
    # Asked at the hub, before and after the bar; the player can only name Vera (or Ana) once
    # they are known (the bar): the answers for them may name her.
    story = _story(tmp_path, KNOWLEDGE_BEFORE_LEARNING.replace("    text: Vera's number is on the desk.",
                                                               "    text: A number is on the desk.").replace(
        "people:", "people:\n  ana: {name: Ana, known: visited.b}")
                   + textwrap.dedent("""\
        questions:
          who:
            ask: Who was at the bar?
            at: [a]
            slots:
              who: {prompt: It was, from: people}
            answer: {who: vera}
            right: {text: Vera. Of course it was Vera.}
            responses:
              - {id: other, if: {who: ana}, text: Ana left before Vera came.}
        """).replace("      - {id: go, text: Go to the bar., goto: b}",
                     "      - {id: go, text: Go to the bar., goto: b}\n      - {id: end, text: Go., goto: c}").replace(
            "      - {id: leave, text: Leave., goto: c}", "      - {id: leave, text: Leave., goto: a}"))
    result, warnings = _warnings(story, budget=1)
    answers = [(u.what, m.target.id) for u, m, _ in result.unknown if u.kind == "answer"]
    assert warnings == [] and answers == []


BATCH = """\
clues:
  scaffold: {title: A bent scaffold}
  gate: {title: A bent gate}
  one: {title: One pair of hands, text: Vera's hands.}
people:
  coat: {name: The coat}
  soldier: {name: The soldier}
  vera: {name: Vera, mentions: [Vera], known: clue.gate}
questions:
  run_death:
    ask: Who killed the runner?
    opens: clue.scaffold
    batch: deaths
    batch_size: 2
    pending: Pinned.
    slots:
      who: {prompt: Who?, from: people, among: [coat, soldier]}
    answer: {who: coat}
    right: {text: Confirmed., do: [{clue: one}]}
  doctor_death:
    ask: Who killed the doctor?
    opens: clue.gate
    batch: deaths
    batch_size: 2
    pending: Pinned.
    slots:
      who: {prompt: Who?, from: people, among: [coat, soldier]}
    answer: {who: coat}
    right: {text: Confirmed., do: [{clue: one}]}
scenes:
  a:
    text: The board.
    case_board: true
    choices:
      - {id: look, text: Look up., once: true, do: [{clue: scaffold}]}
      - {id: down, text: Look down., once: true, if: clue.scaffold, do: [{clue: gate}]}
      - {id: out, text: Out., goto: z}
  z:
    ending: done
    text: Night.
"""


def test_a_batch_gives_its_clue_only_once_every_question_in_it_was_open(tmp_path: Path) -> None:
    # "one" comes only when both deaths are confirmed together, so only after the gate, when Vera
    # is known: its text may name her. The search proves it; so does the proof, cut short.
    story = _story(tmp_path, BATCH)
    result, warnings = _warnings(story)
    assert warnings == [] and result.complete
    result, warnings = _warnings(story, budget=1)
    assert not result.complete and warnings == [] and result.unknown == []
    # With a batch of one, the runner alone gives it, before the gate: a real finding.
    story = _story(tmp_path, BATCH.replace("batch_size: 2", "batch_size: 1"))
    _, warnings = _warnings(story)
    assert [d.message.split(" in ")[1].split(" names")[0] for d in warnings] == ["clue one"]
