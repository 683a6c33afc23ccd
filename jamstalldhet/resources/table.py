"""Resurser, the second R of the 3R method: do time and money follow the participants?

Section 6 of the data contract. Per year Y, gender and group (``by``: insats, bakgrund,
utbildningsnivå, åldersgrupp) and under the same filters as the indicators of section 2:

* ``deltagardagar`` – for each (person, insats) the distinct calendar days of Y covered by that
  person's records of that insats (start to end inclusive; an ongoing record counts to Y-12-31 or
  to the last date present in the data, whichever is earlier), summed;
* ``dagar_per_deltagare`` – ``deltagardagar`` / participants of the same gender;
* ``kostnad_kr`` – Σ days × the insats' price per participant-day for Y (:mod:`jamstalldhet.resources.prices`);
  missing, never 0, where an insats with days has no price;
* ``kostnad_per_deltagare`` – ``kostnad_kr`` / participants of the same gender;
* ``resurskvot`` – (a gender's share of ``kostnad_kr``) / (its share of the participants); the
  contract's ``resurskvot`` is the women's row, 1 = resources follow participants.

**Counting, without a Python loop over rows.** The unit is (person, group, insats), encoded as
one integer per record. The records active in Y, clipped to Y, are sorted by (unit, start); the
running maximum of the end within a unit (``np.maximum.accumulate`` over ``unit rank × 1024 +
end``) says how far earlier records of the unit already reach, so each record adds only the days
after that: overlapping records of one insats are counted once, two insatser at once count twice.
Per (person, group) sums then go to the (group, gender) cells with ``np.bincount``; the largest
single person's sum per cell (``np.maximum.at``) serves the dominance rule.

**Interval of the resurskvot: delta method** (on the log scale, persons as the unit). With
``c_i`` a participant's kronor, ``w_i`` = 1 for the gender in question, ``A = mean(w c)``,
``B = mean(c)``, ``C = mean(w)``, the kvot is ``R = A / (B C)`` and the linearisation of
``log R`` gives the influence ``z_i = w_i c_i / A − c_i / B − w_i / C`` (plus a constant), so
``SE(log R) = sd(z) / √n`` and the 95 % interval is ``R · exp(±1.96 SE)``. Deterministic and
vectorised (a bootstrap over persons would be neither); it treats the year's participants as a
sample of those the programme could have had, as the Wilson intervals of the other indicators do.

**Disclosure control** (sections 4 and 6), one method for every published table, filtered or not:

* The persons of each cell are perturbed with the cell-key method (:func:`disclosure.perturb_counts`:
  persons' record keys → cell key → noise) and shown as ``..`` when the perturbed count is below k.
* A magnitude (days, kronor) is hidden where its perturbed count is below k, or where one person
  contributes more than 60 % of it (dominance). Otherwise it carries noise from the same cell key:
  ``± (0.5 + 0.5 u′) · x̄`` with ``x̄`` the cell's *mean* contribution per person (its sum divided by
  its persons) and ``u′`` the cell key's lower bits (the sign from its top bit). The noise is the
  size of one average participant, so a difference of two published cells never tells one person's
  days or kronor, and it is computed from the cell's sum, never from a single contribution, so it
  reveals none either. Like the count noise it is the same for the same persons in every view.
* Per-participant values and the resurskvot are computed from the published (perturbed) values;
  the resurskvot's interval uses a standard error rounded to two decimals, so it carries no exact
  statistic of the persons behind it.
* A total (persons, days, kronor) is hidden where any of its listed genders is, as in every table.
* A group and the ``Annat/okänt`` column are listed only where some perturbed count of theirs is shown.
* *Internal view* (k ≤ 1): exact values, nothing hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from ..base import schema as S
from ..base.types import FilterMapping, Filters
from ..compute.stats import Z_975
from ..disclosure import cellkey
from ..disclosure import control as disclosure
from ..intake.records import NEVER, Prepared, group_codes, subset, year_bounds
from .prices import CostCatalogue

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["INDICATORS", "Cells", "ResourceTable", "compute", "table", "cli_rows"]

INDICATORS: Final = ("deltagardagar", "dagar_per_deltagare", "kostnad_kr", "kostnad_per_deltagare", "resurskvot")
MAGNITUDES: Final = ("deltagardagar", "kostnad_kr")
TITLES: Final = {
    "deltagardagar": "Deltagardagar",
    "dagar_per_deltagare": "Dagar per deltagare",
    "kostnad_kr": "Kostnad (kr)",
    "kostnad_per_deltagare": "Kostnad per deltagare (kr)",
    "resurskvot": "Resurskvot (andel av kostnaden / andel av deltagarna)",
}
DOMINANCE: Final = 0.6
GENDER_COLS: Final = (S.KVINNOR, S.MAN_PLURAL, S.ANNAT_OKANT, S.TOTALT)
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Cells:
    """Exact (unprotected) resource cells of one year: arrays of shape (groups, 4), the columns
    Kvinnor, Män, Annat/okänt, Totalt; the last group is ``Totalt`` (all records)."""

    year: int
    by: str | None
    groups: tuple[str, ...]
    persons: I64
    keysum: I64  # sum of the persons' record keys (cell-key method)
    days: I64
    kronor: F64  # NaN = some of the cell's days have no price
    max_days: I64  # the largest single person's days in the cell
    max_kronor: F64
    kvot: F64  # resurskvot per gender (Totalt column NaN)
    kvot_se: F64  # standard error of log(resurskvot), delta method
    missing_prices: tuple[str, ...] = ()  # insatser with days in Y but no price


def _last_day(prep: Prepared) -> int | None:
    last = prep.last_date()
    return None if last is None else int(np.datetime64(last, "D").astype(np.int64))


def record_days(prep: Prepared, year: int, last_day: int | None, unit: I64) -> tuple[Bool, I64]:
    """Which records are active in ``year`` and the new distinct days each adds to its ``unit``.

    ``unit`` is one integer per record (e.g. person × insats): days of records of one unit are
    counted once however the records overlap."""
    lo, hi = year_bounds(year)
    active = (prep.start <= hi) & (prep.end >= lo)
    idx = np.flatnonzero(active)
    days = np.zeros(idx.size, dtype=np.int64)
    if idx.size == 0:
        return active, days
    open_to = hi if last_day is None else min(hi, last_day)
    end_raw = prep.end[idx].astype(np.int64)
    start = np.maximum(prep.start[idx].astype(np.int64), lo)
    end = np.where(end_raw == NEVER, open_to, np.minimum(end_raw, hi))
    end = np.maximum(end, start - 1)  # an ongoing record past the data's last date: no days
    u = unit[idx]
    order = np.lexsort((start, u))
    u_s, s_s, e_s = u[order], start[order], end[order]
    new = np.ones(u_s.size, dtype=bool)
    new[1:] = u_s[1:] != u_s[:-1]
    rank = np.cumsum(new) - 1
    reach = np.maximum.accumulate(rank * 1024 + (e_s - lo + 1))  # per unit: furthest end so far
    before = np.empty_like(reach)
    before[0] = -1
    before[1:] = reach[:-1]
    prev_end = np.where(new, np.int64(lo - 2), before % 1024 + lo - 1)
    added = np.maximum(0, e_s - np.maximum(s_s, prev_end + 1) + 1)
    days[order] = added
    return active, days


def _cells(prep: Prepared, year: int, last_day: int | None, price: F64, group: npt.NDArray[np.int16] | None,
           n_groups: int) -> tuple[dict[str, Any], I64]:
    """Cell sums for ``n_groups`` groups (arrays (n_groups, 3) by gender code) and the insats
    codes that have days without a price."""
    ins = prep.codes[S.INSATS].astype(np.int64)
    n_ins = len(prep.categories[S.INSATS]) + 1
    ins = np.where(ins < 0, n_ins - 1, ins)
    g = np.zeros(prep.n_records, dtype=np.int64) if group is None else group.astype(np.int64)
    pair = prep.person.astype(np.int64) * n_groups + g
    active, days = record_days(prep, year, last_day, pair * n_ins + ins)
    idx = np.flatnonzero(active)
    rec_ins = ins[idx]
    unit_price = np.append(price, np.nan)[np.minimum(rec_ins, price.size)]
    kr = np.where(days > 0, days * unit_price, 0.0)
    unpriced = np.unique(rec_ins[(days > 0) & np.isnan(unit_price)])
    pairs, inv = np.unique(pair[idx], return_inverse=True)
    p_days = np.bincount(inv, weights=days, minlength=pairs.size)
    p_kr = np.bincount(inv, weights=kr, minlength=pairs.size)
    person = pairs // n_groups
    p_group = pairs % n_groups
    gender = prep.person_gender[person].astype(np.int64)
    cell = p_group * 3 + gender
    size = n_groups * 3
    keys = prep.person_key
    out: dict[str, Any] = {
        "persons": np.bincount(cell, minlength=size),
        "keysum": (np.bincount(cell, weights=keys[person], minlength=size).astype(np.int64) if keys.size
                   else np.zeros(size, dtype=np.int64)),
        "days": np.rint(np.bincount(cell, weights=p_days, minlength=size)).astype(np.int64),
        "kronor": np.bincount(cell, weights=p_kr, minlength=size),
    }
    max_days = np.zeros(size, dtype=np.int64)
    np.maximum.at(max_days, cell, np.rint(p_days).astype(np.int64))
    max_kr = np.zeros(size)
    np.maximum.at(max_kr, cell, np.nan_to_num(p_kr, nan=0.0))
    out["max_days"], out["max_kronor"] = max_days, max_kr
    # resurskvot and its delta-method SE per group, for women (w = gender 0) and men (gender 1)
    kvot = np.full((n_groups, 3), np.nan)
    se = np.full((n_groups, 3), np.nan)
    n = np.bincount(p_group, minlength=n_groups).astype(np.float64)
    sum_c = np.bincount(p_group, weights=p_kr, minlength=n_groups)
    sum_c2 = np.bincount(p_group, weights=p_kr**2, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        for gc in range(3):
            w = (gender == gc).astype(np.float64)
            nw = np.bincount(p_group, weights=w, minlength=n_groups)
            a_ = np.bincount(p_group, weights=w * p_kr, minlength=n_groups) / n
            a2 = np.bincount(p_group, weights=w * p_kr**2, minlength=n_groups) / n
            b_, b2, c_ = sum_c / n, sum_c2 / n, nw / n
            kvot[:, gc] = a_ / (b_ * c_)
            # E[z²] for z = w c/A − c/B − w/C (w² = w); E[z] = −1
            ez2 = (a2 / a_**2 + b2 / b_**2 + c_ / c_**2 - 2 * a2 / (a_ * b_) - 2 * a_ / (a_ * c_) + 2 * a_ / (b_ * c_))
            var = np.maximum(ez2 - 1.0, 0.0) * n / (n - 1)
            se[:, gc] = np.sqrt(var / n)
    kvot[~np.isfinite(kvot)] = np.nan
    se[~np.isfinite(se)] = np.nan
    out["kvot"], out["kvot_se"] = kvot, se
    return {k: v.reshape(n_groups, 3) if v.ndim == 1 else v for k, v in out.items()}, unpriced


def _with_total(a: npt.NDArray[Any], how: str) -> npt.NDArray[Any]:
    tot = a.max(axis=1) if how == "max" else a.sum(axis=1)
    return np.column_stack([a, tot])


def compute(prep: Prepared, year: int, costs: CostCatalogue, by: str | None = None,
            filters: FilterMapping | Filters | None = None) -> Cells:
    """The exact resource cells of ``year`` (optionally by a dimension and under ``filters``).

    Unprotected: publish only through :func:`table` or :func:`cli_rows`."""
    active = Filters.of(filters)
    last = _last_day(prep)  # of the whole data, also for a filtered view
    sub = subset(prep, year, active.as_dict()) if active else prep
    price = costs.per_day(prep.categories[S.INSATS], year)
    parts: list[tuple[str, dict[str, Any]]] = []
    unpriced: set[int] = set()
    if by is not None:
        codes, labels = group_codes(sub, by, year)
        grouped, miss = _cells(sub, year, last, price, codes, len(labels))
        unpriced.update(int(i) for i in miss)
        present = grouped["persons"].sum(axis=1) > 0
        for gi, label in enumerate(labels):
            if present[gi]:
                parts.append((label, {k: v[gi : gi + 1] for k, v in grouped.items()}))
    total, miss = _cells(sub, year, last, price, None, 1)
    unpriced.update(int(i) for i in miss)
    parts.append((S.TOTALT, total))

    def stack(key: str, how: str) -> npt.NDArray[Any]:
        return _with_total(np.vstack([p[key] for _, p in parts]), how)

    kvot = np.vstack([p["kvot"] for _, p in parts])
    se = np.vstack([p["kvot_se"] for _, p in parts])
    nan_col = np.full((len(parts), 1), np.nan)
    labels_ins = prep.categories[S.INSATS]
    return Cells(
        year=year, by=by, groups=tuple(label for label, _ in parts),
        persons=stack("persons", "sum").astype(np.int64), keysum=stack("keysum", "sum").astype(np.int64),
        days=stack("days", "sum").astype(np.int64), kronor=stack("kronor", "sum"),
        max_days=stack("max_days", "max").astype(np.int64), max_kronor=stack("max_kronor", "max"),
        kvot=np.hstack([kvot, nan_col]), kvot_se=np.hstack([se, nan_col]),
        missing_prices=tuple(labels_ins[i] for i in sorted(unpriced) if i < len(labels_ins)),
    )


# --- disclosure control ----------------------------------------------------------------------

def _shown_genders(c: Cells) -> list[int]:
    """Gender columns shown: women, men, annat/okänt only where such persons exist, Totalt."""
    return [0, 1] + ([2] if c.persons[-1, 2] > 0 else []) + [3]


def _dominated(c: Cells) -> Bool:
    with np.errstate(invalid="ignore"):
        by_days = (c.days > 0) & (c.max_days > DOMINANCE * c.days)
        by_kr = (np.nan_to_num(c.kronor) > 0) & (c.max_kronor > DOMINANCE * np.nan_to_num(c.kronor))
    return np.asarray(by_days | by_kr, dtype=bool)


def _magnitude_noise(c: Cells) -> F64:
    """The cell key's signed factor in ±[0.5, 1] (same persons → same factor); times the cell's mean
    contribution per person it is the noise of a magnitude."""
    u = cellkey.cell_keys(c.keysum)
    low = np.mod(c.keysum, 1 << 12) / float(1 << 12)  # the key's lower bits: a second uniform
    sign = np.where(u < 0.5, -1.0, 1.0)
    return np.asarray(sign * (0.5 + 0.5 * low), dtype=np.float64)


SE_DECIMALS: Final = 2


ROW_FIELDS: Final = ("indicator", "year", "group", "gender", "value", "count", "denominator", "ci_low", "ci_high",
                     "suppressed", "missing")


@dataclass(frozen=True)
class ResourceTable:
    """A disclosure-controlled resource table: one row per indicator, group and gender.

    Fields of a row (:data:`ROW_FIELDS`): ``indicator, year, group, gender, value, count,
    denominator, ci_low, ci_high, suppressed, missing``. ``value`` is the figure (days, kronor,
    per participant, kvot); ``count`` the sum for magnitudes and ``denominator`` the persons behind
    it; ``missing`` marks kronor that cannot be given because an insats has no price. ``rows`` are
    plain Python values (the command line reads them); :attr:`frame` is the same table as a
    pandas frame, made the first time a page asks for it."""

    rows: tuple[dict[str, Any], ...]
    k: int
    by: str | None = None
    perturbed: bool = False
    missing_prices: tuple[str, ...] = ()
    year: int | None = None  # the year the table counts

    @cached_property
    def frame(self) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(list(self.rows), columns=list(ROW_FIELDS))
        for col in ("count", "denominator"):
            frame[col] = frame[col].astype("float64").round().astype("Int64")
        for col in ("value", "ci_low", "ci_high"):
            frame[col] = frame[col].astype("float64")
        return frame

    @cached_property
    def cells(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        """Each row of :attr:`frame` (its types) by (indicator, group, gender), the first where one repeats:
        a view reads a cell without scanning the table (issue 26's profile: 1 020 scans were 3.6 of a 4.6 s rerun)."""
        out: dict[tuple[str, str, str], dict[str, Any]] = {}
        for r in self.frame.to_dict("records"):
            out.setdefault((str(r["indicator"]), str(r["group"]), str(r["gender"])), {str(k): v for k, v in r.items()})
        return out

    @property
    def internal(self) -> bool:
        return disclosure.is_internal(self.k)

    @property
    def note(self) -> str:
        extra = f". Dominansregel: en cell visas inte när en person står för mer än {int(DOMINANCE * 100)} % av summan"
        return disclosure.note(self.k, self.perturbed) + ("" if self.internal else extra)


def protect(c: Cells, k: int) -> ResourceTable:
    """The published form of ``c`` at threshold ``k`` (published, or exact in internal mode)."""
    shape = c.persons.shape
    persons = c.persons.astype(np.float64)
    days = c.days.astype(np.float64)
    kronor = c.kronor.copy()
    kvot_se = c.kvot_se
    perturbed = not disclosure.is_internal(k)
    if perturbed:
        pert = disclosure.perturb_counts(c.persons.ravel(), c.keysum.ravel(), k).reshape(shape)
        persons = pert.data.astype(np.float64)
        p_hidden = np.ma.getmaskarray(pert).copy()
        m_hidden = p_hidden | _dominated(c)
        # a total is hidden with any of its listed genders, as disclosure.publish hides it
        parts = [0, 1] + ([2] if not p_hidden[-1, 2] else [])
        p_hidden[:, 3] |= p_hidden[:, parts].any(axis=1)
        m_hidden[:, 3] |= m_hidden[:, parts].any(axis=1) | p_hidden[:, 3]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_days = np.where(c.persons > 0, days / np.maximum(c.persons, 1), 0.0)
            mean_kr = np.where(c.persons > 0, kronor / np.maximum(c.persons, 1), 0.0)
        factor = _magnitude_noise(c)
        days = np.maximum(np.rint(days + factor * mean_days), 0)
        kronor = np.maximum(kronor + factor * mean_kr, 0)
        kvot_se = np.round(kvot_se, SE_DECIMALS)
        shown_genders = [*parts, 3]
        listed = [g for g in range(len(c.groups)) if g == len(c.groups) - 1 or not p_hidden[g].all()]
    else:
        p_hidden = np.zeros(shape, dtype=bool)
        m_hidden = np.zeros(shape, dtype=bool)
        shown_genders = _shown_genders(c)
        listed = list(range(len(c.groups)))
    kronor = np.rint(kronor)
    kronor_missing = np.isnan(kronor)
    rows: list[dict[str, Any]] = []
    for g in listed:
        label = c.groups[g]
        tot_p, tot_k = persons[g, 3], kronor[g, 3]
        for iid in INDICATORS:
            for j in shown_genders:
                if iid == "resurskvot" and j == 3:
                    continue
                ph, mh = bool(p_hidden[g, j]), bool(m_hidden[g, j])
                n_p = None if ph else persons[g, j]
                miss = False
                value: float | None
                count: float | None = None
                den: float | None = n_p
                lo = hi = None
                if iid in MAGNITUDES:
                    src = days if iid == "deltagardagar" else kronor
                    miss = iid == "kostnad_kr" and bool(kronor_missing[g, j])
                    hidden = mh
                    value = None if hidden or miss else float(src[g, j])
                    count = value
                elif iid in ("dagar_per_deltagare", "kostnad_per_deltagare"):
                    src = days if iid == "dagar_per_deltagare" else kronor
                    miss = iid == "kostnad_per_deltagare" and bool(kronor_missing[g, j])
                    hidden = mh or ph
                    value = None if hidden or miss or not persons[g, j] else float(src[g, j] / persons[g, j])
                else:  # resurskvot: the gender's share of kronor / its share of participants
                    miss = bool(kronor_missing[g, j] or np.isnan(tot_k))
                    hidden = mh or ph or bool(m_hidden[g, 3] or p_hidden[g, 3])
                    den = None
                    value = None
                    if not (hidden or miss) and tot_k > 0 and persons[g, j] > 0 and tot_p > 0:
                        value = float((kronor[g, j] / tot_k) / (persons[g, j] / tot_p))
                        se = kvot_se[g, j]
                        if np.isfinite(se) and value > 0:
                            lo, hi = value * float(np.exp(-Z_975 * se)), value * float(np.exp(Z_975 * se))
                rows.append({"indicator": iid, "year": c.year, "group": label, "gender": GENDER_COLS[j], "value": value,
                             "count": count, "denominator": den, "ci_low": lo, "ci_high": hi,
                             "suppressed": bool(hidden), "missing": miss})
    return ResourceTable(tuple(rows), k, c.by, perturbed, c.missing_prices, c.year)


def table(prep: Prepared, year: int, costs: CostCatalogue, by: str | None = None,
          filters: FilterMapping | Filters | None = None, k: int = disclosure.DEFAULT_K) -> ResourceTable:
    """The published resource table of ``year`` (what every screen, file and report shows)."""
    return protect(compute(prep, year, costs, by, filters), k)


def cli_rows(prep: Prepared, year: int, costs: CostCatalogue | None = None, by: str | None = None,
             filters: FilterMapping | Filters | None = None, k: int = disclosure.DEFAULT_K) -> list[dict[str, Any]]:
    """Rows for ``indicators --format json`` (sections 5 and 6 of the contract).

    ``deltagardagar``/``kostnad_kr``: ``count`` = the sum (days, whole kronor), ``denominator`` =
    the persons behind it, ``share`` null. ``dagar_per_deltagare``/``kostnad_per_deltagare``:
    ``share`` = the value, ``denominator`` = the persons. ``resurskvot`` (Kvinnor, Män,
    Annat/okänt; no Totalt): ``share`` = the value. With ``by`` every row has ``group``."""
    from . import prices as costs_module

    tab = table(prep, year, costs if costs is not None else costs_module.load(), by, filters, k)
    out: list[dict[str, Any]] = []
    for d in tab.rows:
        iid = str(d["indicator"])
        magnitude = iid in MAGNITUDES
        rec: dict[str, Any] = {
            "indicator": iid,
            "year": int(d["year"]),
            "gender": str(d["gender"]),
            "count": None if not magnitude or d["count"] is None else int(round(float(d["count"]))),
            "denominator": None if d["denominator"] is None else int(round(float(d["denominator"]))),
            "share": None if magnitude or d["value"] is None else float(d["value"]),
            "suppressed": bool(d["suppressed"]),
            "perturbed": tab.perturbed,
        }
        if by:
            rec["group"] = str(d["group"])
        out.append(rec)
    return out
