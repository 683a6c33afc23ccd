"""The dashboard in a real browser: the figures a person sees, and a screenshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from jamstalldhet.base import formatting as F
from jamstalldhet.intake.records import Prepared
from tests.conftest import shown
from tests.e2e.conftest import SHOTS, wait_for_app

pytestmark = pytest.mark.slow  # a real browser and server: left out of make test-fast


def women_and_men(prep: Prepared, year: int = 2018, ind: str = "deltagare") -> str:
    """``995 kvinnor och 821 män``: the published figures a page shows (the seed's exact ones are
    checked in internt läge by the AppTest tests)."""
    fig = shown(prep, year)
    return f"{F.number(fig[(ind, 'Totalt', 'Kvinnor')]['count'])} kvinnor och {F.number(fig[(ind, 'Totalt', 'Män')]['count'])} män"


def test_oversikt_in_browser(server: str, browser, demo_prep: Prepared) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(server + "/?ar=2018")
    wait_for_app(page)
    page.wait_for_selector("text=Översikt 2018", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    body = page.inner_text("body")
    assert women_and_men(demo_prep) in body
    assert F.number(shown(demo_prep, 2018)[("deltagare", "Totalt", "Totalt")]["count"]) in body
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "oversikt.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"skärmbild: {shot}")
    assert shot.stat().st_size > 10_000
    page.close()


def test_year_from_url_and_change(server: str, browser, demo_prep: Prepared) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/?ar=2019")
    wait_for_app(page)
    page.wait_for_selector("text=Översikt 2019", timeout=60_000)
    assert women_and_men(demo_prep, 2019) in page.inner_text("body")
    page.close()


def test_malomrade_pages_download_and_url_filters(server: str, browser, demo_prep: Prepared) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    for path, title in (("makt-inflytande", "Makt, inflytande och ekonomisk jämställdhet"), ("makt-och-halsa", "Makt och hälsa"),
                        ("vald", "Makt och mäns våld mot kvinnor"), ("trender", "Trender")):
        page.goto(f"{server}/{path}?ar=2018")
        wait_for_app(page)
        page.wait_for_selector(f"h1:has-text('{title}')", timeout=60_000)
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path}.png"), full_page=True)
        print(f"skärmbild: {SHOTS / (path + '.png')}")
    # Makt och hälsa 2018: the published figures, and a CSV för Excel download with the same numbers
    page.goto(f"{server}/makt-och-halsa?ar=2018")
    wait_for_app(page)
    page.wait_for_selector("h1:has-text('Makt och hälsa')", timeout=60_000)
    page.wait_for_selector("h2:has-text('Uppföljning 2018')", timeout=60_000)  # the page's last section
    fig = shown(demo_prep, 2018)
    total = F.number(fig[("deltagare", "Totalt", "Totalt")]["count"])
    sentence = f"arbetat med {total} deltagare, {women_and_men(demo_prep)}"
    page.get_by_text(sentence).first.wait_for(timeout=60_000)  # the section's text may follow its heading by a moment
    assert sentence in page.inner_text("body")
    buttons = page.get_by_role("button", name="CSV för Excel")
    buttons.first.wait_for(timeout=60_000)  # drawn with the page, but a rerun may still be drawing them
    wait_for_app(page)
    names = []
    raw = b""
    for i in range(buttons.count()):
        with page.expect_download() as info:
            buttons.nth(i).click()
        names.append(info.value.suggested_filename)
        if names[-1] == "deltagare_makt-och-halsa_2018.csv":
            raw = Path(info.value.path()).read_bytes()
            break
    assert "deltagare_makt-och-halsa_2018.csv" in names, names
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    # wide, as the screen shows it: women, men and total side by side on the indicator's row
    women, men = (fig[("deltagare", "Totalt", g)]["count"] for g in ("Kvinnor", "Män"))
    row = next(line for line in text.split("\r\n") if line.startswith("Deltagare;2018;"))
    cells = row.split(";")
    assert cells[2] == str(women) and str(men) in cells[3:] and "Urval: Alla deltagare" in text
    # a link with filters reopens the same view
    page.goto(f"{server}/makt-och-halsa?ar=2019&insats=Mammor%20i%20arbete")
    wait_for_app(page)
    page.wait_for_selector("text=Insats: Mammor i arbete", timeout=60_000)
    assert "År 2019" in page.inner_text("body")
    context.close()


def test_report_mode_at_a4_width(server: str, browser, demo_prep: Prepared) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
    page.goto(f"{server}/makt-och-halsa?ar=2018&rapport=1")
    wait_for_app(page)
    page.wait_for_selector("h2:has-text('Uppföljning 2018')", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert page.locator("[data-testid='stSidebar']").is_hidden()
    assert page.get_by_role("button").count() == 0  # no widgets, no download or camera buttons
    assert page.locator(".modebar").count() == 0
    body = page.inner_text("body")
    assert women_and_men(demo_prep) in body and "Redigera" not in body
    width = page.evaluate("() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().width")
    assert width <= 794
    page.screenshot(path=str(SHOTS / "makt-och-halsa-rapportlage.png"), full_page=True)
    print(f"skärmbild: {SHOTS / 'makt-och-halsa-rapportlage.png'}")
    page.close()


def test_narrative_edit_shows_html_as_text(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(f"{server}/vald?ar=2018")
    wait_for_app(page)
    page.wait_for_selector("h2:has-text('Uppföljning 2018')", timeout=60_000)
    page.get_by_text("Redigera uppföljningstexten").click()
    area = page.get_by_role("textbox", name="Uppföljning 2018 (Markdown)")
    area.fill('Text med <b>fetstil</b> och <img src="x" onerror="window.__xss=1"> samt **riktig fetstil**.')
    area.press("Control+Enter")
    page.get_by_role("button", name="Spara texten").click()
    page.wait_for_selector("text=Texten är sparad", timeout=30_000)
    page.reload()
    wait_for_app(page)
    page.wait_for_selector("text=Text med", timeout=60_000)
    shown = page.locator("[data-testid='stMarkdownContainer']", has_text="Text med")
    assert "<b>fetstil</b>" in shown.first.inner_text()
    assert shown.first.locator("b").count() == 0 and page.locator("img[src='x']").count() == 0
    assert shown.first.locator("strong").inner_text() == "riktig fetstil"
    assert page.evaluate("() => window.__xss") is None
    page.close()


def test_upload_through_import_page(server: str, browser, demo_prep: Prepared) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ROOT

    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{server}/importera")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(str(ROOT / "tests" / "data" / "import" / "pnr_12_bindestreck.csv"))
    page.wait_for_selector("button:has-text('Lagra')", timeout=60_000)
    assert "2016–2019" in page.inner_text("body")
    page.get_by_role("button", name="Lagra").click()
    page.wait_for_selector("text=Lagrade 8 rader", timeout=60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "importera.png"), full_page=True)
    page.goto(f"{server}/oversikt?ar=2018")
    wait_for_app(page)
    page.wait_for_selector("text=Översikt 2018", timeout=60_000)
    body = page.inner_text("body")
    assert ".. personer, .. kvinnor och .. män" in body and women_and_men(demo_prep) not in body
    # remove the batch again, so the other browser tests see the demo data
    page.goto(f"{server}/importera")
    wait_for_app(page)
    page.get_by_role("button", name="Ta bort").click()
    page.get_by_role("button", name="Ja, ta bort").click()
    page.wait_for_selector("text=Lagringen", timeout=60_000)
    page.close()


def test_deep_link_as_first_request_gets_the_real_menu(browser, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """A fresh server whose first request is /arsrapport: our menu and layout, not Streamlit's
    pages/-folder listing (which would show "shared" and file names)."""
    from tests.e2e.conftest import running_server

    with running_server(tmp_path_factory) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}/arsrapport?ar=2018")
        wait_for_app(page)
        page.wait_for_selector("h1:has-text('Årsrapport 2018')", timeout=60_000)
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Makt och mäns våld mot kvinnor" in nav and "Importera" in nav
        assert "shared" not in nav and "dashboard" not in nav
        page.close()
        # a målområde's address (no file in pages/) as the first request of a new session: the right page,
        # and no "Page not found" dialog in front of it (issue 26)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}/makt-inflytande?ar=2018")
        wait_for_app(page)
        page.wait_for_selector("h1:has-text('Makt, inflytande')", timeout=60_000)
        page.wait_for_timeout(500)
        assert page.get_by_role("dialog").count() == 0
        page.close()
