"""The rating tables as Markdown (for wikis, tickets and reports)."""

from __future__ import annotations

from casescore.render.data import count_label, deciding_label, interval_label, percent_label, score_label, title_line
from casescore.scoring import Result


def _cell(text) -> str:
    return str(text if text is not None else "-").replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _cells(q, result: Result) -> list:
    t = q.tally
    return [t.yes, t.no, t.na, t.relevant, percent_label(t, result.min_n), interval_label(t, result.confidence)]


def render(result: Result, name: str, prompts: bool = False) -> str:
    lines = [f"# {title_line(result, name)}", ""]
    rows = [[f"{s.standard.id} {s.standard.name}", s.rating, deciding_label(s)] for s in result.standards]
    rows.append(["**Overall**", result.overall_rating or "no overall rating", f"score {score_label(result)}"])
    lines += _table(["Standard", "Rating", "Basis / deciding key question"], rows)
    for s in result.standards:
        if not s.key_questions:
            continue
        lines += ["", f"## {s.standard.id} {s.standard.name}: {s.rating or 'not rated'}", ""]
        columns = [(a, v) for a, groups in s.key_questions[0].by.items() for v in groups]
        rows = []
        for kq in s.key_questions:
            mark = "**" if kq.question.id in s.deciding else ""
            rows.append([f"{mark}{kq.question.id} {kq.question.text}{mark}", *_cells(kq, result), kq.band,
                         *(count_label(kq.by[a][v], result.min_n) for a, v in columns)])
            for p in kq.prompts if prompts else ():
                rows.append([f"&nbsp;&nbsp;{p.question.id} {p.question.text}", *_cells(p, result), "",
                             *(count_label(p.by[a][v], result.min_n) for a, v in columns)])
        ci = f"{result.confidence:.0%} CI"
        lines += _table(["Key question", "Yes", "No", "N/A", "Relevant", "%", ci, "Band",
                         *(f"{a}: {v}" for a, v in columns)], rows)
    if result.warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in result.warnings]
    return "\n".join(lines) + "\n"
