"""casescore frameworks: list the built-in frameworks, or show one."""

from __future__ import annotations

from typing import Annotated

import typer

from casescore.cli.output import Format, stdout_console, write, write_json

app = typer.Typer(help="List the built-in frameworks, or show one.", invoke_without_command=True,
                  rich_markup_mode=None)


@app.callback()
def frameworks(ctx: typer.Context,
               fmt: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table) -> None:
    """List the built-in frameworks (ids for --framework)."""
    if ctx.invoked_subcommand:
        return
    from casescore.framework import builtin_ids, load

    rows = [_summary(load(i)) for i in builtin_ids()]
    if fmt is Format.json:
        write_json(rows)
        return
    for r in rows:
        write(f"{r['id']:<22} {r['title']}  ({r['standards']} standards, max score {r['max_score']})")


@app.command()
def show(
    framework: Annotated[str, typer.Argument(metavar="ID|PATH", help="Built-in framework id or a TOML file.")],
    toml: Annotated[bool, typer.Option("--toml", help="Print the framework file itself (loads back unchanged).")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """Show a framework: standards, key questions, prompts, bands, points and overall rule."""
    from casescore.framework import load

    fw = load(framework)
    if toml:
        write(fw.source_text)
    elif fmt is Format.json:
        write_json(_detail(fw))
    else:
        stdout_console().print(_table(fw))


def _summary(fw) -> dict:
    scored = [s for s in fw.standards if s.scored]
    return {"id": fw.id, "title": fw.title, "standards": len(fw.standards),
            "max_score": fw.max_points * len(scored)}


def _detail(fw) -> dict:
    def q(x):
        return {"id": x.id, "text": x.text, "evidence": x.evidence}

    return {
        **_summary(fw),
        "provenance": fw.provenance,
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


def _table(fw):
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    head = Text(f"{fw.id}: {fw.title}", style="bold")
    bands = ", ".join(f"{n} >= {float(m):g}%" for n, m in fw.bands)
    points = ", ".join(f"{r.name} {r.points}" for r in fw.ratings)
    overall = ", ".join(f"{n} up to {s} of max" for n, s in fw.overall)
    rules = Text(f"Key-question bands: {bands}\nRounding before banding: {fw.rounding}\n"
                 f"Points: {points}\nOverall: {overall}")
    table = Table(show_edge=False, pad_edge=False)
    for col in ("Id", "Standard / question", "Method", "Scored"):
        table.add_column(col, overflow="fold")
    for s in fw.standards:
        table.add_row(s.id, Text(s.name, style="bold"), s.method, "yes" if s.scored else "no")
        for k in s.key_questions:
            table.add_row(k.id, escape(k.text), "", "")
            for p in k.prompts:
                table.add_row(Text(p.id, style="dim"), Text(p.text, style="dim"), "", "")
    return Group(head, rules, table)
