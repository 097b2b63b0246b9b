"""casescore rate: ratings from a case-marking file."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from casescore.cli.options import (
    ByOpt,
    ConfidenceOpt,
    FormatOpt,
    FrameworkOpt,
    IdColumnOpt,
    IdsPerFileOpt,
    MarkingsArg,
    MinNOpt,
    PartialOpt,
    RatingOpt,
    SheetOpt,
    given_framework,
    sources,
)
from casescore.cli.output import Format, stdout_console, warn, working, write, write_csv, write_json


def rate(
    files: MarkingsArg,
    framework: FrameworkOpt = None,
    rating: RatingOpt = [],
    partial: PartialOpt = False,
    fail_under: Annotated[Optional[str], typer.Option("--fail-under", metavar="RATING",
                          help="Exit 5 when any rated, scored standard is below this rating.")] = None,
    fmt: FormatOpt = "table",
    prompts: Annotated[bool, typer.Option("--prompts",
                                          help="Show prompts under each key question (table and markdown).")] = False,
    by: ByOpt = [],
    confidence: ConfidenceOpt = 0.95,
    min_n: MinNOpt = 10,
    sheet: SheetOpt = None,
    id_column: IdColumnOpt = None,
    ids_per_file: IdsPerFileOpt = False,
) -> None:
    """Rate every standard from a case-marking file: key questions, ratings, score and overall rating.

    \b
    Examples:
      casescore rate sample_data/newham-2022.xlsx
      casescore rate marking.xlsx --by "Sentence type" --prompts
      casescore rate marking.csv --rating 1.1=good --format json > ratings.json
      casescore rate region/ --by Source --rating 1.1=good   (every marking in a folder, pooled)
    """
    from casescore import api
    from casescore.framework import load
    from casescore.render import data

    fw = given_framework(framework)
    floor = api.fail_under_rating(fw or load(), fail_under)
    srcs = sources(files, sheet, id_column)
    with working(f"Reading {srcs[0].path}", srcs[0].path) as progress:
        rated = api.rate_file(srcs, fw, rating, partial, by, confidence, min_n, progress, ids_per_file)
    result = rated.result
    name = rated.marking.title
    notice = rated.marking.report.notice() if rated.marking.report else None
    if fmt is Format.json:
        write_json(data.result_dict(result, rated.marking.source, [notice] if notice else []))
    elif fmt is Format.csv:
        write_csv(data.csv_rows(result), data.CSV_COLUMNS)
    elif fmt is Format.markdown:
        from casescore.render import markdown

        write(markdown.render(result, name, prompts))
    else:
        from casescore.render import table

        table.show(stdout_console(), table.render(result, name, prompts))
    if notice:
        warn(notice)
    for message in result.warnings:
        warn(message)
    if result.missing_judgements:
        warn(f"give judgement ratings with --rating, e.g. --rating {result.missing_judgements[0]}=good")
    below = result.below(floor) if floor else []
    if below:
        from casescore.cli.output import error
        from casescore.errors import ExitCode

        error(f"--fail-under {floor}: " + ", ".join(f"{s.standard.id} is {s.rating}" for s in below))
        raise typer.Exit(ExitCode.FAIL_UNDER)
