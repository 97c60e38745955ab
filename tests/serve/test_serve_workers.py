"""`play.py serve --workers N`: the games spread over worker processes behind one
listening parent, and everything a one-process server promises still holds for
the whole server: the connection limits count every worker's connections, a
stop autosaves every game in every worker and tells each player, a worker that
dies frees its players' slots. (The other serve tests run with the default,
one worker per CPU: two or more on a CI machine.)"""

from __future__ import annotations

import asyncio
import os
import re
import signal

import asyncssh
import pytest
from sshkit import (
    ENTER,
    LOOSE,
    WAIT,
    Player,
    ServerProcess,
    autosave_turns,
    connect,
    new_key,
    ring_becomes,
    run,
)

from game.serve.identity import key_id

pytestmark = pytest.mark.slow

WORKER = re.compile(r"\[worker (\d+)\] .* signed in")


def saves_of(server: ServerProcess, key):
    return server.data / "players" / key_id(key.public_data) / "saves"


def workers_signed_in(server: ServerProcess) -> list[str]:
    return [m[1] for line in server.lines if (m := WORKER.search(line))]


def worker_pids(server: ServerProcess) -> list[int]:
    with open(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children") as children:
        return [int(pid) for pid in children.read().split()]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_per_address_limits_count_every_worker(server_with, workers):
    server = server_with("--workers", workers, "--max-per-address", "2", "--connects-per-minute", "4")

    async def scenario():
        first = await Player.join(server.port, new_key())
        second = await Player.join(server.port, new_key())
        await first.wait_for("New case")
        await second.wait_for("New case")
        with pytest.raises(asyncssh.DisconnectError) as refused:
            await connect(server.port, new_key())  # a third from this address, whichever worker would get it
        assert "at most 2" in refused.value.reason
        await first.close()
        await asyncio.sleep(0.3)  # the worker tells the parent; the slot is free again
        third = await Player.join(server.port, new_key())  # the 4th this minute
        await third.wait_for("New case")
        await third.close()
        await second.close()
        with pytest.raises(asyncssh.DisconnectError) as fast:
            await connect(server.port, new_key())  # the 5th this minute, though none is open
        assert "a minute" in fast.value.reason

    run(scenario())
    if workers == "2":
        assert sorted(set(workers_signed_in(server))) == ["1", "2"]  # the players were spread over both


def test_stopping_autosaves_every_game_in_every_worker_and_tells_each_player(server_with):
    server = server_with(*LOOSE, "--workers", "2")
    keys = [new_key() for _ in range(4)]

    async def scenario():
        players = [await Player.join(server.port, key) for key in keys]
        for player in players:
            await player.wait_for("New case")
            player.type("1" + ENTER)
            await player.wait_for("The office smells")
            player.type("1" + ENTER)
            await player.wait_for("A red collar")  # turn 1, autosaved
            player.type("undo" + ENTER)
            await player.wait_for("Undid 1 turn")  # turn 0 again: only the stop can save it
        for key in keys:
            await ring_becomes(saves_of(server, key), [1])
        os.killpg(server.proc.pid, signal.SIGINT)  # Ctrl-C in the server's terminal: every process hears it
        for player in players:
            await player.wait_closed()
            assert "The server is shutting down." in player.shown()
            assert "Autosaved." in player.shown()

    run(scenario())
    assert server.proc.wait(timeout=WAIT) == 0
    assert sorted(set(workers_signed_in(server))) == ["1", "2"]
    server.wait_for_line("autosaving 4 games")  # the parent's sum of what each worker saved
    for key in keys:
        assert autosave_turns(saves_of(server, key)) == [0, 1]


def test_a_worker_that_dies_frees_its_slots_and_the_others_carry_on(server_with):
    server = server_with("--workers", "2", "--max-per-address", "2", "--connects-per-minute", "100")

    async def scenario():
        players = [await Player.join(server.port, new_key()) for _ in range(2)]
        for player in players:
            await player.wait_for("New case")
        os.kill(worker_pids(server)[0], signal.SIGKILL)
        for _ in range(int(WAIT / 0.1)):
            if any(player.closed for player in players):
                break
            await asyncio.sleep(0.1)
        dropped = [player for player in players if player.closed]
        assert len(dropped) == 1  # one player on each worker: only the dead one's is gone
        server.wait_for_line("stopped unexpectedly")
        survivor = next(player for player in players if not player.closed)
        survivor.type("1" + ENTER)
        await survivor.wait_for("The office smells")  # the other worker's game goes on
        newcomer = await Player.join(server.port, new_key())  # the dead worker's slot is free again
        await newcomer.wait_for("New case")

    run(scenario())
