"""The annual equality report (Årsrapport) in one step: HTML, a zip of figures and tables, PDF.

* **HTML**: one self-contained file (plotly.js and styles inline, no external request) that
  prints on A4: a page break before each målområde, no chart cut in half, page numbers in the
  page margin (CSS ``@page`` margin boxes, which Chromium supports).
* **Zip**: every figure as PNG (1890 px wide = 16 cm, an A4 text column, at 300 dpi) and SVG,
  made by kaleido with the system's Chromium, and every table as xlsx. Names begin with the
  figure's number in the report, so they paste into the board's Word template in order.
* **PDF**: the HTML printed by headless Chromium (``--print-to-pdf``) where Chromium exists.

Every table and chart comes from a :class:`~jamstalldhet.disclosure.control.Published` table, and the
narrative's figures are filled in from the same tables, so the report is disclosure-controlled
like everything else. The page and the command line both call :func:`build`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..base import formatting as F
from ..base import schema as S
from ..base.errors import UserError
from ..compute.catalogue import Catalogue, Malomrade
from ..compute.indicators import indicator
from ..disclosure import control as disclosure
from ..disclosure.control import INTERNAL_MARK, Published
from ..intake.records import Prepared
from ..plan import model as handlingsplan
from ..plan import narrative
from ..show import charts, presentation, views

PNG_WIDTH: Final = 945  # CSS px; × scale 2 = 1890 px = 16 cm at 300 dpi
PNG_HEIGHT: Final = 540
PNG_SCALE: Final = 2
HTML_CHART_WIDTH: Final = 640  # fits the A4 text width (174 mm ≈ 658 px), so print never rescales
HTML_CHART_HEIGHT: Final = 420
CHROMIUM_CANDIDATES: Final = ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium")
TEMPLATES: Final = Path(__file__).resolve().parents[1] / "show" / "templates"


class ReportError(UserError, RuntimeError):
    """A report file (zip, pdf) that cannot be written (Swedish message)."""


@dataclass(frozen=True)
class Figure:
    number: int
    area: Malomrade
    view: presentation.IndicatorView

    @property
    def stem(self) -> str:
        return f"figur-{self.number:02d}_{self.view.id}"


@dataclass(frozen=True)
class Section:
    number: int
    area: Malomrade
    scope: str
    pub: Published
    narrative_html: str
    figures: list[Figure]

    @property
    def slug(self) -> str:
        return f"{self.number}_{self.area.id}"


@dataclass(frozen=True)
class Report:
    year: int
    title: str
    unit: str
    source: str
    last_date: str | None
    created: datetime
    k: int
    significant: list[str]
    uneven: list[str]
    sections: list[Section]
    #: the plan's goals, assessments and activities, which open the report (None: no plan)
    plan: handlingsplan.PlanView | None = None
    #: sections after the målområden: resources (gender budget) and payments of ekonomiskt bistånd
    extra: tuple[views.ReportSection, ...] = ()

    @property
    def internal(self) -> bool:
        return disclosure.is_internal(self.k)

    @property
    def note(self) -> str:
        return disclosure.note(self.k)

    @property
    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]

    @property
    def stem(self) -> str:
        return disclosure.file_name(f"jamstalldhet_{self.year}", self.internal)


def _is(value: object, expected: bool) -> bool:
    """A flag that may be missing (suppressed): only a present value counts."""
    return not pd.isna(value) and bool(value) is expected  # type: ignore[call-overload]


def _summary(sections: list[Section], cat: Catalogue) -> tuple[list[str], list[str]]:
    """Where women and men differ significantly, and which distributions lie outside 40/60."""
    significant: list[str] = []
    uneven: list[str] = []
    for sec in sections:
        f = sec.pub.frame[sec.pub.frame["group"] == S.TOTALT]
        rows: dict[tuple[str, str], dict[str, Any]] = {
            (str(r["indicator"]), str(r["gender"])): r for r in f.to_dict("records")}  # type: ignore[misc]
        for iid in sec.area.indicators:
            w, m = rows.get((iid, S.KVINNOR)), rows.get((iid, S.MAN_PLURAL))
            if w is None or m is None:
                continue
            title = cat.text(iid).title
            if indicator(iid).kind == "rate" and _is(w["significant"], True):
                significant.append(
                    f"{sec.area.title}: {title.lower()} – {F.percent(w['share'])} av kvinnorna och "
                    f"{F.percent(m['share'])} av männen ({F.pp(w['gap_pp'])} procentenheter).")
            if indicator(iid).kind == "count" and _is(w["even"], False):
                uneven.append(f"{sec.area.title}: {title.lower()} – {F.percent(w['share'])} kvinnor "
                              f"({F.number(w['count'])} kvinnor, {F.number(m['count'])} män).")
    return significant, uneven


def build(prep: Prepared, year: int, cat: Catalogue, k: int, source: str, texts: Path | None = None,
          payments: pd.DataFrame | None = None) -> Report:
    """Everything the report shows for one year, computed once; ``payments`` are the payments of
    ekonomiskt bistånd that go with the records (``sources.payments_for``), if any."""
    sections: list[Section] = []
    number = 0
    for i, area in enumerate(cat.malomraden, 1):
        mv = views.malomrade(prep, cat, area, year, k, views.default_filters(area))
        text = narrative.read(year, area.id, texts)
        html = narrative.to_html(presentation.fill_figures(text, mv.pub)) if text.strip() else ""
        figures = []
        for view in mv.indicators:
            number += 1
            figures.append(Figure(number, area, view))
        sections.append(Section(i, area, mv.scope, mv.pub, html, figures))
    significant, uneven = _summary(sections, cat)
    return Report(year, cat.report_title, cat.unit, source, prep.last_date(), datetime.now().astimezone(), k,
                  significant, uneven, sections, handlingsplan.report_view(prep, year, cat, k, texts),
                  _extra_sections(prep, year, k, payments))


def _extra_sections(prep: Prepared, year: int, k: int, payments: pd.DataFrame | None) -> tuple[views.ReportSection, ...]:
    """Resurser (when the price list can be read), jämställda utbetalningar (when there are payments) and
    Kolada's key figures beside the published series (when the outcome mapping can be read)."""
    from ..payments import view as payments_view
    from ..resources import prices as costs
    from ..resources import view as resources_view

    try:
        res = resources_view.report_section(prep, year, k, costs.load(), prep.whole_years())
    except costs.CostError:
        res = None  # the page says what is wrong with the price list; the report leaves the section out
    pay = payments_view.report_section(payments, year, k)
    from . import kolada

    try:
        kas = kolada.report_section(prep, year, k)
    except kolada.KoladaError:
        kas = None  # the Jämförelse page says what is wrong with the mapping; the report leaves the section out
    return tuple(s for s in (res, pay, kas) if s is not None)


# --- HTML ---------------------------------------------------------------------------------

def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))


def _figure_html(figure: Any, div_id: str) -> Markup:
    f = type(figure)(figure)  # a copy: the page's figure keeps its responsive size
    f.update_layout(width=HTML_CHART_WIDTH, height=HTML_CHART_HEIGHT, autosize=False)
    div = f.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                    config={"displayModeBar": False, "responsive": False, "staticPlot": False})
    return Markup(div)  # noqa: S704 – plotly's own markup; every text in it is escaped JSON


def _chart_html(fig: Figure) -> Markup:
    return _figure_html(fig.view.figure, f"figur-{fig.number}")


def _extra_chart_html(sec: views.ReportSection) -> Markup:
    return _figure_html(sec.figure, f"figur-{sec.slug}")


def _table_html(df: pd.DataFrame) -> Markup:
    return Markup(presentation.for_reading(df).to_html(index=False, escape=True, border=0, classes="tabell", na_rep=F.SUPPRESSED))  # noqa: S704


def html(rep: Report) -> str:
    """The report as one self-contained HTML document."""
    from plotly.offline import get_plotlyjs

    template = _env().get_template("rapport.html.j2")
    return template.render(
        r=rep, internal_mark=INTERNAL_MARK, plotlyjs=Markup(get_plotlyjs()),  # noqa: S704
        chart=_chart_html, table=_table_html, narrative=lambda s: Markup(s.narrative_html),  # noqa: S704
        alt=lambda f: charts.alt_text(f.view.figure), extra_chart=_extra_chart_html, alt_of=charts.alt_text, empty=lambda f: charts.all_suppressed(f.view.figure),
        created=rep.created.strftime("%Y-%m-%d %H:%M"), about=presentation.about_figures(rep.k),
    )


# --- files --------------------------------------------------------------------------------

def write_images(rep: Report, folder: Path) -> list[Path]:
    """PNG and SVG of every figure (one kaleido session for all of them)."""
    import plotly.io as pio

    folder.mkdir(parents=True, exist_ok=True)
    figs, paths, formats = [], [], []
    for fig in rep.figures:
        for fmt in ("png", "svg"):
            figs.append(fig.view.figure)
            paths.append(folder / f"{fig.stem}_{rep.year}.{fmt}")
            formats.append(fmt)
    for x in rep.extra:
        for fmt in ("png", "svg"):
            figs.append(x.figure)
            paths.append(folder / f"{x.slug}_{rep.year}.{fmt}")
            formats.append(fmt)
    if figs:
        try:
            pio.write_images(figs, paths, format=formats, width=PNG_WIDTH, height=PNG_HEIGHT, scale=PNG_SCALE)
        except Exception as exc:  # kaleido raises its own types when Chromium is missing
            raise ReportError(f"Bilderna kunde inte skapas (kaleido behöver Chromium): {exc}") from exc
    for p in paths:
        if p.suffix == ".png":
            with_dpi(p)
    return paths


PNG_DPI: Final = 300


def with_dpi(path: Path, dpi: int = PNG_DPI) -> None:
    """The PNG carries the resolution it is made for (its pHYs chunk), so Word places it 16 cm wide."""
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        im.save(path, format="PNG", dpi=(dpi, dpi), optimize=False)


def tables_xlsx(rep: Report) -> dict[str, bytes]:
    """One workbook per målområde (a sheet per indicator) and one with the summary."""
    from ..show.export import About, method_line, source_line, workbook

    source, method, year = source_line(rep.source, rep.last_date), method_line(rep.k), str(rep.year)
    out: dict[str, bytes] = {}
    for sec in rep.sections:
        sheets = {f"Figur {f.number} {f.view.title}": f.view.export for f in sec.figures}
        abouts = {f"Figur {f.number} {f.view.title}": About(f"Figur {f.number}. {f.view.title} – {sec.area.title} {rep.year}",
                                                            year, sec.scope, source, sec.pub.note, method) for f in sec.figures}
        out[f"tabeller_{sec.slug}_{rep.year}.xlsx"] = workbook(sheets, abouts)
    for x in rep.extra:  # a sheet over the years says so ("alla år"); the others are the report's year
        out[f"tabeller_{x.slug}_{rep.year}.xlsx"] = workbook(
            x.exports, {name: About(f"{name} – {x.title}", year if name.endswith("insats") else "alla år i data",
                                    "Alla deltagare", source, x.note, method) for name in x.exports})
    summary = pd.DataFrame({"Statistiskt säkerställda skillnader": pd.Series(rep.significant, dtype=object)})
    uneven = pd.DataFrame({"Könsfördelning utanför 40/60": pd.Series(rep.uneven, dtype=object)})
    out[f"sammanfattning_{rep.year}.xlsx"] = workbook(
        {"Skillnader": summary, "40-60": uneven},
        {"Skillnader": About(f"Statistiskt säkerställda skillnader mellan kvinnor och män {rep.year}", year, "Alla deltagare",
                             source, rep.note, method),
         "40-60": About(f"Könsfördelning utanför 40/60 {rep.year}", year, "Alla deltagare", source, rep.note, method)})
    return out


def write_zip(rep: Report, target: Path) -> Path:
    """Every figure (PNG 300 dpi and SVG) and every table (xlsx) in one zip."""
    with tempfile.TemporaryDirectory() as tmp:
        images = write_images(rep, Path(tmp))
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in images:
                zf.write(p, f"{rep.stem}/figurer/{p.name}")
            for name, data in tables_xlsx(rep).items():
                zf.writestr(f"{rep.stem}/tabeller/{name}", data)
            zf.writestr(f"{rep.stem}/{rep.stem}.html", html(rep))
    return target


def stamp_html(doc: str, extract_id: str) -> str:
    """An internal report's HTML with its extract id (the event log names the file by it)."""
    from ..show.export import extract_line

    return doc.replace("</body>", f'<p class="uttag">{extract_line(extract_id)}</p></body>', 1)


def zip_bytes(rep: Report, extract_id: str | None = None) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        data = write_zip(rep, Path(tmp) / "r.zip").read_bytes()
    if extract_id is None:
        return data
    import io
    import zipfile

    from ..show.export import extract_line

    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("uttags-id.txt", extract_line(extract_id) + "\n")
    return buf.getvalue()


def chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(html_file: Path, target: Path, timeout: float = 180) -> Path:
    """Print the HTML to PDF with headless Chromium (page numbers from the report's own CSS)."""
    exe = chromium()
    if exe is None:
        raise ReportError("PDF kräver Chromium (Debian-paketet chromium), som inte finns på den här datorn.")
    with tempfile.TemporaryDirectory() as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", "--virtual-time-budget=20000", f"--print-to-pdf={target.resolve()}",
               html_file.resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)  # noqa: S603
        except subprocess.TimeoutExpired as exc:
            raise ReportError(f"Chromium blev inte klar med PDF:en inom {timeout:.0f} s.") from exc
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise ReportError(f"Chromium kunde inte skriva PDF:en: {done.stderr.decode(errors='replace')[-500:]}")
    return target


def pdf_bytes(rep: Report, extract_id: str | None = None) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{rep.stem}.html"
        doc = html(rep)
        src.write_text(doc if extract_id is None else stamp_html(doc, extract_id), encoding="utf-8")
        return write_pdf(src, Path(tmp) / f"{rep.stem}.pdf").read_bytes()
