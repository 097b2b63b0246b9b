"""Reading markings: formats, stdin, the long form, and every kind of bad input."""

from __future__ import annotations

import pytest
from conftest import SAMPLE, answers, marking_csv, question_headers, uniform, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

PDU_KQS = question_headers(standards={"2.2", "2.3", "2.4", "2.5"})
JUDGED = ["--rating", "1.1=ri", "--rating", "1.2=good", "--rating", "1.3=requires improvement", "--rating", "1.4=Good"]


def good_csv(**kw) -> str:
    return marking_csv(uniform(PDU_KQS, answers(4, 1, 1)), **kw)


def test_csv_rates(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(good_csv())
    doc = cli("rate", path, "--format", "json", *JUDGED).json()
    assert doc["cases"] == 6
    assert {s["id"]: s["rating"] for s in doc["standards"]}["2.2"] == "Outstanding"  # 4/5 = 80%
    assert doc["score"] == 6 + 12 and doc["max_score"] == 24  # 2.1 and 2.6 absent


def test_csv_with_bom_and_semicolons(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(b"\xef\xbb\xbf" + good_csv(delimiter=";").encode())
    run = cli("rate", path, "--format", "json")
    assert run.code == 0 and run.json()["cases"] == 6


def test_cp1252_csv_and_title_rows(cli, tmp_path):
    text = "Caf\u00e9 QA audit, March\n\n" + marking_csv({**uniform(PDU_KQS, answers(4, 1, 1)),
                                                         "Team": ["Caf\u00e9"] * 6})
    path = tmp_path / "m.csv"
    path.write_bytes(text.encode("cp1252"))
    m = cli("check", path)
    assert m.code == 0, m.out + m.err


def test_spellings_are_accepted(cli, tmp_path):
    col = [" yes", "Y", "n", "NO ", "na", "Not applicable", "n/a", "YES"]
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(uniform(PDU_KQS, col)))
    doc = cli("rate", path, "--format", "json").json()
    kq = doc["standards"][5]["key_questions"][0]
    assert (kq["yes"], kq["no"], kq["na"]) == (3, 2, 3)


def test_stdin_csv_and_xlsx(cli):
    run = cli("rate", "-", "--format", "json", stdin=good_csv().encode())
    assert run.code == 0 and run.json()["cases"] == 6
    run = cli("rate", "-", "--format", "json", stdin=SAMPLE.read_bytes())
    assert run.code == 0 and run.json()["score"] == 6


def test_long_form(cli, tmp_path):
    rows = ["case_id,question,answer,Sentence type"]
    for i in range(5):
        for q in PDU_KQS:
            rows.append(f"C{i},{q},{'Yes' if i < 4 else 'No'},{'Licence' if i % 2 else 'Community'}")
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n")
    doc = cli("rate", path, "--format", "json").json()
    assert doc["cases"] == 5
    kq = doc["standards"][5]["key_questions"][0]
    assert (kq["yes"], kq["relevant"]) == (4, 5)


def test_long_form_problems(cli, tmp_path):
    rows = ["case_id,question,answer"] + [f"C1,{q},Yes" for q in PDU_KQS] + [f"C2,{q},Yes" for q in PDU_KQS[1:]]
    rows += ["C1,2.2.1,No", "C2,9.9.9,Yes", "C2,2.2.1,Maybe"]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n")
    run = cli("check", path)
    assert run.code == 1
    assert "a second answer to 2.2.1 for case C1 (first at C2)" in run.out
    assert "not a question of framework probation-pdu-2021 (found '9.9.9')" in run.out
    assert "not an answer to 2.2.1 (found 'Maybe')" in run.out


@pytest.mark.parametrize("missing", ["question", "id"])
@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_long_form_rows_without_an_id_or_a_question_are_named(cli, tmp_path, form, missing):
    """An empty id or question cell (a null in a workbook, empty text in a CSV) is named, in either form,
    also when every other cell of its column is filled."""
    from openpyxl import Workbook

    last = ["C1", None, "No"] if missing == "question" else [None, PDU_KQS[0], "No"]
    rows = [["case_id", "question", "answer"], *[["C1", q, "Yes"] for q in PDU_KQS], last]
    path = tmp_path / f"long.{form}"
    if form == "csv":
        path.write_text("\n".join(",".join(v or "" for v in r) for r in rows) + "\n")
    else:
        wb = Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(path)
    found = {(p["kind"], p["cell"]) for p in cli("check", path, "--format", "json").json()["problems"]}
    assert found == ({("unknown-question", f"B{len(PDU_KQS) + 2}")} if missing == "question" else
                     {("missing-id", f"A{len(PDU_KQS) + 2}")})


def test_wrong_answer_names_the_cell(cli, tmp_path):
    cols = uniform(PDU_KQS, answers(4, 1, 1))
    cols["2.2.2"][3] = "Maybe"
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(cols))
    run = cli("rate", path)
    assert run.code == 1
    assert f"{path}: C5: not an answer to 2.2.2 (found 'Maybe')" in run.err  # column C, row 5
    assert "Traceback" not in run.err and run.out == ""


def test_numbers_and_dates_in_answer_cells(cli, tmp_path):
    import datetime as dt

    header = ["Case ID", *PDU_KQS]
    rows = [header] + [[f"C{i}", *(["Yes"] * len(PDU_KQS))] for i in range(3)]
    rows[1][1], rows[2][2], rows[3][3] = 1, dt.date(2024, 1, 1), True
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows})
    run = cli("check", path, "--format", "json")
    assert run.code == 1
    where = {p["where"]: p["value"] for p in run.json()["problems"]}
    assert where == {f"{path}: Cases!B2": "1", f"{path}: Cases!C3": "2024-01-01", f"{path}: Cases!D4": "TRUE"}


def test_duplicate_ids(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(good_csv(ids=["A", "B", "A", "C", "D", "B"]))
    run = cli("check", path)
    assert run.code == 1
    assert f"{path}: A4: case id also used at A2 (found 'A')" in run.out
    assert f"{path}: A7: case id also used at A3 (found 'B')" in run.out


def test_blank_rows_skipped_and_missing_id_flagged(cli, tmp_path):
    text = good_csv() + "\n" + "," * len(PDU_KQS) + "\n" + "," + ",".join(["Yes"] * len(PDU_KQS)) + "\n"
    path = tmp_path / "m.csv"
    path.write_text(text)
    run = cli("check", path)
    assert run.code == 1
    problems = [line for line in run.out.splitlines() if line.startswith(str(path))]
    assert problems == [f"{path}: A10: this row has answers but no case id; accepted: a unique id in every case row "
                        "(delete stray rows)"]


def test_no_id_column(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("Name,2.2.1\nx,Yes\n")
    run = cli("rate", path)
    assert run.code == 3 and "add a 'Case ID' column" in run.err


def test_unknown_question_column(cli, tmp_path):
    cols = {**uniform(PDU_KQS, answers(4, 1)), "3.1.1 Does assessment...": answers(4, 1)}
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(cols))
    run = cli("check", path)
    assert run.code == 1 and "looks like question 3.1.1, which framework probation-pdu-2021 does not have" in run.out


def test_incomplete_standard(cli, tmp_path):
    cols = uniform([q for q in PDU_KQS if q != "2.3.2"], answers(4, 1))
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(cols))
    run = cli("rate", path)
    assert run.code == 1 and "standard 2.3 has columns for 2.3.1, 2.3.3 but none for 2.3.2" in run.err


def test_unmarked_fails_unless_partial(cli, tmp_path):
    path = tmp_path / "m.csv"
    columns = uniform(PDU_KQS, answers(3, 1, 0, blank=2))
    columns["2.2.1"][0] = ""  # one answer left blank in a case that is otherwise marked
    path.write_text(marking_csv(columns))
    run = cli("rate", path)
    assert run.code == 1 and "nothing marked" in run.err and "more problems" in run.err
    lines = [p for p in cli("check", path).out.splitlines() if "not marked" in p or "nothing marked" in p]
    assert len(lines) == 3  # the one blank answer, then one line for each case with nothing marked
    assert lines[0].endswith("case C005: nothing marked; accepted: Yes, No or N/A for each question")
    assert run.err.rstrip().endswith("to rate what is marked (a provisional result), add --partial")
    run = cli("rate", path, "--partial", "--format", "json")
    doc = run.json()
    assert run.code == 0 and doc["provisional"] is True and doc["cases"] == 4  # the 2 unmarked cases left out
    kq = doc["standards"][5]["key_questions"][0]
    assert (kq["yes"], kq["relevant"], kq["unmarked"]) == (2, 3, 1)
    assert doc["warnings"][0].startswith("PROVISIONAL: 2 case(s) with nothing marked and 1 unmarked answer(s)")
    assert cli("check", path, "--partial").code == 0


def test_nothing_marked_anywhere(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(uniform(PDU_KQS, answers(0, 0, 0, blank=3))))
    run = cli("rate", path, "--partial")
    assert run.code == 1 and "no marked cases" in run.err
    header_only = tmp_path / "h.csv"
    header_only.write_text(",".join(["Case ID", *PDU_KQS]) + "\n")
    for args in [(), ("--partial",)]:
        run = cli("rate", header_only, *args)
        assert run.code == 1 and "no cases" in run.err


def test_ratings_sheet_and_rating_options(cli, tmp_path):
    rows = [["Case ID", *PDU_KQS]] + [[f"C{i}", *(["Yes"] * len(PDU_KQS))] for i in range(3)]
    ratings = [["Standard", "Rating"], [1.1, "good"], ["1.2", "Outstanding"], ["1.3", "RI"], ["1.4", "n/a"]]
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows, "Ratings": ratings})
    doc = cli("rate", path, "--format", "json").json()
    assert [s["rating"] for s in doc["standards"][:4]] == ["Good", "Outstanding", "Requires improvement",
                                                           "Not applicable"]
    assert (doc["score"], doc["max_score"]) == (6 + 12, 9 + 12)
    doc = cli("rate", path, "--format", "json", "--rating", "1.1=inadequate").json()
    assert doc["standards"][0]["rating"] == "Inadequate"


def test_bad_ratings_sheet(cli, tmp_path):
    rows = [["Case ID", *PDU_KQS], ["C1", *(["Yes"] * len(PDU_KQS))]]
    ratings = [["Standard", "Rating"], ["1.1", "Great"], ["2.2", "Good"], ["7.7", "Good"]]
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows, "Ratings": ratings})
    out = cli("check", path).out
    assert f"{path}: Ratings!B2: not a rating for 1.1 (found 'Great')" in out
    assert f"{path}: Ratings!A3: standard is rated from the cases" in out
    assert f"{path}: Ratings!A4: standard is not a standard of probation-pdu-2021" in out


def test_header_not_in_first_row_and_cases_sheet_found(cli, tmp_path):
    rows = [["Newham QA audit"], [], ["Case ID", "Team", *PDU_KQS], ["C1", "A", *(["Yes"] * len(PDU_KQS))]]
    path = write_xlsx(tmp_path / "m.xlsx", {"Notes": [["read me"]], "Cases": rows})
    doc = cli("rate", path, "--format", "json").json()
    assert doc["cases"] == 1


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty"),
    (b"PK\x03\x04garbage", "not a readable workbook"),
    (b"\x00\x01\x02junk", "binary data"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "password-protected xlsx or a damaged .xls"),
    (b"just,a,table\n1,2,3\n", "no header row with a case id column"),
])
def test_unreadable_files_exit_3(cli, tmp_path, content, message):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    run = cli("rate", path)
    assert run.code == 3 and message in run.err and "Traceback" not in run.err


def test_truncated_xlsx(cli, tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(SAMPLE.read_bytes()[:3000])
    run = cli("rate", path)
    assert run.code == 3 and "not a readable workbook" in run.err


def test_missing_file_and_folder(cli, tmp_path):
    assert "no such file" in cli("rate", tmp_path / "nope.xlsx").err
    run = cli("rate", tmp_path)
    assert run.code == 3 and "is a folder" in run.err


def test_input_file_is_not_modified(cli):
    before = SAMPLE.read_bytes()
    cli("rate", SAMPLE)
    assert SAMPLE.read_bytes() == before


def test_youth_workbook_scores_out_of_36(cli, tmp_path):
    from conftest import question_headers

    kqs = question_headers("youth-2021")
    rows = [["Case ID", "Disposal", *kqs]]
    for i in range(10):
        court = i < 6  # a court case answers N/A to out-of-court questions, and vice versa
        rows.append([f"Y{i}", "court" if court else "out of court",
                     *[("Yes" if (court == q.startswith("2.")) else "N/A") for q in kqs]])
    ratings = [["Standard", "Rating"]] + [[s, "Good"] for s in ("1.1", "1.2", "1.3", "1.4", "3.4", "4.1")]
    path = write_xlsx(tmp_path / "youth.xlsx", {"Cases": rows, "Ratings": ratings})
    doc = cli("rate", path, "--framework", "youth-2021", "--format", "json").json()
    std = {s["id"]: s for s in doc["standards"]}
    assert std["4.1"]["rating"] == "Good" and std["4.1"]["scored"] is False
    assert std["2.1"]["rating"] == "Outstanding" and std["3.1"]["rating"] == "Outstanding"
    assert (doc["score"], doc["max_score"]) == (5 * 2 + 7 * 3, 36)
    assert doc["overall_rating"] == "Outstanding"  # 31/36


def test_both_factorize_paths_agree(monkeypatch):
    """Small columns are factorised with a dict, large ones by pandas: the marking is the same."""
    from casescore import marking
    from casescore.framework import load

    framework = load("probation-pdu-2021")
    small = marking.read(str(SAMPLE), framework)
    monkeypatch.setattr(marking, "PANDAS_FROM", 0)
    large = marking.read(str(SAMPLE), framework)
    assert small.case_ids == large.case_ids
    assert all((small.answers[q] == large.answers[q]).all() for q in small.answers)
    assert all((small.attributes[a] == large.attributes[a]).all() for a in small.attributes)
    assert small.problems == large.problems


def test_unnamed_and_repeated_attribute_columns(cli, tmp_path):
    text = "Case ID,Team,,Team," + ",".join(PDU_KQS) + "\n" + "\n".join(
        f"C{i},A,x,B," + ",".join(["Yes"] * len(PDU_KQS)) for i in range(3)) + "\n"
    path = tmp_path / "m.csv"
    path.write_text(text)
    doc = cli("rate", path, "--by", "(column C)", "--by", "Team (D)", "--format", "json").json()
    assert set(doc["standards"][5]["key_questions"][0]["by"]) == {"(column C)", "Team (D)"}


def test_header_turned_into_a_date_by_excel(cli, tmp_path):
    import datetime as dt

    rows = [["Case ID", dt.datetime(2001, 2, 2), "2.2.2", "2.2.3"], ["C1", "Yes", "No", "N/A"]]
    path = write_xlsx(tmp_path / "m.xlsx", {"Cases": rows})
    run = cli("check", path)
    assert run.code == 1
    assert f"{path}: Cases!B1: this header is a date" in run.out and "format the header row as Text" in run.out



@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.sampled_from(PDU_KQS[:3]),
                          st.sampled_from(["Yes", "No", "N/A"])), min_size=1, max_size=40))
def test_long_form_takes_the_first_answer_of_each_pair(rows):
    import tempfile
    from pathlib import Path

    from casescore import marking
    from casescore.framework import load

    expected, cases = {}, []
    for case, q, a in rows:
        expected.setdefault((case, q), a)
        if case not in cases:
            cases.append(case)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.csv"
        path.write_text("case_id,question,answer\n" + "".join(f"{c},{q},{a}\n" for c, q, a in rows))
        m = marking.read(str(path), load("probation-pdu-2021"))
    assert m.case_ids == cases
    names = {1: "Yes", 2: "No", 3: "N/A"}
    got = {(c, q): names[int(m.answers[q][k])] for q in m.answers for k, c in enumerate(m.case_ids)
           if m.answers[q][k]}
    assert got == expected
    assert sum(p.kind == "duplicate-answer" for p in m.problems) == len(rows) - len(expected)


def test_long_form_attribute_given_on_a_later_row(cli, tmp_path):
    """An attribute blank on a case's first row but given on a later one is still the case's."""
    rows = ["case_id,question,answer,Team", "C1,2.2.1,Yes,", "C1,2.2.2,No,North", "C1,2.2.3,Yes,",
            "C2,2.2.1,No,South", "C2,2.2.2,No,", "C2,2.2.3,N/A,"]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n")
    doc = cli("rate", path, "--by", "Team", "--format", "json").json()
    by = doc["standards"][5]["key_questions"][0]["by"]["Team"]
    assert {team: g["yes"] for team, g in by.items()} == {"North": 1, "South": 0}


def test_long_form_keeps_every_attribute_column(cli, tmp_path):
    """A repeated header and a column with data but no header are named as in the wide form, not dropped."""
    rows = ["case_id,question,answer,Team,Team,"] + [f"C{i},{q},Yes,A{i},B{i},x{i}" for i in range(3) for q in PDU_KQS]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n")
    doc = cli("rate", path, "--by", "Team", "--by", "Team (E)", "--by", "(column F)", "--format", "json").json()
    by = doc["standards"][5]["key_questions"][0]["by"]
    assert {k: sorted(v) for k, v in by.items()} == {"Team": ["A0", "A1", "A2"], "Team (E)": ["B0", "B1", "B2"],
                                                     "(column F)": ["x0", "x1", "x2"]}


@pytest.mark.parametrize("form", ["wide", "long"])
def test_a_repeated_attribute_header_never_overwrites_another(cli, tmp_path, form):
    """`Region (D)`, `Region`, `Region` (column D): the third is not named `Region (D)` over the first."""
    head = "Case ID,Region (D),Region,Region"
    if form == "wide":
        text = head + "," + ",".join(PDU_KQS) + "\n" + "".join(
            f"C{i},a{i},b{i},c{i}," + ",".join(["Yes"] * len(PDU_KQS)) + "\n" for i in range(2))
    else:
        head = "case_id,question,answer,Region (F),Region,Region"
        text = head + "\n" + "".join(f"C{i},{q},Yes,a{i},b{i},c{i}\n" for i in range(2) for q in PDU_KQS)
    path = tmp_path / "m.csv"
    path.write_text(text)
    from casescore import marking
    from casescore.framework import load

    m = marking.read(str(path), load("probation-pdu-2021"))
    assert sorted(v for a in m.attributes.values() for v in a.tolist()) == ["a0", "a1", "b0", "b1", "c0", "c1"]
    assert len(m.attributes) == 3
