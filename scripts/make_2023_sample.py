"""Build sample_data/probation-pdu-2023.xlsx: an invented QA audit of 30 cases marked against the
2023 probation standards (framework probation-pdu-2023), in the workbook `casescore template`
writes, so it records its framework and carries the question text in its headers.

No real people and no real PDU: ids are ANY-001..ANY-030 and every attribute is made up. The
story: assessment is Good, planning and implementation Require improvement, reviewing is
Inadequate; with the judgement ratings below the score is 8/21, Requires improvement. Four cases
started too recently to have been reviewed (every reviewing question N/A). Deterministic (seeded
by question id): running it again gives the same answers.
Run:  python scripts/make_2023_sample.py [OUT.xlsx]
"""

from __future__ import annotations

import datetime as dt
import io
import random
import sys
from pathlib import Path

from openpyxl import load_workbook

from casescore.framework import load
from casescore.workbook import template

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = "probation-pdu-2023"
N = 30
NOT_YET_REVIEWED = {26, 27, 28, 29}  # too early in the sentence for a review
NO_VICTIM = {4, 9, 14, 19, 23, 28}  # 24 cases with an identified victim
LICENCE = set(range(2, N, 3))  # 10 released on licence

# question id -> (yes, relevant): every key question, and the prompts with published wording (V)
TOTALS = {
    "2.1.1": (25, 30), "2.1.2": (22, 30), "2.1.3": (21, 30),
    "2.2.1": (22, 30), "2.2.2": (18, 30), "2.2.3": (17, 30),
    "2.3.1": (20, 30), "2.3.2": (16, 30), "2.3.3": (17, 30),
    "2.4.1": (14, 26), "2.4.2": (12, 26), "2.4.3": (11, 26),
    "2.1.3a": (20, 30), "2.1.3b": (18, 30), "2.1.3c": (15, 24),
    "2.2.3a": (16, 30), "2.2.3b": (15, 30),
}
VICTIM_ONLY = {"2.1.3c", "2.3.3b"}  # relevant only where a victim was identified
JUDGEMENTS = {"1.1": "Requires improvement", "1.2": "Good", "1.3": "Requires improvement"}
INSPECTION = {
    "Inspection": "Anytown PDU QA audit, March 2026 (invented sample)",
    "Organisation": "Anytown PDU (invented)",
    "Fieldwork start": "2026-03-02",
    "Fieldwork end": "2026-03-13",
    "Marked by": "Quality assurance team (invented)",
    "Notes": "Invented cases for casescore's tests and examples: no real people.",
}


def relevant_cases(qid: str) -> list[int]:
    if qid.startswith("2.4."):
        return [i for i in range(N) if i not in NOT_YET_REVIEWED]
    if qid in VICTIM_ONLY:
        return [i for i in range(N) if i not in NO_VICTIM]
    return list(range(N))


def key_question(qid: str) -> list[str]:
    rng = random.Random(f"2023-{qid}")
    yes_n, relevant_n = TOTALS[qid]
    relevant = relevant_cases(qid)
    assert len(relevant) == relevant_n, qid
    yes = set(rng.sample(relevant, yes_n))
    return ["Yes" if i in yes else "No" if i in relevant else "N/A" for i in range(N)]


def prompt(qid: str, kq: list[str]) -> list[str]:
    """A prompt's answers lean towards its key question's: the Yes go first to cases whose key question is Yes."""
    rng = random.Random(f"2023-{qid}")
    pool = [i for i in relevant_cases(qid) if kq[i] != "N/A"]
    if qid in TOTALS:
        yes_n, relevant_n = TOTALS[qid]
    else:  # no target: near the key question, a few cases not relevant
        relevant_n = len(pool) - rng.randint(0, 3)
        share = kq.count("Yes") / (kq.count("Yes") + kq.count("No"))
        yes_n = max(0, min(relevant_n, round(share * relevant_n) + rng.randint(-3, 2)))
    relevant = sorted(rng.sample(pool, relevant_n))
    order = sorted(relevant, key=lambda i: (kq[i] != "Yes", rng.random()))
    yes = set(order[:yes_n])
    return ["Yes" if i in yes else "No" if i in relevant else "N/A" for i in range(N)]


def answers(framework) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for std in framework.standards:
        for kq in std.key_questions:
            out[kq.id] = key_question(kq.id)
            for p in kq.prompts:
                out[p.id] = prompt(p.id, out[kq.id])
    return out


def attributes(i: int) -> dict[str, str]:
    rng = random.Random(f"2023-case-{i}")
    return {
        "Sentence type": "Licence" if i in LICENCE else "Community",
        "Age group": rng.choice(["18-25", "26-35", "36-49", "50+"]),
        "Gender": "Female" if i % 6 == 1 else "Male",
        "Risk of serious harm": rng.choice(["Low", "Medium", "Medium", "High"]),
        "Victim identified": "No" if i in NO_VICTIM else "Yes",
    }


def build(out: Path) -> None:
    framework = load(FRAMEWORK)
    wb = load_workbook(io.BytesIO(template.build(framework, N, prefix="ANY")))
    cases = wb["Cases"]
    header = [c.value for c in cases[1]]
    marked = answers(framework)
    for i in range(N):
        values = {**attributes(i), **{h: marked[h.split(" ", 1)[0]][i] for h in header[1:] if h[0].isdigit()}}
        for j, name in enumerate(header[1:], start=2):
            cases.cell(i + 2, j).value = values[name]
    for row in wb["Ratings"].iter_rows(min_row=2):
        row[2].value = JUDGEMENTS[row[0].value]
    for row in wb["Inspection"].iter_rows(min_row=2):
        row[1].value = INSPECTION.get(row[0].value, row[1].value)
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 3, 16)
    wb.save(out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "sample_data" / "probation-pdu-2023.xlsx"
    build(target)
    print(f"wrote {target}")
