"""The 2023 probation standards (probation-pdu-2023) and the invented sample marked against them.

Expected figures are written out here independently of the script that builds the sample; the
published wording is copied from ../shared/domain.md ("Since 2023"), not from the framework file.
"""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from casescore import api, scoring
from casescore.framework import load

SAMPLE_2023 = ROOT / "sample_data" / "probation-pdu-2023.xlsx"
FRAMEWORK = "probation-pdu-2023"

KEY_QUESTIONS = {  # id: (yes, relevant, printed percent)
    "2.1.1": (25, 30, 83), "2.1.2": (22, 30, 73), "2.1.3": (21, 30, 70),
    "2.2.1": (22, 30, 73), "2.2.2": (18, 30, 60), "2.2.3": (17, 30, 57),
    "2.3.1": (20, 30, 67), "2.3.2": (16, 30, 53), "2.3.3": (17, 30, 57),
    "2.4.1": (14, 26, 54), "2.4.2": (12, 26, 46), "2.4.3": (11, 26, 42),
}
PUBLISHED_PROMPTS = {  # the prompts with published wording: (yes, relevant)
    "2.1.3a": (20, 30), "2.1.3b": (18, 30), "2.1.3c": (15, 24), "2.2.3a": (16, 30), "2.2.3b": (15, 30),
}
PUBLISHED = {  # domain.md: DIPP, October 2025, "derived directly from the existing PDU inspection standards"
    "2.1.3": "Does assessment focus sufficiently on keeping other people safe?",
    "2.1.3a": "Does assessment identify and analyse clearly any risk of harm to others?",
    "2.1.3b": "Does assessment draw sufficiently on available sources of information, including past behaviour "
              "and convictions, and involve other agencies where appropriate?",
    "2.1.3c": "Does assessment analyse any specific concerns and risks related to actual and potential victims?",
    "2.2.3": "Does planning focus sufficiently on keeping other people safe?",
    "2.2.3a": "Does planning address sufficiently risk of harm factors and prioritise those which are most critical?",
    "2.2.3b": "Does planning set out the necessary constructive and/or restrictive interventions to manage the "
              "risk of harm?",
}


@pytest.fixture(scope="module")
def framework():
    return load(FRAMEWORK)


@pytest.fixture(scope="module")
def rated(framework):
    return api.rate_file(str(SAMPLE_2023), framework)


@pytest.fixture(scope="module")
def as_json(rated):
    from casescore.render.data import result_dict

    return json.loads(json.dumps(result_dict(rated.result)))


def _questions(doc):
    return {q["id"]: q for s in doc["standards"] for kq in s["key_questions"] for q in [kq, *kq["prompts"]]}


# --- the framework ------------------------------------------------------------------------------------


def test_standards(framework):
    assert [(s.id, s.name, s.method) for s in framework.standards] == [
        ("1.1", "Leadership", "judgement"), ("1.2", "Staffing", "judgement"), ("1.3", "Services", "judgement"),
        ("2.1", "Assessment", "case"), ("2.2", "Planning", "case"),
        ("2.3", "Implementation and delivery", "case"), ("2.4", "Reviewing", "case"),
    ]
    assert all(s.scored for s in framework.standards)
    assert [len(s.key_questions) for s in framework.standards[3:]] == [3, 3, 3, 3]


def test_points_bands_and_maximum(framework):
    assert [(r.name, r.points) for r in framework.ratings] == [
        ("Outstanding", 3), ("Good", 2), ("Requires improvement", 1), ("Inadequate", 0)]
    assert [(n, int(m)) for n, m in framework.bands] == [
        ("Outstanding", 80), ("Good", 65), ("Requires improvement", 50), ("Inadequate", 0)]
    assert framework.max_points * sum(s.scored for s in framework.standards) == 21


@pytest.mark.parametrize("score,rating", [
    *((s, "Inadequate") for s in range(0, 4)), *((s, "Requires improvement") for s in range(4, 11)),
    *((s, "Good") for s in range(11, 18)), *((s, "Outstanding") for s in range(18, 22)),
])
def test_overall_bands_out_of_21(framework, score, rating):
    """domain.md: 0-3 Inadequate, 4-10 Requires improvement, 11-17 Good, 18-21 Outstanding (derived)."""
    assert scoring.overall_rating(framework, score, 21) == rating


def test_published_results_agree(framework):
    """Essex North 2024: four case standards Inadequate, overall Requires improvement, so domain one
    carried at least 4 points; Newcastle and Cardiff 2025: all four insufficient, overall Inadequate."""
    assert scoring.overall_rating(framework, 4, 21) == "Requires improvement"
    assert scoring.overall_rating(framework, 3, 21) == "Inadequate"


def test_published_wording_word_for_word(framework):
    questions = {qid: q for qid, (_, _, q) in framework.question_ids().items()}
    for qid, text in PUBLISHED.items():
        assert questions[qid].text == text, qid
        assert questions[qid].evidence == "V", qid


def test_every_question_labelled_and_unpublished_key_questions_not_claimed(framework):
    published_kqs = {"2.1.3", "2.2.3"}
    for std in framework.standards:
        for kq in std.key_questions:
            assert kq.evidence == ("V" if kq.id in published_kqs else "R"), kq.id
            assert all(p.evidence in {"V", "G", "R"} for p in kq.prompts), kq.id


def test_provenance_says_what_is_not_published(framework):
    text = " ".join(framework.provenance.split())
    assert "numbering 2.1-2.4 is assumed" in text
    assert "Not published" in text and "Published (HMIP)" in text
    assert "derived" in framework.overall_source and "not published" in framework.bands_source
    assert "not published" in framework.rounding_source
    for std in framework.standards[3:]:
        assert "assumed" in std.source
    assert "not published" in framework.warning and "2.1-2.4" in framework.warning


def test_2021_file_has_no_caution():
    assert load("probation-pdu-2021").warning == ""


# --- the sample ---------------------------------------------------------------------------------------


def test_headline(as_json):
    ratings = {s["id"]: s["rating"] for s in as_json["standards"]}
    assert as_json["cases"] == 30 and as_json["framework"] == FRAMEWORK
    assert ratings == {
        "1.1": "Requires improvement", "1.2": "Good", "1.3": "Requires improvement",
        "2.1": "Good", "2.2": "Requires improvement", "2.3": "Requires improvement", "2.4": "Inadequate",
    }
    assert (as_json["score"], as_json["max_score"]) == (8, 21)
    assert as_json["overall_rating"] == "Requires improvement"
    assert as_json["provisional"] is False


@pytest.mark.parametrize("qid", sorted(KEY_QUESTIONS))
def test_key_questions(as_json, qid):
    yes, relevant, printed = KEY_QUESTIONS[qid]
    q = _questions(as_json)[qid]
    assert (q["yes"], q["relevant"]) == (yes, relevant)
    assert scoring.round_half_up(scoring.Tally(yes, relevant - yes).fraction) == printed


@pytest.mark.parametrize("pid", sorted(PUBLISHED_PROMPTS))
def test_published_prompts(as_json, pid):
    q = _questions(as_json)[pid]
    assert (q["yes"], q["relevant"]) == PUBLISHED_PROMPTS[pid]


def test_deciding_key_questions(as_json):
    deciding = {s["id"]: s["deciding"] for s in as_json["standards"] if s["method"] == "case"}
    assert deciding == {"2.1": ["2.1.3"], "2.2": ["2.2.3"], "2.3": ["2.3.2"], "2.4": ["2.4.3"]}


def test_unreviewed_cases_are_na_for_reviewing(rated):
    from casescore import answers as codes

    m = rated.marking
    for qid in ("2.4.1", "2.4.2", "2.4.3"):
        assert [m.case_ids[i] for i in range(m.cases) if m.answers[qid][i] == codes.NA] == [
            "ANY-027", "ANY-028", "ANY-029", "ANY-030"], qid


def test_prompts_lean_towards_their_key_question(rated):
    """Cases whose key question is Yes answer its prompts Yes more often than cases whose key question is No."""
    from casescore import answers as codes

    m = rated.marking
    for std in rated.framework.standards:
        for kq in std.key_questions:
            kq_yes = m.answers[kq.id] == codes.YES
            kq_no = m.answers[kq.id] == codes.NO
            for p in kq.prompts:
                yes = m.answers[p.id] == codes.YES
                assert yes[kq_yes].mean() >= yes[kq_no].mean(), p.id


def test_caution_is_a_warning_of_the_rating(as_json, framework):
    assert framework.warning in as_json["warnings"]


def test_sample_records_its_framework(rated):
    assert rated.marking.inspection["Framework"].split(":")[0] == FRAMEWORK
    assert rated.marking.title == "Anytown PDU QA audit, March 2026 (invented sample)"


def test_sample_script_is_deterministic(tmp_path, framework):
    import runpy
    import sys

    out = tmp_path / "again.xlsx"
    argv = sys.argv
    sys.argv = ["make_2023_sample.py", str(out)]
    try:
        runpy.run_path(str(ROOT / "scripts" / "make_2023_sample.py"), run_name="__main__")
    finally:
        sys.argv = argv
    again, original = (api.rate_file(str(p), framework).marking for p in (out, SAMPLE_2023))
    assert again.case_ids == original.case_ids
    assert again.answers.keys() == original.answers.keys()
    assert all((again.answers[q] == original.answers[q]).all() for q in again.answers)
    assert all((again.attributes[a] == original.attributes[a]).all() for a in again.attributes)
    assert again.judgements == original.judgements


def test_cli_json_matches_library(cli, as_json):
    run = cli("rate", SAMPLE_2023, "--framework", FRAMEWORK, "--format", "json")
    assert run.code == 0
    doc = run.json()
    doc.pop("source")
    expected = dict(as_json)
    expected.pop("source")
    assert doc == expected
    assert "partly assumed" in run.err  # the caution reaches the person running it


def test_cli_table_states_the_caution(cli):
    run = cli("rate", SAMPLE_2023, "--framework", FRAMEWORK)
    assert run.code == 0 and "Requires improvement" in run.out
    assert "warning: probation-pdu-2023 is partly assumed" in " ".join(run.err.split())
