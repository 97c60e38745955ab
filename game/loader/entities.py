"""Pass two, the entities: the people, places and things questions are answered with.

    people:
      singer:
        name: The singer                  # shown
        words: [singer, the woman on stage]   # what the player may type for her (default: the name)
        mentions: [Lena, the singer]      # how the prose names her, for the continuity check (default: the name)
        known: visited.street.bar         # when the player knows of her (default: always)
        text: A line for the case board.

`known.ID` in any condition stands for the entity's `known` condition.
Facts (game.loader.facts) share the name space and the `mentions` field.
"""

from __future__ import annotations

from ..conditions import BOOL, Lit
from ..story import Entity
from ..yamlsrc import YList, YMap
from .base import LoaderBase, _Decl, _kind
from .fields import ENTITY_FIELDS


class Entities(LoaderBase):
    def build_entity(self, kind: str, decl: _Decl) -> Entity | None:
        noun = {"people": "person", "places": "place", "things": "thing"}[kind]
        what = f"{noun} '{decl.id}'"
        data = decl.data
        if isinstance(data, str):  # `bar: The bar on the corner`
            return Entity(decl.id, kind, data, (data,), pos=decl.pos, mentions=(data,))
        if not self.fields(data, decl.pos, ENTITY_FIELDS, what, required=("name",)):
            return None
        name = self.text(data, "name", what, decl.id)
        words = self.phrases(data, "words", what, [name])
        mentions = self.phrases(data, "mentions", what, [name], empty_ok=True)
        known = self.condition(data["known"], data.vpos("known")) if "known" in data else None
        return Entity(decl.id, kind, name, tuple(words), known, self.text(data, "text", what), decl.pos,
                      tuple(mentions))

    def phrases(self, data: YMap, key: str, what: str, default: list[str], empty_ok: bool = False) -> list[str]:
        """A list of phrases (`words`, `mentions`); one phrase may be written alone."""
        value = data.get(key, default)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, YList | list) or not (value or empty_ok) or not all(
                isinstance(w, str) and w.strip() for w in value):
            self.err(data.vpos(key), f"'{key}' of {what} must be a list of phrases, not {_kind(value)}",
                     "bad-type")
            return default
        return list(value)

    def entity_macros(self, entities: dict[str, Entity]) -> None:
        """Make `known.ID` mean each entity's (or fact's) known condition from here on."""
        self.macros["known"].update({e.id: (e.known.tree if e.known is not None else Lit(True, BOOL, 0))
                                     for e in entities.values()})
