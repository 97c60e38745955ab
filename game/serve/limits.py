"""What the SSH server allows a stranger: the limits, and the two meters that apply them.

Every limit has a default sane for a small public server and a flag on
`play.py serve` (game/serve/options.py); docs/SECURITY.md lists them with the
test that holds each. Nothing here knows about SSH: the meters take a clock
reading, so they are tested without waiting.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    auth_timeout: float = 20.0  # seconds from TCP connect to authenticated
    max_sessions: int = 100  # connections open at once, in all
    max_per_address: int = 4  # connections open at once from one IP address
    connects_per_minute: int = 12  # new connections from one IP address in any 60 seconds
    idle_timeout: float = 1800.0  # seconds without a key pressed; the game is autosaved, then closed
    input_rate: int = 1024  # bytes a second one session may type (a paste of INPUT_BURST bytes passes at once)
    max_columns: int = 300  # a larger terminal is drawn at this width
    max_rows: int = 100  # ... and this height

    @property
    def input_burst(self) -> int:
        return max(4096, self.input_rate * 4)


DEFAULT_LIMITS = Limits()
WINDOW_SECONDS = 60.0


class ConnectionGate:
    """Admits or refuses a new connection by its address: concurrent connections in
    all and per address, and new connections per address per minute.

    admit() counts an admitted connection until release(); a refused one is
    not counted as open, but it does count towards the per-minute rate (a
    client hammering the port stays refused until it slows down)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.open: dict[str, int] = {}
        self.recent: dict[str, deque[float]] = {}

    @property
    def total(self) -> int:
        return sum(self.open.values())

    def admit(self, address: str, now: float) -> str:
        """'' to admit the connection, else the reason it is refused (one line for the client)."""
        limits = self.limits
        stamps = self.recent.setdefault(address, deque())
        while stamps and now - stamps[0] >= WINDOW_SECONDS:
            stamps.popleft()
        too_fast = len(stamps) >= limits.connects_per_minute
        if len(stamps) < limits.connects_per_minute * 2:  # keep enough to stay refused, not a log of an attack
            stamps.append(now)
        if too_fast:
            return (f"too many new connections from your address (at most {limits.connects_per_minute} "
                    "a minute); try again in a minute")
        if self.open.get(address, 0) >= limits.max_per_address:
            return f"too many games open from your address (at most {limits.max_per_address})"
        if self.total >= limits.max_sessions:
            return "the server is full; try again later"
        self.open[address] = self.open.get(address, 0) + 1
        return ""

    def release(self, address: str) -> None:
        left = self.open.get(address, 0) - 1
        if left > 0:
            self.open[address] = left
        else:
            self.open.pop(address, None)

    def forget_old(self, now: float) -> None:
        """Drop the rate records of addresses not seen for a minute (called now and then)."""
        for address in [a for a, stamps in self.recent.items() if not stamps or now - stamps[-1] >= WINDOW_SECONDS]:
            del self.recent[address]


class InputMeter:
    """A token bucket over the bytes one session types: rate bytes a second, bursts up
    to burst bytes. take() says how long to stop reading so the rate holds; the
    server pauses the channel for that long (SSH flow control makes the client
    wait), so nothing typed is lost, it only arrives more slowly."""

    def __init__(self, rate: int, burst: int, now: float):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now

    def take(self, size: int, now: float) -> float:
        """Count size bytes received; seconds to pause reading (0.0: go on)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= size
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


def clamp_size(columns: int, rows: int, limits: Limits) -> tuple[int, int]:
    """The size to draw at: the client's, within the limits; 80x24 when it says 0 (unknown)."""
    columns = columns if columns > 0 else 80
    rows = rows if rows > 0 else 24
    return max(1, min(columns, limits.max_columns)), max(1, min(rows, limits.max_rows))
