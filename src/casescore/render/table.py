"""Rich tables that read like a report's ratings page and key-question tables."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from casescore.render.data import (count_label, deciding_label, interval_label, percent_label, score_label,
                                   title_line)
from casescore.scoring import Result, StandardResult

# The inspectorate's colours; the rating's words are always printed, so nothing relies on colour.
RATING_STYLES = {
    "Outstanding": "bold green4",
    "Good": "green3",
    "Requires improvement": "dark_orange",
    "Inadequate": "bold red",
}


def rating_text(rating: str | None) -> Text:
    return Text(rating or "-", style=RATING_STYLES.get(rating or "", "dim"))


def render(result: Result, name: str, prompts: bool = False) -> Group:
    parts = [Text(title_line(result, name), style="bold"), Text(), _summary(result)]
    for s in result.standards:
        if s.key_questions:
            parts += [Text(), _questions(s, prompts, result)]
    return Group(*parts)


def _summary(result: Result) -> Table:
    table = Table(title="Ratings", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Standard")
    table.add_column("Rating")
    table.add_column("Basis / deciding key question")
    for s in result.standards:
        suffix = "" if s.standard.scored or s.standard.method == "unrated" else "  (not scored)"
        table.add_row(escape(f"{s.standard.id} {s.standard.name}"), rating_text(s.rating),
                      escape(deciding_label(s) + suffix))
    table.add_section()
    overall = result.overall_rating or "no overall rating"
    table.add_row(Text("Overall", style="bold"), rating_text(result.overall_rating) if result.overall_rating
                  else Text(overall, style="dim"), f"score {score_label(result)}")
    return table


def _questions(s: StandardResult, prompts: bool, result: Result) -> Table:
    heading = f"{s.standard.id} {s.standard.name}: "
    title = Text(heading, style="bold") + rating_text(s.rating if s.rating else "not rated")
    attrs = list(s.key_questions[0].by) if s.key_questions else []
    if attrs:
        title += Text(f"  (by {', '.join(attrs)})")
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("", width=1)
    table.add_column("Key question", ratio=1, overflow="fold", min_width=24)
    for col in ("Yes", "Relevant", "%", f"{result.confidence:.0%} CI"):  # No and N/A: see JSON/CSV
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("Band", no_wrap=True, min_width=20)
    columns = [(attr, value) for attr, groups in (s.key_questions[0].by.items() if s.key_questions else ())
               for value in groups]
    single = len({attr for attr, _ in columns}) == 1
    for attr, value in columns:
        table.add_column(escape(value if single else f"{attr}: {value}"), justify="right")
    for kq in s.key_questions:
        marker = ">" if kq.question.id in s.deciding else ""
        table.add_row(marker, escape(f"{kq.question.id} {kq.question.text}"), *_cells(kq, result),
                      rating_text(kq.band) if kq.band else "", *_by_cells(kq, columns, result))
        for p in kq.prompts if prompts else ():
            table.add_row("", Text(f"   {p.question.id} {p.question.text}"), *_cells(p, result), "",
                          *_by_cells(p, columns, result), style="dim")
    return table


def _cells(q, result: Result) -> list[str]:
    t = q.tally
    return [str(t.yes), str(t.relevant), percent_label(t, result.min_n), interval_label(t, result.confidence)]


def _by_cells(q, columns, result: Result) -> list[str]:
    return [count_label(q.by[attr][value], result.min_n) for attr, value in columns]
