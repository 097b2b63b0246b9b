"""Build sample_data/newham-2022.xlsx: an invented 33-case marking whose totals are the
published figures of HMIP's inspection of Newham PDU (November 2022).

No real people: ids are NEW-001..NEW-033 and every attribute is made up. The script is
deterministic (seeded by question id), so running it again gives the same answers.
Run:  python scripts/make_newham_sample.py [OUT.xlsx]
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from casescore.framework import load

N = 33
LICENCE = [2, 5, 8, 11, 14, 17, 20, 23, 26, 29]  # 10 released on licence (the resettlement cohort)
YOUNG_ADULTS = [0, 6, 12, 18, 24]  # 18-25, all on community sentences
NO_VICTIM = [3, 9, 15, 21, 27]  # 28 cases with an identified victim
COMMUNITY = [i for i in range(N) if i not in LICENCE]
VICTIM = [i for i in range(N) if i not in NO_VICTIM]

# question id -> (yes, relevant) for the whole sample, from the report (chosen where marked *)
WHOLE = {
    "2.2.1": (21, 33), "2.2.2": (16, 33), "2.2.3": (12, 33),
    "2.3.1": (17, 33), "2.3.2": (16, 33), "2.3.3": (13, 33),
    "2.4.1": (14, 33), "2.4.2": (10, 33), "2.4.3": (9, 33),
    "2.5.1": (16, 33), "2.5.2": (10, 33), "2.5.3": (10, 33),
    "2.6.1": (9, 33),
    "2.2.1b": (13, 33), "2.2.1c": (24, 33), "2.2.2a": (16, 33), "2.2.2b": (15, 30),  # 2.2.2b total *
    "2.2.3b": (10, 33), "2.2.3c": (11, 28), "2.2.3d": (25, 33),  # 2.2.3c, 2.2.3d totals *
    "2.3.1a": (20, 33), "2.3.1b": (16, 30), "2.3.3c": (9, 25), "2.3.3d": (10, 27),  # 2.3.1b denominator *
    "2.4.1a": (21, 31), "2.4.1c": (16, 31), "2.4.1f": (1, 5),  # 2.4.1c denominator *
    "2.4.2a": (13, 33), "2.4.2b": (10, 30), "2.4.2c": (8, 25), "2.4.2d": (5, 16),  # 2.4.2b total *
    "2.4.3b": (7, 28),
    "2.5.1c": (14, 33), "2.5.1d": (13, 27), "2.5.2a": (8, 29), "2.5.3a": (3, 24), "2.5.3d": (8, 31),  # 2.5.3d *
    "2.6.1a": (28, 33), "2.6.1b": (6, 11), "2.6.1c": (5, 31), "2.6.1d": (5, 27),
}
# question id -> (yes, relevant) in the resettlement cohort, from the report
RESETTLEMENT = {
    "2.2.1b": (0, 10), "2.2.2b": (1, 7), "2.2.3d": (8, 10), "2.3.3c": (1, 9),
    "2.4.2c": (1, 9), "2.4.2b": (0, 7), "2.5.3d": (0, 9),
}
VICTIM_ONLY = {"2.2.3c", "2.4.3b"}  # relevant only where a victim was identified
YOUNG_ADULTS_YES = {"2.2.1", "2.2.2", "2.2.3"}  # the five young adults were assessed well

ATTRIBUTES = ["Sentence type", "Age group", "Gender", "Risk of serious harm", "Victim identified"]
JUDGEMENTS = {"1.1": "Requires improvement", "1.2": "Good", "1.3": "Requires improvement", "1.4": "Good"}


def _pick(rng: random.Random, pool: list[int], k: int, first: list[int] = ()) -> list[int]:
    """k cases from pool, taking `first` before any others."""
    preferred = [i for i in first if i in pool]
    rest = [i for i in pool if i not in preferred]
    rng.shuffle(rest)
    if k > len(pool):
        raise ValueError(f"cannot choose {k} of {len(pool)} cases")
    return (preferred + rest)[:k]


def _shuffled(rng: random.Random, cases) -> list[int]:
    cases = list(cases)
    rng.shuffle(cases)
    return cases


def _default_totals(rng: random.Random, kq_yes: int) -> tuple[int, int]:
    """Plausible totals for a prompt the report gives no figure for: near its key question."""
    relevant = N - rng.randint(0, 4)
    yes = max(0, min(relevant, round(kq_yes * relevant / N) + rng.randint(-3, 3)))
    return yes, relevant


def column(qid: str, totals: tuple[int, int] | None, lean: list[int] = ()) -> list[str]:
    """Answers for one question, every case; totals None means court work (all N/A).

    Yes answers go first to the cases in `lean` (for a prompt: those that are Yes on its key
    question), so a case's prompts mostly agree with its key question, as in real marking.
    """
    if totals is None:
        return ["N/A"] * N
    rng = random.Random(qid)
    yes, relevant = totals
    pool = VICTIM if qid in VICTIM_ONLY else list(range(N))
    lic = [i for i in pool if i in LICENCE]
    com = [i for i in pool if i not in LICENCE]
    if qid in RESETTLEMENT:
        yes_r, rel_r = RESETTLEMENT[qid]
    else:
        rel_r = round(relevant * len(lic) / len(pool))
        yes_r = max(0, yes * rel_r // relevant - 1)  # resettlement work was done less well
    rel_lic = _pick(rng, lic, rel_r)
    rel_com = _pick(rng, com, relevant - rel_r, YOUNG_ADULTS)
    forced = YOUNG_ADULTS if qid in YOUNG_ADULTS_YES else []
    yes_set = set(_pick(rng, rel_lic, yes_r, _shuffled(rng, lean))) | set(
        _pick(rng, rel_com, yes - yes_r, forced + _shuffled(rng, lean)))
    relevant_set = set(rel_lic) | set(rel_com)
    return ["Yes" if i in yes_set else "No" if i in relevant_set else "N/A" for i in range(N)]


def attributes(i: int) -> list[str]:
    rng = random.Random(f"case-{i}")
    age = "18-25" if i in YOUNG_ADULTS else rng.choice(["26-35", "36-49", "50+"])
    return [
        "Licence" if i in LICENCE else "Community",
        age,
        "Female" if i % 8 == 4 else "Male",
        ["Low", "Medium", "Medium", "High", "High", "Very high"][rng.randrange(6)],
        "No" if i in NO_VICTIM else "Yes",
    ]


def build(out: Path) -> None:
    framework = load("probation-pdu-2021")
    headers, columns = [], []
    for std in framework.standards:
        for kq in std.key_questions:
            kq_totals = None if std.id == "2.1" else WHOLE[kq.id]
            kq_yes: list[int] = []
            for q in [kq, *kq.prompts]:
                totals = kq_totals if q is kq else (
                    None if std.id == "2.1" else WHOLE.get(q.id) or _default_totals(random.Random(q.id), kq_totals[0]))
                headers.append(f"{q.id} {q.text}")
                columns.append(column(q.id, totals, kq_yes))
                if q is kq:
                    kq_yes = [i for i, a in enumerate(columns[-1]) if a == "Yes"]

    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    ws.append(["Case ID", *ATTRIBUTES, *headers])
    for i in range(N):
        ws.append([f"NEW-{i + 1:03d}", *attributes(i), *(c[i] for c in columns)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "G2"

    ratings = wb.create_sheet("Ratings")
    ratings.append(["Standard", "Rating"])
    for sid, rating in JUDGEMENTS.items():
        ratings.append([sid, rating])

    info = wb.create_sheet("Inspection")
    info.append(["Field", "Value"])
    info.append(["Inspection", "Newham PDU (invented sample reproducing the November 2022 inspection)"])
    info.append(["Inspectorate", "HM Inspectorate of Probation"])
    info.append(["Note", "Invented cases: the totals are the published report's, the cases are not real"])

    fixed = dt.datetime(2022, 11, 1)
    wb.properties.created = wb.properties.modified = fixed
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


if __name__ == "__main__":
    default = Path(__file__).resolve().parent.parent / "sample_data" / "newham-2022.xlsx"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    build(target)
    print(f"wrote {target}")
