"""The server's host key: made on first start in the data folder, private to its owner.

A host key is what lets returning players know it is the same server (their
ssh client remembers it in known_hosts). It is an Ed25519 key (small, fast,
accepted by every current client), written with mode 0600 through os.open,
so it is never readable by others even for an instant. A key file that others
can read, or that is not a regular file, is refused, as OpenSSH refuses an
unprotected private key: the operator fixes it (chmod 600) instead of the
server quietly serving with a key that may have leaked.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncssh

from ..errors import UsageError
from ..safetext import printable

HOST_KEY_NAME = "host_key"
KEY_TYPE = "ssh-ed25519"


def load_or_create(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The host key at path, made first if there is none; (key, made_now)."""
    made = False
    if not os.path.lexists(path):
        key = asyncssh.generate_private_key(KEY_TYPE, comment="play.py serve host key")
        data = key.export_private_key("openssh")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            pass  # another server made it a moment ago: read theirs below
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            made = True
    where = printable(str(path))
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"host key {where}: not a regular file")
    if os.name == "posix" and info.st_mode & 0o077:
        raise UsageError(f"host key {where}: others may read it (mode {stat.S_IMODE(info.st_mode):04o}); "
                         f"run 'chmod 600 {where}', or delete it to make a new one")
    try:
        return asyncssh.read_private_key(path), made
    except (OSError, asyncssh.KeyImportError) as exc:
        raise UsageError(f"host key {where}: cannot be read: {exc}") from None


def fingerprint(key: asyncssh.SSHKey) -> str:
    """'SHA256:...', as ssh-keygen -lf and a connecting client show it."""
    return key.get_fingerprint("sha256")
