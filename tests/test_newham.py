"""The Newham 2022 inspection, reproduced from the shipped sample through casescore.

Expected figures are the report's (../shared/newham-2022-figures.md), written out here
independently of the script that builds the sample.
"""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLE

from casescore import api, scoring
from casescore.framework import load

KEY_QUESTIONS = {  # id: (yes, relevant, printed percent)
    "2.2.1": (21, 33, 64), "2.2.2": (16, 33, 48), "2.2.3": (12, 33, 36),
    "2.3.1": (17, 33, 52), "2.3.2": (16, 33, 48), "2.3.3": (13, 33, 39),
    "2.4.1": (14, 33, 42), "2.4.2": (10, 33, 30), "2.4.3": (9, 33, 27),
    "2.5.1": (16, 33, 48), "2.5.2": (10, 33, 30), "2.5.3": (10, 33, 30),
}
PROMPTS = {  # prompt id the finding maps to: (yes, relevant), whole sample
    "2.2.1c": (24, 33),  # meaningfully involved in assessment
    "2.2.1b": (13, 33),  # protected characteristics analysed
    "2.2.2a": (16, 33),  # offending-related factors identified and analysed
    "2.2.3b": (10, 33),  # sources of information for risk of harm
    "2.3.1a": (20, 33),  # meaningfully involved in planning
    "2.3.3c": (9, 25),  # links with other agencies (failed in 16 of 25)
    "2.3.3d": (10, 27),  # contingency planning
    "2.4.1a": (21, 31),  # requirements started promptly
    "2.4.2a": (13, 33),  # sequenced, desistance-focused services
    "2.4.3b": (7, 28),  # protection of victims
    "2.4.2d": (5, 16),  # key people engaged
    "2.4.2c": (8, 25),  # coordinated with other organisations
    "2.4.1f": (1, 5),  # re-engagement after recall or enforcement
    "2.5.1c": (14, 33),  # meaningfully engaged in reviewing (not in 19 of 33)
    "2.5.2a": (8, 29),  # changes in factors linked to offending
    "2.5.3a": (3, 24),  # changes in risk of harm
    "2.5.1d": (13, 27),  # written review completed
    "2.6.1a": (28, 33),  # no increase in offending
    "2.6.1b": (6, 11),  # breach or recall action where required
    "2.6.1c": (5, 31),  # improvement in factors linked to offending
    "2.6.1d": (5, 27),  # reduction in factors linked to risk of harm
}
RESETTLEMENT_PROMPTS = {
    "2.2.1b": (0, 10), "2.2.2b": (1, 7), "2.2.3d": (8, 10), "2.3.3c": (1, 9),
    "2.4.2c": (1, 9), "2.4.2b": (0, 7), "2.5.3d": (0, 9),
}


@pytest.fixture(scope="module")
def rated():
    return api.rate_file(str(SAMPLE), load("probation-pdu-2021"))


@pytest.fixture(scope="module")
def as_json(rated):
    from casescore.render.data import result_dict

    return json.loads(json.dumps(result_dict(rated.result)))


def _questions(doc):
    out = {}
    for s in doc["standards"]:
        for kq in s["key_questions"]:
            out[kq["id"]] = kq
            for p in kq["prompts"]:
                out[p["id"]] = p
    return out


def test_headline(as_json):
    ratings = {s["id"]: s["rating"] for s in as_json["standards"]}
    assert as_json["cases"] == 33
    assert ratings == {
        "1.1": "Requires improvement", "1.2": "Good", "1.3": "Requires improvement", "1.4": "Good",
        "2.1": "Not applicable", "2.2": "Inadequate", "2.3": "Inadequate", "2.4": "Inadequate",
        "2.5": "Inadequate", "2.6": None,
    }
    assert (as_json["score"], as_json["max_score"]) == (6, 24)
    assert as_json["overall_rating"] == "Requires improvement"
    assert as_json["provisional"] is False


@pytest.mark.parametrize("qid", sorted(KEY_QUESTIONS))
def test_key_questions(as_json, qid):
    yes, relevant, printed = KEY_QUESTIONS[qid]
    q = _questions(as_json)[qid]
    assert (q["yes"], q["relevant"]) == (yes, relevant)
    assert q["percent"] == pytest.approx(100 * yes / relevant)
    assert scoring.round_half_up(scoring.Tally(yes, relevant - yes).fraction) == printed


def test_deciding_key_questions(as_json):
    deciding = {s["id"]: s["deciding"] for s in as_json["standards"]}
    assert deciding["2.2"] == ["2.2.3"] and deciding["2.3"] == ["2.3.3"] and deciding["2.4"] == ["2.4.3"]
    assert deciding["2.5"] == ["2.5.2", "2.5.3"]  # 30% for two key questions


def test_outcomes_reported_not_rated(as_json):
    outcomes = next(s for s in as_json["standards"] if s["id"] == "2.6")
    assert outcomes["rating"] is None and outcomes["scored"] is False and outcomes["points"] is None
    q = outcomes["key_questions"][0]
    assert (q["id"], q["yes"], q["relevant"], q["band"]) == ("2.6.1", 9, 33, None)


def test_court_work_not_applicable(as_json):
    court = next(s for s in as_json["standards"] if s["id"] == "2.1")
    assert court["rating"] == "Not applicable" and court["points"] is None
    assert all(q["relevant"] == 0 and q["percent"] is None for q in court["key_questions"])


@pytest.mark.parametrize("pid", sorted(PROMPTS))
def test_prompts(as_json, pid):
    q = _questions(as_json)[pid]
    assert (q["yes"], q["relevant"]) == PROMPTS[pid]


def _cohort(rated, attribute, value):
    m = rated.marking
    return scoring.rate(rated.framework, m.answers, m.cases, m.judgements,
                        scoring.Options(mask=m.attributes[attribute] == value))


def _tallies(result):
    return {q.question.id: q.tally for s in result.standards for kq in s.key_questions for q in [kq, *kq.prompts]}


def test_sample_composition(rated):
    attrs = rated.marking.attributes
    assert (attrs["Sentence type"] == "Licence").sum() == 10
    assert (attrs["Sentence type"] == "Community").sum() == 23
    assert (attrs["Age group"] == "18-25").sum() == 5
    assert (attrs["Victim identified"] == "Yes").sum() == 28


@pytest.mark.parametrize("pid", sorted(RESETTLEMENT_PROMPTS))
def test_resettlement_cohort_prompts(rated, pid):
    t = _tallies(_cohort(rated, "Sentence type", "Licence"))[pid]
    assert (t.yes, t.relevant) == RESETTLEMENT_PROMPTS[pid]


def test_resettlement_below_community_on_every_key_question(rated):
    licence = _tallies(_cohort(rated, "Sentence type", "Licence"))
    community = _tallies(_cohort(rated, "Sentence type", "Community"))
    kq_ids = [*KEY_QUESTIONS, "2.6.1"]
    for qid in kq_ids:
        assert licence[qid].fraction < community[qid].fraction, qid


def test_young_adults_assessed_well(rated):
    young = _tallies(_cohort(rated, "Age group", "18-25"))
    for qid in ("2.2.1", "2.2.2", "2.2.3"):
        assert (young[qid].yes, young[qid].relevant) == (5, 5)


def test_diversity_prompts(as_json):
    q = _questions(as_json)
    assert q["2.3.1b"]["yes"] == 16 and q["2.4.1c"]["yes"] == 16


@pytest.mark.parametrize("script,shipped", [("make_newham_sample.py", "newham-2022.xlsx"),
                                            ("make_reaudit_sample.py", "newham-2023-reaudit.xlsx")])
def test_sample_scripts_are_deterministic(tmp_path, script, shipped):
    import runpy
    import sys

    out = tmp_path / "again.xlsx"
    argv = sys.argv
    sys.argv = [script, str(out)]
    try:
        runpy.run_path(str(SAMPLE.parent.parent / "scripts" / script), run_name="__main__")
    finally:
        sys.argv = argv
    framework = load("probation-pdu-2021")
    again, original = (api.rate_file(str(p), framework).marking for p in (out, SAMPLE.parent / shipped))
    assert again.case_ids == original.case_ids
    assert again.answers.keys() == original.answers.keys()
    assert all((again.answers[q] == original.answers[q]).all() for q in again.answers)
    assert all((again.attributes[a] == original.attributes[a]).all() for a in again.attributes)


def test_cli_json_matches_library(cli, as_json):
    run = cli("rate", SAMPLE, "--format", "json")
    assert run.code == 0
    doc = run.json()
    doc.pop("source")
    expected = dict(as_json)
    expected.pop("source")
    assert doc == expected
