from __future__ import annotations

import math

import pytest
from scipy import stats as sps

from jamstalldhet import indicators, stats
from jamstalldhet.records import Prepared


def test_wilson_known_value() -> None:
    # Wilson interval for 96/600 by the textbook formula
    p, n, z = 96 / 600, 600, sps.norm.ppf(0.975)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = stats.wilson(96, 600)
    assert lo == pytest.approx(centre - half, abs=1e-9)
    assert hi == pytest.approx(centre + half, abs=1e-9)
    assert all(math.isnan(x) for x in stats.wilson(0, 0))
    lo0, hi0 = stats.wilson(0, 10)
    assert lo0 == 0 and 0 < hi0 < 0.35


def test_compare_uses_fisher_for_small_expected() -> None:
    p, test = stats.compare(3, 10, 0, 10)
    assert test == "fisher"
    assert p == pytest.approx(sps.fisher_exact([[3, 7], [0, 10]]).pvalue)
    p, test = stats.compare(72, 600, 30, 500)
    assert test == "chi2" and p < 0.01
    assert math.isnan(stats.compare(1, 0, 1, 5)[0])


@pytest.mark.parametrize(("w", "m", "even"), [(40, 60, True), (60, 40, True), (39, 61, False), (993, 821, True), (0, 0, None)])
def test_even(w: int, m: int, even: bool | None) -> None:
    assert stats.is_even(w, m) is even


def test_annotate_seed_year(demo_prep: Prepared) -> None:
    t = stats.annotate(indicators.compute(demo_prep, 2018)).set_index(["indicator", "gender"])
    assert t.loc[("avslut_arbete", "Kvinnor"), "share"] == pytest.approx(0.16)
    assert t.loc[("avslut_arbete", "Kvinnor"), "gap_pp"] == pytest.approx(-2.0)
    assert t.loc[("avslut_arbete", "Kvinnor"), "ratio"] == pytest.approx(0.16 / 0.18)
    assert bool(t.loc[("avslut_studier", "Kvinnor"), "significant"]) is True
    assert bool(t.loc[("avslut_arbete", "Kvinnor"), "significant"]) is False
    assert bool(t.loc[("deltagare", "Kvinnor"), "even"]) is True
