"""The command line: formats, exit codes, help, start-up cost, pipes."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import pytest
from conftest import SAMPLE

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_table_output_reads_like_the_report(cli):
    run = cli("rate", SAMPLE)
    assert run.code == 0
    out = " ".join(ANSI.sub("", run.out).split())
    assert "33 cases" in out and "score 6/24" in out
    assert "2.2 Assessment │ Inadequate │ 2.2.3 36% (12/33)" in out
    assert "2.1 Court work │ Not applicable │ no relevant cases" in out
    assert "> │ 2.4.3" in out  # the deciding key question is marked
    # the only warning: a prompt resting on few cases (re-engagement after recall: 1/5)
    assert ANSI.sub("", run.err).strip().splitlines() == [
        "warning: 1 percentage(s) rest on fewer than 10 relevant cases (marked *): 2.4.1f (5)"]


def test_prompts_flag(cli):
    assert "2.2.1c" not in cli("rate", SAMPLE).out
    assert "2.2.1c" in cli("rate", SAMPLE, "--prompts").out


def test_csv_output(cli):
    run = cli("rate", SAMPLE, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(run.out)))
    by_id = {r["question"]: r for r in rows}
    assert by_id["2.2.3"]["kind"] == "key question" and by_id["2.2.3"]["yes"] == "12"
    assert by_id["2.2.3"]["band"] == "Inadequate" and by_id["2.2.3"]["standard_rating"] == "Inadequate"
    assert by_id["2.4.3b"]["kind"] == "prompt" and (by_id["2.4.3b"]["yes"], by_id["2.4.3b"]["relevant"]) == ("7", "28")
    assert float(by_id["2.2.1"]["percent"]) == pytest.approx(2100 / 33)


def test_markdown_output(cli):
    out = cli("rate", SAMPLE, "--format", "markdown").out
    assert ("| 2.2 Assessment | Inadequate | 2.2.3  36%  (12/33); uncertain: could be Requires improvement or "
            "Inadequate |") in out
    assert "| **Overall** | Requires improvement | score 6/24 |" in out


def test_stdin_json_pipeline(cli):
    run = cli("rate", "-", "--rating", "1.1=good", "--format", "json", stdin=SAMPLE.read_bytes())
    assert run.json()["standards"][0]["rating"] == "Good"  # the option wins over the Ratings sheet
    assert run.json()["score"] == 7


def test_fail_under(cli):
    run = cli("rate", SAMPLE, "--fail-under", "requires-improvement", "--format", "json")
    assert run.code == 5
    assert run.json()["score"] == 6  # the output is still written
    assert "2.2 is Inadequate" in run.err
    assert cli("rate", SAMPLE, "--fail-under", "inadequate").code == 0


@pytest.mark.parametrize("args,message", [
    (["rate", str(SAMPLE), "--format", "xml"], "Invalid value"),
    (["rate", str(SAMPLE), "--rating", "2.2=good"], "2.2 is rated from the cases"),
    (["rate", str(SAMPLE), "--rating", "1.1"], "write it as STANDARD=RATING"),
    (["rate", str(SAMPLE), "--fail-under", "great"], "not a rating"),
    (["rate", str(SAMPLE), "--framework", "nope"], "neither a built-in"),
    (["rate"], "Missing argument"),
    (["frobnicate"], "No such command"),
])
def test_usage_errors_exit_2(cli, args, message):
    run = cli(*args)
    assert run.code == 2 and message in ANSI.sub("", run.err)


def test_internal_error_is_one_line_exit_70(cli, monkeypatch):
    from casescore import scoring

    def boom(*a, **k):
        raise RuntimeError("secret case data NEW-001")

    monkeypatch.setattr(scoring, "rate", boom)
    run = cli("rate", SAMPLE)
    assert run.code == 70
    assert run.err.strip() == "error: internal error (RuntimeError); run again with --debug for details"
    with pytest.raises(RuntimeError):
        cli("--debug", "rate", SAMPLE)


def test_every_command_has_help(cli):
    for args in (["--help"], ["rate", "--help"], ["check", "--help"], ["frameworks", "--help"],
                 ["frameworks", "show", "--help"]):
        run = cli(*args)
        assert run.code == 0 and "Usage:" in ANSI.sub("", run.out)


def test_help_does_not_import_pandas():
    code = ("import sys; sys.argv = ['casescore', '--help']\n"
            "from casescore.cli.app import main\n"
            "try: main()\nexcept SystemExit: pass\n"
            "heavy = [m for m in ('pandas', 'numpy', 'python_calamine', 'openpyxl') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_module_entry_point_and_broken_pipe():
    proc = subprocess.run(f"'{sys.executable}' -m casescore rate '{SAMPLE}' --format csv --prompts | head -2",
                          shell=True, capture_output=True, text=True)
    assert proc.stdout.startswith("level,standard,standard_name,question")
    assert "Error" not in proc.stderr and "Traceback" not in proc.stderr


def test_check_clean_file(cli):
    run = cli("check", SAMPLE)
    lines = run.out.splitlines()
    assert run.code == 0 and lines[0] == f"read {SAMPLE}, sheet Cases, header row 1"
    assert "  33 case(s), id column 'Case ID'" in lines and not any("not used" in line for line in lines)
    assert "33 cases" in run.err and "no problems" in run.err
    doc = cli("check", SAMPLE, "--format", "json").json()
    assert doc["ok"] is True and doc["problems"] == [] and doc["cases"] == 33


def test_version(cli):
    from casescore import __version__

    assert cli("--version").out.strip() == f"casescore {__version__}"


def test_progress_only_on_a_terminal(tmp_path, monkeypatch):
    from casescore.cli import output

    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (output.SLOW_INPUT_BYTES + 1))
    with output.working("Reading", str(big)) as progress:  # pytest's stderr is not a terminal
        assert progress is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with output.working("Reading", str(SAMPLE)) as progress:  # a small file: no display
        assert progress is None
    with output.working("Reading", str(big)) as progress:
        assert callable(progress)
        progress(5, 10)
