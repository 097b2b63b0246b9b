"""What a workbook cell says, as the person who typed it would read it.

fastexcel (calamine) hands every cell of a sheet back as text when asked for strings, and writes
its value types its own way: a boolean as `true`, a date as `2022-01-24 00:00:00`, a time of day
as `1899-12-31 10:30:00` (day 0 of Excel's calendar), and a formula error as no value at all,
reported on the side. This module turns those forms back into what Excel shows (`TRUE`,
`2022-01-24`, `10:30:00`, `#N/A`), so case ids, attributes and messages read as typed, and an
error never passes for an empty cell.

Excel turns typed `true` into the boolean TRUE, so lower-case `true` in a cell can only have
been a boolean: mapping it back is not a guess.
"""

from __future__ import annotations

import re

_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$")
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})$")  # ODS and t="d" cells
_DURATION = re.compile(r'DurationIso\("PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?"\)')
_TIME_OF_DAY = re.compile(r"^(?:1899-12-3[01]|1900-01-00) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$")
_BOOLEANS = {"true": "TRUE", "false": "FALSE"}

# calamine's names for Excel's error values -> what Excel displays in the cell.
ERROR_TEXT = {
    "Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!", "Num": "#NUM!",
    "Ref": "#REF!", "Value": "#VALUE!", "GettingData": "#GETTING_DATA",
}
ERROR_VALUES = frozenset(ERROR_TEXT.values()) | {"#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"}
_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")


def as_typed(text: str | None) -> str | None:
    """One cell's text from fastexcel -> the text Excel shows for it (None stays None)."""
    if text is None or len(text) > 29:  # longer than any date/time form: ordinary text
        return text
    if text in _BOOLEANS:
        return _BOOLEANS[text]
    if m := _MIDNIGHT.match(text):
        return m.group(1)
    if m := _ISO_DATETIME.match(text):
        return f"{m.group(1)} {m.group(2)}"
    if m := _TIME_OF_DAY.match(text):
        return m.group(1)
    return text


def error_text(detail: str) -> str:
    """fastexcel's description of a cell it could not give as text -> what the cell shows: a time
    (an ODS time of day is a duration to calamine) or the error as Excel shows it."""
    if d := _DURATION.search(detail):
        hours, minutes, seconds = (float(g) if g else 0.0 for g in d.groups())
        return f"{int(hours):02d}:{int(minutes):02d}:{seconds:02.0f}"
    m = _ERROR_DETAIL.search(detail)
    if m:
        return ERROR_TEXT.get(m.group(1), f"#{m.group(1).upper()}!")
    return "#ERROR!"


def is_error(text: str) -> bool:
    return text in ERROR_VALUES
