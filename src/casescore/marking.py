"""A case-marking file -> one tidy Marking: case ids, attributes, and answer codes per question.

Every problem found on the way is collected (never raised one at a time), each naming its file,
sheet and cell, so `casescore check` can list them all and `rate` can refuse with the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import SupportsIndex

import numpy as np

from casescore import answers, arrow_answers, cell_text, headers, question_text
from casescore.errors import UnreadableInput
from casescore.framework import Framework
from casescore.reader import Location, Table, column_letter, normalise_header, read_marking_file

DATE_HEADER = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00:00)?$")  # how a date-valued header cell reads
# A row whose case id cell says this is a total or a summary, not a case (`Total`, `% Yes`, `Count`).
_SUMMARY_WORDS = (r"(?:grand\s+|sub-?\s*)?totals?\b|(?:count|sum|average|mean|median|percent(?:age)?|proportion|"
                  r"overall|summary|number of|no\.? of)\b")
SUMMARY_LABEL = re.compile(rf"^(?:{_SUMMARY_WORDS})|%", re.IGNORECASE)  # one pattern, also for Arrow's regex
_SUMMARY_START = re.compile(_SUMMARY_WORDS, re.IGNORECASE)
# Text every label SUMMARY_LABEL matches holds, in some case (`no. of` for `No. of cases`): a column
# of ids in which none is found has no summary label, which a few byte searches tell.
SUMMARY_TEXT = ("total", "count", "sum", "average", "mean", "median", "percent", "proportion", "overall",
                "summary", "number of", "no of", "no. of", "%")

class Kind(StrEnum):
    """Every kind of problem a marking can have (the `kind` in check's output)."""

    NOT_MARKED = "not-marked"
    DUPLICATE_QUESTION = "duplicate-question"
    DATE_HEADER = "date-header"
    UNKNOWN_QUESTION = "unknown-question"
    NO_QUESTIONS = "no-questions"
    INVALID_ID = "invalid-id"
    MISSING_ID = "missing-id"
    DUPLICATE_ID = "duplicate-id"
    INVALID_ANSWER = "invalid-answer"
    DUPLICATE_ANSWER = "duplicate-answer"
    INVALID_STANDARD = "invalid-standard"
    INVALID_RATING = "invalid-rating"
    DUPLICATE_RATING = "duplicate-rating"
    FRAMEWORK_MISMATCH = "framework-mismatch"
    QUESTION_TEXT = "question-text"  # a header's text is another question's
    INCOMPLETE_STANDARD = "incomplete-standard"
    ORPHAN_PROMPT = "orphan-prompt"
    NO_CASES = "no-cases"
    NO_MARKED_CASES = "no-marked-cases"
    POOL_QUESTIONS = "pool-questions"  # pooled files with different question columns
    AMBIGUOUS_HEADER = "ambiguous-header"  # "2.2.1 b Does...": a question or its prompt


def _summary_label(text: str) -> bool:
    """SUMMARY_LABEL, tried only at the start (as its words are) rather than searched through every id."""
    return "%" in text or bool(_SUMMARY_START.match(text))


NOT_MARKED = Kind.NOT_MARKED  # the one problem kind a partial rating lets through


@dataclass(frozen=True)
class Problem:
    where: Location | str  # file, sheet and cell: "cases.xlsx: Cases!F7"; a case of the long form by its id
    message: str
    kind: Kind
    value: str | None = None  # the offending value, truncated
    accepted: str | None = None

    def __str__(self) -> str:
        found = f" (found '{self.value}')" if self.value is not None else ""
        accepted = f"; accepted: {self.accepted}" if self.accepted else ""
        return f"{self.where}: {self.message}{found}{accepted}"


@dataclass
class ReadReport:
    """What was read from the file and what was left out, so nothing is dropped quietly."""

    source: str
    sheet: str | None = None  # None for CSV
    header_row: int = 0
    sheet_note: str | None = None  # why this sheet, when it was not the obvious one
    id_column: str = ""
    questions: dict[str, int] = field(default_factory=dict)  # standard id -> question columns
    attributes: list[str] = field(default_factory=list)
    ignored_columns: list[dict] = field(default_factory=list)  # {"cell", "header", "reason"}
    ignored_rows: list[dict] = field(default_factory=list)  # {"row", "label", "reason"}
    unused_sheets: list[str] = field(default_factory=list)
    not_marked_cases: int = 0  # cases left out of the count because nothing was marked (partial ratings)
    framework: str = ""  # the framework read with (its label)
    framework_note: str = ""  # why that one: given, recorded in the workbook, or the default

    def notice(self) -> str | None:
        """One line naming the sheet when it was not the obvious one, and what was not used; None if nothing."""
        parts = [self.sheet_note] if self.sheet_note else []
        if self.ignored_rows:
            rows = ", ".join(str(r["row"]) for r in self.ignored_rows[:8])
            more = "..." if len(self.ignored_rows) > 8 else ""
            parts.append(f"{len(self.ignored_rows)} summary row(s) not counted as cases (row {rows}{more})")
        if self.ignored_columns:
            parts.append(f"{len(self.ignored_columns)} column(s) not used ("
                         + ", ".join(c["cell"] for c in self.ignored_columns[:8]) + ")")
        if self.not_marked_cases:
            parts.append(f"{self.not_marked_cases} case(s) with nothing marked left out")
        return f"{self.source}: " + "; ".join(parts) if parts else None


@dataclass
class Marking:
    source: str
    case_ids: list[str]
    attributes: dict[str, np.ndarray]  # attribute column -> text per case ("" when blank)
    answers: dict[str, np.ndarray]  # question id -> int8 answer codes per case
    judgements: dict[str, str] = field(default_factory=dict)  # standard id -> rating (Ratings sheet)
    inspection: dict[str, str] = field(default_factory=dict)  # Inspection sheet: field -> value
    sha256: str = ""  # of the input file
    problems: list[Problem] = field(default_factory=list)
    report: ReadReport | None = None
    framework: Framework | None = None  # the framework it was read with

    @property
    def cases(self) -> int:
        return len(self.case_ids)

    def blocking(self, partial: bool) -> list[Problem]:
        """Problems that stop a rating: all of them, or all but 'not marked' for a partial rating."""
        return [p for p in self.problems if not (partial and p.kind == NOT_MARKED)]

    @property
    def title(self) -> str:
        """What to call this marking: the Inspection sheet's name for it, else the file name."""
        return self.inspection.get("Inspection") or self.inspection.get("Name") or self.source

    @property
    def unmarked(self) -> int:
        return sum(p.kind == NOT_MARKED for p in self.problems)

    def marked_only(self) -> Marking:
        """The cases with at least one answer marked; the others are counted in the report."""
        marked = np.logical_or.reduce([c != answers.BLANK for c in self.answers.values()]) if self.answers \
            else np.zeros(self.cases, bool)
        if marked.all():
            return self
        keep = np.flatnonzero(marked)
        report = replace(self.report, not_marked_cases=self.cases - len(keep)) if self.report else None
        return replace(self, case_ids=[self.case_ids[i] for i in keep],
                       attributes={k: v[keep] for k, v in self.attributes.items()},
                       answers={k: v[keep] for k, v in self.answers.items()}, report=report)



def read(path: str, framework: Framework | None, sheet: str | None = None, id_column: str | None = None,
         progress=None) -> Marking:
    """Read and validate a marking file. Unreadable input raises; problems are collected.

    With no framework given, the one the workbook records (a `casescore template` records it on
    its Inspection sheet) is used, else the default; the report says which, and why."""
    file = read_marking_file(path, headers.score(id_column), sheet, progress,
                             plain=lambda header: _plain_columns(header, id_column))
    framework, why = _framework_for(file, framework)
    keys = {normalise_header(h) for h in file.cases.header}
    if keys >= headers.LONG_FORM_HEADERS:
        marking = _from_long(file.cases, framework, id_column)
    else:
        marking = _from_wide(file.cases, framework, id_column)
    if file.ratings is not None:
        marking.judgements = _judgements(file.ratings, framework, marking.problems)
    if file.inspection is not None:
        marking.inspection = _inspection(file.inspection)
        _check_recorded_framework(marking, framework, file.inspection)
    _check_standards(framework, file.cases, marking)
    if not marking.cases:
        marking.problems.append(Problem(file.cases.where(), "no cases: no row below the header has a case id",
                                        Kind.NO_CASES, accepted="one row per case, each with its case id"))
    marking.sha256 = file.sha256
    report = marking.report or ReadReport(file.cases.source)
    report.sheet, report.header_row = file.cases.sheet, file.cases.header_row
    report.sheet_note, report.unused_sheets = file.sheet_note, file.unused_sheets
    report.framework, report.framework_note = framework.label, why
    marking.report = report
    marking.framework = framework
    return marking


def _plain_columns(header: list[str], id_column: str | None) -> set[int]:
    """The columns of a CSV to read as plain text, not dictionary-encoded: answers (coded from their
    bytes by arrow_answers, no hashing) and the wide form's case ids (nearly all distinct)."""
    keys = [normalise_header(h) for h in header]
    if set(keys) >= headers.LONG_FORM_HEADERS:
        return {keys.index("answer")}
    ids = _id_column(header, id_column)
    plain = {j for j, h in enumerate(header) if headers.question_id(h) is not None}
    return plain if ids is None else plain | {ids}


def _framework_for(file, given: Framework | None) -> tuple[Framework, str]:
    """The framework to read a file with, and why that one."""
    from casescore.framework import builtin_ids, load

    if given is not None:
        return given, "given"
    recorded = _recorded_framework_id(file.inspection) if file.inspection is not None else ""
    if recorded in builtin_ids():
        return load(recorded), "recorded in the workbook's Inspection sheet"
    return load(), "the default; the file records none"


def _recorded_framework_id(table: Table) -> str:
    return _inspection(table).get("Framework", "").split(":")[0].strip()


# --- columns -----------------------------------------------------------------------------


PANDAS_FROM = 20_000  # cells in a column from which pandas' C factorize beats a dict (and its import pays)


def _arrow_factorize(values, adapt: bool) -> tuple[np.ndarray, list]:
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()  # one dictionary for the whole column
    if pa.types.is_dictionary(values.type):  # CSV: Arrow encoded it while parsing
        codes = _codes(values.indices)
        uniques = values.dictionary.to_pylist()
    elif len(values) < PANDAS_FROM:
        codes, uniques = factorize(values.to_pylist())
    else:
        encoded = values.dictionary_encode()
        codes = _codes(encoded.indices)
        uniques = encoded.dictionary.to_pylist()
    return codes, [cell_text.as_typed(u) for u in uniques] if adapt else uniques


def _codes(indices) -> np.ndarray:
    """Arrow dictionary indices as numpy, -1 where null. Read from the buffer when there is no null:
    pyarrow's to_numpy and fill_null import pandas (0.2 s), which a small marking need not pay."""
    if indices.null_count == 0:  # Arrow's own buffer, no copy (int32: half the memory of numpy's intp)
        data = np.frombuffer(indices.buffers()[1], dtype=indices.type.to_pandas_dtype())
        return data[indices.offset: indices.offset + len(indices)]
    return indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)


def factorize(values, adapt: bool = False) -> tuple[np.ndarray, list]:
    """Codes per cell and the distinct values; code -1 stands for a missing value (None/NaN).

    `adapt`: the values are calamine's text of workbook cells, to be shown as Excel shows them.
    A workbook column is an Arrow array of text: a long one is encoded by Arrow (no Python object
    per cell), and each distinct value is turned into what Excel shows (cell_text) once. A short
    one goes through a dict, because Arrow's compute functions import pandas (0.2 s)."""
    if hasattr(values, "dictionary_encode"):
        return _arrow_factorize(values, adapt)
    if len(values) >= PANDAS_FROM:
        import pandas as pd

        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        return codes, list(uniques)
    index: dict = {}
    # keyed by type too, so that TRUE, 1 and 1.0 stay distinct values
    codes = np.fromiter((index.setdefault(v if type(v) is str else (type(v), v), len(index)) for v in values),
                        dtype=np.intp, count=len(values))
    return codes, [k if type(k) is str else k[1] for k in index]


def _arrow_text(values) -> bool:
    """An Arrow column of text with no missing cell, as Arrow's CSV reader gives them (`string`, with
    32-bit offsets, which _may_hold reads; never `large_string` from a CSV)."""
    if not hasattr(values, "dictionary_encode") or values.null_count:
        return False
    import pyarrow as pa

    return pa.types.is_string(values.type)


def _may_hold(values, words: tuple[str, ...]) -> bool:
    """Whether a cell of an Arrow text column may hold one of the ASCII `words`, in any case. The
    cells' text is searched as one run of bytes (a word across two cells is a false alarm, never a
    miss); text with a byte outside ASCII is taken to, as its case is not ASCII's (re's IGNORECASE
    takes the long s, U+017F, for an s)."""
    import pyarrow as pa

    wanted = [w.lower().encode() for w in words]
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        offsets = np.frombuffer(chunk.buffers()[1], np.int32)[chunk.offset: chunk.offset + len(chunk) + 1]
        if offsets[-1] == offsets[0]:
            continue  # every cell empty (and there may be no text buffer)
        text = chunk.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0])).to_pybytes()
        if not text.isascii():
            return True
        text = text.lower()
        if any(w in text for w in wanted):
            return True
    return False


class _Column:
    """A raw column factorised once, when first needed: each distinct value is classified once, not
    per cell. A column of answers typed exactly (Yes, No, N/A, empty) has its codes from its bytes
    (arrow_answers), which is all a complete marking needs of it: it is factorised only if a cell's
    value is wanted (a row below the cases named as a summary row).

    In `distinct` mode (case ids) nothing is hashed: `uniques` and `texts()` hold a value per cell,
    which may repeat."""

    def __init__(self, values, typed: bool = False, distinct: bool = False):
        self._values, self._typed = values, typed
        self._distinct = distinct  # nearly every cell differs (case ids): numbered in place, not hashed
        self._texts: list[str] | None = None
        self._answers: np.ndarray | None = None
        self._exact = False  # _answers came from the bytes: every cell a token, empty or missing

    @cached_property
    def _factorized(self) -> tuple[np.ndarray, list]:
        if self._distinct and not self._typed and _arrow_text(self._values):
            # A cell per value (a value may repeat: nothing here needs them distinct): hashing 300,000
            # ids to find the few repeats took longer than handling them all.
            return np.arange(len(self._values)), self._values.to_pylist()
        return factorize(self._values, self._typed)

    @property
    def codes(self) -> np.ndarray:
        return self._factorized[0]

    @property
    def uniques(self) -> list:
        return self._factorized[1]

    def texts(self) -> list[str]:
        """Each of `uniques` as text, worked out once (a case id column has as many as it has cases)."""
        if self._texts is None:
            self._texts = [u.strip() if type(u) is str else answers.as_text(u) for u in self.uniques]
        return self._texts

    def numbered(self, fn, rows: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
        """Per cell of `rows` (None: every cell; none blank), the number of fn(its text) in order of
        first appearance, and those results in that order. Worked out per distinct value, then one
        look-up per cell: millions of cells are gone over once, not once per step."""
        names: dict[str, int] = {}
        per_unique = np.array([names.setdefault(fn(t), len(names)) for t in self.texts()], np.int64)
        codes = self.codes if rows is None else self.codes[rows]
        raw_order = codes[_first_positions(codes, len(per_unique))]  # distinct values as they first appear
        seen = per_unique[raw_order]
        order = seen[np.sort(np.unique(seen, return_index=True)[1])]  # the results as they first appear
        number = np.full(len(names), -1, np.int32 if len(names) < 2**31 else np.int64)
        number[order] = np.arange(len(order))
        every = list(names)
        table = number[per_unique]
        if np.array_equal(table, np.arange(len(table))):
            # Distinct values numbered already in order of first appearance (as Arrow's dictionaries
            # of a CSV are) and none merged by fn: the codes are the numbers, no look-up of every cell.
            return codes.astype(number.dtype, copy=False), [every[k] for k in order]
        return table[codes], [every[k] for k in order]

    def text_of(self, i: SupportsIndex) -> str:
        code = self.codes[i]
        return "" if code < 0 else self.texts()[code]

    def where(self, fn, words: tuple[str, ...]) -> np.ndarray:
        """Per cell, fn(its text) (True/False), where fn is true only of texts holding one of `words`
        (ASCII, in any case). A large column of text in which none of them is found is settled by a
        byte search per word; otherwise fn is worked out per distinct value (for ids, per cell: a
        regex per id, 0.15 s for 300,000 of them)."""
        if not self._typed and _arrow_text(self._values) and len(self) >= PANDAS_FROM and \
                not _may_hold(self._values, words):
            return np.zeros(len(self), bool)
        return self.per_text(fn, False, bool)

    def per_text(self, fn, missing, dtype=object) -> np.ndarray:
        """fn of each cell's text, computed once per distinct value."""
        table = np.array([fn(t) for t in self.texts()] + [missing], dtype=dtype)
        return table[self.codes]

    def __len__(self) -> int:
        return len(self._values)

    def value(self, i: SupportsIndex):
        """The raw value of cell i (None when empty)."""
        code = self.codes[i]
        return None if code < 0 else self.uniques[code]

    def _lookup(self, fn, missing, dtype=object) -> np.ndarray:
        table = np.array([fn(u) for u in self.uniques] + [missing], dtype=dtype)
        return table[self.codes]  # code -1 (NaN/None) takes the last entry

    def never_blank(self) -> bool:
        """No cell is blank: no distinct value is, and no cell is missing."""
        if self._exact:
            return bool(len(self) == 0 or self.answer_codes().min() > answers.BLANK)
        return "" not in self.texts() and (not len(self.codes) or self.codes.min() >= 0)

    def blank(self) -> np.ndarray:
        if self._exact:
            return self.answer_codes() == answers.BLANK
        table = np.array([t == "" for t in self.texts()] + [True], dtype=bool)
        return table[self.codes]

    def text(self) -> np.ndarray:
        table = np.array([*self.texts(), ""], dtype=object)
        return table[self.codes]

    def answer_codes(self, scratch: arrow_answers.Scratch | None = None) -> np.ndarray:
        if self._answers is None:
            # A workbook's cells too (typed): a text cell reading exactly Yes, No or N/A is shown as it is.
            exact = arrow_answers.codes(self._values, scratch) if hasattr(self._values, "dictionary_encode") else None
            self._exact = exact is not None
            self._answers = exact if exact is not None else self._lookup(answers.answer_code, answers.BLANK, np.int8)
        return self._answers


@dataclass
class _Layout:
    """What each column of the cases table is."""

    id_col: int
    questions: dict[str, int] = field(default_factory=dict)
    attributes: dict[str, int] = field(default_factory=dict)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (column, the id it names)


def _id_column(header: list[str], id_column: str | None) -> int | None:
    """The case id column: the named one, else the first header in CASE_ID_HEADERS' order of preference."""
    if id_column is not None:
        return next((j for j, h in enumerate(header) if headers.is_case_id(h, id_column)), None)
    keys = [normalise_header(h) for h in header]
    for wanted in headers.CASE_ID_HEADERS:
        if wanted in keys:
            return keys.index(wanted)
    return None


def _layout(table: Table, columns: list[_Column], framework: Framework, id_column: str | None,
            problems: list[Problem], report: ReadReport) -> _Layout:
    known = framework.question_ids()
    id_col = _id_column(table.header, id_column)
    if id_col is None:  # only when the id column was named and no header has that name
        raise UnreadableInput(f"{table.where()}: no column named '{id_column}'")
    out = _Layout(id_col=id_col)
    for j, header in enumerate(table.header):
        if j == out.id_col:
            continue
        qid = headers.question_id(header)
        shown = answers.shown(header)
        maybe = headers.prompt_it_may_be(header)
        if qid is not None and maybe in known:  # "2.2.1 b Does...": the question, or its prompt b?
            problems.append(Problem(table.cell(j), f"column '{shown}' could be question {qid} or prompt {maybe}",
                                    Kind.AMBIGUOUS_HEADER, accepted=f"{maybe} for the prompt, {qid} for the question"))
            report.ignored_columns.append({"cell": table.cell(j).ref, "header": shown, "reason": "ambiguous"})
        elif qid is not None and qid in known:
            if qid in out.questions:
                problems.append(Problem(table.cell(j), f"a second column for question {qid} "
                                        f"(first is {table.cell(out.questions[qid])})", Kind.DUPLICATE_QUESTION))
                report.ignored_columns.append({"cell": table.cell(j).ref, "header": shown, "reason": "second column"})
            else:
                out.questions[qid] = j
        elif qid is not None or headers.looks_like_question(header):
            out.unknown.append((j, qid or header))
            report.ignored_columns.append({"cell": table.cell(j).ref, "header": shown, "reason": "unknown question"})
        elif DATE_HEADER.match(header):
            problems.append(Problem(table.cell(j), "this header is a date: Excel may have turned a question id "
                                    "like 2.2.1 into one", Kind.DATE_HEADER, header,
                                    "format the header row as Text and type the question ids again"))
            report.ignored_columns.append({"cell": table.cell(j).ref, "header": shown, "reason": "date header"})
        elif header:
            out.attributes[_attribute_name(header, j, out.attributes)] = j
        elif (~columns[j].blank()).any():
            out.attributes[f"(column {column_letter(j)})"] = j  # data under no header: kept, named by its letter
    for j, message, fix in question_text.mismatches(table.header, out.questions, framework):
        problems.append(Problem(table.cell(j), message, Kind.QUESTION_TEXT, accepted=fix))
    _unknown_questions(table, out, framework, problems)
    return out


def _attribute_name(header: str, j: int, taken) -> str:
    """An attribute column's name: its header, or for a repeated header the header with its column
    letter (`Team (D)`), numbered on if even that is taken (a column headed `Team (D)` too)."""
    name = header if header not in taken else f"{header} ({column_letter(j)})"
    k = 1
    while name in taken:
        k += 1
        name = f"{header} ({column_letter(j)}) {k}"
    return name


def _unknown_questions(table: Table, layout: _Layout, framework: Framework, problems: list[Problem]) -> None:
    """A header that names a question this framework lacks: say which ids are near, or which framework fits."""
    if not layout.unknown:
        return
    import difflib

    known = list(framework.question_ids())
    named = set(layout.questions) | {q for _, q in layout.unknown}
    other = _fitting_framework(framework, named)
    for j, qid in layout.unknown:
        near = difflib.get_close_matches(qid.lower(), known, n=3, cutoff=0.6)
        hint = f"these columns are framework {other}" if other else (
            f"nearest: {', '.join(near)}" if near else f"framework {framework.id} has {known[0]} to {known[-1]}")
        problems.append(Problem(table.cell(j), f"column '{answers.shown(table.header[j])}' looks like question "
                                f"{qid}, which framework {framework.id} does not have", Kind.UNKNOWN_QUESTION,
                                accepted=hint))


def _fitting_framework(framework: Framework, qids: set[str]) -> str | None:
    """A built-in framework that has every one of these question ids, when this one does not."""
    from casescore.framework import builtin_ids, load

    for other in builtin_ids():
        if other != framework.id and qids <= set(load(other).question_ids()):
            return other
    return None


def _from_wide(table: Table, framework: Framework, id_column: str | None = None) -> Marking:
    problems: list[Problem] = []
    report = ReadReport(table.source)
    columns = [_Column(c, table.typed) for c in table.columns]
    layout = _layout(table, columns, framework, id_column, problems, report)
    columns[layout.id_col] = _Column(table.columns[layout.id_col], table.typed, distinct=True)
    if not layout.questions:
        problems.append(Problem(table.where(), f"no question columns: no header names a question of framework "
                                f"{framework.id}", Kind.NO_QUESTIONS,
                                accepted="headers like 2.2.1 or 2.2.1a (one column per key question and prompt)"))
    ids = columns[layout.id_col].text()
    scratch = arrow_answers.Scratch()
    codes = {qid: columns[j].answer_codes(scratch) for qid, j in layout.questions.items()}
    rows = _case_rows(table, columns, layout, ids, codes, report)
    every = len(rows) == len(ids)  # every row a case (rows is 0, 1, 2...): no copies to make
    ids = ids if every else ids[rows]
    _check_ids(ids, lambda i: table.cell(layout.id_col, rows[i]), problems)
    answer_codes = codes if every else {qid: c[rows] for qid, c in codes.items()}
    _answer_problems(table, columns, layout, rows, ids, answer_codes, problems)
    attrs = {name: columns[j].text() if every else columns[j].text()[rows] for name, j in layout.attributes.items()}
    report.id_column = table.header[layout.id_col]
    report.questions = _per_standard(framework, layout.questions)
    report.attributes = list(attrs)
    return Marking(table.source, list(ids), attrs, answer_codes, problems=problems, report=report)


def _case_rows(table: Table, columns: list[_Column], layout: _Layout, ids: np.ndarray, codes: dict,
               report: ReadReport) -> np.ndarray:
    """The rows that are cases: not blank, and not a total or summary row.

    A summary row is one whose case id cell is a label like `Total` or `% Yes` (anywhere), or a row
    with no case id and no answer below the last case (totals, counts, percentages, notes)."""
    filled = _any_filled(columns, len(ids))
    label = columns[layout.id_col].where(_summary_label, SUMMARY_TEXT)
    has_answer = _any_answered(list(codes.values()), len(ids))
    cases = filled & (ids != "") & ~label
    last = np.flatnonzero(cases)[-1] if cases.any() else -1
    below = np.arange(len(ids)) > last
    summary = filled & (label | (below & (ids == "") & ~has_answer))
    for i in np.flatnonzero(summary):
        text = ids[i] or next((answers.as_text(c.value(i)) for c in columns if not answers.is_blank(c.value(i))), "")
        reason = "a total or summary label" if label[i] else "below the cases, with no case id and no answer"
        report.ignored_rows.append({"row": table.header_row + 1 + int(i), "label": answers.shown(text, 20),
                                    "reason": reason})
    return np.flatnonzero(filled & ~summary)


# Whole-sheet tests that one column can settle: a complete marking has columns with no blank cell,
# so the per-cell pass over every column (80 passes over 300,000 cells) is mostly not needed.


def _any_filled(columns: list[_Column], n: int) -> np.ndarray:
    """Per row, whether any of its cells holds something."""
    if any(c.never_blank() for c in columns):
        return np.ones(n, bool)
    return ~np.logical_and.reduce([c.blank() for c in columns]) if columns else np.zeros(n, bool)


def _any_answered(codes: list[np.ndarray], n: int) -> np.ndarray:
    """Per row, whether any question is answered (Yes, No or N/A)."""
    if any(c.min() > answers.BLANK for c in codes if len(c)):
        return np.ones(n, bool)
    return np.logical_or.reduce([c > answers.BLANK for c in codes]) if codes else np.zeros(n, bool)


def _per_standard(framework: Framework, questions: dict[str, int]) -> dict[str, int]:
    known = framework.question_ids()
    out: dict[str, int] = {}
    for qid in questions:
        sid = known[qid][0].id
        out[sid] = out.get(sid, 0) + 1
    return out


def _check_ids(ids: np.ndarray, cell, problems: list[Problem]) -> None:
    """Every case row needs an id of its own. Looked at per distinct id, not per row (ids are mostly
    unique, so only the rows whose id is blank, an error or repeated are visited one by one)."""
    from collections import Counter

    every = ids.tolist()
    not_ids = cell_text.ERROR_VALUES | {""}  # a formula error, or nothing, in the id cell
    if len(set(every)) == len(every) and not not_ids.intersection(every):
        return  # the usual case, told by one set (a Counter of 300,000 ids took 3 times as long)
    counts = Counter(every)  # not numpy's unique: a fixed-width copy of one huge cell would be huge
    look = {u for u, n in counts.items() if n > 1} | (counts.keys() & not_ids)
    seen: dict[str, int] = {}
    for i in (i for i, case_id in enumerate(ids) if case_id in look) if look else ():
        case_id = ids[i]
        if cell_text.is_error(case_id):
            problems.append(Problem(cell(i), "the case id is a formula error", Kind.INVALID_ID, case_id,
                                    "the case's id as text or a number"))
        elif not case_id:
            problems.append(Problem(cell(i), "this row has answers but no case id", Kind.MISSING_ID,
                                    accepted="a unique id in every case row (delete stray rows)"))
        elif case_id in seen:
            problems.append(Problem(cell(i), f"case id also used at {cell(seen[case_id]).ref}",
                                    Kind.DUPLICATE_ID, answers.shown(case_id), "a unique id for every case"))
        else:
            seen[case_id] = i


def _answer_problems(table: Table, columns: list[_Column], layout: _Layout, rows: np.ndarray, ids: np.ndarray,
                     codes: dict[str, np.ndarray], problems: list[Problem]) -> None:
    """Invalid answers cell by cell; unmarked answers cell by cell, or once for a case with none marked."""
    if not codes:
        return
    some = [c for c in codes.values() if len(c) and c.min() <= answers.BLANK]  # columns with a blank or invalid cell
    nothing = np.logical_and.reduce([c == answers.BLANK for c in codes.values()]) if len(some) == len(codes) \
        else np.zeros(len(rows), bool)  # a column with every cell answered: every case has something marked
    for i in np.flatnonzero(nothing):
        problems.append(Problem(table.cell(layout.id_col, rows[i]), f"case {answers.shown(ids[i])}: nothing marked",
                                NOT_MARKED, accepted="Yes, No or N/A for each question"))
    for qid, j in layout.questions.items():
        c = codes[qid]
        if not len(c) or c.min() > answers.BLANK:
            continue  # every cell Yes, No or N/A
        for i in np.flatnonzero(c == answers.INVALID):
            problems.append(Problem(table.cell(j, rows[i]), f"not an answer to {qid}", Kind.INVALID_ANSWER,
                                    answers.shown(columns[j].value(rows[i])), answers.ACCEPTED))
        for i in np.flatnonzero((c == answers.BLANK) & ~nothing):
            problems.append(Problem(table.cell(j, rows[i]), f"{qid} not marked", NOT_MARKED,
                                    accepted="Yes, No or N/A"))


# --- the long form: case_id, question, answer ---------------------------------------------


def _from_long(table: Table, framework: Framework, id_column: str | None = None) -> Marking:
    """One row per answer -> the wide Marking, with array operations on codes: each distinct id,
    question and answer spelling is looked at once, never each of the millions of rows."""
    problems: list[Problem] = []
    known = framework.question_ids()
    cols = {normalise_header(h): j for j, h in reversed(list(enumerate(table.header)))}
    id_j = _id_column(table.header, id_column)
    if id_j is None:
        raise UnreadableInput(f"{table.where()}: no column named '{id_column}'")
    q_j, a_j = cols["question"], cols["answer"]
    case_col, question, raw = (_Column(table.columns[j], table.typed) for j in (id_j, q_j, a_j))
    codes = raw.answer_codes()
    # The answers' rows. Usually every row is one, and the columns are used as they are (copies of
    # 8 million codes are what made this slow); an index is built only when some rows are left out.
    rows = answer_rows = _Rows(_long_rows(table, framework, (id_j, case_col), (q_j, question), codes, problems))
    case_of, case_ids = case_col.numbered(lambda t: t, rows.index)
    q_of, q_names = question.numbered(_question_id, rows.index)
    answer = rows.of(codes)
    size = len(q_names) * len(case_ids)
    cell = q_of.astype(np.int32 if size < 2**31 else np.int64)  # each answer's place in the grid, made in place
    np.add(np.multiply(cell, len(case_ids), out=cell), case_of, out=cell)
    first = _first_answers(cell, size)  # None: no question is answered twice for a case
    if first is not None:
        _duplicate_answers(table, a_j, rows, cell, first, case_ids, case_of, q_names, q_of, problems)
        rows, cell, answer, q_of = rows.subset(first), cell[first], answer[first], q_of[first]
    grid = np.full((len(q_names), len(case_ids)), answers.BLANK, np.int8)
    grid.reshape(-1)[cell] = answer  # one assignment for every answer
    for k in np.flatnonzero(answer == answers.INVALID):
        problems.append(Problem(table.cell(a_j, rows.row(k)), f"not an answer to {q_names[q_of[k]]}",
                                Kind.INVALID_ANSWER, answers.shown(raw.value(rows.row(k))), answers.ACCEPTED))
    for q, c in zip(*np.nonzero(grid == answers.BLANK), strict=True):
        problems.append(Problem(f"{table.source}: case {answers.shown(case_ids[c])}", f"{q_names[q]} not marked",
                                NOT_MARKED, accepted="Yes, No or N/A"))
    answer_codes = {qid: grid[q] for q, qid in enumerate(q_names)}
    case_first = _first_positions(case_of, len(case_ids))  # each case's first row, in case order
    attrs = {h: _first_per_case(_Column(table.columns[j], table.typed), answer_rows, case_of, case_first)
             for h, j in _long_attributes(table, (id_j, q_j, a_j)).items()}
    report = ReadReport(table.source, id_column=table.header[id_j], questions=_per_standard(framework, dict.fromkeys(
        (q for q in q_names if q in known), 0)), attributes=list(attrs))
    return Marking(table.source, case_ids, attrs, answer_codes, problems=problems, report=report)


def _long_rows(table: Table, framework: Framework, ids: tuple[int, _Column], questions: tuple[int, _Column],
               codes: np.ndarray, problems: list[Problem]) -> np.ndarray | None:
    """The rows of the long form that are answers (None: all of them); rows without a case id, and
    answers to a question the framework lacks, are named. When no id or question cell is blank and
    every question is known, which their distinct values tell, no row needs looking at."""
    (id_j, case_col), (q_j, question) = ids, questions
    known = framework.question_ids()
    if case_col.never_blank() and question.never_blank() and all(_question_id(t) in known for t in question.texts()):
        return None
    has_id, has_q = ~case_col.blank(), ~question.blank()
    content = has_id | has_q | (codes != answers.BLANK)
    for i in np.flatnonzero(content & ~has_id):
        problems.append(Problem(table.cell(id_j, i), "this row has no case id", Kind.MISSING_ID))
    unknown = content & has_id & ~question.per_text(lambda t: _question_id(t) in known, False, bool)
    for i in np.flatnonzero(unknown):
        problems.append(Problem(table.cell(q_j, i), f"not a question of framework {framework.id}",
                                Kind.UNKNOWN_QUESTION, answers.shown(question.text_of(i))))
    keep = content & has_id & ~unknown
    return None if keep.all() else np.flatnonzero(keep)


class _Rows:
    """The rows of the long form that are answers: all of them (index None), or those in index."""

    def __init__(self, index: np.ndarray | None):
        self.index = index

    def of(self, values: np.ndarray) -> np.ndarray:
        """values (one per row of the table) at these rows; the array itself when they are all rows."""
        return values if self.index is None else values[self.index]

    def row(self, k) -> int:
        """The table row (0-based, below the header) of the k-th of these rows."""
        return int(k) if self.index is None else int(self.index[k])

    def subset(self, ks: np.ndarray) -> _Rows:
        return _Rows(ks if self.index is None else self.index[ks])


def _long_attributes(table: Table, used: tuple[int, ...]) -> dict[str, int]:
    """The long form's other columns, named as the wide form names them: a repeated header with its
    column letter, data under no header by the letter alone (neither is dropped)."""
    out: dict[str, int] = {}
    for j, header in enumerate(table.header):
        if j in used:
            continue
        if header:
            out[_attribute_name(header, j, out)] = j
        elif (~_Column(table.columns[j], table.typed).blank()).any():
            out[f"(column {column_letter(j)})"] = j
    return out


def _first_answers(cell: np.ndarray, size: int) -> np.ndarray | None:
    """Positions of the first answer in each grid cell, or None when no cell is answered twice (one
    pass marking the cells tells that; finding the first ones takes several)."""
    answered = np.zeros(size, bool)
    answered[cell] = True
    if np.count_nonzero(answered) == len(cell):
        return None
    return _first_of_each(cell, size)


def _duplicate_answers(table: Table, a_j: int, rows: _Rows, cell, first, case_ids, case_of, q_names, q_of,
                       problems: list[Problem]) -> None:
    """A second answer to the same question for the same case is named (the first one counts)."""
    repeated = np.ones(len(cell), bool)
    repeated[first] = False
    first_at = dict(zip(cell[first].tolist(), (rows.row(k) for k in first), strict=True))
    for k in np.flatnonzero(repeated):
        at, case = rows.row(k), answers.shown(case_ids[case_of[k]])
        problems.append(Problem(table.cell(a_j, at), f"a second answer to {q_names[q_of[k]]} for case {case} (first at "
                                f"{table.cell(a_j, first_at[int(cell[k])]).ref})", Kind.DUPLICATE_ANSWER))


def _question_id(text: str) -> str:
    return headers.question_id(text) or text


def _first_of_each(keys: np.ndarray, size: int) -> np.ndarray:
    """Positions of the first occurrence of each key (keys in 0..size-1), in ascending order."""
    slot = np.full(size, -1, np.int64)
    slot[keys[::-1]] = np.arange(len(keys) - 1, -1, -1)  # later writes win: reversed, the first does
    return np.sort(slot[slot >= 0])


def _first_positions(keys: np.ndarray, size: int) -> np.ndarray:
    """_first_of_each, looking at as few of millions of keys as it can. A key first appears where a
    run of equal keys starts (a case's rows are usually together: 100,000 runs in 7.8 million rows),
    and every key has usually appeared within the first few rows (78 questions in the first case's
    78 rows): so only run starts are looked at, and only as far as needed to have seen every key."""
    if len(keys) < 4096:
        return _first_of_each(keys, size)
    end = 1024
    while end < len(keys) // 8:  # all `size` keys seen early: nothing after them can come first
        found = _first_of_each(keys[:end], size)
        if len(found) == size:
            return found
        end *= 8
    change = keys[1:] != keys[:-1]
    if np.count_nonzero(change) < len(keys) // 4:
        starts = np.concatenate(([0], np.flatnonzero(change) + 1))
        return starts[_first_positions(keys[starts], size)]
    return _first_of_each(keys, size)  # a key absent or late, and runs too short to skip by: every key


def _first_per_case(column: _Column, rows: _Rows, case_of: np.ndarray, case_first: np.ndarray) -> np.ndarray:
    """Each case's first non-blank value of an attribute ('' if it has none).

    Usually the value on the case's first row; only when some case has it blank there are all the
    rows looked at (an attribute is normally repeated on every row of its case)."""
    texts = np.array([*column.texts(), ""], dtype=object)
    blank = np.array([t == "" for t in column.texts()] + [True], bool)
    codes = rows.of(column.codes)
    out = texts[codes[case_first]]
    if not blank[codes[case_first]].any():
        return out
    filled = np.flatnonzero(~blank[codes])
    first = filled[_first_positions(case_of[filled], len(case_first))]
    out[:] = ""
    out[case_of[first]] = texts[codes[first]]
    return out


# --- judgement ratings, inspection details, standards present ----------------------------


def _judgements(table: Table, framework: Framework, problems: list[Problem]) -> dict[str, str]:
    cols = {normalise_header(h): j for j, h in enumerate(table.header)}
    s_j, r_j = cols["standard"], cols["rating"]
    out: dict[str, str] = {}
    standards, ratings = (_Column(table.columns[j], table.typed).text() for j in (s_j, r_j))
    for i, (std, rating) in enumerate(zip(standards, ratings, strict=True)):
        if not std and not rating:
            continue
        sid = std.split()[0] if std else ""
        standard = framework.standard(sid)
        if standard is None or standard.method != "judgement":
            what = "is rated from the cases, not by judgement" if standard else f"is not a standard of {framework.id}"
            judged = ", ".join(s.id for s in framework.standards if s.method == "judgement")
            problems.append(Problem(table.cell(s_j, i), f"standard {what}", Kind.INVALID_STANDARD,
                                    answers.shown(std), f"the judgement standards {judged}"))
            continue
        if not rating:
            continue
        name = framework.parse_rating(rating)
        if name is None:
            problems.append(Problem(table.cell(r_j, i), f"not a rating for {sid}", Kind.INVALID_RATING,
                                    answers.shown(rating), framework.rating_spellings()))
        elif sid in out:
            problems.append(Problem(table.cell(r_j, i), f"a second rating for {sid}", Kind.DUPLICATE_RATING))
        else:
            out[sid] = name
    return out


def _inspection(table: Table) -> dict[str, str]:
    """The Inspection sheet: the header row and each row below as 'field | value'."""
    if len(table.columns) < 2:
        return {}
    fields, values = (_Column(c, table.typed).text() for c in table.columns[:2])
    rows = [table.header[:2]] + list(zip(fields, values, strict=True))
    return {r[0]: r[1] for r in rows if r[0] and r[1]}


def _check_recorded_framework(marking: Marking, framework: Framework, table: Table) -> None:
    """A workbook made by `casescore template` records its framework: reading it as another is a mistake."""
    recorded = _recorded_framework_id(table)
    if recorded and recorded != framework.id:
        marking.problems.append(Problem(table.where(), f"this workbook records framework {recorded}, but it is "
                                        f"being read as {framework.id}", Kind.FRAMEWORK_MISMATCH, recorded,
                                        f"read it with framework {recorded}"))


def _check_standards(framework: Framework, table: Table, marking: Marking) -> None:
    present = marking.answers
    for std in framework.standards:
        kq_ids = [kq.id for kq in std.key_questions]
        have = [k for k in kq_ids if k in present]
        if have and len(have) < len(kq_ids):
            missing = ", ".join(k for k in kq_ids if k not in present)
            marking.problems.append(Problem(table.where(), f"standard {std.id} has columns for "
                                            f"{', '.join(have)} but none for {missing}", Kind.INCOMPLETE_STANDARD,
                                            accepted="a column for every key question of a standard, or none"))
        for kq in std.key_questions:
            orphans = [p.id for p in kq.prompts if p.id in present]
            if orphans and kq.id not in present:
                marking.problems.append(Problem(table.where(), f"prompt columns {', '.join(orphans)} without "
                                                f"their key question {kq.id}", Kind.ORPHAN_PROMPT))
