"""Exit codes and the exceptions that carry them: defined once, mapped once (in the CLI)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INVALID_INPUT = 1  # the marking failed validation
    USAGE = 2  # bad options or arguments
    UNREADABLE = 3  # the input could not be read, or is not a marking at all
    FRAMEWORK_INVALID = 4  # a framework file is invalid
    FAIL_UNDER = 5  # --fail-under was not met
    INTERNAL = 70  # a bug in casescore


class CasescoreError(Exception):
    """An expected failure: its message is one line fit to show the user."""

    exit_code = ExitCode.INTERNAL


class UsageError(CasescoreError):
    exit_code = ExitCode.USAGE


class BadValue(UsageError):
    """A value the core was given to apply (a judgement rating, a rating floor, an attribute to break
    down by) is not one it can use. `about` says which kind of value, so the command line can name
    the option it came from; the message itself speaks only of the data."""

    def __init__(self, about: str, message: str):
        self.about = about
        super().__init__(message)


class OutputExists(UsageError):
    """The output file exists and may not be replaced without being told to."""


class UnreadableInput(CasescoreError):
    exit_code = ExitCode.UNREADABLE


class FrameworkInvalid(CasescoreError):
    exit_code = ExitCode.FRAMEWORK_INVALID


class ValidationFailed(CasescoreError):
    """The marking has problems; `problems` lists every one (see marking.Problem)."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, problems):
        self.problems = list(problems)
        first = self.problems[0]
        more = len(self.problems) - 1
        tail = f" (+{more} more problem{'s' if more > 1 else ''}; run 'casescore check' to list them)" if more else ""
        super().__init__(f"{first}{tail}")
