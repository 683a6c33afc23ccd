"""The cell-key method: the p-table's properties, record keys, and filtered tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jamstalldhet.disclosure import cellkey, tables
from jamstalldhet.disclosure import control as disclosure
from jamstalldhet.intake import record_keys
from jamstalldhet.intake.records import Prepared
from tests.conftest import examples, small_unit


@pytest.mark.parametrize("k", [3, 4, 5, 10])
def test_ptable_rows_are_bounded_and_large_rows_unbiased_with_the_published_variance(k: int) -> None:
    table = cellkey.ptable(k)
    assert table[0] == ((0, 1.0),)  # zero stays zero
    for i, row in enumerate(table[1:], 1):
        v = np.array([n for n, _ in row], dtype=float)
        p = np.array([q for _, q in row])
        assert (p > 0).all() and abs(p.sum() - 1) < 1e-12
        assert np.abs(v).max() <= cellkey.MAX_NOISE  # |noise| ≤ D
        assert (i + v >= 0).all()  # never a negative count
        assert (0 in v) == (i >= k)  # a count of 1..k−1 never keeps its value
        if i >= k:
            assert abs((p * v).sum()) < 1e-9  # unbiased
            assert abs((p * v * v).sum() - cellkey.VARIANCE) < 1e-9
        else:
            assert (i + v < k).all()  # a small count stays small: always shown as ..
            assert np.allclose(p, 1 / len(p))  # and which small count it was leaves no trace


def test_noise_follows_the_table_for_uniform_keys() -> None:
    keys = (np.arange(200_000) + 0.5) / 200_000
    for count in (1, 2, 4, 5, 40):
        noise = cellkey.noise(np.full(keys.size, count), keys, 5)
        row = dict(cellkey.ptable(5)[min(count, 5)])
        for value, prob in row.items():
            assert abs((noise == value).mean() - prob) < 1e-4
        if count >= 5:
            assert abs(noise.mean()) < 1e-4


def test_record_keys_are_stable_secret_and_uniform() -> None:
    ids = [f"p{i}" for i in range(20_000)]
    a = record_keys.record_keys(ids, b"nyckel-a")
    assert (a == record_keys.record_keys(ids, b"nyckel-a")).all()  # same person, same key
    assert (a != record_keys.record_keys(ids, b"nyckel-b")).mean() > 0.99  # depends on the secret
    assert a.min() >= 0 and a.max() < cellkey.KEY_SCALE
    hist = np.bincount(a * 10 // cellkey.KEY_SCALE, minlength=10) / a.size
    assert np.abs(hist - 0.1).max() < 0.01


@settings(max_examples=examples(10), deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_same_records_in_any_order_give_the_same_noise(seed: int) -> None:
    """The cell key depends on the persons, not on the order of the records (nor of the persons'
    codes, which follow the order): a shuffled export publishes the same perturbed table."""
    from jamstalldhet.intake.canonical import canonical
    from jamstalldhet.intake.demo import demo_frame
    from jamstalldhet.intake.records import prepare

    df = demo_frame().iloc[:3000]
    order = np.random.default_rng(seed).permutation(len(df))
    shuffled = canonical(df.iloc[order].reset_index(drop=True))
    a = tables.indicator_table(prepare(df), 2018, filters={"aldersgrupp": ["25–34"]}).frame
    b = tables.indicator_table(prepare(shuffled), 2018, filters={"aldersgrupp": ["25–34"]}).frame
    assert a["count"].astype("Float64").equals(b["count"].astype("Float64"))
    assert 0 <= float(cellkey.cell_keys(seed << 8)) < 1


def test_standard_and_filtered_tables_are_both_perturbed(demo_prep: Prepared) -> None:
    std = tables.indicator_table(demo_prep, 2018)
    assert std.perturbed
    f = std.frame.set_index(["indicator", "gender"])
    assert abs(int(f.loc[("deltagare", "Kvinnor"), "count"]) - 993) <= cellkey.MAX_NOISE  # the seed's figure, ±D
    flt = tables.indicator_table(demo_prep, 2018, filters={"insats": ["Mammor i arbete"]})
    exact = tables.indicator_table(demo_prep, 2018, k=0, filters={"insats": ["Mammor i arbete"]})
    assert flt.perturbed and not exact.perturbed
    assert disclosure.perturbation_note() in flt.note and disclosure.perturbation_note() in std.note
    joined = exact.frame.set_index(["indicator", "group", "gender"])[["count"]].join(
        flt.frame.set_index(["indicator", "group", "gender"])[["count"]].rename(columns={"count": "pub"}))
    shown = joined["pub"].notna()
    diff = (joined.loc[shown, "pub"].astype(int) - joined.loc[shown, "count"].astype(int)).abs()
    assert diff.max() <= cellkey.MAX_NOISE and diff.max() > 0
    # nothing below k is published (0 included), and no key sums leave the package
    counts = flt.frame["count"].dropna().astype(int)
    assert not (counts < 5).any()
    assert not {"count_keysum", "denominator_keysum"} & set(flt.frame.columns)


def test_same_persons_same_noise_in_every_route(demo_prep: Prepared) -> None:
    """Filter to X, or break a view down by X: the same persons, so the same values."""
    direct = tables.indicator_table(demo_prep, 2018, filters={"aldersgrupp": ["25–34"], "bakgrund": ["Utrikes född"]})
    row = tables.indicator_table(demo_prep, 2018, by="aldersgrupp", filters={"bakgrund": ["Utrikes född"]})
    a = direct.frame[direct.frame["group"] == "Totalt"].set_index(["indicator", "gender"])["count"]
    b = row.frame[row.frame["group"] == "25–34"].set_index(["indicator", "gender"])["count"]
    assert a.astype("Float64").equals(b.astype("Float64"))


def test_small_unit_filtered_never_shows_small_counts() -> None:
    from jamstalldhet.intake.records import prepare

    prep = prepare(small_unit())
    pub = tables.indicator_table(prep, 2018, filters={"insats": list(prep.categories["insats"][:1])})
    women = pub.frame.set_index(["indicator", "gender"]).loc[("deltagare", "Kvinnor"), "count"]
    assert pd.isna(women) or int(women) != 3  # 3 women: never shown as 3


def test_filter_rule_offers_one_value_all_or_a_fixed_selection() -> None:
    fixed = [("A", "B")]
    assert disclosure.filter_problem({"insats": []}, fixed) is None
    assert disclosure.filter_problem({"insats": ["C"]}, fixed) is None
    assert disclosure.filter_problem({"insats": ["B", "A"]}, fixed) is None
    assert disclosure.filter_problem({"insats": ["A", "C"]}, fixed) is not None
    assert disclosure.filter_problem({"aldersgrupp": ["–24", "25–34"]}, fixed) is not None


@pytest.mark.parametrize(("k", "ok"), [(0, True), (1, False), (2, False), (3, False), (4, False), (5, True), (7, True)])
def test_thresholds(k: int, ok: bool) -> None:
    assert (disclosure.check_k(k) is None) == ok


def test_environment_cannot_turn_protection_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from jamstalldhet.base import settings as S

    for low in ("0", "3", "4"):
        monkeypatch.setenv("JAMSTALLDHET_K", low)
        with pytest.raises(S.SettingsError, match="minst 5"):
            S.default_k()
    monkeypatch.setenv("JAMSTALLDHET_K", "7")
    assert S.default_k() == 7
