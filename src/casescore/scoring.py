"""Pure rating rules: tallies -> percentages -> bands -> standard ratings -> score -> overall.

Every threshold, point value and share comes from the Framework; this module only applies them.
Nothing here prints, reads files or exits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from casescore import answers
from casescore.framework import NOT_APPLICABLE, NOT_ASSESSED, Framework, KeyQuestion, Question, Standard

BLANK_GROUP = "(blank)"  # where an attribute cell is empty


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    no: int = 0
    na: int = 0
    blank: int = 0

    @classmethod
    def of(cls, codes: np.ndarray, mask: np.ndarray | None = None) -> Tally:
        counts = np.bincount(codes if mask is None else codes[mask], minlength=4)
        return cls(int(counts[answers.YES]), int(counts[answers.NO]), int(counts[answers.NA]),
                   int(counts[answers.BLANK]))

    @property
    def relevant(self) -> int:
        return self.yes + self.no  # N/A and unmarked answers leave the denominator

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.yes * 100, self.relevant) if self.relevant else None

    def exact(self) -> Fraction:
        """The percentage as an exact fraction, for a tally known to have relevant cases."""
        if not self.relevant:
            raise ValueError("no relevant cases: no percentage")
        return Fraction(self.yes * 100, self.relevant)

    @property
    def percent(self) -> float | None:
        return 100 * self.yes / self.relevant if self.relevant else None

    def interval(self, confidence: float) -> tuple[float, float] | None:
        """Wilson score interval, in percent; None when no case is relevant."""
        from casescore.stats import wilson

        ci = wilson(self.yes, self.relevant, confidence)
        return None if ci is None else (100 * ci[0], 100 * ci[1])


@dataclass(frozen=True)
class Grouping:
    """Cases split by the values of one attribute (for breakdowns)."""

    attribute: str
    labels: tuple[str, ...]
    index: np.ndarray  # per case, its label's position

    @classmethod
    def of(cls, attribute: str, values: np.ndarray) -> Grouping:
        labels, index = np.unique(np.where(values == "", BLANK_GROUP, values).astype(str), return_inverse=True)
        return cls(attribute, tuple(labels), index)

    def tallies(self, codes: np.ndarray, mask: np.ndarray | None = None) -> dict[str, Tally]:
        """One tally per value, in one pass (codes are already masked when mask is given)."""
        index = self.index if mask is None else self.index[mask]
        counts = np.bincount(index * 4 + codes, minlength=4 * len(self.labels)).reshape(-1, 4)
        return {label: Tally(int(c[answers.YES]), int(c[answers.NO]), int(c[answers.NA]), int(c[answers.BLANK]))
                for label, c in zip(self.labels, counts, strict=True)}


def round_half_up(value: Fraction) -> int:
    """Whole percent as reports print it: 63.6 -> 64, and 64.5 -> 65 (not banker's 64)."""
    return int((value + Fraction(1, 2)).__floor__())


def band(framework: Framework, percent: Fraction, rounded: bool | None = None) -> str:
    """The band a percentage falls in; rounded=None follows the framework's rounding rule."""
    if rounded is None:
        rounded = framework.rounding == "half-up"
    value = Fraction(round_half_up(percent)) if rounded else percent
    return next(name for name, minimum in framework.bands if value >= minimum)


def overall_rating(framework: Framework, score: int, max_score: int) -> str | None:
    if max_score <= 0:
        return None
    share = Fraction(score, max_score)
    return next(name for name, limit in framework.overall if share <= limit)


@dataclass
class QuestionResult:
    question: Question
    kind: str  # "key question" | "prompt"
    tally: Tally
    band: str | None = None  # key questions of case-rated standards only
    other_band: str | None = None  # the band under the other rounding rule, when it differs
    prompts: list[QuestionResult] = field(default_factory=list)
    by: dict[str, dict[str, Tally]] = field(default_factory=dict)  # attribute -> value -> tally


@dataclass
class StandardResult:
    standard: Standard
    rating: str | None
    points: int | None
    basis: str  # why it has this rating, in words
    key_questions: list[QuestionResult] = field(default_factory=list)
    deciding: list[str] = field(default_factory=list)  # the lowest key question(s)
    plausible: list[str] = field(default_factory=list)  # bands the deciding interval reaches

    @property
    def uncertain(self) -> bool:
        return len(self.plausible) > 1


@dataclass
class Result:
    framework: Framework
    cases: int
    standards: list[StandardResult]
    score: int
    max_score: int
    overall_rating: str | None
    provisional: bool
    warnings: list[str]
    confidence: float = 0.95
    min_n: int = 10
    not_marked_cases: int = 0  # cases left out because nothing in them was marked (partial ratings)
    missing_judgements: tuple[str, ...] = ()  # judgement standards with no rating given

    def questions(self) -> list[QuestionResult]:
        """Every key question and prompt, in framework order."""
        return [q for s in self.standards for kq in s.key_questions for q in [kq, *kq.prompts]]

    def below(self, rating: str) -> list[StandardResult]:
        """Scored standards rated below `rating` (for a quality gate)."""
        floor = self.framework.points(rating)
        if floor is None:
            return []
        return [s for s in self.standards if s.standard.scored and s.points is not None and s.points < floor]


@dataclass(frozen=True)
class Options:
    """How to rate beyond the framework's rules: cohorts, breakdowns, uncertainty."""

    provisional: bool = False
    mask: np.ndarray | None = None  # rate only these cases
    by: tuple[Grouping, ...] = ()
    confidence: float = 0.95
    min_n: int = 10
    not_marked_cases: int = 0  # cases already left out of `codes` because nothing was marked


def rate(framework: Framework, codes: dict[str, np.ndarray], cases: int, judgements: dict[str, str],
         options: Options = Options()) -> Result:
    """Rate every standard from answer codes (question id -> codes) and judgement ratings."""
    warnings: list[str] = []
    results = [
        _judgement(framework, std, judgements) if std.method == "judgement"
        else _from_cases(framework, std, codes, options, warnings)
        for std in framework.standards
    ]
    counted = [r for r in results if r.standard.scored and r.points is not None]
    score = sum(r.points or 0 for r in counted)
    max_score = framework.max_points * len(counted)
    missing = [r for r in results if r.standard.scored and r.standard.method == "judgement" and r.rating is None]
    overall = None if missing else overall_rating(framework, score, max_score)
    if missing:
        names = ", ".join(f"{r.standard.id} {r.standard.name}" for r in missing)
        warnings.append(f"no rating given for {names}: add it to the Ratings sheet; the score covers only the "
                        "rated standards and there is no overall rating")
    if framework.warning:  # rules not all published: said with every rating, not only in the file
        warnings.append(framework.warning)
    if options.provisional:
        chosen = (lambda c: c) if options.mask is None else (lambda c: c[options.mask])
        unmarked = sum(int((chosen(c) == answers.BLANK).sum()) for c in codes.values())
        cases_out = f"{options.not_marked_cases} case(s) with nothing marked and " if options.not_marked_cases else ""
        warnings.insert(0, f"PROVISIONAL: {cases_out}{unmarked} unmarked answer(s) are left out of the "
                        "denominators (partial rating)")
    result = Result(framework, cases if options.mask is None else int(options.mask.sum()), results, score,
                    max_score, overall, options.provisional, warnings, options.confidence, options.min_n,
                    options.not_marked_cases, tuple(r.standard.id for r in missing))
    _warn_small(result)
    return result


def small(tally: Tally, min_n: int) -> bool:
    """A percentage resting on too few relevant cases to read much into."""
    return 0 < tally.relevant < min_n


def _warn_small(result: Result) -> None:
    qs = result.questions()
    few = [f"{q.question.id} ({q.tally.relevant})" for q in qs if small(q.tally, result.min_n)]
    if few:
        shown = ", ".join(few[:8]) + (f" and {len(few) - 8} more" if len(few) > 8 else "")
        result.warnings.append(f"{len(few)} percentage(s) rest on fewer than {result.min_n} relevant cases "
                               f"(marked *): {shown}")
    cells = sum(small(t, result.min_n) for q in qs for groups in q.by.values() for t in groups.values())
    if cells:
        result.warnings.append(f"{cells} breakdown percentage(s) rest on fewer than {result.min_n} relevant "
                               "cases (marked *): read them with care")


def _judgement(framework: Framework, std: Standard, judgements: dict[str, str]) -> StandardResult:
    rating = judgements.get(std.id)
    basis = "judgement" if rating else "judgement (no rating given)"
    return StandardResult(std, rating, framework.points(rating) if rating else None, basis)


def _from_cases(framework: Framework, std: Standard, codes: dict[str, np.ndarray], options: Options,
                warnings: list[str]) -> StandardResult:
    if not all(kq.id in codes for kq in std.key_questions):
        if std.method == "case":
            warnings.append(f"{std.id} {std.name}: not in the marking, so not assessed; "
                            "it leaves the score and the maximum")
        return StandardResult(std, NOT_ASSESSED if std.method == "case" else None, None, "no columns in the marking")
    kqs = [_key_question(framework, std, kq, codes, options) for kq in std.key_questions]
    if std.method == "unrated":
        return StandardResult(std, None, None, "reported, not rated", kqs)
    rated = [q for q in kqs if q.tally.relevant]
    if not rated:
        return StandardResult(std, NOT_APPLICABLE, None, "no relevant cases", kqs)
    for q in kqs:
        if not q.tally.relevant:
            warnings.append(f"{q.question.id}: no relevant cases, so it does not count towards {std.id}")
    lowest = min(q.tally.exact() for q in rated)
    deciding = [q for q in rated if q.tally.exact() == lowest]
    rating = deciding[0].band
    assert rating is not None  # every key question of a case-rated standard with relevant cases has a band
    for q in rated:
        if q.other_band:
            _warn_rounding(framework, std, q, q in deciding, warnings)
    return StandardResult(std, rating, framework.points(rating), "lowest key question", kqs,
                          [q.question.id for q in deciding], plausible_bands(framework, deciding[0].tally,
                                                                             options.confidence))


def plausible_bands(framework: Framework, tally: Tally, confidence: float) -> list[str]:
    """The bands a key question's interval reaches, best first: one band means a sure rating."""
    interval = tally.interval(confidence)
    if interval is None:
        return []
    low, high = interval
    top, bottom = band(framework, Fraction(high), rounded=False), band(framework, Fraction(low), rounded=False)
    names = [name for name, _ in framework.bands]
    return names[names.index(top): names.index(bottom) + 1]


def _question(q: Question, kind: str, codes: np.ndarray, options: Options) -> QuestionResult:
    if options.mask is not None:
        codes = codes[options.mask]
    by = {g.attribute: g.tallies(codes, options.mask) for g in options.by}
    return QuestionResult(q, kind, Tally.of(codes), by=by)


def _key_question(framework: Framework, std: Standard, kq: KeyQuestion, codes, options: Options) -> QuestionResult:
    result = _question(kq, "key question", codes[kq.id], options)
    result.prompts = [_question(p, "prompt", codes[p.id], options) for p in kq.prompts if p.id in codes]
    tally = result.tally
    if std.method == "case" and tally.relevant:
        result.band = band(framework, tally.exact())
        other = band(framework, tally.exact(), rounded=framework.rounding != "half-up")
        result.other_band = other if other != result.band else None
    return result


def _warn_rounding(framework: Framework, std: Standard, q: QuestionResult, deciding: bool,
                   warnings: list[str]) -> None:
    t = q.tally
    exact_band, rounded_band = (q.band, q.other_band) if framework.rounding == "exact" else (q.other_band, q.band)
    effect = f"this decides {std.id}'s rating" if deciding else f"it does not decide {std.id}'s rating"
    warnings.append(
        f"{q.question.id}: {t.percent:.1f}% ({t.yes}/{t.relevant}) is {exact_band} compared exactly but "
        f"{rounded_band} if rounded to {round_half_up(t.exact())}% first; framework {framework.id} uses "
        f"'{framework.rounding}', and {effect}"
    )
