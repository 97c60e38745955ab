"""AKA: Alias Investigations: a YAML story engine and a noir case to play in it."""

__version__ = "0.1.0"
