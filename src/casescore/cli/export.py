"""casescore export: the inspection data workbook."""

from __future__ import annotations

from typing import Annotated

import typer

from casescore.cli.options import (
    ForceOpt,
    FrameworkOpt,
    IdColumnOpt,
    IdsPerFileOpt,
    MarkingsArg,
    PartialOpt,
    RatingOpt,
    SheetOpt,
    WorkbookOutOpt,
    given_framework,
    sources,
    workbook_target,
    wrote,
)
from casescore.cli.output import info, warn, working


def export(
    files: MarkingsArg,
    workbook: WorkbookOutOpt,
    framework: FrameworkOpt = None,
    rating: RatingOpt = [],
    partial: PartialOpt = False,
    no_cases: Annotated[bool, typer.Option("--no-cases",
                                           help="Leave out the Cases sheet (for sharing outside the team).")] = False,
    force: ForceOpt = False,
    sheet: SheetOpt = None,
    id_column: IdColumnOpt = None,
    ids_per_file: IdsPerFileOpt = False,
) -> None:
    """Write the data workbook: Summary, Key questions (with chart), Prompts, Cases, Method.

    \b
    Examples:
      casescore export sample_data/newham-2022.xlsx -o newham-data.xlsx
      casescore export marking.xlsx -o to-share.xlsx --no-cases --rating 1.1=good
    """
    from casescore import api, safe_write
    from casescore.workbook import export as book

    srcs = sources(files, sheet, id_column)
    inputs = tuple(s.path for s in srcs)
    safe_write.check_target(workbook_target(workbook), force, inputs)  # fail before the work, not after it
    with working(f"Reading {srcs[0].path}", srcs[0].path) as progress:
        rated = api.rate_file(srcs, given_framework(framework), rating, partial, progress=progress,
                              ids_per_file=ids_per_file)
    with working(f"Writing {workbook}", srcs[0].path):
        written: bytes | str
        if workbook == "-":
            written = data = book.build(rated, include_cases=not no_cases)
            safe_write.write_bytes(workbook, data, force, inputs)
        else:  # straight to the file: a million-case workbook is never held in memory whole
            safe_write.write_with(workbook, lambda fh: book.build(rated, include_cases=not no_cases, out=fh),
                                  force, inputs)
            written = workbook
    info(wrote(workbook, written, rated.marking.cases))
    notice = rated.marking.report.notice() if rated.marking.report else None
    if notice:
        warn(notice)
    for message in rated.result.warnings:
        warn(message)
    if rated.result.missing_judgements:
        warn(f"give judgement ratings with --rating, e.g. --rating {rated.result.missing_judgements[0]}=good")
