"""Payments of ekonomiskt bistånd (data contract, section 7): reading, validation, indicators,
disclosure control, demo data. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamstalldhet.base import schema as S
from jamstalldhet.payments import demo as D
from jamstalldhet.payments import reading as PR
from jamstalldhet.payments import table as P
from jamstalldhet.payments import view as V
from tests.conftest import DATA, examples

HAND = DATA / "utbetalningar_handraknad.csv"


def hand() -> pd.DataFrame:
    df, problems = PR.read_file(HAND)
    assert df is not None, [str(p) for p in problems]
    return df


def row(t: P.PaymentTable, indicator: str, period: int, group: str = S.TOTALT, gender: str = S.TOTALT) -> dict[str, Any]:
    f = t.frame
    sel = f[(f["indicator"] == indicator) & (f["period"] == period) & (f["group"] == group) & (f["gender"] == gender)]
    assert len(sel) == 1, (indicator, period, group, gender)
    out: dict[str, Any] = sel.iloc[0].to_dict()
    return out


# --- the hand-worked set (tests/data/utbetalningar_handraknad.csv, Windows-1252, semicolons) ---
# 2021:  H1 couple W/M paid 5000/5000 (50 %)           Sammanboende utan barn
#        H2 couple M/W paid 7000 to him, 3000 to her (30 %), codes 8 (med barn)
#        H3 couple M/W: 8000 to the man only (0 %), 2000 to a third party, code 7
#        H4 single woman 6000 and a correction of −1000
#        H5 single man 4000 + 4000 (Jan, Feb), then a couple from July: 4500/4500
#        H6 couple W/M 4000/6000 (exactly 40 %: delad, the bounds are inclusive), med barn
#        H7 couple W/M 6001/3999 (60,01 %: not delad), med barn
# 2022:  H1 5000/5000 again.


def test_hand_worked_year() -> None:
    t = P.table(hand(), k=0)
    # women: 5000 + 3000 + 0 + (6000 − 1000) + 4500 + 4000 + 6001 = 27 501; men 42 499; persons 70 000
    assert row(t, P.BISTAND_KR, 2021, gender=S.KVINNOR)["count"] == 27_501
    assert row(t, P.BISTAND_KR, 2021, gender=S.MAN_PLURAL)["count"] == 42_499
    total = row(t, P.BISTAND_KR, 2021)
    assert (total["count"], total["denominator"]) == (70_000, 70_000)
    assert row(t, P.BISTAND_KR, 2021, gender=S.KVINNOR)["share"] == pytest.approx(27_501 / 70_000)
    # third party: 2000 of 72 000
    third = row(t, P.TREDJE_PART_ANDEL, 2021)
    assert (third["count"], third["denominator"]) == (2_000, 72_000)
    assert third["share"] == pytest.approx(2_000 / 72_000)
    # households by their latest type in the year: H5 counts as a couple (it became one in July)
    hh = {g: row(t, P.BISTAND_HUSHALL, 2021, group=g)["count"] for g in (*PR.HOUSEHOLD_TYPES, S.TOTALT)}
    assert hh == {PR.ENSAM_UTAN: 0, PR.ENSAM_MED: 1, PR.SAMBO_UTAN: 3, PR.SAMBO_MED: 3, S.TOTALT: 7}
    # couples: H1, H2, H3, H5 (July only), H6, H7. Woman's kronor 5000+3000+0+4500+4000+6001 = 22 501 of 57 000
    women = row(t, P.PAR_ANDEL_KR_KVINNOR, 2021, gender=S.KVINNOR)
    assert (women["count"], women["denominator"]) == (22_501, 57_000)
    assert women["share"] == pytest.approx(22_501 / 57_000)
    # delad: H1 (50 %), H5 (50 %), H6 (40 %) → 3 of 6
    delad = row(t, P.PAR_DELAD_UTBETALNING, 2021)
    assert (delad["count"], delad["denominator"], delad["share"]) == (3, 6, 0.5)
    # by type: utan barn H1, H3, H5 → 9 500 of 27 000, 2 of 3 delad; med barn H2, H6, H7 → 13 001 of 30 000, 1 of 3
    utan = row(t, P.PAR_ANDEL_KR_KVINNOR, 2021, group=PR.SAMBO_UTAN, gender=S.KVINNOR)
    med = row(t, P.PAR_ANDEL_KR_KVINNOR, 2021, group=PR.SAMBO_MED, gender=S.KVINNOR)
    assert (utan["count"], utan["denominator"], med["count"], med["denominator"]) == (9_500, 27_000, 13_001, 30_000)
    assert row(t, P.PAR_DELAD_UTBETALNING, 2021, group=PR.SAMBO_UTAN)["count"] == 2
    assert row(t, P.PAR_DELAD_UTBETALNING, 2021, group=PR.SAMBO_MED)["count"] == 1
    # 2022 holds only H1's payments
    assert row(t, P.BISTAND_HUSHALL, 2022)["count"] == 1
    assert row(t, P.PAR_DELAD_UTBETALNING, 2022)["share"] == 1.0
    assert not t.frame["suppressed"].any()


def test_hand_worked_months() -> None:
    t = P.table(hand(), k=0)
    # January: H1 5000 to her and 5000 to him, H5 (single man) 4000
    assert row(t, P.BISTAND_KR, 202101, gender=S.KVINNOR)["count"] == 5_000
    assert row(t, P.BISTAND_KR, 202101, gender=S.MAN_PLURAL)["count"] == 9_000
    assert row(t, P.PAR_DELAD_UTBETALNING, 202101)["denominator"] == 1
    # February: H4's 6000 and its correction −1000 (a payment belongs to its own date), H5's 4000
    assert row(t, P.BISTAND_KR, 202102, gender=S.KVINNOR)["count"] == 5_000
    assert row(t, P.BISTAND_KR, 202102, gender=S.MAN_PLURAL)["count"] == 4_000
    # July: H5 is a couple, paid half each
    assert row(t, P.PAR_ANDEL_KR_KVINNOR, 202107, gender=S.KVINNOR)["share"] == 0.5
    assert row(t, P.BISTAND_HUSHALL, 202107, group=PR.SAMBO_UTAN)["count"] == 1
    # a month's row exists only for months with payments
    assert set(t.monthly(2021)["month"]) == {1, 2, 3, 4, 5, 6, 7}


def test_40_and_60_percent_are_delad_just_outside_is_not() -> None:
    def couple(hh: str, woman: float, man: float) -> list[tuple[object, ...]]:
        return [(hh, "s" + hh, "m" + hh, S.KVINNA, S.MAN, PR.SAMBO_UTAN, "2021-03-25", woman, PR.SOKANDE_R),
                (hh, "s" + hh, "m" + hh, S.KVINNA, S.MAN, PR.SAMBO_UTAN, "2021-03-25", man, PR.MEDSOKANDE_R)]
    rows = couple("a", 400, 600) + couple("b", 600, 400) + couple("c", 399.99, 600.01) + couple("d", 600.01, 399.99)
    rows += couple("e", 0, 1000)
    t = P.table(PR.canonical(pd.DataFrame(rows, columns=list(PR.COLUMNS))), k=0)
    delad = row(t, P.PAR_DELAD_UTBETALNING, 2021)
    assert (delad["count"], delad["denominator"]) == (2, 5)


def test_only_third_party_payments_and_corrections_to_zero() -> None:
    # a couple paid only through a third party is not in the couples' denominator; one whose
    # payments cancel out (1000 − 1000) is in it but cannot be "delad" (no share of nothing)
    rows = [("a", "s1", "m1", S.KVINNA, S.MAN, PR.SAMBO_MED, "2021-03-25", 9000, PR.TREDJE_PART),
            ("b", "s2", "m2", S.MAN, S.KVINNA, PR.SAMBO_MED, "2021-03-25", 1000, PR.MEDSOKANDE_R),
            ("b", "s2", "m2", S.MAN, S.KVINNA, PR.SAMBO_MED, "2021-03-28", -1000, PR.MEDSOKANDE_R)]
    t = P.table(PR.canonical(pd.DataFrame(rows, columns=list(PR.COLUMNS))), k=0)
    delad = row(t, P.PAR_DELAD_UTBETALNING, 2021)
    assert (delad["count"], delad["denominator"]) == (0, 1)
    assert pd.isna(row(t, P.PAR_ANDEL_KR_KVINNOR, 2021, gender=S.KVINNOR)["share"])  # 0 of 0 kronor
    assert row(t, P.TREDJE_PART_ANDEL, 2021)["share"] == 1.0


def test_same_gender_couples_are_not_in_the_couple_indicators() -> None:
    rows = [("a", "s1", "m1", S.KVINNA, S.KVINNA, PR.SAMBO_UTAN, "2021-03-25", 1000, PR.SOKANDE_R),
            ("b", "s2", "m2", S.KVINNA, S.MAN, PR.SAMBO_UTAN, "2021-03-25", 1000, PR.SOKANDE_R)]
    t = P.table(PR.canonical(pd.DataFrame(rows, columns=list(PR.COLUMNS))), k=0)
    assert row(t, P.PAR_DELAD_UTBETALNING, 2021)["denominator"] == 1
    assert row(t, P.PAR_ANDEL_KR_KVINNOR, 2021, gender=S.KVINNOR)["share"] == 1.0
    assert row(t, P.BISTAND_KR, 2021, gender=S.KVINNOR)["count"] == 2000


# --- reading -------------------------------------------------------------------------------

def test_every_format_reads_the_same(tmp_path: Path) -> None:
    base = hand()
    raw = pd.read_csv(HAND, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    raw.to_csv(tmp_path / "utf8bom.csv", index=False, encoding="utf-8-sig")
    raw.to_excel(tmp_path / "excel.xlsx", index=False)
    typed = raw.assign(**{"Belopp kr": base["belopp"], "Utbetalningsdatum": base["utbetalningsdatum"]})
    typed.to_parquet(tmp_path / "typed.parquet", index=False)
    for name in ("utf8bom.csv", "excel.xlsx", "typed.parquet"):
        df, problems = PR.read_file(tmp_path / name)
        assert df is not None, (name, [str(p) for p in problems])
        pd.testing.assert_frame_equal(df, base, obj=name)


def test_personnummer_are_pseudonymised_and_give_gender(tmp_path: Path) -> None:
    df, problems = PR.read_file(DATA / "utbetalningar_personnummer.csv")
    assert df is not None, [str(p) for p in problems]
    assert df[PR.KON_SOKANDE].tolist() == [S.MAN, S.MAN, S.KVINNA]
    assert df[PR.KON_MEDSOKANDE].tolist()[:2] == [S.KVINNA, S.KVINNA]
    assert df[PR.SOKANDE].iloc[0] == df[PR.SOKANDE].iloc[1] and df[PR.SOKANDE].iloc[0].startswith("p")
    text = df.to_csv()
    for digits in ("8503151238", "8503151246", "9001012385", "850315", "900101"):
        assert digits not in text.replace("-", "")
    assert df[PR.BELOPP].tolist() == [1500.5, 1500.5, 3000.0]  # decimal point
    assert df[PR.UTBETALNINGSDATUM].dt.strftime("%Y-%m-%d").tolist() == ["2021-01-25", "2021-01-25", "2021-02-25"]
    assert df[PR.HUSHALLSTYP].iloc[2] == PR.ENSAM_UTAN  # code 5: single woman without children


def test_socialstyrelsen_code_gives_the_single_adults_gender(tmp_path: Path) -> None:
    f = tmp_path / "koder.csv"
    f.write_text("hushåll,sökande,hushållstyp,datum,belopp,mottagare\nA,x1,3,2021-01-01,10,sökande\n"
                 "B,x2,6,2021-01-01,10,sökande\n", encoding="utf-8")
    df, problems = PR.read_file(f)
    assert df is not None, [str(p) for p in problems]
    assert df[PR.KON_SOKANDE].tolist() == [S.MAN, S.KVINNA]
    assert df[PR.HUSHALLSTYP].tolist() == [PR.ENSAM_UTAN, PR.ENSAM_MED]


def test_bad_payment_file_is_refused_with_file_row_column() -> None:
    ins = PR.inspect(DATA / "utbetalningar_fel.csv")
    assert ins.frame is None
    got = {(p.row, p.column, p.message.split(".")[0]) for p in ins.problems}
    assert all(p.file == "utbetalningar_fel.csv" for p in ins.problems)
    expected = {
        (2, "datum", "Datumet kan inte läsas"),
        (3, "belopp", "Beloppet är inte ett tal"),
        (4, "mottagare", "Okänt värde ”Grannen” (1 rad, första på rad 4)"),  # one problem per unknown value, with its count
        (5, "mottagare", "Utbetalningen går till medsökande men raden har ingen medsökande"),
        (6, "hushållstyp", "Okänt värde ”Okänd typ” (1 rad, första på rad 6)"),
        (7, "sökande", "Personnumret för sökande är inte giltigt (fel form, datum eller kontrollsiffra)"),
        (8, "hushållstyp", "Hushållstypen är ensamstående men raden har en medsökande"),
        (9, "hushåll", "Hushåll saknas"),
        (10, None, "Samma person har olika kön på olika rader"),
        (11, None, "Raden är en dubblett av en tidigare rad"),
    }
    assert expected <= got
    assert [p.row for p in ins.problems] == sorted(p.row for p in ins.problems)  # in the order of the file
    assert "Okänd mottagare" in next(p.message for p in ins.problems if p.row == 4 and p.column == "mottagare")
    assert "850315" not in " ".join(str(p) for p in ins.problems)


def test_missing_and_doubled_columns() -> None:
    ins = PR.inspect(DATA / "utbetalningar_fel_kolumner.csv")
    assert ins.frame is None
    messages = [str(p) for p in ins.problems]
    assert "Fil utbetalningar_fel_kolumner.csv, rad 1, kolumn summa: Kolumnen betyder samma sak som kolumnen belopp. Ta bort den ena." in messages
    for missing in ("hushallstyp", "utbetalningsdatum", "mottagare"):
        assert any("Obligatorisk kolumn saknas" in m and f"({missing})" in m for m in messages), missing


@pytest.mark.parametrize(("content", "message"), [
    (b"", "Filen är tom."),
    (b"hush\xc3\xa5ll,s\xc3\xb6kande,hush\xc3\xa5llstyp,datum,belopp,mottagare\n", "Filen innehåller inga rader."),
    (b"hush\xc3\xa5ll,s\xc3\xb6kande,hush\xc3\xa5llstyp,datum,belopp,mottagare\nA,b,3,2021-01-01\n", "Raden har 4 fält men rubrikraden har 6"),
])
def test_unreadable_payment_files(tmp_path: Path, content: bytes, message: str) -> None:
    f = tmp_path / "utbetalningar.csv"
    f.write_bytes(content)
    ins = PR.inspect(f)
    assert ins.frame is None
    assert any(message in p.message for p in ins.problems), [str(p) for p in ins.problems]


@pytest.mark.parametrize(("text", "value"), [("1 234,50", 1234.5), ("1234.50", 1234.5), ("-500", -500.0), ("\u2212500 kr", -500.0),
                                             ("1.234,50", 1234.5), ("1,234.50", 1234.5), ("tusen", None), ("inf", None)])
def test_amounts(text: str, value: float | None) -> None:
    assert PR._amount(text) == value


def test_kind_of_recognises_both_kinds() -> None:
    assert PR.kind_of(PR.inspect(HAND).headers) == "utbetalningar"
    participants = (DATA / "sma_fall.csv").read_text(encoding="utf-8").splitlines()[0]
    sep = ";" if participants.count(";") > participants.count(",") else ","
    assert PR.kind_of(participants.split(sep)) == "deltagare"
    assert PR.kind_of(list(PR.COLUMNS)) == "utbetalningar"
    assert PR.kind_of(["belopp", "datum"]) is None


# --- disclosure control ----------------------------------------------------------------------

def relations_hold(t: P.PaymentTable) -> None:
    """No published relation has exactly one hidden cell: women + men (+ annat) = totalt, the
    household types add up to all households, the couple types to all couples, the months'
    kronor to the year's."""
    f = t.frame
    for _, per in f.groupby("period"):
        kr = per[per["indicator"] == P.BISTAND_KR]
        assert kr["suppressed"].sum() != 1
        hh = per[per["indicator"] == P.BISTAND_HUSHALL]
        assert hh["suppressed"].sum() != 1
        for ind in (P.PAR_ANDEL_KR_KVINNOR, P.PAR_DELAD_UTBETALNING):
            sub = per[per["indicator"] == ind]
            assert sub["suppressed"].sum() != 1
            den_hidden = sub["denominator"].isna() & ~sub["share"].isna()
            assert not den_hidden.any()
    for (ind, grp, gender, year), sub in f[f["indicator"].isin(P.KRONOR_INDICATORS)].groupby(
            ["indicator", "group", "gender", "year"]):
        assert sub["suppressed"].sum() != 1, (ind, grp, gender, year)


def test_small_cells_hidden_with_secondary_suppression() -> None:
    rows = []
    for i in range(12):  # 12 couples paid half each, 3 of them also with rent to a landlord
        hh = f"c{i}"
        rows += [(hh, f"s{i}", f"m{i}", S.KVINNA, S.MAN, PR.SAMBO_UTAN, "2021-03-25", 500, PR.SOKANDE_R),
                 (hh, f"s{i}", f"m{i}", S.KVINNA, S.MAN, PR.SAMBO_UTAN, "2021-03-25", 500, PR.MEDSOKANDE_R)]
        if i < 3:
            rows.append((hh, f"s{i}", f"m{i}", S.KVINNA, S.MAN, PR.SAMBO_UTAN, "2021-03-25", 300, PR.TREDJE_PART))
    rows += [(f"e{i}", f"x{i}", None, S.MAN, None, PR.ENSAM_MED, "2021-03-25", 700, PR.SOKANDE_R) for i in range(2)]
    t = P.table(PR.canonical(pd.DataFrame(rows, columns=list(PR.COLUMNS))), k=5)
    third = row(t, P.TREDJE_PART_ANDEL, 2021)
    assert third["suppressed"] and pd.isna(third["count"]) and pd.isna(third["share"])  # 3 households < 5
    # persons' kronor + third party = all kronor: one of the two others must go too
    assert row(t, P.BISTAND_KR, 2021)["suppressed"] or pd.isna(third["denominator"])
    # households: 2 single parents < 5, so another type (the smallest non-zero: couples, 12) goes too
    assert row(t, P.BISTAND_HUSHALL, 2021, group=PR.ENSAM_MED)["suppressed"]
    assert row(t, P.BISTAND_HUSHALL, 2021, group=PR.SAMBO_UTAN)["suppressed"]
    assert row(t, P.BISTAND_HUSHALL, 2021)["count"] == 14
    assert row(t, P.PAR_DELAD_UTBETALNING, 2021)["count"] == 12
    relations_hold(t)


def test_demo_table_is_safe_and_months_protect_years() -> None:
    t = P.table(D.demo_frame(), k=5)
    relations_hold(t)
    assert t.frame["suppressed"].any()
    internal = P.table(D.demo_frame(), k=0)
    assert not internal.frame["suppressed"].any() and internal.internal and "Internt" in internal.note


# --- a row-by-row reference ----------------------------------------------------------------

def reference(df: pd.DataFrame) -> dict[tuple[str, int, str, str], tuple[int, int]]:
    """The indicators computed one payment at a time (plain Python), k = 0."""
    recs = sorted(df.to_dict("records"), key=lambda r: r[PR.UTBETALNINGSDATUM])  # stable: ties keep file order
    by_period: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in recs:
        d = r[PR.UTBETALNINGSDATUM]
        by_period[d.year].append(r)
        by_period[d.year * 100 + d.month].append(r)
    out: dict[tuple[str, int, str, str], tuple[int, int]] = {}
    for per, rs in by_period.items():
        kr: dict[str, int] = defaultdict(int)
        third = every = 0
        latest: dict[str, str] = {}
        couples: dict[str, list[Any]] = {}
        for r in rs:
            ore = round(r[PR.BELOPP] * 100)
            every += ore
            latest[r[PR.HUSHALL_ID]] = r[PR.HUSHALLSTYP]
            if r[PR.MOTTAGARE] == PR.TREDJE_PART:
                third += ore
                continue
            g = r[PR.KON_SOKANDE] if r[PR.MOTTAGARE] == PR.SOKANDE_R else r[PR.KON_MEDSOKANDE]
            kr[S.GENDER_GROUP_OF[g]] += ore
            kr[S.TOTALT] += ore
            if not pd.isna(r[PR.MEDSOKANDE]) and {r[PR.KON_SOKANDE], r[PR.KON_MEDSOKANDE]} == {S.KVINNA, S.MAN}:
                c = couples.setdefault(r[PR.HUSHALL_ID], [0, 0, None])
                c[0] += ore if g == S.KVINNA else 0
                c[1] += ore
                c[2] = r[PR.HUSHALLSTYP]
        for g in (S.KVINNOR, S.MAN_PLURAL, S.ANNAT_OKANT, S.TOTALT):
            out[(P.BISTAND_KR, per, S.TOTALT, g)] = (round(kr[g] / 100), round(kr[S.TOTALT] / 100))
        out[(P.TREDJE_PART_ANDEL, per, S.TOTALT, S.TOTALT)] = (round(third / 100), round(every / 100))
        for typ in (*PR.HOUSEHOLD_TYPES, S.TOTALT):
            n = sum(1 for v in latest.values() if typ in (v, S.TOTALT))
            out[(P.BISTAND_HUSHALL, per, typ, S.TOTALT)] = (n, len(latest))
        for grp in (*PR.COUPLE_TYPES, S.TOTALT):
            cs = [c for c in couples.values() if grp in (c[2], S.TOTALT)]
            out[(P.PAR_ANDEL_KR_KVINNOR, per, grp, S.KVINNOR)] = (round(sum(c[0] for c in cs) / 100), round(sum(c[1] for c in cs) / 100))
            delad = sum(1 for c in cs if c[1] > 0 and 0.4 * c[1] - 1e-9 <= c[0] <= 0.6 * c[1] + 1e-9)
            out[(P.PAR_DELAD_UTBETALNING, per, grp, S.TOTALT)] = (delad, len(cs))
    return out


@st.composite
def payment_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    rows = []
    genders = st.sampled_from([S.KVINNA, S.MAN, S.ANNAT])
    for _ in range(n):
        hh = draw(st.sampled_from("ABCDEF"))
        typ = draw(st.sampled_from(PR.HOUSEHOLD_TYPES))
        med = typ in PR.COUPLE_TYPES and draw(st.booleans() | st.just(True))
        rec = draw(st.sampled_from([PR.SOKANDE_R, PR.TREDJE_PART, *([PR.MEDSOKANDE_R] * 2 if med else [])]))
        day = date(2020, 11, 1).toordinal() + draw(st.integers(0, 100))
        amount = draw(st.integers(-2000, 10_000) | st.sampled_from([400, 600, 1000]))
        rows.append((hh, "s" + hh, "m" + hh if med else None, draw(genders), draw(genders) if med else None, typ,
                     date.fromordinal(day).isoformat(), float(amount), rec))
    return PR.canonical(pd.DataFrame(rows, columns=list(PR.COLUMNS)))


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payment_frames())
def test_vectorised_table_equals_row_by_row_reference(df: pd.DataFrame) -> None:
    t = P.table(df, k=0)
    ref = reference(df)
    annat = (df[PR.KON_SOKANDE] == S.ANNAT).where(df[PR.MOTTAGARE] == PR.SOKANDE_R, False).any() or (
        (df[PR.KON_MEDSOKANDE] == S.ANNAT).where(df[PR.MOTTAGARE] == PR.MEDSOKANDE_R, False).any())
    seen = 0
    for r in t.frame.to_dict("records"):
        key = (r["indicator"], int(r["period"]), r["group"], r["gender"])
        assert (int(r["count"]), int(r["denominator"])) == ref[key], key
        seen += 1
    expected = {k for k in ref if k[3] != S.ANNAT_OKANT or annat}
    assert seen == len(expected)


# --- demo data, JSON rows, report --------------------------------------------------------------

def test_committed_demo_file_is_the_generator_output() -> None:
    committed = D.read(D.DEMO_FILE)
    pd.testing.assert_frame_equal(committed, D.generate())
    assert PR.kind_of(list(committed.columns)) == "utbetalningar"


def test_demo_tells_the_story() -> None:
    t = P.table(D.demo_frame(), k=5)
    before = [row(t, P.PAR_DELAD_UTBETALNING, y)["share"] for y in (2017, 2018, 2019)]
    after = [row(t, P.PAR_DELAD_UTBETALNING, y)["share"] for y in (2021, 2022, 2023, 2024)]
    assert max(before) < 0.3 and min(after) > 0.7
    assert row(t, P.PAR_ANDEL_KR_KVINNOR, 2019, gender=S.KVINNOR)["share"] < 0.3
    assert row(t, P.PAR_ANDEL_KR_KVINNOR, 2022, gender=S.KVINNOR)["share"] > 0.4
    df = D.demo_frame()
    assert (df[PR.BELOPP] < 0).any() and (df[PR.MOTTAGARE] == PR.TREDJE_PART).any()
    assert set(df[PR.HUSHALLSTYP]) == set(PR.HOUSEHOLD_TYPES)
    changed = df.groupby(PR.HUSHALL_ID)[PR.HUSHALLSTYP].nunique()
    assert (changed > 1).any()
    assert df[PR.HUSHALL_ID].nunique() >= 300


def test_json_records() -> None:
    rows = P.indicator_records(hand(), 2021, k=0)
    json.dumps(rows)
    assert {r["indicator"] for r in rows} == set(P.INDICATORS)
    for r in rows:
        assert {"indicator", "year", "gender", "count", "denominator", "share", "suppressed", "perturbed"} <= set(r)
        assert r["year"] == 2021 and r["perturbed"] is False
        assert ("group" in r) == (r["indicator"] in (P.BISTAND_HUSHALL, P.PAR_ANDEL_KR_KVINNOR, P.PAR_DELAD_UTBETALNING))
    published = {(r["indicator"], r.get("group"), r["gender"]): r for r in P.indicator_records(hand(), 2021)}  # k = 5
    assert published[(P.TREDJE_PART_ANDEL, None, S.TOTALT)]["count"] is None  # one household paid a third party
    assert published[(P.BISTAND_HUSHALL, PR.ENSAM_MED, S.TOTALT)]["suppressed"]  # one single parent
    # persons' kronor + third party = all kronor: the hidden third party takes a second cell along, and
    # that one (the persons' total, 7 households) takes a third (women's or men's kronor, 6 households)
    assert sum(published[(P.BISTAND_KR, None, g)]["suppressed"] for g in (S.KVINNOR, S.MAN_PLURAL, S.TOTALT)) == 2
    relations_hold(P.table(hand(), 5))
    assert P.indicator_records(None, 2021) == []
    monthly = P.records(P.table(hand(), 0), 2021, monthly=True)
    assert {r["month"] for r in monthly} == {f"2021-0{m}" for m in range(1, 8)}


def test_report_section_and_sentence() -> None:
    sec = V.report_section(D.demo_frame(), 2024, 5, date(2020, 1, 1))
    assert sec is not None
    assert "Året före beslutet" in sec.sentence and "2019" in sec.sentence and "tredje part" in sec.sentence
    annual = next(iter(sec.tables.values()))
    t = P.table(D.demo_frame(), 5)
    expected = row(t, P.PAR_DELAD_UTBETALNING, 2024)["share"]
    assert annual.loc[annual["År"] == "2024", "Andel med delad utbetalning"].iloc[0] == f"{expected * 100:.1f} %".replace(".", ",")
    # the women's share (the men's is the rest: one line) and the share paid half each; decision date marked
    assert len(sec.figure.data) == 2 and sec.figure.layout.shapes
    from jamstalldhet.show.charts import alt_text

    assert alt_text(sec.figure).startswith("Månad för månad 2016–2024. År 2024 gick")  # the span, then this year
    assert V.report_section(D.demo_frame(), 2030, 5) is None
    assert V.report_section(None, 2024, 5) is None
    long = V.export_table(t, monthly=True)  # the machine file: long, a hidden share empty and marked
    assert long["Andel (%)"].isna().sum() == (long["Röjandekontroll"] == "..").sum()
    # the report's sheet is wide, as the page shows it: a month per row, a hidden share is ".."
    exported = sec.exports["Utbetalningar per månad"]
    hidden = t.monthly()
    hidden = hidden[(hidden["indicator"] == P.PAR_DELAD_UTBETALNING) & (hidden["group"] == "Totalt")]
    assert (exported["Andel med delad utbetalning (%)"] == "..").sum() == hidden["share"].isna().sum()
    assert len(exported) == len(hidden) and "Hushåll (antal)" in long and "Kronor (kr)" in long


def test_figure_gaps_where_suppressed() -> None:
    t = P.table(D.demo_frame(), k=5)
    fig = V.by_type_figure(t, date(2020, 1, 1), 2018)
    from jamstalldhet.show.charts import alt_text

    # its own sentence, for the page's year (not the kronor chart's sentence for the latest year)
    assert "år 2018:" in alt_text(fig) and "År 2024" not in alt_text(fig)
    utan = fig.data[0]
    hidden = t.monthly()
    hidden = hidden[(hidden["indicator"] == P.PAR_DELAD_UTBETALNING) & (hidden["group"] == PR.SAMBO_UTAN)]
    assert sum(v is None for v in utan.y) == int(hidden["share"].isna().sum()) > 0
    assert np.isclose([v for v in utan.y if v is not None], hidden["share"].dropna().to_numpy() * 100).all()


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payment_frames(), st.integers(2, 6))
def test_published_tables_are_safe(df: pd.DataFrame, k: int) -> None:
    t = P.table(df, k=k)
    relations_hold(t)
    f = t.frame
    households = f[f["indicator"].isin([P.BISTAND_HUSHALL, P.PAR_DELAD_UTBETALNING])]
    for col in ("count", "denominator"):
        shown = households[col].dropna().astype(int)
        assert not ((shown >= 1) & (shown < k)).any(), col
    assert f["share"].isna().all() or not (f["share"].notna() & f["share_suppressed"]).any()
