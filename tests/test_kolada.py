"""Kolada (data contract section 10): the outcome mapping, the figures by gender, the command line,
the comparison files and the Jämförelse page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jamstalldhet.app import kolada
from jamstalldhet.base import schema as S
from jamstalldhet.intake.reading import read_file
from jamstalldhet.intake.records import Prepared, prepare
from tests.conftest import page_tables

# --- the outcome mapping (data/kolada.toml) -----------------------------------------------------


def test_shipped_mapping_covers_every_canonical_outcome_and_the_contracts_c_d_values() -> None:
    m = kolada.load_mapping()
    assert m.municipality == "1490"
    m.check(list(S.OUTCOMES))  # nothing the records can hold is unmapped
    assert {o: m.category_of(o) for o in (S.ARBETE, S.STUDIER, S.ARBETSMARKNADSANSTALLNING, S.OHALSA, S.ANNAT_UTFALL)} == \
        {"Arbete": "A", "Studier": "B", "Arbetsmarknadsanställning": "E", "Ohälsa": "E", "Annat": "E"}
    for value in ("Överförd till annan myndighet", "Överförd till Försäkringskassan", "Överförd till regionen"):
        assert m.category_of(value) == "C"
    for value in ("Slutfört uppdrag", "avslutad enligt plan"):  # matched as the synonyms are: case, diacritics
        assert m.category_of(value) == "D"


def _mapping(utfall: str, kod: str = "1490") -> str:
    return (f'kommunkod = "{kod}"\nkommun = "X"\n[kategorier]\nA = "a"\nB = "b"\nC = "c"\nD = "d"\nE = "e"\n'
            f"[utfall]\n{utfall}\n")


def test_an_unmapped_outcome_is_named_never_guessed() -> None:
    m = kolada.parse_mapping(_mapping('"Arbete" = "A"\n"Studier" = "B"'))
    with pytest.raises(kolada.KoladaError, match="'Ohälsa'.*ingen Kolada-kategori"):
        m.check([S.ARBETE, S.OHALSA])
    m.check([S.ARBETE, S.STUDIER])


@pytest.mark.parametrize(("text", "match"), [
    (_mapping('"Arbete" = "F"'), "kategorin ska vara en av A, B, C, D, E"),
    (_mapping('"Arbete" = "A"', kod="149"), "kommunkod ska vara kommunens fyra siffror"),
    (_mapping('"Arbete" = "A"\n"arbete" = "B"'), "två gånger"),
    ('kommunkod = "1490"\n[utfall\n', "rad 2"),
    (_mapping("").replace("[utfall]\n", ""), r"\[utfall\] saknas"),
])
def test_a_broken_mapping_file_says_what_is_wrong(text: str, match: str) -> None:
    with pytest.raises(kolada.KoladaError, match=match):
        kolada.parse_mapping(text)


# --- the figures by gender ---------------------------------------------------------------------

OUTCOME_TEXTS = ("Arbete", "Subventionerat arbete", "Studier", "Arbetsmarknadsanställning", "Ohälsa", "Sjukskrivning",
                 "Flyttat", "")
#: A mapping that gives all five categories persons (Ohälsa → C as the contract allows; here also
#: Arbetsmarknadsanställning → D, only so that D is not empty in this test).
ALL_FIVE = _mapping('"Arbete" = "A"\n"Studier" = "B"\n"Ohälsa" = "C"\n"Arbetsmarknadsanställning" = "D"\n"Annat" = "E"')


def export_of_all_kinds(path: Path) -> Path:
    """A synthetic export: 400 persons, 1–3 records each, ending in 2017, 2018 or not at all, with
    outcomes of all five kinds written as exports write them (synonyms, an empty cell, an unknown text)."""
    rng = np.random.default_rng(29)
    rows = []
    for p in range(400):
        kon = "K" if p % 7 < 4 else "M"
        for _ in range(int(rng.integers(1, 4))):
            start = pd.Timestamp("2015-01-01") + pd.Timedelta(days=int(rng.integers(0, 1400)))
            end = start + pd.Timedelta(days=int(rng.integers(0, 1000)))
            ongoing = rng.random() < 0.15
            rows.append({"person_id": f"p{p}", "kon": kon, "insats": "Insats " + "AB"[p % 2],
                         "startdatum": start.date().isoformat(), "slutdatum": "" if ongoing else end.date().isoformat(),
                         "avslutsorsak": "" if ongoing else str(rng.choice(OUTCOME_TEXTS))})
    f = path / "export.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    return f


def independent_categories(f: Path, year: int, category_of: dict[str, str]) -> pd.DataFrame:
    """A–E counts by gender in plain pandas, from the raw file: per person the latest ending in the
    year (ties: the last row), the raw text grouped by hand."""
    raw = pd.read_csv(f, dtype=str, keep_default_na=False)
    raw["row"] = range(len(raw))
    end = pd.to_datetime(raw["slutdatum"], errors="coerce")
    ended = raw[end.dt.year == year].assign(end=end[end.dt.year == year])
    latest = ended.sort_values(["end", "row"]).groupby("person_id").tail(1)
    by_hand = {"Arbete": "Arbete", "Subventionerat arbete": "Arbete", "Studier": "Studier",
               "Arbetsmarknadsanställning": "Arbetsmarknadsanställning", "Ohälsa": "Ohälsa", "Sjukskrivning": "Ohälsa"}
    latest = latest.assign(cat=latest["avslutsorsak"].map(lambda t: category_of[by_hand.get(t, "Annat")]))
    table = pd.crosstab(latest["cat"], latest["kon"]).reindex(index=list("ABCDE"), columns=["K", "M"], fill_value=0)
    table["T"] = table["K"] + table["M"]
    return table


@pytest.mark.parametrize("mapping_text", [None, ALL_FIVE], ids=["standardfilen", "alla-fem"])
def test_a_to_e_counts_equal_an_independent_computation(tmp_path: Path, mapping_text: str | None) -> None:
    f = export_of_all_kinds(tmp_path)
    df, problems = read_file(f)
    assert df is not None, [str(p) for p in problems]
    m = kolada.load_mapping() if mapping_text is None else kolada.parse_mapping(mapping_text)
    fig = kolada.compute(prepare(df), 2018, 0, m)
    expected = independent_categories(f, 2018, {o: m.category_of(o) or "?" for o in S.OUTCOMES})
    if mapping_text is not None:
        assert (expected.loc[:, "T"] > 0).all()  # the export really has all five kinds
    for c, kid in kolada.COUNT_OF_CATEGORY.items():
        for g in kolada.GENDERS:
            assert fig.value(kid, g) == expected.loc[c, g], (kid, g)
    for g in kolada.GENDERS:
        assert fig.value("N40450", g) == expected[g].sum()
        a_b = expected.loc["A", g] + expected.loc["B", g]
        assert fig.value("U40455", g) == round(100 * a_b / expected[g].sum() + 1e-9, 1)


#: Outcomes as exports write them (spaces and case as they come) → the category by hand, with the
#: shipped mapping: the written C and D values count there, everything else by its meaning.
WRITTEN = {"Arbete": "A", "Subventionerat arbete": "A", "Studier": "B", "reguljära studier": "B",
           "Överförd till Försäkringskassan": "C", " Överförd till regionen ": "C", "ÖVERFÖRD TILL ANNAN MYNDIGHET": "C",
           "Slutfört uppdrag": "D", "Avslutad enligt plan ": "D",
           "Arbetsmarknadsanställning": "E", "Ohälsa": "E", "Sjukskrivning": "E", "Flyttat": "E", "Avbrott": "E", "": "E"}


def export_with_written_c_and_d(path: Path) -> Path:
    """A synthetic export (semicolon CSV, as a case-management system writes it): 500 persons, 1–3
    records each, with outcomes of all five kinds A–E written as :data:`WRITTEN`."""
    rng = np.random.default_rng(2029)
    texts = list(WRITTEN)
    rows = []
    for p in range(500):
        kon = "Kvinna" if p % 9 < 5 else "Man"
        for _ in range(int(rng.integers(1, 4))):
            start = pd.Timestamp("2016-06-01") + pd.Timedelta(days=int(rng.integers(0, 700)))
            end = start + pd.Timedelta(days=int(rng.integers(0, 500)))
            ongoing = rng.random() < 0.1
            rows.append({"Löpnummer": f"x{p}", "Kön": kon, "Insats": "Arbetsträning",
                         "Startdatum": start.date().isoformat(), "Slutdatum": "" if ongoing else end.date().isoformat(),
                         "Utfall": "" if ongoing else str(rng.choice(texts))})
    f = path / "export_a_till_e.csv"
    pd.DataFrame(rows).to_csv(f, index=False, sep=";")
    return f


def written_categories_by_hand(f: Path, year: int) -> pd.DataFrame:
    """A–E by gender (K, M, T) from the raw file in plain pandas: per person the latest ending in the
    year (ties: the last row), the written outcome looked up in :data:`WRITTEN`."""
    raw = pd.read_csv(f, sep=";", dtype=str, keep_default_na=False)
    raw["row"] = range(len(raw))
    end = pd.to_datetime(raw["Slutdatum"], errors="coerce")
    ended = raw[end.dt.year == year].assign(end=end[end.dt.year == year])
    latest = ended.sort_values(["end", "row"]).groupby("Löpnummer").tail(1)
    latest = latest.assign(cat=latest["Utfall"].map(WRITTEN), kon=latest["Kön"].map({"Kvinna": "K", "Man": "M"}))
    assert latest["cat"].notna().all()
    table = latest.groupby(["cat", "kon"]).size().unstack(fill_value=0).reindex(index=list("ABCDE"), columns=["K", "M"],
                                                                                  fill_value=0)
    table["T"] = table["K"] + table["M"]
    return table


def test_written_c_and_d_values_reach_the_figures_through_an_import(tmp_path: Path) -> None:
    """The holdout-style test of the issue: an export with outcomes of all five kinds, imported as the
    Import page does (reading → canonical → the store's Parquet batches), gives the A–E counts of an
    independent computation on the raw file; the frame path gives the same."""
    from jamstalldhet.intake import importing, store
    from jamstalldhet.intake.records import load_store

    f = export_with_written_c_and_d(tmp_path)
    target = tmp_path / "lager"
    preview = importing.preview(f, target)
    assert preview.ok, [str(p) for p in preview.problems]
    assert importing.commit(preview, target) is not None
    for year in (2017, 2018):
        expected = written_categories_by_hand(f, year)
        assert (expected["T"] > 0).all()  # the export really has all five kinds
        for prep in (load_store(target), prepare(store.load(target)), prepare(read_file(f)[0])):
            fig = kolada.compute(prep, year, 0)
            for c, kid in kolada.COUNT_OF_CATEGORY.items():
                for g in kolada.GENDERS:
                    assert fig.value(kid, g) == expected.loc[c, g], (year, kid, g)
            for g in kolada.GENDERS:
                assert fig.value("N40450", g) == expected[g].sum()
    stored = store.load(target)
    # on every other page the written C and D values are Annat, as the synonym list says
    written = stored[S.AVSLUTSORSAK_KALLA].astype("string").str.strip().str.lower()
    cd = written.isin([w.strip().lower() for w, c in WRITTEN.items() if c in "CD" and w])
    assert cd.any() and (stored.loc[cd, S.AVSLUTSORSAK] == S.ANNAT_UTFALL).all()


def test_no_free_text_is_stored_as_the_written_outcome(tmp_path: Path) -> None:
    """A value the synonym list does not know is asked about; whatever the analyst says it means, the
    text itself is not stored (the written column is empty there) and Kolada counts the chosen outcome."""
    from jamstalldhet.intake import importing, store
    from jamstalldhet.intake.records import load_store

    f = tmp_path / "fritext.csv"
    f.write_text("id;kön;insats;start;slut;utfall\n"
                 "a;K;X;2018-01-10;2018-03-01;Flyttade till sin syster Anna i Ulricehamn\n"
                 "b;M;X;2018-01-10;2018-04-01;Slutfört uppdrag\n"
                 "c;K;X;2018-01-10;2018-05-01;Arbete\n", encoding="utf-8")
    refused = importing.preview(f, tmp_path / "lager")
    assert not refused.ok and any("Okänt värde" in p.message for p in refused.problems)
    choice = {S.AVSLUTSORSAK: {"Flyttade till sin syster Anna i Ulricehamn": S.ARBETE}}
    p = importing.preview(f, tmp_path / "lager", values=choice)
    assert p.ok, [str(x) for x in p.problems]
    importing.commit(p, tmp_path / "lager")
    stored = store.load(tmp_path / "lager")
    written = stored.sort_values(S.PERSON_ID)[S.AVSLUTSORSAK_KALLA]
    assert written.isna().tolist() == [True, False, False] and written.dropna().tolist() == ["Slutfört uppdrag", "Arbete"]
    for batch in (tmp_path / "lager" / "batches").glob("*.parquet"):
        assert b"syster" not in batch.read_bytes()  # not in the column statistics either (stored uncompressed)
    fig = kolada.compute(load_store(tmp_path / "lager"), 2018, 0)
    assert (fig.value("U40450"), fig.value("U40453"), fig.value("U40454")) == (2, 1, 0)


def test_a_batch_stored_before_the_written_outcome_was_kept_counts_by_the_canonical_outcome(tmp_path: Path) -> None:
    """An older store's batch has no written outcome: it is read as before (C and D from the canonical
    outcomes only), beside a new batch that has it."""
    import pyarrow.parquet as pq

    from jamstalldhet.intake import importing, store
    from jamstalldhet.intake.records import load_store

    target = tmp_path / "lager"
    old = tmp_path / "gammal.csv"
    old.write_text("id;kön;insats;start;slut;utfall\na;K;X;2017-01-10;2017-03-01;Slutfört uppdrag\n"
                   "b;M;X;2017-01-10;2017-04-01;Arbete\n", encoding="utf-8")
    new = tmp_path / "ny.csv"
    new.write_text("id;kön;insats;start;slut;utfall\nc;K;X;2018-01-10;2018-03-01;Slutfört uppdrag\n", encoding="utf-8")
    importing.commit(importing.preview(old, target), target)
    (batch,) = (target / "batches").glob("*.parquet")
    pq.write_table(pq.read_table(batch).drop_columns([S.AVSLUTSORSAK_KALLA]), batch)  # as written before this issue
    importing.commit(importing.preview(new, target), target)
    for prep in (load_store(target), prepare(store.load(target))):
        y2017, y2018 = kolada.compute(prep, 2017, 0), kolada.compute(prep, 2018, 0)
        assert (y2017.value("U40450"), y2017.value("U40453"), y2017.value("U40454")) == (1, 0, 1)
        assert (y2018.value("U40453"), y2018.value("U40454")) == (1, 0)


def test_an_outcome_neither_its_written_value_nor_its_meaning_maps_is_named(tmp_path: Path) -> None:
    f = export_with_written_c_and_d(tmp_path)
    df, problems = read_file(f)
    assert df is not None, problems
    without_annat = kolada.parse_mapping(_mapping('"Arbete" = "A"\n"Studier" = "B"\n"Arbetsmarknadsanställning" = "E"\n'
                                                  '"Ohälsa" = "E"\n"Överförd till Försäkringskassan" = "C"'))
    with pytest.raises(kolada.KoladaError, match="'Flyttat'.*ingen Kolada-kategori") as info:
        kolada.compute(prepare(df), 2018, 0, without_annat)
    assert "Försäkringskassan" not in str(info.value)  # mapped as written, although its meaning (Annat) is not


def test_time_in_programme_equals_an_independent_computation(tmp_path: Path) -> None:
    f = export_of_all_kinds(tmp_path)
    df, _ = read_file(f)
    assert df is not None
    fig = kolada.compute(prepare(df), 2018, 0)
    raw = pd.read_csv(f, dtype=str, keep_default_na=False)
    start, end = pd.to_datetime(raw["startdatum"]), pd.to_datetime(raw["slutdatum"], errors="coerce")
    ended = raw.assign(start=start, end=end)[end.dt.year == 2018]
    span = ended.groupby(["person_id", "kon"]).agg(first=("start", "min"), last=("end", "max")).reset_index()
    bands = {"N40828": (None, 6), "N40829": (6, 12), "N40830": (12, 24)}
    for kid, (above, at_most) in bands.items():
        inside = span["last"] <= span["first"] + pd.DateOffset(months=at_most)
        if above is not None:
            inside &= span["last"] > span["first"] + pd.DateOffset(months=above)
        for g, sel in (("T", span["kon"].notna()), ("K", span["kon"] == "K"), ("M", span["kon"] == "M")):
            n, d = int((inside & sel).sum()), int(sel.sum())
            assert fig.value(kid, g) == pytest.approx(round(100 * n / d + 1e-9, 1)), (kid, g)


def test_months_without_work_only_when_the_column_is_given(demo_prep: Prepared) -> None:
    plain = kolada.compute(demo_prep, 2018, 0)
    assert "N40826" not in plain.ids() and "N40827" not in plain.ids()
    months = np.where(np.arange(demo_prep.n_records) % 3 == 0, 9.0, 18.0)
    fig = kolada.compute(demo_prep, 2018, 0, months_without_work=months)
    assert fig.value("N40826") is not None and fig.value("N40827") is not None
    assert fig.value("N40826") + fig.value("N40827") == pytest.approx(100.0, abs=0.1)


def test_published_mode_hides_small_counts_and_derives_shares_from_shown_counts(tmp_path: Path) -> None:
    from tests.conftest import small_unit

    for prep, k in ((prepare(small_unit()), 5), (prepare(read_file(export_of_all_kinds(tmp_path))[0]), 5),
                    (prepare(read_file(export_of_all_kinds(tmp_path))[0]), 12)):
        exact = kolada.compute(prep, 2018, 0)
        fig = kolada.compute(prep, 2018, k)
        assert not fig.internal and exact.internal
        for kid in fig.ids():
            for g in kolada.GENDERS:
                v = fig.value(kid, g)
                if kolada.KPI_OF[kid].kind == "count":
                    assert v is None or v >= k, (kid, g, v)  # a shown count is never below k, 0 included
                    assert ((kid, g) in fig.hidden) == (v is None)
                    assert v is None or abs(v - (exact.value(kid, g) or 0)) <= 3  # bounded noise
        n = {g: fig.value("N40450", g) for g in kolada.GENDERS}
        for c, kid in kolada.SHARE_OF_CATEGORY.items():
            for g in kolada.GENDERS:
                count = fig.value(kolada.COUNT_OF_CATEGORY[c], g)
                assert fig.value(kid, g) == kolada.percent(count, n[g])
                assert ((kid, g) in fig.hidden) == (count is None or n[g] is None)
        for g in kolada.GENDERS:
            a, b = fig.value("U40450", g), fig.value("U40451", g)
            assert fig.value("U40455", g) == (None if a is None or b is None else kolada.percent(int(a + b), n[g]))
    small = kolada.compute(prepare(small_unit()), 2018, 5)
    assert small.value("N40450", "K") is None and ("N40450", "K") in small.hidden  # 3 women ended
    assert small.value("U40455", "K") is None


def test_protect_is_exact_in_internal_mode_and_the_cell_key_method_otherwise() -> None:
    from jamstalldhet.disclosure import control as disclosure

    counts, keys = {"T": 43, "K": 3, "M": 40}, {"T": 12_345, "K": 99_999, "M": 5_000_000}
    assert kolada.protect(counts, keys, 0) == counts
    assert kolada.protect({"T": 0, "K": 0, "M": 0}, {"T": 0, "K": 0, "M": 0}, 5) == {"T": None, "K": None, "M": None}
    for n in range(0, 40):
        for keysum in (1, 99_999, 5_000_000, 12_345_678):
            c = {"T": n + 30, "K": n, "M": 30}
            k_ = {"T": keysum + 7, "K": keysum, "M": 7}
            got = kolada.protect(c, k_, 5)
            shown = disclosure.perturb_counts([n], [keysum], 5)
            assert got["K"] == (None if shown.mask[0] else int(shown.data[0]))  # the rule of every published count
            assert (got["T"] is None) == (got["K"] is None or got["M"] is None)  # a total is hidden with a gender


def test_demo_2018_exact_figures_come_from_the_records(demo_prep: Prepared) -> None:
    """The issue's 'done when' figures, checked against the indicators (not typed in)."""
    from jamstalldhet.compute import indicators
    fig = kolada.compute(demo_prep, 2018, 0)
    table = indicators.compute(demo_prep, 2018)
    count = {(r.indicator, r.gender): int(r.count) for r in table.itertuples()}
    for g, label in (("T", "Totalt"), ("K", "Kvinnor"), ("M", "Män")):
        ended = count[("avslutade", label)]
        work_or_study = count[("avslut_arbete", label)] + count[("avslut_studier", label)]
        assert fig.value("N40450", g) == ended
        assert fig.value("U40455", g) == kolada.percent(work_or_study, ended)


def test_demo_follows_the_shipped_boras_series_within_one_point(demo_records: Prepared) -> None:
    """The issue's 'a demo that matches the public record': the demo's exact U40455 (total), computed
    from its records, is within 1 percentage point of Borås' published value, every year 2016–2023."""
    from jamstalldhet.intake import demo

    shipped = {v.period: v.value for v in kolada.shipped_values()[0]
               if v.kpi == "U40455" and v.municipality == "1490" and v.gender == "T"}
    assert sorted(shipped) == list(range(2016, 2024))
    assert demo.BORAS_U40455 == shipped  # the generator's table is the shipped file's values
    for year, published in shipped.items():
        fig = kolada.compute(demo_records, year, 0)
        own = fig.value("U40455", "T")
        assert own is not None and published is not None
        assert abs(own - published) <= 1.0, (year, own, published)
        women, men = fig.value("U40455", "K"), fig.value("U40455", "M")
        assert women is not None and men is not None and women > men, year  # as the seed's 2018


# --- the command line ----------------------------------------------------------------------------

KOLADA_VALUE_KEYS = {"gender", "count", "status", "value"}


def assert_kolada_v3_data(rows: object) -> None:
    """Kolada API v3's /data objects, as any Kolada client reads them."""
    assert isinstance(rows, list) and rows
    for obj in rows:
        assert set(obj) == {"kpi", "municipality", "period", "values"}
        assert isinstance(obj["kpi"], str) and isinstance(obj["municipality"], str) and isinstance(obj["period"], int)
        for v in obj["values"]:
            assert set(v) == KOLADA_VALUE_KEYS and v["gender"] in ("T", "K", "M") and v["count"] == 1
            assert (v["value"] is None) == (v["status"] == "..") or (v["value"] is None and v["status"] == "")
            assert v["value"] is None or isinstance(v["value"], int | float)


def test_cli_json_is_kolada_v3_data_and_matches_compute(capsys: pytest.CaptureFixture[str], demo_prep: Prepared) -> None:
    import json

    from jamstalldhet.app.cli import main

    assert main(["kolada", "--year", "2018", "--demo", "--format", "json", "--k", "0"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert_kolada_v3_data(rows)
    assert "Internt – får inte publiceras" in captured.err
    by = {(o["kpi"], v["gender"]): v["value"] for o in rows for v in o["values"]}
    assert {o["municipality"] for o in rows} == {"1490"} and {o["period"] for o in rows} == {2018}
    assert [o["kpi"] for o in rows][:6] == ["N40450", "U40450", "U40451", "U40452", "U40453", "U40454"]
    expected = kolada.compute(demo_prep, 2018, 0)  # the demo frame and the demo file are the same records
    assert by == expected.values
    assert {o["kpi"] for o in rows} >= {"N40450", "U40455", "N40828", "N40829", "N40830", *kolada.SHARE_OF_CATEGORY.values()}


def test_cli_published_json_hides_with_status(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from jamstalldhet.app.cli import main
    from tests.conftest import DATA

    assert main(["kolada", "--year", "2018", "--data", str(DATA / "sma_fall.csv")]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert_kolada_v3_data(rows)
    values = [v for o in rows for v in o["values"]]
    assert any(v["status"] == ".." and v["value"] is None for v in values)
    counts = [v["value"] for o in rows if kolada.KPI_OF[o["kpi"]].kind == "count" for v in o["values"]]
    assert all(c is None or c >= 5 for c in counts)


def test_cli_internal_xlsx_is_the_marked_submission(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jamstalldhet.app.cli import main

    out = tmp_path / "inrapportering.xlsx"
    assert main(["kolada", "--year", "2018", "--demo", "--format", "xlsx", "--k", "0", "--out", str(out)]) == 0
    written = tmp_path / "inrapportering_INTERNT.xlsx"  # an internal file says so in its name
    assert written.exists() and not out.exists()
    sheets = pd.read_excel(written, sheet_name=None, engine="calamine", header=None)
    name = next(n for n in sheets if n.startswith("Kolada 2018"))
    assert "INTERNT" in name
    table = sheets[name]
    assert any("Internt – får inte publiceras" in str(v) for v in table[0])
    body = pd.read_excel(written, sheet_name=name, engine="calamine").dropna(subset=["Kön"])
    assert list(body.columns) == ["Id", "Nyckeltal", "Kön", "Värde", "Status"]
    assert set(body["Kön"]) == {"Totalt", "Kvinnor", "Män"} and body["Id"].nunique() == len(body) // 3


@pytest.mark.parametrize(("args", "code"), [(["kolada", "--year", "1990", "--demo"], 1),
                                            (["kolada", "--year", "2018", "--demo", "--k", "2"], 2),
                                            (["kolada", "--year", "2018", "--demo", "--format", "csv"], 2)])
def test_cli_refuses(args: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    from jamstalldhet.app.cli import main

    assert main(args) == code
    assert capsys.readouterr().err


# --- Kolada's own files ------------------------------------------------------------------------


def test_the_shipped_boras_series_reads_as_kolada_v3() -> None:
    values, messages = kolada.shipped_values()
    assert messages == []
    boras = {v.period: v.value for v in values if v.kpi == "U40455" and v.municipality == "1490" and v.gender == "T"}
    assert sorted(boras) == list(range(2016, 2024))
    assert boras[2018] == pytest.approx(26.14) and boras[2020] == pytest.approx(14.73)
    assert (kolada.COMPARISON_DIR / "README.md").read_text(encoding="utf-8").count("adamaltmejd/datascience-course") >= 1


def test_the_list_form_and_a_page_of_several_are_read() -> None:
    import json

    obj = {"kpi": "U40455", "municipality": "1494", "period": "2018",
           "values": [{"gender": "K", "count": 1, "status": "", "value": 20.5}, {"gender": "M", "value": None, "status": "Saknas"}]}
    values, warnings = kolada.read_kolada(json.dumps([obj]).encode(), "lista.json")
    assert [(v.gender, v.value, v.period) for v in values] == [("K", 20.5, 2018), ("M", None, 2018)] and warnings == []
    page = {"values": [obj], "count": 2, "next_url": "https://api.kolada.se/v3/data/kpi/U40455?page=2"}
    _, warnings = kolada.read_kolada(json.dumps(page).encode("utf-8-sig"), "sida.json")
    assert "sida av flera" in warnings[0] and "page=2" in warnings[0]


@pytest.mark.parametrize(("raw", "match"), [
    (b"\xff\xfe{", "inte text i UTF-8"),
    (b'{"values": [', r"inte JSON \(rad 1, kolumn 13"),
    (b'{"data": []}', r'inget fält "values" \(fälten är: data\)'),
    (b'"U40455"', "inte str"),
    (b'{"values": [{"id": "U40455", "title": "Avslutade ..."}]}', r"lista över nyckeltal \(/kpi\)"),
    (b'{"values": [{"kpi": "U40455", "ou": "V15E149000101", "period": 2018, "values": []}]}', r"organisatorisk enhet \(ou\)"),
    (b'[{"kpi": "U40455", "municipality": 1490, "period": 2018, "values": []}]', "fyra siffror som text"),
    (b'[{"kpi": "U40455", "municipality": "1490", "values": []}]', 'objekt 1 saknar f\u00e4ltet "period"'),
    (b'[{"kpi": "U40455", "municipality": "1490", "period": 2018, "values": [{"gender": "X", "value": 1}]}]',
     "kön 'X' är inte T, K eller M"),
    (b'[{"kpi": "U40455", "municipality": "1490", "period": 2018, "values": [{"gender": "T", "value": "26,1"}]}]',
     "ska vara ett tal eller null"),
])
def test_a_malformed_or_foreign_file_gets_a_message_naming_what_is_wrong(raw: bytes, match: str) -> None:
    with pytest.raises(kolada.KoladaFileError, match=match) as info:
        kolada.read_kolada(raw, "hämtad.json")
    assert str(info.value).startswith("Fil hämtad.json: ")


def test_api_url() -> None:
    assert kolada.api_url(["U40455", "N40450"], ["1490", "1494"], [2017, 2018]) == \
        "https://api.kolada.se/v3/data/kpi/U40455,N40450/municipality/1490,1494/year/2017,2018"


# --- the Jämförelse page (AppTest) -------------------------------------------------------------


def jamforelse(year: int = 2018, **state: object) -> object:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "pages" / "jamforelse.py"), default_timeout=120)
    at.session_state["ar"] = year
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


@pytest.fixture
def demo_records() -> Prepared:
    """The demo as the page and the command line read it, with this test's record keys (the
    session-wide ``demo_prep`` is made before the test key is set, so its record keys differ)."""
    from jamstalldhet.intake.demo import DEMO_FILE
    from jamstalldhet.intake.records import prepare_parquet

    return prepare_parquet([DEMO_FILE])


def number(shown: str) -> float:
    """A figure as a page shows it ("26,14", "−1,6") as a number."""
    return float(shown.replace("\u2212", "-").replace(" ", "").replace(",", "."))


def test_jamforelse_shows_own_series_beside_the_shipped_boras_series(demo_records: Prepared) -> None:
    at = jamforelse()
    assert not at.exception, at.exception
    assert at.title[0].value == "Jämförelse med Kolada"
    assert len(at.get("plotly_chart")) == 1
    table = page_tables(at)[0]
    assert "Egna poster, totalt" in table and "Kolada: Borås (1490), totalt" in table
    by_year = table.set_index("År")
    shipped = {v.period: v.value for v in kolada.shipped_values()[0] if v.municipality == "1490" and v.kpi == "U40455"}
    for y, value in shipped.items():
        assert number(by_year.loc[y, "Kolada: Borås (1490), totalt"]) == pytest.approx(value)
        published = kolada.compute(demo_records, y, 5)  # the page is in published mode: the same protected values
        assert number(by_year.loc[y, "Egna poster, totalt"]) == pytest.approx(published.value("U40455"))
    assert {"Egna poster, kvinnor", "Egna poster, män"} <= set(table)
    text = "\n".join(m.value for m in at.markdown)
    assert "Diagram: Börjat arbeta eller studera" in text and "procentenheter" in text
    assert "minst en sammanhängande månad" in text  # the difference of definitions, in a sentence
    codes = "\n".join(c.value for c in at.code)
    assert "https://api.kolada.se/v3/data/kpi/N40450,U40450" in codes and "/municipality/1490/year/2016," in codes
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Kolada-JSON", "Excel (.xlsx)"]


def test_jamforelse_upload_adds_a_municipality_and_refuses_a_foreign_file() -> None:
    import json

    at = jamforelse()
    lidkoping = {"values": [{"kpi": "U40455", "municipality": "1494", "period": y, "values": [
        {"gender": "T", "count": 1, "status": "", "value": v}, {"gender": "K", "count": 1, "status": "", "value": v + 1}]}
        for y, v in ((2016, 35.5), (2017, 38.1))], "count": 2, "next_url": None}
    at.file_uploader[0].set_value([("lidkoping.json", json.dumps(lidkoping).encode(), "application/json"),
                                   ("kpi.json", b'{"values": [{"id": "U40455", "title": "x"}]}', "application/json")])
    at.run()
    assert not at.exception
    assert any("Fil kpi.json" in e.value and "(/kpi)" in e.value for e in at.error)
    at.multiselect(key="kolada_kommuner").set_value(["1490", "1494"])
    at.run()
    table = page_tables(at)[0].set_index("År")
    assert number(table.loc[2016, "Kolada: Lidköping (1494), totalt"]) == pytest.approx(35.5)
    assert number(table.loc[2017, "Kolada: Lidköping (1494), kvinnor"]) == pytest.approx(39.1)


def test_jamforelse_internal_mode_is_exact_and_marked(demo_prep: Prepared) -> None:
    at = jamforelse(internt=True)
    assert not at.exception
    assert any("Internt – får inte publiceras" in e.value for e in at.error)
    table = page_tables(at)[0].set_index("År")
    assert number(table.loc[2018, "Egna poster, totalt"]) == pytest.approx(kolada.compute(demo_prep, 2018, 0).value("U40455"))


def test_python_m_kolada_demo_2018_json_k0_gives_the_indicators_figures(demo_prep: Prepared) -> None:
    """``python -m jamstalldhet kolada --year 2018 --demo --format json --k 0`` as a process, parsed as
    Kolada v3 /data objects; N40450 and U40455 agree with the indicators' avslutade, arbete and studier."""
    import json
    import subprocess
    import sys

    from jamstalldhet.compute import indicators
    from tests.conftest import ROOT

    proc = subprocess.run([sys.executable, "-m", "jamstalldhet", "kolada", "--year", "2018", "--demo", "--format", "json",
                           "--k", "0"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert_kolada_v3_data(rows)
    value = {(o["kpi"], v["gender"]): v["value"] for o in rows for v in o["values"]}
    count = {(r.indicator, r.gender): int(r.count) for r in indicators.compute(demo_prep, 2018).itertuples()}
    for g, label in (("T", "Totalt"), ("K", "Kvinnor"), ("M", "Män")):
        ended = count[("avslutade", label)]
        assert value[("N40450", g)] == ended
        assert value[("U40450", g)] == count[("avslut_arbete", label)]
        assert value[("U40451", g)] == count[("avslut_studier", label)]
        a_b = count[("avslut_arbete", label)] + count[("avslut_studier", label)]
        assert value[("U40455", g)] == round(100 * a_b / ended + 1e-9, 1)
