"""Build sample_data/newham-2023-reaudit.xlsx: an invented QA re-audit of the same PDU six months
after the inspection, on a new sample of 30 cases, with some improvement (most in planning and
assessment, which the PDU's improvement plan targeted).

No real people: ids are NEWR-001..NEWR-030. Deterministic (seeded by question id).
Run:  python scripts/make_reaudit_sample.py [OUT.xlsx]   (after make_newham_sample.py)
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from openpyxl import Workbook

from casescore import api
from casescore.framework import load

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "sample_data" / "newham-2022.xlsx"
N = 30
LICENCE = set(range(1, N, 3))  # 10 of 30 released on licence
# Improvement in percentage points by standard (the re-audit's story), and court work still absent.
IMPROVEMENT = {"2.2": 0.20, "2.3": 0.25, "2.4": 0.08, "2.5": 0.12, "2.6": 0.05}


def column(qid: str, yes_share: float, relevant_share: float, na_all: bool) -> list[str]:
    rng = random.Random(f"reaudit-{qid}")
    if na_all:
        return ["N/A"] * N
    relevant = sorted(rng.sample(range(N), round(relevant_share * N)))
    yes = set(rng.sample(relevant, min(len(relevant), round(yes_share * len(relevant)))))
    return ["Yes" if i in yes else "No" if i in relevant else "N/A" for i in range(N)]


def build(out: Path) -> None:
    framework = load("probation-pdu-2021")
    baseline = api.rate_file(str(BASELINE), framework).result
    headers, columns = [], []
    for std in baseline.standards:
        for kq in std.key_questions:
            for q in [kq, *kq.prompts]:
                t = q.tally
                share = min(1.0, (t.yes / t.relevant if t.relevant else 0) + IMPROVEMENT.get(std.standard.id, 0))
                headers.append(f"{q.question.id} {q.question.text}")
                columns.append(column(q.question.id, share, t.relevant / baseline.cases, t.relevant == 0))
    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    ws.append(["Case ID", "Sentence type", "Age group", "Gender", *headers])
    for i in range(N):
        rng = random.Random(f"reaudit-case-{i}")
        ws.append([f"NEWR-{i + 1:03d}", "Licence" if i in LICENCE else "Community",
                   rng.choice(["18-25", "26-35", "36-49", "50+"]), "Female" if i % 7 == 3 else "Male",
                   *(c[i] for c in columns)])
    ratings = wb.create_sheet("Ratings")
    ratings.append(["Standard", "Rating"])
    for sid, rating in (("1.1", "Requires improvement"), ("1.2", "Good"), ("1.3", "Good"), ("1.4", "Good")):
        ratings.append([sid, rating])
    info = wb.create_sheet("Inspection")
    info.append(["Field", "Value"])
    info.append(["Inspection", "Newham PDU QA re-audit, May 2023 (invented sample)"])
    wb.properties.created = wb.properties.modified = dt.datetime(2023, 5, 1)
    wb.save(out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "sample_data" / "newham-2023-reaudit.xlsx"
    build(target)
    print(f"wrote {target}")
