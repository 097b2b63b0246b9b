"""The inspection data workbook: Summary, Key questions (with chart), Prompts, Cases, Method.

Every number is taken from the same Result that `casescore rate` prints, so the two agree.
"""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from casescore import __version__, answers
from casescore.render.data import decimals, score_label
from casescore.scoring import Result
from casescore.workbook import rows_xml
from casescore.workbook.cells import BOLD, PERCENT, WRAP, fit_widths, put, rating_fill, table, to_bytes


def build(rated, include_cases: bool = True, made_at: dt.datetime | None = None, out=None) -> bytes:
    """The workbook's bytes, for safe_write to put on disk (or stdout); or, given `out` (a binary
    file), the workbook written into it as its Cases sheet is made (then b"" is returned)."""
    made_at = made_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    wb = Workbook()
    _summary(wb.active, rated)
    _key_questions(wb.create_sheet("Key questions"), rated.result)
    _prompts(wb.create_sheet("Prompts"), rated.result)
    cases = _cases(wb.create_sheet("Cases"), rated) if include_cases else None
    _method(wb.create_sheet("Method"), rated, made_at)
    wb.properties.creator = f"casescore {__version__}"
    book = to_bytes(wb)
    if cases is None:
        if out is not None:
            out.write(book)
            return b""
        return book
    sheet_path = f"xl/worksheets/sheet{wb.sheetnames.index('Cases') + 1}.xml"
    return rows_xml.splice_columns(book, sheet_path, cases, rated.marking.cases, out=out)


def _summary(ws, rated) -> None:
    result, marking = rated.result, rated.marking
    ws.title = "Summary"
    header = ["Standard", "Rating", "Points", "Method", "Scored", "Deciding key question(s)", "Rating uncertain",
              "Plausible bands"]
    rows = [[f"{s.standard.id} {s.standard.name}", s.rating, s.points, s.standard.method,
             "yes" if s.standard.scored else "no", ", ".join(s.deciding) or None, *_uncertainty(s)]
            for s in result.standards]
    first = 6
    table(ws, header, rows, first_row=first, filters=False)
    ws.freeze_panes = None
    for i, s in enumerate(result.standards, start=first + 1):
        rating_fill(ws.cell(i, 2), s.rating)
    facts = [("Framework", f"{result.framework.label}: {result.framework.title}"), ("Cases", result.cases),
             ("Status", "PROVISIONAL (unmarked answers left out)" if result.provisional else "complete")]
    put(ws, 1, 1, marking.title).font = Font(size=14, bold=True)
    row = first + len(rows) + 2
    totals = [("Score", result.score), ("Maximum score", result.max_score),
              ("Score out of maximum", score_label(result)), ("Overall rating", result.overall_rating)]
    for i, (label, value) in enumerate(facts, start=2):
        put(ws, i, 1, label, bold=True)
        put(ws, i, 2, value)
    for i, (label, value) in enumerate(totals, start=row):
        put(ws, i, 1, label, bold=True)
        cell = put(ws, i, 2, value)
    rating_fill(cell, result.overall_rating)
    notice = marking.report.notice() if marking.report else None  # what the reading left out
    for k, warning in enumerate([*result.warnings, notice] if notice else result.warnings):
        put(ws, row + len(totals) + 1 + k, 1, ("Warnings: " if k == 0 else "") + warning)
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 24


KQ_HEADER = ["Standard", "Standard name", "Key question", "Text", "Yes", "No", "N/A", "Relevant", "Percent",
             "Band", "Lowest", "Standard rating", "CI low", "CI high", "Rating uncertain", "Plausible bands"]


def _uncertainty(s) -> list:
    """Whether the deciding key question's interval reaches another band, as `rate` flags it; blank for
    standards not rated from cases."""
    if not s.deciding:
        return [None, None]
    return ["yes" if s.uncertain else "no", ", ".join(s.plausible)]


def _interval(tally, confidence: float) -> list:
    ci = tally.interval(confidence)
    return [None, None] if ci is None else [ci[0] / 100, ci[1] / 100]


def _percent_formats(ws, column: int, tallies: list, framework) -> None:
    """A percentage whose whole number would sit in another band than its exact value (20/31 = 64.5%,
    Requires improvement, would show as 65%) gets the decimals that keep it in its band."""
    for i, t in enumerate(tallies, start=2):
        places = 0 if t.fraction is None else decimals(framework, t.fraction)
        if places:
            ws.cell(i, column).number_format = "0." + "0" * places + "%"


def _key_questions(ws, result: Result) -> None:
    bands = [(name, float(minimum) / 100) for name, minimum in result.framework.bands if minimum > 0]
    header = KQ_HEADER + [f"{name} from" for name, _ in bands]
    rows = []
    for s in result.standards:
        for kq in s.key_questions:
            t = kq.tally
            rows.append([s.standard.id, s.standard.name, kq.question.id, kq.question.text, t.yes, t.no, t.na,
                         t.relevant, None if t.percent is None else t.percent / 100, kq.band,
                         "lowest" if kq.question.id in s.deciding else None, s.rating,
                         *_interval(t, result.confidence), *_uncertainty(s), *(minimum for _, minimum in bands)])
    ci = KQ_HEADER.index("CI low")
    percent_cols = {8: PERCENT, ci: PERCENT, ci + 1: PERCENT,
                    **{len(KQ_HEADER) + k: PERCENT for k in range(len(bands))}}
    table(ws, header, rows, formats=percent_cols)
    _percent_formats(ws, 9, [kq.tally for s in result.standards for kq in s.key_questions], result.framework)
    for i, row in enumerate(rows, start=2):
        rating_fill(ws.cell(i, 10), row[9])
    ws.column_dimensions["D"].width = 60
    if rows:
        _chart(ws, len(rows), len(KQ_HEADER), len(bands))


def _chart(ws, n: int, first_line_col: int, lines: int) -> None:
    """Key-question percentages as bars, with the band thresholds as lines across them."""
    bars = BarChart()
    bars.title = "Key questions: percentage judged sufficient"
    bars.y_axis.title = "Percent"
    bars.y_axis.number_format = "0%"
    bars.y_axis.scaling.min, bars.y_axis.scaling.max = 0, 1
    bars.add_data(Reference(ws, min_col=9, min_row=1, max_row=n + 1), titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=3, min_row=2, max_row=n + 1))
    thresholds = LineChart()
    thresholds.add_data(Reference(ws, min_col=first_line_col + 1, max_col=first_line_col + lines,
                                  min_row=1, max_row=n + 1), titles_from_data=True)
    bars += thresholds  # same axes: the lines sit at 50 / 65 / 80 on the bars' scale
    bars.width, bars.height = 24, 12
    ws.add_chart(bars, f"A{n + 4}")


def _prompts(ws, result: Result) -> None:
    header = ["Standard", "Key question", "Question", "Kind", "Text", "Yes", "No", "N/A", "Relevant", "Percent",
              "CI low", "CI high"]
    rows, levels, tallies = [], [], []
    for s in result.standards:
        for kq in s.key_questions:
            for q in [kq, *kq.prompts]:
                t = q.tally
                rows.append([s.standard.id, kq.question.id, q.question.id, q.kind, q.question.text, t.yes, t.no,
                             t.na, t.relevant, None if t.percent is None else t.percent / 100,
                             *_interval(t, result.confidence)])
                levels.append(q is not kq)
                tallies.append(t)
    table(ws, header, rows, formats={9: PERCENT, 10: PERCENT, 11: PERCENT})
    _percent_formats(ws, 10, tallies, result.framework)
    for i, is_prompt in enumerate(levels, start=2):
        if is_prompt:
            ws.row_dimensions[i].outline_level = 1  # grouped under its key question
        else:
            for cell in ws[i]:
                cell.font = BOLD
    ws.column_dimensions["E"].width = 70


def _cases(ws, rated) -> list[rows_xml.Column]:
    """The Cases sheet's header and layout; returns its columns, which rows_xml streams in later:
    case ids and attributes as text, answers as their codes (written as shared strings)."""
    marking, framework = rated.marking, rated.framework
    index = framework.question_ids()
    qids = [q for q in index if q in marking.answers]  # framework order
    attrs = list(marking.attributes)
    header = ["Case ID", *attrs, *(f"{q} {index[q][2].text}" for q in qids)]
    names = [answers.NAMES.get(code) for code in range(max(answers.NAMES) + 1)]  # BLANK (0): no cell
    table(ws, header, [], wrap_header=True)
    last = get_column_letter(len(header))
    ws.auto_filter.ref = f"A1:{last}{marking.cases + 1}"
    fit_widths(ws, [header, *([c] for c in marking.case_ids[:1000])])
    for j in range(len(attrs) + 2, len(header) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 14
    return [marking.case_ids, *(marking.attributes[a] for a in attrs),
            *(rows_xml.Coded(marking.answers[q], names) for q in qids)]


def _method(ws, rated, made_at: dt.datetime) -> None:
    fw, marking = rated.framework, rated.marking
    bands = "; ".join(f"{name}: {float(m):g}% or more" for name, m in fw.bands)
    overall = "; ".join(f"{name}: up to {share} of the maximum" for name, share in fw.overall)
    rows = [
        ("Framework", fw.label), ("Framework title", fw.title), ("Framework file", fw.source_path.name),
        ("Provenance", fw.provenance),
        ("Percentage", "Yes / (Yes + No): N/A and unmarked answers are not in the denominator"),
        ("Key-question bands", bands), ("Bands source", fw.bands_source),
        ("Standard rating", "A case-rated standard takes the band of its lowest key question"),
        ("Rounding before banding", fw.rounding), ("Rounding source", fw.rounding_source),
        ("Shown percentages", "Whole numbers, halves rounded up, except where that would put the figure in "
                              "another band than its exact value: those show the decimals that keep it there"),
        ("Intervals", f"CI low and CI high: the Wilson score interval at {rated.result.confidence:.0%} confidence. "
                      "A standard's rating is uncertain when the interval of its deciding (lowest) key question "
                      "reaches another band; Plausible bands lists the bands it reaches"),
        ("Points", "; ".join(f"{r.name} {r.points}" for r in fw.ratings)),
        ("Overall rating", overall), ("Overall source", fw.overall_source),
        ("Input file", marking.source), ("Input SHA-256", marking.sha256),
        ("casescore version", __version__), ("Made at (UTC)", made_at.strftime("%Y-%m-%d %H:%M:%S")),
    ]
    table(ws, ["Item", "Value"], [list(r) for r in rows], filters=False)
    ws.column_dimensions["B"].width = 100
    for i, (_, value) in enumerate(rows, start=2):
        ws.cell(i, 2).alignment = WRAP
        lines = sum(len(part) // 95 + 1 for part in str(value).splitlines()) or 1
        ws.row_dimensions[i].height = 15 * lines  # LibreOffice does not grow wrapped rows by itself
