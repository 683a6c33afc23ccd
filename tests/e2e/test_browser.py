"""The dashboard in a real browser: the figures a person sees, and a screenshot."""

from __future__ import annotations

from tests.e2e.conftest import SHOTS, wait_for_app


def test_oversikt_in_browser(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(server + "/?ar=2018")
    wait_for_app(page)
    page.wait_for_selector("text=Översikt 2018", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    body = page.inner_text("body")
    assert "993 kvinnor och 821 män" in body
    assert "1 814" in body
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "oversikt.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"skärmbild: {shot}")
    assert shot.stat().st_size > 10_000
    page.close()


def test_year_from_url_and_change(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/?ar=2019")
    wait_for_app(page)
    page.wait_for_selector("text=Översikt 2019", timeout=60_000)
    assert "1 029 kvinnor och 851 män" in page.inner_text("body")
    page.close()
