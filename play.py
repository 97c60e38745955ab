#!/usr/bin/env python3
"""Play AKA: Alias Investigations, or run its writer tools. See README.md."""

from game.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
