"""An advisory lock on a file, shared by every process, that never waits forever.

Two games playing from the same saves folder must not move the autosave ring
at the same time (saves.autosave). This is the lock they take around it:

- POSIX: ``fcntl.flock`` on a lock file. Windows: ``msvcrt.locking`` on its
  first byte. Either way the system drops the lock when its process dies, so
  a crash or a SIGKILL never leaves the folder locked.
- It is tried without blocking, every few milliseconds, until ``timeout``
  seconds have passed; then ``TimeoutError``. (A blocking lock with an alarm
  would need signals, which only work in the main thread.)
- Where neither module exists, or the file system cannot lock (some network
  mounts say ENOLCK), it does not lock at all: the ring then behaves as it
  did before locks, which is still safe for one process at a time.

The lock file is created on first use and left in place: deleting it would let
a process that opened it just before the deletion lock a file nobody else can
find.

Why not the `filelock` package, which does the same locking: its Unix lock
opens the lock file with O_TRUNC and follows links, so a link planted under
the lock's name in a shared saves folder would truncate whatever it points
at. A saves folder is untrusted input (docs/SECURITY.md); here the file is
opened with O_NOFOLLOW, never truncated, and must be a regular file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

_fcntl: ModuleType | None
_msvcrt: ModuleType | None
try:
    import fcntl as _fcntl
except ImportError:  # Windows
    _fcntl = None
try:
    import msvcrt as _msvcrt
except ImportError:  # everywhere else
    _msvcrt = None

POLL_SECONDS = 0.005
# flock/locking errors that mean "another process holds it"; any other (ENOLCK on
# some network mounts, EOPNOTSUPP...) means "this file system cannot lock"
_HELD = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK}
_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
    | getattr(os, "O_BINARY", 0)


@contextlib.contextmanager
def exclusive(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on path (created if missing) for the with-block.

    TimeoutError if another process holds it for longer than timeout seconds;
    OSError if the lock file cannot be opened (a read-only folder, a file in
    the way) or is not a regular file.
    """
    fd = _open(path)
    try:
        if not _is_regular(fd):  # a FIFO or a device planted under the lock's name
            raise OSError(errno.EINVAL, f"{path.name} is not a regular file")
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{path} is locked by another process")
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _open(path: Path) -> int:
    try:
        try:
            return os.open(path, _OPEN_FLAGS, 0o666)  # O_NOFOLLOW: a planted link is refused, never followed
        except PermissionError:  # another user's lock file in a shared folder: reading is enough to lock
            return os.open(path, _OPEN_FLAGS & ~(os.O_RDWR | os.O_CREAT) | os.O_RDONLY)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, f"{path.name} is a link, not a plain file") from None
        raise


def _is_regular(fd: int) -> bool:
    return stat.S_ISREG(os.fstat(fd).st_mode)


def _try_lock(fd: int) -> bool:
    """True when the lock is ours (or locking is not possible here); False when another holds it."""
    try:
        if _fcntl is not None:
            _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
        elif _msvcrt is not None:
            os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks bytes from the file position
            _msvcrt.locking(fd, _msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        return exc.errno not in _HELD
    return True


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):  # closing the file drops the lock anyway
        if _fcntl is not None:
            _fcntl.flock(fd, _fcntl.LOCK_UN)
        elif _msvcrt is not None:
            os.lseek(fd, 0, os.SEEK_SET)
            _msvcrt.locking(fd, _msvcrt.LK_UNLCK, 1)
