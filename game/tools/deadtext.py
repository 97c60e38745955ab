"""Dead text: conditional text that can never show, proven or witnessed.

A *conditional text* is a paragraph with `if:` (in a scene's text or a
choice's outcome) or one side of inline `{condition: then|otherwise}` (in
scene text, outcomes, a choice's label or hint, an ending's text). Each one
shows only while its guards hold: the paragraph's `if:`, the conditions of
the braces around it, and its own condition (true for `then`, false for
`otherwise`).

Two ways to decide one, each sound in its own direction:

- **dead** (a warning, `text-never-shown`): the may-analysis' box of the
  scene (for an outcome: the box in which its choice may be taken) makes
  some guard never hold. The box over-approximates every state in which the
  text is drawn, so it never shows. Text in an unreachable scene or of a
  choice that is never enabled is dead too, but that is reported already.
- **shown**: a real state the search visited (game.tools.explore) draws it:
  a witness. Only conditions whose every reference the search's states keep
  exactly are judged on them (visits and takings the search caps are not).

Inline conditions in what answering a question says are seen showing when a
real state offers an answer that draws them; nothing proves them dead.

What neither decides is unknown, and the verdict lists it by file:line:col.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..conditions import Condition
from ..diagnostics import Diagnostic, Pos
from ..markup import Alternatives, Plural, Seq, When
from ..questions import ANSWER, QuestionRules, parse_answer
from ..state import Playthrough
from ..story import Paragraph, Story
from .abstract import FALSE, TRUE, Analyzer, AState, Possibilities

PENDING = "(pending)"  # the key of a question's pending text (no outcome id has brackets)
Guard = tuple[Condition, bool]  # a condition and whether the text needs it true (False: false)


@dataclass(frozen=True)
class Conditional:
    """One conditional text: where it is written, where it is drawn, what it needs."""

    pos: Pos
    what: str  # in words: "a paragraph of scene 'x'", "the 'otherwise' text of ... in ..."
    kind: str  # scene | outcome | label | hint | ending | answer
    scene: str  # the scene it is drawn in ('' for an ending's text)
    choice: str  # the choice (outcome, label, hint), the ending's id, or question:outcome
    guards: tuple[Guard, ...]

    def shows(self, pt: Playthrough) -> bool:
        return all(bool(condition(pt)) == want for condition, want in self.guards)


def conditionals(story: Story) -> list[Conditional]:
    """Every conditional text of the story, in story order."""
    found: list[Conditional] = []
    for scene in story.scenes.values():
        sid = scene.id
        _paragraphs(found, scene.text, "scene", sid, "", f"scene '{sid}'")
        for choice in scene.choices:
            where = f"choice '{choice.id}' in scene '{sid}'"
            _paragraphs(found, choice.outcome, "outcome", sid, choice.id, f"the outcome of {where}")
            for kind, text in (("label", choice.label), ("hint", choice.hint_text)):
                if text is not None:
                    _inline(found, text.parts, (), choice.pos, kind, sid, choice.id, f"the {kind} of {where}")
    for ending_id, ending in story.endings.items():
        if ending.body is not None:
            _inline(found, ending.body.parts, (), ending.pos, "ending", "", ending_id, f"ending '{ending_id}'")
    for question in story.questions.values():  # what answering says, keyed "question:outcome"
        bodies = [(o.body, f"the '{o.id}' text of question '{question.id}'", f"{question.id}:{o.id}")
                  for o in question.outcomes]
        bodies.append((question.pending_body, f"the pending text of question '{question.id}'",
                       f"{question.id}:{PENDING}"))
        for body, where, key in bodies:
            if body is not None:
                _inline(found, body.parts, (), question.pos, "answer", "", key, where)
    return found


def _paragraphs(found: list[Conditional], paragraphs: tuple[Paragraph, ...], kind: str, scene: str,
                choice: str, where: str) -> None:
    for para in paragraphs:
        guards: tuple[Guard, ...] = ()
        if para.condition is not None:
            guards = ((para.condition, True),)
            found.append(Conditional(para.pos, f"a paragraph of {where} (if: {para.condition.source})",
                                     kind, scene, choice, guards))
        for text in para.texts:
            _inline(found, text.parts, guards, para.pos, kind, scene, choice, where)


def _inline(found: list[Conditional], seq: Seq, guards: tuple[Guard, ...], pos: Pos, kind: str, scene: str,
            choice: str, where: str) -> None:
    for piece in seq:
        if isinstance(piece, When):
            at = piece.pos or pos
            for side, want, name in ((piece.then, True, "text"), (piece.otherwise, False, "'otherwise' text")):
                if not side and not want:
                    continue  # no otherwise text: nothing to show
                inner = (*guards, (piece.condition, want))
                found.append(Conditional(at, f"the {name} of '{{{piece.condition.source}: ...}}' in {where}",
                                         kind, scene, choice, inner))
                _inline(found, side, inner, at, kind, scene, choice, where)
        elif isinstance(piece, Alternatives):
            for option in piece.options:
                _inline(found, option, guards, pos, kind, scene, choice, where)
        elif isinstance(piece, Plural):
            for form in piece.forms:
                _inline(found, form, guards, pos, kind, scene, choice, where)


@dataclass
class DeadText:
    """The conditional texts of a story, which are proven dead, which were seen showing."""

    story: Story
    texts: list[Conditional] = field(default_factory=list)
    dead: set[int] = field(default_factory=set)  # indexes into texts
    shown: set[int] = field(default_factory=set)
    reported: dict[int, str] = field(default_factory=dict)  # dead, with the warning's reason
    failed: dict[int, Condition] = field(default_factory=dict)  # ... and the condition that never holds

    def __post_init__(self) -> None:
        self.texts = conditionals(self.story)
        by_scene: dict[str, list[int]] = {}
        by_ending: dict[str, list[int]] = {}
        by_answer: dict[str, list[int]] = {}
        for index, text in enumerate(self.texts):
            if text.kind == "ending":
                by_ending.setdefault(text.choice, []).append(index)
            elif text.kind == "answer":
                by_answer.setdefault(text.choice, []).append(index)  # witnessed, never proven dead
            else:
                by_scene.setdefault(text.scene, []).append(index)
        self._by_scene = by_scene
        self._by_ending = by_ending
        self._by_answer = by_answer
        self._answers_unseen = {i for ids in by_answer.values() for i in ids}
        self._questions = QuestionRules(self.story) if by_answer else None

    # -- proofs ------------------------------------------------------------

    def prove(self, analyzer: Analyzer, poss: Possibilities) -> None:
        """Mark dead what the may-analysis shows can never be drawn."""
        enabled = {(sid, m.id): m for sid, moves in poss.enabled.items() for m in moves}
        possible = poss.reached | poss.shown_at_end
        boxes = _text_boxes(analyzer, poss)
        for index, text in enumerate(self.texts):
            if text.kind in ("ending", "answer"):
                continue  # no box for the state the game ends in, or for judging an answer
            if text.scene not in possible:
                self.dead.add(index)  # the scene is reported unreachable
                continue
            box = boxes.get(text.scene)
            if box is None:
                continue  # not judged
            if text.kind != "scene":
                box = poss.states.get(text.scene)  # choices are offered only while the game goes on
                if box is None:
                    continue
            if text.kind == "outcome" or (text.kind == "label" and not _shown_locked(self.story, text)):
                move = enabled.get((text.scene, text.choice))
                if move is None:
                    self.dead.add(index)  # the choice is reported as never enabled (or never offered)
                    continue
                box = analyzer.available(move, box)  # type: ignore[assignment]
                if box is None:
                    self.dead.add(index)
                    continue
            elif text.kind == "hint" and not _shown_locked(self.story, text):
                self.dead.add(index)  # never shown locked: the loader warns (unused-hint)
                continue
            failed = _never(analyzer, box, text.guards)
            if failed is not None:
                self.dead.add(index)
                guard, reason = failed
                if guard == len(text.guards) - 1:  # else the text around it is reported
                    self.reported[index] = reason
                    self.failed[index] = text.guards[guard][0]

    # -- witnesses ---------------------------------------------------------

    def judged(self, kept: frozenset[tuple[str, str]] | None) -> list[bool]:
        """For each text: whether a state of the search can witness it (every reference it
        reads is kept exactly in the search's states; None: every reference is)."""
        result = []
        for text in self.texts:
            refs = {ref for condition, _ in text.guards for ref in condition.refs}
            result.append(kept is None or all(kind not in ("visited", "visits", "taken") or (kind, name) in kept
                                              for kind, name in refs))
        return result

    def witness(self, pt: Playthrough, offered: list[str], usable: list[bool]) -> None:
        """Mark shown what this real state draws (its scene's text, the outcome, label and hint
        of its choices, its ending's text)."""
        if pt.ending is not None:  # the scene the game ended in is drawn above the ending's text
            indexes = [*self._by_ending.get(pt.ending, []), *self._by_scene.get(pt.scene, [])]
        else:
            indexes = self._by_scene.get(pt.scene, [])
            if self._answers_unseen:
                self._witness_answers(pt, offered, usable)
        if not indexes:
            return
        scene = self.story.scenes[pt.scene]
        available = set(offered)
        for index in indexes:
            if index in self.shown or not usable[index]:
                continue
            text = self.texts[index]
            if text.kind == "scene" or text.kind == "ending":
                pass
            elif pt.ending is not None:
                continue
            elif text.kind in ("outcome", "label"):
                if text.choice not in available:
                    continue
            else:  # a hint shows beside a choice shown locked
                choice = scene.choice(text.choice)
                if choice is None or text.choice in available or not choice.visible_when_locked or \
                        (choice.once and (scene.id, choice.id) in pt.taken) or \
                        (choice.shown_locked_if is not None and not choice.shown_locked_if(pt)):
                    continue
            if text.shows(pt):
                self.shown.add(index)

    def exhausted(self, usable: list[bool]) -> None:
        """After a search that visited every reachable state: a scene's text whose every
        reference its states tell apart (usable: Explorer.decides) and which it never saw
        showing can never show. Only scene text: the state a search
        keeps is the one that text is drawn in (outcomes, labels and endings are judged on
        states the search does not keep one for). A text inside another that never shows
        is not reported on its own (the one around it is)."""
        self.proved({i: "no playthrough shows it (every reachable state was visited)"
                     for i, text in enumerate(self.texts) if text.kind == "scene" and usable[i]
                     and i not in self.dead and i not in self.shown})

    def proved(self, found: dict[int, str]) -> None:
        """Mark dead the texts proven never drawn (index -> why: the exhausted search, or
        game.tools.forward); a text inside another proved dead is not reported on its own."""
        outer = {tuple((id(c), side) for c, side in self.texts[i].guards) for i in found}
        for index, reason in found.items():
            guards = self.texts[index].guards
            self.dead.add(index)
            if not any(tuple((id(c), side) for c, side in guards[:n]) in outer for n in range(1, len(guards))):
                self.reported[index] = reason
                self.failed[index] = guards[-1][0]

    def _witness_answers(self, pt: Playthrough, offered: list[str], usable: list[bool]) -> None:
        """Mark shown what answering says, for each answer this real state offers: it is
        drawn from the state before the answer runs (Rules.outcome), the texts of the
        outcome it is judged (or, pinned in a batch, the pending text and the right text
        of each answer it confirms)."""
        questions = self._questions
        assert questions is not None
        for move in offered:
            parsed = parse_answer(move) if move.startswith(ANSWER) else None
            if parsed is None:
                continue
            question_id, values = parsed
            resolution = questions.resolve(self.story.questions[question_id], values, pt)
            if resolution.pending:
                keys = [f"{question_id}:{PENDING}", *(f"{q.id}:{q.right.id}" for q, _ in resolution.confirms)]
            else:
                keys = [f"{question_id}:{resolution.outcome.id}"]
            for key in keys:
                for index in self._by_answer.get(key, ()):
                    if index in self._answers_unseen and usable[index] and self.texts[index].shows(pt):
                        self.shown.add(index)
                        self._answers_unseen.discard(index)

    # -- results -----------------------------------------------------------

    def warnings(self, explained: set[int] | None = None) -> list[Diagnostic]:
        """A warning per dead text, but for those whose condition holds a stat test that is
        already an error (`explained`: ids of such conditions)."""
        return [Diagnostic(self.texts[i].pos, "warning", f"{self.texts[i].what} can never show: {reason}",
                           "text-never-shown") for i, reason in sorted(self.reported.items())
                if id(self.failed[i]) not in (explained or set())]

    def unknown(self) -> list[Conditional]:
        return [t for i, t in enumerate(self.texts) if i not in self.dead and i not in self.shown]


def _text_boxes(analyzer: Analyzer, poss: Possibilities) -> dict[str, AState]:
    """Per scene, a box of every state its text is drawn in: the may-analysis' states, and
    the states a move that ends the game leaves in the scene it goes to (or stays in),
    which the fixpoint does not follow (the game is over, yet the scene is shown)."""
    boxes = dict(poss.states)
    for sid, moves in poss.enabled.items():
        for move in moves:
            if not move.ends:
                continue
            pre = analyzer.available(move, poss.states[sid])
            if pre is None:
                continue
            for target, taken in analyzer.branch_boxes(move, pre):
                dest = sid if target is None else target
                arrived = analyzer.after(move, taken, target)
                old = boxes.get(dest)
                boxes[dest] = arrived if old is None else old.join(arrived)
    return boxes


def _shown_locked(story: Story, text: Conditional) -> bool:
    choice = story.scenes[text.scene].choice(text.choice)
    return choice is not None and bool(choice.visible_when_locked)


def _never(analyzer: Analyzer, box: AState, guards: tuple[Guard, ...]) -> tuple[int, str] | None:
    """The first guard that never holds in the box (narrowed by the ones before), and why."""
    current: AState | None = box
    for index, (condition, want) in enumerate(guards):
        assert current is not None
        word = "true" if want else "false"
        if not analyzer.truth(condition, current) & (TRUE if want else FALSE):
            return index, f"'{condition.source}' is never {word} there"
        current = analyzer.assume(condition.tree, current, want)
        if current is None:
            return index, f"'{condition.source}' is never {word} there"
    return None


__all__ = ["Conditional", "DeadText", "conditionals"]
