"""A blank case-marking workbook in exactly the format `casescore rate` reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from casescore import answers
from casescore.framework import NOT_APPLICABLE, Framework
from casescore.reader import normalise_header
from casescore.workbook.cells import WRAP, fit_widths, put, table, to_bytes

# Alternating header colours so each standard's columns read as a group.
STANDARD_FILLS = ["DDEBF7", "E2EFDA", "FCE4D6", "EDE7F6", "FFF2CC", "E7E6E6"]
ANSWER_CHOICES = '"Yes,No,N/A"'


def case_id(prefix: str, i: int) -> str:
    return f"{prefix}-{i:03d}"


@dataclass
class Sheet:
    """An extra sheet: rows of values (text stays text); the rows in `headings` are bold."""

    name: str
    rows: list[list]
    headings: frozenset[int] = frozenset({0})


@dataclass
class Prefill:
    """Cases to put in the template instead of placeholders (a drawn sample): their ids, attribute
    values per case (a column named like a template attribute fills it, keeping its drop-down; the
    others are added after the template's attributes), and extra sheets after the Guide."""

    case_ids: list[str]
    attributes: dict[str, list[str]] = field(default_factory=dict)
    sheets: list[Sheet] = field(default_factory=list)


def build(framework: Framework, cases: int, prefix: str = "CASE", prompts: bool = True,
          prefill: Prefill | None = None) -> bytes:
    wb = Workbook()
    _cases(wb.active, framework, len(prefill.case_ids) if prefill else cases, prefix, prompts, prefill)
    _ratings(wb.create_sheet("Ratings"), framework)
    _inspection(wb.create_sheet("Inspection"), framework)
    _guide(wb.create_sheet("Guide"), framework)
    for sheet in prefill.sheets if prefill else ():
        _extra(wb.create_sheet(sheet.name), sheet)
    return to_bytes(wb)


def _extra(ws, sheet: Sheet) -> None:
    for i, row in enumerate(sheet.rows, start=1):
        for j, value in enumerate(row, start=1):
            if value is not None:
                put(ws, i, j, value, bold=i - 1 in sheet.headings)
    fit_widths(ws, sheet.rows)


def _prefilled_rows(framework: Framework, prefill: Prefill) -> tuple[list[str], list[list]]:
    """The added attribute columns, and one row per case: id, template attributes, added attributes."""
    names = {normalise_header(a.name): a.name for a in framework.attributes}
    fills = {names.get(normalise_header(k), k): v for k, v in prefill.attributes.items()}
    added = [k for k in fills if k not in names.values()]
    order = [a.name for a in framework.attributes] + added
    rows = [[case, *(fills[k][i] if k in fills else None for k in order)] for i, case in enumerate(prefill.case_ids)]
    return added, rows


def _question_columns(framework: Framework, prompts: bool):
    """(header, standard index) for every question column, in framework order."""
    k = 0
    for std in framework.standards:
        if not std.key_questions:
            continue
        for kq in std.key_questions:
            for q in [kq, *(kq.prompts if prompts else ())]:
                yield f"{q.id} {q.text}", k
        k += 1


def _cases(ws, framework: Framework, cases: int, prefix: str, prompts: bool, prefill: Prefill | None = None) -> None:
    ws.title = "Cases"
    questions = list(_question_columns(framework, prompts))
    attrs = framework.attributes
    added: list[str] = []
    rows: list[list] = [[case_id(prefix, i)] for i in range(1, cases + 1)]
    if prefill:
        added, rows = _prefilled_rows(framework, prefill)
    header = ["Case ID", *(a.name for a in attrs), *added, *(h for h, _ in questions)]
    table(ws, header, rows, wrap_header=True)
    last = cases + 1
    first_q = 2 + len(attrs) + len(added)
    for j, (_, k) in enumerate(questions, start=first_q):
        ws.cell(1, j).fill = PatternFill("solid", fgColor=STANDARD_FILLS[k % len(STANDARD_FILLS)])
        ws.column_dimensions[get_column_letter(j)].width = 16
    ws.row_dimensions[1].height = 120
    ws.freeze_panes = f"{get_column_letter(first_q)}2"
    if cases and questions:
        dv = DataValidation(type="list", formula1=ANSWER_CHOICES, allow_blank=True, showErrorMessage=True,
                            errorTitle="Answer", error="Answer Yes, No or N/A (blank = not yet marked).")
        dv.add(f"{get_column_letter(first_q)}2:{get_column_letter(first_q + len(questions) - 1)}{last}")
        ws.add_data_validation(dv)
    for j, attr in enumerate(attrs, start=2):
        ws.column_dimensions[get_column_letter(j)].width = max(14, len(attr.name) + 2)
        if attr.values and cases:
            dv = DataValidation(type="list", formula1='"' + ",".join(attr.values) + '"', allow_blank=True)
            dv.add(f"{get_column_letter(j)}2:{get_column_letter(j)}{last}")
            ws.add_data_validation(dv)


def _ratings(ws, framework: Framework) -> None:
    judged = [s for s in framework.standards if s.method == "judgement"]
    table(ws, ["Standard", "Name", "Rating"], [[s.id, s.name, None] for s in judged], filters=False)
    ws.column_dimensions["C"].width = 24
    if judged:
        choices = [r.name for r in framework.ratings] + ["N/A"]
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        dv.add(f"C2:C{len(judged) + 1}")
        ws.add_data_validation(dv)


def _inspection(ws, framework: Framework) -> None:
    # The framework is recorded so that reading the workbook against another one is caught.
    rows: list[list] = [["Inspection", None], ["Organisation", None], ["Fieldwork start", None],
                        ["Fieldwork end", None], ["Marked by", None], ["Notes", None],
                        ["Framework", f"{framework.id}: {framework.title}"]]
    table(ws, ["Field", "Value"], rows, filters=False)
    ws.column_dimensions["B"].width = 60


def _guide(ws, framework: Framework) -> None:
    judged = ", ".join(s.id for s in framework.standards if s.method == "judgement")
    lines = [
        f"How to mark this workbook ({framework.id}: {framework.title})",
        "",
        "Cases sheet: one row per case. Keep the Case ID unique; replace the placeholder ids if you like.",
        "Fill the attribute columns (sentence type, risk level ...): they are kept for breakdowns.",
        f"Answer every key question and prompt: {answers.ACCEPTED}.",
        "Yes: the work was sufficient. No: it was not. N/A: the question is not relevant to this case "
        "(it then leaves the denominator).",
        "Blank means not yet marked: 'casescore check' lists every blank cell, and 'casescore rate' refuses "
        "to rate until all are marked (or rate with --partial for a provisional result).",
        "A standard whose key questions are all N/A is rated " + NOT_APPLICABLE + " and leaves the score.",
        f"Ratings sheet: the inspectors' judgement ratings for {judged}.",
        "Inspection sheet: the name of the inspection (it titles the output) and its dates.",
        "",
        "Then run:  casescore check THIS-FILE.xlsx   and   casescore rate THIS-FILE.xlsx",
        "Do not rename the question columns: casescore reads the id at the start of each header.",
    ]
    for i, line in enumerate(lines, start=1):
        put(ws, i, 1, line, bold=i == 1).alignment = WRAP
    ws.column_dimensions["A"].width = 110
