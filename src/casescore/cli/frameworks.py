"""casescore frameworks: list the built-in frameworks, show one, check a framework file, compare two,
or start your own from a copy."""

from __future__ import annotations

import re
from typing import Annotated, Optional

import typer

from casescore.cli.options import ForceOpt, format_option
from casescore.cli.output import Format, info, stdout_console, warn, write, write_json

app = typer.Typer(help="List the built-in frameworks; show, check, compare or copy one.", invoke_without_command=True,
                  rich_markup_mode=None)

FormatOpt = Annotated[str, format_option("table", "json")]
FrameworkArg = Annotated[str, typer.Argument(metavar="ID|PATH", help="Built-in framework id or a framework TOML file.")]
_NEW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@app.callback()
def frameworks(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """List the built-in frameworks (the ids --framework takes).

    \b
    Examples:
      casescore frameworks
      casescore frameworks show probation-pdu-2023
      casescore frameworks new --from probation-pdu-2023 --id my-qa-2026 -o my-qa-2026.toml
    """
    if ctx.invoked_subcommand:
        return
    from casescore.framework import builtin_ids, load
    from casescore.render import frameworks as render

    rows = [render.list_row(load(i)) for i in builtin_ids()]
    if fmt is Format.json:
        write_json(rows)
    else:
        write("\n".join(render.list_line(r) for r in rows))


@app.command()
def show(
    framework: FrameworkArg,
    toml: Annotated[bool, typer.Option("--toml", help="Print the framework file itself (it loads back unchanged).")]
    = False,
    fmt: FormatOpt = "table",
) -> None:
    """Show a framework: standards, key questions, prompts, bands, points and overall rule, and a
    caution when its rules are not all published.

    \b
    Examples:
      casescore frameworks show probation-pdu-2023
      casescore frameworks show my-qa-2026.toml --format json
      casescore frameworks show youth-2021 --toml > youth-copy.toml
    """
    from casescore.framework import load
    from casescore.render import frameworks as render

    fw = load(framework)
    if toml:
        write(fw.source_text)
    elif fmt is Format.json:
        write_json(render.detail(fw))
    else:
        _print(render.show_table(fw))


@app.command()
def check(file: FrameworkArg, fmt: FormatOpt = "table") -> None:
    """Check a framework file: list every problem in it (exit 4), or summarise it (standards,
    questions, bands, points, overall rule, max score) and exit 0.

    \b
    Examples:
      casescore frameworks check my-qa-2026.toml
      casescore frameworks check my-qa-2026.toml --format json
    """
    from casescore.errors import ExitCode
    from casescore.framework import validate
    from casescore.render import frameworks as render

    fw, problems = validate(file)
    if fmt is Format.json:
        write_json(render.check_dict(file, fw, problems))
    elif fw is not None:
        write("\n".join(render.check_lines(fw)))
    else:
        write("\n".join(problems))
        info(f"{file}: {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(ExitCode.FRAMEWORK_INVALID)


@app.command()
def diff(
    a: Annotated[str, typer.Argument(metavar="A", help="The framework to compare from: a built-in id or a TOML file.")],
    b: Annotated[str, typer.Argument(metavar="B", help="The framework to compare with: a built-in id or a TOML file.")],
    fmt: FormatOpt = "table",
) -> None:
    """Say what differs from framework A to framework B: standards and questions added or removed,
    wording, evidence labels, bands, points, rounding and the overall rule.

    \b
    Examples:
      casescore frameworks diff probation-pdu-2023 my-qa-2026.toml
      casescore frameworks diff probation-pdu-2021 probation-pdu-2023 --format json
    """
    from casescore.framework import load
    from casescore.framework_diff import diff as differences
    from casescore.render import frameworks as render

    fa, fb = load(a), load(b)
    changes = differences(fa, fb)
    if fmt is Format.json:
        write_json(render.diff_dict(fa, fb, changes))
    else:
        _print(render.diff_table(fa, fb, changes))


def _print(renderable) -> None:
    """At the terminal's width, or at the table's own width when piped (no wrapping at an assumed 80)."""
    from casescore.render.table import show as print_table

    print_table(stdout_console(), renderable)


def _new_id(value: str) -> str:
    from casescore.framework import builtin_ids

    if not _NEW_ID.match(value):
        raise typer.BadParameter(f"'{value}' is not an id: use letters, digits, '-', '_' or '.', e.g. my-qa-2026")
    if value in builtin_ids():
        raise typer.BadParameter(f"'{value}' is a built-in framework's id; give your copy its own")
    return value


@app.command()
def new(
    source: Annotated[str, typer.Option("--from", metavar="ID|PATH", help="The framework to copy.")],
    output: Annotated[str, typer.Option("--output", "-o", metavar="OUT.toml",
                                        help="The framework file to write; - writes it to standard output.")],
    new_id: Annotated[str, typer.Option("--id", metavar="ID", callback=_new_id, help="The copy's own id.")],
    title: Annotated[Optional[str], typer.Option("--title", metavar="TEXT",
                                                 help="The copy's title (default: the original's, marked as a copy).")]
    = None,
    force: ForceOpt = False,
) -> None:
    """Start your own framework: a copy of one with a new id, ready to edit (official wording,
    other thresholds). Check it with `frameworks check`; `frameworks diff` shows what you changed.

    \b
    Examples:
      casescore frameworks new --from probation-pdu-2023 --id my-qa-2026 -o my-qa-2026.toml
      casescore frameworks new --from youth-2021 --id yjs-audit --title "YJS audit 2026" -o yjs.toml
    """
    from casescore import safe_write
    from casescore.framework import load
    from casescore.framework_diff import copy_text

    original = load(source)
    safe_write.check_target(output, force, (str(original.source_path),))
    text = copy_text(original, new_id, title or f"{original.title} (copy)")
    safe_write.write_bytes(output, text.encode("utf-8"), force, (str(original.source_path),))
    if output != "-":
        info(f"wrote {output}: {original.id} copied as {new_id}; edit it, then: casescore frameworks check {output}")
    if original.warning:
        warn(f"the copy keeps {original.id}'s caution; change its 'warning' when your rules are settled")
