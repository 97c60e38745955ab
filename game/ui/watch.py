"""Live reload (`play.py --watch`): notice edited story files and reload them mid-game.

StoryWatcher polls the modification times of the story's files (standard
library only: polling a few dozen files costs microseconds, and needs no
platform-specific notifier). LiveReload ties it to a Session: poll() loads
the edited story (parsing again only the files whose text changed: a
loader.ParseCache) and, if it has no errors, hands it to Session.reload,
which replays the playthrough's log on it; if it has errors, the old story
keeps playing and the errors are returned, one line each with path:line:col.

Any UI can use it: call poll() before each prompt and after each input line
(or on a timer) and show the lines of the event it returns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import loader
from .render import Line
from .session import ReloadResult, Session

MAX_ERRORS_SHOWN = 20
SETTLE_SECONDS = 0.05  # editors often write a file in more than one step


class StoryWatcher:
    """Notices when any story file under root is added, removed or rewritten."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._seen = self._scan()

    def _scan(self) -> dict[str, tuple[int, int]]:
        found = {}
        if not self.root.is_dir():
            return found
        for path in loader.story_files(self.root):
            try:
                info = path.stat()
            except OSError:  # removed between listing and stat: the next scan sees it gone
                continue
            found[path.as_posix()] = (info.st_mtime_ns, info.st_size)
        return found

    def changed(self) -> bool:
        """True once per change (a burst of writes counts as one)."""
        now = self._scan()
        if now == self._seen:
            return False
        while True:  # wait until the editor has finished writing
            time.sleep(SETTLE_SECONDS)
            settled = self._scan()
            if settled == now:
                break
            now = settled
        self._seen = now
        return True


@dataclass
class ReloadEvent:
    """What a poll found: a reload (with its result) or an edit that does not load."""

    lines: list[Line] = field(default_factory=list)
    result: ReloadResult | None = None  # None: the edited story has errors; the old one keeps playing
    errors: list[str] = field(default_factory=list)  # path:line:col: error: message

    @property
    def reloaded(self) -> bool:
        return self.result is not None


class LiveReload:
    def __init__(self, session: Session, root: Path, watcher: StoryWatcher | None = None):
        self.session = session
        self.root = Path(root)
        self.watcher = watcher or StoryWatcher(self.root)
        self.cache = loader.ParseCache()  # an edit re-parses only the files it changed

    def poll(self) -> ReloadEvent | None:
        """None if nothing changed; otherwise what happened, with lines to show."""
        if not self.watcher.changed():
            return None
        story, diagnostics = loader.check(self.root, self.cache)
        if story is None:
            errors = [str(d) for d in diagnostics if d.severity == "error"]
            lines: list[Line] = [("class:error", f"The edited story has {len(errors)} "
                                  f"error{'s' * (len(errors) != 1)}; still playing the previous version:")]
            lines.extend(("class:item", e) for e in errors[:MAX_ERRORS_SHOWN])
            if len(errors) > MAX_ERRORS_SHOWN:
                lines.append(("class:item", f"... and {len(errors) - MAX_ERRORS_SHOWN} more; "
                              "run 'play.py check' for all"))
            return ReloadEvent(lines, None, errors)
        result = self.session.reload(story)
        style = "class:notice" if result.fits else "class:error"
        return ReloadEvent([(style, result.message())], result)
