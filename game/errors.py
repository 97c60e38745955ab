"""One error family for everything a user can cause.

Content problems (a broken story, a bad save) are kept apart from flow
control (the game ending), as in Tale's errors module: the CLI turns any
GameError into a one-line message and an exit code, never a traceback.
"""

from __future__ import annotations


class GameError(Exception):
    """Base of every error the user may see; str(error) is the one-line message."""

    exit_code = 1


class UsageError(GameError):
    """The command line or an in-game command was used wrongly."""

    exit_code = 2


class StoryError(GameError):
    """The story folder could not be loaded; carries every diagnostic found."""

    def __init__(self, diagnostics):
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first}{more}" if first else "the story could not be loaded")


class ConditionError(GameError):
    """A condition could not be parsed or names something unknown."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.message = message
        self.column = column  # 0-based offset into the condition text


class ChoiceError(GameError):
    """A choice was asked for that is not on offer now (unknown, locked, game over)."""


class SaveError(GameError):
    """A save file could not be read, written, or does not fit the story."""


class TranscriptMismatch(GameError):
    """A replay's transcript differs from the one it was compared with (a regression)."""


class ReplayError(SaveError):
    """A choice log stops fitting the story at a known turn."""

    def __init__(self, turn: int, scene: str, choice: str, reason: str):
        self.turn = turn
        self.scene = scene
        self.choice = choice
        self.reason = reason
        super().__init__(f"turn {turn}: in scene '{scene}', choice '{choice}': {reason}")
