"""The report HTML in a real browser with the network blocked: every chart renders offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from jamstalldhet.app import report
from jamstalldhet.base import formatting as F
from jamstalldhet.compute import catalogue
from jamstalldhet.intake import demo
from jamstalldhet.intake.records import prepare
from tests.conftest import ROOT, shown
from tests.e2e.conftest import SHOTS

pytestmark = pytest.mark.slow  # a real browser and server: left out of make test-fast

#: every plotly chart of the report is drawn (each has its SVG), and there are at least n of them
REPORT_CHARTS_DRAWN = ("n => { const p = [...document.querySelectorAll('.js-plotly-plot')]; "
                       "return p.length >= n && p.every(e => e.querySelector('.main-svg')); }")

def test_report_renders_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prep = prepare(demo.demo_frame())
    rep = report.build(prep, 2018, catalogue.load(), 5, "Demodata", texts=ROOT / "data" / "uppfoljning")
    src = tmp_path / "rapport.html"
    src.write_text(report.html(rep), encoding="utf-8")
    context = browser.new_context(viewport={"width": 900, "height": 1200})
    requests: list[str] = []

    def block(route) -> None:  # type: ignore[no-untyped-def]
        requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", block)
    page = context.new_page()
    page.goto(src.as_uri())
    from jamstalldhet.show import charts

    # a figure whose values are all hidden is a sentence instead of empty axes (issue 17)
    drawn = [f for f in rep.figures if not charts.all_suppressed(f.view.figure)]
    page.wait_for_function(REPORT_CHARTS_DRAWN, arg=len(drawn) + len(rep.extra), timeout=60_000)
    graphs = page.locator(".js-plotly-plot").count()
    # the indicators' drawn figures, and one per extra section (resources)
    assert len(rep.figures) == 12 and graphs == len(drawn) + len(rep.extra) and len(drawn) >= 10
    bars = page.locator(".js-plotly-plot .trace.bars").count()
    assert bars >= 2 * len(drawn)  # women and men in every chart
    assert [u for u in requests if not u.startswith("file://")] == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "rapport.png"), full_page=True)
    print(f"skärmbild: {SHOTS / 'rapport.png'}")
    pdf = SHOTS / "rapport.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2 + len(rep.sections)  # title and summary, a page or more per målområde, method
    text = "\n".join(p.extract_text() for p in reader.pages)
    fig = shown(prep, 2018)  # the year's published table: what the narrative's figures are filled from
    total, women = (F.number(fig[("deltagare", "Totalt", g)]["count"]) for g in ("Totalt", "Kvinnor"))
    assert f"{total} deltagare, {women} kvinnor" in text.replace("\n", " ")
    print(f"pdf: {pdf} ({len(reader.pages)} sidor)")
    context.close()
