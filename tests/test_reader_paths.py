"""Every way into casescore gives the same counts for the same marking.

The reader has several paths for speed (a workbook through fastexcel, a well-formed CSV through
Arrow, an irregular CSV through pandas, the long form, small and large columns factorised
differently). One marking is written every way, and each path's `rate --format json` must agree.
"""

from __future__ import annotations

import csv
import io
import random

import pytest
from conftest import question_headers

QUESTIONS = question_headers(prompts=True, standards={"2.2", "2.3"})
SPELLINGS = ["Yes", "yes", " Y", "No", "n", "N/A", "na", "Not applicable", ""]


def marking(n: int = 40, seed: int = 3) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)
    header = ["Case ID", "Team", *QUESTIONS]
    rows = [[f"C{i:04d}", rng.choice(["North", "South", "Café"]), *rng.choices(SPELLINGS, k=len(QUESTIONS))]
            for i in range(n)]
    return header, rows


def csv_text(header, rows, delimiter=",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


def write_openpyxl(path, header, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    for r in [header, *rows]:
        ws.append([v if v != "" else None for v in r])
    wb.save(path)


def write_xlsxwriter(path, header, rows):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))  # shared strings, as Excel saves them
    ws = wb.add_worksheet("Cases")
    for i, r in enumerate([header, *rows]):
        for j, v in enumerate(r):
            if v != "":
                ws.write_string(i, j, v)
    wb.close()


def write_long(path, header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["case_id", "question", "answer", "Team"])
    for r in rows:
        w.writerows([r[0], q, a, r[1]] for q, a in zip(header[2:], r[2:], strict=True))
    path.write_text(out.getvalue())


def counts(doc) -> dict:
    found = {q["id"]: (q["yes"], q["no"], q["na"], q.get("unmarked", 0))
             for s in doc["standards"] for kq in s["key_questions"] for q in [kq, *kq["prompts"]]}
    assert len(found) == len(QUESTIONS)  # every question and prompt, so a comparison means something
    return found


@pytest.fixture
def written(tmp_path):
    header, rows = marking()
    files = {}
    files["csv"] = tmp_path / "m.csv"
    files["csv"].write_text(csv_text(header, rows), encoding="utf-8")
    files["csv-semicolon-cp1252"] = tmp_path / "m-semi.csv"
    files["csv-semicolon-cp1252"].write_bytes(csv_text(header, rows, ";").encode("cp1252"))
    files["csv-utf16"] = tmp_path / "m16.csv"
    files["csv-utf16"].write_bytes(csv_text(header, rows, "\t").encode("utf-16"))
    short = csv_text(header + ["Notes"], [r + [""] for r in rows]).splitlines()
    files["csv-short-rows"] = tmp_path / "short.csv"  # every row omits its empty last field: pandas' path
    files["csv-short-rows"].write_text("\n".join([short[0], *(line[:-1] for line in short[1:])]) + "\n")
    files["xlsx-openpyxl"] = tmp_path / "o.xlsx"
    write_openpyxl(files["xlsx-openpyxl"], header, rows)
    files["xlsx-xlsxwriter"] = tmp_path / "x.xlsx"
    write_xlsxwriter(files["xlsx-xlsxwriter"], header, rows)
    files["long"] = tmp_path / "long.csv"
    write_long(files["long"], header, rows)
    return files


def test_every_path_gives_the_same_counts(cli, written):
    results = {}
    for name, path in written.items():
        run = cli("rate", path, "--partial", "--by", "Team", "--prompts", "--format", "json")
        assert run.code == 0, (name, run.err)
        doc = run.json()
        results[name] = (doc["cases"], counts(doc),
                         {kq["id"]: kq["by"] for s in doc["standards"] for kq in s["key_questions"] if "by" in kq})
    reference = results.pop("csv")
    for name, got in results.items():
        assert got == reference, name


def test_the_irregular_csv_really_takes_the_other_path(written, monkeypatch):
    from casescore import reader

    used = []
    original = reader._pandas_csv
    monkeypatch.setattr(reader, "_pandas_csv", lambda *a: used.append(True) or original(*a))
    reader.read_marking_file(str(written["csv"]), lambda cells: 2 if "Case ID" in cells else 0)
    assert not used
    reader.read_marking_file(str(written["csv-short-rows"]), lambda cells: 2 if "Case ID" in cells else 0)
    assert used


@pytest.mark.parametrize("name", ["csv", "xlsx-openpyxl", "long"])
def test_large_and_small_columns_factorise_alike(cli, written, monkeypatch, name):
    """Columns from PANDAS_FROM cells up are encoded by Arrow or pandas instead of a dict."""
    from casescore import marking as marking_module

    small = cli("rate", written[name], "--partial", "--format", "json").json()
    monkeypatch.setattr(marking_module, "PANDAS_FROM", 5)
    large = cli("rate", written[name], "--partial", "--format", "json").json()
    assert counts(small) == counts(large) and small["cases"] == large["cases"]


def _grid_values(path, sheet="Cases"):
    from casescore.sheets import Book

    book = Book(str(path), path.read_bytes())
    grid = book.grid(sheet)
    return [c.to_pylist() for c in grid.columns], book.visible(sheet)


@pytest.mark.parametrize("name", ["xlsx-openpyxl", "xlsx-xlsxwriter"])
def test_an_xlsx_is_read_eagerly_and_as_the_slower_way_reads_it(written, monkeypatch, name):
    """An xlsx with no error cell is loaded straight into Arrow; the cells are those the loader that
    reports error cells gives."""
    from casescore import sheets

    slow = []
    original = sheets.Book._load_with_errors
    monkeypatch.setattr(sheets.Book, "_load_with_errors", lambda self, s: slow.append(s) or original(self, s))
    eager = _grid_values(written[name])
    assert slow == []
    monkeypatch.setattr(sheets.Book, "_load_eager", lambda self, s: None)
    assert _grid_values(written[name]) == eager
    assert slow == ["Cases"]


def test_an_xlsx_with_an_error_cell_is_read_the_way_that_names_it(tmp_path, cli, monkeypatch):
    """Loaded eagerly, an error cell would read as empty (a blank answer); the sheet goes the other way."""
    from openpyxl import Workbook

    from casescore import sheets

    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    ws.append(["Case ID", "2.2.1"])
    ws.append(["C1", "Yes"])
    ws.append(["C2", "#N/A"])
    ws["B3"].data_type = "e"
    path = tmp_path / "errors.xlsx"
    wb.save(path)
    slow = []
    original = sheets.Book._load_with_errors
    monkeypatch.setattr(sheets.Book, "_load_with_errors", lambda self, s: slow.append(s) or original(self, s))
    run = cli("check", path, "--format", "json")
    assert slow == ["Cases"]
    assert any(p["kind"] == "invalid-answer" and p["where"].endswith("Cases!B3") and p["value"] == "#N/A"
               for p in run.json()["problems"]), run.out


def test_an_eagerly_read_sheet_keeps_its_columns_in_place(tmp_path):
    """calamine starts a sheet's columns at its first used one; they are put back from column A."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    ws["C3"], ws["E3"], ws["C4"], ws["E4"] = "Case ID", "2.2.1", "C1", "Yes"
    hidden = wb.create_sheet("Old")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "x"
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    columns, visible = _grid_values(path)
    assert visible
    assert columns[2][2:] == ["Case ID", "C1"] and columns[4][2:] == ["2.2.1", "Yes"]
    assert columns[0] == [None] * 4 and columns[3] == [None] * 4
    assert _grid_values(path, "Old")[1] is False
