"""The målområde pages and Trender: AppTest per page, filters, catalogue, downloads."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.base import formatting as F
from jamstalldhet.compute import catalogue
from jamstalldhet.intake.records import Prepared
from tests.conftest import MALOMRADE_OF_FILE, ROOT, malomrade_app, page_tables, shown

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast

MALOMRADEN = {"makt_inflytande.py": "Makt, inflytande och ekonomisk jämställdhet", "makt_halsa.py": "Makt och hälsa",
              "vald.py": "Makt och mäns våld mot kvinnor"}


def page(name: str, year: int = 2018, **state: object) -> AppTest:
    at = malomrade_app(MALOMRADE_OF_FILE[name]) if name in MALOMRADE_OF_FILE else AppTest.from_file(str(ROOT / "pages" / name), default_timeout=90)
    at.session_state["ar"] = year
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def table_text(at: AppTest) -> str:
    return "\n".join(df.to_string() for df in page_tables(at))


@pytest.mark.parametrize(("name", "title"), list(MALOMRADEN.items()))
def test_malomrade_page_runs_with_charts_and_downloads(name: str, title: str) -> None:
    at = page(name)
    assert not at.exception
    assert at.title[0].value == title
    assert len(at.get("plotly_chart")) >= 1
    assert len(at.get("download_button")) >= 3


def test_makt_och_halsa_shows_seed_figures(demo_prep: Prepared) -> None:
    # internt läge: the seed's figures exactly
    text = table_text(page("makt_halsa.py", internt=True))
    assert "993" in text and "821" in text and "1 814" in text
    assert "223" in text and "237" in text
    # published: the published table's perturbed figures
    text = table_text(page("makt_halsa.py"))
    fig = shown(demo_prep, 2018)
    for ind in ("deltagare", "avslut_arbetsmarknadsanstallning"):
        for gender in ("Kvinnor", "Män", "Totalt"):
            assert F.number(fig[(ind, "Totalt", gender)]["count"]) in text, (ind, gender)


def test_filters_change_figures() -> None:
    base = table_text(page("makt_halsa.py"))
    for key, value in {"f_insats": ["Mammor i arbete"], "f_aldersgrupp": ["25–34"], "f_bakgrund": ["Utrikes född"],
                       "f_utbildningsniva": ["Förgymnasial"]}.items():
        filtered = table_text(page("makt_halsa.py", **{key: value}))
        assert filtered != base, key
        assert "993" not in filtered.split("\n")[1], key


def test_year_changes_figures() -> None:
    assert table_text(page("makt_halsa.py", 2018)) != table_text(page("makt_halsa.py", 2019))


def test_catalogue_default_insatser_on_malomrade_1() -> None:
    at = page("makt_inflytande.py")
    assert at.session_state["f_insats"] == ["Fler vägar in", "Mammor i arbete"]


def test_trender_page() -> None:
    at = page("trender.py")
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1
    df = page_tables(at)[0]
    # whole years only (2015 is in the demo only through records that ran into 2016), formatted as
    # every table: Swedish numbers, per cent, .. and no None (issue 25)
    assert list(df["År"]) == [str(y) for y in range(2016, 2025)]
    text = df.to_string()
    assert "None" not in text and "nan" not in text and "0." not in text
    assert all(" %" in v or v == ".." for v in df["Könsfördelning, andel kvinnor"])
    assert all(v.replace("\u00a0", " ").replace(" ", "").isdigit() or v == ".." for v in df["Kvinnor"])


def test_catalogue_change_moves_indicator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = catalogue.CATALOGUE_FILE.read_text(encoding="utf-8")
    moved = text.replace('indikatorer = ["fragat_om_vald", "uppgett_vald"]', 'indikatorer = ["uppgett_vald"]')
    moved = moved.replace('indikatorer = ["deltagare", "avslut_arbete", "avslut_studier"]',
                          'indikatorer = ["deltagare", "avslut_arbete", "avslut_studier", "fragat_om_vald"]')
    assert moved != text
    f = tmp_path / "indikatorer.toml"
    f.write_text(moved, encoding="utf-8")
    monkeypatch.setattr(catalogue, "CATALOGUE_FILE", f)
    monkeypatch.setattr(catalogue.load, "__defaults__", (f,))
    subheads = lambda at: [s.value for s in at.subheader]  # noqa: E731
    assert "Tillfrågade om våldsutsatthet" in subheads(page("makt_inflytande.py"))
    assert "Tillfrågade om våldsutsatthet" not in subheads(page("vald.py"))


def test_broken_catalogue_names_line() -> None:
    with pytest.raises(catalogue.CatalogueError, match="rad 3"):
        catalogue.parse('[indikatorer.deltagare]\ntitel = "x"\n[indikatorer.finns_inte]\ntitel = "y"\n')
    with pytest.raises(catalogue.CatalogueError, match="rad 2"):
        catalogue.parse('[indikatorer.deltagare]\ntitel = \n')


def test_downloads_open_back_with_same_numbers(demo_prep: Prepared) -> None:
    at = page("makt_halsa.py")
    buttons = at.get("download_button")
    labels = [b.proto.label for b in buttons]
    assert labels.count("CSV för Excel") == labels.count("CSV") == labels.count("Excel (.xlsx)") >= 7
    from jamstalldhet.disclosure.tables import indicator_table
    from jamstalldhet.show import export, presentation

    pub = indicator_table(demo_prep, 2018)
    fig = shown(demo_prep, 2018)
    df = presentation.export_table(pub, catalogue.load(), ["deltagare", "avslut_arbete"])
    about = export.About("Deltagare och avslutade till arbete", "2018", note=pub.note)
    raw, machine, book = export.table_files(df, "t", about)
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    # CSV för Excel: wide, as on screen (one row per indicator), shares in per cent with one decimal
    body = raw.decode("utf-8-sig").split("\r\n\r\n")[0]
    back = pd.read_csv(io.StringIO(body), sep=";", decimal=",")
    women = [fig[(i, "Totalt", "Kvinnor")]["count"] for i in ("deltagare", "avslut_arbete")]
    assert back["Kvinnor, antal personer (antal)"].tolist() == women
    assert back.set_index("Indikator").loc["Avslutade till arbete", "Kvinnor, andel (%)"] == \
        round(100 * fig[("avslut_arbete", "Totalt", "Kvinnor")]["share"], 1)
    # xlsx: the same wide table below the title block (title, year, selection, source, blank)
    xl = pd.read_excel(io.BytesIO(book), sheet_name="t", engine="calamine", header=4)
    men = [fig[(i, "Totalt", "Män")]["count"] for i in ("deltagare", "avslut_arbete")]
    assert xl["Män, antal personer (antal)"].dropna().astype(int).tolist()[:2] == men
    # the machine CSV stays long: one row per gender, shares as fractions
    plain = pd.read_csv(io.BytesIO(machine))
    assert plain["Antal personer (antal)"].tolist()[:3] == [fig[("deltagare", "Totalt", g)]["count"] for g in ("Kvinnor", "Män", "Totalt")]
    assert plain.loc[3, "Andel (bråktal)"] == pytest.approx(fig[("avslut_arbete", "Totalt", "Kvinnor")]["share"], abs=1e-6)


def test_csv_excel_bytes_exact() -> None:
    from jamstalldhet.show import export

    df = pd.DataFrame({"Grupp": ["Kvinnor", "Män"], "Andel": [0.16, 0.18], "Antal": [96, 90]})
    assert export.csv_excel(df) == "\ufeffGrupp;Andel;Antal\r\nKvinnor;0,16;96\r\nMän;0,18;90\r\n".encode()


def test_formula_neutralisation_everywhere() -> None:
    from openpyxl import load_workbook

    from jamstalldhet.show import export

    evil = ["=HYPERLINK(\"http://x\",\"klicka\")", "+SUM(A1:A2)", "@cmd", "-2+3", "\tTAB", "\rCR", "Vanlig text"]
    df = pd.DataFrame({"Grupp": evil, "Antal": range(len(evil))})
    import csv

    for text, sep in ((export.csv_excel(df).decode("utf-8-sig"), ";"), (export.csv_plain(df).decode(), ",")):
        back = [row[0] for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep)][1:]
        assert back == ["'" + e for e in evil[:-1]] + ["Vanlig text"]
    ws = load_workbook(io.BytesIO(export.xlsx({"t": df}, "not"))).active
    values = [ws.cell(row=i + 2, column=1).value for i in range(len(evil))]
    assert all(str(v).startswith("'") for v in values[:-1]) and values[-1] == "Vanlig text"


@pytest.mark.parametrize("k", ["0", "3", "4"])
def test_environment_threshold_below_5_stops_every_page(monkeypatch: pytest.MonkeyPatch, k: str) -> None:
    monkeypatch.setenv("JAMSTALLDHET_K", k)
    at = page("makt_halsa.py")
    assert not at.exception
    assert "minst 5" in at.error[0].value
    assert not at.get("plotly_chart")


def test_published_mode_offers_one_value_or_the_malomrade_selection() -> None:
    at = page("makt_inflytande.py")
    box = next(w for w in at.selectbox if w.key == "w1_insats")
    assert box.value.startswith("Målområdets insatser")
    assert "Alla" in box.options and "Mammor i arbete" in box.options
    assert not at.get("multiselect")
    assert "slumpmässigt tal" in " ".join(c.value for c in at.caption)
    box.set_value("Mammor i arbete").run()
    assert at.session_state["f_insats"] == ["Mammor i arbete"]


def test_a_free_union_in_the_url_falls_back_in_published_mode() -> None:
    at = malomrade_app("makt-och-halsa")
    at.query_params["insats"] = "Fler vägar in|Studie- och yrkesvägledning"
    at.session_state["ar"] = 2018
    at.run()
    assert not at.exception
    assert at.session_state["f_insats"] == []
    assert any("bara i internt läge" in i.value for i in at.info)


def test_a_new_malomrade_in_the_catalogue_is_a_new_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No code: a fourth [[malomraden]] in the catalogue is a page in the menu, at its address."""
    text = catalogue.CATALOGUE_FILE.read_text(encoding="utf-8") + (
        '\n[[malomraden]]\nid = "jamstalld-halsa-test"\nurl = "fjarde"\ntitel = "Ett fjärde målområde"\n'
        'beskrivning = "Prov."\nindikatorer = ["avslut_ohalsa"]\ninsatser = []\nuppdelningar = ["aldersgrupp"]\n'
    )
    f = tmp_path / "indikatorer.toml"
    f.write_text(text, encoding="utf-8")
    monkeypatch.setattr(catalogue, "CATALOGUE_FILE", f)
    monkeypatch.setattr(catalogue.load, "__defaults__", (f,))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not at.exception
    pages = {info.get("url_pathname"): h for h, info in at._registered_pages.items()}
    assert {"makt-inflytande", "makt-och-halsa", "vald", "fjarde"} <= set(pages)
    at._page_hash = pages["fjarde"]
    at.run()
    assert not at.exception
    assert at.title[0].value == "Ett fjärde målområde"
    assert [s.value for s in at.subheader][:1] == ["Avslutade på grund av ohälsa"]
