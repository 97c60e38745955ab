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
    input_rate: int = 1024  # bytes a second one session may type (lines cost more: InputMeter)
    max_columns: int = 300  # a larger terminal is drawn at this width
    max_rows: int = 100  # ... and this height
    max_saves: int = 50  # named saves one player may keep (overwriting one is always allowed)

    @property
    def input_burst(self) -> int:
        return max(2048, self.input_rate * 2)


LINE_COST = 64  # an Enter costs as much as 64 typed bytes: each one runs a command


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
    """A token bucket over what one session types: rate bytes a second, bursts up to
    burst bytes, and each line end costing LINE_COST more (a line runs a command,
    which costs the server far more than a key). admit() says how much of the
    typed text may go to the game now; the rest waits, and the server stops
    reading the channel meanwhile (SSH flow control makes the client wait), so
    nothing typed is lost, it only arrives more slowly."""

    def __init__(self, rate: int, burst: int, now: float):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now

    def admit(self, text: str, now: float) -> tuple[int, float]:
        """(how many characters of text may go in now, seconds until the next may)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        for index, char in enumerate(text):
            cost = 1 + LINE_COST if char in "\r\n" else 1
            if cost > self.tokens:
                return index, (cost - self.tokens) / self.rate
            self.tokens -= cost
        return len(text), 0.0


def clamp_size(columns: int, rows: int, limits: Limits) -> tuple[int, int]:
    """The size to draw at: the client's, within the limits; 80x24 when it says 0 (unknown)."""
    columns = columns if columns > 0 else 80
    rows = rows if rows > 0 else 24
    return max(1, min(columns, limits.max_columns)), max(1, min(rows, limits.max_rows))
