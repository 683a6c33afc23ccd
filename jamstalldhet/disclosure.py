"""Disclosure control (röjandekontroll): the one choke point of every published table.

Every table that leaves the screen, a file or the command line is a :class:`Published`,
and the only way to make one is :func:`publish`. Charts, exports and the command line
accept nothing else, so a new output cannot forget suppression.

Method (section 4 of the data contract):

* **Primary suppression.** A count of 1..k−1 persons (default k = 5) is published as
  ``..``; so is everything computed from it: share, interval, gap, ratio, significance
  and 40/60. A rate's denominator is a count table of its own and is protected the same
  way; a share is hidden when its count or its denominator is.
* **Secondary suppression.** Each linear relation that a reader could use — within a
  group, women + men (+ annat/okänt) = totalt; and, for dimensions whose groups partition
  the persons (age group, background, education), the sum over groups = the total of
  each gender — must not contain exactly one suppressed cell. Where it does, the smallest
  non-zero published cell of that relation is suppressed too, and the check repeats until
  no relation has a single suppressed cell. This is the iterative "one relation at a
  time" heuristic of the hypercube method as described in Hundepool et al.,
  *Statistical Disclosure Control* (Wiley 2012), §4.4 and the τ-ARGUS manual; in a
  one-dimensional table it hides the fewest and smallest cells needed. No maintained
  Python library implements cell suppression for tables this small (sdcMicro and
  τ-ARGUS are R/Java), so it is written here, on the counts only.
* **Filtered tables** (any filter: sidebar, URL, ``--filter`` or a målområde's own selection of
  insatser) are protected by the cell-key method instead (:mod:`jamstalldhet.cellkey`): every
  count and denominator gets the small, consistent noise its persons' record keys give it;
  shares, intervals, gaps and 40/60 are computed from the perturbed counts; a perturbed count
  of 1..k−1 is shown as ``..``. Secondary suppression is not needed there: the totals are
  perturbed too, so subtracting them gives nothing exact. Unions of filter values that would let
  a user reach one small group by many routes (and average the noise away) are not offered in
  published mode: one value or all per dimension, or a målområde's fixed selection
  (:func:`filter_problem`).
* ``k = 0`` (or 1) turns suppression off: that is the *internt läge*, marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import cellkey
from . import schema as S
from .indicators import KEY_COLUMNS, indicator
from .settings import DEFAULT_K, MIN_K

__all__ = ["DEFAULT_K", "MIN_K", "Published", "publish", "secondary", "suppression_pattern", "filter_problem",
           "check_k", "note"]

INTERNAL_MARK: Final = "Internt – får inte publiceras"
SUPPRESSION_NOTE: Final = ".. = färre än {k} personer, visas inte"
PERTURBATION_NOTE: Final = (
    "Filtrerad tabell: värdena har ett litet slumpmässigt brus (högst ±{d}) som skyddar enskilda personer"
)


def is_internal(k: int) -> bool:
    """k ≤ 1 suppresses nothing on purpose: the internal view, not for publication."""
    return k <= 1


def note(k: int, perturbed: bool = False) -> str:
    """What every output says about its disclosure control at threshold ``k``."""
    if is_internal(k):
        return INTERNAL_MARK
    base = SUPPRESSION_NOTE.format(k=k)
    return f"{perturbation_note()}. {base}" if perturbed else base


INTERNAL_FILE_MARK: Final = "_INTERNT"


def file_name(stem: str, internal: bool) -> str:
    """A file's name without extension: internal files end in ``_INTERNT`` (the one rule for it)."""
    return stem + (INTERNAL_FILE_MARK if internal else "")


def perturbation_note() -> str:
    """The one line every filtered (perturbed) table carries, on screen and in files."""
    return PERTURBATION_NOTE.format(d=cellkey.MAX_NOISE)


def method_text(k: int) -> str:
    """The published parameters of the cell-key method, in Swedish (README, report's "Om siffrorna")."""
    return (
        "Filtrerade tabeller (ett urval av insatser, åldersgrupp, bakgrund eller utbildningsnivå, även ett målområdes "
        "egna insatser) skyddas med cellnyckelmetoden, som SCB, ABS och Destatis använder för tabeller som användaren "
        "själv väljer: varje person har en hemlig, fast slumptalsnyckel, och varje cell får ett litet brus som bestäms av "
        f"nycklarna hos just de personer som ingår i den. Bruset är högst ±{cellkey.MAX_NOISE}, i medeltal 0 och har "
        f"variansen {cellkey.VARIANCE:g}; ett tomt fält förblir 0, ett antal mellan 1 och {k - 1} visas aldrig "
        f"som det är, och ett brusat antal under {k} visas som ”..”. Samma personer får alltid samma brus, i varje vy "
        "och fil, så att det inte går att räkna bort bruset genom att fråga igen. Andelar, intervall och skillnader "
        "räknas från de brusade talen. Ofiltrerade tabeller (hela året och en uppdelning i taget) visar exakta tal. "
        "I publicerat läge kan man välja ett värde eller alla per filter (eller målområdets insatser), så att samma "
        "lilla grupp inte kan nås på många olika vägar."
    )


def check_k(k: int) -> str | None:
    """Why ``k`` cannot be used (Swedish), or None: 0 is the internal view, else at least 3."""
    if k == 0 or k >= MIN_K:
        return None
    return (f"Gränsen för röjandekontroll måste vara minst {MIN_K} (eller 0 för internt läge, som inte får "
            f"publiceras); {k} är inte tillåtet.")


def filter_problem(filters: dict[str, list[str]], fixed: list[tuple[str, ...]] | None = None) -> str | None:
    """Why a filter cannot be shown in published mode (Swedish), or None when it can.

    Published mode offers, per dimension, all values, one value, or one of the fixed selections
    of the catalogue (a målområde's insatser). Free unions would let a user reach the same small
    group by many routes ("A+B minus B", "A+C minus C", …) and average the noise away.
    """
    allowed = {tuple(sorted(sel)) for sel in (fixed or [])}
    for dim, values in filters.items():
        chosen = tuple(sorted(set(values)))
        if len(chosen) <= 1 or (dim == S.INSATS and chosen in allowed):
            continue
        return (f"Filtret {dim} = {', '.join(chosen)} kan bara visas i internt läge: i publicerade tabeller "
                "väljs ett värde eller alla (eller ett målområdes egna insatser), så att samma lilla grupp inte kan "
                "nås på många vägar.")
    return None


@dataclass(frozen=True)
class Published:
    """A disclosure-controlled indicator table; made only by :func:`publish`."""

    frame: pd.DataFrame
    k: int
    by: str | None = None
    #: a filtered table whose counts carry cell-key noise (section 4 of the data contract)
    perturbed: bool = False

    @property
    def internal(self) -> bool:
        return is_internal(self.k)

    @property
    def note(self) -> str:
        return note(self.k, self.perturbed)


def _relations(cells: pd.DataFrame, partitioning: bool) -> list[list[int]]:
    """Index lists of cells that form one additive relation (the total last)."""
    rels: list[list[int]] = []
    for _, grp in cells.groupby("group", sort=False):
        total = grp.index[grp["gender"] == S.TOTALT]
        parts = grp.index[grp["gender"] != S.TOTALT]
        rels.append([*parts, *total])
    if partitioning:
        groups = cells[cells["group"] != S.TOTALT]
        totals = cells[cells["group"] == S.TOTALT]
        pos_of = dict(zip(totals["gender"], totals["_pos"], strict=True))
        for gender, grp in groups.groupby("gender", sort=False):
            rels.append([*grp.index, int(pos_of[gender])])
    return rels


def secondary(values: npt.NDArray[np.int64], hidden: npt.NDArray[np.bool_],
              relations: list[tuple[npt.NDArray[np.int64], int]]) -> npt.NDArray[np.bool_]:
    """Secondary suppression, the one loop for every kind of table (counts, magnitudes, payments).

    ``relations`` are (positions of the cells of one additive relation, how many of them must be
    hidden if any is: 2 for a plain sum; more where several equations share the unknowns). While
    a relation holds some but too few hidden cells, its smallest non-zero free cell is hidden too
    (a zero only when nothing else is left), until every relation is safe: the iterative "one
    relation at a time" heuristic of the hypercube method (Hundepool et al. 2012, §4.4).
    """
    out = hidden.copy()
    changed = bool(out.any())
    while changed:
        changed = False
        for idx, need in relations:
            h = int(out[idx].sum())
            if h == 0 or h >= need:
                continue
            free = idx[~out[idx]]
            if free.size == 0:
                continue
            vals = values[free]
            pick = int(np.argmin(np.where(vals > 0, vals, np.iinfo(np.int64).max))) if (vals > 0).any() else int(np.argmin(vals))
            out[free[pick]] = True
            changed = True
    return out


def suppression_pattern(values: pd.Series, cells: pd.DataFrame, k: int, partitioning: bool) -> np.ndarray:
    """Which cells to hide: primary (1..k−1) then secondary until every relation is safe.

    ``cells`` has ``group`` and ``gender`` columns aligned with ``values``.
    """
    v = values.to_numpy(dtype=np.int64)
    hidden = (v >= 1) & (v < k)
    if not hidden.any():
        return hidden
    c = cells[["group", "gender"]].reset_index(drop=True)
    c["_pos"] = np.arange(len(c))
    rels = [(np.asarray(rel, dtype=np.int64), 2) for rel in _relations(c, partitioning)]
    return secondary(v, hidden, rels)


def publish(raw: pd.DataFrame, k: int = DEFAULT_K, by: str | None = None, filtered: bool = False) -> Published:
    """The one way from :func:`indicators.compute`'s counts to a publishable table.

    Standard tables (``filtered=False``): exact counts, statistics, then primary and secondary
    suppression. Filtered tables: cell-key noise on every count first, statistics from the
    perturbed counts, then primary suppression of what still lies in 1..k−1. Internal mode
    (``k`` ≤ 1): exact, nothing hidden. The record-key sums never leave this function.
    """
    from . import stats

    problem = check_k(k) if k > 1 else None
    if problem:
        raise ValueError(problem)
    table = raw.reset_index(drop=True)
    perturbed = filtered and not is_internal(k)
    if perturbed:
        table = table.copy()
        count = cellkey.perturb(table["count"], table["count_keysum"], k)
        den = cellkey.perturb(table["denominator"], table["denominator_keysum"], k)
        is_rate = table["indicator"].map(lambda i: indicator(str(i)).kind == "rate").to_numpy(dtype=bool)
        # a rate's numerator is a subset of its denominator: never publish more than all
        table["count"] = np.where(is_rate, np.minimum(count, den), count)
        table["denominator"] = den
    table = table.drop(columns=[c for c in KEY_COLUMNS if c in table])
    return _suppress(stats.annotate(table), k, by, perturbed)


def _suppress(table: pd.DataFrame, k: int, by: str | None, perturbed: bool) -> Published:
    """Suppressed values become missing (shown as ``..``); ``suppressed`` marks hidden
    counts and ``share_suppressed`` hidden shares. A perturbed table hides its perturbed
    counts of 1..k−1 (no secondary suppression: its totals carry noise of their own).
    """
    out = table.copy().reset_index(drop=True)
    partitioning = by in S.PARTITIONING_DIMENSIONS
    n = len(out)
    count_hidden = np.zeros(n, dtype=bool)
    den_hidden = np.zeros(n, dtype=bool)
    if perturbed:
        small = (out["count"] >= 1) & (out["count"] < k)
        count_hidden = small.to_numpy(dtype=bool)
        den = out["denominator"]
        den_hidden = ((den >= 1) & (den < k)).to_numpy(dtype=bool)
    elif k > 1:
        for ind_id, rows in out.groupby("indicator", sort=False):
            pos = rows.index.to_numpy()
            count_hidden[pos] = suppression_pattern(rows["count"], rows, k, partitioning)
            if indicator(str(ind_id)).kind == "count":
                # the denominator of a gender distribution is the group's Totalt
                is_total = (rows["gender"] == S.TOTALT).to_numpy()
                total_hidden = dict(zip(rows["group"][is_total], count_hidden[pos][is_total], strict=True))
                den_hidden[pos] = rows["group"].map(total_hidden).to_numpy(dtype=bool)
            else:
                den_hidden[pos] = suppression_pattern(rows["denominator"], rows, k, partitioning)
    share_hidden = count_hidden | den_hidden
    out["suppressed"] = count_hidden
    out["share_suppressed"] = share_hidden
    out["count"] = out["count"].astype("Int64").mask(count_hidden)
    out["denominator"] = out["denominator"].astype("Int64").mask(den_hidden)
    for col in ("share", "ci_low", "ci_high"):
        if col in out:
            out[col] = out[col].mask(share_hidden)
    if "gap_pp" in out:
        # a comparison is hidden when the share of women or of men is
        pair_hidden = (
            out.assign(_h=share_hidden & out["gender"].isin([S.KVINNOR, S.MAN_PLURAL]))
            .groupby(["indicator", "group"], sort=False)["_h"].transform("any").to_numpy(dtype=bool)
        )
        for col in ("gap_pp", "ratio", "p_value"):
            out[col] = out[col].mask(pair_hidden)
        out["test"] = out["test"].mask(pair_hidden, "")
        out["significant"] = out["significant"].mask(pair_hidden)
        count_pair_hidden = (
            out.assign(_h=count_hidden)
            .groupby(["indicator", "group"], sort=False)["_h"].transform("any").to_numpy(dtype=bool)
        )
        out["even"] = out["even"].mask(count_pair_hidden)
    return Published(out, k, by, perturbed)
