"""`play.py new DIR`: a new story folder that passes check, with editor support set up;
`play.py schema`: the JSON Schema of a story file.

The new folder holds:

    story.yaml                 the manifest, a first scene and its ending (passes check)
    .schema/story.schema.json  a copy of the schema, which every file's modeline points at
    .vscode/settings.json      the YAML extension's schema mapping, and the language server's command

Hidden folders are not part of the story (the loader skips them), so the
copies never count as story files. The copy of the schema keeps the modeline
working wherever the folder is moved (a path into the engine's checkout
would not); `play.py schema > .schema/story.schema.json` refreshes it.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import resources
from pathlib import Path

from ..errors import UsageError

SCHEMA_COPY = Path(".schema") / "story.schema.json"
MODELINE = f"# yaml-language-server: $schema={SCHEMA_COPY.as_posix()}"


def schema_text() -> str:
    """The schema as shipped in the package (game/schema/story.schema.json)."""
    return resources.files("game").joinpath("schema/story.schema.json").read_text(encoding="utf-8")


def story_id(folder: Path) -> str:
    """A story id from a folder's name: lower case, words joined by '-'."""
    words = re.findall(r"[A-Za-z0-9]+", folder.resolve().name)
    return "-".join(word.lower() for word in words) or "new-story"


def manifest(ident: str, title: str) -> str:
    return f"""{MODELINE}
# A new story: every *.yaml file in this folder belongs to it (docs/WRITING.md).
# Check it with: play.py check .   Play it with: play.py --story .
story:
  id: {ident}
  title: {json.dumps(title)}
  version: "0.1"
  start: first.room
  format: 2

areas:
  first:
    title: The first room

endings:
  out:
    title: Out
    text: You leave, and the story ends here for now.

scenes:
  first.room:
    title: A Room
    text: |
      A room with one door. Write the story here.
    choices:
      - id: leave
        text: Leave through the door.
        goto: first.outside

  first.outside:
    title: Outside
    text: The door closes behind you.
    ending: out
"""


def vscode_settings(python: str, play: Path) -> str:
    settings = {
        "yaml.schemas": {f"./{SCHEMA_COPY.as_posix()}": ["*.yaml", "**/*.yaml"]},
        "storyLsp.command": [python, str(play), "lsp"],
    }
    return json.dumps(settings, indent=2) + "\n"


def new_story(folder: Path, play: Path) -> list[Path]:
    """Write a new story folder; refuse a folder that exists and holds anything."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder}: already exists and is not an empty folder; pick a new one")
    title = folder.resolve().name.replace("-", " ").replace("_", " ").strip().title() or "A New Story"
    files = {
        folder / "story.yaml": manifest(story_id(folder), title),
        folder / SCHEMA_COPY: schema_text(),
        folder / ".vscode" / "settings.json": vscode_settings(sys.executable, play.resolve()),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
