"""Pass two, the text: paragraphs, inline markup (game.markup) and where its problems are.

A problem inside a text is reported at its own line and column, also in a
multi-line `|` block or in a snippet used from another file: the offset into
the text is walked back over the file's source (see locate).
"""

from __future__ import annotations

from typing import Any

from .. import conditions, markup
from ..diagnostics import Pos
from ..errors import ConditionError
from ..story import Paragraph
from ..yamlsrc import YList, YMap
from .base import LoaderBase, _kind, _says_here
from .fields import PARAGRAPH_FIELDS

ANY_SCENE = "\0any scene"  # a snippet checked on its own: `here` is fine, no scene in particular


class Texts(LoaderBase):
    def text_names(self, meta: dict[str, Any], areas: dict) -> None:
        """What inline text may name: the protagonist, areas (name.ID), snippets."""
        names = {f"name.{area.id}": area.title for area in areas.values()}
        if meta.get("protagonist"):
            names["protagonist"] = meta["protagonist"]
        self.inline_names = names
        snippets = {}
        for ident, decl in self.decls["snippets"].items():
            if isinstance(decl.data, str):
                snippets[ident] = decl.data
            else:
                self.err(decl.pos, f"snippet '{ident}' must be text, not {_kind(decl.data)}", "bad-type")
        self.snippet_sources = snippets
        self.snippet_allowance = [markup.MAX_STORY_EXPANDED]  # shared by every text of this load

    def check_snippets(self) -> None:
        """Each snippet parsed once on its own, so its problems are reported even if unused."""
        for ident, source in self.snippet_sources.items():
            decl = self.decls["snippets"][ident]
            self.inline(source, decl.value_pos or decl.pos, f"snippet '{ident}'", here=ANY_SCENE)

    def inline(self, source: str, pos: Pos, what: str, here: str | None = None,
               lines: bool = False) -> markup.Text:
        """A text parsed: markup in a format 2 story, plain in format 1."""
        if self.format < 2:
            if "{" in source and not self.warned_braces:
                self.warned_braces = True
                self.warn(pos, f"'{{' in {what} is plain text: inline markup ({{stat.x}}, {{clue.x: ...}}) "
                          "is read only in a format 2 story (add 'format: 2' to the story section)",
                          "plain-braces")
            return markup.literal(source, lines)

        def condition(text: str, want: str) -> conditions.Condition:
            if here == ANY_SCENE and _says_here(text):
                # A snippet on its own belongs to no scene: check it as if in the start scene.
                return self.parse_condition(text, self.start_scene, want)
            return self.parse_condition(text, here if here != ANY_SCENE else None, want)

        seen = None
        if self.observer is not None:
            observer, scene = self.observer, here if here != ANY_SCENE else None

            def seen(offset: int, fragment: str) -> None:
                observer.expression(fragment, lambda i: self.locate(pos, source, offset + i), scene)

        names = markup.Names(condition, self.inline_names, self.snippet_sources, self.snippet_allowance, seen,
                             lambda offset: self.locate(pos, source, offset))
        try:
            return markup.parse(source, names, lines)
        except markup.MarkupError as exc:
            if exc.snippet is None:
                self.err(self.locate(pos, source, exc.offset), f"in {what}: {exc.message}", "markup")
            elif here == ANY_SCENE or exc.snippet not in self.broken_snippets:
                # Reported where the snippet is written, once; and where it is used when
                # only that use is wrong (`here` in a text that belongs to no scene).
                decl = self.decls["snippets"][exc.snippet]
                self.err(self.locate(decl.value_pos or decl.pos, self.snippet_sources[exc.snippet], exc.offset),
                         f"in snippet '{exc.snippet}': {exc.message}", "markup")
                if here == ANY_SCENE:
                    self.broken_snippets.add(exc.snippet)
                else:
                    self.err(pos, f"in {what}: snippet '{exc.snippet}' does not fit here: {exc.message}", "markup")
            return markup.literal(source, lines)

    def parse_condition(self, source: str, here: str | None, want: str = conditions.BOOL) -> conditions.Condition:
        key = (source, here if _says_here(source) else None, want)
        parsed = self.parsed.get(key)
        if parsed is None:
            try:
                parsed = conditions.parse(source, self.known_names, self.deducible, here, want, macros=self.macros)
            except ConditionError as exc:
                parsed = exc.with_traceback(None)
            self.parsed[key] = parsed
        if isinstance(parsed, ConditionError):
            raise parsed
        return parsed

    def paragraphs(self, raw: Any, pos: Pos, what: str, key: str = "text",
                   here: str | None = None) -> tuple[Paragraph, ...]:
        if raw is None:
            return ()
        if isinstance(raw, str):
            return (Paragraph((raw,), None, pos, (self.inline(raw, pos, what, here),)),)
        if not isinstance(raw, YList):
            self.err(pos, f"{key} of {what} must be text or a list of paragraphs, not {_kind(raw)}", "bad-type")
            return ()
        result = []
        for index, item in enumerate(raw):
            where = raw.ipos(index)
            if isinstance(item, str):
                result.append(Paragraph((item,), None, where, (self.inline(item, where, what, here),)))
                continue
            if not self.fields(item, where, PARAGRAPH_FIELDS, f"a paragraph of {what}"):
                continue
            condition = self.condition(item["if"], item.vpos("if"), here) if "if" in item else None
            kinds = [k for k in ("text", "one_of", "lines") if k in item]
            if len(kinds) != 1:
                self.err(where, f"a paragraph of {what} needs exactly one of 'text', 'lines' or 'one_of'",
                         "bad-value")
                continue
            if kinds[0] in ("text", "lines"):
                value = self.text(item, kinds[0], what)
                vpos = item.vpos(kinds[0])
                texts = (self.inline(value, vpos, what, here, lines=kinds[0] == "lines"),)
                variants = (value,)
            else:
                options = item["one_of"]
                if not isinstance(options, YList) or not options or not all(isinstance(o, str) for o in options):
                    self.err(item.vpos("one_of"), "'one_of' must be a list of text", "bad-type")
                    continue
                variants = tuple(options)
                texts = tuple(self.inline(o, options.ipos(i), what, here) for i, o in enumerate(options))
            result.append(Paragraph(variants, condition, where, texts))
        return tuple(result)


__all__ = ["Texts", "YMap"]
