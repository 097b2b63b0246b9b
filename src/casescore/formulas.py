"""Formula cells saved without their value.

Excel and LibreOffice save each formula with its last value, and calamine reads that value. A
workbook written by a script (openpyxl, for one) holds only the formula: calamine then reads an
empty cell, and a COUNTIF totals row or a VLOOKUP'd attribute would pass for blanks. This module
finds such cells, so that they are named instead of read as empty.

calamine does not report formulas, so the sheet's XML is parsed here, with the standard library's
parser. Only sheets that contain a formula element at all are parsed (a regular expression over
the bytes decides that, and only that), and only up to CHECK_UP_TO bytes of XML: a sheet that size
has about 15,000 cases, and is made by tools that save values.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree

CHECK_UP_TO = 64 << 20
HAS_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
UTF16 = (b"\xff\xfe", b"\xfe\xff")
_REF = re.compile(r"^([A-Z]+)(\d+)$")


def uncached(data: bytes, sheet: str) -> dict[tuple[int, int], str]:
    """{(0-based row, 0-based column): what to show} for cells calamine reads as empty that are not:
    xlsx formulas saved without a value (shown as the formula), and ODS formula errors (as the error)."""
    try:
        if "content.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist():
            return _ods_errors(data, sheet)
    except (zipfile.BadZipFile, OSError):
        return {}
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        part = _sheet_part(book, sheet)
        if part is None or book.getinfo(part).file_size > CHECK_UP_TO:
            return {}
        xml = book.read(part)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return {}  # calamine has read the workbook, or said what is wrong with it
    if b"<!DOCTYPE" in xml[:4096].upper() or (not xml.startswith(UTF16) and not HAS_FORMULA.search(xml)):
        return {}
    try:
        return _scan(xml)
    except ElementTree.ParseError:
        return {}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip path of the named sheet's XML, from workbook.xml and its relationships."""
    return sheet_parts(book).get(sheet, (None, True))[0]


def sheet_parts(book: zipfile.ZipFile) -> dict[str, tuple[str | None, bool]]:
    """Each sheet of an xlsx: the zip path of its XML (None if not found) and whether it is visible."""
    names = {n.lower(): n for n in book.namelist()}
    workbook = names.get("xl/workbook.xml")
    rels = names.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    targets: dict[str, str] = {}
    for el in ElementTree.fromstring(book.read(rels)).iter():
        if _local(el.tag) == "Relationship":
            target = el.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[el.get("Id", "")] = path
    out: dict[str, tuple[str | None, bool]] = {}
    for el in ElementTree.fromstring(book.read(workbook)).iter():
        if _local(el.tag) == "sheet" and el.get("name") is not None:
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            part = names.get(targets.get(rid, "").lower())
            out[str(el.get("name"))] = (part, el.get("state", "visible") == "visible")
    return out


def may_hold_errors(book: zipfile.ZipFile, part: str) -> bool:
    """Whether a sheet's XML may hold an error cell (t="e"), read as a stream: a cheap search for the
    attribute's value, which may also match other text; a match only sends the sheet the slower way."""
    tail = b""
    with book.open(part) as stream:
        while chunk := stream.read(4 << 20):
            window = tail + chunk
            if b'"e"' in window or b"'e'" in window:
                return True
            tail = window[-2:]
    return False


def _scan(xml: bytes) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    row, col = 0, -1
    for event, el in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        name = _local(el.tag)
        if event == "start" and name == "row":
            row = int(el.get("r")) - 1 if el.get("r") else row + 1
            col = -1
        elif event == "end" and name == "c":
            col = _column(el.get("r"), col + 1)
            formula = next((c for c in el if _local(c.tag) == "f"), None)
            value = next((c for c in el if _local(c.tag) in ("v", "is")), None)
            # An empty value is a saved empty text only when the cell says it holds text (t="str");
            # openpyxl writes <v></v> (no type) for a formula it has not calculated.
            saved = value is not None and ("".join(value.itertext()) or el.get("t") == "str")
            if formula is not None and not saved:
                found[(row, col)] = "=" + (formula.text or "")
            el.clear()
        elif event == "end" and name == "row":
            el.clear()
    return found


def _column(ref: str | None, default: int) -> int:
    m = _REF.match(ref or "")
    if not m:
        return default
    index = 0
    for ch in m.group(1):
        index = index * 26 + ord(ch) - 64
    return index - 1


ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
ODS_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _ods_errors(data: bytes, sheet: str) -> dict[tuple[int, int], str]:
    """LibreOffice saves a formula error as an empty string marked calcext:value-type="error", with
    the error's text in the cell's paragraph; calamine reads the empty string. Find those cells."""
    book = zipfile.ZipFile(io.BytesIO(data))
    if book.getinfo("content.xml").file_size > CHECK_UP_TO:
        return {}
    xml = book.read("content.xml")
    if b"error" not in xml:  # no cell can be one: skip the parse
        return {}
    found: dict[tuple[int, int], str] = {}
    row = col = 0
    inside = False
    for event, el in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        if el.tag == f"{{{ODS_TABLE}}}table":
            inside = event == "start" and el.get(f"{{{ODS_TABLE}}}name") == sheet
        elif not inside:
            continue
        elif el.tag == f"{{{ODS_TABLE}}}table-row" and event == "start":
            col = 0
        elif el.tag == f"{{{ODS_TABLE}}}table-row":
            row += int(el.get(f"{{{ODS_TABLE}}}number-rows-repeated", "1"))
            el.clear()
        elif el.tag in (f"{{{ODS_TABLE}}}table-cell", f"{{{ODS_TABLE}}}covered-table-cell") and event == "end":
            repeat = int(el.get(f"{{{ODS_TABLE}}}number-columns-repeated", "1"))
            if el.get(f"{{{ODS_CALCEXT}}}value-type") == "error":
                text = "".join(el.itertext()).strip() or "#ERROR!"
                for k in range(min(repeat, 1024)):
                    found[(row, col + k)] = text
            col += repeat
    return found
