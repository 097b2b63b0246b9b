"""Interval estimates for small samples: Wilson score intervals for a proportion, and
Newcombe's hybrid score interval for the difference of two independent proportions.

Proportions are fractions (0-1) here; callers turn them into percent.
"""

from __future__ import annotations

import math
from statistics import NormalDist


def z_value(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson(yes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for yes/n; None when n is 0 (no cases, no estimate)."""
    if n <= 0:
        return None
    z = z_value(confidence)
    p = yes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(yes1: int, n1: int, yes2: int, n2: int,
             confidence: float = 0.95) -> tuple[float, float] | None:
    """Newcombe hybrid score interval (method 10) for p2 - p1; None if either n is 0."""
    first, second = wilson(yes1, n1, confidence), wilson(yes2, n2, confidence)
    if first is None or second is None:
        return None
    p1, p2 = yes1 / n1, yes2 / n2
    (l1, u1), (l2, u2) = first, second
    d = p2 - p1
    return d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
