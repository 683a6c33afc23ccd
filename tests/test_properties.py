"""Properties of the indicator code on random record sets, against a plain reference."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamstalldhet.base import schema as S
from jamstalldhet.compute import indicators
from jamstalldhet.intake.canonical import canonical
from jamstalldhet.intake.records import prepare
from tests.conftest import examples

DAYS = st.integers(min_value=0, max_value=5 * 365)
BASE = dt.date(2016, 1, 1)


@st.composite
def record_sets(draw: st.DrawFn) -> pd.DataFrame:
    n_persons = draw(st.integers(1, 12))
    genders = [draw(st.sampled_from(S.GENDER_VALUES)) for _ in range(n_persons)]
    rows = []
    for _ in range(draw(st.integers(1, 30))):
        p = draw(st.integers(0, n_persons - 1))
        start = draw(st.one_of(st.none(), DAYS))
        end = draw(st.one_of(st.none(), DAYS))
        if start is not None and end is not None and end < start:
            start, end = end, start
        rows.append({
            S.PERSON_ID: f"p{p}", S.KON: genders[p], S.FODELSEAR: draw(st.one_of(st.none(), st.integers(1940, 2005))),
            S.BAKGRUND: draw(st.sampled_from(S.BAKGRUND_VALUES)), S.UTBILDNINGSNIVA: draw(st.sampled_from(S.UTBILDNING_VALUES)),
            S.INSATS: draw(st.sampled_from(["X", "Y", "Z"])),
            S.ANVISNINGSDATUM: None if (r := draw(st.one_of(st.none(), DAYS))) is None else BASE + dt.timedelta(r),
            S.STARTDATUM: None if start is None else BASE + dt.timedelta(start),
            S.SLUTDATUM: None if end is None else BASE + dt.timedelta(end),
            S.AVSLUTSORSAK: draw(st.one_of(st.none(), st.sampled_from(S.OUTCOMES))),
            S.FRAGAT_OM_VALD: draw(st.one_of(st.none(), st.booleans())),
            S.UPPGETT_VALD: draw(st.one_of(st.none(), st.booleans())),
        })
    return canonical(pd.DataFrame(rows))


def reference(df: pd.DataFrame, year: int, by: str | None) -> dict[tuple[str, str, str], tuple[int, int]]:
    """The definitions of section 2 written plainly, row by row."""
    y0, y1 = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    gender_of = {r[S.PERSON_ID]: S.GENDER_GROUP_OF[r[S.KON]] for _, r in df.iterrows()}
    recs = []
    for i, r in df.reset_index(drop=True).iterrows():
        if by == S.ALDERSGRUPP:
            fy = r[S.FODELSEAR]
            grp = S.OKAND if pd.isna(fy) or year - fy < 0 else next(g[0] for g in S.AGE_GROUPS if g[1] <= year - fy <= g[2])
        else:
            grp = S.TOTALT if by is None else str(r[by])
        recs.append((i, r, grp))
    groups = sorted({g for _, _, g in recs})
    out: dict[tuple[str, str, str], tuple[int, int]] = {}
    for grp in groups:
        sets: dict[str, dict[str, set[str]]] = {}
        active = [(i, r) for i, r, g in recs if g == grp and pd.notna(r[S.STARTDATUM]) and r[S.STARTDATUM] <= y1 and (pd.isna(r[S.SLUTDATUM]) or r[S.SLUTDATUM] >= y0)]
        ended = [(i, r) for i, r, g in recs if g == grp and pd.notna(r[S.SLUTDATUM]) and y0 <= r[S.SLUTDATUM] <= y1]
        referred = [(i, r) for i, r, g in recs if g == grp and pd.notna(r[S.ANVISNINGSDATUM]) and y0 <= r[S.ANVISNINGSDATUM] <= y1]
        sets["deltagare"] = {"n": {r[S.PERSON_ID] for _, r in active}}
        sets["anvisade"] = {"n": {r[S.PERSON_ID] for _, r in referred}}
        sets["avslutade"] = {"n": {r[S.PERSON_ID] for _, r in ended}}
        latest: dict[str, tuple[pd.Timestamp, int, str]] = {}
        for i, r in ended:
            o = r[S.AVSLUTSORSAK] if pd.notna(r[S.AVSLUTSORSAK]) else S.ANNAT_UTFALL
            key = (r[S.SLUTDATUM], i)
            if r[S.PERSON_ID] not in latest or key >= latest[r[S.PERSON_ID]][:2]:
                latest[r[S.PERSON_ID]] = (*key, o)
        for iid, name in indicators.OUTCOME_OF.items():
            sets[iid] = {"n": {p for p, v in latest.items() if v[2] == name}, "d": sets["avslutade"]["n"]}
        asked = {r[S.PERSON_ID] for _, r in active if r[S.FRAGAT_OM_VALD] is True}
        known = {r[S.PERSON_ID] for _, r in active if pd.notna(r[S.FRAGAT_OM_VALD])}
        disclosed = {r[S.PERSON_ID] for _, r in active if r[S.UPPGETT_VALD] is True} & asked
        sets["fragat_om_vald"] = {"n": asked, "d": known}
        sets["uppgett_vald"] = {"n": disclosed, "d": asked}
        for iid, s in sets.items():
            for g in (*S.GENDER_GROUPS, S.TOTALT):
                def cnt(people: set[str], g: str = g) -> int:
                    return sum(1 for p in people if g == S.TOTALT or gender_of[p] == g)
                den = cnt(s["d"]) if "d" in s else len(s["n"])
                out[(iid, grp, g)] = (cnt(s["n"]), den)
    return out


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=record_sets(), year=st.integers(2016, 2020), by=st.sampled_from([None, *S.DIMENSIONS]))
def test_fast_path_equals_reference(df: pd.DataFrame, year: int, by: str | None) -> None:
    table = indicators.compute(prepare(df), year, by)
    ref = reference(df, year, by)
    for row in table.itertuples():
        if by is not None and row.group == S.TOTALT:
            continue
        assert (row.count, row.denominator) == ref[(row.indicator, row.group, row.gender)], row


@settings(max_examples=examples(80), deadline=None)
@given(df=record_sets(), year=st.integers(2016, 2020), by=st.sampled_from([None, *S.DIMENSIONS]))
def test_counts_are_sane(df: pd.DataFrame, year: int, by: str | None) -> None:
    t = indicators.compute(prepare(df), year, by)
    assert (t["count"] >= 0).all() and (t["denominator"] >= 0).all()
    persons = df.drop_duplicates(S.PERSON_ID)[S.KON].map(S.GENDER_GROUP_OF).value_counts()
    for (ind, _grp), rows in t.groupby(["indicator", "group"]):
        by_gender = rows.set_index("gender")["count"]
        assert by_gender.drop(S.TOTALT).sum() == by_gender[S.TOTALT]  # K + M + A = Totalt
        for g, c in by_gender.drop(S.TOTALT).items():
            assert c <= persons.get(g, 0)  # a person counts at most once
        if indicators.indicator(str(ind)).kind == "rate":
            assert (rows["count"] <= rows["denominator"]).all()
    share = t["count"] / t["denominator"].where(t["denominator"] > 0)
    assert ((share.dropna() >= 0) & (share.dropna() <= 1)).all()


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(df=record_sets(), year=st.integers(2016, 2020), by=st.sampled_from([None, *S.DIMENSIONS]))
def test_parquet_path_equals_frame_path(df: pd.DataFrame, year: int, by: str | None) -> None:
    """The store's column-by-column path gives the same indicators as prepare(canonical(frame)),
    also when the records are split over several batch files."""
    import tempfile
    from pathlib import Path

    from jamstalldhet.intake.records import prepare_parquet

    frame = canonical(df)
    with tempfile.TemporaryDirectory() as tmp:
        half = len(frame) // 2
        files = [Path(tmp) / "a.parquet", Path(tmp) / "b.parquet"]
        frame.iloc[:half].to_parquet(files[0])
        frame.iloc[half:].to_parquet(files[1])
        fast = indicators.compute(prepare_parquet(files), year, by)
    assert fast.equals(indicators.compute(prepare(frame), year, by))
