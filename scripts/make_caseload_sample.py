"""Build sample_data/newham-caseload-2022.csv: an invented caseload extract (the long list) for
the Newham PDU inspection of November 2022, to draw the case sample from.

No real people: names, CRNs, PNC numbers, dates of birth, teams and officers are made up.
Deterministic (random.Random with fixed seeds). Run:  python scripts/make_caseload_sample.py [OUT.csv]
(`python scripts/make_caseload_sample.py big.csv 250000` writes an invented national caseload instead,
for benchmarks.)

What is in it, by design (the script checks it):
- 132 cases that start inside the report's window, 24 January to 25 February 2022, and are
  eligible: 92 community and 40 licence, the report's cohort proportions (23 : 10);
- 49 cases starting outside the window (34 community, 15 licence), 8 marked sensitive
  (6 and 2), and 9 cases of people already in the list under another CRN (6 and 3: 6 share a PNC
  number, 3 have no PNC but the same name and date of birth), each starting later than the
  person's first case;
- 3 rows repeating a CRN (a second order for the same person, starting later);
- 2 eligible cases with no risk-of-serious-harm level recorded.
Every group above keeps community : licence at 23 : 10, so a proportional sample of 33 is 23
community and 10 licence cases with or without the window, the sensitive filter and the
duplicate rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sample_data" / "newham-caseload-2022.csv"
WINDOW = (dt.date(2022, 1, 24), dt.date(2022, 2, 25))
COLUMNS = ["CRN", "PNC", "Surname", "First name", "Date of birth", "Gender", "Sentence type",
           "Risk of serious harm", "Start date", "Team", "Officer", "Sensitive"]
# (community, licence) per group
ELIGIBLE, OUTSIDE, SENSITIVE, SAME_PNC, SAME_NAME = (92, 40), (34, 15), (6, 2), (4, 2), (2, 1)
TEAMS = {
    "Newham North": ["A. Okafor", "B. Hughes", "C. Patel", "D. Mensah", "E. Walsh"],
    "Newham South": ["F. Begum", "G. Turner", "H. Kowalski", "I. Ahmed", "J. Reid", "K. Nwosu"],
    "Stratford": ["L. Fraser", "M. Chowdhury", "N. Brooks", "O. Adeyemi"],
    "Beckton": ["P. Singh", "Q. Morgan", "R. Osei", "S. Clarke", "T. Evans"],
}
SURNAMES = ["Abbott", "Bailey", "Carter", "Dawson", "Ellis", "Fletcher", "Grant", "Hassan", "Iqbal", "Jones",
            "Khan", "Lewis", "Mitchell", "Nolan", "Owusu", "Price", "Quinn", "Rahman", "Shaw", "Taylor",
            "Usman", "Vaughan", "Ward", "Young", "Zielinski"]
FIRST_NAMES = ["Adam", "Ben", "Callum", "Dev", "Emeka", "Femi", "George", "Harry", "Imran", "Jamal", "Kyle",
               "Liam", "Mo", "Nathan", "Olu", "Paul", "Ryan", "Sam", "Tom", "Yusuf"]
WOMEN = ["Amara", "Chloe", "Danielle", "Grace", "Jade", "Nadia", "Priya", "Sophie"]
ROSH = [("Low", 20), ("Medium", 55), ("High", 22), ("Very high", 3)]


def uk(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")  # how case-management extracts write dates: day first


class Maker:
    def __init__(self) -> None:
        self.rng = random.Random("newham-caseload-2022")
        self.crns: set[str] = set()
        self.officers = [(team, o) for team, names in TEAMS.items() for o in names]
        # A few officers hold far more new cases than others, as in any office.
        self.weights = [self.rng.choice([1, 1, 2, 3, 5]) for _ in self.officers]

    def crn(self) -> str:
        while True:
            crn = f"{self.rng.choice('DEXY')}{self.rng.randrange(100000, 999999)}"
            if crn not in self.crns:
                self.crns.add(crn)
                return crn

    def case(self, sentence: str, start: dt.date) -> dict[str, str]:
        rng = self.rng
        female = rng.random() < 0.12
        team, officer = rng.choices(self.officers, self.weights)[0]
        born = dt.date(rng.randrange(1960, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        pnc = f"{rng.randrange(1995, 2022)}/{rng.randrange(1000000):07d}{rng.choice('ABCDEFGH')}"
        return {
            "CRN": self.crn(), "PNC": pnc,
            "Surname": rng.choice(SURNAMES), "First name": rng.choice(WOMEN if female else FIRST_NAMES),
            "Date of birth": uk(born), "Gender": "Female" if female else "Male", "Sentence type": sentence,
            "Risk of serious harm": rng.choices([r for r, _ in ROSH], [w for _, w in ROSH])[0],
            "Start date": uk(start), "Team": team, "Officer": officer, "Sensitive": "",
        }

    def start(self, inside: bool) -> dt.date:
        if inside:
            return WINDOW[0] + dt.timedelta(days=self.rng.randrange((WINDOW[1] - WINDOW[0]).days + 1))
        before = self.rng.random() < 0.5
        return (WINDOW[0] - dt.timedelta(days=self.rng.randrange(1, 40)) if before
                else WINDOW[1] + dt.timedelta(days=self.rng.randrange(1, 40)))

    def group(self, counts: tuple[int, int], inside: bool) -> list[dict[str, str]]:
        return [self.case(sentence, self.start(inside))
                for sentence, n in zip(("Community", "Licence"), counts, strict=True) for _ in range(n)]

    def later_case_of(self, first: dict[str, str], same_crn: bool, same_pnc: bool) -> dict[str, str]:
        """Another case of the person in `first`, starting later inside the window."""
        day = dt.datetime.strptime(first["Start date"], "%d/%m/%Y").date()
        later = min(WINDOW[1], day + dt.timedelta(days=self.rng.randrange(1, 20)))
        if later == day:
            day = later - dt.timedelta(days=1)
            first["Start date"] = uk(day)
        case = self.case(first["Sentence type"], later)
        for key in ("Surname", "First name", "Date of birth", "Gender"):
            case[key] = first[key]
        case["PNC"] = first["PNC"] if same_pnc else ""
        if same_crn:
            case["CRN"] = first["CRN"]
        return case


def build() -> list[dict[str, str]]:
    make = Maker()
    eligible = make.group(ELIGIBLE, inside=True)
    for case in make.rng.sample(eligible, 2):
        case["Risk of serious harm"] = ""
    rows = eligible + make.group(OUTSIDE, inside=False)
    sensitive = make.group(SENSITIVE, inside=True)
    for case in sensitive:
        case["Sensitive"] = "Yes"
    rows += sensitive
    community = [c for c in eligible if c["Sentence type"] == "Community"]
    licence = [c for c in eligible if c["Sentence type"] == "Licence"]
    for (n_c, n_l), pnc in ((SAME_PNC, True), (SAME_NAME, False)):
        firsts = make.rng.sample(community, n_c) + make.rng.sample(licence, n_l)
        rows += [make.later_case_of(first, same_crn=False, same_pnc=pnc) for first in firsts]
    rows += [make.later_case_of(first, same_crn=True, same_pnc=True) for first in make.rng.sample(eligible, 3)]
    make.rng.shuffle(rows)
    _check(rows)
    return rows


def _check(rows: list[dict[str, str]]) -> None:
    """Each CRN once: community and licence at 23 : 10 (198 people, 6 x 33)."""
    first: dict[str, str] = {}
    for row in rows:
        first.setdefault(row["CRN"], row["Sentence type"])
    assert Counter(first.values()) == {"Community": 138, "Licence": 60}, Counter(first.values())


def national(n: int) -> list[dict[str, str]]:
    """n invented cases spread like a national caseload (for benchmarks): 1,000 teams of 8 officers,
    starts over a year, 1% sensitive, 2% a second case of someone already listed."""
    rng = random.Random(f"national-{n}")
    rows = []
    for k in range(n):
        team = rng.randrange(1000)
        start = dt.date(2021, 6, 1) + dt.timedelta(days=rng.randrange(365))
        rows.append({
            "CRN": f"N{k:07d}", "PNC": f"{rng.randrange(1995, 2022)}/{rng.randrange(10**7):07d}X",
            "Surname": rng.choice(SURNAMES), "First name": rng.choice(FIRST_NAMES),
            "Date of birth": uk(dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16000))),
            "Gender": "Female" if rng.random() < 0.12 else "Male",
            "Sentence type": "Licence" if rng.random() < 0.3 else "Community",
            "Risk of serious harm": rng.choices([r for r, _ in ROSH], [w for _, w in ROSH])[0],
            "Start date": uk(start), "Team": f"Team {team:04d}", "Officer": f"Officer {team:04d}-{rng.randrange(8)}",
            "Sensitive": "Yes" if rng.random() < 0.01 else "",
        })
    for row in rng.sample(rows, n // 50):
        row["PNC"] = rows[rng.randrange(n)]["PNC"]
    return rows


def main() -> None:
    """python scripts/make_caseload_sample.py [OUT.csv [ROWS]]: the Newham caseload, or ROWS national cases."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    rows = national(int(sys.argv[2])) if len(sys.argv) > 2 else build()
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
