"""Output of `casescore frameworks`: the list, one framework shown, a check's summary, a diff.

Plain data (dicts for JSON, lines of text) and Rich renderables; nothing here reads files or
decides anything. Every output names a framework by id and title, and by path when it came from
a file rather than from the built-ins.
"""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from casescore.framework import BUILTIN_DIR, Framework
from casescore.framework_diff import Change, max_score, summary


def builtin(fw: Framework) -> bool:
    return fw.source_path.resolve().parent == BUILTIN_DIR.resolve()


def name(fw: Framework) -> str:
    """'probation-pdu-2023: HMI Probation ...', with '(my.toml)' when it came from a file."""
    return f"{fw.id}: {fw.title}" + ("" if builtin(fw) else f" ({fw.source_path})")


def identity(fw: Framework) -> dict:
    return {"id": fw.id, "title": fw.title, "path": None if builtin(fw) else str(fw.source_path)}


# --- the list and `show` -------------------------------------------------------------------------------


def list_row(fw: Framework) -> dict:
    return {"id": fw.id, "title": fw.title, "standards": len(fw.standards), "max_score": max_score(fw)}


def list_line(row: dict) -> str:
    return f"{row['id']:<22} {row['title']}  ({row['standards']} standards, max score {row['max_score']})"


def detail(fw: Framework) -> dict:
    def q(x):
        return {"id": x.id, "text": x.text, "evidence": x.evidence}

    return {
        **list_row(fw),
        "path": identity(fw)["path"],
        "provenance": fw.provenance,
        "warning": fw.warning or None,
        "ratings": [{"name": r.name, "points": r.points, "aliases": list(r.aliases)} for r in fw.ratings],
        "bands": {"minimum_percent": {n: float(m) for n, m in fw.bands}, "source": fw.bands_source},
        "rounding": {"before_banding": fw.rounding, "source": fw.rounding_source},
        "overall": {"maximum_share": {n: str(s) for n, s in fw.overall}, "source": fw.overall_source},
        "standards": [
            {"id": s.id, "name": s.name, "domain": s.domain, "method": s.method, "scored": s.scored,
             "source": s.source,
             "key_questions": [{**q(k), "prompts": [q(p) for p in k.prompts]} for k in s.key_questions]}
            for s in fw.standards
        ],
    }


def show_table(fw: Framework) -> Group:
    head = Text(name(fw), style="bold")
    bands = ", ".join(f"{n} >= {float(m):g}%" for n, m in fw.bands)
    points = ", ".join(f"{r.name} {r.points}" for r in fw.ratings)
    overall = ", ".join(f"{n} up to {s} of max" for n, s in fw.overall)
    rules = Text(f"Key-question bands: {bands}\nRounding before banding: {fw.rounding}\n"
                 f"Points: {points}\nOverall: {overall}  (max score {max_score(fw)})")
    parts: list = [head]
    if fw.warning:  # the rules are not all published: said before the rules, where it is read
        parts.append(Text(f"Caution: {fw.warning}", style="yellow"))
    table = Table(show_edge=False, pad_edge=False)
    for col in ("Id", "Standard / question", "Method", "Scored"):
        table.add_column(col, overflow="fold")
    for s in fw.standards:
        table.add_row(s.id, Text(s.name, style="bold"), s.method, "yes" if s.scored else "no")
        for k in s.key_questions:
            table.add_row(k.id, escape(k.text), "", "")
            for p in k.prompts:
                table.add_row(Text(p.id, style="dim"), Text(p.text, style="dim"), "", "")
    return Group(*parts, rules, table)


# --- check -----------------------------------------------------------------------------------------------


def check_dict(target: str, fw: Framework | None, problems: list[str]) -> dict:
    if fw is None:
        return {"file": target, "ok": False, "problems": problems}
    return {"file": target, "ok": True, **summary(fw), "path": identity(fw)["path"], "problems": []}


def check_lines(fw: Framework) -> list[str]:
    """A framework that passed, in a few lines: what it holds and the rules it applies."""
    s = summary(fw)
    methods = ", ".join(f"{n} {m}" for m, n in s["by_method"].items())
    lines = [
        f"ok: {name(fw)}",
        f"  standards: {s['standards']} ({methods}; {s['scored']} scored)",
        f"  questions: {s['key_questions']} key questions, {s['prompts']} prompts",
        "  bands: " + ", ".join(f"{n} >= {m}%" for n, m in s["bands"].items())
        + f" (rounding before banding: {s['rounding']})",
        "  points: " + ", ".join(f"{n} {p}" for n, p in s["points"].items()),
        "  overall: " + ", ".join(f"{n} up to {share} of max" for n, share in s["overall"].items()),
        f"  max score: {s['max_score']}",
    ]
    if fw.warning:
        lines.append(f"  caution: {fw.warning}")
    return lines


# --- diff ------------------------------------------------------------------------------------------------


def change_dict(c: Change) -> dict:
    return {"part": c.part, "id": c.id or None, "change": c.change, "field": c.field or None,
            "before": c.before, "after": c.after, "note": c.note or None}


def diff_dict(a: Framework, b: Framework, changes: list[Change]) -> dict:
    return {"a": identity(a), "b": identity(b), "same": not changes, "changes": [change_dict(c) for c in changes]}


def diff_table(a: Framework, b: Framework, changes: list[Change]) -> Group:
    head = Text(f"a: {name(a)}\nb: {name(b)}")
    if not changes:
        return Group(head, Text("no differences: same standards, questions, wording and rules"))
    table = Table(show_edge=False, pad_edge=False)
    for col in ("Part", "Id", "Change", "a", "b"):
        table.add_column(col, overflow="fold")
    for c in changes:
        what = f"{c.field} changed" if c.change == "changed" else c.change
        after = (c.after or "") + (f"  ({c.note})" if c.note else "")
        table.add_row(c.part, c.id, what, Text(c.before or ""), Text(after))
    counts = {k: sum(c.change == k for c in changes) for k in ("added", "removed", "changed")}
    tail = Text(", ".join(f"{n} {k}" for k, n in counts.items() if n) + f" ({len(changes)} differences)")
    return Group(head, table, tail)
