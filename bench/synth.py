#!/usr/bin/env python3
"""Write a synthetic story of N scenes, for benchmarks: `python bench/synth.py N OUTDIR`.

The story is valid (``play.py check`` finds no errors and no warnings) and
shaped like a real one, so that timings mean something:

* several areas, one folder each, about 50 scenes per file;
* each area opens on a hub with a case board and ends on an ending scene;
  its scenes form a chain (every scene reachable, an ending always reachable)
  with paths back to the hub and to the previous area;
* about three choices a scene: onward, back, and one of: a once-only search
  that finds a clue, a shortcut gated on a clue (some shown locked with a
  hint), a flag set or cleared, a stat change (some with ``overflow: block``),
  a ``goto`` that branches on a stat, or walking away (an ``end:`` effect);
* clues, flags and deductions declared next to the scenes that use them;
* people and places for each area, and two questions the hubs ask about it
  (who, with which clue, at the cost of Control and a lock after three wrong
  tries; then where, with a wrong conclusion the hub lets you act on);
* about 60 words of prose per scene: plain blocks, conditional paragraphs
  (``if: clue.x``) and ``one_of`` variations.

The output depends only on N and --seed. OUTDIR is replaced if it holds an
earlier synthetic story (marked by a hidden ``.synth`` file, which the loader
ignores); any other non-empty folder is refused, so nothing is overwritten
by accident.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

SCENES_PER_FILE = 50
SCENES_PER_AREA = 250
MIN_SCENES = 12
MARKER = ".synth"

PLACES = ("office", "precinct", "docks", "clinic", "rooftops", "subway", "bar", "courthouse",
          "warehouse", "hospital", "diner", "motel", "church", "garage", "market", "tower")
NOUNS = ("door", "bottle", "ledger", "photo", "badge", "needle", "file", "stairwell", "window",
         "phone", "coat", "alley", "receipt", "camera", "desk", "lock", "siren", "hallway",
         "lighter", "envelope", "tape", "key", "van", "notebook")
ADJECTIVES = ("cold", "cheap", "wet", "quiet", "broken", "yellow", "narrow", "tired", "bent",
              "stale", "late", "empty", "greasy", "careful", "borrowed", "honest")
VERBS = ("waits", "leans", "hums", "stares", "drips", "ticks", "rattles", "sags", "flickers",
         "lies", "hides", "smells", "settles", "creaks")
PEOPLE = ("Trish", "Malcolm", "Oscar", "Hogarth", "Costa", "Pryce", "Vido", "Inez", "Griffin")
SENTENCES = (
    "The {adj} {noun} {verb} in the corner like it owes you money.",
    "You count the exits twice, because once never covers it.",
    "Somewhere below, a {noun} {verb} and nobody goes to see why.",
    "{person} would call this a lead, and {person} would be wrong again.",
    "The {noun} is {adj}, the {noun2} is {adj2}, and neither of them is talking.",
    "You have been in worse rooms, though not recently and not sober.",
    "A {adj} light comes through the {noun} and gives up halfway across the floor.",
    "Nobody here remembers your name, which is the nicest thing the city has done all week.",
    "The air tastes of {noun}s and old decisions.",
    "You flex one hand and the {noun} thinks better of whatever it was going to do.",
    "{person} left a message you have not played, and it sits in your pocket like a stone.",
    "Every {noun} in this place has a story, and every story ends with a bill.",
)
PICKUPS = ("Search the {noun}.", "Go through the {adj} {noun}.", "Look under the {noun}.",
           "Read what is written on the {noun}.")
MOVES = ("Follow the {adj} {noun}.", "Take the {noun} on the left.", "Keep going past the {noun}.",
         "Push through the {adj} {noun}.")
BACKS = ("Go back to the hub.", "Retrace your steps.", "Head back the way you came.")
CHOICE_KINDS = ("search", "gate", "flag", "stat", "branch", "block", "walk")
CHOICE_WEIGHTS = (26, 22, 12, 14, 14, 7, 5)


@dataclass
class Area:
    id: str
    title: str
    scenes: list[str]
    clues: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    ending: str = ""


class Writer:
    """Builds the YAML text of the story with a seeded random generator."""

    def __init__(self, count: int, seed: int):
        if count < MIN_SCENES:
            raise ValueError(f"a synthetic story needs at least {MIN_SCENES} scenes, not {count}")
        self.count = count
        self.rng = random.Random(f"synth:{count}:{seed}")
        n_areas = max(2, -(-count // SCENES_PER_AREA))
        sizes = [count // n_areas + (1 if i < count % n_areas else 0) for i in range(n_areas)]
        self.areas: list[Area] = []
        for index, size in enumerate(sizes):
            base = PLACES[index % len(PLACES)]
            area_id = base if index < len(PLACES) else f"{base}{index // len(PLACES) + 1}"
            scenes = [f"{area_id}.hub"] + [f"{area_id}.s{j:04d}" for j in range(1, size - 1)] + \
                [f"{area_id}.end"]
            area = Area(area_id, f"The {area_id.capitalize()}", scenes, ending=f"end_{area_id}")
            n_clues = max(2, size // 10)
            area.clues = [f"{area_id}_clue{i}" for i in range(n_clues)]
            area.flags = [f"{area_id}_flag{i}" for i in range(max(1, size // 25))]
            self.areas.append(area)

    # -- prose ------------------------------------------------------------

    def words(self, template: str) -> str:
        r = self.rng
        person = r.choice(PEOPLE)
        return template.format(adj=r.choice(ADJECTIVES), adj2=r.choice(ADJECTIVES), noun=r.choice(NOUNS),
                               noun2=r.choice(NOUNS), verb=r.choice(VERBS), person=person)

    def prose(self, words: int) -> str:
        sentences, total = [], 0
        while total < words:
            sentence = self.words(self.rng.choice(SENTENCES))
            sentences.append(sentence)
            total += len(sentence.split())
        return " ".join(sentences)

    @staticmethod
    def block(text: str, indent: str, width: int = 78) -> list[str]:
        """A `|` block's lines, wrapped like a writer would."""
        lines, line = [], ""
        for word in text.split():
            if line and len(indent) + len(line) + 1 + len(word) > width:
                lines.append(indent + line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(indent + line)
        return lines

    def scene_text(self, area: Area, index: int) -> list[str]:
        """About 60 words of prose, in one of the shapes writers use."""
        shape = self.rng.random()
        out: list[str] = []
        if shape < 0.4:
            out.append("    text: |")
            out += self.block(self.prose(60), " " * 6)
            return out
        out.append("    text:")
        out.append("      - |")
        out += self.block(self.prose(38 if shape < 0.8 else 30), " " * 8)
        if shape < 0.8:
            clue = self.rng.choice(area.clues[: max(1, index * len(area.clues) // len(area.scenes))])
            out.append(f"      - if: clue.{clue}")
            out.append(f"        text: {self.prose(10)}")
            out.append("      - one_of:")
            for _ in range(2):
                out.append(f"          - {self.prose(10)}")
        else:
            out.append("      - |")
            out += self.block(self.prose(30), " " * 8)
        return out

    # -- the story --------------------------------------------------------

    def files(self) -> dict[str, str]:
        """Relative path -> YAML text, for the whole story."""
        files = {"story.yaml": self.manifest()}
        for number, area in enumerate(self.areas):
            files.update(self.area_files(number, area))
        return files

    def manifest(self) -> str:
        first = self.areas[0]
        out = [
            "# A synthetic story written by bench/synth.py for benchmarks.",
            "story:",
            f"  id: synth-{self.count}",
            f'  title: "Synthetic Case, {self.count} Scenes"',
            '  version: "1.0"',
            f"  start: {first.scenes[0]}",
            "  content_notes: [violence]",
            "  intro: |",
            *self.block(self.prose(40), " " * 4),
            "",
            "areas:",
            *(f"  {area.id}: {area.title}" for area in self.areas),
            "",
            "stats:",
            "  control: {label: Control, kind: state, min: 0, max: 10, start: 5, shown: true}",
            "  trust_trish: {label: Trish, kind: relationship, min: -5, max: 5, start: 1, shown: true}",
            "  heat: {label: Police heat, kind: suspicion, min: 0, max: 10, start: 0}",
            "  cash: {label: Cash, kind: state, min: 0, max: 20, start: 6, overflow: block}",
            "",
            "endings:",
            "  walked_away:",
            "    title: Walked Away",
            "    kind: lost",
            f"    text: {self.prose(20)}",
        ]
        for area in self.areas:
            kind = "canonical" if area is self.areas[-1] else "dark"
            out += [f"  {area.ending}:", f"    title: {area.title} Ends It", f"    kind: {kind}",
                    f"    text: {self.prose(20)}"]
        return "\n".join(out) + "\n"

    def area_files(self, number: int, area: Area) -> dict[str, str]:
        scenes = area.scenes
        size = len(scenes)
        # Where each clue is found: spread over the ordinary scenes, in order.
        givers: dict[int, list[str]] = {}
        for i, clue in enumerate(area.clues):
            givers.setdefault(1 + i * (size - 2) // len(area.clues), []).append(clue)
        flag_setters: dict[int, str] = {}
        for i, flag in enumerate(area.flags):
            flag_setters[1 + (2 * i + 1) * (size - 2) // (2 * len(area.flags))] = flag
        files: dict[str, str] = {}
        chunks = [range(start, min(size, start + SCENES_PER_FILE)) for start in range(0, size, SCENES_PER_FILE)]
        for part, chunk in enumerate(chunks, start=1):
            out = [f"area: {area.id}", ""]
            if part == 1:
                out += self.declarations(area)
            out.append("scenes:")
            for index in chunk:
                out += self.scene(number, area, index, givers.get(index, []), flag_setters.get(index))
            files[f"{area.id}/part{part:02d}.yaml"] = "\n".join(out) + "\n"
        return files

    def declarations(self, area: Area) -> list[str]:
        out = ["clues:"]
        for clue in area.clues:
            out += [f"  {clue}:", f"    title: {self.words('The {adj} {noun}').capitalize()}",
                    f"    group: {area.title}", f"    text: {self.prose(14)}"]
        out += [f"  {area.id}_deduced:", f"    title: What the {area.id} adds up to", f"    group: {area.title}",
                f"    text: {self.prose(14)}", "", "flags:"]
        out += [f"  {flag}: {self.prose(8)}" for flag in area.flags]
        a, b = area.clues[0], area.clues[1]
        out += ["", "deductions:", f"  {area.id}_connect:",
                f"    label: Pin the {a.split('_')[-1]} next to the {b.split('_')[-1]}.",
                f"    needs: [{a}, {b}]", f"    gives: {area.id}_deduced", f"    text: {self.prose(20)}", ""]
        return out + self.questions(area)

    def questions(self, area: Area) -> list[str]:
        """People and places of the area, and the two questions its case board asks about them."""
        a, b = area.clues[0], area.clues[1]
        decoy = area.clues[2] if len(area.clues) > 2 else a
        r = self.rng
        out = ["people:"]
        for i in range(3):
            known = f", known: clue.{b}" if i == 2 else ""
            out.append(f"  {area.id}_p{i}: {{name: {r.choice(PEOPLE)} of the {area.id} {i}{known}}}")
        out += ["places:"]
        out += [f"  {area.id}_place{i}: The {r.choice(ADJECTIVES)} {r.choice(NOUNS)} {i}" for i in range(2)]
        out += ["questions:",
                f"  {area.id}_who:",
                f"    ask: Who in the {area.id} is behind it?",
                f"    opens: clue.{a}",
                "    slots:",
                f"      who: {{prompt: 'Who?', from: people, among: [{area.id}_p0, {area.id}_p1, {area.id}_p2]}}",
                f"      proof: {{prompt: 'Shown by?', from: clues, among: [{a}, {b}, {decoy}]}}",
                f"    answer: {{who: {area.id}_p0, proof: [{a}, {b}]}}",
                f"    right: {self.prose(14)}",
                "    wrong:",
                f"      text: {self.prose(10)}",
                "      do:",
                "        - stat: {control: -1}",
                "    lock: {after: 3, turns: 2}",
                f"  {area.id}_where:",
                f"    ask: Where in the {area.id} are they?",
                f"    opens: solved.{area.id}_who",
                "    slots:",
                f"      where: {{prompt: 'Where?', from: places, among: [{area.id}_place0, {area.id}_place1]}}",
                "      how: {prompt: 'How sure?', from: options, options: {sure: Sure, hunch: A hunch}}",
                f"    answer: {{where: {area.id}_place0, how: sure}}",
                f"    right: {self.prose(12)}",
                "    responses:",
                "      - id: hunch",
                f"        if: {{where: {area.id}_place1}}",
                "        conclude: true",
                f"        text: {self.prose(12)}",
                ""]
        return out

    def scene(self, number: int, area: Area, index: int, clues: list[str], flag: str | None) -> list[str]:
        scenes = area.scenes
        scene_id = scenes[index]
        last = len(scenes) - 1
        out = [f"  {scene_id}:", f"    title: {self.words('The {adj} {noun}').title()} {index}"]
        if index == last:
            out.append(f"    ending: {area.ending}")
            out.append(f"    text: {self.prose(40)}")
            return out
        out += self.scene_text(area, index)
        choices: list[list[str]] = []
        if index == 0:
            out.append("    case_board: true")
            choices.append(self.choice("start", "Start on the first lead.", goto=scenes[1]))
            choices.append(self.choice("connected", f"Act on what the {area.id} adds up to.",
                                       goto=scenes[max(1, last - 1)], cond=f"clue.{area.id}_deduced",
                                       hint="You have not put it together yet."))
            choices.append(self.choice("accuse", f"Go where the {area.id} answer points.",
                                       goto=scenes[max(1, last - 2)],
                                       cond=f"solved.{area.id}_who and concluded.{area.id}_where"))
            choices.append(self.choice("hunch", "Follow the hunch, wherever it goes.", goto=scenes[1],
                                       cond=f"concluded.{area.id}_where.hunch", once=True))
            if number == 0:  # somewhere to give up from, early on
                choices.append(self.walk_away())
            if number > 0:
                previous = self.areas[number - 1]
                choices.append(self.choice("previous", f"Go back to {previous.title.lower()}.",
                                           goto=previous.scenes[0]))
        else:
            if index == last - 1:
                following = self.areas[number + 1] if number + 1 < len(self.areas) else None
                if following is not None:
                    choices.append(self.choice("onward", f"Move on to {following.title.lower()}.",
                                               goto=following.scenes[0]))
                choices.append(self.choice("finish", "Finish it here.", goto=scenes[last]))
            else:
                choices.append(self.choice("onward", self.words(self.rng.choice(MOVES)), goto=scenes[index + 1]))
            back = scenes[0] if index % 3 else scenes[index - 1]
            choices.append(self.choice("back", self.rng.choice(BACKS), goto=back))
            for clue in clues:  # this scene is where these clues are found, and first used
                name = clue.rsplit("_", 1)[-1]
                choices.append(self.choice(f"search_{name}", self.words(self.rng.choice(PICKUPS)),
                                           once=True, effects=[f"clue: {clue}", "stat: {control: +1}"],
                                           outcome=self.prose(16)))
                choices.append(self.choice(f"use_{name}", f"Follow where the {name} points.",
                                           goto=scenes[min(index + 3, last)], cond=f"clue.{clue}"))
            if flag is not None:
                choices.append(self.choice("mark", "Make a note of it.", once=True,
                                           effects=[f"flag: {flag}"], outcome=self.prose(10)))
            if not clues and flag is None:
                choices.append(self.extra(area, index))
        out.append("    choices:")
        for choice in choices:
            out += choice
        return out

    def extra(self, area: Area, index: int) -> list[str]:
        """The third choice: one of the shapes a writer reaches for."""
        scenes = area.scenes
        kind = self.rng.choices(CHOICE_KINDS, CHOICE_WEIGHTS)[0]
        found = area.clues[: index * len(area.clues) // len(scenes)]  # clues given before this scene
        ahead = scenes[min(index + 3, len(scenes) - 2)]
        if kind == "gate" and found:
            clue = self.rng.choice(found)
            hint = "You need more to go on." if self.rng.random() < 0.5 else None
            return self.choice("shortcut", f"Use the {clue.rsplit('_', 1)[-1]} to skip ahead.", goto=ahead,
                               cond=f"clue.{clue}", hint=hint)
        if kind == "flag" and area.flags:
            flag = self.rng.choice(area.flags)
            return self.choice("forget", "Cross out a note.", effects=[f"unflag: {flag}"],
                               cond=f"flag.{flag} and stat.control >= 1", outcome=self.prose(8))
        if kind == "branch":
            return self.choice("talk", f"Call {self.rng.choice(PEOPLE)}.", branches=[
                ("stat.trust_trish >= 2", ahead), (None, scenes[index + 1])], effects=["stat: {trust_trish: -1}"])
        if kind == "block":
            return self.choice("bribe", "Pay someone to look away.", goto=ahead,
                               effects=["stat: {cash: -3, heat: -1}"], outcome=self.prose(10))
        if kind == "walk":
            return self.walk_away()
        # a stat change that keeps you here (also the fallback when there is nothing to gate on)
        return self.choice("drink", "Pour one. For focus.", effects=["stat: {control: -1, trust_trish: +1, cash: +1}"],
                           outcome=self.prose(12))

    def walk_away(self) -> list[str]:
        return self.choice("walk_away", "Walk away from all of it.", cond="stat.control <= 3",
                           effects=["end: walked_away"], outcome=self.prose(12))

    @staticmethod
    def choice(choice_id: str, text: str, *, goto: str | None = None, cond: str | None = None,
               hint: str | None = None, once: bool = False, effects: list[str] | None = None,
               outcome: str | None = None, branches: list[tuple[str | None, str]] | None = None) -> list[str]:
        out = [f"      - id: {choice_id}", f"        text: {text}"]
        if cond:
            out.append(f"        if: {cond}")
        if hint:
            out += ["        visible_when_locked: true", f"        hint: {hint}"]
        if once:
            out.append("        once: true")
        if goto:
            out.append(f"        goto: {goto}")
        if branches:
            out.append("        goto:")
            for condition, target in branches:
                if condition:
                    out += [f"          - if: {condition}", f"            goto: {target}"]
                else:
                    out.append(f"          - goto: {target}")
        if effects:
            out.append("        do:")
            out += [f"          - {effect}" for effect in effects]
        if outcome:
            out.append(f"        outcome: {outcome}")
        return out


def write_story(count: int, outdir: Path, seed: int = 0) -> list[Path]:
    """Write the story of `count` scenes into outdir; returns the files written."""
    files = Writer(count, seed).files()
    if outdir.exists():
        if (outdir / MARKER).exists():
            shutil.rmtree(outdir)
        elif any(outdir.iterdir()):
            raise FileExistsError(f"{outdir} is not empty and holds no synthetic story; pick another folder")
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / MARKER).write_text(f"{count} {seed}\n")
    written = []
    for rel, text in files.items():
        path = outdir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, metavar="N", help=f"number of scenes (at least {MIN_SCENES})")
    parser.add_argument("outdir", type=Path, metavar="OUTDIR", help="folder to write the story into")
    parser.add_argument("--seed", type=int, default=0, help="vary the story (default 0)")
    args = parser.parse_args(argv)
    try:
        written = write_story(args.count, args.outdir, args.seed)
    except (ValueError, FileExistsError, OSError) as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1
    print(f"wrote {args.count} scenes in {len(written)} files to {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
