"""Every command speaks the same way: help that teaches, options that mean the same everywhere,
messages a person can act on, and a README that agrees with --help."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, SAMPLE, answers, marking_csv, question_headers, uniform

KQS = question_headers(standards={"2.2", "2.3", "2.4", "2.5"})


def commands() -> list[list[str]]:
    """Every command and sub-command the app has, found from the app itself (so none is missed)."""
    import typer.main

    from casescore.cli.app import app

    group = typer.main.get_command(app)
    found = []
    for name, cmd in group.commands.items():
        subs = getattr(cmd, "commands", None)
        found += [[name, sub] for sub in subs] if subs else [[name]]
    return found


@pytest.mark.parametrize("command", commands(), ids=" ".join)
def test_help_teaches(cli, command):
    run = cli(*command, "--help")
    assert run.code == 0
    text = run.out
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith("casescore ")]
    assert len(examples) >= 2, f"{command}: --help needs two or three real examples"
    assert "{" not in text.split("\n", 1)[0], "usage reads FILE, not {FILE}"
    assert not re.search(r"<(str|int|float|float range|int range)>", text), "metavars read as words"
    assert "Value error" not in text


@pytest.mark.parametrize("command,formats", [
    (["rate", str(SAMPLE)], ["table", "json", "csv", "markdown"]),
    (["check", str(SAMPLE)], ["table", "json", "csv", "markdown"]),
    (["compare", str(SAMPLE), str(SAMPLE)], ["table", "json", "csv", "markdown"]),
])
def test_each_format_offered_works_and_others_are_refused(cli, command, formats):
    help_text = " ".join(cli(*command[:1], "--help").out.split())
    assert f"Output format: {', '.join(formats)}." in help_text
    outputs = {}
    for fmt in formats:
        run = cli(*command, "--format", fmt)
        assert run.code == 0, (fmt, run.err)
        outputs[fmt] = run.out
    assert len(set(outputs.values())) == len(formats)  # each format really is another format
    run = cli(*command, "--format", "yaml")
    assert run.code == 2 and f"must be one of {', '.join(formats)}" in run.err and "Value error" not in run.err


def test_confidence_as_percent_or_level(cli):
    a = cli("rate", SAMPLE, "--format", "json", "--confidence", "90").json()
    b = cli("rate", SAMPLE, "--format", "json", "--confidence", "0.9").json()
    assert a == b and a["confidence"] == pytest.approx(0.9)
    run = cli("rate", SAMPLE, "--confidence", "101")
    assert run.code == 2 and "must be a level from 50 to 99.9 percent" in run.err


def test_by_ignores_case_and_suggests(cli):
    exact = cli("rate", SAMPLE, "--format", "json", "--by", "Sentence type").json()
    loose = cli("rate", SAMPLE, "--format", "json", "--by", "sentence  TYPE").json()
    assert exact == loose
    run = cli("rate", SAMPLE, "--by", "Sentance type")
    assert run.code == 2 and run.err.startswith("error: --by 'Sentance type': no such attribute column")
    assert "did you mean 'Sentence type'?" in run.err


def test_option_problems_name_the_option(cli, tmp_path):
    assert "--rating '1.1': write it as STANDARD=RATING" in cli("rate", SAMPLE, "--rating", "1.1").err
    assert "--fail-under 'great': not a rating" in cli("rate", SAMPLE, "--fail-under", "great").err
    out = tmp_path / "t.xlsx"
    assert cli("template", "-o", out).code == 0
    run = cli("template", "-o", out)
    assert run.code == 2 and run.err.rstrip().endswith("already exists; pass --force to replace it")


def test_workbook_outputs(cli, tmp_path, monkeypatch):
    run = cli("export", SAMPLE, "-o", tmp_path / "data.csv")
    assert run.code == 2 and "a workbook is written as .xlsx" in run.err
    assert not (tmp_path / "data.csv").exists()
    run = cli("export", SAMPLE, "--workbook", tmp_path / "a.xlsx")  # the older name still works
    assert run.code == 0 and f"wrote {tmp_path / 'a.xlsx'}: 5 sheet(s), 33 case(s)" in run.err
    run = cli("template", "--output", tmp_path / "t.xlsx", "--cases", "7")
    assert run.code == 0 and "4 sheet(s), 7 case(s)" in run.err
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    run = cli("template", "-o", "-")
    assert run.code == 2 and "will not write a workbook's bytes to the terminal" in run.err


def test_paths_with_spaces_and_crlf_csv(tmp_path):
    folder = tmp_path / "QA audits" / "Team A (north)"
    folder.mkdir(parents=True)
    path = folder / "march marking.csv"
    path.write_bytes(marking_csv(uniform(KQS, answers(3, 1, 1))).replace("\n", "\r\n").encode())
    proc = subprocess.run([sys.executable, "-m", "casescore", "rate", str(path), "--format", "json"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert '"cases": 5' in proc.stdout


def test_windows_style_path_is_named_not_crashed(cli):
    run = cli("rate", r"C:\Users\qa\Documents\marking.xlsx")
    assert run.code == 3 and "no such file" in run.err


def test_readme_documents_every_option():
    """The README's command reference and --help agree: every long option of every command is in it."""
    readme = (ROOT / "README.md").read_text()
    missing = []
    for command in commands():
        proc = subprocess.run([sys.executable, "-m", "casescore", *command, "--help"], capture_output=True,
                              text=True, env={"COLUMNS": "200", "PATH": ""})
        for option in set(re.findall(r"(--[a-z][a-z-]+)", proc.stdout)) - {"--help"}:
            if f"`{option}" not in readme and f"{option} " not in readme:
                missing.append(f"{' '.join(command)} {option}")
    assert not missing, f"options in --help but not in the README: {missing}"
