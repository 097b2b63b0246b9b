"""An Agreement as plain data (JSON, CSV rows), as Rich tables and as Markdown.

What a lead needs first comes first: whether any rating changes between markers, then how well the
markers agree on each question, then every disagreement to talk through.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from casescore import answers
from casescore.agreement import (
    ALPHA,
    FLAG_NOTES,
    NO_INTERVAL,
    Agreement,
    Disagreement,
    QuestionAgreement,
    level_label,
    method_note,
)
from casescore.render.markdown import md
from casescore.render.markdown import table as md_table
from casescore.render.table import Column, Row, rating_text, table_of

ORDERS = ("question", "case")  # how the disagreements can be listed
QUESTION_COLUMNS = ["standard", "question", "kind", "text", "markers", "compared", "raw_agreement", "coefficient",
                    "value", "ci_low", "ci_high", "chance_agreement", "yes", "no", "na", "disagreements", "unmarked",
                    "flags"]
DISAGREEMENT_COLUMNS = ["case", "standard", "question", "kind", "about"]  # then one column per marker


# --- labels --------------------------------------------------------------------------------


def answer_label(code: int) -> str:
    return answers.NAMES.get(code, "-")  # "-": this marker gave no answer


def percent(share: float | None) -> str:
    return "-" if share is None else f"{int(100 * share + 0.5)}%"  # halves up, as reports print


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def interval(q: QuestionAgreement) -> str:
    e = q.estimate
    return "-" if e.low is None or e.high is None else f"{e.low:.2f} to {e.high:.2f}"


def symbol(a: Agreement) -> str:
    return "alpha" if a.coefficient == ALPHA else "kappa"


def title(a: Agreement) -> str:
    return (f"Agreement  ·  {a.framework.label}  ·  {len(a.markers)} markers  ·  "
            f"{len(a.cases)} case(s) compared")


def changes_line(a: Agreement) -> str:
    r = a.ratings
    if r is None:
        return "Ratings are not compared: no case is in every file."
    changed = r.changed
    if not changed:
        return f"No rating changes between markers on the {len(r.cases)} case(s) every marker marked."
    return f"Ratings that change between markers: {', '.join(changed)}."


def legend(a: Agreement, prompts: bool) -> list[str]:
    """What the flags and a missing interval shown in the question table mean."""
    shown = [q for q in a.questions if prompts or q.kind == "key question"]
    flagged = sorted({f for q in shown for f in q.flags})
    notes = [f"{f}: {FLAG_NOTES[f]}" for f in flagged]
    if any(q.estimate.value is not None and q.estimate.low is None for q in shown):
        notes.append(NO_INTERVAL)
    return notes


def ordered(a: Agreement, order: str = "question", prompts: bool = True) -> list[Disagreement]:
    """The disagreements by question (framework order), or by case (the order cases first appear)."""
    rows = [d for d in a.disagreements if prompts or d.kind == "key question"]
    if order == "case":
        position = {cid: i for i, cid in enumerate(a.cases)}
        rows.sort(key=lambda d: position[d.case])  # stable: questions stay in framework order
    return rows


# --- plain data ------------------------------------------------------------------------------


def agreement_dict(a: Agreement, order: str = "question") -> dict:
    names = [m.name for m in a.markers]
    return {
        "framework": a.framework.id,
        "coefficient": a.coefficient,
        "method": method_note(a.coefficient, a.options),
        "confidence": a.options.confidence,
        "min_n": a.options.min_n,
        **({"bootstrap": {"replicates": a.options.replicates, "seed": a.options.seed}} if a.coefficient == ALPHA
           else {}),
        "markers": [{"name": m.name, "source": m.source, "title": m.title, "cases": m.cases,
                     "not_marked_cases": m.not_marked_cases, "only_here": list(m.only_here)} for m in a.markers],
        "cases_compared": len(a.cases),
        "ratings": _ratings_dict(a),
        "questions": [_question_dict(q) for q in a.questions],
        "disagreements": [{**_disagreement_base(d), "answers": dict(zip(names, map(_answer_or_none, d.answers),
                                                                        strict=True))}
                          for d in ordered(a, order)],
        "only_one_file": a.only_one_file,
        "flags": FLAG_NOTES,
        "warnings": a.warnings,
    }


def _answer_or_none(code: int) -> str | None:
    return answers.NAMES.get(code)


def _ratings_dict(a: Agreement) -> dict | None:
    r = a.ratings
    if r is None:
        return None
    return {
        "cases": len(r.cases),
        "case_ids": list(r.cases),
        "markers": [{"name": m.name, "score": res.score, "max_score": res.max_score,
                     "overall_rating": res.overall_rating, "provisional": res.provisional}
                    for m, res in zip(a.markers, r.results, strict=True)],
        "standards": [{"id": s.standard.id, "name": s.standard.name, "ratings": list(s.ratings),
                       "changes": s.changes} for s in r.standards],
        "overall_changes": r.overall_changes if r.comparable_overall else None,
        "changed": r.changed,
    }


def _question_dict(q: QuestionAgreement) -> dict:
    e = q.estimate
    yes, no, na = q.answers
    return {"id": q.question.id, "kind": q.kind, "standard": q.standard.id, "text": q.question.text,
            "markers": q.markers, "compared": e.n, "raw_agreement": e.observed, "coefficient": e.value,
            "ci_low": e.low, "ci_high": e.high, "chance_agreement": e.chance,
            "answers": {"yes": yes, "no": no, "na": na}, "disagreements": q.disagreements,
            "unmarked": q.unmarked, "flags": list(q.flags)}


def _disagreement_base(d: Disagreement) -> dict:
    return {"case": d.case, "standard": d.standard, "question": d.question, "kind": d.kind, "about": d.about}


def question_rows(a: Agreement) -> list[dict]:
    rows = []
    for q in a.questions:
        item = _question_dict(q)
        counts = item.pop("answers")
        rows.append({**item, **counts, "question": q.question.id, "coefficient": a.coefficient,
                     "value": q.estimate.value, "flags": " ".join(q.flags)})
    return rows


def disagreement_columns(a: Agreement) -> list[str]:
    return DISAGREEMENT_COLUMNS + [m.name for m in a.markers]


def disagreement_rows(a: Agreement, order: str) -> list[dict]:
    names = [m.name for m in a.markers]
    return [{**_disagreement_base(d), **dict(zip(names, map(answer_label, d.answers), strict=True))}
            for d in ordered(a, order)]


# --- Rich --------------------------------------------------------------------------------------


def render_table(a: Agreement, order: str, prompts: bool, disagreements_only: bool = False) -> Group:
    if disagreements_only:
        return Group(_disagreement_table(a, order, prompts))
    parts = [Text(title(a), style="bold"), Text(method_note(a.coefficient, a.options), style="dim"), Text(),
             _marker_table(a), Text()]
    if a.ratings is not None:
        parts += [_ratings_table(a), Text()]
    parts += [Text(changes_line(a), style="bold"), Text(), _question_table(a, prompts)]
    parts += [Text(note, style="dim") for note in legend(a, prompts)]
    return Group(*parts, Text(), _disagreement_table(a, order, prompts))


def _marker_table(a: Agreement):
    rows = [Row([m.name, str(m.cases), str(m.cases - len(m.only_here)), _only_here(m.only_here)])
            for m in a.markers]
    columns = [Column("Marker", "left", text=True), Column("Cases"), Column("Compared"),
               Column("In this file only (not compared)", "left", text=True)]
    return table_of("Markers", columns, rows)


def _only_here(ids: tuple[str, ...], limit: int = 8) -> str:
    """The count and the first few ids (JSON lists them all)."""
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return f"{len(ids)}: {', '.join(ids[:limit])}{more}" if ids else "0"


def _ratings_table(a: Agreement):
    r = a.ratings
    assert r is not None
    rows = [Row([f"{s.standard.id} {s.standard.name}", *map(rating_text, s.ratings), "changes" if s.changes else ""])
            for s in r.standards]
    rows.append(Row(["Score", *(f"{res.score}/{res.max_score}" for res in r.results), ""]))
    overall = "changes" if r.overall_changes else "" if r.comparable_overall else "not comparable"
    rows.append(Row(["Overall", *(rating_text(res.overall_rating) for res in r.results), overall]))
    provisional = " (PROVISIONAL: some answers unmarked)" if any(res.provisional for res in r.results) else ""
    columns = [Column("Standard", "left", text=True), *(Column(m.name, "left") for m in a.markers),
               Column("Change", "left")]
    return table_of(f"Ratings on the {len(r.cases)} case(s) every marker marked{provisional}", columns, rows)


def _question_table(a: Agreement, prompts: bool):
    rows = [Row([f"{q.question.id} {q.question.text}", str(q.estimate.n), percent(q.estimate.observed),
                 number(q.estimate.value), interval(q), str(q.disagreements), " ".join(q.flags)],
                dim=q.kind == "prompt")
            for q in a.questions if prompts or q.kind == "key question"]
    level = level_label(a.options.confidence)
    columns = [Column("Question", "left", text=True), Column("Cases"), Column("Agree"), Column(symbol(a)),
               Column(f"{level} CI"), Column("Differ"), Column("Flags", "left")]
    return table_of("Agreement by question (Agree: raw agreement; Differ: cases the markers answered differently)",
                    columns, rows)


def _disagreement_table(a: Agreement, order: str, prompts: bool):
    shown = ordered(a, order, prompts)
    rows = [Row([d.question, d.case, *map(answer_label, d.answers), d.about]) for d in shown]
    columns = [Column("Question", "left"), Column("Case", "left"), *(Column(m.name, "left") for m in a.markers),
               Column("About", "left")]
    return table_of(f"Disagreements ({len(shown)}), by {order}", columns, rows)


# --- Markdown ----------------------------------------------------------------------------------


def render_markdown(a: Agreement, order: str, prompts: bool, disagreements_only: bool = False) -> str:
    if disagreements_only:
        return "\n".join(_md_disagreements(a, order, prompts)) + "\n"
    lines = [f"# {md(title(a))}", "", md(method_note(a.coefficient, a.options)), "", "## Markers", ""]
    lines += md_table(["Marker", "Cases", "Compared", "In this file only (not compared)"],
                      [[md(m.name), str(m.cases), str(m.cases - len(m.only_here)), md(_only_here(m.only_here))]
                       for m in a.markers])
    lines += ["", f"**{md(changes_line(a))}**", ""] + _md_ratings(a)
    lines += ["", "## Agreement by question", ""] + _md_questions(a, prompts)
    lines += [""] + _md_disagreements(a, order, prompts)
    if a.warnings:
        lines += ["", "## Warnings", ""] + [f"- {md(w)}" for w in a.warnings]
    return "\n".join(lines) + "\n"


def _md_ratings(a: Agreement) -> list[str]:
    r = a.ratings
    if r is None:
        return []
    rows = [[md(f"{s.standard.id} {s.standard.name}"), *map(md, s.ratings), "**changes**" if s.changes else ""]
            for s in r.standards]
    rows.append(["Score", *(f"{res.score}/{res.max_score}" for res in r.results), ""])
    rows.append(["**Overall**", *(md(res.overall_rating) for res in r.results),
                 "**changes**" if r.overall_changes else ""])
    return [f"## Ratings on the {len(r.cases)} case(s) every marker marked", ""] + md_table(
        ["Standard", *(md(m.name) for m in a.markers), "Change"], rows)


def _md_questions(a: Agreement, prompts: bool) -> list[str]:
    rows = [[md(f"{q.question.id} {q.question.text}"), str(q.estimate.n), percent(q.estimate.observed),
             number(q.estimate.value), interval(q), str(q.disagreements), md(" ".join(q.flags))]
            for q in a.questions if prompts or q.kind == "key question"]
    lines = md_table(["Question", "Cases", "Raw agreement", symbol(a), "CI", "Differ", "Flags"], rows)
    notes = legend(a, prompts)
    return lines + ([""] + [f"- {md(note)}" for note in notes] if notes else [])


def _md_disagreements(a: Agreement, order: str, prompts: bool) -> list[str]:
    shown = ordered(a, order, prompts)
    rows = [[md(d.question), md(d.case), *(md(answer_label(c)) for c in d.answers), d.about] for d in shown]
    return [f"## Disagreements ({len(shown)}), by {order}", ""] + md_table(
        ["Question", "Case", *(md(m.name) for m in a.markers), "About"], rows)
