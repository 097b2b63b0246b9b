"""The report page's data, built from the same Result that `casescore rate --format json` prints
(through render.data's labels), then rendered by the Jinja2 templates beside this module.

Everything a template shows is computed here; the templates only lay it out. Text from the marking
(case ids, attribute values, the inspection's name) is escaped by Jinja's autoescape, in the SVG
as in the HTML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from casescore import __version__, answers, statements
from casescore.compare import Change, Comparison
from casescore.framework import Framework
from casescore.render import data
from casescore.render.html import charts
from casescore.scoring import QuestionResult, Result, StandardResult, Tally, small

# Band colours after the inspectorate's (Outstanding dark green, Good green, Requires improvement
# amber, Inadequate red), by a rating's place in the framework, each with the text colour that
# gives WCAG AA contrast on it (tests check the ratios). The rating's words are always printed.
RATING_COLOURS = {
    "r0": ("#1d6b35", "#ffffff"),
    "r1": ("#93cf6e", "#1b1b1b"),
    "r2": ("#f4b223", "#1b1b1b"),
    "r3": ("#b8262b", "#ffffff"),
    "rn": ("#e6e6e6", "#1b1b1b"),  # not applicable, not assessed, not rated
}
INK = "#1b1b1b"
MUTED = "#555555"
SMALL_KEY = "* rests on fewer than {n} relevant cases: read it with care"


def rating_class(framework: Framework, rating: str | None) -> str:
    names = [r.name for r in framework.ratings]
    if rating in names and names.index(rating) < 4:
        return f"r{names.index(rating)}"
    return "rn"


def _anchor(*parts: str) -> str:
    """An element id from fixed words and standard ids only (never marking text, which may hold spaces
    that would break aria-labelledby's list of ids)."""
    return "-".join(p.replace(".", "-") for p in parts)


@dataclass(frozen=True)
class Fig:
    """A tally as the page prints it; the numbers are the JSON's."""

    yes: int
    no: int
    na: int
    relevant: int
    percent: str  # "64%", "64.5%†", "20%*", "-"
    interval: str  # "47–78%", or "" with no relevant case
    small: bool
    value: float | None
    ci: tuple[float, float] | None

    @property
    def count(self) -> str:
        return f"{self.yes}/{self.relevant}"


@dataclass(frozen=True)
class Style:
    """How this page prints figures: the framework's bands decide decimals, min_n the * mark."""

    framework: Framework
    confidence: float
    min_n: int

    def percent(self, t: Tally, mark_small: bool = True) -> str:
        text = data.percent_label(t, self.min_n if mark_small else 0, self.framework)
        return text + (data.DECIMAL_MARK if data.shows_decimal(t, self.framework) else "")

    def fig(self, t: Tally) -> Fig:
        ci = t.interval(self.confidence)
        interval = "" if ci is None else f"{ci[0]:.0f}\u2013{ci[1]:.0f}%"
        return Fig(t.yes, t.no, t.na, t.relevant, self.percent(t), interval, small(t, self.min_n), t.percent, ci)

    @property
    def level(self) -> str:
        return f"{self.confidence:.0%}"

    @classmethod
    def of(cls, result: Result) -> Style:
        return cls(result.framework, result.confidence, result.min_n)


@dataclass
class Row:
    """A key question or prompt with its figure."""

    id: str
    text: str
    kind: str
    fig: Fig
    band: str | None = None
    band_class: str = "rn"
    deciding: bool = False
    evidence: str = ""


@dataclass
class StandardView:
    id: str
    name: str
    domain: str
    method: str
    scored: bool
    rating: str | None
    rating_class: str
    points: int | None
    basis: str
    anchor: str
    uncertain: bool = False
    plausible: list[str] = field(default_factory=list)
    key_questions: list[Row] = field(default_factory=list)
    prompts: list[Row] = field(default_factory=list)  # weakest first
    chart: charts.Chart | None = None


# --- the rating and the standards -------------------------------------------------------


def _row(style: Style, s: StandardResult, q: QuestionResult) -> Row:
    return Row(q.question.id, q.question.text, q.kind, style.fig(q.tally), q.band,
               rating_class(style.framework, q.band), q.question.id in s.deciding, q.question.evidence)


def _basis(style: Style, s: StandardResult) -> str:
    """Why the standard has its rating: its lowest key question(s) with the figure, or the basis."""
    if not s.deciding:
        return s.basis
    by_id = {q.question.id: q.tally for q in s.key_questions}
    return "lowest key question " + ", ".join(
        f"{d} {style.percent(by_id[d], mark_small=False)} ({by_id[d].yes}/{by_id[d].relevant})" for d in s.deciding)


def standard_view(style: Style, s: StandardResult) -> StandardView:
    view = StandardView(s.standard.id, s.standard.name, s.standard.domain, s.standard.method, s.standard.scored,
                        s.rating, rating_class(style.framework, s.rating), s.points, _basis(style, s),
                        _anchor("std", s.standard.id), s.uncertain, list(s.plausible))
    view.key_questions = [_row(style, s, kq) for kq in s.key_questions]
    prompts = [_row(style, s, p) for kq in s.key_questions for p in kq.prompts]
    view.prompts = sorted(prompts, key=lambda r: (r.fig.value is None, r.fig.value or 0, -r.fig.relevant, r.id))
    if any(r.fig.relevant for r in view.key_questions):
        view.chart = _standard_chart(style, s, view)
    return view


def _thresholds(framework: Framework) -> list[tuple[str, float]]:
    return [(name, float(minimum)) for name, minimum in framework.bands if minimum > 0]


def _standard_chart(style: Style, s: StandardResult, view: StandardView) -> charts.Chart:
    rated = s.standard.method == "case"
    items = []
    for r in view.key_questions:
        words = [r.fig.percent] + ([r.band] if rated and r.band else []) + (["lowest"] if r.deciding else [])
        items.append(charts.BarItem(r.id, r.text, r.fig.value, r.fig.ci, r.band_class if rated else "rn",
                                    " \u00b7 ".join(w for w in words if w), r.deciding))
    figures = "; ".join(f"{r.id}: {r.fig.percent} ({r.fig.count}, {style.level} interval {r.fig.interval})"
                        + (f", {r.band}" if rated and r.band else "") for r in view.key_questions if r.fig.relevant)
    lowest = f" The lowest, which decides the rating: {', '.join(s.deciding)}." if s.deciding else ""
    bands = ", ".join(f"{p:g}% ({name})" for name, p in _thresholds(style.framework))
    description = (f"Bar chart of the key questions of {s.standard.id} {s.standard.name}, percentage judged "
                   f"sufficient with its {style.level} interval: {figures}.{lowest} Band lines at {bands}. "
                   "The table below gives the same figures.")
    return charts.bar_chart(_anchor("chart", s.standard.id), items, _thresholds(style.framework),
                            f"{s.standard.id} {s.standard.name}: key questions", description)


def ratings_panel(standards: list[StandardView]) -> list[tuple[str, list[StandardView]]]:
    """Standards grouped by domain, in framework order, as a report's ratings page shows them."""
    groups: list[tuple[str, list[StandardView]]] = []
    for s in standards:
        if not groups or groups[-1][0] != s.domain:
            groups.append((s.domain, []))
        groups[-1][1].append(s)
    return groups


# --- breakdowns ----------------------------------------------------------------------------


@dataclass
class BreakdownBlock:
    standard: StandardView
    chart: charts.Chart | None
    rows: list[tuple[Row, list[tuple[str, Fig]]]]  # key question, then each group's figure


def breakdowns(style: Style, result: Result, views: dict[str, StandardView]) -> list[tuple[str, list[BreakdownBlock]]]:
    """Per --by attribute, per standard rated from cases, each key question's figure per group."""
    attributes = list(next((q.by for q in result.questions() if q.by), {}))
    out = []
    for n, attribute in enumerate(attributes, start=1):
        blocks = []
        for s in result.standards:
            if s.standard.method == "judgement" or not s.key_questions:
                continue
            rows = [(_row(style, s, kq), [(g, style.fig(t)) for g, t in kq.by.get(attribute, {}).items()])
                    for kq in s.key_questions]
            if any(f.relevant for _, figs in rows for _, f in figs):
                title = f"{s.standard.id} {s.standard.name} by {attribute}"
                chart = _group_chart(style, _anchor(f"by{n}", s.standard.id), title, rows)
                blocks.append(BreakdownBlock(views[s.standard.id], chart, rows))
        out.append((attribute, blocks))
    return out


def _group_chart(style: Style, chart_id: str, title: str, rows: list[tuple[Row, list[tuple[str, Fig]]]]) \
        -> charts.Chart:
    groups = list(dict.fromkeys(g for _, figs in rows for g, _ in figs))
    chart_rows = [(r.id, r.text, [charts.DotItem(g, f.value, f.ci, f"{g}: {f.count} {f.percent}", f.small)
                                  for g, f in figs]) for r, figs in rows]
    figures = "; ".join(f"{r.id} " + ", ".join(f"{g} {f.percent} ({f.count}, interval {f.interval})"
                                              for g, f in figs if f.relevant) for r, figs in rows)
    description = (f"Dot chart, {title}: each group's percentage with its {style.level} interval; hollow markers "
                   f"rest on fewer than {style.min_n} relevant cases. {figures}. The table below gives the same "
                   "figures.")
    return charts.dot_chart(chart_id, chart_rows, _thresholds(style.framework), title, description, groups)


# --- areas for improvement and drafted statements ---------------------------------------


@dataclass
class GapView:
    id: str
    text: str
    attribute: str
    value: str
    group: Fig
    rest: Fig
    change: str
    interval: str
    direction: str


def areas(style: Style, result: Result, found: list[statements.Gap]) -> dict:
    weakest = [(s.standard.id, _row(style, s, q)) for s, q in statements.weakest(result)]
    gaps = [GapView(g.question.question.id, g.question.question.text, g.attribute, g.value, style.fig(g.group),
                    style.fig(g.rest), _points(g.change), _change_interval(g.change), g.direction or "")
            for g in statements.widest([g for g in found if g.standard.standard.method in statements.RATED])]
    return {"weakest": weakest, "gaps": gaps}


def _points(c: Change) -> str:
    """'+20 pp', as `compare` prints a change."""
    from casescore.render.compare import change_label

    return change_label(c)


def _change_interval(c: Change) -> str:
    """'+1 to +45', as `compare` prints its interval."""
    from casescore.render.compare import interval_label

    return interval_label(c)


def drafted(style: Style, result: Result, found: list[statements.Gap]) -> dict:
    def percent(t: Tally) -> str:
        return style.percent(t, mark_small=False)

    by_standard: dict[str, list[statements.Draft]] = {}
    for d in statements.draft(result, percent):
        by_standard.setdefault(d.standard, []).append(d)
    names = {s.standard.id: f"{s.standard.id} {s.standard.name}" for s in result.standards}
    return {"whole": [(names[k], v) for k, v in by_standard.items()],
            "cohorts": statements.cohorts(result, percent, found)}


# --- comparison ------------------------------------------------------------------------------


@dataclass
class ChangeRow:
    id: str
    text: str
    kind: str
    before: Fig
    after: Fig
    change: str
    interval: str
    significant: bool
    groups: list[tuple[str, str, Fig, Fig, str, str, bool]] = field(default_factory=list)


def comparison(cmp: Comparison, sides: tuple[dict, dict]) -> dict:
    """The `compare` command's figures: ratings before and after, and every question's change."""
    before, after = Style.of(cmp.before), Style.of(cmp.after)
    rows = [_change_row(before, after, qc.question.question.id, qc.question.question.text, qc.question.kind,
                        qc.change, qc.by) for qc in cmp.questions]
    earlier = {s.standard.id: s.rating for s in cmp.before.standards}
    ratings = [(s.standard.id, s.standard.name, earlier.get(s.standard.id),
                rating_class(cmp.before.framework, earlier.get(s.standard.id)),
                s.rating, rating_class(cmp.after.framework, s.rating)) for s in cmp.after.standards]
    kq_rows = [r for r in rows if r.kind == "key question"]
    return {
        "sides": sides, "ratings": ratings, "key_questions": kq_rows,
        "prompts": [r for r in rows if r.kind == "prompt" and r.significant],
        "score": (data.score_label(cmp.before), data.score_label(cmp.after)),
        "overall": [(r.overall_rating, rating_class(r.framework, r.overall_rating)) for r in (cmp.before, cmp.after)],
        "charts": _change_charts(after, cmp, kq_rows), "only_before": cmp.only_before, "only_after": cmp.only_after,
        "attributes": list(dict.fromkeys(a for r in kq_rows for a, *_ in r.groups)),
        "level": after.level,
    }


def _change_row(before: Style, after: Style, qid: str, text: str, kind: str, change: Change,
                by: dict[str, dict[str, Change]]) -> ChangeRow:
    groups = [(a, v, before.fig(c.before), after.fig(c.after), _points(c), _change_interval(c), c.significant)
              for a, values in by.items() for v, c in values.items()]
    return ChangeRow(qid, text, kind, before.fig(change.before), after.fig(change.after), _points(change),
                     _change_interval(change), change.significant, groups)


def _change_charts(style: Style, cmp: Comparison, rows: list[ChangeRow]) -> list[charts.Chart]:
    out = []
    for s in cmp.after.standards:
        mine = [r for r in rows if r.id.rsplit(".", 1)[0] == s.standard.id]
        pairs = [(Row(r.id, r.text, r.kind, r.after), [("Before", r.before), ("After", r.after)]) for r in mine]
        if any(f.relevant for _, figs in pairs for _, f in figs):
            out.append(_group_chart(style, _anchor("cmp", s.standard.id),
                                    f"{s.standard.id} {s.standard.name}: before and after", pairs))
    return out


# --- method, notes, the whole page -------------------------------------------------------------


def method_rows(result: Result, sources: list[tuple[str, str, str]], made_at: dt.datetime) -> list[tuple[str, str]]:
    """How the figures were made, as the data workbook's Method sheet gives it; sources are
    (role, file name, SHA-256)."""
    fw = result.framework
    rows = [
        ("Framework", f"{fw.label}: {fw.title}"), ("Provenance", " ".join(fw.provenance.split())),
        ("Percentage", "Yes / (Yes + No): N/A and unmarked answers are not in the denominator"),
        ("Key-question bands", "; ".join(f"{name}: {float(m):g}% or more" for name, m in fw.bands)),
        ("Bands source", fw.bands_source),
        ("Standard rating", "A case-rated standard takes the band of its lowest key question"),
        ("Rounding before banding", f"{fw.rounding} ({fw.rounding_source})"),
        ("Intervals", f"Wilson score intervals at {result.confidence:.0%} confidence; a rating is uncertain when "
                      "the interval of its deciding key question reaches another band. Changes and group "
                      "differences: Newcombe's hybrid score interval"),
        ("Points", "; ".join(f"{r.name} {r.points}" for r in fw.ratings)),
        ("Overall rating", "; ".join(f"{name}: up to {share} of the maximum" for name, share in fw.overall)
         + f" ({fw.overall_source})"),
    ]
    for role, name, sha in sources:
        rows += [(f"{role} file", name), (f"{role} SHA-256", sha)]
    rows += [("casescore version", __version__), ("Made at (UTC)", made_at.strftime("%Y-%m-%d %H:%M:%S"))]
    return [(k, v) for k, v in rows if v]


def notes(style: Style) -> list[str]:
    return [SMALL_KEY.format(n=style.min_n), data.DECIMAL_KEY]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def report_page(rated, before=None, cmp: Comparison | None = None, made_at: dt.datetime | None = None,
                notice: tuple[str, ...] = ()) -> dict:
    """Everything the report template shows. `before` is the earlier Rated of a comparison."""
    result, marking = rated.result, rated.marking
    style = Style.of(result)
    views = [standard_view(style, s) for s in result.standards]
    found = statements.gaps(result)
    sources = [("Input", marking.source, marking.sha256)]
    page = {
        "title": marking.title, "framework": result.framework, "result": result, "style": style,
        "score": data.score_label(result), "overall_class": rating_class(result.framework, result.overall_rating),
        "domains": ratings_panel(views), "standards": [v for v in views if v.method != "judgement"],
        "breakdowns": breakdowns(style, result, {v.id: v for v in views}),
        "areas": areas(style, result, found), "drafts": drafted(style, result, found),
        "comparison": None, "notes": notes(style), "warnings": [*notice, *result.warnings],
    }
    if cmp is not None and before is not None:
        from casescore.render.compare import comparison_warnings

        sides = ({"title": before.marking.title, "source": before.marking.source, "cases": cmp.before.cases},
                 {"title": marking.title, "source": marking.source, "cases": result.cases})
        page["comparison"] = comparison(cmp, sides)
        sources.insert(0, ("Before (compared)", before.marking.source, before.marking.sha256))
        page["warnings"] = [*notice, *comparison_warnings(cmp)]
    page["method"] = method_rows(result, sources, made_at or now())
    return page


# --- one page per attribute value (--per) -------------------------------------------------


@dataclass
class CaseNos:
    """One case's No answers, by key question: (key question id, its text, its answer, [prompts answered No])."""

    id: str
    attributes: list[tuple[str, str]]
    items: list[tuple[str, str, str, list[tuple[str, str]]]]


def case_nos(rated, mask: np.ndarray, skip: str) -> list[CaseNos]:
    """Every case in mask, with each key question where it, or a prompt under it, was answered No."""
    marking, out = rated.marking, []
    for i in np.flatnonzero(mask):
        items = []
        for s in rated.result.standards:
            for kq in s.key_questions:
                code = int(marking.answers[kq.question.id][i])
                prompts = [(p.question.id, p.question.text) for p in kq.prompts
                           if marking.answers[p.question.id][i] == answers.NO]
                if code == answers.NO or prompts:
                    items.append((kq.question.id, kq.question.text, answers.NAMES.get(code, "not marked"), prompts))
        attrs = [(a, str(v[i])) for a, v in marking.attributes.items() if a != skip and str(v[i])]
        out.append(CaseNos(marking.case_ids[i], attrs, items))
    return sorted(out, key=lambda c: c.id)


def person_page(rated, part, made_at: dt.datetime | None = None) -> dict:
    """One attribute value's page (part: api.Part): its cases' figures against the whole sample, and
    each case's No answers. Nothing on it comes from another value's cases but the whole sample's totals."""
    whole, mine = rated.result, part.result
    style = Style.of(whole)
    sections = []
    for s, own in zip(whole.standards, mine.standards, strict=True):
        if s.standard.method == "judgement" or not any(kq.tally.relevant for kq in s.key_questions):
            continue  # nothing to set anyone's cases against
        rows = [(_row(style, own, q), [(part.value, style.fig(q.tally)), ("Whole sample", style.fig(w.tally))])
                for kq, wkq in zip(own.key_questions, s.key_questions, strict=True)
                for q, w in zip([kq, *kq.prompts], [wkq, *wkq.prompts], strict=True)]
        kq_rows = [r for r in rows if r[0].kind == "key question"]
        title = f"{s.standard.id} {s.standard.name}: {part.value} against the whole sample"
        chart = _group_chart(style, _anchor("per", s.standard.id), title, kq_rows) \
            if any(f.relevant for _, figs in kq_rows for _, f in figs) else None
        sections.append((standard_view(style, s), chart, rows))
    mask = np.zeros(rated.marking.cases, dtype=bool)
    mask[part.cases] = True
    sources = [("Input", rated.marking.source, rated.marking.sha256)]
    return {"title": rated.marking.title, "attribute": part.attribute, "value": part.value, "cases": mine.cases,
            "whole_cases": whole.cases, "framework": whole.framework, "style": style, "sections": sections,
            "case_nos": case_nos(rated, mask, part.attribute), "notes": notes(style), "warnings": _own_warnings(mine),
            "provisional": mine.provisional, "method": method_rows(whole, sources, made_at or now())}


def _own_warnings(mine: Result) -> list[str]:
    """A value's page shows no ratings, so a missing judgement rating is no concern of it."""
    return [w for w in mine.warnings if not (mine.missing_judgements and w.startswith("no rating given"))]


# --- rendering ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("casescore.render.html", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(colours=RATING_COLOURS, ink=INK, muted=MUTED, version=__version__)
    return env


def render(template: str, page: dict) -> bytes:
    return environment().get_template(template).render(**page).encode("utf-8")


def build(rated, before=None, cmp: Comparison | None = None, made_at: dt.datetime | None = None,
          notice: tuple[str, ...] = ()) -> bytes:
    """The report's bytes (UTF-8 HTML), for safe_write to put on disk or stdout."""
    return render("report.html.j2", report_page(rated, before, cmp, made_at, notice))


def build_person(rated, part, made_at: dt.datetime | None = None) -> bytes:
    """One value's page (part: api.Part) as UTF-8 HTML."""
    return render("person.html.j2", person_page(rated, part, made_at))
