"""Properties over random play: whatever the player does, a save loads back
to the same state, and rewinding to turn k is the same as having stopped there."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import saves
from game.ui.session import Session

PICKS = st.lists(st.integers(min_value=0, max_value=10), max_size=25)


def _play(session: Session, picks: list[int]) -> None:
    for pick in picks:
        offers = [offer for offer in session.offers() if offer.enabled]
        if not offers:
            break
        session.take(offers[pick % len(offers)].number)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=PICKS, seed=st.integers(min_value=0, max_value=2**31 - 1), data=st.data())
def test_a_save_loads_back_to_the_same_state_and_rewind_matches_a_shorter_game(
        tmp_path_factory, sample_story, picks, seed, data) -> None:
    folder = tmp_path_factory.mktemp("saves")
    session = Session(sample_story, folder, seed=seed)
    _play(session, picks)
    session.save("prop")
    state = session.pt.snapshot()
    again = Session(sample_story, folder)
    loaded = again.load("prop")
    assert loaded.fits and again.pt.snapshot() == state and again.text() == session.text()
    assert saves.read_doc(folder / "prop.json")["snapshot"] == state
    turn = data.draw(st.integers(min_value=0, max_value=len(session.pt.log)))
    if turn < len(session.pt.log):
        log = list(session.pt.log)
        session.rewind(turn)
        fresh = Session(sample_story, folder, seed=seed)
        for entry in log[:turn]:
            fresh.take_id(entry.choice)
        assert session.pt.snapshot() == fresh.pt.snapshot()
