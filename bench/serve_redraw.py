#!/usr/bin/env python3
"""CPU per keystroke of a served game, without SSH: `python bench/serve_redraw.py [--keys 400]`.

The clean half of bench/serve_load.py: one full-screen game as the server
runs it (TerminalUI, hosted, an 80x24 xterm-256color output), fed keys
through prompt-toolkit's input pipe on one event loop; for each key the CPU
time (process time, so other programs on the machine do not count) from the
key going in to its screen update written. Keys as the load bench's
players type them: a number from 1 to 4, then Enter; a finished case starts
again from the title screen. Reported: CPU ms per key (mean, p50, p99),
digits and Enters apart, and the CPU of prompt-toolkit's screen update alone
(Renderer.render: lay out, diff, write). The autosave after each turn is written on a worker
thread as on the server; its CPU is counted when it runs in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prompt_toolkit.application import create_app_session  # noqa: E402
from prompt_toolkit.data_structures import Size  # noqa: E402
from prompt_toolkit.input import create_pipe_input  # noqa: E402
from prompt_toolkit.output.color_depth import ColorDepth  # noqa: E402
from prompt_toolkit.output.vt100 import Vt100_Output  # noqa: E402

from game import loader  # noqa: E402
from game.engine import Engine  # noqa: E402
from game.serve.saving import HostedSession  # noqa: E402
from game.ui.tui import TerminalUI  # noqa: E402


class Screen(io.StringIO):
    """The terminal: counts what is written, and when."""

    def __init__(self) -> None:
        super().__init__()
        self.written = asyncio.Event()

    def write(self, text: str) -> int:
        self.written.set()
        return len(text)

    def isatty(self) -> bool:
        return True


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


async def measure(story_dir: Path, keys: int, seed: int) -> dict[str, list[float]]:
    story = loader.load(story_dir).story
    engine = Engine(story)
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {"digit": [], "enter": [], "render": []}
    with tempfile.TemporaryDirectory(prefix="serve-redraw-") as tmp, ThreadPoolExecutor(2) as saver, \
            create_pipe_input() as pipe:
        screen = Screen()
        output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm-256color")
        with create_app_session(input=pipe, output=output):
            session = HostedSession(story, Path(tmp), 1, engine, saver, 50)
            ui = TerminalUI(session, monochrome=False, color_depth=ColorDepth.DEPTH_8_BIT, hosted=True)
            started: list[float] = []
            ui.app.before_render += lambda _: started.append(time.thread_time())
            ui.app.after_render += lambda _: samples["render"].append((time.thread_time() - started.pop()) * 1000)
            task = asyncio.ensure_future(ui.run_async())
            await asyncio.sleep(0.3)

            async def key(text: str, kind: str) -> None:
                screen.written.clear()
                cpu = time.process_time()
                pipe.send_text(text)
                await screen.written.wait()
                await asyncio.sleep(0.005)  # anything the key left for later (nothing spins meanwhile)
                samples[kind].append((time.process_time() - cpu) * 1000)

            await key("1", "digit")  # the title screen: New case
            await key("\r", "enter")
            for _ in range(keys // 2):
                if ui.mode != "game":
                    await key("1", "digit")
                    await key("\r", "enter")
                    continue
                await key(str(rng.randint(1, 4)), "digit")
                await key("\r", "enter")
            ui.stop("")
            await task
            await session.flush()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=400)
    parser.add_argument("--story", type=Path, default=ROOT / "story")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    samples = asyncio.run(measure(args.story, args.keys, args.seed))
    every = samples["digit"] + samples["enter"]
    print(f"{len(every)} keys: CPU per key mean {sum(every) / len(every):.2f} ms, "
          f"p50 {percentile(every, 0.5):.2f} ms, p99 {percentile(every, 0.99):.2f} ms "
          f"(digit mean {sum(samples['digit']) / len(samples['digit']):.2f} ms, "
          f"Enter mean {sum(samples['enter']) / len(samples['enter']):.2f} ms); "
          f"a screen update alone: mean {sum(samples['render']) / len(samples['render']):.2f} ms, "
          f"p50 {percentile(samples['render'], 0.5):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
