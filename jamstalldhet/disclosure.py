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

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from . import cellkey
from . import schema as S
from .columnar import Columns, columns_of, frame_of, length, masked
from .indicators import KEY_COLUMNS, indicator, pairs
from .settings import DEFAULT_K, MIN_K

if TYPE_CHECKING:
    import pandas as pd

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


class Published:
    """A disclosure-controlled indicator table; made only by :func:`publish`.

    Its values are numpy columns (:attr:`columns`, :mod:`jamstalldhet.columnar`); :attr:`frame`
    is the same table as a pandas frame, made the first time a page or a file asks for it."""

    def __init__(self, data: Columns | pd.DataFrame, k: int, by: str | None = None, perturbed: bool = False) -> None:
        self._columns: Columns | None = data if isinstance(data, dict) else None
        self._frame: pd.DataFrame | None = None if isinstance(data, dict) else data
        self.k = k
        self.by = by
        #: a filtered table whose counts carry cell-key noise (section 4 of the data contract)
        self.perturbed = perturbed

    @property
    def columns(self) -> Columns:
        if self._columns is None:
            assert self._frame is not None
            self._columns = columns_of(self._frame)
        return self._columns

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            assert self._columns is not None
            self._frame = frame_of(self._columns)
        return self._frame

    @property
    def internal(self) -> bool:
        return is_internal(self.k)

    @property
    def note(self) -> str:
        return note(self.k, self.perturbed)

    def __repr__(self) -> str:
        return f"Published(k={self.k}, by={self.by!r}, perturbed={self.perturbed}, rows={length(self.columns)})"


def _relations(group: npt.NDArray[np.object_], gender: npt.NDArray[np.object_], partitioning: bool) -> list[list[int]]:
    """Position lists of cells that form one additive relation (the total last): within each group
    (in order of appearance) its genders and its Totalt; for partitioning dimensions, each gender
    over the groups and the gender's Totalt row."""
    rels: list[list[int]] = []
    is_total = gender == S.TOTALT
    for g in dict.fromkeys(group.tolist()):
        in_group = group == g
        rels.append([*np.flatnonzero(in_group & ~is_total).tolist(), *np.flatnonzero(in_group & is_total).tolist()])
    if partitioning:
        in_groups = group != S.TOTALT
        pos_of = {str(gender[i]): int(i) for i in np.flatnonzero(~in_groups)}
        for gen in dict.fromkeys(gender[in_groups].tolist()):
            rels.append([*np.flatnonzero(in_groups & (gender == gen)).tolist(), pos_of[gen]])
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


def suppression_pattern(values: npt.ArrayLike, cells: Any, k: int, partitioning: bool) -> npt.NDArray[np.bool_]:
    """Which cells to hide: primary (1..k−1) then secondary until every relation is safe.

    ``cells`` has ``group`` and ``gender`` columns (a frame or :data:`~jamstalldhet.columnar.Columns`)
    aligned with ``values``.
    """
    v = np.asarray(values, dtype=np.int64)
    hidden: npt.NDArray[np.bool_] = (v >= 1) & (v < k)
    if not hidden.any():
        return hidden
    group = np.asarray(cells["group"], dtype=object)
    gender = np.asarray(cells["gender"], dtype=object)
    rels = [(np.asarray(rel, dtype=np.int64), 2) for rel in _relations(group, gender, partitioning)]
    return secondary(v, hidden, rels)


def publish(raw: Columns | pd.DataFrame, k: int = DEFAULT_K, by: str | None = None, filtered: bool = False) -> Published:
    """The one way from :func:`indicators.counts`'s counts to a publishable table.

    Standard tables (``filtered=False``): exact counts, statistics, then primary and secondary
    suppression. Filtered tables: cell-key noise on every count first, statistics from the
    perturbed counts, then primary suppression of what still lies in 1..k−1. Internal mode
    (``k`` ≤ 1): exact, nothing hidden. The record-key sums never leave this function.
    """
    from . import stats

    problem = check_k(k) if k > 1 else None
    if problem:
        raise ValueError(problem)
    table = dict(raw) if isinstance(raw, dict) else columns_of(raw)
    perturbed = filtered and not is_internal(k)
    if perturbed:
        count = cellkey.perturb(table["count"], table["count_keysum"], k)
        den = cellkey.perturb(table["denominator"], table["denominator_keysum"], k)
        is_rate = np.array([indicator(str(i)).kind == "rate" for i in table["indicator"]], dtype=bool)
        # a rate's numerator is a subset of its denominator: never publish more than all
        table["count"] = np.where(is_rate, np.minimum(count, den), count)
        table["denominator"] = den
    for col in KEY_COLUMNS:
        table.pop(col, None)
    return _suppress(stats.annotate_columns(table), k, by, perturbed)


def _any_in_pair(table: Columns, flags: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """For every row: whether any row of its (indicator, group) has ``flags``."""
    pair, n_pairs = pairs(table)
    hit = np.bincount(pair, weights=flags.astype(np.float64), minlength=n_pairs) > 0
    out: npt.NDArray[np.bool_] = hit[pair]
    return out


def _suppress(table: Columns, k: int, by: str | None, perturbed: bool) -> Published:
    """Suppressed values become missing (shown as ``..``); ``suppressed`` marks hidden
    counts and ``share_suppressed`` hidden shares. A perturbed table hides its perturbed
    counts of 1..k−1 (no secondary suppression: its totals carry noise of their own).
    """
    out = dict(table)
    partitioning = by in S.PARTITIONING_DIMENSIONS
    n = length(out)
    count = np.asarray(out["count"], dtype=np.int64)
    den = np.asarray(out["denominator"], dtype=np.int64)
    count_hidden = np.zeros(n, dtype=bool)
    den_hidden = np.zeros(n, dtype=bool)
    if perturbed:
        count_hidden = (count >= 1) & (count < k)
        den_hidden = (den >= 1) & (den < k)
    elif k > 1:
        ids = out["indicator"]
        for ind_id in dict.fromkeys(ids.tolist()):
            pos = np.flatnonzero(ids == ind_id)
            cells = {"group": out["group"][pos], "gender": out["gender"][pos]}
            count_hidden[pos] = suppression_pattern(count[pos], cells, k, partitioning)
            if indicator(str(ind_id)).kind == "count":
                # the denominator of a gender distribution is the group's Totalt
                is_total = cells["gender"] == S.TOTALT
                total_hidden = dict(zip(cells["group"][is_total].tolist(), count_hidden[pos][is_total].tolist(), strict=True))
                den_hidden[pos] = [total_hidden[g] for g in cells["group"].tolist()]
            else:
                den_hidden[pos] = suppression_pattern(den[pos], cells, k, partitioning)
    share_hidden = count_hidden | den_hidden
    out["count"] = masked(count, count_hidden)
    out["denominator"] = masked(den, den_hidden)
    for col in ("share", "ci_low", "ci_high"):
        if col in out:
            out[col] = np.where(share_hidden, np.nan, out[col])
    if "gap_pp" in out:
        # a comparison is hidden when the share of women or of men is
        pair_hidden = _any_in_pair(out, share_hidden & np.isin(out["gender"], [S.KVINNOR, S.MAN_PLURAL]))
        for col in ("gap_pp", "ratio", "p_value"):
            out[col] = np.where(pair_hidden, np.nan, out[col])
        out["test"] = np.where(pair_hidden, "", out["test"]).astype(object)
        sig = out["significant"]
        out["significant"] = masked(sig.data, np.ma.getmaskarray(sig) | pair_hidden)
        even = out["even"]
        out["even"] = masked(even.data, np.ma.getmaskarray(even) | _any_in_pair(out, count_hidden))
    out["suppressed"] = count_hidden
    out["share_suppressed"] = share_hidden
    return Published(out, k, by, perturbed)
