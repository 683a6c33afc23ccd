"""Disclosure control: hand-worked examples and properties over random tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from jamstalldhet import disclosure, indicators
from jamstalldhet import schema as S
from jamstalldhet.disclosure import suppression_pattern
from jamstalldhet.records import prepare
from jamstalldhet.tables import indicator_table
from tests.conftest import small_unit


def gender_cells(values: dict[str, int], group: str = "Totalt") -> tuple[pd.Series, pd.DataFrame]:
    cells = pd.DataFrame({"group": group, "gender": list(values)})
    return pd.Series(list(values.values())), cells


def test_primary_and_one_secondary_in_gender_table() -> None:
    # Kvinnor 3 (primary), Män 40, Totalt 43: Män is hidden too (smaller than Totalt)
    v, c = gender_cells({"Kvinnor": 3, "Män": 40, "Totalt": 43})
    assert suppression_pattern(v, c, 5, False).tolist() == [True, True, False]


def test_no_suppression_when_all_large_or_zero() -> None:
    v, c = gender_cells({"Kvinnor": 0, "Män": 40, "Totalt": 40})
    assert suppression_pattern(v, c, 5, False).tolist() == [False, False, False]


def test_two_small_cells_need_nothing_more() -> None:
    v, c = gender_cells({"Kvinnor": 3, "Män": 40, "Annat/okänt": 2, "Totalt": 45})
    assert suppression_pattern(v, c, 5, False).tolist() == [True, False, True, False]


def test_secondary_prefers_smallest_nonzero() -> None:
    v, c = gender_cells({"Kvinnor": 30, "Män": 40, "Annat/okänt": 1, "Totalt": 71})
    assert suppression_pattern(v, c, 5, False).tolist() == [True, False, True, False]


def test_two_way_table_hand_worked() -> None:
    #            Kvinnor  Män  Totalt
    # –24            2     10     12
    # 25–34         20     30     50
    # Totalt        22     40     62
    cells = pd.DataFrame({
        "group": ["–24"] * 3 + ["25–34"] * 3 + ["Totalt"] * 3,
        "gender": ["Kvinnor", "Män", "Totalt"] * 3,
    })
    v = pd.Series([2, 10, 12, 20, 30, 50, 22, 40, 62])
    hidden = suppression_pattern(v, cells, 5, True).tolist()
    # primary: 2. Row –24: hide 10 (smaller than 12). Column Kvinnor: hide 20 (smaller than 22).
    # Row 25–34 then has 20 hidden alone: hide 30. Column Män has 10 and 30 hidden: safe.
    assert hidden == [True, True, False, True, True, False, False, False, False]


def _relations_safe(v: np.ndarray, hidden: np.ndarray, cells: pd.DataFrame, partitioning: bool) -> None:
    for _, grp in cells.groupby("group"):
        assert hidden[grp.index].sum() != 1
    if partitioning:
        for g, grp in cells.groupby("gender"):
            assert hidden[grp.index].sum() != 1, g


@st.composite
def two_way(draw: st.DrawFn) -> tuple[np.ndarray, pd.DataFrame]:
    n_groups = draw(st.integers(1, 6))
    counts = np.array([[draw(st.integers(0, 30)) for _ in range(2)] for _ in range(n_groups)])
    cells: list[tuple[str, str, int]] = []
    for i in range(n_groups):
        cells += [(f"g{i}", g, int(counts[i, j])) for j, g in enumerate([S.KVINNOR, S.MAN_PLURAL])]
        cells.append((f"g{i}", S.TOTALT, int(counts[i].sum())))
    col = counts.sum(axis=0)
    cells += [(S.TOTALT, g, int(col[j])) for j, g in enumerate([S.KVINNOR, S.MAN_PLURAL])]
    cells.append((S.TOTALT, S.TOTALT, int(col.sum())))
    frame = pd.DataFrame(cells, columns=["group", "gender", "v"])
    return frame["v"].to_numpy(), frame[["group", "gender"]]


@settings(max_examples=200, deadline=None)
@given(table=two_way(), k=st.integers(2, 10))
def test_random_two_way_tables_are_safe(table: tuple[np.ndarray, pd.DataFrame], k: int) -> None:
    v, cells = table
    hidden = suppression_pattern(pd.Series(v), cells, k, True)
    small = (v >= 1) & (v < k)
    assert hidden[small].all()  # no published count in 1..k-1
    _relations_safe(v, hidden, cells, True)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(0, 40), min_size=2, max_size=3), k=st.integers(2, 10))
def test_one_dimension_hides_no_more_than_needed(values: list[int], k: int) -> None:
    names = [S.KVINNOR, S.MAN_PLURAL, S.ANNAT_OKANT][: len(values)]
    v, c = gender_cells({**dict(zip(names, values, strict=True)), S.TOTALT: sum(values)})
    hidden = suppression_pattern(v, c, k, False)
    arr = v.to_numpy()
    primary = (arr >= 1) & (arr < k)
    assert hidden.sum() - primary.sum() == (1 if primary.sum() == 1 else 0)
    _relations_safe(arr, hidden, c, False)


def test_published_table_ofsmall_unit() -> None:
    pub = indicator_table(prepare(small_unit()), 2018)
    f = pub.frame.set_index(["indicator", "gender"])
    # 3 women: hidden, and the men too (else 43 − 40 = 3); the total stays
    assert pd.isna(f.loc[("deltagare", "Kvinnor"), "count"])
    assert pd.isna(f.loc[("deltagare", "Män"), "count"])
    assert f.loc[("deltagare", "Totalt"), "count"] == 43
    assert pd.isna(f.loc[("deltagare", "Kvinnor"), "share"])
    # rates: women's denominator (3 ended) is hidden, so is everything computed from it
    assert pd.isna(f.loc[("avslut_arbete", "Kvinnor"), "denominator"])
    assert pd.isna(f.loc[("avslut_arbete", "Kvinnor"), "share"])
    assert pd.isna(f.loc[("avslut_arbete", "Kvinnor"), "gap_pp"])
    assert pd.isna(f.loc[("avslut_arbete", "Män"), "ratio"])
    published = pub.frame[["count", "denominator"]].stack().dropna().astype(int)
    assert not ((published >= 1) & (published < 5)).any()


def test_k_zero_is_internal_and_unsuppressed() -> None:
    pub = indicator_table(prepare(small_unit()), 2018, k=0)
    assert pub.internal and pub.note == disclosure.INTERNAL_MARK
    f = pub.frame.set_index(["indicator", "gender"])
    assert f.loc[("deltagare", "Kvinnor"), "count"] == 3
    assert not pub.frame["suppressed"].any()


def test_published_values_equal_true_values(demo_prep) -> None:  # type: ignore[no-untyped-def]
    raw = indicators.compute(demo_prep, 2018, "aldersgrupp")
    pub = disclosure.publish(raw, 5, "aldersgrupp").frame
    shown = pub["count"].notna()
    assert (pub.loc[shown, "count"].astype(int).to_numpy() == raw.loc[shown.to_numpy(), "count"].to_numpy()).all()
