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

PERCENT = Fraction(100)


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    no: int = 0
    na: int = 0
    blank: int = 0

    @classmethod
    def of(cls, codes: np.ndarray, mask: np.ndarray | None = None) -> "Tally":
        counts = np.bincount(codes if mask is None else codes[mask], minlength=4)
        return cls(int(counts[answers.YES]), int(counts[answers.NO]), int(counts[answers.NA]),
                   int(counts[answers.BLANK]))

    @property
    def relevant(self) -> int:
        return self.yes + self.no  # N/A and unmarked answers leave the denominator

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.yes * 100, self.relevant) if self.relevant else None

    @property
    def percent(self) -> float | None:
        return 100 * self.yes / self.relevant if self.relevant else None


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
    prompts: list["QuestionResult"] = field(default_factory=list)


@dataclass
class StandardResult:
    standard: Standard
    rating: str | None
    points: int | None
    basis: str  # why it has this rating, in words
    key_questions: list[QuestionResult] = field(default_factory=list)
    deciding: list[str] = field(default_factory=list)  # the lowest key question(s)


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

    def below(self, rating: str) -> list[StandardResult]:
        """Scored standards rated below `rating` (for --fail-under)."""
        floor = self.framework.points(rating)
        return [s for s in self.standards if s.standard.scored and s.points is not None and s.points < floor]


def rate(framework: Framework, codes: dict[str, np.ndarray], cases: int, judgements: dict[str, str],
         provisional: bool = False, mask: np.ndarray | None = None) -> Result:
    """Rate every standard from answer codes (question id -> codes) and judgement ratings."""
    warnings: list[str] = []
    results = [
        _judgement(framework, std, judgements) if std.method == "judgement"
        else _from_cases(framework, std, codes, mask, warnings)
        for std in framework.standards
    ]
    counted = [r for r in results if r.standard.scored and r.points is not None]
    score = sum(r.points for r in counted)
    max_score = framework.max_points * len(counted)
    missing = [r for r in results if r.standard.scored and r.standard.method == "judgement" and r.rating is None]
    overall = None if missing else overall_rating(framework, score, max_score)
    if missing:
        names = ", ".join(f"{r.standard.id} {r.standard.name}" for r in missing)
        warnings.append(f"no rating given for {names}: add it to the Ratings sheet or pass --rating "
                        f"{missing[0].standard.id}=RATING; the score covers only the rated standards "
                        "and there is no overall rating")
    if provisional:
        warnings.insert(0, "PROVISIONAL: unmarked answers are left out of the denominators (--partial)")
    return Result(framework, cases, results, score, max_score, overall, provisional, warnings)


def _judgement(framework: Framework, std: Standard, judgements: dict[str, str]) -> StandardResult:
    rating = judgements.get(std.id)
    basis = "judgement" if rating else "judgement (no rating given)"
    return StandardResult(std, rating, framework.points(rating) if rating else None, basis)


def _from_cases(framework: Framework, std: Standard, codes: dict[str, np.ndarray], mask,
                warnings: list[str]) -> StandardResult:
    if not all(kq.id in codes for kq in std.key_questions):
        if std.method == "case":
            warnings.append(f"{std.id} {std.name}: not in the marking, so not assessed; "
                            "it leaves the score and the maximum")
        return StandardResult(std, NOT_ASSESSED if std.method == "case" else None, None, "no columns in the marking")
    kqs = [_key_question(framework, std, kq, codes, mask) for kq in std.key_questions]
    if std.method == "unrated":
        return StandardResult(std, None, None, "reported, not rated", kqs)
    rated = [q for q in kqs if q.tally.relevant]
    if not rated:
        return StandardResult(std, NOT_APPLICABLE, None, "no relevant cases", kqs)
    for q in kqs:
        if not q.tally.relevant:
            warnings.append(f"{q.question.id}: no relevant cases, so it does not count towards {std.id}")
    lowest = min(q.tally.fraction for q in rated)
    deciding = [q for q in rated if q.tally.fraction == lowest]
    rating = deciding[0].band
    for q in rated:
        if q.other_band:
            _warn_rounding(framework, std, q, q in deciding, warnings)
    return StandardResult(std, rating, framework.points(rating), "lowest key question", kqs,
                          [q.question.id for q in deciding])


def _key_question(framework: Framework, std: Standard, kq: KeyQuestion, codes, mask) -> QuestionResult:
    tally = Tally.of(codes[kq.id], mask)
    prompts = [QuestionResult(p, "prompt", Tally.of(codes[p.id], mask)) for p in kq.prompts if p.id in codes]
    result = QuestionResult(kq, "key question", tally, prompts=prompts)
    if std.method == "case" and tally.relevant:
        result.band = band(framework, tally.fraction)
        other = band(framework, tally.fraction, rounded=framework.rounding != "half-up")
        result.other_band = other if other != result.band else None
    return result


def _warn_rounding(framework: Framework, std: Standard, q: QuestionResult, deciding: bool,
                   warnings: list[str]) -> None:
    t = q.tally
    exact_band, rounded_band = (q.band, q.other_band) if framework.rounding == "exact" else (q.other_band, q.band)
    effect = f"this decides {std.id}'s rating" if deciding else f"it does not decide {std.id}'s rating"
    warnings.append(
        f"{q.question.id}: {t.percent:.1f}% ({t.yes}/{t.relevant}) is {exact_band} compared exactly but "
        f"{rounded_band} if rounded to {round_half_up(t.fraction)}% first; framework {framework.id} uses "
        f"'{framework.rounding}', and {effect}"
    )
