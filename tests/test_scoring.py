"""The rating rules at their edges, through the pure scoring core."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from casescore import answers as A
from casescore import scoring
from casescore.framework import load


@pytest.fixture(scope="module")
def pdu():
    return load("probation-pdu-2021")


def codes(yes: int, no: int, na: int = 0, blank: int = 0) -> np.ndarray:
    return np.array([A.YES] * yes + [A.NO] * no + [A.NA] * na + [A.BLANK] * blank, dtype=np.int8)


def only_standard(framework, sid: str, kq_codes: list[np.ndarray], judgements=None):
    """Rate a marking that has one case standard; the others are absent (not assessed)."""
    std = framework.standard(sid)
    marked = {kq.id: c for kq, c in zip(std.key_questions, kq_codes, strict=True)}
    result = scoring.rate(framework, marked, len(kq_codes[0]), judgements or {})
    return result, next(s for s in result.standards if s.standard.id == sid)


@pytest.mark.parametrize("yes,relevant,band", [
    (16, 20, "Outstanding"),  # exactly 80
    (79, 100, "Good"),
    (13, 20, "Good"),  # exactly 65
    (129, 200, "Requires improvement"),  # 64.5, exact comparison
    (10, 20, "Requires improvement"),  # exactly 50
    (99, 200, "Inadequate"),  # 49.5
    (0, 5, "Inadequate"),
    (5, 5, "Outstanding"),
])
def test_bands_exact(pdu, yes, relevant, band):
    assert scoring.band(pdu, Fraction(100 * yes, relevant)) == band


def test_round_half_up():
    assert scoring.round_half_up(Fraction(129, 2)) == 65  # 64.5 -> 65, not banker's 64
    assert scoring.round_half_up(Fraction(2100, 33)) == 64  # 63.6
    assert scoring.round_half_up(Fraction(99, 2)) == 50


def test_64_5_both_ways(pdu):
    """20/31 = 64.5%: Requires improvement compared exactly, Good when rounded first; warned both ways."""
    marking = [codes(20, 11), codes(30, 1), codes(30, 1)]
    result, std = only_standard(pdu, "2.2", marking)
    assert std.rating == "Requires improvement"
    assert any("2.2.1: 64.5%" in w and "decides 2.2" in w for w in result.warnings)
    rounding = replace(pdu, rounding="half-up")
    result, std = only_standard(rounding, "2.2", marking)
    assert std.rating == "Good"
    assert any("2.2.1: 64.5%" in w for w in result.warnings)


def test_no_rounding_warning_when_bands_agree(pdu):
    result, _ = only_standard(pdu, "2.2", [codes(21, 12), codes(16, 17), codes(12, 21)])
    assert not any("rounded" in w for w in result.warnings)


def test_lowest_key_question_decides(pdu):
    _, std = only_standard(pdu, "2.3", [codes(30, 3), codes(14, 6), codes(20, 13)])
    assert std.deciding == ["2.3.3"]  # 60.6% < 70% < 90.9%
    assert std.rating == "Requires improvement" and std.points == 1


def test_na_leaves_the_denominator(pdu):
    t = scoring.Tally.of(codes(3, 1, na=6))
    assert (t.relevant, t.percent) == (4, 75.0)


def test_all_na_standard_is_not_applicable(pdu):
    result, std = only_standard(pdu, "2.2", [codes(0, 0, 5)] * 3, {s: "Good" for s in ("1.1", "1.2", "1.3", "1.4")})
    assert std.rating == "Not applicable" and std.points is None
    assert (result.score, result.max_score) == (8, 12)  # four judgement standards only


def test_absent_standard_is_not_assessed_and_warned(pdu):
    result, _ = only_standard(pdu, "2.2", [codes(5, 0)] * 3)
    court = next(s for s in result.standards if s.standard.id == "2.1")
    assert court.rating == "Not assessed" and court.points is None
    assert any(w.startswith("2.1 Court work: not in the marking") for w in result.warnings)


def test_one_key_question_all_na_does_not_count(pdu):
    result, std = only_standard(pdu, "2.2", [codes(0, 0, 4), codes(4, 0), codes(3, 1)])
    assert std.rating == "Good" and std.deciding == ["2.2.3"]
    assert any(w.startswith("2.2.1: no relevant cases") for w in result.warnings)


def test_missing_judgement_gives_no_overall(pdu):
    result, _ = only_standard(pdu, "2.2", [codes(5, 0)] * 3, {"1.1": "Good"})
    assert result.overall_rating is None
    assert (result.score, result.max_score) == (5, 6)
    assert any("1.2 Staff" in w and "1.4 Information and facilities" in w and "1.1 " not in w.split(":")[0]
               for w in result.warnings)


def test_judgement_not_applicable_leaves_the_maximum(pdu):
    judgements = {"1.1": "Good", "1.2": "Good", "1.3": "Not applicable", "1.4": "Good"}
    result, _ = only_standard(pdu, "2.2", [codes(5, 0)] * 3, judgements)
    assert (result.score, result.max_score) == (9, 12)


@pytest.mark.parametrize("max_score,table", [
    (30, [(0, 5, "Inadequate"), (6, 15, "Requires improvement"), (16, 25, "Good"), (26, 30, "Outstanding")]),
    (36, [(0, 6, "Inadequate"), (7, 18, "Requires improvement"), (19, 30, "Good"), (31, 36, "Outstanding")]),
    (27, [(0, 4, "Inadequate"), (5, 13, "Requires improvement"), (14, 22, "Good"), (23, 27, "Outstanding")]),
    (24, [(0, 4, "Inadequate"), (5, 12, "Requires improvement"), (13, 20, "Good"), (21, 24, "Outstanding")]),
])
def test_overall_bands_match_published_tables(pdu, max_score, table):
    for low, high, rating in table:
        for score in range(low, high + 1):
            assert scoring.overall_rating(pdu, score, max_score) == rating, (score, max_score)


def test_below(pdu):
    judgements = {"1.1": "Good", "1.2": "Outstanding", "1.3": "Requires improvement", "1.4": "Good"}
    result, _ = only_standard(pdu, "2.2", [codes(5, 0)] * 3, judgements)
    assert [s.standard.id for s in result.below("Good")] == ["1.3"]
    assert result.below("Requires improvement") == []


def test_masked_tally():
    c = codes(3, 2, 1)
    mask = np.array([True, False, True, True, False, True])
    assert scoring.Tally.of(c, mask) == scoring.Tally(yes=2, no=1, na=1)
