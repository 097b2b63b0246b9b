"""casescore progress: counts checked against the cells as written (the oracle is the file's own text),
the rating now against `rate --partial`, on templates written by `casescore template` and on
markings part filled in."""

from __future__ import annotations

import csv
import io
import random

import pytest
from conftest import ROOT, SAMPLE, marking_csv, question_headers

from casescore.framework import load

FIELDWORK = ROOT / "sample_data" / "fieldwork-progress.xlsx"
QS = question_headers(standards={"2.2", "2.3"}, prompts=True)
KQS = question_headers(standards={"2.2", "2.3"})


def expected_counts(columns: dict[str, list[str]], rows: list[int] | None = None) -> dict:
    """What progress should say, counted straight from the cells written."""
    n = len(next(iter(columns.values())))
    rows = list(range(n)) if rows is None else rows
    filled = [[columns[q][i].strip() != "" for q in columns] for i in rows]
    return {"filled": sum(map(sum, filled)), "total": len(rows) * len(columns),
            "full": sum(all(r) for r in filled), "not_started": sum(not any(r) for r in filled)}


def random_marking(seed: int, cases: int = 24) -> tuple[dict[str, list[str]], list[str]]:
    """Answers with blanks: some cases untouched, some half done, the rest complete; and a Marker per case."""
    rng = random.Random(seed)
    markers = [rng.choice(["Ann", "Bo", "Cy"]) for _ in range(cases)]
    state = [rng.choice(["none", "half", "full"]) for _ in range(cases)]
    columns = {}
    for j, q in enumerate(QS):
        columns[q] = [("" if s == "none" or (s == "half" and j >= len(QS) // 2) else rng.choice(["Yes", "No", "N/A"]))
                      for s in state]
    return columns, markers


def write_marking(tmp_path, columns, markers=None, name="m.csv"):
    text = marking_csv(columns if markers is None else {"Marker": markers, **columns})
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_fresh_template_is_not_started(cli, tmp_path):
    out = tmp_path / "t.xlsx"
    assert cli("template", "-o", out, "--cases", "12").code == 0
    run = cli("progress", out, "--format", "json")
    assert run.code == 0, run.err
    data = run.json()
    questions = len(load().question_ids())
    assert data["cases"] == {"total": 12, "full": 0, "partly": 0, "not_started": 12}
    assert data["answers"]["filled"] == 0 and data["answers"]["total"] == 12 * questions
    case_standards = [s["id"] for s in data["standards"] if s["method"] == "case"]
    assert set(case_standards) <= set(data["not_ready"])
    assert data["rating"] == {"provisional": None, "note": "no rating: nothing is marked yet"}


def test_template_part_filled_in_a_workbook(cli, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "t.xlsx"
    assert cli("template", "-o", out, "--cases", "5", "--no-prompts").code == 0
    wb = load_workbook(out)
    ws = wb["Cases"]
    header = [c.value for c in ws[1]]
    kq_cols = [j for j, h in enumerate(header, start=1) if h and str(h).startswith("2.2.")]
    for row in (2, 3):  # two cases: 2.2 complete
        for j in kq_cols:
            ws.cell(row, j, "Yes")
    ws.cell(4, kq_cols[0], "No")  # a third case started
    wb.save(out)
    data = cli("progress", out, "--format", "json").json()
    assert data["cases"]["partly"] == 3 and data["cases"]["not_started"] == 2
    s22 = next(s for s in data["standards"] if s["id"] == "2.2")
    assert s22["answers"]["filled"] == 7 and s22["answers"]["total"] == 15
    assert s22["cases"] == {"total": 5, "full": 2, "partly": 1, "not_started": 2}
    assert s22["status"] == "not yet" and s22["note"] == "8 key question answer(s) not marked"
    assert data["rating"]["provisional"] is True


@pytest.mark.parametrize("seed", range(8))
def test_counts_match_the_cells_written(cli, tmp_path, seed):
    columns, markers = random_marking(seed)
    data = cli("progress", write_marking(tmp_path, columns, markers), "--by", "Marker", "--format", "json").json()
    want = expected_counts(columns)
    assert data["answers"]["filled"] == want["filled"] and data["answers"]["total"] == want["total"]
    assert data["cases"]["full"] == want["full"] and data["cases"]["not_started"] == want["not_started"]
    for std in ("2.2", "2.3"):
        cols = {q: v for q, v in columns.items() if q.startswith(std + ".")}
        got = next(s for s in data["standards"] if s["id"] == std)
        assert got["answers"]["filled"] == expected_counts(cols)["filled"]
        for kq in got["key_questions"]:
            assert kq["answers"]["filled"] == sum(v != "" for v in columns[kq["id"]])
    for group in data["by"]["Marker"]:
        rows = [i for i, m in enumerate(markers) if m == group["value"]]
        want = expected_counts(columns, rows)
        assert group["answers"]["filled"] == want["filled"] and group["cases"]["full"] == want["full"]
        assert group["cases"]["total"] == len(rows)
        s22 = {q: v for q, v in columns.items() if q.startswith("2.2.")}
        assert group["standards"]["2.2"]["filled"] == expected_counts(s22, rows)["filled"]


@pytest.mark.parametrize("seed", range(4))
def test_rating_now_is_rate_partial(cli, tmp_path, seed):
    columns, _ = random_marking(seed + 100)
    path = write_marking(tmp_path, columns)
    progress = cli("progress", path, "--format", "json").json()["rating"]
    rated = cli("rate", path, "--partial", "--format", "json").json()
    assert progress["provisional"] is True and rated["provisional"] is True
    assert [(s["id"], s["rating"]) for s in progress["standards"]] == [(s["id"], s["rating"])
                                                                       for s in rated["standards"]]
    assert (progress["score"], progress["overall_rating"]) == (rated["score"], rated["overall_rating"])


def test_cases_not_started_make_the_rating_provisional(cli, tmp_path):
    columns = {q: ["Yes", "No", "Yes", "", ""] for q in KQS}  # three cases done, two not started
    path = write_marking(tmp_path, columns)
    data = cli("progress", path, "--format", "json").json()
    rated = cli("rate", path, "--partial", "--format", "json").json()
    assert data["rating"]["provisional"] is True and rated["provisional"] is True
    assert data["rating"]["cases"] == rated["cases"] == 3
    assert data["rating"]["note"].endswith("rated on the 3 case(s) marked so far, leaving out 2 case(s) not started")


def test_complete_marking_is_rated_as_rate_rates_it(cli):
    data = cli("progress", SAMPLE, "--format", "json").json()
    rated = cli("rate", SAMPLE, "--format", "json").json()
    assert data["cases"]["full"] == 33 and data["not_ready"] == []
    assert data["rating"]["provisional"] is False and data["rating"]["overall_rating"] == rated["overall_rating"]
    assert data["rating"]["note"].startswith("every answer is marked")


def test_invalid_answers_are_counted_apart_and_stop_the_rating(cli, tmp_path):
    columns = {q: ["Yes", "No", ""] for q in KQS}
    columns["2.2.1"] = ["Maybe", "No", ""]
    run = cli("progress", write_marking(tmp_path, columns), "--format", "json")
    assert run.code == 0
    data = run.json()
    assert data["answers"]["invalid"] == 1 and data["answers"]["filled"] == 11
    assert data["rating"]["provisional"] is None and "1 problem(s) besides unmarked answers" in data["rating"]["note"]
    assert "1 answer cell(s) hold something other than Yes, No or N/A" in run.err
    s22 = next(s for s in data["standards"] if s["id"] == "2.2")
    assert s22["note"] == "3 key question answer(s) not marked; 1 not Yes, No or N/A"


def test_judgement_standards_wait_for_a_rating(cli, tmp_path):
    columns = {q: ["Yes", "No"] for q in KQS}
    path = write_marking(tmp_path, columns)
    data = cli("progress", path, "--format", "json").json()
    assert {"1.1", "1.2", "1.3", "1.4"} <= set(data["not_ready"])
    given = cli("progress", path, "--format", "json", "--rating", "1.1=good").json()
    s11 = next(s for s in given["standards"] if s["id"] == "1.1")
    assert s11["status"] == "ready" and "1.1" not in given["not_ready"]


def test_unknown_by_column_is_a_usage_error(cli, tmp_path):
    run = cli("progress", write_marking(tmp_path, {q: ["Yes"] for q in KQS}), "--by", "Marker")
    assert run.code == 2 and "--by 'Marker'" in run.err


def test_cli_json_is_the_library_result(cli):
    from casescore import api
    from casescore.render import progress as render

    data = cli("progress", FIELDWORK, "--by", "Marker", "--format", "json").json()
    assert data == render.progress_dict(api.progress_file(str(FIELDWORK), by=["Marker"]))


def test_fieldwork_sample(cli):
    data = cli("progress", FIELDWORK, "--by", "marker", "--format", "json").json()
    groups = {g["value"]: g["cases"] for g in data["by"]["Marker"]}
    assert groups == {"Inspector A": {"total": 10, "full": 10, "partly": 0, "not_started": 0},
                      "Inspector B": {"total": 10, "full": 6, "partly": 2, "not_started": 2},
                      "Inspector C": {"total": 10, "full": 3, "partly": 3, "not_started": 4}}
    assert {"1.3", "1.4"} <= set(data["not_ready"]) and "1.1" not in data["not_ready"]


def test_csv_markdown_and_table(cli):
    rows = list(csv.DictReader(io.StringIO(cli("progress", FIELDWORK, "--by", "Marker", "--format", "csv").out)))
    marking = next(r for r in rows if r["level"] == "marking" and not r["attribute"])
    assert (marking["filled"], marking["full"], marking["partly"], marking["not_started"]) == ("1662", "19", "5", "6")
    assert {r["value"] for r in rows if r["attribute"] == "Marker"} == {"Inspector A", "Inspector B", "Inspector C"}
    md = cli("progress", FIELDWORK, "--by", "Marker", "--format", "markdown").out
    assert md.startswith("# Marking progress") and "## By Marker" in md and "**Cannot be rated yet:**" in md
    table = cli("progress", FIELDWORK, "--by", "Marker").out
    assert "Cases: 19 fully marked, 5 partly marked, 6 not started" in table and "PROVISIONAL" in table
    rows = [line for line in table.splitlines() if line.startswith("Inspector ")]
    assert rows and not any("━" in line for line in rows)  # no bars off a terminal


def test_bars_on_a_terminal():
    from rich.console import Console

    from casescore import api
    from casescore.render import progress as render

    console = Console(file=io.StringIO(), force_terminal=True, width=200, color_system=None)
    console.print(render.render_table(api.progress_file(str(FIELDWORK), by=["Marker"]), bars=True))
    lines = console.file.getvalue().splitlines()
    inspector_a = next(line for line in lines if line.startswith("Inspector A") and "780/780" in line)
    inspector_c = next(line for line in lines if line.startswith("Inspector C") and "342/780" in line)
    assert inspector_a.count("━") > inspector_c.count("━") > 0  # a fuller bar for more marked
