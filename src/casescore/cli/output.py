"""Where output goes: data to stdout, messages to stderr. Consoles are made lazily so that
importing the CLI stays cheap and test runners can capture the streams."""

from __future__ import annotations

import contextlib
import enum
import os
import sys

SLOW_INPUT_BYTES = 4 << 20  # about a second's reading; smaller inputs get no progress display


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def stdout_console():
    from rich.console import Console

    return Console(file=sys.stdout, soft_wrap=False)


def stderr_console():
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def write_json(data) -> None:
    import json

    write(json.dumps(data, indent=2, ensure_ascii=False))


def write_csv(rows: list[dict], columns: list[str]) -> None:
    """CSV with no text a spreadsheet would run as a formula (OWASP's CSV-injection rule): text
    starting = + - @ tab or CR gets a leading apostrophe. Numbers are left as numbers, so a
    negative change still sorts and sums."""
    import csv
    import io

    def inert(value):
        return "'" + value if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")) else value

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: inert(v) for k, v in row.items()} for row in rows)
    write(buffer.getvalue())


def info(message: str) -> None:
    """A message about what was done (not data): stderr, so stdout stays the data."""
    if _plain_stderr():
        _write_stderr(message)
    else:
        stderr_console().print(message, markup=False, highlight=False)


def warn(message: str) -> None:
    if _plain_stderr():
        _write_stderr(f"warning: {message}")
        return
    from rich.markup import escape

    stderr_console().print(f"[yellow]warning:[/yellow] {escape(message)}")


def error(message: str) -> None:
    if _plain_stderr():
        _write_stderr(f"error: {message}")
        return
    from rich.markup import escape

    stderr_console().print(f"[red]error:[/red] {escape(message)}")


def _plain_stderr() -> bool:
    """Whether messages can skip Rich (about 30 ms to import): stderr is not a terminal and no
    FORCE_COLOR or TTY_COMPATIBLE says to treat it as one, so Rich would write no colour anyway."""
    if "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return False
    try:
        return not sys.stderr.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed: let Rich decide, as before
        return False


_UNPRINTED = dict.fromkeys((7, 8, 11, 12, 13))  # bell, backspace, vertical tab, form feed, CR: Rich drops them


def _write_stderr(line: str) -> None:
    """The line as a colourless Rich console writes it (control codes dropped, tabs expanded to
    8 columns), but with :emoji: codes left as typed."""
    sys.stderr.write(line.translate(_UNPRINTED).expandtabs(8) + "\n")
    sys.stderr.flush()


@contextlib.contextmanager
def working(message: str, path: str | None = None):
    """Progress on stderr while slow work runs: only on a terminal, and only for big inputs.

    Yields a progress(done, total) callback for readers that can report it (None otherwise);
    shows a bar once it is called, a spinner until then.
    """
    try:
        big = path is None or path == "-" or os.path.getsize(path) >= SLOW_INPUT_BYTES
    except OSError:
        big = False
    if not (big and sys.stderr.isatty()):
        yield None
        return
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn

    columns = (SpinnerColumn(), TextColumn(escape(message)), BarColumn(), TaskProgressColumn())
    with Progress(*columns, console=stderr_console(), transient=True) as bar:
        task = bar.add_task(message, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress
