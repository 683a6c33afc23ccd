"""The plan (handlingsplan, data contract section 8): goals, measures with targets, activities.

``data/handlingsplan.toml`` names the plan's period, its goals (text, målområde, measures) and
the activities with a status per year. This module reads it, assesses each measure per year
from *published* tables only, keeps the analyst's status edits per year with every earlier
version, and builds the UI-free views of the Handlingsplan page, the målområde pages, the
annual report and the follow-up file (:mod:`jamstalldhet.plan.followup`).

A bad line in the plan file never hides the rest: :func:`parse` returns the plan without the
bad item and a :class:`Problem` naming the line. Only a file that is not TOML at all yields an
empty plan (with the line tomllib names).

Target forms (case-insensitive; ``>=``/``<=`` and ``+/-`` work too; decimal comma or point):

=================================  ==========================================================
``andel kvinnor ≥ andel män``      the share of the women ≥ the share of the men (any of
                                   ≥ ≤ > < =, and the genders either way round)
``gap inom ±3 procentenheter``     \\|women − men\\| ≤ 3 percentage points (also ``skillnad``)
``≥ 80 %``                         the share of all (Totalt) ≥ 80 %; ``kvinnor ≥ 50 %`` for one
                                   gender (for a count indicator: the gender distribution)
``antal kvinnor ≥ 100``            a count (``antal ≥ 1 000`` for Totalt)
``jämn könsfördelning``            40–60 % of each gender (also ``40/60``)
``kvot 0,9–1,1``                   the ratio women/men inside the range
``resurskvot 0,9–1,1``             the value of the indicator ``resurskvot`` inside the range
=================================  ==========================================================

A value is compared as it is shown (percent and percentage points to one decimal, ratios to
two), so the page never says "Ej uppnått" beside a value that reads as the target.

>>> t = parse_target("andel kvinnor >= andel män")
>>> (t.kind, t.op, t.gender, t.other)
('compare', '≥', 'Kvinnor', 'Män')
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

import pandas as pd

from ..base import formatting as F
from ..base import schema as S
from ..base import versions as versions_module
from ..base.errors import UserError
from ..base.settings import DATA_DIR, texts_dir
from ..base.types import Filters
from ..base.validation import TomlError, read_toml
from ..compute.indicators import INDICATORS
from ..compute.indicators import indicator as indicator_def
from ..disclosure.cellkey import MAX_NOISE
from ..disclosure.control import Published
from ..intake.records import Prepared

PLAN_FILE: Final = DATA_DIR / "handlingsplan.toml"
STATUSES: Final = ("Genomförd", "Pågår", "Ej påbörjad", "Försenad", "Inställd")
UPPNATT: Final = "Uppnått"
EJ_UPPNATT: Final = "Ej uppnått"
KAN_INTE: Final = "Kan inte bedömas"
#: icon and word together, never colour alone
ICONS: Final = {UPPNATT: "✔", EJ_UPPNATT: "✘", KAN_INTE: "?"}
#: section 6 and 7 indicators: valid in a plan, assessed when a table provides them
OTHER_INDICATORS: Final = ("deltagardagar", "dagar_per_deltagare", "kostnad_kr", "kostnad_per_deltagare", "resurskvot",
                           "bistand_kr", "bistand_hushall", "par_andel_kr_kvinnor", "par_delad_utbetalning",
                           "tredje_part_andel")
STATUS_NAME: Final = "handlingsplan"
STATUS_SCHEMA: Final = 1
MAX_COMMENT: Final = 5_000
_EPS: Final = 1e-9

TargetKind = Literal["compare", "gap", "share", "count", "even", "ratio", "value"]


class PlanError(UserError, ValueError):
    """The plan or its status cannot be used (Swedish message)."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f", rad {self.line}" if self.line else ""
        return f"{self.file}{where}: {self.message}"


# --- targets ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    text: str
    kind: TargetKind
    op: str = "≥"
    gender: str = S.TOTALT
    other: str = S.MAN_PLURAL  # the gender compared with (kind "compare")
    low: float | None = None
    high: float | None = None


_OPS: Final = {"≥": lambda a, b: a >= b - _EPS, "≤": lambda a, b: a <= b + _EPS, ">": lambda a, b: a > b + _EPS,
               "<": lambda a, b: a < b - _EPS, "=": lambda a, b: abs(a - b) <= _EPS}
_NUM: Final = r"(\d+(?:[.,]\d+)?)"
_OP: Final = r"(≥|≤|>|<|=)"
_GENDER_WORDS: Final = {"kvinnor": S.KVINNOR, "kvinnorna": S.KVINNOR, "män": S.MAN_PLURAL, "männen": S.MAN_PLURAL,
                        "totalt": S.TOTALT, "alla": S.TOTALT}
_G: Final = r"(kvinnor|kvinnorna|män|männen|totalt|alla)"
_PATTERNS: Final[list[tuple[TargetKind, re.Pattern[str]]]] = [
    ("compare", re.compile(rf"^andel(?: av)? {_G} ?{_OP} ?andel(?: av)? {_G}$")),
    ("gap", re.compile(rf"^(?:gap|skillnad(?:en)?)(?: kvinnor ?[-–] ?män)? inom ?±? ?{_NUM} ?(?:procentenheter|procentenhet|pe|p\.e\.)$")),
    ("share", re.compile(rf"^(?:andel(?: av)? )?(?:{_G} )?{_OP} ?{_NUM} ?%$")),
    ("count", re.compile(rf"^antal(?: {_G})? ?{_OP} ?{_NUM}$")),
    ("even", re.compile(r"^(?:jämn könsfördelning(?: \(?40/60\)?)?|40/60)$")),
    ("ratio", re.compile(rf"^kvot(?: kvinnor/män)? {_NUM} ?[-–] ?{_NUM}$")),
    ("value", re.compile(rf"^resurskvot {_NUM} ?[-–] ?{_NUM}$")),
]
TARGET_EXAMPLES: Final = ("andel kvinnor ≥ andel män", "gap inom ±3 procentenheter", "≥ 80 %", "kvinnor ≥ 50 %",
                          "antal kvinnor ≥ 100", "jämn könsfördelning", "kvot 0,9–1,1", "resurskvot 0,9–1,1")


def _num(s: str) -> float:
    return float(s.replace(",", "."))


def _normalise(text: str) -> str:
    t = text.strip().lower().replace("\u00a0", " ").replace("\u202f", " ")
    t = t.replace(">=", "≥").replace("=>", "≥").replace("<=", "≤").replace("=<", "≤")
    t = t.replace("+/-", "±").replace("+-", "±").replace("−", "-")
    t = re.sub(r"(?<=\d) (?=\d{3}\b)", "", t)  # 1 000 -> 1000
    return re.sub(r"\s+", " ", t)


def parse_target(text: str) -> Target:
    """A target as written in the plan; :class:`PlanError` (Swedish) when it cannot be read."""
    t = _normalise(text)
    for kind, pattern in _PATTERNS:
        m = pattern.match(t)
        if not m:
            continue
        g = m.groups()
        if kind == "compare":
            left, right = _GENDER_WORDS[g[0]], _GENDER_WORDS[g[2]]
            if {left, right} != {S.KVINNOR, S.MAN_PLURAL}:
                break
            return Target(text, kind, op=g[1], gender=left, other=right)
        if kind == "gap":
            return Target(text, kind, high=_num(g[0]))
        if kind in ("share", "count"):
            gender = _GENDER_WORDS[g[0]] if g[0] else S.TOTALT
            value = _num(g[2])
            return Target(text, kind, op=g[1], gender=gender, low=value / 100 if kind == "share" else value)
        if kind == "even":
            return Target(text, kind)
        low, high = _num(g[0]), _num(g[1])
        if low > high:
            raise PlanError(f"målvärdet '{text}': intervallets början är större än dess slut.")
        return Target(text, kind, low=low, high=high)
    raise PlanError(f"målvärdet '{text}' går inte att tolka. Skriv t.ex. {', '.join(repr(e) for e in TARGET_EXAMPLES)}.")


# --- the plan ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    name: str
    indicator: str
    filters: Filters
    target: Target
    line: int

    @property
    def filter_dict(self) -> dict[str, list[str]]:
        return self.filters.as_dict()

    @property
    def scope(self) -> str:
        """The filter in words: ``Insats: Mammor i arbete`` or ``Alla deltagare``."""
        from ..show.views import scope_label

        return scope_label(self.filters.as_dict())




@dataclass(frozen=True)
class Goal:
    id: str
    number: int
    text: str
    malomrade: str
    measures: tuple[Measure, ...]
    line: int


@dataclass(frozen=True)
class StatusEntry:
    status: str
    comment: str = ""


@dataclass(frozen=True)
class Activity:
    id: str
    text: str
    goal: str
    planned_year: int | None
    statuses: Mapping[int, StatusEntry]
    line: int


@dataclass(frozen=True)
class Plan:
    title: str
    board: str
    start: int
    end: int
    goals: tuple[Goal, ...]
    activities: tuple[Activity, ...]
    problems: tuple[Problem, ...] = ()
    file: str = "handlingsplan.toml"

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))

    @property
    def period(self) -> str:
        return f"{self.start}–{self.end}"

    def goal(self, gid: str) -> Goal | None:
        return next((g for g in self.goals if g.id == gid), None)

    def goals_for(self, malomrade: str) -> list[Goal]:
        return [g for g in self.goals if g.malomrade == malomrade]


_HEADER: Final = re.compile(r"^\s*\[\[\s*([a-z_.]+)\s*\]\]\s*(#.*)?$")


class _Lines:
    """Where each array-of-tables entry (``[[mal]]``, ``[[mal.matt]]``, …) and its keys are."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.heads: list[tuple[str, int]] = [(m.group(1), i + 1) for i, line in enumerate(self.lines)
                                             if (m := _HEADER.match(line))]

    def block(self, name: str, n: int, parent: tuple[str, int] | None = None) -> int:
        """Line of the ``n``-th (0-based) ``[[name]]`` (inside the ``parent``'s block when given)."""
        lo, hi = 0, len(self.lines) + 1
        if parent is not None:
            lo = self.block(*parent)
            hi = self._end(lo, parent[0]) + 1
        found = [line for head, line in self.heads if head == name and lo < line < hi]
        return found[n] if n < len(found) else (lo or 1)

    def _end(self, start: int, name: str) -> int:
        later = [line for head, line in self.heads if line > start and not head.startswith(name + ".")]
        return (later[0] - 1) if later else len(self.lines)

    def key(self, start: int, key: str) -> int:
        """Line of ``key = …`` in the table starting at ``start``; the header line when absent."""
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start, len(self.lines)):
            if self.lines[n].lstrip().startswith("["):
                break
            if pattern.match(self.lines[n]):
                return n + 1
        return start


def _known_indicators() -> set[str]:
    return {i.id for i in INDICATORS} | set(OTHER_INDICATORS)


def _year(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2999 else None


def _measure(raw: Mapping[str, Any], line: int, lines: _Lines) -> Measure:
    """One measure; raises PlanError naming the line of the bad key."""
    known = _known_indicators()
    iid = str(raw.get("indikator", ""))
    if iid not in known:
        raise _AtLine(lines.key(line, "indikator"),
                      f"okänd indikator '{iid}'. Kända: {', '.join(sorted(known))}." if iid else "måttet saknar indikator.")
    filt = raw.get("filter", {})
    if not isinstance(filt, Mapping):
        raise _AtLine(lines.key(line, "filter"), "filter ska skrivas som { insats = [\"…\"] }.")
    filters: dict[str, list[str]] = {}
    for dim, values in filt.items():
        if dim not in S.DIMENSIONS:
            raise _AtLine(lines.key(line, "filter"), f"okänd filterdimension '{dim}'. Möjliga: {', '.join(S.DIMENSIONS)}.")
        vals = [values] if isinstance(values, str) else values
        if not isinstance(vals, list) or not all(isinstance(v, str) for v in vals):
            raise _AtLine(lines.key(line, "filter"), f"filtret {dim} ska vara en lista med texter.")
        filters[str(dim)] = vals
    text = raw.get("malvarde")
    if not isinstance(text, str) or not text.strip():
        raise _AtLine(lines.key(line, "malvarde"), "måttet saknar målvärde (malvarde).")
    try:
        target = parse_target(text)
    except PlanError as exc:
        raise _AtLine(lines.key(line, "malvarde"), str(exc)) from exc
    _check_fits(target, iid, lines.key(line, "malvarde"))
    name = str(raw.get("namn") or "")
    return Measure(name, iid, Filters.of(filters), target, line)


def _check_fits(target: Target, iid: str, line: int) -> None:
    if target.kind == "value" and iid != "resurskvot":
        raise _AtLine(line, f"målvärdet '{target.text}' gäller bara indikatorn resurskvot, inte '{iid}'.")
    try:
        kind = indicator_def(iid).kind
    except KeyError:
        return
    if kind == "count" and target.kind in ("compare", "gap", "ratio"):
        raise _AtLine(line, f"'{iid}' är ett antal, inte en andel av varje kön: målvärdet '{target.text}' passar inte. "
                            "Använd t.ex. 'jämn könsfördelning' eller 'kvinnor ≥ 50 %'.")
    if kind == "rate" and target.kind == "even":
        raise _AtLine(line, f"'{iid}' är en andel av varje kön: 'jämn könsfördelning' gäller antal. "
                            "Använd t.ex. 'gap inom ±3 procentenheter'.")


class _AtLine(PlanError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def parse(text: str, name: str = "handlingsplan.toml") -> Plan:
    """The plan; every bad item is left out and reported with its line in ``Plan.problems``."""
    problems: list[Problem] = []

    def problem(line: int | None, message: str) -> None:
        problems.append(Problem(name, line, message))

    try:
        raw = read_toml(text, name)
    except TomlError as exc:
        problem(exc.line, exc.detail)
        return Plan("Handlingsplan", "", 0, -1, (), (), tuple(problems), name)
    lines = _Lines(text)
    head = raw.get("plan", {}) if isinstance(raw.get("plan"), Mapping) else {}
    head_line = next((i + 1 for i, line in enumerate(lines.lines) if line.strip().startswith("[plan]")), 1)
    start, end = _year(head.get("start")), _year(head.get("slut"))
    if start is None or end is None or start > end:
        problem(lines.key(head_line, "start" if start is None else "slut"),
                "planperioden behöver start och slut som årtal, t.ex. start = 2018 och slut = 2020.")
        start, end = (start, start) if start is not None else (0, -1)

    goals: list[Goal] = []
    raw_goals = raw.get("mal", [])
    for gi, g in enumerate(raw_goals if isinstance(raw_goals, list) else []):
        gline = lines.block("mal", gi)
        gid = str(g.get("id") or f"mal-{gi + 1}")
        gtext = str(g.get("text", "")).strip()
        if not gtext:
            problem(gline, f"målet '{gid}' saknar text.")
        if any(x.id == gid for x in goals):
            problem(lines.key(gline, "id"), f"målet '{gid}' finns redan; varje mål behöver ett eget id.")
            continue
        measures: list[Measure] = []
        for mi, m in enumerate(g.get("matt", []) if isinstance(g.get("matt", []), list) else []):
            mline = lines.block("mal.matt", mi, ("mal", gi))
            try:
                measures.append(_measure(m, mline, lines))
            except _AtLine as exc:
                problem(exc.line, f"mål {gi + 1}, mått {mi + 1}: {exc}")
        if not g.get("matt"):
            problem(gline, f"målet '{gid}' har inget mått ([[mal.matt]] med indikator och malvarde).")
        goals.append(Goal(gid, gi + 1, gtext, str(g.get("malomrade", "")), tuple(measures), gline))

    activities: list[Activity] = []
    raw_acts = raw.get("aktivitet", [])
    for ai, a in enumerate(raw_acts if isinstance(raw_acts, list) else []):
        aline = lines.block("aktivitet", ai)
        aid = str(a.get("id") or f"aktivitet-{ai + 1}")
        label = f"aktiviteten '{aid}'"
        goal_ref = a.get("mal")
        goal = next((x for x in goals if x.id == goal_ref or (isinstance(goal_ref, int) and x.number == goal_ref)), None)
        if goal is None:
            problem(lines.key(aline, "mal"), f"{label} hör inte till något mål" +
                    (f" ('{goal_ref}' finns inte; mål: {', '.join(x.id for x in goals)})." if goal_ref else " (mal = \"…\" saknas)."))
            continue
        planned = a.get("planerat_ar")
        if planned is not None and (_year(planned) is None or not start <= planned <= end):
            problem(lines.key(aline, "planerat_ar"), f"{label}: planerat år {planned} ligger utanför planperioden {start}–{end}.")
            planned = None
        statuses: dict[int, StatusEntry] = {}
        for si, s in enumerate(a.get("uppfoljning", []) if isinstance(a.get("uppfoljning", []), list) else []):
            sline = lines.block("aktivitet.uppfoljning", si, ("aktivitet", ai))
            year = _year(s.get("ar"))
            if year is None or not start <= year <= end:
                problem(lines.key(sline, "ar"), f"{label}: året {s.get('ar')} ligger utanför planperioden {start}–{end}.")
                continue
            status = str(s.get("status", ""))
            if status not in STATUSES:
                problem(lines.key(sline, "status"), f"{label}: okänd status '{status}'. Möjliga: {', '.join(STATUSES)}.")
                continue
            statuses[year] = StatusEntry(status, str(s.get("kommentar", "")))
        activities.append(Activity(aid, str(a.get("text", "")).strip(), goal.id, planned, statuses, aline))
    return Plan(str(head.get("titel", "Handlingsplan")), str(head.get("namnd", "")), start, end, tuple(goals),
                tuple(activities), tuple(problems), name)


@cache
def _load(path: Path, mtime: int) -> Plan:
    return parse(path.read_text(encoding="utf-8"), path.name)


def load(path: Path | None = None) -> Plan:
    """The plan file, re-read whenever it changes; a missing file is a plan with one problem."""
    p = path or PLAN_FILE
    if not p.exists():
        return Plan("Handlingsplan", "", 0, -1, (), (), (Problem(p.name, None, "filen finns inte."),), p.name)
    return _load(p, p.stat().st_mtime_ns)


# --- assessment ----------------------------------------------------------------------------

#: (year, filters) -> the published table of that year, or None when the data has no such year
Tables = Callable[[int, Mapping[str, list[str]]], Published | None]


@dataclass(frozen=True)
class Assessment:
    year: int
    result: str
    value: str
    reason: str = ""
    perturbed: bool = False

    @property
    def icon(self) -> str:
        return ICONS[self.result]

    @property
    def label(self) -> str:
        """Icon and word, e.g. ``✔ Uppnått``."""
        return f"{self.icon} {self.result}"


def published_tables(prep: Prepared, k: int, fixed: list[tuple[str, ...]] | None = None) -> Tables:
    """Published tables of ``prep`` at threshold ``k``, each computed once.

    A filter that the published pages do not offer (``disclosure.filter_problem``; ``fixed`` are
    the catalogue's målområde selections, read from the catalogue when None) raises ValueError,
    which :func:`assess` reports as "Kan inte bedömas"."""
    from ..disclosure.control import filter_problem, is_internal
    from ..disclosure.tables import indicator_table

    years = set(prep.years())
    memo: dict[tuple[int, Filters], Published] = {}

    def get(year: int, filters: Mapping[str, list[str]]) -> Published | None:
        if year not in years:
            return None
        active = {d: list(v) for d, v in filters.items() if v}
        key = (year, Filters.of(active))
        if key not in memo:
            if active and not is_internal(k):
                problem = filter_problem(active, fixed if fixed is not None else _fixed_selections())
                if problem:
                    raise ValueError(problem)
            memo[key] = indicator_table(prep, year, k=k, filters=active or None)
        return memo[key]

    return get


def _fixed_selections() -> list[tuple[str, ...]]:
    from ..compute import catalogue

    try:
        return catalogue.load().fixed_selections
    except (catalogue.CatalogueError, OSError):
        return []


def _missing(x: object) -> bool:
    return x is None or bool(pd.isna(x))  # type: ignore[call-overload]


def _rows(pub: Published, iid: str) -> dict[str, dict[str, Any]]:
    f = pub.frame
    f = f[(f["indicator"] == iid) & (f["group"] == S.TOTALT)] if "group" in f else f[f["indicator"] == iid]
    return {str(r["gender"]): r for r in f.to_dict("records")}  # type: ignore[misc]


def _get(rows: Mapping[str, Mapping[str, Any]], gender: str, col: str) -> Any:
    row = rows.get(gender)
    return None if row is None or col not in row or _missing(row[col]) else row[col]


def _gender_label(gender: str) -> str:
    return {S.KVINNOR: "kvinnor", S.MAN_PLURAL: "män", S.TOTALT: "totalt"}.get(gender, gender)


def evaluate(target: Target, rows: Mapping[str, Mapping[str, Any]]) -> tuple[str, str, str]:
    """(result, value as shown, reason) of a target against one published indicator's rows
    (gender → row with share, count, gap_pp, ratio, even). Missing = suppressed or absent."""
    if not rows:
        return KAN_INTE, F.MISSING, "uppgiften saknas för året"

    def pct(g: str) -> str:
        return F.percent(_get(rows, g, "share"))

    def hidden(*values: Any) -> bool:
        return any(v is None for v in values)

    suppressed = "värdet visas inte (färre än k personer eller dolt av röjandekontrollen)"
    if target.kind == "compare":
        a, b = _get(rows, target.gender, "share"), _get(rows, target.other, "share")
        value = f"Kvinnor {pct(S.KVINNOR)}, män {pct(S.MAN_PLURAL)}"
        if hidden(a, b):
            return KAN_INTE, value, suppressed
        ok = _OPS[target.op](round(float(a) * 100, 1), round(float(b) * 100, 1))
    elif target.kind == "gap":
        gap = _get(rows, S.KVINNOR, "gap_pp")
        value = f"{F.pp(gap)} procentenheter (kvinnor {pct(S.KVINNOR)}, män {pct(S.MAN_PLURAL)})"
        if hidden(gap):
            return KAN_INTE, value, suppressed
        assert target.high is not None
        ok = abs(round(float(gap), 1)) <= target.high + _EPS
    elif target.kind == "share":
        share = _get(rows, target.gender, "share")
        value = f"{_gender_label(target.gender).capitalize()} {pct(target.gender)}"
        if hidden(share):
            return KAN_INTE, value, suppressed
        assert target.low is not None
        ok = _OPS[target.op](round(float(share) * 100, 1), round(target.low * 100, 1))
    elif target.kind == "count":
        count = _get(rows, target.gender, "count")
        value = f"{_gender_label(target.gender).capitalize()} {F.number(count)}"
        if hidden(count):
            return KAN_INTE, value, suppressed
        assert target.low is not None
        ok = _OPS[target.op](float(count), target.low)
    elif target.kind == "even":
        even = _get(rows, S.KVINNOR, "even")
        value = f"{pct(S.KVINNOR)} kvinnor, {pct(S.MAN_PLURAL)} män"
        if hidden(even):
            return KAN_INTE, value, suppressed
        ok = bool(even)
    else:  # ratio (women/men) or the value of a ratio indicator (resurskvot)
        x = _get(rows, S.KVINNOR, "ratio") if target.kind == "ratio" else _get(rows, S.TOTALT, "share")
        value = F.ratio(x)
        if hidden(x):
            return KAN_INTE, value, suppressed
        assert target.low is not None and target.high is not None
        ok = target.low - _EPS <= round(float(x), 2) <= target.high + _EPS
    return (UPPNATT if ok else EJ_UPPNATT), value, ""


def assess(measure: Measure, year: int, tables: Tables) -> Assessment:
    """The measure's assessment for ``year`` from the published table (never a hidden value)."""
    try:
        pub = tables(year, measure.filter_dict)
    except ValueError as exc:  # a filter the published pages do not offer
        return Assessment(year, KAN_INTE, F.MISSING, f"urvalet kan inte publiceras. {exc}")
    if pub is None:
        return Assessment(year, KAN_INTE, F.MISSING, f"det finns ingen data för {year}")
    rows = _rows(pub, measure.indicator)
    result, value, reason = evaluate(measure.target, rows)
    if pub.perturbed and result != KAN_INTE and within_noise(measure.target, rows):
        reason = (f"värdet ligger så nära målvärdet att den lilla slumpmässiga justeringen (högst ±{MAX_NOISE} personer) "
                  "kan avgöra bedömningen")
    return Assessment(year, result, value, reason, bool(pub.perturbed))


def within_noise(target: Target, rows: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether a published value lies within the cell-key noise (±D persons in each count) of the
    target's threshold, so that the adjustment alone could turn Uppnått into Ej uppnått or back."""
    def share_noise(g: str) -> float:
        den = _get(rows, g, "denominator")
        return MAX_NOISE / float(den) * 100 if den else math.inf

    if target.kind == "count":
        count = _get(rows, target.gender, "count")
        return count is not None and target.low is not None and abs(float(count) - target.low) <= MAX_NOISE
    if target.kind == "share":
        share = _get(rows, target.gender, "share")
        return share is not None and target.low is not None and \
            abs(float(share) - target.low) * 100 <= share_noise(target.gender)
    if target.kind in ("compare", "gap"):
        w, m = _get(rows, S.KVINNOR, "share"), _get(rows, S.MAN_PLURAL, "share")
        if w is None or m is None:
            return False
        gap = abs(float(w) - float(m)) * 100
        edge = 0.0 if target.kind == "compare" else float(target.high or 0.0)
        return abs(gap - edge) <= share_noise(S.KVINNOR) + share_noise(S.MAN_PLURAL)
    return False


# --- status per year, every version kept -------------------------------------------------------

@dataclass(frozen=True)
class StatusVersion:
    year: int
    saved: datetime
    path: Path

    @property
    def label(self) -> str:
        return self.saved.astimezone().strftime("%Y-%m-%d %H:%M:%S")

    def entries(self) -> dict[str, StatusEntry]:
        return _decode(self.path.read_bytes(), self.path)


def _check_year(year: int) -> int:
    if not 1900 <= int(year) <= 2999:
        raise PlanError(f"Ogiltigt år {year}.")
    return int(year)


def status_path(year: int, root: Path | None = None) -> Path:
    """``<texts>/<year>/handlingsplan.json``, beside the year's follow-up texts."""
    return (root or texts_dir()) / str(_check_year(year)) / f"{STATUS_NAME}.json"


def _versions_dir(year: int, root: Path | None) -> Path:
    return (root or texts_dir()) / str(_check_year(year)) / "versioner" / STATUS_NAME


def _decode(data: bytes, where: Path) -> dict[str, StatusEntry]:
    try:
        raw = json.loads(data.decode("utf-8"))
        acts = raw["activities"]
        return {str(aid): StatusEntry(str(e["status"]), str(e.get("comment", ""))) for aid, e in acts.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PlanError(f"{where.name}: planstatusen går inte att läsa ({exc}).") from exc


def _encode(year: int, entries: Mapping[str, StatusEntry]) -> bytes:
    body = {"schema_version": STATUS_SCHEMA, "year": year,
            "activities": {aid: {"status": e.status, "comment": e.comment} for aid, e in sorted(entries.items())}}
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_status(year: int, root: Path | None = None) -> dict[str, StatusEntry]:
    """The statuses saved for ``year`` (activity id → status); empty when none were saved."""
    p = status_path(year, root)
    return _decode(p.read_bytes(), p) if p.exists() else {}


def save_status(year: int, entries: Mapping[str, StatusEntry], root: Path | None = None) -> bool:
    """Store the year's statuses; the version it replaces is kept. False if unchanged."""
    for aid, e in entries.items():
        if e.status not in STATUSES:
            raise PlanError(f"Okänd status '{e.status}' för {aid}. Möjliga: {', '.join(STATUSES)}.")
        if len(e.comment) > MAX_COMMENT:
            raise PlanError(f"Kommentaren till {aid} är för lång ({len(e.comment)} tecken, högst {MAX_COMMENT}).")
    data = _encode(year, {aid: StatusEntry(e.status, e.comment.replace("\r\n", "\n").strip()) for aid, e in entries.items()})
    return versions_module.save(status_path(year, root), data.decode("utf-8"), _versions_dir(year, root))


def status_versions(year: int, root: Path | None = None) -> list[StatusVersion]:
    """Earlier saved statuses of ``year``, newest first."""
    return [StatusVersion(int(year), v.saved, v.path) for v in versions_module.earlier(_versions_dir(year, root), ".json")]


def restore_status(version: StatusVersion, root: Path | None = None) -> bool:
    """Make an earlier version current again (the current one becomes a version in turn)."""
    return save_status(version.year, version.entries(), root)


def status_fingerprint(years: list[int], root: Path | None = None) -> str:
    """Changes whenever a saved status of one of ``years`` changes (for caches)."""
    parts = []
    for y in years:
        p = status_path(y, root)
        parts.append(f"{y}:{p.stat().st_mtime_ns if p.exists() else 0}")
    return "|".join(parts)


def statuses(plan: Plan, year: int, root: Path | None = None) -> dict[str, StatusEntry]:
    """Each activity's status for ``year``: the saved edit, else the plan file's (absent = none)."""
    saved = read_status(year, root) if plan.start <= year <= plan.end else {}
    out: dict[str, StatusEntry] = {}
    for a in plan.activities:
        entry = saved.get(a.id) or a.statuses.get(year)
        if entry is not None:
            out[a.id] = entry
    return out


# --- views -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeasureView:
    measure: Measure
    title: str
    current: Assessment
    trend: tuple[Assessment, ...]


@dataclass(frozen=True)
class GoalView:
    goal: Goal
    area_title: str
    measures: tuple[MeasureView, ...]

    @property
    def counts(self) -> dict[str, int]:
        out = {UPPNATT: 0, EJ_UPPNATT: 0, KAN_INTE: 0}
        for m in self.measures:
            out[m.current.result] += 1
        return out


@dataclass(frozen=True)
class ActivityView:
    activity: Activity
    goal_number: int
    current: StatusEntry | None
    by_year: tuple[tuple[int, StatusEntry | None], ...]


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    year: int
    goals: tuple[GoalView, ...]
    activities: tuple[ActivityView, ...]
    note: str

    @property
    def in_period(self) -> bool:
        return self.plan.start <= self.year <= self.plan.end

    @property
    def counts(self) -> dict[str, int]:
        """How many measures are Uppnått, Ej uppnått and Kan inte bedömas this year."""
        out = {UPPNATT: 0, EJ_UPPNATT: 0, KAN_INTE: 0}
        for g in self.goals:
            for word, n in g.counts.items():
                out[word] += n
        return out


def measure_title(measure: Measure, titles: Mapping[str, str]) -> str:
    return measure.name or titles.get(measure.indicator, measure.indicator)


def build_view(plan: Plan, year: int, tables: Tables, area_titles: Mapping[str, str] | None = None,
               indicator_titles: Mapping[str, str] | None = None, note: str = "", root: Path | None = None) -> PlanView:
    """Everything the page, the report and the follow-up file show of the plan for ``year``."""
    area_titles = area_titles or {}
    goals = []
    for g in plan.goals:
        mviews = []
        for m in g.measures:
            trend = tuple(assess(m, y, tables) for y in plan.years)
            current = next((a for a in trend if a.year == year), None) or assess(m, year, tables)
            mviews.append(MeasureView(m, measure_title(m, indicator_titles or {}), current, trend))
        goals.append(GoalView(g, area_titles.get(g.malomrade, g.malomrade), tuple(mviews)))
    per_year = {y: statuses(plan, y, root) for y in plan.years}
    this_year = per_year.get(year) or {}
    acts = []
    for a in plan.activities:
        goal = plan.goal(a.goal)
        acts.append(ActivityView(a, goal.number if goal else 0, this_year.get(a.id),
                                 tuple((y, per_year[y].get(a.id)) for y in plan.years)))
    if not note:
        pub = tables(year, {})
        note = pub.note if pub is not None else ""
    return PlanView(plan, year, tuple(goals), tuple(acts), note)


def view(plan: Plan, year: int, tables: Tables, catalogue: Any = None, note: str = "", root: Path | None = None) -> PlanView:
    """:func:`build_view` with målområde and indicator titles from an indicator catalogue."""
    areas = {m.id: m.title for m in catalogue.malomraden} if catalogue is not None else {}
    titles = {iid: t.title for iid, t in catalogue.indicators.items()} if catalogue is not None else {}
    return build_view(plan, year, tables, areas, titles, note, root)


def measures_table(pv: PlanView) -> pd.DataFrame:
    """One row per measure: goal, measure, scope, target, this year's value and assessment."""
    rows = []
    for g in pv.goals:
        for m in g.measures:
            rows.append({"Mål": f"Mål {g.goal.number}", "Mått": m.title, "Bedömning": m.current.label,
                         f"Värde {pv.year}": m.current.value, "Målvärde": m.measure.target.text,
                         "Urval": m.measure.scope, "Kommentar": _reason(m.current)})
    return pd.DataFrame(rows, columns=["Mål", "Mått", "Bedömning", f"Värde {pv.year}", "Målvärde", "Urval", "Kommentar"])


def _reason(a: Assessment) -> str:
    """Why a measure reads as it does (every published value carries noise: the plan's note says so once)."""
    return a.reason.capitalize() if a.reason else ""


def goal_table(pv: PlanView, gv: GoalView) -> pd.DataFrame:
    """A goal's measures this year: assessment (icon and word), value, target, scope."""
    rows = [{"Mått": m.title, f"Bedömning {pv.year}": m.current.label, f"Värde {pv.year}": m.current.value,
             "Målvärde": m.measure.target.text, "Urval": m.measure.scope, "Kommentar": _reason(m.current)}
            for m in gv.measures]
    return pd.DataFrame(rows, columns=["Mått", f"Bedömning {pv.year}", f"Värde {pv.year}", "Målvärde", "Urval", "Kommentar"])


def goal_trend_table(pv: PlanView, gv: GoalView, values: bool = False) -> pd.DataFrame:
    """A goal's measures across the plan period: one column per year with the assessment
    (and, with ``values``, the value behind it)."""
    rows = []
    for m in gv.measures:
        row = {"Mått": m.title}
        for a in m.trend:
            row[str(a.year)] = f"{a.label} ({a.value})" if values else a.label
        rows.append(row)
    return pd.DataFrame(rows, columns=["Mått", *[str(y) for y in pv.plan.years]])


def activities_table(pv: PlanView) -> pd.DataFrame:
    """One row per activity: goal, text, planned year, status per year of the period, this year's comment."""
    rows = []
    for a in pv.activities:
        row: dict[str, str] = {"Mål": f"Mål {a.goal_number}", "Aktivitet": a.activity.text,
                               "Planerat år": str(a.activity.planned_year or "–")}
        for y, e in a.by_year:
            row[f"Status {y}"] = e.status if e else "–"
        row[f"Kommentar {pv.year}"] = a.current.comment if a.current else ""
        rows.append(row)
    cols = ["Mål", "Aktivitet", "Planerat år", *[f"Status {y}" for y in pv.plan.years], f"Kommentar {pv.year}"]
    return pd.DataFrame(rows, columns=cols)


def status_table(plan_: Plan, entries: Mapping[str, StatusEntry]) -> pd.DataFrame:
    """A saved version of a year's statuses, one row per activity of the plan."""
    return pd.DataFrame([{"Aktivitet": a.text, "Status": e.status if (e := entries.get(a.id)) else "–",
                          "Kommentar": e.comment if e else ""} for a in plan_.activities],
                        columns=["Aktivitet", "Status", "Kommentar"])


def area_goals_markdown(plan: Plan, malomrade: str, year: int | None = None, tables: Tables | None = None,
                        indicator_titles: Mapping[str, str] | None = None) -> str:
    """The målområde's goal(s) for the top of its page (Markdown); with ``tables`` and ``year``
    also each measure's assessment. Empty when the plan names no goal for the målområde."""
    goals = plan.goals_for(malomrade)
    if not goals:
        return ""
    lines = []
    for g in goals:
        lines.append(f"**Nämndens mål {g.number} ({plan.period}):** {g.text}")
        if tables is not None and year is not None:
            for m in g.measures:
                a = assess(m, year, tables)
                lines.append(f"- {measure_title(m, indicator_titles or {})} – målvärde {m.target.text}: "
                             f"{a.value} · **{a.label}**")
    return "\n".join(lines)


def report_view(prep: Prepared, year: int, cat: Any, k: int, texts: Path | None = None,
                plan_file: Path | None = None) -> PlanView | None:
    """The plan's status for the annual report's opening section; None when the plan has no goals.

    Assessed on published tables: at the report's k, or at the configured k when the report is
    internal (an assessment is never made from a value that publication would hide)."""
    from ..disclosure.control import DEFAULT_K, is_internal

    p = load(plan_file)
    if not p.goals:
        return None
    if is_internal(k):
        from ..base.settings import default_k

        try:
            k = default_k()
        except ValueError:
            k = DEFAULT_K
    return view(p, year, published_tables(prep, k), cat, root=texts)
