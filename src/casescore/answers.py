"""How a typed cell becomes an answer (Yes / No / N/A / not marked), and how other cells
become plain text. One place for the accepted spellings."""

from __future__ import annotations

import datetime as dt
import math

BLANK, YES, NO, NA = 0, 1, 2, 3  # answer codes, as stored in int8 arrays
INVALID = -1
NAMES = {YES: "Yes", NO: "No", NA: "N/A"}
SPELLINGS = {
    "yes": YES, "y": YES,
    "no": NO, "n": NO,
    "n/a": NA, "na": NA, "not applicable": NA,
}
ACCEPTED = "Yes, No, N/A (also Y, N, NA, Not applicable; blank = not marked)"


def spelling_key(text) -> str:
    """How a typed word is compared with the accepted spellings (answers and ratings alike): case,
    surrounding spaces and runs of white space inside do not matter."""
    return " ".join(str(text).split()).casefold()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip()
    )


def answer_code(value) -> int:
    """A raw cell value -> an answer code, INVALID for anything that is not an answer."""
    if is_blank(value):
        return BLANK
    if not isinstance(value, str):
        return INVALID  # numbers, dates, booleans: never a Yes/No/N/A
    return SPELLINGS.get(spelling_key(value), INVALID)


def as_text(value) -> str:
    """A raw cell value as the text a person typed: 1001.0 -> '1001', dates as ISO."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value).strip()


def shown(value, limit: int = 40) -> str:
    """A cell value for an error message: truncated, so case data does not spill."""
    text = as_text(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"
