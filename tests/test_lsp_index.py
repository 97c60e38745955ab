"""The language server's knowledge, without a client: where the loader says each id is used,
what completion thinks each place holds (and that the two agree), and that checking one
edited file gives the same problems as checking the whole story again."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from lsp_support import MANIFEST, YARD, position_of, write_story
from support import ROOT, SAMPLE

from game import conditions, loader
from game.lsp import kinds
from game.lsp.contexts import CONDITION_KEYS, context
from game.lsp.index import Index, Recorder, Symbol
from game.lsp.project import Project
from game.lsp.yamlpath import ITEM, place

# The pre-fix case of #16 has facts: (and mentions:), which the others do not.
STORIES = [ROOT / "story", ROOT / "examples" / "lighthouse", SAMPLE,
           ROOT / "tests" / "data" / "continuity" / "prefix_story"]


def indexed(root: Path) -> tuple[loader.Inspection, Recorder, Index]:
    recorder = Recorder()
    inspection = loader.inspect(root, observer=recorder)
    index = Index()
    index.update(inspection, recorder)
    return inspection, recorder, index


@pytest.mark.parametrize("root", STORIES, ids=lambda p: p.name)
def test_every_namespace_conditions_know_names_a_section(root: Path) -> None:
    """A new namespace in game.conditions must be given its section (kinds.py), or the index
    would not see its references."""
    inspection, _, _ = indexed(root)
    spaces = kinds.namespaces(inspection.names, inspection.declarations)
    for namespace in [*conditions.NAMESPACES, *getattr(conditions, "MACROS", {})]:
        assert namespace in spaces, namespace
        for section in spaces[namespace]:
            assert section in kinds.ALL_SECTIONS


@pytest.mark.parametrize("root", STORIES, ids=lambda p: p.name)
def test_completion_expects_each_id_where_the_loader_reads_it(root: Path) -> None:
    """Every reference the loader checks is in a place completion offers that section's ids;
    every condition the loader parses from a field is under a condition key."""
    inspection, recorder, index = indexed(root)
    assert recorder.refs, "the story names nothing?"
    scene_keys = {d.pos for d in inspection.declarations["scenes"].values()}
    for section, name, pos in recorder.refs:
        if pos in scene_keys or not pos.line:
            continue  # an area named by its scene's id (office.desk), not written as a value
        lines = inspection.texts[pos.path].split("\n")
        where = place(lines, pos.line - 1, pos.col - 1 + len(name))
        found = context(where, pos.path.endswith(loader.MANIFEST))
        if found.what == "ids" and section in found.sections:
            continue
        if where.path == () and where.key == "area":  # a file's area for all its scenes
            assert found.sections == ("areas",)
            continue
        pytest.fail(f"{pos}: the loader reads a {kinds.noun(section)} '{name}' here; completion expects "
                    f"{found} (path {where.path}, key {where.key})")
    yaml_conditions = [e for e in recorder.expressions if "{" not in inspection.texts[e.path].split("\n")[
        e.start.line - 1][:e.start.col - 1]]
    for expression in yaml_conditions:
        lines = inspection.texts[expression.path].split("\n")
        where = place(lines, expression.start.line - 1, expression.start.col)
        assert where.key in CONDITION_KEYS or where.path[-1:] in [(k,) for k in CONDITION_KEYS], \
            f"{expression.start}: a condition under {where.path} {where.key}"
    assert index.references(Symbol("scenes", next(iter(inspection.declarations["scenes"])))) is not None


def test_references_cover_fields_conditions_inline_text_and_renames(tmp_path: Path) -> None:
    renames = "renames:\n  scenes: {hall.porch: hall.door}\n  choices: {hall.door: {look: search}}\n"
    manifest = MANIFEST + renames
    root = write_story(tmp_path / "story", {"story.yaml": manifest, "yard.yaml": YARD})
    _, _, index = indexed(root)

    def where(symbol: Symbol) -> set[tuple[str, int, int]]:
        return {(Path(o.path).name, o.line, o.col) for o in index.references(symbol)}

    def at(name: str, text: str, needle: str, offset: int) -> tuple[str, int, int]:
        found = position_of(text, needle, offset=offset)
        return name, found.line + 1, found.character + 1

    assert where(Symbol("scenes", "hall.door")) == {
        at("story.yaml", manifest, "start: hall.door", len("start: ")),
        at("story.yaml", manifest, "hall.porch: hall.door", len("hall.porch: ")),  # renames: scenes:
        at("story.yaml", manifest, "{hall.door: {look", 1),  # renames: choices:
        at("yard.yaml", YARD, "visited.hall.door", len("visited.")),
        at("yard.yaml", YARD, "taken.hall.door", len("taken.")),
        at("yard.yaml", YARD, "goto: hall.door", len("goto: ")),
    }
    assert where(Symbol("clues", "key")) == {
        at("story.yaml", manifest, "{clue.key:", len("{clue.")),  # inline text
        at("story.yaml", manifest, "- clue: key", len("- clue: ")),  # an effect
        at("story.yaml", manifest, "if: clue.key", len("if: clue.")),  # a condition
    }
    assert where(Symbol("choices", "hall.door.search")) == {
        at("yard.yaml", YARD, "taken.hall.door.search", len("taken.hall.door.")),
        at("story.yaml", manifest, "{look: search}", len("{look: ")),
    }
    assert where(Symbol("areas", "yard")) == {at("yard.yaml", YARD, "area: yard", len("area: "))}


def test_yaml_places_are_read_from_indentation_even_when_the_file_does_not_parse() -> None:
    lines = [
        "scenes:",
        "  office.desk:",
        "    choices:",
        "      - id: call",
        "        goto: office.ph",
        "        do:",
        "          - stat: {trust: +1, ra",
        "          - stat:",
        "              tru",
        "          - ",
        "    broken: [ : :",
    ]
    at = place(lines, 4, len(lines[4]))
    assert (at.path, at.key, at.typed) == (("scenes", "office.desk", "choices", ITEM), "goto", "office.ph")
    at = place(lines, 6, len(lines[6]))
    assert (at.path, at.key, at.typed) == (("scenes", "office.desk", "choices", ITEM, "do", ITEM, "stat"), None, "ra")
    at = place(lines, 8, len(lines[8]))
    assert at.path[-1] == "stat" and at.key is None
    at = place(lines, 9, len(lines[9]))
    assert at.path == ("scenes", "office.desk", "choices", ITEM, "do", ITEM) and at.key is None
    assert context(at, manifest=False).keys[:2] == loader.EFFECT_KINDS[:2]


def _mutate(text: str, rng: random.Random, ids: list[str]) -> str:
    """A one-line edit a writer might make: a typo in an id, another id, a deleted line, a broken
    condition, a duplicated line, or a line of garbage YAML."""
    lines = text.split("\n")
    row = rng.randrange(len(lines))
    line = lines[row]
    kind = rng.randrange(6)
    if kind == 0 and any(i in line for i in ids):
        name = next(i for i in ids if i in line)
        line = line.replace(name, name[:-1], 1)
    elif kind == 1 and any(i in line for i in ids):
        name = next(i for i in ids if i in line)
        line = line.replace(name, rng.choice(ids), 1)
    elif kind == 2:
        line = ""
    elif kind == 3 and "if:" in line:
        line = line.replace(" and ", " an ", 1) if " and " in line else line + " and"
    elif kind == 4:
        lines.insert(row, line)
    else:
        line = line + rng.choice([" {", ": x", "  # note", " ]"])
    lines[row] = line
    return "\n".join(lines)


@pytest.mark.parametrize("root", [ROOT / "examples" / "lighthouse", SAMPLE], ids=lambda p: p.name)
def test_checking_the_edited_file_alone_finds_what_checking_everything_finds(root: Path, tmp_path: Path) -> None:
    """The server checks only the edited file's scenes when the edit keeps what other files see;
    after each of a run of random edits, its problems must equal a whole new check's."""
    copy = tmp_path / "story"
    shutil.copytree(root, copy)
    rng = random.Random(1818)
    project = Project(copy)
    project.refresh()
    files = sorted(p for p in copy.rglob("*.yaml"))
    partial_runs = 0
    for step in range(60):
        path = rng.choice(files)
        display = project.display(path)
        current = project.overlay.get(project.relative(path), path.read_text(encoding="utf-8"))
        ids = sorted({i for decls in project.index.declarations.values() for i in decls} | {"nowhere"})
        edited = _mutate(current, rng, ids)
        project.set_text(path, edited)
        refresh = project.refresh(display)
        partial_runs += refresh.partial
        fresh = Project(copy)
        fresh.overlay = dict(project.overlay)
        fresh.refresh()
        mine = {p: d for p, d in project.published.items() if d}
        theirs = {p: d for p, d in fresh.published.items() if d}
        if not refresh.built:
            # A file that does not parse: its problems are shown and the rest waits for it; the
            # writer then fixes it (undoes every edit of it).
            assert project.first_pass == fresh.first_pass, f"step {step}"
            project.set_text(path, None)
            project.refresh(display)
            continue
        assert mine == theirs, f"step {step}: {path.name}"
    assert partial_runs >= 5  # the fast path was taken, not just the full one


def test_the_watch_reload_parses_only_the_file_that_changed(tmp_path: Path) -> None:
    root = write_story(tmp_path / "story")
    cache = loader.ParseCache()
    loader.check(root, cache)
    assert cache.misses == 2
    (root / "yard.yaml").write_text(YARD.replace("The road, at last.", "The road."))
    story, _ = loader.check(root, cache)
    assert cache.misses == 3 and cache.hits == 1
    assert "The road." in story.scenes["yard.road"].text[0].variants[0]


COMPLETION_CASES = [
    # (a line put after a given line of the manifest, the text before the cursor on it, expected labels)
    ("    - id: open", "        goto: ", {"hall.door", "yard.gate", "yard.road"}),
    ("    - id: open", "        goto:\n          - if: clue.key\n            goto: ya", {"hall.door", "yard.gate", "yard.road"}),
    ("    - id: open", "        if: not fl", {"clue.", "flag.", "stat.", "visited.", "visits.", "taken.",
                                             "deducible.", "snippet.", "name.", "known.", "open.", "solved.",
                                             "concluded.", "and", "or", "not"}),
    ("    - id: open", "        if: visits.", {"hall.door", "yard.gate", "yard.road"}),
    ("    - id: open", "        if: taken.", {"search", "ring", "open", "hall.door.search", "hall.door.ring",
                                              "hall.door.open", "yard.gate.back", "yard.gate.leave"}),
    ("    - id: open", "        do:\n          - end: ", {"out"}),
    ("    - id: open", "        do:\n          - unflag: ", {"rang"}),
    ("    - id: open", "        do:\n          - stat:\n              ne", {"nerve"}),
    ("    - id: open", "        do:\n          - set: {", {"nerve"}),
    ("    - id: open", "        do:\n          - if: clue.key\n            do:\n              - clue: ", {"key"}),
    # Flow lists whose items are single-pair mappings (`[stat: {...}]`), alone and inside an `if:` branch.
    ("    - id: open", "        do: [stat: {ne", {"nerve"}),
    ("    - id: open", "        do: [stat: {nerve: 1}, unflag: ", {"rang"}),
    ("    - id: open", "        do:\n          - if: clue.key\n            do: [stat: {ne", {"nerve"}),
    ("    - id: open", "        do:\n          - if: clue.key\n            do: [end: ", {"out"}),
    ("    text: \"A door.", "    on_enter:\n      - ", {*loader.EFFECT_KINDS, "do", "else"}),
    ("    text: \"A door.", "    ending: ", {"out"}),
    ("    text: \"A door.", "    area: ", {"hall", "yard"}),
    ("  start: hall.door", "  protagonist: Ada\n  intro: \"{clue.", {"key"}),
]


@pytest.mark.parametrize(("after", "typed", "expected"), COMPLETION_CASES, ids=lambda v: repr(v)[:40])
def test_completion_offers_what_each_place_holds(after: str, typed: str, expected: set[str], tmp_path: Path) -> None:
    from game.lsp.completion import complete

    root = write_story(tmp_path / "story")
    _, _, index = indexed(root)
    lines = MANIFEST.split("\n")
    row = next(i for i, line in enumerate(lines) if line.strip().startswith(after.strip()))
    added = typed.split("\n")
    lines[row + 1:row + 1] = added
    found = complete(index, lines, row + len(added), len(added[-1]), manifest=True, story_format=2)
    labels = {item.label for item in found.items}
    assert expected <= labels, labels
    if found.items and found.items[0].kind != 14:  # ids: exactly the section's (keywords are 14)
        assert labels - expected <= {"first_visit", "turn", "true", "false", "deducible"}, labels - expected


BOARD = Path(__file__).parent / "data" / "board"


@pytest.mark.parametrize(("line", "typed", "expected"), [
    ("    answer: {who: owner, where: shop}", "    answer: {who: ", {"clerk", "owner", "neighbor", "shop", "park"}),
    ("    answer: {kind: parrot, proof: feathers}", "    answer: {kind: parrot, proof: ", {"collar", "feathers"}),
    ("    opens: solved.pet", "    opens: ", {"solved.", "concluded.", "open.", "known.", "clue."}),
    ("    opens: solved.pet", "    opens: solved.", {"pet", "thief"}),
])
def test_completion_in_questions_offers_candidates_conditions_and_questions(
        line: str, typed: str, expected: set[str]) -> None:
    """Issue 13's sections: an answer's blank offers clues, people, places and things (the slot's
    pool decides which is right; check says); `opens` is a condition that can name questions."""
    from game.lsp.completion import complete

    _, _, index = indexed(BOARD)
    lines = (BOARD / "story.yaml").read_text().split("\n")
    row = lines.index(line)
    lines[row] = typed
    found = complete(index, lines, row, len(typed), manifest=True, story_format=2)
    labels = {item.label for item in found.items}
    assert expected <= labels, labels


def test_completion_of_an_answer_effect_offers_questions() -> None:
    from game.lsp.completion import complete

    _, _, index = indexed(BOARD)
    lines = (BOARD / "story.yaml").read_text().split("\n")
    row = next(i for i, t in enumerate(lines) if t.strip() == "- id: fire_clerk")
    added = ["        do:", "          - answer: {"]
    lines[row + 1:row + 1] = added
    found = complete(index, lines, row + len(added), len(added[-1]), manifest=True, story_format=2)
    assert {item.label for item in found.items} >= {"pet", "thief"}


def test_rename_follows_questions_and_refuses_what_answers_record() -> None:
    """A question's rename goes into renames: questions (logged answers follow it); a clue a blank can
    hold and a person are recorded in answers, which renames: cannot follow, so they are refused."""
    from game.lsp.index import Symbol as Sym
    from game.lsp.rename import Manifest, RenameError, rename

    _, _, index = indexed(BOARD)
    text = (BOARD / "story.yaml").read_text()
    manifest = Manifest("story.yaml", text, None)
    edits = rename(index, Sym("questions", "thief"), "who_took_it", manifest)
    assert any(e.text == "who_took_it" for e in edits)
    for section, name in (("clues", "feathers"), ("people", "clerk")):
        with pytest.raises(RenameError, match="cannot follow"):
            rename(index, Sym(section, name), "renamed", manifest)


def test_a_fact_is_renamed_everywhere_it_is_read(tmp_path: Path) -> None:
    """A fact (#16) is never recorded by a save, so it is renamed freely: its declaration and every known.ID."""
    from game.lsp.index import Symbol as Sym
    from game.lsp.rename import Manifest, rename

    yard = YARD + "facts:\n  gate_shut: {name: The gate is shut, mentions: [the shut gate], known: not clue.key}\n"
    yard = yard.replace("        text: Leave.\n", "        text: Leave.\n        if: not known.gate_shut\n")
    assert "known.gate_shut" in yard
    root = write_story(tmp_path / "story", {"story.yaml": MANIFEST, "yard.yaml": yard})
    _, _, index = indexed(root)
    where = {(Path(o.path).name, o.line, o.col) for o in index.references(Sym("facts", "gate_shut"))}
    used = position_of(yard, "known.gate_shut", offset=len("known."))
    assert ("yard.yaml", used.line + 1, used.character + 1) in where
    edits = rename(index, Sym("facts", "gate_shut"), "gate_closed", Manifest("story.yaml", MANIFEST, None))
    assert {(Path(e.path).name, e.line, e.col) for e in edits} >= where
    assert len(edits) == 2 and all(e.text == "gate_closed" for e in edits)  # the declaration and the use
