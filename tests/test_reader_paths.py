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
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_an_xlsx_is_read_eagerly_and_as_the_slower_way_reads_it(written, monkeypatch):
    """An xlsx with shared strings and no error cell is loaded straight into Arrow; the cells are those
    the loader that reports error cells gives. One with inline text (openpyxl's) goes that other way."""
    from casescore import sheets

    slow = []
    original = sheets.Book._load_with_errors
    monkeypatch.setattr(sheets.Book, "_load_with_errors", lambda self, s: slow.append(s) or original(self, s))
    eager = _grid_values(written["xlsx-xlsxwriter"])
    assert slow == []
    _grid_values(written["xlsx-openpyxl"])
    assert slow == ["Cases"]
    monkeypatch.setattr(sheets.Book, "_load_eager", lambda self, s: None)
    assert _grid_values(written["xlsx-xlsxwriter"]) == eager
    assert slow == ["Cases", "Cases"]


def test_an_xlsx_with_an_error_cell_is_read_the_way_that_names_it(tmp_path, cli, monkeypatch):
    """Loaded eagerly, an error cell would read as empty (a blank answer); the sheet goes the other way."""
    import xlsxwriter

    from casescore import sheets

    path = tmp_path / "errors.xlsx"
    wb = xlsxwriter.Workbook(str(path))  # shared strings: the eager way unless the sheet may hold errors
    ws = wb.add_worksheet("Cases")
    for i, row in enumerate([["Case ID", "2.2.1"], ["C1", "Yes"], ["C2", None]]):
        ws.write_row(i, 0, row)
    ws.write_formula(2, 1, "=1/0", None, "#DIV/0!")  # saved with its value, as Excel saves it
    wb.close()
    slow = []
    original = sheets.Book._load_with_errors
    monkeypatch.setattr(sheets.Book, "_load_with_errors", lambda self, s: slow.append(s) or original(self, s))
    run = cli("check", path, "--format", "json")
    assert slow == ["Cases"]
    assert any(p["kind"] == "invalid-answer" and p["where"].endswith("Cases!B3") and p["value"] == "#DIV/0!"
               for p in run.json()["problems"]), run.out


def test_an_eagerly_read_sheet_keeps_its_columns_in_place(tmp_path, monkeypatch):
    """calamine starts a sheet's columns at its first used one; they are put back from column A."""
    import xlsxwriter

    from casescore import sheets

    path = tmp_path / "offset.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Cases")
    ws.write_row(2, 2, ["Case ID", None, "2.2.1"])
    ws.write_row(3, 2, ["C1", None, "Yes"])
    hidden = wb.add_worksheet("Old")
    hidden.write(0, 0, "x")
    hidden.hide()
    wb.close()
    monkeypatch.setattr(sheets.Book, "_load_with_errors", lambda self, s: pytest.fail("not loaded eagerly"))
    columns, visible = _grid_values(path)
    assert visible
    assert columns[2][2:] == ["Case ID", "C1"] and columns[4][2:] == ["2.2.1", "Yes"]
    assert columns[0] == [None] * 4 and columns[3] == [None] * 4
    assert _grid_values(path, "Old")[1] is False


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("irregular", [False, True])
def test_a_csv_in_utf8_only_at_its_start_is_read_as_what_it_is(tmp_path, cli, irregular, bom):
    """The encoding is judged from the first 64 KiB and checked as the file is parsed: a cp1252 'é'
    further down makes the whole file read as cp1252, not as UTF-8 with a broken character."""
    header, rows = marking(n=2000)
    rows = [[r[0], "North", *r[2:]] for r in rows]
    rows[-1][1] = "Café"
    text = csv_text(header, rows)
    if irregular:  # a short row: pandas' parser reads the file
        text = text.replace("\nC0005,North,", "\nC0005,North\nC0005b,North,", 1)
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("cp1252")  # a BOM: saved as "CSV UTF-8", added to later
    assert data.index(b"Caf\xe9") > 65536
    path = tmp_path / "late.csv"
    path.write_bytes(data)
    run = cli("rate", path, "--partial", "--by", "Team", "--format", "json")
    assert run.code in (0, 1), run.err
    groups = {g for s in run.json()["standards"] for kq in s["key_questions"] for g in kq.get("by", {}).get("Team", {})}
    assert groups == {"North", "Café"}, groups
    from casescore import marking as marking_module
    from casescore.framework import load

    m = marking_module.read(str(path), load("probation-pdu-2021"))
    assert m.case_ids[:2] == ["C0000", "C0001"] and len(m.case_ids) == len(rows) + irregular
    assert not [p for p in m.problems if p.kind in ("missing-id", "duplicate-id", "invalid-answer")]


@pytest.mark.parametrize("shape", ["runs", "shuffled", "one key", "late key", "absent key"])
def test_first_positions_agree_with_the_plain_way(shape):
    """_first_positions skips to run starts and prefixes; it must find what looking at every key finds,
    and a column numbered by first appearance must read as plain Python numbers it."""
    import numpy as np

    from casescore.marking import _Column, _first_of_each, _first_positions

    rng = np.random.default_rng(7)
    if shape == "runs":
        keys = np.repeat(rng.permutation(3000), rng.integers(1, 9, 3000))
    elif shape == "shuffled":
        keys = rng.integers(0, 80, 50_000)
    elif shape == "one key":
        keys = np.zeros(10_000, np.int64)
    elif shape == "absent key":  # a value of the dictionary that no row has
        keys = np.tile(np.arange(78), 2000)
    else:  # every key seen early but one, which first appears at the very end
        keys = np.concatenate([np.tile(np.arange(78), 2000), [78]])
    size = int(keys.max()) + 1 + (shape == "absent key")
    assert np.array_equal(_first_positions(keys, size), _first_of_each(keys, size))

    texts = [f" k{k % 500}" if k % 3 else f"k{k % 500} " for k in keys.tolist()]  # two spellings, one id
    rows = np.flatnonzero(rng.random(len(texts)) < 0.9)
    numbers, names = _Column(texts).numbered(str.upper, rows)
    firsts = list(dict.fromkeys(texts[i].strip().upper() for i in rows))
    assert names == firsts
    assert [names[n] for n in numbers.tolist()] == [texts[i].strip().upper() for i in rows]


@pytest.mark.parametrize("together", [True, False])
def test_a_large_long_form_reads_as_its_rows_say(tmp_path, together):
    """Thousands of rows (the paths for large inputs), with a question answered twice, rows of an
    unknown question and of no case id, an attribute blank on a case's first row, and the rows of each
    case not together: checked against a reading of the rows in plain Python."""
    from casescore import marking
    from casescore.framework import load

    rng = random.Random(5)
    questions = list(QUESTIONS)
    rows = []
    for i in range(200):
        team = rng.choice(["North", "South"])
        for k, q in enumerate(questions):
            rows.append([f"C{i:03d}", q, rng.choice(["Yes", "No", "N/A", "", "maybe"]), "" if k == 0 else team])
    rows += [["C007", "9.9.9", "Yes", "South"], ["", questions[0], "Yes", ""]]
    if not together:
        rng.shuffle(rows)
    # A second answer to the first row's question, right after it: every row after it is one further on.
    rows.insert(1, [*rows[0][:2], "No", "North"])
    assert len(rows) > 4096
    path = tmp_path / "long.csv"
    path.write_text(csv_text(["case_id", "question", "answer", "Team", ""], [[*r, ""] for r in rows]))
    m = marking.read(str(path), load("probation-pdu-2021"))

    expected: dict = {}
    cases: list = []
    teams: dict = {}
    for case, q, a, team in rows:
        if not case or q == "9.9.9":
            continue
        if case not in cases:
            cases.append(case)
        expected.setdefault((case, q), a)
        if team:
            teams.setdefault(case, team)
    assert m.case_ids == cases
    spelled = {0: "", 1: "Yes", 2: "No", 3: "N/A"}
    got = {(c, q): spelled.get(int(m.answers[q][k]), "maybe") for q in m.answers for k, c in enumerate(m.case_ids)}
    assert got == expected
    assert m.attributes["Team"].tolist() == [teams.get(c, "") for c in cases]
    kinds = [p.kind for p in m.problems]
    assert kinds.count("duplicate-answer") == 1 and kinds.count("unknown-question") == 1
    assert kinds.count("missing-id") == 1
    assert kinds.count("invalid-answer") == sum(a == "maybe" for a in expected.values())
    assert "Team" in m.report.attributes and len(m.attributes) == 1  # the unnamed, empty column is not one


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["Yes", "No", "N/A", "", "maybe"]), min_size=3, max_size=3),
                min_size=1, max_size=12),
       st.sets(st.integers(0, 2)), st.booleans(), st.booleans())
def test_problems_are_found_whether_or_not_a_column_is_complete(grid, complete, note, gap):
    """A column with every cell answered settles some whole-sheet tests at once; the problems found
    must be those a cell-by-cell reading finds, with such columns and without."""
    import tempfile
    from pathlib import Path

    from casescore import marking
    from casescore.framework import load

    qs = ["2.2.1", "2.2.2", "2.2.3"]
    for row in grid:
        for k in complete:
            row[k] = row[k] or "Yes"
            row[k] = "Yes" if row[k] == "maybe" else row[k]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.csv"
        rows = [[f"C{i}", *row, ""] for i, row in enumerate(grid)]
        if note:  # below the cases, no id and no answer: a note, not a case
            rows.append(["", "", "", "", "checked by AB"])
        if gap:  # an empty row between cases: nothing to count or name
            rows.insert(1, [""] * 5)
        path.write_text(csv_text(["Case ID", *qs, "Notes"], rows))
        m = marking.read(str(path), load("probation-pdu-2021"))
    assert m.case_ids == [f"C{i}" for i in range(len(grid))]
    assert [r["label"] for r in m.report.ignored_rows] == (["checked by AB"] if note else [])
    expected = []
    for i, row in enumerate(grid):
        if all(a == "" for a in row):
            expected.append(("not-marked", f"C{i}", None))
            continue
        expected += [("invalid-answer", f"C{i}", q) for q, a in zip(qs, row, strict=True) if a == "maybe"]
        expected += [("not-marked", f"C{i}", q) for q, a in zip(qs, row, strict=True) if a == ""]
    got = []
    for p in m.problems:
        if p.kind in ("not-marked", "invalid-answer"):
            line = p.where.row - 2  # the header is line 1
            case = f"C{line - 1 if gap and line > 1 else line}"
            q = None if "nothing marked" in p.message else p.message.split()[0] if p.kind == "not-marked" else \
                p.message.rsplit(" ", 1)[-1]
            got.append((str(p.kind), case, q))
    assert sorted(got, key=str) == sorted(expected, key=str)


def test_a_damaged_sheet_part_prints_no_traceback(tmp_path, cli, written, monkeypatch):
    """A stored CRC that does not match the sheet: the search for error cells gives up quietly and the
    other loader (calamine) reads the sheet or says what is wrong, in one line."""
    import zipfile

    source = zipfile.ZipFile(written["xlsx-xlsxwriter"])
    path = tmp_path / "crc.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info), zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04" + bytes(data[4:10]), data.index(b"xl/worksheets/sheet1.xml") - 30)
    data[local + 14] ^= 0xFF  # the sheet's CRC-32 in its local header
    central = data.index(b"xl/worksheets/sheet1.xml", data.index(b"PK\x01\x02")) - 46
    data[central + 16] ^= 0xFF  # and in the central directory
    path.write_bytes(bytes(data))
    import threading

    died = []
    monkeypatch.setattr(threading, "excepthook", died.append)  # what would print a thread's traceback
    run = cli("check", path, "--format", "json")
    assert not died and "Traceback" not in run.err, run.err
    assert run.code in (0, 1, 3), run.err


def test_a_csv_begun_as_utf8_and_saved_on_as_cp1252_is_read(tmp_path):
    """A UTF-8 BOM, then cp1252 text from the first row on (a "CSV UTF-8" file added to by a Windows
    tool): the BOM is not part of the header, which is found, and every row is read as cp1252."""
    from casescore import marking as marking_module
    from casescore.framework import load

    header, rows = marking(n=30)
    rows[0][1] = "Café"
    path = tmp_path / "bom-cp1252.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(header, rows).encode("cp1252"))
    m = marking_module.read(str(path), load("probation-pdu-2021"))
    assert m.case_ids == [r[0] for r in rows]
    assert m.attributes["Team"][0] == "Café"
