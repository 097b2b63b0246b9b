"""Breakdowns, intervals and comparison: checked against independent implementations."""

from __future__ import annotations

import itertools

import pytest
from conftest import SAMPLE, answers, marking_csv, question_headers, uniform
from scipy.stats import binomtest
from statsmodels.stats.proportion import confint_proportions_2indep

from casescore import stats

REAUDIT = SAMPLE.parent / "newham-2023-reaudit.xlsx"
CASES = [(0, 1), (1, 1), (0, 5), (5, 5), (3, 7), (12, 33), (21, 33), (1, 2), (0, 100), (100, 100), (57, 211)]


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_wilson_matches_scipy(confidence):
    for yes, n in CASES + [(k, size) for size in (1, 2, 3, 10, 31) for k in range(size + 1)]:
        ci = binomtest(yes, n).proportion_ci(confidence_level=confidence, method="wilson")
        assert stats.wilson(yes, n, confidence) == pytest.approx((ci.low, ci.high), abs=1e-9), (yes, n)


def test_wilson_without_cases():
    assert stats.wilson(0, 0) is None


@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_newcombe_matches_statsmodels(confidence):
    for (y1, n1), (y2, n2) in itertools.product(CASES, repeat=2):
        # statsmodels' interval is for p1 - p2; ours is after - before = p2 - p1.
        low, high = confint_proportions_2indep(y2, n2, y1, n1, method="newcomb", compare="diff",
                                               alpha=1 - confidence)
        assert stats.newcombe(y1, n1, y2, n2, confidence) == pytest.approx((low, high), abs=1e-9), (y1, n1, y2, n2)
    assert stats.newcombe(0, 0, 1, 2) is None


@pytest.fixture(scope="module")
def by_sentence():
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "casescore", "rate", str(SAMPLE), "--by", "Sentence type",
                           "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def _all_questions(doc):
    return {q["id"]: q for s in doc["standards"] for kq in s["key_questions"] for q in [kq, *kq["prompts"]]}


def test_by_sentence_type_licence_below_community(by_sentence):
    for s in by_sentence["standards"]:
        for kq in s["key_questions"]:
            groups = kq["by"]["Sentence type"]
            assert set(groups) == {"Community", "Licence"}
            if kq["relevant"]:
                assert groups["Licence"]["percent"] < groups["Community"]["percent"], kq["id"]
            assert groups["Licence"]["yes"] + groups["Community"]["yes"] == kq["yes"]


def test_by_reproduces_the_cohort_prompt_figures(by_sentence):
    q = _all_questions(by_sentence)
    licence = {pid: (q[pid]["by"]["Sentence type"]["Licence"]["yes"],
                     q[pid]["by"]["Sentence type"]["Licence"]["relevant"])
               for pid in ("2.2.1b", "2.2.2b", "2.2.3d", "2.3.3c", "2.4.2c", "2.4.2b", "2.5.3d")}
    assert licence == {"2.2.1b": (0, 10), "2.2.2b": (1, 7), "2.2.3d": (8, 10), "2.3.3c": (1, 9),
                       "2.4.2c": (1, 9), "2.4.2b": (0, 7), "2.5.3d": (0, 9)}


def test_intervals_in_json(by_sentence):
    q = _all_questions(by_sentence)["2.2.3"]
    ci = binomtest(12, 33).proportion_ci(method="wilson")
    assert (q["ci_low"], q["ci_high"]) == pytest.approx((100 * ci.low, 100 * ci.high))
    court = _all_questions(by_sentence)["2.1.1"]
    assert court["ci_low"] is None and court["ci_high"] is None


def test_uncertain_ratings(by_sentence):
    std = {s["id"]: s for s in by_sentence["standards"]}
    # 12/33: interval 22-53% reaches Requires improvement; 9/33: 15-44% stays Inadequate.
    assert std["2.2"]["uncertain"] is True and std["2.2"]["plausible_bands"] == ["Requires improvement", "Inadequate"]
    assert std["2.4"]["uncertain"] is False and std["2.4"]["plausible_bands"] == ["Inadequate"]
    assert std["1.1"]["uncertain"] is False


def test_confidence_option_narrows(cli):
    doc = cli("rate", SAMPLE, "--confidence", "0.8", "--format", "json").json()
    kq = doc["standards"][5]["key_questions"][2]
    ci = binomtest(12, 33).proportion_ci(confidence_level=0.8, method="wilson")
    assert (kq["ci_low"], kq["ci_high"]) == pytest.approx((100 * ci.low, 100 * ci.high))
    assert doc["confidence"] == 0.8


def test_small_groups_marked_and_warned(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    run = cli("rate", SAMPLE, "--by", "Age group", "--prompts", "--min-n", "10")
    assert "5/5 100%*" in run.out  # the five young adults on 2.2.1
    assert "breakdown percentage(s) rest on fewer than 10 relevant cases" in run.err


def test_blank_attribute_group_and_csv_rows(cli, tmp_path):
    kqs = question_headers(standards={"2.2"})
    cols = {**uniform(kqs, answers(3, 1)), "Team": ["A", "", "A", "B"]}
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(cols))
    doc = cli("rate", path, "--by", "Team", "--format", "json").json()
    groups = doc["standards"][5]["key_questions"][0]["by"]["Team"]
    assert {k: (v["yes"], v["relevant"]) for k, v in groups.items()} == {"(blank)": (1, 1), "A": (2, 2), "B": (0, 1)}
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(cli("rate", path, "--by", "Team", "--format", "csv").out)))
    team = [(r["question"], r["value"], r["yes"]) for r in rows
            if r["attribute"] == "Team" and r["question"] == "2.2.1"]
    assert team == [("2.2.1", "(blank)", "1"), ("2.2.1", "A", "2"), ("2.2.1", "B", "0")]


def test_by_unknown_attribute(cli):
    run = cli("rate", SAMPLE, "--by", "Shoe size")
    assert run.code == 2 and "no such attribute column" in run.err and "'Sentence type'" in run.err


def test_by_does_not_change_the_headline(by_sentence):
    assert by_sentence["cases"] == 33  # --by does not change the headline
    assert by_sentence["score"] == 6


# --- compare -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def comparison():
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "casescore", "compare", str(SAMPLE), str(REAUDIT), "--format", "json"],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def test_compare_sides(comparison):
    assert (comparison["before"]["cases"], comparison["after"]["cases"]) == (33, 30)
    assert comparison["before"]["score"] == 6 and comparison["after"]["score"] > 6
    std = {s["id"]: (s["before"], s["after"]) for s in comparison["standards"]}
    assert std["2.2"][0] == "Inadequate" and std["2.2"][1] != "Inadequate"


def test_compare_changes_match_statsmodels(comparison):
    for q in comparison["questions"]:
        b, a = q["before"], q["after"]
        if not (b["relevant"] and a["relevant"]):
            assert q["change"] is None and q["significant"] is False
            continue
        assert q["change"] == pytest.approx(a["percent"] - b["percent"])
        low, high = confint_proportions_2indep(a["yes"], a["relevant"], b["yes"], b["relevant"],
                                               method="newcomb", compare="diff")
        assert (q["change_ci_low"], q["change_ci_high"]) == pytest.approx((100 * low, 100 * high))
        assert q["significant"] == (low > 0 or high < 0)
    assert any(q["significant"] for q in comparison["questions"])  # the re-audit shows something


def test_compare_lists_questions_in_one_file_only(cli, tmp_path):
    kqs = question_headers(standards={"2.2", "2.3"})
    before = tmp_path / "before.csv"
    before.write_text(marking_csv(uniform(kqs, answers(2, 3))))
    after = tmp_path / "after.csv"
    after.write_text(marking_csv(uniform(kqs[:3] + ["2.2.1a"], answers(5, 0)), ids=list("VWXYZ")))
    doc = cli("compare", before, after, "--format", "json").json()
    assert doc["only_before"] == ["2.3.1", "2.3.2", "2.3.3"] and doc["only_after"] == ["2.2.1a"]
    assert [q["id"] for q in doc["questions"]] == ["2.2.1", "2.2.2", "2.2.3"]


def test_compare_by_and_csv(cli):
    run = cli("compare", SAMPLE, REAUDIT, "--by", "Sentence type", "--format", "csv")
    import csv
    import io

    rows = [r for r in csv.DictReader(io.StringIO(run.out)) if r["question"] == "2.2.1"]
    assert [r["value"] for r in rows] == ["", "Community", "Licence"]
    assert run.code == 0


def test_compare_table(cli):
    run = cli("compare", SAMPLE, REAUDIT)
    assert run.code == 0 and "Score" in run.out and "6/24" in run.out and "pp" in run.out
