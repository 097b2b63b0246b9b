"""Pooled markings: several files rated as one, each part still visible, nothing merged quietly."""

from __future__ import annotations

import shutil

from conftest import SAMPLE, answers, marking_csv, question_headers, uniform, write_xlsx

REAUDIT = SAMPLE.parent / "newham-2023-reaudit.xlsx"


def kq_counts(doc) -> dict[str, tuple[int, int, int]]:
    return {kq["id"]: (kq["yes"], kq["no"], kq["na"]) for s in doc["standards"] for kq in s["key_questions"]}


def test_pooled_figures_are_the_sum_of_the_parts(cli):
    parts = [cli("rate", path, "--format", "json").json() for path in (SAMPLE, REAUDIT)]
    run = cli("rate", SAMPLE, REAUDIT, "--ids-per-file", "--format", "json", "--by", "Source")
    assert run.code == 0, run.err
    pooled = run.json()
    assert pooled["cases"] == parts[0]["cases"] + parts[1]["cases"]
    a, b = (kq_counts(p) for p in parts)
    assert kq_counts(pooled) == {q: tuple(x + y for x, y in zip(a[q], b[q], strict=True)) for q in a}
    by = pooled["standards"][5]["key_questions"][0]["by"]["Source"]  # each part beside the pooled figure
    assert sorted(g["yes"] for g in by.values()) == sorted(p["standards"][5]["key_questions"][0]["yes"]
                                                          for p in parts)


def test_the_same_case_id_in_two_files_is_named(cli, tmp_path):
    copy = tmp_path / "copy.xlsx"
    shutil.copy(SAMPLE, copy)
    run = cli("rate", SAMPLE, copy)
    assert run.code == 1 and "case id" in run.err and f"is also in {SAMPLE}" in run.err
    assert cli("rate", SAMPLE, copy, "--ids-per-file", "--format", "json").json()["cases"] == 66


def test_files_with_different_questions_are_named(cli, tmp_path):
    kqs = question_headers(standards={"2.2", "2.3"})
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(marking_csv(uniform(kqs, answers(2, 1))))
    b.write_text(marking_csv(uniform(kqs[:3], answers(2, 1)), ids=["X1", "X2", "X3"]))
    run = cli("check", a, b, "--format", "json")
    problem = next(p for p in run.json()["problems"] if p["kind"] == "pool-questions")
    assert problem["file"] == str(b) and "has no column for 2.3.1, 2.3.2, 2.3.3" in problem["message"]


def test_a_folder_pools_its_markings_in_a_stable_order(cli, tmp_path):
    kqs = question_headers(standards={"2.2"})
    (tmp_path / "b.csv").write_text(marking_csv(uniform(kqs, answers(1, 1)), ids=["B1", "B2"]))
    (tmp_path / "a.csv").write_text(marking_csv(uniform(kqs, answers(2, 1)), ids=["A1", "A2", "A3"]))
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")  # Excel's lock file: skipped
    (tmp_path / ".hidden.csv").write_text("junk")
    (tmp_path / "notes.txt").write_text("not a marking")
    doc = cli("rate", tmp_path, "--format", "json", "--by", "Source").json()
    assert doc["cases"] == 5
    assert list(doc["standards"][5]["key_questions"][0]["by"]["Source"]) == ["a.csv", "b.csv"]


def test_pooled_ratings_sheets_are_not_used(cli, tmp_path):
    kqs = question_headers(standards={"2.2"})
    rows = [["Case ID", *kqs], ["C1", *["Yes"] * 3]]
    ratings = [["Standard", "Rating"], ["1.1", "Good"]]
    one = write_xlsx(tmp_path / "one.xlsx", {"Cases": rows, "Ratings": ratings})
    two = write_xlsx(tmp_path / "two.xlsx", {"Cases": [rows[0], ["C2", *["No"] * 3]]})
    single = cli("rate", one, "--format", "json").json()
    assert single["standards"][0]["rating"] == "Good"
    run = cli("rate", one, two, "--format", "json")
    assert run.json()["standards"][0]["rating"] is None  # never silently one file's judgement
    assert "their Ratings sheets are not used" in run.err
    rated = cli("rate", one, two, "--rating", "1.1=good", "--format", "json").json()
    assert rated["standards"][0]["rating"] == "Good"


def test_the_same_file_twice_is_refused_not_counted_twice(cli, tmp_path):
    run = cli("rate", SAMPLE, SAMPLE)
    assert run.code == 2 and "given more than once" in run.err
    folder = tmp_path / "d"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "n.xlsx")
    run = cli("rate", folder, folder / "n.xlsx")  # once through the folder, once by name
    assert run.code == 2 and "given more than once" in run.err
