"""Read a case-marking file (xlsx/xls/ods, CSV, or standard input) into raw tables.

Nothing here knows about frameworks or answers: it finds the header row of each table and
hands back columns of raw cell values with enough position data to name any cell (`Cases!F7`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from casescore.errors import UnreadableInput

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an encrypted (password-protected) xlsx
HEADER_SEARCH_ROWS = 50
# A workbook whose parts expand beyond this is refused before parsing (zip bombs). A 100,000-case
# marking of ~90 questions is about 0.45 GiB of XML.
MAX_UNCOMPRESSED = 1 << 30
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")  # stream name inside a password-protected xlsx
CSV_DELIMITERS = (",", ";", "\t", "|")
CASES_SHEET, RATINGS_SHEET, INSPECTION_SHEET = "Cases", "Ratings", "Inspection"


def column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def normalise_header(value) -> str:
    """A header cell compared loosely: 'Case ID', 'case_id', 'CaseID' all -> 'caseid'."""
    return re.sub(r"[\s_\-]+", "", str(value).strip().lower())


@dataclass
class Table:
    """One table of a file: its header row and the raw values below it, column by column."""

    source: str  # the file name as the user gave it, or <stdin>
    sheet: str | None  # None for CSV
    header_row: int  # 1-based spreadsheet row of the header (header[0] is always column A)
    header: list[str]
    columns: list[Sequence]  # raw values, one sequence per header cell, all the same length

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def cell(self, col: int, row: int | None = None) -> str:
        """Reference to a cell: col is an index into header; row an index into the data (None = header)."""
        line = self.header_row if row is None else self.header_row + 1 + row
        ref = f"{column_letter(col)}{line}"
        return f"{self.source}: {self.sheet}!{ref}" if self.sheet else f"{self.source}: {ref}"

    def where(self) -> str:
        return f"{self.source}: sheet {self.sheet}" if self.sheet else self.source


@dataclass
class MarkingFile:
    cases: Table
    ratings: Table | None = None
    inspection: Table | None = None
    sha256: str = ""  # of the input's bytes, so an export can say exactly what it was made from


def read_bytes(path: str) -> tuple[str, bytes]:
    """The input's display name and its bytes; '-' reads standard input."""
    if path == "-":
        return "<stdin>", sys.stdin.buffer.read()
    p = Path(path)
    try:
        if p.is_dir():
            raise UnreadableInput(f"{path}: is a folder, not a marking file")
        with p.open("rb") as fh:  # read-only: the input is never modified
            return path, fh.read()
    except FileNotFoundError:
        raise UnreadableInput(f"{path}: no such file") from None
    except PermissionError:
        raise UnreadableInput(f"{path}: permission denied (check the file's read permission)") from None
    except OSError as exc:
        raise UnreadableInput(f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})") from None


def read_marking_file(path: str, is_header, progress=None) -> MarkingFile:
    """Read the cases table (and Ratings/Inspection sheets of a workbook).

    `is_header(cells)` tells the cases header row from title rows above it; `progress(done, total)`
    is called as a large workbook's cases sheet is read.
    """
    name, data = read_bytes(path)
    if not data.strip():
        raise UnreadableInput(f"{name}: the file is empty")
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        file = _read_workbook(name, data, is_header, progress)
    else:
        file = MarkingFile(cases=_read_csv(name, data, is_header))
    file.sha256 = hashlib.sha256(data).hexdigest()
    return file


# --- workbooks ---------------------------------------------------------------------------


def _check_container(name: str, data: bytes) -> None:
    """Refuse encrypted workbooks and zip bombs with a clear message, before any parsing."""
    if data.startswith(OLE_MAGIC) and ENCRYPTED_MARK in data:
        raise UnreadableInput(f"{name}: the workbook is password-protected; open it in Excel and save a copy "
                              "without a password")
    if data.startswith(ZIP_MAGIC):
        import zipfile

        try:
            members = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise UnreadableInput(f"{name}: not a readable workbook (damaged or truncated zip); "
                                  "save it again as .xlsx") from None
        total = sum(m.file_size for m in members)
        if total > MAX_UNCOMPRESSED:
            raise UnreadableInput(f"{name}: the workbook expands to {total / (1 << 30):.1f} GiB, over casescore's "
                                  f"limit of {MAX_UNCOMPRESSED / (1 << 30):.1f} GiB; save the cases as CSV instead")


def _read_workbook(name: str, data: bytes, is_header, progress=None) -> MarkingFile:
    _check_container(name, data)
    book = _open_book(name, data)
    sheets = book.sheet_names
    if not sheets:
        raise UnreadableInput(f"{name}: the workbook has no sheets")
    by_lower = {s.lower(): s for s in sheets}
    cases_sheet = by_lower.get(CASES_SHEET.lower(), sheets[0])
    cases = _sheet_table(book, name, cases_sheet, is_header, progress)
    if cases is None:
        raise UnreadableInput(
            f"{name}: sheet {cases_sheet} has no header row with a 'Case ID' column in its first "
            f"{HEADER_SEARCH_ROWS} rows; add one (or put the cases on a sheet named Cases)"
        )
    ratings = inspection = None
    if RATINGS_SHEET.lower() in by_lower and by_lower[RATINGS_SHEET.lower()] != cases_sheet:
        sheet = by_lower[RATINGS_SHEET.lower()]
        ratings = _sheet_table(book, name, sheet, _has_columns("standard", "rating"))
        if ratings is None and _sheet_table(book, name, sheet, lambda cells: True) is not None:
            raise UnreadableInput(f"{name}: sheet {sheet} needs a header row with 'Standard' and 'Rating' columns")
    if INSPECTION_SHEET.lower() in by_lower:
        inspection = _sheet_table(book, name, by_lower[INSPECTION_SHEET.lower()], lambda cells: True)
    return MarkingFile(cases, ratings, inspection)


def _open_book(name: str, data: bytes):
    """The fast streaming reader for ordinary xlsx files; calamine for everything else."""
    if data.startswith(ZIP_MAGIC):
        from casescore import ooxml

        try:
            return _FastBook(name, ooxml.Workbook(data), data)
        except ooxml.Hostile as exc:
            raise UnreadableInput(f"{name}: refused: {exc}") from None
        except Exception:  # Unsupported, or a part it cannot make sense of: calamine decides
            pass
    return _CalamineBook(name, data)


class _FastBook:
    def __init__(self, name: str, book, data: bytes):
        self.name, self.book, self.data = name, book, data
        self.sheet_names = book.sheet_names
        self._calamine = None  # opened once, if a sheet needs it

    def _fallback(self) -> "_CalamineBook":
        if self._calamine is None:
            self._calamine = _CalamineBook(self.name, self.data)
        return self._calamine

    def grid(self, sheet: str, progress=None):
        """(first 50 rows with their 1-based numbers, columns-from(row) function)."""
        from casescore import ooxml

        try:
            data = self.book.sheet(sheet, progress)
        except ooxml.Hostile as exc:
            raise UnreadableInput(f"{self.name}: sheet {sheet} refused: {exc}") from None
        except Exception:  # Unsupported, or damaged: calamine reads it, or says precisely what is wrong
            return self._fallback().grid(sheet)
        head = data.head(HEADER_SEARCH_ROWS)
        return head, lambda first_row, width: [data.column(j, first_row) for j in range(width)]


class _CalamineBook:
    def __init__(self, name: str, data: bytes):
        import python_calamine as pc

        self.name = name
        try:
            self.book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.sheet_names = self.book.sheet_names
        except pc.PasswordError:
            raise UnreadableInput(f"{name}: the workbook is password-protected; save an unprotected copy") from None
        except Exception as exc:  # calamine raises several kinds for corrupt files
            if data.startswith(OLE_MAGIC):
                raise UnreadableInput(
                    f"{name}: not a readable workbook (a password-protected xlsx or a damaged .xls); "
                    "save it again from Excel as .xlsx without a password"
                ) from None
            raise UnreadableInput(f"{name}: not a readable workbook ({_short(exc)}); save it again as .xlsx") from None

    def grid(self, sheet: str, progress=None):
        import python_calamine as pc

        try:
            ws = self.book.get_sheet_by_name(sheet)
            rows = ws.to_python(skip_empty_area=True)
            row0, col0 = ws.start or (0, 0)
        except pc.PasswordError:
            raise UnreadableInput(f"{self.name}: sheet {sheet} is password-protected") from None
        except Exception as exc:
            raise UnreadableInput(f"{self.name}: sheet {sheet} cannot be read ({_short(exc)})") from None
        pad = [""] * col0  # calamine trims empty leading columns: put them back so cells keep their letters
        head = [(row0 + i + 1, pad + list(r)) for i, r in enumerate(rows[:HEADER_SEARCH_ROWS])]

        def columns(first_row: int, width: int) -> list:
            skipped = first_row - row0 - 1  # rows of the sheet's data area before first_row
            body = [[]] * max(0, -skipped) + rows[max(0, skipped):]  # empty rows above the data area
            if not body:
                return [[] for _ in range(width)]
            body = [r if r else [""] * len(rows[0]) for r in body]
            cols = [list(c) for c in zip(*body)]
            full = [[""] * len(body) for _ in range(col0)] + cols
            return [full[j] if j < len(full) else [""] * len(body) for j in range(width)]

        return head, columns


def _sheet_table(book, name: str, sheet: str, is_header, progress=None) -> Table | None:
    head, columns = book.grid(sheet, progress)
    for number, cells in head:
        if is_header(cells):
            width = _width(cells)
            header = [_header_text(c) for c in cells[:width]]
            return Table(name, sheet, number, header, columns(number + 1, width))
    return None


def _width(cells: list) -> int:
    """Columns up to the last non-blank header cell."""
    width = len(cells)
    while width and _header_text(cells[width - 1]) == "":
        width -= 1
    return width


def _header_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else " ".join(str(value).split())


def _has_columns(*names: str):
    def check(cells) -> bool:
        found = {normalise_header(c) for c in cells}
        return all(n in found for n in names)

    return check


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:120]


# --- CSV ---------------------------------------------------------------------------------


def _encoding(name: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise UnreadableInput(f"{name}: binary data, not a CSV or a workbook")
    try:
        data.decode("utf-8")  # validates the whole file; C speed
        return "utf-8-sig"
    except UnicodeDecodeError:
        # Excel on Windows saves CSV as cp1252; latin-1 accepts whatever bytes are left.
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"


def _read_csv(name: str, data: bytes, is_header) -> Table:
    import pandas as pd

    encoding = _encoding(name, data)
    head = data[:65536].decode(encoding, errors="ignore")
    delimiter, line_index, header = _find_csv_header(name, head, is_header)
    width = _width(header)
    try:
        # Cells right of the last header are ignored, as in a workbook: they cannot be questions.
        frame = pd.read_csv(
            io.BytesIO(data), encoding=encoding, sep=delimiter, header=None, skiprows=line_index + 1,
            names=range(width), usecols=range(width), dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=False, engine="c",
        )
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
    except (pd.errors.ParserError, ValueError) as exc:
        raise UnreadableInput(f"{name}: not a readable CSV ({_short(exc)})") from None
    return Table(name, None, line_index + 1, header[:width], [frame[i].to_numpy() for i in range(width)])


def _find_csv_header(name: str, text: str, is_header) -> tuple[str, int, list[str]]:
    """The delimiter, 0-based line index and cells of the header row."""
    head = text.splitlines()[:HEADER_SEARCH_ROWS]
    for delimiter in CSV_DELIMITERS:
        for i, cells in enumerate(csv.reader(head, delimiter=delimiter)):
            if len(cells) > 1 and is_header(cells):
                return delimiter, i, [_header_text(c) for c in cells]
    raise UnreadableInput(
        f"{name}: no header row with a 'Case ID' column in the first {HEADER_SEARCH_ROWS} lines "
        "(separators tried: comma, semicolon, tab, bar); add a 'Case ID' column"
    )
