"""Results as plain data (dicts and rows): the single source for JSON, CSV and Markdown."""

from __future__ import annotations

from casescore.scoring import QuestionResult, Result, StandardResult


def question_dict(q: QuestionResult, with_band: bool = True) -> dict:
    t = q.tally
    out = {"id": q.question.id, "text": q.question.text, "yes": t.yes, "no": t.no, "na": t.na,
           "relevant": t.relevant, "percent": t.percent}
    if t.blank:
        out["unmarked"] = t.blank
    if with_band:
        out["band"] = q.band
        out["prompts"] = [question_dict(p, with_band=False) for p in q.prompts]
    return out


def standard_dict(s: StandardResult) -> dict:
    return {
        "id": s.standard.id, "name": s.standard.name, "domain": s.standard.domain,
        "method": s.standard.method, "scored": s.standard.scored, "rating": s.rating,
        "points": s.points, "basis": s.basis, "deciding": s.deciding,
        "key_questions": [question_dict(q) for q in s.key_questions],
    }


def result_dict(result: Result, source: str | None = None) -> dict:
    return {
        "framework": result.framework.id,
        "source": source,
        "cases": result.cases,
        "standards": [standard_dict(s) for s in result.standards],
        "score": result.score,
        "max_score": result.max_score,
        "overall_rating": result.overall_rating,
        "provisional": result.provisional,
        "warnings": result.warnings,
    }


CSV_COLUMNS = ["standard", "standard_name", "question", "kind", "text", "yes", "no", "na", "relevant",
               "percent", "band", "standard_rating"]


def question_rows(result: Result) -> list[dict]:
    """One row per key question and prompt, in framework order."""
    rows = []
    for s in result.standards:
        for kq in s.key_questions:
            for q in [kq, *kq.prompts]:
                t = q.tally
                rows.append({
                    "standard": s.standard.id, "standard_name": s.standard.name, "question": q.question.id,
                    "kind": q.kind, "text": q.question.text, "yes": t.yes, "no": t.no, "na": t.na,
                    "relevant": t.relevant, "percent": t.percent, "band": q.band, "standard_rating": s.rating,
                })
    return rows


def percent_label(tally) -> str:
    """A percentage as inspection reports print it: a whole number, halves rounded up."""
    from casescore.scoring import round_half_up

    return "-" if tally.fraction is None else f"{round_half_up(tally.fraction)}%"


def deciding_label(s: StandardResult) -> str:
    """Why a standard has its rating, in a few words (the deciding key question if any)."""
    if not s.deciding:
        return s.basis
    by_id = {q.question.id: q for q in s.key_questions}
    return ", ".join(f"{d}  {percent_label(by_id[d].tally)}  ({by_id[d].tally.yes}/{by_id[d].tally.relevant})"
                     for d in s.deciding)


def score_label(result: Result) -> str:
    return f"{result.score}/{result.max_score}"


def title_line(result: Result, name: str) -> str:
    flag = "  ·  PROVISIONAL" if result.provisional else ""
    return f"{name}  ·  {result.framework.id}  ·  {result.cases} cases{flag}"
