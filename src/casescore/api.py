"""The library entry points the CLI calls (and other Python code may call too)."""

from __future__ import annotations

from dataclasses import dataclass

from casescore import judgements, marking, scoring
from casescore.errors import BadValue, ValidationFailed
from casescore.framework import Framework, load


@dataclass
class Rated:
    framework: Framework
    marking: marking.Marking
    result: scoring.Result


def fail_under_rating(framework: Framework, text: str | None) -> str | None:
    """A rating floor (the lowest acceptable rating), checked before any file is read."""
    if text is None:
        return None
    rating = framework.parse_rating(text)
    if rating is None or framework.points(rating) is None:
        names = ", ".join(r.name for r in framework.ratings)
        raise BadValue("rating floor", f"'{text}': not a rating; use one of {names}")
    return rating


@dataclass(frozen=True)
class Source:
    """Where the cases are: the file, and (when the file does not make it plain) the sheet and id column."""

    path: str
    sheet: str | None = None
    id_column: str | None = None


def _source(src: "Source | str") -> Source:
    return src if isinstance(src, Source) else Source(src)


def check_file(src: "Source | str", framework: Framework | None = None, progress=None) -> marking.Marking:
    """Read and validate a marking; its .problems lists everything wrong with it."""
    src = _source(src)
    return marking.read(src.path, framework or load(), src.sheet, src.id_column, progress)


def attribute_name(m: marking.Marking, name: str) -> str:
    """The marking's attribute column a name means: exactly, else ignoring case and spacing."""
    if name in m.attributes:
        return name
    key = " ".join(name.split()).casefold()
    matches = [a for a in m.attributes if " ".join(a.split()).casefold() == key]
    if len(matches) == 1:
        return matches[0]
    import difflib

    known = ", ".join(f"'{a}'" for a in m.attributes) or "none"
    near = difflib.get_close_matches(key, [a.casefold() for a in m.attributes], n=1, cutoff=0.6)
    hint = next((f"did you mean '{a}'? " for a in m.attributes if near and a.casefold() == near[0]), "")
    raise BadValue("attribute", f"'{name}': no such attribute column in {m.source} ({hint}it has {known})")


def groupings(m: marking.Marking, attributes: list[str]) -> tuple[scoring.Grouping, ...]:
    """Attribute names -> groupings of the marking's cases; an unknown attribute is a usage error."""
    names = [attribute_name(m, a) for a in attributes]
    return tuple(scoring.Grouping.of(name, m.attributes[name]) for name in names)


def read_valid(src: "Source | str", framework: Framework, partial: bool = False, progress=None) -> marking.Marking:
    """Read a marking; raise ValidationFailed with every blocking problem.

    A partial marking's cases with nothing marked are left out (and counted in its report)."""
    m = check_file(src, framework, progress)
    blocking = m.blocking(partial)
    if blocking:
        raise ValidationFailed(blocking)
    if partial:
        m = m.marked_only()
        if not m.cases:
            raise ValidationFailed([marking.Problem(m.source, "no marked cases: every case has nothing marked",
                                                    "no-marked-cases")])
    return m


def rate_file(path: "Source | str", framework: Framework | None = None, ratings: list[str] = (),
              partial: bool = False, by: list[str] = (), confidence: float = 0.95, min_n: int = 10,
              progress=None) -> Rated:
    """Read, validate and rate a marking file. Raises ValidationFailed with every blocking problem.

    progress(done, total), if given, is called as a large workbook is read."""
    framework = framework or load()
    judgements.merge(framework, {}, list(ratings))  # a bad --rating fails before the file is read
    m = read_valid(path, framework, partial, progress)
    given = judgements.merge(framework, m.judgements, list(ratings))
    not_marked = m.report.not_marked_cases if m.report else 0
    options = scoring.Options(provisional=partial and m.unmarked > 0, by=groupings(m, list(by)),
                              confidence=confidence, min_n=min_n, not_marked_cases=not_marked)
    return Rated(framework, m, scoring.rate(framework, m.answers, m.cases, given, options))


# Imported here rather than at the top so that the agree and progress entry points stay one appended block.
from casescore import agreement  # noqa: E402
from casescore import progress as marking_progress  # noqa: E402


@dataclass
class Agreed:
    agreement: agreement.Agreement
    markings: list[marking.Marking]


def agree_files(sources: list[Source | str], framework: Framework | None = None, ratings: list[str] | None = None,
                options: agreement.Options | None = None, progress=None) -> Agreed:
    """Read two or more markings of the same cases (one per marker) and measure their agreement.

    Unmarked answers are allowed (they are left out of the comparison), and cases with nothing marked
    are left out; any other problem raises ValidationFailed. Judgement ratings are the same for every
    marker (the files' Ratings sheets, first file first, then `ratings`), so that ratings can differ
    only through the case marking. progress(done, total), if given, is called as each file is read."""
    from casescore.errors import UsageError

    framework = framework or load()
    ratings = list(ratings or [])
    judgements.merge(framework, {}, ratings)  # a bad rating fails before any file is read
    srcs = [_source(s) for s in sources]
    if len(srcs) < 2:
        raise UsageError("agreement needs two or more markings of the same cases")
    paths = [s.path for s in srcs]
    repeated = sorted({p for p in paths if paths.count(p) > 1})
    if repeated:
        raise UsageError(f"the same marking is given more than once: {', '.join(repeated)}")
    markings = [read_valid(s, framework, partial=True, progress=progress) for s in srcs]
    names = agreement.marker_names([m.source for m in markings])
    shared, warnings = agreement.shared_judgements([m.judgements for m in markings], names)
    given = judgements.merge(framework, shared, ratings)
    result = agreement.compare(framework, markings, names, given, options or agreement.Options())
    result.warnings[:0] = warnings
    return Agreed(result, markings)


def progress_file(src: Source | str, framework: Framework | None = None, by: list[str] | None = None,
                  ratings: list[str] | None = None, progress=None) -> marking_progress.Progress:
    """How far a marking has got: cases and answers marked, per standard, key question and group, and
    the rating if it were rated now. Blank answers are expected; other problems only stop the rating."""
    framework = framework or load()
    ratings = list(ratings or [])
    judgements.merge(framework, {}, ratings)  # a bad rating fails before the file is read
    m = check_file(src, framework, progress)
    given = judgements.merge(framework, m.judgements, ratings)
    return marking_progress.measure(framework, m, groupings(m, list(by or [])), given)


@dataclass
class Part:
    """The cases with one value of an attribute column (e.g. one practitioner's), rated alone."""

    attribute: str
    value: str
    cases: list[int]  # their positions in the marking
    result: scoring.Result


def rate_each(rated: Rated, attribute: str) -> list[Part]:
    """Each value of an attribute column with its cases, rated as a file holding only those cases would be
    (the same judgement ratings, confidence and small-number threshold); cases with the attribute blank
    form the value '(blank)'. For pages that show one person or team their own cases only."""
    from casescore import answers

    grouping = groupings(rated.marking, [attribute])[0]
    given = {s.standard.id: s.rating for s in rated.result.standards if s.standard.method == "judgement" and s.rating}
    parts = []
    for i, value in enumerate(grouping.labels):
        mask = grouping.index == i
        blanks = any(bool((codes[mask] == answers.BLANK).any()) for codes in rated.marking.answers.values())
        options = scoring.Options(provisional=rated.result.provisional and blanks, mask=mask,
                                  confidence=rated.result.confidence, min_n=rated.result.min_n)
        result = scoring.rate(rated.framework, rated.marking.answers, rated.marking.cases, given, options)
        parts.append(Part(grouping.attribute, value, [int(k) for k in mask.nonzero()[0]], result))
    return parts
