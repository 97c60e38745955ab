"""Finding a story's files, and refusing the ones that are not safe to read."""

from __future__ import annotations

import os
from pathlib import Path

from .fields import MAX_FILES


def story_files(root: Path) -> list[Path]:
    """Every story file under root, in a stable order, skipping hidden files and folders.

    Linked folders are not entered (so a link loop cannot trap the walk, and
    hidden folders like .git are never walked); linked files are listed, and
    the loader refuses those that point outside the story folder. Stops
    early past MAX_FILES.
    """
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            path = Path(folder, name)
            if not name.startswith(".") and path.suffix in (".yaml", ".yml") and \
                    (path.is_symlink() or path.is_file()):
                found.append(path)
        if len(found) > MAX_FILES:
            break
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def display_path(path: Path) -> str:
    """A path as a user would type it: relative to the working folder when possible."""
    try:
        # The folder resolved, the name kept: a linked file is shown by its own
        # name, not by where it points (which may be outside the story).
        return (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return path.as_posix()


def _link_problem(path: Path, root: Path) -> str:
    """Why a story file cannot be read safely ('' if it can): a story folder
    from a stranger must not make the game read files outside it."""
    try:
        target = path.resolve(strict=True)
        inside = target.is_relative_to(root.resolve(strict=True))
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return "a broken or looping link"
    if not inside:
        return "a link to a file outside the story folder; copy the file in instead"
    if not target.is_file():
        return "not a regular file"
    return ""

