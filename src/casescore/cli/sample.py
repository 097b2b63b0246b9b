"""casescore sample: draw the case sample from a caseload extract, and hand back the marking workbook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Optional

import typer

from casescore.cli.options import ForceOpt, FrameworkOpt, IdColumnOpt, SheetOpt, confidence_level, format_option, source
from casescore.cli.output import Format


def _confidence(value: Optional[float]) -> Optional[float]:
    return None if value is None else confidence_level(value)


def _margin(value: Optional[float]) -> Optional[float]:
    """10 and 0.10 both mean ten percentage points."""
    if value is None:
        return None
    margin = value / 100 if value >= 1 else value
    if not 0 < margin <= 0.5:
        raise typer.BadParameter(f"must be a margin of more than 0 and at most 50 points, e.g. 10 or 0.10 "
                                 f"(not {value:g})")
    return margin


def _size(value: Optional[int]) -> Optional[int]:
    if value is not None and value < 1:
        raise typer.BadParameter(f"must be 1 or more (not {value})")
    return value


def sample(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Caseload extract (.xlsx, .xls, .ods, .csv), one row "
                                        "per case, or - for stdin.")],
    size: Annotated[Optional[int], typer.Option("--size", "-n", metavar="N", callback=_size,
                                                help="Cases to sample.")] = None,
    confidence: Annotated[Optional[float], typer.Option(
        "--confidence", metavar="LEVEL", callback=_confidence,
        help="Size the sample for a precision instead: confidence level, 80 or 0.8 (with --margin).")] = None,
    margin: Annotated[Optional[float], typer.Option(
        "--margin", metavar="POINTS", callback=_margin,
        help="Margin of error in percentage points, 10 or 0.10 (with --confidence).")] = None,
    seed: Annotated[Optional[str], typer.Option(
        "--seed", metavar="TEXT", help="Seed of the draw: the same caseload, options and seed give the same sample "
        "anywhere. Default: a new seed, printed.")] = None,
    stratify: Annotated[Optional[list[str]], typer.Option(
        "--stratify", metavar="COL", help="Share the sample in proportion to this column's values, e.g. "
        "\"Sentence type\" (repeatable: strata are the combinations present).")] = None,
    within: Annotated[Optional[list[str]], typer.Option(
        "--within", metavar="COL", help="Keep the same proportions inside each stratum by this column, e.g. Team, "
        "then Officer (repeatable, outermost first).")] = None,
    max_per: Annotated[Optional[list[str]], typer.Option(
        "--max-per", metavar="COL=K", help="At most K cases from one value of COL, e.g. Officer=6 (the excess moves "
        "to others in the same group).")] = None,
    reserve: Annotated[Optional[str], typer.Option(
        "--reserve", metavar="P%|K", help="Reserve cases per stratum for cases that turn out unusable: 20% of its "
        "sample, or K cases.")] = None,
    started: Annotated[Optional[str], typer.Option(
        "--started", metavar="FROM..TO", help="Only cases starting in this window, e.g. 2022-01-24..2022-02-25 "
        "(inclusive; either end may be left open).")] = None,
    date_column: Annotated[Optional[str], typer.Option(
        "--date-column", metavar="COL", help="The column holding each case's start date. Default: one named like "
        "Start date, Sentence date or Release date.")] = None,
    where: Annotated[Optional[list[str]], typer.Option(
        "--where", metavar="COL=V1,V2", help="Only cases whose COL is one of these values (repeatable).")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option(
        "--exclude", metavar="COL=V", help="Leave out cases whose COL is this value (or one of V1,V2), e.g. "
        "Sensitive=Yes (repeatable).")] = None,
    person_key: Annotated[Optional[list[str]], typer.Option(
        "--person-key", metavar="COL+COL", help="Columns that identify a person, e.g. PNC, or \"First name+Surname+"
        "Date of birth\" (repeatable): one case per person, the earliest.")] = None,
    carry: Annotated[Optional[list[str]], typer.Option(
        "--carry", metavar="COL", help="Also carry this column into the outputs (the id, strata, --within and date "
        "columns always are; nothing else is).")] = None,
    detail: Annotated[bool, typer.Option("--detail", help="Also give the allocation inside each stratum, group by "
                                         "group (table, JSON and the workbook's Sample sheet).")] = False,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="OUT.xlsx", help="Write the marking workbook: the template pre-filled with the "
        "sample, a Reserves sheet and a Sample sheet (- writes its bytes to standard output).")] = None,
    framework: FrameworkOpt = None,
    prompts: Annotated[bool, typer.Option("--prompts/--no-prompts",
                                          help="Include a column per prompt in the workbook.")] = True,
    force: ForceOpt = False,
    fmt: Annotated[str, format_option("table", "json", "csv")] = "table",
    sheet: SheetOpt = None,
    id_column: IdColumnOpt = None,
) -> None:
    """Draw the case sample from a caseload extract the way an inspection does: eligible cases only,
    shared across strata in proportion, reproducible from its seed; optionally write the marking workbook.

    \b
    Examples:
      casescore sample sample_data/newham-caseload-2022.csv --size 33 --stratify "Sentence type" --seed 2022
      casescore sample caseload.csv --confidence 80 --margin 10 --stratify "Sentence type" \\
          --within Team --within Officer --max-per Officer=6 --reserve 20% \\
          --started 2022-01-24..2022-02-25 --exclude Sensitive=Yes -o marking.xlsx
      casescore sample caseload.xlsx --size 33 --seed 7 --format json
    """
    from casescore import api

    spec = api.SampleSpec(
        size=size, confidence=confidence, margin=margin, seed=seed, stratify=tuple(stratify or ()),
        within=tuple(within or ()), max_per=tuple(_limit(v) for v in max_per or ()), reserve=_reserve(reserve),
        started=_window(started), date_column=date_column, where=tuple(_values("--where", v) for v in where or ()),
        exclude=tuple(_values("--exclude", v) for v in exclude or ()),
        person_keys=tuple(_key(v) for v in person_key or ()), carry=tuple(carry or ()))
    _run(file, spec, _Out(Format(fmt), detail, output, framework, prompts, force), source(file, sheet, id_column))


@dataclass(frozen=True)
class _Out:
    """Where and how the sample goes."""

    fmt: Format
    detail: bool
    output: str | None
    framework: str | None
    prompts: bool
    force: bool


def _run(file: str, spec, out: _Out, src) -> None:
    from casescore import api, safe_write
    from casescore.cli.options import workbook_target
    from casescore.cli.output import working
    from casescore.errors import UsageError
    from casescore.framework import load

    fw = None
    if out.output is not None:
        if out.output == "-" and out.fmt is not Format.table:
            raise UsageError(f"-o - writes the workbook to standard output; --format {out.fmt.value} cannot go "
                             "there too (give -o a file name)")
        safe_write.check_target(workbook_target(out.output), out.force, (file,))  # fail before the work
        fw = load(out.framework)
    with working(f"Reading {file}", file):
        drawn = api.draw_sample(src, spec)
    if fw is not None and out.output is not None:  # first: a failed write leaves no report to mistake for success
        _write_workbook(drawn, fw, out, file)
    _report(drawn, out)
    _warnings(drawn)


def _report(drawn, out: _Out) -> None:
    from casescore.cli.output import stderr_console, stdout_console, write_csv, write_json
    from casescore.render import sample as render

    if out.fmt is Format.json:
        write_json(render.summary_dict(drawn, _command_line(drawn), out.detail))
    elif out.fmt is Format.csv:
        write_csv(drawn.rows(), render.csv_columns(drawn))
    else:
        from casescore.render.table import show

        # With the workbook on standard output, the report goes to stderr, out of its way.
        show(stderr_console() if out.output == "-" else stdout_console(), render.render(drawn, out.detail))


def _write_workbook(drawn, fw, out: _Out, file: str) -> None:
    import datetime as dt

    from casescore import __version__, safe_write
    from casescore.cli.options import wrote
    from casescore.cli.output import info
    from casescore.render import sample as render
    from casescore.workbook import template

    assert out.output is not None
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    prefill = render.prefill(drawn, _command_line(drawn), __version__, when, out.detail)
    data = template.build(fw, 0, prompts=out.prompts, prefill=prefill)
    safe_write.write_bytes(out.output, data, out.force, (file,))
    info(wrote(out.output, data, len(prefill.case_ids)))


def _warnings(drawn) -> None:
    from casescore.cli.output import info, warn

    if drawn.seed_generated:
        info(f"seed {drawn.seed} was generated: give --seed {drawn.seed} to draw this sample again")
    if drawn.sample.shortfall:
        warn(f"the sample is {drawn.sample.shortfall} case(s) short of the {drawn.sample.design.size} asked for: "
             "the limits leave no more cases (see Adjustments)")
    for note in drawn.eligibility.notes:
        warn(note)
    if drawn.caseload.not_cases:
        rows = ", ".join(str(r["row"]) for r in drawn.caseload.not_cases[:8])
        warn(f"{drawn.caseload.source}: {len(drawn.caseload.not_cases)} row(s) are not cases and were not counted "
             f"(row {rows}): no case id, or a total")


def _command_line(drawn) -> str:
    """The command as typed, with the seed added when it was generated: running it draws the same sample."""
    import shlex
    import sys

    args = ["casescore", *sys.argv[1:]]
    if drawn.seed_generated:
        args += ["--seed", drawn.seed]
    return shlex.join(args)


# --- option values -------------------------------------------------------------------------


def _split(option: str, text: str, form: str) -> tuple[str, str]:
    from casescore.errors import UsageError

    column, sep, value = text.partition("=")
    if not sep or not column.strip() or not value.strip():
        raise UsageError(f"{option} '{text}': write it as {form}")
    return column.strip(), value.strip()


def _limit(text: str) -> tuple[str, int]:
    from casescore.errors import UsageError

    column, value = _split("--max-per", text, "COL=K, e.g. Officer=6")
    if not value.isdigit() or int(value) < 1:
        raise UsageError(f"--max-per '{text}': K must be a whole number of cases, 1 or more")
    return column, int(value)


def _values(option: str, text: str) -> tuple[str, tuple[str, ...]]:
    from casescore.errors import UsageError

    column, value = _split(option, text, "COL=VALUE or COL=V1,V2")
    values = tuple(v.strip() for v in value.split(","))
    if not all(values):
        raise UsageError(f"{option} '{text}': an empty value between commas")
    return column, values


def _key(text: str) -> tuple[str, ...]:
    from casescore.errors import UsageError

    columns = tuple(c.strip() for c in text.split("+"))
    if not all(columns):
        raise UsageError(f"--person-key '{text}': write columns joined by +, e.g. \"First name+Surname+Date of birth\"")
    return columns


def _reserve(text: str | None):
    from fractions import Fraction

    from casescore.errors import UsageError
    from casescore.sampling import Reserve

    if text is None:
        return None
    value = text.strip()
    try:
        if value.endswith("%"):
            percent = Fraction(value[:-1].strip())
            if 0 <= percent <= 1000:
                return Reserve(percent=percent)
        elif value.isdigit():
            return Reserve(count=int(value))
    except ValueError:
        pass
    raise UsageError(f"--reserve '{text}': give a percentage of each stratum's sample (20%) or a number of cases "
                     "per stratum (3)")


def _window(text: str | None):
    from casescore.caseload import parse_date
    from casescore.errors import UsageError

    if text is None:
        return None
    start_text, sep, end_text = text.partition("..")
    if not sep or not (start_text.strip() or end_text.strip()):
        raise UsageError(f"--started '{text}': write it as FROM..TO, e.g. 2022-01-24..2022-02-25 (an end may be "
                         "left open: 2022-01-24..)")
    ends = []
    for part in (start_text.strip(), end_text.strip()):
        day = parse_date(part) if part else None
        if part and day is None:
            raise UsageError(f"--started '{text}': '{part}' is not a date; write 2022-01-24 or 24/01/2022")
        ends.append(day)
    if ends[0] and ends[1] and ends[0] > ends[1]:
        raise UsageError(f"--started '{text}': the window ends before it starts")
    return ends[0], ends[1]
