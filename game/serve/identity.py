"""Who a player is, and where their games live, in the server's data folder.

A player is the public key they connect with; the SSH user name is ignored
(it never becomes a path, a log line or a save name). The data folder:

    DATA/host_key                   the server's private host key (0600), made on first start
    DATA/players/<id>/saves/        a keyed player's saves, autosaves and endings record
    DATA/players/<id>/key.pub       their public key, so an operator can tell whose folder it is
    DATA/guests/<random>/           a guest's saves while connected; removed when they leave

<id> is the SHA-256 of the key in hex: 64 characters from [0-9a-f], the same
digest `ssh-keygen -lf KEY.pub` prints in base64 ("SHA256:..."). Hex rather
than base64 because base64 differs only in letter case, and two players must
never share a folder on a file system that ignores case.

Nothing here imports asyncssh: keys arrive as (public blob, fingerprint text,
OpenSSH line) and the allow list is parsed by the caller's key parser.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..safetext import printable

PRIVATE_DIR = 0o700
MAX_ALLOW_LIST_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Player:
    """One connected player: keyed (fingerprint set) or a guest (saves last the connection)."""

    saves: Path  # their saves folder
    fingerprint: str = ""  # 'SHA256:...' as ssh-keygen shows it; '' for a guest

    @property
    def guest(self) -> bool:
        return not self.fingerprint

    def describe(self) -> str:
        return self.fingerprint or "a guest"


def key_id(public_blob: bytes) -> str:
    """The folder name for a key: its SHA-256 in hex."""
    return hashlib.sha256(public_blob).hexdigest()


class DataFolder:
    """The server's data folder: host key, players' folders, guests' folders."""

    def __init__(self, root: Path):
        self.root = root
        self.players = root / "players"
        self.guests = root / "guests"

    def prepare(self) -> None:
        """Make the folders (owner-only); clear guests' folders a crash left behind."""
        for folder in (self.root, self.players, self.guests):
            folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(self.root, PRIVATE_DIR)  # the host key lives here
        for leftover in self.guests.iterdir():
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)

    def player(self, public_blob: bytes, fingerprint: str, openssh_line: str) -> Player:
        """The keyed player's folder (made on their first visit)."""
        home = self.players / key_id(public_blob)
        saves = home / "saves"
        saves.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        pub = home / "key.pub"
        if not pub.exists():
            pub.write_text(openssh_line.strip() + "\n", encoding="ascii", errors="replace")
        return Player(saves, fingerprint)

    def guest(self) -> Player:
        """A fresh, empty folder for a guest; remove it with drop_guest."""
        return Player(Path(tempfile.mkdtemp(prefix="guest-", dir=self.guests)))

    def drop_guest(self, player: Player) -> None:
        if player.guest and player.saves.parent == self.guests:
            shutil.rmtree(player.saves, ignore_errors=True)


class AllowList:
    """Keys allowed to play, from a file in OpenSSH's authorized_keys format.

    Each line is '[options] TYPE BASE64 [comment]'; options are ignored (the
    server runs only the game for anyone), blank lines and '#' comments are
    skipped. A line that is not a key is an error naming the file and line,
    so a typo cannot silently lock a player out."""

    def __init__(self, blobs: frozenset[bytes], source: Path):
        self.blobs = blobs
        self.source = source

    def __contains__(self, public_blob: bytes) -> bool:
        return public_blob in self.blobs

    @classmethod
    def read(cls, path: Path, parse_key: Callable[[str], bytes]) -> AllowList:
        """parse_key('TYPE BASE64') returns the key's public blob or raises ValueError."""
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_ALLOW_LIST_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"--allow {printable(str(path))}: cannot read it: {exc.strerror or exc}") from None
        if len(raw) > MAX_ALLOW_LIST_BYTES:
            raise UsageError(f"--allow {printable(str(path))}: larger than 4 MB; not an allow list")
        blobs = set()
        for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            blob = _key_in_line(line, parse_key)
            if blob is None:
                raise UsageError(f"--allow {printable(str(path))}:{number}: not a public key "
                                 "(expected 'TYPE BASE64 [comment]', as in authorized_keys)")
            blobs.add(blob)
        return cls(frozenset(blobs), path)


def _key_in_line(line: str, parse_key: Callable[[str], bytes]) -> bytes | None:
    """The key of an authorized_keys line: the first 'TYPE BASE64' pair that parses
    (options before it may hold quoted spaces, so every word is tried as the type)."""
    words = line.split()
    for i in range(len(words) - 1):
        try:
            return parse_key(f"{words[i]} {words[i + 1]}")
        except ValueError:
            continue
    return None
