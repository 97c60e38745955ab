"""playtest --prose (game.tools.repetition): what one playthrough reads too often, and the story's tics."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from game import loader
from game.cli import main
from game.tools.repetition import THRESHOLD, prose_report

HUB = """\
story:
  id: t
  title: T
  version: "1"
  start: hub
  format: 2
endings:
  done: {title: Done}
areas:
  x: X
area: x
scenes:
  hub:
    text: Rain, the thin kind that hangs around like a bad debt.
    choices:
      - {id: a, text: Errand one., goto: errand_a}
      - {id: b, text: Errand two., goto: errand_b}
      - {id: end, text: Go home., if: visited.errand_a and visited.errand_b, goto: home}
  errand_a:
    text: The first errand goes like a dream.
    choices:
      - {id: back, text: Back., goto: hub}
  errand_b:
    text: The second errand goes like a dream.
    choices:
      - {id: back, text: Back., goto: hub}
  home:
    ending: done
    text: Home at last.
"""


def _story(folder: Path, text: str):
    (folder / "story.yaml").write_text(textwrap.dedent(text))
    return loader.load(folder).story


def test_a_sentence_read_three_times_in_one_playthrough_is_listed_where_it_is_written(tmp_path: Path) -> None:
    report = prose_report(_story(tmp_path, HUB), runs=20)
    rain = [r for r in report.sentences if r.text.startswith("Rain, the thin kind")]
    assert len(rain) == 1 and rain[0].most >= THRESHOLD and rain[0].runs >= 1
    assert [(p.line, p.col) for p in rain[0].where] == [(14, 11)]
    assert not any("Home at last" in r.text for r in report.sentences)  # read once


def test_a_refrain_marked_with_a_reason_is_not_listed_but_counted(tmp_path: Path) -> None:
    marked = HUB.replace("    text: Rain, the thin kind that hangs around like a bad debt.",
                         "    # refrain: the weather is the hub's clock\n"
                         "    text: Rain, the thin kind that hangs around like a bad debt.")
    report = prose_report(_story(tmp_path, marked), runs=20)
    assert not any(r.text.startswith("Rain") for r in report.sentences)
    assert report.refrains == 1
    unmarked = marked.replace("# refrain: the weather is the hub's clock", "# refrain:")
    assert any(r.text.startswith("Rain") for r in prose_report(_story(tmp_path, unmarked), runs=20).sentences)


def test_similes_are_counted_across_the_story_and_one_written_twice_is_named(tmp_path: Path) -> None:
    report = prose_report(_story(tmp_path, HUB), runs=1)
    assert sorted(text for text, _ in report.similes) == ["like a bad debt", "like a dream", "like a dream"]
    assert [(words, len(where)) for words, where in report.twice] == [("like a dream", 2)]
    assert report.similes_per_10k > 10


PREFIX = Path(__file__).parent / "data" / "continuity" / "prefix_story"


@pytest.fixture(scope="module")
def prefix_report():
    return prose_report(loader.load(PREFIX).story, runs=40)


def test_the_prefix_story_rain_and_the_case_board_are_read_again_and_again(prefix_report) -> None:
    by_text = {r.text: r for r in prefix_report.sentences}
    rain = by_text["Rain, the thin kind that doesn't fall so much as hang around."]
    assert rain.most >= THRESHOLD and str(rain.where[0]).endswith("city/streets.yaml:15:13")
    hansen = by_text["A sticky note that says HANSEN with three question marks."]
    assert hansen.most >= THRESHOLD and hansen.where[0].path.endswith("office/desk.yaml")
    assert hansen.where[0].line == 635


def test_the_prefix_story_tics_similes_the_stove_and_the_song_from_the_car(prefix_report) -> None:
    assert len(prefix_report.similes) > 80  # the issue counted about 91 "like a" in about 41k words
    stove = [where for words, where in prefix_report.twice if words.startswith("like a man who's just")]
    assert stove and [p.line for p in stove[0]] == [271, 301]
    assert "song from the car" in {phrase for phrase, _ in prefix_report.pets}


def test_playtest_prose_on_the_command_line(tmp_path: Path, capsys) -> None:
    _story(tmp_path, HUB)
    assert main(["playtest", "--prose", "-n", "10", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "story.yaml:14:11:" in out and "Rain, the thin kind" in out
    assert "similes: 3 in" in out


def test_a_phrase_read_only_in_marked_refrains_is_not_listed_but_counted(tmp_path: Path) -> None:
    # Three different sentences, one per scene, share six words: each is read once a run, the
    # phrase three times.
    rainy = HUB.replace("    text: Rain, the thin kind that hangs around like a bad debt.", "    text: Wet.") \
        .replace("The first errand goes like a dream.", "Rain, the thin kind that hangs around the door.") \
        .replace("The second errand goes like a dream.", "Rain, the thin kind that hangs around the car.") \
        .replace("Home at last.", "Rain, the thin kind that hangs around the house.")
    phrase = "rain the thin kind that hangs around the"
    report = prose_report(_story(tmp_path, rainy), runs=20)
    assert [r.text for r in report.phrases] == [phrase] and report.phrase_refrains == 0
    marked = rainy.replace("    text: Rain,", "    # refrain: the weather follows her\n    text: Rain,")
    report = prose_report(_story(tmp_path, marked), runs=20)
    assert report.phrases == [] and report.phrase_refrains > 0
    # One of the three unmarked: the phrase is read outside refrains, and listed.
    partly = marked.replace("    # refrain: the weather follows her\n    text: Rain, the thin kind that hangs around the car.",
                            "    text: Rain, the thin kind that hangs around the car.")
    assert [r.text for r in prose_report(_story(tmp_path, partly), runs=20).phrases] == [phrase]
