"""Pass two, the facts (#16): what the text may take for granted, and from when.

    facts:
      folder_on_desk:
        name: The folder is on the desk
        mentions: ["folder sits on the blotter"]   # phrases that assume it
        known: not flag.gave_folder                 # when it holds (default: always)
        text: A note for writers.

A fact is shaped like a person, place or thing (game.loader.entities) but is
never a candidate for a question's blank; `known.ID` reads its condition, and
the continuity check (game.tools.continuity) reports every text that mentions
it where the condition may not hold: a person named before the player met
them, a folder on a desk after it was handed over.
"""

from __future__ import annotations

from ..story import Entity
from .base import _Decl
from .entities import Entities
from .fields import FACT_FIELDS


class Facts(Entities):
    def build_fact(self, decl: _Decl) -> Entity | None:
        what = f"fact '{decl.id}'"
        data = decl.data
        if isinstance(data, str):  # `whizzer_dead: Whizzer is dead` (a name only: no mentions)
            return Entity(decl.id, "facts", data, pos=decl.pos)
        if not self.fields(data, decl.pos, FACT_FIELDS, what, required=("name",)):
            return None
        name = self.text(data, "name", what, decl.id)
        mentions = self.phrases(data, "mentions", what, [], empty_ok=True)
        known = self.condition(data["known"], data.vpos("known")) if "known" in data else None
        return Entity(decl.id, "facts", name, (), known, self.text(data, "text", what), decl.pos, tuple(mentions))
