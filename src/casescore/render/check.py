"""casescore check's output: what was read, then every problem."""

from __future__ import annotations

from casescore.marking import Marking, Problem, ReadReport
from casescore.reader import Location

PROBLEM_COLUMNS = ["where", "kind", "message", "value", "accepted", "file", "sheet", "row", "column", "cell"]


def read_dict(report: ReadReport, cases: int) -> dict:
    return {"source": report.source, "sheet": report.sheet, "header_row": report.header_row,
            "sheet_note": report.sheet_note, "framework": report.framework,
            "framework_note": report.framework_note, "id_column": report.id_column, "cases": cases,
            "questions": report.questions, "attributes": report.attributes,
            "ignored_columns": report.ignored_columns, "ignored_rows": report.ignored_rows,
            "unused_sheets": report.unused_sheets}


def problem_rows(problems: list[Problem]) -> list[dict]:
    """Each problem with its location as text (`where`) and in parts (file, sheet, row, column, cell)."""
    return [{"where": str(p.where), "kind": str(p.kind), "message": p.message, "value": p.value,
             "accepted": p.accepted, **_location(p.where)} for p in problems]


def _location(where) -> dict:
    if isinstance(where, Location):
        return {"file": where.file, "sheet": where.sheet, "row": where.row, "column": where.column, "cell": where.cell}
    return {"file": str(where), "sheet": None, "row": None, "column": None, "cell": None}


def check_dict(marking: Marking, problems: list[Problem]) -> dict:
    return {"source": marking.source, "cases": marking.cases, "questions": len(marking.answers),
            "read": read_dict(marking.report, marking.cases) if marking.report else None,
            "ok": not problems, "problems": problem_rows(problems)}


def read_lines(report: ReadReport, cases: int) -> list[str]:
    """What was read, as a person reads it: file, sheet, header, cases, columns, and what was left out."""
    where = f"{report.source}, sheet {report.sheet}" if report.sheet else report.source
    header = f", header row {report.header_row}" if report.header_row else ""  # pooled files: one each
    lines = [f"read {where}{header}" + (f" ({report.sheet_note})" if report.sheet_note else "")]
    lines.append(f"  framework {report.framework} ({report.framework_note})")
    lines.append(f"  {cases} case(s), id column '{report.id_column}'")
    if report.questions:
        per = ", ".join(f"{sid}: {n}" for sid, n in report.questions.items())
        lines.append(f"  {sum(report.questions.values())} question column(s) ({per})")
    else:
        lines.append("  no question columns")
    lines.append("  attributes: " + (", ".join(report.attributes) if report.attributes else "none"))
    for c in report.ignored_columns:
        lines.append(f"  not used: column {c['cell']} '{c['header']}' ({c['reason']})")
    for r in report.ignored_rows:
        lines.append(f"  not a case: row {r['row']} '{r['label']}' ({r['reason']})")
    if report.unused_sheets:
        lines.append("  other sheets, not read: " + ", ".join(report.unused_sheets))
    return lines


def markdown(marking: Marking, problems: list[Problem]) -> str:
    """What was read and every problem, as Markdown (for a ticket or a QA log)."""
    from casescore.render.markdown import md, table

    lines = [f"## {md(marking.source)}", ""]
    if marking.report:
        lines += [f"- {md(line.strip())}" for line in read_lines(marking.report, marking.cases)]
    lines += ["", f"**{len(problems)} problem(s)**" if problems else "**No problems.**", ""]
    if problems:
        lines += table(["where", "what", "found", "accepted"],
                       [[md(str(p.where)), md(p.message), md(p.value or ""), md(p.accepted or "")] for p in problems])
    return "\n".join(lines) + "\n"
