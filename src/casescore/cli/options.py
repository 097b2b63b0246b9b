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
FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
MarkingArg = Annotated[str, typer.Argument(metavar="FILE", help="Case-marking file (.xlsx, .xls, .ods, .csv), or - for stdin.")]
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
ConfidenceOpt = Annotated[
    float,
    typer.Option("--confidence", min=0.5, max=0.999, help="Confidence level of the intervals."),
]
MinNOpt = Annotated[
    int,
    typer.Option("--min-n", min=1, help="Mark percentages resting on fewer relevant cases than this, and warn."),
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
