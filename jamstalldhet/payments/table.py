"""Indicators of payments of ekonomiskt bistånd in two-adult households (data contract, section 7).

Computed per year and per month from the canonical payment frame of
:mod:`jamstalldhet.payments.reading`, disclosure-controlled with households as the unit counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..base import schema as S
from ..disclosure.control import DEFAULT_K, INTERNAL_MARK, is_internal, secondary
from .reading import (
    BELOPP,
    COUPLE_TYPES,
    HOUSEHOLD_TYPES,
    HUSHALL_ID,
    HUSHALLSTYP,
    KON_MEDSOKANDE,
    KON_SOKANDE,
    MEDSOKANDE,
    MOTTAGARE,
    RECIPIENTS,
    UTBETALNINGSDATUM,
)

# --- indicators (section 7) ------------------------------------------------------------------

BISTAND_KR: Final = "bistand_kr"
BISTAND_HUSHALL: Final = "bistand_hushall"
PAR_ANDEL_KR_KVINNOR: Final = "par_andel_kr_kvinnor"
PAR_DELAD_UTBETALNING: Final = "par_delad_utbetalning"
TREDJE_PART_ANDEL: Final = "tredje_part_andel"
INDICATORS: Final = (BISTAND_KR, BISTAND_HUSHALL, PAR_ANDEL_KR_KVINNOR, PAR_DELAD_UTBETALNING, TREDJE_PART_ANDEL)
KRONOR_INDICATORS: Final = (BISTAND_KR, PAR_ANDEL_KR_KVINNOR, TREDJE_PART_ANDEL)
TITLES: Final = {
    BISTAND_KR: "Utbetalt ekonomiskt bistånd (kr)",
    BISTAND_HUSHALL: "Hushåll med utbetalning",
    PAR_ANDEL_KR_KVINNOR: "Kvinnornas andel av kronorna till par",
    PAR_DELAD_UTBETALNING: "Parhushåll som fått utbetalningen delad (40–60 %)",
    TREDJE_PART_ANDEL: "Andel av kronorna till tredje part",
}
SUPPRESSION_NOTE: Final = ".. = färre än {k} hushåll bakom värdet, visas inte"
#: A share of the couple's kronor counts as "delad utbetalning" between these bounds (inclusive).
SHARED_LOW: Final = (4, 10)
SHARED_HIGH: Final = (6, 10)
_GENDERS: Final = (S.KVINNA, S.MAN, S.ANNAT)
_ADDITIVE_PREFIXES: Final = ("kr|", "kr_alla", "kr_tredje", "par_k|", "par|")


def note(k: int) -> str:
    """What every payment output says about its disclosure control (households are the unit)."""
    return INTERNAL_MARK if is_internal(k) else SUPPRESSION_NOTE.format(k=k)


def period_label(period: int) -> str:
    """``2020`` → ``"2020"``; ``202003`` → ``"2020-03"``."""
    return f"{period // 100}-{period % 100:02d}" if period >= 10_000 else str(period)


@dataclass(frozen=True)
class _Arrays:
    hh: npt.NDArray[np.int64]
    ore: npt.NDArray[np.int64]
    gender: npt.NDArray[np.int8]  # recipient's gender (position in _GENDERS), −1 for third parties
    person: npt.NDArray[np.bool_]  # paid to sökande or medsökande
    typ: npt.NDArray[np.int8]  # position in HOUSEHOLD_TYPES
    wm: npt.NDArray[np.bool_]  # sökande and medsökande are one woman and one man
    year: npt.NDArray[np.int64]
    month: npt.NDArray[np.int64]


def _codes(col: pd.Series, values: tuple[str, ...]) -> npt.NDArray[np.int8]:
    """Position of each cell in ``values``; −1 for missing (or unknown) cells (looked up once per distinct value)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    pos = {v: i for i, v in enumerate(values)}
    lut = np.array([pos.get(str(u), -1) for u in uniques] + [-1], dtype=np.int8)
    return lut[codes]


def _arrays(df: pd.DataFrame) -> _Arrays:
    """The payments as integer arrays, in date order (ties keep the file's order)."""
    dates = pd.to_datetime(df[UTBETALNINGSDATUM]).to_numpy()
    order = np.argsort(dates, kind="stable")
    rec = _codes(df[MOTTAGARE], RECIPIENTS)[order]
    gs, gm = _codes(df[KON_SOKANDE], _GENDERS)[order], _codes(df[KON_MEDSOKANDE], _GENDERS)[order]
    gender = np.where(rec == 0, gs, np.where(rec == 1, gm, -1)).astype(np.int8)
    has_med = df[MEDSOKANDE].notna().to_numpy()[order]
    wm = has_med & (((gs == 0) & (gm == 1)) | ((gs == 1) & (gm == 0)))
    d = pd.DatetimeIndex(dates[order])
    return _Arrays(
        hh=pd.factorize(df[HUSHALL_ID])[0].astype(np.int64)[order],
        ore=np.rint(df[BELOPP].to_numpy(dtype=np.float64) * 100).astype(np.int64)[order],
        gender=gender, person=rec <= 1, typ=_codes(df[HUSHALLSTYP], HOUSEHOLD_TYPES)[order], wm=wm,
        year=np.asarray(d.year, dtype=np.int64), month=np.asarray(d.month, dtype=np.int64),
    )


def _distinct_keys(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct keys, sorted (a sort and a comparison: faster here than numpy's hashing unique)."""
    s = np.sort(keys)
    return s[np.concatenate(([True], s[1:] != s[:-1]))] if s.size else s


def _last(keys: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The distinct keys (sorted) and the position of each one's last occurrence."""
    u, idx = np.unique(keys[::-1], return_index=True)
    return u, (len(keys) - 1 - idx).astype(np.int64)


def _cells(p: npt.NDArray[np.int64], a: _Arrays) -> pd.DataFrame:
    """Every published quantity per period as a cell: ``period, key, value, households`` (value
    in öre for kronor, else a number of households; households = how many are behind it).
    Integer arrays throughout: a (period, household) pair is one int64 key."""
    periods, pi = np.unique(p, return_inverse=True)
    n_p = len(periods)
    n_h = int(a.hh.max()) + 1 if a.hh.size else 1
    pair = pi.astype(np.int64) * n_h + a.hh
    frames: list[pd.DataFrame] = []

    def add(key: str, value: npt.NDArray[Any], households: npt.NDArray[Any]) -> None:
        frames.append(pd.DataFrame({"period": periods, "key": key, "value": value.astype(np.int64),
                                    "households": households.astype(np.int64)}))

    def total(mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        value = np.zeros(n_p, dtype=np.int64)
        np.add.at(value, pi[mask], a.ore[mask])
        return value, np.bincount(_distinct_keys(pair[mask]) // n_h, minlength=n_p)

    for i, g in enumerate(_GENDERS):
        add(f"kr|{S.GENDER_GROUP_OF[g]}", *total(a.gender == i))
    add(f"kr|{S.TOTALT}", *total(a.person))
    add("kr_tredje", *total(~a.person))
    add("kr_alla", *total(np.ones(len(p), dtype=bool)))
    # households by type: the type of the household's latest payment in the period
    pairs, last = _last(pair)
    by_type = np.zeros((n_p, len(HOUSEHOLD_TYPES)), dtype=np.int64)
    np.add.at(by_type, (pairs // n_h, a.typ[last]), 1)
    for j, typ in enumerate(HOUSEHOLD_TYPES):
        add(f"hh|{typ}", by_type[:, j], by_type[:, j])
    add(f"hh|{S.TOTALT}", by_type.sum(axis=1), by_type.sum(axis=1))
    # couples of one woman and one man: the period's payments to the two adults, per household
    m = a.wm & a.person
    cpairs, inv = np.unique(pair[m], return_inverse=True)
    w = np.zeros(len(cpairs), dtype=np.int64)
    np.add.at(w, inv, np.where(a.gender[m] == 0, a.ore[m], 0))
    den = np.zeros(len(cpairs), dtype=np.int64)
    np.add.at(den, inv, a.ore[m])
    ctype = a.typ[m][_last(pair[m])[1]]
    cper = cpairs // n_h
    w10 = w * SHARED_LOW[1]
    delad = (den > 0) & (w10 >= SHARED_LOW[0] * den) & (w10 <= SHARED_HIGH[0] * den)
    for grp in (*COUPLE_TYPES, S.TOTALT):
        sel = np.ones(len(cpairs), dtype=bool) if grp == S.TOTALT else ctype == HOUSEHOLD_TYPES.index(grp)
        n = np.bincount(cper[sel], minlength=n_p)
        women, adults = np.zeros(n_p, dtype=np.int64), np.zeros(n_p, dtype=np.int64)
        np.add.at(women, cper[sel], w[sel])
        np.add.at(adults, cper[sel], den[sel])
        shared = np.bincount(cper[sel], weights=delad[sel], minlength=n_p)
        add(f"par_k|{grp}", women, n)
        add(f"par|{grp}", adults, n)
        add(f"delad|{grp}", shared, shared)
        add(f"parhh|{grp}", n, n)
    return pd.concat(frames, ignore_index=True)


#: Published rows: (indicator, gender, group, count cell, denominator cell).
def _templates(with_annat: bool) -> list[tuple[str, str, str, str, str]]:
    t = [(BISTAND_KR, g, S.TOTALT, f"kr|{g}", f"kr|{S.TOTALT}")
         for g in (S.KVINNOR, S.MAN_PLURAL, *((S.ANNAT_OKANT,) if with_annat else ()), S.TOTALT)]
    t += [(BISTAND_HUSHALL, S.TOTALT, grp, f"hh|{grp}", f"hh|{S.TOTALT}") for grp in (*HOUSEHOLD_TYPES, S.TOTALT)]
    t += [(PAR_ANDEL_KR_KVINNOR, S.KVINNOR, grp, f"par_k|{grp}", f"par|{grp}") for grp in (*COUPLE_TYPES, S.TOTALT)]
    t += [(PAR_DELAD_UTBETALNING, S.TOTALT, grp, f"delad|{grp}", f"parhh|{grp}") for grp in (*COUPLE_TYPES, S.TOTALT)]
    t.append((TREDJE_PART_ANDEL, S.TOTALT, S.TOTALT, "kr_tredje", "kr_alla"))
    return t


def _relations(cells: pd.DataFrame, with_annat: bool) -> list[npt.NDArray[np.int64]]:
    """Additive relations a reader could use to recover a hidden cell (positions in ``cells``)."""
    pos = {(int(pp), str(kk)): i for i, (pp, kk) in enumerate(zip(cells["period"], cells["key"], strict=True))}
    genders = (S.KVINNOR, S.MAN_PLURAL, *((S.ANNAT_OKANT,) if with_annat else ()))
    per_period = [[f"kr|{g}" for g in genders] + [f"kr|{S.TOTALT}"],
                  [f"kr|{S.TOTALT}", "kr_tredje", "kr_alla"],
                  [f"hh|{t}" for t in HOUSEHOLD_TYPES] + [f"hh|{S.TOTALT}"]]
    per_period += [[f"{key}|{t}" for t in COUPLE_TYPES] + [f"{key}|{S.TOTALT}"] for key in ("par_k", "par", "delad", "parhh")]
    rels: list[npt.NDArray[np.int64]] = []
    periods = sorted(set(cells["period"].tolist()))
    for period in periods:
        for keys in per_period:
            rels.append(np.array([pos[(period, k)] for k in keys], dtype=np.int64))
    # kronor of the months add up to the year's
    additive = [k for k in cells["key"].unique() if str(k).startswith(_ADDITIVE_PREFIXES)]
    for year in (x for x in periods if x < 10_000):
        months = [x for x in periods if x // 100 == year and x >= 10_000]
        for key in additive:
            rels.append(np.array([pos[(mm, key)] for mm in months] + [pos[(year, key)]], dtype=np.int64))
    return rels


def _suppress(households: npt.NDArray[np.int64], rels: list[npt.NDArray[np.int64]], k: int) -> npt.NDArray[np.bool_]:
    """Primary suppression (1..k−1 households behind a cell), then secondary over every relation
    (:func:`disclosure.secondary`). A month whose only payments are 0 kr has households but no
    kronor, so a relation's other cells can all be empty: a zero cell is hidden then."""
    if is_internal(k):
        return np.zeros(len(households), dtype=bool)
    hidden: npt.NDArray[np.bool_] = (households >= 1) & (households < k)
    return secondary(households, hidden, [(rel, 2) for rel in rels])


@dataclass(frozen=True)
class PaymentTable:
    """The indicators of section 7 for every year and month of the data, disclosure-controlled.

    ``frame`` columns: indicator, period, year, month (0 for the whole year), group, gender,
    count, denominator (whole kronor for kronor indicators), share, suppressed, share_suppressed,
    perturbed."""

    frame: pd.DataFrame
    k: int
    year: None = None  # every year of the data (:meth:`years`), not one

    @property
    def internal(self) -> bool:
        return is_internal(self.k)

    @property
    def note(self) -> str:
        return note(self.k)

    def years(self) -> list[int]:
        return sorted(set(self.frame.loc[self.frame["month"] == 0, "year"].astype(int).tolist()))

    def annual(self, year: int | None = None) -> pd.DataFrame:
        f = self.frame[self.frame["month"] == 0]
        return f if year is None else f[f["year"] == year]

    def monthly(self, year: int | None = None) -> pd.DataFrame:
        f = self.frame[self.frame["month"] > 0]
        return f if year is None else f[f["year"] == year]


_EMPTY_COLUMNS: Final = ("indicator", "period", "year", "month", "group", "gender", "count", "denominator", "share",
                         "suppressed", "share_suppressed", "perturbed")


def table(df: pd.DataFrame, k: int = DEFAULT_K) -> PaymentTable:
    """All indicators of section 7, per year and per month, with one suppression pattern for both
    (the months' kronor add up to the year's, so they are protected together)."""
    if df.empty:
        return PaymentTable(pd.DataFrame(columns=list(_EMPTY_COLUMNS)), k)
    a = _arrays(df)
    cells = pd.concat([_cells(a.year, a), _cells(a.year * 100 + a.month, a)], ignore_index=True)
    with_annat = bool((a.gender == 2).any())
    templates = _templates(with_annat)
    keys = sorted({t[3] for t in templates} | {t[4] for t in templates})
    periods = np.unique(cells["period"].to_numpy())
    grid = pd.MultiIndex.from_product([periods, keys], names=["period", "key"])
    cells = cells.set_index(["period", "key"]).reindex(grid, fill_value=0).reset_index()
    cells["hidden"] = _suppress(cells["households"].to_numpy(dtype=np.int64), _relations(cells, with_annat), k)
    lookup = cells.set_index(["period", "key"])
    tmpl = pd.DataFrame(templates, columns=["indicator", "gender", "group", "ckey", "dkey"])
    rows = tmpl.merge(pd.DataFrame({"period": periods}), how="cross")
    c = lookup.reindex(pd.MultiIndex.from_arrays([rows["period"], rows["ckey"]]))
    d = lookup.reindex(pd.MultiIndex.from_arrays([rows["period"], rows["dkey"]]))
    cv, dv = c["value"].to_numpy(dtype=np.int64), d["value"].to_numpy(dtype=np.int64)
    kronor = rows["indicator"].isin(KRONOR_INDICATORS).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(dv > 0, cv / np.where(dv > 0, dv, 1), np.nan)
    ch, dh = c["hidden"].to_numpy(dtype=bool), d["hidden"].to_numpy(dtype=bool)
    out = pd.DataFrame({
        "indicator": rows["indicator"], "period": rows["period"],
        "year": np.where(rows["period"] >= 10_000, rows["period"] // 100, rows["period"]),
        "month": np.where(rows["period"] >= 10_000, rows["period"] % 100, 0),
        "group": rows["group"], "gender": rows["gender"],
        "count": pd.array(np.where(kronor, np.rint(cv / 100), cv).astype(np.int64), dtype="Int64"),
        "denominator": pd.array(np.where(kronor, np.rint(dv / 100), dv).astype(np.int64), dtype="Int64"),
        "share": share, "suppressed": ch, "share_suppressed": ch | dh, "perturbed": False,
    })
    out["count"] = out["count"].mask(ch)
    out["denominator"] = out["denominator"].mask(dh)
    out["share"] = out["share"].mask(ch | dh)
    order = {iid: i for i, iid in enumerate(INDICATORS)}
    out = out.sort_values(["period", "indicator"], key=lambda s: s.map(order) if s.name == "indicator" else s, kind="stable")
    return PaymentTable(out.reset_index(drop=True), k)


def records(t: PaymentTable, year: int, monthly: bool = False) -> list[dict[str, Any]]:
    """JSON rows as sections 5 and 7 of the data contract: indicator, year, gender, count,
    denominator, share, suppressed, perturbed, and ``group`` for the indicators broken down by
    household type; monthly rows also have ``month`` (``"2020-03"``)."""
    f = t.monthly(year) if monthly else t.annual(year)
    out: list[dict[str, Any]] = []
    for r in f.to_dict("records"):
        rec: dict[str, Any] = {
            "indicator": r["indicator"], "year": int(r["year"]), "gender": r["gender"],
            "count": None if pd.isna(r["count"]) else int(r["count"]),
            "denominator": None if pd.isna(r["denominator"]) else int(r["denominator"]),
            "share": None if pd.isna(r["share"]) else float(r["share"]),
            "suppressed": bool(r["suppressed"]), "perturbed": bool(r["perturbed"]),
        }
        if r["indicator"] in (BISTAND_HUSHALL, PAR_ANDEL_KR_KVINNOR, PAR_DELAD_UTBETALNING):
            rec["group"] = str(r["group"])
        if monthly:
            rec["month"] = period_label(int(r["period"]))
        out.append(rec)
    return out


def indicator_records(df: pd.DataFrame | None, year: int, k: int = DEFAULT_K) -> list[dict[str, Any]]:
    """The rows ``indicators --year Y`` adds when payment data exists (empty list otherwise)."""
    if df is None or df.empty:
        return []
    return records(table(df, k), year)
