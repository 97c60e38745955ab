"""Load a story folder into an immutable Story, reporting every problem at once.

Every ``*.yaml`` file under the folder belongs to the story. ``story.yaml``
(the manifest) holds the ``story:`` section: id, title, version, start scene.
Any file may declare ``areas``, ``stats``, ``flags``, ``clues``, ``endings``,
``deductions`` and ``scenes``; an id may be declared only once in the whole
story. Writers can keep a clue next to the scenes that give it.

Loading runs in two passes: first every declaration is collected (so names
can be checked wherever they are used, in any file order), then scenes,
effects and conditions are built and checked against them. Each problem
becomes a Diagnostic with ``path:line:col``; load() raises StoryError with
all of them, or returns the Story and its warnings.

The package: ``fields`` (the shape of each entry), ``files`` (finding and
vetting files), ``base`` (shared checks), ``reading`` (pass one), then one
module per kind of thing built in pass two (``declarations``, ``scenes``,
``effects``, ``renames``, ``usage``); ``core`` puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import gcpause
from ..diagnostics import Diagnostic, Report
from ..errors import StoryError
from ..story import Story
from ..yamlsrc import Precompiled
from .core import _Loader
from .fields import (
    AREA_FIELDS,
    BRANCH_FIELDS,
    CHOICE_FIELDS,
    CLUE_FIELDS,
    DEDUCTION_FIELDS,
    EFFECT_KINDS,
    ENDING_FIELDS,
    FILE_DEFAULTS,
    FLAG_FIELDS,
    ID_RE,
    MANIFEST,
    MANIFEST_ONLY,
    MAX_FILES,
    PARAGRAPH_FIELDS,
    SCENE_FIELDS,
    SCENE_ID_RE,
    SECTIONS,
    STAT_FIELDS,
    STAT_KINDS,
    STORY_FIELDS,
)
from .files import display_path, story_files

__all__ = [
    "AREA_FIELDS", "BRANCH_FIELDS", "CHOICE_FIELDS", "CLUE_FIELDS", "DEDUCTION_FIELDS", "EFFECT_KINDS",
    "ENDING_FIELDS", "FILE_DEFAULTS", "FLAG_FIELDS", "ID_RE", "MANIFEST", "MANIFEST_ONLY", "MAX_FILES",
    "PARAGRAPH_FIELDS", "SCENE_FIELDS", "SCENE_ID_RE", "SECTIONS", "STAT_FIELDS", "STAT_KINDS",
    "STORY_FIELDS", "LoadResult", "check", "display_path", "load", "story_files",
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


def check(root: str | Path) -> tuple[Story | None, list[Diagnostic]]:
    """Load without raising: the story (None if it has errors) and all diagnostics."""
    report = Report()
    with gcpause.paused():
        story = _Loader(Path(root), report).run()
    if report.errors:
        story = None
    return story, report.sorted()

