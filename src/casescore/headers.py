"""What a header cell names: the case id column, a question (key question or prompt), or neither.

People write question ids many ways around the id itself: `2.2.1`, `Q2.2.1`, `KQ 2.2.1`,
`2.2.1a`, `2.2.1A`, `2.2.1(a)`, `2.2.1 (a)`, `2.2.1_a`, `[2.2.1a]`, `2.2.1.`, `2.2.1: Does
assessment...`, `2.2.1 - Does...`, with line breaks (Alt+Enter) and invisible characters (a BOM,
zero-width spaces) anywhere. All of these name the same question. A header that starts like a
question id but is not one the framework has (`2.2.10`) is reported, never taken as an attribute.
"""

from __future__ import annotations

import re

from casescore.reader import normalise_header, visible_text

# Normalised spellings (see reader.normalise_header) of the case id column's header.
# Normalised case id headers, most specific first: when a sheet has two (a CRN beside a Case ID), the
# first in this order is the case id and the other an attribute.
CASE_ID_HEADERS = ("caseid", "crn", "caseref", "casereference", "casenumber", "caseno", "casenum", "id", "case")
LONG_FORM_HEADERS = frozenset({"question", "answer"})

_PREFIX = r"(?:(?:key\s*question|question|prompt|kq|q)\s*[-_.:#]?\s*)?"
_ID = r"(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*(\d{1,3})"
# A prompt letter: straight after the id, or after one separator (space, _, -, .) and/or a bracket,
# and never the first letter of a word (`2.2.1 A plan...` is question 2.2.1, not prompt 2.2.1a).
_LETTER = (r"(?:([a-z])"  # 2.2.1a
           r"|\s*[-_.]?\s*[(\[]\s*([a-z])\s*[)\]]"  # 2.2.1(a), 2.2.1 [a]
           r"|[-_.]([a-z])"  # 2.2.1_a, 2.2.1.a
           r"|\s+([a-z])(?=\s*$|\s*[)\].:\-–—]))?")  # 2.2.1 a, 2.2.1 a) ..., not 2.2.1 A plan
_END = r"(?=$|[\s:;,.)\]\-–—_(/|])"
QUESTION = re.compile(r"^[(\[]?\s*" + _PREFIX + _ID + _LETTER + r"\s*[)\]]?" + _END, re.IGNORECASE)
# Starts like a question id, whatever follows: such a header is a question column or a mistake.
LOOKS_LIKE_QUESTION = re.compile(r"^[(\[]?\s*" + _PREFIX + r"\d{1,3}\s*\.\s*\d{1,3}\s*\.\s*\d", re.IGNORECASE)


def question_id(header: str) -> str | None:
    """The question id a header cell names ('2.2.1' or '2.2.1a'), or None."""
    text = visible_text(header)
    m = QUESTION.match(text)
    if not m:
        return None
    letter = next((g for g in m.groups()[3:] if g), "").lower()
    return f"{int(m.group(1))}.{int(m.group(2))}.{int(m.group(3))}{letter}"


_LETTER_THEN_WORD = re.compile(r"^[(\[]?\s*" + _PREFIX + _ID + r"\s+([a-z])\s+\w")  # lower case: not "A plan..."


def prompt_it_may_be(header: str) -> str | None:
    """For a header like `2.2.1 b Does it consider...`, the prompt it may mean (2.2.1b): such a header
    is read as neither the question nor the prompt without the user saying which."""
    m = _LETTER_THEN_WORD.match(visible_text(header))
    return f"{int(m.group(1))}.{int(m.group(2))}.{int(m.group(3))}{m.group(4)}" if m else None


def looks_like_question(header: str) -> bool:
    return bool(LOOKS_LIKE_QUESTION.match(visible_text(header)))


def is_case_id(header: str, id_column: str | None = None) -> bool:
    key = normalise_header(header)
    if id_column is not None:
        return key == normalise_header(id_column)
    return key in CASE_ID_HEADERS


def score(id_column: str | None = None):
    """A function rating a row as the cases header: 0 not one, 1 a case id column, 2 and questions too."""

    def rate_row(cells) -> int:
        texts = [c for c in cells if c]
        if not any(is_case_id(c, id_column) for c in texts):
            return 0
        keys = {normalise_header(c) for c in texts}
        has_questions = keys >= LONG_FORM_HEADERS or any(looks_like_question(c) for c in texts)
        return 2 if has_questions else 1

    return rate_row
