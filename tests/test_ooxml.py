"""The fast xlsx reader gives exactly what calamine gives, on every kind of workbook we have."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from casescore import ooxml, reader
from casescore.marking import is_cases_header
from conftest import SAMPLE

CORPUS = Path(__file__).parent / "corpus"


def _tables(path: Path, fast: bool):
    data = path.read_bytes()
    book = reader._FastBook(path.name, ooxml.Workbook(data), data) if fast else reader._CalamineBook(path.name, data)
    out = {}
    for sheet in book.sheet_names:
        if fast:
            book.book.sheet(sheet)  # raises Unsupported rather than quietly falling back to calamine
        head, columns = book.grid(sheet)
        out[sheet] = ([(n, _trim(cells)) for n, cells in head if any(c != "" for c in cells)],
                      [list(c) for c in columns(1, 12)])
    return out


def _trim(cells):
    cells = list(cells)
    while cells and cells[-1] == "":
        cells.pop()
    return cells


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("books")
    subprocess.run([sys.executable, "-m", "casescore", "export", str(SAMPLE), "--workbook", str(folder / "e.xlsx")],
                   check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "casescore", "template", "--cases", "5", "-o", str(folder / "t.xlsx")],
                   check=True, capture_output=True)
    return folder


@pytest.mark.parametrize("name", ["openpyxl-types.xlsx", "libreoffice-types.xlsx", "sample", "reaudit",
                                  "export", "template"])
def test_fast_reader_matches_calamine(name, exported):
    path = {"sample": SAMPLE, "reaudit": SAMPLE.parent / "newham-2023-reaudit.xlsx",
            "export": exported / "e.xlsx", "template": exported / "t.xlsx"}.get(name, CORPUS / name)
    fast, slow = _tables(path, fast=True), _tables(path, fast=False)
    assert fast.keys() == slow.keys()
    for sheet in fast:
        f_head, f_cols = fast[sheet]
        s_head, s_cols = slow[sheet]
        assert f_head == s_head, sheet
        n = min(len(c) for c in s_cols) if s_cols else 0
        assert [c[:n] for c in f_cols] == [c[:n] for c in s_cols], sheet


def test_types_read_as_calamine_reads_them():
    data = (CORPUS / "libreoffice-types.xlsx").read_bytes()
    sheet = ooxml.Workbook(data).sheet("Cases")
    import datetime as dt

    assert dict(sheet.head(4))[4][:7] == ["A&B", dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5), True, 3.5,
                                dt.time(4, 5), "x < y"]


def test_marking_through_both_readers(monkeypatch):
    from casescore.framework import load
    from casescore import marking

    framework = load("probation-pdu-2021")
    path = str(CORPUS / "libreoffice-types.xlsx")
    fast = marking.read(path, framework)
    monkeypatch.setattr(reader, "_open_book", lambda name, data: reader._CalamineBook(name, data))
    slow = marking.read(path, framework)
    assert fast.case_ids == slow.case_ids == ["A&B", "1001", "C"]
    assert all((fast.answers[q] == slow.answers[q]).all() for q in slow.answers)
    assert all((fast.attributes[a] == slow.attributes[a]).all() for a in slow.attributes)
    assert fast.judgements == slow.judgements == {"1.1": "Good"}


def test_unknown_cell_forms_fall_back_to_calamine(tmp_path):
    from conftest import patch_part

    # rich text in an inline string is a form the fast reader does not parse
    data = patch_part(SAMPLE.read_bytes(), "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"<is><t>NEW-001</t></is>", b"<is><r><t>NEW-</t></r><r><t>001</t></r></is>", 1))
    with pytest.raises(ooxml.Unsupported):
        ooxml.Workbook(data).sheet("Cases")
    path = tmp_path / "rich.xlsx"
    path.write_bytes(data)
    from casescore import api

    assert api.rate_file(str(path)).marking.case_ids[0] == "NEW-001"


def test_progress_is_reported():
    calls = []
    ooxml.Workbook(SAMPLE.read_bytes()).sheet("Cases", lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

cell_values = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20), st.sampled_from(["Yes", "No", "N/A", ""]),
    st.text("<>&\"' ab", max_size=12), st.integers(-10**9, 10**9), st.floats(-1e9, 1e9, allow_nan=False),
    st.booleans(), st.dates(__import__("datetime").date(1950, 1, 1)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grid=st.lists(st.lists(cell_values, min_size=1, max_size=6), min_size=1, max_size=8))
def test_fast_reader_matches_calamine_on_generated_sheets(tmp_path_factory, grid):
    from conftest import write_xlsx

    path = write_xlsx(tmp_path_factory.mktemp("gen") / "g.xlsx", {"Cases": grid})
    fast, slow = _tables(path, fast=True), _tables(path, fast=False)
    f_head, f_cols = fast["Cases"]
    s_head, s_cols = slow["Cases"]
    assert f_head == s_head
    n = min((len(c) for c in s_cols), default=0)
    assert [c[:n] for c in f_cols] == [c[:n] for c in s_cols]
