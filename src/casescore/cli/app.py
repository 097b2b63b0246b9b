"""The casescore command: wires the commands together and maps every error to an exit code.

Only Typer is imported at start-up; each command imports what it needs (pandas, Rich) when
it runs, so `casescore --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from casescore import __version__
from casescore.cli import agree, check, compare, export, frameworks, progress, rate, report, sample, template


def _plain_argument_names() -> None:
    """Typer 0.29 writes a required argument as {FILE} in the usage line and adds its type (<str>)
    after its name in the help; people read FILE. Typer is pinned to 0.29, where both methods exist."""
    from typer.core import TyperArgument

    def usage_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]
    TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


_plain_argument_names()
app = typer.Typer(
    name="casescore",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # never print local variables (case data) in a traceback
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command()(rate.rate)
app.command()(check.check)
app.command()(compare.compare)
app.command()(export.export)
app.command()(template.template)
app.command()(report.report)
app.command()(agree.agree)
app.command()(progress.progress)
app.command()(sample.sample)
app.add_typer(frameworks.app, name="frameworks")


def _version(value: bool) -> None:
    if value:
        print(f"casescore {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback for internal errors.")] = False,
) -> None:
    """Turn an inspector's case-marking spreadsheet into inspection ratings.

    Exit codes: 0 ok; 1 input failed validation; 2 usage; 3 input unreadable;
    4 framework invalid; 5 --fail-under not met; 70 internal error.
    """


def main() -> None:
    from casescore.errors import CasescoreError, ExitCode

    try:
        app()
    except CasescoreError as exc:
        _error(_worded_for_the_command_line(exc))
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # The reader (e.g. `head`) went away: stop quietly, and keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: one line, no case data, unless the user asks for --debug
        if "--debug" in sys.argv[1:]:
            raise
        _error(f"internal error ({exc.__class__.__name__}); run again with --debug for details")
        sys.exit(ExitCode.INTERNAL)


# The core speaks of data; here its messages gain the options a user can act with.
OPTION_FOR = {"judgement rating": "--rating", "rating floor": "--fail-under", "attribute": "--by",
              "sample size": "--size", "stratification column": "--stratify", "nested column": "--within",
              "capped column": "--max-per", "filter column": "--where", "exclusion column": "--exclude",
              "person key column": "--person-key", "carried column": "--carry", "date column": "--date-column",
              "start window": "--started"}


def _worded_for_the_command_line(exc) -> str:
    from casescore.errors import BadValue, OutputExists, ValidationFailed
    from casescore.marking import NOT_MARKED

    message = str(exc)
    if isinstance(exc, BadValue) and exc.about == "sample size spec":
        return ("say how many cases: either --size N, or both --confidence and --margin (e.g. --confidence 80 "
                "--margin 10) to size the sample for a precision")
    if isinstance(exc, BadValue) and exc.about in OPTION_FOR:
        return f"{OPTION_FOR[exc.about]} {message}"
    if isinstance(exc, OutputExists):
        return f"{message}; pass --force to replace it"
    if isinstance(exc, ValidationFailed) and any(p.kind == NOT_MARKED for p in exc.problems):
        return f"{message}; to rate what is marked (a provisional result), add --partial"
    return message


def _error(message: str) -> None:
    from casescore.cli.output import error

    error(message)
