"""`play.py serve`'s flags: where, what, who, and every limit (defaults in limits.Limits).

No asyncssh here, so `play.py --help` works without the [serve] extra.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
from pathlib import Path

from ..errors import UsageError
from .limits import DEFAULT_LIMITS, Limits

DEFAULT_PORT = 2222
MISSING_EXTRA = ("serving needs the [serve] extra: .venv/bin/pip install -e '.[serve]' "
                 "(asyncssh is not installed)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < 10**7:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {value}")
    return value


MAX_INPUT_RATE = 16384  # bytes a second; past this a burst could fill prompt-toolkit's 64 KB input pipe


def _rate(text: str) -> int:
    value = _count(text)
    if value > MAX_INPUT_RATE:
        raise argparse.ArgumentTypeError(f"at most {MAX_INPUT_RATE} bytes a second: {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535 (0: any free port): {value}")
    return value


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{1,5})\s*[xX]\s*(\d{1,5})\s*", text)
    if not match or min(int(match[1]), int(match[2])) < 10:
        raise argparse.ArgumentTypeError(f"expected COLUMNSxROWS, each 10 or more, e.g. 300x100: {text!r}")
    return int(match[1]), int(match[2])


def workers_supported() -> bool:
    """Several worker processes need fork, passing sockets between processes and
    sequenced-packet Unix sockets: Linux (game/serve/workers.py)."""
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds") and hasattr(socket, "SOCK_SEQPACKET")


def default_workers() -> int:
    """One worker process per CPU this process may run on; one where workers are not supported."""
    if not workers_supported():
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def add_arguments(parser: argparse.ArgumentParser, default_story: Path, default_data: Path, path: type) -> None:
    d = DEFAULT_LIMITS
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 for every address)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--story", dest="serve_story", type=path, default=default_story,
                        help="story folder (default: story/)")
    parser.add_argument("--data", type=path, default=default_data,
                        help="data folder: host key, players' saves (default: serve-data/)")
    parser.add_argument("--allow", type=path, metavar="FILE",
                        help="only keys in FILE (authorized_keys format) may play (default: any key)")
    parser.add_argument("--guests", action="store_true",
                        help="players without a key may play as guests; their saves last the connection")
    parser.add_argument("--workers", type=_count, default=None, metavar="N",
                        help="game processes, each on its own core; a parent accepts the connections and "
                             "applies the limits for all (default: one per CPU, on Linux; elsewhere 1)")
    parser.add_argument("--auth-timeout", type=_seconds, default=d.auth_timeout, metavar="SECONDS",
                        help=f"time to sign in (default {d.auth_timeout:g})")
    parser.add_argument("--max-sessions", type=_count, default=d.max_sessions, metavar="N",
                        help=f"connections at once, in all (default {d.max_sessions})")
    parser.add_argument("--max-per-address", type=_count, default=d.max_per_address, metavar="N",
                        help=f"connections at once from one address (default {d.max_per_address})")
    parser.add_argument("--connects-per-minute", type=_count, default=d.connects_per_minute, metavar="N",
                        help=f"new connections from one address in a minute (default {d.connects_per_minute})")
    parser.add_argument("--idle-timeout", type=_seconds, default=d.idle_timeout, metavar="SECONDS",
                        help=f"close a game after this long without a key pressed, autosaving first "
                             f"(default {d.idle_timeout:g})")
    parser.add_argument("--input-rate", type=_rate, default=d.input_rate, metavar="BYTES",
                        help=f"bytes a second a player may type, a line counting as 64 more; faster input waits "
                             f"(default {d.input_rate}, at most {MAX_INPUT_RATE})")
    parser.add_argument("--max-saves", type=_count, default=d.max_saves, metavar="N",
                        help=f"named saves one player may keep (default {d.max_saves})")
    parser.add_argument("--max-size", type=_size, default=(d.max_columns, d.max_rows), metavar="COLSxROWS",
                        help=f"largest terminal drawn; a larger one is drawn at this size "
                             f"(default {d.max_columns}x{d.max_rows})")


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(auth_timeout=args.auth_timeout, max_sessions=args.max_sessions,
                  max_per_address=args.max_per_address, connects_per_minute=args.connects_per_minute,
                  idle_timeout=args.idle_timeout, input_rate=args.input_rate,
                  max_columns=args.max_size[0], max_rows=args.max_size[1], max_saves=args.max_saves)


def workers_from(args: argparse.Namespace) -> int:
    if args.workers is None:
        return default_workers()
    if args.workers > 1 and not workers_supported():
        raise UsageError(f"--workers {args.workers}: more than one worker process needs Linux; use --workers 1")
    return args.workers


def require_asyncssh() -> None:
    try:
        import asyncssh  # noqa: F401
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
