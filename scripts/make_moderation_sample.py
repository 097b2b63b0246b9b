"""Build the moderation and fieldwork-progress samples from sample_data/newham-2022.xlsx.

- newham-2022-moderation-b.xlsx: a second marker (B) re-marks 10 of the 33 Newham cases.
- newham-2022-moderation-c.xlsx: a third marker (C) re-marks 10 cases, 8 of them B's, so a
  three-marker comparison has cases that not every marker marked.
- fieldwork-progress.xlsx: a `casescore template` workbook part-way through fieldwork, with a
  Marker column: inspector A has finished, B is most of the way, C has barely started.

The disagreements follow what moderation usually finds: markers differ most on the "keeping other
people safe" questions, which turn on judging risk; B is stricter than the first marker (Yes -> No),
C more generous (No -> Yes); and now and then a marker judges a prompt not relevant (N/A) where the
other judged it (a relevance disagreement, which moves a denominator). Court work (2.1) is N/A
throughout, as in the inspection. Invented cases, no real people; deterministic (seeded).
Run:  python scripts/make_moderation_sample.py [OUT_DIR]   (after make_newham_sample.py)
"""

from __future__ import annotations

import datetime as dt
import io
import random
import sys
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook, load_workbook

from casescore import answers, api
from casescore.framework import load
from casescore.workbook import template

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "sample_data" / "newham-2022.xlsx"
SAFETY = {"2.2.3", "2.3.3", "2.4.3", "2.5.3"}  # keeping other people safe: where markers differ most
RELEVANCE = 0.03  # chance of a prompt's Yes/No -> N/A, or N/A -> No


class Marker(NamedTuple):
    cases: list[int]  # by index into the 33
    strict: dict[str, float]  # chance of Yes -> No, on safety questions and on the others
    lenient: dict[str, float]  # chance of No -> Yes
    blanks: list[tuple[int, str]]  # answers left unmarked: (case index, question id)


MARKERS = {
    "B": Marker([0, 2, 4, 7, 10, 13, 17, 20, 25, 30], {"safety": 0.22, "other": 0.07},
                {"safety": 0.04, "other": 0.04}, []),
    "C": Marker([0, 2, 4, 7, 10, 13, 17, 20, 5, 28], {"safety": 0.03, "other": 0.03},
                {"safety": 0.30, "other": 0.10}, [(5, "2.4.1c")]),
}
FIELDWORK = [("A", 10, 0, 0), ("B", 6, 2, 2), ("C", 3, 3, 4)]  # inspector: (full, partly, not started) cases


def remark(marker: Marker, first: int, qid: str, kind: str, rng: random.Random) -> int:
    """A re-marker's answer to a question the first marker answered `first`."""
    draw = rng.random()
    topic = "safety" if qid[:5] in SAFETY else "other"
    if first == answers.YES and draw < marker.strict[topic]:
        return answers.NO
    if first == answers.NO and draw < marker.lenient[topic]:
        return answers.YES
    if kind == "prompt" and draw > 1 - RELEVANCE:
        return answers.NO if first == answers.NA else answers.NA
    return first


def moderation(marker: str, baseline, out: Path) -> None:
    spec = MARKERS[marker]
    framework = load("probation-pdu-2021")
    index = framework.question_ids()
    qids = [q for q in index if q in baseline.answers]
    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    ws.append(["Case ID", "Sentence type", *(f"{q} {index[q][2].text}" for q in qids)])
    for i in spec.cases:
        row = []
        for qid in qids:
            std, kq, q = index[qid]
            first = int(baseline.answers[qid][i])
            rng = random.Random(f"moderator-{marker}-{i}-{qid}")
            kind = "key question" if q is kq else "prompt"
            code = first if std.id == "2.1" else remark(spec, first, qid, kind, rng)
            row.append("" if (i, qid) in spec.blanks else answers.NAMES[code])
        ws.append([baseline.case_ids[i], baseline.attributes["Sentence type"][i], *row])
    info = wb.create_sheet("Inspection")
    info.append(["Field", "Value"])
    info.append(["Inspection", f"Newham PDU moderation: marker {marker} re-marks {len(spec.cases)} cases (invented)"])
    info.append(["Marked by", f"Marker {marker}"])
    wb.properties.created = wb.properties.modified = dt.datetime(2022, 11, 20)
    wb.save(out)


def fieldwork(baseline, out: Path) -> None:
    """A template filled in part-way: each inspector's cases full, partly marked (up to 2.3) or not started."""
    framework = load("probation-pdu-2021")
    n = sum(full + partly + not_started for _, full, partly, not_started in FIELDWORK)
    wb = load_workbook(io.BytesIO(template.build(framework, n, "FW")))
    ws = wb["Cases"]
    header = [c.value for c in ws[1]]
    marker_col = len(header) + 1
    ws.cell(1, marker_col, "Marker")
    row = 2
    for inspector, full, partly, not_started in FIELDWORK:
        for k in range(full + partly + not_started):
            ws.cell(row, marker_col, f"Inspector {inspector}")
            if k < full + partly:
                _fill(ws, row, header, baseline, (row - 2) % baseline.cases, upto=None if k < full else "2.4")
            row += 1
    ratings = wb["Ratings"]
    for r in range(2, ratings.max_row + 1):  # leadership and staff judged; services and facilities not yet
        ratings.cell(r, 3, {"1.1": "Requires improvement", "1.2": "Good"}.get(str(ratings.cell(r, 1).value)))
    info = wb["Inspection"]
    info["B2"] = "Fieldwork in progress (invented sample)"
    wb.properties.created = wb.properties.modified = dt.datetime(2023, 3, 1)
    wb.save(out)


def _fill(ws, row: int, header: list, baseline, case: int, upto: str | None) -> None:
    """Copy a Newham case's answers into a row; with `upto`, only the standards before that one."""
    for j, text in enumerate(header, start=1):
        qid = str(text).split(" ")[0]
        if qid not in baseline.answers or (upto is not None and qid >= upto):
            continue
        ws.cell(row, j, answers.NAMES[int(baseline.answers[qid][case])])


def build(out_dir: Path) -> list[Path]:
    baseline = api.check_file(str(BASELINE), load("probation-pdu-2021"))
    written = []
    for marker in MARKERS:
        path = out_dir / f"newham-2022-moderation-{marker.lower()}.xlsx"
        moderation(marker, baseline, path)
        written.append(path)
    fieldwork(baseline, out_dir / "fieldwork-progress.xlsx")
    return [*written, out_dir / "fieldwork-progress.xlsx"]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "sample_data"
    for path in build(target):
        print(f"wrote {path}")
