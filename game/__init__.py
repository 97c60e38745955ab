"""A YAML story engine for interactive fiction in the terminal, and the writer's tools around it."""

__version__ = "0.1.0"
