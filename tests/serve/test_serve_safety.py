"""What a stranger cannot do to a real `play.py serve`: run commands, forward ports,
open an agent or X11 channel, exceed the limits, get past the allow list, or
make the server use their user name as a path (docs/SECURITY.md, 'Serving')."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import socket
import stat
import subprocess
import sys
import time

import asyncssh
import pytest
from sshkit import (
    ENTER,
    LOOSE,
    ROOT,
    SAMPLE,
    WAIT,
    Player,
    ServerProcess,
    connect,
    new_key,
    run,
)

pytestmark = pytest.mark.slow


# Every server a test starts here must exit with 0 when stopped (conftest.server_with).
SERVERS_EXIT_CLEANLY = True


def test_exec_subsystem_and_port_forwarding_are_refused(server_with):
    server = server_with(*LOOSE)

    async def scenario():
        conn = await connect(server.port, new_key())
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.run("cat /etc/passwd")  # exec
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.create_process(subsystem="sftp")
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.open_connection("127.0.0.1", server.port)  # ssh -L
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)  # ssh -R
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.open_unix_connection("/run/anything.sock")
        # After all that, the connection still offers exactly one game.
        process = await conn.create_process(term_type="xterm", term_size=(80, 24))
        first = await asyncio.wait_for(process.stdout.read(65536), WAIT)
        assert first
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.create_process(term_type="xterm")  # a second session on the same connection
        conn.close()
        await conn.wait_closed()

    run(scenario())


@pytest.mark.skipif(shutil.which("ssh") is None, reason="needs OpenSSH's ssh client")
def test_x11_forwarding_is_refused_to_openssh(server_with, tmp_path):
    server = server_with(*LOOSE)
    key = tmp_path / "id"
    key.write_text(new_key().export_private_key("openssh").decode())
    key.chmod(0o600)
    result = subprocess.run(
        ["ssh", "-T", "-X", "-p", str(server.port), "-i", str(key), "-o", "IdentitiesOnly=yes",
         "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={tmp_path / 'known'}",
         "-o", "BatchMode=yes", "localhost"],
        input="quit\n", capture_output=True, text=True, timeout=WAIT,
        env={**os.environ, "DISPLAY": "localhost:0"})
    assert "X11 forwarding request failed" in result.stderr
    assert "Autosaved." in result.stdout  # the game itself went on


def test_agent_forwarding_is_refused(tmp_path):
    """In process, to ask the server's side whether it opened an agent socket."""
    from game.serve.limits import Limits
    from game.serve.server import GameHost, ServeConfig, shutdown, start

    async def agent_path_seen(server_port_and_conns) -> list:
        port, conns = server_port_and_conns
        conn = await asyncssh.connect("127.0.0.1", port, username="p", client_keys=[new_key()],
                                      known_hosts=None, config=None, agent_path=str(tmp_path / "agent.sock"),
                                      agent_forwarding=True)
        process = await conn.create_process(term_type="xterm", term_size=(80, 24))
        await asyncio.wait_for(process.stdout.read(1), WAIT)
        paths = [c.get_agent_path() for c in conns()]
        conn.close()
        await conn.wait_closed()
        return paths

    async def scenario():
        host = GameHost(ServeConfig(story=SAMPLE, data=tmp_path / "data", port=0, limits=Limits()), io.StringIO())
        acceptor = await start(host, asyncssh.generate_private_key("ssh-ed25519"))
        try:
            ours = await agent_path_seen((acceptor.get_port(), lambda: [c.conn for c in host.connections]))
        finally:
            await shutdown(host, acceptor)
        assert ours == [None]

        # The same check against a bare asyncssh server that allows agent forwarding sees a socket,
        # so the check above can tell the difference.
        opened = []

        class Open(asyncssh.SSHServer):
            def connection_made(self, conn):
                opened.append(conn)

            def begin_auth(self, username):
                return False

        bare = await asyncssh.create_server(Open, "127.0.0.1", 0, server_host_keys=[new_key()],
                                            agent_forwarding=True, config=None,
                                            process_factory=lambda process: process.stdout.write("x"))
        try:
            theirs = await agent_path_seen((bare.get_port(), lambda: opened))
        finally:
            bare.close()
        assert theirs[0] is not None

    run(scenario())


def test_per_address_limits_hold(server_with):
    server = server_with("--max-per-address", "2", "--connects-per-minute", "4")

    async def scenario():
        first = await Player.join(server.port, new_key())
        second = await Player.join(server.port, new_key())
        await first.wait_for("New case")
        await second.wait_for("New case")
        with pytest.raises(asyncssh.DisconnectError) as refused:
            await connect(server.port, new_key())
        assert "at most 2" in refused.value.reason
        await first.close()
        await asyncio.sleep(0.3)  # the server notices the close
        third = await Player.join(server.port, new_key())  # a slot is free again: the 4th connection this minute
        await third.wait_for("New case")
        await third.close()
        await second.close()
        with pytest.raises(asyncssh.DisconnectError) as fast:
            await connect(server.port, new_key())  # the 5th in a minute, though none is open
        assert "a minute" in fast.value.reason

    run(scenario())
    server.wait_for_line("too many new connections")


def test_total_session_limit_holds(server_with):
    server = server_with(*LOOSE, "--max-sessions", "2")

    async def scenario():
        players = [await Player.join(server.port, new_key()) for _ in range(2)]
        for player in players:
            await player.wait_for("New case")
        with pytest.raises(asyncssh.DisconnectError) as refused:
            await connect(server.port, new_key())
        assert "full" in refused.value.reason

    run(scenario())


def test_a_client_that_never_signs_in_is_dropped_after_the_auth_timeout(server_with):
    server = server_with(*LOOSE, "--auth-timeout", "1")
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
        started = time.monotonic()
        received = b""
        while chunk := sock.recv(4096):  # the server's banner, then nothing until it hangs up
            received += chunk
        waited = time.monotonic() - started
    assert received.startswith(b"SSH-2.0-")
    assert 0.9 <= waited < WAIT


def test_typing_faster_than_the_input_rate_waits_and_loses_nothing(server_with):
    from game.serve.limits import LINE_COST

    rate = 16_000
    server = server_with(*LOOSE, "--input-rate", str(rate))

    async def scenario():
        player = await Player.join(server.port, new_key(), size=None)
        await player.wait_for_prompt(0)
        lines = 1000
        started = time.monotonic()
        mark = player.mark()
        player.type("look\n" * lines + "history\n")
        await player.wait_for("No choices taken yet.", timeout=60)
        waited = time.monotonic() - started
        assert player.text[mark:].count("The office smells of old coffee.") == lines  # every line answered
        return waited

    waited = run(scenario())
    cost, burst = 1000 * (5 + LINE_COST), 2 * rate  # each line: 5 bytes and a line's cost; the burst at once
    assert waited >= (cost - burst) / rate * 0.9


def test_only_keys_on_the_allow_list_play(server_with, tmp_path):
    listed, stranger = new_key(), new_key()
    allow = tmp_path / "allowed_keys"
    allow.write_text("# players\n" + 'no-pty,command="x y" ' + listed.export_public_key().decode() + "\n")
    server = server_with(*LOOSE, "--allow", str(allow))

    async def scenario():
        player = await Player.join(server.port, listed)
        await player.wait_for("New case")
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, stranger)

    run(scenario())


def test_a_broken_allow_list_or_exposed_host_key_stops_the_server_in_one_line(tmp_path):
    allow = tmp_path / "allowed_keys"
    allow.write_text("ssh-ed25519 AAAAnot-a-key\n")
    command = [sys.executable, str(ROOT / "play.py"), "serve", "--port", "0", "--story", str(SAMPLE)]
    result = subprocess.run([*command, "--data", str(tmp_path / "d1"), "--allow", str(allow)],
                            capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert f"{allow}:1: not a public key" in result.stderr

    data = tmp_path / "d2"
    data.mkdir()
    (data / "host_key").write_bytes(new_key().export_private_key())
    (data / "host_key").chmod(0o644)
    result = subprocess.run([*command, "--data", str(data)], capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 2
    assert "others may read it" in result.stderr and "Traceback" not in result.stderr


def test_host_key_is_private_and_its_fingerprint_is_what_clients_see(server_with):
    server = server_with(*LOOSE)
    key_file = server.data / "host_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    async def scenario():
        conn = await connect(server.port, new_key())
        seen = conn.get_server_host_key().get_fingerprint("sha256")
        conn.close()
        await conn.wait_closed()
        return seen

    assert run(scenario()) == server.fingerprint
    first = key_file.read_bytes()
    assert server.stop() == 0
    again = ServerProcess(server.data, *LOOSE)  # a restart keeps the same key
    try:
        assert again.fingerprint == server.fingerprint and key_file.read_bytes() == first
    finally:
        again.stop()


def test_user_names_never_become_paths_and_guests_leave_nothing(server_with):
    server = server_with(*LOOSE, "--guests")
    hostile = "../../../tmp/owned"

    async def scenario():
        keyed = await asyncssh.connect("127.0.0.1", server.port, username=hostile, client_keys=[new_key()],
                                       known_hosts=None, config=None, agent_path=None)
        process = await keyed.create_process(term_type="xterm", term_size=(80, 24))
        await asyncio.wait_for(process.stdout.read(1), WAIT)
        keyed.close()
        guest = await Player.join(server.port, None)  # no key at all
        await guest.wait_for("New case")
        guest.type("1" + ENTER)
        await guest.wait_for("The office smells")
        guest.type("save mine" + ENTER)
        await guest.wait_for("Saved to slot 'mine'.")
        assert any((server.data / "guests").rglob("mine.json"))  # it was kept while they played
        guest.type("\x04")
        await guest.wait_closed()

    run(scenario())
    names = [p.name for p in (server.data / "players").iterdir()]
    assert len(names) == 1 and all(len(n) == 64 and set(n) <= set("0123456789abcdef") for n in names)
    deadline = time.monotonic() + WAIT
    while any((server.data / "guests").iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any((server.data / "guests").iterdir())  # the guest's saves went with them
    assert not os.path.exists("/tmp/owned")
    assert not any("owned" in str(p) for p in server.data.rglob("*"))


def test_without_guests_a_keyless_client_is_refused(server_with):
    server = server_with(*LOOSE)

    async def scenario():
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, None)

    run(scenario())


def test_a_client_that_signs_in_but_opens_no_game_is_closed(server_with):
    server = server_with(*LOOSE, "--auth-timeout", "1")

    async def scenario():
        conn = await connect(server.port, new_key())
        started = time.monotonic()
        await asyncio.wait_for(conn.wait_closed(), WAIT)
        return time.monotonic() - started

    assert run(scenario()) >= 0.9
    server.wait_for_line("signed in")
