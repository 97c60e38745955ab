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
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import conditions, gcpause
from .diagnostics import Diagnostic, Pos, Report, did_you_mean
from .errors import ConditionError, StoryError
from .story import (
    Area,
    Branch,
    ChangeStat,
    Choice,
    Clue,
    Deduction,
    Effect,
    EndGame,
    Ending,
    Flag,
    GainClue,
    Paragraph,
    Scene,
    SetFlag,
    Stat,
    Story,
)
from .yamlsrc import Budget, YList, YMap, parse_text, read_text

MANIFEST = "story.yaml"
ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SCENE_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
MAX_FILES = 5000

SECTIONS = ("areas", "stats", "flags", "clues", "endings", "deductions", "scenes")
MANIFEST_ONLY = ("story", "renames")
FILE_DEFAULTS = ("area",)  # a file may set the area of all its scenes

STORY_FIELDS = {"id", "title", "version", "start", "intro", "content_notes", "author"}
AREA_FIELDS = {"title"}
STAT_FIELDS = {"label", "min", "max", "start", "shown", "kind", "overflow", "description", "if"}
STAT_KINDS = ("relationship", "state", "suspicion")
CLUE_FIELDS = {"title", "text", "group"}
FLAG_FIELDS = {"description"}
ENDING_FIELDS = {"title", "text", "kind"}
DEDUCTION_FIELDS = {"label", "needs", "gives", "text"}
SCENE_FIELDS = {"area", "title", "text", "on_enter", "choices", "ending", "case_board"}
CHOICE_FIELDS = {"id", "text", "if", "goto", "do", "outcome", "once", "visible_when_locked", "hint"}
BRANCH_FIELDS = {"if", "goto"}
EFFECT_KINDS = ("clue", "flag", "unflag", "stat", "set", "end")
PARAGRAPH_FIELDS = {"if", "text", "one_of"}


@dataclass
class LoadResult:
    story: Story
    warnings: list[Diagnostic] = field(default_factory=list)


@dataclass
class _Decl:
    """A declaration seen in pass one: its raw YAML and where it stands."""

    id: str
    data: Any
    pos: Pos
    file_area: str | None = None
    file_area_pos: Pos | None = None


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


def load(root: str | Path) -> LoadResult:
    """Load the story folder at root; raise StoryError listing every error."""
    report = Report()
    with gcpause.paused():
        story = _Loader(Path(root), report).run()
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


class _Loader:
    def __init__(self, root: Path, report: Report):
        self.root = root
        self.report = report
        self.decls: dict[str, dict[str, _Decl]] = {name: {} for name in SECTIONS}
        self.manifest: YMap | None = None
        self.manifest_pos = Pos(display_path(root / MANIFEST))
        self.digest = hashlib.sha256()
        self.parsed: dict[str, conditions.Condition | ConditionError] = {}
        self.deducible: conditions.Deductions = {}  # set once deductions are built (pass two)
        self.unreadable_files = 0
        self.budget = Budget()  # time and memory limits for the whole folder (yamlsrc)

    # -- helpers ----------------------------------------------------------

    def err(self, pos: Pos, message: str, code: str) -> None:
        self.report.error(pos, message, code)

    def warn(self, pos: Pos, message: str, code: str) -> None:
        self.report.warning(pos, message, code)

    def fields(self, data: Any, pos: Pos, allowed: set[str], what: str, required: tuple[str, ...] = ()) -> bool:
        """Check that data is a mapping with only allowed keys; report the rest."""
        if not isinstance(data, YMap):
            self.err(pos, f"{what} must be a mapping of fields, not {_kind(data)}", "bad-type")
            return False
        for key in data:
            if key not in allowed:
                self.err(
                    data.kpos(key),
                    f"unknown field '{key}' in {what}{did_you_mean(str(key), allowed)}",
                    "unknown-field",
                )
        for key in required:
            if key not in data:
                self.err(data.pos, f"{what} is missing '{key}'", "missing-field")
        return True

    def text(self, data: YMap, key: str, what: str, default: str = "") -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            self.err(data.vpos(key), f"'{key}' of {what} must be text, not {_kind(value)}", "bad-type")
            return default
        return value

    def integer(self, data: YMap, key: str, what: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(data.vpos(key), f"'{key}' of {what} must be a whole number, not {_kind(value)}", "bad-type")
            return default
        return value

    def boolean(self, data: YMap, key: str, what: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.err(data.vpos(key), f"'{key}' of {what} must be true or false, not {_kind(value)}", "bad-type")
            return False
        return value

    def ref(self, kind: str, name: Any, pos: Pos, what: str) -> bool:
        """Check that name is a declared id of the given section."""
        section = {"clue": "clues", "flag": "flags", "stat": "stats", "ending": "endings",
                   "scene": "scenes", "area": "areas"}[kind]
        if not isinstance(name, str):
            self.err(pos, f"{what} must name a {kind}, not {_kind(name)}", "bad-type")
            return False
        known = self.decls[section]
        if name not in known:
            self.err(pos, f"unknown {kind} '{name}' in {what}{did_you_mean(name, known)}", f"unknown-{kind}")
            return False
        return True

    def condition(self, source: Any, pos: Pos) -> conditions.Condition | None:
        # Stories repeat their conditions (`stat.control <= 2` on many choices)
        # and a Condition is immutable, so each distinct text is parsed once.
        parsed = self.parsed.get(source) if isinstance(source, str) else None
        if parsed is None:
            try:
                parsed = conditions.parse(source, self.known_names, self.deducible)
            except ConditionError as exc:
                parsed = exc.with_traceback(None)  # kept for reuse: don't keep the parser's frames
            if isinstance(source, str):
                self.parsed[source] = parsed
        if isinstance(parsed, ConditionError):
            self.err(pos.shifted(parsed.column), f"condition: {parsed.message}", "condition")
            return None
        return parsed

    # -- pass one: files and declarations ---------------------------------

    def run(self) -> Story | None:
        try:
            is_dir, is_file = self.root.is_dir(), self.root.is_file()
        except OSError as exc:  # e.g. a name too long to look at
            self.err(Pos(display_path(self.root)), f"cannot open the story folder: {exc.strerror}", "no-story")
            return None
        if not is_dir:
            problem = "is a file, not a story folder" if is_file else "story folder not found"
            self.err(Pos(display_path(self.root)), problem, "no-story")
            return None
        files = story_files(self.root)
        if len(files) > MAX_FILES:
            self.err(Pos(display_path(self.root)), f"more than {MAX_FILES} story files", "too-many-files")
            return None
        manifest_path = self.root / MANIFEST
        if manifest_path not in files:
            self.err(self.manifest_pos, f"missing manifest {MANIFEST} (it names the title and start scene)",
                     "no-manifest")
        for path in files:
            self.read_file(path)
        if self.unreadable_files:
            # Names declared in a file that did not parse are unknown: checking
            # references now would only bury the real problem under echoes of it.
            return None
        self.known_names = {
            "clue": self.decls["clues"],
            "flag": self.decls["flags"],
            "stat": self.decls["stats"],
            "visited": self.decls["scenes"],
        }
        return self.build()

    def read_file(self, path: Path) -> None:
        display = display_path(path)
        rel = path.relative_to(self.root).as_posix()
        errors_before = len(self.report.errors)
        problem = _link_problem(path, self.root)
        if problem:
            self.err(Pos(display), problem, "bad-link")
        text = None if problem else read_text(path, display, self.report, self.budget)
        data = None if text is None else parse_text(text, display, self.report, self.budget)
        if text is None or (data is None and len(self.report.errors) > errors_before):
            self.unreadable_files += 1
            return
        self.digest.update(rel.encode() + b"\0" + text.encode() + b"\0")
        if data is None:
            if rel == MANIFEST:
                self.err(Pos(display), "the manifest is empty", "no-manifest")
            return
        if not isinstance(data, YMap):
            self.err(Pos(display, 1, 1), f"a story file must be a mapping of sections, not {_kind(data)}",
                     "bad-type")
            return
        is_manifest = rel == MANIFEST
        allowed = set(SECTIONS) | set(FILE_DEFAULTS) | (set(MANIFEST_ONLY) if is_manifest else set())
        for key in data:
            if key in allowed:
                continue
            if key in MANIFEST_ONLY:
                self.err(data.kpos(key), f"'{key}' belongs in {MANIFEST}", "misplaced-section")
            else:
                self.err(data.kpos(key), f"unknown section '{key}'{did_you_mean(str(key), allowed)}",
                         "unknown-section")
        if is_manifest:
            self.manifest = data
        file_area = data.get("area")
        if file_area is not None and not isinstance(file_area, str):
            self.err(data.vpos("area"), f"'area' must be an area id, not {_kind(file_area)}", "bad-type")
            file_area = None
        for section in SECTIONS:
            if section in data:
                self.declare(section, data[section], data.vpos(section), file_area,
                             data.vpos("area") if file_area else None)

    def declare(self, section: str, entries: Any, pos: Pos, file_area: str | None,
                file_area_pos: Pos | None) -> None:
        if entries is None:
            return
        if not isinstance(entries, YMap):
            self.err(pos, f"'{section}' must be a mapping of id: definition, not {_kind(entries)}", "bad-type")
            return
        pattern = SCENE_ID_RE if section == "scenes" else ID_RE
        known = self.decls[section]
        for key, value in entries.items():
            where = entries.kpos(key)
            if not isinstance(key, str) or not pattern.match(key):
                shape = "letters, digits and _ in dot-separated parts" if section == "scenes" else \
                    "letters, digits and _"
                self.err(where, f"bad {section[:-1]} id {key!r}: use {shape}", "bad-id")
                continue
            if key in known:
                first = known[key].pos
                self.err(where, f"duplicate {section[:-1]} '{key}' (first defined at {first})",
                         f"duplicate-{section[:-1]}")
                continue
            known[key] = _Decl(key, value, where, file_area, file_area_pos)

    # -- pass two: build --------------------------------------------------

    def build(self) -> Story | None:
        meta = self.build_meta()
        areas = {k: self.build_area(d) for k, d in self.decls["areas"].items()}
        # Deductions first: every condition after this may say `deducible`.
        deductions = {k: d for k, decl in self.decls["deductions"].items() if (d := self.build_deduction(decl))}
        self.deducible = {k: (d.needs, d.gives) for k, d in deductions.items()}
        stats = {k: s for k, d in self.decls["stats"].items() if (s := self.build_stat(d))}
        self.stats = stats
        flags = {k: self.build_flag(d) for k, d in self.decls["flags"].items()}
        clues = {k: self.build_clue(d) for k, d in self.decls["clues"].items()}
        endings = {k: self.build_ending(d) for k, d in self.decls["endings"].items()}
        scenes = {k: s for k, d in self.decls["scenes"].items() if (s := self.build_scene(d))}
        renamed_scenes, renamed_choices = self.build_renames(scenes)
        start = meta.get("start", "")
        if meta.get("start_pos") is not None and start:
            self.ref("scene", start, meta["start_pos"], "the start scene")
        if not self.decls["scenes"]:
            self.err(self.manifest_pos, "the story has no scenes", "no-scenes")
        self.usage_warnings(scenes, deductions)
        if self.report.errors:
            return None
        return Story(
            id=meta.get("id", ""),
            title=meta.get("title", ""),
            version=meta.get("version", ""),
            start=start,
            scenes=MappingProxyType(scenes),
            clues=MappingProxyType(clues),
            flags=MappingProxyType(flags),
            stats=MappingProxyType(stats),
            endings=MappingProxyType(endings),
            areas=MappingProxyType(areas),
            deductions=MappingProxyType(deductions),
            intro=meta.get("intro", ""),
            content_notes=tuple(meta.get("content_notes", ())),
            renamed_scenes=MappingProxyType(renamed_scenes),
            renamed_choices=MappingProxyType(renamed_choices),
            fingerprint="sha256:" + self.digest.hexdigest(),
            root=display_path(self.root),
        )

    def build_meta(self) -> dict[str, Any]:
        data = self.manifest
        if data is None:
            return {}
        if "story" not in data:
            self.err(data.pos, f"{MANIFEST} is missing the 'story' section (id, title, version, start)",
                     "missing-field")
            return {}
        info = data["story"]
        if not self.fields(info, data.vpos("story"), STORY_FIELDS, "the story section",
                           required=("id", "title", "start")):
            return {}
        meta: dict[str, Any] = {
            "id": self.text(info, "id", "the story"),
            "title": self.text(info, "title", "the story"),
            "start": self.text(info, "start", "the story"),
            "intro": self.text(info, "intro", "the story"),
            "start_pos": info.vpos("start") if "start" in info else None,
        }
        version = info.get("version", "")
        if isinstance(version, bool) or not isinstance(version, (str, int, float)):
            self.err(info.vpos("version"), "'version' must be text or a number", "bad-type")
            version = ""
        meta["version"] = str(version)
        notes = info.get("content_notes", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            self.err(info.vpos("content_notes"), "'content_notes' must be a list of text", "bad-type")
            notes = []
        meta["content_notes"] = notes
        return meta

    def build_area(self, decl: _Decl) -> Area:
        data = decl.data
        if data is None or isinstance(data, str):  # `office: Alias Investigations`
            return Area(decl.id, data or decl.id, decl.pos)
        self.fields(data, decl.pos, AREA_FIELDS, f"area '{decl.id}'")
        title = self.text(data, "title", f"area '{decl.id}'", decl.id) if isinstance(data, YMap) else decl.id
        return Area(decl.id, title, decl.pos)

    def build_stat(self, decl: _Decl) -> Stat | None:
        what = f"stat '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, STAT_FIELDS, what, required=("min", "max")):
            return None
        low = self.integer(data, "min", what, 0)
        high = self.integer(data, "max", what, 0)
        start = self.integer(data, "start", what, max(low, min(0, high)))
        if low > high:
            self.err(data.vpos("max"), f"{what}: max {high} is below min {low}", "bad-range")
        elif not low <= start <= high:
            self.err(data.vpos("start"), f"{what}: start {start} is outside its range {low}..{high}",
                     "out-of-range")
        kind = self.text(data, "kind", what, "state")
        if kind not in STAT_KINDS:
            self.err(data.vpos("kind"), f"{what}: kind must be one of {', '.join(STAT_KINDS)}"
                     f"{did_you_mean(kind, STAT_KINDS)}", "bad-value")
        overflow = self.text(data, "overflow", what, "clamp")
        if overflow not in ("clamp", "block"):
            self.err(data.vpos("overflow"), f"{what}: overflow must be 'clamp' or 'block'", "bad-value")
        return Stat(
            id=decl.id,
            label=self.text(data, "label", what, decl.id.replace("_", " ").capitalize()),
            min=low,
            max=high,
            start=start,
            shown=self.boolean(data, "shown", what),
            kind=kind,
            overflow=overflow,
            description=self.text(data, "description", what),
            pos=decl.pos,
            listed_if=self.condition(data["if"], data.vpos("if")) if "if" in data else None,
        )

    def build_flag(self, decl: _Decl) -> Flag:
        data = decl.data
        if data is None or isinstance(data, str):  # `evicted: Oscar wants her out`
            return Flag(decl.id, data or "", decl.pos)
        if not self.fields(data, decl.pos, FLAG_FIELDS, f"flag '{decl.id}'"):
            return Flag(decl.id, "", decl.pos)
        return Flag(decl.id, self.text(data, "description", f"flag '{decl.id}'"), decl.pos)

    def build_clue(self, decl: _Decl) -> Clue:
        what = f"clue '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, CLUE_FIELDS, what, required=("title",)):
            return Clue(decl.id, decl.id, "", pos=decl.pos)
        return Clue(
            id=decl.id,
            title=self.text(data, "title", what, decl.id),
            text=self.text(data, "text", what),
            group=self.text(data, "group", what, "Leads"),
            pos=decl.pos,
        )

    def build_ending(self, decl: _Decl) -> Ending:
        what = f"ending '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, ENDING_FIELDS, what, required=("title",)):
            return Ending(decl.id, decl.id, pos=decl.pos)
        return Ending(
            id=decl.id,
            title=self.text(data, "title", what, decl.id),
            text=self.text(data, "text", what),
            kind=self.text(data, "kind", what),
            pos=decl.pos,
        )

    def build_deduction(self, decl: _Decl) -> Deduction | None:
        what = f"deduction '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, DEDUCTION_FIELDS, what, required=("needs", "gives", "label")):
            return None
        needs = data.get("needs")
        ok = True
        if not isinstance(needs, YList) or len(needs) < 2:
            self.err(data.vpos("needs"), f"{what}: 'needs' must list at least two clues", "bad-type")
            needs, ok = YList(data.pos), False
        for index, clue in enumerate(needs):
            ok = self.ref("clue", clue, needs.ipos(index), what) and ok
        gives = data.get("gives")
        ok = self.ref("clue", gives, data.vpos("gives"), what) and ok
        if ok and gives in needs:
            self.err(data.vpos("gives"), f"{what} gives a clue it needs", "bad-value")
        if not ok:
            return None
        return Deduction(
            id=decl.id,
            label=self.text(data, "label", what),
            needs=tuple(needs),
            gives=gives,
            text=self.text(data, "text", what),
            pos=decl.pos,
        )

    # -- scenes -----------------------------------------------------------

    def build_scene(self, decl: _Decl) -> Scene | None:
        what = f"scene '{decl.id}'"
        data = decl.data
        if not self.fields(data, decl.pos, SCENE_FIELDS, what, required=("text",)):
            return None
        area = self.scene_area(decl, data)
        text = self.paragraphs(data.get("text"), data.vpos("text"), what)
        on_enter = self.effects(data.get("on_enter"), data.vpos("on_enter"), what)
        ending = data.get("ending")
        if ending is not None and not self.ref("ending", ending, data.vpos("ending"), what):
            ending = None
        case_board = self.boolean(data, "case_board", what)
        choices = self.choices(data, decl.id, what)
        if ending and choices:
            self.err(data.kpos("choices"), f"{what} is an ending; it cannot offer choices", "ending-choices")
        if "ending" not in data and not choices and not case_board:
            self.err(decl.pos, f"{what} has no choices and is not an ending (a dead end)", "dead-end")
        return Scene(
            id=decl.id,
            area=area,
            title=self.text(data, "title", what, ""),
            text=text,
            choices=choices,
            on_enter=on_enter,
            ending=ending,
            case_board=case_board,
            pos=decl.pos,
        )

    def scene_area(self, decl: _Decl, data: YMap) -> str:
        if "area" in data:
            area, pos = data["area"], data.vpos("area")
        elif decl.file_area:
            area, pos = decl.file_area, decl.file_area_pos or decl.pos
        elif "." in decl.id:
            area, pos = decl.id.split(".", 1)[0], decl.pos
        else:
            self.err(decl.pos, f"scene '{decl.id}' has no area: add 'area:' or name it area.scene",
                     "missing-field")
            return ""
        self.ref("area", area, pos, f"scene '{decl.id}'")
        return area if isinstance(area, str) else ""

    def paragraphs(self, raw: Any, pos: Pos, what: str, key: str = "text") -> tuple[Paragraph, ...]:
        if raw is None:
            return ()
        if isinstance(raw, str):
            return (Paragraph((raw,), None, pos),)
        if not isinstance(raw, YList):
            self.err(pos, f"{key} of {what} must be text or a list of paragraphs, not {_kind(raw)}", "bad-type")
            return ()
        result = []
        for index, item in enumerate(raw):
            where = raw.ipos(index)
            if isinstance(item, str):
                result.append(Paragraph((item,), None, where))
                continue
            if not self.fields(item, where, PARAGRAPH_FIELDS, f"a paragraph of {what}"):
                continue
            condition = self.condition(item["if"], item.vpos("if")) if "if" in item else None
            if ("text" in item) == ("one_of" in item):
                self.err(where, f"a paragraph of {what} needs exactly one of 'text' or 'one_of'", "bad-value")
                continue
            if "text" in item:
                variants = (self.text(item, "text", what),)
            else:
                options = item["one_of"]
                if not isinstance(options, YList) or not options or not all(isinstance(o, str) for o in options):
                    self.err(item.vpos("one_of"), "'one_of' must be a list of text", "bad-type")
                    continue
                variants = tuple(options)
            result.append(Paragraph(variants, condition, where))
        return tuple(result)

    def choices(self, data: YMap, scene_id: str, what: str) -> tuple[Choice, ...]:
        raw = data.get("choices")
        if raw is None:
            return ()
        if not isinstance(raw, YList):
            self.err(data.vpos("choices"), f"choices of {what} must be a list, not {_kind(raw)}", "bad-type")
            return ()
        result: list[Choice] = []
        seen: dict[str, Pos] = {}
        for index, item in enumerate(raw):
            choice = self.choice(item, raw.ipos(index), scene_id)
            if choice is None:
                continue
            if choice.id in seen:
                self.err(choice.pos, f"duplicate choice id '{choice.id}' in {what} "
                         f"(first at line {seen[choice.id].line})", "duplicate-choice")
                continue
            seen[choice.id] = choice.pos
            result.append(choice)
        return tuple(result)

    def choice(self, item: Any, pos: Pos, scene_id: str) -> Choice | None:
        label = item.get("id") if isinstance(item, YMap) else None
        what = f"choice '{label}' in scene '{scene_id}'" if isinstance(label, str) else \
            f"a choice in scene '{scene_id}'"
        if not self.fields(item, pos, CHOICE_FIELDS, what, required=("id", "text")):
            return None
        choice_id = item.get("id")
        if not isinstance(choice_id, str) or not ID_RE.match(choice_id):
            if "id" in item:
                self.err(item.vpos("id"), f"bad choice id {choice_id!r}: use letters, digits and _", "bad-id")
            return None
        text = self.text(item, "text", what)
        condition = self.condition(item["if"], item.vpos("if")) if "if" in item else None
        branches = self.branches(item, what)
        effects = self.effects(item.get("do"), item.vpos("do"), what)
        visible = self.boolean(item, "visible_when_locked", what)
        hint = self.text(item, "hint", what)
        if hint and not visible:
            self.warn(item.kpos("hint"), f"{what} has a hint but is not visible_when_locked; "
                      "the hint is never shown", "unused-hint")
        if visible and "if" not in item:  # a broken if is reported already; no second complaint
            self.warn(item.kpos("visible_when_locked"), f"{what} is visible_when_locked but has no 'if'",
                      "unused-lock")
        return Choice(
            id=choice_id,
            text=text,
            branches=branches,
            condition=condition,
            effects=effects,
            outcome=self.paragraphs(item.get("outcome"), item.vpos("outcome"), what, "outcome"),
            once=self.boolean(item, "once", what),
            visible_when_locked=visible,
            hint=hint,
            pos=pos,
            if_pos=item.vpos("if") if "if" in item else pos,
        )

    def branches(self, item: YMap, what: str) -> tuple[Branch, ...]:
        raw = item.get("goto")
        pos = item.vpos("goto")
        if raw is None:
            return (Branch(None, None, pos),)
        if isinstance(raw, str):
            return (Branch(raw, None, pos),) if self.ref("scene", raw, pos, what) else ()
        if not isinstance(raw, YList) or not raw:
            self.err(pos, f"'goto' of {what} must be a scene id or a list of {{if, goto}}", "bad-type")
            return ()
        result = []
        for index, entry in enumerate(raw):
            where = raw.ipos(index)
            if not self.fields(entry, where, BRANCH_FIELDS, f"a branch of {what}", required=("goto",)):
                continue
            target = entry.get("goto")
            if target is not None and not self.ref("scene", target, entry.vpos("goto"), what):
                continue
            condition = self.condition(entry["if"], entry.vpos("if")) if "if" in entry else None
            if condition is None and index != len(raw) - 1 and "if" not in entry:
                self.err(where, f"a branch without 'if' must be the last one in {what}", "bad-branch")
            result.append(Branch(target, condition, where))
        if result and raw and isinstance(raw[-1], YMap) and "if" in raw[-1]:
            self.err(raw.ipos(len(raw) - 1), f"the last branch of {what} needs no 'if': it is where the "
                     "choice goes when no other branch fits", "bad-branch")
        return tuple(result)

    def effects(self, raw: Any, pos: Pos, what: str) -> tuple[Effect, ...]:
        if raw is None:
            return ()
        if isinstance(raw, YMap):  # a single effect written without the list dash
            single = YList(raw.pos)
            single.append(raw)
            single.item_pos.append(raw.pos)
            raw = single
        if not isinstance(raw, YList):
            self.err(pos, f"effects of {what} must be a list, not {_kind(raw)}", "bad-type")
            return ()
        result: list[Effect] = []
        for index, item in enumerate(raw):
            where = raw.ipos(index)
            if not isinstance(item, YMap) or len(item) != 1:
                self.err(where, f"an effect is one of {', '.join(k + ':' for k in EFFECT_KINDS)} "
                         f"(in {what})", "bad-effect")
                continue
            (kind, value), = item.items()
            vpos = item.vpos(kind)
            if kind == "clue":
                if self.ref("clue", value, vpos, what):
                    result.append(GainClue(value, vpos))
            elif kind in ("flag", "unflag"):
                if self.ref("flag", value, vpos, what):
                    result.append(SetFlag(value, kind == "flag", vpos))
            elif kind == "end":
                if self.ref("ending", value, vpos, what):
                    result.append(EndGame(value, vpos))
            elif kind in ("stat", "set"):
                result.extend(self.stat_effects(kind, value, vpos, what))
            else:
                self.err(item.kpos(kind), f"unknown effect '{kind}'{did_you_mean(str(kind), EFFECT_KINDS)}; "
                         f"effects are {', '.join(EFFECT_KINDS)}", "bad-effect")
        return tuple(result)

    def stat_effects(self, kind: str, value: Any, pos: Pos, what: str) -> list[Effect]:
        if not isinstance(value, YMap) or not value:
            example = "{trust_trish: +1}" if kind == "stat" else "{rage: 0}"
            self.err(pos, f"'{kind}:' takes a mapping of stat: number, e.g. {kind}: {example}", "bad-effect")
            return []
        result: list[Effect] = []
        for name, amount in value.items():
            if not self.ref("stat", name, value.kpos(name), what):
                continue
            if isinstance(amount, bool) or not isinstance(amount, int):
                self.err(value.vpos(name), f"change of stat '{name}' must be a whole number, not {_kind(amount)}",
                         "bad-type")
                continue
            stat = self.stats.get(name)
            if kind == "set" and stat is not None and not stat.min <= amount <= stat.max:
                self.err(value.vpos(name), f"{amount} is outside the range of stat '{name}' "
                         f"({stat.min}..{stat.max})", "out-of-range")
                continue
            if kind == "stat" and stat is not None and abs(amount) > stat.max - stat.min:
                self.err(value.vpos(name), f"change of {amount:+d} is larger than the whole range of stat "
                         f"'{name}' ({stat.min}..{stat.max})", "out-of-range")
                continue
            result.append(ChangeStat(name, amount, kind == "stat", value.vpos(name)))
        return result

    def build_renames(self, scenes: dict[str, Scene]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
        data = self.manifest.get("renames") if self.manifest is not None else None
        if data is None:
            return {}, {}
        pos = self.manifest.vpos("renames") if self.manifest is not None else self.manifest_pos
        if not self.fields(data, pos, {"scenes", "choices"}, "renames"):
            return {}, {}
        renamed_scenes: dict[str, str] = {}
        old_scenes = data.get("scenes") or YMap(pos)
        if not isinstance(old_scenes, YMap):
            self.err(data.vpos("scenes"), "renames.scenes must map an old scene id to its new id", "bad-type")
            old_scenes = YMap(pos)
        for old, new in old_scenes.items():
            if old in self.decls["scenes"]:
                self.err(old_scenes.kpos(old), f"renamed scene '{old}' still exists", "bad-rename")
            elif self.ref("scene", new, old_scenes.vpos(old), f"the rename of '{old}'"):
                renamed_scenes[str(old)] = new
        renamed_choices: dict[tuple[str, str], str] = {}
        by_scene = data.get("choices") or YMap(pos)
        if not isinstance(by_scene, YMap):
            self.err(data.vpos("choices"), "renames.choices must map scene: {old choice: new choice}", "bad-type")
            by_scene = YMap(pos)
        for scene_id, mapping in by_scene.items():
            if not self.ref("scene", scene_id, by_scene.kpos(scene_id), "renames.choices"):
                continue
            if not isinstance(mapping, YMap):
                self.err(by_scene.vpos(scene_id), "map each old choice id to its new id", "bad-type")
                continue
            scene = scenes.get(scene_id)
            for old, new in mapping.items():
                if scene is not None and scene.choice(str(new)) is None:
                    ids = [c.id for c in scene.choices]
                    self.err(mapping.vpos(old), f"scene '{scene_id}' has no choice '{new}'"
                             f"{did_you_mean(str(new), ids)}", "bad-rename")
                    continue
                renamed_choices[(scene_id, str(old))] = str(new)
        return renamed_scenes, renamed_choices

    def usage_warnings(self, scenes: dict[str, Scene], deductions: dict[str, Deduction]) -> None:
        """Declared names nobody uses: usually a typo or an unfinished thread."""
        given: set[str] = {d.gives for d in deductions.values()}
        set_flags: set[str] = set()
        endings_used: set[str] = set()

        def scan(effects: tuple[Effect, ...]) -> None:
            for effect in effects:
                if isinstance(effect, GainClue):
                    given.add(effect.clue)
                elif isinstance(effect, SetFlag) and effect.value:
                    set_flags.add(effect.flag)
                elif isinstance(effect, EndGame):
                    endings_used.add(effect.ending)

        for scene in scenes.values():
            scan(scene.on_enter)
            if scene.ending:
                endings_used.add(scene.ending)
            for choice in scene.choices:
                scan(choice.effects)
        for clue_id, decl in self.decls["clues"].items():
            if clue_id not in given:
                self.warn(decl.pos, f"clue '{clue_id}' is never given by any scene, choice or deduction",
                          "clue-never-given")
        for flag_id, decl in self.decls["flags"].items():
            if flag_id not in set_flags:
                self.warn(decl.pos, f"flag '{flag_id}' is never set", "flag-never-set")
        for ending_id, decl in self.decls["endings"].items():
            if ending_id not in endings_used:
                self.warn(decl.pos, f"ending '{ending_id}' is never reached by any scene or effect",
                          "ending-unused")
        if deductions and not any(s.case_board for s in scenes.values()):
            first = next(iter(deductions.values()))
            self.warn(first.pos, "deductions are declared but no scene is a case_board", "no-case-board")


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


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):  # YAML 1.1 reads yes/no/on/off as booleans
        return "true/false (quote it if you meant the text)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
