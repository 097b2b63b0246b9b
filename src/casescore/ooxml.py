"""A fast, streaming reader for the common shape of .xlsx sheets.

calamine parses a whole sheet into memory before Python sees a cell; on 100,000 cases that takes
seconds and about a gigabyte. This reader streams the sheet XML in chunks, picks the cells out
with one regular expression and turns them into columns with C-level passes (map, numpy), so a
large marking costs a fraction of the time and memory. It understands the cell forms Excel,
LibreOffice and openpyxl write (shared and inline strings, numbers, dates by style, booleans,
errors, formulas with cached values). Anything else raises Unsupported, and the caller falls back
to calamine for the whole workbook: a slower read, never a wrong one.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np

CHUNK = 16 << 20
CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?(?: (?:cm|vm|ph)="[^"]*")*'
    rb' ?(?:/>|>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?(?:<v>([^<]*)</v>)?'
    rb'(?:<is><t(?: xml:space="preserve")?>([^<]*)</t></is>|<is><t(?: xml:space="preserve")?/></is>)?</c>)'
)
CELL_START = re.compile(rb"<c[ >/]")
SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                 rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
SI = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
T = re.compile(rb"<t(?: [^>]*)?>([^<]*)</t>|<t(?: [^>]*)?/>")
XF = re.compile(rb"<xf\b[^>]*?numFmtId=\"([0-9]+)\"")
NUMFMT = re.compile(rb'<numFmt\b[^>]*?numFmtId="([0-9]+)"[^>]*?formatCode="([^"]*)"')
DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
EPOCH_1900, EPOCH_1904 = dt.datetime(1899, 12, 30), dt.datetime(1904, 1, 1)


class Unsupported(Exception):
    """The workbook uses a form this reader does not handle: read it with calamine instead."""


class Hostile(Exception):
    """The workbook declares XML entities (a DTD), which no spreadsheet needs: refuse it."""


def _guard(xml: bytes) -> bytes:
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:4096]:
        raise Hostile("it declares XML entities (a DTD), which workbooks never need")
    return xml


@dataclass
class Sheet:
    """One sheet's cells by column: column index -> (1-based row numbers, values)."""

    cells: dict[int, tuple[np.ndarray, list]]
    last_row: int

    def row(self, number: int) -> list:
        """The values of one row, from column A to its last cell ('' where empty)."""
        found = {}
        for col, (rows, values) in self.cells.items():
            k = np.searchsorted(rows, number)
            if k < len(rows) and rows[k] == number:
                found[col] = values[k]
        return [found.get(c, "") for c in range(max(found) + 1)] if found else []

    def column(self, col: int, first_row: int) -> np.ndarray:
        """Values of one column from first_row to the sheet's last row ('' where empty)."""
        n = max(0, self.last_row - first_row + 1)
        out = np.empty(n, dtype=object)
        out.fill("")
        if col in self.cells:
            rows, values = self.cells[col]
            start = int(np.searchsorted(rows, first_row))
            taken = np.empty(len(values) - start, dtype=object)
            taken[:] = values[start:]
            out[rows[start:] - first_row] = taken
        return out


class Workbook:
    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.sheet_paths = self._sheets()
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise Unsupported(str(exc)) from None
        names = set(self.zip.namelist())
        self.shared = self._shared_strings() if "xl/sharedStrings.xml" in names else []
        self.date_styles, self.epoch = self._styles(names)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheet_paths)

    def _sheets(self) -> dict[str, str]:
        book = _guard(self.zip.read("xl/workbook.xml"))
        rels = _guard(self.zip.read("xl/_rels/workbook.xml.rels"))
        targets = {}
        for m in REL.finditer(rels):
            rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            target = target.decode()
            targets[rid] = target.lstrip("/") if target.startswith("/") else "xl/" + target
        return {_text(name): targets[rid] for name, rid in SHEET.findall(book)}

    def _shared_strings(self) -> list[str]:
        xml = re.sub(rb"<rPh\b.*?</rPh>", b"", _guard(self.zip.read("xl/sharedStrings.xml")), flags=re.S)
        return [_text(b"".join(T.findall(m.group(1) or b""))) for m in SI.finditer(xml)]

    def _styles(self, names: set[str]) -> tuple[np.ndarray, dt.datetime]:
        epoch = EPOCH_1904 if re.search(rb'date1904="(1|true)"', self.zip.read("xl/workbook.xml")) else EPOCH_1900
        if "xl/styles.xml" not in names:
            return np.zeros(1, bool), epoch
        xml = _guard(self.zip.read("xl/styles.xml"))
        custom = {int(i): _text(code) for i, code in NUMFMT.findall(xml)}
        xfs = re.search(rb"<cellXfs\b.*?</cellXfs>", xml, re.S)
        ids = [int(i) for i in XF.findall(xfs.group(0))] if xfs else []
        dates = [i in DATE_FORMAT_IDS or (i in custom and _is_date_format(custom[i])) for i in ids]
        return np.array(dates or [False], bool), epoch

    def sheet(self, name: str, progress=None) -> Sheet:
        path = self.sheet_paths[name]
        total = self.zip.getinfo(path).file_size
        columns: dict[int, tuple[list, list]] = {}
        done, rest = 0, b""
        with self.zip.open(path) as fh:
            while True:
                chunk = fh.read(CHUNK)
                if not done:
                    _guard(chunk)
                data = rest + chunk
                cut = data.rfind(b"</row>") + 6 if chunk else len(data)
                if cut <= 5 and chunk:  # no complete row yet
                    rest = data
                    continue
                part, rest = data[:cut], data[cut:]
                self._cells(part, columns)
                done += len(chunk)
                if progress:
                    progress(done, total)
                if not chunk:
                    break
        cells, last = {}, 0
        for col, (row_parts, value_parts) in columns.items():
            rows = np.concatenate(row_parts)
            values = [v for part in value_parts for v in part]
            if len(rows) > 1 and not (np.diff(rows) > 0).all():
                raise Unsupported("cells out of order")
            cells[col] = (rows, values)
            last = max(last, int(rows[-1]))
        return Sheet(cells, last)

    def _cells(self, xml: bytes, columns: dict) -> None:
        found = CELL.findall(xml)
        if len(found) != len(CELL_START.findall(xml)):
            raise Unsupported("a cell form this reader does not know")
        if not found:
            return
        letters, rows, styles, types, values, inline = zip(*found)
        cols = np.fromiter(map(_column_index, letters), np.int32, len(found))
        rows = np.fromiter(map(int, rows), np.int64, len(found))
        out = self._values(styles, types, values, inline)
        order = np.argsort(cols, kind="stable")
        sorted_cols = cols[order]
        bounds = np.flatnonzero(np.diff(sorted_cols)) + 1
        for idx in np.split(order, bounds):
            col = int(cols[idx[0]])
            entry = columns.setdefault(col, ([], []))
            entry[0].append(rows[idx])
            entry[1].append([out[i] for i in idx.tolist()])

    def _values(self, styles, types, values, inline) -> list:
        """Every cell's Python value, decided type by type with C-level passes."""
        out = list(map(_text_cached, inline))  # inline strings (and '' for everything else)
        kinds = np.array(types, dtype="S9")
        for kind in set(types):
            idx = np.flatnonzero(kinds == kind).tolist()
            raw = [values[i] for i in idx]
            if kind == b"s":
                try:
                    converted = list(map(self.shared.__getitem__, map(int, raw)))
                except (ValueError, IndexError):
                    raise Unsupported("shared string index out of range") from None
            elif kind in (b"inlineStr",):
                continue
            elif kind == b"str":
                converted = list(map(_text_cached, raw))
            elif kind == b"b":
                converted = [v == b"1" for v in raw]
            elif kind == b"e":
                converted = [""] * len(raw)  # an error value (#DIV/0!) reads as empty, as calamine does
            elif kind in (b"", b"n"):
                converted = self._numbers(raw, [styles[i] for i in idx])
            else:
                raise Unsupported(f"cell type {kind!r}")
            for i, v in zip(idx, converted):
                out[i] = v
        return out

    def _numbers(self, raw: list[bytes], styles: list[bytes]) -> list:
        out = [float(v) if v else "" for v in raw]
        style = np.fromiter((int(s) if s else 0 for s in styles), np.int64, len(styles))
        is_date = self.date_styles[np.minimum(style, len(self.date_styles) - 1)]
        for i in np.flatnonzero(is_date).tolist():
            if out[i] != "":
                out[i] = _excel_date(out[i], self.epoch)
        return out


@functools.lru_cache(maxsize=1 << 16)
def _text_cached(raw: bytes) -> str:
    return _text(raw)


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:  # Excel writes control characters as _xHHHH_
        text = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)
    return text


@functools.lru_cache(maxsize=4096)
def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()  # quoted text, colours, escapes
    return bool(re.search(r"[dmyhs]", code)) and "general" not in code


def _excel_date(serial: float, epoch: dt.datetime):
    """An Excel date serial -> date (whole days), time (under a day) or datetime, to the second."""
    when = epoch + dt.timedelta(seconds=round(serial * 86400))
    if serial < 1:
        return when.time()
    if serial == int(serial):
        return when.date()
    return when
