"""casescore progress: how far the marking has got, by standard, key question and marker."""

from __future__ import annotations

from typing import Annotated

import typer

from casescore.cli.options import (
    FormatOpt,
    FrameworkOpt,
    IdColumnOpt,
    MarkingArg,
    RatingOpt,
    SheetOpt,
    given_framework,
    source,
)
from casescore.cli.output import Format, stdout_console, warn, working, write, write_csv, write_json


def progress(
    file: MarkingArg,
    by: Annotated[list[str], typer.Option(
        "--by", metavar="ATTRIBUTE",
        help="Show progress per value of a column, e.g. Marker or Team (repeatable).")] = [],
    framework: FrameworkOpt = None,
    rating: RatingOpt = [],
    fmt: FormatOpt = "table",
    sheet: SheetOpt = None,
    id_column: IdColumnOpt = None,
) -> None:
    """Show how complete a marking is: cases fully marked, partly marked and not started; the share of
    answers filled in per standard and key question (and per marker with --by); the standards that
    cannot be rated yet; and the rating if it were rated now, labelled PROVISIONAL. Blank answers are
    expected here: it works on a template as soon as it is written.

    \b
    Examples:
      casescore progress sample_data/fieldwork-progress.xlsx --by Marker
      casescore progress marking.xlsx --format json | jq .cases
      casescore progress marking.xlsx --by Marker --format csv > progress.csv
    """
    from casescore import api
    from casescore.render import progress as render

    fw = given_framework(framework)
    with working(f"Reading {file}", file) as reading:
        result = api.progress_file(source(file, sheet, id_column), fw, by, rating, reading)
    fmt = Format(fmt)
    if fmt is Format.json:
        write_json(render.progress_dict(result))
    elif fmt is Format.csv:
        write_csv(render.csv_rows(result), render.CSV_COLUMNS)
    elif fmt is Format.markdown:
        write(render.render_markdown(result))
    else:
        from casescore.render.table import show

        console = stdout_console()
        show(console, render.render_table(result, bars=console.is_terminal))
    for message in result.warnings:
        warn(message)
    if result.rating is not None:
        for message in result.rating.warnings:
            warn(f"rating now: {message}")
