"""Statistics per rate: Wilson intervals, gaps, ratios, significance, 40/60.

Exact formulas in the standard library (no scipy: importing ``scipy.stats`` cost about a second
of every command's start, issue 16); ``tests/test_stats.py`` checks them against scipy to 1e-12:

* 95 % Wilson score interval without continuity correction (Wilson 1927; Newcombe 1998,
  method 3), written as scipy's ``binomtest(k, n).proportion_ci(method="wilson")`` writes it;
* women versus men: Fisher's exact test, two-sided, where any expected cell of the 2×2 table
  is below 5 (or a column is empty), else Pearson's chi-square without continuity correction,
  which equals the two-proportion z-test;
* 40/60: a distribution is *jämn* when each of women and men is 40–60 % of the total
  (SCB's definition of an even gender distribution).
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np

from ..base import schema as S
from ..base.columnar import Columns, length, masked, text
from .indicators import indicator, pairs

ALPHA: Final = 0.05
EVEN_LOW: Final = 0.40
EVEN_HIGH: Final = 0.60
#: The standard normal quantile of 0.975, Φ⁻¹(0.975) (= scipy.special.ndtri(0.975) to the last
#: bit; ``statistics.NormalDist().inv_cdf(0.975)`` is one unit in the last place lower).
Z_975: Final = 1.959963984540054
#: Two hypergeometric probabilities this close count as equal (R's ``fisher.test`` uses the
#: same 1e-7), so that tables as likely as the observed one are not lost to rounding.
_TIES: Final = 1 + 1e-7

#: Columns added by :func:`annotate_columns`.
COLUMNS: Final = (
    "share", "ci_low", "ci_high", "gap_pp", "ratio", "p_value", "test", "significant", "even",
)


def wilson_arrays(count: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 95 % Wilson score intervals of every pair at once (NaN where n ≤ 0).

    >>> [round(float(x[0]), 4) for x in wilson_arrays(np.array([96]), np.array([600]))]
    [0.1328, 0.1915]
    """
    k = np.asarray(count, dtype=float)
    nn = np.asarray(n, dtype=float)
    z = Z_975
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / nn
        denom = 2 * (nn + z**2)
        centre = (2 * nn * p + z**2) / denom
        delta = z / denom * np.sqrt(4 * nn * p * (1 - p) + z**2)
    lo = np.where(k == 0, 0.0, centre - delta)
    hi = np.where(k == nn, 1.0, centre + delta)
    empty = nn <= 0
    return np.where(empty, np.nan, lo), np.where(empty, np.nan, hi)


def fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact test of the 2×2 table ``[[a, b], [c, d]]``, two-sided: the probability,
    given the margins, of every table no more likely than the observed one.

    The first cell is hypergeometric. Its probabilities are built from the mode outwards by the
    ratio of neighbouring terms, ``P(x+1)/P(x) = (r1−x)(c1−x) / ((x+1)(r2−c1+x+1))``, and
    normalised by their sum: every step is a product of small integers, so the relative error
    stays at a few units of 2⁻⁵³ per term whatever the table's size (log-gamma differences lose
    digits as the counts grow). An empty row or column gives 1.

    >>> round(fisher_two_sided(3, 1, 1, 3), 4)   # Fisher's tea-tasting lady: 34/70
    0.4857
    """
    r1, r2, c1 = a + b, c + d, a + c
    total = r1 + r2
    if min(r1, r2, c1, total - c1) <= 0:
        return 1.0
    lo, hi = max(0, c1 - r2), min(c1, r1)
    mode = (c1 + 1) * (r1 + 1) // (total + 2)
    weights = {mode: 1.0}
    w = 1.0
    for x in range(mode, hi):
        w *= (r1 - x) * (c1 - x) / ((x + 1) * (r2 - c1 + x + 1))
        weights[x + 1] = w
    w = 1.0
    for x in range(mode, lo, -1):
        w *= x * (r2 - c1 + x) / ((r1 - x + 1) * (c1 - x + 1))
        weights[x - 1] = w
    limit = weights[a] * _TIES
    tail = math.fsum(v for v in weights.values() if v <= limit)
    return min(1.0, tail / math.fsum(weights.values()))


def chi2_one_df(a: int, b: int, c: int, d: int) -> float:
    """p-value of Pearson's chi-square without continuity correction for ``[[a, b], [c, d]]``.

    The statistic ``N(ad − bc)² / (r1·r2·c1·c2)`` is computed in integers (exact, one rounding),
    and with one degree of freedom ``P(χ² > s) = P(|Z| > √s) = erfc(√(s/2))``.
    """
    r1, r2, c1, c2 = a + b, c + d, a + c, b + d
    stat = (r1 + r2) * (a * d - b * c) ** 2 / (r1 * r2 * c1 * c2)
    return math.erfc(math.sqrt(stat / 2))


def compare(x_w: int, n_w: int, x_m: int, n_m: int) -> tuple[float, str]:
    """p-value and test name for the difference between two proportions.

    >>> compare(72, 600, 30, 500)[1]
    'chi2'
    >>> compare(2, 10, 0, 12)[1]
    'fisher'
    """
    if n_w <= 0 or n_m <= 0:
        return (math.nan, "")
    a, b, c, d = int(x_w), int(n_w - x_w), int(x_m), int(n_m - x_m)
    rows, cols, total = (a + b, c + d), (a + c, b + d), a + b + c + d
    # an expected cell r·c/N below 5, compared in integers (no rounding at the boundary)
    if 0 in cols or any(r * k < 5 * total for r in rows for k in cols):
        return (fisher_two_sided(a, b, c, d), "fisher")
    return (chi2_one_df(a, b, c, d), "chi2")


def even_of_shares(women: np.ndarray, men: np.ndarray) -> np.ma.MaskedArray[Any, Any]:
    """40/60 from the gender distribution a table shows: women and men each 40–60 % of the group
    (masked where a share is missing). A published table's shares come from its perturbed counts, and
    its 40/60 mark from the same shares, so the mark never contradicts the share beside it.

    >>> even_of_shares(np.array([5 / 7, 0.5]), np.array([5 / 7, 0.5])).tolist()
    [False, True]
    """
    w, m = np.asarray(women, dtype=float), np.asarray(men, dtype=float)
    inside = (w >= EVEN_LOW) & (w <= EVEN_HIGH) & (m >= EVEN_LOW) & (m <= EVEN_HIGH)
    return masked(inside, np.isnan(w) | np.isnan(m))


def annotate_columns(table: Columns) -> Columns:
    """Add the statistics of :data:`COLUMNS` to a table from :func:`indicators.counts`.

    ``share`` is ``count / denominator``: the gender distribution for counts, the share of
    each gender for rates. Gap (women − men, percentage points), ratio (women/men) and
    significance are given for rates, on every row of the indicator and group;
    ``even`` (40/60) for counts.
    """
    out = dict(table)
    n = length(table)
    cnt = np.asarray(table["count"], dtype=float)
    den = np.asarray(table["denominator"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(den > 0, cnt / np.where(den > 0, den, 1), np.nan)
    out["ci_low"], out["ci_high"] = wilson_arrays(cnt, den)
    gap, ratio, p_value = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    tests = [""] * n
    significant = masked(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    even = masked(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    # one entry per (indicator, group): the rows of women and of men, paired in one pass
    ids, genders = table["indicator"], table["gender"]
    pair, n_pairs = pairs(table)
    women_row = np.full(n_pairs, -1, dtype=np.int64)
    men_row = np.full(n_pairs, -1, dtype=np.int64)
    is_w, is_m = genders == S.KVINNOR, genders == S.MAN_PLURAL
    women_row[pair[is_w]] = np.flatnonzero(is_w)
    men_row[pair[is_m]] = np.flatnonzero(is_m)
    both = (women_row >= 0) & (men_row >= 0)
    if both.any():
        wr, mr = women_row[both], men_row[both]
        is_count = np.array([indicator(str(i)).kind == "count" for i in ids[wr]], dtype=bool)
        sw, sm = out["share"][wr], out["share"][mr]
        with np.errstate(divide="ignore", invalid="ignore"):
            pair_ratio = np.where(sm > 0, sw / np.where(sm > 0, sm, 1), np.nan)
        pair_even = even_of_shares(sw, sm)  # from the shares shown (count / the group's Totalt)
        tested = [compare(int(cnt[a]), int(den[a]), int(cnt[b]), int(den[b])) if not c else (math.nan, "")
                  for c, a, b in zip(is_count, wr, mr, strict=True)]
        pair_p = np.array([t[0] for t in tested], dtype=float)
        # spread each pair's statistics over every row of its indicator and group
        at = np.full(n_pairs, -1, dtype=np.int64)
        at[np.flatnonzero(both)] = np.arange(wr.size)
        row_at = at[pair]
        has = row_at >= 0
        j = row_at[has]
        gap[has] = np.where(is_count, np.nan, (sw - sm) * 100)[j]
        ratio[has] = np.where(is_count, np.nan, pair_ratio)[j]
        p_value[has] = pair_p[j]
        for row, jj in zip(np.flatnonzero(has).tolist(), j.tolist(), strict=True):
            tests[row] = tested[jj][1]
        significant = masked(np.where(has, np.nan_to_num(p_value, nan=1.0) < ALPHA, False), ~has | np.isnan(p_value))
        even_mask = np.ones(n, dtype=bool)
        even_mask[has] = (np.ma.getmaskarray(pair_even) | ~is_count)[j]
        even_values = np.zeros(n, dtype=bool)
        even_values[has] = pair_even.data[j]
        even = masked(even_values, even_mask)
    out["gap_pp"], out["ratio"], out["p_value"] = gap, ratio, p_value
    out["test"] = text(tests)
    out["significant"], out["even"] = significant, even
    return out
