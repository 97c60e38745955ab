"""The text report of `play.py playtest` (game.tools.playtest plays the runs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .verdicts import REACHABLE, UNKNOWN, UNREACHABLE

if TYPE_CHECKING:
    from .playtest import Problem, Report

MAX_LISTED = 5  # problems of each kind listed in the text report
MAX_SCENE_ROWS = 200  # a story with more scenes lists only those worth a look (all are in --json)


def format_report(report: Report) -> str:
    story = report.story
    lines = []
    played = report.choices + report.informed_choices
    rate = f", {played / report.seconds:,.0f} choices/s" if report.seconds > 0 else ""
    informed = f" (and {report.runs:,} informed runs, {report.informed_choices:,} choices)" \
        if report.informed_choices else ""
    kind = "coverage-guided" if report.guided else "random"
    lines.append(f"Playtest of {story.title}: {report.runs:,} {kind} runs (seed {report.seed}), "
                 f"{report.choices:,} choices{informed} in {report.seconds:.1f} s{rate}")
    if report.verdicts is not None and report.verdicts.why_unknown:
        lines.append(f"check could not decide everything: {report.verdicts.why_unknown}")
    lines.append("")
    lines.extend(_endings(report))
    if report.shortest and report.longest:
        s, long_ = report.shortest, report.longest
        lines.append(f"Shortest run: {_turns(s.turns)} (run {s.run}, seed {s.seed}, {s.ending}); "
                     f"longest: {_turns(long_.turns)} (run {long_.run}, seed {long_.seed}, {long_.ending})")
    lines.append("")
    if report.stuck:
        lines.append(f"Stuck: {len(report.stuck):,} runs reached no ending within {report.max_turns} turns "
                     "(a loop with no way out, or raise --max-turns):")
        lines.extend(_problem_line(p) for p in report.stuck[:MAX_LISTED])
        if len(report.stuck) > MAX_LISTED:
            lines.append(f"  ... and {len(report.stuck) - MAX_LISTED:,} more (all in --json)")
    if report.errors:
        lines.append(f"ERRORS: {len(report.errors):,} runs failed:")
        lines.extend(_problem_line(p) for p in report.errors[:MAX_LISTED])
        if len(report.errors) > MAX_LISTED:
            lines.append(f"  ... and {len(report.errors) - MAX_LISTED:,} more (all in --json)")
    lines.extend(_scenes(report))
    untaken = report.untaken_choices
    in_visited = [c for c in untaken if c.split(":", 1)[0] in report.visited]
    elsewhere = len(untaken) - len(in_visited)
    more = f" (and {elsewhere} in scenes never visited)" if elsewhere else ""
    lines.append(f"Choices never taken in visited scenes ({len(in_visited)}): "
                 f"{', '.join(in_visited) if in_visited else 'none'}{more}")
    if story.clues:
        lines.append("")
        lines.append("Clues: share of runs that found it; turn first found (mean / median)")
        width = max(len(c) for c in story.clues)
        for clue, row in report.clue_table().items():
            if row["mean_turn"] is None:
                lines.append(f"  {clue:<{width}}  {0:6.1%}  never found")
            else:
                lines.append(f"  {clue:<{width}}  {row['found_share']:6.1%}  turn {row['mean_turn']:.1f} / "
                             f"{row['median_turn']:g}")
    if report.questions is not None and story.questions:
        lines.append("")
        lines.extend(report.questions.lines())
        reached = ", ".join(f"{e} {n:,}" for e, n in report.informed_endings.items() if n) or "none"
        lines.append(f"  endings the informed player reached: {reached}")
    lines.append("")
    if report.contradictions:
        lines.append(f"CONTRADICTION: runs reached what check calls unreachable ({', '.join(report.contradictions)}): "
                     "a bug in check, please report it with the walkthroughs (--save-walkthroughs)")
    verdict = "ok" if report.ok else "FAILED"
    lines.append(f"playtest {verdict}: {len(report.errors)} errors, {len(report.stuck)} stuck"
                 + (f", {len(report.contradictions)} contradictions" if report.contradictions else ""))
    return "\n".join(lines) + "\n"


def _endings(report: Report) -> list[str]:
    story = report.story
    verdicts = report.verdicts
    odds = "" if report.guided else ", share of the random runs"
    verdict_words = "check's verdict; " if verdicts else ""
    lines = [f"Endings: {verdict_words}runs that reached it{odds}"]
    if report.guided:
        lines[0] += " (runs that go where none went: counts, not odds; --random gives odds)"
    width = max((len(e) for e in story.endings), default=0)
    for ending_id, ending in story.endings.items():
        count = report.endings.get(ending_id, 0)
        informed = report.informed_endings.get(ending_id, 0)
        verdict = verdicts.ending(ending_id) if verdicts else None
        share = f"  {count / report.runs:6.1%}" if not report.guided and report.runs else ""
        mark = _mark(verdict, count + informed, "reached", verdicts.why_unknown if verdicts else "")
        if not count and informed and not mark:
            mark = f"   <- only by the informed player ({informed:,})"
        column = f"{verdict:<18}  " if verdict else ""
        lines.append(f"  {ending_id:<{width}}  {column}{_seen(count)}{share}  {ending.title}{mark}")
    return lines


def _scenes(report: Report) -> list[str]:
    """Per scene: check's verdict and the runs that entered it (a big story: only those worth a look)."""
    story = report.story
    verdicts = report.verdicts
    rows = []
    unremarkable = 0
    for scene_id in story.scenes:
        count = report.scene_runs.get(scene_id, 0)
        verdict = verdicts.scene(scene_id) if verdicts else None
        if len(story.scenes) > MAX_SCENE_ROWS and count and verdict in (REACHABLE, None):
            unremarkable += 1
            continue
        rows.append((scene_id, count, verdict))
    verdict_words = "check's verdict; " if verdicts else ""
    lines = [f"Scenes: {verdict_words}runs that entered it"]
    width = max((len(r[0]) for r in rows), default=0)
    for scene_id, count, verdict in rows:
        column = f"{verdict:<18}  " if verdict else ""
        mark = _mark(verdict, count, "entered", verdicts.why_unknown if verdicts else "")
        lines.append(f"  {scene_id:<{width}}  {column}{_seen(count)}{mark}")
    if unremarkable:
        lines.append(f"  ... and {unremarkable:,} more scenes {'proven reachable and ' if verdicts else ''}"
                     "seen (all in --json)")
    unvisited = report.unvisited_scenes
    lines.append(f"Scenes never visited ({len(unvisited)}): {', '.join(unvisited) if unvisited else 'none'}")
    return lines


def _seen(count: int) -> str:
    return f"seen in {count:>7,} {'run ' if count == 1 else 'runs'}"


def _mark(verdict: str | None, count: int, done: str, why: str) -> str:
    """What a row's reader should notice: rare, undecided, or check contradicted."""
    if verdict is None:
        return "" if count else f"   <- never {done}"
    if verdict == UNREACHABLE:
        return "   <- CONTRADICTION: check says it cannot be reached; a run did" if count else ""
    if count:
        return "   <- check could not decide; these runs are a path there" if verdict == UNKNOWN else ""
    if verdict == REACHABLE:
        return "   <- rare, not impossible: check has a path there (raise -n)"
    return f"   <- never {done}, and check could not decide" + (f" ({why})" if why else "")


def _problem_line(p: Problem) -> str:
    where = f"turn {p.turn}, scene '{p.scene}'" + (f", choice '{p.choice}'" if p.choice else "")
    replay = f" -> {p.replay}" if p.replay else ""
    return f"  run {p.run} (seed {p.seed}), {where}: {p.kind}: {p.message}{replay}"


def _turns(n: int) -> str:
    return f"{n} turn" if n == 1 else f"{n} turns"
