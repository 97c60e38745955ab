"""`play.py lsp`: the language server for story files (LSP over stdio, on pygls).

Any YAML file in a story folder (found upward from the file: the folder
holding story.yaml) belongs to that story's Project. Edits are debounced;
then the story is loaded again (project.py says how little of it) and the
problems of every file whose problems changed are published. Saving a file
runs the story-wide checks (check's analysis) in a worker thread.

Everything the editor asks about positions (definition, references, rename,
hover) first takes any edit still waiting for its debounce, so the answer
is about the text the editor shows.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import loader
from ..diagnostics import Diagnostic, Pos
from ..yamlsrc import YMap
from . import completion, convert, hover, symbols
from .index import Occurrence, line_of, lines_of
from .project import Project, find_root
from .rename import Edit, Manifest, RenameError, rename

NAME = "story-lsp"
VERSION = "1"
DEBOUNCE_SECONDS = 0.05  # an edit waits this long for the next keystroke before the story is checked
REQUEST_FAILED = -32803  # LSP's RequestFailed: the request was valid but cannot be done (a bad new name)
log = logging.getLogger(NAME)


class StoryServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(NAME, VERSION, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.projects: dict[Path, Project] = {}
        self.roots: dict[Path, Path] = {}  # file -> its story folder
        self.dirty: dict[Path, set[str]] = {}  # project root -> files edited since the last load
        self.timers: dict[Path, asyncio.TimerHandle] = {}
        self.analysing: dict[Path, asyncio.Future] = {}
        self.again: set[Path] = set()  # story folders saved again while their checks ran
        self.budget: int | None = None  # soft-lock search budget on save (None: check's default)
        self.debounce = DEBOUNCE_SECONDS
        self.related = True  # the client shows related locations
        self.edit_range_default = False  # the client takes one edit range for a whole completion list

    # -- projects and files -------------------------------------------------

    def project_for(self, uri: str) -> tuple[Project, Path] | None:
        raw = to_fs_path(uri)
        if raw is None:
            return None
        path = Path(os.path.abspath(raw))
        root = self.roots.get(path)
        if root is None:  # the nearest story.yaml upward (a story inside another is its own)
            root = find_root(path)
            if root is None:
                return None  # not (yet) in a story folder: asked again next time
            self.roots[path] = root
        project = self.projects.get(Path(os.path.abspath(root)))
        if project is None:
            project = Project(root)
            self.projects[project.root] = project
        return project, path

    def uri_of(self, project: Project, display: str) -> str:
        return from_fs_path(str(project.path_of(display))) or display

    def line_of(self, project: Project):
        texts = project.last.texts if project.last is not None else project.texts
        return lambda path, number: line_of(texts, path, number)

    def schedule(self, project: Project, display: str | None) -> None:
        self.dirty.setdefault(project.root, set()).add(display or "")
        timer = self.timers.pop(project.root, None)
        if timer is not None:
            timer.cancel()
        self.timers[project.root] = asyncio.get_running_loop().call_later(self.debounce, self.flush, project)

    def flush(self, project: Project) -> None:
        """Load after the edits waiting (if any) and publish what changed."""
        timer = self.timers.pop(project.root, None)
        if timer is not None:
            timer.cancel()
        dirty = self.dirty.pop(project.root, None)
        if dirty is None and project.last is not None:
            return
        changed = next(iter(dirty)) if dirty and len(dirty) == 1 else None
        refresh = project.refresh(changed or None)
        self.publish(project, refresh.files)

    def publish(self, project: Project, files: set[str]) -> None:
        line = self.line_of(project)
        for display in sorted(files):
            items = [self.to_lsp(project, d, line) for d in project.diagnostics(display)]
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(self.uri_of(project, display), items))

    def to_lsp(self, project: Project, diagnostic: Diagnostic, line) -> lsp.Diagnostic:
        result = convert.to_lsp(diagnostic, project.index, line, lambda d: self.uri_of(project, d))
        if not self.related:
            result.related_information = None
        return result

    def story_wide(self, project: Project) -> None:
        """The checks that need the whole story, after a save: the loader's warnings about names
        nothing uses, and check's analysis (in a thread: the soft-lock search may take a second on
        a big story). Findings in files edited meanwhile are dropped; the next save brings them."""
        previous = self.analysing.get(project.root)
        if previous is not None and not previous.done():
            self.again.add(project.root)  # saved again meanwhile: run once more when this one ends
            return
        overlay, budget = dict(project.overlay), self.budget
        seen: dict[str, str] = {}

        def analyse() -> list[Diagnostic]:
            inspection = loader.inspect(project.root, cache=project.cache, overlay=overlay)
            seen.update(inspection.texts)
            if inspection.story is None:
                if not inspection.built:
                    return []
                errors = sum(1 for d in inspection.diagnostics if d.severity == "error")
                manifest = loader.display_path(project.root / loader.MANIFEST)
                return [*inspection.story_wide, Diagnostic(
                    Pos(manifest, 1, 1), "note", "the story-wide checks (unreachable scenes, soft-locks, ...) "
                    f"wait until the story has no errors ({errors} now)", "analysis-waiting")]
            from ..tools import DEFAULT_BUDGET
            from ..tools.analysis import analyze

            found = analyze(inspection.story, DEFAULT_BUDGET if budget is None else budget)
            return [*inspection.story_wide, *found.diagnostics]

        future = asyncio.get_running_loop().run_in_executor(None, analyse)
        self.analysing[project.root] = future

        def done(task: asyncio.Future) -> None:
            if project.root in self.again:
                self.again.discard(project.root)
                self.flush(project)
                self.story_wide(project)
                return
            if task.cancelled():
                return
            if task.exception() is not None:
                log.error("story-wide checks failed: %s", task.exception())
                return
            current = project.last.texts if project.last is not None else {}
            findings = [d for d in task.result() if current.get(d.pos.path) == seen.get(d.pos.path)]
            self.publish(project, project.story_wide(findings))

        future.add_done_callback(done)

    def fresh(self, uri: str) -> tuple[Project, Path, str] | None:
        """The project of a document, with every waiting edit taken in."""
        found = self.project_for(uri)
        if found is None:
            return None
        project, path = found
        if project.root in self.dirty or project.last is None:
            self.flush(project)
        return project, path, project.display(path)

    def occurrence(self, uri: str, position: lsp.Position) -> tuple[Project, Occurrence] | None:
        found = self.fresh(uri)
        if found is None:
            return None
        project, _, display = found
        line = line_of(project.last.texts if project.last else {}, display, position.line + 1)
        col = convert.chars(line, position.character) + 1
        occurrence = project.index.at(display, position.line + 1, col)
        return (project, occurrence) if occurrence is not None else None


server = StoryServer()


class _ExpectedErrors(logging.Filter):
    """pygls logs every failed request with a traceback; a refused rename is not a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (isinstance(exc, JsonRpcException) and exc.code == REQUEST_FAILED)


# -- lifecycle and text sync --------------------------------------------------


@server.feature(lsp.INITIALIZE)
def initialize(ls: StoryServer, params: lsp.InitializeParams) -> None:
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    if isinstance(options.get("budget"), int) and options["budget"] >= 0:
        ls.budget = options["budget"]
    if isinstance(options.get("debounce"), (int, float)) and 0 <= options["debounce"] <= 5:
        ls.debounce = float(options["debounce"])
    caps = params.capabilities.text_document
    publish = caps.publish_diagnostics if caps else None
    ls.related = bool(publish and publish.related_information)
    listing = caps.completion.completion_list if caps and caps.completion else None
    ls.edit_range_default = bool(listing and listing.item_defaults and "editRange" in listing.item_defaults)


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: StoryServer, params: lsp.DidOpenTextDocumentParams) -> None:
    found = ls.project_for(params.text_document.uri)
    if found is None:
        return
    project, path = found
    project.set_text(path, params.text_document.text)
    if project.last is None:  # the story's first file: load it all now, and check it whole
        ls.dirty.pop(project.root, None)
        ls.flush(project)
        ls.publish(project, {project.display(path)})  # even with no problems: the editor knows it is checked
        ls.story_wide(project)
    elif project.text(project.display(path)) != params.text_document.text:
        ls.schedule(project, project.display(path))


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: StoryServer, params: lsp.DidChangeTextDocumentParams) -> None:
    found = ls.project_for(params.text_document.uri)
    if found is None:
        return
    project, path = found
    document = ls.workspace.get_text_document(params.text_document.uri)
    project.set_text(path, document.source)
    ls.schedule(project, project.display(path))


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
def did_save(ls: StoryServer, params: lsp.DidSaveTextDocumentParams) -> None:
    found = ls.fresh(params.text_document.uri)
    if found is not None:
        ls.story_wide(found[0])


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: StoryServer, params: lsp.DidCloseTextDocumentParams) -> None:
    found = ls.project_for(params.text_document.uri)
    if found is None:
        return
    project, path = found
    project.set_text(path, None)  # the file on disk counts again
    ls.schedule(project, project.display(path))


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_files(ls: StoryServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        found = ls.project_for(change.uri)
        if found is not None and found[0].last is not None:
            ls.schedule(found[0], None)  # a file added, removed or changed outside the editor


# -- language features --------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[".", " ", "{", "-"]))
def complete(ls: StoryServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    found = ls.project_for(params.text_document.uri)
    if found is None:
        return None
    project, path = found
    if project.last is None:
        ls.flush(project)
    document = ls.workspace.get_text_document(params.text_document.uri)
    lines = [line.rstrip("\r\n") for line in document.lines]
    row = params.position.line
    col = convert.chars(lines[row], params.position.character) if row < len(lines) else 0
    found = completion.complete(project.index, lines, row, col, path.name == loader.MANIFEST and
                                path.parent == project.root, _format(project))
    if found.replace is None or not found.items:
        return lsp.CompletionList(is_incomplete=False, items=[])
    if ls.edit_range_default:
        return lsp.CompletionList(is_incomplete=found.incomplete, items=found.items,
                                  item_defaults=lsp.CompletionItemDefaults(edit_range=found.replace))
    return lsp.CompletionList(is_incomplete=found.incomplete, items=completion.with_edits(found))


def _format(project: Project) -> int:
    if project.last is None:
        return 1
    manifest = project.last.data.get(loader.display_path(project.root / loader.MANIFEST))
    info = manifest.get("story") if isinstance(manifest, YMap) else None
    value = info.get("format") if isinstance(info, YMap) else None
    return value if isinstance(value, int) else 1


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def on_hover(ls: StoryServer, params: lsp.HoverParams) -> lsp.Hover | None:
    found = ls.fresh(params.text_document.uri)
    if found is None:
        return None
    project, _, display = found
    line = line_of(project.last.texts, display, params.position.line + 1)
    col = convert.chars(line, params.position.character) + 1
    parts = []
    occurrence = project.index.at(display, params.position.line + 1, col)
    if occurrence is not None:
        parts.append(hover.describe(project.index, occurrence.symbol,
                                    lambda d: project.relative(project.path_of(d)) or d))
    expression = project.index.expression_at(display, params.position.line + 1, col)
    if expression is not None:
        parts.append(hover.meaning(project.index, expression))
    if not parts:
        return None
    text = "\n\n---\n\n".join(parts)
    span = convert.occurrence_range(ls.line_of(project), occurrence) if occurrence is not None else None
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text), span)


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: StoryServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    found = ls.occurrence(params.text_document.uri, params.position)
    if found is None:
        return None
    project, occurrence = found
    target = project.index.definition(occurrence.symbol)
    if target is None:
        return None
    return lsp.Location(ls.uri_of(project, target.path), convert.occurrence_range(ls.line_of(project), target))


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: StoryServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
    found = ls.occurrence(params.text_document.uri, params.position)
    if found is None:
        return None
    project, occurrence = found
    places = list(project.index.references(occurrence.symbol))
    target = project.index.definition(occurrence.symbol)
    if params.context.include_declaration and target is not None:
        places.insert(0, target)
    line = ls.line_of(project)
    return [lsp.Location(ls.uri_of(project, o.path), convert.occurrence_range(line, o)) for o in places]


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: StoryServer, params: lsp.PrepareRenameParams) -> lsp.PrepareRenamePlaceholder | None:
    found = ls.occurrence(params.text_document.uri, params.position)
    if found is None:
        return None
    project, occurrence = found
    line = ls.line_of(project)
    name = occurrence.symbol.name.rpartition(".")[2] if occurrence.symbol.section == "choices" \
        else occurrence.symbol.name
    return lsp.PrepareRenamePlaceholder(convert.occurrence_range(line, occurrence), name)


@server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
def on_rename(ls: StoryServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    found = ls.occurrence(params.text_document.uri, params.position)
    if found is None:
        return None
    project, occurrence = found
    manifest_display = loader.display_path(project.root / loader.MANIFEST)
    data = project.last.data.get(manifest_display)
    manifest = Manifest(manifest_display, project.text(manifest_display), data if isinstance(data, YMap) else None)
    try:
        edits = rename(project.index, occurrence.symbol, params.new_name.strip(), manifest)
    except RenameError as exc:
        raise JsonRpcException(str(exc), REQUEST_FAILED) from None
    line = ls.line_of(project)
    changes: dict[str, list[lsp.TextEdit]] = {}
    for edit in edits:
        changes.setdefault(ls.uri_of(project, edit.path), []).append(_text_edit(edit, line))
    return lsp.WorkspaceEdit(changes=changes)


def _text_edit(edit: Edit, line) -> lsp.TextEdit:
    start = convert.position(line, edit.path, edit.line, edit.col)
    end = convert.position(line, edit.path, edit.end_line, edit.end_col)
    return lsp.TextEdit(lsp.Range(start, end), edit.text)


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: StoryServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol] | None:
    found = ls.fresh(params.text_document.uri)
    if found is None:
        return None
    project, _, display = found
    data = project.last.data.get(display) if project.last is not None else None
    return symbols.document_symbols(data, lines_of(project.last.texts, display), display, ls.line_of(project))


@server.feature(lsp.WORKSPACE_SYMBOL)
def workspace_symbol(ls: StoryServer, params: lsp.WorkspaceSymbolParams) -> list[lsp.WorkspaceSymbol]:
    result: list[lsp.WorkspaceSymbol] = []
    for project in ls.projects.values():
        if project.root in ls.dirty:
            ls.flush(project)
        result.extend(symbols.workspace_symbols(project.index, params.query, ls.line_of(project),
                                                lambda d, p=project: ls.uri_of(p, d)))
    return result


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: StoryServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    found = ls.fresh(params.text_document.uri)
    if found is None:
        return None
    project, _, display = found
    line = ls.line_of(project)
    actions = []
    for diagnostic in project.diagnostics(display):
        fix = convert.suggestion(diagnostic, line)
        if fix is None:
            continue
        shown = convert.diagnostic_range(line, diagnostic)
        if not _overlaps(shown, params.range):
            continue
        actions.append(lsp.CodeAction(
            title=f"Change to '{fix[1]}'", kind=lsp.CodeActionKind.QuickFix, is_preferred=True,
            diagnostics=[d for d in params.context.diagnostics if d.range == shown and d.message == diagnostic.message]
            or None,
            edit=lsp.WorkspaceEdit(changes={params.text_document.uri: [lsp.TextEdit(fix[0], fix[1])]})))
    return actions


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return p.line, p.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format=f"{NAME}: %(levelname)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_ExpectedErrors())
    server.start_io()
    return 0
