"""casescore template: a blank marking workbook to fill in."""

from __future__ import annotations

from typing import Annotated

import typer

from casescore.cli.options import ForceOpt, FrameworkOpt


def template(
    output: Annotated[str, typer.Option("--output", "-o", metavar="OUT.xlsx",
                                        help="The workbook to write; - writes the xlsx bytes to stdout.")],
    framework: FrameworkOpt = None,
    cases: Annotated[int, typer.Option("--cases", min=0, max=100_000, help="Number of case rows.")] = 33,
    prefix: Annotated[str, typer.Option("--prefix", help="Case id prefix: PREFIX-001, PREFIX-002 ...")] = "CASE",
    prompts: Annotated[bool, typer.Option("--prompts/--no-prompts", help="Include a column per prompt.")] = True,
    force: ForceOpt = False,
) -> None:
    """Write a blank case-marking workbook (with drop-downs) in the format `rate` reads."""
    from casescore import safe_write
    from casescore.framework import load
    from casescore.workbook import template as book

    fw = load(framework)
    safe_write.check_target(output, force)
    safe_write.write_bytes(output, book.build(fw, cases, prefix, prompts), force)
