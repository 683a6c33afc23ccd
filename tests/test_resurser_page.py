"""The Resurser page under AppTest: shares, kvot, sentence, trend, downloads, the price list editor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.base import schema as S
from jamstalldhet.disclosure import control as disclosure
from jamstalldhet.intake.records import Prepared
from jamstalldhet.resources import prices as costs
from jamstalldhet.resources import table as resources
from jamstalldhet.resources import view as resources_view
from tests.conftest import ROOT, page_tables

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast


@pytest.fixture(autouse=True)
def _own_price_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The page edits a copy of data/kostnader.toml, never the real one."""
    target = tmp_path / "kostnader.toml"
    shutil.copy(costs.COSTS_FILE, target)
    monkeypatch.setenv(costs.COSTS_ENV, str(target))
    return target


def page(year: int = 2018, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "resurser.py"), default_timeout=120)
    at.session_state["ar"] = year
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def tables(at: AppTest) -> str:
    return "\n".join(df.to_string() for df in page_tables(at))


def percent_of(cell: str) -> int:
    """"54,9 %" → 55."""
    return round(float(cell.removesuffix(" %").replace(",", ".")))


def test_page_shows_shares_kvot_sentence_trend_and_downloads(demo_prep: Prepared) -> None:
    at = page()
    assert not at.exception
    assert at.title[0].value == "Resurser 2018"
    shares = page_tables(at)[0]
    assert list(shares["Grupp"]) == ["Fler vägar in", "Jobb Borås arbetsträning", "Mammor i arbete",
                                     "Studie- och yrkesvägledning", "Totalt"]
    assert {"Andel kvinnor av deltagarna", "Andel kvinnor av kostnaden", "Andel män av kostnaden",
            "Resurskvot kvinnor", "95 % KI resurskvot"} <= set(shares.columns)
    # the published (perturbed) table, exactly as the resource table of the same data and key publishes it
    published = resources.table(demo_prep, 2018, costs.load(), by=S.INSATS)
    expected = resources_view.share_table(published)
    assert shares.to_dict("records") == expected.to_dict("records")
    totalt = shares.set_index("Grupp").loc["Totalt"]
    assert "–" in totalt["95 % KI resurskvot"]
    sentence = [m.value for m in at.markdown if m.value.startswith("**Kvinnorna är")]
    people, money = percent_of(totalt["Andel kvinnor av deltagarna"]), percent_of(totalt["Andel kvinnor av kostnaden"])
    assert sentence == [f"**Kvinnorna är {people} % av deltagarna och får {money} % av kostnaden.**"]
    amounts = page_tables(at)[1]
    assert "Kostnad per deltagare (kr)" in amounts.columns
    women = amounts.set_index(["Grupp", "Kön"]).loc[(S.TOTALT, S.KVINNOR)]
    assert women["Deltagare"] == resources_view.amount_table(published).set_index(["Grupp", "Kön"]).loc[
        (S.TOTALT, S.KVINNOR), "Deltagare"]
    assert [c.key for c in at.get("plotly_chart")] == ["res_andelar", "res_trend"]  # per insats, and over time
    trend = page_tables(at)[4] if len(page_tables(at)) > 4 else None
    assert trend is not None and "2016" in set(trend["År"]) and "2024" in set(trend["År"])
    assert len(at.get("download_button")) >= 9  # share table, breakdown and trend: CSV, CSV, xlsx each
    prices = tables(at)
    assert "Internprislista Jobb Borås 2018" in prices
    # internt läge: the seed's exact figures, 993 women of 1 814 participants
    internal = page(internt=True)
    assert not internal.exception
    assert page_tables(internal)[0].set_index("Grupp").loc["Totalt", "Andel kvinnor av deltagarna"] == "54,7 %"
    exact = page_tables(internal)[1].set_index(["Grupp", "Kön"])
    assert [exact.loc[(S.TOTALT, g), "Deltagare"] for g in (S.KVINNOR, S.MAN_PLURAL, S.TOTALT)] == ["993", "821", "1 814"]


def test_year_and_filter_change_the_figures() -> None:
    start = page()
    base = tables(start)
    assert tables(page(2019)) != base
    filtered = page(f_bakgrund=["Utrikes född"])
    assert not filtered.exception
    assert tables(filtered) != base
    # every published table says that its figures carry noise, filtered or not
    for at in (start, filtered):
        assert any(disclosure.perturbation_note() in c.value for c in at.caption)


def test_missing_price_is_shown_as_missing(_own_price_list: Path) -> None:
    text = _own_price_list.read_text(encoding="utf-8")
    start = text.index('[[pris]]\ninsats = "Mammor i arbete"')
    end = text.index("[[pris]]", start + 5)
    _own_price_list.write_text(text[:start] + text[end:], encoding="utf-8")
    at = page()
    assert not at.exception
    assert any("Mammor i arbete" in w.value for w in at.warning)
    shares = page_tables(at)[0].set_index("Grupp")
    assert shares.loc["Mammor i arbete", "Andel kvinnor av kostnaden"] == "saknas"
    assert shares.loc["Totalt", "Resurskvot kvinnor"] == "saknas"
    assert any("kan inte beräknas" in m.value for m in at.markdown)


def test_price_editor_is_a_table_that_saves_keeps_versions_and_refuses_bad_rows(_own_price_list: Path) -> None:
    """Issue 26: the price list is edited as a table (insats, år, kr/dag, källa) with validation,
    saved as the same versioned file."""
    original = _own_price_list.read_text(encoding="utf-8")
    at = page()
    editor = at.data_editor(key="pris_tabell")
    table = editor.value
    assert list(table.columns) == ["insats", "ar", "kr_per_dag", "kalla"] and editor.editing_mode == "dynamic"
    row = int(table.index[(table["kr_per_dag"] == 430)][0])
    at.session_state["pris_tabell"] = {"edited_rows": {row: {"kr_per_dag": 440}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="pris_spara").click().run()
    assert not at.exception
    assert any("sparad" in s.value for s in at.success)
    saved = costs.load(_own_price_list)
    assert 440 in [p.kr_per_day for p in saved.prices] and 430 not in [p.kr_per_day for p in saved.prices]
    assert [v.text() for v in costs.versions(_own_price_list)] == [original]
    # a row without a price is not stored, and the message names the row
    at = page()
    at.session_state["pris_tabell"] = {"edited_rows": {}, "deleted_rows": [],
                                       "added_rows": [{"insats": "Mammor i arbete", "ar": 2030, "kalla": "x"}]}
    at.run()
    at.button(key="pris_spara").click().run()
    assert any("Prislistan sparades inte" in e.value and "Rad " in e.value for e in at.error), [e.value for e in at.error]
    assert costs.load(_own_price_list) == saved
    # the earlier version can be restored
    at.button(key="pris_aterstall").click().run()
    assert not at.exception
    assert _own_price_list.read_text(encoding="utf-8") == original


def test_broken_price_list_does_not_break_the_page(_own_price_list: Path) -> None:
    _own_price_list.write_text("[[pris]]\ninsats = 'A'\nar = 2018\n", encoding="utf-8")
    at = page()
    assert not at.exception
    assert any("kostnader.toml, rad 1" in e.value for e in at.error)
    assert at.text_area(key="pris_text").value.startswith("[[pris]]")  # its text, to fix by hand


def test_report_mode_has_no_widgets_and_internal_mode_is_marked() -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "resurser.py"), default_timeout=120)
    at.query_params["ar"] = "2018"
    at.query_params["rapport"] = "1"
    at.run()
    assert not at.exception
    assert len(at.get("download_button")) == 0 and len(at.text_area) == 0 and len(at.button) == 0
    assert len(at.table) >= 3  # static tables in rapportläge
    internal = page(internt=True)
    assert not internal.exception
    assert any("Internt" in e.value for e in internal.error)
    assert any("Internt – får inte publiceras" in c.value for c in internal.caption)
