"""Stream a large grid of text into a sheet that openpyxl wrote with only its header row.

openpyxl builds a Python object per cell and serialises it through an XML library, which for a
100,000-case Cases sheet takes minutes and gigabytes. The cells of that sheet are all plain
text, so here they are written as inline-string XML directly, row by row, into the zip.
Inline strings are literal text: a value like '=HYPERLINK(...)' can never become a formula.

A sheet of half a million cases passes 2 GiB of XML, which needs Zip64; that is used only
when the sheet could be that big, so ordinary workbooks stay plain zip files (Excel is known to
be fussy about Zip64 headers it does not need).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import BinaryIO
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

ROWS_PER_WRITE = 2000
ZIP64_FROM = zipfile.ZIP64_LIMIT  # a zip member this big (uncompressed or not) needs Zip64


def _after_reference(value: str) -> str:
    """The XML of a text cell after its row number: '" t="inlineStr"><is><t>...</t></is></c>'."""
    text = escape(ILLEGAL_CHARACTERS_RE.sub("", value))  # marking text is already stripped of outer spaces
    return f'" t="inlineStr"><is><t>{text}</t></is></c>'


def splice(book: bytes, sheet_path: str, rows: Iterable[Sequence[str | None]], width: int, first_row: int = 2,
           out: BinaryIO | None = None) -> bytes:
    """The workbook with `rows` (text or None per cell) added below the sheet's header: written to
    `out` when given (a file: nothing large is held in memory), else returned."""
    starts = [f'<c r="{get_column_letter(j + 1)}' for j in range(width)]
    cache: dict[tuple[int, str], str] = {}  # (column, value) -> XML after the row number

    def row_xml(r: int, row: Sequence[str | None]) -> str:
        number = str(r)
        parts = [f'<row r="{number}">']
        for j, value in enumerate(row):
            if value:
                rest = cache.get((j, value))
                if rest is None:
                    rest = _after_reference(value)
                    if len(cache) < 100_000:  # answers and attributes repeat; ids do not
                        cache[(j, value)] = rest
                parts += (starts[j], number, rest)
        parts.append("</row>")
        return "".join(parts)

    source = zipfile.ZipFile(io.BytesIO(book))
    buffer = io.BytesIO() if out is None else None
    sink: BinaryIO = out if out is not None else buffer  # type: ignore[assignment]
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != sheet_path:
                target.writestr(item, data)
                continue
            head, tail = data.split(b"</sheetData>", 1)
            tail = b"</sheetData>" + tail
            rows = list(rows) if not isinstance(rows, list) else rows
            last = first_row - 1 + len(rows)
            # the sheet's stated extent (readers size themselves by it) now reaches the last row
            head = re.sub(rb'(<dimension ref="A1:[A-Z]+)[0-9]+"', rb'\g<1>%d"' % max(last, 1), head, count=1)
            zip64 = _may_need_zip64(len(head) + len(tail), rows, width, last)
            with target.open(item.filename, "w", force_zip64=zip64) as fh:
                fh.write(head)
                for start in range(0, len(rows), ROWS_PER_WRITE):
                    batch = rows[start:start + ROWS_PER_WRITE]
                    fh.write("".join(row_xml(first_row + start + k, row) for k, row in enumerate(batch)).encode())
                fh.write(tail)
    return buffer.getvalue() if buffer is not None else b""


def _may_need_zip64(fixed: int, rows: list, width: int, last: int) -> bool:
    """Whether the sheet's XML could reach the Zip64 limit. The zip header is written before the
    rows, so this is an upper bound worked out beforehand: a character becomes at most 5 bytes
    ('&' is '&amp;'; UTF-8 needs at most 4), and every cell and row adds a frame of known length."""
    digits = len(str(last))
    cell = len(f'<c r="{get_column_letter(max(width, 1))}') + digits + len(_after_reference(""))
    framed = fixed + len(rows) * (len('<row r=""></row>') + digits + width * cell)
    if framed * 1.05 > ZIP64_FROM:  # 1.05: zipfile's own margin
        return True  # settled without the pass over every cell's text below
    text = sum(sum(map(len, filter(None, row))) for row in rows)
    return (framed + 5 * text) * 1.05 > ZIP64_FROM
