"""Pass two, the entities: the people, places and things questions are answered with.

    people:
      singer:
        name: The singer                  # shown
        words: [singer, the woman on stage]   # how the prose refers to her (default: the name)
        known: visited.street.bar         # when the player knows of her (default: always)
        text: A line for the case board.

`known.ID` in any condition stands for the entity's `known` condition.
"""

from __future__ import annotations

from ..conditions import BOOL, Lit
from ..story import Entity
from ..yamlsrc import YList
from .base import LoaderBase, _Decl, _kind
from .fields import ENTITY_FIELDS


class Entities(LoaderBase):
    def build_entity(self, kind: str, decl: _Decl) -> Entity | None:
        noun = {"people": "person", "places": "place", "things": "thing"}[kind]
        what = f"{noun} '{decl.id}'"
        data = decl.data
        if isinstance(data, str):  # `bar: The bar on the corner`
            return Entity(decl.id, kind, data, (data,), pos=decl.pos)
        if not self.fields(data, decl.pos, ENTITY_FIELDS, what, required=("name",)):
            return None
        name = self.text(data, "name", what, decl.id)
        words = data.get("words", [name])
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, YList | list) or not words or not all(isinstance(w, str) and w.strip()
                                                                       for w in words):
            self.err(data.vpos("words"), f"'words' of {what} must be a list of phrases, not {_kind(words)}",
                     "bad-type")
            words = [name]
        known = self.condition(data["known"], data.vpos("known")) if "known" in data else None
        return Entity(decl.id, kind, name, tuple(words), known, self.text(data, "text", what), decl.pos)

    def entity_macros(self, entities: dict[str, Entity]) -> None:
        """Make `known.ID` mean each entity's known condition from here on."""
        self.macros["known"] = {e.id: (e.known.tree if e.known is not None else Lit(True, BOOL, 0))
                                for e in entities.values()}
