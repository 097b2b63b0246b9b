"""Valid workbook forms calamine cannot read, rewritten (with a real XML parser) before it reads them.

- A part stored as UTF-16 (OOXML allows UTF-8 and UTF-16): calamine refuses it, so it is
  transcoded to UTF-8 and its XML declaration says so.
- An error value newer than Excel 2007 (`#SPILL!` and `#CALC!`, which Excel 365 writes, and
  others): calamine refuses the whole sheet over one such cell, so the cell becomes an inline
  string holding the error's text. casescore then treats it like any other error value: named
  where an answer or a case id belongs, shown as typed elsewhere.

Both run only when needed: the first looks at the first bytes of each part, the second only after
calamine has refused a sheet for this reason.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00?\x00", b"\x00<\x00?")
_DECLARED = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2", re.IGNORECASE)
# The error values calamine knows; any other in a t="e" cell makes it refuse the sheet.
CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def _rezip(data: bytes, change) -> bytes:
    """The zip with each member's bytes passed through change(name, bytes) (None: unchanged)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            raw = source.read(info)
            new = change(info.filename, raw)
            target.writestr(info, raw if new is None else new)
    return out.getvalue()


def utf8_parts(data: bytes) -> bytes:
    """The workbook with every UTF-16 XML part transcoded to UTF-8 (the same bytes when there are none)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        utf16 = {i.filename for i in book.infolist() if i.filename.endswith((".xml", ".rels"))
                 and book.open(i).read(4).startswith(UTF16_STARTS)}
    except (zipfile.BadZipFile, OSError, ValueError):
        return data  # calamine will say what is wrong
    if not utf16:
        return data

    def transcode(name: str, raw: bytes) -> bytes | None:
        if name not in utf16:
            return None
        try:
            text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else \
                raw.decode("utf-16-le" if raw[:1] == b"<" else "utf-16-be")
        except UnicodeDecodeError:
            return None  # not UTF-16 after all: calamine will say what is wrong with it
        return _DECLARED.sub(r'\1"UTF-8"', text.lstrip("\ufeff"), count=1).encode("utf-8")

    return _rezip(data, transcode)


def newer_errors_as_text(data: bytes) -> bytes:
    """The workbook with each error cell calamine does not know turned into text of the same value."""

    def rewrite(name: str, raw: bytes) -> bytes | None:
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            return None
        root = ElementTree.fromstring(raw)
        changed = False
        for cell in root.iter():
            if _local(cell.tag) != "c" or cell.get("t") != "e":
                continue
            value = next((v for v in cell if _local(v.tag) == "v"), None)
            text = (value.text or "") if value is not None else ""
            if text in CALAMINE_ERRORS or value is None:
                continue
            ns = cell.tag[: -1] if cell.tag.endswith("}c") else ""  # "{namespace}" of the sheet, or ""
            cell.remove(value)
            cell.set("t", "inlineStr")
            inline = ElementTree.SubElement(cell, f"{ns}is")
            ElementTree.SubElement(inline, f"{ns}t").text = text
            changed = True
        return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) if changed else None

    return _rezip(data, rewrite)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
