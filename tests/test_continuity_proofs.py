"""check --continuity's proofs when its search is cut short, and inline `known.` in text (#16).

Each story here is proven with a search of one state: the proof alone must
say "fine", and the same story with the guard taken away must not be proven
(a real finding, or unknown).
"""

from __future__ import annotations

from pathlib import Path

from test_continuity import MANIFEST, _warnings

from game import loader

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


def test_a_loop_through_where_she_is_met_adds_no_state(tmp_path: Path) -> None:
    # How often the bar was visited does not matter to `visited.bar`: the search goes through the
    # desk and the bar, before and after the bar, and ends.
    result, warnings = _warnings(_with_ending(tmp_path, "The night is over. Vera buys the last round."))
    assert result.complete and result.states <= 6
    assert [w.message.split(" in ")[1].split(" names")[0] for w in warnings] == ["ending done"]
