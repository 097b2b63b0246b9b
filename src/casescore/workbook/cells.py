"""Cell writing shared by every workbook: text stays text, tables get headers, filters,
frozen panes and widths that fit."""

from __future__ import annotations

import io

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
WRAP = Alignment(wrap_text=True, vertical="top")
PERCENT = "0%"

# Light fills with dark text, readable on screen and when printed in grey.
RATING_FILLS = {
    "Outstanding": "63BE7B",
    "Good": "C6EFCE",
    "Requires improvement": "FFD966",
    "Inadequate": "F4B084",
}


def put(ws, row: int, col: int, value, number_format: str | None = None, bold: bool = False):
    """Write one cell. A string is always stored as text: '=HYPERLINK(...)' or '+1' from a
    marking must arrive as that literal string, never as a formula."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = BOLD
    return cell


def rating_fill(cell, rating: str | None) -> None:
    colour = RATING_FILLS.get(rating or "")
    if colour:
        cell.fill = PatternFill("solid", fgColor=colour)


def table(ws, header: list[str], rows: list[list], first_row: int = 1, formats: dict[int, str] | None = None,
          filters: bool = True, wrap_header: bool = False) -> None:
    """A header row and rows below it, with a frozen header and (optionally) filters."""
    formats = formats or {}
    for j, name in enumerate(header, start=1):
        cell = put(ws, first_row, j, name, bold=True)
        cell.fill = HEADER_FILL
        if wrap_header:
            cell.alignment = WRAP
    for i, row in enumerate(rows, start=first_row + 1):
        for j, value in enumerate(row, start=1):
            if value is not None:
                put(ws, i, j, value, formats.get(j - 1))
    ws.freeze_panes = f"A{first_row + 1}"  # a reference, not ws.cell(): that would create an empty row
    if filters and rows:
        ws.auto_filter.ref = f"A{first_row}:{get_column_letter(len(header))}{first_row + len(rows)}"
    fit_widths(ws, [header, *rows])


def fit_widths(ws, rows: list[list], minimum: int = 6, maximum: int = 60) -> None:
    widths: dict[int, int] = {}
    for row in rows:
        for j, value in enumerate(row, start=1):
            if value is not None:
                widths[j] = max(widths.get(j, 0), len(str(value)) if not isinstance(value, float) else 6)
    for j, width in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = max(minimum, min(maximum, width + 2))


def printable(ws) -> None:
    """Landscape, every column on one page width, header row repeated on each page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def to_bytes(wb) -> bytes:
    for ws in wb.worksheets:
        if ws.title != "Cases":  # a case grid is for screens: fitted to one page it is unreadable
            printable(ws)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
