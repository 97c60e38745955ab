"""Word wrapping for the story view: widths, words, prefixes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from game.ui.wrap import cell_width, pack, wrap


def texts(rows):
    return ["".join(text for _, text in row) for row in rows]


def test_breaks_between_words_never_inside_them():
    rows = texts(wrap([("", "The office smells of old coffee and older regrets.")], 20))
    assert rows == ["The office smells of", "old coffee and older", "regrets."]


def test_a_hanging_prefix_lines_up_under_the_text():
    rows = texts(wrap([("", "Follow the pill bottle to the address on its label.")], 24,
                      first_prefix=[("", "12. ")], prefix=[("", "    ")]))
    assert rows[0].startswith("12. Follow")
    assert all(row.startswith("    ") for row in rows[1:])
    assert all(len(row) <= 24 for row in rows)


def test_a_word_longer_than_the_row_is_split():
    rows = texts(wrap([("", "a " + "x" * 25)], 10))
    assert rows == ["a", "x" * 10, "x" * 10, "x" * 5]


def test_wide_characters_count_two_cells():
    rows = texts(wrap([("", "漢字 漢字 漢字")], 9))
    assert rows == ["漢字 漢字", "漢字"]


def test_styles_survive_wrapping():
    rows = wrap([("bold", "Clue found:"), ("", " a red collar by the door")], 12)
    assert rows[0] == [("bold", "Clue found:")]
    assert ("", "a red collar") in rows[1]


def test_pack_keeps_segments_whole():
    segments = [[("", "The Office: The Desk")], [("", "Turn 3")], [("", "Clues 1/4")], [("", "Trish 2")]]
    rows = texts(pack(segments, 38, ("", " | ")))
    assert rows == ["The Office: The Desk | Turn 3", "Clues 1/4 | Trish 2"]


words = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P"]), min_size=1, max_size=30)


@given(st.lists(words, max_size=40), st.integers(min_value=4, max_value=120))
def test_rows_fit_and_no_word_is_lost(word_list, width):
    rows = wrap([("", " ".join(word_list))], width)
    assert all(cell_width("".join(text for _, text in row)) <= width for row in rows)
    joined = "".join("".join(text for _, text in row) for row in rows)
    assert joined.replace(" ", "") == "".join(word_list).replace(" ", "")
