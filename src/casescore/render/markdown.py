"""The rating tables as Markdown (for wikis, tickets and reports)."""

from __future__ import annotations

import re

from casescore.render.data import (
    DECIMAL_KEY,
    DECIMAL_MARK,
    count_label,
    deciding_label,
    interval_label,
    percent_label,
    score_label,
    shows_decimal,
    title_line,
)
from casescore.scoring import Result

# Characters that end a cell (|) or start formatting, a link or HTML, which would hide or reshape
# text from the marking; CommonMark renders any backslash-escaped punctuation as itself.
SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def md(text) -> str:
    """Plain text as Markdown that renders as exactly that text on one line, in a cell or a heading."""
    if text is None:
        return "-"
    return SPECIAL.sub(r"\\\1", " ".join(str(text).splitlines()))  # a line break would end the table row


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table from cells that are already Markdown (see md)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def keyed(lines: list[str], marked: bool) -> list[str]:
    """A table followed by its marker's key line when a row carries the marker (after a blank line:
    a line straight after a table would be read as another row)."""
    return lines + (["", md(DECIMAL_KEY)] if marked else [])


def render(result: Result, name: str, prompts: bool = False) -> str:
    lines = [f"# {md(title_line(result, name))}", ""]
    rows = [[md(f"{s.standard.id} {s.standard.name}"), md(s.rating), md(deciding_label(s, result.framework))]
            for s in result.standards]
    rows.append(["**Overall**", md(result.overall_rating or "no overall rating"), md(f"score {score_label(result)}")])
    decided = [q.tally for s in result.standards for q in s.key_questions if q.question.id in s.deciding]
    lines += keyed(table(["Standard", "Rating", "Basis / deciding key question"], rows),
                   any(shows_decimal(t, result.framework) for t in decided))
    for s in result.standards:
        if s.key_questions:
            lines += ["", f"## {md(s.standard.id)} {md(s.standard.name)}: {md(s.rating or 'not rated')}", ""]
            lines += _questions(s, result, prompts)
    if result.warnings:
        lines += ["", "## Warnings", ""] + [f"- {md(w)}" for w in result.warnings]
    return "\n".join(lines) + "\n"


def _questions(s, result: Result, prompts: bool) -> list[str]:
    groups = [(a, v) for a, values in s.key_questions[0].by.items() for v in values]
    rows, marked = [], False
    for kq in s.key_questions:
        for q in [kq, *(kq.prompts if prompts else ())]:
            tallies = [q.tally, *(q.by[a][v] for a, v in groups)]
            mark = f"{DECIMAL_MARK} " if any(shows_decimal(t, result.framework) for t in tallies) else ""
            marked = marked or bool(mark)
            rows.append([mark + _label(q, s), *_cells(q, result), md(q.band) if q is kq else "",
                         *(md(count_label(q.by[a][v], result.min_n, result.framework)) for a, v in groups)])
    ci = f"{result.confidence:.0%} CI"
    header = ["Key question", "Yes", "No", "N/A", "Relevant", "%", ci, "Band", *(md(f"{a}: {v}") for a, v in groups)]
    return keyed(table(header, rows), marked)


def _label(q, s) -> str:
    text = md(f"{q.question.id} {q.question.text}")
    if q.kind == "prompt":
        return f"&nbsp;&nbsp;{text}"
    return f"**{text}**" if q.question.id in s.deciding else text


def _cells(q, result: Result) -> list[str]:
    t = q.tally
    return [md(t.yes), md(t.no), md(t.na), md(t.relevant), md(percent_label(t, result.min_n, result.framework)),
            md(interval_label(t, result.confidence))]
