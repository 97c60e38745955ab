"""The engine speaks of no story in particular: the words of our case live in story/, never in game/.

The names are read from the story itself (its people, places and title), so a
new character added to story/ is guarded too; a few more are listed by hand.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from game import loader

ROOT = Path(__file__).resolve().parent.parent
# Words of the case that are not ids or titles in its files (people only named in prose).
BY_HAND = {"jessica", "kilgrave", "trish", "hogarth", "malcolm", "alias investigations", "hell's kitchen"}
# Generic words that happen to be names in the story too (a YAML alias, the word "control").
GENERIC = {"alias", "control", "police", "office", "blood", "cordon", "city", "hospital", "people"}


def _story_words() -> set[str]:
    story = loader.load(ROOT / "story").story
    words = set(BY_HAND)
    words.add(story.title.lower())
    words.update(stat.label.lower() for stat in story.stats.values())
    words.update(area.title.lower() for area in story.areas.values())
    words.update(story.protagonist.lower().split())
    words.update(heading.lower() for heading in story.stat_groups.values())
    return {w for w in words if len(w) > 3 and w not in GENERIC}


def test_no_word_of_the_story_appears_in_the_engine() -> None:
    words = _story_words()
    assert {"jessica", "trish", "kilgrave"} <= words
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words)) + r")\b", re.IGNORECASE)
    found = []
    for path in sorted((ROOT / "game").rglob("*")):
        if path.suffix not in (".py", ".json", ".md", ".txt") or "__pycache__" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = pattern.search(line)
            if match:
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group()}")
    assert found == []
    assert not pattern.search((ROOT / "play.py").read_text())


def test_play_help_names_no_story(capsys) -> None:
    from game.cli import main

    with contextlib.suppress(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "story/" in out and "Alias" not in out and "AKA" not in out
