"""How far a marking has got during fieldwork: pure counts, no files, no printing.

An answer cell is filled in when it holds Yes, No or N/A; blank means not yet marked. A cell holding
anything else is counted apart (invalid): it is neither done nor waiting, it needs correcting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from casescore import answers, scoring
from casescore.framework import Framework, KeyQuestion, Standard
from casescore.marking import Marking

READY, NOT_YET, NOT_ASSESSED, REPORTED = "ready", "not yet", "not assessed", "reported"


@dataclass(frozen=True)
class Filled:
    """Answer cells filled in, of all there are."""

    filled: int = 0
    total: int = 0
    invalid: int = 0  # holding something that is not Yes, No or N/A

    @classmethod
    def of(cls, codes: np.ndarray) -> Filled:
        return cls(int((codes > 0).sum()), int(codes.size), int((codes == answers.INVALID).sum()))

    @property
    def share(self) -> float | None:
        return self.filled / self.total if self.total else None

    @property
    def blank(self) -> int:
        return self.total - self.filled - self.invalid


@dataclass(frozen=True)
class Cases:
    """Cases by how much of them is marked."""

    full: int = 0  # every answer filled in
    partly: int = 0
    not_started: int = 0  # nothing filled in (an invalid cell counts as started)

    @classmethod
    def of(cls, codes: np.ndarray) -> Cases:
        """codes: cases x answer columns."""
        if codes.shape[1] == 0:
            return cls()  # nothing to mark (a judgement standard, or no question columns)
        full = int((codes > 0).all(axis=1).sum())
        not_started = int((codes == answers.BLANK).all(axis=1).sum())
        return cls(full, codes.shape[0] - full - not_started, not_started)

    @property
    def total(self) -> int:
        return self.full + self.partly + self.not_started


@dataclass(frozen=True)
class QuestionProgress:
    question: KeyQuestion
    answers: Filled  # the key question's own column
    prompts: Filled  # its prompts' columns together (total 0 when the marking has none)


@dataclass(frozen=True)
class StandardProgress:
    standard: Standard
    answers: Filled  # every column of the standard, key questions and prompts
    cases: Cases
    key_questions: tuple[QuestionProgress, ...]
    status: str  # READY | NOT_YET | NOT_ASSESSED | REPORTED
    note: str  # why, in words


@dataclass(frozen=True)
class GroupProgress:
    """The same counts for the cases with one value of an attribute (a marker, a team)."""

    value: str
    cases: Cases
    answers: Filled
    standards: dict[str, Filled]  # standard id -> its answers in this group's cases


@dataclass
class Progress:
    framework: Framework
    source: str
    title: str
    cases: Cases
    answers: Filled
    standards: list[StandardProgress]
    by: dict[str, list[GroupProgress]]  # attribute -> one entry per value
    rating: scoring.Result | None  # the rating if it were rated now (provisional while anything is blank)
    rating_note: str  # what the rating rests on, or why there is none
    problems: int  # problems other than unmarked answers (they stop a rating)
    warnings: list[str] = field(default_factory=list)

    @property
    def not_ready(self) -> list[StandardProgress]:
        """The standards that cannot be rated yet."""
        return [s for s in self.standards if s.status == NOT_YET]


def measure(framework: Framework, marking: Marking, groupings: Sequence[scoring.Grouping] = (),
            judgements: dict[str, str] | None = None) -> Progress:
    """Count what is marked in a marking, overall, per standard and key question, and per group."""
    judgements = marking.judgements if judgements is None else judgements
    columns = [qid for qid in framework.question_ids() if qid in marking.answers]
    codes = _matrix(marking, columns)
    standards = [_standard(std, marking, judgements) for std in framework.standards]
    by = {g.attribute: _groups(framework, marking, codes, g) for g in groupings}
    rating, note = _rating(framework, marking, judgements)
    problems = len(marking.blocking(partial=True))
    progress = Progress(framework, marking.source, marking.title, Cases.of(codes), Filled.of(codes), standards, by,
                        rating, note, problems)
    progress.warnings = _warnings(progress)
    return progress


def _matrix(marking: Marking, columns: Sequence[str], rows: np.ndarray | None = None) -> np.ndarray:
    """Cases x columns of answer codes (all cases, or the rows given)."""
    if not columns:
        return np.zeros((marking.cases if rows is None else len(rows), 0), dtype=np.int8)
    stacked = np.stack([marking.answers[c] for c in columns], axis=1)
    return stacked if rows is None else stacked[rows]


def _standard_columns(std: Standard, marking: Marking) -> list[str]:
    return [q.id for kq in std.key_questions for q in [kq, *kq.prompts] if q.id in marking.answers]


def _standard(std: Standard, marking: Marking, judgements: dict[str, str]) -> StandardProgress:
    codes = _matrix(marking, _standard_columns(std, marking))
    kqs = tuple(_key_question(kq, marking) for kq in std.key_questions if kq.id in marking.answers)
    status, note = _status(std, kqs, judgements)
    return StandardProgress(std, Filled.of(codes), Cases.of(codes), kqs, status, note)


def _key_question(kq: KeyQuestion, marking: Marking) -> QuestionProgress:
    prompts = _matrix(marking, [p.id for p in kq.prompts if p.id in marking.answers])
    return QuestionProgress(kq, Filled.of(marking.answers[kq.id]), Filled.of(prompts))


def _status(std: Standard, kqs: tuple[QuestionProgress, ...], judgements: dict[str, str]) -> tuple[str, str]:
    """Whether a standard can be rated now, and why not."""
    if std.method == "judgement":
        rating = judgements.get(std.id)
        return (READY, f"judgement: {rating}") if rating else (NOT_YET, "no judgement rating given yet")
    if not kqs:
        return NOT_ASSESSED, "no columns in the marking"
    waiting = sum(q.answers.blank for q in kqs)
    invalid = sum(q.answers.invalid for q in kqs)
    if std.method == "unrated":
        return REPORTED, "not rated"
    if waiting or invalid:
        parts = [f"{waiting} key question answer(s) not marked"] if waiting else []
        parts += [f"{invalid} not Yes, No or N/A"] if invalid else []
        return NOT_YET, "; ".join(parts)
    return READY, "every key question answered"


def _groups(framework: Framework, marking: Marking, codes: np.ndarray,
            grouping: scoring.Grouping) -> list[GroupProgress]:
    out = []
    for k, value in enumerate(grouping.labels):
        rows = np.flatnonzero(grouping.index == k)
        per_standard = {std.id: Filled.of(_matrix(marking, _standard_columns(std, marking), rows))
                        for std in framework.standards if _standard_columns(std, marking)}
        out.append(GroupProgress(value, Cases.of(codes[rows]), Filled.of(codes[rows]), per_standard))
    return out


def _rating(framework: Framework, marking: Marking, judgements: dict[str, str]) -> tuple[scoring.Result | None, str]:
    """The rating if the marking were rated now, leaving unmarked answers and unstarted cases out."""
    problems = marking.blocking(partial=True)
    if problems:
        return None, f"no rating: the marking has {len(problems)} problem(s) besides unmarked answers"
    marked = marking.marked_only()
    if not marked.cases or not marked.answers:
        return None, "no rating: nothing is marked yet"
    blank = sum(int((c == answers.BLANK).sum()) for c in marked.answers.values())
    left_out = marking.cases - marked.cases
    options = scoring.Options(provisional=bool(blank or left_out), not_marked_cases=left_out)
    result = scoring.rate(framework, marked.answers, marked.cases, judgements, options)
    if not result.provisional:
        return result, f"every answer is marked: this is the rating of all {marked.cases} cases"
    missing = []
    if blank:
        missing.append(f"{blank} unmarked answer(s)")
    if left_out:
        missing.append(f"{left_out} case(s) not started")
    left = " and ".join(missing)
    return result, f"PROVISIONAL: rated on the {marked.cases} case(s) marked so far, leaving out {left}"


def _warnings(progress: Progress) -> list[str]:
    out = []
    invalid = progress.answers.invalid
    if invalid:
        out.append(f"{invalid} answer cell(s) hold something other than Yes, No or N/A")
    if progress.problems:
        out.append(f"{progress.problems} problem(s) besides unmarked answers stop a rating")
    if not progress.answers.total:
        out.append("the marking has no question columns")
    return out
