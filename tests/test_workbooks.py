"""Export and template workbooks, read back: sheets, values, formats, validations, safety."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from conftest import SAMPLE, answers, marking_csv, question_headers, uniform


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "newham-data.xlsx"
    proc = subprocess.run([sys.executable, "-m", "casescore", "export", str(SAMPLE), "--workbook", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def rate_json():
    proc = subprocess.run([sys.executable, "-m", "casescore", "rate", str(SAMPLE), "--format", "json"],
                          capture_output=True, text=True, check=True)
    import json

    return json.loads(proc.stdout)


def _records(ws, header_row: int = 1):
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def test_sheets(exported):
    wb = openpyxl.load_workbook(exported)
    assert wb.sheetnames == ["Summary", "Key questions", "Prompts", "Cases", "Method"]


def test_summary_matches_json(exported, rate_json):
    ws = openpyxl.load_workbook(exported)["Summary"]
    cells = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, ws.max_row + 1)}
    assert ws["A1"].value.startswith("Newham PDU")
    assert cells["Cases"].value == rate_json["cases"]
    assert cells["Score"].value == rate_json["score"] and cells["Maximum score"].value == rate_json["max_score"]
    assert cells["Score out of maximum"].value == "6/24"
    assert cells["Overall rating"].value == rate_json["overall_rating"]
    assert cells["Overall rating"].fill.fgColor.rgb.endswith("FFD966")
    for s in rate_json["standards"]:
        cell = cells[f"{s['id']} {s['name']}"]
        assert ws.cell(cell.row, 2).value == s["rating"]
        assert ws.cell(cell.row, 3).value == s["points"]


def test_key_questions_match_json(exported, rate_json):
    ws = openpyxl.load_workbook(exported)["Key questions"]
    rows = {r["Key question"]: r for r in _records(ws)}
    expected = {kq["id"]: (s, kq) for s in rate_json["standards"] for kq in s["key_questions"]}
    assert set(rows) == set(expected)
    for qid, (s, kq) in expected.items():
        row = rows[qid]
        assert (row["Yes"], row["No"], row["N/A"], row["Relevant"]) == (kq["yes"], kq["no"], kq["na"], kq["relevant"])
        assert row["Band"] == kq["band"] and row["Standard rating"] == s["rating"]
        assert (row["Lowest"] == "lowest") == (qid in s["deciding"])
        if kq["percent"] is None:
            assert row["Percent"] is None
        else:
            assert row["Percent"] * 100 == pytest.approx(kq["percent"], abs=1e-9)
    percent = next(c for c in ws[1] if c.value == "Percent").column
    assert ws.cell(3, percent).data_type == "n" and ws.cell(3, percent).number_format == "0%"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert len(ws._charts) == 1


def test_prompts_match_json(exported, rate_json):
    ws = openpyxl.load_workbook(exported)["Prompts"]
    rows = {r["Question"]: r for r in _records(ws)}
    for s in rate_json["standards"]:
        for kq in s["key_questions"]:
            for p in kq["prompts"]:
                row = rows[p["id"]]
                assert row["Key question"] == kq["id"] and row["Kind"] == "prompt"
                assert (row["Yes"], row["Relevant"]) == (p["yes"], p["relevant"])
                if p["percent"] is not None:
                    assert row["Percent"] * 100 == pytest.approx(p["percent"])


def test_cases_sheet_rates_back_to_the_same_tallies(exported, rate_json, cli):
    doc = cli("rate", exported, "--format", "json", "--partial").json()
    again = {kq["id"]: (kq["yes"], kq["no"], kq["na"]) for s in doc["standards"] for kq in s["key_questions"]}
    before = {kq["id"]: (kq["yes"], kq["no"], kq["na"]) for s in rate_json["standards"] for kq in s["key_questions"]}
    assert again == before and doc["cases"] == 33


def test_method_sheet(exported):
    ws = openpyxl.load_workbook(exported)["Method"]
    items = {r["Item"]: r["Value"] for r in _records(ws)}
    assert items["Input SHA-256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert items["Framework"] == "probation-pdu-2021" and items["Rounding before banding"] == "exact"
    from casescore import __version__

    assert items["casescore version"] == __version__
    assert "Outstanding: 80% or more" in items["Key-question bands"]


def test_no_cases(cli, tmp_path):
    out = tmp_path / "share.xlsx"
    assert cli("export", SAMPLE, "--workbook", out, "--no-cases").code == 0
    assert "Cases" not in openpyxl.load_workbook(out).sheetnames


def test_formula_injection_stays_text(cli, tmp_path):
    kqs = question_headers(standards={"2.2"})
    hostile = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "{r} & <b>", " padded "]
    cols = {**uniform(kqs, answers(len(hostile), 0)), "Notes": hostile}
    src = tmp_path / "m.csv"
    src.write_text(marking_csv(cols, ids=hostile))
    out = tmp_path / "out.xlsx"
    run = cli("export", src, "--workbook", out)
    assert run.code == 0, run.err
    ws = openpyxl.load_workbook(out)["Cases"]
    values = [(ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 1).data_type) for r in range(2, 2 + len(hostile))]
    assert values == [(h.strip(), h.strip(), "s") for h in hostile]  # the reader strips outer spaces
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode() for n in sheets)


def test_refuses_to_overwrite(cli, tmp_path):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"keep me")
    run = cli("export", SAMPLE, "--workbook", out)
    assert run.code == 2 and "--force" in run.err and out.read_bytes() == b"keep me"
    assert cli("export", SAMPLE, "--workbook", out, "--force").code == 0
    assert out.read_bytes().startswith(b"PK")


def test_never_overwrites_the_input(cli, tmp_path):
    src = tmp_path / "in.xlsx"
    src.write_bytes(SAMPLE.read_bytes())
    run = cli("export", src, "--workbook", src, "--force")
    assert run.code == 2 and "never overwrites its input" in run.err
    assert src.read_bytes() == SAMPLE.read_bytes()


def test_workbook_to_stdout():
    proc = subprocess.run([sys.executable, "-m", "casescore", "export", str(SAMPLE), "--workbook", "-"],
                          capture_output=True, check=True)
    assert proc.stdout.startswith(b"PK\x03\x04")
    proc = subprocess.run([sys.executable, "-m", "casescore", "template", "-o", "-", "--cases", "2"],
                          capture_output=True, check=True)
    assert proc.stdout.startswith(b"PK\x03\x04")


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    import os

    from casescore import safe_write

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        safe_write.write_bytes(str(tmp_path / "out.xlsx"), b"data")
    assert list(tmp_path.iterdir()) == []


def test_invalid_marking_writes_nothing(cli, tmp_path):
    src = tmp_path / "m.csv"
    src.write_text("Case ID,2.2.1,2.2.2,2.2.3\nA,Yes,Maybe,No\n")
    run = cli("export", src, "--workbook", tmp_path / "out.xlsx")
    assert run.code == 1 and not (tmp_path / "out.xlsx").exists()


# --- template ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    out = tmp_path_factory.mktemp("template") / "marking.xlsx"
    subprocess.run([sys.executable, "-m", "casescore", "template", "--cases", "33", "-o", str(out)], check=True)
    return out


def test_template_sheets_and_layout(template):
    from casescore.framework import load

    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["Cases", "Ratings", "Inspection", "Guide"]
    ws = wb["Cases"]
    header = [c.value for c in ws[1]]
    fw = load("probation-pdu-2021")
    attrs = [a.name for a in fw.attributes]
    questions = question_headers(prompts=True)
    assert header[0] == "Case ID" and header[1:1 + len(attrs)] == attrs
    assert [h.split()[0] for h in header[1 + len(attrs):]] == questions
    assert header[1 + len(attrs)] == f"2.1.1 {fw.standard('2.1').key_questions[0].text}"
    assert ws.max_row == 34 and ws["A2"].value == "CASE-001" and ws["A34"].value == "CASE-033"
    assert ws.freeze_panes == "G2" and ws.cell(1, 7).alignment.wrap_text


def test_template_drop_downs(template):
    wb = openpyxl.load_workbook(template)
    validations = {str(dv.sqref): dv.formula1 for dv in wb["Cases"].data_validations.dataValidation}
    last_col = openpyxl.utils.get_column_letter(wb["Cases"].max_column)
    assert validations[f"G2:{last_col}34"] == '"Yes,No,N/A"'
    assert validations["B2:B34"] == '"Community,Licence"'
    assert validations["E2:E34"] == '"Low,Medium,High,Very high"'
    ratings = wb["Ratings"]
    assert [ratings.cell(r, 1).value for r in range(2, 6)] == ["1.1", "1.2", "1.3", "1.4"]
    dv = ratings.data_validations.dataValidation[0]
    assert str(dv.sqref) == "C2:C5" and dv.formula1 == '"Outstanding,Good,Requires improvement,Inadequate,N/A"'


def test_fresh_template_check_reports_only_not_marked(cli, template):
    doc = cli("check", template, "--format", "json").json()
    assert doc["cases"] == 33 and not doc["ok"]
    assert {p["kind"] for p in doc["problems"]} == {"not-marked"}
    # one line per case, not one per cell: a blank template is 33 cases with nothing marked
    assert [p["message"] for p in doc["problems"]] == [f"case CASE-{i:03d}: nothing marked" for i in range(1, 34)]
    assert sum(doc["read"]["questions"].values()) == len(question_headers(prompts=True))


def test_filled_template_rates(cli, template, tmp_path):
    wb = openpyxl.load_workbook(template)
    ws = wb["Cases"]
    for row in ws.iter_rows(min_row=2, min_col=7):
        for k, cell in enumerate(row):
            cell.value = ["Yes", "No", "N/A"][(cell.row + k) % 3]
    for r, rating in zip(range(2, 6), ["Good", "Good", "Requires improvement", "Outstanding"], strict=True):
        wb["Ratings"].cell(r, 3).value = rating
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    run = cli("rate", filled, "--format", "json")
    assert run.code == 0, run.err
    assert run.json()["cases"] == 33 and run.json()["overall_rating"] is not None


def test_youth_template(cli, tmp_path):
    out = tmp_path / "youth.xlsx"
    assert cli("template", "--framework", "youth-2021", "--cases", "3", "--no-prompts", "-o", out).code == 0
    header = [c.value for c in openpyxl.load_workbook(out)["Cases"][1]]
    assert ("3.3.3 Does the implementation and delivery of services effectively support the safety of other "
            "people?") in header
    assert not any(h.split()[0].endswith("a") for h in header[1:] if h[0].isdigit())


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is not installed here")
def test_libreoffice_opens_both_workbooks(exported, template, tmp_path):
    """LibreOffice converts each workbook without complaint (a stand-in for 'opens cleanly')."""
    import shutil

    for book in (exported, template):
        copy = tmp_path / book.name
        shutil.copy(book, copy)
        proc = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(copy)],
                              capture_output=True, text=True, timeout=180)
        pdf = copy.with_suffix(".pdf")
        assert proc.returncode == 0 and pdf.exists() and pdf.stat().st_size > 1000, proc.stderr


def test_cases_sheet_extent_and_answers(exported):
    """The streamed Cases sheet states its full extent (read-only readers rely on it) and holds
    the normalised answers."""
    wb = openpyxl.load_workbook(exported, read_only=True)
    ws = wb["Cases"]
    assert (ws.max_row, ws.max_column) == (34, 6 + len(question_headers(prompts=True)))
    rows = list(ws.iter_rows(min_row=2, max_row=34, values_only=True))
    assert [r[0] for r in rows] == [f"NEW-{i:03d}" for i in range(1, 34)]
    assert {v for r in rows for v in r[6:]} <= {"Yes", "No", "N/A"}


def test_export_to_a_file_is_the_same_workbook_as_export_to_stdout(tmp_path):
    """A file is written as the workbook is made (nothing large held in memory); standard output gets
    the same workbook from memory."""
    import io

    path = tmp_path / "e.xlsx"
    subprocess.run([sys.executable, "-m", "casescore", "export", str(SAMPLE), "-o", str(path)], check=True,
                   capture_output=True)
    piped = subprocess.run([sys.executable, "-m", "casescore", "export", str(SAMPLE), "-o", "-"], check=True,
                           capture_output=True).stdout
    streamed = zipfile.ZipFile(path)
    buffered = zipfile.ZipFile(io.BytesIO(piped))
    assert streamed.namelist() == buffered.namelist()
    for name in ("xl/worksheets/sheet4.xml", "xl/worksheets/sheet1.xml"):
        assert streamed.read(name) == buffered.read(name)


def test_cases_sheet_holds_each_answer_in_its_cell(cli, tmp_path):
    """Answers (shared strings, blanks left out) and text (inline) land in their own cells for openpyxl,
    loaded whole or read-only, and for calamine (fastexcel)."""
    import random

    import fastexcel

    kqs = question_headers(standards={"2.2", "2.3"}, prompts=True)
    rng = random.Random(3)
    n = 40
    cols = {h: [rng.choice(["Yes", "No", "N/A", ""]) for _ in range(n)] for h in kqs}
    cols[kqs[0]] = [rng.choice(["Yes", "No", "N/A"]) for _ in range(n)]  # every case marked somewhere
    cols["Team"] = [["North", "", "<South> & co", "=1+1"][i % 4] for i in range(n)]
    ids = [f"K{i:02d} & <x>" for i in range(n)]
    src = tmp_path / "m.csv"
    src.write_text(marking_csv(cols, ids=ids))
    out = tmp_path / "out.xlsx"
    run = cli("export", src, "-o", out, "--partial")
    assert run.code == 0, run.err

    def by_header(rows):
        header = [h.split()[0] if h[0].isdigit() else h for h in rows[0]]
        return [dict(zip(header, r, strict=True)) for r in rows[1:]]

    expected = [{"Case ID": ids[i], "Team": cols["Team"][i] or None, **{h: cols[h][i] or None for h in kqs}}
                for i in range(n)]
    whole = list(openpyxl.load_workbook(out)["Cases"].iter_rows(values_only=True))
    streamed = list(openpyxl.load_workbook(out, read_only=True)["Cases"].iter_rows(values_only=True))
    table = fastexcel.read_excel(str(out)).load_sheet_by_name("Cases", header_row=None, dtypes="string").to_arrow()
    calamine = [tuple(r.values()) for r in table.to_pylist()]
    for reader, rows in {"openpyxl": whole, "read-only": streamed, "calamine": calamine}.items():
        assert by_header(rows) == expected, reader
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert "<si><t>Yes</t></si>" in z.read("xl/sharedStrings.xml").decode()
