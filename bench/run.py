#!/usr/bin/env python3
"""The benchmark suite: `python bench/run.py [--quick] [--json] [--sizes 1000,10000]`.

Measures, as medians over repeats, on this machine:

1. `check` of synthetic stories (bench/synth.py) of each size, through the
   same code as `play.py check` (game.tools.check.run_check), and its ratio to
   a bare PyYAML C-loader parse (yaml.load with CSafeLoader) of the same files;
2. start-up to the first prompt of `play.py --plain` (a real subprocess), to
   the full UI's title screen (`play.py` in a pseudo-terminal), and the import
   time of the modules on the plain path (python -X importtime);
3. engine step latency (offers, then choose one) on the real story and on
   the synthetic ones;
4. random playtest throughput on the real story, with one reused Engine;
5. save and load time (game.saves), and the replay of a 1,000-choice log;
6. peak memory of a process that loads the largest story;
7. how each figure grows from the smallest size to the largest.

Each figure is printed next to its target with PASS or FAIL (`--json`: one
JSON object instead). Timing goals live here, never in unit tests. The
synthetic stories are written to bench/out/ (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import random
import re
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]  # this checkout's game/, and synth next to us

import synth  # noqa: E402
import yaml  # noqa: E402

from game import gcpause, loader, saves  # noqa: E402
from game.engine import Engine  # noqa: E402
from game.state import Playthrough  # noqa: E402
from game.story import EndGame, Story  # noqa: E402
from game.tools.check import run_check  # noqa: E402
from game.tools.playtest import Playtester  # noqa: E402

REAL_STORY = ROOT / "story"
OUT = BENCH / "out"
REPLAY_CHOICES = 1000
PLAYTHROUGH_CAP = 500  # choices before a random playthrough is abandoned (it may loop)
GROWTH_EXPONENT_OK = 1.15  # "linear or better", with room for timing noise
STAGES = ("check", "startup", "engine", "saves", "memory")
OPTIONAL_STAGES = ("proof",)  # only with --only: check --deep on the real story takes about a minute

try:
    YAML_LOADER = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    YAML_LOADER = yaml.SafeLoader


@dataclass
class Figure:
    key: str
    label: str
    value: float | None
    unit: str
    target: str = ""  # in words, e.g. "< 0.5 s"
    ok: bool | None = None  # None: no target, for information
    note: str = ""


@dataclass
class Plan:
    repeats: int
    startup_repeats: int
    steps: int
    playtest_seconds: float
    save_repeats: int
    replay_repeats: int


FULL = Plan(repeats=7, startup_repeats=11, steps=20000, playtest_seconds=3.0, save_repeats=21, replay_repeats=7)
QUICK = Plan(repeats=3, startup_repeats=3, steps=1000, playtest_seconds=0.3, save_repeats=5, replay_repeats=3)


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, key: str, label: str, value: float | None, unit: str, target: float | None = None,
            below: bool = True, note: str = "") -> Figure:
        """Record a figure; with a target, PASS means under it (or at least it, with below=False)."""
        ok = None
        words = ""
        if target is not None and value is not None:
            ok = value < target if below else value >= target
            words = f"{'<' if below else '>='} {_fmt(target)} {unit}".strip()
        figure = Figure(key, label, value, unit, words, ok, note)
        self.figures.append(figure)
        return figure


# --- helpers -------------------------------------------------------------


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def synthetic(size: int) -> Path:
    """The synthetic story of this size, written afresh (it depends only on the size)."""
    path = OUT / f"synth-{size}"
    synth.write_story(size, path)
    return path


def load_story(root: Path) -> Story:
    """Load a synthetic story. Past about 30,000 scenes it is over the limits a story may
    have (32 MiB and two million values, docs/SECURITY.md); the bench lifts them, as it
    measures how the engine grows, not what a stranger's story may cost."""
    from game.diagnostics import Report
    from game.errors import StoryError
    from game.loader.core import _Loader
    from game.yamlsrc import Budget

    report = Report()
    story_loader = _Loader(root, report)
    story_loader.budget = Budget(max_nodes=100_000_000, max_bytes=2**34)
    with gcpause.paused():
        story = story_loader.run()
    if report.errors or story is None:
        raise StoryError(report.sorted())
    return story


def bare_parse(files: list[Path]) -> None:
    """What any YAML story format costs at least: PyYAML's C loader over the same files."""
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)


def safe_choices(engine: Engine, pt: Playthrough) -> list[str]:
    """Enabled choices that do not end the game (to build long logs)."""
    story = engine.story
    scene = story.scenes[pt.scene]
    result = []
    for choice_id in engine.available(pt):
        choice = scene.choice(choice_id)
        if choice is not None:
            if any(isinstance(e, EndGame) for e in choice.effects):
                continue
            if any(b.target and story.scenes[b.target].ending for b in choice.branches):
                continue
        result.append(choice_id)
    return result


def _loops_back(engine: Engine, pt: Playthrough, choice_id: str) -> bool:
    """Whether a choice keeps to scenes already seen (stays, goes back, or is a deduction)."""
    choice = engine.story.scenes[pt.scene].choice(choice_id)
    return choice is None or all(b.target is None or b.target in pt.visited for b in choice.branches)


def long_playthrough(engine: Engine, length: int, seed: int = 7) -> Playthrough:
    """A playthrough of `length` random choices that never ends the game, if the story allows one.

    A purely random walk may soon reach the end of a real story's plot: each
    retry leans more towards choices that loop back (never more than 9 in 10),
    and the longest log found is kept.
    """
    best: Playthrough | None = None
    for attempt in range(20):
        rng = random.Random(seed + attempt)
        pt, _ = engine.start(seed)
        while len(pt.log) < length:
            ids = safe_choices(engine, pt)
            if not ids:
                break
            loops = [i for i in ids if _loops_back(engine, pt, i)]
            lean = min(0.9, 0.15 * attempt)
            engine.choose(pt, rng.choice(loops if loops and rng.random() < lean else ids))
        if best is None or len(pt.log) > len(best.log):
            best = pt
        if len(best.log) >= length:
            break
    assert best is not None
    return best


def growth(small: float | None, large: float | None, n_small: int, n_large: int) -> float | None:
    """The exponent k in figure ~ size^k between two sizes (1 = linear, 0 = flat)."""
    if not small or not large or n_large <= n_small:
        return None
    return math.log(large / small) / math.log(n_large / n_small)


# --- 1. check --------------------------------------------------------------


def bench_check(results: Results, sizes: list[int], plan: Plan, paths: dict[int, Path]) -> None:
    for size in sizes:
        root = paths[size]
        files = loader.story_files(root)
        start = time.perf_counter()
        outcome = run_check(root)  # also warms the disk cache
        first = time.perf_counter() - start
        if not outcome.ok:
            raise SystemExit(f"bench: the synthetic story {root} fails check: "
                             f"{[str(d) for d in outcome.errors[:3]]}")
        warnings = sorted({d.code for d in outcome.warnings})
        del outcome  # a big story kept alive would slow the bare parse's garbage collections
        repeats = plan.repeats if first < 10 else 3  # a slow check (deep analysis) gets fewer rounds
        check_samples, parse_samples, load_samples = [], [], []
        for _ in range(repeats):  # interleaved, so all three see the same machine load
            rounds: list[tuple[list[float], Callable[[], Any]]] = [
                (parse_samples, lambda f=files: bare_parse(f)),
                (check_samples, lambda r=root: run_check(r)),
                (load_samples, lambda r=root: loader.check(r)),
            ]
            for samples, run in rounds:
                gc.collect()
                start = time.perf_counter()
                run()
                samples.append(time.perf_counter() - start)
        check_s, parse_s = statistics.median(check_samples), statistics.median(parse_samples)
        load_s = statistics.median(load_samples)
        big = size == max(sizes)
        results.add(f"check_s.{size}", f"check, {size:,} scenes", check_s, "s", 2.0 if big else None,
                    note=f"warnings: {', '.join(warnings)}" if warnings else "")
        results.add(f"parse_s.{size}", f"  bare CSafeLoader parse, same {len(files)} files", parse_s, "s")
        results.add(f"check_ratio.{size}", "  check / bare parse", check_s / parse_s, "x", 2.0 if big else None)
        results.add(f"check_load_s.{size}", "  of check: loading (loader.check)", load_s, "s",
                    note=f"check minus loading: {check_s - load_s:+.3f} s (story-wide analysis, if any)")
        results.details[f"check.{size}"] = {
            "files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "check_samples": check_samples, "parse_samples": parse_samples, "load_samples": load_samples,
        }


# --- 2. start-up -------------------------------------------------------------


def time_to_prompt(story: Path, saves_dir: Path) -> float:
    """Seconds from starting `play.py --plain` to the first '> ' prompt on its output."""
    cmd = [sys.executable, "play.py", "--plain", "--story", str(story), "--saves", str(saves_dir), "--seed", "1"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = b""
    elapsed = None
    assert proc.stdout is not None and proc.stdin is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        deadline = start + 60
        while time.perf_counter() < deadline:
            if not sel.select(timeout=1):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
            if seen.endswith(b"> ") or b"\n> " in seen:
                elapsed = time.perf_counter() - start
                break
    proc.stdin.close()  # end of input: the game autosaves and leaves
    proc.stdin = None  # so communicate() does not touch it again
    _, err = proc.communicate(timeout=60)
    if elapsed is None:
        raise SystemExit(f"bench: no prompt from {' '.join(cmd)}: {err.decode(errors='replace')[-300:]}")
    return elapsed


def time_to_title(story: Path, saves_dir: Path) -> float:
    """Seconds from starting `play.py` in a pseudo-terminal (the full-screen UI) to its title screen."""
    cmd = [sys.executable, "play.py", "--story", str(story), "--saves", str(saves_dir), "--seed", "1"]
    main_fd, child_fd = os.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=child_fd, stdout=child_fd, stderr=child_fd, env=env,
                            start_new_session=True)
    os.close(child_fd)
    seen, elapsed = b"", None
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(main_fd, selectors.EVENT_READ)
            deadline = start + 60
            while time.perf_counter() < deadline and elapsed is None:
                if not sel.select(timeout=1):
                    continue
                try:
                    chunk = os.read(main_fd, 65536)
                except OSError:  # the child closed the terminal
                    break
                seen += chunk
                if b"New case" in seen:
                    elapsed = time.perf_counter() - start
        os.write(main_fd, b"\x04")  # Ctrl-D on the title screen: leave without saving anything
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main_fd)
    if elapsed is None:
        raise SystemExit(f"bench: no title screen from {' '.join(cmd)}")
    return elapsed


def import_profile(story: Path, saves_dir: Path) -> dict[str, Any]:
    """python -X importtime over the plain-mode path, summarised."""
    cmd = [sys.executable, "-X", "importtime", "play.py", "--plain", "--story", str(story),
           "--saves", str(saves_dir), "--seed", "1"]
    proc = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    rows = []
    for line in proc.stderr.decode(errors="replace").splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match.group(1)), int(match.group(2)), len(match.group(3)), match.group(4)))
    total_us = sum(r[0] for r in rows)
    by_package: dict[str, int] = {}
    for self_us, _, _, name in rows:
        top = name.split(".")[0]
        group = top if top in ("game", "yaml", "transitions", "prompt_toolkit", "_yaml") else "stdlib and others"
        by_package[group] = by_package.get(group, 0) + self_us
    top_level = sorted(((cum, name) for _, cum, indent, name in rows if indent == 1), reverse=True)[:8]
    return {
        "total_ms": total_us / 1000,
        "by_package_ms": {k: v / 1000 for k, v in sorted(by_package.items(), key=lambda kv: -kv[1])},
        "slowest_top_level_ms": {name: cum / 1000 for cum, name in top_level},
        "modules": len(rows),
        "prompt_toolkit_imported": any(r[3].startswith("prompt_toolkit") for r in rows),
    }


def bench_startup(results: Results, sizes: list[int], plan: Plan, paths: dict[int, Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-saves-") as tmp:
        saves_dir = Path(tmp)
        time_to_prompt(REAL_STORY, saves_dir)  # warm the disk cache and .pyc files
        samples = [time_to_prompt(REAL_STORY, saves_dir) for _ in range(plan.startup_repeats)]
        results.add("startup_s", "start-up to first prompt (plain, real story)", statistics.median(samples), "s",
                    0.5)
        results.details["startup_samples"] = samples
        time_to_title(REAL_STORY, saves_dir)
        titles = [time_to_title(REAL_STORY, saves_dir) for _ in range(plan.startup_repeats)]
        results.add("title_s", "start-up to the title screen (full UI in a pty, real story)",
                    statistics.median(titles), "s", 0.5)
        results.details["title_samples"] = titles
        profile = import_profile(REAL_STORY, saves_dir)
        results.add("import_ms", f"  import time on that path ({profile['modules']} modules)",
                    profile["total_ms"], "ms",
                    note="prompt_toolkit imported!" if profile["prompt_toolkit_imported"] else "")
        for package, ms in profile["by_package_ms"].items():
            results.add(f"import_ms.{package}", f"    {package}", ms, "ms")
        results.details["imports"] = profile
        for size in sizes:
            median = statistics.median(time_to_prompt(paths[size], saves_dir)
                                       for _ in range(max(1, plan.startup_repeats // 3)))
            results.add(f"startup_s.{size}", f"start-up to first prompt, {size:,} scenes", median, "s")


# --- 3. and 4. the engine -------------------------------------------------


def step_latency(engine: Engine, steps: int, seed: int = 1) -> list[float]:
    """Seconds per step (offers, then choose one at random), restarting at endings."""
    rng = random.Random(seed)
    clock = time.perf_counter_ns
    samples = []
    pt, _ = engine.start(seed)
    while len(samples) < steps:
        t0 = clock()
        offers = engine.offers(pt)
        t1 = clock()
        # An open question is offered as "ask:Q" (the UI fills its blanks); its moves are answers.
        enabled = [offer.id for offer in offers if offer.enabled and not offer.id.startswith("ask:")]
        enabled += [m for m in engine.answer_moves(pt)] if len(enabled) < len(offers) else []
        if not enabled or pt.turn >= PLAYTHROUGH_CAP:
            pt, _ = engine.start(rng.randrange(2**31))
            continue
        choice = rng.choice(enabled)
        t2 = clock()
        engine.choose(pt, choice)
        t3 = clock()
        samples.append((t1 - t0 + t3 - t2) / 1e9)
        if pt.ending is not None:
            pt, _ = engine.start(rng.randrange(2**31))
    return samples


def playtest(engine: Engine, seconds: float, seed: int = 2) -> dict[str, float]:
    """Random playthroughs on one reused Engine for about `seconds`; rates per second."""
    rng = random.Random(seed)
    runs = choices = endings = capped = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        pt, _ = engine.start(rng.randrange(2**31))
        while pt.ending is None and pt.turn < PLAYTHROUGH_CAP:
            ids = engine.available(pt)
            if not ids:
                break
            engine.choose(pt, rng.choice(ids))
            choices += 1
        runs += 1
        endings += pt.ending is not None
        capped += pt.ending is None
    elapsed = time.perf_counter() - start
    return {"playthroughs_per_s": runs / elapsed, "choices_per_s": choices / elapsed, "runs": runs,
            "endings": endings, "capped": capped, "seconds": elapsed}


def playtest_tool(engine: Engine, seconds: float, seed: int = 2) -> dict[str, float]:
    """`play.py playtest` (game.tools.playtest) on one reused Engine for about `seconds`, in
    batches of runs; rates per second. In a story with questions every batch is played by
    the blind player and again by the informed one, as the tool does."""
    tester = Playtester(engine.story, engine=engine)
    rng = random.Random(seed)
    runs = choices = endings = capped = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        report = tester.run(runs=5, seed=rng.randrange(2**31), max_turns=PLAYTHROUGH_CAP)
        played = 2 * report.runs if engine.story.questions else report.runs
        runs += played
        choices += report.choices + report.informed_choices
        endings += sum(report.endings.values()) + sum(report.informed_endings.values())
        capped += len(report.stuck)
    elapsed = time.perf_counter() - start
    return {"playthroughs_per_s": runs / elapsed, "choices_per_s": choices / elapsed, "runs": runs,
            "endings": endings, "capped": capped, "seconds": elapsed}


def bench_engine(results: Results, sizes: list[int], plan: Plan, stories: dict[int, Story],
                 real: Story) -> dict[str, Engine]:
    """Steps and playtests; returns the engines built ("real" and each size), for the save benchmarks."""
    engines = {"real": Engine(real)}
    for size in sizes:
        builds = []
        for _ in range(3):  # the best of three: one build is short, and this machine is shared
            start = time.perf_counter()
            engines[str(size)] = Engine(stories[size])
            builds.append(time.perf_counter() - start)
        story = stories[size]
        boards = sum(1 for scene in story.scenes.values() if scene.case_board)
        results.add(f"engine_build_s.{size}", f"engine build (transitions Machine), {size:,} scenes",
                    min(builds), "s",
                    note=f"{boards} case boards, {len(story.deductions)} deductions, "
                         f"{len(story.questions)} questions")
    for name, engine in engines.items():
        samples = step_latency(engine, plan.steps)
        label = "real story" if name == "real" else f"{int(name):,} scenes"
        target = 200.0 if name == "real" or int(name) == max(sizes) else None
        p95 = statistics.quantiles(samples, n=20)[-1] * 1e6
        results.add(f"step_us.{name}", f"engine step median, {label}", statistics.median(samples) * 1e6, "µs",
                    target, note=f"p95 {p95:.0f} µs")
    rates = playtest(engines["real"], plan.playtest_seconds)
    results.add("playtest_choices_per_s", "random playtest, real story: choices/s", rates["choices_per_s"],
                "/s", 10000, below=False)
    results.add("playtest_runs_per_s", "  playthroughs/s", rates["playthroughs_per_s"], "/s",
                note=f"{rates['endings']} ended, {rates['capped']} stopped at {PLAYTHROUGH_CAP} choices")
    results.details["playtest.real"] = rates
    for size in sizes:
        rates = playtest(engines[str(size)], plan.playtest_seconds / 2)
        results.add(f"playtest_choices_per_s.{size}", f"random playtest, {size:,} scenes: choices/s",
                    rates["choices_per_s"], "/s")
    tool = playtest_tool(engines["real"], plan.playtest_seconds / 2)
    results.add("playtest_tool_choices_per_s", "play.py playtest, real story: choices/s", tool["choices_per_s"],
                "/s", note="the tool: a pick draws from the scene's choices, ready deductions and open questions")
    for size in sizes:
        rates = playtest_tool(engines[str(size)], plan.playtest_seconds / 2)
        results.add(f"playtest_tool_choices_per_s.{size}", f"play.py playtest, {size:,} scenes: choices/s",
                    rates["choices_per_s"], "/s", note="blind and informed players")
        results.details[f"playtest_tool.{size}"] = rates
    return engines


# --- 5. saves and replay ---------------------------------------------------------


def fsync_ms(folder: Path, size: int, repeats: int) -> float:
    """What the disk alone costs a save: write `size` bytes, fsync, fsync the folder (median, ms)."""
    data = b"x" * size

    def once() -> None:
        path = folder / "fsync-probe"
        with path.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    return median_time(once, repeats)[0] * 1000


def bench_saves(results: Results, sizes: list[int], plan: Plan, engines: dict[str, Engine]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-saves-") as tmp:
        folder = Path(tmp)
        for name in ["real", *(str(s) for s in sizes)]:
            engine = engines[name]
            story = engine.story
            label = "real story" if name == "real" else f"{int(name):,} scenes"
            big = name == "real" or int(name) == max(sizes)
            pt = long_playthrough(engine, REPLAY_CHOICES)
            turns = len(pt.log)
            note = "" if turns == REPLAY_CHOICES else f"only {turns} choices possible without ending"
            save_s, _ = median_time(lambda s=story, p=pt: saves.save_slot(folder, s, p, "bench"), plan.save_repeats)
            results.add(f"save_ms.{name}", f"save ({turns}-choice log), {label}", save_s * 1000, "ms",
                        10.0 if big else None, note=note)
            auto_s, _ = median_time(lambda s=story, p=pt: saves.autosave(folder, s, p), plan.save_repeats)
            results.add(f"autosave_ms.{name}", f"  autosave (every turn in play), {label}", auto_s * 1000, "ms")
            size = (folder / "bench.json").stat().st_size
            cpu_s, _ = median_time(lambda s=story, p=pt: saves.dumps(saves.make_save(s, p, "bench")).encode(),
                                   plan.save_repeats)
            results.add(f"save_cpu_ms.{name}", "    of which building and encoding", cpu_s * 1000, "ms",
                        note=f"{size:,} bytes")
            results.add(f"save_fsync_ms.{name}", "    the disk: write, fsync file and folder",
                        fsync_ms(folder, size, plan.save_repeats), "ms")
            load_s, _ = median_time(lambda e=engine: saves.load_slot(folder, "bench", e), plan.replay_repeats)
            results.add(f"load_ms.{name}", f"  load (read, check, replay), {label}", load_s * 1000, "ms")
            replay_s, _ = median_time(lambda e=engine, p=pt: e.replay(p.log, p.seed), plan.replay_repeats)
            results.add(f"replay_s.{name}", f"replay of a {turns}-choice log, {label}", replay_s, "s",
                        0.3 if big else None, note=note)


# --- 6. memory -------------------------------------------------------------------

_RSS_PROBE = """
import resource, sys
sys.path.insert(0, {root!r})
from game import loader

def peak():
    # VmHWM is this process's own peak; ru_maxrss would include the parent's
    # peak on Linux, inherited across fork and exec.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024

before = peak()
story = loader.load({story!r}).story
print(before, peak(), len(story.scenes))
"""


def peak_rss_mb(story: Path) -> tuple[float, float]:
    """(peak RSS of a fresh process that loads the story, its RSS before loading) in MB."""
    code = _RSS_PROBE.format(root=str(ROOT), story=str(story))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    before, after, _ = out.stdout.split()
    return int(after) / 1e6, int(before) / 1e6


def traced_peak_mb(root: Path) -> tuple[float, float]:
    """(peak, retained) Python allocations while loading, in MB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    story = loader.load(root).story
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del story
    return peak / 1e6, current / 1e6


def bench_memory(results: Results, sizes: list[int], paths: dict[int, Path]) -> None:
    for size in sizes:
        rss, base = peak_rss_mb(paths[size])
        results.add(f"rss_mb.{size}", f"peak RSS loading {size:,} scenes (whole process)", rss, "MB",
                    200.0 if size == max(sizes) else None, note=f"{base:.0f} MB before loading")
        peak, kept = traced_peak_mb(paths[size])
        results.add(f"traced_mb.{size}", "  Python allocations during the load: peak", peak, "MB",
                    note=f"{kept:.0f} MB kept by the Story")


# --- 8. the proof on the real story (issue 14) ----------------------------------------

_TIMED_CHILD = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(done.stdout)
"""


def bench_proof(results: Results) -> None:
    """`check` with default flags and with --deep on this repo's story, each in a fresh
    process: whether the verdict is a proof, the wall time and the peak RSS. The goal of
    issue 14: the default proves it in under 10 s and 500 MB."""
    for flags, key, seconds, megabytes in (([], "default", 10.0, 500.0), (["--deep"], "deep", None, None)):
        cmd = [sys.executable, "-c", _TIMED_CHILD, sys.executable, "play.py", "check", *flags, str(REAL_STORY)]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True).stdout.splitlines()
        wall, rss_kb = out[0].split()
        proven = any(line.startswith("proven: no soft-lock") for line in out[1:])
        label = "check story" + (" --deep" if flags else "")
        results.add(f"proof_proven.{key}", f"{label}: proven (1) or not (0)", float(proven), "", 1.0,
                    below=False)
        results.add(f"proof_s.{key}", f"  {label}: wall time", float(wall), "s", seconds)
        results.add(f"proof_rss_mb.{key}", f"  {label}: peak RSS", int(rss_kb) / 1024, "MB", megabytes)


# --- 7. growth -----------------------------------------------------------------------


def bench_growth(results: Results, sizes: list[int]) -> None:
    small, large = min(sizes), max(sizes)
    if small == large:
        return
    values = {f.key: f.value for f in results.figures}
    per = f"{large / small:g}x"
    for prefix, label in [("check_s", "check"), ("check_load_s", "loading"), ("parse_s", "bare parse"),
                          ("engine_build_s", "engine build"),
                          ("startup_s", "start-up"), ("step_us", "engine step"),
                          ("playtest_choices_per_s", "playtest time per choice"),
                          ("playtest_tool_choices_per_s", "play.py playtest time per choice"), ("save_ms", "save"),
                          ("replay_s", "replay"), ("rss_mb", "peak RSS"), ("traced_mb", "traced peak")]:
        a, b = values.get(f"{prefix}.{small}"), values.get(f"{prefix}.{large}")
        if prefix.startswith("playtest") and a and b:
            a, b = 1 / a, 1 / b  # time per choice, so that growing means slower
        k = growth(a, b, small, large)
        if k is None:
            continue
        ratio = b / a  # type: ignore[operator]
        results.add(f"growth.{prefix}", f"growth of {label}, {small:,} -> {large:,} scenes", k, "exp",
                    GROWTH_EXPONENT_OK, note=f"x{ratio:.2f} for {per} the scenes (1 = linear, 0 = flat)")


# --- output ---------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def print_table(results: Results, out: Any) -> None:
    width = max(len(f.label) for f in results.figures) + 2
    out.write(f"{'figure':<{width}}{'value':>12}  {'unit':<5}{'target':<16}result\n")
    for f in results.figures:
        verdict = "" if f.ok is None else ("PASS" if f.ok else "FAIL")
        note = f"  ({f.note})" if f.note else ""
        out.write(f"{f.label:<{width}}{_fmt(f.value):>12}  {f.unit:<5}{f.target:<16}{verdict}{note}\n")
    failed = [f for f in results.figures if f.ok is False]
    targets = [f for f in results.figures if f.ok is not None]
    out.write(f"\n{len(targets) - len(failed)} of {len(targets)} targets met"
              + (f"; failed: {', '.join(f.key for f in failed)}" if failed else "") + "\n")


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "pyyaml": yaml.__version__,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks for the story engine (see docs/PERFORMANCE.md).")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and shorter runs")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--sizes", default="1000,10000",
                        help="synthetic story sizes in scenes, comma-separated (default 1000,10000)")
    parser.add_argument("--strict", action="store_true", help="exit with 1 if any target is missed")
    parser.add_argument("--only", default="",
                        help="run only these stages, comma-separated: check, startup, engine, saves, memory, "
                             "proof (check and check --deep on the real story: verdict, time, memory; "
                             "only when asked for) "
                             "(e.g. --only engine --sizes 10000,50000 for how engine build and playtest grow)")
    args = parser.parse_args(argv)
    stages = {s.strip() for s in args.only.split(",") if s.strip()} or set(STAGES)
    if not stages <= set(STAGES) | set(OPTIONAL_STAGES):
        parser.error(f"--only takes {', '.join(STAGES + OPTIONAL_STAGES)}")
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes whole numbers, e.g. --sizes 1000,10000")
    if not sizes or min(sizes) < synth.MIN_SCENES:
        parser.error(f"every size must be at least {synth.MIN_SCENES}")
    plan = QUICK if args.quick else FULL
    log = sys.stderr
    results = Results()
    began = time.perf_counter()

    def stage(name: str) -> None:
        log.write(f"[{time.perf_counter() - began:6.1f}s] {name}\n")
        log.flush()

    stage("writing synthetic stories")
    paths = {size: synthetic(size) for size in sizes}
    if "check" in stages:
        stage("1. check and bare parse")
        bench_check(results, sizes, plan, paths)
    if "startup" in stages:
        stage("2. start-up and imports")
        bench_startup(results, sizes, plan, paths)
    real = loader.load(REAL_STORY).story
    if stages & {"engine", "saves"}:
        stage("3-4. engine steps and playtest")
        stories = {size: load_story(paths[size]) for size in sizes}
        engines = bench_engine(results, sizes, plan, stories, real)
        if "saves" in stages:
            stage("5. saves and replay")
            bench_saves(results, sizes, plan, engines)
        del engines, stories
    if "memory" in stages:
        stage("6. memory")
        bench_memory(results, sizes, paths)
    if "proof" in stages:
        stage("8. the proof on the real story")
        bench_proof(results)
    bench_growth(results, sizes)
    stage("done")

    if args.json:
        doc = {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "quick": args.quick,
            "sizes": sizes,
            "real_story_scenes": len(real.scenes),
            "figures": [asdict(f) for f in results.figures],
            "details": results.details,
            "ok": all(f.ok is not False for f in results.figures),
        }
        sys.stdout.write(json.dumps(doc, indent=1) + "\n")
    else:
        m = machine()
        sys.stdout.write(f"bench/run.py {'--quick ' if args.quick else ''}on {m['platform']}, "
                         f"{m['cpus']} CPUs, Python {m['python']}, PyYAML {m['pyyaml']} "
                         f"(libyaml {'yes' if m['libyaml'] else 'no'}); real story: {len(real.scenes)} scenes; "
                         f"load average {_load_average()}\n\n")
        print_table(results, sys.stdout)
    failed = any(f.ok is False for f in results.figures)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    raise SystemExit(main())
