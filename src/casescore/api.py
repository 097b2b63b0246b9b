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


def check_file(path: str, framework: Framework | None = None, progress=None) -> marking.Marking:
    """Read and validate a marking; its .problems lists everything wrong with it."""
    return marking.read(path, framework or load(), progress)


def groupings(m: marking.Marking, attributes: list[str]) -> tuple[scoring.Grouping, ...]:
    """--by attributes -> groupings of the marking's cases; an unknown attribute is a usage error."""
    for name in attributes:
        if name not in m.attributes:
            known = ", ".join(f"'{a}'" for a in m.attributes) or "none"
            raise UsageError(f"--by '{name}': no such attribute column in {m.source} (it has {known})")
    return tuple(scoring.Grouping.of(name, m.attributes[name]) for name in attributes)


def read_valid(path: str, framework: Framework, partial: bool = False, progress=None) -> marking.Marking:
    """Read a marking; raise ValidationFailed with every blocking problem."""
    m = marking.read(path, framework, progress)
    blocking = m.blocking(partial)
    if blocking:
        raise ValidationFailed(blocking)
    return m


def rate_file(path: str, framework: Framework | None = None, ratings: list[str] = (),
              partial: bool = False, by: list[str] = (), confidence: float = 0.95, min_n: int = 10,
              progress=None) -> Rated:
    """Read, validate and rate a marking file. Raises ValidationFailed with every blocking problem.

    progress(done, total), if given, is called as a large workbook is read."""
    framework = framework or load()
    judgements.merge(framework, {}, list(ratings))  # a bad --rating fails before the file is read
    m = read_valid(path, framework, partial, progress)
    given = judgements.merge(framework, m.judgements, list(ratings))
    options = scoring.Options(provisional=partial and m.unmarked > 0, by=groupings(m, list(by)),
                              confidence=confidence, min_n=min_n)
    return Rated(framework, m, scoring.rate(framework, m.answers, m.cases, given, options))
