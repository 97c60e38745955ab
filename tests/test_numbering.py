"""Choice numbers stay put for a visit (rules.keep_numbers); logs keep ids, so replays stay exact."""

from __future__ import annotations

import random

import pytest
from support import ROOT

from game import loader, saves
from game.engine import Engine
from game.errors import ChoiceError
from game.rules import Offer, keep_numbers, pick, visit_of
from game.ui.session import Session


def offer(choice_id: str, enabled: bool = True) -> Offer:
    return Offer(0, choice_id, choice_id.title(), enabled)


def numbers(offers: list[Offer]) -> list[tuple[int, str]]:
    return [(o.number, o.id) for o in offers]


def test_a_visit_starts_in_the_writers_order_and_keeps_its_numbers():
    shown, kept = keep_numbers([offer("a"), offer("b"), offer("c")], ("hub", 1), None)
    assert numbers(shown) == [(1, "a"), (2, "b"), (3, "c")]
    # 'a' was taken (once-only) and a new choice appeared in the writer's order before 'c'
    shown, kept = keep_numbers([offer("b"), offer("new"), offer("c")], ("hub", 1), kept)
    assert numbers(shown) == [(2, "b"), (3, "c"), (4, "new")]
    # 'a' comes back (an undo): its old number, not a new one
    shown, kept = keep_numbers([offer("a"), offer("b"), offer("c")], ("hub", 1), kept)
    assert numbers(shown) == [(1, "a"), (2, "b"), (3, "c")]
    # the next visit starts over in the writer's order
    shown, _ = keep_numbers([offer("b"), offer("new"), offer("c")], ("hub", 2), kept)
    assert numbers(shown) == [(1, "b"), (2, "new"), (3, "c")]


def test_picking_a_number_says_which_numbers_there_are():
    shown = [Offer(n, str(n), "x", True) for n in (1, 2, 3, 4, 6)]
    with pytest.raises(ChoiceError, match=r"^there is no choice 5; pick 1 to 4 or 6$"):
        pick(shown, 5)
    with pytest.raises(ChoiceError, match=r"^there is no choice 3; pick 1 or 2$"):
        pick(shown[:2], 3)
    with pytest.raises(ChoiceError, match=r"^there is no choice 2; the only one is 1$"):  # not "pick 1 to 1"
        pick(shown[:1], 2)
    locked = Offer(1, "shop", "Go to the shop.", False, "You need an address first.")
    with pytest.raises(ChoiceError, match=r"^that way is locked: You need an address first\.$"):
        pick([locked], 1)


@pytest.mark.parametrize("story_dir", [ROOT / "tests" / "data" / "sample", ROOT / "story"],
                         ids=["sample", "story"])
def test_random_play_by_number_never_renumbers_within_a_visit_and_replays_exactly(story_dir, tmp_path):
    story = loader.load(story_dir).story
    engine = Engine(story)
    rng = random.Random(17)
    for run in range(12):
        session = Session(story, tmp_path / f"r{run}", seed=run, engine=engine)
        seen: dict[str, int] = {}
        visit = visit_of(session.pt)
        for _ in range(150):
            if session.over:
                break
            offers = session.offers()
            if visit_of(session.pt) != visit:
                visit, seen = visit_of(session.pt), {}
                assert [o.number for o in offers] == list(range(1, len(offers) + 1))  # the writer's order
            top = max(seen.values(), default=0)
            for o in offers:
                if o.id in seen:
                    assert seen[o.id] == o.number, (story.id, session.pt.scene, o.id)
                else:
                    assert o.number > top  # a newcomer goes last
            seen.update({o.id: o.number for o in offers})
            # an open question is answered blank by blank (tests/test_answering.py), not taken by number
            open_ = [o for o in offers if o.enabled and not o.id.startswith("ask:")]
            session.take(rng.choice(open_).number)
        path = session.save("check")
        replayed = saves.replay_doc(saves.read_doc(path), engine, str(path))
        assert replayed.fits and replayed.playthrough.snapshot() == session.pt.snapshot()
