"""The casescore command: wires the commands together and maps every error to an exit code.

Only Typer is imported at start-up. A command's module is imported, and its parameters turned into
a click command, only when that command runs (or its help is asked for); `casescore --help` reads
just the commands' docstrings. Each command imports what it needs (pandas, Rich) when it runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from casescore import __version__

# The commands, in the order --help lists them: casescore.cli.<name>.<name>, a function, except
# frameworks, whose module holds a Typer app of its own (its sub-commands).
COMMANDS = ("rate", "check", "compare", "export", "template", "report", "agree", "progress", "sample", "frameworks")


def _plain_argument_names() -> None:
    """Typer 0.28 writes a required argument as {FILE} in the usage line, without the ... that says
    several may be given, and would write an argument without a metavar as files:TEXT; people read
    FILE and FILE... . Typer is pinned to 0.28, where TyperArgument.make_metavar writes all three."""
    from typer.core import TyperArgument

    def make_metavar(self, ctx, *, usage: bool = False) -> str:
        name = self.metavar if self.metavar is not None else (self.name or "")
        if not usage:
            return name + ("..." if self.metavar is None and self.nargs != 1 else "")
        name = name if self.required or name.startswith("[") else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    TyperArgument.make_metavar = make_metavar  # type: ignore[method-assign]


def _module(name: str) -> Any:
    import importlib

    return importlib.import_module(f"casescore.cli.{name}")


def _build(name: str) -> Any:
    """One command, made by Typer from its function (or sub-app) exactly as if registered on the root."""
    holder = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
    if name == "frameworks":
        holder.add_typer(_module(name).app, name=name)
    else:
        holder.command()(getattr(_module(name), name))
    holder.callback()(lambda: None)  # a group, so the command keeps its name
    return typer.main.get_group(holder).commands[name]


class _Commands(MutableMapping[str, Any]):
    """The root's commands by name; each is built on first use (a click Group reads them from here)."""

    def __init__(self, built: dict[str, Any]) -> None:
        self.built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            if name not in COMMANDS:
                raise KeyError(name)
            self.built[name] = _build(name)
        return self.built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self.built

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self.built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*COMMANDS, *self.built]))

    def listed(self, name: str) -> Any:
        """What --help lists for a command: the command if it is built, else a stand-in holding just
        its help as Typer would give it (the function's docstring; the frameworks app's help=)."""
        if name in self.built or name not in COMMANDS:
            return self[name]
        if name == "frameworks":
            text = _module(name).app.info.help
            if not isinstance(text, str):  # no help= given: Typer's rules decide, by building it
                return self[name]
        else:
            import inspect

            text = inspect.getdoc(getattr(_module(name), name))
        return TyperCommand(name, help=text)


class _LazyGroup(TyperGroup):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _Commands(dict(self.commands))

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # TyperGroup's reads the items, which would build every command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The Commands section of --help, written as TyperGroup writes it, without building the commands."""
        assert isinstance(self.commands, _Commands)
        listed = [(name, self.commands.listed(name)) for name in self.list_commands(ctx)]
        listed = [(name, command) for name, command in listed if not command.hidden]
        if listed:
            limit = formatter.width - 6 - max(len(name) for name, _ in listed)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in listed])


_plain_argument_names()
app = typer.Typer(
    name="casescore",
    cls=_LazyGroup,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # never print local variables (case data) in a traceback
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
