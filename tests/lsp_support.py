"""What the language-server tests share: a small two-file story, and a client that drives
`play.py lsp` over stdio the way an editor does (pytest-lsp, on pygls's client)."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient, client_capabilities
from support import ROOT

PLAY = ROOT / "play.py"
SERVER = [sys.executable, str(PLAY), "lsp"]
WAIT = 30.0  # seconds a test waits for the server before it fails (never a timing goal)

MANIFEST = textwrap.dedent("""\
    story:
      id: lsp-test
      title: LSP Test
      version: "1"
      start: hall.door
      format: 2

    areas:
      hall: {title: The Hall}
      yard: {title: The Yard}

    clues:
      key: {title: A brass key, text: Heavy and cold.}

    flags:
      rang: Somebody rang the bell.

    stats:
      nerve: {min: 0, max: 5, start: 2, label: Nerve}

    endings:
      out: {title: Out}

    scenes:
      hall.door:
        title: The Door
        text: "A door. {clue.key: You have the key.|It is locked.}"
        choices:
          - id: search
            text: Search the mat.
            once: true
            do:
              - clue: key
          - id: ring
            text: Ring the bell.
            if: not flag.rang
            do:
              - flag: rang
              - stat: {nerve: +1}
          - id: open
            text: Open it.
            if: clue.key and stat.nerve >= 2
            goto: yard.gate
    """)

YARD = textwrap.dedent("""\
    area: yard

    scenes:
      yard.gate:
        title: The Gate
        text: The gate, and beyond it the road.
        choices:
          - id: back
            text: Go back in.
            if: visited.hall.door and taken.hall.door.search >= 1
            goto: hall.door
          - id: leave
            text: Leave.
            goto: yard.road

      yard.road:
        title: The Road
        text: The road, at last.
        ending: out
    """)


def write_story(root: Path, files: dict[str, str] | None = None) -> Path:
    for rel, text in (files or {"story.yaml": MANIFEST, "yard.yaml": YARD}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


async def start(root: Path, client: LanguageClient, editor: str = "visual-studio-code",
                options: dict | None = None) -> None:
    await client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities(editor), root_uri=root.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), root.name)],
        initialization_options=options or {}))


def open_file(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1,
                             text=path.read_text(encoding="utf-8") if text is None else text)))
    return uri


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    """Send the whole new text of a document (as editors do for a paste over everything)."""
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))


def edit_line(client: LanguageClient, uri: str, row: int, old: str, new: str, text: str, version: int) -> str:
    """Replace `old` in line `row` by `new` with an incremental change; return the new text."""
    lines = text.split("\n")
    col = lines[row].index(old)
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[lsp.TextDocumentContentChangePartial(
            range=lsp.Range(lsp.Position(row, col), lsp.Position(row, col + len(old))), text=new)]))
    lines[row] = lines[row][:col] + new + lines[row][col + len(old):]
    return "\n".join(lines)


async def diagnostics_until(client: LanguageClient, uri: str, wanted, timeout: float = WAIT
                            ) -> list[lsp.Diagnostic]:
    """Wait until the diagnostics published for uri satisfy wanted(list)."""
    async def wait() -> list[lsp.Diagnostic]:
        while True:
            current = list(client.diagnostics.get(uri, []))
            if uri in client.diagnostics and wanted(current):
                return current
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), timeout)


def position_of(text: str, needle: str, occurrence: int = 0, offset: int = 0) -> lsp.Position:
    """Where the n-th `needle` starts in text (plus offset characters)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    row = text.count("\n", 0, start)
    col = start - (text.rfind("\n", 0, start) + 1)
    return lsp.Position(row, col + offset)


def apply_edits(root: Path, edit: lsp.WorkspaceEdit) -> dict[Path, str]:
    """Apply a WorkspaceEdit's changes to the files, as an editor would; return the new texts."""
    written = {}
    for uri, changes in (edit.changes or {}).items():
        path = Path(uri.removeprefix("file://"))
        lines = path.read_text(encoding="utf-8").split("\n")
        flat = "\n".join(lines)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)

        def at(position: lsp.Position, offsets: list[int] = offsets) -> int:
            return offsets[position.line] + position.character

        for change in sorted(changes, key=lambda c: at(c.range.start), reverse=True):
            flat = flat[:at(change.range.start)] + change.new_text + flat[at(change.range.end):]
        path.write_text(flat, encoding="utf-8")
        written[path] = flat
    return written
