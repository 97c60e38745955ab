#!/usr/bin/env python3
"""Play a story in the terminal (story/ by default), or run the writer's tools. See README.md."""

from game.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
