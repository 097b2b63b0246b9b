"""casescore compare: a re-audit against an earlier audit (or the inspection baseline)."""

from __future__ import annotations

from typing import Annotated

import typer

from casescore.cli.options import (
    ByOpt,
    ConfidenceOpt,
    FormatOpt,
    FrameworkOpt,
    IdColumnOpt,
    MinNOpt,
    PartialOpt,
    SheetOpt,
    given_framework,
    source,
)
from casescore.cli.output import Format, stdout_console, warn, working, write, write_csv, write_json


def compare(
    before: Annotated[str, typer.Argument(metavar="BEFORE", help="The earlier marking (or - for stdin).")],
    after: Annotated[str, typer.Argument(metavar="AFTER", help="The later marking.")],
    framework: FrameworkOpt = None,
    by: ByOpt = [],
    partial: PartialOpt = False,
    confidence: ConfidenceOpt = 0.95,
    min_n: MinNOpt = 10,
    fmt: FormatOpt = "table",
    prompts: Annotated[bool, typer.Option("--prompts", help="Show prompts too (table and markdown).")] = False,
    sheet: SheetOpt = None,
    id_column: IdColumnOpt = None,
) -> None:
    """Compare two markings: every question's change in percentage points, with its interval,
    every standard's rating and the score, before and after.

    \b
    Examples:
      casescore compare sample_data/newham-2022.xlsx sample_data/newham-2023-reaudit.xlsx
      casescore compare before.xlsx after.xlsx --by "Sentence type" --prompts
      casescore compare before.xlsx after.xlsx --format markdown > changes.md
    """
    from casescore import api
    from casescore.compare import compare as run
    from casescore.errors import UsageError
    from casescore.render import compare as render

    if before == "-" and after == "-":
        raise UsageError("only one of BEFORE and AFTER can be - (standard input)")
    fw = given_framework(framework)
    with working(f"Reading {before}", before) as progress:
        first = api.rate_file(source(before, sheet, id_column), fw, (), partial, by, confidence, min_n, progress)
    with working(f"Reading {after}", after) as progress:
        second = api.rate_file(source(after, sheet, id_column), fw, (), partial, by, confidence, min_n, progress)
    api.one_framework([first.marking, second.marking])  # the same ids mean other questions in another
    cmp = run(first.result, second.result, confidence)
    sources = (render.Side.of(first.marking), render.Side.of(second.marking))
    if fmt is Format.json:
        write_json(render.comparison_dict(cmp, sources))
    elif fmt is Format.csv:
        write_csv(render.comparison_rows(cmp), render.CSV_COLUMNS)
    elif fmt is Format.markdown:
        write(render.render_markdown(cmp, sources, prompts))
    else:
        from casescore.render.table import show

        show(stdout_console(), render.render_table(cmp, sources, prompts))
    for message in render.comparison_warnings(cmp):
        warn(message)
