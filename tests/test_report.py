"""casescore report: every figure on the page equals `rate`/`compare --format json` (the oracle), the page
is one offline file with no script, marking text is escaped, and --per pages show one value's cases only.

The HTML is read with the standard library's HTML parser into a small tree, never with regexes."""

from __future__ import annotations

import csv
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE

REAUDIT = ROOT / "sample_data" / "newham-2023-reaudit.xlsx"
EXAMPLE = ROOT / "sample_data" / "newham-2022.html"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HOSTILE = ['<script>alert("id")</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(2)", "&amp;<b>"]


# --- a small HTML tree ---------------------------------------------------------------------------


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def field(self, name: str) -> str:
        """The text of the first descendant with data-field=name, whitespace collapsed."""
        found = self.find_all(data_field=name)
        assert found, f"no data-field={name} under <{self.tag} {self.attrs}>"
        return " ".join(found[0].text().split())


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root
        self.doctype = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str | bytes) -> Node:
    builder = TreeBuilder()
    builder.feed(html.decode("utf-8") if isinstance(html, bytes) else html)
    builder.close()
    assert builder.current is builder.root, f"unclosed <{builder.current.tag}>"
    return builder.root


# --- the oracle: figures as the page should print them from the JSON ------------------------------


def shown_matches(text: str, value: float | None) -> bool:
    """'64%', '64.5%†' or '20%*' shows value when it is the value rounded to the places it prints."""
    if value is None:
        return text in ("-", "")
    number = re.match(r"^(\d+(?:\.(\d+))?)%", text)
    assert number, f"not a percentage: {text!r}"
    places = len(number.group(2) or "")
    return abs(float(number.group(1)) - value) <= 0.5 * 10 ** -places + 1e-9


def interval_text(item: dict) -> str:
    if item["ci_low"] is None:
        return ""
    return f"{item['ci_low']:.0f}\u2013{item['ci_high']:.0f}%"


def assert_figure(row: Node, item: dict, prefix: str = "", min_n: int = 10) -> None:
    """A row's count, percentage and interval cells against a JSON tally."""
    assert row.field(f"{prefix}count") == f"{item['yes']}/{item['relevant']}"
    percent = row.field(f"{prefix}percent")
    assert shown_matches(percent, item["percent"]), (percent, item)
    assert ("*" in percent) == (0 < item["relevant"] < min_n)
    assert row.field(f"{prefix}interval") == interval_text(item)


def questions(rating: dict):
    for s in rating["standards"]:
        for kq in s["key_questions"]:
            yield s, kq
            for p in kq["prompts"]:
                yield s, p


@pytest.fixture
def report(cli, tmp_path):
    """report(*args) -> (html tree, exit code, stderr): casescore report with -o into tmp_path."""
    def run(*args: str, name: str = "out.html"):
        out = tmp_path / name
        r = cli("report", *map(str, args), "-o", str(out))
        assert r.code == 0, r.err
        return parse(out.read_bytes()), r
    return run


@pytest.fixture(scope="module")
def newham_json():
    from casescore import api
    from casescore.render.data import result_dict

    rated = api.rate_file(str(SAMPLE), by=["Sentence type"])
    return json.loads(json.dumps(result_dict(rated.result, rated.marking.source)))


# --- figures -------------------------------------------------------------------------------------------


def test_ratings_panel_equals_rate_json(report, cli):
    page, _ = report(SAMPLE)
    expected = cli("rate", SAMPLE, "--format", "json").json()
    assert page.field("score") == f"{expected['score']}/{expected['max_score']}" == "6/24"
    headline = page.find_all("div", **{"class": "headline"})[0]
    assert headline.field("rating") == expected["overall_rating"]
    panel = {r.attrs["data-standard"]: r for t in page.find_all("table", **{"class": "ratings"})
             for r in t.find_all("tr") if "data-standard" in r.attrs}
    assert list(panel) == [s["id"] for s in expected["standards"]]
    for s in expected["standards"]:
        row = panel[s["id"]]
        assert row.field("rating") == (s["rating"] or "not rated")
        assert row.field("points") == ("" if s["points"] is None else str(s["points"]))
        assert bool(row.find_all(data_field="uncertain")) == s["uncertain"]
        for kq in s["deciding"]:
            assert kq in row.text()


def test_every_key_question_and_prompt_equals_rate_json(report, cli):
    page, _ = report(SAMPLE)
    expected = cli("rate", SAMPLE, "--format", "json").json()
    seen = 0
    for s, q in questions(expected):
        if s["method"] == "judgement":
            continue
        section = page.find_all("section", data_standard=s["id"])[0]
        if not any(kq["relevant"] for kq in s["key_questions"]):
            assert "No case in the marking is relevant" in section.text()
            continue
        row = section.find_all("tr", data_question=q["id"])[0]
        if "band" in q:  # a key question
            assert_figure(row, q)
            assert (row.field("band") if q["band"] else "") == (q["band"] or "")
            assert bool(row.find_all(data_field="deciding")) == (q["id"] in s["deciding"])
        else:
            of = row.field("of")
            assert of == (f"{q['yes']} of {q['relevant']} relevant cases" if q["relevant"] else "no relevant cases")
            assert shown_matches(row.field("percent"), q["percent"])
            assert row.field("interval") == interval_text(q)
        seen += 1
    assert seen > 60


def test_prompts_are_sorted_weakest_first(report):
    page, _ = report(SAMPLE)
    for table in page.find_all("table", **{"class": "prompts"}):
        values = [float(re.match(r"[\d.]+", r.field("percent")).group()) for r in table.find_all("tr")
                  if "data-question" in r.attrs and r.field("percent") != "-"]
        assert values == sorted(values)


def test_breakdowns_equal_rate_json(report, cli):
    page, _ = report(SAMPLE, "--by", "Sentence type", "--by", "Age group")
    expected = cli("rate", SAMPLE, "--format", "json", "--by", "Sentence type", "--by", "Age group").json()
    checked = 0
    for attribute in ("Sentence type", "Age group"):
        tables = page.find_all("table", data_attribute=attribute)
        rows = {(r.attrs["data-question"], r.attrs["data-group"]): r for t in tables for r in t.find_all("tr")
                if "data-group" in r.attrs}
        for s in expected["standards"]:
            if s["method"] == "judgement" or not any(kq["relevant"] for kq in s["key_questions"]):
                continue
            for kq in s["key_questions"]:
                for group, item in kq["by"][attribute].items():
                    assert_figure(rows[(kq["id"], group)], item)
                    checked += 1
    assert checked == 13 * 2 + 13 * 4


def test_compare_section_equals_compare_json(report, cli):
    page, run = report(REAUDIT, "--compare", SAMPLE, "--by", "Sentence type")
    expected = cli("compare", SAMPLE, REAUDIT, "--format", "json", "--by", "Sentence type").json()
    for warning in expected["warnings"]:  # on stderr, as compare gives them, and on the page
        assert warning in run.err
        assert warning in " ".join(page.find_all("ul", **{"class": "warnings"})[0].text().split())
    section = page.find_all("section", id="change")[0]
    assert section.field("before-cases") == str(expected["before"]["cases"])
    assert section.field("after-cases") == str(expected["after"]["cases"])
    assert section.field("before-score") == f"{expected['before']['score']}/{expected['before']['max_score']}"
    assert section.field("after-score") == f"{expected['after']['score']}/{expected['after']['max_score']}"
    for s in expected["standards"]:
        row = section.find_all("tr", data_standard=s["id"])[0]
        assert row.find_all(data_field="before")[0].field("rating") == (s["before"] or "not rated")
        assert row.find_all(data_field="after")[0].field("rating") == (s["after"] or "not rated")
    kq_table = section.find_all("table", **{"class": "changes"})[0]
    for q in expected["questions"]:
        if q["kind"] != "key question":
            continue
        row = kq_table.find_all("tr", data_question=q["id"])[0]
        _assert_change(row, q)
        for group, change in q.get("by", {}).get("Sentence type", {}).items():
            by_row = section.find_all("tr", data_question=q["id"], data_group=group)[0]
            _assert_change(by_row, change)
    significant = {q["id"] for q in expected["questions"] if q["kind"] == "prompt" and q["significant"]}
    prompt_tables = [t for t in section.find_all("table") if "Prompts" in t.find_all("caption")[0].text()]
    shown = {r.attrs["data-question"] for t in prompt_tables for r in t.find_all("tr") if "data-question" in r.attrs}
    assert shown == significant


def _assert_change(row: Node, q: dict) -> None:
    assert_figure(row, q["before"], "before-")
    assert_figure(row, q["after"], "after-")
    assert row.field("change") == ("-" if q["change"] is None else f"{q['change']:+.0f} pp")
    ci = "" if q["change_ci_low"] is None else f"{q['change_ci_low']:+.0f} to {q['change_ci_high']:+.0f}"
    assert row.field("change-interval") == ci
    if "significant" in [f.attrs.get("data-field") for f in row.iter()]:
        assert (row.field("significant") == "significant") == q["significant"]


def test_charts_have_a_bar_per_key_question_and_a_text_alternative(report, cli):
    page, _ = report(SAMPLE)
    expected = cli("rate", SAMPLE, "--format", "json").json()
    for s in expected["standards"]:
        section = page.find_all("section", data_standard=s["id"])
        if not section:
            continue
        svgs = section[0].find_all("svg")
        relevant = [kq for kq in s["key_questions"] if kq["relevant"]]
        assert len(svgs) == (1 if relevant else 0)
        if not relevant:
            continue
        svg = svgs[0]
        assert svg.attrs["role"] == "img"
        labelled = svg.attrs["aria-labelledby"].split()
        assert [n.tag for i in labelled for n in svg.find_all(id=i)] == ["title", "desc"]
        bars = [r for r in svg.find_all("rect") if "bar" in r.attrs.get("class", "").split()]
        assert len(bars) == len(relevant)
        deciding = [b.parent.attrs["data-question"] for b in bars if "deciding" in b.attrs["class"].split()]
        assert deciding == (s["deciding"] if s["method"] == "case" else [])
        for bar, kq in zip(bars, relevant, strict=True):  # the bar's length is its percentage of the plot
            assert math.isclose(float(bar.attrs["width"]), max(430 * kq["percent"] / 100, 1.5), abs_tol=0.11)
        desc = svg.find_all("desc")[0].text()
        for kq in relevant:
            assert kq["id"] in desc
        assert section[0].find_all("table"), "every chart has a table of its figures"


def test_ids_are_unique_and_every_reference_resolves(report, cli, tmp_path):
    path, _ = _practitioner_marking(tmp_path)
    pages = [report(REAUDIT, "--compare", SAMPLE, "--by", "Sentence type", "--by", "Age group")[0],
             report(path, "--by", "Practitioner", name="p.html")[0]]
    assert cli("report", path, "--per", "Practitioner", "-o", tmp_path / "per").code == 0
    pages += [parse(f.read_bytes()) for f in (tmp_path / "per").iterdir()]
    for page in pages:
        ids = [n.attrs["id"] for n in page.iter() if "id" in n.attrs]
        assert len(ids) == len(set(ids))
        assert all(re.fullmatch(r"[A-Za-z][\w-]*", i) for i in ids)
        for n in page.iter():
            for ref in n.attrs.get("aria-labelledby", "").split():
                assert ref in ids
            if n.tag == "a" and n.attrs.get("href", "").startswith("#"):
                assert n.attrs["href"][1:] in ids


def test_headings_go_down_one_level_at_a_time(report):
    page, _ = report(SAMPLE, "--by", "Sentence type")
    levels = [int(n.tag[1]) for n in page.iter() if re.fullmatch(r"h[1-6]", n.tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_band_colours_meet_wcag_aa_contrast():
    from casescore.render.html.report import INK, MUTED, RATING_COLOURS

    for background, text in RATING_COLOURS.values():
        assert contrast(background, text) >= 4.5, (background, text)
    assert contrast(INK, "#ffffff") >= 7 and contrast(MUTED, "#ffffff") >= 4.5


# --- one file, offline, no script ---------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "xlink:href", "background",
                  "cite", "longdesc", "ping", "manifest", "content"}


def assert_offline(page: Node) -> None:
    """No script, no event handler, no URL leaving the page, and a policy that forbids every fetch."""
    for node in page.iter():
        assert node.tag not in ("script", "iframe", "object", "embed", "link", "img", "base", "form"), node.tag
        for name, value in node.attrs.items():
            assert not name.startswith("on"), (node.tag, name)
            if name in URL_ATTRIBUTES and node.tag != "meta":
                assert value.startswith("#"), (node.tag, name, value)
            assert "javascript:" not in value.lower()
        if node.tag == "style":
            css = node.text().lower()
            assert "url(" not in css and "@import" not in css and "@font-face" not in css
    policy = [m for m in page.find_all("meta") if m.attrs.get("http-equiv", "").lower() == "content-security-policy"]
    assert policy and "default-src 'none'" in policy[0].attrs["content"]


def test_report_is_one_offline_file(report):
    page, _ = report(SAMPLE, "--by", "Sentence type")
    assert_offline(page)
    assert page.find_all("html")[0].attrs["lang"] == "en"


def test_hostile_marking_text_arrives_as_text(report, cli, tmp_path):
    from conftest import marking_csv, question_headers

    headers = question_headers(standards={"2.2"}, prompts=True)
    n = 12
    columns = {"Team": [HOSTILE[i % len(HOSTILE)] for i in range(n)],
               **{h: ["Yes" if (i + k) % 3 else "No" for i in range(n)] for k, h in enumerate(headers)}}
    ids = [f"{HOSTILE[i % len(HOSTILE)]}{i}" for i in range(n)]
    path = tmp_path / "hostile.csv"
    path.write_text(marking_csv(columns, ids), encoding="utf-8")
    page, _ = report(path, "--by", "Team")
    assert_offline(page)
    text = page.text()
    for value in HOSTILE:
        assert value in text  # shown literally, as text
    folder = tmp_path / "per"
    assert cli("report", path, "--per", "Team", "-o", folder).code == 0
    for file in folder.iterdir():
        tree = parse(file.read_bytes())
        assert_offline(tree)
        assert any(value in tree.text() for value in HOSTILE)


def test_hostile_inspection_name_in_a_workbook_arrives_as_text(cli, tmp_path):
    import openpyxl
    from conftest import question_headers

    book = openpyxl.Workbook()
    cases = book.active
    cases.title = "Cases"
    headers = question_headers(standards={"2.2"})
    cases.append(["Case ID", *headers])
    for i in range(12):
        cases.append([f"C{i}", *["Yes" if (i + k) % 2 else "No" for k in range(len(headers))]])
    info = book.create_sheet("Inspection")
    info.append(["Field", "Value"])
    info.append(["Inspection", HOSTILE[1] + HOSTILE[0]])
    path = tmp_path / "hostile.xlsx"
    book.save(path)
    out = tmp_path / "h.html"
    assert cli("report", path, "-o", out).code == 0
    page = parse(out.read_bytes())
    assert_offline(page)
    assert page.find_all("h1")[0].text() == HOSTILE[1] + HOSTILE[0]
    assert page.find_all("title")[0].text().startswith(HOSTILE[1] + HOSTILE[0])


def test_committed_example_is_offline_and_its_figures_are_the_json(newham_json):
    page = parse(EXAMPLE.read_bytes())
    assert_offline(page)
    assert page.field("score") == "6/24"
    for _, q in questions(newham_json):
        rows = [r for r in page.find_all("tr", data_question=q["id"]) if r.find_all(data_field="count")]
        if rows and "band" in q:
            assert_figure(rows[0], q)


# --- drafted statements and areas for improvement -------------------------------------------------------------


def test_drafted_statements_carry_the_json_figures(report, newham_json):
    from casescore.framework import load

    page, _ = report(SAMPLE)
    section = page.find_all("section", id="statements")[0]
    sentences = {li.attrs["data-question"]: " ".join(li.text().split()) for li in section.find_all("li")
                 if "data-question" in li.attrs}
    assert (sentences["2.2.2a"]
            == "Assessment identified and analysed offending-related factors in 16 of the 33 cases inspected (48%).")
    assert sentences["2.4.3b"].endswith("in seven of the 28 relevant cases (25%).")
    statements = {q.id: q.statement for _, _, q in load().question_ids().values()}
    for _, q in questions(newham_json):
        if not statements[q["id"]] or not q["relevant"]:
            assert q["id"] not in sentences  # no statement in the framework: no sentence
            continue
        sentence = sentences[q["id"]]
        assert sentence.startswith(statements[q["id"]])
        numbers = _numbers(sentence[len(statements[q["id"]]):])
        if q["yes"] in (0, q["relevant"]):
            assert numbers[0] == q["relevant"]
        else:
            assert numbers[:2] == [q["yes"], q["relevant"]]
        assert shown_matches(re.search(r"\(([\d.]+%)", sentence).group(1), q["percent"])


WORDS = {"no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9}


def _numbers(text: str) -> list[int]:
    """The counts in a drafted sentence, numbers under ten written as words."""
    found = re.findall(r"\b(\d[\d,]*|" + "|".join(WORDS) + r")\b(?!%)", text)
    return [WORDS[w] if w in WORDS else int(w.replace(",", "")) for w in found if w not in ("no", "none")]


def test_a_group_is_called_weaker_only_when_the_interval_excludes_zero(report, newham_json):
    """Oracle: statsmodels' Newcombe interval for the difference of two independent proportions."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    page, _ = report(SAMPLE, "--by", "Sentence type")
    cohort = " ".join(li.text() for li in page.find_all("ul", **{"class": "statements cohort"})[0].find_all("li"))
    from casescore.framework import load

    statements = {q.id: q.statement for _, _, q in load().question_ids().values()}
    weaker = 0
    for s, q in questions(newham_json):
        if not statements[q["id"]] or s["method"] == "judgement":
            continue
        licence = q["by"]["Sentence type"]["Licence"]
        rest = q["by"]["Sentence type"]["Community"]
        if not (licence["relevant"] and rest["relevant"]):
            continue
        low, high = confint_proportions_2indep(licence["yes"], licence["relevant"], rest["yes"], rest["relevant"],
                                               method="newcomb", compare="diff")
        said = f"weaker. {statements[q['id']]} in" in cohort
        assert said == (high < 0), (q["id"], low, high)
        assert f"stronger. {statements[q['id']]} in" not in cohort  # a two-value attribute: one side only
        weaker += said
    assert weaker >= 3  # protected characteristics, strengths, risk review: the report's resettlement findings
    assert "none of the 10 Licence cases (0%)" in cohort


def test_areas_for_improvement_rank_the_weakest_prompts_from_the_data(report, newham_json):
    page, _ = report(SAMPLE)
    items = page.find_all("ol", **{"class": "areas weakest"})[0].find_all("li")
    prompts = [(q["percent"], -q["relevant"], q["id"], q) for s, q in questions(newham_json)
               if s["method"] == "case" and "band" not in q and q["relevant"] >= 10]
    expected = [p for *_, p in sorted(prompts)[:8]]
    assert [li.attrs["data-question"] for li in items] == [p["id"] for p in expected]
    for li, p in zip(items, expected, strict=True):
        assert li.field("of") == f"{p['yes']} of {p['relevant']} relevant cases"
    assert "ranked by the figures alone" in page.find_all("section", id="areas")[0].text()


def test_widest_gaps_are_only_reliable_ones(report):
    page, _ = report(SAMPLE, "--by", "Sentence type")
    gaps = page.find_all("ol", **{"class": "areas gaps"})[0].find_all("li")
    assert gaps
    sizes = [abs(int(li.field("change").split()[0])) for li in gaps]
    assert sizes == sorted(sizes, reverse=True)
    assert all("weaker" in li.text() or "stronger" in li.text() for li in gaps)


# --- the command: outputs, --per, errors ---------------------------------------------------------------


def test_stdout_and_no_clobber(cli, tmp_path):
    r = cli("report", SAMPLE, "-o", "-")
    assert r.code == 0 and r.out.startswith("<!DOCTYPE html>")
    out = tmp_path / "r.html"
    assert cli("report", SAMPLE, "-o", out).code == 0
    again = cli("report", SAMPLE, "-o", out)
    assert again.code == 2 and "already exists" in again.err
    assert cli("report", SAMPLE, "-o", out, "--force").code == 0
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(SAMPLE.read_bytes())
    same = cli("report", copy, "-o", copy, "--force")
    assert same.code == 2 and copy.read_bytes() == SAMPLE.read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--per", "Gender", "-o", "-"], "folder"),
    (["--per", "Gender", "--by", "Sentence type", "-o", "{tmp}/x"], "--per"),
    (["--per", "Nope", "-o", "{tmp}/x"], "--per 'Nope'"),
    (["--by", "Nope", "-o", "{tmp}/x.html"], "Nope"),
    (["--compare", "{tmp}/missing.xlsx", "-o", "{tmp}/x.html"], "missing.xlsx"),
])
def test_bad_options_are_named(cli, tmp_path, args, message):
    r = cli("report", SAMPLE, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert r.code in (2, 3), r.err
    assert message in r.err
    assert len(r.err.strip().splitlines()) == 1


def _practitioner_marking(tmp_path) -> tuple[Path, list[dict]]:
    """The Newham sample as CSV with a Practitioner column (three people, one with a hostile name)."""
    from casescore import answers as codes
    from casescore import api

    m = api.rate_file(str(SAMPLE)).marking
    people = ["Ann Smith", "Bo Li", "../../etc/passwd <x>"]
    rows = []
    for i, case in enumerate(m.case_ids):
        row = {"Case ID": case, "Practitioner": people[i % 3],
               **{a: str(v[i]) for a, v in m.attributes.items()},
               **{q: codes.NAMES.get(int(c[i]), "") for q, c in m.answers.items()}}
        rows.append(row)
    path = tmp_path / "marking.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path, rows


def test_per_pages_show_each_value_its_own_cases_against_the_whole(cli, tmp_path):
    path, rows = _practitioner_marking(tmp_path)
    folder = tmp_path / "feedback"
    r = cli("report", path, "--per", "Practitioner", "-o", folder)
    assert r.code == 0, r.err
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["Ann-Smith.html", "Bo-Li.html", "etc-passwd-x.html"]
    whole = cli("rate", path, "--format", "json").json()
    for person, file in [("Ann Smith", "Ann-Smith.html"), ("../../etc/passwd <x>", "etc-passwd-x.html")]:
        page = parse((folder / file).read_bytes())
        assert_offline(page)
        mine = [row for row in rows if row["Practitioner"] == person]
        own = tmp_path / "own.csv"
        with own.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(mine)
        expected = cli("rate", own, "--format", "json").json()  # the oracle: rate on that person's cases only
        assert page.field("cases") == str(len(mine))
        for (s, q), (ws, w) in zip(questions(expected), questions(whole), strict=True):
            if s["method"] == "judgement" or not any(kq["relevant"] for kq in ws["key_questions"]):
                assert not page.find_all("tr", data_question=q["id"])  # nothing to set it against
                continue
            row = page.find_all("tr", data_question=q["id"])[0]
            assert_figure(row, q, "own-")
            assert_figure(row, w, "whole-")
        shown = {n.attrs["data-case"] for n in page.iter() if "data-case" in n.attrs}
        assert shown == {row["Case ID"] for row in mine}  # no other person's case on the page
        for row in mine:
            case = [c for c in page.find_all("div") if c.attrs.get("data-case") == row["Case ID"]][0]
            listed = {n.attrs["data-question"] for n in case.find_all("li")}
            nos = {q for q, a in row.items() if a == "No" and re.fullmatch(r"\d+\.\d+\.\d+[a-z]?", q)}
            kqs = {q for q in nos if re.fullmatch(r"\d+\.\d+\.\d+", q)} | {q[:-1] for q in nos if q[-1].isalpha()}
            assert listed == nos | kqs


def test_per_refuses_to_overwrite_and_writes_nothing_then(cli, tmp_path):
    path, _ = _practitioner_marking(tmp_path)
    folder = tmp_path / "feedback"
    folder.mkdir()
    (folder / "Bo-Li.html").write_text("keep me")
    r = cli("report", path, "--per", "Practitioner", "-o", folder)
    assert r.code == 2 and "already exists" in r.err
    assert sorted(p.name for p in folder.iterdir()) == ["Bo-Li.html"]
    assert (folder / "Bo-Li.html").read_text() == "keep me"


def test_safe_file_names():
    from casescore.cli.report import file_names

    names = file_names(["../../etc/passwd", "CON", "", "a/b", "A/B", "Zoë Ó", ".hidden", "x" * 300, "(blank)"])
    assert names == {"../../etc/passwd": "etc-passwd.html", "CON": "CON-page.html", "": "value.html",
                     "a/b": "a-b.html", "A/B": "A-B-2.html", "Zoë Ó": "Zoe-O.html", ".hidden": "hidden.html",
                     "x" * 300: "x" * 60 + ".html", "(blank)": "blank.html"}
    for name in names.values():
        assert re.fullmatch(r"[A-Za-z0-9-]+\.html", name)


def test_partial_marking_is_provisional_on_the_page(cli, tmp_path):
    from conftest import answers, marking_csv, question_headers, uniform

    headers = question_headers(standards={"2.2"})
    path = tmp_path / "partial.csv"
    path.write_text(marking_csv(uniform(headers, answers(10, 5, 1, 2))))
    out = tmp_path / "p.html"
    r = cli("report", path, "--partial", "-o", out)
    assert r.code == 0, r.err
    page = parse(out.read_bytes())
    assert "PROVISIONAL" in page.field("provisional")
    refused = cli("report", path, "-o", tmp_path / "q.html")
    assert refused.code == 1 and not (tmp_path / "q.html").exists()


def test_method_names_the_input_and_its_hash(report):
    import hashlib

    page, _ = report(SAMPLE)
    method = page.find_all("section", id="method")[0].text()
    assert hashlib.sha256(SAMPLE.read_bytes()).hexdigest() in method
    assert "probation-pdu-2021" in method and "Wilson" in method


def test_help_has_examples(cli):
    r = cli("report", "--help")
    assert r.code == 0
    text = re.sub(r"\x1b\[[0-9;]*m", "", r.out)
    examples = text.split("Examples:")[1].split("Arguments:")[0]
    assert examples.count("casescore report") == 3
    assert "--per ATTRIBUTE" in text and "--compare FILE" in text


def test_report_reads_standard_input(cli):
    r = cli("report", "-", "-o", "-", stdin=SAMPLE.read_bytes())
    assert r.code == 0, r.err
    assert parse(r.out).field("score") == "6/24"


def test_json_oracle_is_not_the_page_itself(newham_json):
    """Guard for the tests above: the oracle is the rating itself, with the published Newham figures."""
    kqs = {kq["id"]: (kq["yes"], kq["relevant"]) for s in newham_json["standards"] for kq in s["key_questions"]}
    assert kqs["2.2.3"] == (12, 33) and kqs["2.4.3"] == (9, 33)


def test_counts_are_worded_as_the_inspectorate_writes_them():
    from casescore.statements import share

    assert share(0, 10, "relevant cases") == "none of the 10 relevant cases"
    assert share(5, 5, "relevant cases") == "all five relevant cases"
    assert share(1, 1, "relevant cases") == "the one relevant case"
    assert share(7, 28, "cases where a victim was identified") == "seven of the 28 cases where a victim was identified"
    assert share(1234, 2000, "cases inspected") == "1,234 of the 2,000 cases inspected"
