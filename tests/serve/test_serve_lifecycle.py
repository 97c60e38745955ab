"""Never lose a game: the idle timeout, SIGTERM / Ctrl-C on the server and a dropped
connection all leave the player's newest state in their autosave, and the
player's next visit offers Continue from it."""

from __future__ import annotations

import signal

import pytest
from sshkit import (
    ENTER,
    LOOSE,
    WAIT,
    Player,
    ServerProcess,
    autosave_turns,
    new_key,
    ring_becomes,
    run,
)

from game.serve.identity import key_id

pytestmark = pytest.mark.slow


def saves_of(server: ServerProcess, key):
    return server.data / "players" / key_id(key.public_data) / "saves"


async def play_a_turn_then_undo(player: Player) -> None:
    """Leave the game one step away from its newest autosave: a turn (autosaved at
    turn 1), then 'undo' (turn 0, not autosaved), so only the coming stop can save it."""
    await player.wait_for("New case")
    player.type("1" + ENTER)
    await player.wait_for("The office smells")
    player.type("1" + ENTER)
    await player.wait_for("A red collar")
    player.type("undo" + ENTER)
    await player.wait_for("Undid 1 turn")


def test_the_idle_timeout_autosaves_then_tells_the_player_and_closes(server_with):
    server = server_with(*LOOSE, "--idle-timeout", "2")
    key = new_key()

    async def scenario():
        player = await Player.join(server.port, key)
        await play_a_turn_then_undo(player)
        await ring_becomes(saves_of(server, key), [1])
        await player.wait_closed(timeout=30)
        assert "without a key pressed" in player.shown()
        assert "Autosaved." in player.shown()

    run(scenario())
    assert autosave_turns(saves_of(server, key)) == [0, 1]  # the undone state was saved before closing


def test_sigterm_autosaves_every_game_tells_every_player_and_exits_cleanly(server_with):
    server = server_with(*LOOSE)
    keys = [new_key() for _ in range(3)]

    async def scenario():
        players = [await Player.join(server.port, key) for key in keys[:2]]
        plain = await Player.join(server.port, keys[2], size=None)  # a plain-mode game too
        for player in players:
            await play_a_turn_then_undo(player)
        await plain.wait_for_prompt(0)
        mark = plain.mark()
        plain.type("1\n")
        await plain.wait_for_prompt(mark)
        mark = plain.mark()
        plain.type("undo\n")
        await plain.wait_for_prompt(mark)
        for key in keys:
            await ring_becomes(saves_of(server, key), [1])
        server.proc.send_signal(signal.SIGTERM)
        for player in [*players, plain]:
            await player.wait_closed()
            assert "The server is shutting down." in player.shown()
            assert "Autosaved." in player.shown()
            assert player.process.exit_status == 0

    run(scenario())
    assert server.proc.wait(timeout=WAIT) == 0  # it stops by itself, cleanly
    server.wait_for_line("autosaving 3 games")
    for key in keys:
        assert autosave_turns(saves_of(server, key)) == [0, 1]


def test_ctrl_c_on_the_server_does_the_same(server_with):
    server = server_with(*LOOSE)
    key = new_key()

    async def scenario():
        player = await Player.join(server.port, key)
        await play_a_turn_then_undo(player)
        await ring_becomes(saves_of(server, key), [1])
        server.proc.send_signal(signal.SIGINT)
        await player.wait_closed()
        assert "The server is shutting down." in player.shown()

    run(scenario())
    assert server.proc.wait(timeout=WAIT) == 0
    assert autosave_turns(saves_of(server, key)) == [0, 1]


def test_a_dropped_connection_keeps_the_last_autosave_and_reconnecting_continues(server_with):
    server = server_with(*LOOSE)
    key = new_key()

    async def scenario():
        player = await Player.join(server.port, key)
        await player.wait_for("New case")
        player.type("1" + ENTER)
        await player.wait_for("The office smells")
        player.type("1" + ENTER)
        await player.wait_for("A red collar")
        await ring_becomes(saves_of(server, key), [1])  # the turn's autosave is on disk
        player.conn.abort()  # the network goes away: no goodbye, no Ctrl-D
        await player.wait_closed()

        back = await Player.join(server.port, key)
        screen = await back.wait_for("Continue:")
        assert "turn 1" in screen
        back.type(ENTER)
        screen = await back.wait_for("Resumed 'autosave' at turn 1.")
        assert "Clues 2/3" in screen  # the receipt and the collar, as before the drop

    run(scenario())


def test_games_that_ended_are_let_go(tmp_path):
    """A server that has served many players keeps none of their games in memory
    (in process, counting the server's own objects after each wave of players)."""
    import asyncio
    import gc
    import io

    import asyncssh
    from sshkit import SAMPLE, WAIT

    from game.serve.limits import Limits
    from game.serve.server import GameHost, ServeConfig, shutdown, start

    def alive() -> int:
        gc.collect()
        return sum(type(o).__name__ in ("GameChannel", "TerminalUI", "HostedSession", "Connection")
                   for o in gc.get_objects())

    async def visit(port: int, plain: bool) -> None:
        async with asyncssh.connect("127.0.0.1", port, username="p", client_keys=[new_key()], known_hosts=None,
                                    config=None, agent_path=None) as conn:
            process = await (conn.create_process() if plain else
                             conn.create_process(term_type="xterm", term_size=(80, 24)))
            await asyncio.wait_for(process.stdout.read(100), WAIT)
            process.stdin.write("1\r")
            await asyncio.wait_for(process.stdout.read(100), WAIT)
            process.stdin.write_eof() if plain else process.stdin.write("\x04")
            await asyncio.wait_for(process.wait_closed(), WAIT)

    async def scenario() -> list[int]:
        limits = Limits(connects_per_minute=1000, max_per_address=100)
        host = GameHost(ServeConfig(story=SAMPLE, data=tmp_path / "data", port=0, limits=limits), io.StringIO())
        acceptor = await start(host, asyncssh.generate_private_key("ssh-ed25519"))
        counts = []
        try:
            for wave in range(3):
                await asyncio.gather(*(visit(acceptor.get_port(), i % 2 == 0) for i in range(4 + 4 * wave)))
                deadline = asyncio.get_running_loop().time() + WAIT
                # The server notices the goodbyes (slowly on a loaded machine: wait as long as a client would).
                while (host.games.live or host.connections) and asyncio.get_running_loop().time() < deadline:
                    await asyncio.sleep(0.05)
                counts.append(alive())
        finally:
            await shutdown(host, acceptor)
        return counts

    first, *later = asyncio.run(scenario())
    assert all(count <= first for count in later), [first, *later]  # 4, 8, 12 players: no growth
