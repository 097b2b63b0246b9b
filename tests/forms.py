"""Build valid-but-unusual workbooks, and read any workbook through an independent oracle.

A workbook is written by openpyxl (or another writer), then its XML parts are rewritten with
zipfile into the unusual *form* under test: the cells stay the same, only their spelling in XML
changes. `oracle_cells` reads a file with openpyxl (data_only: cached values) and turns each value
into text by the rules `read_cells` (below) documents, so the two can be compared cell by
cell with `assert_same_cells`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Callable
from html import escape
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
SHEET1 = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
STYLES = "xl/styles.xml"
SST = "xl/sharedStrings.xml"
SST_TYPE = f"{REL}/sharedStrings"
SST_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


# --- the oracle ------------------------------------------------------------------------------

def as_text(value) -> str:
    """One openpyxl value as read_cells spells it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):  # openpyxl reads [h]:mm:ss formats as durations
        seconds = round(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value)


def trim(rows: list[list[str]]) -> list[list[str]]:
    """Drop trailing empty rows and columns, as read_cells does."""
    rows = [list(r) for r in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((j + 1 for r in rows for j, c in enumerate(r) if c), default=0)
    return [(r + [""] * width)[:width] for r in rows]


def oracle_cells(path: Path, sheet: str | None = None) -> list[list[str]]:
    """Every cell of a sheet (default: the first) as openpyxl reads its cached values."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [[as_text(c.value) for c in row] for row in ws.iter_rows(min_row=1, min_col=1)]
    return trim(rows)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def same_cell(got: str, want: str) -> bool:
    if got == want:
        return True
    a, b = _number(got), _number(want)
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def assert_same_cells(got: list[list[str]], want: list[list[str]]) -> None:
    """Same shape, and every cell the same text (numbers: the same value within 1e-9 relative)."""
    assert [len(r) for r in got] == [len(r) for r in want], f"shape differs:\n got {got}\nwant {want}"
    wrong = [(_ref(i, j), g, w) for i, (gr, wr) in enumerate(zip(got, want, strict=True))
             for j, (g, w) in enumerate(zip(gr, wr, strict=True)) if not same_cell(g, w)]
    assert not wrong, f"cells differ (cell, read, expected): {wrong}"


def _ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row + 1}"


def column_letter(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- writing and rewriting packages ----------------------------------------------------------

def write_openpyxl(path: Path, sheets: dict[str, list[list]], formats: dict[str, str] | None = None) -> Path:
    """A workbook by openpyxl (conftest's builder), so the oracle reads what openpyxl wrote."""
    from conftest import write_xlsx

    return write_xlsx(path, sheets, formats)


def read_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_parts(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


Rewrite = Callable[[str], str]


def rewrite(src: Path, dst: Path, **by_part: Rewrite) -> Path:
    """A copy of src with parts rewritten as text: rewrite(a, b, sheet=fn, workbook=fn, styles=fn, sst=fn).
    Each fn must change its part: a rewrite that matched nothing is a broken test, not a pass."""
    names = {"sheet": SHEET1, "workbook": WORKBOOK, "styles": STYLES, "sst": SST}
    parts = read_parts(src)
    for key, fn in by_part.items():
        part = names.get(key, key)
        old = parts[part].decode("utf-8")
        new = fn(old)
        assert new != old, f"the rewrite of {part} changed nothing"
        parts[part] = new.encode("utf-8")
    return write_parts(dst, parts)


def replace_once(old: str, new: str) -> Rewrite:
    def fn(xml: str) -> str:
        assert xml.count(old) == 1, f"{old!r} occurs {xml.count(old)} times"
        return xml.replace(old, new)

    return fn


def replace_first(old: str, new: str) -> Rewrite:
    def fn(xml: str) -> str:
        assert old in xml, f"no {old!r}"
        return xml.replace(old, new, 1)

    return fn


def chain(*fns: Rewrite) -> Rewrite:
    def fn(xml: str) -> str:
        for f in fns:
            xml = f(xml)
        return xml

    return fn


def cell_xml(xml: str, ref: str) -> str:
    """The whole <c r="ref" ...>...</c> (or <c .../>) element of a sheet written by openpyxl."""
    m = re.search(rf'<c r="{ref}"(?: [^>]*?)?(?:/>|>.*?</c>)', xml)
    assert m, f"no cell {ref}"
    return m.group(0)


def replace_cell(ref: str, new: str) -> Rewrite:
    """Replace cell `ref` (which must exist) by the XML `new`."""
    return lambda xml: xml.replace(cell_xml(xml, ref), new)


# attributes: name="value" or name='value'
_ATTR = re.compile(r'([\w:.-]+)\s*=\s*("[^"]*"|\'[^\']*\')')


def reorder_attributes(tag: str, order: Callable[[list[tuple[str, str]]], list[tuple[str, str]]],
                       sep: str = " ") -> Rewrite:
    """Rewrite every start tag <tag ...> with its attributes reordered by `order`, joined by `sep`."""
    pattern = re.compile(rf"<{tag}(\s[^>]*?)?(/?)>")

    def one(m: re.Match) -> str:
        attrs = _ATTR.findall(m.group(1) or "")
        body = "".join(f"{sep}{k}={v}" for k, v in order(attrs))
        return f"<{tag}{body}{m.group(2)}>"

    return lambda xml: pattern.sub(one, xml)


def prefix_elements(prefix: str = "x", ns: str = MAIN) -> Rewrite:
    """Every unprefixed element in `prefix:`, the default namespace declared as that prefix instead:
    <worksheet xmlns="main"><sheetData> -> <x:worksheet xmlns:x="main"><x:sheetData>."""
    def fn(xml: str) -> str:
        xml = re.sub(r"<(/?)([A-Za-z_][\w.-]*)(?=[\s/>])", rf"<\1{prefix}:\2", xml)
        return xml.replace(f'xmlns="{ns}"', f'xmlns:{prefix}="{ns}"')

    return fn


def as_utf16(xml: str, codec: str = "utf-16") -> bytes:
    """A part re-encoded as UTF-16 with a byte order mark and a declaration saying so."""
    xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
    bom = {"utf-16": b"", "utf-16-le": "\ufeff".encode("utf-16-le"), "utf-16-be": "\ufeff".encode("utf-16-be")}
    return bom[codec] + ('<?xml version="1.0" encoding="UTF-16" standalone="yes"?>\n' + xml).encode(codec)


def inline_to_shared(parts: dict[str, bytes], sheet: str = SHEET1, ns_prefix: str = "") -> dict[str, bytes]:
    """Move a sheet's inline strings (t="inlineStr") into a new sharedStrings part, as Excel keeps them."""
    xml = parts[sheet].decode("utf-8")
    items: list[str] = []
    index: dict[str, int] = {}

    def one(m: re.Match) -> str:
        body = m.group(2)
        if body not in index:
            index[body] = len(items)
            items.append(body)
        return f'<c{m.group(1)} t="s"><v>{index[body]}</v></c>'

    new = re.sub(r'<c([^>]*?) t="inlineStr"><is>(.*?)</is></c>', one, xml)
    assert items, "the sheet has no inline strings"
    parts = dict(parts)
    parts[sheet] = new.encode("utf-8")
    si = "".join(f"<si>{body}</si>" for body in items)
    parts[SST] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
                  f'count="{len(items)}" uniqueCount="{len(items)}">{si}</sst>').encode()
    return add_shared_strings_part(parts)


def add_shared_strings_part(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Declare xl/sharedStrings.xml in [Content_Types].xml and the workbook's relationships."""
    parts = dict(parts)
    types = parts["[Content_Types].xml"].decode()
    if "/xl/sharedStrings.xml" not in types:
        override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_CONTENT}"/>'
        types = types.replace("</Types>", f"{override}</Types>")
        parts["[Content_Types].xml"] = types.encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    if "sharedStrings.xml" not in rels:
        rels = rels.replace("</Relationships>",
                            f'<Relationship Id="rIdSst" Type="{SST_TYPE}" Target="sharedStrings.xml"/></Relationships>')
        parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    return parts


def to_strict(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Transitional -> Strict OOXML: the ISO/IEC 29500 Strict namespaces and relationship types."""
    out = {}
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            text = data.decode("utf-8")
            text = text.replace(MAIN, STRICT_MAIN).replace(REL, STRICT_REL)
            if name == WORKBOOK:
                text = re.sub(r"<workbook ", '<workbook conformance="strict" ', text, count=1)
            data = text.encode("utf-8")
        out[name] = data
    return out


# --- a sheet written from scratch, in a chosen XML form -----------------------------------------

def xml_text(text: str, cdata: bool = False, numeric_refs: bool = False) -> str:
    """Text for a <t> element: CDATA, numeric character references, or escaped with entities.
    Carriage returns are always references: a parser turns a literal one into a line feed."""
    if cdata and "\r" not in text:
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    if numeric_refs:
        return "".join(c if c.isalnum() and c.isascii() else f"&#{ord(c)};" for c in text)
    return escape(text, quote=True).replace("\r", "&#13;").replace("'", "&apos;")


# --- the workbook LibreOffice converted (tests/corpus/libreoffice-cases.*) --------------------

LIBREOFFICE_FORMULAS = {"G2": ("=1/0", "#DIV/0!"), "G3": ("=NA()", "#N/A"), "G4": ('="Ye"&"s"', "Yes"),
                        "G5": ("=2+3", "5")}


def libreoffice_source(path: Path) -> Path:
    """The openpyxl workbook that tests/corpus/libreoffice-cases.xlsx and .ods were converted from:
    a Notes sheet first, then Cases with ids, answers, typed values, formulas (no cached values:
    LibreOffice computes them, see LIBREOFFICE_FORMULAS), gaps and odd text."""
    rows = [
        ["Case ID", "Answer", "Done", "Opened", "Seen at", "Time", "Formula", "Score", "Note"],
        [1001, "Yes", True, dt.date(2022, 1, 24), dt.datetime(2022, 1, 24, 10, 30), dt.time(10, 30), None, 2.5,
         "A & B <c>"],
        ["C-002", "No", False, dt.date(1999, 12, 31), dt.datetime(2000, 2, 29, 23, 59, 59), dt.time(0, 0, 1), None, -3,
         "  padded  "],
        ["007", "N/A", None, None, None, None, None, 0.125, "Ünïcödé ✓ 案件"],
        [1004, "", True, dt.date(2024, 2, 29), None, dt.time(23, 59, 59), None, 1e6, "line\nbreak"],
        [None, None, None, None, None, None, None, None, None],
        [1006, "Yes", None, None, None, None, None, None, "after a gap"],
    ]
    path = write_openpyxl(path, {"Notes": [["Read the Cases sheet"]], "Cases": rows})
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for ref, (formula, _) in LIBREOFFICE_FORMULAS.items():
        wb["Cases"][ref] = formula
    wb["Cases"]["J7"] = "far column"
    wb.save(path)
    return path


# --- a worksheet written from scratch in a chosen XML form (for the property test) ------------

Choose = Callable[[list], object]  # picks one of the options it is given


class FormWriter:
    """Writes SpreadsheetML elements, letting `choose` pick every free detail of their spelling:
    attribute order and quotes, white space inside tags, the namespace prefix (fixed per part)."""

    SEPARATORS = [" ", "  ", "\n", "\t", "\r\n  "]
    TAG_ENDS = ["", " ", "\n", "\t "]

    def __init__(self, choose: Choose, prefix: str = ""):
        self.choose = choose
        self.prefix = f"{prefix}:" if prefix else ""

    def start(self, name: str, attrs: list[tuple[str, str]] = (), empty: bool = False) -> str:
        attrs = list(attrs)
        order = self.choose(["as is", "reversed", "rotated"]) if len(attrs) > 1 else "as is"
        if order == "reversed":
            attrs.reverse()
        elif order == "rotated":
            attrs = attrs[1:] + attrs[:1]
        quote = self.choose(['"', "'"]) if attrs else '"'
        body = "".join(f"{self.choose(self.SEPARATORS)}{k}={quote}{v}{quote}" for k, v in attrs)
        return f"<{self.prefix}{name}{body}{self.choose(self.TAG_ENDS)}{'/' if empty else ''}>"

    def end(self, name: str) -> str:
        return f"</{self.prefix}{name}{self.choose(self.TAG_ENDS)}>"

    def element(self, name: str, attrs: list[tuple[str, str]], inner: str) -> str:
        return self.start(name, attrs) + inner + self.end(name)

    def text(self, text: str) -> str:
        """One <t> element holding `text`, spelled escaped, as CDATA or as numeric references."""
        attrs = []
        if text != text.strip() or self.choose([False, True]):
            attrs.append(("xml:space", "preserve"))
        style = self.choose(["escaped", "cdata", "references"])
        return self.element("t", attrs, xml_text(text, cdata=style == "cdata", numeric_refs=style == "references"))

    def string_item(self, text: str) -> str:
        """The inside of <is> or <si>: one <t>, or the text cut into rich-text runs."""
        if not self.choose([False, True]):
            return self.text(text)
        cuts = sorted({self.choose(list(range(len(text) + 1))) for _ in range(self.choose([1, 2]))})
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        runs = []
        for piece in pieces:
            props = self.choose(["", "<b/>", '<sz val="11"/><rFont val="Calibri"/>'])
            rpr = self.element("rPr", [], props.replace("<", f"<{self.prefix}")) if props else ""
            runs.append(self.element("r", [], rpr + self.text(piece)))
        return "".join(runs)


def number_spelling(value, choose: Choose) -> str:
    """A number as a <v> may hold it: 1001, 1001.0, 1.001E+3, 1.001E3."""
    if isinstance(value, int):
        forms = [str(value), f"{value}.0", f"{value:E}", f"{value:e}".replace("e+0", "E")]
        return choose([f for f in forms if float(f) == value] or [str(value)])
    forms = [repr(value), f"{value:.15G}", f"{value:.15E}"]
    return choose([f for f in forms if float(f) == value] or [repr(value)])


def _emitted(values: list, choose: Choose) -> list[tuple[bool, bool]]:
    """For each position of a row (or each row of a sheet): (written?, with its r attribute?).

    A cell without `r` sits right after the one written before it, so the position before such a
    cell must be written too (an empty <c/> if it holds nothing); any other empty one may be left out."""
    out: list[tuple[bool, bool]] = [(False, False)] * len(values)
    for j in range(len(values) - 1, -1, -1):
        needed = j + 1 < len(values) and out[j + 1] == (True, False)
        written = values[j] is not None or needed or bool(choose([False, True]))
        out[j] = (written, bool(choose([True, False])) if written else False)
    return out


def worksheet_in_form(rows: list[list], choose: Choose) -> tuple[str, list[str], str]:
    """A worksheet holding `rows` (None = empty; str, bool, int or float), spelled in forms `choose`
    picks; returns (sheet XML, the shared string items it refers to, the prefix it used)."""
    prefix = choose(["", "x", "s"])
    w = FormWriter(choose, prefix)
    shared: list[str] = []
    out_rows = []
    width = max((len(r) for r in rows), default=0)
    row_plan = _emitted([r if any(v is not None for v in r) else None for r in rows], choose)
    for i, (row, (written, with_r)) in enumerate(zip(rows, row_plan, strict=True)):
        if not written:
            continue
        cells = []
        for j, (value, (c_written, c_with_r)) in enumerate(zip(row, _emitted(row, choose), strict=True)):
            if not c_written:
                continue
            attrs = [("r", f"{column_letter(j)}{i + 1}")] if c_with_r else []
            if value is None:
                cells.append(w.start("c", attrs, empty=True))
                continue
            inner = ""
            if isinstance(value, bool):
                attrs.append(("t", "b"))
                inner = w.element("v", [], "1" if value else "0")
            elif isinstance(value, (int, float)):
                if choose([False, True]):
                    attrs.append(("t", "n"))
                inner = w.element("v", [], number_spelling(value, choose))
            elif choose(["inline", "shared"]) == "inline":
                attrs.append(("t", "inlineStr"))
                inner = w.element("is", [], w.string_item(value))
            else:
                attrs.append(("t", "s"))
                shared.append(value)
                inner = w.element("v", [], str(len(shared) - 1))
            if choose([False, True]):
                attrs.append(("s", "0"))
            cells.append(w.element("c", attrs, inner))
        row_attrs = [("r", str(i + 1))] if with_r else []
        if choose([False, True]) and width:
            row_attrs.append(("spans", f"1:{width}"))
        out_rows.append(w.element("row", row_attrs, "".join(cells)) if cells else w.start("row", row_attrs, empty=True))
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    sheet_data = w.element("sheetData", [], "".join(out_rows)) if out_rows else w.start("sheetData", [], empty=True)
    head = choose(['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', ""])
    xml = head + w.element("worksheet", [(xmlns, MAIN), ("xmlns:r", REL)], sheet_data)
    return xml, shared, prefix


def shared_strings_in_form(texts: list[str], choose: Choose) -> str:
    prefix = choose(["", "x"])
    w = FormWriter(choose, prefix)
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    items = "".join(w.element("si", [], w.string_item(t)) for t in texts)
    return w.element("sst", [(xmlns, MAIN), ("count", str(len(texts))), ("uniqueCount", str(len(texts)))], items)


def workbook_with_sheet(base: Path, dst: Path, sheet_xml: str, shared_xml: str | None, prefix: str) -> Path:
    """`base` (one sheet, written by openpyxl) with its sheet replaced, its shared strings added, and
    its workbook.xml spelled with the same prefix as the sheet."""
    parts = read_parts(base)
    parts[SHEET1] = sheet_xml.encode("utf-8")
    if prefix:
        parts[WORKBOOK] = prefix_elements(prefix)(parts[WORKBOOK].decode()).encode()
    if shared_xml is not None:
        parts[SST] = shared_xml.encode("utf-8")
        parts = add_shared_strings_part(parts)
    return write_parts(dst, parts)


def read_cells(path: str, sheet: str | None = None) -> list[list[str]]:
    """Every cell of a sheet (default: the first) as casescore reads it: rows from row 1, columns from A,
    '' for an empty cell, trailing empty rows and columns trimmed. For tests against other readers."""
    from casescore.reader import _check_container, read_bytes
    from casescore.sheets import Book

    name, data = read_bytes(path)
    _check_container(name, data)
    book = Book(name, data)
    grid = book.grid(sheet or book.sheet_names[0])
    rows = grid.head(grid.rows)
    rows = [[c if c is not None else "" for c in r] for r in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((max((j + 1 for j, c in enumerate(r) if c), default=0) for r in rows), default=0)
    return [r[:width] for r in rows]
