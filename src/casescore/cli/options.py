"""Options shared by several commands, defined once."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from casescore.cli.output import Format

FrameworkOpt = Annotated[
    Optional[str],
    typer.Option("--framework", "-f", metavar="ID|PATH",
                 help="Built-in framework id or a framework TOML file. Default: probation-pdu-2021."),
]
def _choice(*formats: str):
    """A --format callback: the value as a Format, or a plain message naming the formats this command has."""

    def check(value: str) -> Format:
        key = value.strip().lower()
        if key not in formats:
            raise typer.BadParameter(f"must be one of {', '.join(formats)} (not '{value}')")
        return Format(key)

    return check


def format_option(*formats: str):
    """--format offering exactly the formats a command can write."""
    return typer.Option("--format", metavar="FORMAT", callback=_choice(*formats),
                        help=f"Output format: {', '.join(formats)}.")


FormatOpt = Annotated[str, format_option("table", "json", "csv", "markdown")]
MarkingArg = Annotated[
    str, typer.Argument(metavar="FILE", help="Case-marking file (.xlsx, .xls, .ods, .csv), or - for stdin."),
]
MarkingsArg = Annotated[
    list[str],
    typer.Argument(metavar="FILE", show_default=False,  # shown as FILE... (several may be given)
                   help="Case-marking file (.xlsx, .xls, .ods, .csv), or - for stdin. Several files, a folder or a "
                        "pattern pool their cases into one rating, with a Source attribute naming each file."),
]
IdsPerFileOpt = Annotated[
    bool,
    typer.Option("--ids-per-file", help="Pooling: case ids need only be unique within a file (each is prefixed "
                                        "with its Source)."),
]
RatingOpt = Annotated[
    list[str],
    typer.Option("--rating", "-r", metavar="STD=RATING",
                 help="Judgement rating for a standard, e.g. 1.1=good (repeatable; wins over the Ratings sheet)."),
]
PartialOpt = Annotated[
    bool,
    typer.Option("--partial", help="Leave unmarked answers out of the denominators and mark the result "
                 "PROVISIONAL, instead of failing."),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")]
ByOpt = Annotated[
    list[str],
    typer.Option("--by", metavar="ATTRIBUTE",
                 help="Break every percentage down by an attribute column, e.g. \"Sentence type\" (repeatable)."),
]
def confidence_level(value: float) -> float:
    """--confidence as a level: 95 and 0.95 both mean 95%."""
    level = round(value / 100, 9) if value > 1 else value  # 99.9 / 100 is 0.9990000000000001
    if not 0.5 <= level <= 0.999:
        raise typer.BadParameter(f"must be a level from 50 to 99.9 percent, e.g. 95 or 0.95 (not {value:g})")
    return level


def at_least_one(value: int) -> int:
    if value < 1:
        raise typer.BadParameter(f"must be 1 or more (not {value})")
    return value


ConfidenceOpt = Annotated[
    float,
    typer.Option("--confidence", metavar="LEVEL", callback=confidence_level,
                 help="Confidence level of the intervals: 95 or 0.95 (the default) means 95%."),
]
MinNOpt = Annotated[
    int,
    typer.Option("--min-n", metavar="N", callback=at_least_one,
                 help="Mark percentages resting on fewer relevant cases than N (default 10), and warn."),
]
SheetOpt = Annotated[
    Optional[str],
    typer.Option("--sheet", metavar="NAME",
                 help="The sheet holding the cases. Default: the sheet named Cases, else the first visible sheet "
                      "with a case id column and question columns."),
]
IdColumnOpt = Annotated[
    Optional[str],
    typer.Option("--id-column", metavar="NAME",
                 help="The case id column's header, when it is not one casescore knows "
                      "(Case ID, CRN, Case ref, Case number, ID, Case)."),
]


def source(file: str, sheet: str | None, id_column: str | None):
    """The command line's FILE, --sheet and --id-column as the core's Source."""
    from casescore.api import Source

    return Source(file, sheet, id_column)

WorkbookOutOpt = Annotated[
    str,
    typer.Option("--output", "-o", "--workbook", metavar="OUT.xlsx",
                 help="The workbook to write (.xlsx); - writes its bytes to standard output (redirect it)."),
]


def workbook_target(target: str) -> str:
    """Refuse, before any work, a workbook output that cannot be what the user meant."""
    import sys
    from pathlib import PurePath

    from casescore.errors import UsageError

    if target == "-":
        if sys.stdout.isatty():
            raise UsageError("will not write a workbook's bytes to the terminal; redirect them (> out.xlsx) "
                             "or give -o out.xlsx")
        return target
    if PurePath(target).suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(f"{target}: a workbook is written as .xlsx; name the file .xlsx "
                         "(for CSV, use casescore rate --format csv)")
    return target


def wrote(target: str, written: bytes | str, cases: int) -> str:
    """What a command wrote (its bytes, or the file now holding them), for stderr:
    `wrote out.xlsx: 5 sheets, 33 cases`."""
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(written) if isinstance(written, bytes) else written).namelist()
    sheets = sum(n.startswith("xl/worksheets/") and n.endswith(".xml") for n in names)
    where = "standard output" if target == "-" else target
    return f"wrote {where}: {sheets} sheet(s), {cases} case(s)"


def given_framework(spec: str | None):
    """--framework loaded, or None when not given: then each file's recorded framework, else the default."""
    from casescore.framework import load

    return load(spec) if spec else None


def sources(files: list[str], sheet: str | None, id_column: str | None) -> list:
    """FILE... (files, folders, patterns) as the core's Sources."""
    from casescore.errors import UnreadableInput, UsageError
    from casescore.pooling import expand

    paths = expand(files)
    if not paths:
        raise UnreadableInput(f"{' '.join(files)}: is a folder (or pattern) with no marking files "
                              "(.xlsx, .xlsm, .xlsb, .xls, .ods, .csv)")
    if paths.count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    import os

    real = [os.path.realpath(p) if p != "-" else p for p in paths]
    twice = next((p for p, r in zip(paths, real, strict=True) if real.count(r) > 1), None)
    if twice is not None:  # its cases would be counted twice
        raise UsageError(f"{twice}: given more than once (as a file and through a folder or pattern, or twice)")
    return [source(p, sheet, id_column) for p in paths]
