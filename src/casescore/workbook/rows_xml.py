"""Stream a large grid into a sheet that openpyxl wrote with only its header row.

openpyxl builds a Python object per cell and serialises it through an XML library, which for a
100,000-case Cases sheet takes minutes and gigabytes. Here the cells are written as XML directly
into the zip, a column at a time and a few thousand rows at a time: every cell's XML is made with
a stand-in for its row number, in bulk per column (below), and a row's XML is then one join of
its cells and one replace of that stand-in by the row's number.

Two kinds of column:
- text (a sequence of str or None), written as inline strings: a few thousand values are cleaned
  and escaped as one string, then cut into cells. Inline strings are literal text: a value like
  '=HYPERLINK(...)' can never become a formula.
- `Coded`: small integer codes per row and the text of each code (answers: Yes / No / N/A),
  written as shared strings: each cell is `<c r="F7" t="s"><v>1</v></c>`, an index into a
  sharedStrings part added to the workbook (a third less XML than inline strings). Each code's
  cell is made once; neighbouring coded columns are looked up together, numpy indexing a table
  of every combination of their codes. Shared strings are text too, never formulas.

A sheet of some 750,000 cases passes 2 GiB of XML, which needs Zip64; that is used only
when the sheet could be that big, so ordinary workbooks stay plain zip files (Excel is known to
be fussy about Zip64 headers it does not need).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO
from xml.sax.saxutils import escape

import numpy as np
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

ROWS_PER_WRITE = 4000
GROUP_CELLS = 1024  # neighbouring coded columns are looked up together while they have at most this many combinations
ZIP64_FROM = zipfile.ZIP64_LIMIT  # a zip member this big (uncompressed or not) needs Zip64

# Stands for the row number in the XML of a row until the row is written. ILLEGAL_CHARACTERS_RE
# removes it from all text, so the only ones in a row's XML are those put there for the number.
ROW = "\x00"
ROW_BYTE = ROW.encode()
assert ILLEGAL_CHARACTERS_RE.sub("", ROW) == ""
# Between the values of a column while they are escaped together; must be a character XML can hold.
# A value holding it is escaped on its own instead.
SEPARATOR = "\n"

SST_PATH = "xl/sharedStrings.xml"
SST_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
SST_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class Coded:
    """A column as integer codes per row (0 <= code < len(labels)) and each code's text;
    a code whose text is None or empty leaves its cells blank."""
    codes: np.ndarray
    labels: Sequence[str | None]


Column = Sequence[str | None] | Coded


def _text(value: str) -> str:
    """Cell text as XML: characters XML cannot hold removed, then escaped."""
    return escape(ILLEGAL_CHARACTERS_RE.sub("", value))  # marking text is already stripped of outer spaces


def _after_reference(value: str) -> str:
    """The XML of a text cell after its row number: '" t="inlineStr"><is><t>...</t></is></c>'."""
    return f'" t="inlineStr"><is><t>{_text(value)}</t></is></c>'


def splice_columns(book: bytes, sheet_path: str, columns: Sequence[Column], count: int, first_row: int = 2,
                   out: BinaryIO | None = None) -> bytes:
    """The workbook with `count` rows made of `columns` (one per sheet column, from A) added below the
    sheet's header: written to `out` when given (a file: nothing large is held in memory), else returned."""
    for column in columns:
        rows = len(column.codes) if isinstance(column, Coded) else len(column)
        if rows != count:
            raise ValueError(f"a column of {rows} rows where {count} were expected")
        if isinstance(column, Coded) and rows and not 0 <= int(column.codes.min()) <= int(column.codes.max()) \
                < len(column.labels):
            raise ValueError(f"codes from {column.codes.min()} to {column.codes.max()} for "
                             f"{len(column.labels)} labels")
    source = zipfile.ZipFile(io.BytesIO(book))
    shared = _SharedStrings.for_book(source, columns)
    starts = [f'<c r="{get_column_letter(j + 1)}{ROW}' for j in range(len(columns))]
    cells = [_coded_cells(c, starts[j], shared) if isinstance(c, Coded) else None for j, c in enumerate(columns)]
    pieces: list[_Group | tuple[Sequence[str | None], str]] = []  # coded groups and text columns, in order
    for j, column in enumerate(columns):
        table = cells[j]
        if not isinstance(column, Coded) or table is None:
            pieces.append((column, starts[j]))  # type: ignore[arg-type]
        elif pieces and isinstance(pieces[-1], _Group) and pieces[-1].combinations * len(table) <= GROUP_CELLS:
            pieces[-1].add(column, table)
        else:
            pieces.append(_Group(column, table))

    def batch_xml(begin: int, end: int) -> bytes:
        parts: list[list[str]] = [[f'<row r="{ROW}">'] * (end - begin)]
        for piece in pieces:
            if isinstance(piece, _Group):
                parts.append(piece.cells(begin, end))
            else:
                parts.append(_text_cells(piece[0][begin:end], piece[1]))
        parts.append(["</row>"] * (end - begin))
        numbers = [b"%d" % n for n in range(first_row + begin, first_row + end)]
        return b"".join([
            "".join(row).encode().replace(ROW_BYTE, number)  # on bytes: a little faster than on str
            for row, number in zip(zip(*parts, strict=True), numbers, strict=True)])

    buffer = io.BytesIO() if out is None else None
    sink: BinaryIO = out if out is not None else buffer  # type: ignore[assignment]
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != sheet_path:
                target.writestr(item, shared.changed(item.filename, data))
                continue
            head, tail = data.split(b"</sheetData>", 1)
            tail = b"</sheetData>" + tail
            last = first_row - 1 + count
            # the sheet's stated extent (readers size themselves by it) now reaches the last row
            head = re.sub(rb'(<dimension ref="A1:[A-Z]+)[0-9]+"', rb'\g<1>%d"' % max(last, 1), head, count=1)
            zip64 = _may_need_zip64(len(head) + len(tail), columns, cells, starts, count, last)
            with target.open(item.filename, "w", force_zip64=zip64) as fh:
                fh.write(head)
                for begin in range(0, count, ROWS_PER_WRITE):
                    fh.write(batch_xml(begin, min(begin + ROWS_PER_WRITE, count)))
                fh.write(tail)
        shared.write(target)
    return buffer.getvalue() if buffer is not None else b""


class _Group:
    """Neighbouring coded columns looked up as one: each combination of their codes has the XML of
    its cells, so a row's XML is joined from a few pieces rather than one per cell."""

    def __init__(self, column: Coded, table: np.ndarray) -> None:
        self.columns = [column]
        self.sizes = [len(table)]
        self.table = table

    @property
    def combinations(self) -> int:
        return len(self.table)

    def add(self, column: Coded, table: np.ndarray) -> None:
        self.columns.append(column)
        self.sizes.append(len(table))
        self.table = (self.table[:, None] + table[None, :]).ravel()  # the new column's code varies fastest

    def cells(self, begin: int, end: int) -> list[str]:
        index = np.zeros(end - begin, dtype=np.intp)
        for column, size in zip(self.columns, self.sizes, strict=True):
            index *= size
            index += column.codes[begin:end]
        return self.table[index].tolist()


def _coded_cells(column: Coded, start: str, shared: _SharedStrings) -> np.ndarray:
    """Each code's cell XML (row number left as ROW; "" for a blank cell), to be indexed by the codes."""
    table = np.empty(len(column.labels), dtype=object)
    for code, label in enumerate(column.labels):
        if not label:
            table[code] = ""
        elif shared.enabled:
            table[code] = f'{start}" t="s"><v>{shared.index(label)}</v></c>'
        else:
            table[code] = start + _after_reference(label)
    return table


def _text_cells(values: Sequence[str | None], start: str) -> list[str]:
    """Each value's cell XML (row number left as ROW; "" for a blank cell). The values are cleaned
    and escaped as one text, which is then cut back into cells (removing characters and escaping
    both work a character at a time, so this is the same as doing each value on its own)."""
    texts = [value or "" for value in values]
    joined = SEPARATOR.join(texts)
    open_, close = start + '" t="inlineStr"><is><t>', "</t></is></c>"
    if joined.count(SEPARATOR) == len(texts) - 1:
        xml = _text(joined).replace(SEPARATOR, close + SEPARATOR + open_)
        cells = (open_ + xml + close).split(SEPARATOR)
    else:  # a value holds the separator
        cells = [open_ + _text(text) + close for text in texts]
    if not all(texts):
        cells = [cell if text else "" for cell, text in zip(cells, texts, strict=True)]
    return cells


class _SharedStrings:
    """The sharedStrings part that coded columns' cells point into, and the workbook's references to it.

    openpyxl writes every string inline, so its workbooks have no sharedStrings part: one is added,
    with a relationship from the workbook and a content type. A workbook that has one already, or
    is not laid out as openpyxl lays it out, gets its coded cells as inline strings instead."""

    RELS = "xl/_rels/workbook.xml.rels"
    TYPES = "[Content_Types].xml"

    def __init__(self, enabled: bool, cells: int = 0) -> None:
        self.enabled = enabled
        self.cells = cells  # how many cells point into the part (its 'count')
        self.strings: dict[str, int] = {}

    @classmethod
    def for_book(cls, source: zipfile.ZipFile, columns: Sequence[Column]) -> _SharedStrings:
        coded = [c for c in columns if isinstance(c, Coded)]
        names = set(source.namelist())
        if not coded or SST_PATH in names or not {cls.RELS, cls.TYPES} <= names:
            return cls(False)
        rels, types = source.read(cls.RELS), source.read(cls.TYPES)
        if SST_TYPE.encode() in rels or b"</Relationships>" not in rels or b"</Types>" not in types:
            return cls(False)
        shown = [np.array([bool(label) for label in c.labels], dtype=np.int64) for c in coded]
        return cls(True, sum(int(_per_code(c) @ s) for c, s in zip(coded, shown, strict=True)))

    def index(self, label: str) -> int:
        return self.strings.setdefault(label, len(self.strings))

    def changed(self, name: str, data: bytes) -> bytes:
        """A part of the workbook as it must be with the sharedStrings part in it."""
        if not self.enabled:
            return data
        if name == self.RELS:
            taken = {int(n) for n in re.findall(rb'Id="rId([0-9]+)"', data)}
            free = max(taken, default=0) + 1
            return data.replace(b"</Relationships>", b'<Relationship Type="%s" Target="sharedStrings.xml" Id="rId%d"/>'
                                b"</Relationships>" % (SST_TYPE.encode(), free), 1)
        if name == self.TYPES:
            return data.replace(b"</Types>", b'<Override PartName="/%s" ContentType="%s"/></Types>'
                                % (SST_PATH.encode(), SST_CONTENT.encode()), 1)
        return data

    def write(self, target: zipfile.ZipFile) -> None:
        if not self.enabled:
            return
        items = "".join(f"<si><t>{_text(s)}</t></si>" for s in self.strings)
        xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="{self.cells}"'
               f' uniqueCount="{len(self.strings)}">{items}</sst>')
        target.writestr(SST_PATH, xml.encode())


def _per_code(column: Coded) -> np.ndarray:
    """How many rows have each code."""
    return np.bincount(column.codes.astype(np.intp, copy=False), minlength=len(column.labels))


def _may_need_zip64(fixed: int, columns: Sequence[Column], cells: list[np.ndarray | None], starts: list[str],
                    count: int, last: int) -> bool:
    """Whether the sheet's XML could reach the Zip64 limit. The zip header is written before the
    rows, so this is an upper bound worked out beforehand, every row number as long as the last:
    exact for coded columns (their cells' XML is known); for text, a character becomes at most
    5 bytes ('&' is '&amp;'; UTF-8 needs at most 4) inside a frame of known length."""
    digits = len(str(last))
    size = fixed + count * (len('<row r=""></row>') + digits)
    frame = len(_after_reference("")) + digits
    for j, column in enumerate(columns):
        table = cells[j]
        if table is not None and isinstance(column, Coded):
            lengths = np.array([len(xml.encode()) - len(ROW) + digits if xml else 0 for xml in table], dtype=np.int64)
            size += int(_per_code(column) @ lengths)
        else:
            filled = list(filter(None, column))  # type: ignore[arg-type]
            size += len(filled) * (len(starts[j]) - len(ROW) + frame) + 5 * sum(map(len, filled))
    return size * 1.05 > ZIP64_FROM  # 1.05: zipfile's own margin
