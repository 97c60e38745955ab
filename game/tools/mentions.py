"""Where the story's text names what the player may not know (#16): the text side of check --continuity.

Every text the player reads (scene paragraphs, choice labels, outcomes, clue
texts, the case file's lines about people, places and things, deduction and
ending texts) is a `Unit` with the place it is written and the rule that says
when it is shown. A unit's `mentions` are the phrases in it that name a
person, place, thing or fact with a `known` condition (their `mentions:`
phrases; game.loader.entities). Matching is whole words; a phrase with a
capital letter matches case and all ("Will" the man, not "will" the verb), one
without matches any case; straight and curly apostrophes match each other.

Silencing: a YAML comment `# continuity: ok — REASON` on the line of the
mention, on any line of the same text before it, or on the line just above
where the text starts, silences the findings there. The reason is required:
without one the comment silences nothing and the finding says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..conditions import Condition
from ..diagnostics import Pos
from ..markup import Text, literal
from ..story import Choice, Entity, Paragraph, Story

SILENCE = re.compile(r"#\s*continuity:\s*ok\b[\s\-—–:]*(.*)$")


@dataclass(frozen=True)
class Mention:
    target: Entity  # the person, place, thing or fact named
    phrase: str  # as written in the text
    offset: int  # into the text's source
    braced: bool  # inside inline markup ({...}): shown only if it survives drawing


@dataclass(frozen=True)
class Unit:
    """One text the player may read, and when."""

    kind: str  # scene | label | hint | outcome | clue | entity | deduction | ask | answer | ending
    what: str  # for messages: "scene office.desk", "choice office.desk:call"
    anchor: Pos  # where the text (or its entry) starts
    text: Text
    mentions: tuple[Mention, ...]
    scene: str = ""  # scene, label, outcome: the scene it is shown in
    paragraph: Paragraph | None = None  # scene and outcome text: the paragraph (its `if:`)
    choice: Choice | None = None  # label, hint, outcome
    subject: str = ""  # clue, entity, deduction, ask, answer, ending: the id it belongs to
    outcome: str = ""  # answer: the question's outcome whose text it is
    conditions: tuple[Condition, ...] = field(default=(), compare=False)  # what deciding 'shown' reads


class Matcher:
    """Finds the mentions of every entity and fact with a `known` condition."""

    def __init__(self, story: Story):
        self.patterns: list[tuple[Entity, str, re.Pattern[str]]] = []
        for target in (*story.entities.values(), *story.facts.values()):
            if target.known is None:
                continue  # always known: nothing to check
            for phrase in target.mentions:
                self.patterns.append((target, phrase, phrase_pattern(phrase)))

    def find(self, source: str, owner: str = "") -> tuple[Mention, ...]:
        found: list[tuple[int, int, Entity, str]] = []
        for target, _, pattern in self.patterns:
            if target.id == owner:
                continue  # an entity's own line may name it
            for match in pattern.finditer(source):
                found.append((match.start(), match.end(), target, match.group(0)))
        # One mention per target per place: "Will Simpson" and "Simpson" at the same spot are one.
        found.sort(key=lambda f: (f[0], -f[1]))
        kept: list[tuple[int, int, Entity, str]] = []
        for start, end, target, phrase in found:
            if any(t.id == target.id and s <= start and end <= e for s, e, t, _ in kept):
                continue
            kept.append((start, end, target, phrase))
        return tuple(Mention(t, p, s, _braced(source, s)) for s, _, t, p in kept)


@lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Whole words; any run of spaces or line breaks between them; ' and ’ alike; case only with capitals."""
    words = phrase.split()
    parts = ["".join("['’]" if ch in "'’" else re.escape(ch) for ch in word) for word in words]
    body = r"\s+".join(parts)
    if phrase[:1].isalnum() or phrase[:1] == "_":
        body = r"(?<![\w])" + body
    if phrase[-1:].isalnum() or phrase[-1:] == "_":
        body = body + r"(?![\w])"
    flags = 0 if any(c.isupper() for c in phrase) else re.IGNORECASE
    return re.compile(body, flags)


def _braced(source: str, offset: int) -> bool:
    depth = 0
    for ch in source[:offset]:
        if ch == "{":
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
    return depth > 0


def units(story: Story) -> list[Unit]:
    """Every text of the story that mentions something with a known condition."""
    matcher = Matcher(story)
    if not matcher.patterns:
        return []
    braces = story.format >= 2
    result: list[Unit] = []

    def add(kind: str, what: str, anchor: Pos, text: Text, owner: str = "", **where) -> None:
        mentions = matcher.find(text.source, owner)
        if not braces:
            mentions = tuple(Mention(m.target, m.phrase, m.offset, False) for m in mentions)
        if mentions:
            result.append(Unit(kind, what, anchor, text, mentions, **where))

    for scene in story.scenes.values():
        for para in scene.text:
            for text in para.texts:
                add("scene", f"scene {scene.id}", para.pos, text, scene=scene.id, paragraph=para)
        for choice in scene.choices:
            where = f"choice {scene.id}:{choice.id}"
            add("label", where, choice.pos, choice.label or literal(choice.text), scene=scene.id, choice=choice)
            if choice.hint:
                add("hint", f"the hint of {where}", choice.pos, choice.hint_text or literal(choice.hint),
                    scene=scene.id, choice=choice)
            for para in choice.outcome:
                for text in para.texts:
                    add("outcome", f"the outcome of {where}", para.pos, text, scene=scene.id, paragraph=para,
                        choice=choice)
    for clue in story.clues.values():
        add("clue", f"clue {clue.id}", clue.pos, literal(clue.text), subject=clue.id)
    for entity in story.entities.values():
        if entity.text:
            add("entity", f"the case file's line for {entity.id}", entity.pos, literal(entity.text),
                owner=entity.id, subject=entity.id)
    for deduction in story.deductions.values():
        add("deduction", f"deduction {deduction.id}", deduction.pos, literal(deduction.text), subject=deduction.id)
    for question in story.questions.values():
        add("ask", f"question {question.id}", question.pos, literal(question.ask), subject=question.id)
        for outcome in (question.right, *question.responses, question.wrong):
            text = outcome.body or literal(outcome.text)
            add("answer", f"the answer '{outcome.id}' to question {question.id}", outcome.pos if outcome.pos.line else question.pos, text,
                subject=question.id, outcome=outcome.id)
    for ending in story.endings.values():
        add("ending", f"ending {ending.id}", ending.pos, ending.body or literal(ending.text), subject=ending.id)
    return result


class Sources:
    """The story's files as text, for where a mention is and whether it is silenced."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, list[int]] | None] = {}

    def _file(self, path: str) -> tuple[str, list[int]] | None:
        if path not in self.files:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self.files[path] = None
            else:
                starts = [0]
                starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
                self.files[path] = (text, starts)
        return self.files[path]

    def locate(self, unit: Unit, mention: Mention) -> Pos:
        """The mention's line and column: the phrase's first match at or after the text's start."""
        found = self._file(unit.anchor.path)
        if found is None or not unit.anchor.line:
            return unit.anchor
        text, starts = found
        # How many times the phrase occurs in the text before this one: skip as many in the file.
        pattern = phrase_pattern(mention.phrase)
        before = sum(1 for m in pattern.finditer(unit.text.source) if m.start() < mention.offset)
        start = starts[unit.anchor.line - 1] if unit.anchor.line <= len(starts) else 0
        for index, match in enumerate(pattern.finditer(text, start)):
            if index == before:
                line = _line_of(starts, match.start())
                return Pos(unit.anchor.path, line + 1, match.start() - starts[line] + 1)
        return unit.anchor

    def find(self, unit: Unit, words: list[str]) -> Pos:
        """Where a run of words of the unit's text is written (the text's start if not found)."""
        found = self._file(unit.anchor.path)
        if found is None or not unit.anchor.line or not words:
            return unit.anchor
        text, starts = found
        start = starts[unit.anchor.line - 1] if unit.anchor.line <= len(starts) else 0
        match = phrase_pattern(" ".join(words)).search(text, start)
        if match is None:
            return unit.anchor
        line = _line_of(starts, match.start())
        return Pos(unit.anchor.path, line + 1, match.start() - starts[line] + 1)

    def comment(self, unit: Unit, at: Pos, pattern: re.Pattern[str]) -> str | None:
        """The reason of a comment like `# continuity: ok — reason` that covers the place: on its
        line, a line of the text before it, or the line just above the text; None if none does."""
        found = self._file(at.path)
        if found is None or not at.line:
            return None
        text, starts = found
        first = max(1, min(unit.anchor.line, at.line) - 1)
        for line_no in range(first, min(at.line, len(starts)) + 1):
            begin = starts[line_no - 1]
            end = starts[line_no] if line_no < len(starts) else len(text)
            match = pattern.search(text[begin:end].rstrip("\n"))
            if match:
                return match.group(1).strip()
        return None

    def marked(self, unit: Unit, at: Pos, pattern: re.Pattern[str]) -> bool:
        """Whether such a comment, with a reason, covers the place."""
        return bool(self.comment(unit, at, pattern))

    def silence(self, unit: Unit, at: Pos) -> tuple[bool, str] | None:
        """(True, reason) if a `# continuity: ok — reason` covers the place; (False, '') if one
        without a reason does; None if there is none."""
        reason = self.comment(unit, at, SILENCE)
        return None if reason is None else (bool(reason), reason)


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if starts[mid] <= offset:
            low = mid
        else:
            high = mid - 1
    return low
