"""A case-marking file -> one tidy Marking: case ids, attributes, and answer codes per question.

Every problem found on the way is collected (never raised one at a time), each naming its file,
sheet and cell, so `casescore check` can list them all and `rate` can refuse with the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from casescore import answers
from casescore.framework import Framework
from casescore.reader import Table, column_letter, normalise_header, read_marking_file

CASE_ID_HEADERS = frozenset({"caseid"})
LONG_FORM_HEADERS = frozenset({"question", "answer"})
DATE_HEADER = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00:00)?$")  # how a date-valued header cell reads
QUESTION_HEADER = re.compile(r"^\s*(\d+\.\d+\.\d+[a-z]?)(?=$|[\s:;,.)\]–—-])", re.IGNORECASE)

NOT_MARKED = "not-marked"  # the one problem kind that --partial lets through


@dataclass(frozen=True)
class Problem:
    where: str  # file, sheet and cell: "cases.xlsx: Cases!F7"
    message: str
    kind: str
    value: str | None = None  # the offending value, truncated
    accepted: str | None = None

    def __str__(self) -> str:
        found = f" (found '{self.value}')" if self.value is not None else ""
        accepted = f"; accepted: {self.accepted}" if self.accepted else ""
        return f"{self.where}: {self.message}{found}{accepted}"


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

    @property
    def cases(self) -> int:
        return len(self.case_ids)

    def blocking(self, partial: bool) -> list[Problem]:
        """Problems that stop a rating: all of them, or all but 'not marked' with --partial."""
        return [p for p in self.problems if not (partial and p.kind == NOT_MARKED)]

    @property
    def title(self) -> str:
        """What to call this marking: the Inspection sheet's name for it, else the file name."""
        return self.inspection.get("Inspection") or self.inspection.get("Name") or self.source

    @property
    def unmarked(self) -> int:
        return sum(p.kind == NOT_MARKED for p in self.problems)

    def select(self, attribute: str, value: str) -> np.ndarray:
        """A boolean mask of the cases whose attribute has this value."""
        return self.attributes[attribute] == value


def is_cases_header(cells) -> bool:
    return any(normalise_header(c) in CASE_ID_HEADERS for c in cells)


def read(path: str, framework: Framework, progress=None) -> Marking:
    """Read and validate a marking file. Unreadable input raises; problems are collected."""
    file = read_marking_file(path, is_cases_header, progress)
    headers = {normalise_header(h) for h in file.cases.header}
    if LONG_FORM_HEADERS <= headers:
        marking = _from_long(file.cases, framework)
    else:
        marking = _from_wide(file.cases, framework)
    if file.ratings is not None:
        marking.judgements = _judgements(file.ratings, framework, marking.problems)
    if file.inspection is not None:
        marking.inspection = _inspection(file.inspection)
    _check_standards(framework, file.cases, marking)
    marking.sha256 = file.sha256
    return marking


# --- columns -----------------------------------------------------------------------------


PANDAS_FROM = 20_000  # cells in a column from which pandas' C factorize beats a dict (and its import pays)


def factorize(values) -> tuple[np.ndarray, list]:
    """Codes per cell and the distinct values; code -1 stands for a missing value (None/NaN)."""
    if len(values) >= PANDAS_FROM:
        import pandas as pd

        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        return codes, list(uniques)
    index: dict = {}
    # keyed by type too, so that TRUE, 1 and 1.0 stay distinct values
    codes = np.fromiter((index.setdefault(v if type(v) is str else (type(v), v), len(index)) for v in values),
                        dtype=np.intp, count=len(values))
    return codes, [k if type(k) is str else k[1] for k in index]


class _Column:
    """A raw column factorised once: each distinct value is classified once, not per cell."""

    def __init__(self, values):
        self.values = values
        self.codes, self.uniques = factorize(values)

    def _lookup(self, fn, missing, dtype=object) -> np.ndarray:
        table = np.array([fn(u) for u in self.uniques] + [missing], dtype=dtype)
        return table[self.codes]  # code -1 (NaN/None) takes the last entry

    def blank(self) -> np.ndarray:
        return self._lookup(answers.is_blank, True, bool)

    def text(self) -> np.ndarray:
        # Most cells are already strings (always, from CSV): strip them without the general path.
        return self._lookup(lambda u: u.strip() if type(u) is str else answers.as_text(u), "")

    def answer_codes(self) -> np.ndarray:
        return self._lookup(answers.answer_code, answers.BLANK, np.int8)


def _from_wide(table: Table, framework: Framework) -> Marking:
    problems: list[Problem] = []
    known = framework.question_ids()
    columns = [_Column(c) for c in table.columns]
    keep = np.flatnonzero(~np.logical_and.reduce([c.blank() for c in columns])) if columns else np.array([], int)
    id_col, questions, attributes = None, {}, {}
    for j, header in enumerate(table.header):
        if normalise_header(header) in CASE_ID_HEADERS and id_col is None:
            id_col = j
        elif m := QUESTION_HEADER.match(header):
            qid = m.group(1).lower()
            if qid not in known:
                problems.append(Problem(table.cell(j), f"column '{answers.shown(header)}' names question {qid}, "
                                        f"which framework {framework.id} does not have", "unknown-question",
                                        accepted="check the column header or choose another --framework"))
            elif qid in questions:
                problems.append(Problem(table.cell(j), f"a second column for question {qid} "
                                        f"(first is {table.cell(questions[qid])})", "duplicate-question"))
            else:
                questions[qid] = j
        elif DATE_HEADER.match(header):
            problems.append(Problem(table.cell(j), "this header is a date: Excel may have turned a question id "
                                    "like 2.2.1 into one", "date-header", header,
                                    "format the header row as Text and type the question ids again"))
        elif header:
            attributes[header if header not in attributes else f"{header} ({column_letter(j)})"] = j
        elif (~columns[j].blank()).any():
            attributes[f"(column {column_letter(j)})"] = j  # data under no header: kept, named by its letter
    ids = columns[id_col].text()[keep]
    _check_ids(ids, lambda i: table.cell(id_col, keep[i]), problems)
    answer_codes = {}
    for qid, j in questions.items():
        codes = columns[j].answer_codes()[keep]
        _answer_problems(codes, columns[j].values, keep, lambda i, j=j: table.cell(j, keep[i]), qid, problems)
        answer_codes[qid] = codes
    attrs = {name: columns[j].text()[keep] for name, j in attributes.items()}
    return Marking(table.source, list(ids), attrs, answer_codes, problems=problems)


def _check_ids(ids: np.ndarray, cell, problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for i, case_id in enumerate(ids):
        if not case_id:
            problems.append(Problem(cell(i), "this row has answers but no case id", "missing-id",
                                    accepted="a unique id in every case row (delete stray rows)"))
        elif case_id in seen:
            problems.append(Problem(cell(i), f"case id also used at {cell(seen[case_id]).split(': ')[-1]}",
                                    "duplicate-id", answers.shown(case_id), "a unique id for every case"))
        else:
            seen[case_id] = i


def _answer_problems(codes, raw, keep, cell, qid: str, problems: list[Problem]) -> None:
    for i in np.flatnonzero(codes == answers.INVALID):
        problems.append(Problem(cell(i), f"not an answer to {qid}", "invalid-answer",
                                answers.shown(raw[keep[i]]), answers.ACCEPTED))
    for i in np.flatnonzero(codes == answers.BLANK):
        problems.append(Problem(cell(i), f"{qid} not marked", NOT_MARKED,
                                accepted="Yes, No or N/A (or rate with --partial)"))


# --- the long form: case_id, question, answer ---------------------------------------------


def _from_long(table: Table, framework: Framework) -> Marking:
    """One row per answer -> the wide Marking, with array operations (no Python loop per row)."""
    problems: list[Problem] = []
    known = framework.question_ids()
    cols = {normalise_header(h): j for j, h in reversed(list(enumerate(table.header)))}
    id_j = next(cols[h] for h in CASE_ID_HEADERS if h in cols)
    q_j, a_j = cols["question"], cols["answer"]
    attr_js = {h: j for j, h in enumerate(table.header) if j not in (id_j, q_j, a_j) and h}
    ids = _Column(table.columns[id_j]).text()
    question = _Column(table.columns[q_j])
    qtext = question.text()
    raw = table.columns[a_j]
    codes = _Column(raw).answer_codes()
    qids = question._lookup(lambda u: _question_id(answers.as_text(u)), "")
    is_known = question._lookup(lambda u: _question_id(answers.as_text(u)) in known, False, bool)
    content = (ids != "") | (qtext != "") | (codes != answers.BLANK)
    for i in np.flatnonzero(content & (ids == "")):
        problems.append(Problem(table.cell(id_j, i), "this row has no case id", "missing-id"))
    unknown = content & (ids != "") & ~is_known
    for i in np.flatnonzero(unknown):
        problems.append(Problem(table.cell(q_j, i), f"not a question of framework {framework.id}",
                                "unknown-question", answers.shown(qtext[i])))
    rows = np.flatnonzero(content & (ids != "") & ~unknown)
    case_of, case_ids = factorize(ids[rows])
    q_of, q_names = factorize(qids[rows])
    pair = case_of.astype(np.int64) * max(1, len(q_names)) + q_of
    first = _first_of_each(pair, len(case_ids) * max(1, len(q_names)))
    repeated = np.ones(len(rows), bool)
    repeated[first] = False
    first_at = dict(zip(pair[first].tolist(), rows[first].tolist()))
    for k in np.flatnonzero(repeated):
        i, case = int(rows[k]), answers.shown(case_ids[case_of[k]])
        problems.append(Problem(table.cell(a_j, i), f"a second answer to {q_names[q_of[k]]} for case {case} (first at "
                                f"{table.cell(a_j, first_at[int(pair[k])]).split(': ')[-1]})", "duplicate-answer"))
    answer_codes = {}
    for q, qid in enumerate(q_names):
        chosen = first[q_of[first] == q]
        out = np.full(len(case_ids), answers.BLANK, np.int8)
        out[case_of[chosen]] = codes[rows[chosen]]
        for k in chosen[codes[rows[chosen]] == answers.INVALID]:
            problems.append(Problem(table.cell(a_j, int(rows[k])), f"not an answer to {qid}", "invalid-answer",
                                    answers.shown(raw[rows[k]]), answers.ACCEPTED))
        for c in np.flatnonzero(out == answers.BLANK):
            problems.append(Problem(f"{table.source}: case {answers.shown(case_ids[c])}", f"{qid} not marked",
                                    NOT_MARKED, accepted="Yes, No or N/A (or rate with --partial)"))
        answer_codes[qid] = out
    attrs = {h: _first_per_case(_Column(table.columns[j]).text()[rows], case_of, len(case_ids))
             for h, j in attr_js.items()}
    return Marking(table.source, list(case_ids), attrs, answer_codes, problems=problems)


def _question_id(text: str) -> str:
    m = QUESTION_HEADER.match(text)
    return m.group(1).lower() if m else text


def _first_of_each(keys: np.ndarray, size: int) -> np.ndarray:
    """Positions of the first occurrence of each key (keys in 0..size-1), in ascending order."""
    slot = np.full(size, -1, np.int64)
    slot[keys[::-1]] = np.arange(len(keys) - 1, -1, -1)  # later writes win: reversed, the first does
    return np.sort(slot[slot >= 0])


def _first_per_case(text: np.ndarray, case_of: np.ndarray, cases: int) -> np.ndarray:
    """Each case's first non-blank value of an attribute ('' if it has none)."""
    out = np.full(cases, "", dtype=object)
    filled = np.flatnonzero(text != "")
    first = filled[_first_of_each(case_of[filled], cases)]
    out[case_of[first]] = text[first]
    return out


# --- judgement ratings, inspection details, standards present ----------------------------


def _judgements(table: Table, framework: Framework, problems: list[Problem]) -> dict[str, str]:
    cols = {normalise_header(h): j for j, h in enumerate(table.header)}
    s_j, r_j = cols["standard"], cols["rating"]
    out: dict[str, str] = {}
    for i, (std, rating) in enumerate(zip(_Column(table.columns[s_j]).text(), _Column(table.columns[r_j]).text())):
        if not std and not rating:
            continue
        sid = std.split()[0] if std else ""
        standard = framework.standard(sid)
        if standard is None or standard.method != "judgement":
            what = "is rated from the cases, not by judgement" if standard else f"is not a standard of {framework.id}"
            judged = ", ".join(s.id for s in framework.standards if s.method == "judgement")
            problems.append(Problem(table.cell(s_j, i), f"standard {what}", "invalid-standard",
                                    answers.shown(std), f"the judgement standards {judged}"))
            continue
        if not rating:
            continue
        name = framework.parse_rating(rating)
        if name is None:
            problems.append(Problem(table.cell(r_j, i), f"not a rating for {sid}", "invalid-rating",
                                    answers.shown(rating), framework.rating_spellings()))
        elif sid in out:
            problems.append(Problem(table.cell(r_j, i), f"a second rating for {sid}", "duplicate-rating"))
        else:
            out[sid] = name
    return out


def _inspection(table: Table) -> dict[str, str]:
    """The Inspection sheet: the header row and each row below as 'field | value'."""
    rows = [table.header] + [[answers.as_text(c[i]) for c in table.columns] for i in range(table.n_rows)]
    return {r[0]: r[1] for r in rows if len(r) > 1 and r[0] and r[1]}


def _check_standards(framework: Framework, table: Table, marking: Marking) -> None:
    present = marking.answers
    for std in framework.standards:
        kq_ids = [kq.id for kq in std.key_questions]
        have = [k for k in kq_ids if k in present]
        if have and len(have) < len(kq_ids):
            missing = ", ".join(k for k in kq_ids if k not in present)
            marking.problems.append(Problem(f"{table.where()}", f"standard {std.id} has columns for "
                                            f"{', '.join(have)} but none for {missing}", "incomplete-standard",
                                            accepted="a column for every key question of a standard, or none"))
        for kq in std.key_questions:
            orphans = [p.id for p in kq.prompts if p.id in present]
            if orphans and kq.id not in present:
                marking.problems.append(Problem(f"{table.where()}", f"prompt columns {', '.join(orphans)} without "
                                                f"their key question {kq.id}", "orphan-prompt"))
