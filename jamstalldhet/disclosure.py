"""Disclosure control (röjandekontroll): the one choke point of every published table.

Every table that leaves the screen, a file or the command line is a :class:`Published`,
and the only way to make one is :func:`protect`. Charts, exports and the command line
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
* ``k = 0`` (or 1) turns suppression off: that is the *internt läge*, marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from . import schema as S
from .indicators import indicator

DEFAULT_K: Final = 5
INTERNAL_MARK: Final = "Internt – får inte publiceras"
SUPPRESSION_NOTE: Final = ".. = färre än {k} personer, visas inte"


def is_internal(k: int) -> bool:
    """k ≤ 1 suppresses nothing on purpose: the internal view, not for publication."""
    return k <= 1


def note(k: int) -> str:
    """What every output says about its disclosure control at threshold ``k``."""
    return INTERNAL_MARK if is_internal(k) else SUPPRESSION_NOTE.format(k=k)


@dataclass(frozen=True)
class Published:
    """A disclosure-controlled indicator table; made only by :func:`protect`."""

    frame: pd.DataFrame
    k: int
    by: str | None = None

    @property
    def internal(self) -> bool:
        return is_internal(self.k)

    @property
    def note(self) -> str:
        return note(self.k)


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
    rels = _relations(c, partitioning)
    changed = True
    while changed:
        changed = False
        for rel in rels:
            idx = np.asarray(rel, dtype=np.int64)
            if hidden[idx].sum() != 1:
                continue
            free = idx[~hidden[idx]]
            if free.size == 0:
                continue
            vals = v[free]
            # smallest non-zero cell; zeros only when nothing else is left
            key = np.where(vals > 0, vals, np.iinfo(np.int64).max)
            pick = free[int(np.argmin(key))] if (vals > 0).any() else free[int(np.argmin(vals))]
            hidden[pick] = True
            changed = True
    return hidden


def protect(table: pd.DataFrame, k: int = DEFAULT_K, by: str | None = None) -> Published:
    """Apply primary and secondary suppression to an annotated indicator table.

    Suppressed values become missing (shown as ``..``); ``suppressed`` marks hidden
    counts and ``share_suppressed`` hidden shares.
    """
    out = table.copy().reset_index(drop=True)
    partitioning = by in S.PARTITIONING_DIMENSIONS
    n = len(out)
    count_hidden = np.zeros(n, dtype=bool)
    den_hidden = np.zeros(n, dtype=bool)
    if k > 1:
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
    return Published(out, k, by)
