"""Reading what people actually hand casescore: every filled cell is counted right or named.

Each test compares against the same marking in its plain form (the oracle), so a spelling, a
sheet layout or a totals row that changed any count would show as a difference.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import SAMPLE as SAMPLE_PATH
from conftest import answers, marking_csv, patch_part, question_headers, uniform, write_xlsx

KQS = question_headers(standards={"2.2", "2.3", "2.4", "2.5"})
SHEET = "xl/worksheets/sheet1.xml"


def varied(n: int = 6) -> dict[str, list[str]]:
    """A column per key question, each with its own mix of answers (so a swapped column would show)."""
    pool = ["Yes", "No", "N/A", "Yes", "No", "Yes"]
    return {q: [pool[(i + k) % len(pool)] for i in range(n)] for k, q in enumerate(KQS)}


def counts(doc) -> dict[str, tuple[int, int, int]]:
    return {kq["id"]: (kq["yes"], kq["no"], kq["na"]) for s in doc["standards"] for kq in s["key_questions"]}


@pytest.fixture
def oracle(cli, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(marking_csv(varied()))
    return counts(cli("rate", path, "--format", "json").json())


# --- headers -----------------------------------------------------------------------------

SPELLINGS = [
    "Q{id}", "KQ {id}", "KQ{id}:", "[{id}]", "{id}.", "{id}: Does the work...", "{id} - Does the work...",
    "\ufeff{id}", "\u200b{id}", "{id}\nDoes the work...", "Question {id}", "({id})",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_key_question_spellings_are_questions(cli, tmp_path, oracle, spelling, form):
    cols = {spelling.format(id=q): v for q, v in varied().items()}
    if form == "csv":
        path = tmp_path / "m.csv"
        path.write_text(marking_csv(cols), encoding="utf-8")
    else:
        rows = [["Case ID", *cols]] + [[f"C{i + 1:03d}", *(v[i] for v in cols.values())] for i in range(6)]
        path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows})
    run = cli("rate", path, "--format", "json")
    assert run.code == 0, run.err
    assert counts(run.json()) == oracle


@pytest.mark.parametrize("spelling", ["{id}{l}", "{id}{L}", "{id}({l})", "{id} ({l})", "{id}_{l}", "[{id}{l}]",
                                      "{id} {l})", "Prompt {id}{l}", "{id}{l}. Does...", "{id}.{l}"])
def test_prompt_spellings_are_prompts(cli, tmp_path, spelling):
    prompts = [p for p in question_headers(prompts=True, standards={"2.2"}) if p[-1].isalpha()]
    header = {q: q for q in question_headers(standards={"2.2"})}
    for p in prompts:
        header[p] = spelling.format(id=p[:-1], l=p[-1], L=p[-1].upper())
    path = tmp_path / "m.csv"
    path.write_text(marking_csv({h: answers(3, 1, 1) for h in header.values()}))
    doc = cli("check", path, "--format", "json").json()
    assert doc["ok"], doc["problems"][:3]
    assert doc["read"]["questions"] == {"2.2": len(header)} and doc["read"]["attributes"] == []


def test_words_after_an_id_are_not_a_prompt_letter(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(marking_csv({"2.2.1 A plan is in place": answers(2, 1), "2.2.2": answers(2, 1),
                                 "2.2.3": answers(2, 1)}))
    doc = cli("check", path, "--format", "json").json()
    assert doc["ok"] and doc["read"]["questions"] == {"2.2": 3}


def test_an_id_the_framework_lacks_is_named_with_the_nearest(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(marking_csv({**uniform(KQS, answers(2, 1)), "2.2.10": answers(2, 1)}))
    run = cli("check", path)
    assert run.code == 1
    column = chr(ord("A") + len(KQS) + 1)
    line = next(line for line in run.out.splitlines() if line.startswith(f"{path}: {column}1: "))
    assert "looks like question 2.2.10, which framework probation-pdu-2021 does not have" in line
    assert "nearest: 2.2.1" in line
    assert "not used: column" in run.out  # the read report lists it too


def test_another_frameworks_columns_name_that_framework(cli, tmp_path):
    youth = question_headers("youth-2021", standards={"3.1"})
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(uniform(youth, answers(2, 1))))
    run = cli("rate", path)
    assert run.code == 1 and "these columns are framework youth-2021" in run.err
    assert cli("rate", path, "--framework", "youth-2021", "--format", "json").code == 0


def test_no_question_columns_is_an_error_not_a_rating(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("Case ID,Team,Notes\nC1,A,x\nC2,B,y\n")
    run = cli("rate", path, "--rating", "1.1=good")
    assert run.code == 1 and "no question columns" in run.err and run.out == ""


def test_a_template_records_its_framework(cli, tmp_path):
    path = tmp_path / "t.xlsx"
    assert cli("template", "--framework", "youth-2021", "-o", path).code == 0
    run = cli("check", path, "--framework", "probation-pdu-2021")  # read against another framework: named
    assert run.code == 1 and "records framework youth-2021" in run.out


# --- the case id column, the sheet ---------------------------------------------------------

@pytest.mark.parametrize("id_header", ["Case ID", "case_id", "CRN", "Case ref", "Case reference", "Case number",
                                       "Case no.", "ID", "Case", "\ufeffCase ID"])
def test_case_id_headers(cli, tmp_path, oracle, id_header):
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(varied()).replace("Case ID", id_header, 1), encoding="utf-8")
    run = cli("rate", path, "--format", "json")
    assert run.code == 0, run.err
    assert counts(run.json()) == oracle


def test_id_column_option(cli, tmp_path, oracle):
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(varied()).replace("Case ID", "Person", 1))
    assert cli("rate", path).code == 3
    run = cli("rate", path, "--id-column", "person", "--format", "json")
    assert run.code == 0 and counts(run.json()) == oracle


def test_crn_beside_case_id_is_an_attribute(cli, tmp_path):
    cols = {"CRN": [f"X{i}" for i in range(6)], **varied()}
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(cols))
    doc = cli("check", path, "--format", "json").json()
    assert doc["read"]["id_column"] == "Case ID" and doc["read"]["attributes"] == ["CRN"]


def _rows(cols=None, n=6):
    cols = cols or varied(n)
    return [["Case ID", *cols]] + [[f"C{i + 1:03d}", *(v[i] for v in cols.values())] for i in range(n)]


def test_cases_on_a_sheet_after_notes(cli, tmp_path, oracle):
    path = write_xlsx(tmp_path / "m.xlsx", {"Notes": [["Read me first"], ["Case ID is the CRN"]],
                                            "Marking": _rows()})
    run = cli("rate", path, "--format", "json")
    assert run.code == 0 and counts(run.json()) == oracle
    doc = cli("check", path, "--format", "json").json()
    assert doc["read"]["sheet"] == "Marking" and "Marking" in doc["read"]["sheet_note"]
    assert doc["read"]["unused_sheets"] == ["Notes"]


def test_sheet_named_cases_any_case_and_spaces(cli, tmp_path, oracle):
    other = _rows(uniform(KQS, answers(6, 0)))
    path = write_xlsx(tmp_path / "m.xlsx", {"Other": other, " cases ": _rows()})
    run = cli("rate", path, "--format", "json")
    assert run.code == 0 and counts(run.json()) == oracle


def test_sheet_option_and_unknown_sheet(cli, tmp_path, oracle):
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": _rows(uniform(KQS, answers(6, 0))), "Re-audit": _rows()})
    run = cli("rate", path, "--sheet", "re-audit", "--format", "json")
    assert run.code == 0 and counts(run.json()) == oracle
    run = cli("rate", path, "--sheet", "Nope")
    assert run.code == 3 and "no sheet named 'Nope'" in run.err and "'Re-audit'" in run.err


def test_hidden_sheet_is_not_chosen(cli, tmp_path, oracle):
    import openpyxl

    path = write_xlsx(tmp_path / "m.xlsx", {"Old": _rows(uniform(KQS, answers(6, 0))), "Now": _rows()})
    wb = openpyxl.load_workbook(path)
    wb["Old"].sheet_state = "hidden"
    wb.save(path)
    run = cli("rate", path, "--format", "json")
    assert run.code == 0 and counts(run.json()) == oracle


# --- rows that are not cases ---------------------------------------------------------------

def _with_totals(rows, cached: bool):
    n = len(rows) - 1
    width = len(rows[0])
    if cached:  # as Excel saves it: the formulas' values
        total = ["Total", *[sum(r[j] == "Yes" for r in rows[1:]) for j in range(1, width)]]
        pct = ["% Yes", *[0.5] * (width - 1)]
        unlabelled = ["", *[n] * (width - 1)]
    else:  # as a script writes it: formulas, no values
        total = ["Total", *[f'=COUNTIF(B2:B{n + 1},"Yes")'] * (width - 1)]
        pct = ["% Yes", *[f"=B{n + 2}/{n}"] * (width - 1)]
        unlabelled = ["", *[f"=COUNTA(B2:B{n + 1})"] * (width - 1)]
    return rows + [total, pct, [], unlabelled]


@pytest.mark.parametrize("cached", [True, False])
def test_totals_rows_are_not_cases(cli, tmp_path, oracle, cached):
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": _with_totals(_rows(), cached)})
    run = cli("rate", path, "--format", "json")
    assert run.code == 0, run.err
    assert run.json()["cases"] == 6 and counts(run.json()) == oracle
    assert "3 summary row(s) not counted as cases (row 8, 9, 11)" in run.err  # one line names them
    assert run.err.count("summary row(s)") == 1
    assert [w for w in run.json()["warnings"] if "summary row" in w] == [  # a program is told too
        f"{path}: 3 summary row(s) not counted as cases (row 8, 9, 11)"]
    exported = tmp_path / "out.xlsx"
    assert cli("export", path, "-o", exported).code == 0
    from openpyxl import load_workbook

    summary = [c for row in load_workbook(exported, read_only=True)["Summary"].iter_rows(values_only=True)
               for c in row if isinstance(c, str) and "summary row(s)" in c]
    assert len(summary) == 1
    rows = cli("check", path, "--format", "json").json()["read"]["ignored_rows"]
    assert [(r["row"], r["label"]) for r in rows] == [(8, "Total"), (9, "% Yes"), (11, rows[2]["label"])]


def test_a_row_with_answers_but_no_id_below_the_cases_is_a_problem(cli, tmp_path):
    rows = _rows() + [["", *["Yes"] * len(KQS)]]
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows})
    run = cli("rate", path)
    assert run.code == 1 and "Cases!A8: this row has answers but no case id" in run.err


def test_uncached_formula_in_a_case_is_named(cli, tmp_path):
    rows = _rows()
    rows[3][1] = '=IF(TRUE,"Yes","No")'
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows})
    run = cli("rate", path, "--partial")
    assert run.code == 1 and "Cases!B4: not an answer to 2.2.1 (found '=IF(TRUE,\"Yes\",\"No\")')" in run.err


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#REF!"])
def test_formula_errors_are_named_not_blank(cli, tmp_path, error):
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": _rows()})
    # B3 is "No" in the plain file; make it an error cell as Excel saves one
    data = patch_part(path.read_bytes(), SHEET, lambda xml: xml.replace(
        b'<c r="B3" t="inlineStr"><is><t>No</t></is></c>', b'<c r="B3" t="e"><v>' + error.encode() + b"</v></c>"))
    path.write_bytes(data)
    for args in [(), ("--partial",)]:
        run = cli("rate", path, *args)
        assert run.code == 1 and f"Cases!B3: not an answer to 2.2.1 (found '{error}')" in run.err


def test_typed_values_read_as_excel_shows_them(cli, tmp_path):
    import datetime as dt

    cols = {"Started": [dt.date(2022, 1, 24)] * 6, "Flag": [True, False] * 3, "Seen": [dt.time(10, 30)] * 6,
            **varied()}
    rows = [["Case ID", *cols]] + [[1000 + i, *(v[i] for v in cols.values())] for i in range(6)]
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows})
    doc = cli("rate", path, "--by", "Started", "--by", "Flag", "--by", "Seen", "--format", "json").json()
    by = doc["standards"][5]["key_questions"][0]["by"]
    assert set(by["Started"]) == {"2022-01-24"} and set(by["Flag"]) == {"TRUE", "FALSE"}
    assert set(by["Seen"]) == {"10:30:00"}


# --- CSV -----------------------------------------------------------------------------------

@pytest.mark.parametrize("odd", ["\f", "\u2028", "\x1c", "\x85"])
def test_csv_title_row_with_odd_line_characters(cli, tmp_path, oracle, odd):
    path = tmp_path / "m.csv"
    path.write_text(f"QA audit{odd}March\n" + marking_csv(varied()), encoding="utf-8")
    run = cli("rate", path, "--format", "json")
    assert run.code == 0 and run.json()["cases"] == 6 and counts(run.json()) == oracle


def test_csv_rows_omitting_a_trailing_empty_field(cli, tmp_path):
    cols = {**varied(), "Notes": [""] * 6}
    text = marking_csv(cols)
    lines = text.splitlines()
    path = tmp_path / "m.csv"
    path.write_text("\n".join([lines[0], *(line[:-1] for line in lines[1:])]) + "\n")  # drop each row's last ","
    assert cli("check", path).code == 0


def test_csv_row_longer_than_the_header_is_refused(cli, tmp_path):
    text = marking_csv(varied()).splitlines()
    text[3] += ",stray"
    path = tmp_path / "m.csv"
    path.write_text("\n".join(text) + "\n")
    run = cli("rate", path)
    assert run.code == 3 and "line 4 has more fields than the header row" in run.err


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv(cli, tmp_path, oracle, encoding):
    text = marking_csv(varied(), delimiter="\t").replace("C001", "Café")
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    path = tmp_path / "m.csv"
    path.write_bytes(bom + text.encode(encoding))
    run = cli("rate", path, "--format", "json")
    assert run.code == 0, run.err
    assert counts(run.json()) == oracle


def test_csv_header_with_a_quoted_line_break(cli, tmp_path, oracle):
    text = marking_csv(varied()).replace("2.2.1", '"2.2.1\nDoes assessment..."', 1)
    path = tmp_path / "m.csv"
    path.write_text(text)
    run = cli("rate", path, "--format", "json")
    assert run.code == 0 and counts(run.json()) == oracle


# --- say what was read ---------------------------------------------------------------------

def test_check_says_what_it_read(cli, tmp_path):
    cols = {"Team": ["A"] * 6, **varied()}
    rows = [["QA audit, March"], [], ["Case ID", *cols, "", "2.2.10"]]
    rows += [[f"C{i}", *(v[i] for v in cols.values()), f"note {i}", "Yes"] for i in range(6)]
    rows += [["Total"]]
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows})
    doc = cli("check", path, "--format", "json").json()
    read = doc["read"]
    assert (read["sheet"], read["header_row"], read["cases"], read["id_column"]) == ("Cases", 3, 6, "Case ID")
    assert read["questions"] == {"2.2": 3, "2.3": 3, "2.4": 3, "2.5": 3}
    letter = chr(ord("A") + len(cols) + 1)
    assert read["attributes"] == ["Team", f"(column {letter})"]  # data under no header is kept, by its letter
    assert [c["reason"] for c in read["ignored_columns"]] == ["unknown question"]
    assert [(r["row"], r["label"]) for r in read["ignored_rows"]] == [(10, "Total")]


# --- memory --------------------------------------------------------------------------------

def test_memory_follows_cells_not_the_claimed_size(tmp_path):
    """A wide header and one empty styled cell in the last row Excel has: a 6 KB file."""
    import resource

    rows = [["Case ID", *question_headers(prompts=True)], ["C1", *["Yes"] * 78]]
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows})
    path.write_bytes(patch_part(path.read_bytes(), SHEET, lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="CZ1048576" s="0"/></row></sheetData>')))

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    proc = subprocess.run([sys.executable, "-m", "casescore", "rate", str(path), "--format", "json"],
                          capture_output=True, text=True, preexec_fn=cap, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_check_json_problems_carry_a_structured_location(cli, tmp_path):
    rows = _rows()
    rows[2][3] = "Maybe"
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows})
    problem = cli("check", path, "--format", "json").json()["problems"][0]
    assert (problem["kind"], problem["sheet"], problem["row"], problem["column"], problem["cell"]) == \
        ("invalid-answer", "Cases", 3, "D", "D3")
    assert problem["where"] == f"{path}: Cases!D3" and problem["file"] == str(path)


def test_partial_rating_says_how_many_cases_were_not_marked(cli, tmp_path):
    cols = varied()
    for q in cols:
        cols[q][4] = cols[q][5] = ""
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(cols))
    run = cli("rate", path, "--partial")
    assert run.code == 0 and "4 cases (2 not marked)" in run.out
    doc = cli("rate", path, "--partial", "--format", "json").json()
    assert (doc["cases"], doc["not_marked_cases"]) == (4, 2)


def test_modified_framework_is_named_in_every_output(cli, tmp_path):
    from casescore.framework import load

    edited = tmp_path / "my.toml"
    edited.write_text(load().source_text.replace('"Outstanding" = 80', '"Outstanding" = 75'))
    label = "probation-pdu-2021 (modified: my.toml)"
    assert label in cli("rate", SAMPLE_PATH, "--framework", edited).out
    assert label in cli("rate", SAMPLE_PATH, "--framework", edited, "--format", "markdown").out
    doc = cli("rate", SAMPLE_PATH, "--framework", edited, "--format", "json").json()
    assert doc["framework_modified"] == str(edited)
    out = tmp_path / "e.xlsx"
    assert cli("export", SAMPLE_PATH, "--framework", edited, "-o", out).code == 0
    import openpyxl

    method = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Method"].iter_rows(values_only=True)}
    assert method["Framework"] == label


def test_the_framework_a_template_records_is_used_when_none_is_given(cli, tmp_path):
    import openpyxl

    path = tmp_path / "youth.xlsx"
    assert cli("template", "--framework", "youth-2021", "--cases", "3", "-o", path).code == 0
    wb = openpyxl.load_workbook(path)
    ws = wb["Cases"]
    for row in ws.iter_rows(min_row=2, max_row=4):
        for cell in row:
            if isinstance(ws.cell(1, cell.column).value, str) and ws.cell(1, cell.column).value[:1].isdigit():
                cell.value = "Yes"
    wb.save(path)
    read = cli("check", path, "--format", "json").json()["read"]
    assert (read["framework"], read["framework_note"]) == ("youth-2021", "recorded in the workbook's Inspection sheet")
    doc = cli("rate", path, "--format", "json").json()
    assert doc["framework"] == "youth-2021"
    plain = tmp_path / "m.csv"
    plain.write_text(marking_csv(varied()))
    read = cli("check", plain, "--format", "json").json()["read"]
    assert read["framework"] == "probation-pdu-2021" and read["framework_note"].startswith("the default")


def test_a_letter_and_words_after_an_id_is_named_not_guessed(cli, tmp_path):
    """`2.2.1 b Does it...` may be prompt 2.2.1b or question 2.2.1 with text: never taken silently."""
    path = tmp_path / "m.csv"
    path.write_text(marking_csv({"2.2.1 b Does it consider risk": answers(2, 1), "2.2.2": answers(2, 1),
                                 "2.2.3": answers(2, 1)}))
    run = cli("check", path)
    assert run.code == 1 and "could be question 2.2.1 or prompt 2.2.1b" in run.out
    assert cli("rate", path).code == 1


def test_every_command_reads_a_workbook_with_the_framework_it_records(cli, tmp_path):
    twenty_three = SAMPLE_PATH.parent / "probation-pdu-2023.xlsx"
    progress = cli("progress", twenty_three, "--format", "json")
    assert progress.code == 0 and progress.json()["framework"] == "probation-pdu-2023"
    assert cli("report", twenty_three, "-o", tmp_path / "r.html").code == 0
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(twenty_three.read_bytes())
    run = cli("agree", twenty_three, copy, "--format", "json")
    assert run.code == 0 and run.json()["framework"] == "probation-pdu-2023"


def test_compare_refuses_markings_of_different_frameworks(cli):
    run = cli("compare", SAMPLE_PATH, SAMPLE_PATH.parent / "probation-pdu-2023.xlsx")
    assert run.code == 2 and "different frameworks" in run.err and run.out == ""


def test_agree_with_no_disagreement(cli, tmp_path):
    copy = tmp_path / "b.xlsx"
    copy.write_bytes(SAMPLE_PATH.read_bytes())
    run = cli("agree", SAMPLE_PATH, copy, "--disagreements")
    assert run.code == 0, run.err
