"""casescore report: one self-contained HTML page (or one page per practitioner) people read and print."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Annotated, Optional

import typer

from casescore.cli.options import (
    ByOpt,
    ConfidenceOpt,
    ForceOpt,
    FrameworkOpt,
    IdColumnOpt,
    MarkingArg,
    MinNOpt,
    PartialOpt,
    RatingOpt,
    SheetOpt,
    given_framework,
    source,
)
from casescore.cli.output import warn, working

MAX_PAGES = 500  # --per on a column with a value per case would write thousands of pages: refuse
# Names Windows will not open as files, whatever the extension.
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def report(
    file: MarkingArg,
    output: Annotated[str, typer.Option(
        "--output", "-o", metavar="FILE",
        help="The HTML file to write (- writes it to stdout). With --per, a folder: one file per value.")],
    framework: FrameworkOpt = None,
    rating: RatingOpt = [],
    partial: PartialOpt = False,
    by: ByOpt = [],
    compare: Annotated[Optional[str], typer.Option(
        "--compare", metavar="FILE",
        help="An earlier marking (the inspection, or the last audit): adds the ratings before and after and "
             "every key question's change with its interval.")] = None,
    per: Annotated[Optional[str], typer.Option(
        "--per", metavar="ATTRIBUTE",
        help="Write one page per value of this attribute column (e.g. Practitioner) into the -o folder; each "
             "page shows only that value's cases, against the whole sample.")] = None,
    confidence: ConfidenceOpt = 0.95,
    min_n: MinNOpt = 10,
    force: ForceOpt = False,
    sheet: SheetOpt = None,
    id_column: IdColumnOpt = None,
) -> None:
    """Write an HTML report: the ratings, a chart per standard, breakdowns, areas for improvement ranked by
    the data, draft evidence statements and the method. One file with inline CSS and SVG: no script, no
    network, opens from a shared drive or an email, and prints to A4.

    \b
    Examples:
      casescore report sample_data/newham-2022.xlsx -o newham.html
      casescore report after.xlsx --compare before.xlsx --by "Sentence type" -o reaudit.html
      casescore report marking.xlsx --per Practitioner -o feedback/
    """
    from casescore import api

    inputs = tuple(f for f in (file, compare) if f)
    _check_options(file, output, compare, per, by)
    fw = given_framework(framework)
    if per is None:
        from casescore import safe_write

        safe_write.check_target(output, force, inputs)  # fail before the work, not after it
    else:
        _check_folder(output)
    with working(f"Reading {file}", file) as progress:
        rated = api.rate_file(source(file, sheet, id_column), fw, rating, partial, by, confidence, min_n, progress)
    notices = _notices(rated)
    if per is not None:
        _write_pages(rated, per, Path(output), force, inputs)
        warnings = rated.result.warnings
    else:
        before = _read_before(rated, compare, partial, by, (sheet, id_column)) if compare else None
        warnings = _write_report(rated, before, output, force, inputs, notices)
    for message in [*notices, *warnings]:
        warn(message)


def _check_options(file: str, output: str, compare: str | None, per: str | None, by: list[str]) -> None:
    from casescore.errors import UsageError

    if compare == "-" and file == "-":
        raise UsageError("only one of FILE and --compare can be - (standard input)")
    if per is not None and output == "-":
        raise UsageError("--per writes one file per value: give a folder with -o, not - (standard output)")
    if per is not None and (compare or by):
        raise UsageError("--per pages set each value's cases against the whole sample; --compare and --by "
                         "belong to the single report: run casescore report again without --per for them")


def _notices(rated) -> list[str]:
    notice = rated.marking.report.notice() if rated.marking.report else None
    return [notice] if notice else []


def _read_before(rated, compare: str, partial: bool, by: list[str], where: tuple[str | None, str | None]):
    """The earlier marking, read and rated as the later one was (as `casescore compare` does)."""
    from casescore import api

    result = rated.result
    with working(f"Reading {compare}", compare) as progress:
        return api.rate_file(source(compare, *where), rated.framework, [], partial, by, result.confidence,
                             result.min_n, progress)


def _write_report(rated, before, output: str, force: bool, inputs: tuple[str, ...], notices: list[str]) -> list[str]:
    """Write the report; its warnings (both files' with --compare, as `casescore compare` gives them)."""
    from casescore import safe_write
    from casescore.compare import compare as changes
    from casescore.render.compare import comparison_warnings
    from casescore.render.html import report as page

    cmp = None if before is None else changes(before.result, rated.result, rated.result.confidence)
    safe_write.write_bytes(output, page.build(rated, before, cmp, made_at(), tuple(notices)), force, inputs)
    return rated.result.warnings if cmp is None else comparison_warnings(cmp)


def _check_folder(output: str) -> None:
    from casescore.errors import UsageError

    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{output}: is a file; --per writes one page per value into a folder")
    parent = folder.resolve().parent
    if not folder.exists() and not parent.is_dir():
        raise UsageError(f"{output}: the folder {parent} does not exist")


def _write_pages(rated, attribute: str, folder: Path, force: bool, inputs: tuple[str, ...]) -> None:
    """One page per value of the attribute; every target is checked before any is written, so a clash
    leaves nothing half done."""
    from casescore import api, safe_write
    from casescore.errors import UsageError
    from casescore.render.html import report as page

    try:
        parts = api.rate_each(rated, attribute)
    except UsageError as exc:
        raise UsageError(f"--per {exc}") from None
    if len(parts) > MAX_PAGES:
        raise UsageError(f"--per '{attribute}': {len(parts):,} values, one page each; at most {MAX_PAGES:,} "
                         "(choose a column such as the practitioner's name)")
    folder.mkdir(exist_ok=True)
    names = file_names([p.value for p in parts])
    targets = [str(folder / names[p.value]) for p in parts]
    for target in targets:
        safe_write.check_target(target, force, inputs)
    when = made_at()
    for part, target in zip(parts, targets, strict=True):
        safe_write.write_bytes(target, page.build_person(rated, part, when), force, inputs)
    from casescore.cli.output import stderr_console

    stderr_console().print(f"wrote {len(targets)} page(s) to {folder}/, one per {attribute}", markup=False)


def file_names(values: list[str]) -> dict[str, str]:
    """A safe, distinct file name per value: letters, digits and - only (no path separators, no dots to
    climb with, no names Windows reserves), 60 characters at most; clashes get -2, -3 ..."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for value in values:
        ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-") or "value"
        if stem.lower() in RESERVED:
            stem += "-page"
        name, n = stem, 1
        while name.lower() in taken:  # case-blind: two names differing in case are one file on Windows and macOS
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        out[value] = f"{name}.html"
    return out


def made_at():
    """When the report was made (UTC): SOURCE_DATE_EPOCH when set, as reproducible builds do, so the
    committed example changes only when its content does."""
    import datetime as dt
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
