"""Agreement between markers who marked the same cases (moderation): pure maths, no files, no printing.

Answers are three nominal categories, Yes, No and N/A: a Yes/No against an N/A is a disagreement
too, because it moves a case in or out of a denominator. An unmarked answer (and a case a marker
did not mark at all) is missing, never a category.

Coefficients, from their published formulas:
- two markers: Cohen's kappa (Cohen 1960), with the large-sample standard error of Fleiss, Cohen &
  Everitt (1969), as SAS PROC FREQ and statsmodels report it;
- three or more: Krippendorff's alpha, nominal (Krippendorff 2011, "Computing Krippendorff's
  alpha-reliability"), which allows a marker to have missed a case (Fleiss' kappa needs every case
  marked by the same number of markers), with a percentile bootstrap interval over cases.
Raw agreement is reported beside both, because a coefficient on a question nearly everyone answers
the same way can be low while the markers almost always agree (Feinstein & Cicchetti 1990).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from casescore import answers, scoring
from casescore.framework import NOT_ASSESSED, Framework, Question, Standard
from casescore.marking import Marking

CATEGORIES = (answers.YES, answers.NO, answers.NA)
KAPPA, ALPHA = "Cohen's kappa", "Krippendorff's alpha"

# Flags on a question's coefficient, and what each means.
LOW_N, PARADOX, ONE_CATEGORY, NOT_COMPARED = "low-n", "paradox", "one-category", "not-compared"
FLAG_NOTES = {
    LOW_N: "few cases compared: the coefficient and its interval are unreliable",
    PARADOX: "high raw agreement but a low coefficient: answers are concentrated in one category, so chance "
             "agreement is high (the kappa paradox); read the raw agreement",
    ONE_CATEGORY: "every answer is the same: the coefficient is undefined; the markers agree on every case",
    NOT_COMPARED: "no case has answers from two markers",
}
NO_INTERVAL = ("CI -: no interval, because the markers agree on every case (or one gave the same answer "
               "throughout), so any interval has zero width and would claim more certainty than a few cases give")
# An interval narrower than this has zero width: a variance that is zero in exact arithmetic comes out
# of floating point as about 1e-16, and its square root as about 1e-8.
ZERO_WIDTH = 1e-6
# What a warning says of the questions with a flag (a question everyone answered the same is no worry).
FLAG_WARNINGS = {
    PARADOX: "with high raw agreement but a low coefficient, because nearly all answers are the same (the kappa "
             "paradox): read the raw agreement",
    LOW_N: "compared on fewer than {min_n} cases: their coefficients are unreliable",
    NOT_COMPARED: "with no case answered by two markers",
}
# The kappa paradox flag: raw agreement at least this high, chance agreement at least this high
# (answers concentrated in one category), and a coefficient below this (at best "moderate" on
# Landis & Koch's scale).
PARADOX_RAW, PARADOX_CHANCE, PARADOX_COEFFICIENT = 0.80, 0.60, 0.60


# --- the statistics --------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A chance-corrected coefficient with its interval, raw and chance agreement, on n cases."""

    value: float | None  # None when undefined (nothing compared, or one category only)
    low: float | None
    high: float | None
    observed: float | None  # raw agreement: the share of agreeing pairs of answers
    chance: float | None  # the agreement expected by chance
    n: int  # cases compared


def crosstab(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The 3x3 table of two markers' answers (Yes, No, N/A) over the cases both answered."""
    both = (first != answers.BLANK) & (second != answers.BLANK)
    # Yes, No and N/A are codes 1, 2 and 3: code - 1 is the row (or column).
    rows, cols = first[both].astype(np.intp) - 1, second[both].astype(np.intp) - 1
    return np.bincount(rows * 3 + cols, minlength=9).reshape(3, 3)


def z_value(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def cohen_kappa(table: np.ndarray, confidence: float = 0.95) -> Estimate:
    """Cohen's kappa from a square table of counts (rows: first marker, columns: second)."""
    table = np.asarray(table, dtype=float)
    n = int(table.sum())
    if n == 0:
        return Estimate(None, None, None, None, None, 0)
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    observed, chance = float(np.trace(table)) / n, float(rows @ cols)  # counts first: 1 stays exactly 1
    if np.isclose(chance, 1.0):
        return Estimate(None, None, None, observed, chance, n)  # both markers used one category only
    kappa = (observed - chance) / (1 - chance)
    half = z_value(confidence) * float(np.sqrt(_kappa_variance(p, kappa, chance, n)))
    if half < ZERO_WIDTH:
        return Estimate(kappa, None, None, observed, chance, n)  # see NO_INTERVAL
    # The normal interval can pass 1 (or -1), which kappa cannot.
    return Estimate(kappa, max(-1.0, kappa - half), min(1.0, kappa + half), observed, chance, n)


def _kappa_variance(p: np.ndarray, kappa: float, chance: float, n: int) -> float:
    """Fleiss, Cohen & Everitt (1969): the large-sample variance of kappa (not the one under kappa = 0)."""
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    on_diagonal = float(np.sum(np.diag(p) * (1 - (rows + cols) * (1 - kappa)) ** 2))
    weighted = p * (cols[:, None] + rows[None, :]) ** 2  # p_ij (p_.i + p_j.)^2
    off_diagonal = (1 - kappa) ** 2 * float(weighted.sum() - np.trace(weighted))
    correction = (kappa - chance * (1 - kappa)) ** 2
    # Rounding can leave a tiny negative variance when agreement is perfect.
    return max(0.0, (on_diagonal + off_diagonal - correction) / ((1 - chance) ** 2 * n))


def value_counts(codes: np.ndarray) -> np.ndarray:
    """Markers x cases answer codes -> cases x categories: how many markers gave each answer."""
    return np.stack([(codes == c).sum(axis=0) for c in CATEGORIES], axis=1)


def unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Each pairable case's coincidences (cases x k x k): ordered pairs of its answers, each pair
    weighted 1/(m - 1) for a case with m answers, so that every answer counts once in all."""
    counts = np.asarray(counts, dtype=float)
    m = counts.sum(axis=1)
    counts = counts[m >= 2]  # a case with one answer has no pair to compare
    pairs = counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(counts.shape[1])
    return pairs / (m[m >= 2] - 1)[:, None, None]


def alpha_from_coincidences(coincidences: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """(alpha, observed, chance) from a coincidence matrix, nominal distances."""
    totals = coincidences.sum(axis=0)
    n = float(totals.sum())
    if n < 2:
        return None, None, None
    observed = float(np.trace(coincidences)) / n
    chance = float((totals * (totals - 1)).sum()) / (n * (n - 1))
    expected_disagreement = (n * n - float((totals**2).sum())) / (n - 1)
    if expected_disagreement <= 1e-12:
        return None, observed, chance  # one category only: no disagreement was possible
    return 1 - (n - float(np.trace(coincidences))) / expected_disagreement, observed, chance


def krippendorff_alpha(counts: np.ndarray, confidence: float = 0.95, replicates: int = 2000,
                       seed: int = 1) -> Estimate:
    """Krippendorff's alpha (nominal) from value counts (cases x categories), with a bootstrap interval."""
    units = unit_coincidences(counts)
    value, observed, chance = alpha_from_coincidences(units.sum(axis=0))
    low = high = None
    if value is not None and replicates > 0:
        low, high = _bootstrap(units, confidence, replicates, seed)
    return Estimate(value, low, high, observed, chance, len(units))


def _bootstrap(units: np.ndarray, confidence: float, replicates: int, seed: int) -> tuple[float | None, float | None]:
    """Percentile interval of alpha over resamples of the cases (with replacement).

    A resample's coincidences are its cases' coincidences weighted by how often each was drawn, so
    every replicate is one matrix product. Replicates that drew one category only (alpha undefined)
    are left out."""
    u = len(units)
    draws = np.random.default_rng(seed).integers(0, u, size=(replicates, u))
    weights = np.bincount((draws + u * np.arange(replicates)[:, None]).ravel(), minlength=replicates * u)
    matrices = (weights.reshape(replicates, u) @ units.reshape(u, -1)).reshape(replicates, *units.shape[1:])
    alphas = alphas_from_coincidences(matrices)
    alphas = alphas[~np.isnan(alphas)]
    if not len(alphas):
        return None, None
    tail = (1 - confidence) / 2
    low, high = np.quantile(alphas, [tail, 1 - tail])
    if high - low < ZERO_WIDTH:
        return None, None  # see NO_INTERVAL
    return float(low), float(high)


def alphas_from_coincidences(matrices: np.ndarray) -> np.ndarray:
    """alpha_from_coincidences for a stack of matrices at once (nan where undefined): a Python call per
    replicate would make the bootstrap the slowest part of the command."""
    totals = matrices.sum(axis=1)
    n = totals.sum(axis=1)
    agree = np.trace(matrices, axis1=1, axis2=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = (n * n - (totals**2).sum(axis=1)) / (n - 1)
        alphas = 1 - (n - agree) / expected
    return np.where((n >= 2) & (expected > 1e-12), alphas, np.nan)


def paradox(e: Estimate) -> bool:
    """High raw agreement, a low coefficient, because chance agreement is high (Feinstein & Cicchetti 1990)."""
    return (e.value is not None and e.observed is not None and e.chance is not None and e.observed >= PARADOX_RAW
            and e.chance >= PARADOX_CHANCE and e.value < PARADOX_COEFFICIENT)


def flags(estimate: Estimate, min_n: int) -> tuple[str, ...]:
    """What to bear in mind when reading a coefficient."""
    if estimate.n == 0:
        return (NOT_COMPARED,)
    out = []
    if estimate.value is None:
        out.append(ONE_CATEGORY)
    elif paradox(estimate):
        out.append(PARADOX)
    if estimate.n < min_n:
        out.append(LOW_N)
    return tuple(out)


# --- markings compared ------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    confidence: float = 0.95
    min_n: int = 10  # fewer cases compared than this: flagged
    replicates: int = 2000  # bootstrap resamples (three or more markers)
    seed: int = 1


@dataclass(frozen=True)
class Marker:
    name: str  # how outputs call this marker
    source: str
    title: str
    cases: int  # cases with anything marked
    not_marked_cases: int = 0  # cases in the file with nothing marked, left out
    only_here: tuple[str, ...] = ()  # cases in this file and no other, not compared


@dataclass(frozen=True)
class QuestionAgreement:
    standard: Standard
    question: Question
    kind: str  # "key question" | "prompt"
    markers: int  # files with a column for this question
    estimate: Estimate
    answers: tuple[int, int, int]  # Yes, No, N/A given on the compared cases, all markers together
    disagreements: int  # compared cases where the markers' answers are not all the same
    unmarked: int  # answers left blank on cases the markers share, left out
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Disagreement:
    case: str
    standard: str
    question: str
    kind: str  # "key question" | "prompt"
    answers: tuple[int, ...]  # one code per marker; BLANK where that marker gave none
    about: str  # "relevance" when N/A meets Yes or No (a denominator moves), else "answer"


@dataclass(frozen=True)
class StandardRatings:
    standard: Standard
    ratings: tuple[str | None, ...]  # one per marker

    @property
    def changes(self) -> bool:
        """The markers' markings give different ratings (a file without the standard's columns aside)."""
        return len({r for r in self.ratings if r is not None and r != NOT_ASSESSED}) > 1


@dataclass
class RatingComparison:
    """Every marker's ratings from their own answers on the cases every marker marked."""

    cases: tuple[str, ...]
    results: list[scoring.Result]

    @property
    def standards(self) -> list[StandardRatings]:
        return [StandardRatings(rows[0].standard, tuple(r.rating for r in rows))
                for rows in zip(*(r.standards for r in self.results), strict=True)]

    @property
    def comparable_overall(self) -> bool:
        """Overall ratings compare only over the same standards (the same maximum score)."""
        return len({r.max_score for r in self.results}) == 1

    @property
    def overall_changes(self) -> bool:
        return self.comparable_overall and len({r.overall_rating for r in self.results}) > 1

    @property
    def changed(self) -> list[str]:
        """What changes between markers: standard ids, and 'overall'."""
        out = [s.standard.id for s in self.standards if s.changes]
        return out + (["overall"] if self.overall_changes else [])


@dataclass
class Agreement:
    framework: Framework
    markers: list[Marker]
    coefficient: str  # KAPPA | ALPHA
    cases: tuple[str, ...]  # cases in two or more files: compared
    questions: list[QuestionAgreement]
    disagreements: list[Disagreement]
    ratings: RatingComparison | None  # None when no case is in every file
    only_one_file: list[str]  # question ids with a column in one file only
    options: Options
    warnings: list[str] = field(default_factory=list)

    def below(self, threshold: float) -> list[QuestionAgreement]:
        """Key questions whose coefficient is below the threshold (an undefined one is not)."""
        return [q for q in self.questions if q.kind == "key question" and q.estimate.value is not None
                and q.estimate.value < threshold]


def coefficient_for(markers: int) -> str:
    return KAPPA if markers == 2 else ALPHA


def level_label(confidence: float) -> str:
    """0.95 -> '95%', 0.999 -> '99.9%'."""
    return f"{100 * confidence:.4g}%"


def method_note(coefficient: str, options: Options) -> str:
    """Which coefficient, why, and how its interval is made."""
    level = level_label(options.confidence)
    if coefficient == KAPPA:
        return (f"Cohen's kappa: two markers on the same cases; {level} interval from its large-sample "
                "standard error (Fleiss, Cohen & Everitt 1969)")
    return (f"Krippendorff's alpha (nominal, Yes/No/N/A): three or more markers, and a marker may have "
            f"missed a case, which Fleiss' kappa does not allow; {level} percentile interval from "
            f"{options.replicates} bootstrap resamples of the cases (seed {options.seed})")


def compare(framework: Framework, markings: Sequence[Marking], names: Sequence[str],
            judgements: dict[str, str], options: Options = Options()) -> Agreement:
    """Compare two or more markings of the same cases, matched by case id. Their answers must be Yes,
    No, N/A or blank (as api.read_valid returns them): an invalid cell has no category to compare."""
    if len(markings) < 2:
        raise ValueError("agreement needs two or more markings")
    if any((codes == answers.INVALID).any() for m in markings for codes in m.answers.values()):
        raise ValueError("a marking holds answers that are not Yes, No, N/A or blank")
    cases = _shared_cases(markings)
    positions = [{cid: i for i, cid in enumerate(m.case_ids)} for m in markings]
    coefficient = coefficient_for(len(markings))
    questions, disagreements = [], []
    in_files = {qid for m in markings for qid in m.answers}
    for std, kq, q in framework.question_ids().values():
        holders = [j for j, m in enumerate(markings) if q.id in m.answers]
        if len(holders) < 2:
            continue
        codes, present = _aligned(markings, positions, cases, q.id)
        kind = "key question" if q is kq else "prompt"
        estimate = _estimate(codes, coefficient, options)
        questions.append(_question(std, q, kind, codes, present, len(holders), estimate, options.min_n))
        disagreements += _disagreements(std, q, kind, codes, cases)
    compared = {q.question.id for q in questions}
    markers = _markers(markings, names, cases)
    ratings = _ratings(framework, markings, positions, judgements)
    only_one = [qid for qid in framework.question_ids() if qid in in_files and qid not in compared]
    result = Agreement(framework, markers, coefficient, cases, questions, disagreements, ratings, only_one, options)
    result.warnings = _warnings(result)
    return result


def _shared_cases(markings: Sequence[Marking]) -> tuple[str, ...]:
    """Case ids in two or more files, in the order they first appear."""
    seen: dict[str, int] = {}
    for m in markings:
        for cid in dict.fromkeys(m.case_ids):
            seen[cid] = seen.get(cid, 0) + 1
    return tuple(cid for cid, n in seen.items() if n >= 2)


def _aligned(markings: Sequence[Marking], positions: list[dict[str, int]], cases: Sequence[str],
             qid: str) -> tuple[np.ndarray, np.ndarray]:
    """Markers x shared cases: the answer codes for one question (BLANK where a marker has none), and
    where the marker's file has both the case and the question's column (so a blank is unmarked)."""
    out = np.zeros((len(markings), len(cases)), dtype=np.int8)
    present = np.zeros(out.shape, dtype=bool)
    for j, m in enumerate(markings):
        if qid not in m.answers:
            continue
        where = [(k, positions[j][cid]) for k, cid in enumerate(cases) if cid in positions[j]]
        if where:
            at, rows = map(list, zip(*where, strict=True))
            out[j, at] = m.answers[qid][rows]
            present[j, at] = True
    return out, present


def _estimate(codes: np.ndarray, coefficient: str, options: Options) -> Estimate:
    if coefficient == KAPPA:
        return cohen_kappa(crosstab(codes[0], codes[1]), options.confidence)
    return krippendorff_alpha(value_counts(codes), options.confidence, options.replicates, options.seed)


def _question(std: Standard, q: Question, kind: str, codes: np.ndarray, present: np.ndarray, holders: int,
              estimate: Estimate, min_n: int) -> QuestionAgreement:
    counts = value_counts(codes)
    compared = counts.sum(axis=1) >= 2
    given = counts[compared].sum(axis=0)
    disagree = int(((counts[compared] > 0).sum(axis=1) > 1).sum())
    unmarked = int(((codes == answers.BLANK) & present).sum())
    return QuestionAgreement(std, q, kind, holders, estimate, (int(given[0]), int(given[1]), int(given[2])),
                             disagree, unmarked, flags(estimate, min_n))


def _disagreements(std: Standard, q: Question, kind: str, codes: np.ndarray,
                   cases: Sequence[str]) -> list[Disagreement]:
    out = []
    for k in np.flatnonzero((value_counts(codes) > 0).sum(axis=1) > 1):
        given = {int(c) for c in codes[:, k] if c != answers.BLANK}
        about = "relevance" if answers.NA in given else "answer"
        out.append(Disagreement(cases[int(k)], std.id, q.id, kind, tuple(int(c) for c in codes[:, k]), about))
    return out


def _markers(markings: Sequence[Marking], names: Sequence[str], cases: Sequence[str]) -> list[Marker]:
    shared = set(cases)
    return [Marker(name, m.source, m.title, m.cases, m.report.not_marked_cases if m.report else 0,
                   tuple(c for c in m.case_ids if c not in shared))
            for m, name in zip(markings, names, strict=True)]


def _ratings(framework: Framework, markings: Sequence[Marking], positions: list[dict[str, int]],
             judgements: dict[str, str]) -> RatingComparison | None:
    """Each marker's ratings on the cases in every file, with the same judgement ratings for all, so
    that a change can come only from the case marking."""
    common = tuple(c for c in markings[0].case_ids if all(c in p for p in positions[1:]))
    if not common:
        return None
    results = []
    for m, where in zip(markings, positions, strict=True):
        rows = np.array([where[c] for c in common])
        codes = {qid: a[rows] for qid, a in m.answers.items()}
        blank = any((a == answers.BLANK).any() for a in codes.values())
        results.append(scoring.rate(framework, codes, len(common), judgements, scoring.Options(provisional=blank)))
    return RatingComparison(common, results)


def shared_judgements(per_marker: Sequence[dict[str, str]], names: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """One set of judgement ratings for every marker: the first file's for each standard, with any
    other file that gives a different one named."""
    merged: dict[str, str] = {}
    given_by: dict[str, str] = {}
    warnings = []
    for ratings, name in zip(per_marker, names, strict=True):
        for sid, rating in ratings.items():
            if sid not in merged:
                merged[sid], given_by[sid] = rating, name
            elif merged[sid] != rating:
                warnings.append(f"judgement rating of {sid}: {given_by[sid]} gives {merged[sid]}, {name} gives "
                                f"{rating}; every marker's ratings use {merged[sid]}")
    return merged, warnings


def _warnings(result: Agreement) -> list[str]:
    out = []
    if not result.cases:
        out.append("no case is in two or more files: nothing to compare (cases are matched by case id)")
    elif result.ratings is None:
        out.append("no case is in every file, so ratings are not compared between markers")
    elif not result.ratings.comparable_overall:
        out.append("the markings do not cover the same standards, so overall ratings are not compared")
    for flag, about in FLAG_WARNINGS.items():
        ids = [q.question.id for q in result.questions if flag in q.flags]
        if ids:
            out.append(f"{len(ids)} question(s) {about.format(min_n=result.options.min_n)}: {_listed(ids)}")
    if result.only_one_file:
        out.append(f"{len(result.only_one_file)} question(s) are in one file only, not compared: "
                   f"{_listed(result.only_one_file)}")
    unmarked = sum(q.unmarked for q in result.questions)
    if unmarked:
        out.append(f"{unmarked} answer(s) left blank on shared cases are left out of the comparison")
    return out


def _listed(ids: Sequence[str], limit: int = 8) -> str:
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def marker_names(sources: Sequence[str]) -> list[str]:
    """How to call each marker: its file's name, or the whole path where two names are the same."""
    base = [s.replace("\\", "/").rsplit("/", 1)[-1] for s in sources]
    return [b if base.count(b) == 1 else s for b, s in zip(base, sources, strict=True)]
