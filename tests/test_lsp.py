"""The language server end to end: `play.py lsp` in a child process, driven over stdio by a real
LSP client (pytest-lsp, which is pygls's client plus checks that the server sends only what
the client said it supports), the way an editor drives it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import (
    MANIFEST,
    SERVER,
    YARD,
    apply_edits,
    diagnostics_until,
    edit_line,
    open_file,
    position_of,
    replace_all,
    start,
    write_story,
)
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient
from support import ROOT

from game import loader
from game.engine import Engine
from game.tools.check import run_check

# One server for the module (as one editor session): each test opens its own story folder,
# which the server keeps apart (a project per folder holding story.yaml).
pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]
FAST = {"budget": 0}  # on save, check's analysis without the soft-lock search: these stories need none


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="module")
async def server(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    await start(tmp_path_factory.mktemp("workspace"), lsp_client, options=FAST)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def client(server: LanguageClient, tmp_path: Path) -> LanguageClient:
    server.story = write_story(tmp_path / "story")  # type: ignore[attr-defined]
    return server


def story_of(client: LanguageClient) -> Path:
    return client.story  # type: ignore[attr-defined]


async def test_opening_the_real_story_checks_it_and_finds_nothing_wrong(tmp_path: Path) -> None:
    copy = tmp_path / "story"
    shutil.copytree(ROOT / "story", copy)
    config = ClientServerConfig(server_command=SERVER)
    client = await config.start()
    try:
        await start(copy, client, editor="neovim", options=FAST)
        uri = open_file(client, copy / "office" / "desk.yaml")
        published = await diagnostics_until(client, uri, lambda items: True)
        assert [d for d in published if d.severity == lsp.DiagnosticSeverity.Error] == []
        # Every file can be asked about: the outline of the opened one has its scenes.
        outline = await client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(text_document=lsp.TextDocumentIdentifier(uri)))
        scenes = next(s for s in outline if s.name == "scenes")
        assert "office.desk" in {s.name for s in scenes.children}
        # Completion in an editor that takes one edit range for the whole list (Neovim 0.11 does).
        text = (copy / "office" / "desk.yaml").read_text()
        row, line = next((i, line) for i, line in enumerate(text.split("\n")) if "goto: office." in line)
        at = lsp.Position(row, line.index("goto: office.") + len("goto: office."))
        found = await client.text_document_completion_async(lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri), position=at))
        story = loader.load(copy).story
        assert {i.label for i in found.items} == set(story.scenes)
        assert found.item_defaults.edit_range == lsp.Range(lsp.Position(row, at.character - len("office.")), at)
        await client.shutdown_session()
    finally:
        await client.stop()


async def test_a_typo_in_goto_is_flagged_before_saving_at_its_place_with_its_fix(client: LanguageClient) -> None:
    story = story_of(client)
    uri = open_file(client, story / "yard.yaml")
    await diagnostics_until(client, uri, lambda items: items == [])
    row = position_of(YARD, "goto: hall.door").line
    text = edit_line(client, uri, row, "hall.door", "hall.dor", YARD, 2)
    found = await diagnostics_until(client, uri, lambda items: any(d.code == "unknown-scene" for d in items))
    typo = next(d for d in found if d.code == "unknown-scene")
    start_at = position_of(text, "goto: hall.dor", offset=len("goto: "))
    assert typo.range == lsp.Range(start_at, lsp.Position(start_at.line, start_at.character + len("hall.dor")))
    assert typo.severity == lsp.DiagnosticSeverity.Error
    assert "hall.dor" in typo.message
    # The file on disk is untouched: the check ran on the editor's unsaved text.
    assert (story / "yard.yaml").read_text() == YARD

    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri), range=typo.range,
        context=lsp.CodeActionContext(diagnostics=[typo])))
    assert len(actions) == 1
    fix = actions[0]
    assert fix.kind == lsp.CodeActionKind.QuickFix and "hall.door" in fix.title
    assert {k: list(v) for k, v in fix.edit.changes.items()} == {uri: [lsp.TextEdit(typo.range, "hall.door")]}
    # Typing the fix clears the diagnostic.
    edit_line(client, uri, row, "hall.dor", "hall.door", text, 3)
    await diagnostics_until(client, uri, lambda items: not any(d.code == "unknown-scene" for d in items))


async def test_a_broken_condition_is_flagged_in_the_condition_with_related_places(client: LanguageClient) -> None:
    story = story_of(client)
    uri = open_file(client, story / "story.yaml")
    row = position_of(MANIFEST, "if: clue.key and").line
    text = edit_line(client, uri, row, "clue.key and", "clue.kee and", MANIFEST, 2)
    found = await diagnostics_until(client, uri, lambda items: any(d.code == "condition" for d in items))
    problem = next(d for d in found if d.code == "condition")
    at = position_of(text, "clue.kee", offset=len("clue."))
    assert problem.range.start == at and problem.range.end.character == at.character + len("kee")
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri), range=problem.range,
        context=lsp.CodeActionContext(diagnostics=[problem])))
    assert [a.edit.changes[uri][0].new_text for a in actions] == ["key"]
    # A duplicate id points at the first one, in the other file.
    yard = open_file(client, story / "yard.yaml")
    edit_line(client, yard, 3, "yard.gate:", "hall.door:", YARD, 2)
    duplicated = await diagnostics_until(client, yard, lambda items: any(d.code == "duplicate-scene" for d in items))
    duplicate = next(d for d in duplicated if d.code == "duplicate-scene")
    assert duplicate.related_information, duplicate
    first = duplicate.related_information[0].location
    assert first.uri == uri and first.range.start.line == position_of(MANIFEST, "hall.door:").line


async def test_story_wide_findings_come_on_save(client: LanguageClient) -> None:
    story = story_of(client)
    uri = open_file(client, story / "yard.yaml")
    await diagnostics_until(client, uri, lambda items: items == [])
    lonely = YARD + "\n  yard.shed:\n    title: The Shed\n    text: Nobody comes here.\n    ending: out\n"
    (story / "yard.yaml").write_text(lonely)
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=lonely)]))
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri)))
    found = await diagnostics_until(client, uri, lambda items: any(d.code == "unreachable-scene" for d in items))
    finding = next(d for d in found if d.code == "unreachable-scene")
    assert finding.range.start == position_of(lonely, "yard.shed")


async def test_completion_offers_scenes_after_goto_and_clues_after_clue_dot(client: LanguageClient) -> None:
    story = story_of(client)
    uri = open_file(client, story / "yard.yaml")
    await diagnostics_until(client, uri, lambda items: True)
    row = position_of(YARD, "goto: yard.road").line
    text = edit_line(client, uri, row, "yard.road", "ya", YARD, 2)
    at = position_of(text, "goto: ya", offset=len("goto: ya"))
    result = await client.text_document_completion_async(lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri), position=at))
    items = {item.label: item for item in result.items}
    assert set(items) == {"hall.door", "yard.gate", "yard.road"}
    road = items["yard.road"]
    assert road.kind == lsp.CompletionItemKind.Class and road.detail == "scene · The Road"
    assert road.text_edit.range == lsp.Range(lsp.Position(at.line, at.character - 2), at)

    row = position_of(text, "if: visited.hall.door").line
    text = edit_line(client, uri, row, "visited.hall.door and", "clue. and", text, 3)
    at = position_of(text, "if: clue.", offset=len("if: clue."))
    result = await client.text_document_completion_async(lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri), position=at))
    assert [(i.label, i.detail, i.kind) for i in result.items] == [
        ("key", "clue · A brass key", lsp.CompletionItemKind.Constant)]

    # In inline text ({...}) and for an effect's key and value.
    manifest = open_file(client, story / "story.yaml")
    at = position_of(MANIFEST, "{clue.key", offset=len("{clue."))
    result = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(manifest), position=at))
    assert [i.label for i in result.items] == ["key"]
    at = position_of(MANIFEST, "- flag: rang", offset=len("- flag: "))
    result = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(manifest), position=at))
    assert [(i.label, i.detail) for i in result.items] == [("rang", "flag · Somebody rang the bell.")]
    at = position_of(MANIFEST, "- clue: key", offset=len("- "))
    result = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(manifest), position=at))
    assert set(loader.EFFECT_KINDS) <= {i.label for i in result.items}


async def test_definition_and_references_across_files(client: LanguageClient) -> None:
    story = story_of(client)
    manifest = open_file(client, story / "story.yaml")
    await diagnostics_until(client, manifest, lambda items: True)
    at = position_of(MANIFEST, "goto: yard.gate", offset=len("goto: y"))
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=lsp.TextDocumentIdentifier(manifest), position=at))
    yard_uri = (story / "yard.yaml").as_uri()
    gate = position_of(YARD, "yard.gate:")
    assert found == lsp.Location(yard_uri, lsp.Range(gate, lsp.Position(gate.line, gate.character + 9)))

    at = position_of(MANIFEST, "hall.door:", offset=2)
    places = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=lsp.TextDocumentIdentifier(manifest), position=at,
        context=lsp.ReferenceContext(include_declaration=True)))
    where = sorted((p.uri.rsplit("/", 1)[1], p.range.start.line, p.range.start.character) for p in places)

    def place(text: str, needle: str, offset: int) -> tuple[int, int]:
        p = position_of(text, needle, offset=offset)
        return p.line, p.character

    assert where == sorted([
        ("story.yaml", *place(MANIFEST, "start: hall.door", len("start: "))),
        ("story.yaml", *place(MANIFEST, "hall.door:", 0)),
        ("yard.yaml", *place(YARD, "visited.hall.door", len("visited."))),
        ("yard.yaml", *place(YARD, "taken.hall.door", len("taken."))),
        ("yard.yaml", *place(YARD, "goto: hall.door", len("goto: "))),
    ])


async def test_a_rename_across_two_files_passes_check_and_keeps_old_saves_loading(client: LanguageClient) -> None:
    story = story_of(client)
    before = loader.load(story).story
    engine = Engine(before)
    pt, _ = engine.start(seed=7)
    for choice in ("search", "open", "back", "open"):
        engine.choose(pt, choice)
    old_log = list(pt.log)

    yard = open_file(client, story / "yard.yaml")
    await diagnostics_until(client, yard, lambda items: True)
    at = position_of(YARD, "goto: hall.door", offset=len("goto: h"))
    prepared = await client.text_document_prepare_rename_async(
        lsp.PrepareRenameParams(text_document=lsp.TextDocumentIdentifier(yard), position=at))
    assert prepared.placeholder == "hall.door"
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=lsp.TextDocumentIdentifier(yard), position=at, new_name="hall.entrance"))
    assert {uri.rsplit("/", 1)[1] for uri in edit.changes} == {"story.yaml", "yard.yaml"}
    texts = apply_edits(story, edit)
    replace_all(client, yard, texts[story / "yard.yaml"], 2)  # the editor's open buffer takes the edit too
    assert "hall.door" not in texts[story / "yard.yaml"]
    assert "taken.hall.entrance.search" in texts[story / "yard.yaml"]

    result = run_check(story)
    assert result.ok, [str(d) for d in result.diagnostics]
    after = result.story
    assert after.renamed_scenes == {"hall.door": "hall.entrance"}
    replayed = Engine(after).replay(old_log, seed=7)
    assert replayed.ok, replayed.error
    assert replayed.playthrough.scene == "yard.gate"

    # A choice too: its id, `taken.` in the other file, and renames: choices.
    manifest = open_file(client, story / "story.yaml", texts[story / "story.yaml"])
    text = texts[story / "story.yaml"]
    at = position_of(text, "id: search", offset=len("id: s"))
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=lsp.TextDocumentIdentifier(manifest), position=at, new_name="look"))
    texts = apply_edits(story, edit)
    replace_all(client, yard, texts[story / "yard.yaml"], 3)
    assert "taken.hall.entrance.look" in texts[story / "yard.yaml"]
    result = run_check(story)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.story.renamed_choices == {("hall.entrance", "search"): "look"}
    assert Engine(result.story).replay(old_log, seed=7).ok


async def test_a_rename_to_a_taken_name_is_refused_in_one_line(client: LanguageClient) -> None:
    story = story_of(client)
    yard = open_file(client, story / "yard.yaml")
    await diagnostics_until(client, yard, lambda items: True)
    at = position_of(YARD, "goto: hall.door", offset=len("goto: h"))
    with pytest.raises(Exception, match="already a scene 'yard.road'"):
        await client.text_document_rename_async(lsp.RenameParams(text_document=lsp.TextDocumentIdentifier(yard), position=at, new_name="yard.road"))


async def test_hover_explains_ids_and_conditions(client: LanguageClient) -> None:
    story = story_of(client)
    manifest = open_file(client, story / "story.yaml")
    await diagnostics_until(client, manifest, lambda items: True)

    async def hover(needle: str, offset: int) -> str:
        at = position_of(MANIFEST, needle, offset=offset)
        found = await client.text_document_hover_async(lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(manifest), position=at))
        assert found is not None, needle
        return found.contents.value

    text = await hover("if: clue.key and", len("if: clue.k"))
    assert "**clue** `key` — A brass key" in text and "Heavy and cold." in text
    assert "true when you hold clue `key` (A brass key) **and** stat `nerve` (Nerve, 0..5) is at least 2" in text
    text = await hover("goto: yard.gate", len("goto: y"))
    assert "**scene** `yard.gate` — The Gate" in text and "The gate, and beyond it the road." in text
    text = await hover("stat: {nerve", len("stat: {n"))
    assert "range 0..5, starts at 2" in text


async def test_outline_and_workspace_symbols(client: LanguageClient) -> None:
    story = story_of(client)
    manifest = open_file(client, story / "story.yaml")
    await diagnostics_until(client, manifest, lambda items: True)
    outline = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(text_document=lsp.TextDocumentIdentifier(manifest)))
    scenes = next(s for s in outline if s.name == "scenes")
    door = next(s for s in scenes.children if s.name == "hall.door")
    assert door.detail == "The Door" and [c.name for c in door.children] == ["search", "ring", "open"]
    found = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="gate"))
    assert found[0].name == "yard.gate"
    assert (story / "yard.yaml").as_uri() in {f.location.uri for f in found if f.name == "yard.gate"}
    titled = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="The Road"))
    assert titled[0].name == "yard.road"  # found by its title


async def test_hostile_edits_get_one_line_problems_and_the_server_keeps_answering(client: LanguageClient) -> None:
    story = story_of(client)
    uri = open_file(client, story / "yard.yaml")
    await diagnostics_until(client, uri, lambda items: items == [])
    hostile = [
        ("a: !!python/object/apply:os.system [echo hi]\n", "bad-tag"),
        ("a: &x [*x]\n", "bad-alias"),
        ("scenes:\n  x.y: {text: \"\\x1b[2J\"}\n", "control-character"),
        ("\x00binary", "nul-byte"),
        ("[" * 5000, "too-deep"),
        ("x: " + "y" * (9 * 1024 * 1024), "file-too-large"),
    ]
    for version, (text, code) in enumerate(hostile, start=2):
        replace_all(client, uri, text, version)
        found = await diagnostics_until(client, uri, lambda items, c=code: any(d.code == c for d in items))
        assert all("\n" not in d.message and len(d.message) < 300 for d in found), found
    replace_all(client, uri, YARD, 99)
    await diagnostics_until(client, uri, lambda items: items == [])
    at = position_of(YARD, "goto: yard.road", offset=len("goto: "))
    result = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri), position=at))
    assert {i.label for i in result.items} == {"hall.door", "yard.gate", "yard.road"}
    # A document that is not in a story folder is left alone.
    outside = story.parent / "notes.yaml"
    outside.write_text("just: notes\n")
    other = open_file(client, outside)
    hover = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(other), position=lsp.Position(0, 1)))
    assert hover is None and other not in client.diagnostics
