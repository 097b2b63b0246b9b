"""casescore sample's output: the allocation as data (JSON, CSV rows), as tables, and as the
Sample and Reserves sheets of the marking workbook. Every form is built from the same figures."""

from __future__ import annotations

from fractions import Fraction

from casescore.api import Drawn
from casescore.sampling import BLANK, SELECTION, GroupResult, StratumResult

REUSE = ("A sampled case that turns out unusable is replaced by the next reserve of its stratum (sheet Reserves, "
         "lowest number first): type the reserve's id and attributes over the unusable case's row in Cases.")


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def _quota(q: Fraction) -> float:
    return round(float(q), 2)


# --- data ----------------------------------------------------------------------------------


def size_dict(drawn: Drawn) -> dict:
    if drawn.size is None:
        return {"method": "given", "n": drawn.sample.design.size}
    s = drawn.size
    return {"method": "precision", "n": s.n, "confidence": s.confidence, "margin": s.margin, "population": s.population,
            "z": s.z, "n0": s.n0, "formula": s.formula()}


def stratum_dict(drawn: Drawn, st: StratumResult) -> dict:
    values = dict(zip(drawn.stratify, drawn.stratum_values[st.label], strict=True))
    return {"stratum": st.label, "values": values, "available": st.available, "picked": st.picked,
            "share_of_list": _percent(st.available, drawn.sample.population),
            "share_of_sample": _percent(st.picked, len(drawn.sample.chosen)), "quota": _quota(st.quota),
            "allotted": st.allotted, "lifted": st.lifted, "reserves": st.reserves,
            "reserves_wanted": st.reserves_wanted}


def group_dict(g: GroupResult) -> dict:
    return {"stratum": g.stratum, "level": g.level, "path": [v or BLANK for v in g.path], "available": g.available,
            "picked": g.picked, "share_of_list": _percent(g.available, g.parent_available),
            "share_of_sample": _percent(g.picked, g.parent_picked), "quota": _quota(g.quota), "allotted": g.allotted}


def eligibility_dict(drawn: Drawn) -> dict:
    e = drawn.eligibility
    return {"cases": e.cases, "removed": [{"kind": r.kind, "rule": r.rule, "removed": r.removed} for r in e.rules],
            "eligible": e.eligible, "notes": e.notes, "not_cases": drawn.caseload.not_cases}


def summary_dict(drawn: Drawn, command: str | None = None, detail: bool = False) -> dict:
    """Everything `--format json` gives: the caseload, eligibility, size, allocation, adjustments, cases; and
    with `detail` every group of the nested levels (a national caseload has thousands of officers)."""
    c, sample = drawn.caseload, drawn.sample
    return {
        "source": c.source, "sha256": c.sha256, "sheet": c.table.sheet, "id_column": c.id_column,
        "eligibility": eligibility_dict(drawn), "size": size_dict(drawn),
        "seed": drawn.seed, "seed_generated": drawn.seed_generated, "selection": SELECTION, "command": command,
        "stratify": drawn.stratify, "levels": drawn.levels, "limits": dict(sample.design.limits),
        "reserve": str(sample.design.reserve) if sample.design.reserve else None, "date_column": drawn.date_column,
        "sampled": len(sample.chosen), "shortfall": sample.shortfall, "reserves": len(sample.reserves),
        "strata": [stratum_dict(drawn, st) for st in sample.strata],
        **({"groups": [group_dict(g) for g in sample.groups]} if detail else {}),
        "adjustments": [{"kind": a.kind, "where": a.where, "message": a.message} for a in sample.adjustments],
        "cases": drawn.rows(),
    }


def csv_columns(drawn: Drawn) -> list[str]:
    return ["case_id", "stratum", "reserve", *drawn.carried]


# --- text ----------------------------------------------------------------------------------


def headline(drawn: Drawn) -> str:
    n = len(drawn.sample.chosen)
    reserves = f" and {len(drawn.sample.reserves)} reserve(s)" if drawn.sample.design.reserve else ""
    return f"Sample of {n} case(s){reserves} from {drawn.eligibility.eligible} eligible in {drawn.caseload.source}"


def size_line(drawn: Drawn) -> str:
    return f"size {drawn.size.formula()}" if drawn.size else f"size {drawn.sample.design.size} (asked for)"


def seed_line(drawn: Drawn) -> str:
    made = " (generated: give --seed " + drawn.seed + " to draw this sample again)" if drawn.seed_generated else ""
    return f"seed {drawn.seed}{made}; {SELECTION}"


def eligibility_lines(drawn: Drawn) -> list[str]:
    e = drawn.eligibility
    lines = [f"{e.cases} case(s) in the caseload (id column '{drawn.caseload.id_column}')"]
    if drawn.caseload.not_cases:
        rows = ", ".join(str(r["row"]) for r in drawn.caseload.not_cases[:8])
        lines.append(f"  {len(drawn.caseload.not_cases)} row(s) not cases, not counted (row {rows})")
    width = max([len(str(r.removed)) for r in e.rules], default=1)
    lines += [f"  - {r.removed:>{width}} {r.rule}" for r in e.rules]
    lines.append(f"{e.eligible} eligible")
    return lines


def strata_rows(drawn: Drawn) -> list[list[str]]:
    """Stratum, picked/available, share of list, share of sample, quota, reserves, note."""
    sample = drawn.sample
    out = []
    for st in sample.strata:
        d = stratum_dict(drawn, st)
        note = "lifted to 1" if st.lifted else ("short" if st.picked < st.allotted else "")
        out.append([st.label, f"{st.picked}/{st.available}", _shown_percent(d["share_of_list"]),
                    _shown_percent(d["share_of_sample"]), f"{float(st.quota):.2f}",
                    f"{st.reserves}" + (f" of {st.reserves_wanted}" if st.reserves < st.reserves_wanted else ""), note])
    out.append(["Total", f"{len(sample.chosen)}/{sample.population}", "100.00%",
                "100.00%" if sample.chosen else "-", str(sample.design.size), str(len(sample.reserves)), ""])
    return out


STRATA_HEADER = ["Stratum", "Picked/available", "Share of list", "Share of sample", "Quota", "Reserves", "Note"]
GROUP_HEADER = ["Stratum", "Level", "Group", "Picked/available", "Share of list", "Share of sample", "Quota"]


def group_rows(drawn: Drawn) -> list[list[str]]:
    out = []
    for g in drawn.sample.groups:
        d = group_dict(g)
        indent = "  " * (len(g.path) - 1)
        out.append([g.stratum, g.level, indent + (g.path[-1] or BLANK), f"{g.picked}/{g.available}",
                    _shown_percent(d["share_of_list"]), _shown_percent(d["share_of_sample"]), f"{float(g.quota):.2f}"])
    return out


def _shown_percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"


def adjustment_lines(drawn: Drawn) -> list[str]:
    return [f"{a.kind}: {a.where}: {a.message}" for a in drawn.sample.adjustments]


def render(drawn: Drawn, detail: bool = False):
    """The table output: what was read and left out, size and seed, the allocation, adjustments, cases."""
    from rich.console import Group
    from rich.text import Text

    parts: list = [Text(headline(drawn), style="bold"), Text(size_line(drawn)), Text(seed_line(drawn)), Text()]
    parts += [Text(line) for line in eligibility_lines(drawn)]
    parts += [Text(), _table("Strata", STRATA_HEADER, strata_rows(drawn), numeric=range(1, 6))]
    if detail and drawn.sample.groups:
        parts += [Text(), _table("Within strata (shares of the group above)", GROUP_HEADER, group_rows(drawn),
                                 numeric=range(3, 7))]
    if drawn.sample.adjustments:
        parts += [Text(), Text("Adjustments", style="bold")] + [Text("  " + a) for a in adjustment_lines(drawn)]
    if drawn.eligibility.notes:
        parts += [Text(), Text("Notes", style="bold")] + [Text("  " + n) for n in drawn.eligibility.notes]
    rows = drawn.rows()
    columns = ["case_id", "stratum", *drawn.levels, "reserve"]
    parts += [Text(), _table("Cases", ["Case ID", "Stratum", *drawn.levels, "Reserve"],
                             [[str(r.get(c, "")) or (BLANK if c in drawn.levels else "") for c in columns]
                              for r in rows])]
    return Group(*parts)


def _table(title: str, header: list[str], rows: list[list[str]], numeric=()):
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for j, name in enumerate(header):
        # fold, never cut: on a narrow terminal a value wraps rather than losing its end
        table.add_column(name, justify="right" if j in numeric else "left", overflow="fold",
                         min_width=None if j in numeric else min(12, max(len(name), 4)))
    for row in rows:
        table.add_row(*row)
    return table


# --- the workbook --------------------------------------------------------------------------


def prefill(drawn: Drawn, command: str, version: str, when: str, detail: bool = False):
    """The marking template's cases (the sample, with its carried columns) and its Reserves and Sample sheets."""
    from casescore.workbook.template import Prefill, Sheet

    rows = drawn.rows(reserves=False)
    carried = list(drawn.carried)
    reserves = [[int(r["reserve"]), r["case_id"], r["stratum"], *(r[c] for c in carried)]
                for r in drawn.rows() if r["reserve"]]
    return Prefill(
        case_ids=[r["case_id"] for r in rows],
        attributes={c: [r[c] for r in rows] for c in carried},
        sheets=[Sheet("Reserves", [["Reserve", "Case ID", "Stratum", *carried], *reserves]),
                sample_sheet(drawn, command, version, when, detail)],
    )


def sample_sheet(drawn: Drawn, command: str, version: str, when: str, detail: bool = False):
    """How the sample was drawn, so that anyone can check it and draw it again."""
    from casescore.workbook.template import Sheet

    c = drawn.caseload
    rows: list[list] = [
        ["How this sample was drawn"],
        ["Caseload", c.source], ["Caseload SHA-256", c.sha256], ["Sheet", c.table.sheet or "(CSV)"],
        ["Case id column", c.id_column], ["Seed", drawn.seed], ["Command", command],
        ["Size", size_line(drawn).removeprefix("size ")], ["Selection", SELECTION],
        ["Reserves", REUSE], ["Drawn", when], ["casescore", version], [],
    ]
    headings = [0]
    section: list[list] = [["Eligibility", "Cases"], ["in the caseload", drawn.eligibility.cases],
               *([f"left out: {r.rule}", r.removed] for r in drawn.eligibility.rules),
               ["eligible", drawn.eligibility.eligible], []]
    headings.append(len(rows))
    rows += section
    headings.append(len(rows))
    rows += [["Stratum", "Picked", "Available", "Share of list (%)", "Share of sample (%)", "Quota", "Reserves"]]
    rows += [[d["stratum"], d["picked"], d["available"], d["share_of_list"], d["share_of_sample"], d["quota"],
              d["reserves"]] for d in (stratum_dict(drawn, st) for st in drawn.sample.strata)]
    if drawn.sample.groups and detail:
        rows.append([])
        headings.append(len(rows))
        rows.append(["Stratum", "Level", "Group", "Picked", "Available", "Share of list (%)", "Share of sample (%)",
                     "Quota"])
        rows += [[d["stratum"], d["level"], " / ".join(d["path"]), d["picked"], d["available"], d["share_of_list"],
                  d["share_of_sample"], d["quota"]] for d in map(group_dict, drawn.sample.groups)]
    if drawn.sample.adjustments:
        rows.append([])
        headings.append(len(rows))
        rows.append(["Adjustment", "Where", "What"])
        rows += [[a.kind, a.where, a.message] for a in drawn.sample.adjustments]
    return Sheet("Sample", rows, frozenset(headings))
