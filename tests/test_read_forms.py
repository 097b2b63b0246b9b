"""The workbook reader against openpyxl as the oracle: valid workbooks spelled in unusual XML forms,
and files from other writers, read cell by cell.

Each form is made by writing a workbook with openpyxl and rewriting its XML parts (tests/forms.py).
A test checks `read_cells` against `oracle_cells` (openpyxl, cached values), and that the rewrite
kept the cells (the oracle reads the variant as it read the file it was made from). Where openpyxl
cannot read a valid file, the expected cells are the original file's, or are stated, and the test
says why. Reader faults found here are strict xfails: each passes the day the fault is fixed.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from conftest import question_headers, write_xlsx
from forms import (
    LIBREOFFICE_FORMULAS,
    SHEET1,
    SST,
    WORKBOOK,
    as_utf16,
    assert_same_cells,
    chain,
    inline_to_shared,
    libreoffice_source,
    oracle_cells,
    prefix_elements,
    read_cells,
    read_parts,
    reorder_attributes,
    replace_cell,
    replace_first,
    replace_once,
    rewrite,
    shared_strings_in_form,
    to_strict,
    trim,
    workbook_with_sheet,
    worksheet_in_form,
    write_openpyxl,
    write_parts,
    xml_text,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from casescore.errors import UnreadableInput

CORPUS = Path(__file__).parent / "corpus"

CASES = [
    ["Case ID", "Answer", "Note", "Done", "Opened", "Seen at", "Time", "Score", "Check"],
    [1001, "Yes", "A & B <c> \"q\" 'a'", True, dt.date(2022, 1, 24), dt.datetime(2022, 1, 24, 10, 30),
     dt.time(10, 30), 2.5, "#N/A"],
    ["C-002", "No", "  padded  ", False, dt.date(1999, 12, 31), dt.datetime(2000, 2, 29, 23, 59, 59),
     dt.time(0, 0, 1), -3, "#DIV/0!"],
    ["007", "N/A", "Ünïcödé ✓ 案件 😀", None, None, None, None, 0.125, None],
    [None] * 9,  # openpyxl writes no row 5: a gap
    [1005, "Yes", "line\nbreak\ttab", True, dt.date(2024, 2, 29), None, dt.time(23, 59, 59), 1e6, "#REF!"],
]
# E2 and E3 as Excel's built-in short date (numFmtId 14); the other dates keep openpyxl's own format
DATE_14 = {"Cases!E2": "mm-dd-yy", "Cases!E3": "mm-dd-yy"}


def base(tmp_path: Path, sheets: dict | None = None, formats: dict | None = None) -> Path:
    return write_openpyxl(tmp_path / "base.xlsx", sheets or {"Cases": CASES}, DATE_14 if formats is None else formats)


def shared_base(tmp_path: Path) -> Path:
    """The base workbook with its strings moved to a sharedStrings part, as Excel writes them."""
    return write_parts(tmp_path / "shared.xlsx", inline_to_shared(read_parts(base(tmp_path))))


def assert_reads_like(path: Path, original: Path | None = None, sheet: str | None = None) -> None:
    """read_cells(path) is what openpyxl reads; and openpyxl reads `path` as it read `original`."""
    want = oracle_cells(path, sheet)
    if original is not None:
        assert_same_cells(want, oracle_cells(original, sheet))
    assert_same_cells(read_cells(str(path), sheet), want)


def test_oracle_reads_the_base_as_written(tmp_path):
    # the oracle's text rules, checked once against the values put in
    want = [["Case ID", "Answer", "Note", "Done", "Opened", "Seen at", "Time", "Score", "Check"],
            ["1001", "Yes", "A & B <c> \"q\" 'a'", "TRUE", "2022-01-24", "2022-01-24 10:30:00", "10:30:00", "2.5",
             "#N/A"],
            ["C-002", "No", "  padded  ", "FALSE", "1999-12-31", "2000-02-29 23:59:59", "00:00:01", "-3", "#DIV/0!"],
            ["007", "N/A", "Ünïcödé ✓ 案件 😀", "", "", "", "", "0.125", ""],
            [""] * 9,
            ["1005", "Yes", "line\nbreak\ttab", "TRUE", "2024-02-29", "", "23:59:59", "1000000", "#REF!"]]
    path = base(tmp_path)
    assert oracle_cells(path) == want
    assert_reads_like(path)


# --- workbook.xml ---------------------------------------------------------------------------

SHEET_ATTRIBUTE_ORDERS = {
    "r:id first": lambda a: sorted(a, key=lambda kv: kv[0] != "r:id"),
    "reversed": lambda a: a[::-1],
    "name last": lambda a: sorted(a, key=lambda kv: kv[0] == "name"),
}


@pytest.mark.parametrize("order", SHEET_ATTRIBUTE_ORDERS)
@pytest.mark.parametrize("sep", [" ", "\n\t"])
def test_sheet_attributes_in_any_order_with_cases_second(tmp_path, order, sep):
    original = base(tmp_path, {"Notes": [["Read the Cases sheet"], [None, "second line"]], "Cases": CASES})
    reordered = reorder_attributes("sheet", SHEET_ATTRIBUTE_ORDERS[order], sep)
    path = rewrite(original, tmp_path / "order.xlsx", workbook=reordered)
    assert_reads_like(path, original, sheet="Cases")
    assert_reads_like(path, original)  # the first sheet by default: Notes


# --- text: CDATA, white space, comments, references ----------------------------------------

_T = re.compile(r"(<(?:\w+:)?t(?:\s[^>]*)?>)(.*?)(</(?:\w+:)?t\s*>)", re.S)


def all_text_as_cdata(xml: str) -> str:
    return _T.sub(lambda m: m.group(1) + xml_text(unescape(m.group(2)), cdata=True) + m.group(3), xml)


def test_cdata_text(tmp_path):
    original = base(tmp_path)
    path = rewrite(original, tmp_path / "cdata.xlsx", sheet=all_text_as_cdata)
    assert "<![CDATA[Yes]]>" in read_parts(path)[SHEET1].decode()
    assert_reads_like(path, original)


def test_cdata_mixed_with_text_and_holding_markup(tmp_path):
    original = base(tmp_path)
    path = rewrite(original, tmp_path / "cdata.xlsx", sheet=chain(
        replace_first("<t>Yes</t>", "<t>Y<![CDATA[e]]>s</t>"),
        replace_once("<t>No</t>", "<t><![CDATA[<b>No</b> & ]]]]><![CDATA[>]]></t>"),
    ))
    assert oracle_cells(path)[2][1] == "<b>No</b> & ]]>"
    assert_reads_like(path)


def test_white_space_inside_tags(tmp_path):
    original = base(tmp_path)
    path = rewrite(original, tmp_path / "spaced.xlsx", sheet=chain(
        reorder_attributes("c", lambda a: a, sep="\n\t"),
        reorder_attributes("row", lambda a: a, sep="\r\n "),
        lambda x: x.replace("</t>", "</t >").replace("</c>", "</c\n>").replace("</row>", "</row\t>"),
        lambda x: x.replace("<v>", "<v >").replace("<is>", "<is\n>"),
    ))
    assert "</t >" in read_parts(path)[SHEET1].decode()
    assert_reads_like(path, original)


def test_comments_between_and_around_cells_are_not_read(tmp_path):
    original = base(tmp_path)
    a2, b2, c2 = (f'<c r="{r}"' for r in ("A2", "B2", "C2"))
    path = rewrite(original, tmp_path / "comments.xlsx", sheet=chain(
        lambda x: x.replace("<sheetData>", "<!-- cases below --><sheetData><!-- first row next -->"),
        replace_once(b2, f"<!-- before B2 -->{b2}"),
        replace_once(f"</c>{c2}", f"</c><!-- after B2 -->{c2}"),
        replace_once('<row r="4">', '<row r="4"><!-- <c r="D4"><v>9</v></c> -->'),  # D4 is empty
        replace_once('</row><row r="6">', '</row><!-- <row r="5"><c r="A5"><v>9</v></c></row> --><row r="6">'),
        replace_once(a2, f'<!--\n{a2} t="n"><v>1</v></c>\n-->{a2}'),  # a commented-out twin of A2
    ))
    assert '<!-- <c r="D4"><v>9</v></c> -->' in read_parts(path)[SHEET1].decode()
    assert_reads_like(path, original)


def test_comment_inside_a_text(tmp_path):
    original = base(tmp_path)
    path = rewrite(original, tmp_path / "comment-in-t.xlsx", sheet=replace_first("<t>Yes</t>", "<t>Y<!-- no -->es</t>"))
    assert_reads_like(path, original)


@pytest.mark.xfail(strict=True, reason="calamine reads only the text before a comment inside <v>: "
                                       "<v>1<!-- x -->0</v> reads '1', not '10' (no known writer does this)")
def test_comment_inside_a_value(tmp_path):
    original = base(tmp_path, {"Cases": [["n"], [10]]}, {})
    path = rewrite(original, tmp_path / "comment-in-v.xlsx", sheet=replace_once("<v>10</v>", "<v>1<!-- x -->0</v>"))
    assert_reads_like(path, original)


def test_character_references_and_entities(tmp_path):
    original = base(tmp_path)
    path = rewrite(original, tmp_path / "refs.xlsx", sheet=chain(
        replace_first("<t>Yes</t>", "<t>&#89;e&#x73;</t>"),  # B2
        replace_once("<t>No</t>", "<t>&#x4E;&#111;</t>"),
        replace_once("<t>007</t>", "<t>&#48;&#x30;7</t>"),
        lambda x: x.replace("&quot;q&quot;", "&#34;q&#x22;").replace("'a'", "&apos;a&#39;"),
        lambda x: x.replace("😀", "&#x1F600;"),
    ))
    assert "&#89;e&#x73;" in read_parts(path)[SHEET1].decode()
    assert_reads_like(path, original)


def test_preserved_leading_and_trailing_white_space(tmp_path):
    # Not a cell of one space: openpyxl marks it xml:space="preserve" only when it writes through lxml,
    # and without the mark XML readers may drop it (calamine does). Either way casescore reads it blank.
    rows = [["Note"], ["  two before, two after  "], ["\ttab\t"], ["\nnew line first"], ["trailing "]]
    original = base(tmp_path, {"Cases": rows}, {})
    assert read_parts(original)[SHEET1].count(b'xml:space="preserve"') == 4
    assert_reads_like(original)
    path = write_parts(tmp_path / "shared.xlsx", inline_to_shared(read_parts(original)))
    assert_reads_like(path, original)


def test_character_references_in_attributes(tmp_path):
    # r="&#66;2" is the reference B2 spelled with a character reference: valid XML, written by no
    # known tool. calamine refuses it; what matters is that it is a clear error, never wrong cells.
    original = base(tmp_path)
    path = rewrite(original, tmp_path / "attr-refs.xlsx", sheet=replace_once('<c r="B2" ', '<c r="&#66;2" '))
    try:
        got = read_cells(str(path))
    except UnreadableInput as exc:
        assert "sheet Cases cannot be read" in str(exc)
    else:
        assert_same_cells(got, oracle_cells(original))


# --- namespaces and encodings ---------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["x", "ss"])
def test_prefixed_spreadsheetml_everywhere(tmp_path, prefix):
    """The Open XML SDK's spelling: <x:worksheet xmlns:x="...main"> in every part, shared strings too."""
    original = shared_base(tmp_path)
    prefixed = prefix_elements(prefix)
    path = rewrite(original, tmp_path / "prefixed.xlsx",
                   sheet=prefixed, workbook=prefixed, sst=prefixed, styles=prefixed)
    assert f"<{prefix}:sheetData>" in read_parts(path)[SHEET1].decode()
    assert f"<{prefix}:si>" in read_parts(path)[SST].decode()
    assert_reads_like(path, original)


def test_prefixed_sheet_with_inline_strings(tmp_path):
    original = base(tmp_path)
    path = rewrite(original, tmp_path / "prefixed.xlsx", sheet=prefix_elements(), workbook=prefix_elements())
    assert "<x:is><x:t>Yes</x:t></x:is>" in read_parts(path)[SHEET1].decode()
    assert_reads_like(path, original)


def utf16_sheet(tmp_path: Path, codec: str) -> tuple[Path, Path]:
    original = base(tmp_path)
    parts = read_parts(original)
    parts[SHEET1] = as_utf16(parts[SHEET1].decode(), codec)
    return write_parts(tmp_path / f"{codec}.xlsx", parts), original


# calamine cannot decode a UTF-16 part, though OOXML allows one: casescore transcodes it (xml_parts.py)
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_sheet(tmp_path, codec):
    path, original = utf16_sheet(tmp_path, codec)
    assert_reads_like(path, original)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_sheet_reads_right_or_is_a_clear_error(tmp_path, codec):
    path, original = utf16_sheet(tmp_path, codec)
    try:
        got = read_cells(str(path))
    except UnreadableInput as exc:
        assert "sheet Cases cannot be read" in str(exc)
    else:
        assert_same_cells(got, oracle_cells(original))


def test_strict_ooxml_reads_right_or_is_a_clear_error(tmp_path):
    # openpyxl cannot open Strict OOXML (it finds no sheets), so the expected cells are those of the
    # transitional file the strict one was made from: only the namespaces differ.
    original = base(tmp_path)
    path = write_parts(tmp_path / "strict.xlsx", to_strict(read_parts(original)))
    assert "purl.oclc.org/ooxml/spreadsheetml/main" in read_parts(path)[SHEET1].decode()
    try:
        got = read_cells(str(path))
    except UnreadableInput as exc:
        assert "not a readable workbook" in str(exc) or "cannot be read" in str(exc)
    else:
        assert_same_cells(got, oracle_cells(original))


# --- styles ---------------------------------------------------------------------------------

def test_xf_without_numfmtid_is_general(tmp_path):
    # Open XML SDK writers leave numFmtId out of an <xf> that is General: 1001 must stay 1001, not a date
    original = base(tmp_path, {"Cases": [["Case ID", "Opened"], [1001, dt.date(2022, 1, 24)]]}, {})
    from openpyxl.styles import Font

    wb = openpyxl.load_workbook(original)
    wb["Cases"]["A2"].font = Font(bold=True)  # gives A2 an <xf> of its own, General
    wb.save(original)
    path = rewrite(original, tmp_path / "no-numfmtid.xlsx", styles=lambda x: x.replace('<xf numFmtId="0" ', "<xf "))
    assert '<c r="A2" s="' in read_parts(path)[SHEET1].decode()
    assert oracle_cells(path)[1] == ["1001", "2022-01-24"]
    assert_reads_like(path, original)


@pytest.mark.parametrize("num_fmt_id, value", [(14, 44585), (15, 44585), (17, 44585), (22, 44585.5),
                                               (18, 0.5), (21, 0.75), (45, 0.25), (47, 0.125)])
def test_built_in_date_and_time_formats(tmp_path, num_fmt_id, value):
    original = base(tmp_path, {"Cases": [["Case ID", "When"], [1001, 1]]}, {})
    path = rewrite(original, tmp_path / f"fmt{num_fmt_id}.xlsx",
                   sheet=replace_cell("B2", f'<c r="B2" s="1"><v>{value}</v></c>'),
                   styles=chain(replace_once('<cellXfs count="1">', '<cellXfs count="2">'),
                                replace_once("</cellXfs>", f'<xf numFmtId="{num_fmt_id}" fontId="0" fillId="0" '
                                                           'borderId="0" applyNumberFormat="1"/></cellXfs>')))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?|\d\d:\d\d:\d\d", oracle_cells(path)[1][1])
    assert_reads_like(path)


@pytest.mark.xfail(strict=True, reason="an elapsed time over 24 hours ([h]:mm:ss, numFmtId 46) reads as a 1900 "
                                       "datetime ('1900-01-01 12:00:00'), not as Excel shows it ('36:00:00')")
def test_elapsed_time_over_a_day(tmp_path):
    original = base(tmp_path, {"Cases": [["Case ID", "Took"], [1001, 1.5]]}, {"Cases!B2": "[h]:mm:ss"})
    assert oracle_cells(original)[1][1] == "36:00:00"
    assert_reads_like(original)


# --- cell types -----------------------------------------------------------------------------

def test_booleans_as_one_and_zero(tmp_path):
    path = base(tmp_path, {"Cases": [["Done"], [True], [False]]}, {})
    assert '<c r="A3" t="b"><v>0</v></c>' in read_parts(path)[SHEET1].decode()
    assert_reads_like(path)


@pytest.mark.parametrize("spelling, shown", [
    ("true", "TRUE"),
    pytest.param("false", "FALSE", marks=pytest.mark.xfail(
        strict=True, reason="calamine takes any boolean <v> other than '0' as TRUE, so <v>false</v> reads TRUE "
                            "(tafia/calamine#724)")),
])
def test_booleans_spelled_as_words(tmp_path, spelling, shown):
    # xsd:boolean allows true/false; openpyxl fails on them (it does int('true')), so the expected
    # cells are stated here: the header, then the boolean as Excel shows it.
    original = base(tmp_path, {"Cases": [["Done"], [True]]}, {})
    path = rewrite(original, tmp_path / "words.xlsx", sheet=replace_once('t="b"><v>1</v>', f't="b"><v>{spelling}</v>'))
    assert read_cells(str(path)) == [["Done"], [shown]]


EXCEL_ERRORS = {"#N/A": "NA()", "#DIV/0!": "1/0", "#REF!": "#REF!+1", "#VALUE!": '"a"+1', "#NAME?": "NOSUCH()",
                "#NUM!": "SQRT(-1)", "#NULL!": "A1 B1"}


@pytest.mark.parametrize("with_formula", [False, True])
def test_error_cells(tmp_path, with_formula):
    header = ["Case ID", *(f"Check {i}" for i in range(len(EXCEL_ERRORS)))]
    original = base(tmp_path, {"Cases": [header, [1001, *EXCEL_ERRORS]]}, {})
    path = original
    if with_formula:
        with_formulas = [replace_once(f't="e"><v>{e}</v>', f't="e"><f>{xml_text(f)}</f><v>{e}</v>')
                         for e, f in EXCEL_ERRORS.items()]
        path = rewrite(original, tmp_path / "formulas.xlsx", sheet=chain(*with_formulas))
    assert oracle_cells(path)[1][1:] == list(EXCEL_ERRORS)
    assert_reads_like(path, original)


# calamine refuses a whole sheet over one error value newer than Excel 2007 (Excel 365 writes #SPILL!
# and #CALC!): casescore turns such cells into text of the same value and reads again (xml_parts.py)
@pytest.mark.parametrize("error", ["#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!"])
def test_newer_error_values(tmp_path, error):
    original = base(tmp_path, {"Cases": [["Case ID", "Check"], [1001, "#N/A"]]}, {})
    path = rewrite(original, tmp_path / "newer.xlsx", sheet=replace_once("<v>#N/A</v>", f"<v>{error}</v>"))
    assert oracle_cells(path)[1] == ["1001", error]
    assert_reads_like(path)


def test_formula_strings_with_cached_values(tmp_path):
    original = base(tmp_path, {"Cases": [["Case ID", "Answer", "Code", "Blank"], [1001, "x", "x", "x"]]}, {})
    path = rewrite(original, tmp_path / "str.xlsx", sheet=chain(
        replace_cell("B2", '<c r="B2" t="str"><f>IF(A2=1001,"Yes","No")</f><v>Yes</v></c>'),
        replace_cell("C2", '<c r="C2" t="str"><f>TEXT(7,"000")</f><v>007</v></c>'),  # text, not the number 7
        replace_cell("D2", '<c r="D2" t="str"><f>""</f><v></v></c>'),
    ))
    assert oracle_cells(path) == [["Case ID", "Answer", "Code", "Blank"], ["1001", "Yes", "007", ""]]
    assert_reads_like(path)


def test_shared_and_array_formulas_with_cached_values(tmp_path):
    rows = [["n", "double", "triple"], [1001, 0, 0], [1002, 0, 0], [1003, 0, 0]]
    original = base(tmp_path, {"Cases": rows}, {})
    path = rewrite(original, tmp_path / "shared-f.xlsx", sheet=chain(
        replace_cell("B2", '<c r="B2"><f t="shared" ref="B2:B4" si="0">A2*2</f><v>2002</v></c>'),
        replace_cell("B3", '<c r="B3"><f t="shared" si="0"/><v>2004</v></c>'),
        replace_cell("B4", '<c r="B4"><f t="shared" si="0"/><v>2006</v></c>'),
        replace_cell("C2", '<c r="C2"><f t="array" ref="C2:C4">A2:A4*3</f><v>3003</v></c>'),
        replace_cell("C3", '<c r="C3"><v>3006</v></c>'),
        replace_cell("C4", '<c r="C4"><v>3009</v></c>'),
    ))
    assert [r[1:] for r in oracle_cells(path)[1:]] == [["2002", "3003"], ["2004", "3006"], ["2006", "3009"]]
    assert_reads_like(path)


def test_inline_strings_with_rich_text_runs(tmp_path):
    original = base(tmp_path)
    path = rewrite(original, tmp_path / "runs.xlsx", sheet=chain(
        replace_once("<is><t>Yes</t></is></c><c r=\"C2\"", "<is><r><t>Ye</t></r><r><rPr><b/><sz val=\"11\"/></rPr>"
                                                         "<t>s</t></r></is></c><c r=\"C2\""),
        replace_once('<is><t xml:space="preserve">  padded  </t></is>',
                     '<is><r><t xml:space="preserve">  pad</t></r>'
                     '<r><rPr><i/></rPr><t xml:space="preserve">ded  </t></r></is>'),
    ))
    assert "<r><t>Ye</t></r>" in read_parts(path)[SHEET1].decode()
    assert_reads_like(path, original)


def test_shared_strings_with_runs_and_phonetic_guides(tmp_path):
    original = shared_base(tmp_path)
    path = rewrite(original, tmp_path / "sst-runs.xlsx", sst=chain(
        replace_once("<si><t>Yes</t></si>", "<si><r><t>Ye</t></r><r><rPr><b/></rPr><t>s</t></r></si>"),
        # a phonetic guide (Japanese Excel) is not part of the cell's text
        replace_once("<si><t>No</t></si>", '<si><t>No</t><rPh sb="0" eb="2"><t>ノー</t></rPh>'
                                           '<phoneticPr fontId="0" type="noConversion"/></si>'),
    ))
    assert_reads_like(path, original)


def _without_cell_refs(xml: str) -> str:
    """Drop every cell's r, writing an empty <c/> for each empty cell before a written one."""
    def row(m: re.Match) -> str:
        out, next_col = [], 0
        for cell in re.finditer(r'<c r="([A-Z]+)\d+"(.*?(?:/>|</c>))', m.group(2), re.S):
            col = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(cell.group(1)))) - 1
            out += ["<c/>"] * (col - next_col) + [f"<c{cell.group(2)}"]
            next_col = col + 1
        return f"{m.group(1)}{''.join(out)}</row>"

    return re.sub(r"(<row[^>]*>)(.*?)</row>", row, xml, flags=re.S)


def _without_row_refs(xml: str) -> str:
    """Drop every row's r, writing an empty <row/> for each missing row before a written one."""
    next_row = 1

    def row(m: re.Match) -> str:
        nonlocal next_row
        number = int(m.group(1))
        filler = "<row/>" * (number - next_row)
        next_row = number + 1
        return f"{filler}<row{m.group(2)}>"

    return re.sub(r'<row r="(\d+)"([^>]*)>', row, xml)


@pytest.mark.parametrize("drop", ["cells", "rows", "both"])
def test_cells_and_rows_without_references(tmp_path, drop):
    original = base(tmp_path)
    fns = {"cells": [_without_cell_refs], "rows": [_without_row_refs], "both": [_without_cell_refs, _without_row_refs]}
    path = rewrite(original, tmp_path / "no-refs.xlsx", sheet=chain(*fns[drop]))
    xml = read_parts(path)[SHEET1].decode()
    assert ("<c r=" in xml) == (drop == "rows") and ("<row r=" in xml) == (drop == "cells")
    assert_reads_like(path, original)


FAR_APART = {
    "far row": {(1, 1): "Case ID", (3, 5): "Yes", (40, 2): 1001, (1000, 30): "far"},
    "last column": {(1, 1): "Case ID", (2, 3): "Yes", (3, 16384): "XFD3"},
}


@pytest.mark.parametrize("layout", FAR_APART)
def test_far_apart_cells(tmp_path, layout):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    for (row, col), value in FAR_APART[layout].items():
        ws.cell(row=row, column=col, value=value)
    wb.save(path := tmp_path / "far.xlsx")
    assert_reads_like(path)


def test_data_starting_away_from_a1(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for i, row in enumerate(CASES[:4]):
        for j, value in enumerate(row):
            wb.active.cell(row=i + 3, column=j + 3, value=value)
    wb.save(path := tmp_path / "c3.xlsx")
    assert oracle_cells(path)[2][2] == "Case ID"
    assert_reads_like(path)


@pytest.mark.parametrize("dimension", ['<dimension ref="A1"/>', "", '<dimension ref="A1:ZZ9999"/>',
                                       '<dimension ref="C3:D4"/>'])
def test_dimension_that_disagrees_with_the_cells(tmp_path, dimension):
    original = base(tmp_path)
    path = rewrite(original, tmp_path / "dimension.xlsx", sheet=lambda x: re.sub(r"<dimension [^>]*/>", dimension, x))
    assert_reads_like(path, original)


# a t="d" cell (an ISO 8601 date, as Strict OOXML and some writers store dates) reads as Excel shows it
@pytest.mark.parametrize("iso", ["2022-01-24T10:30:00", "2022-01-24T00:00:00"])
def test_iso_date_cells(tmp_path, iso):
    original = base(tmp_path, {"Cases": [["Case ID", "When"], [1001, 0]]}, {})
    path = rewrite(original, tmp_path / "iso.xlsx", sheet=replace_cell("B2", f'<c r="B2" t="d"><v>{iso}</v></c>'))
    assert_reads_like(path)


@pytest.mark.xfail(strict=True, reason="text that looks like calamine's spelling of a boolean, a date or a time is "
                                       "rewritten as if it were one: the text cell 'true' reads 'TRUE'")
@pytest.mark.parametrize("text", ["true", "false", "2022-01-24 00:00:00", "1899-12-31 10:30:00"])
def test_text_that_looks_like_a_typed_value(tmp_path, text):
    path = base(tmp_path, {"Cases": [["Case ID", "Note"], [1001, text]]}, {})
    assert 't="inlineStr"><is><t>' + text in read_parts(path)[SHEET1].decode()
    assert_reads_like(path)


def test_numbers(tmp_path):
    path = base(tmp_path, {"Cases": [[1001, 0.1, 2.5, -3, 0.125, 123456.789, 1e6, 1e20, 2 ** 53, -0.5, 0.1 + 0.2]]}, {})
    assert_reads_like(path)


@pytest.mark.xfail(strict=True, reason="fastexcel writes a number as text with at most 9 decimals, so 1e-12 reads "
                                       "'0' and 1.23456789e-05 reads '0.000012346'")
@pytest.mark.parametrize("value", [1e-12, 1.23456789e-05, 0.10000000049])
def test_numbers_keep_their_value(tmp_path, value):
    path = base(tmp_path, {"Cases": [["Score"], [value]]}, {})
    assert_reads_like(path)


# --- files from other writers ---------------------------------------------------------------

def xlsxwriter_workbook(path: Path, **options) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), options)
    ws = wb.add_worksheet("Cases")
    date, clock = wb.add_format({"num_format": "yyyy-mm-dd"}), wb.add_format({"num_format": "hh:mm:ss"})
    ws.write_row(0, 0, ["Case ID", "Answer", "Note", "Done", "Opened", "Time", "Formula", "Error"])
    ws.write_row(1, 0, [1001, "Yes", "A & B <c>", True])
    ws.write_datetime(1, 4, dt.datetime(2022, 1, 24), date)
    ws.write_datetime(1, 5, dt.time(10, 30), clock)
    ws.write_formula(1, 6, '="Ye"&"s"', None, "Yes")
    ws.write_formula(1, 7, "=1/0", None, "#DIV/0!")
    ws.write_row(2, 0, ["C-002", "No", "  padded  ", False])
    ws.write_formula(2, 6, "=2+3", None, 5)
    ws.write_formula(2, 7, "=NA()", None, "#N/A")
    ws.write_string(5, 9, "after a gap")
    ws.write_number(6, 0, 2.5)
    wb.close()
    return path


@pytest.mark.parametrize("options", [{}, {"constant_memory": True}], ids=["shared strings", "constant_memory"])
def test_xlsxwriter(tmp_path, options):
    path = xlsxwriter_workbook(tmp_path / "xlsxwriter.xlsx", **options)
    parts = read_parts(path)
    assert (SST in parts and 't="s"' in parts[SHEET1].decode()) == (not options)
    assert_reads_like(path)


@pytest.mark.parametrize("engine", ["openpyxl", "xlsxwriter"])
def test_pandas_to_excel(tmp_path, engine):
    import pandas as pd

    frame = pd.DataFrame({
        "Case ID": [1001, 1002, 1003], "Answer": ["Yes", None, "N/A"], "Score": [2.5, None, -1.0],
        "Done": [True, False, True], "Opened": [pd.Timestamp("2022-01-24"), pd.Timestamp("2022-01-24 10:30"), pd.NaT],
    })
    frame.to_excel(path := tmp_path / f"pandas-{engine}.xlsx", sheet_name="Cases", index=False, engine=engine)
    assert oracle_cells(path)[1][0] == "1001"
    assert_reads_like(path)


def test_openpyxl_write_only(tmp_path):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Cases")
    for row in [*CASES[:4], [], [None, None, "after an empty row", True, dt.date(2022, 1, 24)]]:
        ws.append(row)
    wb.save(path := tmp_path / "write-only.xlsx")
    assert_reads_like(path)


@pytest.mark.parametrize("name", ["libreoffice-cases.xlsx", "openpyxl-types.xlsx", "libreoffice-types.xlsx"])
def test_committed_xlsx(name):
    path = CORPUS / name
    for sheet in openpyxl.load_workbook(path, read_only=True).sheetnames:
        assert_reads_like(path, sheet=sheet)


def test_libreoffice_kept_the_source_values(tmp_path):
    # the committed LibreOffice files were converted from libreoffice_source(); LibreOffice computed
    # its formulas, which openpyxl leaves without cached values
    want = oracle_cells(libreoffice_source(tmp_path / "source.xlsx"), "Cases")
    for ref, (_, value) in LIBREOFFICE_FORMULAS.items():
        want[int(ref[1:]) - 1][ord(ref[0]) - 65] = value
    assert_same_cells(oracle_cells(CORPUS / "libreoffice-cases.xlsx", "Cases"), want)


ODS_FAULTS = {
    "Done": "LibreOffice keeps a boolean as the number 1 or 0 with a boolean format (its formula TRUE()); calamine "
            "reads '1'/'0', not 'TRUE'/'FALSE' as the cell shows",
}
ODS_COLUMNS = ["Case ID", "Answer", "Done", "Opened", "Seen at", "Time", "Formula", "Score", "Note", "far column"]


@pytest.mark.parametrize("column", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=ODS_FAULTS[c])) if c in ODS_FAULTS else c
    for c in ODS_COLUMNS])
def test_libreoffice_ods_column(column):
    # openpyxl cannot read .ods: the oracle is the .xlsx LibreOffice saved from the same source
    want = oracle_cells(CORPUS / "libreoffice-cases.xlsx", "Cases")
    got = read_cells(str(CORPUS / "libreoffice-cases.ods"), "Cases")
    j = ODS_COLUMNS.index(column)
    assert len(got) == len(want)
    assert_same_cells([[r[j]] for r in got], [[r[j]] for r in want])


def test_libreoffice_ods_first_sheet():
    assert read_cells(str(CORPUS / "libreoffice-cases.ods")) == oracle_cells(CORPUS / "libreoffice-cases.xlsx")


# --- the XML form varied at random ----------------------------------------------------------

def _plain_text(text: str) -> bool:
    """Text read back as is: not an OOXML _xHHHH_ escape, nor one of the typed-value lookalikes that
    test_text_that_looks_like_a_typed_value shows are misread."""
    return not re.search(r"_x[0-9A-Fa-f]{4}_", text) and text not in ("true", "false") and not re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|1899-12-3[01] .*|1900-01-00 .*", text)


TEXTS = st.text(st.one_of(st.sampled_from(list("YesNo/A &<>\"']]>!#_-.\t\n\r 0123456789")),
                          st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"))),
                max_size=10).filter(_plain_text)
VALUES = st.one_of(st.none(), TEXTS, st.booleans(), st.integers(-10 ** 12, 10 ** 12),
                   st.integers(-10 ** 9, 10 ** 9).map(lambda n: n / 1000))
GRIDS = st.integers(1, 5).flatmap(lambda w: st.lists(st.lists(VALUES, min_size=w, max_size=w), min_size=1, max_size=6))


def expected_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@pytest.fixture(scope="module")
def one_sheet_base(tmp_path_factory) -> Path:
    return write_openpyxl(tmp_path_factory.mktemp("forms") / "base.xlsx", {"Sheet": [["x"]]})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=GRIDS, data=st.data())
def test_any_xml_form_reads_the_cells_put_in(one_sheet_base, tmp_path_factory, rows, data):
    """Inline or shared strings, attribute order and quotes, white space inside tags, optional r
    attributes, prefix or default namespace, CDATA, references or escapes, rich-text runs: none of it
    changes a cell."""
    want = trim([[expected_text(v) for v in row] for row in rows])
    assume(want)

    def choose(options):
        return data.draw(st.sampled_from(options))

    sheet_xml, shared, prefix = worksheet_in_form(rows, choose)
    shared_xml = shared_strings_in_form(shared, choose) if shared else None
    path = tmp_path_factory.mktemp("form") / "form.xlsx"
    workbook_with_sheet(one_sheet_base, path, sheet_xml, shared_xml, prefix)
    assert_same_cells(read_cells(str(path)), want)


# --- through the CLI ------------------------------------------------------------------------

MARKING_KQS = question_headers(standards={"2.1", "2.2"})


def marking(tmp_path: Path) -> Path:
    answers = ["Yes", "No", "N/A", "", "Yes"]
    rows = [["Case ID", "Team", *MARKING_KQS]]
    for i in range(9):
        rows.append([1000 + i, f"Team {'AB'[i % 2]}", *(answers[(i + k) % 5] for k in range(len(MARKING_KQS)))])
    return write_xlsx(tmp_path / "marking.xlsx", {"Notes": [["about this marking"]], "Cases": rows})


def key_question_counts(doc) -> dict:
    return {q["id"]: (q["yes"], q["no"], q["na"]) for s in doc["standards"] for q in s["key_questions"]}


@pytest.mark.parametrize("variant", ["prefixed", "cdata", "prefixed shared strings in CDATA"])
def test_cli_rates_a_variant_like_the_plain_file(cli, tmp_path, variant):
    plain = marking(tmp_path)
    cases = "xl/worksheets/sheet2.xml"  # the Cases sheet: Notes is first
    if variant == "prefixed":
        path = rewrite(plain, tmp_path / "v.xlsx", workbook=prefix_elements(), **{cases: prefix_elements()})
    elif variant == "cdata":
        path = rewrite(plain, tmp_path / "v.xlsx", **{cases: all_text_as_cdata})
    else:
        parts = inline_to_shared(read_parts(plain), sheet=cases)
        parts = {n: prefix_elements()(d.decode()).encode() if n in (WORKBOOK, SST, cases) else d
                 for n, d in parts.items()}
        parts[SST] = all_text_as_cdata(parts[SST].decode()).encode()
        path = write_parts(tmp_path / "v.xlsx", parts)
    want, got = (cli("rate", p, "--format", "json", "--partial") for p in (plain, path))
    assert want.code == 0 and got.code == 0, (want.err, got.err)
    assert got.json()["cases"] == want.json()["cases"] == 9
    counts = key_question_counts(got.json())
    assert counts == key_question_counts(want.json()) and set(counts) == set(MARKING_KQS)
    assert sum(map(sum, counts.values())) > 0
