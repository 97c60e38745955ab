"""Load a story folder into an immutable Story, reporting every problem at once.

Every ``*.yaml`` file under the folder belongs to the story. ``story.yaml``
(the manifest) holds the ``story:`` section: id, title, version, start scene.
Any file may declare ``areas``, ``stats``, ``flags``, ``clues``, ``endings``,
``deductions``, ``people``, ``places``, ``things``, ``facts``, ``questions`` and
``scenes``; an id may be declared only once in the whole story. Writers can keep a clue next to the scenes that give it.

Loading runs in two passes: first every declaration is collected (so names
can be checked wherever they are used, in any file order), then scenes,
effects and conditions are built and checked against them. Each problem
becomes a Diagnostic with ``path:line:col``; load() raises StoryError with
all of them, or returns the Story and its warnings.

The package: ``fields`` (the shape of each entry), ``files`` (finding and
vetting files), ``base`` (shared checks), ``reading`` (pass one), then one
module per kind of thing built in pass two (``declarations``, ``entities``, ``facts``,
``questions``, ``scenes``, ``effects``, ``renames``, ``usage``); ``core``
puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import gcpause
from ..diagnostics import Diagnostic, Report
from ..errors import StoryError
from ..story import Story
from ..yamlsrc import Precompiled
from .base import Observer
from .base import _Decl as Declaration
from .cache import ParseCache
from .core import _Loader
from .fields import (
    AREA_FIELDS,
    BRANCH_FIELDS,
    CHOICE_FIELDS,
    CLUE_FIELDS,
    DEDUCTION_FIELDS,
    EFFECT_KINDS,
    ENDING_FIELDS,
    ENTITY_FIELDS,
    ENTITY_SECTIONS,
    FACT_FIELDS,
    FILE_DEFAULTS,
    FLAG_FIELDS,
    ID_RE,
    LOCK_FIELDS,
    MANIFEST,
    MANIFEST_ONLY,
    MAX_FILES,
    OUTCOME_FIELDS,
    PARAGRAPH_FIELDS,
    QUESTION_FIELDS,
    RESPONSE_FIELDS,
    SCENE_FIELDS,
    SCENE_ID_RE,
    SECTIONS,
    SLOT_FIELDS,
    STAT_FIELDS,
    STAT_KINDS,
    STORY_FIELDS,
)
from .files import display_path, story_files

__all__ = [
    "AREA_FIELDS", "BRANCH_FIELDS", "CHOICE_FIELDS", "CLUE_FIELDS", "DEDUCTION_FIELDS", "EFFECT_KINDS",
    "ENDING_FIELDS", "ENTITY_FIELDS", "ENTITY_SECTIONS", "FACT_FIELDS", "FILE_DEFAULTS", "FLAG_FIELDS", "ID_RE", "LOCK_FIELDS",
    "MANIFEST", "MANIFEST_ONLY", "MAX_FILES", "OUTCOME_FIELDS", "PARAGRAPH_FIELDS", "QUESTION_FIELDS",
    "RESPONSE_FIELDS", "SCENE_FIELDS", "SCENE_ID_RE", "SECTIONS", "SLOT_FIELDS", "STAT_FIELDS", "STAT_KINDS",
    "STORY_FIELDS", "Declaration", "Inspection", "LoadResult", "Observer", "ParseCache", "check", "display_path",
    "inspect", "load", "story_files",
]


@dataclass
class LoadResult:
    story: Story
    warnings: list[Diagnostic] = field(default_factory=list)


def load(root: str | Path, precompiled: Precompiled | None = None) -> LoadResult:
    """Load the story folder at root; raise StoryError listing every error.
    precompiled: recorded YAML events of its files (a published page; see yamlsrc)."""
    report = Report()
    with gcpause.paused():
        loader = _Loader(Path(root), report)
        loader.precompiled = precompiled
        story = loader.run()
    if report.errors or story is None:
        raise StoryError(report.sorted())
    return LoadResult(story, report.sorted())


def check(root: str | Path, cache: ParseCache | None = None) -> tuple[Story | None, list[Diagnostic]]:
    """Load without raising: the story (None if it has errors) and all diagnostics.

    With a cache (kept between calls), files whose text has not changed are not parsed again.
    """
    report = Report()
    with gcpause.paused():
        story = _Loader(Path(root), report, cache).run()
    if report.errors:
        story = None
    return story, report.sorted()


@dataclass
class Inspection:
    """A load as an editor sees it (game.lsp): the problems, and what was read and declared."""

    story: Story | None  # None: errors, a partial build, or a file that did not parse
    diagnostics: list[Diagnostic]
    declarations: dict[str, dict[str, Declaration]]  # section -> id -> where and what (pass one)
    texts: dict[str, str]  # display path -> the text read (the editor's buffer where one was given)
    paths: dict[str, Path]  # display path -> the file
    data: dict[str, Any]  # display path -> its parsed values
    names: dict[str, Any]  # what conditions may name: kind -> ids (clue, flag, stat, visited, taken, ...)
    deducible: dict[str, tuple[tuple[str, ...], str]]  # deduction -> (needs, gives)
    built: bool  # pass two ran (False: a file did not parse, so names could not be checked)
    first_pass: list[Diagnostic]  # of the diagnostics, those pass one found (files, sections, ids)
    story_wide: list[Diagnostic]  # ... and those that need every scene (names nothing uses)


def inspect(root: str | Path, *, cache: ParseCache | None = None, overlay: dict[str, str] | None = None,
            only: set[str] | None = None, observer: Observer | None = None) -> Inspection:
    """Load for an editor: texts from overlay (relative posix path -> text) where given, parses
    from cache where unchanged; with only (display paths), pass two builds only those files'
    scenes and skips the story-wide checks; observer hears every reference."""
    report = Report()
    run = _Loader(Path(root), report, cache, overlay, only, observer)
    with gcpause.paused():
        story = run.run()
    return Inspection(
        story=None if report.errors else story,
        diagnostics=report.sorted(),
        declarations=run.decls,
        texts=run.texts,
        paths=run.paths,
        data=run.data,
        names=dict(run.known_names),
        deducible=dict(run.deducible),
        built=bool(run.known_names),
        first_pass=report.items[:run.first_pass_to],
        story_wide=report.items[run.story_wide_from:] if run.story_wide_from is not None else [],
    )

