"""WCAG 2.1 AA in a real browser: axe-core (bundled by axe-playwright-python) over every page.

Zero violations of the rule sets wcag2a, wcag2aa, wcag21a and wcag21aa on every page of the
running dashboard, in rapportläge, on the Import page after an upload (nothing stored), and on
the report HTML; the page language is Swedish; the report PDF is tagged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jamstalldhet.compute import catalogue
from jamstalldhet.disclosure.tables import indicator_table
from jamstalldhet.intake.records import Prepared
from jamstalldhet.show import charts
from tests.conftest import ROOT
from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.slow  # a real browser and server: left out of make test-fast

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}

#: every plotly chart of the report is drawn (each has its SVG), and there are at least n of them
REPORT_CHARTS_DRAWN = ("n => { const p = [...document.querySelectorAll('.js-plotly-plot')]; "
                       "return p.length >= n && p.every(e => e.querySelector('.main-svg')); }")

def _pages() -> list[tuple[str, str]]:
    """Every page of the menu (one per målområde of the catalogue), and one målområde in rapportläge."""
    from jamstalldhet.compute import catalogue

    areas = catalogue.load().malomraden
    return [
        ("oversikt?ar=2018", "Översikt 2018"),
        *[(f"{a.url}?ar=2018", a.title) for a in areas],
        ("resurser?ar=2018", "Resurser 2018"),
        ("handlingsplan", "Handlingsplan"),
        ("trender", "Trender"),
        ("arsrapport?ar=2018", "Årsrapport 2018"),
        ("importera", "Importera"),
        ("tillganglighet", "Tillgänglighetsredogörelse"),
        ("om-siffrorna", "Om siffrorna"),
        ("jamforelse?ar=2018", "Jämförelse med Kolada"),
        (f"{areas[0].url}?ar=2018&rapport=1", areas[0].title),
    ]


PAGES = _pages()
CHARTS_DRAWN = "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')].every(e => e.querySelector('.main-svg'))"


def _axe(page) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options=RULES)
    out = []
    for v in result.response["violations"]:
        node = v["nodes"][0]
        why = "; ".join(c["message"] for c in node["any"] + node["all"] + node["none"])
        out.append(f"{v['id']} ({len(v['nodes'])} ställen): {v['help']} – {node['target']}: {why}")
    return out


@pytest.fixture(scope="module")
def a11y_page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    yield page
    context.close()


#: the page's language is Swedish: set by a script as the page arrives (Streamlit's index.html says "en")
IN_SWEDISH = "() => document.documentElement.lang === 'sv'"


@pytest.mark.parametrize(("path", "heading"), PAGES, ids=[p for p, _ in PAGES])
def test_page_has_no_wcag_violations(server: str, a11y_page, path: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    page = a11y_page
    page.goto(f"{server}/{path}")
    wait_for_app(page)
    page.wait_for_selector(f"h1:has-text('{heading}')", timeout=60_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_function(IN_SWEDISH, timeout=15_000)  # set by the page's script as it runs (dashboard.py, pages/_swedish.py)
    violations = _axe(page)
    assert not violations, "\n".join(violations)


def test_import_page_after_upload_has_no_wcag_violations(server: str, a11y_page) -> None:  # type: ignore[no-untyped-def]
    page = a11y_page
    page.goto(f"{server}/importera")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(str(ROOT / "tests" / "data" / "import" / "pnr_12_bindestreck.csv"))
    page.wait_for_selector("button:has-text('Lagra')", timeout=60_000)  # checked, not stored
    page.wait_for_timeout(300)
    page.wait_for_function(IN_SWEDISH, timeout=15_000)  # set by the page's script as it runs (dashboard.py, pages/_swedish.py)
    violations = _axe(page)
    assert not violations, "\n".join(violations)


def test_charts_have_text_alternatives_and_tables_are_real_tables(server: str, a11y_page, demo_prep: Prepared) -> None:  # type: ignore[no-untyped-def]
    page = a11y_page
    page.goto(f"{server}/oversikt?ar=2018")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    text = page.locator(".diagramtext").first.inner_text()
    outcomes = ["avslut_arbete", "avslut_studier", "avslut_arbetsmarknadsanstallning", "avslut_ohalsa", "avslut_annat"]
    expected = charts.rates_summary(indicator_table(demo_prep, 2018), catalogue.load(), outcomes, "Avslutade 2018 efter avslutsorsak")
    assert text == f"Diagram: {expected}"  # the published figures, in words
    assert "(statistiskt säkerställd skillnad)" in text  # the seed's studies gap (12 % / 6 %) survives the noise
    # every table is a real table a screen reader walks cell by cell: headings for its columns and rows,
    # nothing drawn on a canvas, and nothing to scroll sideways (so nothing a keyboard must reach)
    tables = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stTable"] table')].map(t => ({
        cols: t.querySelectorAll('thead th[scope="col"]').length, rows: t.querySelectorAll('tbody th[scope="row"]').length,
        body: t.querySelectorAll('tbody tr').length, scrolls: t.parentElement.scrollWidth > t.parentElement.clientWidth + 1}))""")
    assert len(tables) == 3, tables  # counts, rates, and the rates' intervals (in a closed expander)
    assert all(t["cols"] >= 4 and t["rows"] == t["body"] and not t["scrolls"] for t in tables), tables
    assert page.locator("[data-testid='stDataFrame']").count() == 0
    # the chart's sentence is read by a screen reader and takes no room on the screen
    assert page.locator(".diagramtext").first.bounding_box()["height"] <= 1  # type: ignore[index]
    # a keyboard user gets past the charts and tables to the next control, with a visible focus ring
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.closest('[data-testid=\"stDownloadButton\"]') !== null"):
            break
    else:
        raise AssertionError("Tabbtangenten når inte tabellens nedladdningsknapp")
    ring = page.evaluate("() => { const c = getComputedStyle(document.activeElement); return c.boxShadow + ' ' + c.outlineStyle; }")
    assert ring != "none none"  # the focused button shows where the focus is


def test_report_html_and_pdf_are_accessible(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    from jamstalldhet.app import report
    from jamstalldhet.compute import catalogue
    from jamstalldhet.intake import demo
    from jamstalldhet.intake.records import prepare

    rep = report.build(prepare(demo.demo_frame()), 2018, catalogue.load(), 5, "Demodata", texts=ROOT / "data" / "uppfoljning")
    src = tmp_path / "rapport.html"
    src.write_text(report.html(rep), encoding="utf-8")
    context = browser.new_context(viewport={"width": 900, "height": 1200})
    page = context.new_page()
    page.goto(src.as_uri())
    page.wait_for_function(REPORT_CHARTS_DRAWN, arg=len([f for f in rep.figures if f.view.figure.data]), timeout=60_000)
    page.wait_for_function(IN_SWEDISH, timeout=15_000)  # set by the page's script as it runs (dashboard.py, pages/_swedish.py)
    assert page.locator("figure .diagramtext").count() == len(rep.figures) + len(rep.extra)  # + resources, payments
    violations = _axe(page)
    assert not violations, "\n".join(violations)
    context.close()
    pdf = report.write_pdf(src, tmp_path / "rapport.pdf")
    root = PdfReader(pdf).trailer["/Root"]
    # tagged: a structure tree, and marked as such (a /MarkInfo with /Marked false would not be)
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
