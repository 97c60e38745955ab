"""Data-driven: each folder under tests/data/bad is a broken story, and its
expected.txt lists exactly the diagnostics (file:line:col) it must produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from game import loader

CASES = Path(__file__).parent / "data" / "bad"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_broken_story_reports_exact_diagnostics(case, monkeypatch):
    folder = CASES / case
    monkeypatch.chdir(folder)  # diagnostics name files relative to where the writer stands
    story, diagnostics = loader.check(Path("."))
    assert story is None, "a broken story must not load"
    got = [str(d) for d in diagnostics]
    expected = (folder / "expected.txt").read_text().splitlines()
    assert got == expected


def test_python_tag_constructs_nothing(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    (tmp_path / "story.yaml").write_text(
        "story: {id: t, title: T, start: a.one}\n"
        f"x: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    loader.check(tmp_path)
    assert not marker.exists()
