"""`play.py serve`: the game over SSH, one shared story, a game per connection.

    GameHost     what every connection shares: the story and its one Engine, the
                 data folder, the limits and their meters, the games in progress
    Connection   one client (asyncssh.SSHServer): admitted by address, identified
                 by its key (or a guest), refused everything but one game session
    serve()      listen, print the host key's fingerprint, run until SIGTERM or
                 Ctrl-C, then autosave and close every game

The Engine keeps no per-call state (tests/test_engine_shared.py), so one
loaded story serves every session at once; each session has its own
Session (playthrough, saves folder). Everything runs on one asyncio loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import random
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import asyncssh

from .. import loader
from ..engine import Engine
from ..safetext import printable
from . import hostkey
from .channel import GameChannel
from .games import Games
from .identity import AllowList, DataFolder, Player
from .limits import DEFAULT_LIMITS, ConnectionGate, Limits

SHUTDOWN_NOTICE = "The server is shutting down."
SHUTDOWN_GRACE = 10.0  # seconds the games get to autosave and say goodbye
MAX_REFUSING = 32  # refused connections waiting to be told why; past this they are just dropped
WINDOW = 64 * 1024  # bytes a client may have in flight to us per channel (asyncssh's default is 2 MB)


@dataclass(frozen=True)
class ServeConfig:
    story: Path
    data: Path
    host: str = "127.0.0.1"
    port: int = 2222
    limits: Limits = DEFAULT_LIMITS
    allow: Path | None = None  # authorized_keys-style allow list; None: any key
    guests: bool = False  # players without a key may play, with saves for the connection only
    workers: int = 1  # game processes; more than one: a parent hands them connections (workers.py)


class GameHost:
    def __init__(self, config: ServeConfig, out: TextIO):
        self.config = config
        self.limits = config.limits
        self.out = out
        self.story = loader.load(config.story).story
        self.engine = Engine(self.story)
        self.data = DataFolder(config.data)
        self.data.prepare()
        self.allow = AllowList.read(config.allow, _public_blob) if config.allow else None
        self.gate = ConnectionGate(self.limits)
        self.games = Games()
        self.connections: set[Connection] = set()
        self.stopping = False
        self.saver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="autosave")  # saving.HostedSession
        self.refusing = 0  # refused connections still shaking hands
        self.name = ""  # "worker 2" in a worker process: said before each line of its log
        self._seeds = random.SystemRandom()

    def new_seed(self) -> int:
        return self._seeds.randrange(2**31)

    def log(self, message: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        who = f"[{self.name}] " if self.name else ""
        self.out.write(f"{stamp} {who}{printable(message, limit=300)}\n")
        self.out.flush()

    def game_over(self, player: Player) -> None:
        self.data.drop_guest(player)


def _public_blob(line: str) -> bytes:
    try:
        return asyncssh.import_public_key(line).public_data
    except (asyncssh.KeyImportError, ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from None


@dataclass
class Ticket:
    """A connection the parent process admitted (or refused) and handed to this worker
    (workers.py): the parent's verdict, and how to tell it the connection is over."""

    refusal: str
    report_closed: Callable[[], None]
    claimed: bool = False  # a Connection took it (it reports the close)
    closed: bool = False

    def done(self) -> None:
        if not self.closed:
            self.closed = True
            self.report_closed()


class Connection(asyncssh.SSHServer):
    """One client connection. The SSH user name is never used for anything.

    Admitted by the host's own gate, or (in a worker process) by the parent's,
    whose verdict comes with the socket as a Ticket."""

    def __init__(self, host: GameHost, ticket: Ticket | None = None):
        self.host = host
        self.ticket = ticket
        if ticket is not None:
            ticket.claimed = True
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "?"
        self.admitted = False
        self.refusal = ""  # why this connection is refused (told the client after the handshake)
        self.key: asyncssh.SSHKey | None = None
        self.player: Player | None = None
        self.sessions = 0  # session channels opened, ever
        self._session_timer: asyncio.TimerHandle | None = None
        self.open_sessions = 0

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "?"
        if self.host.stopping:
            refusal = "the server is shutting down"
        elif self.ticket is not None:
            refusal = self.ticket.refusal  # the parent's gate decided, and logged a refusal
        else:
            refusal = self.host.gate.admit(self.address, time.monotonic())
        if not refusal:
            self.admitted = True
            self.host.connections.add(self)
            return
        if self.ticket is None or self.host.stopping:
            self.host.log(f"refused {self.address}: {refusal}")
        if self.host.refusing >= MAX_REFUSING:
            conn.abort()  # a flood: no handshake, no message
            return
        # Said once the handshake is done: a disconnect before it is only garbage
        # to the client ("banner line contains invalid characters").
        self.refusal = refusal
        self.host.refusing += 1

    def connection_lost(self, exc: Exception | None) -> None:
        if self._session_timer is not None:
            self._session_timer.cancel()  # (and let go of this connection now, not in auth_timeout)
            self._session_timer = None
        if self.admitted:
            self.admitted = False
            if self.ticket is None:
                self.host.gate.release(self.address)
            self.host.connections.discard(self)
        if self.refusal:
            self.refusal = ""
            self.host.refusing -= 1
        if self.player is not None and self.sessions == 0:
            self.host.game_over(self.player)  # a guest folder made for a game never started
        if self.ticket is not None:
            self.ticket.done()  # the parent frees the slot (an open game is still saving: it is
            # counted by the worker's own shutdown, not the parent's limits)

    # -- who: a key, or a guest ----------------------------------------------------------

    def begin_auth(self, username: str) -> bool:
        if self.refusal and self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_TOO_MANY_CONNECTIONS, self.refusal)
        return True  # always authenticate: that is how we learn the player's key

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # asyncssh checks the signature right after this returns True, with no
        # other request in between, so the last key accepted here is the one
        # that authenticated (a key only offered and then not used is replaced
        # by the next one, or cleared by get_kbdint_challenge for a guest).
        if self.host.allow is not None and key.public_data not in self.host.allow:
            return False
        self.key = key
        return True

    def kbdint_auth_supported(self) -> bool:
        return self.host.config.guests

    def get_kbdint_challenge(self, username: str, lang: str, submethods: str) -> bool:
        self.key = None  # no key: a guest, let in without questions
        return self.host.config.guests

    def password_auth_supported(self) -> bool:
        return False

    def auth_completed(self) -> None:
        data = self.host.data
        if self.key is None:
            self.player = data.guest()
        else:
            self.player = data.player(self.key.public_data, hostkey.fingerprint(self.key),
                                      self.key.export_public_key("openssh").decode("ascii", "replace"))
        self.host.log(f"{self.address}: {self.player.describe()} signed in")
        # A connection that signs in but never asks for a game would hold a slot forever.
        self._session_timer = asyncio.get_running_loop().call_later(self.host.limits.auth_timeout,
                                                                    self._expect_session)

    def _expect_session(self) -> None:
        if self.sessions == 0 and self.admitted and self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_BY_APPLICATION, "no game was started")

    # -- what: one game session, nothing else ----------------------------------------------

    def session_requested(self) -> Any:
        if self.player is None or self.open_sessions or self.host.stopping:
            return False  # one session channel at a time per connection
        self.sessions += 1
        self.open_sessions += 1
        return GameChannel(self.host, self.player, self.address, self._session_closed)

    def _session_closed(self) -> None:
        self.open_sessions -= 1

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        return False  # no port forwarding (ssh -L, -D)

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return False  # no remote forwarding (ssh -R)

    def unix_connection_requested(self, dest_path: str) -> bool:
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        return False

    def tun_requested(self, unit: int | None) -> bool:
        return False

    def tap_requested(self, unit: int | None) -> bool:
        return False


def server_options(host: GameHost, key: asyncssh.SSHKey) -> dict[str, Any]:
    """asyncssh's options for every connection, listened for here or handed to a worker."""
    limits = host.limits
    return dict(
        server_host_keys=[key],
        authorized_client_keys=None,
        login_timeout=limits.auth_timeout,
        keepalive_interval=30, keepalive_count_max=3,  # a vanished client is noticed within ~2 minutes
        agent_forwarding=False, x11_forwarding=False,
        line_editor=False,  # prompt-toolkit (or plain mode) reads the keys itself
        encoding="utf-8", errors="replace",  # broken UTF-8 typed is U+FFFD, not a dropped connection
        window=WINDOW,
        allow_scp=False,
        config=None,  # no ssh config file is read
    )


async def start(host: GameHost, key: asyncssh.SSHKey) -> asyncssh.SSHAcceptor:
    return await asyncssh.create_server(lambda: Connection(host), host.config.host, host.config.port,
                                        **server_options(host, key))


async def run(host: GameHost, key: asyncssh.SSHKey) -> int:
    acceptor = await start(host, key)
    port = acceptor.get_port()  # the one the system chose, with --port 0
    host.log(f"serving {host.story.title!r} on {host.config.host} port {port}")
    host.log(f"host key fingerprint {hostkey.fingerprint(key)}")
    host.log(f"players connect with: ssh -p {port} {shown_host(host.config.host)}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    watch = asyncio.create_task(watch_idle(host))
    try:
        await stop.wait()
    finally:
        watch.cancel()
        await shutdown(host, acceptor)
    return 0


def shown_host(host: str) -> str:
    return "localhost" if host in ("127.0.0.1", "::1", "", "0.0.0.0", "::") else host


async def shutdown(host: GameHost, acceptor: asyncssh.SSHAcceptor | None,
                   announce: Callable[[int], None] | None = None) -> None:
    """Stop listening, autosave and close every game (telling each player), then go.
    announce(games): a worker tells the parent, which logs the sum (None: log it here)."""
    host.stopping = True
    if acceptor is not None:
        acceptor.close()
    games = len(host.games.live)
    if announce is None:
        host.log(f"shutting down: autosaving {games} game{'s' * (games != 1)}")
    else:
        announce(games)
    host.games.stop_all(SHUTDOWN_NOTICE)
    deadline = time.monotonic() + SHUTDOWN_GRACE
    while host.games.live and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for connection in list(host.connections):
        if connection.conn is not None:
            connection.conn.close()
    if acceptor is not None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(acceptor.wait_closed(), timeout=2.0)
    else:  # a worker: wait for its connections to be gone
        deadline = time.monotonic() + 2.0
        while host.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    if announce is None:
        host.log("stopped")


async def watch_idle(host: GameHost) -> None:
    limits = host.limits
    period = max(0.2, min(limits.idle_timeout / 4, 10.0))
    while True:
        await asyncio.sleep(period)
        now = time.monotonic()
        stopped = host.games.stop_idle(limits.idle_timeout, now)
        if stopped:
            host.log(f"closed {stopped} idle game{'s' * (stopped != 1)}")
        host.gate.forget_old(now)


# A full collection of the cycle collector walks every live object of every game in the
# process: 100 to 150 ms with 50 games, and every keystroke in flight waits for it. Under
# load the default thresholds ran one every 10 s or so, which made the keystrokes' p99
# (bench/serve_load.py: 104 ms -> 20 ms at 100 players, docs/PERFORMANCE.md). Ten times
# rarer; the younger generations, which free a finished game's cycles, are unchanged.
FULL_COLLECTIONS_RARER = 10


def serve(config: ServeConfig, out: TextIO | None = None) -> int:
    """Load the story, make or read the host key, serve until stopped; the exit code.
    With config.workers > 1, in that many processes behind one listener (workers.py)."""
    out = out or sys.stdout
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, full * FULL_COLLECTIONS_RARER)  # the workers inherit it
    host = GameHost(config, out)
    key, made = hostkey.load_or_create(host.data.root / hostkey.HOST_KEY_NAME)
    if made:
        host.log(f"made a new host key: {host.data.root / hostkey.HOST_KEY_NAME}")
    try:
        if config.workers > 1:
            from .workers import serve_with_workers

            return serve_with_workers(host, key)
        return asyncio.run(run(host, key))
    except OSError as exc:  # the port is taken, the address is not ours...
        from ..errors import UsageError

        raise UsageError(f"cannot listen on {config.host} port {config.port}: {exc.strerror or exc}") from None
    finally:
        host.saver.shutdown(wait=True)  # every game has flushed its autosave by now; this is a last guard
