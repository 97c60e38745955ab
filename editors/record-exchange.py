#!/usr/bin/env python3
"""Record docs/editors/lsp-exchange.txt: what an editor and `play.py lsp` say to each other.

For the clients that cannot be run here (VS Code and Helix are not packaged
for Debian 12), this is the exchange they have with the server, message by
message, as a minimal client (bench/lsp.py's) sends it: open a copy of
story/office/desk.yaml, mistype a goto, get the problem and its fix, then
completion, definition, hover and a rename. Long lists are cut short.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench")]

from lsp import Client  # noqa: E402  (bench/lsp.py)

OUT = ROOT / "docs" / "editors" / "lsp-exchange.txt"


def shorten(value):
    """Lists cut to three items, a file's text to its first line."""
    if isinstance(value, str):
        return value.split("\n", 1)[0] + " ..." if value.count("\n") > 3 else value
    if isinstance(value, list):
        items = [shorten(v) for v in value[:3]]
        return [*items, f"... {len(value) - 3} more"] if len(value) > 3 else items
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items() if k != "jsonrpc"}
    return value


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        story = Path(tmp) / "story"
        shutil.copytree(ROOT / "story", story)
        client = await Client.start()
        client.log = []
        await client.initialize(story, options={})
        path = story / "office" / "desk.yaml"
        arrived = client.expect(path.as_uri())
        uri, text = client.open(path)
        await asyncio.wait_for(arrived.wait(), 60)
        lines = text.split("\n")
        row = next(i for i, line in enumerate(lines) if "goto: office.whizzer" in line)
        col = lines[row].index("office.whizzer")
        arrived = client.expect(uri)
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": row, "character": col + 13},
                                          "end": {"line": row, "character": col + 14}}, "text": ""}]})
        await asyncio.wait_for(arrived.wait(), 60)
        typo = {"start": {"line": row, "character": col}, "end": {"line": row, "character": col + 13}}
        await client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": typo,
                                                         "context": {"diagnostics": []}})
        arrived = client.expect(uri)
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [{"range": {"start": {"line": row, "character": col + 13},
                                          "end": {"line": row, "character": col + 13}}, "text": "r"}]})
        await asyncio.wait_for(arrived.wait(), 60)
        at = {"textDocument": {"uri": uri}, "position": {"line": row, "character": col + 1}}
        await client.request("textDocument/completion", at)
        await client.request("textDocument/definition", at)
        await client.request("textDocument/hover", at)
        await client.request("textDocument/rename", {**at, "newName": "office.doorway"})
        await asyncio.sleep(1.0)
        await client.stop()
        root_uri, root_path = story.as_uri(), str(story)
    out = ["# The exchange between an editor and `play.py lsp` (recorded by editors/record-exchange.py;",
           "# -> editor to server, <- server to editor; lists cut to three items)", ""]
    for direction, message in client.log:
        if message.get("method") in ("initialized", "exit", "shutdown") or (
                direction == "<-" and "method" not in message and message.get("result") is None):
            continue
        if message.get("method") == "initialize" or (direction == "<-" and "capabilities" in str(message)[:200]):
            body = {"method": message.get("method", "(initialize result)"), "...": "capabilities"}
        else:
            body = shorten(message)
        line = json.dumps(body, ensure_ascii=False).replace(root_uri, "file:///STORY").replace(root_path, "STORY")
        out.append(f"{direction} {line}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(OUT.read_text(encoding="utf-8"))


if __name__ == "__main__":
    asyncio.run(main())
