"""casescore template: a blank marking workbook to fill in."""

from __future__ import annotations

from typing import Annotated

import typer

from casescore.cli.options import ForceOpt, FrameworkOpt, WorkbookOutOpt, workbook_target, wrote
from casescore.cli.output import info


def _case_rows(value: int) -> int:
    if not 0 <= value <= 100_000:
        raise typer.BadParameter(f"must be from 0 to 100000 (not {value})")
    return value


def template(
    output: WorkbookOutOpt,
    framework: FrameworkOpt = None,
    cases: Annotated[int, typer.Option("--cases", metavar="N", callback=_case_rows,
                                       help="Number of case rows, 0 to 100000 (default 33).")] = 33,
    prefix: Annotated[str, typer.Option("--prefix", metavar="TEXT",
                                        help="Case id prefix: TEXT-001, TEXT-002 ... (default CASE).")] = "CASE",
    prompts: Annotated[bool, typer.Option("--prompts/--no-prompts", help="Include a column per prompt.")] = True,
    force: ForceOpt = False,
) -> None:
    """Write a blank case-marking workbook (with drop-downs) in the format `rate` reads.

    \b
    Examples:
      casescore template -o marking.xlsx
      casescore template --framework youth-2021 --cases 20 --prefix YJS -o yjs-audit.xlsx
    """
    from casescore import safe_write
    from casescore.framework import load
    from casescore.workbook import template as book

    fw = load(framework)
    safe_write.check_target(workbook_target(output), force)
    data = book.build(fw, cases, prefix, prompts)
    safe_write.write_bytes(output, data, force)
    info(wrote(output, data, cases))
