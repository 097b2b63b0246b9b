"""casescore agree: how well markers who marked the same cases agree (moderation), and whether it matters."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from casescore.cli.options import (
    ConfidenceOpt,
    FormatOpt,
    FrameworkOpt,
    IdColumnOpt,
    RatingOpt,
    SheetOpt,
    at_least_one,
    given_framework,
    source,
)
from casescore.cli.output import Format, info, stdout_console, warn, working, write, write_csv, write_json

ORDERS = ("question", "case")  # as render.agree lists them (not imported here: it would load numpy for --help)


def _coefficient(value: float | None) -> float | None:
    if value is not None and not -1 <= value <= 1:
        raise typer.BadParameter(f"must be a coefficient from -1 to 1, e.g. 0.6 (not {value:g})")
    return value


def _order(value: str) -> str:
    key = value.strip().lower()
    if key not in ORDERS:
        raise typer.BadParameter(f"must be one of {', '.join(ORDERS)} (not '{value}')")
    return key


def agree(
    files: Annotated[list[str], typer.Argument(
        metavar="FILE", help="Two or more markings of the same cases, one per marker, matched by case id "
                             "(- for stdin, once).")],
    framework: FrameworkOpt = None,
    rating: RatingOpt = [],
    fail_under_agreement: Annotated[Optional[float], typer.Option(
        "--fail-under-agreement", metavar="K", callback=_coefficient,
        help="Exit 5 when any key question's coefficient (kappa, or alpha for three or more markers) is below K, "
             "e.g. 0.6: a gate for QA. Output is still printed.")] = None,
    disagreements: Annotated[bool, typer.Option(
        "--disagreements", help="Only list the disagreements, one row per case and question (with --format csv: "
                                "a sheet for the moderation meeting).")] = False,
    sort: Annotated[str, typer.Option(
        "--sort", metavar="ORDER", callback=_order,
        help="List the disagreements by question or by case.")] = "question",
    prompts: Annotated[bool, typer.Option(
        "--prompts", help="Show prompts too (table and markdown; JSON and CSV always have them).")] = False,
    confidence: ConfidenceOpt = 0.95,
    min_n: Annotated[int, typer.Option(
        "--min-n", metavar="N", callback=at_least_one,
        help="Flag coefficients resting on fewer compared cases than N.")] = 10,
    seed: Annotated[int, typer.Option(
        "--seed", metavar="N",
        help="Seed of the bootstrap interval (three or more markers), so a run repeats exactly.")] = 1,
    fmt: FormatOpt = "table",
    sheet: SheetOpt = None,
    id_column: IdColumnOpt = None,
) -> None:
    """Measure how well markers agree on cases they both (or all) marked: per key question and prompt,
    raw agreement and Cohen's kappa (two markers) or Krippendorff's alpha (three or more) with its
    interval; every disagreement; and, first, whether any rating changes between markers.

    \b
    Examples:
      casescore agree sample_data/newham-2022.xlsx sample_data/newham-2022-moderation-b.xlsx
      casescore agree moderation/*.xlsx --format json
      casescore agree first.xlsx second.xlsx --disagreements --format csv > to-discuss.csv
    """
    from casescore import api
    from casescore.agreement import Options
    from casescore.errors import ExitCode, UsageError

    if files.count("-") > 1:
        raise UsageError("only one FILE can be - (standard input)")
    fw = given_framework(framework)
    options = Options(confidence=confidence, min_n=min_n, seed=seed)
    with working(f"Reading {len(files)} markings", files[0]) as progress:
        agreed = api.agree_files([source(f, sheet, id_column) for f in files], fw, rating, options, progress)
    result = agreed.agreement
    _write(result, Format(fmt), sort, prompts, disagreements)
    for m in agreed.markings:
        notice = m.report.notice() if m.report else None
        if notice:
            warn(notice)
    for message in result.warnings:
        warn(message)
    _hint_prompts(result, Format(fmt), prompts)
    _gate(result, fail_under_agreement, ExitCode.FAIL_UNDER)


def _write(result, fmt: Format, order: str, prompts: bool, disagreements: bool) -> None:
    from casescore.render import agree as render

    if fmt is Format.json:
        write_json(render.agreement_dict(result, order))
    elif fmt is Format.csv and disagreements:
        write_csv(render.disagreement_rows(result, order), render.disagreement_columns(result))
    elif fmt is Format.csv:
        write_csv(render.question_rows(result), render.QUESTION_COLUMNS)
    elif fmt is Format.markdown:
        write(render.render_markdown(result, order, prompts, disagreements))
    else:
        from casescore.render.table import show

        show(stdout_console(), render.render_table(result, order, prompts, disagreements))


def _hint_prompts(result, fmt: Format, prompts: bool) -> None:
    hidden = sum(d.kind == "prompt" for d in result.disagreements)
    if fmt in (Format.table, Format.markdown) and not prompts and hidden:
        info(f"{hidden} disagreement(s) on prompts not shown; --prompts shows them")


def _gate(result, threshold: float | None, code: int) -> None:
    """--fail-under-agreement: exit 5 naming every key question below the threshold."""
    if threshold is None:
        return
    below = result.below(threshold)
    if below:
        from casescore.cli.output import error

        error(f"--fail-under-agreement {threshold:g}: " + ", ".join(
            f"{q.question.id} is {q.estimate.value:.2f}" for q in below))
        raise typer.Exit(code)
