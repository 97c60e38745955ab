"""Paths shared by the tests (importable from any test folder)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
SAMPLE = TESTS / "data" / "sample"
