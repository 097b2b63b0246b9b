"""Judgement ratings given as STANDARD=RATING (e.g. on the command line), merged over the Ratings sheet."""

from __future__ import annotations

from casescore.errors import BadValue
from casescore.framework import Framework

ABOUT = "judgement rating"


def merge(framework: Framework, from_sheet: dict[str, str], options: list[str]) -> dict[str, str]:
    """The Ratings sheet's ratings, with every rating given as STANDARD=RATING winning over it."""
    out = dict(from_sheet)
    for option in options:
        sid, sep, text = option.partition("=")
        sid, text = sid.strip(), text.strip()
        standard = framework.standard(sid)
        if not sep or not sid or not text:
            raise BadValue(ABOUT, f"'{option}': write it as STANDARD=RATING, e.g. 1.1=good")
        if standard is None or standard.method != "judgement":
            judged = ", ".join(s.id for s in framework.standards if s.method == "judgement")
            what = "is rated from the cases" if standard else f"is not a standard of {framework.id}"
            raise BadValue(ABOUT, f"'{option}': {sid} {what}; judgement standards are {judged}")
        rating = framework.parse_rating(text)
        if rating is None:
            raise BadValue(ABOUT, f"'{option}': '{text}' is not a rating; use one of {framework.rating_spellings()}")
        out[sid] = rating
    return out
