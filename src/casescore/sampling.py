"""Drawing a case sample: how many cases, how they are shared out, and which ones.

Pure maths over case ids and the groups each case belongs to: no files, no printing.

- **Size**: given, or the number that estimates a proportion to within a margin at a confidence
  level (worst case p = 0.5), corrected for a finite list: n0 = z^2 p(1-p) / e^2,
  n = n0 / (1 + (n0 - 1) / N), rounded up.
- **Strata**: each stratum's share of the sample is its share of the list, rounded by largest
  remainder (Hamilton's method) in exact integer arithmetic, so the total is exact and no stratum
  is more than one case from its quota. Ties in the remainder go to the larger stratum, then to
  the stratum first in order. When the sample is at least as large as the number of strata, a
  stratum whose share rounds to nothing is lifted to one case and the others share what is left.
- **Nested levels** (e.g. team, then officer): the same proportional split inside every group.
- **Limits** (at most K cases from one officer, across the whole sample): a group's share above
  what it can give moves to the other groups of the same parent, one case at a time to the group
  with the fewest allotted (ties: the one with more cases, then first in order). Whatever cannot
  be placed inside the stratum is a shortfall, reported, never moved to another stratum. A blank
  value is not limited (it is not one officer).
- **Which cases**: each case's key is the SHA-256 digest of the seed, the character U+001F and the
  case id (UTF-8); every group takes its cases with the lowest keys. The key depends only on the
  seed and the id, so the same list and seed give the same sample on any machine and version.
- **Reserves**: drawn per stratum after every stratum's sample, the same way, from the cases left
  (limits counting the sample and the reserves together), and ordered by key.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from statistics import NormalDist

from casescore.errors import UsageError

WORST_CASE_P = Fraction(1, 2)
KEY_SEPARATOR = "\x1f"  # between seed and id, so that seed 'a1' + id '2' never equals seed 'a' + id '12'
BLANK = "(blank)"
SELECTION = ("each case's key is the SHA-256 digest of the seed, the character U+001F and the case id (UTF-8); "
             "every group takes its cases with the lowest keys (the same seed and list give the same sample)")


# --- size ----------------------------------------------------------------------------------


def as_share(value: float, what: str) -> float:
    """A level written either way: 80 and 0.8 both mean 80% (a value of 1 or more is a percentage)."""
    share = value / 100 if value >= 1 else value
    if not 0 < share < 1:
        raise UsageError(f"{what} {value:g}: give a share between 0 and 1 (0.8) or a percentage below 100 (80)")
    return share


@dataclass(frozen=True)
class SizeCalculation:
    """The sample size for a margin of error at a confidence level, and how it was reached."""

    confidence: float  # a share: 0.8 for 80%
    margin: float  # a share: 0.1 for ten percentage points
    population: int  # N: the eligible cases
    z: float
    n0: float  # before the finite-population correction
    exact: float  # after it, before rounding up
    n: int

    def formula(self) -> str:
        return (f"n0 = z^2 p(1-p) / e^2 = {self.z:.4f}^2 x 0.25 / {self.margin:g}^2 = {self.n0:.2f}; "
                f"n = n0 / (1 + (n0 - 1) / N) = {self.n0:.2f} / (1 + {self.n0 - 1:.2f} / {self.population}) "
                f"= {self.exact:.2f}, rounded up to {self.n} "
                f"(confidence {self.confidence * 100:g}%, margin {self.margin * 100:g} points, p = 0.5, "
                f"N = {self.population})")


def size_for(confidence: float, margin: float, population: int) -> SizeCalculation:
    """Cases needed to estimate a proportion to within `margin` at `confidence`, from `population` cases."""
    if population < 1:
        raise UsageError("no eligible cases to size a sample from")
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = float(WORST_CASE_P)
    n0 = z * z * p * (1 - p) / (margin * margin)
    exact = n0 / (1 + (n0 - 1) / population)
    # A hair below an integer is that integer: 31.000000000004 must not become 32.
    n = min(population, max(1, math.ceil(exact - 1e-9)))
    return SizeCalculation(confidence, margin, population, z, n0, exact, n)


# --- allocation ----------------------------------------------------------------------------


def largest_remainder(count: int, sizes: Sequence[int]) -> list[int]:
    """Share `count` among groups in proportion to their sizes: floors, then one more case to each of
    the largest remainders (ties: the larger group, then the earlier). Exact: integers, no floats."""
    total = sum(sizes)
    if count > total:
        raise ValueError(f"cannot share {count} among {total}")
    if total == 0:
        return [0] * len(sizes)
    shares = [count * s // total for s in sizes]
    remainders = [count * s % total for s in sizes]
    order = sorted(range(len(sizes)), key=lambda i: (-remainders[i], -sizes[i], i))
    for i in order[: count - sum(shares)]:
        shares[i] += 1
    return shares


def allocate_strata(count: int, sizes: Sequence[int], at_least_one: bool = True) -> tuple[list[int], list[int]]:
    """Largest remainder, and (when `count` allows) at least one case for every non-empty stratum.

    Returns the allocation and the strata lifted to one case. A lifted stratum is fixed at one and
    the rest share what is left, again by largest remainder; repeated until none rounds to nothing."""
    nonempty = [i for i, s in enumerate(sizes) if s]
    if not at_least_one or count < len(nonempty):
        return largest_remainder(count, sizes), []
    lifted: list[int] = []
    while True:
        free = [i for i in nonempty if i not in lifted]
        shares = largest_remainder(count - len(lifted), [sizes[i] for i in free])
        zeros = [i for i, share in zip(free, shares, strict=True) if share == 0]
        if not zeros:
            break
        lifted += zeros
    out = [0] * len(sizes)
    for i, share in zip(free, shares, strict=True):
        out[i] = share
    for i in lifted:
        out[i] = 1
    return out, sorted(lifted)


def quotas(count: int, sizes: Sequence[int]) -> list[Fraction]:
    """Each group's exact proportional share of `count`."""
    total = sum(sizes)
    return [Fraction(count * s, total) if total else Fraction(0) for s in sizes]


# --- the design and the result -------------------------------------------------------------


@dataclass(frozen=True)
class Reserve:
    """Reserve cases per stratum: a percentage of the stratum's sample (rounded up), or a number."""

    percent: Fraction | None = None
    count: int | None = None

    def wanted(self, picked: int) -> int:
        if self.count is not None:
            return self.count
        # Rounded up: a 20% buffer on a stratum of 3 is one reserve, not none.
        return math.ceil(picked * (self.percent or 0) / 100)

    def __str__(self) -> str:
        return f"{self.count} per stratum" if self.count is not None else f"{self.percent}% of each stratum's sample"


@dataclass(frozen=True)
class Frame:
    """The eligible cases as the draw sees them, one entry per case in each sequence."""

    ids: Sequence[str]
    strata: Sequence[str]  # the stratum of each case
    paths: Sequence[tuple[str, ...]]  # each case's value at every nested level ('' when blank)


@dataclass(frozen=True)
class Design:
    size: int
    seed: str
    levels: tuple[str, ...] = ()  # names of the nested levels inside a stratum, outermost first
    limits: tuple[tuple[str, int], ...] = ()  # (level name, most cases from one value of it)
    reserve: Reserve | None = None
    at_least_one: bool = True


@dataclass
class GroupResult:
    """One group at one nested level of one stratum."""

    stratum: str
    level: str
    path: tuple[str, ...]  # values from the outermost level down to this group
    available: int
    parent_available: int
    parent_allotted: int  # what the parent group shared out
    allotted: int  # this group's share, after rounding and limits
    picked: int = 0
    parent_picked: int = 0

    @property
    def quota(self) -> Fraction:
        """The exact proportional share of the parent's allotment."""
        return Fraction(self.parent_allotted * self.available, self.parent_available)


@dataclass
class StratumResult:
    label: str
    available: int
    quota: Fraction
    allotted: int  # after rounding and the at-least-one rule
    picked: int = 0
    lifted: bool = False
    reserves_wanted: int = 0
    reserves: int = 0


@dataclass(frozen=True)
class Adjustment:
    kind: str  # rounding, at-least-one, none-for-some, limit, shortfall, reserve-shortfall
    where: str
    message: str


@dataclass
class Sample:
    design: Design
    population: int
    chosen: list[int]  # indices into the frame: stratum by stratum, lowest key first
    reserves: list[tuple[int, int]]  # (index into the frame, order within its stratum from 1)
    strata: list[StratumResult]
    groups: list[GroupResult]
    adjustments: list[Adjustment] = field(default_factory=list)

    @property
    def shortfall(self) -> int:
        return self.design.size - len(self.chosen)


def case_key(seed: str, case_id: str) -> bytes:
    return hashlib.sha256(f"{seed}{KEY_SEPARATOR}{case_id}".encode()).digest()


# --- the draw ------------------------------------------------------------------------------


def draw(frame: Frame, design: Design) -> Sample:
    """Draw the sample (and reserves) from the eligible cases in `frame`."""
    n = len(frame.ids)
    if n == 0:
        raise UsageError("no eligible cases to sample from")
    if design.size > n:
        raise UsageError(f"a sample of {design.size} cases was asked for, but only {n} cases are eligible")
    if design.size < 1:
        raise UsageError(f"a sample of {design.size} cases: ask for at least one")
    keys = [case_key(design.seed, i) for i in frame.ids]
    by_stratum: dict[str, list[int]] = {}
    for i in sorted(range(n), key=keys.__getitem__):  # lowest key first in every list built from this
        by_stratum.setdefault(frame.strata[i], []).append(i)
    labels = sorted(by_stratum)
    sizes = [len(by_stratum[s]) for s in labels]
    shares, lifted = allocate_strata(design.size, sizes, design.at_least_one)
    rows = zip(labels, sizes, quotas(design.size, sizes), shares, strict=True)
    strata = [StratumResult(s, size, q, a, lifted=i in lifted) for i, (s, size, q, a) in enumerate(rows)]
    sample = Sample(design, n, [], [], strata, [], _allocation_notes(design, strata))
    filler = _Filler(design)
    trees = {st.label: _tree(by_stratum[st.label], frame.paths, len(design.levels)) for st in strata}
    for st in strata:
        chosen = filler.fill(trees[st.label], st.allotted, st.label, sample.groups)
        st.picked = len(chosen)
        sample.chosen += chosen
    sample.adjustments += filler.notes
    sample.adjustments += [Adjustment("shortfall", st.label, f"{st.picked} of {st.allotted} cases taken: the "
                                      "limits leave no more cases in this stratum")
                           for st in strata if st.picked < st.allotted]
    if design.reserve is not None:
        rank = {i: k for cases in by_stratum.values() for k, i in enumerate(cases)}
        _draw_reserves(sample, filler, trees, rank)
    return sample


def _allocation_notes(design: Design, strata: list[StratumResult]) -> list[Adjustment]:
    notes = []
    for st in strata:
        if st.lifted:
            notes.append(Adjustment("at-least-one", st.label, f"quota {float(st.quota):.2f} lifted to 1, so that "
                                    "every stratum is in the sample (the other strata share the rest)"))
        elif st.quota.denominator != 1:
            way = "up" if st.allotted > st.quota else "down"
            notes.append(Adjustment("rounding", st.label, f"quota {float(st.quota):.2f} rounded {way} to "
                                    f"{st.allotted} (largest remainder)"))
    empty = [st.label for st in strata if st.allotted == 0]
    if empty and design.size < len(strata):
        notes.append(Adjustment("none-for-some", ", ".join(empty), f"{len(empty)} stratum(s) get no case: the sample "
                                f"({design.size}) is smaller than the number of strata ({len(strata)})"))
    return notes


def _draw_reserves(sample: Sample, filler: _Filler, trees: dict[str, _Node], rank: dict[int, int]) -> None:
    """Reserves from what each stratum's tree has left after the sample (every leaf gave its lowest keys)."""
    reserve = sample.design.reserve
    assert reserve is not None
    for st in sample.strata:
        tree = trees[st.label]
        st.reserves_wanted = reserve.wanted(st.picked)
        chosen = filler.fill(tree, min(st.reserves_wanted, tree.size), st.label, None)
        chosen.sort(key=rank.__getitem__)
        st.reserves = len(chosen)
        sample.reserves += [(i, k) for k, i in enumerate(chosen, start=1)]
        if st.reserves < st.reserves_wanted:
            left = st.available - st.picked
            sample.adjustments.append(Adjustment(
                "reserve-shortfall", st.label, f"{st.reserves} of {st.reserves_wanted} reserves: "
                + ("no more cases in this stratum" if left < st.reserves_wanted else "the limits leave no more")))


@dataclass
class _Node:
    value: str
    depth: int  # index of the level this node is a value of; -1 for a stratum
    size: int = 0  # cases not yet taken under this node
    cases: list[int] = field(default_factory=list)  # a leaf's cases not yet taken, lowest key first
    children: list[_Node] = field(default_factory=list)  # in order of value


def _tree(cases: list[int], paths: Sequence[tuple[str, ...]], levels: int) -> _Node:
    """A stratum's cases grouped level by level. One pass over the cases (by their whole path), then
    the paths in order: a prefix shared with the previous path is the same node."""
    root = _Node("", -1, len(cases))
    if levels == 0:
        root.cases = cases
        return root
    leaves: dict[tuple[str, ...], list[int]] = {}
    for i in cases:  # each list keeps the lowest-key-first order
        leaves.setdefault(paths[i], []).append(i)
    for path in sorted(leaves):
        node = root
        for depth, value in enumerate(path):
            if not node.children or node.children[-1].value != value:
                node.children.append(_Node(value, depth))
            node = node.children[-1]
            node.size += len(leaves[path])
        node.cases = leaves[path]
    return root


class _Filler:
    """Fills groups with cases, keeping count of the limited values across the whole sample. Taken cases
    leave the tree, so that the reserves are drawn from the same tree afterwards."""

    def __init__(self, design: Design):
        self.levels = design.levels
        self.limits = {design.levels.index(name): k for name, k in design.limits}
        self.used: dict[int, Counter[str]] = {depth: Counter() for depth in self.limits}
        self.notes: list[Adjustment] = []

    def _room(self, node: _Node, cap: int) -> int:
        k = self.limits.get(node.depth)
        if k is None or node.value == "":  # a blank is not one officer: no limit
            return cap
        return max(0, min(cap, k - self.used[node.depth][node.value]))

    def capacity(self, node: _Node) -> int:
        """How many cases this node can give under every limit at or below it."""
        if not self.limits:
            return node.size
        cap = sum(map(self.capacity, node.children)) if node.children else node.size
        k = self.limits.get(node.depth)  # _room, inlined: this runs once per group of the caseload
        return cap if k is None or not node.value else max(0, min(cap, k - self.used[node.depth][node.value]))

    def fill(self, node: _Node, count: int, stratum: str, record: list[GroupResult] | None,
             path: tuple[str, ...] = ()) -> list[int]:
        if node.children:
            caps = [self.capacity(c) for c in node.children]
            # A stratum may be allotted more than its limits allow (a shortfall). Below it no group is
            # given more than it can take, unless a value appears in two groups (an officer in two
            # teams) and its room is used up in between: then this group falls short too.
            count = min(count, self._room(node, sum(caps)))
            chosen = self._split(node, count, caps, stratum, record, path)
        else:
            count = min(count, self._room(node, node.size))
            chosen, node.cases = node.cases[:count], node.cases[count:]
        node.size -= len(chosen)
        if node.depth in self.limits and node.value:
            self.used[node.depth][node.value] += len(chosen)
        return chosen

    def _split(self, node: _Node, count: int, caps: list[int], stratum: str, record: list[GroupResult] | None,
               path: tuple[str, ...]) -> list[int]:
        sizes = [c.size for c in node.children]
        shares = self._within_limits(node, largest_remainder(count, sizes), caps, stratum, path, record is not None)
        chosen: list[int] = []
        groups = []
        for child, size, share in zip(node.children, sizes, shares, strict=True):
            group = GroupResult(stratum, self.levels[child.depth], (*path, child.value), size, node.size, count, share)
            if record is not None:
                record.append(group)
            groups.append(group)
            got = self.fill(child, share, stratum, record, group.path) if share else []
            group.picked = len(got)
            chosen += got
        for group in groups:
            group.parent_picked = len(chosen)
        return chosen

    def _within_limits(self, node: _Node, shares: list[int], caps: list[int], stratum: str, path: tuple[str, ...],
                       report: bool) -> list[int]:
        """Shares cut to what each child can give; the excess to the child with the fewest, one by one."""
        over = [(i, shares[i], caps[i]) for i in range(len(shares)) if shares[i] > caps[i]]
        if not over:
            return shares
        excess = sum(s - c for _, s, c in over)
        shares = [min(s, c) for s, c in zip(shares, caps, strict=True)]
        moved: Counter[int] = Counter()
        sizes = [c.size for c in node.children]
        for _ in range(excess):
            open_ = [i for i in range(len(shares)) if shares[i] < caps[i]]
            if not open_:
                break
            i = min(open_, key=lambda j: (shares[j], -sizes[j], j))
            shares[i] += 1
            moved[i] += 1
        if report:
            self._note_limit(node, over, moved, excess, stratum, path)
        return shares

    def _note_limit(self, node: _Node, over, moved: Counter[int], excess: int, stratum: str,
                    path: tuple[str, ...]) -> None:
        level = self.levels[node.depth + 1]
        parent = f"{self.levels[node.depth]} '{_shown(node.value)}'" if node.depth >= 0 else f"stratum '{stratum}'"
        cut = ", ".join(f"{level} '{_shown(node.children[i].value)}' {share} -> {cap}" for i, share, cap in over)
        to = ", ".join(f"'{_shown(node.children[i].value)}' +{k}" for i, k in sorted(moved.items()))
        placed = sum(moved.values())
        text = f"{cut} (all it can give under the limits); {placed} moved to others in {parent}" + (
            f": {to}" if to else "") + (f"; {excess - placed} could not be placed" if placed < excess else "")
        self.notes.append(Adjustment("limit", " / ".join((stratum, *map(_shown, path))), text))


def _shown(value: str) -> str:
    return value or BLANK
