"""The library entry points the CLI calls (and other Python code may call too)."""

from __future__ import annotations

from dataclasses import dataclass

from casescore import judgements, marking, scoring
from casescore.errors import UsageError, ValidationFailed
from casescore.framework import Framework, load


@dataclass
class Rated:
    framework: Framework
    marking: marking.Marking
    result: scoring.Result


def fail_under_rating(framework: Framework, text: str | None) -> str | None:
    """Check a --fail-under value early, before any file is read."""
    if text is None:
        return None
    rating = framework.parse_rating(text)
    if rating is None or framework.points(rating) is None:
        names = ", ".join(r.name for r in framework.ratings)
        raise UsageError(f"--fail-under '{text}': not a rating; use one of {names}")
    return rating


def check_file(path: str, framework: Framework | None = None) -> marking.Marking:
    """Read and validate a marking; its .problems lists everything wrong with it."""
    return marking.read(path, framework or load())


def rate_file(path: str, framework: Framework | None = None, ratings: list[str] = (),
              partial: bool = False) -> Rated:
    """Read, validate and rate a marking file. Raises ValidationFailed with every blocking problem."""
    framework = framework or load()
    judgements.merge(framework, {}, list(ratings))  # a bad --rating fails before the file is read
    m = marking.read(path, framework)
    blocking = m.blocking(partial)
    if blocking:
        raise ValidationFailed(blocking)
    given = judgements.merge(framework, m.judgements, list(ratings))
    result = scoring.rate(framework, m.answers, m.cases, given, provisional=partial and m.unmarked > 0)
    if result.provisional:
        result.warnings[0] += f": {m.unmarked} answer(s) not yet marked"
    return Rated(framework, m, result)
