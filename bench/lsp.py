#!/usr/bin/env python3
"""The language server's latency: `python bench/lsp.py [--quick] [--json]`.

Drives `play.py lsp` in a child process over stdio, as an editor does, and
measures (medians, on this machine):

1. server start to first diagnostics on the real story: spawn, initialize,
   open story/office/desk.yaml, until its diagnostics arrive (and, inside
   that, the time to the answer to `initialize`: Python, pygls and
   lsprotocol starting); also the server's CPU time up to then, which is
   what the wall time comes to on an idle machine (the development machine
   is shared: its load average is printed beside it);
2. diagnostics after a one-line edit (a goto's scene mistyped, then put
   back: each edit changes what is published, so each is timed to its
   publishDiagnostics), on the real story and on bench/synth.py's
   1,000-scene story; this includes the server's debounce (the wait for the
   next keystroke, DEBOUNCE_SECONDS);
3. the same for an edit of a scene's id (other files may depend on it, so
   the whole story is built again), for information;
4. completion after `goto: ` (every scene) and after `clue.` (every clue).

The client is a minimal JSON-RPC one (headers, json.loads), so the figures
are the server's and the pipe's, as an editor sees them, not the decoding
time of a Python client library. It says it takes a completion list's
default edit range (LSP 3.17 itemDefaults), as VS Code and Neovim 0.10+ do.

Targets (issue 18): < 150 ms and < 300 ms for 2, < 50 ms for 4, < 1 s for 1.
Timing goals live here, never in unit tests. The synthetic story is written
to bench/out/ (ignored by git).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import synth  # noqa: E402

SERVER = [sys.executable, str(ROOT / "play.py"), "lsp"]
REAL = ROOT / "story"
OUT = BENCH / "out"
SYNTH_SIZE = 1000
SETTLE = 1.5  # seconds after opening a file before timing edits
DEBOUNCE_MS = 50  # game.lsp.server.DEBOUNCE_SECONDS (not imported: the client stays free of the server's code)
CAPABILITIES = {"textDocument": {
    "completion": {"completionList": {"itemDefaults": ["editRange"]}},
    "publishDiagnostics": {"relatedInformation": True},
}}


class Client:
    """A minimal LSP client over a child's stdin and stdout."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.log: list[tuple[str, dict]] | None = None  # ("->" or "<-", message), when recording an exchange
        self.next_id = 0
        self.waiting: dict[int, asyncio.Future] = {}
        self.published: dict[str, asyncio.Event] = {}
        self.reader = asyncio.create_task(self.read())

    @classmethod
    async def start(cls) -> Client:
        process = await asyncio.create_subprocess_exec(*SERVER, stdin=asyncio.subprocess.PIPE,
                                                       stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.DEVNULL)
        return cls(process)

    def send(self, message: dict[str, Any]) -> None:
        message = {"jsonrpc": "2.0", **message}
        if self.log is not None:
            self.log.append(("->", message))
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = future
        self.send({"id": self.next_id, "method": method, "params": params})
        return await asyncio.wait_for(future, 120)

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def expect(self, uri: str) -> asyncio.Event:
        event = asyncio.Event()
        self.published[uri] = event
        return event

    async def read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = await stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(await stream.readexactly(length))
            if self.log is not None:
                self.log.append(("<-", message))
            if "id" in message and "method" not in message:
                future = self.waiting.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message.get("result"))
            elif message.get("method") == "textDocument/publishDiagnostics":
                event = self.published.get(message["params"]["uri"])
                if event is not None:
                    event.set()
            elif "id" in message:  # a request from the server (e.g. registration): say yes
                self.send({"id": message["id"], "result": None})

    async def initialize(self, root: Path, options: dict | None = None) -> None:
        await self.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": CAPABILITIES,
                                          "initializationOptions": {"budget": 0} if options is None else options})
        self.notify("initialized", {})

    async def stop(self) -> None:
        await self.request("shutdown", None)
        self.notify("exit", None)
        await asyncio.wait_for(self.process.wait(), 30)
        self.reader.cancel()

    def open(self, path: Path) -> tuple[str, str]:
        uri, text = path.as_uri(), path.read_text(encoding="utf-8")
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                               "text": text}})
        return uri, text


def cpu_seconds(pid: int) -> float | None:
    """User and system time a process has used so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


async def start_to_first_diagnostics(root: Path, repeats: int) -> tuple[list[float], list[float], list[float]]:
    totals, handshakes, cpu = [], [], []
    for _ in range(repeats):
        began = time.perf_counter()
        client = await Client.start()
        await client.initialize(root)
        handshakes.append(time.perf_counter() - began)
        path = root / "office" / "desk.yaml"
        arrived = client.expect(path.as_uri())
        client.open(path)
        await asyncio.wait_for(arrived.wait(), 60)
        totals.append(time.perf_counter() - began)
        used = cpu_seconds(client.process.pid)
        if used is not None:
            cpu.append(used)
        await client.stop()
    return totals, handshakes, cpu


def goto_line(text: str) -> tuple[int, str]:
    """The first `goto: SCENE` line of a scene file, and its scene."""
    for row, line in enumerate(text.split("\n")):
        stripped = line.strip().removeprefix("- ")
        if stripped.startswith("goto: ") and "." in stripped:
            return row, stripped.split(": ", 1)[1].strip()
    raise SystemExit("no goto line to edit")


async def edit_latency(client: Client, path: Path, repeats: int, full: bool = False, settle: float = SETTLE
                       ) -> list[float]:
    """Edit one line, back and forth, and time each edit to its diagnostics."""
    uri, text = client.open(path)
    await asyncio.sleep(settle)  # the first load and the story-wide checks settle
    lines = text.split("\n")
    if full:  # a scene's id: what other files see changes
        row = next(i for i, line in enumerate(lines) if line.startswith("  ") and not line.startswith("   ")
                   and line.rstrip().endswith(":") and "." in line and not line.strip().startswith("#"))
        old = lines[row].strip()[:-1]
        new = old + "_x"
    else:
        row, old = goto_line(text)
        new = old + "x"
    column = lines[row].index(old)
    times = []
    for step in range(repeats * 2):
        now, then = (old, new) if step % 2 == 0 else (new, old)
        arrived = client.expect(uri)
        began = time.perf_counter()
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": step + 2},
            "contentChanges": [{"range": {"start": {"line": row, "character": column},
                                          "end": {"line": row, "character": column + len(now)}}, "text": then}]})
        await asyncio.wait_for(arrived.wait(), 60)
        times.append(time.perf_counter() - began)
        await asyncio.sleep(0.2)  # a writer's pause between edits
    return times


async def completion_latency(client: Client, path: Path, repeats: int) -> dict[str, list[float]]:
    uri, text = client.open(path)
    await asyncio.sleep(0.5)
    lines = text.split("\n")
    row, scene = goto_line(text)
    goto_at = {"line": row, "character": lines[row].index(scene)}
    clue_row = next((i for i, line in enumerate(lines) if "clue." in line), None)
    result: dict[str, list[float]] = {"goto": [], "clue": []}
    for _ in range(repeats):
        began = time.perf_counter()
        found = await client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": goto_at})
        result["goto"].append(time.perf_counter() - began)
        assert found and found["items"], "no scenes offered after goto:"
        if clue_row is not None:
            at = {"line": clue_row, "character": lines[clue_row].index("clue.") + len("clue.")}
            began = time.perf_counter()
            found = await client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": at})
            result["clue"].append(time.perf_counter() - began)
            assert found and found["items"], "no clues offered after clue."
    return result


def first_scene_file(root: Path) -> Path:
    for path in sorted(root.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "\nscenes:" in text and "goto: " in text:
            return path
    raise SystemExit(f"no scene file in {root}")


async def run(quick: bool, size: int = SYNTH_SIZE) -> list[dict]:
    repeats = 2 if quick else 10
    settle = 0.5 if quick else SETTLE
    figures: list[dict] = []

    def add(key: str, label: str, times: list[float], target_ms: float | None, note: str = "") -> None:
        ordered = sorted(times)
        value = statistics.median(ordered) * 1000
        figures.append({"key": key, "label": label, "ms": value, "target_ms": target_ms,
                        "ok": None if target_ms is None else value < target_ms,
                        "p90_ms": ordered[max(0, int(len(ordered) * 0.9) - 1)] * 1000, "note": note})

    totals, handshakes, cpu = await start_to_first_diagnostics(REAL, 1 if quick else 7)
    add("start", "start to first diagnostics (story/)", totals, 1000)
    add("start_initialize", "... of which: to the initialize answer", handshakes, None,
        "Python, pygls and lsprotocol starting")
    if cpu:
        add("start_cpu", "... the server's CPU time up to then", cpu, 1000,
            f"what the wall time is on an idle machine (load: {os.getloadavg()[0]:.1f})")
    synthetic = OUT / f"synth-{size}"
    synth.write_story(size, synthetic)
    debounce = f"includes the {DEBOUNCE_MS} ms debounce"
    for name, root, target in (("story", REAL, 150), (f"synth{size}", synthetic, 300)):
        client = await Client.start()
        try:
            await client.initialize(root)
            path = REAL / "office" / "desk.yaml" if root == REAL else first_scene_file(root)
            add(f"edit_{name}", f"diagnostics after a one-line edit ({name})",
                await edit_latency(client, path, repeats, settle=settle), target, debounce)
            add(f"edit_full_{name}", f"... an edit of a scene's id: whole story ({name})",
                await edit_latency(client, path, repeats, full=True, settle=settle), None, debounce)
            done = await completion_latency(client, path, repeats * 2)
            add(f"complete_goto_{name}", f"completion after goto: ({name})", done["goto"], 50)
            if done["clue"]:
                add(f"complete_clue_{name}", f"completion after clue. ({name})", done["clue"], 50)
        finally:
            await client.stop()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--synth-size", type=int, default=SYNTH_SIZE, help="scenes of the synthetic story")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    figures = asyncio.run(run(args.quick, args.synth_size))
    if args.json:
        print(json.dumps({"figures": figures, "debounce_ms": DEBOUNCE_MS}, indent=2))
    else:
        width = max(len(f["label"]) for f in figures) + 2
        for f in figures:
            target = f"< {f['target_ms']:.0f} ms" if f["target_ms"] else ""
            verdict = "" if f["ok"] is None else "PASS" if f["ok"] else "FAIL"
            print(f"{f['label']:<{width}}{f['ms']:>7.0f} ms  p90 {f['p90_ms']:>5.0f}  {target:<10}{verdict:<6}"
                  f"{f['note']}")
    return 1 if args.strict and any(f["ok"] is False for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
