"""`play.py playtest --prose`: what one playthrough reads too often, and the story's tics (#16).

Two parts:

- per playthrough: random playthroughs (seeded, like playtest; the player
  picks uniformly among the moves on offer, answers included) record what the
  player reads: the scene's paragraphs on arrival (staying in a scene shows
  only the paragraphs that are new, as the UI does), each choice's outcome,
  and the text of each clue found. Every sentence, and every run of
  PHRASE_WORDS words, read THRESHOLD or more times in one playthrough is
  listed, with the most times in one run, in how many runs, and where it is
  written (file:line);
- across the story: similes ("like a ...") and pet phrases
  (runs of words the story uses in many places), above a threshold.

Deliberate refrains are marked where they are written, with a reason, like
continuity's silencing: `# refrain: REASON` on the line of the text, on a
line of it before, or on the line just above where it starts. A sentence of
a marked text is never listed, nor a phrase that only marked sentences hold.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..diagnostics import Pos
from ..markup import Text, literal
from ..prose import fold
from ..rules import Rules
from ..story import Story
from .mentions import Sources, Unit

THRESHOLD = 3  # times in one playthrough
PHRASE_WORDS = 6  # words in a repeated phrase
MIN_SENTENCE_WORDS = 4  # shorter sentences ("You wait.") are not counted
# "like a ..." similes, the kind the issue counted (~91 in ~41k words)
SIMILE = re.compile(r"\blike an?\b[^.,;:!?\"”]{0,40}", re.IGNORECASE)
PET_WORDS = 4  # words in a pet phrase
PET_PLACES = 3  # a pet phrase is written in at least this many places
SIMILES_PER_10K = 10  # more similes than this per 10,000 words is reported
REFRAIN = re.compile(r"#\s*refrain\b[\s\-—–:]*(.*)$")
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+[\"”’']?|$)")
_WORD = re.compile(r"[\w’'-]+")


def sentences(text: str) -> list[str]:
    return [" ".join(s.split()) for s in _SENTENCE.findall(text) if s.strip()]


def _key(sentence: str) -> str:
    return " ".join(_WORD.findall(sentence.lower().replace("’", "'")))


@dataclass
class Source:
    pos: Pos
    refrain: bool = False


@dataclass
class Repeat:
    text: str
    most: int  # the most times one playthrough read it
    runs: int  # in how many playthroughs it was read THRESHOLD times or more
    where: list[Pos] = field(default_factory=list)


@dataclass
class ProseReport:
    runs: int
    words: int
    sentences: list[Repeat] = field(default_factory=list)
    phrases: list[Repeat] = field(default_factory=list)
    similes: list[tuple[str, Pos]] = field(default_factory=list)
    pets: list[tuple[str, list[Pos]]] = field(default_factory=list)
    twice: list[tuple[str, list[Pos]]] = field(default_factory=list)  # similes written in more than one place
    refrains: int = 0  # sentences read THRESHOLD times that are marked as refrains
    phrase_refrains: int = 0  # phrases read THRESHOLD times whose every sentence is marked as a refrain

    @property
    def similes_per_10k(self) -> float:
        return len(self.similes) * 10_000 / max(1, self.words)


class _Index:
    """Every text of the story, by sentence: where it is written, and whether it is a refrain."""

    def __init__(self, story: Story, sources: Sources):
        self.sources = sources
        self.where: dict[str, list[Source]] = defaultdict(list)
        self.texts: list[tuple[str, Pos]] = []

        def add(source: str, anchor: Pos) -> None:
            if not source:
                return
            self.texts.append((source, anchor))
            unit = Unit("prose", "", anchor, literal(source), ())
            for sentence in sentences(source):
                pos = sources.find(unit, sentence.split()[:6]) if sentence.split() else anchor
                refrain = _refrain(sources, unit, pos)
                self.where[_key(sentence)].append(Source(pos, refrain))

        for scene in story.scenes.values():
            for para in scene.text:
                for text, variant in zip(para.texts, para.variants, strict=False):
                    add(_plain(text, variant), para.pos)
            for choice in scene.choices:
                for para in choice.outcome:
                    for text, variant in zip(para.texts, para.variants, strict=False):
                        add(_plain(text, variant), para.pos)
        for clue in story.clues.values():
            add(clue.text, clue.pos)
        for deduction in story.deductions.values():
            add(deduction.text, deduction.pos)
        for question in story.questions.values():
            for outcome in question.outcomes:
                add(outcome.text, outcome.pos if outcome.pos.line else question.pos)
        for ending in story.endings.values():
            add(ending.text, ending.pos)

    def sources_of(self, sentence: str) -> list[Source]:
        return self.where.get(_key(sentence), [])

    def phrase_sources(self, phrase: str) -> list[Source]:
        """Where every sentence that holds the phrase (a run of words of one sentence) is written."""
        padded = f" {phrase} "
        return [source for key, found in self.where.items() if padded in f" {key} " for source in found]


def _plain(text: Text, variant: str) -> str:
    """The text as written, markup braces dropped (their words kept), to find its sentences."""
    return re.sub(r"[{}|]", " ", variant) if not text.plain else variant


def _refrain(sources: Sources, unit: Unit, at: Pos) -> bool:
    return sources.marked(unit, at, REFRAIN)


def _phrases(words: list[str], n: int) -> list[str]:
    return [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]


def read_in_one_run(rules: Rules, rng: random.Random, max_turns: int) -> list[str]:
    """The paragraphs one random playthrough reads, in order.

    The player is a reader, not a monkey: it takes a move it has not taken
    before in this playthrough when there is one (at random among them), so a
    hub is revisited about as often as errands send a person back to it."""
    pt, _ = rules.start(rng.randrange(1 << 30))
    read: list[str] = []
    shown = rules.text(pt)
    read.extend(shown)
    tried: set[tuple[str, str]] = set()
    for _ in range(max_turns):
        moves = rules.available(pt)
        if not moves:
            break
        scene = pt.scene
        fresh = [m for m in moves if (scene, m) not in tried]
        move = rng.choice(fresh or moves)
        tried.add((scene, move))
        step = rules.step(pt, move)
        if step.outcome:
            read.extend(p for p in step.outcome.split("\n\n") if p.strip())
        for clue in step.clues:
            read.append(fold(rules.story.clues[clue].text))
        now = rules.text(pt)
        read.extend(now if pt.scene != scene else [p for p in now if p not in shown])
        shown = now
    return read


def prose_report(story: Story, runs: int = 200, seed: int = 0, max_turns: int = 500) -> ProseReport:
    sources = Sources()
    index = _Index(story, sources)
    rules = Rules(story)
    rng = random.Random(seed)
    most: Counter[str] = Counter()
    in_runs: Counter[str] = Counter()
    shown_as: dict[str, str] = {}
    phrase_most: Counter[str] = Counter()
    phrase_runs: Counter[str] = Counter()
    for _ in range(runs):
        counts: Counter[str] = Counter()
        phrase_counts: Counter[str] = Counter()
        for paragraph in read_in_one_run(rules, random.Random(rng.randrange(1 << 30)), max_turns):
            for sentence in sentences(paragraph):
                key = _key(sentence)
                if len(key.split()) < MIN_SENTENCE_WORDS:
                    continue
                counts[key] += 1
                shown_as.setdefault(key, sentence)
                # A phrase counts once per sentence, so a sentence read 3 times is not also 3 phrases.
                for phrase in set(_phrases(key.split(), PHRASE_WORDS)):
                    phrase_counts[phrase] += 1
        for key, n in counts.items():
            if n >= THRESHOLD:
                in_runs[key] += 1
                most[key] = max(most[key], n)
        for phrase, n in phrase_counts.items():
            if n >= THRESHOLD:
                phrase_runs[phrase] += 1
                phrase_most[phrase] = max(phrase_most[phrase], n)
    report = ProseReport(runs, story.word_count())
    repeated_sentences = set()
    for key in sorted(most, key=lambda k: (-in_runs[k], -most[k], k)):
        found = index.sources_of(key)
        if found and all(s.refrain for s in found):
            report.refrains += 1
            repeated_sentences.add(key)
            continue
        repeated_sentences.add(key)
        report.sentences.append(Repeat(shown_as[key], most[key], in_runs[key], [s.pos for s in found]))
    covered = {p for key in repeated_sentences for p in _phrases(key.split(), PHRASE_WORDS)}
    for phrase in sorted(phrase_most, key=lambda p: (-phrase_runs[p], -phrase_most[p], p)):
        if phrase in covered:
            continue
        covered.update({phrase})
        found = index.phrase_sources(phrase)
        if found and all(s.refrain for s in found):  # only ever read in marked refrains
            report.phrase_refrains += 1
            continue
        where = [pos for source, pos in index.texts if phrase in _key(source)]
        report.phrases.append(Repeat(phrase, phrase_most[phrase], phrase_runs[phrase], where))
    report.phrases = _merge(report.phrases)
    _story_tics(index, report)
    return report


def _merge(phrases: list[Repeat]) -> list[Repeat]:
    """Overlapping phrases of one longer run of words, written in the same places, listed once."""
    kept: list[Repeat] = []
    for repeat in phrases:
        kept.append(Repeat(repeat.text, repeat.most, repeat.runs, list(repeat.where)))
    joined = True
    while joined:
        joined = False
        for a in kept:
            for b in kept:
                if a is b or a.where != b.where:
                    continue
                wa, wb = a.text.split(), b.text.split()
                overlap = next((n for n in range(min(len(wa), len(wb)) - 1, 0, -1) if wa[-n:] == wb[:n]), 0)
                if overlap >= PHRASE_WORDS - 1:
                    a.text = " ".join(wa + wb[overlap:])
                    a.most, a.runs = max(a.most, b.most), max(a.runs, b.runs)
                    kept.remove(b)
                    joined = True
                    break
            if joined:
                break
    return kept


def _story_tics(index: _Index, report: ProseReport) -> None:
    places: dict[str, list[Pos]] = defaultdict(list)
    for source, anchor in index.texts:
        unit = Unit("prose", "", anchor, literal(source), ())
        for match in SIMILE.finditer(source):
            pos = index.sources.find(unit, match.group(0).split()[:4])
            if not index.sources.marked(unit, pos, REFRAIN):
                report.similes.append((" ".join(match.group(0).split()), pos))
        for phrase in set(_phrases(_key(source).split(), PET_WORDS)):
            places[phrase].append(anchor)
    stop = {"the", "a", "an", "and", "of", "to", "you", "in", "it", "is", "on", "that", "at", "your", "for", "with"}
    pets = [(p, where) for p, where in places.items()
            if len(where) >= PET_PLACES and sum(w not in stop for w in p.split()) >= 2]
    pets.sort(key=lambda item: (-len(item[1]), item[0]))
    report.pets = pets
    by_words: dict[str, list[Pos]] = defaultdict(list)
    for text, pos in report.similes:
        by_words[" ".join(_key(text).split()[:5])].append(pos)
    report.twice = sorted(((w, p) for w, p in by_words.items() if len(p) > 1 and len(w.split()) >= 3),
                          key=lambda item: (-len(item[1]), item[0]))


def format_prose_report(report: ProseReport, limit: int = 40) -> str:
    out = [f"prose: {report.runs} playthroughs"]
    out.append(f"sentences read {THRESHOLD} or more times in one playthrough: {len(report.sentences)}"
               + (f" ({report.refrains} more marked as refrains)" if report.refrains else ""))
    for repeat in report.sentences[:limit]:
        out.append(f"  {_where(repeat.where)}: {repeat.most}x in one run, in {repeat.runs} run(s): \"{repeat.text}\"")
    out.append(f"phrases ({PHRASE_WORDS} words) read {THRESHOLD} or more times in one playthrough: "
               f"{len(report.phrases)}"
               + (f" ({report.phrase_refrains} more marked as refrains)" if report.phrase_refrains else ""))
    for repeat in report.phrases[:limit]:
        out.append(f"  {_where(repeat.where)}: {repeat.most}x in one run, in {repeat.runs} run(s): \"{repeat.text}\"")
    rate = report.similes_per_10k
    verdict = "above" if rate > SIMILES_PER_10K else "within"
    out.append(f"similes: {len(report.similes)} in {report.words:,} words ({rate:.1f} per 10,000; {verdict} "
               f"the threshold of {SIMILES_PER_10K})")
    if rate > SIMILES_PER_10K:
        for text, pos in report.similes[:limit]:
            out.append(f"  {pos}: {text}")
    out.append(f"similes written in more than one place: {len(report.twice)}")
    for words, where in report.twice[:limit]:
        out.append(f"  {len(where)} places, first {where[0]}: \"{words} ...\"")
    out.append(f"pet phrases ({PET_WORDS} words, written in {PET_PLACES} or more places): {len(report.pets)}")
    for phrase, where in report.pets:
        out.append(f"  {len(where)} places, first {where[0]}: \"{phrase}\"")
    return "\n".join(out) + "\n"


def _where(places: list[Pos]) -> str:
    if not places:
        return "(drawn text)"
    first = str(places[0])
    return first if len(places) == 1 else f"{first} (+{len(places) - 1} more)"
