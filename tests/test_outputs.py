"""Outputs: file modes, what --force may replace, a full disk, CSV injection, Zip64 exports."""

from __future__ import annotations

import csv
import errno
import io
import itertools
import os
import re
import stat
import struct
import sys
import zipfile

import numpy as np
import openpyxl
import pytest
from conftest import SAMPLE, answers, marking_csv, question_headers, uniform
from hypothesis import given, settings
from hypothesis import strategies as st

from casescore import safe_write
from casescore.errors import UsageError
from casescore.workbook import rows_xml

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes, FIFOs and /dev/null")


@pytest.fixture
def umask():
    """umask(value): set the process umask for this test; the old one comes back afterwards."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


@pytest.fixture
def device(tmp_path):
    """A character device to aim at. As root, a private copy of /dev/null made with mknod: were
    the refusal ever to break, the rename would replace that copy, not the system's /dev/null.
    Otherwise /dev/null itself, which no other user can replace."""
    if os.geteuid() != 0:
        return "/dev/null"
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError:
        pytest.skip("cannot make a device node to test with (and /dev/null is not to be risked)")
    return str(node)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _leftovers(folder) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


# --- file modes --------------------------------------------------------------------------------

@posix_only
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077], ids=oct)
def test_new_file_gets_the_mode_the_umask_allows(tmp_path, umask, mask):
    umask(mask)
    target = tmp_path / "out.xlsx"
    safe_write.write_bytes(str(target), b"data")
    assert _mode(target) == 0o666 & ~mask
    assert target.read_bytes() == b"data"


@posix_only
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o444], ids=oct)
def test_force_keeps_the_mode_of_the_file_it_replaces(tmp_path, umask, mode):
    umask(0o022)
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    target.chmod(mode)
    safe_write.write_bytes(str(target), b"new", force=True)
    assert _mode(target) == mode
    assert target.read_bytes() == b"new"
    assert _leftovers(tmp_path) == []


# --- what --force may replace ------------------------------------------------------------------

@posix_only
@pytest.mark.parametrize("force", [False, True])
def test_refuses_a_device_even_with_force(device, force):
    with pytest.raises(UsageError, match=f"^{re.escape(device)}: is a device"):
        safe_write.write_bytes(device, b"data", force=force)
    assert stat.S_ISCHR(os.stat(device).st_mode)


@posix_only
def test_refuses_a_named_pipe_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="pipe: is a named pipe"):
        safe_write.check_target(str(fifo), force=True)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # left as it was
    assert _leftovers(tmp_path) == []


@posix_only
def test_cli_export_to_a_device_is_a_usage_error(cli, device):
    run = cli("export", SAMPLE, "-o", device, "--force")
    assert run.code == 2
    assert run.err.strip().count("\n") == 0 and device in run.err
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_folder_is_refused_even_with_force(tmp_path):
    with pytest.raises(UsageError, match="is a folder"):
        safe_write.write_bytes(str(tmp_path), b"data", force=True)


# --- a full disk -------------------------------------------------------------------------------

def _fail(code: int):
    def raise_it(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return raise_it


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_full_disk_leaves_the_old_file_and_no_part_file(tmp_path, monkeypatch, step):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the old output")
    monkeypatch.setattr(safe_write.os, step, _fail(errno.ENOSPC))
    with pytest.raises(UsageError) as caught:
        safe_write.write_bytes(str(target), b"x" * 100_000, force=True)
    assert str(caught.value) == f"{target}: cannot be written: no space left on device"
    assert target.read_bytes() == b"the old output"
    assert _leftovers(tmp_path) == []


def test_full_disk_with_no_old_file_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(safe_write.os, "fsync", _fail(errno.ENOSPC))
    with pytest.raises(UsageError, match="no space left on device"):
        safe_write.write_bytes(str(tmp_path / "new.xlsx"), b"data")
    assert list(tmp_path.iterdir()) == []


def test_other_write_errors_are_usage_errors_too(tmp_path, monkeypatch):
    monkeypatch.setattr(safe_write.os, "fsync", _fail(errno.EIO))
    with pytest.raises(UsageError, match=r"new.xlsx: cannot be written: input/output error$"):
        safe_write.write_bytes(str(tmp_path / "new.xlsx"), b"data")


def test_cli_full_disk_exits_2_with_one_line(cli, tmp_path, monkeypatch):
    target = tmp_path / "out.xlsx"
    monkeypatch.setattr(safe_write.os, "fsync", _fail(errno.ENOSPC))
    run = cli("export", SAMPLE, "-o", target)
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and str(target) in lines[0] and "no space left on device" in lines[0]
    assert list(tmp_path.iterdir()) == []


class _FullStdout:
    class buffer:
        @staticmethod
        def write(data):
            raise OSError(errno.ENOSPC, "No space left on device")

        @staticmethod
        def flush():
            pass


def test_stdout_on_a_full_disk(monkeypatch):
    monkeypatch.setattr(sys, "stdout", _FullStdout())
    with pytest.raises(UsageError, match="^standard output: cannot be written: no space left on device$"):
        safe_write.write_bytes("-", b"data")


# --- CSV injection -----------------------------------------------------------------------------

RISKY = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_inert(text: str) -> list[list[str]]:
    """Every field of a CSV output: none starts like a formula unless it is a plain number."""
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 1
    risky = [f for row in rows for f in row if f.startswith(RISKY) and not _is_number(f)]
    assert risky == []
    return rows


def _risky_marking(tmp_path, bad_answer: str | None = None):
    """Case ids and an attribute (name and values) that a spreadsheet would run; with bad_answer,
    also a duplicated id and an answer that is not one, so that `check` has problems to list."""
    kqs = question_headers(standards={"2.2"})
    cols = {**uniform(kqs, answers(3, 1)), "=Team": ["=1+1", "@SUM(A1)", "-2+3", "+cmd|' /C calc'!A0"]}
    ids = ["=A1", "+B2", "-C", "@D"]
    if bad_answer is not None:
        cols[kqs[0]][1] = bad_answer
        ids[1] = ids[0]
    path = tmp_path / "=marking.csv"
    path.write_text(marking_csv(cols, ids=ids))
    return path


def test_check_csv_has_no_formulas(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative file name starting '=' lands in every 'where'
    _risky_marking(tmp_path, bad_answer='=HYPERLINK("http://example.com","x")')
    run = cli("check", "=marking.csv", "--format", "csv")
    assert run.code == 1
    rows = _assert_inert(run.out)
    values = {r[3] for r in rows[1:]}
    assert "'=A1" in values and "'=HYPERLINK(\"http://example.com\",\"x\")" in values  # kept, made inert
    assert all(r[0].startswith("'=marking.csv: ") for r in rows[1:])


def test_rate_csv_by_attribute_has_no_formulas(cli, tmp_path):
    path = _risky_marking(tmp_path)
    run = cli("rate", path, "--format", "csv", "--by", "=Team")
    assert run.code == 0, run.err
    _assert_inert(run.out)
    rows = list(csv.DictReader(io.StringIO(run.out)))
    groups = {(r["attribute"], r["value"]) for r in rows if r["question"] == "2.2.1" and r["attribute"]}
    assert groups == {("'=Team", "'=1+1"), ("'=Team", "'@SUM(A1)"), ("'=Team", "'-2+3"),
                      ("'=Team", "'+cmd|' /C calc'!A0")}


def test_compare_csv_keeps_negative_changes_numeric(cli, tmp_path):
    kqs = question_headers(standards={"2.2"})
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    before.write_text(marking_csv(uniform(kqs, answers(9, 1))))
    after.write_text(marking_csv(uniform(kqs, answers(1, 9)), ids=[f"D{i}" for i in range(10)]))
    run = cli("compare", before, after, "--format", "csv")
    _assert_inert(run.out)
    changes = [r["change"] for r in csv.DictReader(io.StringIO(run.out))]
    assert changes and all(float(c) < 0 for c in changes)  # numbers, not "'-80.0"


# --- exports and Zip64 -------------------------------------------------------------------------

def _local_header_is_zip64(data: bytes, name: str) -> bool:
    """Whether a member's local header defers its sizes to a Zip64 extra field."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    at = info.header_offset
    fields = struct.unpack("<4s5H3L2H", data[at:at + 30])
    csize, usize, name_len = fields[7], fields[8], fields[9]
    extra = data[at + 30 + name_len:at + 32 + name_len]
    return (csize, usize) == (0xFFFFFFFF, 0xFFFFFFFF) and extra == b"\x01\x00"


def _cases_member(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return f"xl/worksheets/sheet{wb.sheetnames.index('Cases') + 1}.xml"


def _export(cli, tmp_path, n: int = 3000) -> tuple[bytes, list[str]]:
    kqs = question_headers(standards={"2.2", "2.3"})
    ids = [f"C{i:05d} & <Ünïcode 𝄞>" for i in range(n)]
    cols = {**uniform(kqs, (answers(2, 1, 1) * n)[:n]), "Team": [f"=T{i % 7}" for i in range(n)]}
    src = tmp_path / "big.csv"
    src.write_text(marking_csv(cols, ids=ids), encoding="utf-8")
    out = tmp_path / "big.xlsx"
    run = cli("export", src, "-o", out)
    assert run.code == 0, run.err
    return out.read_bytes(), ids


def _last_rows(data: bytes, k: int = 3) -> tuple[int, list[tuple]]:
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Cases"]
    rows = list(ws.iter_rows(values_only=True))
    return len(rows), rows[-k:]


def test_modest_export_is_a_valid_plain_zip(cli, tmp_path):
    data, ids = _export(cli, tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
    assert not _local_header_is_zip64(data, _cases_member(data))  # no Zip64 where none is needed
    count, last = _last_rows(data)
    assert count == len(ids) + 1
    assert [r[0] for r in last] == ids[-3:] and last[-1][1] == f"=T{(len(ids) - 1) % 7}"


def test_export_past_the_zip64_limit_is_valid(cli, tmp_path, monkeypatch):
    (tmp_path / "plain").mkdir()
    (tmp_path / "zip64").mkdir()
    plain, _ = _export(cli, tmp_path / "plain")
    monkeypatch.setattr(rows_xml, "ZIP64_FROM", 10_000)  # the limit, brought down to a test's size
    big, _ = _export(cli, tmp_path / "zip64")
    assert _local_header_is_zip64(big, _cases_member(big))
    with zipfile.ZipFile(io.BytesIO(big)) as z:
        assert z.testzip() is None
    assert _last_rows(big, 50) == _last_rows(plain, 50)


def _splice_rows(book: bytes, sheet_path: str, rows, width: int) -> bytes:
    """rows_xml.splice_columns given rows (text or None per cell) instead of columns."""
    columns = [list(c) for c in itertools.zip_longest(*rows)] if rows else []
    columns += [[None] * len(rows) for _ in range(width - len(columns))]
    return rows_xml.splice_columns(book, sheet_path, columns, len(rows))


def test_zip64_size_bound_is_never_below_the_real_size(monkeypatch):
    """The worst text ('&' becomes 5 bytes): Zip64 must be chosen whenever the real sheet reaches
    the limit, so the bound may not fall below the real size."""
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b", "c"])
    buffer = io.BytesIO()
    wb.save(buffer)
    rows = [("&" * 40, "<" * 10 + "&" * 30, "&" * 40) for _ in range(500)]
    sheet = "xl/worksheets/sheet1.xml"
    real = zipfile.ZipFile(io.BytesIO(_splice_rows(buffer.getvalue(), sheet, rows, 3))).getinfo(sheet).file_size
    monkeypatch.setattr(rows_xml, "ZIP64_FROM", int(real * 1.05) - 1)
    assert _local_header_is_zip64(_splice_rows(buffer.getvalue(), sheet, rows, 3), sheet)
    monkeypatch.setattr(rows_xml, "ZIP64_FROM", int(real * 1.05 * 1.2))  # and not wildly above it
    assert not _local_header_is_zip64(_splice_rows(buffer.getvalue(), sheet, rows, 3), sheet)


# --- the Cases sheet's XML, made a column at a time --------------------------------------------

SHEET1 = "xl/worksheets/sheet1.xml"


def _header_only_book(width: int) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append([f"h{j}" for j in range(width)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell_by_cell(rows: list, first_row: int = 2) -> str:
    """The rows' XML as it was written cell by cell before the sheet was made a column at a time:
    ids and attributes must still come out exactly so (illegal characters removed, then escaped)."""
    from xml.sax.saxutils import escape

    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    parts = []
    for r, row in enumerate(rows, start=first_row):
        parts.append(f'<row r="{r}">')
        for j, value in enumerate(row):
            if value:
                text = escape(ILLEGAL_CHARACTERS_RE.sub("", value))
                parts.append(f'<c r="{get_column_letter(j + 1)}{r}" t="inlineStr"><is><t>{text}</t></is></c>')
        parts.append("</row>")
    return "".join(parts)


def _rows_xml(book: bytes) -> str:
    xml = zipfile.ZipFile(io.BytesIO(book)).read(SHEET1).decode()
    return xml[xml.index("</row>") + len("</row>"):xml.index("</sheetData>")]  # below the header row


_TRICKY = st.sampled_from(["&", "<", ">", '"', "'", "\n", "\r", "\t", "\x00", "\x01", "\x0b", "\x1f", "é", "𝄞",
                           "=", "+", "@", "-", " ", "\ufffe"])
_VALUES = st.one_of(st.none(), st.text(st.one_of(_TRICKY, st.characters(exclude_categories=("Cs",))), max_size=8))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_VALUES, min_size=3, max_size=3), max_size=12))
def test_text_cells_are_the_xml_they_were_cell_by_cell(rows):
    book = _splice_rows(_header_only_book(3), SHEET1, rows, 3)
    assert _rows_xml(book) == _cell_by_cell(rows)


def test_text_cells_in_many_batches(monkeypatch):
    """Batches of rows, blanks, and a value holding the separator (that batch's values escaped one by one)."""
    monkeypatch.setattr(rows_xml, "ROWS_PER_WRITE", 4)
    rows = [(f"C{i} & <{i}>", None if i % 5 == 0 else f"=T{i % 3}", "" if i % 7 == 0 else "two\nlines" * (i == 9))
            for i in range(23)]
    book = _splice_rows(_header_only_book(3), SHEET1, rows, 3)
    assert _rows_xml(book) == _cell_by_cell(rows)
    ws = openpyxl.load_workbook(io.BytesIO(book))["Sheet"]
    assert [tuple(c.value for c in r) for r in ws.iter_rows(min_row=2)] == [
        tuple(v or None for v in row) for row in rows]


def _grid(book: bytes, tmp_path, name: str = "Sheet") -> dict[str, list[tuple]]:
    """The sheet's rows below its header as openpyxl (loaded whole and read-only) and calamine read them."""
    import fastexcel

    path = tmp_path / "grid.xlsx"
    path.write_bytes(book)
    whole = [tuple(r) for r in openpyxl.load_workbook(path)[name].iter_rows(min_row=2, values_only=True)]
    streamed = [tuple(r) for r in openpyxl.load_workbook(path, read_only=True)[name].iter_rows(min_row=2,
                                                                                            values_only=True)]
    table = fastexcel.read_excel(str(path)).load_sheet_by_name(name, header_row=None, dtypes="string").to_arrow()
    calamine = [tuple(r.values()) for r in table.to_pylist()[1:]]
    return {"openpyxl": whole, "openpyxl read-only": streamed, "calamine": calamine}


def test_coded_columns_are_shared_strings_read_back_in_place(tmp_path, monkeypatch):
    """Answers as codes: shared-string cells, grouped several columns at a time, blanks left out; every
    reader finds each answer in its own cell."""
    monkeypatch.setattr(rows_xml, "ROWS_PER_WRITE", 16)
    rng = np.random.default_rng(7)
    n = 50
    labels = [None, "Yes", "No", "N/A"]
    codes = [rng.integers(0, 4, n).astype(np.int8) for _ in range(13)]
    codes[0][:] = 0  # a column left blank throughout
    ids = [f"C{i:03d} & co" for i in range(n)]
    team = np.array([["=T1", "", "<b>"][i % 3] for i in range(n)], dtype=object)
    flags = rng.integers(0, 2, n).astype(np.int8)
    columns = [ids, *(rows_xml.Coded(c, labels) for c in codes[:7]), team,
               *(rows_xml.Coded(c, labels) for c in codes[7:]), rows_xml.Coded(flags, ["off", "on"])]
    book = rows_xml.splice_columns(_header_only_book(len(columns)), SHEET1, columns, n)
    expected = [(ids[i], *(labels[c[i]] for c in codes[:7]), team[i] or None, *(labels[c[i]] for c in codes[7:]),
                 ["off", "on"][flags[i]]) for i in range(n)]
    for reader, rows in _grid(book, tmp_path).items():
        assert rows == expected, reader

    z = zipfile.ZipFile(io.BytesIO(book))
    assert z.testzip() is None
    sheet = z.read(SHEET1).decode()
    assert 't="inlineStr"><is><t>Yes' not in sheet and '<c r="I2" t="inlineStr"><is><t>=T1</t></is></c>' in sheet
    sst = z.read(rows_xml.SST_PATH).decode()
    strings = re.findall(r"<si><t>(.*?)</t></si>", sst)
    assert sorted(strings) == sorted(["Yes", "No", "N/A", "off", "on"])
    shared_cells = sheet.count(' t="s">')
    assert shared_cells == sum(int((c != 0).sum()) for c in codes) + n
    assert f'count="{shared_cells}" uniqueCount="5"' in sst
    assert "/xl/sharedStrings.xml" in z.read("[Content_Types].xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    assert 'Target="sharedStrings.xml"' in rels
    ids_in_rels = re.findall(r'Id="([^"]+)"', rels)
    assert len(ids_in_rels) == len(set(ids_in_rels))


def test_coded_columns_inline_where_the_book_has_shared_strings_already(tmp_path):
    """A workbook with its own sharedStrings part is left as it is: the codes' text is written inline."""
    with zipfile.ZipFile(io.BytesIO(_header_only_book(2))) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[rows_xml.SST_PATH] = b'<sst xmlns="%s" uniqueCount="0"/>' % rows_xml.MAIN_NS.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    codes = np.array([1, 0, 2, 1], dtype=np.int8)
    columns = [["a", "b", "c", "d"], rows_xml.Coded(codes, [None, "Yes", "No"])]
    book = rows_xml.splice_columns(buffer.getvalue(), SHEET1, columns, 4)
    z = zipfile.ZipFile(io.BytesIO(book))
    assert z.read(rows_xml.SST_PATH) == parts[rows_xml.SST_PATH]
    assert '<c r="B2" t="inlineStr"><is><t>Yes</t></is></c>' in z.read(SHEET1).decode()
    ws = openpyxl.load_workbook(io.BytesIO(book))["Sheet"]
    assert list(ws.iter_rows(min_row=2, values_only=True)) == [("a", "Yes"), ("b", None), ("c", "No"), ("d", "Yes")]


@pytest.mark.parametrize("codes", [[0, 1, 4], [-1, 0, 1]])
def test_codes_without_a_label_are_refused(codes):
    column = rows_xml.Coded(np.array(codes, dtype=np.int8), [None, "Yes", "No"])
    with pytest.raises(ValueError, match="labels"):
        rows_xml.splice_columns(_header_only_book(1), SHEET1, [column], 3)


def test_zip64_size_bound_for_coded_columns(monkeypatch):
    """Coded columns' share of the bound is their exact size (each row number as long as the last)."""
    rng = np.random.default_rng(1)
    columns = [rows_xml.Coded(rng.integers(0, 4, 9000).astype(np.int8), [None, "Yes", "No", "N/A"])
               for _ in range(20)]
    book = _header_only_book(20)
    real = zipfile.ZipFile(io.BytesIO(rows_xml.splice_columns(book, SHEET1, columns, 9000))).getinfo(SHEET1).file_size
    monkeypatch.setattr(rows_xml, "ZIP64_FROM", int(real * 1.05) - 1)
    assert _local_header_is_zip64(rows_xml.splice_columns(book, SHEET1, columns, 9000), SHEET1)
    monkeypatch.setattr(rows_xml, "ZIP64_FROM", int(real * 1.05 * 1.02))  # close above it
    assert not _local_header_is_zip64(rows_xml.splice_columns(book, SHEET1, columns, 9000), SHEET1)
