"""The dashboard and every page run headless with AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.base import formatting as F
from jamstalldhet.intake.records import Prepared
from tests.conftest import ROOT, file_tables, page_tables, shown

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast

PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)


def set_widget(at: AppTest, key: str, value: object) -> AppTest:
    """Change a sidebar widget. AppTest (streamlit 1.67) drops the sidebar from its element
    tree after the first rerun of an app that uses st.navigation, so after the first
    interaction the widget's value is set through its session-state key, as the widget does."""
    try:
        at.sidebar  # noqa: B018
        widget = next(w for w in at.get("selectbox") + at.get("toggle") + at.get("multiselect") if getattr(w, "key", None) == key)
        widget.set_value(value)
    except StopIteration:
        at.session_state[key] = value
    return at.run()


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title]
    parts += [df.to_string() for df in page_tables(at)]
    return "\n".join(str(p) for p in parts)


def test_dashboard_runs_and_defaults_to_latest_year() -> None:
    at = app().run()
    assert not at.exception
    assert at.selectbox(key="ar").value == 2024
    assert at.selectbox(key="ar").label == "År"
    assert len(at.get("plotly_chart")) >= 1


def test_oversikt_shows_seed_figures_for_2018(demo_prep: Prepared) -> None:
    at = app().run()
    at.selectbox(key="ar").select(2018).run()
    assert not at.exception
    # published: the perturbed figures of the published table, women before men
    text = text_of(at)
    fig = shown(demo_prep, 2018)
    for gender in ("Kvinnor", "Män", "Totalt"):
        assert F.number(fig[("deltagare", "Totalt", gender)]["count"]) in text, gender
    for ind in ("avslut_arbete", "avslut_studier"):
        for gender in ("Kvinnor", "Män"):
            assert F.percent(fig[(ind, "Totalt", gender)]["share"]) in text, (ind, gender)
    assert text.index("Kvinnor") < text.index("Män")
    # internt läge: the seed's figures exactly
    set_widget(at, "internt", True)
    text = text_of(at)
    assert "993" in text and "821" in text and "1 814" in text
    assert "16,0 %" in text and "18,0 %" in text and "12,0 %" in text and "6,0 %" in text


def test_changing_year_changes_figures(demo_prep: Prepared) -> None:
    at = app().run()
    at.selectbox(key="ar").select(2018).run()
    t2018 = text_of(at)
    set_widget(at, "ar", 2019)
    t2019 = text_of(at)
    women_2019 = F.number(shown(demo_prep, 2019)[("deltagare", "Totalt", "Kvinnor")]["count"])
    assert "Översikt 2019" in t2019 and women_2019 in t2019
    assert t2018 != t2019


def test_internal_mode_shows_banner_and_small_numbers() -> None:
    at = app().run()
    at.selectbox(key="ar").select(2018).run()
    assert not any("Internt" in e.value for e in at.error)
    set_widget(at, "internt", True)
    assert any("Internt – får inte publiceras" in e.value for e in at.error)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page: str) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    at.session_state["ar"] = 2018
    at.run()
    assert not at.exception, page


def test_page_list_is_not_empty() -> None:
    assert "oversikt.py" in PAGES and Path(ROOT / "dashboard.py").exists()


def test_oversikt_tables_have_downloads(media: dict[str, tuple[str, bytes]], demo_prep: Prepared) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "oversikt.py"), default_timeout=60)
    at.session_state["ar"] = 2018
    at.run()
    names = {media[b.proto.url][0]: media[b.proto.url][1] for b in at.get("download_button")}
    assert set(names) >= {"deltagare-anvisade-avslutade_oversikt_2018.csv", "avslutsorsak_oversikt_2018.xlsx"}
    name = "deltagare-anvisade-avslutade_oversikt_2018.csv"
    back = file_tables(name, names[name])[0].set_index("Indikator")  # wide: women, men and total side by side
    women = back.loc["Deltagare", "Kvinnor, antal personer (antal)"]
    assert women == shown(demo_prep, 2018)[("deltagare", "Totalt", "Kvinnor")]["count"]  # the published figure


def test_year_follows_the_user_to_another_page() -> None:
    at = app().run()
    pages = {info.get("url_pathname"): h for h, info in at._registered_pages.items()}
    at = set_widget(at, "ar", 2019)
    at._page_hash = pages["trender"]
    at.run()
    assert not at.exception
    assert at.session_state["ar"] == 2019
    at._page_hash = pages["makt-och-halsa"]
    at.run()
    assert at.session_state["ar"] == 2019 and "År 2019" in " ".join(c.value for c in at.caption)


def test_om_siffrorna_explains_the_figures() -> None:
    """Issue 25: the report's "Om siffrorna" in the dashboard: threshold, noise, why totals differ from sums."""
    at = AppTest.from_file(str(ROOT / "pages" / "om_siffrorna.py"), default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "högst ±3" in text and "under 5" in text
    assert "skilja sig från totalt" in text and "Wilson" in text and "40–60 %" in text and "Internt läge" in [h.value for h in at.subheader]
    assert [h.value for h in at.subheader][:2] == ["Personer, inte insatser", "Två slags andelar"]


def test_accessibility_statement_says_how_to_report_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 26: an e-mail address and a telephone number, the demo's placeholders until set."""
    at = AppTest.from_file(str(ROOT / "pages" / "tillganglighet.py"), default_timeout=60).run()
    text = " ".join(m.value for m in at.markdown)
    assert "mailto:tillganglighet@kommun.example.se" in text and "telefon 000-000 00 00" in text and "exempeladresser" in text
    monkeypatch.setenv("JAMSTALLDHET_TILLGANGLIGHET_EPOST", "digital@boras.se")
    monkeypatch.setenv("JAMSTALLDHET_TILLGANGLIGHET_TELEFON", "033-35 70 00")
    at = AppTest.from_file(str(ROOT / "pages" / "tillganglighet.py"), default_timeout=60).run()
    text = " ".join(m.value for m in at.markdown)
    assert "mailto:digital@boras.se" in text and "033-35 70 00" in text and "exempeladresser" not in text


def test_every_table_says_what_its_figures_are_right_under_it() -> None:
    """Issue 25: a line under each table, in plain words, linked to Om siffrorna."""
    at = AppTest.from_file(str(ROOT / "pages" / "oversikt.py"), default_timeout=60)
    at.session_state["ar"] = 2018
    at.run()
    notes = [m.value for m in at.markdown if "[Om siffrorna](om-siffrorna)" in m.value]
    tables = [t for t in page_tables(at) if not t.columns[1].startswith("95 % KI")]  # the intervals, on demand, are the rate table's
    assert len(notes) == len(tables) == 2
    assert "summan kan skilja sig från totalt" in notes[0] and "”..” är ett litet tal" in notes[0]
