"""Resurser (contract section 6): participant-days, kronor, resurskvot; disclosure for magnitudes."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamstalldhet.base import schema as S
from jamstalldhet.disclosure import cellkey
from jamstalldhet.intake.canonical import canonical
from jamstalldhet.intake.records import Prepared, prepare
from jamstalldhet.resources import prices as costs
from jamstalldhet.resources import table as resources
from jamstalldhet.resources import view as resources_view
from tests.conftest import examples

Row = tuple[str, str, str, str, str | None]  # person, kon, insats, start, end (None = ongoing)


def prep_of(rows: list[Row], birth: int = 1980) -> Prepared:
    df = pd.DataFrame(rows, columns=[S.PERSON_ID, S.KON, S.INSATS, S.STARTDATUM, S.SLUTDATUM])
    df[S.FODELSEAR] = birth
    return prepare(canonical(df))


def cat(*prices: tuple[str, int, float]) -> costs.CostCatalogue:
    return costs.from_rows([{"insats": i, "ar": y, "kr_per_dag": p, "kalla": "test"} for i, y, p in prices])


def cell(c: resources.Cells, field: str, group: str = S.TOTALT, gender: str = S.TOTALT) -> float:
    return float(getattr(c, field)[c.groups.index(group), resources.GENDER_COLS.index(gender)])


NO_PRICES = costs.CostCatalogue()


# --- participant-days, hand-worked ---------------------------------------------------------

def test_overlapping_records_of_one_insats_count_once() -> None:
    # 1–10 Jan and 5–20 Jan overlap: 20 distinct days; 3–4 Jan lies inside; 25–26 Jan adds 2
    p = prep_of([("a", "Kvinna", "A", "2018-01-01", "2018-01-10"), ("a", "Kvinna", "A", "2018-01-05", "2018-01-20"),
                 ("a", "Kvinna", "A", "2018-01-03", "2018-01-04"), ("a", "Kvinna", "A", "2018-01-25", "2018-01-26"),
                 ("z", "Man", "A", "2018-12-31", "2018-12-31")])
    c = resources.compute(p, 2018, NO_PRICES)
    assert cell(c, "days", gender=S.KVINNOR) == 22
    assert cell(c, "days", gender=S.MAN_PLURAL) == 1
    assert cell(c, "days") == 23 and cell(c, "persons") == 2


def test_adjacent_records_and_a_record_crossing_the_year_boundary() -> None:
    # 20 Dec 2017 – 5 Jan 2018: 12 days in 2017, 5 in 2018; 6–10 Jan adjoins it (5 more)
    p = prep_of([("a", "Kvinna", "A", "2017-12-20", "2018-01-05"), ("a", "Kvinna", "A", "2018-01-06", "2018-01-10"),
                 ("b", "Man", "A", "2018-06-01", "2018-06-30")])
    assert cell(resources.compute(p, 2017, NO_PRICES), "days", gender=S.KVINNOR) == 12
    assert cell(resources.compute(p, 2018, NO_PRICES), "days", gender=S.KVINNOR) == 10


def test_ongoing_record_counts_to_year_end_or_last_date_in_data() -> None:
    rows: list[Row] = [("a", "Kvinna", "A", "2018-12-01", None), ("b", "Man", "A", "2018-03-01", "2018-12-15")]
    # the latest date in the data is 15 Dec 2018: the ongoing record counts 1–15 Dec
    assert cell(resources.compute(prep_of(rows), 2018, NO_PRICES), "days", gender=S.KVINNOR) == 15
    # with data up to March 2019 it counts to 31 Dec in 2018, and to 1 March in 2019
    later = prep_of([*rows, ("c", "Man", "B", "2019-02-01", "2019-03-01")])
    assert cell(resources.compute(later, 2018, NO_PRICES), "days", gender=S.KVINNOR) == 31
    assert cell(resources.compute(later, 2019, NO_PRICES), "days", gender=S.KVINNOR) == 60


def test_two_insatser_at_once_count_in_each() -> None:
    p = prep_of([("a", "Kvinna", "A", "2018-03-01", "2018-03-10"), ("a", "Kvinna", "B", "2018-03-01", "2018-03-10")])
    c = resources.compute(p, 2018, NO_PRICES, by=S.INSATS)
    assert cell(c, "days", "A", S.KVINNOR) == 10 and cell(c, "days", "B", S.KVINNOR) == 10
    assert cell(c, "days", S.TOTALT, S.KVINNOR) == 20
    assert cell(c, "persons", S.TOTALT, S.KVINNOR) == 1  # one participant, 20 participant-days


# --- kronor --------------------------------------------------------------------------------

def test_costs_follow_price_changes_between_years() -> None:
    # A costs 100 kr/day from 2017 and 200 kr/day from 2019; B 50 kr/day from 2016
    prices = cat(("A", 2017, 100), ("A", 2019, 200), ("B", 2016, 50))
    p = prep_of([("a", "Kvinna", "A", "2018-12-22", "2019-01-10"), ("b", "Man", "B", "2018-01-01", "2018-01-04")])
    c18 = resources.compute(p, 2018, prices)
    assert cell(c18, "kronor", gender=S.KVINNOR) == 10 * 100
    assert cell(c18, "kronor", gender=S.MAN_PLURAL) == 4 * 50
    c19 = resources.compute(p, 2019, prices)
    assert cell(c19, "kronor", gender=S.KVINNOR) == 10 * 200


def test_missing_price_is_reported_missing_never_zero() -> None:
    prices = cat(("A", 2017, 100))  # B has no price at all
    p = prep_of([("a", "Kvinna", "A", "2018-01-01", "2018-01-10"), ("b", "Man", "B", "2018-01-01", "2018-01-04")])
    c = resources.compute(p, 2018, prices, by=S.INSATS)
    assert c.missing_prices == ("B",)
    assert cell(c, "kronor", "A", S.KVINNOR) == 1000
    assert math.isnan(cell(c, "kronor", "B", S.MAN_PLURAL))
    assert math.isnan(cell(c, "kronor", S.TOTALT, S.TOTALT))  # a total without B's kronor is no total
    tab = resources.protect(c, 0)
    f = tab.frame.set_index(["indicator", "group", "gender"])
    assert f.loc[("kostnad_kr", "B", S.MAN_PLURAL), "missing"]
    assert pd.isna(f.loc[("kostnad_kr", "B", S.MAN_PLURAL), "value"])
    assert f.loc[("kostnad_kr", "A", S.KVINNOR), "value"] == 1000
    assert "saknas för B" in resources_view.sentence(tab)
    # a price that starts after the year is no price for it either
    assert resources.compute(p, 2016, cat(("A", 2017, 100), ("B", 2017, 1))).missing_prices == ()  # no days in 2016
    late = prep_of([("a", "Kvinna", "A", "2016-05-01", "2016-05-02")])
    assert resources.compute(late, 2016, cat(("A", 2017, 100))).missing_prices == ("A",)


def test_resurskvot_and_per_participant_hand_worked() -> None:
    # 3 women and 2 men in A (100 kr/day): women 10 days each, men 35 days each.
    # kronor: women 3 000, men 7 000 → women 30 % of the kronor, 60 % of the participants → 0,5
    rows: list[Row] = [(f"w{i}", "Kvinna", "A", "2018-01-01", "2018-01-10") for i in range(3)]
    rows += [(f"m{i}", "Man", "A", "2018-01-01", "2018-02-04") for i in range(2)]
    tab = resources.table(prep_of(rows), 2018, cat(("A", 2018, 100)), k=0)
    f = tab.frame.set_index(["indicator", "gender"])
    assert f.loc[("resurskvot", S.KVINNOR), "value"] == pytest.approx(0.5)
    assert f.loc[("resurskvot", S.MAN_PLURAL), "value"] == pytest.approx(0.7 / 0.4)
    assert f.loc[("kostnad_per_deltagare", S.KVINNOR), "value"] == pytest.approx(1000)
    assert f.loc[("kostnad_per_deltagare", S.MAN_PLURAL), "value"] == pytest.approx(3500)
    assert f.loc[("dagar_per_deltagare", S.TOTALT), "value"] == pytest.approx(100 / 5)
    assert (S.TOTALT) not in set(f.loc["resurskvot"].index)
    lo, hi = f.loc[("resurskvot", S.KVINNOR), ["ci_low", "ci_high"]]
    assert lo < 0.5 < hi
    assert resources_view.sentence(tab) == "Kvinnorna är 60 % av deltagarna och får 30 % av kostnaden."


def test_delta_method_interval_agrees_with_a_bootstrap_over_persons() -> None:
    rng = np.random.default_rng(7)
    n = 400
    rows: list[Row] = []
    for i in range(n):
        woman = rng.random() < 0.55
        ins = "Dyr" if rng.random() < (0.3 if woman else 0.5) else "Billig"
        length = int(rng.integers(5, 200))
        start = dt.date(2018, 1, 1) + dt.timedelta(days=int(rng.integers(0, 150)))
        rows.append((f"p{i}", "Kvinna" if woman else "Man", ins, start.isoformat(), (start + dt.timedelta(days=length)).isoformat()))
    prices = cat(("Dyr", 2018, 900), ("Billig", 2018, 60))
    c = resources.compute(prep_of(rows), 2018, prices)
    se = cell(c, "kvot_se", gender=S.KVINNOR)
    # bootstrap over persons (one record each here): resample (kronor, woman) pairs
    df = pd.DataFrame(rows, columns=["p", "kon", "ins", "start", "end"])
    days = (pd.to_datetime(df["end"]) - pd.to_datetime(df["start"])).dt.days.to_numpy() + 1
    kr = days * np.where(df["ins"] == "Dyr", 900, 60)
    w = (df["kon"] == "Kvinna").to_numpy()
    assert cell(c, "kvot", gender=S.KVINNOR) == pytest.approx((kr[w].sum() / kr.sum()) / w.mean())
    idx = rng.integers(0, n, size=(2000, n))
    boot = (kr[idx] * w[idx]).sum(axis=1) / kr[idx].sum(axis=1) / w[idx].mean(axis=1)
    assert se == pytest.approx(np.log(boot).std(), rel=0.15)


# --- property test against a row-by-row reference --------------------------------------------

DAY0 = dt.date(2017, 1, 1)


@st.composite
def record_sets(draw: st.DrawFn) -> list[Row]:
    n = draw(st.integers(1, 14))
    rows: list[Row] = []
    for _ in range(n):
        person = draw(st.integers(0, 5))
        start = draw(st.integers(0, 3 * 365))
        length = draw(st.one_of(st.none(), st.integers(0, 400)))
        rows.append((f"p{person}", "Kvinna" if person % 2 else "Man", draw(st.sampled_from(["A", "B", "C"])),
                     (DAY0 + dt.timedelta(days=start)).isoformat(),
                     None if length is None else (DAY0 + dt.timedelta(days=start + length)).isoformat()))
    return rows


def reference(rows: list[Row], year: int, prices: costs.CostCatalogue) -> dict[tuple[str, str], tuple[int, float]]:
    """Row by row with Python sets of dates: (insats, gender) → (days, kronor)."""
    dates = [dt.date.fromisoformat(d) for r in rows for d in (r[3], r[4]) if d]
    last = max(dates)
    lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
    covered: dict[tuple[str, str], set[dt.date]] = {}
    gender: dict[str, str] = {}
    for person, kon, ins, start, end in rows:
        gender[person] = S.KVINNOR if kon == "Kvinna" else S.MAN_PLURAL
        s = max(dt.date.fromisoformat(start), lo)
        e = min(dt.date.fromisoformat(end), hi) if end else min(hi, last)
        days = covered.setdefault((person, ins), set())
        d = s
        while d <= e:
            days.add(d)
            d += dt.timedelta(days=1)
    out: dict[tuple[str, str], tuple[int, float]] = {}
    for (person, ins), days_ in covered.items():
        key = (ins, gender[person])
        price = prices.price(ins, year)
        n, kr = out.get(key, (0, 0.0))
        out[key] = (n + len(days_), kr + len(days_) * (price.kr_per_day if price else math.nan))
    return out


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=record_sets(), year=st.integers(2017, 2019))
def test_days_and_kronor_match_row_by_row_reference(rows: list[Row], year: int) -> None:
    prices = cat(("A", 2017, 300), ("A", 2019, 350), ("B", 2018, 40))  # C never has a price
    c = resources.compute(prep_of(rows), year, prices, by=S.INSATS)
    ref = reference(rows, year, prices)
    for ins in ("A", "B", "C"):
        for g in (S.KVINNOR, S.MAN_PLURAL):
            days, kr = ref.get((ins, g), (0, 0.0))
            if ins not in c.groups:
                assert days == 0
                continue
            assert cell(c, "days", ins, g) == days, (ins, g)
            if days == 0:
                assert cell(c, "kronor", ins, g) == 0
            elif math.isnan(kr):
                assert math.isnan(cell(c, "kronor", ins, g))
            else:
                assert cell(c, "kronor", ins, g) == pytest.approx(kr)
    assert cell(c, "days") == sum(d for d, _ in ref.values())
    only_a = resources.compute(prep_of(rows), year, prices, filters={S.INSATS: ["A"]})
    assert cell(only_a, "days") == sum(d for (ins, _), (d, _) in ref.items() if ins == "A")


# --- disclosure control for magnitudes -----------------------------------------------------

def _many(n: int, kon: str, ins: str, start: str, end: str, tag: str) -> list[Row]:
    return [(f"{tag}{i}", kon, ins, start, end) for i in range(n)]


def test_dominance_suppresses_a_cell_where_one_person_has_most_of_it() -> None:
    # 10 women in A: one the whole year (365 days), nine 10 days: 365/455 = 80 % > 60 %
    rows = [("big", "Kvinna", "A", "2018-01-01", "2018-12-31"), *_many(9, "Kvinna", "A", "2018-01-01", "2018-01-10", "w")]
    rows += _many(12, "Man", "A", "2018-01-01", "2018-04-10", "m")  # 12 × 100 days: no one dominates
    tab = resources.table(prep_of(rows), 2018, cat(("A", 2018, 100)))
    f = tab.frame.set_index(["indicator", "gender"])
    assert f.loc[("deltagardagar", S.KVINNOR), "suppressed"] and pd.isna(f.loc[("deltagardagar", S.KVINNOR), "value"])
    assert f.loc[("kostnad_kr", S.KVINNOR), "suppressed"]
    assert abs(f.loc[("deltagardagar", S.KVINNOR), "denominator"] - 10) <= cellkey.MAX_NOISE  # the persons: shown
    # the total is hidden with the women's (else total − men would give the women's days); the men shown,
    # with noise of at most one average participant (100 days)
    assert f.loc[("deltagardagar", S.TOTALT), "suppressed"] and pd.isna(f.loc[("deltagardagar", S.TOTALT), "value"])
    assert not f.loc[("deltagardagar", S.MAN_PLURAL), "suppressed"]
    assert 50 - 0.5 <= abs(f.loc[("deltagardagar", S.MAN_PLURAL), "value"] - 1200) <= 100 + 0.5
    assert f.loc[("resurskvot", S.KVINNOR), "suppressed"]


def test_no_dominance_at_sixty_percent_or_less() -> None:
    # 9 women: 60 days and eight times 5 → the largest is exactly 60 %: shown
    rows = [("big", "Kvinna", "A", "2018-01-01", "2018-03-01"), *_many(8, "Kvinna", "A", "2018-01-01", "2018-01-05", "w")]
    rows += _many(12, "Man", "A", "2018-01-01", "2018-04-10", "m")
    prep, prices = prep_of(rows), cat(("A", 2018, 100))
    exact = resources.table(prep, 2018, prices, k=0).frame.set_index(["indicator", "gender"])
    assert exact.loc[("deltagardagar", S.KVINNOR), "value"] == 100
    assert exact.loc[("resurskvot", S.KVINNOR), "value"] == pytest.approx((10_000 / 130_000) / (9 / 21))
    f = resources.table(prep, 2018, prices).frame.set_index(["indicator", "gender"])
    assert not f["suppressed"].any()
    assert abs(f.loc[("deltagardagar", S.KVINNOR), "value"] - 100) <= 100 / 9 + 0.5
    # published: the kvot comes from the figures shown
    shown = {g: (f.loc[("kostnad_kr", g), "value"], f.loc[("kostnad_kr", g), "denominator"]) for g in (S.KVINNOR, S.TOTALT)}
    assert f.loc[("resurskvot", S.KVINNOR), "value"] == pytest.approx(
        (shown[S.KVINNOR][0] / shown[S.TOTALT][0]) / (shown[S.KVINNOR][1] / shown[S.TOTALT][1]))


def test_few_persons_hide_days_kronor_per_participant_and_kvot() -> None:
    rows = _many(3, "Kvinna", "A", "2018-01-01", "2018-01-10", "w") + _many(20, "Man", "A", "2018-01-01", "2018-01-10", "m")
    tab = resources.table(prep_of(rows), 2018, cat(("A", 2018, 100)))
    f = tab.frame.set_index(["indicator", "gender"])
    for iid in resources.INDICATORS:
        assert f.loc[(iid, S.KVINNOR), "suppressed"], iid
        assert pd.isna(f.loc[(iid, S.KVINNOR), "value"]), iid
    assert pd.isna(f.loc[("deltagardagar", S.KVINNOR), "denominator"])  # 3 persons: ..
    internal = resources.table(prep_of(rows), 2018, cat(("A", 2018, 100)), k=0)
    assert not internal.frame["suppressed"].any() and internal.internal
    assert "Internt" in internal.note


def test_a_total_is_hidden_with_a_hidden_gender() -> None:
    # 3 women in A: their persons, days and kronor are hidden, and so is A's total (else total − men
    # would give them); B, with enough of both, shows everything
    rows = _many(3, "Kvinna", "A", "2018-01-01", "2018-01-10", "a") + _many(20, "Man", "A", "2018-01-01", "2018-01-20", "am")
    rows += _many(12, "Kvinna", "B", "2018-02-01", "2018-02-20", "b") + _many(12, "Man", "B", "2018-02-01", "2018-03-20", "bm")
    tab = resources.table(prep_of(rows), 2018, cat(("A", 2018, 1000), ("B", 2018, 100)), by=S.INSATS)
    f = tab.frame.set_index(["indicator", "group", "gender"])
    for iid in ("deltagardagar", "kostnad_kr"):
        assert f.loc[(iid, "A", S.KVINNOR), "suppressed"] and f.loc[(iid, "A", S.TOTALT), "suppressed"]
        assert not f.loc[(iid, "A", S.MAN_PLURAL), "suppressed"]
        assert not f.loc[(iid, "B", S.TOTALT), "suppressed"]
    assert pd.isna(f.loc[("deltagardagar", "A", S.TOTALT), "denominator"])


def test_persons_are_suppressed_as_the_deltagare_counts_are() -> None:
    from jamstalldhet.disclosure.tables import indicator_table

    rows = _many(3, "Kvinna", "A", "2018-01-01", "2018-01-10", "a") + _many(30, "Man", "A", "2018-01-01", "2018-01-10", "m")
    rows += _many(12, "Kvinna", "B", "2018-01-01", "2018-01-10", "b") + _many(9, "Man", "B", "2018-01-01", "2018-01-10", "bm")
    p = prep_of(rows)
    tab = resources.table(p, 2018, cat(("A", 2018, 1), ("B", 2018, 1)), by=S.INSATS)
    ours = tab.frame[tab.frame["indicator"] == "deltagardagar"].set_index(["group", "gender"])["denominator"]
    pub = indicator_table(p, 2018, by=S.INSATS)
    theirs = pub.frame[pub.frame["indicator"] == "deltagare"].set_index(["group", "gender"])["count"]
    assert ours.isna().to_dict() == theirs.reindex(ours.index).isna().to_dict()
    assert ours.dropna().to_dict() == theirs.reindex(ours.index).dropna().to_dict()


# --- filtered views: cell-key method -------------------------------------------------------

def test_magnitudes_carry_noise_of_one_average_participant_the_same_on_every_route(demo_prep: Prepared) -> None:
    prices = costs.load(costs.COSTS_FILE)
    filters = {S.BAKGRUND: ["Utrikes född"]}
    c = resources.compute(demo_prep, 2018, prices, by=S.INSATS, filters=filters)
    tab = resources.protect(c, 5)
    assert tab.perturbed and "slumpmässigt" in tab.note
    again = resources.table(demo_prep, 2018, prices, by=S.INSATS, filters=filters)
    pd.testing.assert_frame_equal(tab.frame, again.frame)  # same persons, same noise, every time
    expected = cellkey.perturb(c.persons.ravel(), c.keysum.ravel(), 5).reshape(c.persons.shape)
    f = tab.frame[tab.frame["indicator"] == "deltagardagar"]
    for _, r in f.iterrows():
        g, j = c.groups.index(r["group"]), resources.GENDER_COLS.index(r["gender"])
        if not pd.isna(r["denominator"]):
            assert r["denominator"] == expected[g, j]
        if not pd.isna(r["value"]):
            # the noise is between a half and a whole average participant of the cell (never a function
            # of one person's contribution)
            mean = c.days[g, j] / c.persons[g, j]
            noise = abs(r["value"] - c.days[g, j])
            assert 0.5 * mean - 0.5 <= noise <= mean + 0.5
    # the standard table's row "Utrikes född" is the same persons as the filter's total: the same
    # days, so the standard minus its filtered twin is 0, not one person's days
    std = resources.table(demo_prep, 2018, prices, by=S.BAKGRUND).frame.set_index(["indicator", "group", "gender"])
    twin = resources.table(demo_prep, 2018, prices, filters=filters).frame.set_index(["indicator", "group", "gender"])
    for iid in ("deltagardagar", "kostnad_kr"):
        for gender in (S.KVINNOR, S.MAN_PLURAL, S.TOTALT):
            assert std.loc[(iid, "Utrikes född", gender), "value"] == twin.loc[(iid, S.TOTALT, gender), "value"]
    exact = resources.protect(c, 0).frame
    assert not exact.equals(tab.frame)


def test_filtered_magnitude_of_few_true_persons_is_never_shown() -> None:
    rows = _many(2, "Kvinna", "A", "2018-01-01", "2018-01-10", "w") + _many(20, "Man", "A", "2018-01-01", "2018-01-10", "m")
    rows += _many(20, "Man", "B", "2018-01-01", "2018-01-10", "b")
    tab = resources.table(prep_of(rows), 2018, cat(("A", 2018, 1), ("B", 2018, 1)), filters={S.INSATS: ["A"]})
    f = tab.frame.set_index(["indicator", "gender"])
    assert tab.perturbed
    assert pd.isna(f.loc[("deltagardagar", S.KVINNOR), "value"]) and pd.isna(f.loc[("kostnad_kr", S.KVINNOR), "value"])


# --- command line rows -----------------------------------------------------------------------

def test_cli_rows_follow_the_contract(demo_prep: Prepared) -> None:
    prices = costs.load(costs.COSTS_FILE)
    rows = resources.cli_rows(demo_prep, 2018, prices)
    keys = {"indicator", "year", "gender", "count", "denominator", "share", "suppressed", "perturbed"}
    assert all(set(r) == keys for r in rows)
    by_id = {(r["indicator"], r["gender"]): r for r in rows}
    days = by_id[("deltagardagar", S.KVINNOR)]
    women = days["denominator"]
    assert abs(women - 993) <= 3 and isinstance(days["count"], int) and days["share"] is None
    per = by_id[("dagar_per_deltagare", S.KVINNOR)]
    assert per["share"] == pytest.approx(days["count"] / women) and per["count"] is None
    kr = by_id[("kostnad_kr", S.TOTALT)]
    assert isinstance(kr["count"], int) and abs(kr["denominator"] - 1814) <= 3
    kvot = by_id[("resurskvot", S.KVINNOR)]
    women_kr = by_id[("kostnad_kr", S.KVINNOR)]["count"]
    assert kvot["share"] == pytest.approx((women_kr / kr["count"]) / (women / kr["denominator"]), rel=1e-6)
    assert ("resurskvot", S.TOTALT) not in by_id
    assert [r["indicator"] for r in rows][::3][:4] == ["deltagardagar", "dagar_per_deltagare", "kostnad_kr", "kostnad_per_deltagare"]
    assert all(r["perturbed"] and not r["suppressed"] for r in rows)
    exact = {(r["indicator"], r["gender"]): r for r in resources.cli_rows(demo_prep, 2018, prices, k=0)}
    assert exact[("deltagardagar", S.KVINNOR)]["denominator"] == 993 and not exact[("kostnad_kr", S.TOTALT)]["perturbed"]
    grouped = resources.cli_rows(demo_prep, 2018, prices, by=S.INSATS, filters={S.BAKGRUND: ["Inrikes född"]})
    assert all(r["perturbed"] and "group" in r for r in grouped)
    assert {r["group"] for r in grouped} >= {"Jobb Borås arbetsträning", S.TOTALT}
    import json

    json.dumps(rows + grouped)  # plain JSON types only


def test_every_dimension_adds_up(demo_prep: Prepared) -> None:
    """The demo (12 673 records) by every dimension (speed is measured in bench/, not in tests)."""
    prices = costs.load(costs.COSTS_FILE)
    total = resources.compute(demo_prep, 2018, prices)
    for by in (None, *S.DIMENSIONS):
        assert not resources.table(demo_prep, 2018, prices, by=by).frame.empty, by
        if by is not None:  # days and kronor add up over the groups (each person-insats in one group)
            c = resources.compute(demo_prep, 2018, prices, by=by)
            assert c.days[:-1].sum(axis=0).tolist() == c.days[-1].tolist() == total.days[-1].tolist(), by
            assert c.kronor[:-1].sum(axis=0) == pytest.approx(total.kronor[-1]), by


def test_chart_descriptions_name_the_year_of_the_page(demo_prep: Prepared) -> None:
    """Issue 25: the trend's description named the latest year (2024) on a 2018 page."""
    from jamstalldhet.show.charts import alt_text

    prices = costs.load(costs.COSTS_FILE)
    trend = resources_view.trend_frame([resources.table(demo_prep, y, prices) for y in range(2016, 2025)])
    text = alt_text(resources_view.trend_figure(trend, "not", 2018))
    assert "2016–2024; 2018:" in text and "2024:" not in text


def test_share_figure_sets_each_insats_share_of_participants_beside_days_and_cost(demo_prep: Prepared) -> None:
    """Issue 26: the gender budget's picture, per insats, from the published table."""
    from jamstalldhet.show.charts import alt_text

    tab = resources.table(demo_prep, 2018, costs.load(costs.COSTS_FILE), by=S.INSATS)
    fig = resources_view.share_figure(tab)
    assert [t.name for t in fig.data] == ["Kvinnornas andel av deltagarna", "Kvinnornas andel av dagarna",
                                          "Kvinnornas andel av kostnaden"]
    table = resources_view.share_table(tab).set_index("Grupp")
    cost = fig.data[2]
    for group, text in zip(cost.y, cost.text, strict=True):
        assert text == table.loc[group, "Andel kvinnor av kostnaden"] or table.loc[group, "Andel kvinnor av kostnaden"] == "saknas"
    assert alt_text(fig).startswith("Kvinnornas andel per insats 2018:")
