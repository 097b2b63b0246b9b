"""Does the question text in a column header belong to the question its id names?

The same ids mean different questions in different frameworks (2.2.1 asks about assessment in
probation-pdu-2021 and about planning in probation-pdu-2023), so a header such as `2.2.1 Does
assessment focus...` read against the wrong framework would be counted under the wrong standard.
Where a header carries text, it is compared with the framework's text for its id.

The comparison forgives what people do to headers: case, punctuation, spacing, a question cut
short (`Does assessment focus...`) or with a note added after it. Text that is no question
casescore knows (a team's own label, the official wording in place of ours) is never a problem:
only text that is recognisably *another* question is, since that is the mark of a wrong framework
or a misnumbered column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from casescore import headers
from casescore.framework import Framework
from casescore.reader import visible_text

# A cut-short text is compared only when it has this many words: 'Does' or 'Are' alone would start
# half the questions of a framework.
MIN_WORDS = 3
_NOT_WORD = re.compile(r"[\W_]+")
_LEAD = re.compile(r"^[\s:;,.)\]\-–—_/|]+")  # what separates an id from its text: `2.2.1: `, `2.2.1 - `
_ELLIPSIS = re.compile(r"(?:\.{2,}|…)\s*$")


def header_text(header: str) -> str:
    """The text after the question id in a header ('2.2.1 - Does...' -> 'Does...'); '' when there is none."""
    text = visible_text(header)
    m = headers.QUESTION.match(text)
    return _LEAD.sub("", text[m.end():]).strip() if m else ""


def normalise(text: str) -> str:
    """Lower case, words only: 'Does assessment focus...?' -> 'does assessment focus'."""
    return " ".join(_NOT_WORD.sub(" ", _ELLIPSIS.sub("", text).lower()).split())


def fits(written: str, text: str) -> bool:
    """Whether written (normalised) is this text (normalised): the same, cut short, or with more after it."""
    if written == text:
        return True
    if written.count(" ") + 1 < MIN_WORDS:
        return False
    return text.startswith(written) or written.startswith(text + " ")


def texts(framework: Framework) -> dict[str, str]:
    """Every question id of framework -> its text, normalised."""
    return {qid: normalise(q.text) for qid, (_, _, q) in framework.question_ids().items()}


def where_found(written: str, index: dict[str, str]) -> list[str]:
    """The ids whose text (an index from texts()) the written (normalised) text fits."""
    return [qid for qid, text in index.items() if fits(written, text)]


def mismatches(header: list[str], questions: dict[str, int], framework: Framework,
               others: Callable[[], Iterable[Framework]] | None = None) -> list[tuple[int, str, str]]:
    """(column, message, what would be right) for every question column whose text is another question's.

    questions maps question id -> column; others gives the frameworks to look in when the text is
    not this framework's (by default the other built-ins, loaded only when needed)."""
    indexes = {framework.id: texts(framework)}
    own, loaded = indexes[framework.id], False
    out = []
    for qid, j in questions.items():
        written = normalise(header_text(header[j]))
        if not written or fits(written, own[qid]):
            continue
        if not loaded:  # the other frameworks, loaded at the first mismatch and only then
            indexes.update((f.id, texts(f)) for f in (others or _other_builtins)() if f.id != framework.id)
            loaded = True
        # Looked for in the other frameworks too: the same id there says which framework the marking is for.
        found = {fid: ids for fid, index in indexes.items() if (ids := _same_kind(qid, where_found(written, index)))}
        if found:
            out.append((j, _message(qid, header_text(header[j]), found), _fix(qid, framework, found)))
    return out


def _other_builtins() -> list[Framework]:
    from casescore.framework import builtin_ids, load

    return [load(fid) for fid in builtin_ids()]


def _message(qid: str, text: str, found: dict[str, list[str]]) -> str:
    where = "; ".join(f"{_ids(ids)} in {fid}" for fid, ids in found.items())
    return f'{qid} "{_short(text)}" is {where}'


def _fix(qid: str, framework: Framework, found: dict[str, list[str]]) -> str:
    """What would be right. One column cannot tell a marking made for another framework from a
    misnumbered column, so both are offered when another framework asks this text under this id."""
    own = f"number the column for its text, or give it the text of {qid} in {framework.id}"
    made_for = [fid for fid, ids in found.items() if fid != framework.id and qid in ids]
    if made_for:
        return f"if the marking was made for {made_for[0]}, read it with that framework; otherwise {own}"
    return own


def _same_kind(qid: str, ids: list[str]) -> list[str]:
    """A key question's column is most likely another key question, a prompt's another prompt: those, if any."""
    prompt = qid[-1].isalpha()
    return [i for i in ids if i[-1].isalpha() == prompt] or ids


def _ids(ids: list[str]) -> str:
    if len(ids) > 3:
        return f"{', '.join(ids[:3])} or {len(ids) - 3} more"
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " or " + ids[-1]


def _short(text: str, words: int = 6) -> str:
    """The first words of a text, enough to recognise it in a message."""
    parts = _ELLIPSIS.sub("", text).split()
    return " ".join(parts[:words]) + ("..." if len(parts) > words or _ELLIPSIS.search(text) else "")
