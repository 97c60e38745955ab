"""`play.py serve --workers N`: the games in N processes behind one listening parent.

One process runs its games on one asyncio loop, so on one core at most, and
a keystroke's redraw costs milliseconds of CPU (docs/PERFORMANCE.md). To use
every core of the machine:

    parent (Dispatcher)   listens, accepts each TCP connection and applies the
                          connection limits with one gate for the whole server
                          (in all, per address, per address per minute), so N
                          workers hold exactly the limits one process does;
                          then hands the socket to the worker with the fewest
                          connections (socket.send_fds over a Unix socket
                          pair) with the verdict: admitted, or refused and why
    worker (run_worker)   runs the SSH session on the socket it was handed
                          (asyncssh.run_server), as the one-process server
                          does (server.Connection, with the parent's Ticket):
                          the refused are told why after the handshake; it
                          tells the parent when each connection has ended, so
                          the slot is free again

The workers are forked once the story is loaded, the host key read or made
and the data folder ready: one story load, one host key, one error message
if anything is wrong. Each worker runs its own idle watch and autosaves on its
own threads; saves are safe across processes as they are across servers
(game/savelock.py: a player's folder is locked while written).

Stopping: SIGTERM or Ctrl-C to the parent (Ctrl-C in a terminal reaches every
process of the group; SIGTERM to the parent alone is passed on) stops
listening and tells every worker to stop; each autosaves its games, tells
its players, and exits; the parent logs the total and waits for them. A
worker whose parent is gone (its socket pair reads end-of-file) stops the
same way. A worker that dies frees its connections' slots; the others carry
on. Linux only (fork, send_fds, SOCK_SEQPACKET); elsewhere the server is one
process (options.default_workers).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import multiprocessing
import signal
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import asyncssh

from . import hostkey
from .server import (
    MAX_REFUSING,
    SHUTDOWN_GRACE,
    Connection,
    GameHost,
    Ticket,
    server_options,
    shown_host,
    shutdown,
    watch_idle,
)

MESSAGE_BYTES = 4096
REPORT_WAIT = 3.0  # seconds the parent waits for the workers to say how many games they are saving
EXIT_WAIT = SHUTDOWN_GRACE + 5.0  # ... and for them to finish


@dataclass
class Worker:
    number: int
    process: Any  # multiprocessing.Process
    control: socket.socket  # the parent's end of the pair
    tickets: dict[int, tuple[str, bool]] = field(default_factory=dict)  # id -> (address, admitted)
    saving: int | None = None  # games it said it is autosaving, once it stops
    alive: bool = True


def listen(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for every address host names (as asyncio's create_server),
    all on one port (the first one's, when port is 0)."""
    listeners: list[socket.socket] = []
    seen = set()
    try:
        for family, kind, proto, _, address in socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                                   flags=socket.AI_PASSIVE):
            if (family, address[0]) in seen:
                continue
            seen.add((family, address[0]))
            sock = socket.socket(family, kind, proto)
            listeners.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if listeners[0] is not sock:
                address = (address[0], listeners[0].getsockname()[1], *address[2:])
            sock.bind(address)
            sock.listen(512)
            sock.setblocking(False)
    except OSError:
        for sock in listeners:
            sock.close()
        raise
    return listeners


def serve_with_workers(host: GameHost, key: asyncssh.SSHKey) -> int:
    config = host.config
    listeners = listen(config.host, config.port)
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(config.workers)]
    context = multiprocessing.get_context("fork")
    workers = []
    host.out.flush()
    # Everything made so far (the story, the engine, the modules) lives as long as the server:
    # frozen, the workers' cycle collector never scans it again, nor touches (and so copies)
    # the memory they share with the parent (the gc module's documentation advises this).
    gc.freeze()
    for number, (mine, theirs) in enumerate(pairs, start=1):
        process = context.Process(target=_worker_main, name=f"serve worker {number}",
                                  args=(host, key, number, theirs, [*listeners, *(s for p in pairs for s in p)]))
        process.start()
        workers.append(Worker(number, process, mine))
    for _, theirs in pairs:
        theirs.close()
    try:
        return asyncio.run(Dispatcher(host, key, listeners, workers).run())
    finally:
        for sock in listeners:
            sock.close()
        for worker in workers:
            worker.control.close()
            worker.process.join(timeout=1.0)
            if worker.process.is_alive():
                worker.process.kill()


class Dispatcher:
    """The parent: accept, admit by the one gate, hand over, free slots as workers report."""

    def __init__(self, host: GameHost, key: asyncssh.SSHKey, listeners: list[socket.socket],
                 workers: list[Worker]):
        self.host = host
        self.key = key
        self.gate = host.gate
        self.listeners = listeners
        self.workers = workers
        self.ids = itertools.count(1)
        self.refusing = 0
        self.stop = asyncio.Event()
        self.stopping = False

    async def run(self) -> int:
        host = self.host
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.stop.set)
        for worker in self.workers:
            worker.control.setblocking(False)
            loop.add_reader(worker.control.fileno(), self._hear, worker)
        port = self.listeners[0].getsockname()[1]
        host.log(f"serving {host.story.title!r} on {host.config.host} port {port}, "
                 f"in {len(self.workers)} worker processes")
        host.log(f"host key fingerprint {hostkey.fingerprint(self.key)}")
        host.log(f"players connect with: ssh -p {port} {shown_host(host.config.host)}")
        accepting = [asyncio.create_task(self._accept(sock)) for sock in self.listeners]
        forgetting = asyncio.create_task(self._forget())
        try:
            await self.stop.wait()
        finally:
            for task in [*accepting, forgetting]:
                task.cancel()
            await self._shutdown()
        return 0 if all(w.process.exitcode in (0, None) for w in self.workers) else 1

    async def _accept(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                sock, peer = await loop.sock_accept(listener)
            except OSError as exc:  # out of file descriptors, a reset before accept...
                self.host.log(f"accept failed: {exc}")
                await asyncio.sleep(0.1)
                continue
            with sock:  # the worker has its own copy once handed over
                self._hand_over(sock, str(peer[0]) if peer else "?")

    def _hand_over(self, sock: socket.socket, address: str) -> None:
        refusal = self.gate.admit(address, time.monotonic())
        if refusal:
            self.host.log(f"refused {address}: {refusal}")
            if self.refusing >= MAX_REFUSING:
                return  # a flood: no handshake, no message (closed on return)
        live = [w for w in self.workers if w.alive]
        if not live:
            if not refusal:
                self.gate.release(address)
            return
        worker = min(live, key=lambda w: (len(w.tickets), w.number))
        ticket = next(self.ids)
        message = json.dumps({"id": ticket, "refusal": refusal}).encode()
        try:
            socket.send_fds(worker.control, [message], [sock.fileno()])
        except OSError as exc:  # the worker is gone or stuck: this client is dropped, its slot freed
            self.host.log(f"could not hand a connection to worker {worker.number}: {exc}")
            if not refusal:
                self.gate.release(address)
            return
        worker.tickets[ticket] = (address, not refusal)
        if refusal:
            self.refusing += 1

    def _hear(self, worker: Worker) -> None:
        try:
            data = worker.control.recv(MESSAGE_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._lost(worker)
            return
        message = json.loads(data)
        if "closed" in message:
            self._closed(worker, message["closed"])
        if "saving" in message:
            worker.saving = int(message["saving"])

    def _closed(self, worker: Worker, ticket: int) -> None:
        found = worker.tickets.pop(ticket, None)
        if found is None:
            return
        address, admitted = found
        if admitted:
            self.gate.release(address)
        else:
            self.refusing -= 1

    def _lost(self, worker: Worker) -> None:
        """A worker's end closed: it exited (stopping) or died. Its connections' slots are free."""
        worker.alive = False
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(worker.control.fileno())
        for ticket in list(worker.tickets):
            self._closed(worker, ticket)
        if not self.stopping:
            if worker.saving is None:  # (a worker that said it is saving was stopped by a signal of its own)
                self.host.log(f"worker {worker.number} stopped unexpectedly; its players were disconnected")
            if not any(w.alive for w in self.workers):
                self.stop.set()

    async def _forget(self) -> None:
        while True:
            await asyncio.sleep(10.0)
            self.gate.forget_old(time.monotonic())

    async def _shutdown(self) -> None:
        self.stopping = True
        for sock in self.listeners:
            sock.close()
        for worker in self.workers:
            if worker.alive:
                with contextlib.suppress(OSError):
                    worker.control.send(json.dumps({"stop": True}).encode())
        deadline = time.monotonic() + REPORT_WAIT
        while any(w.alive and w.saving is None for w in self.workers) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        games = sum(w.saving or 0 for w in self.workers)
        self.host.log(f"shutting down: autosaving {games} game{'s' * (games != 1)}")
        deadline = time.monotonic() + EXIT_WAIT
        while any(w.process.is_alive() for w in self.workers) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for worker in self.workers:
            if worker.process.is_alive():
                self.host.log(f"worker {worker.number} did not stop in time; killed")
                worker.process.kill()
        self.host.log("stopped")


# -- the worker side ------------------------------------------------------------------


def _worker_main(host: GameHost, key: asyncssh.SSHKey, number: int, control: socket.socket,
                 inherited: list[socket.socket]) -> None:
    for sock in inherited:  # the listeners and the other pairs are the parent's business
        if sock is not control:
            sock.close()
    host.name = f"worker {number}"
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # until the loop's own handlers are set
    try:
        asyncio.run(run_worker(host, key, control))
    finally:
        host.saver.shutdown(wait=True)


async def run_worker(host: GameHost, key: asyncssh.SSHKey, control: socket.socket) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    options = await asyncssh.SSHServerConnectionOptions.construct(**server_options(host, key))  # once, not per client
    sessions: set[asyncio.Task[None]] = set()

    def tell(message: dict[str, Any]) -> None:
        # A blocking send: the parent reads at once, and a lost "closed" would hold a slot forever.
        with contextlib.suppress(OSError):  # the parent is gone: nobody to tell
            control.send(json.dumps(message).encode())

    def hear() -> None:
        try:
            data, fds, _, _ = socket.recv_fds(control, MESSAGE_BYTES, 4, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:
            data, fds = b"", []
        if not data:  # the parent is gone: stop as on SIGTERM
            loop.remove_reader(control.fileno())
            stop.set()
            return
        message = json.loads(data)
        if message.get("stop"):
            stop.set()
        for fd in fds[1:]:
            socket.close(fd)
        if fds:
            number = message["id"]
            ticket = Ticket(message.get("refusal", ""), lambda: tell({"closed": number}))
            task = loop.create_task(_serve_one(host, options, socket.socket(fileno=fds[0]), ticket))
            sessions.add(task)
            task.add_done_callback(sessions.discard)

    loop.add_reader(control.fileno(), hear)
    watch = asyncio.create_task(watch_idle(host))
    try:
        await stop.wait()
    finally:
        watch.cancel()
        await shutdown(host, None, announce=lambda games: tell({"saving": games}))
        for task in sessions:
            task.cancel()


async def _serve_one(host: GameHost, options: Any, sock: socket.socket, ticket: Ticket) -> None:
    try:
        await asyncssh.run_server(sock, config=None, options=options,
                                  server_factory=lambda: Connection(host, ticket))
    except Exception:  # a client that failed its handshake or sign-in: nothing to do
        pass
    finally:
        if not ticket.claimed:  # it never became a Connection (which reports its own close)
            sock.close()
            ticket.done()
