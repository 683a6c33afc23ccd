"""Statistics per rate: Wilson intervals, gaps, ratios, significance, 40/60.

All tests and intervals come from scipy:

* 95 % Wilson score interval: ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``;
* women versus men: Fisher's exact test (``scipy.stats.fisher_exact``) where any expected
  cell of the 2×2 table is below 5, else Pearson's chi-square without continuity correction
  (``scipy.stats.chi2_contingency``), which equals the two-proportion z-test;
* 40/60: a distribution is *jämn* when each of women and men is 40–60 % of the total
  (SCB's definition of an even gender distribution).
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.stats.contingency import expected_freq

from . import schema as S
from .indicators import indicator

CONFIDENCE: Final = 0.95
ALPHA: Final = 0.05
EVEN_LOW: Final = 0.40
EVEN_HIGH: Final = 0.60

#: Columns added by :func:`annotate`.
COLUMNS: Final = (
    "share", "ci_low", "ci_high", "gap_pp", "ratio", "p_value", "test", "significant", "even",
)


def wilson(count: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of ``count / n``; NaN for n = 0.

    >>> [round(x, 4) for x in wilson(96, 600)]
    [0.1328, 0.1915]
    """
    if n <= 0:
        return (math.nan, math.nan)
    ci = sps.binomtest(int(count), int(n)).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return (float(ci.low), float(ci.high))


def compare(x_w: int, n_w: int, x_m: int, n_m: int) -> tuple[float, str]:
    """p-value and test name for the difference between two proportions.

    >>> compare(72, 600, 30, 500)[1]
    'chi2'
    >>> compare(2, 10, 0, 12)[1]
    'fisher'
    """
    if n_w <= 0 or n_m <= 0:
        return (math.nan, "")
    table = np.array([[x_w, n_w - x_w], [x_m, n_m - x_m]], dtype=float)
    if (table.sum(axis=0) == 0).any() or (expected_freq(table) < 5).any():
        return (float(sps.fisher_exact(table.astype(int)).pvalue), "fisher")
    res = sps.chi2_contingency(table, correction=False)
    return (float(res.pvalue), "chi2")


def is_even(women: int, men: int) -> bool | None:
    """True when women and men each make up 40–60 % of the two (None if there is nobody)."""
    total = women + men
    if total <= 0:
        return None
    share = women / total
    return bool(EVEN_LOW <= share <= EVEN_HIGH)


def annotate(table: pd.DataFrame) -> pd.DataFrame:
    """Add the statistics of :data:`COLUMNS` to a frame from :func:`indicators.compute`.

    ``share`` is ``count / denominator``: the gender distribution for counts, the share of
    each gender for rates. Gap (women − men, percentage points), ratio (women/men) and
    significance are given for rates, on every row of the indicator and group;
    ``even`` (40/60) for counts.
    """
    out = table.copy()
    cnt = out["count"].to_numpy(dtype=float)
    den = out["denominator"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(den > 0, cnt / np.where(den > 0, den, 1), np.nan)
    cis = [wilson(int(c), int(d)) for c, d in zip(cnt, den, strict=True)]
    out["ci_low"] = [c[0] for c in cis]
    out["ci_high"] = [c[1] for c in cis]
    for col in ("gap_pp", "ratio", "p_value"):
        out[col] = np.nan
    out["test"] = ""
    out["significant"] = pd.array([pd.NA] * len(out), dtype="boolean")
    out["even"] = pd.array([pd.NA] * len(out), dtype="boolean")
    for key, idx in out.groupby(["indicator", "group"], sort=False).groups.items():
        ind_id = str(key[0])  # type: ignore[index]
        by_gender: dict[Any, dict[Any, Any]] = out.loc[idx].set_index("gender").to_dict("index")
        w, m = by_gender[S.KVINNOR], by_gender[S.MAN_PLURAL]
        if indicator(str(ind_id)).kind == "count":
            out.loc[idx, "even"] = is_even(int(w["count"]), int(m["count"]))
            continue
        sw, sm = float(w["share"]), float(m["share"])
        out.loc[idx, "gap_pp"] = (sw - sm) * 100
        out.loc[idx, "ratio"] = sw / sm if sm > 0 else np.nan
        p, test = compare(int(w["count"]), int(w["denominator"]), int(m["count"]), int(m["denominator"]))
        out.loc[idx, "p_value"] = p
        out.loc[idx, "test"] = test
        out.loc[idx, "significant"] = None if math.isnan(p) else bool(p < ALPHA)
    return out
