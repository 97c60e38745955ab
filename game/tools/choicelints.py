"""Lints about choices that lie (#16): filled in below."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..story import Story


def choice_lints(story: Story) -> list[Diagnostic]:
    return []
