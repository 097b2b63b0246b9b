"""The Newham report in a real browser, headless Chromium (Debian's `chromium` package), driven by its
command line through scripts/make_report_example.py's helpers: the page loads with no console message
and no refused load, the charts have their bars in the DOM the browser built, and "Print to PDF" gives
the expected A4 pages with no chart cut across two of them.

Skipped where Chromium is not installed (CI has none); run it locally after `apt-get install chromium`.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import ROOT, SAMPLE
from test_report import parse

_spec = importlib.util.spec_from_file_location("make_report_example", ROOT / "scripts" / "make_report_example.py")
browser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(browser)

pytestmark = pytest.mark.skipif(browser.chromium() is None,
                                reason="Chromium is not installed (Debian: apt-get install chromium); CI has none")

# Newham with --by "Sentence type", as Debian's Chromium prints it: ratings (page 1); 2.1 and 2.2 (2-3);
# 2.3 (4); 2.4 with its 17 prompts (5-6); 2.5 (7); 2.6 (8); breakdowns (9-11); areas for improvement (12);
# draft statements (13-15); method and warnings (16). Other fonts may move a page break.
EXPECTED_PAGES = 16
A4 = (595.28, 841.89)  # points


@pytest.fixture(scope="module")
def newham(tmp_path_factory):
    from casescore import api
    from casescore.render.data import result_dict
    from casescore.render.html import report

    folder = tmp_path_factory.mktemp("browser")
    rated = api.rate_file(str(SAMPLE), by=["Sentence type"])
    page = folder / "newham.html"
    page.write_bytes(report.build(rated))
    return page, json.loads(json.dumps(result_dict(rated.result)))


def test_the_harness_sees_a_refused_load(tmp_path):
    """Guard: were the page to ask for anything from elsewhere, the log would show it."""
    page = tmp_path / "control.html"
    page.write_text("<!DOCTYPE html><html lang=en><head><meta http-equiv=Content-Security-Policy "
                    "content=\"default-src 'none'\"><title>x</title></head><body>"
                    "<img src='http://127.0.0.1:9/x.png' alt=''></body></html>")
    done = browser.dump_dom(page)
    assert done.returncode == 0
    assert browser.console_messages(done.stderr), done.stderr[-2000:]


def test_loads_with_no_console_message(newham):
    page, _ = newham
    done = browser.dump_dom(page)
    assert done.returncode == 0, done.stderr[-2000:]
    assert browser.console_messages(done.stderr) == []


def test_rendered_charts_have_a_bar_per_key_question(newham):
    page, expected = newham
    dom = parse(browser.dump_dom(page).stdout)
    for s in expected["standards"]:
        relevant = [kq["id"] for kq in s["key_questions"] if kq["relevant"]]
        charts = dom.find_all("svg", id=f"chart-{s['id'].replace('.', '-')}")
        assert len(charts) == (1 if relevant else 0)
        if relevant:
            bars = [r.parent.attrs["data-question"] for r in charts[0].find_all("rect")
                    if "bar" in r.attrs.get("class", "").split()]
            assert bars == relevant
    by = dom.find_all("svg", data_kind="dots")
    assert len(by) == 5  # one per standard with relevant cases, by Sentence type
    for svg in by:
        assert len(svg.find_all("circle")) == len(svg.find_all("rect"))  # Community circles, Licence squares


def test_prints_to_a4_with_no_chart_cut(newham, tmp_path):
    pypdf = pytest.importorskip("pypdf", reason="pypdf is a test dependency: pip install -e '.[test]'")
    page, _ = newham
    pdf = tmp_path / "newham.pdf"
    done = browser.print_pdf(page, pdf)
    assert done.returncode == 0 and pdf.exists(), done.stderr[-2000:]
    reader = pypdf.PdfReader(str(pdf))
    for p in reader.pages:
        assert abs(float(p.mediabox.width) - A4[0]) < 1 and abs(float(p.mediabox.height) - A4[1]) < 1
    parts = sum("part" in n.attrs.get("class", "").split() for n in parse(page.read_bytes()).iter())
    assert len(reader.pages) >= parts + 1  # every part starts a page
    assert len(reader.pages) == EXPECTED_PAGES
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {len(texts)}" in text  # numbered, for the printed copy people circulate
    for label in ("64% · Requires improvement", "52% · Requires improvement", "42% · Inadequate",
                  "48% · Inadequate"):
        first = [i for i, t in enumerate(texts) if label in t]
        assert first, label
    # A chart's first and last labels print on the same page: figures are never split.
    for first, last in [("64% · Requires improvement", "36% · Inadequate · lowest"),
                        ("42% · Inadequate", "27% · Inadequate · lowest")]:
        pages = {i for i, t in enumerate(texts) if first in t} & {i for i, t in enumerate(texts) if last in t}
        assert pages, (first, last)


def test_screenshot_is_made(newham, tmp_path):
    page, _ = newham
    png = tmp_path / "shot.png"
    done = browser.screenshot(page, png, 1100, 1400)
    assert done.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
