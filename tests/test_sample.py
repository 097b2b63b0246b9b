"""casescore sample: allocation, eligibility, determinism, and the marking workbook it hands back.

The allocation is checked against an independent implementation written here from the documented
rules (largest remainder with exact fractions, at least one case per stratum, the same split at every
nested level, lowest SHA-256 keys), not against outputs copied from the code.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import random
import shlex
from collections import Counter, defaultdict
from fractions import Fraction

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from casescore import api, sampling
from casescore.caseload import parse_date
from casescore.errors import UsageError

CASELOAD = ROOT / "sample_data" / "newham-caseload-2022.csv"
WINDOW = "2022-01-24..2022-02-25"
FULL = ["--started", WINDOW, "--exclude", "Sensitive=Yes", "--person-key", "PNC",
        "--person-key", "First name+Surname+Date of birth"]


# --- an independent allocation -------------------------------------------------------------


def hamilton(count: int, sizes: list[int]) -> list[int]:
    """Largest remainder written from its definition: floors of the exact quotas, then one more to the
    largest fractional parts (ties: the larger group, then the earlier)."""
    total = sum(sizes)
    if not total:
        return [0] * len(sizes)
    quotas = [Fraction(count * s, total) for s in sizes]
    out = [math.floor(q) for q in quotas]
    ranked = sorted(range(len(sizes)), key=lambda i: (quotas[i] - out[i], sizes[i], -i), reverse=True)
    for i in ranked[: count - sum(out)]:
        out[i] += 1
    return out


def at_least_one(count: int, sizes: list[int]) -> list[int]:
    """Hamilton, but every stratum gets a case when there are enough: a stratum rounding to none is
    given one and the rest are shared among the others, until none rounds to none."""
    if count < sum(1 for s in sizes if s):
        return hamilton(count, sizes)
    ones: set[int] = set()
    while True:
        others = [i for i, s in enumerate(sizes) if s and i not in ones]
        shares = dict(zip(others, hamilton(count - len(ones), [sizes[i] for i in others]), strict=True))
        zero = {i for i, n in shares.items() if n == 0}
        if not zero:
            return [1 if i in ones else shares.get(i, 0) for i in range(len(sizes))]
        ones |= zero


def oracle(ids: list[str], strata: list[str], paths: list[tuple], size: int, seed: str) -> set[str]:
    """The sample, drawn from the documented method with no limits."""
    digest = {i: hashlib.sha256(f"{seed}\x1f{i}".encode()).hexdigest() for i in ids}
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for k, s in enumerate(strata):
        by_stratum[s].append(k)
    labels = sorted(by_stratum)
    shares = at_least_one(size, [len(by_stratum[s]) for s in labels])

    levels = len(paths[0]) if paths else 0

    def pick(cases: list[int], count: int, depth: int) -> list[int]:
        if depth == levels:
            return sorted(cases, key=lambda k: digest[ids[k]])[:count]
        groups: dict[str, list[int]] = defaultdict(list)
        for k in cases:
            groups[paths[k][depth]].append(k)
        values = sorted(groups)
        out = []
        for v, n in zip(values, hamilton(count, [len(groups[v]) for v in values]), strict=True):
            out += pick(groups[v], n, depth + 1)
        return out

    chosen = [k for s, n in zip(labels, shares, strict=True) for k in pick(by_stratum[s], n, 0)]
    return {ids[k] for k in chosen}


@st.composite
def frames(draw):
    n = draw(st.integers(1, 150))
    ids = [f"C{k:04d}" for k in draw(st.lists(st.integers(0, 9999), min_size=n, max_size=n, unique=True))]
    strata = draw(st.lists(st.sampled_from(["Community", "Licence", "Female", "Youth"]), min_size=n, max_size=n))
    teams = draw(st.lists(st.sampled_from(["North", "South", "East"]), min_size=n, max_size=n))
    officers = draw(st.lists(st.sampled_from("ABCDEFG"), min_size=n, max_size=n))
    paths = [(t, t + o) for t, o in zip(teams, officers, strict=True)]
    size = draw(st.integers(1, n))
    seed = draw(st.text(min_size=0, max_size=8))
    return ids, strata, paths, size, seed


# --- allocation --------------------------------------------------------------------------


@settings(deadline=None)
@given(st.integers(0, 500), st.lists(st.integers(0, 300), min_size=1, max_size=12))
def test_largest_remainder_matches_the_definition_and_sums_exactly(count, sizes):
    count = min(count, sum(sizes))
    shares = sampling.largest_remainder(count, sizes)
    assert shares == hamilton(count, sizes)
    assert sum(shares) == count
    assert all(0 <= a <= s for a, s in zip(shares, sizes, strict=True))
    total = sum(sizes) or 1
    assert all(abs(a - Fraction(count * s, total)) < 1 for a, s in zip(shares, sizes, strict=True))


@settings(deadline=None)
@given(st.integers(1, 200), st.lists(st.integers(1, 300), min_size=1, max_size=10))
def test_every_stratum_gets_a_case_when_the_size_allows(count, sizes):
    count = min(count, sum(sizes))
    shares, lifted = sampling.allocate_strata(count, sizes)
    assert shares == at_least_one(count, sizes)
    assert sum(shares) == count
    if count >= len(sizes):
        assert all(a >= 1 for a in shares)
    assert all(shares[i] == 1 and Fraction(count * sizes[i], sum(sizes)) < 1 for i in lifted)


@settings(max_examples=80, deadline=None)
@given(frames())
def test_draw_matches_an_independent_allocation(frame):
    ids, strata, paths, size, seed = frame
    sample = sampling.draw(sampling.Frame(ids, strata, paths), sampling.Design(size, seed, ("Team", "Officer")))
    chosen = {ids[k] for k in sample.chosen}
    assert len(sample.chosen) == size == len(chosen)
    assert chosen == oracle(ids, strata, paths, size, seed)


@settings(max_examples=60, deadline=None)
@given(frames())
def test_shares_are_within_one_case_of_proportional_at_every_level(frame):
    ids, strata, paths, size, seed = frame
    sample = sampling.draw(sampling.Frame(ids, strata, paths), sampling.Design(size, seed, ("Team", "Officer"),
                                                                               at_least_one=False))
    for s in sample.strata:
        assert abs(s.picked - Fraction(size * s.available, len(ids))) < 1
    for g in sample.groups:  # each group against its parent's actual share
        parent = next(s.picked for s in sample.strata if s.label == g.stratum) if len(g.path) == 1 else \
            next(p.picked for p in sample.groups if p.stratum == g.stratum and p.path == g.path[:-1])
        assert abs(g.picked - Fraction(parent * g.available, g.parent_available)) < 1


@settings(max_examples=40, deadline=None)
@given(frames(), st.randoms(use_true_random=False))
def test_the_order_of_the_rows_does_not_change_the_sample(frame, rng):
    ids, strata, paths, size, seed = frame
    order = list(range(len(ids)))
    rng.shuffle(order)
    design = sampling.Design(size, seed, ("Team", "Officer"), (("Officer", 3),), sampling.Reserve(count=2))
    a = sampling.draw(sampling.Frame(ids, strata, paths), design)
    b = sampling.draw(sampling.Frame([ids[k] for k in order], [strata[k] for k in order],
                                     [paths[k] for k in order]), design)
    assert {ids[k] for k in a.chosen} == {ids[order[k]] for k in b.chosen}
    assert [(ids[k], r) for k, r in a.reserves] == [(ids[order[k]], r) for k, r in b.reserves]


@settings(max_examples=60, deadline=None)
@given(frames(), st.integers(1, 6))
def test_limit_is_never_exceeded_and_a_shortfall_is_reported(frame, cap):
    ids, strata, paths, size, seed = frame
    design = sampling.Design(size, seed, ("Team", "Officer"), (("Officer", cap),), sampling.Reserve(count=1))
    sample = sampling.draw(sampling.Frame(ids, strata, paths), design)
    taken = [k for k in sample.chosen] + [k for k, _ in sample.reserves]
    assert len(taken) == len(set(taken))
    per_officer = Counter(paths[k][1] for k in taken)  # across every stratum, sample and reserves together
    assert max(per_officer.values(), default=0) <= cap
    if sample.shortfall:
        assert any(a.kind == "shortfall" for a in sample.adjustments)
    else:
        assert len(sample.chosen) == size
    no_limit = sampling.draw(sampling.Frame(ids, strata, paths), sampling.Design(size, seed, ("Team", "Officer")))
    if max(Counter(p[1] for p in paths).values()) <= cap:  # a limit nobody reaches changes nothing
        assert sorted(sample.chosen) == sorted(no_limit.chosen)


def test_excess_moves_to_the_officer_with_fewest_in_the_same_team():
    # Team North: A has 20 cases, B 3, C 2; Team South: D has 25. 20 cases: 10 per team.
    paths = [("North", "A")] * 20 + [("North", "B")] * 3 + [("North", "C")] * 2 + [("South", "D")] * 25
    ids = [f"X{k}" for k in range(len(paths))]
    design = sampling.Design(20, "s", ("Team", "Officer"), (("Officer", 4),))
    sample = sampling.draw(sampling.Frame(ids, ["all"] * len(ids), paths), design)
    got = Counter(paths[k] for k in sample.chosen)
    # Under the limit North can give 4 + 3 + 2 = 9 and South 4: 13 of the 20, a shortfall of 7. Of the 13,
    # North's share is 7 (6.5 each; the tie goes to the team first in order) but South can give only 4, so
    # North takes 9: 7.2 / 1.08 / 0.72 -> 7, 1, 1; A is cut to 4 and its 3 move one at a time to the officer
    # with the fewest: B (as few as C, more cases) +1, C +1, B +1.
    assert got == {("North", "A"): 4, ("North", "B"): 3, ("North", "C"): 2, ("South", "D"): 4}
    assert sample.shortfall == 7
    kinds = [a.kind for a in sample.adjustments]
    assert "limit" in kinds and "shortfall" in kinds


def test_excess_is_spread_over_the_officers_with_fewest_not_piled_on_one():
    paths = [("T", "A")] * 30 + [("T", "B")] * 6 + [("T", "C")] * 3 + [("T", "D")] * 3
    ids = [f"X{k}" for k in range(len(paths))]
    sample = sampling.draw(sampling.Frame(ids, ["all"] * len(ids), paths),
                           sampling.Design(14, "s", ("Team", "Officer"), (("Officer", 6),)))
    # Quotas 10 / 2 / 1 / 1; A is cut to 6 and its 4 go one at a time to whoever has fewest:
    # C and D (1 each; C first in order), then D, then B (2, like C and D, but more cases), then C.
    assert Counter(paths[k][1] for k in sample.chosen) == {"A": 6, "B": 3, "C": 3, "D": 2}
    [note] = [a for a in sample.adjustments if a.kind == "limit"]
    assert note.where == "all / T" and "4 moved to others in Team 'T'" in note.message


def test_excess_at_a_team_moves_to_another_team_before_falling_short():
    paths = [("North", "A")] * 30 + [("South", "B")] * 10 + [("South", "C")] * 10
    ids = [f"X{k}" for k in range(len(paths))]
    sample = sampling.draw(sampling.Frame(ids, ["all"] * 50, paths),
                           sampling.Design(20, "s", ("Team", "Officer"), (("Officer", 6),)))
    # North can give 6 (A's limit), South 12: 18 of 20. North's share of 18 is 11; the 5 over its limit
    # go to the other team, South, rather than being lost.
    assert Counter(paths[k][0] for k in sample.chosen) == {"North": 6, "South": 12}
    assert Counter(paths[k][1] for k in sample.chosen) == {"A": 6, "B": 6, "C": 6}
    assert sample.shortfall == 2


def test_reserves_per_stratum_are_apart_from_the_sample_and_in_key_order():
    ids = [f"R{k:03d}" for k in range(60)]
    strata = ["Community"] * 40 + ["Licence"] * 20
    sample = sampling.draw(sampling.Frame(ids, strata, [()] * 60),
                           sampling.Design(15, "9", reserve=sampling.Reserve(percent=Fraction(20))))
    picked = {s.label: s.picked for s in sample.strata}
    assert picked == {"Community": 10, "Licence": 5}
    reserves = defaultdict(list)
    for k, order in sample.reserves:
        reserves[strata[k]].append((order, k))
    assert {s: len(r) for s, r in reserves.items()} == {"Community": 2, "Licence": 1}  # 20% rounded up
    assert not {k for k, _ in sample.reserves} & set(sample.chosen)
    key = lambda k: hashlib.sha256(f"9\x1f{ids[k]}".encode()).digest()  # noqa: E731
    for rows in reserves.values():
        assert [k for _, k in sorted(rows)] == sorted((k for _, k in rows), key=key)
        # and they are the next keys of their stratum after the sample
        in_stratum = sorted((k for k in range(60) if strata[k] == strata[rows[0][1]]), key=key)
        assert [k for _, k in sorted(rows)] == [k for k in in_stratum if k not in sample.chosen][: len(rows)]


def test_size_for_a_precision():
    calc = sampling.size_for(0.8, 0.10, 120)  # the worked example in sampling.md
    assert round(calc.n0, 1) == 41.1 and calc.n == 31
    assert "41.06" in calc.formula() and "N = 120" in calc.formula()
    assert sampling.size_for(0.95, 0.05, 10**9).n == 385
    assert sampling.size_for(0.95, 0.05, 10).n == 10


@settings(deadline=None)  # the first example imports scipy
@given(st.floats(0.5, 0.99), st.floats(0.02, 0.3), st.integers(1, 100_000))
def test_size_formula_against_scipy(confidence, margin, population):
    from scipy.stats import norm

    z = norm.ppf(1 - (1 - confidence) / 2)
    n0 = z * z * 0.25 / margin**2
    want = math.ceil(n0 / (1 + (n0 - 1) / population) - 1e-9)
    assert sampling.size_for(confidence, margin, population).n == min(population, max(1, want))


def test_errors_speak_of_the_data():
    frame = sampling.Frame(["a", "b"], ["x", "x"], [(), ()])
    with pytest.raises(UsageError, match="a sample of 3 cases was asked for, but only 2 cases are eligible"):
        sampling.draw(frame, sampling.Design(3, "s"))
    with pytest.raises(UsageError, match="no eligible cases"):
        sampling.draw(sampling.Frame([], [], []), sampling.Design(1, "s"))


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text,day", [
    ("2022-01-24", dt.date(2022, 1, 24)), ("2022-01-24 00:00:00", dt.date(2022, 1, 24)),
    ("2022-01-24T10:30", dt.date(2022, 1, 24)), ("24/01/2022", dt.date(2022, 1, 24)),
    ("03/02/2022", dt.date(2022, 2, 3)), ("3.2.22", dt.date(2022, 2, 3)), ("03-02-2022", dt.date(2022, 2, 3)),
    ("24 Jan 2022", dt.date(2022, 1, 24)), ("24-January-22", dt.date(2022, 1, 24)),
    ("24 Sept 2022", dt.date(2022, 9, 24)), ("44585", dt.date(2022, 1, 24)), ("44585.5", dt.date(2022, 1, 24)),
    ("01/05/30", dt.date(1930, 5, 1)),
])
def test_dates_iso_uk_and_excel_serials(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["01/24/2022", "31/02/2022", "2022-13-01", "tomorrow", "2022", "24 Foo 2022",
                                  "99999", "1.5"])
def test_what_is_not_a_date(text):
    assert parse_date(text) is None


def write_caseload(path, rows: list[list], header=("CRN", "Start date", "Sentence type")):
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_dates_in_three_forms_select_the_same_window(cli, tmp_path):
    from openpyxl import Workbook

    rows = [["A1", "2022-01-24", "Community"], ["A2", "24/01/2022", "Community"], ["A3", "44585", "Licence"],
            ["A4", "03/02/2022", "Licence"], ["A5", "25/01/2022", "Community"]]
    path = write_caseload(tmp_path / "c.csv", rows)
    run = cli("sample", path, "--size", "3", "--started", "2022-01-24..2022-01-24", "--seed", "1", "--format", "json")
    assert run.code == 0, run.err
    assert sorted(r["case_id"] for r in run.json()["cases"]) == ["A1", "A2", "A3"]
    assert {r["Start date"] for r in run.json()["cases"]} == {"2022-01-24"}  # carried as ISO dates
    run = cli("sample", path, "--size", "1", "--started", "03/02/2022..03/02/2022", "--seed", "1", "--format", "json")
    assert [r["case_id"] for r in run.json()["cases"]] == ["A4"]  # day first: 3 February
    wb = Workbook()
    ws = wb.active
    ws.append(["Notes: extract of 1 March"])  # a title row above the header
    ws.append(["CRN", "Start date", "Sentence type"])
    ws.append(["B1", dt.date(2022, 1, 24), "Community"])  # a real date cell
    ws.append(["B2", 44585, "Licence"])  # a serial number typed as a number
    ws.append(["B3", "24/01/2022", "Community"])  # text
    ws.append(["B4", dt.datetime(2022, 1, 25, 9, 0), "Community"])
    wb.save(tmp_path / "c.xlsx")
    run = cli("sample", tmp_path / "c.xlsx", "--size", "3", "--started", "..2022-01-24", "--seed", "1",
              "--format", "json")
    assert run.code == 0, run.err
    assert sorted(r["case_id"] for r in run.json()["cases"]) == ["B1", "B2", "B3"]


def test_caseloads_from_xlsxwriter_and_libreoffice_read_alike(cli, tmp_path):
    import shutil
    import subprocess

    import xlsxwriter

    wb = xlsxwriter.Workbook(tmp_path / "c.xlsx")
    ws = wb.add_worksheet("Caseload")  # not named Cases: the first sheet with a case id column is read
    uk = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["CRN", "Start date", "Sentence type"])
    ws.write(1, 0, "A1")
    ws.write_datetime(1, 1, dt.datetime(2022, 1, 24), uk)  # a date cell
    ws.write(1, 2, "Community")
    ws.write_number(2, 0, 1002)  # an id typed as a number
    ws.write_number(2, 1, 44600, uk)  # a serial number shown as a date
    ws.write(2, 2, "Licence")
    ws.write_row(3, 0, ["A3", "03/02/2022", "Licence"])
    ws.write_row(4, 0, ["A4", "2022-03-02", "Licence"])
    wb.close()
    files = [tmp_path / "c.xlsx"]
    if shutil.which("soffice"):
        subprocess.run(["soffice", "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(files[0])],
                       capture_output=True, timeout=120)
        files += [tmp_path / "c.ods"] if (tmp_path / "c.ods").exists() else []
    for path in files:
        run = cli("sample", path, "--size", "3", "--started", WINDOW, "--seed", "1", "--format", "csv")
        assert run.code == 0, run.err
        rows = {r["case_id"]: r["Start date"] for r in csv.DictReader(io.StringIO(run.out))}
        assert rows == {"A1": "2022-01-24", "1002": "2022-02-08", "A3": "2022-02-03"}, path.name


def test_a_date_that_cannot_be_read_is_an_error_naming_its_cell(cli, tmp_path):
    path = write_caseload(tmp_path / "c.csv", [["A1", "2022-01-24", "C"], ["A2", "31/02/2022", "C"]])
    run = cli("sample", path, "--size", "1", "--started", WINDOW)
    assert run.code == 3
    assert "c.csv: B3: '31/02/2022' in column 'Start date' is not a date" in run.err


# --- eligibility and the shipped caseload --------------------------------------------------


def test_newham_caseload_rules_each_remove_what_was_planted(cli):
    run = cli("sample", CASELOAD, "--size", "33", "--stratify", "Sentence type", "--stratify", "Risk of serious harm",
              *FULL, "--seed", "1", "--format", "json")
    assert run.code == 0, run.err
    removed = {r["kind"]: r["removed"] for r in run.json()["eligibility"]["removed"]}
    assert removed == {"window": 49, "no-date": 0, "duplicate": 12, "exclude": 8, "missing": 2}
    assert run.json()["eligibility"]["eligible"] == 130


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=12))
def test_newham_caseload_gives_23_community_and_10_licence_for_any_seed(seed):
    for options in ({}, {"started": (dt.date(2022, 1, 24), dt.date(2022, 2, 25)), "exclude": (("Sensitive", ("Yes",)),),
                         "person_keys": (("PNC",), ("First name", "Surname", "Date of birth"))}):
        drawn = api.draw_sample(str(CASELOAD), api.SampleSpec(size=33, seed=seed, stratify=("Sentence type",),
                                                              **options))
        assert Counter(r["Sentence type"] for r in drawn.rows()) == {"Community": 23, "Licence": 10}


def test_the_cli_gives_23_and_10(cli):
    run = cli("sample", CASELOAD, "--size", "33", "--stratify", "Sentence type", "--format", "csv")
    assert run.code == 0
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert Counter(r["stratum"] for r in rows) == {"Community": 23, "Licence": 10}
    assert "was generated: give --seed" in run.err


def test_snapshot_of_a_seeded_draw():
    """The documented method pins the sample: if this changes, every published seed draws another sample."""
    drawn = api.draw_sample(str(CASELOAD), api.SampleSpec(size=33, seed="2022", stratify=("Sentence type",)))
    assert sorted(r["case_id"] for r in drawn.rows()) == [
        "D127102", "D194826", "D317373", "D586892", "D615324", "D731021", "D777076", "D779393", "E136997",
        "E426802", "E461063", "E510551", "E623953", "E746062", "E747641", "E770712", "E830544", "E875719",
        "X179073", "X204826", "X240367", "X246829", "X283347", "X506642", "X633005", "X736662", "X829995",
        "X947165", "Y260813", "Y440148", "Y449960", "Y609230", "Y630888"]
    frame_ids = [drawn.ids[k] for k in range(len(drawn.ids))]
    assert {r["case_id"] for r in drawn.rows()} == oracle(frame_ids, drawn.strata, [()] * len(frame_ids), 33, "2022")


def test_same_seed_same_sample_and_another_seed_another(cli):
    args = ["sample", CASELOAD, "--size", "20", "--stratify", "Sentence type", "--within", "Team", "--format", "csv"]
    a, b, c = cli(*args, "--seed", "x").out, cli(*args, "--seed", "x").out, cli(*args, "--seed", "y").out
    assert a == b and a != c


def test_confidence_and_margin_written_either_way(cli):
    runs = [cli("sample", CASELOAD, "--confidence", conf, "--margin", margin, "--seed", "1", "--format", "json")
            for conf, margin in (("80", "10"), ("0.8", "0.10"), ("80", "0.1"))]
    assert all(r.code == 0 for r in runs)
    outputs = [{k: v for k, v in r.json().items() if k != "command"} for r in runs]
    assert outputs[0] == outputs[1] == outputs[2]
    size = runs[0].json()["size"]
    # n0 = 1.2816^2 x 0.25 / 0.01 = 41.06; 41.06 / (1 + 40.06 / 198) = 34.15, rounded up
    assert size["n"] == 35 and size["population"] == 198 and "n0 = z^2 p(1-p) / e^2" in size["formula"]


@pytest.mark.parametrize("args,code,message", [
    (["--size", "500"], 2, "a sample of 500 cases was asked for, but only 198 cases are eligible"),
    (["--size", "5", "--stratify", "Sentance type"], 2, "--stratify 'Sentance type': "),
    (["--size", "5", "--within", "Teams"], 2, "nearest: 'Team'"),
    ([], 2, "say how many cases: either --size N, or both --confidence and --margin"),
    (["--size", "5", "--margin", "10"], 2, "either --size N, or both --confidence and --margin"),
    (["--size", "5", "--max-per", "Officer"], 2, "--max-per 'Officer': write it as COL=K"),
    (["--size", "5", "--reserve", "lots"], 2, "--reserve 'lots'"),
    (["--size", "5", "--started", "2022-02-25..2022-01-24"], 2, "the window ends before it starts"),
    (["--size", "5", "--where", "Gender=Other"], 2, "no eligible cases"),
    (["--size", "5", "--format", "markdown"], 2, "must be one of table, json, csv"),
])
def test_bad_requests_are_named(cli, args, code, message):
    run = cli("sample", CASELOAD, *args)
    assert run.code == code, run.err
    assert message in " ".join(run.err.split())


def test_strata_values_may_hold_the_separator(cli, tmp_path):
    rows = [["A1", "2022-01-24", "Community / SSO"], ["A2", "2022-01-24", "Licence"], ["A3", "2022-01-25", "Licence"]]
    path = write_caseload(tmp_path / "c.csv", rows)
    run = cli("sample", path, "--size", "2", "--stratify", "Sentence type", "--seed", "1", "--format", "json")
    assert run.code == 0, run.err
    assert {s["stratum"]: s["values"] for s in run.json()["strata"]} == {
        "Community / SSO": {"Sentence type": "Community / SSO"}, "Licence": {"Sentence type": "Licence"}}
    path = write_caseload(tmp_path / "d.csv", [["B1", "A / B", "C"], ["B2", "A", "B / C"]], header=("CRN", "X", "Y"))
    run = cli("sample", path, "--size", "2", "--stratify", "X", "--stratify", "Y")
    assert run.code == 2 and "would both be called 'A / B / C'" in run.err
    run = cli("sample", path, "--size", "2", "--within", "X", "--within", "x")
    assert run.code == 2 and "--within 'X': the same column given twice" in run.err


def test_empty_caseload_and_missing_file(cli, tmp_path):
    path = write_caseload(tmp_path / "empty.csv", [])
    run = cli("sample", path, "--size", "1")
    assert run.code == 3 and "no cases" in run.err
    assert cli("sample", tmp_path / "nope.csv", "--size", "1").code == 3
    (tmp_path / "noid.csv").write_text("Name,Team\nA,B\n")
    run = cli("sample", tmp_path / "noid.csv", "--size", "1")
    assert run.code == 3 and "case id" in run.err


def test_rows_that_are_not_cases_are_named_and_not_counted(cli, tmp_path):
    path = write_caseload(tmp_path / "c.csv", [["A1", "2022-01-24", "C"], ["", "2022-01-25", "C"],
                                               ["A2", "2022-01-26", "C"], ["Total", "", "2"]])
    run = cli("sample", path, "--size", "2", "--seed", "1", "--format", "json")
    assert run.code == 0
    assert run.json()["eligibility"]["cases"] == 2
    assert [r["row"] for r in run.json()["eligibility"]["not_cases"]] == [3, 5]
    assert "2 row(s) are not cases" in run.err


def test_a_filter_value_no_case_has_is_warned(cli):
    run = cli("sample", CASELOAD, "--size", "5", "--exclude", "Sensitive=Y", "--seed", "1", "--format", "csv")
    assert run.code == 0 and "no case has 'Sensitive' = 'Y' (values present: '(blank)', 'Yes')" in run.err


def test_json_agrees_with_the_library(cli):
    run = cli("sample", CASELOAD, "--size", "12", "--stratify", "Sentence type", "--within", "Team",
              "--reserve", "2", "--seed", "abc", "--format", "json")
    drawn = api.draw_sample(str(CASELOAD), api.SampleSpec(size=12, seed="abc", stratify=("Sentence type",),
                                                          within=("Team",), reserve=sampling.Reserve(count=2)))
    out = run.json()
    assert out["cases"] == drawn.rows()
    assert [s["picked"] for s in out["strata"]] == [s.picked for s in drawn.sample.strata]
    assert sum(1 for r in out["cases"] if r["reserve"]) == 4


def test_csv_output_is_safe_from_formula_injection(cli, tmp_path):
    path = write_caseload(tmp_path / "c.csv", [["=HYPERLINK(\"x\")", "2022-01-24", "+Team"], ["A2", "2022-01-24", "C"]])
    run = cli("sample", path, "--size", "2", "--stratify", "Sentence type", "--seed", "1", "--format", "csv")
    assert run.code == 0
    assert "'=HYPERLINK" in run.out and "'+Team" in run.out


def test_stdin(cli):
    run = cli("sample", "-", "--size", "33", "--stratify", "Sentence type", "--seed", "2022", "--format", "json",
              stdin=CASELOAD.read_bytes())
    assert run.code == 0 and len(run.json()["cases"]) == 33


# --- the marking workbook ------------------------------------------------------------------


def draw_workbook(cli, tmp_path, *extra):
    out = tmp_path / "marking.xlsx"
    run = cli("sample", CASELOAD, "--size", "33", "--stratify", "Sentence type", "--within", "Team",
              "--max-per", "Officer=6", "--reserve", "20%", *FULL, "--seed", "2022", "-o", out, *extra)
    assert run.code == 0, run.err
    return out, run


def test_workbook_holds_the_sample_and_checks_as_only_unmarked(cli, tmp_path):
    from openpyxl import load_workbook

    out, run = draw_workbook(cli, tmp_path)
    assert f"wrote {out}: 6 sheet(s), 33 case(s)" in run.err
    wb = load_workbook(out)
    assert wb.sheetnames == ["Cases", "Ratings", "Inspection", "Guide", "Reserves", "Sample"]
    header = [c.value for c in wb["Cases"][1]]
    assert header[:9] == ["Case ID", "Sentence type", "Age group", "Gender", "Risk of serious harm",
                          "Victim identified", "Team", "Officer", "Start date"]
    assert not {"PNC", "Surname", "First name", "Date of birth", "Sensitive"} & set(header)  # personal data stays out
    ids = [r[0] for r in wb["Cases"].iter_rows(min_row=2, values_only=True)]
    assert len(ids) == 33 == len(set(ids))
    types = Counter(r[1] for r in wb["Cases"].iter_rows(min_row=2, values_only=True))
    assert types == {"Community": 23, "Licence": 10}  # fills the template's own Sentence type column
    check = cli("check", out, "--format", "json")
    assert check.code == 1
    assert {p["kind"] for p in check.json()["problems"]} == {"not-marked"}
    reserves = list(wb["Reserves"].iter_rows(values_only=True))
    assert reserves[0][:3] == ("Reserve", "Case ID", "Stratum") and len(reserves) - 1 == 5 + 2
    assert not {r[1] for r in reserves[1:]} & set(ids)
    sample = {r[0]: r[1] for r in wb["Sample"].iter_rows(values_only=True) if r and r[0]}
    assert sample["Seed"] == "2022"
    assert sample["Caseload SHA-256"] == hashlib.sha256(CASELOAD.read_bytes()).hexdigest()


def test_the_recorded_command_draws_the_same_sample_again(cli, tmp_path):
    from openpyxl import load_workbook

    out, _ = draw_workbook(cli, tmp_path)
    command = {r[0]: r[1] for r in load_workbook(out)["Sample"].iter_rows(values_only=True) if r and r[0]}["Command"]
    args = shlex.split(command)
    assert args[:2] == ["casescore", "sample"]
    again = tmp_path / "again.xlsx"
    args[args.index("-o") + 1] = str(again)
    assert cli(*args[1:]).code == 0
    first = [r[0] for r in load_workbook(out)["Cases"].iter_rows(min_row=2, values_only=True)]
    assert first == [r[0] for r in load_workbook(again)["Cases"].iter_rows(min_row=2, values_only=True)]


def test_a_generated_seed_is_written_into_the_command(cli, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "m.xlsx"
    run = cli("sample", CASELOAD, "--size", "5", "-o", out)
    assert run.code == 0
    command = {r[0]: r[1] for r in load_workbook(out)["Sample"].iter_rows(values_only=True) if r and r[0]}["Command"]
    seed = shlex.split(command)[shlex.split(command).index("--seed") + 1]
    assert f"give --seed {seed}" in run.err


def test_carry_adds_a_column_and_person_keys_only_when_carried(cli, tmp_path):
    from openpyxl import load_workbook

    out, _ = draw_workbook(cli, tmp_path, "--carry", "PNC", "--carry", "risk of serious harm")
    header = [c.value for c in load_workbook(out)["Cases"][1]]
    assert "PNC" in header and header.count("Risk of serious harm") == 1  # fills the template's column
    assert "Surname" not in header


def test_filled_in_workbook_rates(cli, tmp_path):
    from openpyxl import load_workbook

    out, _ = draw_workbook(cli, tmp_path)
    wb = load_workbook(out)
    ws = wb["Cases"]
    first_question = next(j for j, c in enumerate(ws[1], start=1) if c.value and c.value[0].isdigit())
    for row in ws.iter_rows(min_row=2, min_col=first_question):
        for cell in row:
            cell.value = random.Random(cell.coordinate).choice(["Yes", "No"])
    wb.save(out)
    run = cli("rate", out, "--format", "json", "--rating", "1.1=good", "--rating", "1.2=good", "--rating", "1.3=good",
              "--rating", "1.4=good")
    assert run.code == 0, run.err
    assert run.json()["cases"] == 33


def test_workbook_to_stdout_puts_the_report_on_stderr(cli, tmp_path):
    import subprocess
    import sys
    import zipfile

    proc = subprocess.run([sys.executable, "-m", "casescore", "sample", str(CASELOAD), "--size", "5", "--seed", "1",
                           "-o", "-"], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert "Cases" in zipfile.ZipFile(io.BytesIO(proc.stdout)).read("xl/workbook.xml").decode()
    assert b"Strata" in proc.stderr
    run = cli("sample", CASELOAD, "--size", "5", "--seed", "1", "-o", "-", "--format", "json")
    assert run.code == 2 and "cannot go there too" in run.err


def test_an_existing_output_is_not_replaced_without_force(cli, tmp_path):
    out, _ = draw_workbook(cli, tmp_path)
    before = out.read_bytes()
    run = cli("sample", CASELOAD, "--size", "5", "--seed", "1", "-o", out)
    assert run.code == 2 and "already exists" in run.err and out.read_bytes() == before
    run = cli("sample", CASELOAD, "--size", "5", "--seed", "1", "-o", CASELOAD)
    assert run.code == 2
