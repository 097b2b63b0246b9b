"""Workbook sheets (xlsx, xlsm, xlsb, xls, ods) read through fastexcel.

fastexcel wraps calamine, a maintained Rust reader that parses the XML properly (namespaces,
prefixes, CDATA, entities, shared and inline strings, UTF-16 parts) and hands back Arrow
columns, so a 100,000-case sheet never becomes millions of Python objects. Every cell is asked
for as text: a question column mixes its header with answers, so no column has one type, and
text is what a person typed. `cell_text` turns calamine's spellings of booleans, dates and times
back into Excel's, and cells calamine cannot give as text (formula errors such as #N/A) come
back from it as errors, which are put back into the column as the error's text so that they are
never mistaken for empty cells.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.etree import ElementTree

from casescore import cell_text
from casescore.errors import UnreadableInput

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an encrypted (password-protected) xlsx


@dataclass
class Grid:
    """A sheet as columns of text from column A and row 1: columns[j][i] is cell (row i+1, column j)."""

    columns: list  # pyarrow string arrays, all of length `rows`
    rows: int

    def head(self, n: int) -> list[list[str | None]]:
        """The first n rows, each as the list of its cells' typed text."""
        cols = [[cell_text.as_typed(v) for v in c.slice(0, n).to_pylist()] for c in self.columns]
        return [list(row) for row in zip(*cols, strict=True)] if cols else []


class Book:
    def __init__(self, name: str, data: bytes):
        import fastexcel

        self.name = name
        if data.startswith(b"PK"):
            from casescore.xml_parts import utf8_parts

            data = utf8_parts(data)
        self._data = data
        try:
            self._reader = fastexcel.read_excel(data)
        except Exception as exc:  # fastexcel raises several kinds for damaged files
            if data.startswith(OLE_MAGIC):
                raise UnreadableInput(f"{name}: not a readable workbook (a password-protected xlsx or a damaged .xls); "
                                      "save it again from Excel as .xlsx without a password") from None
            raise UnreadableInput(f"{name}: not a readable workbook ({_short(exc)}); save it again as .xlsx") from None
        self.sheet_names: list[str] = list(self._reader.sheet_names)
        self._visible: dict[str, bool] = {}
        self._grids: dict[str, Grid] = {}  # a sheet is parsed once, however often it is asked for

    def visible(self, sheet: str) -> bool:
        if sheet not in self._visible:
            self.grid(sheet)
        return self._visible[sheet]

    def grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            self._grids[sheet] = self._read(sheet)
        return self._grids[sheet]

    def _read(self, sheet: str) -> Grid:
        try:
            batch, errors, offsets = self._load(sheet)
        except Exception as exc:
            if "nsupported cell error" not in str(exc) or not self._data.startswith(b"PK"):
                raise UnreadableInput(f"{self.name}: sheet {sheet} cannot be read ({_short(exc)})") from None
            self._newer_errors_as_text()
            try:
                batch, errors, offsets = self._load(sheet)
            except Exception as again:
                raise UnreadableInput(f"{self.name}: sheet {sheet} cannot be read ({_short(again)})") from None
        patches = _error_cells(errors, offsets)
        from casescore import formulas

        found = formulas.uncached(self._data, sheet) if self._data.startswith(b"PK") else {}
        for cell, text in found.items():
            patches.setdefault(cell, text)
        return _grid(batch, offsets, patches)

    def _load(self, sheet: str):
        return self._load_eager(sheet) or self._load_with_errors(sheet)

    def _load_with_errors(self, sheet: str):
        loaded = self._reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        self._visible[sheet] = loaded.visible == "visible"
        batch, errors = loaded.to_arrow_with_errors()
        return batch, errors, [c.absolute_index for c in loaded.selected_columns]

    def _load_eager(self, sheet: str):
        """An xlsx sheet whose text is in shared strings (as Excel, LibreOffice and xlsxwriter save
        it) read straight into Arrow, its cells referring to the strings instead of copying each: a
        quarter faster than loading it first. None when the sheet may hold error cells, which eager
        loading reads as empty, or has no shared strings (inline text: eager loading gains nothing).

        Whether it may hold errors is found by a stream search of the sheet's XML, in a thread beside
        the load (both let go of the GIL, so on two cores the search costs little time)."""
        import threading
        import zipfile

        from casescore import formulas

        try:
            book = zipfile.ZipFile(io.BytesIO(self._data))
            part, visible = formulas.sheet_parts(book).get(sheet, (None, True))
            shared = any(n.lower().endswith("sharedstrings.xml") for n in book.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, ElementTree.ParseError):
            return None
        if part is None or not shared:
            return None  # inline text, not an xlsx, or a sheet not found: the other way reads it or says why
        found: list[bool] = []
        search = threading.Thread(target=lambda: found.append(_may_hold_errors(book, part)), daemon=True)
        search.start()
        offsets: list[int] = []

        # Told each column as it is loaded: where it is, from column A. fastexcel's stub lists no callable for
        # the eager loader, but it takes one as load_sheet does (tests/test_reader_paths.py relies on it).
        def every_column(col) -> bool:
            offsets.append(col.absolute_index)
            return True

        try:
            batch = self._reader.load_sheet_eager(sheet, header_row=None, skip_rows=0, dtypes="string",
                                                  use_columns=every_column)  # type: ignore[arg-type]
        except Exception:
            batch = None  # the other way reports it
        search.join()
        if batch is None or found != [False]:
            return None
        self._visible[sheet] = visible
        return batch, None, offsets

    def _newer_errors_as_text(self) -> None:
        """calamine refused an error value it does not know (#SPILL!, #CALC!): make such cells text."""
        import fastexcel

        from casescore.xml_parts import newer_errors_as_text

        self._data = newer_errors_as_text(self._data)
        self._reader = fastexcel.read_excel(self._data)


def _may_hold_errors(book, part: str) -> bool:
    from casescore import formulas

    try:
        return formulas.may_hold_errors(book, part)
    except Exception:  # damaged (a bad CRC, a broken stream...): the other loader reads it or says what is wrong
        return True


def _grid(batch, offsets: list[int], patches: dict[tuple[int, int], str]) -> Grid:
    """Columns from A, with cells calamine could not give as text put back as what Excel shows."""
    import pyarrow as pa

    rows = batch.num_rows
    width = max([*offsets, *(c for _, c in patches)], default=-1) + 1
    rows = max([rows, *(r + 1 for r, _ in patches)])
    full = [pa.nulls(rows, pa.string()) for _ in range(width)]
    for j, col in zip(offsets, batch.columns, strict=True):
        col = col.cast(pa.string()) if col.type != pa.string() else col
        full[j] = col if len(col) == rows else pa.concat_arrays([col, pa.nulls(rows - len(col), pa.string())])
    for j in sorted({c for _, c in patches}):  # few: rebuild each column that has any
        values = full[j].to_pylist()
        for (r, c), text in patches.items():
            if c == j and not values[r]:  # an ODS error cell reads as "", an xlsx one as nothing
                values[r] = text
        full[j] = pa.array(values, pa.string())
    return Grid(full, rows)


def _error_cells(errors, offsets: list[int]) -> dict[tuple[int, int], str]:
    """fastexcel's CellErrors -> {(row, column from A): the error's text}."""
    if not errors:
        return {}
    return {(e.offset_position[0], offsets[e.offset_position[1]]): cell_text.error_text(e.detail)
            for e in errors.errors}


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:120]
