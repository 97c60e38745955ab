"""The benchmark tools work: synthetic stories pass check, and the suite runs end to end.

Correctness only: timing goals live in bench/run.py, never in unit tests.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from game.tools.check import run_check

ROOT = Path(__file__).resolve().parent.parent
SYNTH = ROOT / "bench" / "synth.py"
RUN = ROOT / "bench" / "run.py"


def synth(count: int, outdir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SYNTH), str(count), str(outdir), *extra],
                          capture_output=True, text=True, timeout=60)


def files_of(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.yaml"))}


def test_synthetic_story_passes_check_cleanly(tmp_path):
    story = tmp_path / "story"
    assert synth(60, story).returncode == 0
    result = run_check(story)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.warnings == []
    assert result.story is not None
    assert len(result.story.scenes) == 60
    assert len(result.story.areas) >= 2
    assert result.story.deductions and result.story.endings
    assert any(scene.case_board for scene in result.story.scenes.values())
    assert any(c.condition is not None for s in result.story.scenes.values() for c in s.choices)


def test_synthetic_story_is_deterministic_and_seeded(tmp_path):
    assert synth(40, tmp_path / "a").returncode == 0
    assert synth(40, tmp_path / "b").returncode == 0
    assert synth(40, tmp_path / "c", "--seed", "5").returncode == 0
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    assert files_of(tmp_path / "a") != files_of(tmp_path / "c")


def test_synth_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = synth(20, tmp_path)
    assert result.returncode != 0
    assert "not empty" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_synth_rejects_a_story_too_small_to_shape(tmp_path):
    result = synth(3, tmp_path / "s")
    assert result.returncode == 2
    assert "at least" in result.stderr


@pytest.mark.slow
def test_bench_runs_end_to_end_on_tiny_sizes():
    result = subprocess.run([sys.executable, str(RUN), "--quick", "--json", "--sizes", "24,48"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    doc = json.loads(result.stdout)
    keys = {f["key"] for f in doc["figures"]}
    for key in ("check_s.48", "check_ratio.48", "startup_s", "import_ms", "step_us.real", "step_us.48",
                "playtest_choices_per_s", "save_ms.real", "replay_s.real", "rss_mb.48", "growth.check_s"):
        assert key in keys, key
    for figure in doc["figures"]:
        assert figure["value"] is None or math.isfinite(figure["value"]), figure
        assert figure["ok"] in (True, False, None)
    assert doc["sizes"] == [24, 48]


@pytest.mark.slow
def test_the_language_server_bench_runs_end_to_end():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "lsp.py"), "--quick", "--json", "--synth-size", "24"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    doc = json.loads(result.stdout)
    keys = {f["key"] for f in doc["figures"]}
    assert {"start", "edit_story", "edit_synth24", "edit_full_synth24", "complete_goto_story",
            "complete_clue_story"} <= keys
    for figure in doc["figures"]:
        assert math.isfinite(figure["ms"]) and figure["ms"] > 0, figure
