"""The story view: re-wrapping on resize, paging in new turns, the highlighted choice."""

from __future__ import annotations

from game.ui.storyview import Option, StoryView
from game.ui.wrap import cell_width

PROSE = ("Hell's Kitchen, a few months after Kilgrave. The city has decided you are either a hero "
         "or a murderer, and it has not decided which. You have decided you are a private "
         "investigator with a door that does not lock.")


def render(view: StoryView, width: int, height: int) -> list[str]:
    """The rows the window would show."""
    content = view.create_content(width, height)
    top = view.top
    return ["".join(t for _, t in content.get_line(i)) for i in range(top, min(top + height, view.row_count))]


def test_resizing_rewraps_every_paragraph():
    view = StoryView()
    view.add_block([("class:title", "The Desk"), ("class:text", PROSE)])
    wide = render(view, 100, 50)
    narrow = render(view, 40, 50)
    assert all(cell_width(row) <= 40 for row in narrow)
    assert len(narrow) > len(wide)
    assert " ".join(" ".join(narrow).split()) == " ".join(" ".join(wide).split())


def test_a_new_turn_is_paged_in_from_its_first_line():
    view = StoryView()
    for turn in range(5):
        view.add_block([("class:text", f"Old paragraph {turn}. " + PROSE)])
    mark = view.mark()
    view.add_block([("class:echo", "2. Go out.")])
    view.add([("class:title", "The Corner")] + [("class:text", PROSE)] * 4)
    view.set_options([Option(1, "Head back.")])
    view.show_from(mark)
    rows = render(view, 40, 10)
    assert rows[0].strip() == "> 2. Go out."
    assert view.more_below and view.more_above


def test_a_short_turn_fills_the_window_from_the_bottom():
    view = StoryView()
    for turn in range(10):
        view.add_block([("class:text", f"Paragraph {turn}.")])
    mark = view.mark()
    view.add_block([("class:text", "Short.")])
    view.set_options([Option(1, "On.")])
    view.show_from(mark)
    rows = render(view, 40, 8)
    assert len(rows) == 8  # no empty rows left under the text
    assert rows[-1].strip().endswith("On.")
    assert not view.more_below


def test_paging_down_and_up():
    view = StoryView()
    view.add_block([("class:text", f"Paragraph {n}.") for n in range(40)])
    view.show_from(0)
    render(view, 40, 10)
    assert view.top == 0
    view.page(1)
    render(view, 40, 10)
    assert view.top == 8
    view.page(-1)
    render(view, 40, 10)
    assert view.top == 0


def test_selection_skips_locked_choices_and_scrolls_into_view():
    view = StoryView()
    view.add_block([("class:text", f"Paragraph {n}.") for n in range(30)])
    view.set_options([Option(1, "One."), Option(2, "Two.", enabled=False, hint="not yet"), Option(3, "Three.")])
    view.show_from(0)
    render(view, 40, 6)
    assert view.selected_option().number == 1
    view.move_selection(1)
    rows = render(view, 40, 6)
    assert view.selected_option().number == 3
    assert any("3. Three." in row for row in rows)
    all_rows = ["".join(t for _, t in row) for row in view.layout(40)[0]]
    assert any(row.strip() == "2. Two. (locked: not yet)" for row in all_rows)


def test_the_highlighted_choice_is_marked_in_words_not_only_colour():
    view = StoryView()
    view.set_options([Option(1, "One."), Option(2, "Two.")])
    view.move_selection(1)
    rows = render(view, 40, 5)
    assert next(row for row in rows if "Two." in row).lstrip().startswith("▸")


def test_a_long_transcript_drawn_turn_by_turn_shows_what_a_fresh_view_would():
    """The transcript's rows are kept between renders and extended as turns are
    added; across resizes and the trimming of old paragraphs, what is drawn must
    stay exactly what a view built from scratch draws."""
    import random

    from game.ui import storyview

    rng = random.Random(7)
    words = ["the", "rain", "on", "the", "glass", "and", "a", "name", "on", "the", "door", "nobody", "reads", "twice"]
    drawn, blocks = StoryView(), []
    turns = storyview.MAX_ENTRIES // 3 + 100  # about 4 entries a turn: past the cap, trimmed at least once
    for turn in range(turns):
        block = [("class:echo", f"{turn}. go"), ("class:text", " ".join(rng.choices(words, k=rng.randint(3, 30))))]
        blocks.append(block)
        drawn.add_block(block)
        options = [storyview.Option(n, f"choice {n}", n != 2, "locked") for n in range(1, rng.randint(2, 5))]
        drawn.set_options(options)
        if turn % 250 == 0 or turn >= turns - 3:
            fresh = StoryView()
            for old in blocks:
                fresh.add_block(old)
            fresh.set_options(options)
            for width in (80, 45, 80):
                assert drawn.layout(width) == fresh.layout(width), (turn, width)
    assert len(drawn.entries) <= storyview.MAX_ENTRIES < 4 * turns  # old paragraphs were dropped on the way
