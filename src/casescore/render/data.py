"""Results as plain data (dicts and rows): the single source for JSON, CSV and Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from casescore.framework import Framework
from casescore.scoring import QuestionResult, Result, StandardResult, Tally, band, round_half_up, small

# Marks a percentage printed with decimals because its whole number would sit in another band.
DECIMAL_MARK = "\u2020"  # dagger
DECIMAL_KEY = (f"{DECIMAL_MARK} percentage shown with a decimal: rounded to a whole number it would reach "
               "the next band, and bands compare the exact fraction")


def tally_dict(t: Tally, confidence: float) -> dict:
    ci = t.interval(confidence)
    out = {"yes": t.yes, "no": t.no, "na": t.na, "relevant": t.relevant, "percent": t.percent,
           "ci_low": ci and ci[0], "ci_high": ci and ci[1]}
    if t.blank:
        out["unmarked"] = t.blank
    return out


def question_dict(q: QuestionResult, confidence: float, with_band: bool = True) -> dict:
    out = {"id": q.question.id, "text": q.question.text, **tally_dict(q.tally, confidence)}
    if q.by:
        out["by"] = {attr: {value: tally_dict(t, confidence) for value, t in groups.items()}
                     for attr, groups in q.by.items()}
    if with_band:
        out["band"] = q.band
        out["prompts"] = [question_dict(p, confidence, with_band=False) for p in q.prompts]
    return out


def standard_dict(s: StandardResult, confidence: float) -> dict:
    return {
        "id": s.standard.id, "name": s.standard.name, "domain": s.standard.domain,
        "method": s.standard.method, "scored": s.standard.scored, "rating": s.rating,
        "points": s.points, "basis": s.basis, "deciding": s.deciding,
        "uncertain": s.uncertain, "plausible_bands": s.plausible,
        "key_questions": [question_dict(q, confidence) for q in s.key_questions],
    }


def result_dict(result: Result, source: str | None = None, notices: Sequence[str] = ()) -> dict:
    """The rating as plain data. `notices`: what the reading left out (summary rows, unused columns),
    put with the warnings (after them: a PROVISIONAL warning stays first), so that a program reading
    the JSON is told as a person is."""
    return {
        "framework": result.framework.id,
        "framework_title": result.framework.title,
        "framework_modified": str(result.framework.source_path) if result.framework.modified else None,
        "source": source,
        "cases": result.cases,
        "not_marked_cases": result.not_marked_cases,
        "standards": [standard_dict(s, result.confidence) for s in result.standards],
        "score": result.score,
        "max_score": result.max_score,
        "overall_rating": result.overall_rating,
        "provisional": result.provisional,
        "confidence": result.confidence,
        "min_n": result.min_n,
        "warnings": [*result.warnings, *notices],
    }


CSV_COLUMNS = ["level", "standard", "standard_name", "question", "kind", "text", "attribute", "value", "yes", "no",
               "na", "relevant", "percent", "ci_low", "ci_high", "band", "standard_rating", "points", "deciding",
               "score", "max_score", "overall_rating", "provisional"]


def csv_rows(result: Result) -> list[dict]:
    """Every standard's row followed by its questions' rows, then one summary row: `level` tells them
    apart, so a pipeline can take the headline from the CSV alone."""
    rows = []
    for s in result.standards:
        rows.append({"level": "standard", "standard": s.standard.id, "standard_name": s.standard.name,
                     "standard_rating": s.rating, "points": s.points, "deciding": ";".join(s.deciding)})
        rows += [{"level": "question", **row} for row in _question_rows(result, s)]
    rows.append({"level": "summary", "score": result.score, "max_score": result.max_score,
                 "overall_rating": result.overall_rating, "provisional": result.provisional})
    return rows


def question_rows(result: Result) -> list[dict]:
    """One row per key question and prompt (framework order), then one per attribute value."""
    return [row for s in result.standards for row in _question_rows(result, s)]


def _question_rows(result: Result, s: StandardResult) -> list[dict]:
    rows = []
    for kq in s.key_questions:
        for q in [kq, *kq.prompts]:
            common = {"standard": s.standard.id, "standard_name": s.standard.name, "question": q.question.id,
                      "kind": q.kind, "text": q.question.text, "standard_rating": s.rating}
            rows.append({**common, **tally_dict(q.tally, result.confidence), "band": q.band})
            for attr, groups in q.by.items():
                rows += [{**common, "attribute": attr, "value": value, **tally_dict(t, result.confidence)}
                         for value, t in groups.items()]
    return rows


def decimals(framework: Framework | None, fraction: Fraction) -> int:
    """How many decimals a percentage needs so that the printed figure sits in the band the framework
    gives the exact fraction: 0 (a whole number, halves up, as reports print it) unless that would
    cross a band edge (20/31 = 64.5% is Requires improvement, "65%" would read as Good); then one,
    or more when one still rounds onto the edge (64.95%)."""
    if framework is None:
        return 0
    actual = band(framework, fraction)
    places = 0
    while band(framework, _rounded(fraction, places), rounded=False) != actual:
        places += 1  # ends: the rounding error shrinks below the fraction's distance to the edge
    return places


def _rounded(fraction: Fraction, places: int) -> Fraction:
    scale = 10 ** places
    return Fraction(round_half_up(fraction * scale), scale)


def shows_decimal(tally, framework: Framework | None) -> bool:
    return tally.fraction is not None and decimals(framework, tally.fraction) > 0


def percent_label(tally, min_n: int = 0, framework: Framework | None = None) -> str:
    """A percentage as inspection reports print it: a whole number, halves rounded up, unless that
    would contradict the band (see decimals; needs the framework); marked * when it rests on fewer
    than min_n relevant cases."""
    if tally.fraction is None:
        return "-"
    places = decimals(framework, tally.fraction)
    shown = _rounded(tally.fraction, places)
    text = f"{round_half_up(shown)}" if places == 0 else f"{float(shown):.{places}f}"
    return f"{text}%" + ("*" if small(tally, min_n) else "")


def interval_label(tally, confidence: float) -> str:
    ci = tally.interval(confidence)
    return "" if ci is None else f"{ci[0]:.0f}-{ci[1]:.0f}"


def count_label(tally, min_n: int, framework: Framework | None = None) -> str:
    """'16/23 70%' for a compact breakdown cell."""
    return "-" if not tally.relevant else f"{tally.yes}/{tally.relevant} {percent_label(tally, min_n, framework)}"


def deciding_label(s: StandardResult, framework: Framework | None = None) -> str:
    """Why a standard has its rating, in a few words (the deciding key question if any)."""
    if not s.deciding:
        return s.basis
    by_id = {q.question.id: q for q in s.key_questions}
    text = ", ".join(f"{d}  {percent_label(by_id[d].tally, 0, framework)}  "
                     f"({by_id[d].tally.yes}/{by_id[d].tally.relevant})"
                     for d in s.deciding)
    return text + (f"; uncertain: could be {' or '.join(s.plausible)}" if s.uncertain else "")


def score_label(result: Result) -> str:
    return f"{result.score}/{result.max_score}"


def title_line(result: Result, name: str) -> str:
    flag = "  ·  PROVISIONAL" if result.provisional else ""
    left_out = f" ({result.not_marked_cases} not marked)" if result.not_marked_cases else ""
    return f"{name}  ·  {result.framework.label}  ·  {result.cases} cases{left_out}{flag}"
