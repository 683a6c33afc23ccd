"""The annual report: content, self-containment, disclosure control, figures and tables, CLI, page."""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.app import cli, report
from jamstalldhet.base import formatting as F
from jamstalldhet.base import schema as S
from jamstalldhet.compute import catalogue
from jamstalldhet.disclosure import control as disclosure
from jamstalldhet.disclosure.tables import indicator_table
from jamstalldhet.intake.records import Prepared, prepare
from tests.conftest import ROOT, small_unit

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast


class _Collect(HTMLParser):
    """Tags with their attributes, the text of table cells, and style sheets."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "style"):
            self._in = tag
            if tag == "td":
                self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "td":
            self.cells[-1] += data
        elif self._in == "style":
            self.styles.append(data)


def parse(doc: str) -> _Collect:
    c = _Collect()
    c.feed(doc)
    return c


@pytest.fixture(scope="module")
def demo_report(demo_prep: Prepared) -> report.Report:
    return report.build(demo_prep, 2018, catalogue.load(), 5, "Demodata", texts=ROOT / "data" / "uppfoljning")


@pytest.fixture(scope="module")
def demo_html(demo_report: report.Report) -> str:
    return report.html(demo_report)


@pytest.fixture(scope="module")
def internal_report(demo_prep: Prepared) -> report.Report:
    """The demo report in internt läge (k = 0): the seed's exact figures."""
    return report.build(demo_prep, 2018, catalogue.load(), 0, "Demodata", texts=ROOT / "data" / "uppfoljning")


def without_scripts(doc: str) -> str:
    return re.sub(r"<script>.*?</script>", "", doc, flags=re.S)


def totals(prep: Prepared, iid: str, year: int = 2018, k: int = 5) -> dict[str, dict[str, object]]:
    """One indicator's Totalt rows, by gender, of the table of all participants: published (perturbed)
    at k = 5, the same table every output of the year publishes; exact at k = 0."""
    f = indicator_table(prep, year, k=k).frame
    f = f[(f["indicator"] == iid) & (f["group"] == S.TOTALT)]
    return {str(r["gender"]): r for r in f.to_dict("records")}


def deltagare_sentence(prep: Prepared) -> str:
    """The first sentence of Makt och hälsa's narrative, its figures from the published table."""
    n = {g: F.number(v["count"]) for g, v in totals(prep, "deltagare").items()}
    return f"Jobb Borås har under 2018 arbetat med {n[S.TOTALT]} deltagare, {n[S.KVINNOR]} kvinnor och {n[S.MAN_PLURAL]} män."


def test_demo_report_has_seed_figures_and_three_malomraden(demo_html: str, internal_report: report.Report,
                                                           demo_prep: Prepared) -> None:
    # internt läge: the seed's exact figures
    internal = without_scripts(report.html(internal_report))
    assert disclosure.INTERNAL_MARK in internal
    for figure in ("1 814", "993", "821", "16,0 %", "18,0 %", "12,0 %", "398", "331", "223", "237"):
        assert figure in internal, figure
    assert "Jobb Borås har under 2018 arbetat med 1 814 deltagare, 993 kvinnor och 821 män." in internal
    summary = internal[internal.index("Sammanfattning"):internal.index("Målområde 1")]
    assert "avslutade till studier – 12,0 % av kvinnorna och 6,0 % av männen" in summary

    # published: every figure is the published (perturbed) table's, in the narrative as in the summary
    text = without_scripts(demo_html)
    assert disclosure.INTERNAL_MARK not in text
    for title in ("Makt, inflytande och ekonomisk jämställdhet", "Makt och hälsa", "Makt och mäns våld mot kvinnor"):
        assert title in text
    # each målområde's narrative, figures filled in from the (published) data
    assert "En utbildning planeras i jämställdhetsintegrering" in text
    assert deltagare_sentence(demo_prep) in text
    anvisade = {g: F.number(v["count"]) for g, v in totals(demo_prep, "anvisade").items()}
    work, studies, employed = (totals(demo_prep, iid) for iid in (
        "avslut_arbete", "avslut_studier", "avslut_arbetsmarknadsanstallning"))
    w, m = S.KVINNOR, S.MAN_PLURAL
    assert (f"{anvisade[S.TOTALT]} var anvisade under året, {anvisade[w]} kvinnor och {anvisade[m]} män.") in text
    assert (f"Av dem som avslutade en arbetsmarknadsinsats började {F.percent(work[w]['share'])} av kvinnorna och "
            f"{F.percent(work[m]['share'])} av männen arbeta. Efter avslutad insats har en större andel kvinnor än män "
            f"börjat studera ({F.percent(studies[w]['share'])} av kvinnorna och {F.percent(studies[m]['share'])} av "
            f"männen). Arbetsmarknadsanställningar ligger jämnt mellan könen, {F.number(employed[w]['count'])} kvinnor "
            f"och {F.number(employed[m]['count'])} män.") in text
    assert "En arbetsgrupp tillsattes under 2018" in text
    assert "{{" not in text
    # the summary up front names the significant difference in studies (12 % vs 6 % in the seed)
    assert studies[w]["significant"] is True
    summary = text[text.index("Sammanfattning"):text.index("Målområde 1")]
    assert (f"avslutade till studier – {F.percent(studies[w]['share'])} av kvinnorna och "
            f"{F.percent(studies[m]['share'])} av männen ({F.pp(studies[w]['gap_pp'])} procentenheter)") in summary


def test_no_external_resource(demo_html: str, demo_report: report.Report) -> None:
    doc = parse(demo_html)
    external = re.compile(r"^\s*(https?:)?//", re.I)
    for tag, attrs in doc.tags:
        for name in ("src", "href", "srcset", "data", "poster"):
            value = attrs.get(name)
            assert not (value and external.match(value)), (tag, name, value)
        assert not (tag == "link" and attrs.get("rel") == "stylesheet")
    for css in doc.styles:
        assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    from jamstalldhet.show import charts

    drawn = [f for f in demo_report.figures if not charts.all_suppressed(f.view.figure)]
    assert len(demo_report.figures) == 12 and len(drawn) >= 10
    # plotly.js + one per drawn figure (a figure whose values are all hidden is a sentence instead)
    assert sum(1 for tag, _ in doc.tags if tag == "script") == 1 + len(drawn) + len(demo_report.extra)


def indicator_rows(doc: str, area: int, title: str) -> dict[str, list[str]]:
    """The cells of one indicator's table in målområde ``area`` of a report, by the row's first cell."""
    section = doc[doc.index(f'id="malomrade-{area}"'):]
    section = section[:section.index("</section>")]
    table = section[section.index(f"<h3>{title}</h3>"):]
    table = table[table.index("<tbody>"):table.index("</tbody>")]
    rows = [re.findall(r"<td>(.*?)</td>", row, flags=re.S) for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]
    return {row[0].strip(): [c.strip() for c in row[1:]] for row in rows}


def test_small_unit_report_shows_dots_never_small_counts() -> None:
    prep = prepare(small_unit())
    rep = report.build(prep, 2018, catalogue.load(), 5, "Liten enhet")
    doc = report.html(rep)
    cells = [c.strip() for c in parse(doc).cells]
    assert ".." in cells
    assert not [c for c in cells if re.fullmatch(r"[0-4]", c)], cells  # no count below k, and never a 0
    # the 3 women are hidden, and the total with them (total minus men would give them away); the
    # men's perturbed count is shown, as the published table says
    deltagare = indicator_rows(doc, 2, "Deltagare")
    men = totals(prep, "deltagare")[S.MAN_PLURAL]["count"]
    assert deltagare["Kvinnor"][0] == ".." and deltagare["Totalt"][0] == ".."
    assert deltagare["Män"][0] == F.number(men) and int(men) >= 5  # type: ignore[call-overload]
    assert not rep.uneven  # the summary names no distribution whose women are hidden
    # internt läge: exact, small counts and the total included, and marked
    internal = report.html(report.build(prep, 2018, catalogue.load(), 0, "Liten enhet"))
    assert "Internt – får inte publiceras" in internal
    exact = indicator_rows(internal, 2, "Deltagare")
    assert [exact[g][0] for g in ("Kvinnor", "Män", "Totalt")] == ["3", "40", "43"]


def test_zip_has_every_figure_as_png_and_svg_and_tables_as_xlsx(demo_report: report.Report, internal_report: report.Report,
                                                                demo_prep: Prepared, tmp_path: Path) -> None:
    target = report.write_zip(demo_report, tmp_path / "r.zip")
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        pngs = [n for n in names if n.endswith(".png")]
        svgs = [n for n in names if n.endswith(".svg")]
        # every indicator figure, and the resources and Kolada sections' figures (no payments passed here)
        assert len(pngs) == len(svgs) == len(demo_report.figures) + len(demo_report.extra) == 12 + 2
        assert any(n.endswith("figur-01_deltagare_2018.png") for n in pngs)
        for n in pngs:
            head = zf.read(n)[:24]
            assert head[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = struct.unpack(">II", head[16:24])
            assert (width, height) == (report.PNG_WIDTH * report.PNG_SCALE, report.PNG_HEIGHT * report.PNG_SCALE)
            assert width / (16 / 2.54) >= 295  # 16 cm wide at about 300 dpi
            data = zf.read(n)
            at = data.index(b"pHYs")  # the PNG says its resolution: 300 dpi = 11811 pixels per metre, unit metre
            assert struct.unpack(">IIB", data[at + 4:at + 13]) == (11811, 11811, 1), n
        # names keep å, ä, ö folded (never dropped): "jamstallda-utbetalningar", not "j-mst-llda"
        assert not any("-f-r-" in n or "j-mst" in n or "bist-nd" in n for n in names), names
        assert any("resurser-far-kvinnor-och-man-lika-stor-del_2018" in n for n in names), names
        for n in svgs:
            assert ET.fromstring(zf.read(n)).tag.endswith("svg")
        books = [n for n in names if n.endswith(".xlsx")]
        assert len(books) == 3 + 1 + len(demo_report.extra)  # målområden, summary, resources, Kolada
        halsa = next(n for n in books if "makt-och-halsa" in n)
        published = zf.read(halsa)

    def women(book: bytes) -> int:
        sheets = pd.read_excel(io.BytesIO(book), sheet_name=None, engine="calamine", header=None)
        raw = next(df for name, df in sheets.items() if "Deltagare" in name)
        head = raw.index[raw[0] == "Indikator"][0]  # below the title block: title, year, selection, source
        deltagare = raw.iloc[head + 1:].set_axis(raw.iloc[head].tolist(), axis=1)
        return int(deltagare["Kvinnor, antal personer (antal)"].iloc[0])

    # the published workbook has the published table's (perturbed) count; the internal one the seed's 993
    assert women(published) == int(totals(demo_prep, "deltagare")[S.KVINNOR]["count"])  # type: ignore[call-overload]
    internal_books = report.tables_xlsx(internal_report)
    assert women(next(b for n, b in internal_books.items() if "makt-och-halsa" in n)) == 993


def test_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rapport.html"
    assert cli.main(["report", "--year", "2018", "--demo", "--out", str(out)]) == 0
    assert "993" in out.read_text(encoding="utf-8")
    assert "Skrev" in capsys.readouterr().err
    assert cli.main(["report", "--year", "2031", "--demo", "--out", str(out)]) == 1
    assert "2031 finns inte" in capsys.readouterr().err
    assert cli.main(["report", "--year", "2018", "--demo"]) == 2


def test_pdf_has_pages_and_figures(demo_html: str, demo_prep: Prepared, tmp_path: Path) -> None:
    if report.chromium() is None:
        pytest.skip("Chromium saknas")
    from pypdf import PdfReader

    src = tmp_path / "r.html"
    src.write_text(demo_html, encoding="utf-8")
    pdf = report.write_pdf(src, tmp_path / "r.pdf")
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 5  # title + summary, three målområden, method
    text = "\n".join(page.extract_text() for page in reader.pages)
    # the published table's figures (the seed's 1 814, 993, 821 and 16,0 %, perturbed)
    people = totals(demo_prep, "deltagare")
    work = totals(demo_prep, "avslut_arbete")
    for figure in (F.number(people[S.TOTALT]["count"]), F.number(people[S.KVINNOR]["count"]),
                   F.number(people[S.MAN_PLURAL]["count"]), F.percent(work[S.KVINNOR]["share"]), "Sida 1 av"):
        assert figure in text, figure


def test_arsrapport_page(media: dict[str, tuple[str, bytes]], demo_prep: Prepared) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "arsrapport.py"), default_timeout=120)
    at.session_state["ar"] = 2018
    at.run()
    assert not at.exception
    assert at.title[0].value == "Årsrapport 2018"
    assert [e.label for e in at.expander] == ["Förhandsgranska rapporten"]
    assert len(at.get("iframe")) == 0  # the preview is drawn only when it is opened
    button = next(b for b in at.get("download_button") if b.proto.label == "Rapporten (HTML)")
    name, data = media[button.proto.url]
    assert name == "jamstalldhet_2018.html" and deltagare_sentence(demo_prep) in data.decode()  # the published figures
    assert any("avslutade till studier" in m.value for m in at.markdown)
    at.session_state["forhandsgranska"] = True  # the user opens the preview
    at.run()
    assert not at.exception
    assert len(at.get("iframe")) == 1


def test_summary_names_distributions_outside_40_60() -> None:
    from jamstalldhet.base import schema as S
    from jamstalldhet.intake.canonical import canonical

    rows = [(f"w{i}", S.KVINNA) for i in range(10)] + [(f"m{i}", S.MAN) for i in range(40)]
    df = pd.DataFrame(rows, columns=[S.PERSON_ID, S.KON])
    df[S.STARTDATUM], df[S.SLUTDATUM], df[S.INSATS] = "2018-03-01", None, "Jobb Borås"
    prep = prepare(canonical(df))
    # internt läge: the exact 10 women and 40 men
    internal = report.build(prep, 2018, catalogue.load(), 0, "Test")
    assert any("deltagare – 20,0 % kvinnor (10 kvinnor, 40 män)" in line for line in internal.uneven), internal.uneven
    # published: the published table's (perturbed) counts and share
    rep = report.build(prep, 2018, catalogue.load(), 5, "Test")
    people = totals(prep, "deltagare")
    w, m = people[S.KVINNOR], people[S.MAN_PLURAL]
    assert w["even"] is False
    line = f"deltagare – {F.percent(w['share'])} kvinnor ({F.number(w['count'])} kvinnor, {F.number(m['count'])} män)"
    assert any(line in u for u in rep.uneven), (line, rep.uneven)
    assert "Könsfördelning utanför 40/60" in report.html(rep)


def test_report_has_resources_and_payments_sections(demo_prep: Prepared) -> None:
    from jamstalldhet.payments import demo as demo_payments

    rep = report.build(demo_prep, 2021, catalogue.load(), 5, "Demodata", payments=demo_payments.demo_frame())
    titles = [x.title for x in rep.extra]
    assert titles == ["Resurser: får kvinnor och män lika stor del?", "Jämställda utbetalningar av ekonomiskt bistånd",
                      "Kolada: kommunal arbetsmarknadsstatistik"]
    doc = report.html(rep)
    assert "av deltagarna och får" in doc  # the resources sentence
    import io

    import openpyxl

    books = report.tables_xlsx(rep)
    assert {f"tabeller_{x.slug}_2021.xlsx" for x in rep.extra} <= set(books)
    sheets = openpyxl.load_workbook(io.BytesIO(books[f"tabeller_{rep.extra[0].slug}_2021.xlsx"])).sheetnames
    assert sheets == ["Resurser per insats", "Resurser över tid"]
    # the Kolada section: the year's key figures and the shipped Borås series beside the unit's own
    kas = rep.extra[2]
    assert "U40455" in " ".join(kas.tables["Nyckeltal 2021"].astype(str).to_numpy().ravel()) and "Borås" in kas.sentence
    # without payments and with no price list problem: resources and Kolada
    assert [x.title for x in report.build(demo_prep, 2021, catalogue.load(), 5, "Demodata").extra] == [titles[0], titles[2]]
