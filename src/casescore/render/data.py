"""Results as plain data (dicts and rows): the single source for JSON, CSV and Markdown."""

from __future__ import annotations

from casescore.scoring import QuestionResult, Result, StandardResult, Tally, round_half_up, small


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


def result_dict(result: Result, source: str | None = None) -> dict:
    return {
        "framework": result.framework.id,
        "source": source,
        "cases": result.cases,
        "standards": [standard_dict(s, result.confidence) for s in result.standards],
        "score": result.score,
        "max_score": result.max_score,
        "overall_rating": result.overall_rating,
        "provisional": result.provisional,
        "confidence": result.confidence,
        "min_n": result.min_n,
        "warnings": result.warnings,
    }


CSV_COLUMNS = ["standard", "standard_name", "question", "kind", "text", "attribute", "value", "yes", "no", "na",
               "relevant", "percent", "ci_low", "ci_high", "band", "standard_rating"]


def question_rows(result: Result) -> list[dict]:
    """One row per key question and prompt (framework order), then one per attribute value."""
    rows = []
    for s in result.standards:
        for kq in s.key_questions:
            for q in [kq, *kq.prompts]:
                common = {"standard": s.standard.id, "standard_name": s.standard.name, "question": q.question.id,
                          "kind": q.kind, "text": q.question.text, "standard_rating": s.rating}
                rows.append({**common, **tally_dict(q.tally, result.confidence), "band": q.band})
                for attr, groups in q.by.items():
                    rows += [{**common, "attribute": attr, "value": value, **tally_dict(t, result.confidence)}
                             for value, t in groups.items()]
    return rows


def percent_label(tally, min_n: int = 0) -> str:
    """A percentage as inspection reports print it: a whole number, halves rounded up;
    marked * when it rests on fewer than min_n relevant cases."""
    if tally.fraction is None:
        return "-"
    return f"{round_half_up(tally.fraction)}%" + ("*" if small(tally, min_n) else "")


def interval_label(tally, confidence: float) -> str:
    ci = tally.interval(confidence)
    return "" if ci is None else f"{ci[0]:.0f}-{ci[1]:.0f}"


def count_label(tally, min_n: int) -> str:
    """'16/23 70%' for a compact breakdown cell."""
    return "-" if not tally.relevant else f"{tally.yes}/{tally.relevant} {percent_label(tally, min_n)}"


def deciding_label(s: StandardResult) -> str:
    """Why a standard has its rating, in a few words (the deciding key question if any)."""
    if not s.deciding:
        return s.basis
    by_id = {q.question.id: q for q in s.key_questions}
    text = ", ".join(f"{d}  {percent_label(by_id[d].tally)}  ({by_id[d].tally.yes}/{by_id[d].tally.relevant})"
                     for d in s.deciding)
    return text + (f"; uncertain: could be {' or '.join(s.plausible)}" if s.uncertain else "")


def score_label(result: Result) -> str:
    return f"{result.score}/{result.max_score}"


def title_line(result: Result, name: str) -> str:
    flag = "  ·  PROVISIONAL" if result.provisional else ""
    return f"{name}  ·  {result.framework.id}  ·  {result.cases} cases{flag}"
