"""A Comparison as plain data (JSON, CSV rows), as Rich tables and as Markdown."""

from __future__ import annotations

from typing import NamedTuple

from casescore.compare import Change, Comparison
from casescore.render.data import count_label, score_label, tally_dict
from casescore.scoring import Result


class Side(NamedTuple):
    """How one file of a comparison is named: its path for machines, its title for people."""

    source: str
    title: str

    @classmethod
    def of(cls, marking) -> Side:
        return cls(marking.source, marking.title)


def _side(result: Result, side: Side) -> dict:
    return {"source": side.source, "title": side.title, "framework": result.framework.id, "cases": result.cases,
            "score": result.score, "max_score": result.max_score, "overall_rating": result.overall_rating}


def change_dict(c: Change) -> dict:
    ci = c.interval
    return {"before": tally_dict(c.before, c.confidence), "after": tally_dict(c.after, c.confidence),
            "change": c.points, "change_ci_low": ci and ci[0], "change_ci_high": ci and ci[1],
            "significant": c.significant}


def comparison_dict(cmp: Comparison, sources: tuple[Side, Side]) -> dict:
    before_std = {s.standard.id: s for s in cmp.before.standards}
    questions = []
    for qc in cmp.questions:
        item = {"id": qc.question.question.id, "kind": qc.question.kind, "standard": qc.standard.standard.id,
                "text": qc.question.question.text, **change_dict(qc.change)}
        if qc.by:
            item["by"] = {a: {v: change_dict(c) for v, c in groups.items()} for a, groups in qc.by.items()}
        questions.append(item)
    return {
        "framework": cmp.after.framework.id,
        "confidence": cmp.confidence,
        "before": _side(cmp.before, sources[0]),
        "after": _side(cmp.after, sources[1]),
        "standards": [{"id": s.standard.id, "name": s.standard.name, "before": before_std[s.standard.id].rating,
                       "after": s.rating} for s in cmp.after.standards],
        "questions": questions,
        "only_before": cmp.only_before,
        "only_after": cmp.only_after,
        "warnings": comparison_warnings(cmp),
    }


def comparison_warnings(cmp: Comparison) -> list[str]:
    """What makes the two sides less comparable than they look, then each side's own warnings."""
    before, after = cmp.before, cmp.after
    out = []
    if before.framework.id != after.framework.id:
        out.append(f"the files are rated under different frameworks (before {before.framework.id}, after "
                   f"{after.framework.id}): ratings, scores and questions may not mean the same")
    if before.max_score != after.max_score:
        counted = [{s.standard.id for s in r.standards if s.standard.scored and s.points is not None}
                   for r in (before, after)]
        differ = ", ".join(sorted(counted[0] ^ counted[1])) or "none"
        out.append(f"the maximum scores differ (before {before.max_score}, after {after.max_score}; standards "
                   f"counted in only one: {differ}): compare the scores as shares of their maximum")
    return out + [f"before: {w}" for w in before.warnings] + [f"after: {w}" for w in after.warnings]


CSV_COLUMNS = ["standard", "question", "kind", "attribute", "value", "before_yes", "before_relevant",
               "before_percent", "after_yes", "after_relevant", "after_percent", "change", "change_ci_low",
               "change_ci_high", "significant"]


def comparison_rows(cmp: Comparison) -> list[dict]:
    rows = []
    for qc in cmp.questions:
        pairs = [("", "", qc.change)] + [(a, v, c) for a, groups in qc.by.items() for v, c in groups.items()]
        for attr, value, c in pairs:
            ci = c.interval
            rows.append({"standard": qc.standard.standard.id, "question": qc.question.question.id,
                         "kind": qc.question.kind, "attribute": attr, "value": value,
                         "before_yes": c.before.yes, "before_relevant": c.before.relevant,
                         "before_percent": c.before.percent, "after_yes": c.after.yes,
                         "after_relevant": c.after.relevant, "after_percent": c.after.percent,
                         "change": c.points, "change_ci_low": ci and ci[0], "change_ci_high": ci and ci[1],
                         "significant": c.significant})
    return rows


def heading(cmp: Comparison, sources: tuple[Side, Side]) -> str:
    before, after = cmp.before, cmp.after
    frameworks = after.framework.label if before.framework.label == after.framework.label else \
        f"{before.framework.label} -> {after.framework.label}"
    return (f"{sources[0].title} ({before.cases} cases)  ->  {sources[1].title} ({after.cases} cases)  ·  "
            f"{frameworks}")


def change_label(c: Change) -> str:
    return "-" if c.points is None else f"{c.points:+.0f} pp"


def interval_label(c: Change) -> str:
    ci = c.interval
    return "" if ci is None else f"{ci[0]:+.0f} to {ci[1]:+.0f}"


def render_table(cmp: Comparison, sources: tuple[Side, Side], prompts: bool = False):
    from rich.console import Group, JustifyMethod, RenderableType
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from casescore.render.table import rating_text

    before, after = cmp.before, cmp.after
    head = Text(heading(cmp, sources), style="bold")
    ratings = Table(title="Ratings", title_justify="left", show_edge=False, pad_edge=False)
    for col in ("Standard", "Before", "After"):
        ratings.add_column(col)
    before_std = {s.standard.id: s for s in before.standards}
    for s in after.standards:
        ratings.add_row(escape(f"{s.standard.id} {s.standard.name}"), rating_text(before_std[s.standard.id].rating),
                        rating_text(s.rating))
    ratings.add_section()
    ratings.add_row("Score", score_label(before), score_label(after))
    ratings.add_row("Overall", rating_text(before.overall_rating), rating_text(after.overall_rating))
    ci = f"{cmp.confidence:.0%} CI of change"
    table = Table(title="Questions (* few relevant cases; ! interval excludes no change)", title_justify="left",
                  show_edge=False, pad_edge=False)
    columns: list[tuple[str, JustifyMethod]] = [("Question", "left"), ("Before", "right"), ("After", "right"),
                                                ("Change", "right"), (ci, "right"), ("", "left")]
    for col, justify in columns:
        table.add_column(col, justify=justify, overflow="fold", ratio=1 if col == "Question" else None)
    for qc in cmp.questions:
        if qc.question.kind == "prompt" and not prompts:
            continue
        rows = [(f"{qc.question.question.id} {qc.question.question.text}", qc.change)]
        rows += [(f"   {a}: {v}", c) for a, groups in qc.by.items() for v, c in groups.items()]
        for label, c in rows:
            table.add_row(escape(label), count_label(c.before, before.min_n, before.framework),
                          count_label(c.after, after.min_n, after.framework),
                          change_label(c), interval_label(c), "!" if c.significant else "",
                          style="dim" if qc.question.kind == "prompt" else None)
    parts: list[RenderableType] = [head, Text(), ratings, Text(), table]
    if cmp.only_before or cmp.only_after:
        parts += [Text(), Text(f"Only before: {', '.join(cmp.only_before) or 'none'}"),
                  Text(f"Only after: {', '.join(cmp.only_after) or 'none'}")]
    return Group(*parts)


def render_markdown(cmp: Comparison, sources: tuple[Side, Side], prompts: bool = False) -> str:
    from casescore.render.markdown import md, table

    before, after = cmp.before, cmp.after
    before_std = {s.standard.id: s for s in before.standards}
    rows = [[md(f"{s.standard.id} {s.standard.name}"), md(before_std[s.standard.id].rating), md(s.rating)]
            for s in after.standards]
    rows += [["**Score**", md(score_label(before)), md(score_label(after))],
             ["**Overall**", md(before.overall_rating), md(after.overall_rating)]]
    lines = [f"# {md(heading(cmp, sources))}", "", *table(["Standard", "Before", "After"], rows), "",
             "## Questions", ""]
    lines += table(["Question", "Before", "After", "Change", md(f"{cmp.confidence:.0%} CI of change"), ""],
                   _markdown_question_rows(cmp, prompts))
    lines += ["", md("* few relevant cases; ! the interval of the change excludes no change")]
    if cmp.only_before or cmp.only_after:
        lines += ["", f"Only before: {md(', '.join(cmp.only_before) or 'none')}", "",
                  f"Only after: {md(', '.join(cmp.only_after) or 'none')}"]
    warnings = comparison_warnings(cmp)
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {md(w)}" for w in warnings]
    return "\n".join(lines) + "\n"


def _markdown_question_rows(cmp: Comparison, prompts: bool) -> list[list[str]]:
    from casescore.render.markdown import md

    before, after = cmp.before, cmp.after
    rows = []
    for qc in cmp.questions:
        if qc.question.kind == "prompt" and not prompts:
            continue
        indent = "&nbsp;&nbsp;" if qc.question.kind == "prompt" else ""
        pairs = [(indent + md(f"{qc.question.question.id} {qc.question.question.text}"), qc.change)]
        pairs += [(f"{indent}&nbsp;&nbsp;{md(f'{a}: {v}')}", c)
                  for a, groups in qc.by.items() for v, c in groups.items()]
        rows += [[label, md(count_label(c.before, before.min_n, before.framework)),
                  md(count_label(c.after, after.min_n, after.framework)), md(change_label(c)), md(interval_label(c)),
                  "!" if c.significant else ""] for label, c in pairs]
    return rows
