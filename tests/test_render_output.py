"""What the renderers print, checked against `rate --format json` on the same input (the oracle):
tables at any width, percentages beside their bands, Markdown escaping, the CSV headline rows,
the exported workbook's intervals, and compare's Markdown, warnings and names."""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction
from math import floor

import openpyxl
import pytest
from conftest import SAMPLE, marking_csv, question_headers, write_xlsx
from markdown_it import MarkdownIt
from rich.cells import cell_len

REAUDIT = SAMPLE.parent / "newham-2023-reaudit.xlsx"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MARKS = set(">\u2020")  # row markers: deciding key question, percentage shown with decimals
WIDTHS = [60, 80, 120, 200]
SHAPES = {
    "plain": (),
    "one --by": ("--by", "Sentence type"),
    "two --by": ("--by", "Sentence type", "--by", "Age group"),
    "--prompts": ("--prompts",),
    "--prompts, two --by": ("--prompts", "--by", "Sentence type", "--by", "Risk of serious harm"),
}


# --- the oracle and what figures it implies -----------------------------------------------------


@pytest.fixture(scope="module")
def bands():
    """(minimum, name) of the framework's bands, best first, from `frameworks show` (exact comparison)."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "casescore", "frameworks", "show", "probation-pdu-2021",
                           "--format", "json"], capture_output=True, text=True, check=True)
    doc = json.loads(proc.stdout)
    assert doc["rounding"]["before_banding"] == "exact"
    minimums = doc["bands"]["minimum_percent"]
    return sorted(((Fraction(str(m)), name) for name, m in minimums.items()), reverse=True)


def band_at(bands, value: Fraction) -> str:
    return next(name for minimum, name in bands if value >= minimum)


def rounded(value: Fraction, places: int) -> Fraction:
    scale = 10 ** places
    return Fraction(floor(value * scale + Fraction(1, 2)), scale)


def percent_text(bands, yes: int, relevant: int, min_n: int) -> str:
    """The percentage as the issue asks for it: a whole number (halves up) unless that would be in
    another band than the exact fraction; then the fewest decimals that are not."""
    exact = Fraction(100 * yes, relevant)
    places = 0
    while band_at(bands, rounded(exact, places)) != band_at(bands, exact):
        places += 1
    text = f"{floor(exact + Fraction(1, 2))}" if places == 0 else f"{float(rounded(exact, places)):.{places}f}"
    return text + "%" + ("*" if relevant < min_n else "")


def group_text(bands, t: dict, min_n: int) -> str:
    if not t["relevant"]:
        return "-"
    return f"{t['yes']}/{t['relevant']} {percent_text(bands, t['yes'], t['relevant'], min_n)}"


def figures(bands, q: dict, min_n: int, prompt: bool) -> list[str]:
    """Yes, relevant, %, interval (and band for a key question) as the table's row should show them."""
    pct = "-" if not q["relevant"] else percent_text(bands, q["yes"], q["relevant"], min_n)
    ci = "" if q["ci_low"] is None else f"{q['ci_low']:.0f}-{q['ci_high']:.0f}"
    out = [str(q["yes"]), str(q["relevant"]), pct, ci]
    return [f for f in (out if prompt else out + [q["band"] or ""]) if f]


def questions(doc: dict, prompts: bool):
    for s in doc["standards"]:
        for kq in s["key_questions"]:
            yield kq, False
            for p in kq["prompts"] if prompts else ():
                yield p, True


# --- reading the printed table ------------------------------------------------------------------


def words(line: str) -> str:
    """A line as single-spaced words between spaces, table rules removed: ' 12 33 36% '."""
    return " " + " ".join(re.sub("[│┃║|]", " ", line).split()) + " "


def first_word(line: str) -> str:
    tokens = [t for t in words(line).split() if not set(t) <= MARKS]
    return tokens[0] if tokens else ""


def rows_of(lines: list[str], qid: str) -> list[str]:
    """The printed lines that start with a question's id: its row(s), wherever the layout put them."""
    return [words(line) for line in lines if first_word(line) == qid]


def run(items) -> str:
    return " " + " ".join(str(i) for i in items) + " "


def in_order(lines: list[str], items: list[str]) -> bool:
    """Each item whole, in this order, across the lines (groups may sit on one row or one per row)."""
    text, at = "".join(lines), 0
    for item in items:
        found = text.find(run([item]), at)
        if found < 0:
            return False
        at = found + len(run([item])) - 1
    return True


def table_at(cli, monkeypatch, width: int | None, *args) -> list[str]:
    if width is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(width))
    result = cli(*args)
    assert result.code == 0, result.err
    return ANSI.sub("", result.out).splitlines()


# --- 1. terminal output never hides data ------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_figure_shown_in_full_at_any_width(cli, monkeypatch, bands, width, shape):
    args = SHAPES[shape]
    doc = cli("rate", SAMPLE, *args, "--format", "json").json()
    lines = table_at(cli, monkeypatch, width, "rate", SAMPLE, *args)
    assert max(cell_len(line) for line in lines) <= width  # nothing ran past the edge to be cut off
    text = "".join(words(line) for line in lines)
    for q, prompt in questions(doc, "--prompts" in args):
        rows = rows_of(lines, q["id"])
        assert any(run(figures(bands, q, doc["min_n"], prompt)) in row for row in rows), (q["id"], rows)
        for attr, groups in q.get("by", {}).items():
            assert in_order(rows, [group_text(bands, t, doc["min_n"]) for t in groups.values()]), (q["id"], attr)
            assert all(run([value]) in text for value in groups)  # every group is named, in full


@pytest.mark.parametrize("width", [60, 80])
def test_many_groups_are_stacked_not_cut(cli, monkeypatch, bands, tmp_path, width):
    """Eight teams cannot sit side by side at this width: one group a row, every figure whole."""
    kqs = question_headers(standards={"2.2"})
    teams = [f"Team {name}" for name in ("North", "South", "East", "West", "Central", "Docks", "Riverside", "Ops")]
    cases = 3 * len(teams)
    columns = {kq: ["Yes" if (i + k) % 3 else "No" for i in range(cases)] for k, kq in enumerate(kqs)}
    path = tmp_path / "teams.csv"
    path.write_text(marking_csv({**columns, "Team": [teams[i % len(teams)] for i in range(cases)]}))
    doc = cli("rate", path, "--by", "Team", "--format", "json").json()
    lines = table_at(cli, monkeypatch, width, "rate", path, "--by", "Team")
    assert max(cell_len(line) for line in lines) <= width
    assert any("Yes/relevant %" in line for line in lines)  # the stacked shape, not a squeezed one
    for kq in doc["standards"][5]["key_questions"]:
        rows = rows_of(lines, kq["id"])
        assert any(run(figures(bands, kq, doc["min_n"], False)) in row for row in rows)
        labels = [run([team, group_text(bands, t, doc["min_n"])]) for team, t in kq["by"]["Team"].items()]
        assert all(sum(label in row for row in rows) == 1 for label in labels), kq["id"]


@pytest.mark.parametrize("width", WIDTHS)
def test_ratings_summary_in_full_at_any_width(cli, monkeypatch, width):
    doc = cli("rate", SAMPLE, "--format", "json").json()
    lines = table_at(cli, monkeypatch, width, "rate", SAMPLE)
    for s in doc["standards"]:
        row = next(words(line) for line in lines if first_word(line) == s["id"])
        assert run([s["rating"] or "-"]) in row
    overall = next(words(line) for line in lines if first_word(line) == "Overall")
    assert run([doc["overall_rating"], "score", f"{doc['score']}/{doc['max_score']}"]) in overall


def test_not_a_terminal_prints_at_natural_width(cli, monkeypatch, bands):
    """Redirected with no COLUMNS: each row on one line, not wrapped at an assumed 80 columns."""
    doc = cli("rate", SAMPLE, "--prompts", "--format", "json").json()
    lines = table_at(cli, monkeypatch, None, "rate", SAMPLE, "--prompts")
    for q, prompt in questions(doc, prompts=True):
        row = rows_of(lines, q["id"])
        assert len(row) == 1 and run([q["id"], *q["text"].split()]) in row[0]
        assert run(figures(bands, q, doc["min_n"], prompt)) in row[0]
    assert max(cell_len(line) for line in lines) > 80


# --- 2. a percentage never contradicts its band -----------------------------------------------

# (yes, no) just below and just above the band edges 50, 65 and 80, on them, and far from them.
EDGES = [(99, 100), (10, 10), (101, 99), (20, 11), (1299, 701), (13, 7), (131, 69), (159, 41), (16, 4),
         (161, 39), (12, 21), (79, 21)]
EDGE_STANDARDS = {"2.2", "2.3", "2.4", "2.5"}  # three key questions each: one per (yes, no) above


@pytest.fixture
def edge_marking(tmp_path):
    kqs = question_headers(standards=EDGE_STANDARDS)
    assert len(kqs) == len(EDGES)
    cases = max(y + n for y, n in EDGES)
    columns = {kq: ["Yes"] * y + ["No"] * n + ["N/A"] * (cases - y - n) for kq, (y, n) in zip(kqs, EDGES, strict=True)}
    path = tmp_path / "edges.csv"
    path.write_text(marking_csv(columns))
    return path


def check_percent(bands, label: str, kq: dict) -> int:
    """The shown percentage is in the key question's band, correctly rounded, with no more decimals
    than that takes (none unless the whole number would cross an edge); returns the decimals."""
    number = label.rstrip("*%")
    places = len(number.partition(".")[2])
    exact = Fraction(100 * kq["yes"], kq["relevant"])
    assert Fraction(number) == rounded(exact, places), label
    assert band_at(bands, Fraction(number)) == kq["band"], label
    if places:
        assert band_at(bands, rounded(exact, places - 1)) != kq["band"], label  # fewer would contradict
    return places


def edge_questions(doc: dict) -> list[dict]:
    return [kq for s in doc["standards"] if s["id"] in EDGE_STANDARDS for kq in s["key_questions"]]


def test_table_percentages_agree_with_bands(cli, monkeypatch, bands, edge_marking):
    doc = cli("rate", edge_marking, "--format", "json").json()
    lines = table_at(cli, monkeypatch, 120, "rate", edge_marking)
    decimals = {}
    for kq in edge_questions(doc):
        row = next(line for line in lines if first_word(line) == kq["id"])
        cells = [c.strip() for c in row.split("│")]  # marker, question, yes, relevant, %, interval, band
        assert cells[2:4] == [str(kq["yes"]), str(kq["relevant"])]
        decimals[kq["id"]] = check_percent(bands, cells[4], kq)
        assert ("\u2020" in cells[0]) == (decimals[kq["id"]] > 0)  # the row is marked
    by_fraction = {(kq["yes"], kq["relevant"]): decimals[kq["id"]] for kq in edge_questions(doc)}
    assert by_fraction[(20, 31)] == 1 and by_fraction[(1299, 2000)] == 2  # 64.5%, and 64.95% (65.0% would not do)
    assert sum(d > 0 for d in decimals.values()) == 4  # 49.7, 64.5, 64.95, 79.5; the rest whole
    assert any(line.startswith("\u2020 ") for line in lines)  # the key line under the table


def md_tables(text: str) -> list[list[list[str]]]:
    """Every table of a Markdown document as rows of rendered cell text (header row first), as a
    CommonMark parser with GFM tables reads it."""
    tables, in_table = [], False
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type in ("table_open", "table_close"):
            in_table = token.type == "table_open"
            tables += [[]] if in_table else []
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type == "inline" and in_table:
            cell = "".join(c.content for c in token.children if c.type in ("text", "code_inline"))
            tables[-1][-1].append(cell.replace("\xa0", " ").strip())
    return tables


def test_markdown_percentages_agree_with_bands(cli, bands, edge_marking):
    doc = cli("rate", edge_marking, "--format", "json").json()
    out = cli("rate", edge_marking, "--format", "markdown").out
    rows = {r[0].lstrip("\u2020 ").split()[0]: r for t in md_tables(out)[1:] for r in t[1:]}
    header = md_tables(out)[1][0]
    for kq in edge_questions(doc):
        places = check_percent(bands, rows[kq["id"]][header.index("%")], kq)
        assert rows[kq["id"]][0].startswith("\u2020") == (places > 0)
    assert "\u2020 percentage shown with a decimal" in out.replace("\\", "")


def test_workbook_percent_format_agrees_with_bands(cli, bands, edge_marking, tmp_path):
    doc = cli("rate", edge_marking, "--format", "json").json()
    out = tmp_path / "edges.xlsx"
    assert cli("export", edge_marking, "--workbook", out, "--no-cases").code == 0
    ws = openpyxl.load_workbook(out)["Key questions"]
    col = {c.value: c.column for c in ws[1]}
    cells = {ws.cell(r, col["Key question"]).value: ws.cell(r, col["Percent"]) for r in range(2, ws.max_row + 1)}
    for kq in edge_questions(doc):
        cell = cells[kq["id"]]
        places = len(cell.number_format.partition(".")[2].rstrip("%"))
        shown = rounded(Fraction(100 * kq["yes"], kq["relevant"]), places)  # as Excel displays it
        assert check_percent(bands, f"{float(shown):.{places}f}%", kq) == places, cell.number_format


# --- 3. Markdown escapes text from the marking ------------------------------------------------

AWKWARD = ["A|B", "*star*", "<b>bold</b>", "back\\slash|", "[link](x)", "two\nlines"]


def test_markdown_escapes_marking_text(cli, bands, tmp_path):
    kqs = question_headers(standards={"2.2"})
    rows = [[f"C{i}", AWKWARD[i % len(AWKWARD)], *(["Yes" if i % 3 else "No"] * len(kqs))]
            for i in range(3 * len(AWKWARD))]
    cases = [["Case ID", "Team", *kqs], *rows]
    path = write_xlsx(tmp_path / "awkward.xlsx", {"Cases": cases, "Inspection": [["Inspection", "North | <East>"]]})
    doc = cli("rate", path, "--by", "Team", "--format", "json").json()
    out = cli("rate", path, "--by", "Team", "--format", "markdown").out
    heading = next(t for t in MarkdownIt("commonmark").parse(out) if t.type == "inline").content
    assert heading.replace("\\", "").startswith("North | <East>")
    header, *rows = md_tables(out)[1]
    groups = doc["standards"][5]["key_questions"][0]["by"]["Team"]
    assert header[-len(groups):] == [" ".join(f"Team: {v}".splitlines()) for v in groups]
    for kq, row in zip(doc["standards"][5]["key_questions"], rows, strict=True):
        assert len(row) == len(header) and row[0].startswith(kq["id"])
        assert row[-len(groups):] == [group_text(bands, t, doc["min_n"]) for t in kq["by"]["Team"].values()]


# --- 4. CSV carries the headline --------------------------------------------------------------

OLD_CSV = ["standard", "standard_name", "question", "kind", "text", "attribute", "value", "yes", "no", "na",
           "relevant", "percent", "ci_low", "ci_high", "band", "standard_rating"]


def test_csv_has_standard_and_summary_rows(cli):
    doc = cli("rate", SAMPLE, "--by", "Sentence type", "--format", "json").json()
    text = cli("rate", SAMPLE, "--by", "Sentence type", "--format", "csv").out
    header = next(csv.reader(io.StringIO(text)))
    assert header[0] == "level" and [c for c in header if c in OLD_CSV] == OLD_CSV
    rows = list(csv.DictReader(io.StringIO(text)))
    standards = {r["standard"]: r for r in rows if r["level"] == "standard"}
    assert list(standards) == [s["id"] for s in doc["standards"]]
    for s in doc["standards"]:
        row = standards[s["id"]]
        points = "" if s["points"] is None else str(s["points"])
        assert (row["standard_rating"], row["points"]) == (s["rating"] or "", points)
        assert row["deciding"].split(";") == (s["deciding"] or [""])
    [summary] = [r for r in rows if r["level"] == "summary"]
    assert (summary["score"], summary["max_score"]) == (str(doc["score"]), str(doc["max_score"]))
    assert summary["overall_rating"] == doc["overall_rating"]
    assert summary["provisional"].lower() == str(doc["provisional"]).lower()
    kq_rows = [r for r in rows if r["level"] == "question" and not r["attribute"]]
    assert len(kq_rows) == sum(1 for _ in questions(doc, prompts=True))


# --- 5. the workbook carries intervals and uncertain ratings ------------------------------------


@pytest.fixture(scope="module")
def sample_export(tmp_path_factory):
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("export") / "newham.xlsx"
    subprocess.run([sys.executable, "-m", "casescore", "export", str(SAMPLE), "--workbook", str(out), "--no-cases"],
                   capture_output=True, check=True)
    return openpyxl.load_workbook(out)


def sheet_rows(ws, header_row: int = 1) -> list[dict]:
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


def test_workbook_intervals_and_uncertainty(cli, sample_export):
    doc = cli("rate", SAMPLE, "--format", "json").json()
    kq_rows = {r["Key question"]: r for r in sheet_rows(sample_export["Key questions"])}
    prompt_rows = {r["Question"]: r for r in sheet_rows(sample_export["Prompts"])}
    for s in doc["standards"]:
        for kq in s["key_questions"]:
            row = kq_rows[kq["id"]]
            for q, r in [(kq, row), *((p, prompt_rows[p["id"]]) for p in kq["prompts"])]:
                if q["ci_low"] is None:
                    assert (r["CI low"], r["CI high"]) == (None, None)
                else:
                    assert (r["CI low"] * 100, r["CI high"] * 100) == pytest.approx((q["ci_low"], q["ci_high"]))
            if s["deciding"]:
                assert row["Rating uncertain"] == ("yes" if s["uncertain"] else "no")
                assert row["Plausible bands"] == ", ".join(s["plausible_bands"])
    assert any(s["uncertain"] for s in doc["standards"])  # the sample has uncertain ratings to show


def test_workbook_summary_flags_uncertain_ratings(cli, sample_export):
    doc = cli("rate", SAMPLE, "--format", "json").json()
    rows = {r["Standard"]: r for r in sheet_rows(sample_export["Summary"], header_row=6)}
    for s in doc["standards"]:
        row = rows[f"{s['id']} {s['name']}"]
        flag = "yes" if s["uncertain"] else "no"
        expected = (flag, ", ".join(s["plausible_bands"])) if s["deciding"] else (None, None)
        assert (row["Rating uncertain"], row["Plausible bands"]) == expected


# --- 6. compare: Markdown, warnings, names ----------------------------------------------------


def test_compare_markdown(cli, bands):
    args = ("compare", SAMPLE, REAUDIT, "--by", "Sentence type", "--min-n", "10")
    doc = cli(*args, "--format", "json").json()
    result = cli(*args, "--format", "markdown")
    assert result.code == 0
    ratings, changes = md_tables(result.out)
    before_min = after_min = 10
    scores = tuple(f"{doc[side]['score']}/{doc[side]['max_score']}" for side in ("before", "after"))
    assert {r[0]: (r[1], r[2]) for r in ratings[1:]}["Score"] == scores
    rows = iter(changes[1:])
    for q in (q for q in doc["questions"] if q["kind"] == "key question"):
        for c in [q, *q.get("by", {}).get("Sentence type", {}).values()]:
            row = next(rows)
            assert row[1:4] == [group_text(bands, c["before"], before_min), group_text(bands, c["after"], after_min),
                                "-" if c["change"] is None else f"{c['change']:+.0f} pp"]
            assert (row[5] == "!") == c["significant"]
    assert next(rows, None) is None


def test_compare_json_names_each_side(cli):
    doc = cli("compare", SAMPLE, REAUDIT, "--format", "json").json()
    for side, path in (("before", SAMPLE), ("after", REAUDIT)):
        rated = cli("rate", path, "--format", "json").json()
        assert doc[side]["source"] == rated["source"] == str(path)
        table = " ".join(ANSI.sub("", cli("rate", path).out).split())
        assert doc[side]["title"] and " ".join(doc[side]["title"].split()) in table  # the title rate prints
    assert doc["before"]["title"] != doc["after"]["title"]


def test_compare_warns_when_maximum_scores_differ(cli, tmp_path):
    kqs = question_headers(standards={"2.1", "2.2"})
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    before.write_text(marking_csv({kq: ["N/A", "N/A"] if kq.startswith("2.1.") else ["Yes", "No"] for kq in kqs}))
    after.write_text(marking_csv({kq: ["Yes", "No"] for kq in kqs}))
    maxima = [cli("rate", p, "--format", "json").json()["max_score"] for p in (before, after)]
    assert maxima[0] != maxima[1]
    result = cli("compare", before, after, "--format", "json")
    assert result.code == 0
    warned = [w for w in result.json()["warnings"] if "maximum scores differ" in w]
    assert len(warned) == 1 and f"before {maxima[0]}, after {maxima[1]}" in warned[0] and "2.1" in warned[0]
    assert warned[0] in " ".join(ANSI.sub("", result.err).split())
    same = cli("compare", after, after, "--format", "json").json()
    assert not [w for w in same["warnings"] if "maximum scores differ" in w]


def test_compare_warns_when_frameworks_differ(tmp_path):
    """The CLI reads both files with one framework; the library may be given two ratings that are not."""
    from casescore import api
    from casescore.compare import compare
    from casescore.framework import load
    from casescore.render.compare import comparison_warnings

    youth_file = tmp_path / "youth.csv"
    youth_file.write_text(marking_csv({kq: ["Yes", "No"] for kq in question_headers("youth-2021")}))
    pdu = api.rate_file(str(SAMPLE), load("probation-pdu-2021")).result
    youth = api.rate_file(str(youth_file), load("youth-2021")).result
    assert not [w for w in comparison_warnings(compare(pdu, pdu)) if "frameworks" in w]
    warned = [w for w in comparison_warnings(compare(pdu, youth)) if "different frameworks" in w]
    assert len(warned) == 1 and "probation-pdu-2021" in warned[0] and "youth-2021" in warned[0]
