"""A stat with `if:` is listed (status page, toolbar) only while its condition holds."""

from __future__ import annotations

import shutil

from support import SAMPLE

from game import loader
from game.ui import toolbar
from game.ui.render import status_lines, step_lines
from game.ui.session import Session

TRUST = "trust: {label: Trust, min: -3, max: 3, start: 0, shown: true, kind: relationship}"


def sample_with(tmp_path, trust_line):
    root = tmp_path / "story"
    shutil.copytree(SAMPLE, root)
    manifest = root / "story.yaml"
    text = manifest.read_text()
    assert TRUST in text
    manifest.write_text(text.replace(TRUST, trust_line))
    return root


def listed(session):
    status = " ".join(text for _, text in status_lines(session.story, session.pt))
    bar = " ".join(text for row in toolbar.rows(session, 80) for _, text in row)
    return "Trust" in status, "Trust" in bar


def test_a_stat_appears_once_its_condition_holds_and_counts_all_along(tmp_path):
    root = sample_with(tmp_path, TRUST.replace("}", ", if: visited.street.corner}"))
    session = Session(loader.load(root).story, tmp_path / "saves", seed=1)
    assert listed(session) == (False, False)
    session.take(3)  # out to the corner
    assert listed(session) == (True, True)
    assert session.pt.stats["trust"] == 0


def test_a_stat_without_if_is_always_listed(tmp_path):
    session = Session(loader.load(sample_with(tmp_path, TRUST)).story, tmp_path / "saves", seed=1)
    assert listed(session) == (True, True)


def test_a_bad_listing_condition_is_reported_at_its_column(tmp_path):
    root = sample_with(tmp_path, TRUST.replace("}", ", if: visited.street.corenr}"))
    line_no, line = next((n, text) for n, text in enumerate((root / "story.yaml").read_text().splitlines(), 1)
                         if "corenr" in text)
    column = line.index("street.corenr") + 1  # the unknown scene, 1-based
    _, diagnostics = loader.check(root)
    assert [str(d) for d in diagnostics] == [
        f"{root / 'story.yaml'}:{line_no}:{column}: error: condition: unknown visited 'street.corenr'"
        " (did you mean 'street.corner'?)"]


def notices(session, step):
    return [text for style, text in step_lines(session.story, step, session.pt) if style == "class:notice"]


def test_an_unlisted_stat_changes_silently_and_is_noticed_once_listed(tmp_path):
    root = sample_with(tmp_path, TRUST.replace("}", ", if: flag.paid_informant}"))
    session = Session(loader.load(root).story, tmp_path / "saves", seed=1)
    session.take_id("out")
    shove = session.take_id("shove")  # trust -1, not listed yet
    assert session.pt.stats["trust"] == -1
    assert not any(n.startswith("Trust") for n in notices(session, shove))
    session.take_id("pay")  # the flag lists trust from now on
    assert "Trust down 1 (now -2)." in notices(session, session.take_id("shove"))
