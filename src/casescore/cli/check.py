"""casescore check: what was read from a marking, then every problem, with cell references."""

from __future__ import annotations

from typing import Annotated

import typer

from casescore.cli.options import (
    FormatOpt,
    FrameworkOpt,
    IdColumnOpt,
    IdsPerFileOpt,
    MarkingsArg,
    SheetOpt,
    given_framework,
    sources,
)
from casescore.cli.output import Format, stderr_console, working, write, write_csv, write_json


def check(
    files: MarkingsArg,
    framework: FrameworkOpt = None,
    partial: Annotated[bool, typer.Option("--partial", help="Do not count unmarked answers as problems.")] = False,
    fmt: FormatOpt = "table",
    sheet: SheetOpt = None,
    id_column: IdColumnOpt = None,
    ids_per_file: IdsPerFileOpt = False,
) -> None:
    """Say what was read from a case-marking file, then list every problem (file, sheet, cell,
    what is wrong, what is accepted). Exit 1 when there are problems.

    \b
    Examples:
      casescore check marking.xlsx
      casescore check marking.xlsx --partial --format json
      casescore check caseload-audit.csv --id-column "Person ref"
    """
    from casescore import api
    from casescore.errors import ExitCode
    from casescore.render import check as render

    srcs = sources(files, sheet, id_column)
    with working(f"Reading {srcs[0].path}", srcs[0].path) as progress:
        marking = api.check_files(srcs, given_framework(framework), ids_per_file, progress)
    problems = marking.blocking(partial)
    summary = (f"{marking.source}: {marking.cases} cases, {len(marking.answers)} question columns, "
               + (f"{len(problems)} problem(s)" if problems else "no problems"))
    if fmt is Format.json:
        write_json(render.check_dict(marking, problems))
    elif fmt is Format.csv:
        write_csv(render.problem_rows(problems), render.PROBLEM_COLUMNS)
    elif fmt is Format.markdown:
        write(render.markdown(marking, problems))
    else:
        if marking.report:
            write("\n".join(render.read_lines(marking.report, marking.cases)))
        for p in problems:
            write(str(p))
        stderr_console().print(summary, markup=False)
    if problems:
        raise typer.Exit(ExitCode.INVALID_INPUT)
