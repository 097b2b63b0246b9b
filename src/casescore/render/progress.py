"""Marking progress as plain data (JSON, CSV rows), as Rich tables (a bar per row on a terminal) and as
Markdown."""

from __future__ import annotations

from rich.console import ConsoleRenderable, Group
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from casescore import scoring
from casescore.progress import READY, Cases, Filled, GroupProgress, Progress, StandardProgress
from casescore.render.markdown import md
from casescore.render.markdown import table as md_table
from casescore.render.table import rating_text

BAR_WIDTH = 20
CSV_COLUMNS = ["attribute", "value", "level", "id", "name", "filled", "total", "percent", "invalid", "full",
               "partly", "not_started", "status", "note"]


# --- labels --------------------------------------------------------------------------------


def share_label(f: Filled) -> str:
    return "-" if f.share is None else f"{int(100 * f.share)}%"  # rounded down: 99.9% is not yet 100%


def count_label(f: Filled) -> str:
    invalid = f" ({f.invalid} invalid)" if f.invalid else ""
    return f"{f.filled}/{f.total}{invalid}" if f.total else "-"


def cases_label(c: Cases) -> str:
    return f"{c.full} / {c.partly} / {c.not_started}" if c.total else "-"


def title(p: Progress) -> str:
    return f"Marking progress  ·  {p.title}  ·  {p.framework.label}  ·  {p.cases.total} case(s)"


def summary(p: Progress) -> str:
    c, a = p.cases, p.answers
    return (f"Cases: {c.full} fully marked, {c.partly} partly marked, {c.not_started} not started. "
            f"Answers: {a.filled} of {a.total} filled in ({share_label(a)}).")


def not_ready_lines(p: Progress) -> list[str]:
    """The standards that cannot be rated yet, one line each, under a heading line."""
    waiting = p.not_ready
    if not waiting:
        return ["Every standard can be rated."]
    return ["Cannot be rated yet:"] + [f"{s.standard.id} {s.standard.name}: {s.note}" for s in waiting]


# --- plain data ------------------------------------------------------------------------------


def filled_dict(f: Filled) -> dict:
    return {"filled": f.filled, "total": f.total, "blank": f.blank, "invalid": f.invalid, "share": f.share}


def cases_dict(c: Cases) -> dict:
    return {"total": c.total, "full": c.full, "partly": c.partly, "not_started": c.not_started}


def progress_dict(p: Progress) -> dict:
    return {
        "source": p.source,
        "title": p.title,
        "framework": p.framework.id,
        "cases": cases_dict(p.cases),
        "answers": filled_dict(p.answers),
        "standards": [_standard_dict(s) for s in p.standards],
        "by": {attr: [_group_dict(g) for g in groups] for attr, groups in p.by.items()},
        "not_ready": [s.standard.id for s in p.not_ready],
        "rating": _rating_dict(p),
        "problems": p.problems,
        "warnings": p.warnings,
    }


def _standard_dict(s: StandardProgress) -> dict:
    return {"id": s.standard.id, "name": s.standard.name, "method": s.standard.method, "status": s.status,
            "note": s.note, "answers": filled_dict(s.answers), "cases": cases_dict(s.cases),
            "key_questions": [{"id": q.question.id, "text": q.question.text, "answers": filled_dict(q.answers),
                               "prompts": filled_dict(q.prompts)} for q in s.key_questions]}


def _group_dict(g: GroupProgress) -> dict:
    return {"value": g.value, "cases": cases_dict(g.cases), "answers": filled_dict(g.answers),
            "standards": {sid: filled_dict(f) for sid, f in g.standards.items()}}


def _rating_dict(p: Progress) -> dict:
    r = p.rating
    if r is None:
        return {"provisional": None, "note": p.rating_note}
    return {"provisional": r.provisional, "note": p.rating_note, "cases": r.cases,
            "standards": [{"id": s.standard.id, "name": s.standard.name, "rating": s.rating} for s in r.standards],
            "score": r.score, "max_score": r.max_score, "overall_rating": r.overall_rating, "warnings": r.warnings}


def csv_rows(p: Progress) -> list[dict]:
    rows = [_row("", "", "marking", "", p.title, p.answers, p.cases)]
    for s in p.standards:
        rows.append(_row("", "", "standard", s.standard.id, s.standard.name, s.answers, s.cases, s.status, s.note))
        rows += [_row("", "", "key question", q.question.id, q.question.text, q.answers) for q in s.key_questions]
    names = {s.standard.id: s.standard.name for s in p.standards}
    for attr, groups in p.by.items():
        for g in groups:
            rows.append(_row(attr, g.value, "marking", "", p.title, g.answers, g.cases))
            rows += [_row(attr, g.value, "standard", sid, names[sid], f) for sid, f in g.standards.items()]
    return rows


def _row(attr: str, value: str, level: str, qid: str, name: str, f: Filled, c: Cases | None = None,
         status: str = "", note: str = "") -> dict:
    cases = {"full": c.full, "partly": c.partly, "not_started": c.not_started} if c and c.total else {}
    return {"attribute": attr, "value": value, "level": level, "id": qid, "name": name, "filled": f.filled,
            "total": f.total, "percent": None if f.share is None else round(100 * f.share, 1),
            "invalid": f.invalid, **cases, "status": status, "note": note}


# --- Rich --------------------------------------------------------------------------------------


def render_table(p: Progress, bars: bool) -> Group:
    parts: list[ConsoleRenderable] = [Text(title(p), style="bold"), Text(summary(p)), Text(), _standards_table(p, bars)]
    for attr, groups in p.by.items():
        parts += [Text(), _groups_table(attr, groups, bars), Text(), _group_standards_table(p, attr, groups)]
    parts += [Text(), _not_ready_part(p), Text(), Text(p.rating_note, style="bold")]
    return Group(*parts, *([_rating_table(p.rating)] if p.rating else []))


def _bar(f: Filled) -> ProgressBar | Text:
    if not f.total:
        return Text("")
    return ProgressBar(total=f.total, completed=f.filled, width=BAR_WIDTH,
                       complete_style="green" if f.filled == f.total else "yellow", finished_style="green")


def _new_table(title: str, headers: list[str], bars: bool, at: int) -> Table:
    """A table with, on a terminal, a bar column at position `at` (just after the percentage)."""
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for j, header in enumerate(_with_bar(headers, "", bars, at)):
        # fold, never cut: on a narrow terminal a figure wraps rather than losing its digits
        table.add_column(header, justify="left" if j == 0 or header == "Status" else "right", overflow="fold",
                         no_wrap=bars and j == at, min_width=16 if j == 0 else None,
                         width=BAR_WIDTH if bars and j == at else None)
    return table


def _with_bar(cells: list, bar, bars: bool, at: int) -> list:
    return cells[:at] + [bar] + cells[at:] if bars else cells


STANDARD_HEADERS, STANDARD_BAR = ["Standard / key question", "Filled", "%", "Prompts", "Cases", "Status"], 3
GROUP_HEADERS, GROUP_BAR = ["Cases", "Full", "Partly", "Not started", "Filled", "%"], 7  # after the group's name


def _standards_table(p: Progress, bars: bool) -> Table:
    table = _new_table("By standard (cases: full / partly / not started)", STANDARD_HEADERS, bars, STANDARD_BAR)
    for s in p.standards:
        status = Text(f"{s.status}: {s.note}", style="green" if s.status == READY else "")
        cells = [Text(f"{s.standard.id} {s.standard.name}", style="bold"), count_label(s.answers),
                 share_label(s.answers), "", cases_label(s.cases), status]
        table.add_row(*_with_bar(cells, _bar(s.answers), bars, STANDARD_BAR))
        for q in s.key_questions:
            prompts = share_label(q.prompts) if q.prompts.total else ""
            cells = [Text(f"  {q.question.id} {q.question.text}"), count_label(q.answers), share_label(q.answers),
                     prompts, "", ""]
            table.add_row(*_with_bar(cells, _bar(q.answers), bars, STANDARD_BAR), style="dim")
    return table


def _groups_table(attr: str, groups: list[GroupProgress], bars: bool) -> Table:
    table = _new_table(f"By {attr}", [attr, *GROUP_HEADERS], bars, GROUP_BAR)
    for g in groups:
        c = g.cases
        cells = [Text(g.value), str(c.total), str(c.full), str(c.partly), str(c.not_started),
                 count_label(g.answers), share_label(g.answers)]
        table.add_row(*_with_bar(cells, _bar(g.answers), bars, GROUP_BAR))
    return table


def _group_standards_table(p: Progress, attr: str, groups: list[GroupProgress]) -> Table:
    """Each group's share filled in, standard by standard: who is behind on what."""
    ids = [s.standard.id for s in p.standards if s.answers.total]
    table = Table(title=f"Answers filled in, by {attr} and standard", title_justify="left", show_edge=False,
                  pad_edge=False)
    table.add_column(attr, overflow="fold")
    for sid in ids:
        table.add_column(sid, justify="right", no_wrap=True)
    for g in groups:
        table.add_row(Text(g.value), *(share_label(g.standards[sid]) for sid in ids))
    return table


def _not_ready_part(p: Progress) -> Text:
    first, *rest = not_ready_lines(p)
    return Text("\n".join([first, *(f"  {line}" for line in rest)]))


def _rating_table(r: scoring.Result) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Standard", overflow="fold")
    table.add_column("Rating", no_wrap=True)
    for s in r.standards:
        table.add_row(Text(f"{s.standard.id} {s.standard.name}"), rating_text(s.rating))
    table.add_section()
    overall = rating_text(r.overall_rating) if r.overall_rating else Text("no overall rating", style="dim")
    table.add_row(Text(f"Overall (score {r.score}/{r.max_score})", style="bold"), overall)
    return table


# --- Markdown ----------------------------------------------------------------------------------


def render_markdown(p: Progress) -> str:
    lines = [f"# {md(title(p))}", "", md(summary(p)), "", "## By standard", ""]
    rows = []
    for s in p.standards:
        rows.append([f"**{md(s.standard.id)} {md(s.standard.name)}**", count_label(s.answers), share_label(s.answers),
                     cases_label(s.cases), md(f"{s.status}: {s.note}")])
        rows += [[md(f"{q.question.id} {q.question.text}"), count_label(q.answers), share_label(q.answers), "", ""]
                 for q in s.key_questions]
    lines += md_table(["Standard / key question", "Filled", "%", "Cases (full / partly / not started)", "Status"],
                      rows)
    for attr, groups in p.by.items():
        ids = [s.standard.id for s in p.standards if s.answers.total]
        lines += ["", f"## By {md(attr)}", ""]
        lines += md_table([md(attr), "Cases", "Full", "Partly", "Not started", "Filled", "%", *ids],
                          [[md(g.value), str(g.cases.total), str(g.cases.full), str(g.cases.partly),
                            str(g.cases.not_started), count_label(g.answers), share_label(g.answers),
                            *(share_label(g.standards[sid]) for sid in ids)] for g in groups])
    first, *rest = not_ready_lines(p)
    lines += ["", f"**{md(first)}**", ""] + [f"- {md(line)}" for line in rest]
    lines += ["", "## Rating now", "", md(p.rating_note)]
    if p.rating is not None:
        rows = [[md(f"{s.standard.id} {s.standard.name}"), md(s.rating)] for s in p.rating.standards]
        rows.append([f"**Overall** (score {p.rating.score}/{p.rating.max_score})", md(p.rating.overall_rating)])
        lines += [""] + md_table(["Standard", "Rating"], rows)
    if p.warnings:
        lines += ["", "## Warnings", ""] + [f"- {md(w)}" for w in p.warnings]
    return "\n".join(lines) + "\n"
