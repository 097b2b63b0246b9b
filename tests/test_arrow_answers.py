"""Answer codes read from an Arrow column's bytes (arrow_answers) are answers.answer_code's, cell for
cell, or the column is declined (None) and goes the general way: never a wrong code.

And the CSV paths built on it (plain-text answers and ids, a byte search for the words of a totals
label, a set for unique ids) find what the per-value paths find."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reader_paths import QUESTIONS, counts

from casescore import answers, arrow_answers, marking

EXACT = ("Yes", "No", "N/A", "")
# Near misses: right length and first byte, a token's bytes spread over two cells, other spellings
# answer_code accepts, bytes that are not ASCII, a NUL.
NEAR = ["Ye", "Yse", "Yea", "Yez", "YEs", "Nos", "N/B", "N/a", "N-A", "Yes ", " No", "NoY", "N/", "N/AA", "Y/A",
        "Nes", "NoN", "Na", "yes", "NO", "n/a", "Y", "N",
        "No\n", "Né", "é", "Ñ/A", "YesNo", "A", "s", "/A", "Yes\x00", "No\x00", "\x00"]
cells = st.lists(st.one_of(st.sampled_from(EXACT), st.sampled_from(NEAR), st.text(max_size=4), st.none()),
                max_size=80)  # None: a missing value, as a workbook's empty cell is


def _column(values: list[str], cuts: list[int], large: bool, pad: int):
    """values as an Arrow column: in chunks cut at `cuts`, as string or large_string, each chunk a
    slice of a longer array (so offsets do not start at 0)."""
    kind = pa.large_string() if large else pa.string()
    bounds = [0, *sorted(c % (len(values) + 1) for c in cuts), len(values)]
    chunks = []
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        part = values[lo:hi]
        whole = pa.array(["N/A"] * pad + part + ["Yes"] * pad, kind)
        chunks.append(whole.slice(pad, len(part)))
    return pa.chunked_array(chunks, kind)


@settings(max_examples=400, deadline=None)
@given(cells, st.lists(st.integers(0, 200), max_size=4), st.booleans(), st.integers(0, 3),
       st.sampled_from([1, 3, 8, arrow_answers.BLOCK]))
def test_codes_are_answer_codes_or_none(values, cuts, large, pad, block):
    """Blocks as small as one cell take the paths a large file takes: several blocks per chunk, and
    chunks worked on one by one rather than joined."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arrow_answers, "BLOCK", block)
        got = arrow_answers.codes(_column(values, cuts, large, pad))
    if all(v is None or v in EXACT for v in values):
        assert got is not None and got.tolist() == [answers.answer_code(v) for v in values]
    else:
        assert got is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(EXACT + tuple(NEAR)), st.sampled_from(EXACT)), min_size=1, max_size=50))
def test_work_arrays_shared_between_columns_leave_no_trace(pairs):
    """The second column of the same length, with the first's work arrays, reads as if on its own."""
    first, second = (pa.array(list(c)) for c in zip(*pairs, strict=True))
    scratch = arrow_answers.Scratch()
    arrow_answers.codes(first, scratch)
    assert arrow_answers.codes(second, scratch).tolist() == arrow_answers.codes(second).tolist() == [
        answers.answer_code(v) for v in second.to_pylist()]


def test_missing_cells_are_blank_and_other_types_are_declined():
    assert arrow_answers.codes(pa.array(["Yes", None, "N/A"])).tolist() == [answers.YES, answers.BLANK, answers.NA]
    assert arrow_answers.codes(pa.array([None, None], pa.string())).tolist() == [answers.BLANK] * 2
    assert arrow_answers.codes(pa.array([1, 2])) is None
    assert arrow_answers.codes(pa.array(["Yes", "No"]).dictionary_encode()) is None
    assert arrow_answers.codes(pa.array(["", ""])).tolist() == [answers.BLANK] * 2
    assert arrow_answers.codes(pa.array([], pa.string())).tolist() == []


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_exact_answers_are_read_from_their_bytes_and_count_as_spelled_ones(cli, tmp_path, monkeypatch):
    """The same answers typed exactly and typed loosely: the first file takes the byte path for every
    question column, the second the general one for every column, and the counts agree."""
    loose = {"Yes": " yes", "No": "n", "N/A": "Not applicable", "": ""}
    grid = [[f"C{i:03d}", *(EXACT[(i * 7 + j * 3) % 4] for j in range(len(QUESTIONS)))] for i in range(30)]
    exact_path, loose_path = tmp_path / "exact.csv", tmp_path / "loose.csv"
    exact_path.write_text(_csv([["Case ID", *QUESTIONS], *grid]))
    loose_path.write_text(_csv([["Case ID", *QUESTIONS], *([r[0], *(loose[v] for v in r[1:])] for r in grid)]))
    taken = []
    real = arrow_answers.codes
    monkeypatch.setattr(arrow_answers, "codes", lambda *a: taken.append(real(*a) is not None) or real(*a))
    exact = cli("rate", exact_path, "--partial", "--format", "json")
    assert taken == [True] * len(QUESTIONS)
    taken.clear()
    spelled = cli("rate", loose_path, "--partial", "--format", "json")
    assert taken == [False] * len(QUESTIONS)
    assert exact.code == spelled.code == 0
    assert counts(exact.json()) == counts(spelled.json()) and exact.json()["cases"] == 30


def test_a_null_slot_holding_text_is_still_blank():
    """Arrow lets a missing value's slot hold bytes; they are not read as an answer."""
    import numpy as np

    for hidden in ("No", "Nx"):  # an answer, and text that is none
        holder = pa.array(["Yes", hidden, "N/A"])
        validity = pa.py_buffer(np.packbits(np.array([1, 0, 1], np.uint8), bitorder="little").tobytes())
        array = pa.Array.from_buffers(pa.string(), 3, [validity, *holder.buffers()[1:]], null_count=1)
        assert array.to_pylist() == ["Yes", None, "N/A"]
        assert arrow_answers.codes(array).tolist() == [answers.YES, answers.BLANK, answers.NA]


def test_a_workbooks_exact_answers_are_read_from_their_bytes(cli, tmp_path, monkeypatch):
    """A workbook's cells (text as calamine gives it, empty cells missing) take the byte path too, and
    count as the general way counts them; its tokens are text a workbook shows as it is."""
    from openpyxl import Workbook

    from casescore import cell_text

    assert all(cell_text.as_typed(t) == t for t in arrow_answers.TOKENS)
    grid = [[f"C{i:03d}", *(EXACT[(i * 7 + j * 3) % 4] or None for j in range(len(QUESTIONS)))] for i in range(30)]
    paths = {}
    for name, spell in (("exact", lambda v: v), ("loose", lambda v: v and v.lower())):
        wb = Workbook()
        wb.active.title = "Cases"
        for row in [["Case ID", *QUESTIONS], *([r[0], *(spell(v) for v in r[1:])] for r in grid)]:
            wb.active.append(row)
        paths[name] = tmp_path / f"{name}.xlsx"
        wb.save(paths[name])
    taken = []
    real = arrow_answers.codes
    monkeypatch.setattr(arrow_answers, "codes", lambda *a: taken.append(real(*a) is not None) or real(*a))
    exact = cli("rate", paths["exact"], "--partial", "--format", "json")
    assert taken == [True] * len(QUESTIONS)
    loose = cli("rate", paths["loose"], "--partial", "--format", "json")
    assert exact.code == loose.code == 0
    assert counts(exact.json()) == counts(loose.json()) and exact.json()["cases"] == 30


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.from_regex(marking.SUMMARY_LABEL), st.text(max_size=12)))
def test_every_summary_label_holds_a_summary_text(text):
    """The byte search for SUMMARY_TEXT may only raise false alarms: a label it misses would be
    counted as a case."""
    if marking._summary_label(text.strip()):
        assert marking._may_hold(pa.array([text]), marking.SUMMARY_TEXT)
        if text.isascii():
            assert any(w in text.lower() for w in marking.SUMMARY_TEXT)


def test_the_byte_search_for_summary_text():
    assert not marking._may_hold(pa.chunked_array([["C001", "C002"], ["", "X-9"]]), marking.SUMMARY_TEXT)
    assert marking._may_hold(pa.chunked_array([["C001"], ["Grand TOTAL"]]), marking.SUMMARY_TEXT)
    assert marking._may_hold(pa.array(["ſum"]), ("sum",))  # not ASCII: taken to hold it
    assert marking._may_hold(pa.array(["x-to", "tal"]), ("total",))  # across two cells: a false alarm
    assert not marking._may_hold(pa.array(["", ""]), ("total",))
    assert not marking._may_hold(pa.array(["xx", "total", "yy"]).slice(2), ("total",))  # a slice's own text


@pytest.mark.parametrize("labels", [True, False])
def test_summary_rows_are_found_the_fast_way_too(cli, tmp_path, monkeypatch, labels):
    """From PANDAS_FROM rows up a column of ids is first searched for SUMMARY_TEXT (without labels,
    none is found and no id is looked at); lowered to 5 here, it must find what the per-value way
    finds. The rows below the cases without an id and the blank row make every column's blank
    cells matter (no column settles which rows hold something)."""
    width = len(QUESTIONS)
    rows = [[f"C{i:03d}", *["Yes"] * width] for i in range(40)]
    rows.insert(20, [""] * (width + 1))
    if labels:
        rows += [["  Grand total", *["40"] * width], ["Average %", *[""] * width], ["Summers", *["No"] * width],
                 ["No. of cases", *[""] * width]]
    rows += [["", *["N/A"] * width], ["", "", "x"]]
    path = tmp_path / "m.csv"
    path.write_text(_csv([["Case ID", *QUESTIONS, "Notes"], *((r + [""] * width)[:width + 2] for r in rows)]))
    from casescore import reader

    monkeypatch.setattr(reader, "_pandas_csv", lambda *a: pytest.fail("read by pandas, not by Arrow"))
    slow = cli("check", path, "--format", "json").json()
    monkeypatch.setattr(marking, "PANDAS_FROM", 5)
    fast = cli("check", path, "--format", "json").json()
    assert fast == slow
    found = [r["label"] for r in fast["read"]["ignored_rows"]]
    assert found[:3] == (["Grand total", "Average %", "No. of cases"] if labels else ["x"])  # Summers is a case
    assert fast["cases"] == (42 if labels else 41)  # with Summers, and the row of answers with no id (named)
    assert [p["kind"] for p in fast["problems"]] == ["missing-id"]


def test_ids_are_checked_the_same_with_and_without_a_repeat():
    """_check_ids settles unique ids with one set; blank, error and repeated ids still get their problems."""
    import numpy as np

    from casescore.reader import Location

    def kinds(ids):
        problems: list = []
        marking._check_ids(np.array(ids, dtype=object), lambda i: Location("m.csv", None, i + 2, "A"), problems)
        return [(p.kind.value, p.where.ref) for p in problems]

    assert kinds(["C1", "C2", "C3"]) == []
    assert kinds(["C1", "", "C3"]) == [("missing-id", "A3")]
    assert kinds(["C1", "#N/A", "C3"]) == [("invalid-id", "A3")]
    assert kinds(["C1", "C2", "C1"]) == [("duplicate-id", "A4")]


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("form", ["wide", "long", "quoted", "too-long-row", "cp1252", "bom-inside"])
def test_a_csv_read_in_parts_reads_as_a_whole(cli, tmp_path, monkeypatch, ending, form):
    """A CSV without quotes is parsed in parts of CSV_PART bytes (to bound Arrow's memory); parts of a
    few bytes, a line or two each, must give exactly what one part gives, problems and errors too."""
    from casescore import reader

    header, rows = marking_rows()
    if form == "long":
        header = ["case_id", "question", "answer", "Team"]
        rows = [[r[0], q, a, r[1]] for r in rows for q, a in zip(QUESTIONS, r[2:], strict=True)]
    if form == "quoted":
        rows[3][1] = "North\nand South"  # a line break in a quoted value: read as one part
    if form == "too-long-row":
        rows[-1].append("extra")
    if form == "bom-inside":  # two exports joined with cat: the second's BOM starts a line
        rows[5][0] = "\ufeff" + rows[0][0]  # an id that differs from the first only by its BOM
    text = ending.join(",".join(f'"{v}"' if "\n" in v else v for v in r) for r in [header, *rows]) + ending
    path = tmp_path / "m.csv"
    path.write_bytes(text.encode("cp1252" if form == "cp1252" else "utf-8"))
    whole = cli("check", path, "--format", "json")
    monkeypatch.setattr(reader, "CSV_PART", 7)
    parts = []
    real = reader._parts
    monkeypatch.setattr(reader, "_parts", lambda *a: parts.append(real(*a)) or parts[-1])
    cut = cli("check", path, "--format", "json")
    assert (cut.code, cut.out, cut.err) == (whole.code, whole.out, whole.err)
    if form == "too-long-row":
        assert whole.code == 3 and "more fields than the header" in whole.err
    else:
        assert whole.json()["cases"] == len({r[0] for r in rows})
    # a part per row (none is over 7 bytes), but none starting with a BOM
    assert len(parts[0]) == (1 if form == "quoted" else len(rows) - (form == "bom-inside"))


def marking_rows():
    from test_reader_paths import marking

    header, rows = marking(n=12)
    return header, [[v.strip() for v in r] for r in rows]  # no leading space: nothing needs quotes
