"""The title screen and the load menu: what they say and which items they offer.

Plain data (styled lines and Options); the terminal UI shows them in the
same story view as the game, so the title menu is used exactly like a
scene's choices: a number, or the arrow keys and Enter.
"""

from __future__ import annotations

from pathlib import Path

from .. import profile, saves
from ..safetext import label
from ..story import Story
from . import gallery
from .render import Line
from .storyview import Option

NEW, CONTINUE, LOAD, GALLERY, QUIT, BACK = "new", "continue", "load", "gallery", "quit", "back"
SLOT = "slot:"
REPLAY = "replay:"  # a found ending in the gallery: replay the game that reached it

# Words the title screen understands besides numbers (for typing and Tab).
WORDS = {"new": NEW, "n": NEW, "continue": CONTINUE, "c": CONTINUE, "load": LOAD, "lo": LOAD,
         "endings": GALLERY, "e": GALLERY, "quit": QUIT, "q": QUIT, "exit": QUIT, "back": BACK, "b": BACK}
COMPLETION_WORDS = ["new", "continue", "load", "endings", "help", "quit"]


def title_lines(story: Story) -> list[Line]:
    lines: list[Line] = [("class:banner", story.title)]
    if story.content_notes:
        lines.append(("class:notice", "Content notes: " + ", ".join(story.content_notes) + "."))
    if story.intro.strip():
        lines.append(("class:text", story.intro.strip()))
    return lines


def latest_autosave(infos: list[saves.SaveInfo]) -> saves.SaveInfo | None:
    """The newest autosave (the list is newest first): autosave-N, or version 1's autosave."""
    for info in infos:
        if info.autosave:  # not 'autosave<ESC>[2J.json', a file name that is no slot at all
            return info
    return None


def describe(info: saves.SaveInfo, story: Story | None = None) -> str:
    ended = ""
    if info.ending:
        ending = story.endings.get(info.ending) if story is not None and info.story_id in ("", story.id) else None
        ended = f", ended: {ending.title}" if ending is not None else ", case closed"
    when = saves.local_time(info.updated)  # total: a date no time zone can show is not an error here
    clues = f"{info.clues} clue{'s' * (info.clues != 1)}"
    return f"{label(info.title)}, turn {info.turn}, {clues}{ended} ({label(when)})"


def menu(infos: list[saves.SaveInfo], story: Story | None = None,
         found: profile.Profile | None = None) -> list[Option]:
    autosave = latest_autosave(infos)
    loadable = [i for i in infos if not i.problem]
    if autosave is None:
        resume = Option(2, "Continue", False, "no autosave yet", CONTINUE)
    elif autosave.problem:
        resume = Option(2, "Continue", False, f"the autosave cannot be read: {autosave.problem}", CONTINUE)
    else:
        resume = Option(2, f"Continue: {describe(autosave, story)}", True, "", CONTINUE)
    endings = (f"Endings found: {len(found.discovered)} of {len(story.endings)}"
               if story is not None and found is not None else "Endings")
    return [
        Option(1, "New case", True, "", NEW),
        resume,
        Option(3, "Load a saved case", bool(loadable), "" if loadable else "no saves yet", LOAD),
        Option(4, endings, True, "", GALLERY),
        Option(5, "Quit", True, "", QUIT),
    ]


def slot_menu(infos: list[saves.SaveInfo], story: Story | None = None) -> list[Option]:
    options = []
    for number, info in enumerate(infos, start=1):
        name = label(info.slot)  # a file's name, which anyone may have chosen
        if info.problem:
            options.append(Option(number, name, False, f"cannot be loaded: {info.problem}", SLOT + info.slot))
        else:
            options.append(Option(number, f"{name}: {describe(info, story)}", True, "", SLOT + info.slot))
    options.append(Option(len(options) + 1, "Back", True, "", BACK))
    return options


def gallery_menu(story: Story, found: profile.Profile, saves_dir: Path) -> list[Option]:
    """One option per ending: a found one replays the game that first reached it
    (when its save was kept); the others are "???" and the writer's teaser."""
    options = []
    for number, entry in enumerate(gallery.entries(story, found), start=1):
        if not entry.found:
            options.append(Option(number, entry.text(), False, "not found yet", "", note="not found yet"))
            continue
        kept = profile.closing_save(saves_dir, entry.ending.id).is_file()
        options.append(Option(number, entry.text(), kept, "" if kept else "no save of that game was kept",
                              REPLAY + entry.ending.id))
    options.append(Option(len(options) + 1, "Back", True, "", BACK))
    return options
