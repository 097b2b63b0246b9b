"""Several markings of one framework as one: a region's PDUs, a thematic, several markers' files.

Cases from every file, with a `Source` attribute naming the file each came from (its Inspection
name, else its file name), so a breakdown by Source shows each part beside the pooled figure.
Nothing is merged quietly: a case id in two files, or files with different question columns,
is a problem naming the files; judgement ratings are never taken from one file's Ratings sheet.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from casescore import answers
from casescore.marking import Kind, Marking, Problem, ReadReport
from casescore.reader import Location

SOURCE = "Source"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv")


def expand(paths: list[str]) -> list[str]:
    """Files, folders and glob patterns -> files, in a stable order.

    A folder gives its markings (by name, hidden files and Excel's `~$` lock files skipped); a
    pattern that the shell did not expand (Windows does not) is expanded here."""
    import glob

    out: list[str] = []
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            out += sorted(str(f) for f in p.iterdir() if f.is_file() and _is_marking(f.name))
        elif path != "-" and not p.exists() and any(ch in path for ch in "*?["):
            out += sorted(f for f in glob.glob(path) if _is_marking(Path(f).name))
        else:
            out.append(path)
    return out


def _is_marking(name: str) -> bool:
    return not name.startswith((".", "~$")) and name.lower().endswith(WORKBOOK_SUFFIXES)


def source_names(markings: list[Marking]) -> list[str]:
    """Each file's name in the pooled marking: its Inspection name, else its file name; names that
    would repeat get the file name added."""
    names = [m.inspection.get("Inspection") or m.inspection.get("Name") or Path(m.source).name for m in markings]
    return [f"{n} ({Path(m.source).name})" if names.count(n) > 1 else n for n, m in zip(names, markings, strict=True)]


def pool(markings: list[Marking], ids_per_file: bool = False) -> Marking:
    """One Marking holding every file's cases; problems name the files they come from."""
    names = source_names(markings)
    problems = [p for m in markings for p in m.problems]
    problems += _question_problems(markings)
    ids = [f"{name}: {i}" if ids_per_file else i for name, m in zip(names, markings, strict=True) for i in m.case_ids]
    if not ids_per_file:
        problems += _shared_ids(markings)
    attributes = _attributes(markings, names)
    questions = [q for q in markings[0].answers if all(q in m.answers for m in markings)]
    codes = {q: np.concatenate([m.answers[q] for m in markings]) for q in questions}
    report = ReadReport(", ".join(m.source for m in markings), attributes=list(attributes),
                        not_marked_cases=sum(m.report.not_marked_cases for m in markings if m.report))
    report.sheet_note = f"{len(markings)} files pooled" + (
        "; their Ratings sheets are not used: a pooled rating takes judgement ratings only as given"
        if any(m.judgements for m in markings) else "")
    if markings[0].report:
        first = markings[0].report
        report.questions, report.framework, report.framework_note = first.questions, first.framework, \
            first.framework_note
        report.id_column = " / ".join(dict.fromkeys(m.report.id_column for m in markings if m.report))
    return Marking(" + ".join(names), ids, attributes, codes, problems=problems, report=report,
                   framework=markings[0].framework, inspection={"Inspection": " + ".join(names)},
                   sha256=";".join(m.sha256 for m in markings))


def _attributes(markings: list[Marking], names: list[str]) -> dict[str, np.ndarray]:
    """Every attribute any file has ('' for the cases of a file without it), then Source."""
    keys = list(dict.fromkeys(a for m in markings for a in m.attributes if a != SOURCE))
    out = {a: np.concatenate([m.attributes.get(a, np.full(m.cases, "", dtype=object)) for m in markings])
           for a in keys}
    out[SOURCE] = np.concatenate([np.full(m.cases, n, dtype=object) for n, m in zip(names, markings, strict=True)])
    return out


def _question_problems(markings: list[Marking]) -> list[Problem]:
    """Files with different question columns cannot be pooled without blanks that mean nothing."""
    every = list(dict.fromkeys(q for m in markings for q in m.answers))
    out = []
    for m in markings:
        missing = [q for q in every if q not in m.answers]
        if missing:
            shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
            out.append(Problem(Location(m.source), f"has no column for {shown}, which other pooled files have",
                               Kind.POOL_QUESTIONS, accepted="pooled files with the same question columns"))
    return out


def _shared_ids(markings: list[Marking]) -> list[Problem]:
    seen: dict[str, str] = {}
    out = []
    for m in markings:
        for case_id in m.case_ids:
            if case_id in seen and seen[case_id] != m.source:
                out.append(Problem(Location(m.source), f"case id {answers.shown(case_id)} is also in {seen[case_id]}",
                                   Kind.DUPLICATE_ID, accepted="a case in one file only (or make ids unique per file)"))
            seen.setdefault(case_id, m.source)
    return out
