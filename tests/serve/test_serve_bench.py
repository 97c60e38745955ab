"""The load bench runs end to end (correctness only: its timing goals live in
bench/serve_load.py and docs/PERFORMANCE.md, never in a test)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sshkit import ROOT, SAMPLE

pytestmark = pytest.mark.slow


def test_the_serve_load_bench_plays_every_choice_and_reports_each_figure():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "serve_load.py"), "--players", "2",
                             "--choices", "3", "--think", "0.05,0.1", "--story", str(SAMPLE), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (level,) = json.loads(result.stdout)["levels"]
    assert level["players"] == 2 and level["failures"] == []
    # a number and Enter for each choice of each player (and a number that chose Quit, if one did)
    assert level["keystrokes"] >= 2 * 3 * 2
    assert 0 < level["p50_ms"] <= level["p99_ms"] <= level["max_ms"]
    assert level["rss_peak_mb"] >= level["rss_before_mb"] > 0 and level["cpu_percent"] > 0
