"""Frameworks are data: built-ins load, bad files fail with one line naming file and key."""

from __future__ import annotations

import tomllib

import pytest

from casescore.errors import FrameworkInvalid
from casescore.framework import builtin_ids, load


def test_builtins():
    assert builtin_ids() == ["probation-pdu-2021", "probation-pdu-2023", "youth-2021"]
    pdu = load("probation-pdu-2021")
    assert [s.id for s in pdu.standards] == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6"]
    assert [len(s.key_questions) for s in pdu.standards[5:9]] == [3, 3, 3, 3]
    assert pdu.standard("2.6").method == "unrated" and not pdu.standard("2.6").scored
    youth = load("youth-2021")
    assert len(youth.standards) == 13
    assert [s.id for s in youth.standards if not s.scored] == ["4.1"]
    assert youth.max_points * sum(s.scored for s in youth.standards) == 36


def test_every_prompt_has_an_evidence_label():
    for fid in builtin_ids():
        for s in load(fid).standards:
            for kq in s.key_questions:
                assert kq.evidence in {"V", "G", "R", "A"}, kq.id
                assert all(p.evidence in {"V", "G", "R", "A"} for p in kq.prompts), kq.id


def _broken(tmp_path, old: str, new: str):
    text = load("probation-pdu-2021").source_text
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("old,new,key", [
    ('id = "2.2.1"', 'id = "2.3.1"', "standards[5].key_questions[0].id"),
    ('method = "case"', 'method = "cases"', "standards[4].method"),
    ('before_banding = "exact"', 'before_banding = "up"', "rounding.before_banding"),
    ('"Good" = 65', '"Good" = 85', "bands.minimum_percent"),
    ('points = 2', 'points = "two"', "ratings[1].points"),
    ('"Good" = "5/6"', '"Good" = "5/0"', "overall.maximum_share.Good"),
    ('{ id = "2.2.1a"', '{ id = "2.2.2a"', "standards[5].key_questions[0].prompts[0].id"),
    ('title = "HMI', 'titel = "HMI', "titel"),  # a misspelt key is named (and the nearest key offered)
])
def test_invalid_framework_names_file_and_key(tmp_path, old, new, key):
    path = _broken(tmp_path, old, new)
    with pytest.raises(FrameworkInvalid) as err:
        load(str(path))
    assert str(err.value).startswith(f"{path}: {key}:")


def test_not_toml(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text("id = \n")
    with pytest.raises(FrameworkInvalid, match="not valid TOML"):
        load(str(path))


def test_show_toml_loads_back_unchanged(cli, tmp_path):
    for fid in builtin_ids():
        run = cli("frameworks", "show", fid, "--toml")
        assert run.code == 0
        path = tmp_path / f"{fid}.toml"
        path.write_text(run.out)
        again, original = load(str(path)), load(fid)
        assert tomllib.loads(run.out) == tomllib.loads(original.source_text)
        assert (again.standards, again.bands, again.overall, again.ratings) == (
            original.standards, original.bands, original.overall, original.ratings)


def test_show_json_shape(cli):
    doc = cli("frameworks", "show", "probation-pdu-2021", "--format", "json").json()
    assert doc["id"] == "probation-pdu-2021" and doc["title"]
    assessment = next(s for s in doc["standards"] if s["id"] == "2.2")
    assert assessment["method"] == "case" and assessment["scored"] is True
    kq = assessment["key_questions"][0]
    assert kq["id"] == "2.2.1" and kq["text"].startswith("Does assessment")
    assert kq["prompts"][0]["id"] == "2.2.1a"


def test_frameworks_list(cli):
    run = cli("frameworks")
    assert run.code == 0 and "probation-pdu-2021" in run.out and "youth-2021" in run.out
    assert {r["id"]: r["max_score"] for r in cli("frameworks", "--format", "json").json()} == {
        "probation-pdu-2021": 27, "probation-pdu-2023": 21, "youth-2021": 36}


def test_custom_framework_path_is_used(cli, tmp_path):
    from conftest import SAMPLE

    path = _broken(tmp_path, '"Inadequate" = "1/6"', '"Inadequate" = "1/3"')  # 6/24 becomes Inadequate
    run = cli("rate", SAMPLE, "--framework", str(path), "--format", "json")
    assert run.code == 0 and run.json()["overall_rating"] == "Inadequate"


def test_invalid_framework_exit_4(cli, tmp_path):
    from conftest import SAMPLE

    path = _broken(tmp_path, 'method = "case"', 'method = "cases"')
    run = cli("rate", SAMPLE, "--framework", str(path))
    assert run.code == 4
    assert "standards[4].method" in run.err and "Traceback" not in run.err


@pytest.mark.parametrize("old,new,key,near", [
    ('title = "HMI', 'titel = "HMI', "titel", "title"),
    ("minimum_percent", "minimun_percent", "bands.minimun_percent", "minimum_percent"),
    ('before_banding = ', 'before_bandings = ', "rounding.before_bandings", "before_banding"),
    ('evidence = "G", text = "Does assessment analyse', 'evidence = "G", txet = "Does assessment analyse',
     "standards[5].key_questions[0].prompts[0].txet", "text"),
    ('scored = ', 'score = ', "standards[0].score", "scored"),
])
def test_unknown_keys_are_refused_with_the_nearest(tmp_path, old, new, key, near):
    path = _broken(tmp_path, old, new)
    with pytest.raises(FrameworkInvalid) as err:
        load(str(path))
    assert str(err.value) == f"{path}: {key}: unknown key; did you mean '{near}'?"


def test_unknown_key_exits_4(cli, tmp_path):
    path = _broken(tmp_path, "minimum_percent", "minimun_percent")
    run = cli("frameworks", "show", path)
    assert run.code == 4 and "bands.minimun_percent: unknown key" in run.err


def test_an_edited_builtin_is_labelled_modified(tmp_path):
    same = tmp_path / "same.toml"
    same.write_text(load().source_path.read_text().replace("# ", "#  "))  # comments only
    assert load(str(same)).label == "probation-pdu-2021"
    edited = _broken(tmp_path, '"Outstanding" = 80', '"Outstanding" = 75')
    assert load(str(edited)).modified and load(str(edited)).label == f"probation-pdu-2021 (modified: {edited.name})"
    assert not load("probation-pdu-2021").modified


# --- every problem at once (frameworks check), without changing what load() raises ----------------

BREAKAGES = [
    ('id = "2.2.1"', 'id = "2.3.1"'), ('method = "case"', 'method = "cases"'),
    ('before_banding = "exact"', 'before_banding = "up"'), ('"Good" = 65', '"Good" = 85'),
    ('points = 2', 'points = "two"'), ('points = 1', 'points = -1'), ('"Good" = "5/6"', '"Good" = "5/0"'),
    ('{ id = "2.2.1a"', '{ id = "2.2.2a"'), ('title = "HMI', 'titel = "HMI'), ("minimum_percent", "minimun_percent"),
    ('id = "2.3"', 'id = "2.2"'), ('id = "2.5.3"', 'id = "2.5.2"'), ('scored = false', 'scored = true'),
    ('name = "Good"', 'name = "Outstanding"'), ('values = ["Male", "Female"]', 'values = ["Male", ""]'),
    ('id = "1.1"', 'id = "1"'), ('[[standards]]\nid = "1.2"', '[[standards]]\nidd = "1.2"'),
    ('text = "Does assessment focus sufficiently on engaging', 'text = 3 #'),
]


@pytest.mark.parametrize("old,new", BREAKAGES)
def test_validate_names_first_the_problem_load_raises(tmp_path, old, new):
    from casescore.framework import validate

    path = _broken(tmp_path, old, new)
    with pytest.raises(FrameworkInvalid) as err:
        load(str(path))
    framework, problems = validate(str(path))
    assert framework is None and problems[0] == str(err.value)


def test_validate_lists_every_problem(tmp_path):
    from casescore.framework import validate

    text = load("probation-pdu-2021").source_text
    for old, new in BREAKAGES[:10]:
        text = text.replace(old, new, 1)
    path = tmp_path / "many.toml"
    path.write_text(text)
    _, problems = validate(str(path))
    keys = [p.split(": ")[1] for p in problems]
    assert keys == [
        "titel", "bands.minimun_percent", "ratings[1].points", "ratings[2].points", "rounding.before_banding",
        "standards[4].method", "standards[5].key_questions[0].id",  # its prompts are not read: it has no id
        "title", "bands.minimum_percent", "overall.maximum_share.Good",
    ]
    assert len(set(problems)) == len(problems)


def test_validate_a_good_file_gives_the_framework():
    from casescore.framework import builtin_ids, validate

    for fid in builtin_ids():
        framework, problems = validate(fid)
        assert problems == [] and framework == load(fid)


@pytest.mark.parametrize("old,new,said", [
    ('points = 2', 'points = "two"', "ratings[1].points: must be a whole number, not text in quotes"),
    ('points = 2', 'points = true', "ratings[1].points: must be a whole number, not true or false"),
])
def test_a_wrong_kind_of_value_is_named_in_toml_words(tmp_path, old, new, said):
    """The file's author wrote TOML: the message says 'a whole number', not Python's 'int'."""
    path = _broken(tmp_path, old, new)
    with pytest.raises(FrameworkInvalid) as err:
        load(str(path))
    assert str(err.value) == f"{path}: {said}"
