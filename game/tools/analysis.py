"""Story-wide analysis for `play.py check`: its findings, and a verdict that is a promise.

Three passes over a story that loaded without errors:

1. The may-analysis (game.tools.abstract) over-approximates every state a
   player can be in at each scene. What it calls impossible is impossible:
   unreachable scenes and endings, choices never enabled, dead ends, clues
   found only after their gate (findings in game.tools.findings).
2. The exhaustive search (game.tools.explore) visits the real states, up to
   a budget. Every scene and ending it enters is reachable (it holds the
   path: a witness); every state it proves can reach no ending is a real
   soft-lock, reported with the shortest way there. If it finishes, it has
   seen everything, and every claim is decided.
3. When the search stops at its budget, the escape proof (game.tools.escape)
   may still prove, scene by scene, that from every state the may-analysis
   allows there, an ending can be reached.

The verdict says "proven" only for what one of these decided: reachability
by a witness, unreachability and the absence of soft-locks by an argument
that covers every state. Anything else is "unknown", named, with the reason.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, Pos
from ..engine import Engine
from ..story import EndGame, Story, all_effects
from . import DEEP_BUDGET, DEFAULT_BUDGET, escape, forward, satcheck, symbolic, witness
from .abstract import Analyzer, Possibilities, possibilities
from .choicestatus import ChoiceStatus
from .deadtext import Conditional, DeadText
from .explore import Explorer
from .findings import Finder, _manifest_pos

# What one state of the explicit search costs, for --max-memory: measured with tracemalloc,
# 5.1 KB on our story and 3.5 KB on the synthetic ones (its key, its links, a queued state).
SEARCH_BYTES_PER_STATE = 6 * 1024
MAX_LISTED = 8  # names listed in one verdict line before "and N more"


MAX_NOTE_NAMES = 20  # scenes named in the note on a search cut short (--json names them all)


@dataclass
class SearchSummary:
    states: int
    complete: bool
    budget: int
    scenes: int = 0  # scenes the search entered
    not_entered: list[str] = field(default_factory=list)  # ... and those it did not (cut short)
    memory_limit: int | None = None  # when --max-memory, not the budget, set how far it may go

    def to_json(self) -> dict:
        return {"states": self.states, "complete": self.complete, "budget": self.budget,
                "scenes": self.scenes, "not_entered": self.not_entered}

    def note(self, total: int) -> str:
        """What a search cut short by its budget covered, naming the scenes it did not enter."""
        shown = ", ".join(self.not_entered[:MAX_NOTE_NAMES])
        more = len(self.not_entered) - MAX_NOTE_NAMES
        if more > 0:
            shown += f" and {more:,} more (check --json lists them all)"
        missing = f"; not entered: {shown}" if self.not_entered else ""
        deeper = "run check --deep, or raise --budget" if self.budget < DEEP_BUDGET else "raise --budget"
        limit = f"its budget of {self.budget:,} states"
        if self.memory_limit is not None:
            limit = f"{self.budget:,} states, what --max-memory {_size(self.memory_limit)} allows"
            deeper = "raise --max-memory"
        return (f"the soft-lock search stopped at {limit}, having entered "
                f"{self.scenes:,} of {total:,} scenes{missing} (soft-locks beyond it were not looked for "
                f"there; {deeper})")


@dataclass
class Verdict:
    """What check proved about the story as a whole, and what it could not decide."""

    scenes: int = 0
    endings: int = 0
    unknown_scenes: list[str] = field(default_factory=list)  # neither reached nor proved unreachable
    unknown_endings: list[str] = field(default_factory=list)
    unproved_escape: list[str] = field(default_factory=list)  # scenes where a soft-lock is not excluded
    reasons: list[str] = field(default_factory=list)  # why something is unknown, in words
    soft_locks: bool = False  # some soft-lock or dead end was found (then they are errors)
    unreachable: int = 0  # scenes and endings proved unreachable (each an error above)
    # Per scene and ending (for playtest's report, continuity): proven reachable (a witness
    # path exists), proven unreachable (an argument covers every state); the rest is unknown.
    reachable_scenes: set[str] = field(default_factory=set)
    unreachable_scenes: set[str] = field(default_factory=set)
    reachable_endings: set[str] = field(default_factory=set)
    unreachable_endings: set[str] = field(default_factory=set)
    # Conditional text (game.tools.deadtext): how many, how many proven never to show,
    # and where those neither seen showing nor proven dead are written.
    texts: int = 0
    dead_texts: int = 0
    unknown_texts: list[str] = field(default_factory=list)
    seen_texts: list[Conditional] = field(default_factory=list)  # witnessed showing (for tests)
    # Choices (game.tools.choicestatus): how many, how many proven never available, and
    # where those neither seen available in a real playthrough nor proven never available are.
    choices: int = 0
    never_choices: int = 0
    unknown_choices: list[str] = field(default_factory=list)
    seen_choices: set[tuple[str, str]] = field(default_factory=set)  # (scene, choice) seen available (for tests)
    # False: only the condition-blind scene graph was looked at (game.tools.outline), a story too
    # big for the analysis by default; nothing is then claimed beyond what that graph proves.
    analysed: bool = True

    def status(self, kind: str, name: str) -> str:
        """'reachable', 'unreachable' or 'unknown' for kind 'scene' or 'ending'."""
        reachable, unreachable = (self.reachable_scenes, self.unreachable_scenes) if kind == "scene" else \
            (self.reachable_endings, self.unreachable_endings)
        return "reachable" if name in reachable else "unreachable" if name in unreachable else "unknown"

    @property
    def proven(self) -> bool:
        return self.analysed and not (self.unknown_scenes or self.unknown_endings or self.unproved_escape)

    def line(self) -> str:
        if self.proven:
            locks = "the soft-locks above are real" if self.soft_locks else "no soft-lock"
            but = f" but the {self.unreachable} reported above" if self.unreachable else ""
            return f"proven: {locks}; every scene and ending reachable{but}"
        why = f" ({'; '.join(self.reasons)})" if self.reasons else ""
        if not self.analysed:
            return (f"unknown: {len(self.unknown_scenes):,} of {self.scenes:,} scenes and "
                    f"{len(self.unknown_endings):,} of {self.endings:,} endings neither shown reachable nor proved "
                    f"unreachable, and soft-locks behind conditions not looked for{why}")
        parts = []
        if self.unproved_escape:
            parts.append(f"no soft-lock not proved in {_names(self.unproved_escape)}")
        if self.unknown_scenes:
            parts.append(f"{len(self.unknown_scenes)} of {self.scenes} scenes neither reached nor proved "
                         f"unreachable ({_names(self.unknown_scenes)})")
        if self.unknown_endings:
            parts.append(f"endings not decided: {_names(self.unknown_endings)}")
        return f"unknown: {'; '.join(parts)}{why}"

    def text_line(self) -> str | None:
        """What check decided about conditional text (None: the story has none)."""
        if not self.texts:
            return None
        if not self.unknown_texts:
            dead = f"; {self.dead_texts} never show" if self.dead_texts else ""
            return (f"text proven: each of the {self.texts} conditional texts was seen showing in a real "
                    f"playthrough or proven never to show{dead}")
        return (f"text unknown: {len(self.unknown_texts)} of {self.texts} conditional texts neither seen showing "
                f"nor proven never to show ({_names(self.unknown_texts)})")

    def choice_line(self) -> str | None:
        """The choices check could not decide (None: each was seen available in a real playthrough
        or proven never available, the latter each an error or warning above)."""
        if not self.unknown_choices:
            return None
        return (f"choices unknown: {len(self.unknown_choices)} of {self.choices} choices neither seen available "
                f"in a real playthrough nor proven never available ({_names(self.unknown_choices)})")

    def to_json(self) -> dict:
        return {"proven": self.proven, "analysed": self.analysed, "unknown_scenes": self.unknown_scenes,
                "unknown_endings": self.unknown_endings, "unproved_escape": self.unproved_escape,
                "reasons": self.reasons, "line": self.line(),
                "texts": self.texts, "dead_texts": self.dead_texts, "unknown_texts": self.unknown_texts,
                "choices": self.choices, "never_choices": self.never_choices,
                "unknown_choices": self.unknown_choices}


@dataclass
class Analysis:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    search: SearchSummary | None = None
    verdict: Verdict = field(default_factory=Verdict)
    # the fast pass, for tools built on it (game.tools.questions)
    possibilities: Possibilities | None = None
    analyzer: Analyzer | None = None


def analyze(story: Story, budget: int = DEFAULT_BUDGET, engine: Engine | None = None,
            max_memory: int | None = None) -> Analysis:
    """Every story-wide finding and the verdict; budget is the most states the search may visit."""
    enabled = gc.isenabled()
    gc.disable()  # many small objects, no cycles: the cyclic collector only costs time here
    try:
        return _analyze(story, budget, engine, max_memory)
    finally:
        if enabled:
            gc.enable()


def _analyze(story: Story, budget: int, engine: Engine | None, max_memory: int | None) -> Analysis:
    finder = Finder(story)
    finder.run()
    poss = finder.poss
    dead = DeadText(story)
    dead.prove(finder.analyzer, poss)
    choices = ChoiceStatus(story, poss)
    named = named_endings(story)  # a walk of every effect: once
    verdict = Verdict(scenes=len(story.scenes), endings=len(named))
    search = None
    reached_scenes: set[str] = set()
    standing: set[str] = set()
    reached_endings: set[str] = set()
    complete = False
    explorer: Explorer | None = None
    # The search's states get three quarters of --max-memory; the escape proof's BDDs the rest.
    allowed = budget if max_memory is None else min(budget, max(1, max_memory * 3 // 4 // SEARCH_BYTES_PER_STATE))
    if budget > 0:
        explorer = Explorer(story, engine)
        usable = dead.judged(explorer.exact())
        result = explorer.search(allowed, lambda pt, offered: (dead.witness(pt, offered, usable),
                                                               choices.witness(pt, offered)))
        finder.soft_locks(explorer, result)
        entered = set(result.scenes)
        search = SearchSummary(result.size, result.complete, allowed, len(entered),
                               memory_limit=max_memory if allowed < budget else None)
        if not result.complete:
            search.not_entered = [s for s in story.scenes if s not in entered]
        reached_scenes = set(result.scenes)
        # Where the player stands with the game going on (or in an ending scene): not where
        # a move's effect ended the game on the way in. Only there is a trap a soft-lock.
        standing = {sid for sid, ended in zip(result.scenes, result.ended, strict=True)
                    if ended is None or story.scenes[sid].ending == ended}
        reached_endings = {e for e in result.ended if e is not None}
        complete = result.complete
        del result  # its states are the search's share of --max-memory: give it to the witness searches
        verdict.soft_locks = any(d.code in ("soft-lock", "locked-dead-end") for d in finder.found)
        if not complete and allowed < budget:
            verdict.reasons.append(f"the search stopped at {allowed:,} states, as many as the memory limit of "
                                   f"{_size(max_memory)} allows at about {SEARCH_BYTES_PER_STATE // 1024} KB a "
                                   "state, a quarter kept for the escape proof (raise --max-memory)")
        elif not complete:
            verdict.reasons.append(f"the search stopped at its budget of {budget:,} states")
    else:
        verdict.reasons.append("the search was skipped (--budget 0)")
    possible = poss.reached | poss.shown_at_end
    exact = complete and not poss.gaps
    if exact:  # every reachable state was visited: what it never met cannot happen
        for sid in sorted(possible - reached_scenes):
            finder.error(story.scenes[sid].pos, f"scene '{sid}' can never be reached: no playthrough gets "
                         "there (every reachable state was visited)", "unreachable-scene")
        for ending_id in sorted(named & poss.endings - reached_endings):
            finder.error(story.endings[ending_id].pos, f"ending '{ending_id}' can never be reached: no "
                         "playthrough gets there (every reachable state was visited)", "ending-unreachable")
        possible = possible & reached_scenes
        endings = poss.endings & reached_endings
        for sid, cid in choices.never_offered():
            choice = story.scenes[sid].choice(cid)
            assert choice is not None
            finder.warning(choice.if_pos if choice.condition is not None else choice.pos,
                           f"choice '{cid}' in scene '{sid}' can never be taken: no playthrough is offered it "
                           "(every reachable state was visited)", "choice-never-enabled")
            choices.never.add((sid, cid))
        assert explorer is not None  # exact: the search ran
        dead.exhausted([text.kind == "scene" and
                        explorer.decides(text.scene, {ref for condition, _ in text.guards for ref in condition.refs})
                        for text in dead.texts])
        if len(dead.dead) + len(dead.shown) < len(dead.texts):
            # Text reading what the search's states do not keep (facts only text reads, counts
            # past a cap): real playthroughs hold every fact exactly, so they may see it shown.
            every = [True] * len(dead.texts)
            witness.playouts(story, set(), set(), steps=witness.WANDER_STEPS, rules=explorer.engine,
                             observe=lambda pt, offered: dead.witness(pt, offered, every),
                             undecided=lambda: len(dead.dead) + len(dead.shown) < len(dead.texts))
    else:
        endings = poss.endings
    verdict.unreachable = sum(1 for s in story.scenes if s not in possible) + \
        sum(1 for e in named if e not in endings)
    if poss.gaps:
        verdict.reasons.append("the analysis does not model " + ", ".join(poss.gaps))
    missing_endings: set[str] = set()
    if not exact:
        missing = {s for s in story.scenes if s in possible and s not in reached_scenes}
        missing_endings = {e for e in named if e in poss.endings and e not in reached_endings}
        explorer = explorer or Explorer(story, engine)
        usable = dead.judged(explorer.exact())
        def still_open() -> bool:  # some text or choice neither seen nor ruled out
            return len(dead.dead) + len(dead.shown) < len(dead.texts) or choices.open()

        undecided = still_open()
        # Scenes where the may-analysis knows every move that may be offered (choices only:
        # the ids of answers to questions differ), so the coverage search can stop asking.
        may_offer = {sid: frozenset(m.id for m in moves) for sid, moves in poss.enabled.items()
                     if all(m.choice is not None for m in finder.analyzer.moves[sid])}
        cover_budget = witness.COVER_PER_SCENE * len(story.scenes)
        find_budget = witness.DEFAULT_BUDGET
        if max_memory is not None:  # their states cost about what the search's do
            cover_budget = min(cover_budget, max(1, max_memory // SEARCH_BYTES_PER_STATE))
            # the directed search keeps every state it finds, about three per state it expands
            find_budget = min(find_budget, max(1, max_memory // (3 * SEARCH_BYTES_PER_STATE)))
        finders = (lambda: witness.cover(story, missing, missing_endings, explorer, budget=cover_budget,
                                         observe=lambda pt, offered: (dead.witness(pt, offered, usable),
                                                                      choices.witness(pt, offered)),
                                         until_found=not undecided, may_offer=may_offer),
                   lambda: witness.playouts(story, missing, missing_endings, rules=explorer.engine),
                   lambda: witness.find(story, missing, missing_endings, explorer=explorer, budget=find_budget))
        for number, finder_ in enumerate(finders):
            if missing or missing_endings or (number == 0 and undecided):
                found = finder_()
                missing -= set(found)
                standing |= {t for t in found if not t.startswith("ending:")}
                missing_endings -= {t.split(":", 1)[1] for t in found if t.startswith("ending:")}
        if undecided:  # random play reaches deep states the searches stop short of (stats built up)
            every = [True] * len(usable)  # a real playthrough's state is exact in every fact
            witness.playouts(story, set(), set(), steps=witness.WANDER_STEPS, rules=explorer.engine,
                             observe=lambda pt, offered: (dead.witness(pt, offered, every),
                                                          choices.witness(pt, offered)),
                             undecided=still_open)
        verdict.unknown_scenes = sorted(missing)
        verdict.unknown_endings = sorted(missing_endings)
        reached_scenes |= possible - missing  # witnessed (the rest of `possible` is unknown)
        proof = escape.prove(finder.analyzer, poss, max_memory=max_memory, seconds=escape.seconds_for(budget))
        verdict.unproved_escape = sorted(s for s in proof.unproved if s not in finder.trapped
                                         and s not in finder.dead_ends)
        escape_reason = escape_why(proof)
        if verdict.unproved_escape and escape_reason:
            verdict.reasons.append(escape_reason + _one_hole(proof, verdict.unproved_escape))
    else:
        reached_endings = set(endings)
    _forward_dead(story, finder, dead, max_memory, budget)
    for diagnostic, target in finder.traps:
        if target in standing:  # a player stands there, and from there reaches no ending
            finder.found.append(diagnostic)
        elif not exact and target not in verdict.unproved_escape:
            verdict.unproved_escape.append(target)
    verdict.unproved_escape.sort()
    if search is not None and not search.complete and verdict.unproved_escape:
        # only where the escape proof left a scene open does "not looked for" matter
        finder.note(_manifest_pos(story), search.note(len(story.scenes)), "search-incomplete")
    verdict.soft_locks = any(d.code in ("soft-lock", "locked-dead-end") for d in finder.found)
    verdict.reachable_scenes = {s for s in story.scenes if s in reached_scenes and s in possible}
    verdict.unreachable_scenes = {s for s in story.scenes if s not in possible}
    verdict.reachable_endings = {e for e in named if e in endings and e not in verdict.unknown_endings
                                 and (exact or e in reached_endings or e not in missing_endings)}
    verdict.unreachable_endings = {e for e in named if e not in endings}
    finder.found.extend(dead.warnings(finder.impossible_conditions))
    verdict.texts, verdict.dead_texts = len(dead.texts), len(dead.dead)
    verdict.unknown_texts = [str(t.pos) for t in dead.unknown()]
    verdict.seen_texts = [dead.texts[i] for i in sorted(dead.shown)]
    verdict.choices, verdict.never_choices = len(choices.choices), len(choices.never)
    verdict.unknown_choices = choices.unknown()
    verdict.seen_choices = set(choices.seen)
    return Analysis(_dedupe(finder.found), search, verdict, finder.poss, finder.analyzer)


def _forward_dead(story: Story, finder: Finder, dead: DeadText, max_memory: int | None, budget: int) -> None:
    """The texts neither seen nor proven dead, tried once more with whole states
    (game.tools.forward): facts that each may hold there, but never together."""
    if not symbolic.available() or len(story.scenes) > escape.MAX_SCENES:
        return
    open_ = [(i, t) for i, t in enumerate(dead.texts) if i not in dead.dead and i not in dead.shown
             and t.scene and t.kind not in ("ending", "answer")]
    if open_:
        deadline = time.monotonic() + escape.seconds_for(budget)
        dead.proved(forward.prove_dead(finder.analyzer, open_, None if max_memory is None else max_memory // 4,
                                       deadline))


def escape_why(proof: escape.EscapeResult) -> str:
    if proof.exhausted and proof.reason:
        return f"the escape proof stopped: {proof.reason}"
    if proof.reason:
        return f"the escape proof was not tried: {proof.reason}"
    if proof.exhausted:
        return "the escape proof ran out of time (a bigger --budget, or --deep, gives it more)"
    if not proof.every_path:
        hint = "" if satcheck.available() else \
            " (with python-sat installed, pip install -e '.[analysis]', it also tries every path at once)"
        return "the escape proof found no short way out that works for every state it allows there" + hint
    return "the escape proof found no way out that works for every state it allows there"


def _one_hole(proof: escape.EscapeResult, unproved: list[str]) -> str:
    """After every path was tried, one state it could not rule out, in the story's words:
    where the writer should look (it may still be a state no player reaches)."""
    if not proof.every_path:
        return ""  # a short way out not found says little about the state
    for sid in unproved:
        example = proof.example(sid)
        if example is None:
            continue
        held = sorted(k.split(".", 1)[1] for k, v in example.items() if k.startswith("clue.") and v is True)
        flags = sorted(k.split(".", 1)[1] for k, v in example.items() if k.startswith("flag.") and v is True
                       and not k.startswith(("flag.concluded.", "flag.solved.")))
        seen = [k.split(".", 1)[1] for k, v in example.items() if k.startswith("visited.") and v is True]
        words = f"; for instance at {sid} holding {_names(held) if held else 'no clue'}"
        if flags:
            words += f", flags {_names(flags)}"
        return words + f", {len(seen)} scene{'s' if len(seen) != 1 else ''} visited: it could not rule that out"
    return ""


def named_endings(story: Story) -> set[str]:
    """Endings some scene or effect names (an unused ending is the loader's warning)."""
    named = {s.ending for s in story.scenes.values() if s.ending}
    for scene in story.scenes.values():
        effects = all_effects((*scene.on_enter, *(e for c in scene.choices for e in c.effects)))
        named.update(e.ending for e in effects if isinstance(e, EndGame))
    for question in story.questions.values():
        for outcome in question.outcomes:
            named.update(e.ending for e in all_effects(outcome.effects) if isinstance(e, EndGame))
    return named


def _size(size: int | None) -> str:
    """Bytes as --max-memory spells them: 1G, 500M."""
    if size is None:
        return "none"
    for unit, scale in (("G", 1024**3), ("M", 1024**2), ("K", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{unit}"
    return f"{size:,} bytes"


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One finding per (code, place): the fast pass's wording wins over the search's."""
    seen: set[tuple[str, Pos]] = set()
    result = []
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.pos)
        if key not in seen:
            seen.add(key)
            result.append(diagnostic)
    return result


__all__ = ["Analysis", "SearchSummary", "Verdict", "analyze", "possibilities"]
