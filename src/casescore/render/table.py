"""Rich tables that read like a report's ratings page and key-question tables.

No value is dropped or cut to fit the width. Each standard's key questions take the first shape
whose minimum width fits: breakdowns beside the figures; breakdowns as a table of their own per
attribute (one group per row when even that is too wide); question ids only, with the texts listed
under the table. Figures never wrap, except when the width is narrower than every shape: then Rich
folds them onto a second line rather than cropping them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Group, JustifyMethod, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

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
from casescore.scoring import QuestionResult, Result, StandardResult

# The inspectorate's colours; the rating's words are always printed, so nothing relies on colour.
RATING_STYLES = {
    "Outstanding": "bold green4",
    "Good": "green3",
    "Requires improvement": "dark_orange",
    "Inadequate": "bold red",
}
UNLIMITED = 10_000  # wider than any table: measuring at this width gives a table's own widths
TEXT_MIN = 24  # narrower than this, question text reads one word a line: list it under the table instead
RELEVANT_SHORT, RELEVANT_KEY = "Rel.", "relevant cases (yes + no; N/A and unmarked are left out)"


def rating_text(rating: str | None) -> Text:
    return Text(rating or "-", style=RATING_STYLES.get(rating or "", "dim"))


def show(console, renderable) -> None:
    """Print at the terminal's width; to a file or pipe at the renderable's natural width, because no
    width was chosen there and an assumed 80 columns would wrap every table (COLUMNS, if set, wins)."""
    if not console.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        console.width = max(1, _measure(console, renderable).maximum)
    console.print(renderable)


def _measure(console, renderable) -> Measurement:
    return Measurement.get(console, console.options.update_width(UNLIMITED), renderable)


def render(result: Result, name: str, prompts: bool = False) -> Group:
    parts: list[RenderableType] = [Text(title_line(result, name), style="bold"), Text(), _summary(result)]
    if any(shows_decimal(q.tally, result.framework) for s in result.standards for q in s.key_questions
           if q.question.id in s.deciding):
        parts.append(Text(DECIMAL_KEY, style="dim"))
    for s in result.standards:
        if s.key_questions:
            parts += [Text(), Section(s, result, prompts)]
    return Group(*parts)


def _summary(result: Result) -> Table:
    overall = rating_text(result.overall_rating) if result.overall_rating else Text("no overall rating", style="dim")
    ratings = [rating_text(s.rating) for s in result.standards] + [overall]
    table = Table(title="Ratings", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Standard", overflow="fold")
    # a rating is kept on one line; folded (never cut) only where the screen is narrower than any layout
    table.add_column("Rating", no_wrap=True, overflow="fold", min_width=max(map(_width, ratings)))
    table.add_column("Basis / deciding key question", overflow="fold")
    for s, rating in zip(result.standards, ratings, strict=False):
        suffix = "" if s.standard.scored or s.standard.method == "unrated" else "  (not scored)"
        table.add_row(Text(f"{s.standard.id} {s.standard.name}"), rating,
                      Text(deciding_label(s, result.framework) + suffix))
    table.add_section()
    table.add_row(Text("Overall", style="bold"), overall, f"score {score_label(result)}")
    return table


# --- one standard's key questions -------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    justify: JustifyMethod = "right"
    text: bool = False  # the one column that may wrap (question text, group names); figures never do


@dataclass(frozen=True)
class Row:
    cells: list  # str or Text, one per column
    dim: bool = False  # prompts


def table_of(title, columns: list[Column], rows: list[Row], fold: bool = False, lines: bool = True) -> Table:
    """A table whose figure columns are as wide as their widest cell, so that Rich's minimum width
    (what the layouts are chosen by) is the width at which nothing has to be cut. lines=False drops
    the column rules, two characters a column, for the narrowest shape."""
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False,
                  box=box.HEAVY_HEAD if lines else None)
    for j, col in enumerate(columns):
        cells = [_text(row.cells[j]) for row in rows]
        if col.text or fold:
            widest = max((_width(c) for c in cells), default=1)
            table.add_column(_text(col.header), justify=col.justify, overflow="fold",
                             min_width=None if fold else min(TEXT_MIN, widest))
        else:
            table.add_column(_text(col.header), justify=col.justify, no_wrap=True,
                             min_width=max([_width(_text(col.header)), *map(_width, cells)]))  # rows may be none
    for row in rows:
        table.add_row(*map(_text, row.cells), style="dim" if row.dim else None)
    return table


def _text(cell) -> Text:
    return cell if isinstance(cell, Text) else Text(str(cell))  # Text: marking text is never read as markup


def _width(text: Text) -> int:
    return max(cell_len(line) for line in text.plain.split("\n"))


@dataclass
class Section:
    """A standard's key-question tables, in the first shape that fits the width they are given."""

    standard: StandardResult
    result: Result
    prompts: bool

    def __rich_console__(self, console, options):
        yield from self.layout(console, options.max_width)

    def __rich_measure__(self, console, options):
        narrowest = _measure(console, Group(*self.compact(console, 0, fold=True))).minimum
        return Measurement(narrowest, _measure(console, Group(*self.inline())).maximum)

    def layout(self, console, width: int) -> list:
        for shape in (self.inline, lambda: self.split(console, width), lambda: self.compact(console, width)):
            parts = shape()
            if all(_fits(console, part, width) for part in parts):
                return parts
        return self.compact(console, width, fold=True)

    def questions(self) -> list[QuestionResult]:
        return [q for kq in self.standard.key_questions for q in [kq, *(kq.prompts if self.prompts else ())]]

    def groups(self, attr: str | None = None) -> list[tuple[str, str]]:
        by = self.standard.key_questions[0].by
        return [(a, value) for a in ([attr] if attr else by) for value in by[a]]

    def inline(self) -> list:
        """Figures and every group's figures on the question's row."""
        return self.main(self.groups(), with_text=True)

    def split(self, console, width: int) -> list:
        return [*self.main([], with_text=True), *self.breakdowns(console, width)]

    def compact(self, console, width: int, fold: bool = False) -> list:
        """Ids and short headers in a table without rules, texts listed under it: the figures keep
        their full width on a narrow screen."""
        key = Table.grid(padding=(0, 1))
        key.add_column(no_wrap=not fold)
        key.add_column(overflow="fold")
        for q in self.questions():
            key.add_row(q.question.id, Text(q.question.text), style="dim" if q.kind == "prompt" else None)
        abbreviation = Text(f"{RELEVANT_SHORT}: {RELEVANT_KEY}", style="dim")
        return [*self.main([], with_text=False, fold=fold), abbreviation, key, *self.breakdowns(console, width, fold)]

    def main(self, groups: list[tuple[str, str]], with_text: bool, fold: bool = False) -> list:
        s, result = self.standard, self.result
        title = Text(f"{s.standard.id} {s.standard.name}: ", style="bold") + rating_text(s.rating or "not rated")
        if groups:
            title += Text(f"  (by {', '.join(s.key_questions[0].by)})")
        single = len({attr for attr, _ in groups}) == 1
        columns = [Column("", "left"), Column("Key question" if with_text else "Question", "left", text=with_text),
                   Column("Yes"), Column("Relevant" if with_text else RELEVANT_SHORT), Column("%"),
                   Column(f"{result.confidence:.0%} CI"), Column("Band", "left"),
                   *(Column(value if single else f"{attr}\n{value}") for attr, value in groups)]
        rows = []
        for q in self.questions():
            mark = (">" if q.question.id in s.deciding else "") + self.decimal_mark(q, groups)
            cells = [mark, self.label(q, with_text), *self.figures(q), *(self.group_label(q, g) for g in groups)]
            rows.append(Row(cells, dim=q.kind == "prompt"))  # No and N/A: see JSON/CSV
        return self.with_key(table_of(title, columns, rows, fold, lines=with_text), rows)

    def breakdowns(self, console, width: int, fold: bool = False) -> list:
        parts = []
        for attr in self.standard.key_questions[0].by:
            wide = self.breakdown(attr, fold)
            parts += [Text(), *(wide if fold or all(_fits(console, p, width) for p in wide) else self.stacked(attr))]
        return parts

    def breakdown(self, attr: str, fold: bool = False) -> list:
        """One attribute's groups as columns, one row per question."""
        groups = self.groups(attr)
        rows = [Row([self.decimal_mark(q, groups, own=False), q.question.id, *(self.group_label(q, g) for g in groups)],
                    q.kind == "prompt") for q in self.questions()]
        columns = [Column("", "left"), Column("Question", "left"), *(Column(value) for _, value in groups)]
        return self.with_key(table_of(self.breakdown_title(attr), columns, rows, fold), rows)

    def stacked(self, attr: str) -> list:
        """One attribute's groups one per row, for when they are too many to sit side by side."""
        rows = [Row([self.decimal_mark(q, [g], own=False), q.question.id, Text(g[1]), self.group_label(q, g)],
                    q.kind == "prompt") for q in self.questions() for g in self.groups(attr)]
        columns = [Column("", "left"), Column("Question", "left"), Column(attr, "left", text=True),
                   Column("Yes/relevant %")]
        return self.with_key(table_of(self.breakdown_title(attr), columns, rows), rows)

    def breakdown_title(self, attr: str) -> Text:
        return Text(f"{self.standard.standard.id} {self.standard.standard.name} by {attr}", style="bold")

    def figures(self, q: QuestionResult) -> list:
        t, result = q.tally, self.result
        band = rating_text(q.band) if q.band else ""
        return [t.yes, t.relevant, percent_label(t, result.min_n, result.framework),
                interval_label(t, result.confidence), band]

    @staticmethod
    def label(q: QuestionResult, with_text: bool) -> str:
        if not with_text:
            return (" " if q.kind == "prompt" else "") + q.question.id
        return ("   " if q.kind == "prompt" else "") + f"{q.question.id} {q.question.text}"

    def group_label(self, q: QuestionResult, group: tuple[str, str]) -> str:
        attr, value = group
        return count_label(q.by[attr][value], self.result.min_n, self.result.framework)

    def decimal_mark(self, q: QuestionResult, groups, own: bool = True) -> str:
        """The row's marker when a percentage it shows needs a decimal (key line under the table)."""
        tallies = ([q.tally] if own else []) + [q.by[attr][value] for attr, value in groups]
        return DECIMAL_MARK if any(shows_decimal(t, self.result.framework) for t in tallies) else ""

    @staticmethod
    def with_key(table: Table, rows: list[Row]) -> list:
        """The table, with the key line of its decimal marker under it when a row carries one."""
        marked = any(DECIMAL_MARK in str(row.cells[0]) for row in rows)
        return [table, Text(DECIMAL_KEY, style="dim")] if marked else [table]


def _fits(console, part, width: int) -> bool:
    """Text wraps to any width; a table fits when its minimum width does."""
    return not isinstance(part, Table) or _measure(console, part).minimum <= width
