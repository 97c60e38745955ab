"""Playing over SSH against a real `play.py serve`: keys, saves, Continue, plain mode,
the terminal's size and colours, and many players sharing one loaded story."""

from __future__ import annotations

import io
import json
import random
import re

import pytest
from sshkit import (
    ENTER,
    LOOSE,
    SAMPLE,
    Player,
    ServerProcess,
    kill_group,
    new_key,
    ring_becomes,
    run,
)

from game import loader
from game.serve.identity import key_id
from game.ui.plain import PlainUI
from game.ui.session import Session

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("serve") / "data", *LOOSE, "--max-size", "120x40")
    yield proc
    try:
        assert proc.stop() == 0
    finally:
        kill_group(proc.proc)


def saves_of(server: ServerProcess, key) -> set[str]:
    from game.serve.identity import key_id

    folder = server.data / "players" / key_id(key.public_data) / "saves"
    return {p.name for p in folder.glob("*.json")} if folder.exists() else set()


def test_title_screen_then_play_to_a_save_and_continue_after_reconnecting(server):
    key = new_key()

    async def first_visit():
        player = await Player.join(server.port, key)
        screen = await player.wait_for("New case")
        assert "The Missing Cat" in screen
        assert re.search(r"Continue \(locked: no autosave yet\)", screen)
        player.type("1" + ENTER)
        await player.wait_for("The office smells of old coffee.")
        player.type("1" + ENTER)  # Check the door
        await player.wait_for("A red collar")
        player.type("save mine" + ENTER)
        await player.wait_for("Saved to slot 'mine'.")
        await ring_becomes(server.data / "players" / key_id(key.public_data) / "saves", [1])
        await player.close()

    async def second_visit():
        player = await Player.join(server.port, key)
        screen = await player.wait_for("Continue:")
        assert "turn 1" in screen
        player.type(ENTER)  # Continue is highlighted for a returning player
        screen = await player.wait_for("Resumed 'autosave' at turn 1.")
        assert "Turn 1" in screen  # the toolbar
        player.type("\x04")  # Ctrl-D: autosave and leave
        await player.wait_for("Autosaved.")
        await player.wait_closed()
        assert player.process.exit_status == 0

    run(first_visit())
    assert {"mine.json", "autosave-1.json"} <= saves_of(server, key)
    run(second_visit())


def test_a_second_key_sees_none_of_the_first_keys_saves(server):
    first, second = new_key(), new_key()

    async def scenario():
        owner = await Player.join(server.port, first)
        await owner.wait_for("New case")
        owner.type("1" + ENTER)
        await owner.wait_for("The office smells")
        owner.type("save secret" + ENTER)
        await owner.wait_for("Saved to slot 'secret'.")
        await owner.close()
        before = {p: p.read_bytes() for p in (server.data / "players").rglob("*.json")}

        other = await Player.join(server.port, second, size=(100, 30))
        screen = await other.wait_for("New case")
        assert "no autosave yet" in screen and "no saves yet" in screen
        other.type("1" + ENTER)
        await other.wait_for("The office smells")
        other.type("saves" + ENTER)
        await other.wait_for("No saves yet")
        from game.serve.identity import key_id

        for attempt in ("load secret", "load autosave-2",
                        f"load ../../{key_id(first.public_data)}/saves/secret",
                        "save ../secret", f"save /{server.data}/x"):
            other.type(attempt + ENTER)
        other.type("history" + ENTER)
        await other.wait_for("No choices taken yet.")  # the line after them answered: all were
        screen = other.shown()
        assert "Loaded" not in screen and "Saved to" not in screen
        await other.close()
        after = {p: p.read_bytes() for p in (server.data / "players").rglob("*.json") if p in before}
        assert after == before  # nothing of the first player's changed

    run(scenario())
    assert "secret.json" not in saves_of(server, second)


def test_no_pty_gives_plain_mode_and_a_returning_player_continues(server):
    key = new_key()

    async def scenario():
        player = await Player.join(server.port, key, size=None)
        text = await player.wait_for_prompt(0)
        assert "\x1b" not in text  # no escape sequences at all: scripts and screen readers
        assert "The Missing Cat" in text and "1. Check the door." in text
        mark = player.mark()
        player.type("1\n")
        text = await player.wait_for_prompt(mark)
        assert "Clue found: A red collar." in text
        player.process.stdin.write_eof()
        await player.wait_for("Autosaved.")
        await player.wait_closed()
        assert player.process.exit_status == 0

        again = await Player.join(server.port, key, size=None)
        text = await again.wait_for_prompt(0)
        assert "resumes at turn 1" in text
        assert "\x1b" not in again.text
        await again.close()

    run(scenario())


def test_resizes_are_followed_and_a_huge_terminal_is_drawn_at_the_largest_size(server):
    async def scenario():
        player = await Player.join(server.port, new_key(), size=(80, 24))
        screen = await player.wait_for(re.compile(r"Ctrl-D: quit\s*$"))  # the toolbar, on the bottom row
        assert "New case" in screen
        player.screen.resize(columns=60, lines=18)
        player.process.change_terminal_size(60, 18)
        await player.wait_for(re.compile(r"Ctrl-D: quit\s*$"))
        rows = player.shown().splitlines()
        assert len(rows) == 18 and "Ctrl-D" in rows[-1]
        await player.close()

        big = await Player.join(server.port, new_key(), size=(200, 60))  # the server draws at most 120x40
        await big.wait_for("Ctrl-D: quit")
        rows = big.shown().splitlines()
        assert "Ctrl-D: quit" in rows[39]
        assert not "".join(rows[40:]).strip()
        assert max(len(row) for row in rows) <= 120
        await big.close()

    run(scenario())


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(text: str) -> set[str]:
    return {code for codes in SGR.findall(text) for code in codes.split(";") if code}


def test_colours_follow_the_clients_term_and_no_color(server):
    async def title_bytes(term: str, env: dict[str, str] | None = None) -> str:
        player = await Player.join(server.port, new_key(), term=term, env=env)
        await player.wait_for("New case")
        await player.close()
        return player.text

    rich = run(title_bytes("xterm-256color"))
    basic = run(title_bytes("xterm"))
    plain = run(title_bytes("xterm-256color", {"NO_COLOR": "1"}))
    assert re.search(r"\x1b\[[0-9;]*38;5;", rich)  # 256-colour codes
    assert not re.search(r"38;5;|48;5;|38;2;", basic)  # only the 16 ANSI colours
    assert colour_codes(basic) & {str(n) for n in [*range(30, 38), *range(90, 98)]}
    assert not colour_codes(plain) - {"0", "1", "3", "4", "7", "22", "23", "24", "27", "39", "49"}


def test_interleaved_players_each_read_exactly_their_own_game(server, tmp_path):
    """Five players take turns one line at a time on the one shared Engine; each
    transcript equals a game played alone with the same seed and the same lines."""
    from game.serve.identity import key_id

    story = loader.load(SAMPLE).story
    rng = random.Random(19)
    scripts = [[rng.choice(["1", "2", "3", "4", "1", "2", "look", "clues"]) for _ in range(12)] for _ in range(5)]
    keys = [new_key() for _ in scripts]

    async def scenario() -> list[str]:
        players = [await Player.join(server.port, key, size=None) for key in keys]
        for player in players:
            await player.wait_for_prompt(0)
        for step in range(12):
            for player, script in zip(players, scripts, strict=True):
                mark = player.mark()
                player.type(script[step] + "\n")
                await player.wait_for_prompt(mark)
        for player in players:
            player.process.stdin.write_eof()
        for player in players:
            await player.wait_closed()
        return [player.text for player in players]

    transcripts = run(scenario())
    for number, (key, script, served) in enumerate(zip(keys, scripts, transcripts, strict=True)):
        saves = server.data / "players" / key_id(key.public_data) / "saves"
        seed = json.loads((saves / "autosave-1.json").read_text())["seed"]
        out = io.StringIO()
        alone = PlainUI(Session(story, tmp_path / str(number), seed=seed), io.StringIO(), out, width=80)
        alone.start(fresh=True)
        for line in script:
            alone.prompt()
            alone.handle(line + "\n")
        alone.prompt()
        assert served == out.getvalue() + "\nAutosaved. Connect again to pick it up where you left it.\n"


def test_a_player_cannot_fill_the_servers_disk(tmp_path):
    """Named saves are capped per player (overwriting stays allowed) and the in-game
    transcript, a file the player could never fetch, is refused."""
    server = ServerProcess(tmp_path / "data", *LOOSE, "--max-saves", "2")
    try:
        async def scenario():
            player = await Player.join(server.port, new_key(), size=None)
            await player.wait_for_prompt(0)
            replies = []
            for line in ("save one", "save two", "save three", "save one", "transcript mine"):
                mark = player.mark()
                player.type(line + "\n")
                replies.append(await player.wait_for_prompt(mark))
            return replies

        one, two, three, again, transcript = run(scenario())
        assert "Saved to slot 'one'" in one and "Saved to slot 'two'" in two
        assert "at most 2 saves" in three and "Saved" not in three
        assert "Saved to slot 'one'" in again
        assert "does not keep transcripts" in transcript
        assert not list(server.data.rglob("*.txt"))
    finally:
        server.stop()
        kill_group(server.proc)
