"""Paths and small helpers shared by the tests (importable from any test folder)."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
SAMPLE = TESTS / "data" / "sample"


def sample_with_teaser(tmp_path):
    """The sample story, its 'Cat Found' ending given a teaser for the gallery."""
    root = tmp_path / "story"
    shutil.copytree(SAMPLE, root)
    manifest = root / "story.yaml"
    found = "  found: {title: Cat Found, text: The cat comes home., kind: canonical}"
    text = manifest.read_text()
    assert found in text
    manifest.write_text(text.replace(found, found[:-1] + ", teaser: Somebody in this city sells cat food.}"))
    return root


def without_sat(monkeypatch) -> None:
    """check as on a machine without python-sat: the escape proof's ranking argument alone
    (the attractor's holes need the solver, so it is not tried)."""
    from game.tools import satcheck

    monkeypatch.setattr(satcheck, "Solver", None)


def every_path(monkeypatch, ranking: bool = True) -> None:
    """check's escape proof with the attractor given its turn, as --deep gives it (ranking
    False: the attractor alone, without the ranking argument)."""
    from game.tools import escape

    def prove(analyzer, poss, effort=escape.DEFAULT_EFFORT, max_memory=None, seconds=escape.DEFAULT_SECONDS):
        return escape.Escaper(analyzer, poss, effort, max_memory, 60.0, every_path=True, ranking=ranking).run()
    monkeypatch.setattr(escape, "prove", prove)
