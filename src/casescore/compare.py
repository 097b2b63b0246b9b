"""Compare two ratings of the same framework (a re-audit, or an audit against the inspection):
for every question in both, the change in percentage points with a Newcombe interval."""

from __future__ import annotations

from dataclasses import dataclass, field

from casescore.scoring import QuestionResult, Result, StandardResult, Tally
from casescore.stats import newcombe


@dataclass(frozen=True)
class Change:
    before: Tally
    after: Tally
    confidence: float

    @property
    def points(self) -> float | None:
        """The change in percentage points (after - before); None if either has no relevant case."""
        if self.before.percent is None or self.after.percent is None:
            return None
        return self.after.percent - self.before.percent

    @property
    def interval(self) -> tuple[float, float] | None:
        ci = newcombe(self.before.yes, self.before.relevant, self.after.yes, self.after.relevant, self.confidence)
        return None if ci is None else (100 * ci[0], 100 * ci[1])

    @property
    def significant(self) -> bool:
        """The interval excludes zero: a change unlikely to be sampling noise alone."""
        ci = self.interval
        return ci is not None and (ci[0] > 0 or ci[1] < 0)


@dataclass
class QuestionComparison:
    standard: StandardResult  # as rated after
    question: QuestionResult  # after
    change: Change
    by: dict[str, dict[str, Change]] = field(default_factory=dict)


@dataclass
class Comparison:
    before: Result
    after: Result
    questions: list[QuestionComparison]
    only_before: list[str]
    only_after: list[str]
    confidence: float


def _index(result: Result) -> dict[str, tuple[StandardResult, QuestionResult]]:
    return {q.question.id: (s, q) for s in result.standards for kq in s.key_questions for q in [kq, *kq.prompts]}


def compare(before: Result, after: Result, confidence: float = 0.95) -> Comparison:
    first, second = _index(before), _index(after)
    questions = []
    for qid, (std, q) in second.items():  # framework order
        if qid not in first:
            continue
        earlier = first[qid][1]
        by = {attr: {value: Change(earlier.by[attr][value], t, confidence)
                     for value, t in groups.items() if value in earlier.by.get(attr, {})}
              for attr, groups in q.by.items()}
        questions.append(QuestionComparison(std, q, Change(earlier.tally, q.tally, confidence), by))
    return Comparison(before, after, questions, [q for q in first if q not in second],
                      [q for q in second if q not in first], confidence)
