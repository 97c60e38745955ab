"""The page's side of a game (game/web/bridge.py), in plain CPython: what the
front end is told, and that saves made there are the terminal's save files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import ROOT

from game import loader, saves
from game.engine import Engine
from game.web import bridge

STORY = ROOT / "story"


@pytest.fixture
def web(tmp_path):
    game = bridge.WebGame(STORY, tmp_path / "saves", seed=7)
    return game


def call(game: bridge.WebGame, op: str, **args):
    """One request as the worker makes it: JSON in, JSON out."""
    bridge._game = game
    reply = json.loads(bridge.handle(op, json.dumps(args)))
    return reply


def test_a_turn_tells_the_page_what_to_show(web):
    first = call(web, "new", seed=7)["result"]
    assert first["index"] == 0 and first["turn"] == 0
    assert first["text"][0][0] == "title" and first["text"][1][0] == "text"
    assert [o["number"] for o in first["offers"]] == list(range(1, len(first["offers"]) + 1))
    assert first["can_undo"] is False
    second = call(web, "choose", number=1)["result"]
    assert second["index"] == 1 and second["can_undo"] is True
    assert second["wrote"] is True  # autosaved, so the worker syncs storage
    assert saves.read_slot(web.saves_dir, "autosave").doc["log"] == [["office.desk", first["offers"][0]["id"]]]


def test_bad_requests_get_one_line_and_change_nothing(web):
    call(web, "new")
    assert call(web, "choose", number=99)["error"] == "there is no choice 99; pick 1 to 3"
    assert call(web, "frobnicate")["error"] == "unknown operation 'frobnicate'"
    assert "only letters" in call(web, "save", name="../../etc")["error"]
    assert web.session.pt.turn == 0


def test_a_download_is_a_save_file_the_terminal_loads(web, tmp_path):
    call(web, "new")
    call(web, "choose", number=1)
    call(web, "choose", number=1)
    download = call(web, "export")["result"]
    folder = tmp_path / "terminal"
    folder.mkdir()
    (folder / download["filename"]).write_text(download["text"])
    engine = Engine(loader.load(STORY).story)
    loaded = saves.load_slot(folder, Path(download["filename"]).stem, engine)
    assert loaded.playthrough.log == web.session.pt.log
    assert loaded.playthrough.seed == web.session.pt.seed


def test_damaged_and_foreign_files_are_refused_and_nothing_is_lost(web):
    call(web, "new")
    call(web, "choose", number=1)
    call(web, "save", name="keep")
    before = {p.name: p.read_bytes() for p in web.saves_dir.glob("*.json")}
    good = call(web, "export")["result"]["text"]
    cases = {
        "cut.json": (good[:100], "damaged save file"),
        "edited.json": (good.replace('"turn": 1', '"turn": 9'), "checksum does not match"),
        "deep.json": ("[" * 50_000 + "]" * 50_000, "nested more than"),
        "list.json": ("[1, 2, 3]", "not a save file"),
    }
    foreign = json.loads(good)
    foreign["story"]["id"] = "another-story"
    foreign["checksum"] = saves.checksum(foreign)
    cases["foreign.json"] = (json.dumps(foreign), "belongs to story 'another-story'")
    for name, (text, problem) in cases.items():
        reply = call(web, "import", name=name, text=text)
        assert problem in reply["error"], (name, reply)
        assert reply["error"].startswith(name)
    assert {p.name: p.read_bytes() for p in web.saves_dir.glob("*.json")} == before
    assert web.session.pt.turn == 1


def test_a_save_from_an_edited_story_says_where_it_stops_fitting(web):
    call(web, "new")
    call(web, "choose", number=1)
    doc = json.loads(call(web, "export")["result"]["text"])
    doc["log"].append(["office.whizzer", "no-such-choice"])
    doc["checksum"] = saves.checksum(doc)
    reply = call(web, "import", name="old.json", text=json.dumps(doc))
    assert "no longer fits" in reply["error"] and reply["remedy"]
    loaded = call(web, "import", name="old.json", text=json.dumps(doc), partial=True)["result"]
    assert loaded["index"] == 1 and any("Loaded turns 1-1 of 2" in note for note in loaded["notes"])


def test_undo_restart_and_the_endings_gallery(web):
    call(web, "new")
    call(web, "choose", number=1)
    back = call(web, "undo")["result"]
    assert back["index"] == 0 and "Undone: back to turn 0." in back["notes"]
    call(web, "choose", number=1)
    fresh = call(web, "restart")["result"]
    assert fresh["index"] == 0 and "Undo brings back the one you left." in fresh["notes"][0]
    restored = call(web, "undo")["result"]
    assert restored["index"] == 1  # the game left by the restart, as on a terminal
    lines = call(web, "endings")["result"]["lines"]
    assert lines[0] == ["title", f"Endings found: 0 of {len(web.story.endings)}"]
    shown = " ".join(text for _style, text in lines)
    assert not any(ending.title in shown for ending in web.story.endings.values())  # no spoilers


def test_numbers_switch_shows_the_numbers_behind_the_words(web):
    call(web, "new")
    words = call(web, "status")["result"]["lines"]
    assert call(web, "numbers", on=True)["result"] == {"numbers": True}
    numbers = call(web, "status")["result"]["lines"]
    assert words != numbers
    assert any("(from " in text for _style, text in numbers)
    assert not any(style == "hint" for style, _text in words + numbers)  # the terminal's typed command


BOARD = ROOT / "tests" / "data" / "board"


def test_a_question_is_answered_blank_by_blank_and_only_the_whole_answer_is_a_turn(tmp_path):
    """Issue 13 on the page: a question's number opens the answer (no turn), each pick fills a
    blank, 'back' and 'cancel' step out, a wrong pick is one line; giving it is a turn, autosaved,
    with the answer in words for the page to show beside the choice."""
    game = bridge.WebGame(BOARD, tmp_path / "saves", seed=1)
    assert call(game, "about")["result"]["board"] is True
    view = call(game, "new", seed=1)["result"]
    view = call(game, "choose", number=next(o["number"] for o in view["offers"] if o["id"] == "collar"))["result"]
    view = call(game, "choose", number=next(o["number"] for o in view["offers"] if o["id"] == "board"))["result"]
    ask = next(o for o in view["offers"] if o["id"] == "ask:pet")
    assert ask["prefix"] == "Question: " and ask["text"] == "What kind of pet wore the collar?"
    turn = game.session.pt.turn
    draft = call(game, "choose", number=ask["number"])["result"]["draft"]
    assert game.session.pt.turn == turn and draft["question"] == "pet"
    assert [p["id"] for p in draft["picks"]] == ["fill:cat", "fill:parrot", "fill:ferret"]
    assert [x["word"] for x in draft["extra"]] == ["cancel"]
    assert any(style == "stakes" for style, _ in draft["lines"])  # what a wrong answer costs
    assert not any(style == "hint" for style, _ in draft["lines"])  # the terminal's typing help is not shown
    assert "there is no 9" in call(game, "answer", pick=9)["error"]
    draft = call(game, "answer", pick=2)["result"]["draft"]
    assert [x["word"] for x in draft["extra"]] == ["back", "cancel"]
    assert call(game, "answer", word="back")["result"]["draft"]["picks"][0]["id"] == "fill:cat"
    cancelled = call(game, "answer", word="cancel")["result"]
    assert cancelled["cancelled"] and any(o["id"] == "ask:pet" for o in cancelled["offers"])
    assert call(game, "answer", pick=1)["error"] == "no question is being answered"
    call(game, "choose", number=ask["number"])
    call(game, "answer", pick=2)  # parrot
    proof = next(p["number"] for p in game.draft_view()["draft"]["picks"] if p["id"] == "fill:feathers")
    confirm = call(game, "answer", pick=proof)["result"]["draft"]
    assert confirm["picks"][0]["id"] == "answer"
    done = call(game, "answer", pick=1)["result"]
    assert done["answered"].startswith("answered 'What kind of pet wore the collar?': It was a parrot.")
    assert done["wrote"] is True and game.session.pt.answers["pet"].outcome == "right"
    assert saves.read_slot(game.saves_dir, "autosave").doc["log"][-1][1].startswith("answer:pet:")
    assert "People" in "".join(text for _, text in call(game, "board")["result"]["lines"])
