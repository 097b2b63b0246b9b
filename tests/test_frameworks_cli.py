"""casescore frameworks check / diff / new / show: on the built-ins and on broken and edited copies.

The CLI's JSON is compared with the library's own result (framework.validate, framework_diff),
so the two cannot drift apart."""

from __future__ import annotations

import tomllib

import pytest

from casescore import framework_diff
from casescore.framework import builtin_ids, load


def _copy(tmp_path, fid: str = "probation-pdu-2023", *edits: tuple[str, str], name: str = "copy.toml"):
    text = load(fid).source_text
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text)
    return path


# --- check ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fid", builtin_ids())
def test_check_builtins_summarises(cli, fid):
    fw = load(fid)
    run = cli("frameworks", "check", fid)
    assert run.code == 0, run.err
    assert run.out.startswith(f"ok: {fw.id}: {fw.title}")
    assert f"max score: {framework_diff.max_score(fw)}" in run.out
    doc = cli("frameworks", "check", fid, "--format", "json").json()
    assert doc["ok"] is True and doc["problems"] == []
    assert doc["standards"] == len(fw.standards) and doc["max_score"] == framework_diff.max_score(fw)
    assert doc["key_questions"] == sum(len(s.key_questions) for s in fw.standards)
    assert doc["bands"] == {"Outstanding": 80, "Good": 65, "Requires improvement": 50, "Inadequate": 0}


def test_check_2023_states_the_caution(cli):
    run = cli("frameworks", "check", "probation-pdu-2023")
    assert "caution: probation-pdu-2023 is partly assumed" in run.out
    assert "standards: 7 (3 judgement, 4 case; 7 scored)" in run.out


def test_check_lists_every_problem_and_exits_4(cli, tmp_path):
    path = _copy(tmp_path, "probation-pdu-2023",
                 ('title = "HMI', 'titel = "HMI'), ('method = "case"', 'method = "cases"'),
                 ('{ id = "2.1.1a"', '{ id = "2.1.2a"'), ('"Good" = 65', '"Good" = 85'), ("points = 2", "points = -2"))
    run = cli("frameworks", "check", path)
    assert run.code == 4
    lines = run.out.strip().splitlines()
    keys = [line.split(": ")[1] for line in lines]
    assert keys == ["titel", "ratings[1].points", "ratings",  # negative, and so no longer best first
                    "standards[3].method", "standards[3].key_questions[0].prompts[0].id", "title",
                    "bands.minimum_percent"]
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert "7 problem(s)" in run.err and "Traceback" not in run.err
    doc = cli("frameworks", "check", path, "--format", "json").json()
    assert doc == {"file": str(path), "ok": False, "problems": lines}


def test_check_first_problem_is_the_one_rate_gives(cli, tmp_path):
    from conftest import SAMPLE

    path = _copy(tmp_path, "probation-pdu-2021", ('method = "case"', 'method = "cases"'),
                 ('"Good" = 65', '"Good" = 85'))
    first = cli("frameworks", "check", path).out.splitlines()[0]
    run = cli("rate", SAMPLE, "--framework", path)
    assert run.code == 4 and first in run.err


@pytest.mark.parametrize("content,expected", [
    ("id = \n", "not valid TOML"),
    ("", "ratings: is required"),
])
def test_check_unreadable_files(cli, tmp_path, content, expected):
    path = tmp_path / "x.toml"
    path.write_text(content)
    run = cli("frameworks", "check", path)
    assert run.code == 4 and expected in run.out


def test_check_missing_file_is_usage(cli, tmp_path):
    run = cli("frameworks", "check", tmp_path / "nope.toml")
    assert run.code == 2 and "neither a built-in" in run.err


# --- diff ----------------------------------------------------------------------------------------------


def test_diff_of_a_framework_with_itself_is_empty(cli):
    run = cli("frameworks", "diff", "probation-pdu-2023", "probation-pdu-2023")
    assert run.code == 0 and "no differences" in run.out
    assert cli("frameworks", "diff", "youth-2021", "youth-2021", "--format", "json").json()["same"] is True


def test_diff_of_an_edited_copy(cli, tmp_path):
    path = _copy(tmp_path, "probation-pdu-2023",
                 ('"Good" = 65', '"Good" = 60'), ('points = 1', 'points = 0'),
                 ('"Good" = "5/6"', '"Good" = "4/5"'), ('before_banding = "exact"', 'before_banding = "half-up"'),
                 ('text = "Does planning focus sufficiently on reducing reoffending and supporting desistance?"',
                  'text = "Does planning focus sufficiently on reducing reoffending?"'),
                 ('    { id = "2.4.3e", ',
                  '    { id = "2.4.3f", evidence = "A", text = "New?" },\n    { id = "2.4.3e", '))
    doc = cli("frameworks", "diff", "probation-pdu-2023", path, "--format", "json").json()
    assert doc["a"] == {"id": "probation-pdu-2023", "title": load("probation-pdu-2023").title, "path": None}
    assert doc["b"]["path"] == str(path) and doc["same"] is False
    got = {(c["part"], c["id"], c["change"], c["field"], c["before"], c["after"]) for c in doc["changes"]}
    assert got == {
        ("bands", "Good", "changed", "minimum_percent", "65", "60"),
        ("rating", "Requires improvement", "changed", "points", "1", "0"),
        ("overall", "Good", "changed", "maximum_share", "5/6", "4/5"),
        ("rounding", None, "changed", "before_banding", "exact", "half-up"),
        ("question", "2.2.2", "changed", "text",
         "Does planning focus sufficiently on reducing reoffending and supporting desistance?",
         "Does planning focus sufficiently on reducing reoffending?"),
        ("question", "2.4.3f", "added", None, None, "New?"),
    }
    table = cli("frameworks", "diff", "probation-pdu-2023", path).out
    assert "minimum_percent changed" in table and "added" in table and "6 differences" in " ".join(table.split())


def test_diff_json_is_the_library_result(cli):
    a, b = load("probation-pdu-2021"), load("probation-pdu-2023")
    doc = cli("frameworks", "diff", "probation-pdu-2021", "probation-pdu-2023", "--format", "json").json()
    assert len(doc["changes"]) == len(framework_diff.diff(a, b))


def test_diff_2021_to_2023(cli):
    """Standards removed and renamed, max score, and questions whose text now lives under another id."""
    doc = cli("frameworks", "diff", "probation-pdu-2021", "probation-pdu-2023", "--format", "json").json()
    changes = doc["changes"]

    def find(part, id_, field=None):
        return [c for c in changes if c["part"] == part and c["id"] == id_ and c["field"] == field]

    assert [(c["before"], c["after"]) for c in find("framework", None, "max_score")] == [("27", "21")]
    assert [c["change"] for sid in ("1.4", "2.5", "2.6") for c in find("standard", sid)] == ["removed"] * 3
    assert [(c["before"], c["after"]) for c in find("standard", "2.2", "name")] == [("Assessment", "Planning")]
    assert find("question", "2.2.1", "text")[0]["note"] == "text is now 2.1.1"
    assert find("question", "2.5.3")[0]["change"] == "removed" and find("question", "2.5.3")[0]["note"] == (
        "text is now 2.4.3")
    # 2.2.3d was added for the Newham report (risk classification) and is not carried over: a planning prompt now
    assert find("question", "2.2.3d", "text")[0]["before"] == "Is the risk of serious harm classification accurate?"
    assert find("question", "2.2.3d", "text")[0]["note"] is None


def test_diff_unknown_framework_is_usage(cli):
    run = cli("frameworks", "diff", "probation-pdu-2023", "probation-pdu-2099")
    assert run.code == 2 and "neither a built-in" in run.err


# --- new -----------------------------------------------------------------------------------------------


def test_new_copies_under_a_new_id(cli, tmp_path):
    out = tmp_path / "my.toml"
    run = cli("frameworks", "new", "--from", "probation-pdu-2023", "-o", out, "--id", "my-qa-2026")
    assert run.code == 0, run.err
    assert f"wrote {out}" in run.err and "keeps probation-pdu-2023's caution" in run.err
    copy, original = load(str(out)), load("probation-pdu-2023")
    assert copy.id == "my-qa-2026" and not copy.modified and copy.label == "my-qa-2026"
    assert copy.title == original.title + " (copy)"
    assert (copy.standards, copy.bands, copy.overall, copy.ratings, copy.rounding, copy.warning) == (
        original.standards, original.bands, original.overall, original.ratings, original.rounding, original.warning)
    changes = framework_diff.diff(original, copy)
    assert {(c.part, c.field) for c in changes} == {("framework", "id"), ("framework", "title")}
    assert cli("frameworks", "check", out).code == 0


def test_new_copy_rates_like_its_original(cli, tmp_path):
    from conftest import SAMPLE

    out = tmp_path / "mine.toml"
    assert cli("frameworks", "new", "--from", "probation-pdu-2021", "-o", out, "--id", "mine",
               "--title", "Our QA standards").code == 0
    assert load(str(out)).title == "Our QA standards"
    a = cli("rate", SAMPLE, "--format", "json").json()
    b = cli("rate", SAMPLE, "--framework", out, "--format", "json").json()
    assert b["framework"] == "mine"
    for doc in (a, b):
        for key in ("framework", "framework_title", "warnings"):
            doc.pop(key, None)  # the recorded-framework and naming lines may differ; the figures may not
    assert a == b


def test_new_to_stdout(cli):
    run = cli("frameworks", "new", "--from", "youth-2021", "-o", "-", "--id", "yjs-2026")
    assert run.code == 0
    data = tomllib.loads(run.out)
    assert data["id"] == "yjs-2026" and data["title"].endswith("(copy)")


def test_new_refuses_to_overwrite_without_force(cli, tmp_path):
    out = tmp_path / "my.toml"
    out.write_text("mine")
    run = cli("frameworks", "new", "--from", "probation-pdu-2023", "-o", out, "--id", "x")
    assert run.code == 2 and "already exists; pass --force" in run.err and out.read_text() == "mine"
    assert cli("frameworks", "new", "--from", "probation-pdu-2023", "-o", out, "--id", "x", "--force").code == 0
    assert load(str(out)).id == "x"


def test_new_never_overwrites_its_source(cli, tmp_path):
    src = _copy(tmp_path, name="src.toml")
    before = src.read_text()
    run = cli("frameworks", "new", "--from", src, "-o", src, "--id", "other", "--force")
    assert run.code == 2 and "is the input file" in run.err and src.read_text() == before


@pytest.mark.parametrize("bad,message", [
    ("probation-pdu-2023", "is a built-in framework's id"),
    ("my qa", "is not an id"),
    ("", "is not an id"),
])
def test_new_refuses_a_bad_id(cli, tmp_path, bad, message):
    out = tmp_path / "x.toml"
    run = cli("frameworks", "new", "--from", "probation-pdu-2023", "-o", out, "--id", bad)
    assert run.code == 2 and message in run.err and not out.exists()


def test_new_from_an_invalid_file_exits_4(cli, tmp_path):
    src = _copy(tmp_path, "probation-pdu-2023", ('method = "case"', 'method = "cases"'), name="bad.toml")
    run = cli("frameworks", "new", "--from", src, "-o", tmp_path / "x.toml", "--id", "x")
    assert run.code == 4 and "standards[3].method" in run.err


# --- show, list, formats -------------------------------------------------------------------------------


def test_show_states_the_caution(cli):
    run = cli("frameworks", "show", "probation-pdu-2023")
    assert run.code == 0 and "Caution: probation-pdu-2023 is partly assumed" in " ".join(run.out.split())
    doc = cli("frameworks", "show", "probation-pdu-2023", "--format", "json").json()
    assert doc["warning"] == load("probation-pdu-2023").warning and doc["max_score"] == 21
    assert cli("frameworks", "show", "probation-pdu-2021", "--format", "json").json()["warning"] is None


def test_show_names_the_file_of_a_copy(cli, tmp_path):
    path = _copy(tmp_path, "youth-2021")
    assert str(path) in cli("frameworks", "show", path).out.splitlines()[0]
    assert cli("frameworks", "show", path, "--format", "json").json()["path"] == str(path)


@pytest.mark.parametrize("command", [
    ["frameworks"], ["frameworks", "show", "youth-2021"], ["frameworks", "check", "youth-2021"],
    ["frameworks", "diff", "youth-2021", "youth-2021"],
])
def test_format_offers_table_and_json_only(cli, command):
    run = cli(*command[:1], "--format", "csv", *command[1:]) if command == ["frameworks"] else cli(
        *command, "--format", "csv")
    assert run.code == 2 and "must be one of table, json (not 'csv')" in run.err and run.out == ""
    assert cli(*command, "--format", "json").code == 0


def test_new_from_a_file_whose_title_it_cannot_rewrite_says_so(cli, tmp_path):
    title = 'title = "HMI Probation: adult PDU inspection standards (revised 2023)"'
    src = _copy(tmp_path, "probation-pdu-2023", (title, 'title = """Our\nstandards"""'), name="multi.toml")
    out = tmp_path / "x.toml"
    run = cli("frameworks", "new", "--from", src, "-o", out, "--id", "x")
    assert run.code == 4 and "title: not written as one line" in " ".join(run.err.split()) and not out.exists()


def test_new_rewrites_literal_strings_and_keeps_comments(cli, tmp_path):
    src = _copy(tmp_path, "youth-2021", ('id = "youth-2021"', "id = 'team-youth'  # ours"), name="lit.toml")
    out = tmp_path / "copy.toml"
    assert cli("frameworks", "new", "--from", src, "-o", out, "--id", "team-youth-2").code == 0
    assert load(str(out)).id == "team-youth-2" and '"team-youth-2"  # ours' in out.read_text()
