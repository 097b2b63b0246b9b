"""Shared test helpers: run the CLI in-process, and build markings to order."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "newham-2022.xlsx"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys, monkeypatch):
    """cli(*args, stdin=bytes) -> Run: casescore's main() as the console script runs it."""
    from casescore.cli.app import main

    def run(*args: str, stdin: bytes | None = None) -> Run:
        monkeypatch.setattr(sys, "argv", ["casescore", *map(str, args)])
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def question_headers(framework_id: str = "probation-pdu-2021", prompts: bool = False,
                     standards: set[str] | None = None) -> list[str]:
    from casescore.framework import load

    out = []
    for std in load(framework_id).standards:
        if standards is not None and std.id not in standards:
            continue
        for kq in std.key_questions:
            out.append(kq.id)
            if prompts:
                out.extend(p.id for p in kq.prompts)
    return out


def marking_csv(columns: dict[str, list[str]], ids: list[str] | None = None, delimiter: str = ",") -> str:
    """A wide CSV marking: a Case ID column, then the given columns (header -> values)."""
    n = len(next(iter(columns.values())))
    ids = ids or [f"C{i + 1:03d}" for i in range(n)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["Case ID", *columns])
    for i in range(n):
        writer.writerow([ids[i], *(v[i] for v in columns.values())])
    return buffer.getvalue()


def answers(yes: int, no: int, na: int = 0, blank: int = 0) -> list[str]:
    return ["Yes"] * yes + ["No"] * no + ["N/A"] * na + [""] * blank


def uniform(headers: list[str], column: list[str]) -> dict[str, list[str]]:
    return {h: list(column) for h in headers}


def write_xlsx(path: Path, sheets: dict[str, list[list]], formats: dict[str, str] | None = None) -> Path:
    """A workbook by openpyxl: sheet name -> rows (None = empty cell); `formats` maps 'Sheet!A1' to a
    number format."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    for ref, fmt in (formats or {}).items():
        name, cell = ref.split("!")
        wb[name][cell].number_format = fmt
    wb.save(path)
    return path


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def patch_part(src: bytes, part: str, fn) -> bytes:
    """An xlsx's bytes with one part (e.g. xl/worksheets/sheet1.xml) rewritten by fn(bytes)."""
    import zipfile

    zin = zipfile.ZipFile(io.BytesIO(src))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, fn(data) if item.filename == part else data)
    return out.getvalue()
