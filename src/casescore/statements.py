"""Draft evidence statements, ranked weaknesses and cohort gaps, from the figures alone.

A framework may give a key question or prompt a `statement`: what a Yes means, as a clause in the
inspectorate's register ("Assessment identified and analysed offending-related factors"). Here
it gains its figure ("... in 16 of the 33 cases inspected (48%)"). A question without a statement
gets no sentence: wording is data, never guessed. A cohort is called weaker or stronger only when
the interval of its difference from the other cases excludes zero (Newcombe), and words such as
"only" or "poor", which carry a judgement the figures do not, are never added.

Pure: no files, no printing, no HTML. How a percentage is printed is passed in, so the sentences
match the tables they sit beside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from casescore.compare import Change
from casescore.scoring import BLANK_GROUP, QuestionResult, Result, StandardResult, Tally, round_half_up, small

Percent = Callable[[Tally], str]
WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
RATED = ("case",)  # standards whose weak figures rank as areas for improvement (not unrated outcomes)


def whole_percent(tally: Tally) -> str:
    """A percentage as reports print it: a whole number, halves rounded up."""
    return "-" if tally.fraction is None else f"{round_half_up(tally.fraction)}%"


def number(n: int) -> str:
    """Numbers under ten in words, as the inspectorate writes them ("seven out of 28")."""
    return WORDS[n] if 0 <= n < len(WORDS) else f"{n:,}"


def share(yes: int, relevant: int, noun: str) -> str:
    """'16 of the 33 cases inspected', 'none of the 10 relevant cases', 'all five relevant cases'."""
    if yes == 0:
        return f"none of the {number(relevant)} {noun}"
    if yes == relevant:
        return f"all {number(relevant)} {noun}" if relevant > 1 else f"the one {noun.replace('cases', 'case')}"
    return f"{number(yes)} of the {number(relevant)} {noun}"


@dataclass(frozen=True)
class Draft:
    """One drafted sentence about the whole sample."""

    standard: str
    question: str
    text: str
    tally: Tally
    small: bool


def draft(result: Result, percent: Percent = whole_percent) -> list[Draft]:
    """A sentence for every key question and prompt that has a statement and relevant cases."""
    out = []
    for s, q in _questions(result):
        statement = q.question.statement.strip().rstrip(".")
        t = q.tally
        if not statement or not t.relevant:
            continue
        noun = "cases inspected" if t.relevant == result.cases else "relevant cases"
        text = f"{statement} in {share(t.yes, t.relevant, noun)} ({percent(t)})."
        out.append(Draft(s.standard.id, q.question.id, text, t, small(t, result.min_n)))
    return out


def _questions(result: Result, methods: tuple[str, ...] = ("case", "unrated")) -> Iterator[
        tuple[StandardResult, QuestionResult]]:
    for s in result.standards:
        if s.standard.method in methods:
            for kq in s.key_questions:
                for q in [kq, *kq.prompts]:
                    yield s, q


def weakest(result: Result, limit: int = 8) -> list[tuple[StandardResult, QuestionResult]]:
    """The prompts of rated standards with the lowest percentages (key questions when the marking has
    no prompts), leaving out those resting on fewer than min_n relevant cases; ties go to the figure
    resting on more cases."""
    pool = [(s, q) for s, q in _questions(result, RATED) if q.tally.relevant >= max(result.min_n, 1)]
    prompts = [(s, q) for s, q in pool if q.kind == "prompt"]
    chosen = prompts or pool
    chosen.sort(key=lambda sq: (sq[1].tally.fraction, -sq[1].tally.relevant, sq[1].question.id))
    return chosen[:limit]


@dataclass(frozen=True)
class Gap:
    """One attribute value's cases against all the other cases, on one question."""

    standard: StandardResult
    question: QuestionResult
    attribute: str
    value: str
    change: Change  # before = the other cases, after = this value's cases

    @property
    def group(self) -> Tally:
        return self.change.after

    @property
    def rest(self) -> Tally:
        return self.change.before

    @property
    def direction(self) -> str | None:
        """'weaker' or 'stronger' when the interval of the difference excludes zero, else None."""
        if not self.change.significant:
            return None
        return "weaker" if (self.change.points or 0) < 0 else "stronger"


def _minus(total: Tally, part: Tally) -> Tally:
    return Tally(total.yes - part.yes, total.no - part.no, total.na - part.na, total.blank - part.blank)


def gaps(result: Result, methods: tuple[str, ...] = ("case", "unrated")) -> list[Gap]:
    """Every breakdown value against the other cases, for every question with relevant cases on both
    sides. Cases with the attribute blank are never a cohort. An attribute with two values gives one
    gap per question, not its mirror image: the side that did less well."""
    out = []
    for s, q in _questions(result, methods):
        for attribute, groups in q.by.items():
            pair = len(groups) == 2
            found = [Gap(s, q, attribute, value, Change(_minus(q.tally, t), t, result.confidence))
                     for value, t in groups.items() if value != BLANK_GROUP]
            found = [g for g in found if g.group.relevant and g.rest.relevant]
            if pair and len(found) == 2:
                found = [min(found, key=lambda g: (g.change.points or 0, g.value))]
            out += found
    return out


def widest(found: list[Gap], limit: int = 8) -> list[Gap]:
    """The gaps larger than sampling variation explains, widest first."""
    sure = [g for g in found if g.direction]
    sure.sort(key=lambda g: (-abs(g.change.points or 0), g.question.question.id, g.attribute, g.value))
    return sure[:limit]


@dataclass(frozen=True)
class Cohort:
    """What the figures say about one attribute value's cases against all the others."""

    attribute: str
    value: str
    summary: str
    sentences: list[str]  # weaker first, then stronger


def cohorts(result: Result, percent: Percent = whole_percent, found: list[Gap] | None = None) -> list[Cohort]:
    """Per attribute value with at least one reliable difference: a summary over the rated key
    questions, and a sentence for each question with a statement where its cases did reliably worse
    (or better) than the others."""
    found = gaps(result) if found is None else found
    out = []
    for (attribute, value), items in _by_cohort(found).items():
        if not any(g.direction for g in items):
            continue
        sure = sorted((g for g in items if g.direction), key=lambda g: g.direction != "weaker")
        sentences = [_cohort_sentence(g, percent) for g in sure if g.question.question.statement.strip()]
        out.append(Cohort(attribute, value, _cohort_summary(items, attribute, value), sentences))
    return out


def _by_cohort(found: list[Gap]) -> dict[tuple[str, str], list[Gap]]:
    grouped: dict[tuple[str, str], list[Gap]] = {}
    for g in found:
        grouped.setdefault((g.attribute, g.value), []).append(g)
    return grouped


def _cohort_summary(items: list[Gap], attribute: str, value: str) -> str:
    kqs = [g for g in items if g.question.kind == "key question" and g.standard.standard.method in RATED]
    lower = sum((g.change.points or 0) < 0 for g in kqs)
    higher = sum((g.change.points or 0) > 0 for g in kqs)
    weaker = sum(g.direction == "weaker" for g in items)
    stronger = sum(g.direction == "stronger" for g in items)
    return (f"{value} cases ({attribute}) scored lower than the other cases on {lower} and higher on {higher} of "
            f"the {len(kqs)} rated key questions with relevant cases on both sides; reliably weaker on {weaker} and "
            f"reliably stronger on {stronger} of the {len(items)} key questions and prompts compared (reliably: "
            "the interval of the difference excludes zero).")


def _cohort_sentence(g: Gap, percent: Percent) -> str:
    statement = g.question.question.statement.strip().rstrip(".")
    group_cases = g.group.relevant + g.group.na + g.group.blank
    noun = f"{g.value} cases" if g.group.relevant == group_cases else f"relevant {g.value} cases"
    rest_cases = g.rest.relevant + g.rest.na + g.rest.blank
    other = "other cases" if g.rest.relevant == rest_cases else "other relevant cases"
    low, high = g.change.interval or (0.0, 0.0)
    return (f"Work with {g.value} cases ({g.attribute}) was {g.direction}. {statement} in "
            f"{share(g.group.yes, g.group.relevant, noun)} ({percent(g.group)}), against "
            f"{share(g.rest.yes, g.rest.relevant, other)} ({percent(g.rest)}): a difference of "
            f"{g.change.points:+.0f} percentage points ({g.change.confidence:.0%} interval {low:+.0f} to {high:+.0f}).")
