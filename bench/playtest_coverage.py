#!/usr/bin/env python3
"""Coverage-guided against random playtest runs: `python bench/playtest_coverage.py [-n RUNS] [--seeds K]`.

For the real story, examples/lighthouse and tests/data/playtest/deep_lock
(a 48-turn combination), plays `-n` runs (default 1,000, the default of
`play.py playtest`) with each player for each of K seeds and prints, per
story and player: CPU seconds (process time: the machine is shared, wall
time is not the player's), choices per CPU second, the endings no run
reached, the scenes no run entered, and the stuck runs. The random mode is
`--random`'s (blind and, in a story with questions, informed players, both
counted as reaching). This is what the choice of the default rests on
(docs/WRITING.md, "playtest"); it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game import loader  # noqa: E402
from game.tools.playtest import playtest  # noqa: E402

STORIES = {"story": ROOT / "story", "lighthouse": ROOT / "examples" / "lighthouse",
           "deep_lock": ROOT / "tests" / "data" / "playtest" / "deep_lock"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--story", choices=sorted(STORIES), action="append")
    args = parser.parse_args()
    for name in args.story or STORIES:
        story = loader.load(STORIES[name]).story
        for guided in (False, True):
            for seed in range(args.seeds):
                started = time.process_time()
                report = playtest(story, runs=args.runs, seed=seed, guided=guided)
                seconds = time.process_time() - started
                choices = report.choices + report.informed_choices
                missing = sorted(e for e in story.endings if not report.runs_reaching(e))
                print(f"{name:<10} {'coverage' if guided else 'random':<8} seed {seed}: {seconds:6.1f} s CPU, "
                      f"{choices / seconds:8,.0f} choices/s, endings never reached: {missing or 'none'}, "
                      f"scenes never entered: {len(report.unvisited_scenes)}, stuck: {len(report.stuck)}",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
