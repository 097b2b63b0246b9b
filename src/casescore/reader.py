"""Read a case-marking file (xlsx/xls/ods, CSV, or standard input) into raw tables.

Nothing here knows about frameworks or answers: it finds the header row of each table and
hands back columns of raw cell values with enough position data to name any cell (`Cases!F7`).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import operator
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import SupportsIndex

from casescore.errors import UnreadableInput

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an encrypted (password-protected) xlsx
HEADER_SEARCH_ROWS = 50
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")  # stream name inside a password-protected xlsx
CSV_DELIMITERS = (",", ";", "\t", "|")
# Arrow parses a CSV in blocks of this size, in parallel; each block's dictionary-encoded columns are
# encoded on their own and the dictionaries unified after, so smaller blocks mean more parallel work,
# but more unifying: 1 MiB measured fastest for 10,000 to 300,000 cases on two cores (re-measured
# with answers read as plain text: 2 and 4 MiB no faster, within the noise; benchmarks/README.md).
CSV_BLOCK = 1 << 20
# Arrow's CSV reader holds the parsed blocks of the whole input until it has built every column: for
# the 319 MB long form, 0.6 GB above the file and the result. A file without quotes is read in parts
# of this size, one after another (the parse alone peaked at 0.8-1.0 GB -> 0.66-0.69 GB there, and
# 0.51 -> 0.39-0.41 GB for a 300,000-case CSV, in no more time: each part is still read on every core).
CSV_PART = 32 << 20
CASES_SHEET, RATINGS_SHEET, INSPECTION_SHEET = "Cases", "Ratings", "Inspection"


def column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# Characters people never see but spreadsheets and copy-paste leave in cells: a BOM, zero-width
# spaces and joiners, soft hyphens, word joiners, directional marks.
INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad\u200e\u200f\u202a\u202c"), None)


def visible_text(value) -> str:
    """A cell's text with invisible characters removed and every run of white space (line breaks,
    no-break spaces, tabs) made one space."""
    return " ".join(str(value).translate(INVISIBLE).split())


def normalise_header(value) -> str:
    """A header cell compared loosely: 'Case ID', 'case_id', 'CaseID', 'Case no.' all lose case,
    spaces, underscores, hyphens and dots."""
    return re.sub(r"[\s_\-.]+", "", visible_text(value).lower())


@dataclass(frozen=True)
class Location:
    """Where something is: the file, and as far as known its sheet, row and column."""

    file: str
    sheet: str | None = None
    row: int | None = None  # 1-based spreadsheet row (or CSV line)
    column: str | None = None  # letters: "F"

    @property
    def cell(self) -> str | None:
        return f"{self.column or ''}{self.row or ''}" or None

    @property
    def ref(self) -> str:
        """The cell as a spreadsheet formula names it: `Cases!F7`, or `F7` in a CSV."""
        if self.cell is None:
            return f"sheet {self.sheet}" if self.sheet else ""
        return f"{self.sheet}!{self.cell}" if self.sheet else self.cell

    def __str__(self) -> str:
        if self.cell is None:
            return f"{self.file}: sheet {self.sheet}" if self.sheet else self.file
        return f"{self.file}: {self.ref}"


@dataclass
class Table:
    """One table of a file: its header row and the raw values below it, column by column."""

    source: str  # the file name as the user gave it, or <stdin>
    sheet: str | None  # None for CSV
    header_row: int  # 1-based spreadsheet row of the header (header[0] is always column A)
    header: list[str]
    columns: list[Sequence]  # raw values, one sequence per header cell, all the same length
    typed: bool = False  # a workbook's cells, as calamine writes their values (see cell_text)

    def cell(self, col: int, row: SupportsIndex | None = None) -> Location:
        """A cell: col is an index into header; row an index into the data (None = the header)."""
        line = self.header_row if row is None else self.header_row + 1 + operator.index(row)
        return Location(self.source, self.sheet, line, column_letter(col))

    def where(self) -> Location:
        return Location(self.source, self.sheet)


@dataclass
class MarkingFile:
    cases: Table
    ratings: Table | None = None
    inspection: Table | None = None
    sha256: str = ""  # of the input's bytes, so an export can say exactly what it was made from
    sheet_note: str | None = None  # why the cases sheet was chosen, when it is not the obvious one
    unused_sheets: list[str] = field(default_factory=list)  # sheets of the workbook that were not read


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


def read_marking_file(path: str, score, sheet: str | None = None, progress=None, plain=None) -> MarkingFile:
    """Read the cases table (and Ratings/Inspection sheets of a workbook).

    `score(cells)` rates a row as the cases header: 0 not one, 1 has a case id column, 2 has a case
    id column and question columns. `sheet` names the cases sheet (default: one named Cases, else
    the first visible sheet with a score-2 header). `progress(done, total)` is told as sheets are read.
    `plain(header)` names the columns of a CSV to hand back as plain text (by index); the others are
    dictionary-encoded as they are parsed (the default for all), which suits columns that repeat a
    few values, and takes a fraction of the memory of their text.
    """
    name, data = read_bytes(path)
    if not data or data.isspace():  # isspace stops at the first other byte; strip would copy it all
        raise UnreadableInput(f"{name}: the file is empty")
    digest = _Digest(data)
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        file = _read_workbook(name, data, score, sheet, progress)
    else:
        file = MarkingFile(cases=_read_csv(name, data, score, plain))
    file.sha256 = digest.hexdigest()
    return file


class _Digest:
    """The SHA-256 of the input, worked out in a thread while the file is parsed: hashlib lets go of
    the GIL, so on two cores the 0.2 s it takes for a 300 MB long form costs no time."""

    def __init__(self, data: bytes):
        import threading

        self._hash = hashlib.sha256()
        self._thread = threading.Thread(target=self._hash.update, args=(data,), daemon=True)
        self._thread.start()

    def hexdigest(self) -> str:
        self._thread.join()
        return self._hash.hexdigest()


# --- workbooks ---------------------------------------------------------------------------

# A member of a workbook expanding this many times over its compressed size is a zip bomb; ordinary
# sheets expand 5 to 30 times (a 100,000-case sheet written by openpyxl: 16 times).
MAX_RATIO = 200
RATIO_FROM = 64 << 20  # below this size a member may expand as much as it likes: it is small anyway
MAX_MEMBER = 16 << 30  # no sheet casescore can write (1,000,000 cases is about 4 GiB) comes near this


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
        for m in members:
            ratio = m.file_size / max(1, m.compress_size)
            if m.file_size > MAX_MEMBER or (m.file_size > RATIO_FROM and ratio > MAX_RATIO):
                raise UnreadableInput(
                    f"{name}: refused: part {m.filename} expands {ratio:.0f} times to "
                    f"{m.file_size / (1 << 30):.1f} GiB, the mark of a zip bomb, not of a workbook of cases")


def _read_workbook(name: str, data: bytes, score, sheet: str | None, progress=None) -> MarkingFile:
    from casescore.sheets import Book

    _check_container(name, data)
    book = Book(name, data)
    if not book.sheet_names:
        raise UnreadableInput(f"{name}: the workbook has no sheets")
    if progress:
        progress(0, 1)
    cases_sheet, cases, note = _cases_table(book, name, score, sheet)
    if progress:
        progress(1, 1)
    by_lower = {s.strip().lower(): s for s in book.sheet_names}
    ratings = inspection = None
    used = {cases_sheet}
    if RATINGS_SHEET.lower() in by_lower and by_lower[RATINGS_SHEET.lower()] != cases_sheet:
        ratings_sheet = by_lower[RATINGS_SHEET.lower()]
        used.add(ratings_sheet)
        ratings = _sheet_table(book, name, ratings_sheet, _has_columns("standard", "rating"))
        if ratings is None and _sheet_table(book, name, ratings_sheet, lambda cells: 1) is not None:
            raise UnreadableInput(f"{name}: sheet {ratings_sheet} needs a header row with 'Standard' and 'Rating' "
                                  "columns")
    if INSPECTION_SHEET.lower() in by_lower and by_lower[INSPECTION_SHEET.lower()] not in used:
        used.add(by_lower[INSPECTION_SHEET.lower()])
        inspection = _sheet_table(book, name, by_lower[INSPECTION_SHEET.lower()], lambda cells: 1)
    unused = [s for s in book.sheet_names if s not in used]
    return MarkingFile(cases, ratings, inspection, sheet_note=note, unused_sheets=unused)


def _cases_table(book, name: str, score, wanted: str | None) -> tuple[str, Table, str | None]:
    """The sheet holding the cases, its table, and a note saying why it was chosen (None: obvious)."""
    by_lower = {s.strip().lower(): s for s in book.sheet_names}
    if wanted is not None:
        sheet = wanted if wanted in book.sheet_names else by_lower.get(wanted.strip().lower())
        if sheet is None:
            raise UnreadableInput(f"{name}: no sheet named '{wanted}' (it has {_sheet_list(book.sheet_names)})")
        return sheet, _require_table(book, name, sheet, score), None
    if CASES_SHEET.lower() in by_lower:
        sheet = by_lower[CASES_SHEET.lower()]
        return sheet, _require_table(book, name, sheet, score), None
    for sheet in book.sheet_names:
        if not book.visible(sheet):
            continue
        table = _sheet_table(book, name, sheet, score, need=2)
        if table is not None:
            note = None if sheet == book.sheet_names[0] else \
                f"used sheet '{sheet}', the first with case ids and questions"
            return sheet, table, note
    raise UnreadableInput(
        f"{name}: no sheet named Cases, and no visible sheet ({_sheet_list(book.sheet_names)}) has a header row with "
        f"a case id column and question columns in its first {HEADER_SEARCH_ROWS} rows; name the sheet to use"
    )


def _require_table(book, name: str, sheet: str, score) -> Table:
    table = _sheet_table(book, name, sheet, score)
    if table is None:
        raise UnreadableInput(
            f"{name}: sheet {sheet} has no header row with a case id column (Case ID, CRN, ...) in its first "
            f"{HEADER_SEARCH_ROWS} rows; add one, or name the id column"
        )
    return table


def _sheet_list(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _sheet_table(book, name: str, sheet: str, score, need: int = 1) -> Table | None:
    """The sheet's table under its header row: the first row scoring 2, else the first scoring `need`."""
    grid = book.grid(sheet)
    head = grid.head(HEADER_SEARCH_ROWS)
    scores = [score(cells) for cells in head]
    best = next((i for i, s in enumerate(scores) if s >= 2), None)
    if best is None and need <= 1:
        best = next((i for i, s in enumerate(scores) if s >= 1), None)
    if best is None:
        return None
    header = [_header_text(c) for c in head[best]]
    width = max(_width(header), len(grid.columns))
    header += [""] * (width - len(header))
    columns = [c.slice(best + 1) for c in grid.columns]
    return Table(name, sheet, best + 1, header, columns, typed=True)


def _width(cells: list) -> int:
    """Columns up to the last non-blank header cell."""
    width = len(cells)
    while width and _header_text(cells[width - 1]) == "":
        width -= 1
    return width


def _header_text(value) -> str:
    """A header cell as one line of text: line breaks (Alt+Enter) and runs of spaces become one space."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else visible_text(value)


def _has_columns(*names: str):
    def check(cells) -> int:
        found = {normalise_header(c) for c in cells if c is not None}
        return 2 if all(n in found for n in names) else 0

    return check


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:120]


# --- CSV ---------------------------------------------------------------------------------

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"


def _encoding(data: bytes) -> str:
    """The file's encoding: UTF-8 if the whole file is valid UTF-8, else Excel's Windows cp1252, else latin-1."""
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


def _likely_encoding(name: str, data: bytes) -> str:
    """The encoding as far as the first 64 KiB tell: UTF-8 there is taken as UTF-8 throughout, which
    Arrow's parser checks as it reads (a file that is not after all is read again as _encoding says)."""
    if b"\x00" in data[:8192]:
        raise UnreadableInput(f"{name}: binary data, not a CSV or a workbook")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:65536], final=len(data) <= 65536)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return _encoding(data)


def _utf8(name: str, data: bytes) -> bytes:
    """UTF-16 CSV ('Unicode text' from Excel) as UTF-8, so one parser reads every CSV."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableInput(f"{name}: starts as UTF-16 text but is not valid UTF-16; "
                                  "save it again as CSV UTF-8") from None
    return data


def _read_csv(name: str, data: bytes, score, plain=None) -> Table:
    """A CSV marking as columns. Arrow's CSV reader, which hands each column back as Arrow text (no
    Python string per cell), reads every well-formed file; a file with rows shorter or longer
    than its header goes to pandas' parser, which pads short rows and lets a long one be named."""
    data = _utf8(name, data)
    encoding = _likely_encoding(name, data)
    bom = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0  # begun as UTF-8 whatever follows: never header text
    head = data[bom:bom + 65536].decode(encoding, errors="ignore")
    delimiter, lines, header = _find_csv_header(name, head, score)
    width = max(len(header), 1)  # unnamed columns of the header row too: data under them is kept
    start = bom + _byte_length(head, lines, encoding)
    texts = plain(header) if plain else set()
    columns = _arrow_csv(data, start, encoding, delimiter, width, texts)
    if columns is None and encoding == "utf-8-sig" and (whole := _encoding(data)) != encoding:
        # UTF-8 at the start only: the rest is read again as what the whole file is. The header's
        # bytes, and so where the rows start (after any BOM), are those already found.
        encoding = whole
        columns = _arrow_csv(data, start, encoding, delimiter, width, texts)
    if columns is None:
        columns = _pandas_csv(name, data[start:], encoding, delimiter, width)
        extra = columns.pop()  # one column more than the header: anything in it is a row too long
        if len(extra) and (over := [i for i, v in enumerate(extra) if v]):
            raise UnreadableInput(f"{name}: line {lines + over[0] + 1} has more fields than the header row "
                                  f"({len(over)} such row(s)); give every column a header, or remove the extra "
                                  "separators")
    return Table(name, None, lines, header, columns)


def _byte_length(text: str, lines: int, encoding: str) -> int:
    """How many bytes of the file (after any BOM) the first `lines` lines of `text`, decoded from it, take."""
    consumed = "".join(line for _, line in zip(range(lines), io.StringIO(text, newline=""), strict=False))
    return len(consumed.encode("utf-8" if encoding == "utf-8-sig" else encoding))


def _arrow_csv(data: bytes, start: int, encoding: str, delimiter: str, width: int, plain: set[int]) -> list | None:
    """Columns of Arrow text from byte `start` on (those in `plain` as string arrays, the others
    dictionary-encoded), or None when a row has another number of fields than the header, or the
    text is not in `encoding`."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [f"c{i}" for i in range(width)]
    if encoding != "utf-8-sig":
        # Transcoded here, not by Arrow, which would call Python's codec from its own threads (as it
        # would a Python handler for bad rows). Python run from Arrow's threads is one known cause of
        # a process aborting as it ends ("terminate called without an active exception"), seen in 2
        # of 60 runs of a script reading such files; 1 in 180 after this change, so not the only one.
        data, start = data[start:].decode(encoding).encode("utf-8"), 0
    # Answers and case ids as plain text: Arrow's dictionary encoding hashes every cell as it parses
    # (a 300,000-case marking took 1.6x as long to parse); answers are coded from their bytes
    # instead (casescore.arrow_answers), and ids are nearly all distinct. Other columns repeat a few
    # values: encoded, they take a fraction of the memory of their text.
    kinds = {True: pa.string(), False: pa.dictionary(pa.int32(), pa.string())}
    types = {name: kinds[i in plain] for i, name in enumerate(names)}
    # A line break inside a value needs quotes around it; a file with no quote has none, and is split
    # into blocks at line breaks (with them, Arrow must follow the quoting: 1.3-2x slower).
    quoted = data.find(b'"', start) >= 0
    options = dict(
        read_options=pacsv.ReadOptions(column_names=names, encoding="utf8", block_size=CSV_BLOCK),
        # A row with another number of fields than the header stops the parse (ArrowInvalid).
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types=types, null_values=[], strings_can_be_null=False,
                                             quoted_strings_can_be_null=False),
    )
    whole = pa.py_buffer(data)  # no copy of a file that may be 300 MB
    try:
        tables = [pacsv.read_csv(pa.BufferReader(whole.slice(lo, hi - lo)), **options)
                  for lo, hi in _parts(data, start, CSV_PART if not quoted else len(data))]
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None  # pandas' parser reads it or says precisely what is wrong
    table = pa.concat_tables(tables)
    return [table.column(i) for i in range(width)]


def _parts(data: bytes, start: int, size: int) -> list[tuple[int, int]]:
    """(start, end) of parts of about `size` bytes from `start` on, each ending with a line feed
    (which also ends a CR LF line), or at the end of the data. Data with a quote must be read as one
    part (a line break in a quoted value does not end a row), so `size` is then the whole length.
    No part starts with a UTF-8 BOM (two files joined with `cat` have one inside): read as a part's
    first bytes it would be dropped, and an id '\ufeffC1' read as 'C1'."""
    parts: list[tuple[int, int]] = []
    lo = start
    while lo < len(data) or not parts:
        hi = data.find(b"\n", lo + size) + 1 if lo + size < len(data) else 0
        while hi and data.startswith(UTF8_BOM, hi):
            hi = data.find(b"\n", hi) + 1  # Arrow drops a BOM that starts its input, and keeps one anywhere else
        parts.append((lo, hi or len(data)))
        lo = hi or len(data)
    return parts


def _pandas_csv(name: str, data: bytes, encoding: str, delimiter: str, width: int) -> list:
    import warnings

    import pandas as pd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # pandas only warns when it drops fields: make that an error
            # dtype=object, not str: with pyarrow installed pandas 3 stores str columns in Arrow (2x slower)
            frame = pd.read_csv(
                io.BytesIO(data), encoding=encoding, sep=delimiter, header=None, names=range(width + 1),
                index_col=False, dtype=object, keep_default_na=False, na_filter=False, skip_blank_lines=False,
                engine="c",
            )
    except pd.errors.EmptyDataError:
        return [pd.Series([], dtype=object).to_numpy() for _ in range(width + 1)]
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as exc:
        raise UnreadableInput(f"{name}: not a readable CSV ({_short(exc)}); every row needs at most as many "
                              "fields as the header row") from None
    return [frame[i].to_numpy() for i in range(width + 1)]


def _find_csv_header(name: str, text: str, score) -> tuple[str, int, list[str]]:
    """The delimiter, the number of lines up to and including the header row, and its cells.

    Lines are split exactly as the CSV parsers split them (on \\n and \\r, minding quotes), never
    on the other characters str.splitlines() takes for line ends (form feed, U+2028...)."""
    for want in (2, 1):
        for delimiter in CSV_DELIMITERS:
            lines = io.StringIO(text, newline="")
            reader = csv.reader(lines, delimiter=delimiter)
            for _, cells in zip(range(HEADER_SEARCH_ROWS), reader, strict=False):
                if len(cells) > 1 and score(cells) >= want:
                    return delimiter, reader.line_num, [_header_text(c) for c in cells]
    raise UnreadableInput(
        f"{name}: no header row with a case id column (Case ID, CRN, ...) in the first {HEADER_SEARCH_ROWS} lines "
        "(separators tried: comma, semicolon, tab, bar); add a 'Case ID' column"
    )
