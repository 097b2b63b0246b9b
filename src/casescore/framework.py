"""Load and validate a framework file (TOML) into typed, read-only objects.

A framework holds every rule casescore applies: standards, key questions and prompts, the
key-question bands, points per rating, the rounding rule and the overall-band rule. The code
reads these; it never restates them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, NoReturn

from casescore.answers import spelling_key
from casescore.errors import FrameworkInvalid, UsageError

BUILTIN_DIR = Path(__file__).parent / "frameworks"
DEFAULT_FRAMEWORK = "probation-pdu-2021"

METHODS = ("judgement", "case", "unrated")
ROUNDING_MODES = ("exact", "half-up")
NOT_APPLICABLE = "Not applicable"
NOT_ASSESSED = "Not assessed"
_NA_SPELLINGS = frozenset({"n/a", "na", "not applicable", "not-applicable"})

# Every key a framework file may use, by table: anything else (a typo such as `minimun_percent`)
# is refused, since a misspelt optional key would otherwise be ignored and its rule silently lost.
KEYS = {
    "": {"id", "title", "provenance", "warning", "ratings", "bands", "rounding", "overall", "standards",
         "attributes"},
    "ratings": {"name", "points", "aliases"},
    "bands": {"minimum_percent", "source"},
    "rounding": {"before_banding", "source"},
    "overall": {"maximum_share", "source"},
    "attributes": {"name", "values"},
    "standards": {"id", "name", "domain", "method", "scored", "source", "key_questions"},
    "key_questions": {"id", "text", "evidence", "statement", "prompts"},
    "prompts": {"id", "text", "evidence", "statement"},
}

_STANDARD_ID = re.compile(r"^\d+\.\d+$")
_KQ_ID = re.compile(r"^(\d+\.\d+)\.(\d+)$")
_PROMPT_ID = re.compile(r"^(\d+\.\d+\.\d+)([a-z])$")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    evidence: str = ""
    statement: str = ""  # what a Yes means, in the report's words ("identified offending-related factors")


@dataclass(frozen=True)
class KeyQuestion(Question):
    prompts: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Standard:
    id: str
    name: str
    domain: str
    method: str  # judgement | case | unrated
    scored: bool
    source: str = ""
    key_questions: tuple[KeyQuestion, ...] = ()


@dataclass(frozen=True)
class Rating:
    name: str
    points: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attribute:
    """A case attribute column a marking template offers; values empty means free text."""

    name: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    provenance: str
    ratings: tuple[Rating, ...]  # best first
    bands: tuple[tuple[str, Fraction], ...]  # (rating, minimum percent), highest first
    bands_source: str
    rounding: str  # exact | half-up
    rounding_source: str
    overall: tuple[tuple[str, Fraction], ...]  # (rating, maximum share of max score), lowest first
    overall_source: str
    standards: tuple[Standard, ...]
    attributes: tuple[Attribute, ...]
    source_path: Path
    source_text: str = field(repr=False)
    modified: bool = False  # a file whose id is a built-in's but whose rules differ from it
    warning: str = ""  # said with every rating when the framework's rules are not all published

    @property
    def label(self) -> str:
        """How outputs name the framework: its id, and the file when it is an edited copy of a built-in."""
        return f"{self.id} (modified: {self.source_path.name})" if self.modified else self.id

    def standard(self, standard_id: str) -> Standard | None:
        return next((s for s in self.standards if s.id == standard_id), None)

    def points(self, rating: str) -> int | None:
        return next((r.points for r in self.ratings if r.name == rating), None)

    @property
    def max_points(self) -> int:
        return max(r.points for r in self.ratings)

    def question_ids(self) -> dict[str, tuple[Standard, KeyQuestion, Question]]:
        """Every question id -> (standard, key question, the question itself)."""
        index: dict[str, tuple[Standard, KeyQuestion, Question]] = {}
        for std in self.standards:
            for kq in std.key_questions:
                index[kq.id] = (std, kq, kq)
                for p in kq.prompts:
                    index[p.id] = (std, kq, p)
        return index

    def parse_rating(self, text: str) -> str | None:
        """A rating as typed by a person -> its canonical name; None if not a rating.

        'n/a' (and spellings of it) gives NOT_APPLICABLE.
        """
        key = spelling_key(text)
        if key in _NA_SPELLINGS:
            return NOT_APPLICABLE
        for r in self.ratings:
            if key == spelling_key(r.name) or key in r.aliases:
                return r.name
        return None

    def rating_spellings(self) -> str:
        return ", ".join([r.name for r in self.ratings] + ["N/A"])


# --- finding and loading ---------------------------------------------------------------


def builtin_ids() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def resolve(spec: str | None) -> Path:
    """A framework id or a path -> the file to load."""
    spec = spec or DEFAULT_FRAMEWORK
    builtin = BUILTIN_DIR / f"{spec}.toml"
    if "/" not in spec and "\\" not in spec and builtin.is_file():
        return builtin
    path = Path(spec)
    if path.is_file():
        return path
    raise UsageError(
        f"framework '{spec}' is neither a built-in ({', '.join(builtin_ids())}) nor a readable file"
    )


def load(spec: str | None = None) -> Framework:
    path = resolve(spec)
    data, text = _parse(path)
    framework = _Builder(path).framework(data, text)
    builtin = BUILTIN_DIR / f"{framework.id}.toml"
    if path.resolve() != builtin.resolve() and builtin.is_file() and _rules(framework) != _rules(load(framework.id)):
        framework = replace(framework, modified=True)
    return framework


def validate(spec: str) -> tuple[Framework | None, list[str]]:
    """Every problem of a framework file, where load() stops at the first; the framework when there are none."""
    path = resolve(spec)
    try:
        data, text = _parse(path)
    except FrameworkInvalid as exc:
        return None, [str(exc)]
    builder = _Builder(path, collect=True)
    builder.attempt(builder.framework, data, text)
    if builder.problems:
        return None, builder.problems
    return load(spec), []


def _parse(path: Path) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkInvalid(f"{path}: cannot read the framework file ({exc.__class__.__name__})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkInvalid(f"{path}: not valid TOML: {exc}") from None


def _rules(framework: Framework) -> tuple:
    """Everything that decides a rating (not where the file lies or its comments)."""
    return (framework.ratings, framework.bands, framework.rounding, framework.overall, framework.standards)


def _written_names(items) -> list[str] | None:
    """Rating names as written, when a rating could not be read for another reason (its points, say), so
    that the rules naming the ratings are still checked; None when the names themselves are unusable."""
    if isinstance(items, list) and items and all(isinstance(i, dict) and isinstance(i.get("name"), str)
                                                 and i["name"].strip() for i in items):
        return [i["name"] for i in items]
    return None



# How a framework file's author knows each kind of value: TOML's words, not Python's (`str`, `int`).
TOML_TYPES = {bool: "true or false", int: "a whole number", float: "a number", str: "text in quotes",
              list: "a list [...]", dict: "a table"}


def _toml_type(kind: type) -> str:
    return next((name for k, name in TOML_TYPES.items() if issubclass(kind, k)), kind.__name__)


class _Builder:
    """Turns parsed TOML into a Framework, naming the file and key of the first problem.

    With collect=True it goes on past a problem and notes every one (`frameworks check`): each
    part (a rating, a standard, a key question ...) is attempted on its own. Checks run in the
    same order either way, so the first problem noted is the one load() raises."""

    def __init__(self, path: Path, collect: bool = False):
        self.path = path
        self.problems: list[str] | None = [] if collect else None

    def fail(self, key: str, message: str) -> NoReturn:
        """A problem that stops the part being read."""
        raise FrameworkInvalid(f"{self.path}: {key}: {message}")

    def flag(self, key: str, message: str) -> None:
        """A problem that leaves the rest of the part readable: raised, or noted when collecting."""
        if self.problems is None:
            self.fail(key, message)
        self.problems.append(f"{self.path}: {key}: {message}")

    def attempt(self, fn: Callable[..., Any], *args) -> Any:
        """fn(*args); when collecting, a problem that stops it is noted and None stands in for its result."""
        if self.problems is None:
            return fn(*args)
        try:
            return fn(*args)
        except FrameworkInvalid as exc:
            self.problems.append(str(exc))
            return None

    def known(self, table: dict, kind: str, where: str) -> None:
        """Refuse a key this kind of table does not have, naming the nearest one it does."""
        import difflib

        for key in table:
            if key not in KEYS[kind]:
                near = difflib.get_close_matches(key, sorted(KEYS[kind]), n=1)
                hint = f"; did you mean '{near[0]}'?" if near else f"; known keys: {', '.join(sorted(KEYS[kind]))}"
                self.flag(f"{where}{key}", f"unknown key{hint}")

    def get(self, table: dict, key: str, where: str, kind: type | tuple, default=...):
        if key not in table:
            if default is ...:
                self.fail(f"{where}{key}", "is required")
            return default
        value = table[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = " or ".join(_toml_type(k) for k in (kind if isinstance(kind, tuple) else (kind,)))
            self.fail(f"{where}{key}", f"must be {names}, not {_toml_type(type(value))}")
        return value

    def text(self, table: dict, key: str, where: str, default=...) -> str:
        value = self.get(table, key, where, str, default)
        if default is ... and not value.strip():
            self.fail(f"{where}{key}", "must not be empty")
        return value

    def framework(self, data: dict, text: str) -> Framework:
        self.known(data, "", "")
        for kind in ("bands", "rounding", "overall"):
            if isinstance(data.get(kind), dict):
                self.known(data[kind], kind, f"{kind}.")
        part = self.attempt
        ratings = part(lambda: self.ratings(self.get(data, "ratings", "", list)))
        names = [r.name for r in ratings] if ratings else _written_names(data.get("ratings"))
        bands_t = part(self.get, data, "bands", "", dict)
        rounding_t = part(self.get, data, "rounding", "", dict)
        overall_t = part(self.get, data, "overall", "", dict)
        rounding = part(self.rounding, rounding_t) if rounding_t is not None else ""
        standards = part(lambda: self.standards(self.get(data, "standards", "", list)))
        return Framework(
            id=part(self.text, data, "id", ""),
            title=part(self.text, data, "title", ""),
            provenance=(part(self.text, data, "provenance", "", "") or "").strip(),
            warning=(part(self.text, data, "warning", "", "") or "").strip(),
            ratings=ratings,
            bands=part(self.bands, bands_t, names) if bands_t is not None and names else (),
            bands_source=part(self.text, bands_t, "source", "bands.", "") if bands_t is not None else "",
            rounding=rounding,
            rounding_source=part(self.text, rounding_t, "source", "rounding.", "") if rounding_t is not None else "",
            overall=part(self.overall, overall_t, names) if overall_t is not None and names else (),
            overall_source=part(self.text, overall_t, "source", "overall.", "") if overall_t is not None else "",
            standards=standards,
            attributes=part(lambda: self.attributes(self.get(data, "attributes", "", list, []))),
            source_path=self.path,
            source_text=text,
        )

    def rounding(self, table: dict) -> str:
        rounding = self.text(table, "before_banding", "rounding.")
        if rounding not in ROUNDING_MODES:
            self.flag("rounding.before_banding", f"must be one of {', '.join(ROUNDING_MODES)}, not '{rounding}'")
        return rounding

    def ratings(self, items: list) -> tuple[Rating, ...] | None:
        """The ratings; None (when collecting) if any of them could not be read."""
        if not items:
            self.fail("ratings", "must list at least one rating")
        read = [self.attempt(self.rating, item, f"ratings[{i}]") for i, item in enumerate(items)]
        out = [r for r in read if r is not None]
        if len(out) < len(read):
            return None
        if len({r.name for r in out}) != len(out):
            self.flag("ratings", "rating names must be unique")
        if [r.points for r in out] != sorted((r.points for r in out), reverse=True):
            self.flag("ratings", "must be listed best first (points not increasing)")
        return tuple(out)

    def rating(self, item, at: str) -> Rating:
        where = f"{at}."
        if not isinstance(item, dict):
            self.fail(at, "must be a table")
        self.known(item, "ratings", where)
        points = self.get(item, "points", where, int)
        if points < 0:
            self.flag(f"{where}points", "must not be negative")
        aliases = self.get(item, "aliases", where, list, [])
        return Rating(self.text(item, "name", where), points, tuple(spelling_key(a) for a in aliases))

    def bands(self, table: dict, names: list[str]) -> tuple[tuple[str, Fraction], ...]:
        minimums = self.get(table, "minimum_percent", "bands.", dict)
        self.same_ratings("bands.minimum_percent", minimums, names)
        bands = [(name, self.fraction(minimums[name], f"bands.minimum_percent.{name}")) for name in names]
        if [m for _, m in bands] != sorted((m for _, m in bands), reverse=True) or bands[-1][1] != 0:
            self.flag("bands.minimum_percent", "minimums must fall from best to worst and the worst must be 0")
        return tuple(bands)

    def overall(self, table: dict, names: list[str]) -> tuple[tuple[str, Fraction], ...]:
        shares = self.get(table, "maximum_share", "overall.", dict)
        self.same_ratings("overall.maximum_share", shares, names)
        bands = [(name, self.fraction(shares[name], f"overall.maximum_share.{name}")) for name in reversed(names)]
        if [s for _, s in bands] != sorted(s for _, s in bands) or bands[-1][1] != 1:
            self.flag("overall.maximum_share", "shares must rise from worst to best and the best must be 1")
        return tuple(bands)

    def same_ratings(self, key: str, table: dict, names: list[str]) -> None:
        if set(table) != set(names):
            self.fail(key, f"must give a value for exactly these ratings: {', '.join(names)}")

    def fraction(self, value, key: str) -> Fraction:
        try:
            if isinstance(value, bool):
                raise ValueError
            return Fraction(str(value))
        except (ValueError, ZeroDivisionError):
            self.fail(key, f"must be a number or a fraction like \"1/6\", not {value!r}")

    def attributes(self, items: list) -> tuple[Attribute, ...]:
        read = (self.attempt(self.attribute, item, f"attributes[{i}]") for i, item in enumerate(items))
        return tuple(a for a in read if a is not None)

    def attribute(self, item, at: str) -> Attribute:
        where = f"{at}."
        if not isinstance(item, dict):
            self.fail(at, "must be a table")
        self.known(item, "attributes", where)
        values = self.get(item, "values", where, list, [])
        if not all(isinstance(v, str) and v for v in values):
            self.flag(f"{where}values", "must be a list of non-empty strings")
        return Attribute(self.text(item, "name", where), tuple(values))

    def standards(self, items: list) -> tuple[Standard, ...]:
        seen: set[str] = set()
        read = [self.attempt(self.standard, item, f"standards[{i}]", seen) for i, item in enumerate(items)]
        if not items:
            self.fail("standards", "must list at least one standard")
        return tuple(s for s in read if s is not None)

    def standard(self, item, at: str, seen: set[str]) -> Standard:
        where = f"{at}."
        if not isinstance(item, dict):
            self.fail(at, "must be a table")
        self.known(item, "standards", where)
        sid = self.text(item, "id", where)
        if not _STANDARD_ID.match(sid):
            self.fail(f"{where}id", f"'{sid}' is not a standard id like 2.2")
        if sid in seen:
            self.flag(f"{where}id", f"standard {sid} appears twice")
        seen.add(sid)
        method = self.text(item, "method", where)
        if method not in METHODS:
            self.flag(f"{where}method", f"must be one of {', '.join(METHODS)}, not '{method}'")
        items = self.get(item, "key_questions", where, list, [])
        kqs = self.key_questions(sid, items, where)
        if method != "judgement" and not items:
            self.flag(f"{where}key_questions", f"a '{method}' standard needs key questions")
        if method == "judgement" and items:
            self.flag(f"{where}key_questions", "a judgement standard has no key questions")
        scored = self.get(item, "scored", where, bool)
        if method == "unrated" and scored:
            self.flag(f"{where}scored", "an unrated standard cannot be scored")
        return Standard(sid, self.text(item, "name", where), self.text(item, "domain", where, ""),
                        method, scored, self.text(item, "source", where, ""), kqs)

    def key_questions(self, sid: str, items: list, where: str) -> tuple[KeyQuestion, ...]:
        seen: set[str] = set()
        read = [self.attempt(self.key_question, sid, item, f"{where}key_questions[{i}]", seen)
                for i, item in enumerate(items)]
        return tuple(k for k in read if k is not None)

    def key_question(self, sid: str, item, at: str, seen: set[str]) -> KeyQuestion:
        kwhere = f"{at}."
        if not isinstance(item, dict):
            self.fail(at, "must be a table")
        self.known(item, "key_questions", kwhere)
        kid = self.text(item, "id", kwhere)
        m = _KQ_ID.match(kid)
        if not m or m.group(1) != sid:
            self.fail(f"{kwhere}id", f"'{kid}' is not a key question id of standard {sid} (like {sid}.1)")
        read = [self.attempt(self.prompt, kid, p, f"{kwhere}prompts[{j}]")
                for j, p in enumerate(self.get(item, "prompts", kwhere, list, []))]
        prompts = [p for p in read if p is not None]
        for q in [kid, *(p.id for p in prompts)]:
            if q in seen:
                self.flag(f"{kwhere}id", f"question {q} appears twice")
            seen.add(q)
        return KeyQuestion(kid, self.text(item, "text", kwhere), self.text(item, "evidence", kwhere, ""),
                           self.text(item, "statement", kwhere, ""), tuple(prompts))

    def prompt(self, kid: str, p, at: str) -> Question:
        pwhere = f"{at}."
        if not isinstance(p, dict):
            self.fail(at, "must be a table")
        self.known(p, "prompts", pwhere)
        pid = self.text(p, "id", pwhere)
        pm = _PROMPT_ID.match(pid)
        if not pm or pm.group(1) != kid:
            self.fail(f"{pwhere}id", f"'{pid}' is not a prompt id of key question {kid} (like {kid}a)")
        return Question(pid, self.text(p, "text", pwhere), self.text(p, "evidence", pwhere, ""),
                        self.text(p, "statement", pwhere, ""))
