"""A caseload extract, the long list a sample is drawn from: its cases, their columns as text,
dates read as dates, and which cases are eligible.

It is read by the same reader as a marking (workbook formats, CSV, standard input, `--sheet`, the
header row found by its case id column) but without the marking rules: a caseload has no question
columns, and every other column is an attribute. Columns are factorised once, so each distinct
value (a team, an officer, a date) is looked at once, not once per case.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from casescore import answers, headers
from casescore.errors import UnreadableInput, UsageError
from casescore.marking import SUMMARY_LABEL, _id_column, factorize
from casescore.reader import Table, normalise_header, read_marking_file, visible_text

# Headers (normalised) that name when a case started, best first.
DATE_HEADERS = ("startdate", "casestartdate", "sentencedate", "releasedate", "licencestartdate", "orderstartdate",
                "commencementdate")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's phantom 29 February 1900 is before any case)
SERIALS = (18264, 73050)  # Excel serial numbers read as dates: 1950-01-01 to 2099-12-31; other numbers are errors
BLANK = "(blank)"
ACCEPTED_DATES = "a date such as 2022-01-24, 24/01/2022, 24 Jan 2022, or an Excel date"


@dataclass
class Caseload:
    table: Table
    sha256: str
    id_col: int
    rows: np.ndarray  # the table rows that are cases
    ids: np.ndarray  # each case's id as text
    not_cases: list[dict] = field(default_factory=list)  # {"row", "label", "reason"}
    _factors: dict[int, tuple[np.ndarray, list[str]]] = field(default_factory=dict, repr=False)

    @property
    def source(self) -> str:
        return self.table.source

    @property
    def id_column(self) -> str:
        return self.table.header[self.id_col]

    @property
    def cases(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> int:
        """The index of the column headed `name` (exactly, else ignoring case, spaces, _ - and .)."""
        header = self.table.header
        if name in header:
            return header.index(name)
        loose = [j for j, h in enumerate(header) if h and normalise_header(h) == normalise_header(name)]
        if loose:
            return loose[0]
        import difflib

        named = [h for h in header if h]
        near = difflib.get_close_matches(name, named, n=3, cutoff=0.6)
        hint = f"nearest: {', '.join(repr(h) for h in near)}; " if near else ""
        raise UsageError(f"{self.source}: no column named '{name}' ({hint}it has {_listed(named)})")

    def factor(self, name: str | int) -> tuple[np.ndarray, list[str]]:
        """A column as codes, one per case (-1 when blank), and its distinct values as text (whitespace
        trimmed and collapsed; two raw values may become the same text)."""
        j = name if isinstance(name, int) else self.column(name)
        if j not in self._factors:
            codes, uniques = _factor(self.table, j)
            self._factors[j] = codes[self.rows], uniques
        return self._factors[j]

    def text(self, name: str | int) -> np.ndarray:
        """Each case's value in a column as text ('' when blank)."""
        codes, uniques = self.factor(name)
        return np.array([*uniques, ""], dtype=object)[codes]

    def cell(self, name: str | int, case: int) -> str:
        j = name if isinstance(name, int) else self.column(name)
        return str(self.table.cell(j, int(self.rows[case])))  # str: a Location where reader makes one

    def dates(self, name: str) -> np.ndarray:
        """Each case's date in a column (numpy datetime64[D]; NaT when blank). A value that is not a
        date is an error naming its cell: a start date is never guessed."""
        j = self.column(name)
        codes, uniques = factorize(self.table.columns[j], adapt=self.table.sheet is not None)
        parsed = [None if answers.is_blank(u) else parse_date(answers.as_text(u)) for u in uniques]
        bad = [k for k, (u, d) in enumerate(zip(uniques, parsed, strict=True)) if d is None and not answers.is_blank(u)]
        case_codes = codes[self.rows]
        if bad:
            self._bad_dates(j, case_codes, uniques, bad)
        table = np.array([np.datetime64(d, "D") if d else np.datetime64("NaT") for d in parsed]
                         + [np.datetime64("NaT")], dtype="datetime64[D]")
        return table[case_codes]

    def _bad_dates(self, j: int, case_codes: np.ndarray, uniques: list, bad: list[int]) -> None:
        rows = np.flatnonzero(np.isin(case_codes, bad))
        first = int(rows[0])
        value = answers.shown(answers.as_text(uniques[case_codes[first]]))
        more = f" ({len(rows) - 1} more such cell(s) in the column)" if len(rows) > 1 else ""
        raise UnreadableInput(f"{self.cell(j, first)}: '{value}' in column '{self.table.header[j]}' is not a date"
                              f"{more}; accepted: {ACCEPTED_DATES} (day first: 03/02/2022 is 3 February)")


def read(path: str, sheet: str | None = None, id_column: str | None = None) -> Caseload:
    """Read a caseload extract. Unreadable input, no case id column or no cases raise UnreadableInput."""
    file = read_marking_file(path, _header_score(id_column), sheet)
    table = file.cases
    j = _id_column(table.header, id_column)
    if j is None:
        raise UnreadableInput(f"{table.where()}: no column named '{id_column}'")
    codes, uniques = _factor(table, j)
    ids = np.array([*uniques, ""], dtype=object)[codes]
    rows, not_cases = _case_rows(table, ids)
    if not len(rows):
        raise UnreadableInput(f"{table.where()}: no cases: no row below the header row has a case id")
    return Caseload(table, file.sha256, j, rows, ids[rows], not_cases)


def _header_score(id_column: str | None):
    """A row is the header when it has a case id column (a caseload has no question columns)."""

    def score(cells) -> int:
        return 2 if any(c is not None and headers.is_case_id(str(c), id_column) for c in cells) else 0

    return score


def _factor(table: Table, j: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """Column j of the table (or these rows of it) as codes per row (-1 for blank) and its distinct values
    as clean text."""
    values: Any = table.columns[j]
    if rows is not None:  # an Arrow column (a workbook's) or a numpy one (CSV)
        values = values.take(rows) if hasattr(values, "dictionary_encode") else values[rows]
    codes, uniques = factorize(values, adapt=table.sheet is not None)
    # Strip every value in one comprehension; only text with tabs, line breaks, runs of spaces or invisible
    # characters (isprintable() is False for those) gets visible_text's full treatment.
    text = [u.strip() if type(u) is str else "\t" for u in uniques]
    for k in [k for k, t in enumerate(text) if not t.isprintable() or "  " in t]:
        text[k] = _clean(uniques[k])
    blank = np.array([t == "" for t in text] + [True], dtype=bool)
    codes = np.where(blank[codes], -1, codes)  # a cell of spaces is as blank as an empty one
    return codes, text


def _clean(value) -> str:
    return visible_text(value if type(value) is str else answers.as_text(value))


def _case_rows(table: Table, ids: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """The rows that are cases, and the rows that are not (no case id, or a total or summary label)."""
    label = _summary_labels(ids)
    no_id = ids == ""
    suspects = np.flatnonzero(no_id | label)
    not_cases: list[dict] = []
    if len(suspects):
        texts = [np.array([*u, ""], dtype=object)[c] for c, u in (_factor(table, j, suspects)
                                                                 for j in range(len(table.columns)))]
        for k, i in enumerate(suspects):
            content = next((t[k] for t in texts if t[k]), "")
            if not content:
                continue  # a blank row: nothing to report
            reason = "a total or summary label" if label[i] else "no case id"
            not_cases.append({"row": table.header_row + 1 + int(i), "label": answers.shown(content, 20),
                              "reason": reason})
    return np.flatnonzero(~(no_id | label)), not_cases


def _summary_labels(ids: np.ndarray) -> np.ndarray:
    """Which ids are a total or summary label (`Total`, `% Yes`). Ids are nearly all distinct, so the
    regular expression runs in Arrow (C++), not once per case in Python."""
    if len(ids) < 1000:
        return np.array([bool(SUMMARY_LABEL.search(i)) for i in ids], dtype=bool)
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.match_substring_regex(pa.array(ids, pa.string()), SUMMARY_LABEL.pattern, ignore_case=True)
    return found.to_numpy(zero_copy_only=False).astype(bool)


def _listed(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "") if names else "no named columns"


# --- dates ---------------------------------------------------------------------------------

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME + "$")
_NAMED = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z]{3,9})\.?[\s\-/.,]*(\d{4}|\d{2})" + _TIME + "$", re.IGNORECASE)
_SERIAL = re.compile(r"^\d+(?:\.\d+)?$")
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def parse_date(text: str) -> dt.date | None:
    """A date as people and spreadsheets write it, or None.

    ISO (2022-01-24, with or without a time) always; otherwise day first, as in the UK
    (03/02/2022, 3.2.22 and 3-2-2022 are 3 February; 24 Jan 2022, 24-January-22); an Excel serial
    number (44585) between 1950 and 2099. Two-digit years are read as Excel reads them: 00-29 are
    2000-2029, 30-99 are 1930-1999. Month first (01/24/2022) is not a date: month 24 does not exist."""
    text = text.strip()
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC.match(text):
            return dt.date(_year(m[3]), int(m[2]), int(m[1]))
        if (m := _NAMED.match(text)) and m[2][:3].lower() in _MONTHS and _is_month_name(m[2]):
            return dt.date(_year(m[3]), _MONTHS[m[2][:3].lower()], int(m[1]))
    except ValueError:  # 31/02/2022, month 13
        return None
    if _SERIAL.match(text) and SERIALS[0] <= float(text) < SERIALS[1] + 1:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 30 else 1900
    return year


def _is_month_name(word: str) -> bool:
    full = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
            "november", "december"]
    word = word.lower()
    return any(m.startswith(word) for m in full) or word == "sept"


# --- eligibility ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """What makes a case eligible. Column names are as in the caseload's header row."""

    window: tuple[dt.date | None, dt.date | None] | None = None  # inclusive; None = open
    date_column: str | None = None  # when each case started
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()  # keep cases whose column holds one of the values
    exclude: tuple[tuple[str, tuple[str, ...]], ...] = ()  # drop cases whose column holds one of the values
    required: tuple[str, ...] = ()  # a case with a blank here is left out (the stratification columns)
    person_keys: tuple[tuple[str, ...], ...] = ()  # columns that together identify a person


@dataclass(frozen=True)
class Rule:
    kind: str  # window, no-date, duplicate, where, exclude, missing
    rule: str  # what it removed, in the data's words
    removed: int


@dataclass
class Eligibility:
    cases: int  # case rows in the caseload
    keep: np.ndarray  # indices of the eligible cases (into the caseload's cases), in file order
    rules: list[Rule]
    notes: list[str]  # things the user should know: a filter value that matches nothing
    dates: np.ndarray | None = None  # each case's start date, when the date column was read

    @property
    def eligible(self) -> int:
        return len(self.keep)


def date_columns(caseload: Caseload) -> list[str]:
    """Headers that look like a case's start date, best first."""
    keys = {normalise_header(h): h for h in reversed(caseload.table.header) if h}
    return [keys[k] for k in DATE_HEADERS if k in keys]


def eligible(caseload: Caseload, criteria: Criteria) -> Eligibility:
    """Apply the rules in order (window, duplicates, filters, missing values); each case is counted
    under the first rule that removes it."""
    alive = np.ones(caseload.cases, dtype=bool)
    out = Eligibility(caseload.cases, np.array([], dtype=np.intp), [], [])
    if criteria.window is not None:
        _window(caseload, criteria, alive, out)
    _duplicates(caseload, criteria, alive, out)
    for column, values in criteria.where:
        _filter(caseload, column, values, alive, out, keep=True)
    for column, values in criteria.exclude:
        _filter(caseload, column, values, alive, out, keep=False)
    for column in criteria.required:
        blank = alive & (caseload.factor(column)[0] < 0)
        alive &= ~blank
        out.rules.append(Rule("missing", f"no value in '{caseload.table.header[caseload.column(column)]}' "
                                         "(a stratification column)", int(blank.sum())))
    out.keep = np.flatnonzero(alive)
    return out


def _window(caseload: Caseload, criteria: Criteria, alive: np.ndarray, out: Eligibility) -> None:
    assert criteria.window is not None and criteria.date_column is not None
    start, end = criteria.window
    dates = out.dates = caseload.dates(criteria.date_column)
    name = caseload.table.header[caseload.column(criteria.date_column)]
    missing = np.isnat(dates)
    outside = np.zeros(len(dates), dtype=bool)
    if start is not None:
        outside |= ~missing & (dates < np.datetime64(start, "D"))
    if end is not None:
        outside |= ~missing & (dates > np.datetime64(end, "D"))
    out.rules.append(Rule("window", f"'{name}' outside {_span(start, end)}", int((alive & outside).sum())))
    out.rules.append(Rule("no-date", f"no date in '{name}'", int((alive & missing).sum())))
    alive &= ~(outside | missing)


def _span(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    return f"from {start.isoformat()}" if start else f"up to {end.isoformat()}" if end else "any date"


def _duplicates(caseload: Caseload, criteria: Criteria, alive: np.ndarray, out: Eligibility) -> None:
    """One case per person: the earliest start (else the first row) of the cases still in the list."""
    keys = [factorize(caseload.ids)[0]] + [_key_codes(caseload, cols) for cols in criteria.person_keys]
    person = _people(keys, alive)
    rows = np.flatnonzero(alive)
    same = ", or same ".join([f"'{caseload.id_column}'", *(" + ".join(f"'{c}'" for c in cols)
                                                           for cols in criteria.person_keys)])
    counts = np.bincount(person[rows], minlength=len(person))
    if not (counts > 1).any():
        out.rules.append(Rule("duplicate", f"a later case of the same person (same {same})", 0))
        return
    dates = _order_dates(caseload, criteria, out)
    day = dates[rows].astype("int64") if dates is not None else np.zeros(len(rows), dtype=np.int64)
    if dates is not None:
        day[np.isnat(dates[rows])] = np.iinfo(np.int64).max  # a case with no date is not the earliest
    order = rows[np.lexsort((rows, day, person[rows]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = person[order][1:] != person[order][:-1]
    later = order[~first]
    alive[later] = False
    how = "" if dates is not None else " (no start date column: the first row is kept)"
    out.rules.append(Rule("duplicate", f"a later case of the same person (same {same}){how}", len(later)))


def _order_dates(caseload: Caseload, criteria: Criteria, out: Eligibility) -> np.ndarray | None:
    if out.dates is not None:
        return out.dates
    column = criteria.date_column or next(iter(date_columns(caseload)), None)
    if column is None:
        return None
    out.dates = caseload.dates(column)
    return out.dates


def _key_codes(caseload: Caseload, columns: tuple[str, ...]) -> np.ndarray:
    """One code per case for the combination of these columns; -1 when any of them is blank (a
    missing PNC never makes two people one). Compared ignoring case and spacing."""
    combined = np.zeros(caseload.cases, dtype=np.int64)
    blank = np.zeros(caseload.cases, dtype=bool)
    for column in columns:
        codes, uniques = caseload.factor(column)
        blank |= codes < 0
        # uniques are clean text already (white space collapsed): folding case is all _loose would add
        folded, distinct = factorize(np.array([u.casefold() for u in uniques], dtype=object))
        codes = np.append(folded, -1)[codes]
        combined = factorize(combined * (len(distinct) + 1) + codes)[0].astype(np.int64)
    combined[blank] = -1
    return combined


def _people(keys: list[np.ndarray], alive: np.ndarray) -> np.ndarray:
    """A person number per case: cases still alive that share any key are one person (transitively)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for codes in keys:
        rows = np.flatnonzero(alive & (codes >= 0))
        ordered = rows[np.argsort(codes[rows], kind="stable")]
        same = np.flatnonzero(codes[ordered][1:] == codes[ordered][:-1])
        for k in same:  # only cases with a twin: few, so a dict-based union-find is quick
            a, b = find(int(ordered[k])), find(int(ordered[k + 1]))
            if a != b:
                parent[max(a, b)] = min(a, b)
    person = np.arange(len(alive))
    for x in list(parent):
        person[x] = find(x)
    return person


def _filter(caseload: Caseload, column: str, values: tuple[str, ...], alive: np.ndarray, out: Eligibility,
            keep: bool) -> None:
    codes, uniques = caseload.factor(column)
    name = caseload.table.header[caseload.column(column)]
    wanted = {_loose(v) for v in values}
    hit = np.array([_loose(u) in wanted for u in uniques] + [_loose("") in wanted], dtype=bool)
    match = hit[codes]
    lookup = [*uniques, ""]
    present = sorted({lookup[c] for c in np.unique(codes[alive])})
    hits = {u for u in present if _loose(u) in wanted}
    removed = alive & (~match if keep else match)
    alive &= ~removed
    shown = " or ".join(f"'{v}'" for v in values)
    rule = f"'{name}' not {shown}" if keep else f"'{name}' is {shown}"
    out.rules.append(Rule("where" if keep else "exclude", rule, int(removed.sum())))
    missing = [v for v in values if _loose(v) not in {_loose(u) for u in hits}]
    if missing:
        shown = ", ".join(f"'{u or BLANK}'" for u in present[:10]) + (" ..." if len(present) > 10 else "")
        out.notes.append(f"no case has '{name}' = {', '.join(repr(v) for v in missing)} (values present: {shown})")


def _loose(value: str) -> str:
    return " ".join(value.split()).casefold()
