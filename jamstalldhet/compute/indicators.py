"""The indicator definitions of section 2 of the data contract, computed from records.

All counts are of distinct persons. A breakdown counts a person once in every group
they belong to in the year: the unit of counting is the pair (person, group), encoded
as ``person * n_groups + group`` and marked in one boolean array, so that each
indicator is a scatter and a ``numpy.bincount``, never a Python loop over rows.

>>> from jamstalldhet.intake import demo
>>> table = compute(prepare(demo.demo_frame()), 2018)
>>> int(table.query("indicator == 'deltagare' and gender == 'Kvinnor'")["count"].iloc[0])
993

:func:`counts` gives the same table as numpy columns (:mod:`jamstalldhet.base.columnar`), which is
what the disclosure control and the command line work on; :func:`compute` is its pandas frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
import numpy.typing as npt

from ..base import schema as S
from ..base.columnar import Columns, text
from ..intake.records import Prepared, group_codes, prepare, year_bounds

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["INDICATORS", "Indicator", "compute", "counts", "prepare", "indicator"]

Kind = Literal["count", "rate"]


@dataclass(frozen=True)
class Indicator:
    id: str
    kind: Kind
    #: for rates: the indicator whose persons form the denominator
    base: str | None = None


INDICATORS: Final = (
    Indicator("deltagare", "count"),
    Indicator("anvisade", "count"),
    Indicator("avslutade", "count"),
    Indicator("avslut_arbete", "rate", "avslutade"),
    Indicator("avslut_studier", "rate", "avslutade"),
    Indicator("avslut_arbetsmarknadsanstallning", "rate", "avslutade"),
    Indicator("avslut_ohalsa", "rate", "avslutade"),
    Indicator("avslut_annat", "rate", "avslutade"),
    Indicator("fragat_om_vald", "rate", "deltagare"),
    Indicator("uppgett_vald", "rate", "fragat_om_vald"),
)
_BY_ID: Final = {i.id: i for i in INDICATORS}
OUTCOME_OF: Final = {
    "avslut_arbete": S.ARBETE,
    "avslut_studier": S.STUDIER,
    "avslut_arbetsmarknadsanstallning": S.ARBETSMARKNADSANSTALLNING,
    "avslut_ohalsa": S.OHALSA,
    "avslut_annat": S.ANNAT_UTFALL,
}


def indicator(indicator_id: str) -> Indicator:
    """The definition of one indicator; ``KeyError`` for an unknown id."""
    return _BY_ID[indicator_id]


Bool = npt.NDArray[np.bool_]
#: shape (n_groups, 3, 2): groups x gender codes x (persons, sum of their record keys)
Counts = npt.NDArray[np.int64]


class PersonCounter:
    """Marks (person, group) pairs and counts them by group and gender."""

    def __init__(self, prep: Prepared, group: npt.NDArray[np.int16] | None, n_groups: int):
        self.prep = prep
        self.g = n_groups
        self.key = (
            prep.person.astype(np.int64)
            if group is None
            else prep.person.astype(np.int64) * n_groups + group.astype(np.int64)
        )

    def mark(self, rows: Bool) -> Bool:
        flags = np.zeros(self.prep.n_persons * self.g, dtype=bool)
        flags[self.key[rows]] = True
        return flags

    def count(self, flags: Bool) -> Counts:
        """Persons per group and gender, and the sum of their record keys (the cell key's source)."""
        nz = np.flatnonzero(flags)
        person = nz // self.g
        gender = self.prep.person_gender[person].astype(np.int64)
        cell = (nz % self.g) * 3 + gender
        counts = np.bincount(cell, minlength=self.g * 3)
        keys = self.prep.person_key
        # record keys are integers below 2**24: float sums stay exact far beyond any register size
        key_sums = (np.bincount(cell, weights=keys[person], minlength=self.g * 3).astype(np.int64)
                    if keys.size else np.zeros(self.g * 3, dtype=np.int64))
        return np.stack([counts, key_sums], axis=-1).reshape(self.g, 3, 2)

    def latest_row(self, rows: Bool) -> npt.NDArray[np.int64]:
        """The record of the latest ending per pair among ``rows`` (ties: the last row); -1 = none."""
        idx = np.flatnonzero(rows)
        out = np.full(self.prep.n_persons * self.g, -1, dtype=np.int64)
        if idx.size == 0:
            return out
        keys = self.key[idx]
        order = np.lexsort((idx, self.prep.end[idx], keys))
        k_sorted = keys[order]
        last = np.ones(k_sorted.size, dtype=bool)
        last[:-1] = k_sorted[1:] != k_sorted[:-1]
        out[k_sorted[last]] = idx[order[last]]
        return out

    def latest_outcome(self, rows: Bool) -> npt.NDArray[np.int8]:
        """Outcome of the latest ending per pair among ``rows`` (ties: the last row); -1 = none."""
        row = self.latest_row(rows)
        if self.prep.outcome.size == 0:
            return np.full(row.size, -1, dtype=np.int8)
        out: npt.NDArray[np.int8] = np.where(row >= 0, self.prep.outcome[np.maximum(row, 0)], -1).astype(np.int8)
        return out


def _count_all(prep: Prepared, year: int, group: npt.NDArray[np.int16] | None, n_groups: int) -> dict[str, tuple[Counts, Counts | None]]:
    """(numerator, denominator) counts per indicator, each of shape (n_groups, 3)."""
    lo, hi = year_bounds(year)
    c = PersonCounter(prep, group, n_groups)
    active = (prep.start <= hi) & (prep.end >= lo)
    ended = (prep.end >= lo) & (prep.end <= hi)
    referred = (prep.referred >= lo) & (prep.referred <= hi)

    deltagare = c.mark(active)
    avslutade = c.mark(ended)
    out: dict[str, tuple[Counts, Counts | None]] = {
        "deltagare": (c.count(deltagare), None),
        "anvisade": (c.count(c.mark(referred)), None),
    }
    n_avslutade = c.count(avslutade)
    out["avslutade"] = (n_avslutade, None)
    outcome = c.latest_outcome(ended)
    for ind_id, name in OUTCOME_OF.items():
        out[ind_id] = (c.count(outcome == S.OUTCOMES.index(name)), n_avslutade)
    # violence screening: a person is asked if any active record says so; known if any says
    known = c.mark(active & (prep.asked >= 0))
    asked = c.mark(active & (prep.asked == 1))
    disclosed = c.mark(active & (prep.disclosed == 1)) & asked
    n_asked = c.count(asked)
    out["fragat_om_vald"] = (n_asked, c.count(known & deltagare))
    out["uppgett_vald"] = (c.count(disclosed), n_asked)
    return out


COLUMNS: Final = ("indicator", "year", "group", "gender", "count", "denominator")
#: sums of the record keys of the persons behind ``count`` and ``denominator`` (cell-key method);
#: they never leave the server: disclosure drops them from every published table
KEY_COLUMNS: Final = ("count_keysum", "denominator_keysum")


def pairs(table: Columns) -> tuple[npt.NDArray[np.int64], int]:
    """Each row's (indicator, group) as a code, in order of first appearance, and how many there
    are: the rows whose women and men the statistics compare and the disclosure control hides together."""
    code_of: dict[tuple[str, str], int] = {}
    codes = np.array([code_of.setdefault((i, g), len(code_of)) for i, g in zip(table["indicator"], table["group"], strict=True)],
                     dtype=np.int64)
    return codes, len(code_of)


def compute(prep: Prepared, year: int, by: str | None = None) -> pd.DataFrame:
    """:func:`counts` as a pandas frame (for the pages, the tests and anyone reading a frame)."""
    from ..base.columnar import frame_of

    return frame_of(counts(prep, year, by))


def counts(prep: Prepared, year: int, by: str | None = None) -> Columns:
    """Every indicator for ``year``, by gender (and by the groups of ``by`` plus ``Totalt``).

    Returns a long table with the columns :data:`COLUMNS`: one row per indicator,
    group and gender group (women first, ``Annat/okänt`` only where such persons exist,
    then ``Totalt``). ``denominator`` is, for counts, the group's Totalt (so that the
    share is the gender distribution) and, for rates, the base population of the same
    gender. Values are unsuppressed: publish only through :mod:`jamstalldhet.disclosure.control`.
    The :data:`KEY_COLUMNS` hold the sums of the persons' record keys behind each value.
    """
    total = _count_all(prep, year, None, 1)
    parts: list[tuple[str, dict[str, tuple[Counts, Counts | None]]]] = []
    if by is not None:
        codes, labels = group_codes(prep, by, year)
        grouped = _count_all(prep, year, codes, len(labels))
        # keep groups with any person in them this year
        present = sum(grouped[i][0][:, :, 0].sum(axis=1) for i in ("deltagare", "anvisade", "avslutade")) > 0
        for gi, label in enumerate(labels):
            if present[gi]:
                parts.append((label, {k: (n[gi : gi + 1], None if d is None else d[gi : gi + 1]) for k, (n, d) in grouped.items()}))
    parts.append((S.TOTALT, total))

    base_sum = sum(total[i][0][0][:, 0] for i in ("deltagare", "anvisade", "avslutade"))
    genders = [0, 1] + ([2] if base_sum[2] > 0 else [])
    rows: list[tuple[str, str, str, int, int, int, int]] = []
    for group_label, counted in parts:
        for ind in INDICATORS:
            num, den = counted[ind.id]
            n = num[0]
            d = n.sum(axis=0) if den is None else den[0]  # a count's denominator: the group's Totalt
            tot_n = n.sum(axis=0)
            tot_d = tot_n if den is None else d.sum(axis=0)
            for gcode in genders:
                dd = d if den is None else d[gcode]
                rows.append((ind.id, group_label, S.GENDER_GROUPS[gcode], int(n[gcode][0]), int(dd[0]),
                             int(n[gcode][1]), int(dd[1])))
            rows.append((ind.id, group_label, S.TOTALT, int(tot_n[0]), int(tot_d[0]), int(tot_n[1]), int(tot_d[1])))
    ids, groups, gender_labels, *numbers = zip(*rows, strict=True) if rows else ((),) * 7
    cols: Columns = {"indicator": text(ids), "year": np.full(len(rows), year, dtype=np.int64),
                     "group": text(groups), "gender": text(gender_labels)}
    for name, values in zip(("count", "denominator", *KEY_COLUMNS), numbers, strict=True):
        cols[name] = np.array(values, dtype=np.int64)
    return cols
