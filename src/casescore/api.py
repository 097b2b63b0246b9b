"""The library entry points the CLI calls (and other Python code may call too)."""

from __future__ import annotations

import datetime as _dt
import secrets as _secrets
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING

from casescore import errors as _errors
from casescore import judgements, marking, scoring
from casescore.errors import BadValue, ValidationFailed
from casescore.framework import Framework, load

if TYPE_CHECKING:  # loaded by the functions that use them, so that `rate` does not pay for them
    from casescore import agreement
    from casescore import caseload as _caseload
    from casescore import progress as marking_progress
    from casescore import sampling as _sampling


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


def _source(src: Source | str) -> Source:
    return src if isinstance(src, Source) else Source(src)


def check_file(src: Source | str, framework: Framework | None = None, progress=None) -> marking.Marking:
    """Read and validate a marking; its .problems lists everything wrong with it."""
    src = _source(src)
    return marking.read(src.path, framework, src.sheet, src.id_column, progress)


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


def read_valid(src: Source | str, framework: Framework | None, partial: bool = False,
               progress=None) -> marking.Marking:
    """Read a marking; raise ValidationFailed with every blocking problem.

    A partial marking's cases with nothing marked are left out (and counted in its report)."""
    return _valid(check_file(src, framework, progress), partial)


def _valid(m: marking.Marking, partial: bool) -> marking.Marking:
    blocking = m.blocking(partial)
    if blocking:
        raise ValidationFailed(blocking)
    if partial:
        m = m.marked_only()
        if not m.cases:
            raise ValidationFailed([marking.Problem(marking.Location(m.source), "no marked cases: every case has "
                                                    "nothing marked", marking.Kind.NO_MARKED_CASES)])
    return m


def one_framework(markings: list[marking.Marking]) -> Framework:
    """The framework every marking was read with; markings of different frameworks cannot be set side by side."""
    labels = {m.framework.label if m.framework else "" for m in markings}
    if len(labels) > 1:
        each = ", ".join(f"{m.source}: {m.framework.label if m.framework else '?'}" for m in markings)
        raise BadValue("pool", f"the files are marked against different frameworks ({each}); the same ids mean "
                               "different questions in them, so they cannot be set side by side")
    return markings[0].framework or load()


def check_files(sources: Sequence[Source | str], framework: Framework | None = None, ids_per_file: bool = False,
                progress=None) -> marking.Marking:
    """Read one marking, or several pooled into one (see pooling); its .problems lists everything wrong."""
    if len(sources) == 1:
        return check_file(sources[0], framework, progress)
    from casescore import pooling

    parts = [check_file(s, framework, progress) for s in sources]
    one_framework(parts)
    return pooling.pool(parts, ids_per_file)


def rate_file(path: Source | str | list[Source | str], framework: Framework | None = None,
              ratings: Sequence[str] = (), partial: bool = False, by: Sequence[str] = (), confidence: float = 0.95,
              min_n: int = 10, progress=None, ids_per_file: bool = False) -> Rated:
    """Read, validate and rate a marking file, or several pooled (judgement ratings then only from
    `ratings`). Raises ValidationFailed with every blocking problem.

    progress(done, total), if given, is called as a large workbook is read."""
    judgements.merge(framework or load(), {}, list(ratings))  # a bad rating fails before the file is read
    sources = path if isinstance(path, list) else [path]
    m = _valid(check_files(sources, framework, ids_per_file, progress), partial)
    framework = m.framework or load()  # the one given, or the one the file records
    given = judgements.merge(framework, m.judgements, list(ratings))
    not_marked = m.report.not_marked_cases if m.report else 0
    options = scoring.Options(provisional=partial and m.unmarked > 0, by=groupings(m, list(by)),
                              confidence=confidence, min_n=min_n, not_marked_cases=not_marked)
    return Rated(framework, m, scoring.rate(framework, m.answers, m.cases, given, options))




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
    from casescore import agreement
    from casescore.errors import UsageError

    ratings = list(ratings or [])
    judgements.merge(framework or load(), {}, ratings)  # a bad rating fails before any file is read
    srcs = [_source(s) for s in sources]
    if len(srcs) < 2:
        raise UsageError("agreement needs two or more markings of the same cases")
    paths = [s.path for s in srcs]
    repeated = sorted({p for p in paths if paths.count(p) > 1})
    if repeated:
        raise UsageError(f"the same marking is given more than once: {', '.join(repeated)}")
    markings = [read_valid(s, framework, partial=True, progress=progress) for s in srcs]
    framework = one_framework(markings)
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
    from casescore import progress as marking_progress

    ratings = list(ratings or [])
    judgements.merge(framework or load(), {}, ratings)  # a bad rating fails before the file is read
    m = check_file(src, framework, progress)
    framework = m.framework or load()  # the one given, or the one the file records
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


# --- casescore sample ----------------------------------------------------------------------
# Appended as one section (its imports with it) so that it stays apart from the rating code above.


ALL_CASES = "all cases"  # the one stratum when no stratification is asked for


@dataclass(frozen=True)
class SampleSpec:
    """What to draw. Column names are as in the caseload's header row (case and spacing ignored)."""

    size: int | None = None  # or confidence and margin
    confidence: float | None = None  # 0.8 or 80: 80%
    margin: float | None = None  # 0.1 or 10: ten percentage points
    seed: str | None = None  # None: one is generated (and reported)
    stratify: tuple[str, ...] = ()
    within: tuple[str, ...] = ()  # nested levels inside each stratum, outermost first
    max_per: tuple[tuple[str, int], ...] = ()  # (column, most cases from one value of it)
    reserve: _sampling.Reserve | None = None
    started: tuple[_dt.date | None, _dt.date | None] | None = None
    date_column: str | None = None
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[tuple[str, tuple[str, ...]], ...] = ()
    person_keys: tuple[tuple[str, ...], ...] = ()
    carry: tuple[str, ...] = ()


@dataclass
class Drawn:
    """A drawn sample with everything needed to report it, write it, and draw it again."""

    caseload: _caseload.Caseload
    eligibility: _caseload.Eligibility
    spec: SampleSpec
    seed: str
    seed_generated: bool
    size: _sampling.SizeCalculation | None  # None when the size was given
    sample: _sampling.Sample
    stratify: list[str]  # header names as in the file
    levels: list[str]  # nested levels: the within columns, then limited columns not among them
    date_column: str | None
    ids: list[str]  # per eligible case
    strata: list[str]  # per eligible case
    carried: dict[str, list[str]]  # column -> value per eligible case: all the workbook and rows carry
    stratum_values: dict[str, tuple[str, ...]] = _field(default_factory=dict)  # label -> its column values

    def rows(self, reserves: bool = True) -> list[dict]:
        """The sampled cases (by stratum, level by level, then id), then the reserves (by stratum, in their
        order): case_id, stratum, reserve (its order within the stratum; '' for the sample), carried columns."""
        paths = self.sample.design.levels

        def place(i: int) -> tuple:
            return (self.strata[i], *(self.carried[c][i] for c in paths if c in self.carried), self.ids[i])

        picked = [(i, "") for i in sorted(self.sample.chosen, key=place)]
        if reserves:
            picked += [(i, str(k)) for i, k in sorted(self.sample.reserves, key=lambda r: (self.strata[r[0]], r[1]))]
        return [{"case_id": self.ids[i], "stratum": self.strata[i], "reserve": r,
                 **{name: values[i] for name, values in self.carried.items()}} for i, r in picked]


def draw_sample(src: Source | str, spec: SampleSpec) -> Drawn:
    """Read a caseload extract, apply the eligibility rules and draw the sample (see casescore.sampling)."""
    from casescore import caseload as _caseload
    from casescore import sampling as _sampling

    _check_size_spec(spec)
    src = _source(src)
    extract = _caseload.read(src.path, src.sheet, src.id_column)
    names = _column_names(extract, spec)
    date_column = _date_column(extract, spec)
    criteria = _caseload.Criteria(spec.started, date_column, names["where"], names["exclude"],
                                  tuple(names["stratify"]), names["person_keys"])
    eligibility = _caseload.eligible(extract, criteria)
    if eligibility.eligible == 0:
        removed = "; ".join(f"{r.rule}: {r.removed}" for r in eligibility.rules if r.removed)
        raise _errors.UsageError(f"{extract.source}: no eligible cases: all {extract.cases} were left out ({removed})")
    size = None
    if spec.size is None:
        assert spec.confidence is not None and spec.margin is not None
        size = _sampling.size_for(_sampling.as_share(spec.confidence, "confidence"),
                                  _sampling.as_share(spec.margin, "margin"), eligibility.eligible)
    seed = spec.seed if spec.seed is not None else str(_secrets.randbelow(900_000) + 100_000)
    levels = [*names["within"], *(c for c, _ in names["max_per"] if c not in names["within"])]
    keep = eligibility.keep
    ids = extract.ids[keep].tolist()
    strata, stratum_values = _strata_labels(extract, names["stratify"], keep)
    paths = list(zip(*(extract.text(c)[keep] for c in levels), strict=True)) if levels else [()] * len(ids)
    design = _sampling.Design(size.n if size else int(spec.size or 0), seed, tuple(levels), tuple(names["max_per"]),
                              spec.reserve)
    sample = _sampling.draw(_sampling.Frame(ids, strata, paths), design)
    carried = _carried(extract, eligibility, [*names["stratify"], *levels], date_column, names["carry"])
    return Drawn(extract, eligibility, spec, seed, spec.seed is None, size, sample, names["stratify"], levels,
                 date_column, ids, strata, carried, stratum_values)


def _check_size_spec(spec: SampleSpec) -> None:
    """The sample's size is given, or worked out from a confidence and margin: one of the two, whole."""
    given = spec.confidence is not None or spec.margin is not None
    if (spec.size is not None) == given or (given and (spec.confidence is None or spec.margin is None)):
        raise BadValue("sample size spec", "give the sample's size, or a confidence and a margin to size it for a "
                                           "precision (one of the two)")
    if spec.size is not None and spec.size < 1:
        raise BadValue("sample size", f"{spec.size}: ask for at least one case")


def _column_names(extract: _caseload.Caseload, spec: SampleSpec) -> dict:
    """Every column the options name, as the caseload spells it; an unknown one fails here, naming its option."""

    def name(about: str, column: str) -> str:
        try:
            return extract.table.header[extract.column(column)]
        except _errors.UsageError as exc:
            raise BadValue(about, f"'{column}': {exc}") from None

    for about, given in (("stratification column", spec.stratify), ("nested column", spec.within)):
        found = [name(about, c) for c in given]
        if len(set(found)) < len(found):
            twice = next(c for c in found if found.count(c) > 1)
            raise BadValue(about, f"'{twice}': the same column given twice")

    return {
        "stratify": [name("stratification column", c) for c in spec.stratify],
        "within": [name("nested column", c) for c in spec.within],
        "max_per": [(name("capped column", c), k) for c, k in spec.max_per],
        "where": tuple((name("filter column", c), v) for c, v in spec.where),
        "exclude": tuple((name("exclusion column", c), v) for c, v in spec.exclude),
        "person_keys": tuple(tuple(name("person key column", c) for c in key) for key in spec.person_keys),
        "carry": [name("carried column", c) for c in spec.carry],
    }


def _date_column(extract: _caseload.Caseload, spec: SampleSpec) -> str | None:
    """The start date column: the one named, else the one whose header says so (Start date ...)."""
    if spec.date_column is not None:
        try:
            return extract.table.header[extract.column(spec.date_column)]
        except _errors.UsageError as exc:
            raise BadValue("date column", f"'{spec.date_column}': {exc}") from None
    from casescore import caseload as _caseload

    found = _caseload.date_columns(extract)
    if spec.started is not None and not found:
        raise BadValue("start window", f"{extract.source} has no column named like 'Start date', 'Sentence date' "
                                       "or 'Release date'; name the column that holds each case's start date")
    return found[0] if found else None


def _strata_labels(extract: _caseload.Caseload, columns: list[str], keep) -> tuple[list[str], dict]:
    """Each case's stratum as a label ('Licence / High'), and each label's values."""
    if not columns:
        return [ALL_CASES] * len(keep), {ALL_CASES: ()}
    combos = list(zip(*(extract.text(c)[keep].tolist() for c in columns), strict=True))
    values: dict[str, tuple[str, ...]] = {}
    for combo in set(combos):
        label = " / ".join(combo)
        if values.setdefault(label, combo) != combo:  # only when a value itself contains ' / '
            raise _errors.UsageError(f"{extract.source}: strata {values[label]} and {combo} would both be called "
                                     f"'{label}'; change ' / ' in the values")
    return [" / ".join(combo) for combo in combos], values


def _carried(extract: _caseload.Caseload, eligibility: _caseload.Eligibility, grouping: list[str],
             date_column: str | None, carry: list[str]) -> dict[str, list[str]]:
    """The columns the outputs may hold (never the person keys unless named): grouping, date, and carried."""
    import numpy as np

    keep = eligibility.keep
    out: dict[str, list[str]] = {}
    for column in [*grouping, *([date_column] if date_column else []), *carry]:
        if column in out or column == extract.id_column:
            continue
        if column == date_column:  # as ISO dates, whatever form the extract wrote them in
            dates = (eligibility.dates if eligibility.dates is not None else extract.dates(column))[keep]
            out[column] = [str(d) if ok else "" for d, ok in zip(dates, ~np.isnat(dates), strict=True)]
        else:
            out[column] = extract.text(column)[keep].tolist()
    return out
