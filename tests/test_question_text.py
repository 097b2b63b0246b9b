"""A header's question text is checked against the framework's text for its id: the same ids mean
different questions in different frameworks, so text that is another question's is an error naming
the column and where the text belongs. Text that is no question casescore knows is left alone."""

from __future__ import annotations

import pytest
from conftest import ROOT, SAMPLE, answers, marking_csv, question_headers

from casescore import headers, question_text
from casescore.framework import load

PDU21, PDU23 = load("probation-pdu-2021"), load("probation-pdu-2023")
SAMPLE_2023 = ROOT / "sample_data" / "probation-pdu-2023.xlsx"


@pytest.mark.parametrize("header,text", [
    ("2.2.1 Does assessment focus?", "Does assessment focus?"),
    ("2.2.1: Does assessment focus?", "Does assessment focus?"),
    ("2.2.1 - Does assessment focus?", "Does assessment focus?"),
    ("Q2.2.1. Does assessment focus?", "Does assessment focus?"),
    ("[2.2.1a] Does it?", "Does it?"),
    ("2.2.1 (a) Does it?", "Does it?"),
    ("2.2.1a\nDoes it?", "Does it?"),
    ("2.2.1 A plan", "A plan"),
    ("2.2.1", ""),
    ("KQ 2.2.1", ""),
])
def test_header_text(header, text):
    assert question_text.header_text(header) == text


@pytest.mark.parametrize("written", [
    "Does assessment focus sufficiently on engaging the person on probation?",
    "DOES ASSESSMENT FOCUS SUFFICIENTLY ON ENGAGING THE PERSON ON PROBATION",
    "Does assessment focus sufficiently on engaging...",
    "Does assessment focus sufficiently on engaging the pers…",
    "Does assessment focus  sufficiently on engaging the person on probation? (engagement)",
    "Does assessment focus",
])
def test_fits_forgives_case_punctuation_and_truncation(written):
    own = question_text.normalise(PDU21.question_ids()["2.2.1"][2].text)
    assert question_text.fits(question_text.normalise(written), own)


@pytest.mark.parametrize("written", ["Does", "Does assessment", "Does planning focus sufficiently on engaging"])
def test_short_or_other_text_does_not_fit(written):
    own = question_text.normalise(PDU21.question_ids()["2.2.1"][2].text)
    assert not question_text.fits(question_text.normalise(written), own)


def _problems(header: list[str], framework, others=None):
    questions = {q: j for j, h in enumerate(header) if (q := headers.question_id(h))}
    return question_text.mismatches(header, questions, framework, others)


def test_the_issue_example():
    header = ["Case ID", "2.2.1 Does assessment focus sufficiently on engaging the person on probation?"]
    [(column, message, fix)] = _problems(header, PDU23)
    assert column == 1
    assert message.startswith('2.2.1 "Does assessment focus sufficiently on engaging..." is 2.1.1 in '
                              "probation-pdu-2023")
    assert "2.2.1 in probation-pdu-2021" in message
    assert fix.startswith("if the marking was made for probation-pdu-2021, read it with that framework; otherwise")


def test_own_wording_and_labels_are_not_problems():
    header = ["Case ID", "2.2.1 Engagement", "2.2.2 Desistance (our wording)", "2.2.3",
             "2.3.1 Does planning focus sufficiently on engaging the service user?"]
    assert _problems(header, PDU21) == []


def test_truncated_text_naming_several_questions_lists_them():
    [(_, message, _)] = _problems(["Case ID", "2.4.1 Does reviewing focus sufficiently..."], PDU21)
    assert message.startswith('2.4.1 "Does reviewing focus sufficiently..." is 2.5.1, 2.5.2 or 2.5.3 in '
                              "probation-pdu-2021")


def test_other_frameworks_are_loaded_once_and_only_on_a_mismatch():
    calls = []

    def others():
        calls.append(1)
        return [PDU21]

    good = ["Case ID", "2.2.1 Does assessment focus sufficiently on engaging the person on probation?"]
    assert _problems(good, PDU21, others) == [] and calls == []
    bad = ["Case ID", *(f"{q} Does reviewing focus sufficiently on keeping other people safe?"
                        for q in ("2.1.1", "2.1.2"))]
    assert len(_problems(bad, PDU23, others)) == 2 and calls == [1]


# --- through a marking ----------------------------------------------------------------------------------


def test_2021_marking_read_as_2023_names_each_column(cli):
    run = cli("check", SAMPLE, "--framework", "probation-pdu-2023", "--format", "json")
    assert run.code == 1
    problems = [p for p in run.json()["problems"] if p["kind"] == "question-text"]
    by_cell = {p["where"].split("!")[-1]: p for p in problems}
    first = next(p for p in problems if p["message"].startswith("2.2.1 "))
    assert first["message"].startswith('2.2.1 "Does assessment focus sufficiently on engaging..." is 2.1.1 in '
                                       "probation-pdu-2023")
    assert first["accepted"].startswith("if the marking was made for probation-pdu-2021, read it with that framework")
    assert all(cell.endswith("1") for cell in by_cell)  # header cells


def test_2023_sample_read_as_2021_is_refused(cli):
    run = cli("rate", SAMPLE_2023, "--framework", "probation-pdu-2021")
    assert run.code == 1 and "Traceback" not in run.err
    doc = cli("check", SAMPLE_2023, "--framework", "probation-pdu-2021", "--format", "json").json()
    kinds = {p["kind"] for p in doc["problems"]}
    assert {"question-text", "framework-mismatch"} <= kinds
    texts = [p["message"] for p in doc["problems"] if p["kind"] == "question-text"]
    assert any(m.startswith('2.2.1 "Does planning focus sufficiently on engaging..." is 2.3.1 in probation-pdu-2021')
               for m in texts)


def test_shipped_samples_and_templates_have_no_text_problems(cli, tmp_path):
    for path, fid in ((SAMPLE, "probation-pdu-2021"), (ROOT / "sample_data" / "newham-2023-reaudit.xlsx",
                                                       "probation-pdu-2021"), (SAMPLE_2023, "probation-pdu-2023")):
        doc = cli("check", path, "--framework", fid, "--format", "json").json()
        assert not [p for p in doc["problems"] if p["kind"] == "question-text"], path
    for fid in ("probation-pdu-2021", "probation-pdu-2023", "youth-2021"):
        out = tmp_path / f"{fid}.xlsx"
        assert cli("template", "-o", out, "--framework", fid, "--cases", "2").code == 0
        doc = cli("check", out, "--framework", fid, "--format", "json").json()
        assert {p["kind"] for p in doc["problems"]} <= {"not-marked"}, fid


def test_csv_header_with_misplaced_text(cli, tmp_path):
    kqs = question_headers(standards={"2.2", "2.3", "2.4", "2.5"})
    columns = {q: answers(3, 1) for q in kqs}
    text = "Does planning focus sufficiently on keeping other people safe?"
    columns[f"2.2.3 {text}"] = columns.pop("2.2.3")
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(columns))
    run = cli("rate", path)
    assert run.code == 1
    err = " ".join(run.err.split())
    assert 'M1: 2.2.3 "Does planning focus sufficiently on keeping..." is 2.3.3 in probation-pdu-2021' in err
