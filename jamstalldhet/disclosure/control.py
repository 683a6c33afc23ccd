"""Disclosure control (röjandekontroll): the one choke point of every published table.

Every table that leaves the screen, a file or the command line is a :class:`Published`,
and the only way to make one is :func:`publish`. Charts, exports and the command line
accept nothing else, so a new output cannot forget the protection.

Method (section 4 of the data contract): **one method for everything published**, the cell-key
method (:mod:`jamstalldhet.disclosure.cellkey`), as ABS TableBuilder and SCB's population statistics use it.

* **Every count is perturbed**: the year's standard table, its breakdowns, totals, a målområde's
  selection of insatser, filtered views, trends, the report and the command line alike. Every
  count and denominator gets the small noise its persons' record keys give it (|noise| ≤ D = 3;
  the same persons always get the same noise, so reaching one group of persons by another route
  tells nothing new).
* **A perturbed count below k (k = 5) is shown as ``..``**, zero included: a published table never
  shows 0, so a ``..`` never proves that anybody is there, and splitting a small group by another
  dimension does not count its members (a shown 0 beside ``..`` parts would). Everything computed
  from a hidden count is hidden with it: share, interval, gap, ratio, significance and 40/60.
* **Shares, intervals, gaps, ratios, significance and 40/60 come from the perturbed counts**, the
  ones shown in the same table, so a reader who divides gets the table's share.
* **No secondary suppression chosen by size**: nothing deterministic that reads an exact value is
  left to replay. Totals carry noise of their own, so tables need not add up (each says so).
* **A total is hidden with its parts**: a group's Totalt is ``..`` where any of its genders is, so
  that Totalt minus the shown gender does not estimate the hidden one (within the noise of two
  cells, it would). The rule reads only what is shown; the same persons get the same number on
  every route, since their gender cells are the same persons too. A hidden finding of women is
  never hidden to protect the men: their total is hidden instead.
* **Which rows a table lists is decided on perturbed counts**: a group (of ``by``) or the
  ``Annat/okänt`` gender is listed only where some perturbed count of it is shown, so a listed row
  proves nothing an ``..`` would not.
* **Filters**: unions of filter values that would let a user reach one small group by many routes
  (and average their independent noise away) are not offered in published mode: one value or all
  per dimension, or a målområde's fixed selection (:func:`filter_problem`).
* ``k = 0`` (or 1) is the *internt läge*: exact, nothing hidden, marked as such. Published mode
  refuses any other k below :data:`MIN_K` (5).

History: waves 1–2 published exact *standard tables* with primary and secondary suppression beside
perturbed filtered tables. An attacker who knew the method pinned the exact table's ``..`` cells
with their noisy filtered twins and the table's exact sums, and replayed the deterministic
suppression rule to choose between what was left (issue 24); ``tests/test_attack.py`` repeats that
attack, with a Bayesian posterior, against what is published now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from ..base import schema as S
from ..base.columnar import Columns, columns_of, frame_of, length, masked
from ..base.settings import DEFAULT_K, MIN_K
from ..compute.indicators import KEY_COLUMNS, indicator, pairs
from . import cellkey

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_K", "MIN_K", "Published", "publish", "secondary", "filter_problem", "check_k", "note",
           "perturb_counts", "shown_rows", "annat_listed"]

INTERNAL_MARK: Final = "Internt – får inte publiceras"
SUPPRESSION_NOTE: Final = ".. = färre än {k} personer, visas inte"
PERTURBATION_NOTE: Final = (
    "Talen är justerade med ett litet slumpmässigt tal (högst ±{d}) för att skydda enskilda personer, "
    "så summan av delarna kan skilja sig från totalt med några personer"
)


def is_internal(k: int) -> bool:
    """k ≤ 1 suppresses nothing on purpose: the internal view, not for publication."""
    return k <= 1


def note(k: int, perturbed: bool = True) -> str:
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
    """The one line every published (perturbed) table carries, on screen and in files."""
    return PERTURBATION_NOTE.format(d=cellkey.MAX_NOISE)


def row_mark() -> str:
    """What each row of a published file says of its figures (the file's note says the rest)."""
    return f"Brusat tal (högst ±{cellkey.MAX_NOISE})"


def method_text(k: int) -> str:
    """The published parameters of the cell-key method, in Swedish (README, report's "Om siffrorna")."""
    return (
        "Alla publicerade tal skyddas med cellnyckelmetoden, som SCB, ABS och Destatis använder: varje person har en "
        "hemlig, fast slumptalsnyckel, och varje tal i en tabell får ett litet brus som bestäms av nycklarna hos just de "
        f"personer som ingår i det. Bruset är högst ±{cellkey.MAX_NOISE}, i medeltal 0 och har variansen "
        f"{cellkey.VARIANCE:g}; ett antal mellan 1 och {k - 1} behåller aldrig sitt värde, och ett brusat antal under "
        f"{k} visas som ”..” (även 0, så att ”..” aldrig avslöjar om någon finns i en grupp). Samma personer får alltid "
        "samma brus, i varje vy och fil, så att det inte går att räkna bort bruset genom att fråga igen. Andelar, "
        "intervall, skillnader och 40/60 räknas från de brusade talen som står i samma tabell. Eftersom varje tal har "
        "sitt eget brus kan summan av kvinnor och män, eller av grupperna, skilja sig från totalt med några personer. "
        "I publicerat läge kan man välja ett värde eller alla per filter (eller målområdets insatser), så att samma "
        "lilla grupp inte kan nås på många olika vägar. Internt läge visar exakta tal och får inte publiceras."
    )


def check_k(k: int) -> str | None:
    """Why ``k`` cannot be used (Swedish), or None: 0 is the internal view, else at least :data:`MIN_K`."""
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

    Its values are numpy columns (:attr:`columns`, :mod:`jamstalldhet.base.columnar`); :attr:`frame`
    is the same table as a pandas frame, made the first time a page or a file asks for it."""

    def __init__(self, data: Columns | pd.DataFrame, k: int, by: str | None = None, perturbed: bool = False,
                 year: int | None = None) -> None:
        self._columns: Columns | None = data if isinstance(data, dict) else None
        self._frame: pd.DataFrame | None = None if isinstance(data, dict) else data
        self.k = k
        self.by = by
        #: a published table, whose counts carry cell-key noise (section 4 of the data contract)
        self.perturbed = perturbed
        #: the year the table counts (None: not said, as for a table built by hand)
        self.year = year

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


def perturb_counts(counts: npt.ArrayLike, key_sums: npt.ArrayLike, k: int) -> np.ma.MaskedArray[Any, Any]:
    """Counts as published at threshold ``k``: perturbed by their cells' keys, and missing (shown as
    ``..``) where the perturbed count is below ``k``, zero included. Exact in internal mode.

    The one rule for a published count, used by every table (indicators, resources, Kolada).
    """
    c = np.asarray(counts, dtype=np.int64)
    if is_internal(k):
        return masked(c, np.zeros(c.shape, dtype=bool))
    pert = cellkey.perturb(c, key_sums, k)
    return masked(pert, pert < k)


def annat_listed(group: npt.NDArray[np.object_], gender: npt.NDArray[np.object_], shown: npt.NDArray[np.bool_]) -> bool:
    """Whether a published table lists the ``Annat/okänt`` gender: only where some count of it in the
    Totalt group is shown (decided on perturbed counts, so that listing it proves nothing)."""
    return bool(shown[(gender == S.ANNAT_OKANT) & (group == S.TOTALT)].any())


def shown_rows(group: npt.NDArray[np.object_], gender: npt.NDArray[np.object_],
               shown: npt.NDArray[np.bool_], by: str | None) -> npt.NDArray[np.bool_]:
    """Which rows a published table lists, decided on what it shows: a group of ``by`` and the
    ``Annat/okänt`` gender only where some count of theirs is shown (not ``..``), so that a listed
    row proves nothing that a ``..`` would not (a row listed because its exact count is above 0
    would prove that a tiny group exists)."""
    keep = np.ones(len(group), dtype=bool)
    if not annat_listed(group, gender, shown):
        keep &= gender != S.ANNAT_OKANT
    if by is not None:
        for g in dict.fromkeys(group[group != S.TOTALT].tolist()):
            rows = group == g
            if not shown[rows].any():
                keep &= ~rows
    return keep


def publish(raw: Columns | pd.DataFrame, k: int = DEFAULT_K, by: str | None = None, year: int | None = None) -> Published:
    """The one way from :func:`indicators.counts`'s counts to a publishable table.

    Published mode: cell-key noise on every count and denominator, statistics from the perturbed
    counts, ``..`` for every perturbed count below ``k``, and the rows that show nothing dropped.
    Internal mode (``k`` ≤ 1): exact, nothing hidden. The record-key sums never leave this function.
    """
    from ..compute import stats

    problem = check_k(k) if k > 1 else None
    if problem:
        raise ValueError(problem)
    table = dict(raw) if isinstance(raw, dict) else columns_of(raw)
    internal = is_internal(k)
    count = perturb_counts(table["count"], table["count_keysum"], k)
    den = perturb_counts(table["denominator"], table["denominator_keysum"], k)
    is_rate = np.array([indicator(str(i)).kind == "rate" for i in table["indicator"]], dtype=bool)
    # a rate's numerator is a subset of its denominator: never publish more than all
    table["count"] = np.where(is_rate, np.minimum(count.data, den.data), count.data)
    table["denominator"] = den.data
    for col in KEY_COLUMNS:
        table.pop(col, None)
    out = _suppress(stats.annotate_columns(table), k)
    if not internal:
        keep = shown_rows(out["group"], out["gender"], ~out["suppressed"], by)
        if not keep.all():
            out = {name: col[keep] for name, col in out.items()}
    return Published(out, k, by, perturbed=not internal, year=year)


def _any_in_pair(table: Columns, flags: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """For every row: whether any row of its (indicator, group) has ``flags``."""
    pair, n_pairs = pairs(table)
    hit = np.bincount(pair, weights=flags.astype(np.float64), minlength=n_pairs) > 0
    out: npt.NDArray[np.bool_] = hit[pair]
    return out


def _suppress(table: Columns, k: int) -> Columns:
    """Hidden values become missing (shown as ``..``): ``suppressed`` marks hidden counts and
    ``share_suppressed`` hidden shares (their count or denominator hidden); a comparison of women
    and men is hidden with either share, a 40/60 mark with any count of its pair.

    Published: a count is hidden where its perturbed value is below k, and a group's Totalt where
    any of its listed genders is hidden (else Totalt minus the others would estimate the hidden one,
    within the noise of two cells). The rule reads only what is shown, so replaying it tells
    nothing; it holds for every table with the same persons, so every route shows the same number.
    A count's denominator is its group's Totalt and is hidden with it.
    """
    out = dict(table)
    count = np.asarray(out["count"], dtype=np.int64)
    den = np.asarray(out["denominator"], dtype=np.int64)
    if is_internal(k):
        count_hidden = np.zeros(length(out), dtype=bool)
        den_hidden = count_hidden
    else:
        group, gender = out["group"], out["gender"]
        count_hidden, den_hidden = count < k, den < k
        total = gender == S.TOTALT
        part = ~total & ((gender != S.ANNAT_OKANT) | annat_listed(group, gender, ~count_hidden))
        count_hidden = count_hidden | (total & _any_in_pair(out, part & count_hidden))
        is_count = np.array([indicator(str(i)).kind == "count" for i in out["indicator"]], dtype=bool)
        den_hidden = np.where(is_count, _any_in_pair(out, total & count_hidden),
                              den_hidden | (total & _any_in_pair(out, part & den_hidden)))
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
    return out


def secondary(values: npt.NDArray[np.int64], hidden: npt.NDArray[np.bool_],
              relations: list[tuple[npt.NDArray[np.int64], int]]) -> npt.NDArray[np.bool_]:
    """Secondary suppression (payments' household tables, which carry no record keys).

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
