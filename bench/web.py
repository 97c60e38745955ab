#!/usr/bin/env python3
"""The web page's figures: `python bench/web.py [--repeats N] [--json] [--quick]`.

Publishes the real story (with and without precompiled YAML events, and once
without byte code) and the 1,000-scene synthetic story (bench/synth.py),
serves each on 127.0.0.1 and
opens it in headless Chromium (Debian's, driven by Playwright, as in
tests/web) with an empty profile every time, and measures:

1. first scene readable: from the page's navigation start to the first
   scene's text and choices on screen (the page's own performance clock),
   with the worker's stages (Pyodide ready, files unpacked, game imported,
   story loaded);
2. a choice to its text: from the click to the new turn in the page, over
   20 choices (the page measures it: worker round trip, Python, DOM);
3. the published zip's size;
4. the same start-up in Node (bench/pyodide_start.mjs) with its CPU time:
   on a loaded 2-core machine the wall clock measures waiting for a core as
   much as the work, and the CPU time is what an idle machine would wait.

Timing goals live here, never in the tests. Needs Chromium, Node/npm and
playwright (pip install -e '.[test]'). Prints a table (or one JSON object),
each figure beside its target.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from game.tools import publish  # noqa: E402
from game.web import runtime  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
CHOICES = 20
REAL = "real story, precompiled events"
QUICK = (REAL, "real story, precompiled events, no byte code")  # --quick: the target, and without byte code
NOT_A_QUESTION = ':not([data-choice^="ask:"])'
TURN_TIMEOUT_MS = 30_000  # a choice answers in milliseconds; far past that, something is broken


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def open_once(browser, url: str, choices: int) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(120_000)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("window.akaTimings && window.akaTimings.firstScene !== null", timeout=120_000)
    first = page.evaluate("window.akaTimings.firstScene")
    stages = page.evaluate("window.aka.call('boot').then(r => r.result.stages)")
    for _ in range(choices):
        count = page.locator("article.turn").count()
        # A question ("ask:") opens the answer draft, not a turn: clicking it would wait forever
        # for a turn that never comes (the 1,000-scene story's hubs ask two).
        buttons = page.locator(f"#choice-list button:not([disabled]){NOT_A_QUESTION}")
        if buttons.count() == 0 or page.locator("section.ending").count():
            break
        chosen = buttons.last.get_attribute("data-choice")
        buttons.last.click()  # the last open choice: moves on rather than circling
        try:
            page.wait_for_function("n => document.querySelectorAll('article.turn').length > n", arg=count,
                                   timeout=TURN_TIMEOUT_MS)
        except PlaywrightTimeout:
            raise SystemExit(f"bench/web.py: choice {chosen!r} gave no new turn within "
                             f"{TURN_TIMEOUT_MS // 1000} s ({url})") from None
    taken = page.evaluate("window.akaTimings.choices")
    context.close()
    return {"first_scene_s": first / 1000, "stages_ms": stages, "choices_ms": taken}


def measure(browser, folder: Path, repeats: int, choices: int) -> dict:
    server, url = serve(folder)
    try:
        runs = [open_once(browser, url, choices) for _ in range(repeats)]
    finally:
        server.shutdown()
        server.server_close()
    firsts = sorted(run["first_scene_s"] for run in runs)
    taken = sorted(ms for run in runs for ms in run["choices_ms"])
    return {
        "first_scene_s": statistics.median(firsts),
        "first_scene_all_s": firsts,
        "stages_ms": runs[len(runs) // 2]["stages_ms"],
        "choice_median_ms": statistics.median(taken) if taken else None,
        "choice_p95_ms": taken[int(0.95 * (len(taken) - 1))] if taken else None,
        "choices": len(taken),
    }


def node_start(folder: Path, repeats: int) -> dict:
    """Median wall and CPU time of the start-up stages in Node."""
    runs = []
    for _ in range(repeats):
        done = subprocess.run(["node", str(ROOT / "bench" / "pyodide_start.mjs"), str(folder)],
                              capture_output=True, text=True, timeout=300, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {stage: {kind: statistics.median(run[stage][kind] for run in runs) for kind in ("wall_ms", "cpu_ms")}
            for stage in runs[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="page opens per variant (median taken)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true",
                        help="the real story with precompiled events only, with and without byte code")
    args = parser.parse_args(argv)

    import synth
    from playwright.sync_api import sync_playwright

    pyodide = runtime.ensure()
    work = Path(tempfile.mkdtemp(prefix="aka-web-bench-"))
    synth.write_story(1000, work / "synth-1000")
    variants = {  # name: (story, precompiled events, byte code)
        REAL: (ROOT / "story", True, True),
        "real story, precompiled events, no byte code": (ROOT / "story", True, False),
        "real story, YAML parsed in the page": (ROOT / "story", False, True),
        "1,000 synthetic scenes, precompiled events": (work / "synth-1000", True, True),
        "1,000 synthetic scenes, YAML parsed in the page": (work / "synth-1000", False, True),
    }
    if args.quick:
        variants = {name: variant for name, variant in variants.items() if name in QUICK}
    results = {}
    chromium = next(p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists())
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=FLAGS)
        for name, (story, precompile, compiled) in variants.items():
            out = work / f"site-{len(results)}"
            done = publish.publish(story, out, pyodide, precompile=precompile, budget=0, compiled=compiled)
            load = os.getloadavg()[0]
            figures = measure(browser, out, args.repeats, CHOICES)
            figures["zip_mb"] = done.zip_bytes / 1_000_000
            figures["node"] = node_start(out, args.repeats)
            figures["load_1min"] = [round(load, 1), round(os.getloadavg()[0], 1)]  # before, after
            results[name] = figures
        browser.close()
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"load_average": load, "results": results}, indent=1))
        return 0
    real = results[REAL]
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 cores; each variant "
          "gives its 1-minute load before and after)")
    print(f"{'figure':58} {'target':>8}  measured")
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    print(f"{'first scene readable, real story (median)':58} {'< 5 s':>8}  {real['first_scene_s']:.2f} s "
          f"{verdict(real['first_scene_s'] < 5)}")
    print(f"{'a choice to its text, real story (median / p95)':58} {'< 50 ms':>8}  "
          f"{real['choice_median_ms']:.0f} / {real['choice_p95_ms']:.0f} ms {verdict(real['choice_p95_ms'] < 50)}")
    print(f"{'published zip, real story':58} {'<= 10 MB':>8}  {real['zip_mb']:.2f} MB {verdict(real['zip_mb'] <= 10)}")
    for name, figures in results.items():
        stages = figures["stages_ms"]
        print(f"  {name}: first scene {figures['first_scene_s']:.2f} s (runs {figures['first_scene_all_s']}); "
              f"worker: Pyodide {stages['pyodide']} ms, files {stages['files']}, imported {stages['imported']}, "
              f"story loaded {stages['loaded']}; choice median {figures['choice_median_ms']:.0f} ms; "
              f"zip {figures['zip_mb']:.2f} MB; load {figures['load_1min'][0]}-{figures['load_1min'][1]}")
        node = figures["node"]
        print("    in Node, wall / CPU ms: " + ", ".join(f"{stage} {t['wall_ms']:.0f} / {t['cpu_ms']:.0f}"
                                                      for stage, t in node.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
