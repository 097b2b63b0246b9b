"""A fast, streaming reader for the common shape of .xlsx sheets.

calamine parses a whole sheet into memory before Python sees a cell; on 100,000 cases that takes
seconds and about a gigabyte. This reader streams the sheet XML in chunks and finds every cell's
reference, type, style and value with vectorised byte comparisons (numpy), decoding each distinct
value once, so a large marking costs a fraction of the time and memory. It understands the cell forms Excel,
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

    cells: dict[int, tuple[np.ndarray, np.ndarray]]  # rows ascending; values an object array
    last_row: int

    def head(self, n: int) -> list[tuple[int, list]]:
        """The first n rows as (1-based number, values from column A; '' where empty)."""
        grid: dict[int, dict[int, object]] = {}
        for col, (rows, values) in self.cells.items():
            k = int(np.searchsorted(rows, n, side="right"))
            for r, v in zip(rows[:k].tolist(), values[:k]):
                grid.setdefault(r, {})[col] = v
        return [(r, [grid.get(r, {}).get(c, "") for c in range(max(grid.get(r, {0: 0})) + 1)] if r in grid else [])
                for r in range(1, min(n, self.last_row) + 1)]

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
        return [_cell_text(b"".join(T.findall(m.group(1) or b""))) for m in SI.finditer(xml)]

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
        parts: dict[int, tuple[list, list]] = {}
        done, rest = 0, b""
        with self.zip.open(path) as fh:
            while True:
                chunk = fh.read(CHUNK)
                if not done:
                    _guard(chunk)
                done += len(chunk)
                data = rest + chunk
                cut = data.rfind(b"</row>") + 6 if chunk else len(data)
                if cut > 5 or not chunk:
                    part, rest = data[:cut], data[cut:]
                    self._add(_Scan(part, self).columns(), parts)
                else:
                    rest = data  # no complete row yet
                if progress:
                    progress(done, total)
                if not chunk:
                    break
        cells, last = {}, 0
        for col, (row_parts, value_parts) in parts.items():
            rows = np.concatenate(row_parts)
            if len(rows) > 1 and not (np.diff(rows) > 0).all():
                raise Unsupported("cells out of order")
            cells[col] = (rows, np.concatenate(value_parts))
            last = max(last, int(rows[-1]))
        return Sheet(cells, last)

    @staticmethod
    def _add(columns: dict, parts: dict) -> None:
        for col, (rows, values) in columns.items():
            entry = parts.setdefault(col, ([], []))
            entry[0].append(rows)
            entry[1].append(values)

    def value(self, kind: int, style: int, raw: bytes):
        """One distinct cell value -> its Python value, by cell type (and style, for dates)."""
        if kind == T_SHARED:
            try:
                return self.shared[int(raw)]
            except (ValueError, IndexError):
                raise Unsupported("shared string index out of range") from None
        if kind in (T_INLINE, T_STR):
            return _text_cached(raw)
        if kind == T_BOOL:
            return raw == b"1"
        if kind == T_ERROR:
            return ""  # an error value (#DIV/0!) reads as empty, as calamine reads it
        if kind == T_NUMBER:
            if not raw:
                return ""
            number = float(raw)
            is_date = style < len(self.date_styles) and self.date_styles[style]
            return _excel_date(number, self.epoch) if is_date else number
        raise Unsupported(f"cell type {chr(kind)}")


# Cell types by the first letter of t="..." (str is told from s by its second letter).
T_SHARED, T_INLINE, T_STR, T_BOOL, T_ERROR, T_NUMBER = ord("s"), ord("i"), ord("S"), ord("b"), ord("e"), ord("n")
LT, GT, SLASH, QUOTE, EQ, SP = (ord(c) for c in '<>/"= ')


def _digits(a: np.ndarray, at: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Parse the decimal numbers starting at each position: (values, digit counts)."""
    value = np.zeros(len(at), np.int64)
    count = np.zeros(len(at), np.int64)
    for i in range(most):
        ch = a[at + i].astype(np.int64)
        more = (ch >= 48) & (ch <= 57) & (count == i)
        value = np.where(more, value * 10 + ch - 48, value)
        count += more
    return value, count


def _first_after(candidates: np.ndarray, after: np.ndarray, before: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each (after, before) window, the first candidate position inside it, and whether there is one."""
    if not len(candidates):
        return np.zeros(len(after), np.int64), np.zeros(len(after), bool)
    k = np.searchsorted(candidates, after, side="right")
    pos = candidates[np.minimum(k, len(candidates) - 1)]
    return pos, (k < len(candidates)) & (pos < before)


class _Scan:
    """All the cells of a run of complete rows, found with vectorised byte comparisons: no
    Python work per cell, only per distinct value."""

    def __init__(self, part: bytes, book: Workbook):
        self.part, self.book = part, book
        self.a = np.concatenate([np.frombuffer(part, np.uint8), np.zeros(32, np.uint8)])

    def columns(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        a = self.a
        lt = np.flatnonzero(a == LT)
        after1, after2 = a[lt + 1], a[lt + 2]
        starts = lt[(after1 == ord("c")) & ((after2 == SP) | (after2 == GT) | (after2 == SLASH))]
        if not len(starts):
            return {}
        if not ((a[starts + 2] == SP) & (a[starts + 3] == ord("r")) & (a[starts + 4] == EQ)
                & (a[starts + 5] == QUOTE)).all():
            raise Unsupported("a cell without its reference first")
        col, row = self._reference(starts + 6)
        gt = np.flatnonzero(a == GT)
        ends = gt[np.searchsorted(gt, starts)]  # the '>' closing each <c ...> tag
        closed = a[ends - 1] == SLASH
        kind, style = self._attributes(starts, ends)
        values = self._values(lt, after1, after2, gt, ends, closed, kind, style)
        order = np.argsort(col, kind="stable")
        bounds = np.flatnonzero(np.diff(col[order])) + 1
        return {int(col[idx[0]]): (row[idx], values[idx]) for idx in np.split(order, bounds)}

    def _reference(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = self.a
        col = np.zeros(len(at), np.int64)
        letters = np.zeros(len(at), np.int64)
        for i in range(3):
            ch = a[at + i].astype(np.int64)
            more = (ch >= 65) & (ch <= 90) & (letters == i)
            col = np.where(more, col * 26 + ch - 64, col)
            letters += more
        row, digits = _digits(a, at + letters, 8)
        if ((letters == 0) | (digits == 0) | (a[at + letters + digits] != QUOTE)).any():
            raise Unsupported("a cell reference this reader does not know")
        return col - 1, row

    def _attribute(self, letter: str, starts: np.ndarray, ends: np.ndarray):
        a = self.a
        cand = np.flatnonzero(a == ord(letter))
        cand = cand[(a[cand - 1] == SP) & (a[cand + 1] == EQ) & (a[cand + 2] == QUOTE)]
        return _first_after(cand, starts, ends)

    def _attributes(self, starts, ends) -> tuple[np.ndarray, np.ndarray]:
        a = self.a
        tpos, has_t = self._attribute("t", starts, ends)
        kind = np.where(has_t, a[tpos + 3], T_NUMBER).astype(np.int64)
        kind = np.where((kind == T_SHARED) & (a[tpos + 4] == ord("t")), T_STR, kind)
        spos, has_s = self._attribute("s", starts, ends)
        style, _ = _digits(a, spos + 3, 6)
        return kind, np.where(has_s, style, 0)

    def _values(self, lt, after1, after2, gt, ends, closed, kind, style) -> np.ndarray:
        a = self.a
        close_c = lt[(after1 == SLASH) & (after2 == ord("c")) & (a[lt + 3] == GT)]
        cell_end, has_end = _first_after(close_c, ends, np.full(len(ends), len(a)))
        if not (has_end | closed).all():
            raise Unsupported("an unclosed cell")
        cell_end = np.where(closed, ends, cell_end)
        rich, has_rich = _first_after(lt[(after1 == ord("r")) & ((after2 == GT) | (after2 == SP))], ends, cell_end)
        if has_rich.any():
            raise Unsupported("rich text in a cell")
        vpos, has_v = _first_after(lt[(after1 == ord("v")) & (after2 == GT)], ends, cell_end)
        tpos, has_t = _first_after(lt[(after1 == ord("t")) & ((after2 == GT) | (after2 == SP) | (after2 == SLASH))],
                                   ends, cell_end)
        t_close = gt[np.searchsorted(gt, tpos)]
        inline = kind == T_INLINE
        use_t = inline & has_t & (a[t_close - 1] != SLASH)
        use_v = ~inline & has_v
        start = np.where(use_t, t_close + 1, np.where(use_v, vpos + 3, 0))
        stop = np.where(use_t | use_v, lt[np.searchsorted(lt, start)], 0)
        return self._decode(start, stop - start, kind, style)

    def _decode(self, start, length, kind, style) -> np.ndarray:
        """Cell values: each distinct (type, style, bytes) decoded once."""
        a, part = self.a, self.part
        out = np.empty(len(start), dtype=object)
        short = length <= 8
        key = np.zeros(len(start), np.uint64)
        for i in range(8):
            key |= np.where(short & (i < length), a[start + i].astype(np.uint64) << np.uint64(8 * i), 0).astype(np.uint64)
        group = kind * (1 << 32) + np.where(kind == T_NUMBER, style, 0)  # styles matter for numbers only
        for g in np.unique(group).tolist():
            k, st = divmod(g, 1 << 32)
            here = group == g
            sel = np.flatnonzero(here & short)
            if len(sel):
                keys, first, inverse = np.unique(key[sel], return_index=True, return_inverse=True)
                decoded = np.empty(len(keys), dtype=object)
                for j, i in enumerate(sel[first].tolist()):
                    decoded[j] = self.book.value(int(k), int(st), part[start[i]:start[i] + length[i]])
                out[sel] = decoded[inverse.ravel()]
            sel = np.flatnonzero(here & ~short)
            if len(sel):
                raws = [part[s:s + n] for s, n in zip(start[sel].tolist(), length[sel].tolist())]
                value = functools.partial(self.book.value, int(k), int(st))
                taken = np.empty(len(sel), dtype=object)
                taken[:] = [value(r) for r in raws]
                out[sel] = taken
        return out


def _cell_text(raw: bytes) -> str:
    text = _text(raw)
    return text if text.strip(" \t\r\n") else ""  # XML-whitespace-only text reads as empty, as in calamine


_text_cached = functools.lru_cache(maxsize=1 << 16)(_cell_text)


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:  # Excel writes control characters as _xHHHH_
        text = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)
    return text


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
