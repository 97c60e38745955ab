"""Writer tools: check (lint + analysis), graph, playtest, transcript.

The soft-lock search budgets live here so the command line can show them
without importing the engine.
"""

DEFAULT_BUDGET = 10_000  # states `check` searches for soft-locks by default
DEEP_BUDGET = 1_000_000  # states `check --deep` searches
# Past this many scenes `check` runs the analysis only when asked (--deep, --budget): game.tools.outline
FULL_ANALYSIS_SCENES = 5_000
DEFAULT_MAX_MEMORY = 1024**3  # bytes the proofs may use (`check --max-memory`)
