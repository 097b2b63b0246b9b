"""casescore agree: the coefficients against independent oracles (statsmodels' cohens_kappa, the
krippendorff package) and published worked examples, then the command on markings built to order."""

from __future__ import annotations

import csv
import io
import warnings

import krippendorff  # test-only oracle (the test extra): the reference implementation of alpha
import numpy as np
import pytest
from conftest import ROOT, SAMPLE, answers, marking_csv, question_headers, uniform
from statsmodels.stats import inter_rater  # test-only oracle: Cohen's kappa and its standard error

from casescore import agreement as ag

MODERATION_B = ROOT / "sample_data" / "newham-2022-moderation-b.xlsx"
MODERATION_C = ROOT / "sample_data" / "newham-2022-moderation-c.xlsx"
KQ22 = question_headers(standards={"2.2"})  # 2.2.1, 2.2.2, 2.2.3
KQS23 = question_headers(standards={"2.3"})
CODE = {"Yes": 1, "No": 2, "N/A": 3}


def statsmodels_kappa(table):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels divides by zero when kappa is undefined
        return inter_rater.cohens_kappa(np.asarray(table, float))


# --- Cohen's kappa ----------------------------------------------------------------------------


def random_tables(count: int, seed: int = 7):
    """3x3 tables of every shape: small and large, sparse, skewed, with empty rows and columns."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, 120))
        weights = rng.dirichlet(rng.choice([0.2, 1.0, 5.0]) * np.ones(9))
        yield rng.multinomial(n, weights).reshape(3, 3)


def test_kappa_and_interval_match_statsmodels_on_random_tables():
    compared = 0
    for table in random_tables(500):
        ours, theirs = ag.cohen_kappa(table), statsmodels_kappa(table)
        if np.isnan(theirs.kappa):
            assert ours.value is None  # one category used by both markers: undefined
            continue
        assert ours.value == pytest.approx(theirs.kappa, abs=1e-12)
        if ours.low is None:
            # A zero-width interval is not shown. The variance is zero in exact arithmetic; in floating point
            # it can come out a hair below zero, and statsmodels' square root of it is then nan.
            assert np.isnan(theirs.std_kappa) or theirs.std_kappa < 1e-6
            continue
        assert ours.low == pytest.approx(max(-1, theirs.kappa_low), abs=1e-9)
        assert ours.high == pytest.approx(min(1, theirs.kappa_upp), abs=1e-9)
        compared += 1
    assert compared > 300


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.99])
def test_kappa_interval_follows_the_confidence_level(confidence):
    for table in random_tables(100, seed=3):
        ours, theirs = ag.cohen_kappa(table, confidence), statsmodels_kappa(table)
        if ours.low is not None:
            half = ag.z_value(confidence) * theirs.std_kappa
            assert ours.low == pytest.approx(max(-1, theirs.kappa - half), abs=1e-9)


def test_kappa_published_sas_example():
    """SAS/STAT PROC FREQ 'Getting Started: Agreement Study' (two dermatologists, 88 patients, four
    categories): simple kappa 0.3449, ASE 0.0724, 95% confidence limits 0.2030 to 0.4868."""
    table = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]
    e = ag.cohen_kappa(np.array(table))
    assert round(e.value, 4) == 0.3449
    assert round(e.low, 4) == 0.2030 and round(e.high, 4) == 0.4868
    assert e.n == 88


def test_kappa_published_two_by_two_example():
    """The textbook 50-proposal example (Wikipedia, 'Cohen's kappa'): 20 both Yes, 15 both No, 5 and 10
    split; p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    e = ag.cohen_kappa(np.array([[20, 5], [10, 15]]))
    assert e.observed == pytest.approx(0.7) and e.chance == pytest.approx(0.5) and e.value == pytest.approx(0.4)


def test_kappa_edge_cases():
    assert ag.cohen_kappa(np.zeros((3, 3))).value is None  # nothing compared
    total = ag.cohen_kappa(np.array([[0, 2, 0], [2, 0, 0], [0, 0, 0]]))
    assert total.observed == 0 and total.value == pytest.approx(-1)  # every case answered the other way
    perfect = ag.cohen_kappa(np.diag([4, 3, 2]))
    assert perfect.value == pytest.approx(1) and perfect.low is None  # zero-width interval is not shown


def test_crosstab_counts_only_cases_both_answered():
    a = np.array([1, 1, 2, 3, 0, 2], dtype=np.int8)
    b = np.array([1, 2, 2, 1, 3, 0], dtype=np.int8)
    expected = np.zeros((3, 3), int)
    for x, y in zip(a, b, strict=True):
        if x and y:
            expected[x - 1, y - 1] += 1
    assert (ag.crosstab(a, b) == expected).all()


# --- Krippendorff's alpha -------------------------------------------------------------------------


def random_reliability(count: int, seed: int = 11):
    """Markers x cases codes 0 (missing), 1-3, with missing answers and skewed categories."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        markers, cases = int(rng.integers(2, 7)), int(rng.integers(2, 50))
        truth = rng.choice(3, size=cases, p=rng.dirichlet(np.ones(3))) + 1
        noisy = np.where(rng.random((markers, cases)) < rng.uniform(0, 0.6), rng.integers(1, 4, (markers, cases)),
                         truth)
        yield np.where(rng.random((markers, cases)) < rng.uniform(0, 0.4), 0, noisy).astype(np.int8)


def package_alpha(codes):
    data = np.where(codes == 0, np.nan, codes.astype(float))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal", value_domain=[1, 2, 3])
    except ValueError:  # no case with two answers
        return None
    return None if np.isnan(value) else value


def test_alpha_matches_the_krippendorff_package_on_random_data():
    compared = 0
    for codes in random_reliability(400):
        ours = ag.krippendorff_alpha(ag.value_counts(codes), replicates=0)
        theirs = package_alpha(codes)
        if theirs is None:
            assert ours.value is None
            continue
        assert ours.value == pytest.approx(theirs, abs=1e-9)
        compared += 1
    assert compared > 300


def test_alpha_published_example():
    """Krippendorff (2011), 'Computing Krippendorff's Alpha-Reliability', the 4 observers x 12 units
    example with missing values: nominal alpha = 0.743."""
    nan = np.nan
    data = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
                     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
                     [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
                     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]])
    counts = np.stack([(data == v).sum(axis=0) for v in range(1, 6)], axis=1)
    e = ag.krippendorff_alpha(counts)
    assert round(e.value, 3) == 0.743
    assert e.n == 11  # unit 12 has one value only: not pairable


def test_alpha_with_two_markers_is_close_to_kappa():
    """Two markers, no missing answers: alpha is Scott's pi with a small-sample correction, close to kappa."""
    rng = np.random.default_rng(5)
    truth = rng.integers(1, 4, 200)
    codes = np.stack([truth, np.where(rng.random(200) < 0.2, rng.integers(1, 4, 200), truth)]).astype(np.int8)
    alpha = ag.krippendorff_alpha(ag.value_counts(codes), replicates=0).value
    kappa = ag.cohen_kappa(ag.crosstab(codes[0], codes[1])).value
    assert alpha == pytest.approx(kappa, abs=0.02)


def test_bootstrap_replicate_is_alpha_of_the_resampled_cases():
    """Each bootstrap replicate weights each case's coincidences by how often it was drawn: the same as
    the package's alpha on the resampled data."""
    rng = np.random.default_rng(2)
    for codes in random_reliability(40, seed=21):
        pairable = codes[:, (codes != 0).sum(axis=0) >= 2]
        if pairable.shape[1] < 2:
            continue
        draw = rng.integers(0, pairable.shape[1], pairable.shape[1])
        weights = np.bincount(draw, minlength=pairable.shape[1])
        units = ag.unit_coincidences(ag.value_counts(pairable))
        ours = ag.alpha_from_coincidences(np.tensordot(weights, units, axes=1))[0]
        theirs = package_alpha(pairable[:, draw])
        assert (ours is None) == (theirs is None)
        if ours is not None:
            assert ours == pytest.approx(theirs, abs=1e-9)


def test_bootstrap_alphas_at_once_are_each_alpha():
    rng = np.random.default_rng(13)
    stack = rng.integers(0, 4, size=(300, 3, 3)).astype(float)
    stack[:20] = 0  # no pairable values: undefined
    stack[20:40, 1:, :] = stack[20:40, :, 1:] = 0  # one category only: undefined
    together = ag.alphas_from_coincidences(stack)
    for matrix, value in zip(stack, together, strict=True):
        alone = ag.alpha_from_coincidences(matrix)[0]
        assert np.isnan(value) if alone is None else value == pytest.approx(alone, abs=1e-12)


def test_bootstrap_interval_is_seeded_and_narrows_with_more_cases():
    rng = np.random.default_rng(8)

    def marking(cases):
        truth = rng.integers(1, 4, cases)
        return np.stack([np.where(rng.random(cases) < 0.25, rng.integers(1, 4, cases), truth) for _ in range(3)])

    small, large = ag.value_counts(marking(20)), ag.value_counts(marking(400))
    first, again = ag.krippendorff_alpha(small, seed=4), ag.krippendorff_alpha(small, seed=4)
    assert (first.low, first.high) == (again.low, again.high)
    assert (ag.krippendorff_alpha(small, seed=5).low, ag.krippendorff_alpha(small, seed=5).high) != (first.low,
                                                                                                       first.high)
    wide = ag.krippendorff_alpha(small)
    narrow = ag.krippendorff_alpha(large)
    assert wide.low < wide.value < wide.high and narrow.low < narrow.value < narrow.high
    assert narrow.high - narrow.low < (wide.high - wide.low) / 2


def test_flags():
    paradox = ag.cohen_kappa(np.array([[9, 1, 0], [0, 0, 0], [0, 0, 0]]))  # 90% agree, kappa 0
    assert paradox.observed == pytest.approx(0.9) and paradox.value == pytest.approx(0)
    assert ag.flags(paradox, min_n=5) == (ag.PARADOX,)
    assert ag.flags(paradox, min_n=20) == (ag.PARADOX, ag.LOW_N)
    balanced = ag.cohen_kappa(np.array([[4, 1, 0], [1, 4, 0], [0, 0, 0]]))  # 80% agree, chance 50%: no paradox
    assert ag.flags(balanced, min_n=5) == ()
    assert ag.flags(ag.cohen_kappa(np.diag([6, 0, 0])), min_n=5) == (ag.ONE_CATEGORY,)
    assert ag.flags(ag.cohen_kappa(np.zeros((3, 3))), min_n=5) == (ag.NOT_COMPARED,)


# --- the command on markings built to order -------------------------------------------------------


def write(tmp_path, name, columns, ids=None):
    path = tmp_path / name
    path.write_text(marking_csv(columns, ids))
    return str(path)


def pair(tmp_path, first, second, ids=None, ids2=None):
    return (write(tmp_path, "a.csv", uniform(KQ22, first), ids), write(tmp_path, "b.csv", uniform(KQ22, second),
                                                                      ids2 or ids))


def question(data, qid):
    return next(q for q in data["questions"] if q["id"] == qid)


def test_perfect_agreement(cli, tmp_path):
    a, b = pair(tmp_path, answers(6, 4, 2), answers(6, 4, 2))
    run = cli("agree", a, b, "--format", "json")
    assert run.code == 0, run.err
    data = run.json()
    assert data["coefficient"] == "Cohen's kappa" and data["cases_compared"] == 12
    q = question(data, "2.2.1")
    assert q["coefficient"] == pytest.approx(1) and q["raw_agreement"] == 1 and q["ci_low"] is None
    assert data["disagreements"] == [] and data["ratings"]["changed"] == []


@pytest.mark.parametrize("first,second,kappa", [
    (answers(4, 0), answers(0, 4), 0.0),  # all Yes against all No: chance agreement 0 too
    (["Yes", "No"] * 3, ["No", "Yes"] * 3, -1.0),  # every case the other way, balanced
])
def test_total_disagreement(cli, tmp_path, first, second, kappa):
    a, b = pair(tmp_path, first, second)
    data = cli("agree", a, b, "--format", "json").json()
    q = question(data, "2.2.2")
    table = ag.crosstab(np.array([CODE[x] for x in first]), np.array([CODE[x] for x in second]))
    assert q["coefficient"] == pytest.approx(statsmodels_kappa(table).kappa) == pytest.approx(kappa)
    assert q["raw_agreement"] == 0 and q["disagreements"] == len(first)
    assert len(data["disagreements"]) == 3 * len(first)


def test_one_category_only(cli, tmp_path):
    a, b = pair(tmp_path, answers(5, 0), answers(5, 0))
    data = cli("agree", a, b, "--format", "json").json()
    q = question(data, "2.2.3")
    assert q["coefficient"] is None and q["raw_agreement"] == 1 and q["flags"] == ["one-category", "low-n"]


def test_a_question_nobody_marked(cli, tmp_path):
    cols = uniform(KQ22, answers(3, 2))
    cols["2.2.3"] = [""] * 5
    a, b = write(tmp_path, "a.csv", cols), write(tmp_path, "b.csv", cols)
    run = cli("agree", a, b, "--format", "json")
    assert run.code == 0, run.err
    q = question(run.json(), "2.2.3")
    assert q["compared"] == 0 and q["coefficient"] is None and q["flags"] == ["not-compared"]
    assert q["unmarked"] == 10
    assert "1 question(s) with no case answered by two markers: 2.2.3" in run.err
    assert "10 answer(s) left blank on shared cases are left out" in run.err


def test_cases_in_one_file_only_are_listed_not_compared(cli, tmp_path):
    a, b = pair(tmp_path, answers(3, 3), answers(3, 2, 1), ids=["C1", "C2", "C3", "C4", "C5", "C6"],
                ids2=["C4", "C5", "C6", "C7", "C8", "C9"])
    data = cli("agree", a, b, "--format", "json").json()
    assert data["cases_compared"] == 3
    assert [m["only_here"] for m in data["markers"]] == [["C1", "C2", "C3"], ["C7", "C8", "C9"]]
    assert question(data, "2.2.1")["compared"] == 3
    # On the shared cases C4-C6, a answered No and b Yes.
    table = ag.crosstab(np.array([2, 2, 2]), np.array([1, 1, 1]))
    assert question(data, "2.2.1")["coefficient"] == pytest.approx(statsmodels_kappa(table).kappa)
    assert data["ratings"]["cases"] == 3


def test_no_shared_case_compares_nothing(cli, tmp_path):
    a, b = pair(tmp_path, answers(2, 1), answers(2, 1), ids=["A1", "A2", "A3"], ids2=["B1", "B2", "B3"])
    run = cli("agree", a, b, "--format", "json")
    assert run.code == 0
    assert run.json()["cases_compared"] == 0 and run.json()["ratings"] is None
    assert "no case is in two or more files" in run.err


def test_relevance_disagreements_are_told_apart(cli, tmp_path):
    a, b = pair(tmp_path, ["Yes", "No", "N/A", "Yes"], ["N/A", "Yes", "No", "Yes"])
    rows = cli("agree", a, b, "--format", "json").json()["disagreements"]
    about = {(d["question"], d["case"]): d["about"] for d in rows}
    assert about[("2.2.1", "C001")] == "relevance" and about[("2.2.1", "C002")] == "answer"
    assert about[("2.2.1", "C003")] == "relevance" and ("2.2.1", "C004") not in about
    assert rows[0]["answers"] == {"a.csv": "Yes", "b.csv": "N/A"}


def test_a_rating_change_between_markers_is_reported_first(cli, tmp_path):
    good = answers(9, 1)  # 90%: Outstanding on every key question
    poor = answers(4, 6)  # 40%: Inadequate
    a, b = pair(tmp_path, good, poor)
    run = cli("agree", a, b)
    data = cli("agree", a, b, "--format", "json").json()
    s22 = next(s for s in data["ratings"]["standards"] if s["id"] == "2.2")
    assert s22["ratings"] == ["Outstanding", "Inadequate"] and s22["changes"] is True
    assert data["ratings"]["changed"][0] == "2.2"
    text = run.out
    assert "Ratings that change between markers: 2.2" in text
    assert text.index("Ratings that change") < text.index("Agreement by question") < text.index("Disagreements")


def test_a_standard_one_marker_did_not_mark_is_no_change(cli, tmp_path):
    both = question_headers(standards={"2.2", "2.3"})
    a = write(tmp_path, "a.csv", uniform(both, answers(9, 1)))
    b = write(tmp_path, "b.csv", uniform(KQ22, answers(9, 1)))
    run = cli("agree", a, b, "--format", "json")
    data = run.json()
    s23 = next(s for s in data["ratings"]["standards"] if s["id"] == "2.3")
    assert s23["ratings"] == ["Outstanding", "Not assessed"] and s23["changes"] is False
    assert data["ratings"]["overall_changes"] is None and data["only_one_file"] == KQS23
    assert "overall ratings are not compared" in run.err


def test_judgement_ratings_are_the_same_for_every_marker(cli, tmp_path):
    from conftest import write_xlsx

    header = ["Case ID", *KQ22]
    rows = [[f"C{i}", "Yes", "Yes", "No"] for i in range(4)]
    a, b = (write_xlsx(tmp_path / f"{name}.xlsx", {"Cases": [header, *rows], "Ratings": [["Standard", "Rating"],
                                                                                        ["1.1", rating]]})
            for name, rating in (("a", "good"), ("b", "ri")))
    run = cli("agree", a, b, "--format", "json")
    s11 = next(s for s in run.json()["ratings"]["standards"] if s["id"] == "1.1")
    assert s11["ratings"] == ["Good", "Good"]
    assert "judgement rating of 1.1: a.xlsx gives Good, b.xlsx gives Requires improvement" in run.err
    over = cli("agree", a, b, "--format", "json", "--rating", "1.1=inadequate").json()
    assert next(s for s in over["ratings"]["standards"] if s["id"] == "1.1")["ratings"] == ["Inadequate"] * 2


def test_three_markers_use_alpha_and_allow_a_missed_case(cli, tmp_path):
    ids = ["C1", "C2", "C3", "C4", "C5", "C6"]
    cols = [["Yes", "No", "Yes", "N/A", "No", "Yes"], ["Yes", "No", "No", "N/A", "No", "Yes"],
            ["Yes", "Yes", "No", "No", "No", "Yes"]]
    files = [write(tmp_path, f"m{k}.csv", uniform(KQ22, c[: 5 if k == 2 else 6]), ids[: 5 if k == 2 else 6])
             for k, c in enumerate(cols)]
    data = cli("agree", *files, "--format", "json").json()
    assert data["coefficient"] == "Krippendorff's alpha" and data["bootstrap"] == {"replicates": 2000, "seed": 1}
    codes = np.array([[CODE[x] for x in c] for c in cols], dtype=np.int8)
    codes[2, 5] = 0  # the third marker does not have C6
    q = question(data, "2.2.1")
    assert q["coefficient"] == pytest.approx(package_alpha(codes), abs=1e-12) and q["compared"] == 6
    assert data["ratings"]["cases"] == 5  # ratings on the cases in every file
    assert q["ci_low"] < q["coefficient"] < q["ci_high"]
    again = cli("agree", *files, "--format", "json").json()
    assert question(again, "2.2.1")["ci_low"] == q["ci_low"]  # seeded
    other = cli("agree", *files, "--format", "json", "--seed", "9").json()
    assert question(other, "2.2.1")["ci_low"] != q["ci_low"] or question(other, "2.2.1")["ci_high"] != q["ci_high"]


def test_fail_under_agreement(cli, tmp_path):
    a, b = pair(tmp_path, ["Yes", "No"] * 6, ["Yes", "No"] * 5 + ["No", "Yes"])  # kappa 2/3
    assert cli("agree", a, b, "--fail-under-agreement", "0.6").code == 0
    run = cli("agree", a, b, "--fail-under-agreement", "0.7", "--format", "json")
    assert run.code == 5 and run.json()["questions"]  # output is still printed
    assert "--fail-under-agreement 0.7: 2.2.1 is 0.67, 2.2.2 is 0.67, 2.2.3 is 0.67" in run.err
    assert cli("agree", a, b, "--fail-under-agreement", "2").code == 2


def test_usage_errors(cli, tmp_path):
    a, _ = pair(tmp_path, answers(2, 1), answers(2, 1))
    run = cli("agree", a)
    assert run.code == 2 and "two or more markings" in run.err
    run = cli("agree", a, a)
    assert run.code == 2 and "more than once" in run.err
    assert cli("agree", "-", "-").code == 2
    run = cli("agree", a, a, "--sort", "marker")
    assert run.code == 2 and "must be one of question, case" in run.err


def test_invalid_answers_stop_the_comparison(cli, tmp_path):
    a, b = pair(tmp_path, answers(2, 1), ["Yes", "Maybe", "No"])
    run = cli("agree", a, b)
    assert run.code == 1 and "b.csv" in run.err


def test_cli_json_is_the_library_result(cli):
    from casescore import api
    from casescore.render import agree as render

    data = cli("agree", SAMPLE, MODERATION_B, "--format", "json").json()
    library = api.agree_files([str(SAMPLE), str(MODERATION_B)]).agreement
    assert data == render.agreement_dict(library)


def test_csv_outputs(cli, tmp_path):
    a, b = pair(tmp_path, ["Yes", "No", "N/A"], ["No", "No", "N/A"], ids=["=1+1", "C2", "C3"])
    rows = list(csv.DictReader(io.StringIO(cli("agree", a, b, "--format", "csv").out)))
    assert [r["question"] for r in rows] == KQ22 and rows[0]["coefficient"] == "Cohen's kappa"
    listing = list(csv.DictReader(io.StringIO(cli("agree", a, b, "--format", "csv", "--disagreements").out)))
    assert len(listing) == 3 and listing[0]["case"] == "'=1+1"  # a formula is written as text
    assert listing[0]["a.csv"] == "Yes" and listing[0]["b.csv"] == "No"


def test_disagreements_sort_by_question_or_case(cli, tmp_path):
    a, b = pair(tmp_path, ["Yes", "Yes", "No"], ["No", "No", "No"])
    by_question = cli("agree", a, b, "--format", "json").json()["disagreements"]
    by_case = cli("agree", a, b, "--format", "json", "--sort", "case").json()["disagreements"]
    assert [(d["question"], d["case"]) for d in by_question][:2] == [("2.2.1", "C001"), ("2.2.1", "C002")]
    assert [(d["case"], d["question"]) for d in by_case][:3] == [("C001", "2.2.1"), ("C001", "2.2.2"),
                                                                ("C001", "2.2.3")]


def test_the_command_offers_the_orders_the_renderer_knows():
    from casescore.cli import agree as command
    from casescore.render import agree as render

    assert command.ORDERS == render.ORDERS


def test_markdown_and_table(cli):
    md = cli("agree", SAMPLE, MODERATION_B, "--format", "markdown", "--prompts")
    assert md.code == 0 and md.out.startswith("# Agreement") and "## Disagreements" in md.out
    table = cli("agree", SAMPLE, MODERATION_B)
    assert "No rating changes between markers on the 10 case(s)" in table.out
    assert "disagreement(s) on prompts not shown; --prompts shows them" in table.err
    only = cli("agree", SAMPLE, MODERATION_B, "--disagreements", "--prompts")
    assert only.out.lstrip().startswith("Disagreements (") and "Agreement by question" not in only.out


# --- the shipped samples ----------------------------------------------------------------------------


def test_moderation_samples_are_what_the_script_writes(tmp_path):
    import importlib.util

    from casescore import api

    spec = importlib.util.spec_from_file_location("make_moderation", ROOT / "scripts" / "make_moderation_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for built in module.build(tmp_path):
        shipped, fresh = api.check_file(str(ROOT / "sample_data" / built.name)), api.check_file(str(built))
        assert shipped.case_ids == fresh.case_ids
        assert all((shipped.answers[q] == fresh.answers[q]).all() for q in shipped.answers)


def test_sample_kappa_against_statsmodels_from_the_files(cli):
    """The two-marker sample: each key question's kappa is statsmodels' on the answers read from the files."""
    from casescore import api

    first, second = api.check_file(str(SAMPLE)), api.check_file(str(MODERATION_B))
    rows = [first.case_ids.index(c) for c in second.case_ids]
    data = cli("agree", SAMPLE, MODERATION_B, "--format", "json").json()
    for q in data["questions"]:
        table = ag.crosstab(first.answers[q["id"]][rows], second.answers[q["id"]])
        expected = statsmodels_kappa(table).kappa
        assert (q["coefficient"] is None) if np.isnan(expected) else q["coefficient"] == pytest.approx(expected)
    assert data["cases_compared"] == 10 and len(data["markers"][0]["only_here"]) == 23


def test_three_marker_sample(cli):
    data = cli("agree", SAMPLE, MODERATION_B, MODERATION_C, "--format", "json").json()
    assert data["coefficient"] == "Krippendorff's alpha"
    assert data["cases_compared"] == 12 and data["ratings"]["cases"] == 8
    assert any(d["answers"]["newham-2022-moderation-b.xlsx"] is None for d in data["disagreements"])
