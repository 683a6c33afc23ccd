from __future__ import annotations

import itertools
import math
from statistics import NormalDist

import numpy as np
import pytest

from jamstalldhet.compute import indicators, stats
from jamstalldhet.intake.records import Prepared
from tests.helpers import annotate, is_even, wilson


def test_normal_quantile() -> None:
    assert stats.Z_975 == pytest.approx(NormalDist().inv_cdf(0.975), abs=1e-15)


def test_wilson_textbook_formula() -> None:
    # 96/600 by the textbook form of Wilson's interval (centre ± half-width)
    p, n, z = 96 / 600, 600, NormalDist().inv_cdf(0.975)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = wilson(96, 600)
    assert lo == pytest.approx(centre - half, abs=1e-12)
    assert hi == pytest.approx(centre + half, abs=1e-12)
    assert all(math.isnan(x) for x in wilson(0, 0))


@pytest.mark.parametrize(("k", "n", "lo", "hi"), [
    # Newcombe (1998), Stat Med 17:857-872, table I, method 3 (score interval without correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_published_values(k: int, n: int, lo: float, hi: float) -> None:
    got = wilson(k, n)
    assert got[0] == pytest.approx(lo, abs=5e-5)
    assert got[1] == pytest.approx(hi, abs=5e-5)


def test_wilson_all_successes() -> None:
    # k = n: the upper limit is 1; the lower is n / (n + z²) (the interval's closed form at p = 1)
    z = NormalDist().inv_cdf(0.975)
    lo, hi = wilson(10, 10)
    assert hi == 1.0 and lo == pytest.approx(10 / (10 + z * z), abs=1e-12)


def test_wilson_arrays_equal_scalar() -> None:
    k = np.array([0, 1, 5, 96, 10, 0, 3])
    n = np.array([10, 29, 5, 600, 10, 0, -1])
    lo, hi = stats.wilson_arrays(k, n)
    for i in range(len(k)):
        want = wilson(int(k[i]), int(n[i]))
        assert (math.isnan(lo[i]) and math.isnan(want[0])) or lo[i] == pytest.approx(want[0], abs=1e-15)
        assert (math.isnan(hi[i]) and math.isnan(want[1])) or hi[i] == pytest.approx(want[1], abs=1e-15)


def test_fisher_by_hand() -> None:
    # Fisher's tea-tasting lady, [[3, 1], [1, 3]]: P(x) = C(4,x)C(4,4−x)/C(8,4) = 1, 16, 36, 16, 1 (/70);
    # tables no more likely than x = 3: (1 + 16 + 16 + 1)/70 = 17/35 = 0.4857
    assert stats.fisher_two_sided(3, 1, 1, 3) == pytest.approx(17 / 35, abs=1e-15)
    # [[3, 7], [0, 10]]: C(10,x)C(10,3−x) = 120, 450, 450, 120 (/1140); x = 3 and x = 0 → 240/1140
    assert stats.fisher_two_sided(3, 7, 0, 10) == pytest.approx(4 / 19, abs=1e-15)
    # the most likely table gives 1; so does an empty column
    assert stats.fisher_two_sided(2, 2, 2, 2) == 1.0
    assert stats.fisher_two_sided(0, 5, 0, 7) == 1.0


def test_compare_uses_fisher_for_small_expected() -> None:
    p, test = stats.compare(3, 10, 0, 10)
    assert test == "fisher" and p == pytest.approx(4 / 19, abs=1e-15)
    assert math.isnan(stats.compare(1, 0, 1, 5)[0])


def test_compare_chi2_against_published_critical_values() -> None:
    # [[72, 528], [30, 470]]: χ² = 1100·(72·470 − 528·30)² / (600·500·102·998) = 11.67;
    # the table of χ² with 1 df puts 10.828 at p = 0.001 and 12.116 at p = 0.0005
    p, test = stats.compare(72, 600, 30, 500)
    assert test == "chi2" and 0.0005 < p < 0.001
    assert stats.chi2_one_df(72, 528, 30, 470) == pytest.approx(math.erfc(math.sqrt(11.6705 / 2)), rel=1e-4)
    # [[20, 80], [10, 90]]: χ² = 200·(20·90 − 80·10)²/(100·100·30·170) = 200 000 000/51 000 000 = 3.9216,
    # just above the 5 % critical value 3.841
    p, _ = stats.compare(20, 100, 10, 100)
    assert 0.04 < p < 0.05


def test_expected_five_boundary() -> None:
    # expected cells r·c/N: [[5, 5], [5, 5]] has 5 everywhere → chi-square; [[4, 5], [5, 5]] has 81/19 < 5 → Fisher
    assert stats.compare(5, 10, 5, 10)[1] == "chi2"
    assert stats.compare(4, 9, 5, 10)[1] == "fisher"


# --- the replacements equal scipy's functions (scipy is a test dependency only) ---------------

def _grid() -> list[tuple[int, int, int, int]]:
    sizes = [1, 2, 3, 5, 8, 13, 30, 75, 200]
    tables = []
    for n_w, n_m in itertools.product(sizes, repeat=2):
        for x_w in sorted({0, 1, n_w // 3, n_w // 2, n_w - 1, n_w}):
            for x_m in sorted({0, 1, n_m // 4, n_m // 2, n_m}):
                if 0 <= x_w <= n_w and 0 <= x_m <= n_m:
                    tables.append((x_w, n_w, x_m, n_m))
    tables += [(3, 5000, 0, 4000), (1, 2, 4000, 10000), (7, 1500, 2, 900), (250, 600, 3, 7)]
    return tables


@pytest.mark.slow  # the whole grid against scipy
def test_equal_to_scipy_on_a_grid() -> None:
    from scipy import stats as sps
    from scipy.stats.contingency import expected_freq

    tables = _grid()
    assert len(tables) > 1000
    tests_seen = set()
    for x_w, n_w, x_m, n_m in tables:
        table = np.array([[x_w, n_w - x_w], [x_m, n_m - x_m]])
        p, test = stats.compare(x_w, n_w, x_m, n_m)
        if (table.sum(axis=0) == 0).any() or (expected_freq(table.astype(float)) < 5).any():
            want, want_test = float(sps.fisher_exact(table).pvalue), "fisher"
        else:
            want, want_test = float(sps.chi2_contingency(table, correction=False).pvalue), "chi2"
        assert test == want_test, (x_w, n_w, x_m, n_m)
        assert abs(p - want) <= 1e-12, (x_w, n_w, x_m, n_m, p, want)
        tests_seen.add(test)
        for k, n in ((x_w, n_w), (x_m, n_m)):
            ci = sps.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
            lo, hi = wilson(k, n)
            assert abs(lo - ci.low) <= 1e-12 and abs(hi - ci.high) <= 1e-12, (k, n)
        fisher = float(sps.fisher_exact(table).pvalue)  # Fisher on every table, not only small ones
        assert abs(stats.fisher_two_sided(*table.ravel().tolist()) - fisher) <= 1e-12, (x_w, n_w, x_m, n_m)
    assert tests_seen == {"fisher", "chi2"}


@pytest.mark.parametrize(("w", "m", "even"), [(40, 60, True), (60, 40, True), (39, 61, False), (993, 821, True), (0, 0, None)])
def test_even(w: int, m: int, even: bool | None) -> None:
    assert is_even(w, m) is even


def test_annotate_seed_year(demo_prep: Prepared) -> None:
    t = annotate(indicators.compute(demo_prep, 2018)).set_index(["indicator", "gender"])
    assert t.loc[("avslut_arbete", "Kvinnor"), "share"] == pytest.approx(0.16)
    assert t.loc[("avslut_arbete", "Kvinnor"), "gap_pp"] == pytest.approx(-2.0)
    assert t.loc[("avslut_arbete", "Kvinnor"), "ratio"] == pytest.approx(0.16 / 0.18)
    assert bool(t.loc[("avslut_studier", "Kvinnor"), "significant"]) is True
    assert bool(t.loc[("avslut_arbete", "Kvinnor"), "significant"]) is False
    assert bool(t.loc[("deltagare", "Kvinnor"), "even"]) is True
