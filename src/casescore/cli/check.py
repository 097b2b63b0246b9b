"""casescore check: every problem in a marking, with cell references."""

from __future__ import annotations

from typing import Annotated

import typer

from casescore.cli.options import FormatOpt, FrameworkOpt, MarkingArg
from casescore.cli.output import Format, stderr_console, working, write, write_csv, write_json


def check(
    file: MarkingArg,
    framework: FrameworkOpt = None,
    partial: Annotated[bool, typer.Option("--partial", help="Do not count unmarked answers as problems.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """List every problem in a case-marking file (file, sheet, cell, what is wrong, what is accepted)."""
    from casescore import api
    from casescore.errors import ExitCode
    from casescore.framework import load

    with working(f"Reading {file}", file) as progress:
        marking = api.check_file(file, load(framework), progress)
    problems = marking.blocking(partial)
    rows = [{"where": p.where, "kind": p.kind, "message": p.message, "value": p.value, "accepted": p.accepted}
            for p in problems]
    summary = (f"{marking.source}: {marking.cases} cases, {len(marking.answers)} question columns, "
               + (f"{len(problems)} problem(s)" if problems else "no problems"))
    if fmt is Format.json:
        write_json({"source": marking.source, "cases": marking.cases, "questions": len(marking.answers),
                    "ok": not problems, "problems": rows})
    elif fmt is Format.csv:
        write_csv(rows, ["where", "kind", "message", "value", "accepted"])
    else:
        for p in problems:
            write(str(p))
        stderr_console().print(summary, markup=False)
    if problems:
        raise typer.Exit(ExitCode.INVALID_INPUT)
