"""One story folder open in an editor: its unsaved buffers, its last load, its problems by file.

On each change (debounced by the server) the story is loaded again with the
editor's buffers over the files on disk and a parse cache, so only the
changed file is parsed. When the change keeps the file's skeleton (the ids
it declares, the choices of its scenes, everything outside its scenes) the
load builds only that file's scenes (loader.inspect(only=...)): no other
file's problems can have changed, except pass one's (duplicate ids), which
always runs in full. Otherwise the whole story is built again.

The story-wide findings wait for a save: the loader's warnings about names
nothing uses (they need every scene) and check's analysis (unreachable
scenes, soft-locks, ...; game.tools.analysis). They are shown until the file
they are in changes, and computed again on the next save.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import loader
from ..diagnostics import Diagnostic, Pos, Report
from ..loader import Inspection
from ..loader.cache import Parsed
from ..yamlsrc import Budget, YMap, accept_text, parse_text, read_text
from .index import Index, Recorder


def find_root(path: Path) -> Path | None:
    """The story folder a file belongs to: the nearest folder upward holding story.yaml."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, *folder.parents):
        if (candidate / loader.MANIFEST).is_file():
            return candidate
    return None


@dataclass
class Refresh:
    """What a load changed: the files whose problems are new, and how the load went."""

    files: set[str] = field(default_factory=set)  # display paths to publish
    partial: bool = False
    built: bool = True


class Project:
    def __init__(self, root: Path):
        self.root = Path(os.path.abspath(root))
        self.cache = loader.ParseCache()
        self.overlay: dict[str, str] = {}  # relative posix path -> the editor's text
        self.index = Index()
        self.last: Inspection | None = None  # the last load that built
        self.texts: dict[str, str] = {}  # display path -> text of the last full build
        self.skeletons: dict[str, Any] = {}  # display path -> skeleton at the last full build
        self.first_pass: dict[str, list[Diagnostic]] = {}  # by file, from the latest load
        self.second_pass: dict[str, list[Diagnostic]] = {}  # by file: pass two without story-wide warnings
        self.on_save: dict[str, list[Diagnostic]] = {}  # by file: story-wide warnings and analysis
        self.published: dict[str, list[Diagnostic]] = {}

    # -- files ------------------------------------------------------------

    def relative(self, path: Path) -> str | None:
        """A file's path inside the story as the loader's overlay wants it, or None if outside."""
        try:
            return Path(os.path.abspath(path)).relative_to(self.root).as_posix()
        except ValueError:
            return None

    def display(self, path: Path) -> str:
        return loader.display_path(Path(os.path.abspath(path)))

    def path_of(self, display: str) -> Path:
        """The file a diagnostic's path names (display paths are relative to the working folder)."""
        known = self.last.paths.get(display) if self.last is not None else None
        return Path(os.path.abspath(known if known is not None else display))

    def set_text(self, path: Path, text: str | None) -> None:
        """The editor's text of a file (None: closed, the disk's text counts again)."""
        rel = self.relative(path)
        if rel is None:
            return
        if text is None:
            self.overlay.pop(rel, None)
        else:
            self.overlay[rel] = text

    def text(self, display: str) -> str:
        """A file's text as last loaded."""
        if self.last is not None and display in self.last.texts:
            return self.last.texts[display]
        return self.texts.get(display, "")

    # -- loading ----------------------------------------------------------

    def refresh(self, changed: str | None = None) -> Refresh:
        """Load after an edit of `changed` (a display path; None: load everything)."""
        if changed is not None and self.last is not None and changed in self.texts and self._same_skeleton(changed):
            recorder = Recorder()
            attempt = loader.inspect(self.root, cache=self.cache, overlay=self.overlay, only={changed},
                                     observer=recorder)
            if not attempt.built:
                return self._unbuilt(attempt, changed)
            if self._keeps_skeletons(attempt, changed):
                return self._take_partial(attempt, recorder, changed)
        recorder = Recorder()
        inspection = loader.inspect(self.root, cache=self.cache, overlay=self.overlay, observer=recorder)
        if not inspection.built:
            return self._unbuilt(inspection, changed)
        return self._take_full(inspection, recorder, changed)

    def _same_skeleton(self, changed: str) -> bool:
        """Whether the edited file still shows other files what it showed (parsed once, into the
        cache the load then uses). A file that does not parse is left to the load to report."""
        path = self.path_of(changed)
        rel = self.relative(path)
        text = self.overlay.get(rel) if rel is not None else None
        if text is None:  # closed in the editor: the disk's text, read the way the loader reads it
            if not path.is_file() or path.is_symlink():
                return False  # gone, or not a plain file any more: the whole load will say what is wrong
            text = read_text(path, changed, Report(), Budget())
            if text is None:
                return False
        hit = self.cache.get(changed, text)
        if hit is not None:
            data = hit.data
        else:
            report, budget = Report(), Budget()
            if accept_text(text, changed, report, budget) is None:
                return True
            data = parse_text(text, changed, report, budget)
            if budget.exhausted:
                return True
            self.cache.put(changed, Parsed(text, data, tuple(report.items), budget.used))
        if isinstance(data, YMap) and data.get("shared_choices"):
            return False  # a shared choice's problems are found in the scenes it is offered in, anywhere
        return data is None or skeleton(data) == self.skeletons.get(changed)

    def _keeps_skeletons(self, attempt: Inspection, changed: str) -> bool:
        if set(attempt.texts) != set(self.texts):
            return False
        for display, text in attempt.texts.items():
            if display != changed and text != self.texts[display]:
                return False
        data = attempt.data.get(changed)
        if isinstance(data, YMap) and data.get("shared_choices"):
            return False  # a shared choice's problems are found in the scenes it is offered in, anywhere
        return skeleton(data) == self.skeletons.get(changed)

    def _take_full(self, inspection: Inspection, recorder: Recorder, changed: str | None) -> Refresh:
        self.cache.forget(set(inspection.texts))
        self.index.update(inspection, recorder)
        self.last = inspection
        self.texts = dict(inspection.texts)
        self.skeletons = {display: skeleton(data) for display, data in inspection.data.items()}
        story_wide = set(inspection.story_wide)
        first = set(inspection.first_pass)
        self.first_pass = _by_file(inspection.first_pass)
        self.second_pass = _by_file(d for d in inspection.diagnostics if d not in first and d not in story_wide)
        if changed is not None:
            self.on_save.pop(changed, None)
        return Refresh(self._publishable(), partial=False, built=True)

    def _take_partial(self, attempt: Inspection, recorder: Recorder, changed: str) -> Refresh:
        self.index.update(attempt, recorder, only={changed})
        self.last = attempt
        first = set(attempt.first_pass)
        self.first_pass = _by_file(attempt.first_pass)
        self.second_pass[changed] = [d for d in attempt.diagnostics if d.pos.path == changed and d not in first]
        self.texts[changed] = attempt.texts[changed]  # same skeleton: as good as a full build for the others
        self.on_save.pop(changed, None)
        return Refresh(self._publishable(), partial=True, built=True)

    def _unbuilt(self, attempt: Inspection, changed: str | None) -> Refresh:
        """A file did not parse: what pass one found is shown (all of it: nothing else ran), and
        each other file keeps its problems from the last build while its text is unchanged (names
        declared in the broken file are unknown until it parses, so nothing can be checked again)."""
        self.first_pass = _by_file(attempt.diagnostics)
        for display in list(self.second_pass):
            if attempt.texts.get(display) != self.texts.get(display):  # edited since, or unreadable now
                self.second_pass[display] = []
                self.on_save.pop(display, None)
        return Refresh(self._publishable(), built=False)

    def story_wide(self, findings: list[Diagnostic]) -> set[str]:
        """Take the on-save findings (loader's story-wide warnings and the analysis)."""
        self.on_save = _by_file(findings)
        return self._publishable()

    def _publishable(self) -> set[str]:
        """The files whose diagnostics differ from what was published (and remember them)."""
        now: dict[str, list[Diagnostic]] = {}
        for table in (self.first_pass, self.second_pass, self.on_save):
            for display, items in table.items():
                now.setdefault(display, []).extend(items)
        for display in self.published:
            now.setdefault(display, [])
        changed = set()
        for display, items in now.items():
            items = sorted(set(items), key=lambda d: (d.pos, d.severity, d.message))
            if self.published.get(display) != items:
                changed.add(display)
                self.published[display] = items
        return changed

    def diagnostics(self, display: str) -> list[Diagnostic]:
        return self.published.get(display, [])


def _by_file(diagnostics) -> dict[str, list[Diagnostic]]:
    result: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        result.setdefault(diagnostic.pos.path, []).append(diagnostic)
    return result


def skeleton(data: Any) -> Any:
    """What other files can depend on in a file: everything but the bodies of its scenes
    (of a scene: its id, choice ids, area and whether it is an ending)."""
    if not isinstance(data, YMap):
        return repr(data)
    parts = []
    for key, value in data.items():
        if key == "scenes" and isinstance(value, YMap):
            scenes = []
            for ident, body in value.items():
                if isinstance(body, YMap):
                    raw = body.get("choices")
                    choices = tuple(repr(c.get("id")) if isinstance(c, YMap) else "?" for c in raw) \
                        if isinstance(raw, list) else ()
                    scenes.append((ident, choices, repr(body.get("area")), "ending" in body,
                                   repr(body.get("case_board"))))
                else:
                    scenes.append((ident, repr(body)))
            parts.append((key, tuple(scenes)))
        else:
            parts.append((key, repr(value)))
    return tuple(parts)


__all__ = ["Pos", "Project", "Refresh", "find_root", "skeleton"]
