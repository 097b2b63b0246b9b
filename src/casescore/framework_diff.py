"""Frameworks people make their own: what differs between two, what one holds, and a copy to edit.

Pure functions over loaded Frameworks. `diff` shows what an edited copy changed from its built-in
(`casescore frameworks diff`); `summary` describes a file that passed validation (`frameworks
check`); `copy_text` is a framework file under a new id (`frameworks new`). Standards and
questions are matched by id; a question whose text is under another id is said to have moved,
since the same ids mean different questions in different frameworks.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from fractions import Fraction

from casescore import question_text
from casescore.errors import FrameworkInvalid
from casescore.framework import Framework, Question, Standard

# A top-level `key = "value"` line (basic or literal string on one line), before the first table.
_TOP_LEVEL = r"(?m)^(\s*{key}\s*=\s*)(\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*')(?=[ \t]*(?:#.*)?$)"
_FIRST_TABLE = re.compile(r"(?m)^\s*\[")


@dataclass(frozen=True)
class Change:
    part: str  # framework | rating | bands | rounding | overall | standard | question | attribute
    id: str  # what changed: a standard or question id, a rating's name; "" for the framework itself
    change: str  # added | removed | changed
    field: str = ""  # for a change: which field (text, name, points, minimum_percent ...)
    before: str | None = None
    after: str | None = None
    note: str = ""  # e.g. where a question's text is now


def max_score(framework: Framework) -> int:
    return framework.max_points * sum(s.scored for s in framework.standards)


def summary(framework: Framework) -> dict:
    """What a framework holds, in numbers: for a check that passed, and for the diff's header."""
    methods = [s.method for s in framework.standards]
    kqs = [kq for s in framework.standards for kq in s.key_questions]
    return {
        "id": framework.id, "title": framework.title, "path": str(framework.source_path),
        "standards": len(framework.standards),
        "by_method": {m: methods.count(m) for m in ("judgement", "case", "unrated") if m in methods},
        "scored": sum(s.scored for s in framework.standards),
        "key_questions": len(kqs), "prompts": sum(len(kq.prompts) for kq in kqs),
        "bands": {name: _number(minimum) for name, minimum in framework.bands},
        "rounding": framework.rounding,
        "points": {r.name: r.points for r in framework.ratings},
        "overall": {name: str(share) for name, share in framework.overall},
        "max_score": max_score(framework),
        "warning": framework.warning or None,
    }


def diff(a: Framework, b: Framework) -> list[Change]:
    """Every difference from a to b that changes a rating or what is asked, in reading order."""
    return [*_framework(a, b), *_ratings(a, b), *_rules(a, b), *_standards(a, b), *_attributes(a, b)]


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _field(part: str, id_: str, field: str, before, after, note: str = "") -> list[Change]:
    if before == after:
        return []
    return [Change(part, id_, "changed", field, _text(before), _text(after), note)]


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        return str(_number(value)) if value.denominator == 1 else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def _framework(a: Framework, b: Framework) -> list[Change]:
    return [*_field("framework", "", "id", a.id, b.id), *_field("framework", "", "title", a.title, b.title),
            *_field("framework", "", "max_score", max_score(a), max_score(b)),
            *_field("framework", "", "warning", a.warning or None, b.warning or None)]


def _ratings(a: Framework, b: Framework) -> list[Change]:
    before, after = {r.name: r for r in a.ratings}, {r.name: r for r in b.ratings}
    out = [Change("rating", n, "removed", before=str(before[n].points)) for n in before if n not in after]
    out += [Change("rating", n, "added", after=str(after[n].points)) for n in after if n not in before]
    for name in (n for n in after if n in before):
        out += _field("rating", name, "points", before[name].points, after[name].points)
        out += _field("rating", name, "aliases", before[name].aliases, after[name].aliases)
    return out


def _rules(a: Framework, b: Framework) -> list[Change]:
    """Bands, rounding and the overall rule, rating by rating."""
    out: list[Change] = []
    for part, field, x, y in (("bands", "minimum_percent", dict(a.bands), dict(b.bands)),
                              ("overall", "maximum_share", dict(a.overall), dict(b.overall))):
        for name in [*x, *(n for n in y if n not in x)]:
            out += _field(part, name, field, x.get(name), y.get(name))
    out += _field("rounding", "", "before_banding", a.rounding, b.rounding)
    sources = (("bands", a.bands_source, b.bands_source), ("rounding", a.rounding_source, b.rounding_source),
               ("overall", a.overall_source, b.overall_source))
    for part, source_a, source_b in sources:
        out += _field(part, "", "source", source_a, source_b)
    return out


def _standards(a: Framework, b: Framework) -> list[Change]:
    before, after = {s.id: s for s in a.standards}, {s.id: s for s in b.standards}
    b_texts = question_text.texts(b)
    out: list[Change] = []
    for sid in _ids(before, after):
        if sid not in after:
            out.append(Change("standard", sid, "removed", before=before[sid].name))
        elif sid not in before:
            out.append(Change("standard", sid, "added", after=after[sid].name))
        else:
            x, y = before[sid], after[sid]
            for field in ("name", "domain", "method", "scored", "source"):
                out += _field("standard", sid, field, getattr(x, field), getattr(y, field))
        out += _questions(before.get(sid), after.get(sid), b_texts)
    return out


def _questions(x: Standard | None, y: Standard | None, b_texts: dict[str, str]) -> list[Change]:
    before, after = _question_index(x), _question_index(y)
    out: list[Change] = []
    for qid in _ids(before, after):
        if qid not in after:
            out.append(Change("question", qid, "removed", before=before[qid].text, note=_moved(before[qid], b_texts)))
        elif qid not in before:
            out.append(Change("question", qid, "added", after=after[qid].text))
        else:
            p, q = before[qid], after[qid]
            out += _field("question", qid, "text", p.text, q.text, _moved(p, b_texts) if p.text != q.text else "")
            out += _field("question", qid, "evidence", p.evidence, q.evidence)
            out += _field("question", qid, "statement", p.statement or None, q.statement or None)
    return out


def _question_index(std: Standard | None) -> dict[str, Question]:
    out: dict[str, Question] = {}
    for kq in std.key_questions if std else ():
        out[kq.id] = kq
        out.update((p.id, p) for p in kq.prompts)
    return out


def _moved(question: Question, b_texts: dict[str, str]) -> str:
    """Where b (its normalised texts) asks what this question asked, when it is under another id there."""
    written = question_text.normalise(question.text)
    ids = [i for i, text in b_texts.items() if i != question.id and text == written]
    return f"text is now {', '.join(ids)}" if ids else ""


def _attributes(a: Framework, b: Framework) -> list[Change]:
    before, after = {x.name: x for x in a.attributes}, {x.name: x for x in b.attributes}
    out = [Change("attribute", n, "removed") for n in before if n not in after]
    out += [Change("attribute", n, "added", after=_text(after[n].values)) for n in after if n not in before]
    for name in (n for n in after if n in before):
        out += _field("attribute", name, "values", before[name].values, after[name].values)
    return out


def _ids(before: dict, after: dict) -> list[str]:
    """The ids of both sides, in numbering order."""
    return sorted({*before, *after}, key=_id_key)


def _id_key(qid: str) -> tuple:
    """2.2.1 before 2.2.1a before 2.2.2 before 2.10."""
    number = qid.rstrip("abcdefghijklmnopqrstuvwxyz")
    return (*(int(p) for p in number.split(".") if p.isdigit()), qid[len(number):])



def copy_text(original: Framework, new_id: str, title: str) -> str:
    """The framework file of original under a new id and title, with a first line saying where it came from.

    Only those two lines change (comments, order and wording stay as written), so that `diff`
    against the original shows exactly what the user edits afterwards."""
    text = original.source_text
    cut = m.start() if (m := _FIRST_TABLE.search(text)) else len(text)
    head, rest = text[:cut], text[cut:]
    for key, value in (("id", new_id), ("title", title)):
        line = re.compile(_TOP_LEVEL.format(key=key))
        found = line.search(head)
        head = head[:found.start(2)] + json.dumps(value) + head[found.end(2):] if found else head
        if not found:
            raise FrameworkInvalid(f"{original.source_path}: {key}: not written as one line `{key} = \"...\"` "
                                   "before the first table, so the copy cannot set it; copy the file and edit it")
    origin = f"# Copied from {original.id} with `casescore frameworks new`: `casescore frameworks diff " \
             f"{original.id} THIS-FILE` shows what you change.\n"
    copied = origin + head + rest
    try:
        data = tomllib.loads(copied)
    except tomllib.TOMLDecodeError:  # a line the pattern misread: refuse rather than write a broken file
        data = {}
    if (data.get("id"), data.get("title")) != (new_id, title):  # e.g. a second `id =` the pattern did not see
        raise FrameworkInvalid(f"{original.source_path}: id: the copy did not read back with the new id and title; "
                               "copy the file and edit it")
    return copied
