"""The rating tables as Markdown (for wikis, tickets and reports)."""

from __future__ import annotations

from casescore.render.data import deciding_label, percent_label, score_label, title_line
from casescore.scoring import Result


def _cell(text) -> str:
    return str(text if text is not None else "-").replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def render(result: Result, name: str, prompts: bool = False) -> str:
    lines = [f"# {title_line(result, name)}", ""]
    rows = [[f"{s.standard.id} {s.standard.name}", s.rating, deciding_label(s)] for s in result.standards]
    rows.append(["**Overall**", result.overall_rating or "no overall rating", f"score {score_label(result)}"])
    lines += _table(["Standard", "Rating", "Basis / deciding key question"], rows)
    for s in result.standards:
        if not s.key_questions:
            continue
        lines += ["", f"## {s.standard.id} {s.standard.name}: {s.rating or 'not rated'}", ""]
        rows = []
        for kq in s.key_questions:
            mark = "**" if kq.question.id in s.deciding else ""
            t = kq.tally
            rows.append([f"{mark}{kq.question.id} {kq.question.text}{mark}", t.yes, t.no, t.na, t.relevant,
                         percent_label(t), kq.band])
            for p in kq.prompts if prompts else ():
                pt = p.tally
                rows.append([f"&nbsp;&nbsp;{p.question.id} {p.question.text}", pt.yes, pt.no, pt.na, pt.relevant,
                             percent_label(pt), ""])
        lines += _table(["Key question", "Yes", "No", "N/A", "Relevant", "%", "Band"], rows)
    if result.warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in result.warnings]
    return "\n".join(lines) + "\n"
