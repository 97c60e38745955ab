"""check --continuity's proofs when its search is cut short, and inline `known.` in text (#16).

Each story here is proven with a search of one state: the proof alone must
say "fine", and the same story with the guard taken away must not be proven
(a real finding, or unknown).
"""

from __future__ import annotations

from pathlib import Path

from test_continuity import MANIFEST, _story, _warnings

from game import loader
from game.rules import Rules

# The hub's paragraph names Costa when the heat is high; Costa is met at the precinct. Before
# the precinct the heat rises only at the visitor, whose door opens once (`not visited.visitor`):
# it never reaches 3 before the precinct. The boxes join the desk's states before and after
# the visit, so the loop desk -> visitor -> desk looks as if it could be taken again and again.
HEAT = """\
stats:
  heat: {label: Heat, min: 0, max: 5, start: 0}
people:
  costa: {name: Eddy Costa, mentions: [Costa], known: visited.precinct}
scenes:
  a:
    text:
      - The desk.
      - {if: stat.heat >= 3, text: An unmarked car waits downstairs. Costa wants you to see it.}
    choices:
      - {id: visitor, text: Let the visitor in., if: not visited.visitor, goto: visitor}
      - {id: wait, text: Wait.}
      - {id: precinct, text: Go to the precinct., goto: precinct}
  visitor:
    text: A man in a good coat.
    choices:
      - {id: hurt, text: Hurt him., do: [{stat: {heat: +1}}], goto: a}
      - {id: refuse, text: Say no., goto: a}
  precinct:
    text: Costa, with coffee.
    choices:
      - {id: back, text: Go back., do: [{stat: {heat: +3}}], goto: a}
      - {id: home, text: Go home., goto: z}
  z:
    ending: done
    text: Night.
"""


def test_a_stat_raised_in_a_scene_entered_once_is_counted_not_widened(tmp_path: Path) -> None:
    story = _story(tmp_path, HEAT)
    result, warnings = _warnings(story, budget=1)
    assert not result.complete
    assert warnings == [] and result.unknown == []


def test_a_stat_raised_in_a_scene_entered_again_and_again_is_not_proven(tmp_path: Path) -> None:
    # The visitor comes back whenever asked: three visits before the precinct make the car show.
    story = _story(tmp_path, HEAT.replace(", if: not visited.visitor", ""))
    result, warnings = _warnings(story, budget=1)
    assert warnings == []  # nothing was searched, so nothing is claimed either way
    assert [u.what for u, _, _ in result.unknown] == ["scene a"]
    result, warnings = _warnings(story)
    assert result.complete and len(warnings) == 1
    assert warnings[0].message.endswith("e.g. after a:visitor, visitor:hurt, a:visitor, visitor:hurt, "
                                        "a:visitor, visitor:hurt")


def test_a_choice_that_gives_what_it_needs_missing_is_counted_once(tmp_path: Path) -> None:
    # The heat also rises by a choice that stays, but it needs the clue it gives: once, so 1 + 1.
    grab = HEAT.replace(
        "      - {id: wait, text: Wait.}",
        "      - {id: grab, text: Grab the pills., if: not clue.pills, do: [{clue: pills}, {stat: {heat: +1}}]}"
    ) + "clues:\n  pills: {title: Pills}\n"
    result, warnings = _warnings(_story(tmp_path, grab), budget=1)
    assert warnings == [] and result.unknown == []
    # Without the condition it can be taken again and again: a real finding, not a proof.
    story = _story(tmp_path, grab.replace(", if: not clue.pills", ""))
    result, _ = _warnings(story, budget=1)
    assert [u.what for u, _, _ in result.unknown] == ["scene a"]
    _, warnings = _warnings(story)
    assert len(warnings) == 1 and warnings[0].message.endswith("e.g. after a:grab, a:grab, a:grab")


# Vera is met in the bar; the desk's paragraph names her only once she is known.
KNOWN_IN_TEXT = """\
people:
  vera: {name: Vera Lind, mentions: [Vera], known: visited.bar}
scenes:
  a:
    text: "The desk. {known.vera: Vera's number is on it.|Nobody's number is on it.}"
    choices:
      - {id: bar, text: Go to the bar., goto: bar}
      - {id: home, text: Go home., goto: z}
  bar:
    text: A woman at the bar.
    choices:
      - {id: back, text: Go back., goto: a}
  z:
    ending: done
    text: Night.
"""


def _with_ending(tmp_path: Path, text: str):
    """KNOWN_IN_TEXT, its ending `done` saying text."""
    (tmp_path / "story.yaml").write_text(MANIFEST.replace("done: {title: Done}", f'done: {{title: Done, text: "{text}"}}')
                                         + KNOWN_IN_TEXT)
    story, problems = loader.check(tmp_path)
    assert story is not None, [str(p) for p in problems]
    return story


def test_inline_known_in_text_follows_what_the_player_knows(tmp_path: Path) -> None:
    rules = Rules(_story(tmp_path, KNOWN_IN_TEXT))
    pt, _ = rules.start(0)
    assert rules.text(pt) == ["The desk. Nobody's number is on it."]
    rules.step(pt, "bar")
    rules.step(pt, "back")
    assert rules.text(pt) == ["The desk. Vera's number is on it."]


def test_markup_that_names_her_only_once_known_is_proven_in_an_ending_too(tmp_path: Path) -> None:
    story = _with_ending(tmp_path, "The night is over.{known.vera: Vera buys the last round.}")
    result, warnings = _warnings(story, budget=1)
    assert not result.complete
    assert warnings == [] and result.unknown == []
    # Named outright, the ending is a real slip: home without the bar.
    _, warnings = _warnings(_with_ending(tmp_path, "The night is over. Vera buys the last round."))
    assert [w.message.split(" in ")[1].split(" names")[0] for w in warnings] == ["ending done"]
    assert warnings[0].message.endswith("e.g. after a:home")


def test_a_loop_through_where_she_is_met_adds_no_state(tmp_path: Path) -> None:
    # How often the bar was visited does not matter to `visited.bar`: the search goes through the
    # desk and the bar, before and after the bar, and ends.
    result, warnings = _warnings(_with_ending(tmp_path, "The night is over. Vera buys the last round."))
    assert result.complete and result.states <= 6
    assert [w.message.split(" in ")[1].split(" names")[0] for w in warnings] == ["ending done"]


# -- what an unknown note tells the writer to do ------------------------------------------------------

# Vera is named only while two stats that always move together are equal: never a slip, but the
# boxes keep each stat on its own and cannot prove it, and no playthrough finds one.
TOGETHER = """\
stats:
  a: {label: A, min: 0, max: 3, start: 0}
  b: {label: B, min: 0, max: 3, start: 0}
people:
  vera: {name: Vera, mentions: [Vera], known: stat.a == stat.b}
scenes:
  a:
    text: Vera counts.
    choices:
      - {id: up, text: Up., do: [{stat: {a: +1, b: +1}}]}
      - {id: home, text: Home., goto: z}
  z:
    ending: done
    text: Night.
"""


def _unknown_notes(capsys, *args: str) -> list[str]:
    from game.cli import main

    assert main(["check", "--continuity", *args]) == 0
    return [line for line in capsys.readouterr().out.splitlines() if "continuity unknown" in line]


def test_an_unknown_note_asks_for_deep_only_while_deep_would_search_more(tmp_path: Path, capsys) -> None:
    from test_continuity import _story

    _story(tmp_path, TOGETHER)
    notes = _unknown_notes(capsys, str(tmp_path))
    assert notes == []  # the whole search: five states, every one looked at
    notes = _unknown_notes(capsys, "--continuity-budget", "2", str(tmp_path))
    assert notes and all("budget of 2 states; raise --continuity-budget above 2)" in n for n in notes)
    notes = _unknown_notes(capsys, "--deep", "--continuity-budget", "2", str(tmp_path))
    assert notes and not [n for n in notes if "--deep" in n]


def test_the_deep_searchs_unknown_note_names_the_budget_to_raise_not_deep(tmp_path: Path) -> None:
    from test_continuity import PATH_DEPENDENT, _story

    from game.tools.continuity import CONTINUITY_BUDGET, DEEP_FACTOR, Continuity

    story = _story(tmp_path, PATH_DEPENDENT)
    result = Continuity(story).run(2, 0)
    assert result.unknown
    notes = [d.message for d in result.diagnostics(story) if d.code == "continuity-unknown"]
    assert all("run check --continuity --deep for 400,000, or raise --continuity-budget)" in n for n in notes)
    result.budget = CONTINUITY_BUDGET * DEEP_FACTOR  # as --deep's search, cut short
    notes = [d.message for d in result.diagnostics(story) if d.code == "continuity-unknown"]
    assert notes and all(n.endswith("budget of 400,000 states; raise --continuity-budget above 400,000)")
                         for n in notes)


# -- the paths of what random playthroughs find --------------------------------------------------------

# Five rooms off the hub, each leaving a mark a later text reads, and the docks through the alley:
# a random walk looks into rooms on its way, and no state repeats, so cutting loops keeps them.
ROOMS = """\
flags: {r0: {}, r1: {}, r2: {}, r3: {}, r4: {}}
people:
  vera: {name: Vera Lind, mentions: [Vera], known: visited.bar}
scenes:
  a:
    text:
      - The hub.
      - {if: flag.r0 and flag.r1 and flag.r2 and flag.r3 and flag.r4, text: Every room has been looked into.}
    choices:
      - {id: bar, text: Through the bar., goto: bar}
      - {id: alley, text: Down the alley., goto: alley}
ROOMS
  bar:
    text: A bar.
    choices:
      - {id: onward, text: On to the docks., goto: docks}
  alley:
    text: Rats.
    choices:
      - {id: onward, text: On to the docks., goto: docks}
      - {id: back, text: Back., goto: a}
  docks:
    text: Vera's boat is gone.
    choices:
      - {id: end, text: Go home., goto: z}
  z:
    ending: done
    text: Home.
""".replace("ROOMS", "\n".join(f"      - {{id: room{i}, text: Room {i}., if: not flag.r{i}, do: [{{flag: r{i}}}]}}"
                                for i in range(5)))


def test_what_a_random_playthrough_finds_is_reported_by_a_shortest_path_and_says_so(tmp_path: Path) -> None:
    from test_continuity import _story

    from game.tools.continuity import Continuity

    story = _story(tmp_path, ROOMS)
    # Two states searched (the start and one more): then random playthroughs; without the proofs.
    # (With seed 0 the first walk to the docks looks into rooms on the way: six choices.)
    result = Continuity(story).run(budget=2, walks=20, seed=0, prove=False)
    assert not result.complete
    [finding] = [f for f in result.findings if f.unit.what == "scene docks"]
    assert finding.path == [("a", "alley"), ("alley", "onward")]
    assert finding.shortest
    [warning] = [d for d in result.diagnostics(story) if d.severity == "warning"]
    assert warning.message.endswith("e.g. after a:alley, alley:onward")


def test_a_way_found_far_past_where_the_search_stopped_keeps_its_label(tmp_path: Path) -> None:
    from test_continuity import _story

    from game.tools.continuity import Continuity

    # The alley is a long way down: eight choices to the docks, and the search stopped after one.
    long_way = ROOMS.replace("      - {id: alley, text: Down the alley., goto: alley}",
                             "      - {id: alley, text: Down the alley., goto: s1}")
    steps = "".join(f"  s{i}:\n    text: Step {i}.\n    choices:\n      - {{id: go, text: On., goto: "
                    f"{'s' + str(i + 1) if i < 6 else 'alley'}}}\n" for i in range(1, 7))
    story = _story(tmp_path, long_way.replace("  bar:\n", steps + "  bar:\n"))
    result = Continuity(story).run(budget=2, walks=20, seed=1, prove=False)
    [finding] = [f for f in result.findings if f.unit.what == "scene docks"]
    assert len(finding.path) == 8 and not finding.shortest
    [warning] = [d for d in result.diagnostics(story) if d.severity == "warning"]
    assert "(found by a random playthrough: maybe not the shortest way)" in warning.message


def test_the_focused_search_follows_an_answer_that_leads_somewhere(tmp_path: Path) -> None:
    # The docks are reached only by answering in the office: the focused search for Vera (known
    # once the bar is visited) must keep the office, from where an answer leads to the docks.
    from test_continuity import _story

    from game.tools.continuity import Continuity

    story = _story(tmp_path, """\
        people:
          vera: {name: Vera, mentions: [Vera], known: visited.bar}
          ana: {name: Ana}
          coat: {name: The coat}
        questions:
          who:
            ask: Who?
            at: office
            slots:
              who: {prompt: It was, from: people}
            answer: {who: ana}
            right: {text: Ana., goto: docks}
        scenes:
          a:
            text: The hub.
            choices:
              - {id: bar, text: The bar., goto: bar}
              - {id: office, text: The office., goto: office}
              - {id: home, text: Home., goto: z}
          bar:
            text: A bar.
            choices:
              - {id: back, text: Back., goto: a}
          office:
            text: The office.
            choices:
              - {id: back, text: Back., goto: a}
          docks:
            text: Vera's boat.
            choices:
              - {id: end, text: Home., goto: z}
          z:
            ending: done
            text: Night.
        """)
    for budget in (2, 3, 4):  # cut short: the focused search decides, or leaves it unknown
        result = Continuity(story).run(budget, 0)
        assert not result.complete and result.proven == 0
        assert [f.path for f in result.findings] in ([[("a", "office"), ("office", "answer:who:who=ana")]], [])
        assert len(result.findings) + len(result.unknown) == 1
