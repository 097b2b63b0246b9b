"""Synthetic case markings for benchmarks: every key question and prompt of a framework, three
attribute columns, random answers (seeded). Writes CSV and xlsx."""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

from casescore.framework import load

ATTRIBUTES = {"Sentence type": ["Community", "Licence"], "Risk of serious harm": ["Low", "Medium", "High"],
              "Gender": ["Male", "Female"]}
ANSWERS = ["Yes", "Yes", "No", "N/A"]


def header(framework_id: str = "probation-pdu-2021") -> list[str]:
    fw = load(framework_id)
    questions = [q.id for s in fw.standards for kq in s.key_questions for q in [kq, *kq.prompts]]
    return ["Case ID", *ATTRIBUTES, *questions]


def rows(n: int, columns: list[str], seed: int = 1):
    rng = random.Random(seed)
    n_questions = len(columns) - 1 - len(ATTRIBUTES)
    for i in range(n):
        yield [f"C{i + 1:07d}", *(rng.choice(v) for v in ATTRIBUTES.values()),
               *rng.choices(ANSWERS, k=n_questions)]


def write_csv(path: Path, n: int) -> None:
    cols = header()
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        writer.writerows(rows(n, cols))


def write_long_csv(path: Path, n: int) -> None:
    """The long form: case_id, question, answer and the attributes, one row per answer."""
    cols = header()
    attributes = list(ATTRIBUTES)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["case_id", "question", "answer", *attributes])
        for row in rows(n, cols):
            case, attrs, answers = row[0], row[1:1 + len(attributes)], row[1 + len(attributes):]
            writer.writerows([case, q, a, *attrs] for q, a in zip(cols[1 + len(attributes):], answers, strict=True))


def write_shared_xlsx(path: Path, n: int) -> None:
    """As Excel saves a workbook: text in the shared-strings table (xlsxwriter's default mode)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Cases")
    cols = header()
    ws.write_row(0, 0, cols)
    for i, row in enumerate(rows(n, cols), start=1):
        ws.write_row(i, 0, row)
    wb.close()


def write_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Cases")
    cols = header()
    ws.append(cols)
    for row in rows(n, cols):
        ws.append(row)
    wb.save(path)


if __name__ == "__main__":
    out = Path(sys.argv[1])
    n = int(sys.argv[2])
    if out.suffix == ".xlsx":
        (write_shared_xlsx if out.stem.startswith("shared") else write_xlsx)(out, n)
    else:
        (write_long_csv if out.stem.startswith("long") else write_csv)(out, n)
