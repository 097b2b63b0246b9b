"""Bad, hostile and odd inputs: each gives a clear one-line error and a documented exit code,
or reads correctly. Never a traceback."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import marking_csv, patch_part, question_headers, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CORPUS = Path(__file__).parent / "corpus"
KQS = question_headers(standards={"2.2"})
SHEET = "xl/worksheets/sheet1.xml"


def small_xlsx(tmp_path, rows=None) -> Path:
    rows = rows or [["Case ID", "Team", *KQS]] + [[f"C{i}", "A", "Yes", "No", "N/A"] for i in range(4)]
    return write_xlsx(tmp_path / "small.xlsx", {"Cases": rows})


def assert_clean_error(run, code: int, *words: str) -> None:
    assert run.code == code, (run.code, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.err
    assert "Traceback" not in run.err
    for w in words:
        assert w in run.err


@pytest.mark.parametrize("name", ["small.xls", "small.ods"])
def test_old_and_open_formats_read(cli, name):
    doc = cli("rate", CORPUS / name, "--format", "json").json()
    kq = doc["standards"][5]["key_questions"]
    assert doc["cases"] == 4 and [(q["yes"], q["no"], q["na"]) for q in kq] == [(4, 0, 0), (0, 4, 0), (0, 0, 4)]


def test_encrypted_workbook(cli):
    assert_clean_error(cli("rate", CORPUS / "encrypted.xlsx"), 3, "password-protected", "without a password")


def test_zip_that_is_not_a_workbook(cli, tmp_path):
    import zipfile

    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a spreadsheet")
    assert_clean_error(cli("rate", path), 3, "not a readable workbook")


def test_latin1_csv(cli, tmp_path):
    text = marking_csv({"Team": ["Équipe", "Ærø", "A", "B"], **{q: ["Yes", "No", "N/A", "Yes"] for q in KQS}})
    path = tmp_path / "latin.csv"
    path.write_bytes(text.encode("latin-1"))
    doc = cli("rate", path, "--by", "Team", "--format", "json").json()
    assert set(doc["standards"][5]["key_questions"][0]["by"]["Team"]) == {"Équipe", "Ærø", "A", "B"}


def test_binary_junk_named_csv(cli, tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(os.urandom(4096) + b"\x00")
    assert_clean_error(cli("rate", path), 3)


def test_merged_group_row_above_the_header(cli, tmp_path):
    from openpyxl import load_workbook

    path = small_xlsx(tmp_path, [["", "", "2.2 Assessment"], ["Case ID", "Team", *KQS]]
                      + [[f"C{i}", "A", "Yes", "Yes", "No"] for i in range(3)])
    wb = load_workbook(path)
    wb["Cases"].merge_cells("C1:E1")
    wb.save(path)
    doc = cli("rate", path, "--format", "json").json()
    assert doc["cases"] == 3 and doc["standards"][5]["rating"] == "Inadequate"


def test_formula_with_cached_value_reads_the_value(cli, tmp_path):
    path = small_xlsx(tmp_path)
    path.write_bytes(patch_part(path.read_bytes(), SHEET, lambda xml: xml.replace(
        b'<c r="C2" t="inlineStr"><is><t>Yes</t></is></c>',
        b'<c r="C2" t="str"><f>IF(1=1,"Yes","No")</f><v>Yes</v></c>')))
    doc = cli("rate", path, "--format", "json").json()
    assert doc["standards"][5]["key_questions"][0]["yes"] == 4


def test_formula_without_value_is_named_as_a_formula(cli, tmp_path):
    from openpyxl import load_workbook

    path = small_xlsx(tmp_path)
    wb = load_workbook(path)
    wb["Cases"]["C2"] = '=IF(1=1,"Yes","No")'  # openpyxl stores no cached value
    wb.save(path)
    run = cli("check", path)
    # not read as a blank (which --partial would quietly leave out): the formula itself is named
    assert run.code == 1 and "Cases!C2: not an answer to 2.2.1 (found '=IF(1=1,\"Yes\",\"No\")')" in run.out


def test_a_million_empty_formatted_rows(cli, tmp_path):
    path = small_xlsx(tmp_path)
    blank_rows = b"".join(b'<row r="%d" s="1" customFormat="1" ht="15" customHeight="1"/>' % i
                          for i in range(6, 1_000_006))
    path.write_bytes(patch_part(path.read_bytes(), SHEET, lambda xml: xml.replace(b"</sheetData>",
                                                                                  blank_rows + b"</sheetData>")))
    doc = cli("rate", path, "--format", "json").json()
    assert doc["cases"] == 4


def test_entity_expansion_is_refused(tmp_path):
    lol = b'<!ENTITY l0 "lollollollollollol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
    path = small_xlsx(tmp_path)
    path.write_bytes(patch_part(path.read_bytes(), SHEET, lambda xml: b"<!DOCTYPE w [" + lol + b"]>" + xml.replace(
        b"<t>Team</t>", b"<t>&l9;</t>")))
    proc = _limited(["check", str(path)])
    # calamine expands no entity a DTD declares: it names the one it will not read, in bounded memory
    assert proc.returncode == 3 and "entity" in proc.stderr and proc.stderr.count("\n") == 1


def test_zip_bomb_is_refused(tmp_path, monkeypatch, cli):
    import zipfile

    from casescore import reader

    monkeypatch.setattr(reader, "RATIO_FROM", 8 << 20)  # the mechanism, at a test-sized floor
    path = small_xlsx(tmp_path)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        with zout.open("xl/padding.xml", "w") as fh:
            block = b" " * (1 << 20)
            for _ in range(60):
                fh.write(block)
    assert bomb.stat().st_size < 1 << 20
    assert_clean_error(cli("rate", bomb), 3, "xl/padding.xml", "zip bomb")


def test_large_ordinary_parts_are_not_bombs(tmp_path, monkeypatch, cli):
    """Size alone is no reason to refuse: a big sheet that compresses like a sheet is read."""
    from casescore import reader

    monkeypatch.setattr(reader, "RATIO_FROM", 1024)  # every part of this small file is 'large'
    run = cli("check", small_xlsx(tmp_path), "--format", "json")
    assert run.code in (0, 1) and run.json()["read"]["cases"] > 0


def test_permission_denied(cli, tmp_path, monkeypatch):
    path = small_xlsx(tmp_path)

    original = Path.open

    def denied(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)  # root reads any file, so simulate the refusal
    assert_clean_error(cli("rate", path), 3, "permission denied", "read permission")


def test_error_output_holds_no_case_data_beyond_the_value(cli, tmp_path):
    secret = "Jane Doe, 12 Acacia Avenue, DOB 1990-01-01, long notes " * 5
    cols = {"Notes": ["private"] * 4, **{q: ["Yes"] * 4 for q in KQS}}
    cols["2.2.2"][1] = secret
    path = tmp_path / "m.csv"
    path.write_text(marking_csv(cols))
    run = cli("rate", path)
    assert run.code == 1 and "private" not in run.err
    assert secret[:39] in run.err and secret[:60] not in run.err  # truncated to 40 characters


def test_broken_pipe_is_quiet(tmp_path):
    template = tmp_path / "big.xlsx"
    subprocess.run([sys.executable, "-m", "casescore", "template", "--cases", "1500", "-o", str(template)], check=True)
    proc = subprocess.run(f"'{sys.executable}' -m casescore check '{template}' | head -1", shell=True,
                          capture_output=True, text=True)
    assert proc.stdout.count("\n") == 1 and proc.stdout.startswith("read ")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr and "Exception" not in proc.stderr


def _limited(args: list[str], memory: int = 1 << 30) -> subprocess.CompletedProcess:
    """Run casescore with its address space capped, so runaway memory fails the test."""
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (memory + (512 << 20), memory + (512 << 20)))

    return subprocess.run([sys.executable, "-m", "casescore", *args], capture_output=True, text=True,
                          preexec_fn=cap, timeout=60)


# --- generated markings ------------------------------------------------------------------

YES, NO, NA = ("yes", "y"), ("no", "n"), ("n/a", "na", "not applicable")
answer_text = st.sampled_from(YES + NO + NA).flatmap(
    lambda a: st.tuples(st.sampled_from([a, a.upper(), a.title()]), st.sampled_from(["", " ", "  "]),
                        st.sampled_from(["", " "])).map(lambda t: t[1] + t[0] + t[2]))
printable = st.characters(blacklist_categories=("Cc", "Cs"))  # control characters cannot live in a cell
junk = st.one_of(
    st.text(printable, max_size=30), st.just(""), st.text("ab ", min_size=5000, max_size=6000),
    st.integers(-10, 10_000),
    st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.dates(dt.date(1990, 1, 1)),
    st.sampled_from(["Maybe", "yes!", "=1+1", "+1", "N / A", "∅", "是"]),
)
cell = st.one_of(answer_text, answer_text, answer_text, st.just(""), junk)


def expected(value) -> str:
    """An independent reading of one cell: yes / no / na / blank / bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "blank"
    if not isinstance(value, str):
        return "bad"
    v = value.strip().lower()
    return "yes" if v in YES else "no" if v in NO else "na" if v in NA else "bad"


@st.composite
def markings(draw):
    n = draw(st.integers(1, 12))
    ids = draw(st.lists(st.sampled_from(["A", "B", "C", "D", "É", "1", "x" * 50]), min_size=n, max_size=n))
    if draw(st.booleans()):
        ids = [f"{c}{i}" for i, c in enumerate(ids)]  # usually unique
    answers = {q: draw(st.lists(cell, min_size=n, max_size=n)) for q in KQS}
    extra = {"Notes": draw(st.lists(junk, min_size=n, max_size=n))} if draw(st.booleans()) else {}
    return ids, answers, extra


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=markings(), as_xlsx=st.booleans())
def test_generated_markings(cli, tmp_path_factory, data, as_xlsx):
    ids, answers, extra = data
    folder = tmp_path_factory.mktemp("gen")
    header = ["Case ID", *extra, *answers]
    rows = [[ids[i], *(extra[k][i] for k in extra), *(answers[q][i] for q in answers)] for i in range(len(ids))]
    if as_xlsx:
        path = write_xlsx(folder / "m.xlsx", {"Cases": [header, *rows]})
    else:
        import csv

        path = folder / "m.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([header, *[[_csv(v) for v in r] for r in rows]])
        answers = {q: [_csv(v) for v in vals] for q, vals in answers.items()}  # what a CSV can carry
    run = cli("rate", path, "--format", "json")
    kinds = {q: [expected(v) for v in vals] for q, vals in answers.items()}
    # a row is skipped only when every cell is blank, which never happens here: the id is set
    unique = len(set(str(i).strip() for i in ids)) == len(ids) and all(str(i).strip() for i in ids)
    clean = unique and all(k in ("yes", "no", "na") for ks in kinds.values() for k in ks)
    if clean:
        assert run.code == 0, run.err
        doc = run.json()
        for kq in doc["standards"][5]["key_questions"]:
            k = kinds[kq["id"]]
            assert (kq["yes"], kq["no"], kq["na"]) == (k.count("yes"), k.count("no"), k.count("na"))
    else:
        assert_clean_error(run, 1)
        check = cli("check", path, "--format", "json")
        assert check.code == 1
        # one problem per bad or unmarked cell, but one per case for a case with nothing marked
        rows = list(zip(*kinds.values(), strict=True))
        bad = sum(1 if all(k == "blank" for k in row) else sum(k in ("bad", "blank") for k in row) for row in rows)
        assert sum(p["kind"] in ("invalid-answer", "not-marked") for p in check.json()["problems"]) == bad


def _csv(value) -> str:
    """How a CSV writer spells a value (and therefore what the reader sees)."""
    if isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else str(value)


@pytest.mark.parametrize("garbage", [b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row>',
                                     b"\xff\xfe not xml at all", b""])
def test_damaged_sheet_xml(cli, tmp_path, garbage):
    path = small_xlsx(tmp_path)
    path.write_bytes(patch_part(path.read_bytes(), SHEET, lambda xml: garbage))
    run = cli("rate", path)
    assert run.code in (1, 3), run.err  # read what can be read, or refuse: never a crash
    assert "Traceback" not in run.err and run.err.count("\n") == 1
