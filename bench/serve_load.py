#!/usr/bin/env python3
"""Load on `play.py serve`: `python bench/serve_load.py [--players 10,50,100] [--choices 200]`.

Starts a real server (a child process, the real story, a fresh data folder)
on a loopback port and, for each number of players, connects that many
simulated players at once with asyncssh's client, each with its own key and
an 80x24 pty. Every player plays `--choices` choices: it thinks (a random
time in `--think`), types a choice number, then Enter. For every keystroke
it times keystroke-to-screen: from writing the key to the first bytes of the
screen update that answers it. Reported per level:

- latency p50 / p99 / max over every keystroke (digits and Enters apart too);
- memory per session: (server RSS at the peak with every player connected -
  RSS before they came) / players, and RSS after they all left;
- server CPU: its user+system time over the level's wall time, as % of one core,
  and per keystroke (the figure a busy machine moves least).

The server is `play.py serve` with its default worker processes (one per
CPU) unless `--workers N`; memory and CPU are the parent's and every
worker's together.

Numbers are random from 1 to 4, so some are not choices on screen (the game
answers with an error line, a render like any other); every Enter on a real
choice takes a turn, with its autosave (fsync'd) as in real play.

Targets (docs/PERFORMANCE.md): 100 players with p99 < 100 ms, < 5 MB per
session. Timing goals live here, never in unit tests. The client runs on the
same machine as the server and takes CPU from it; that is part of what is
measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import asyncssh

ROOT = Path(__file__).resolve().parent.parent
P99_TARGET_MS, MB_PER_SESSION_TARGET = 100.0, 5.0
QUIET = 0.15  # seconds without output that mean a screen is fully drawn (before the first key)


@dataclass
class Level:
    players: int
    choices: int
    keystrokes: int = 0
    reconnects: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    enter_p99_ms: float = 0.0
    digit_p99_ms: float = 0.0
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_after_mb: float = 0.0
    mb_per_session: float = 0.0
    cpu_percent: float = 0.0
    cpu_ms_per_key: float = 0.0  # server CPU over the level / keystrokes: the figure least moved by a busy machine
    client_cpu_percent: float = 0.0  # this process: the simulated players' side
    client_lag_p99_ms: float = 0.0  # how late the players' own event loop woke up (their share of the latency)
    wall_s: float = 0.0
    load_average: float = 0.0  # the machine's 1-minute load at the level's end: how shared it was
    failures: list[str] = field(default_factory=list)


def family(pid: int) -> list[int]:
    """The server and its worker processes (play.py serve --workers: children of the first)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [pid, *(int(child) for child in children.read().split())]
    except OSError:
        return [pid]


def rss_mb(pid: int) -> float:
    """The server's resident memory: the parent's and every worker's."""
    total = 0.0
    for member in family(pid):
        with contextlib.suppress(OSError), open(f"/proc/{member}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


def cpu_seconds(pid: int) -> float:
    """The server's user+system CPU time: the parent's and every worker's."""
    total = 0.0
    for member in family(pid):
        with contextlib.suppress(OSError), open(f"/proc/{member}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class Server:
    def __init__(self, data: Path, story: Path, workers: int | None = None):
        profile = ["-m", "cProfile", "-o", os.environ["SERVE_PROFILE"]] if os.environ.get("SERVE_PROFILE") else []
        command = [sys.executable, *profile, str(ROOT / "play.py"), "serve", "--port", "0", "--data", str(data),
                   "--story", str(story), "--max-sessions", "10000", "--max-per-address", "10000",
                   "--connects-per-minute", "100000", "--idle-timeout", "3600", "--auth-timeout", "120",
                   *(["--workers", str(workers)] if workers else [])]  # None: play.py serve's default
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            match = re.search(r"ssh -p (\d+)", line)
            if match:
                self.port = int(match[1])
                break
        else:
            raise SystemExit("the server did not start")
        stdout = self.proc.stdout  # read on, so the server's log never fills the pipe
        threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


class Closed(Exception):
    """The server closed the session (the player chose Quit)."""


class Client:
    """One simulated player."""

    def __init__(self, port: int, rng: random.Random):
        self.port = port
        self.rng = rng
        self.key = asyncssh.generate_private_key("ssh-ed25519")
        self.arrived = asyncio.Event()
        self.last_data = 0.0
        self.samples: list[tuple[str, float]] = []
        self.closed = False
        self.reconnects = 0  # times a random key chose Quit and the player came back

    async def play(self, choices: int, think: tuple[float, float], all_in: asyncio.Event,
                   connected: list[int], players: int) -> None:
        left = choices
        first = True
        while left > 0:  # a random number may pick "Quit" on a title or ending screen: come back
            left = await self._visit(left, think, all_in, connected, players, first)
            first = False
            self.reconnects += 0 if left <= 0 else 1

    async def _visit(self, choices: int, think: tuple[float, float], all_in: asyncio.Event,
                     connected: list[int], players: int, first: bool) -> int:
        """Connect, get into a game, play up to `choices` choices; how many are left."""
        async with asyncssh.connect("127.0.0.1", self.port, username="bench", client_keys=[self.key],
                                    known_hosts=None, agent_path=None, config=None) as conn:
            process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24))
            self.closed = False
            self.arrived.clear()
            reader = asyncio.create_task(self._read(process))
            await self._quiet()
            kept = len(self.samples)
            await self._key(process, "1", "digit")  # the title screen's "New case"
            await self._key(process, "\r", "enter")
            del self.samples[kept:]  # count the game's keys, not the title's
            if first:
                connected[0] += 1
                if connected[0] == players:
                    all_in.set()
                await all_in.wait()  # measure with every player in
            try:
                while choices > 0:
                    await asyncio.sleep(self.rng.uniform(*think))
                    await self._key(process, str(self.rng.randint(1, 4)), "digit")
                    await asyncio.sleep(self.rng.uniform(0.05, 0.15))
                    await self._key(process, "\r", "enter")
                    choices -= 1
                process.stdin.write("\x04")  # Ctrl-D: autosave and leave
                await asyncio.wait_for(process.wait_closed(), 30)
            except Closed:
                pass
            reader.cancel()
            return choices

    async def _read(self, process) -> None:
        while True:
            data = await process.stdout.read(65536)
            if not data:
                self.closed = True
                self.arrived.set()
                return
            self.last_data = time.perf_counter()
            self.arrived.set()

    async def _quiet(self) -> None:
        await asyncio.wait_for(self.arrived.wait(), 60)
        while time.perf_counter() - self.last_data < QUIET:
            await asyncio.sleep(QUIET / 3)

    async def _key(self, process, key: str, kind: str) -> None:
        if self.closed:
            raise Closed
        self.arrived.clear()
        sent = time.perf_counter()
        try:
            process.stdin.write(key)
        except BrokenPipeError:
            raise Closed from None
        await asyncio.wait_for(self.arrived.wait(), 60)
        if self.closed:  # the key ended the game (Quit): the goodbye is not a screen update to time
            raise Closed
        self.samples.append((kind, (self.last_data - sent) * 1000))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


async def run_level(server: Server, players: int, choices: int, think: tuple[float, float], seed: int) -> Level:
    level = Level(players, choices)
    pid = server.proc.pid
    level.rss_before_mb = rss_mb(pid)
    rng = random.Random(seed)
    clients = [Client(server.port, random.Random(rng.random())) for _ in range(players)]
    all_in, connected = asyncio.Event(), [0]
    peak = [level.rss_before_mb]

    async def sample_memory() -> None:
        while True:
            peak[0] = max(peak[0], rss_mb(pid))
            await asyncio.sleep(0.5)

    lags: list[float] = []

    async def sample_lag() -> None:  # the client's loop is late by this much: not the server's doing
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - asked - 0.01) * 1000)

    sampler = asyncio.create_task(sample_memory())
    tasks = []
    for client in clients:  # arrive over a second or two, as people do
        tasks.append(asyncio.create_task(client.play(choices, think, all_in, connected, players)))
        await asyncio.sleep(0.02)
    await all_in.wait()
    cpu0, wall0, mine0 = cpu_seconds(pid), time.perf_counter(), time.process_time()
    lagger = asyncio.create_task(sample_lag())
    results = await asyncio.gather(*tasks, return_exceptions=True)
    level.wall_s = time.perf_counter() - wall0
    level.load_average = os.getloadavg()[0]
    level.cpu_percent = 100 * (cpu_seconds(pid) - cpu0) / level.wall_s
    level.client_cpu_percent = 100 * (time.process_time() - mine0) / level.wall_s
    sampler.cancel()
    lagger.cancel()
    level.client_lag_p99_ms = percentile(lags, 0.99)
    level.failures = [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    await asyncio.sleep(2)  # let the server let go of them
    level.rss_peak_mb = peak[0]
    level.rss_after_mb = rss_mb(pid)
    level.mb_per_session = (level.rss_peak_mb - level.rss_before_mb) / players
    samples = [s for client in clients for s in client.samples]
    every = [ms for _, ms in samples]
    level.keystrokes = len(every)
    level.reconnects = sum(client.reconnects for client in clients)
    level.cpu_ms_per_key = level.cpu_percent / 100 * level.wall_s * 1000 / max(1, level.keystrokes)
    level.p50_ms = percentile(every, 0.50)
    level.p99_ms = percentile(every, 0.99)
    level.max_ms = max(every, default=0.0)
    level.enter_p99_ms = percentile([ms for kind, ms in samples if kind == "enter"], 0.99)
    level.digit_p99_ms = percentile([ms for kind, ms in samples if kind == "digit"], 0.99)
    return level


def table(levels: list[Level]) -> str:
    rows = ["| players | keystrokes | p50 | p99 (digit / Enter) | max | MB per session "
            "| server RSS before / peak / after | server CPU | CPU per key | players' CPU, loop lag p99 | |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for lv in levels:
        verdict = ""
        if lv.players >= 100:
            ok = lv.p99_ms < P99_TARGET_MS and lv.mb_per_session < MB_PER_SESSION_TARGET and not lv.failures
            verdict = "**PASS**" if ok else "**FAIL**"
        rows.append(f"| {lv.players} | {lv.keystrokes:,} | {lv.p50_ms:.1f} ms | {lv.p99_ms:.1f} ms "
                    f"({lv.digit_p99_ms:.1f} / {lv.enter_p99_ms:.1f}) | {lv.max_ms:.0f} ms | "
                    f"{lv.mb_per_session:.2f} | {lv.rss_before_mb:.0f} / {lv.rss_peak_mb:.0f} / "
                    f"{lv.rss_after_mb:.0f} MB | {lv.cpu_percent:.0f}% of a core | {lv.cpu_ms_per_key:.1f} ms | "
                    f"{lv.client_cpu_percent:.0f}%, {lv.client_lag_p99_ms:.0f} ms | {verdict} |")
    return "\n".join(rows)


async def main_async(args: argparse.Namespace) -> list[Level]:
    levels = []
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        server = Server(Path(tmp) / "data", args.story, args.workers)
        try:
            await asyncio.sleep(1.0)  # settle after start-up
            for number, players in enumerate(args.players):
                level = await run_level(server, players, args.choices, args.think, args.seed + number)
                levels.append(level)
                print(f"{players} players: p50 {level.p50_ms:.1f} ms, p99 {level.p99_ms:.1f} ms, "
                      f"{level.mb_per_session:.2f} MB/session, CPU {level.cpu_percent:.0f}% "
                      f"({level.cpu_ms_per_key:.1f} ms a key), load {level.load_average:.1f}"
                      + (f", {len(level.failures)} failed: {level.failures[:3]}" if level.failures else ""),
                      file=sys.stderr, flush=True)
        finally:
            server.stop()
    return levels


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=lambda t: [int(x) for x in t.split(",")], default=[10, 50, 100])
    parser.add_argument("--choices", type=int, default=200)
    parser.add_argument("--think", type=lambda t: tuple(float(x) for x in t.split(",")), default=(1.0, 3.0),
                        help="think time range in seconds, MIN,MAX (default 1,3)")
    parser.add_argument("--story", type=Path, default=ROOT / "story")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--workers", type=int, default=None,
                        help="the server's worker processes (default: play.py serve's own, one per CPU)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    levels = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps({"started": started, "levels": [asdict(lv) for lv in levels]}, indent=2))
    else:
        print(f"serve load, {started}: {args.choices} choices a player, think {args.think[0]:g}-{args.think[1]:g} s")
        print(table(levels))
    return 0 if all(not lv.failures for lv in levels) else 1


if __name__ == "__main__":
    sys.exit(main())
