"""Every kind of download opened in LibreOffice Calc (headless, Swedish locale), as an analyst opens
it in Swedish Excel (issue 27): page tables (through the functions the pages call), the page's
workbook, the report zip's workbooks and the command line's files.

Checked: every numeric cell is a number and shows the table's format (per cent only for shares);
the title, year, filter and the legend for ``..`` are in the file; no formula; every sheet printed
to PDF by Calc is one page wide, on A4. Figures come from the published tables at test time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from jamstalldhet.app import cli, report
from jamstalldhet.compute import catalogue
from jamstalldhet.intake.records import Prepared
from jamstalldhet.payments import demo as demo_payments
from jamstalldhet.payments import table as payments
from jamstalldhet.payments import view as payments_view
from jamstalldhet.resources import prices as costs
from jamstalldhet.resources import table as resources
from jamstalldhet.resources import view as resources_view
from jamstalldhet.show import export, views

pytestmark = pytest.mark.slow

YEAR = 2018
FILTER = {"bakgrund": ["Utrikes född"]}
FILTER_WORDS = "Bakgrund: Utrikes född"
LEGEND = ".. = färre än 5 "  # personer (hushåll for payments)
SOURCE = "Demodata (test)"
#: what a cell shows in Calc, by the unit in its column's header (Swedish locale: decimal comma,
#: a (narrow) no-break space between thousands)
THOUSANDS = r"(?:[\u00a0\u202f ]\d{3})*"
SHOWN = {
    "%": re.compile(r"^-?\d{1,3},\d\u00a0?\s?%$"),
    "procentenheter": re.compile(r"^-?\d+,\d$"),
    "kvot": re.compile(r"^\d+,\d\d$"),
    "dagar per deltagare": re.compile(rf"^\d{{1,3}}{THOUSANDS},\d$"),
    "år": re.compile(r"^\d{4}$"),
}
WHOLE = re.compile(rf"^-?\d{{1,3}}{THOUSANDS}$")


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice Calc saknas: make libreoffice (Debian-paketet libreoffice-calc-nogui)"
    return exe


SWEDISH_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>sv-SE</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>sv-SE</value></prop></item>
</oor:items>
"""


def convert(files: list[Path], to: str, out: Path, profile: Path, infilter: str | None = None) -> None:
    """Calc converts the files in one run, with a profile of this test's own (parallel runs never
    share one) whose locale is Swedish (sv-SE: decimal comma, space between thousands), whatever
    locales the machine has."""
    out.mkdir(parents=True, exist_ok=True)
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(SWEDISH_PROFILE, encoding="utf-8")
    cmd = [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           *([f"--infilter={infilter}"] if infilter else []), "--convert-to", to, "--outdir", str(out),
           *map(str, files)]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(profile), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}  # UTF-8 file names
    done = subprocess.run(cmd, capture_output=True, timeout=300, env=env, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr.decode(errors="replace")


@dataclass(frozen=True)
class Downloads:
    folder: Path
    xlsx: dict[str, export.About]  # file name → what its (first) sheet must say
    csv: dict[str, export.About]


@pytest.fixture(scope="module")
def files(demo_prep: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Downloads:
    folder = tmp_path_factory.mktemp("nedladdningar")
    cat = catalogue.load()
    area = next(a for a in cat.malomraden if a.id == "makt-och-halsa")
    mv = views.malomrade(demo_prep, cat, area, YEAR, 5, FILTER)
    source = export.source_line(SOURCE, demo_prep.last_date())
    xlsx: dict[str, export.About] = {}
    csv: dict[str, export.About] = {}

    def table(df: object, stem: str, about: export.About, wide: object = None) -> None:
        excel, _, book = export.table_files(df, stem, about, wide)  # type: ignore[arg-type]
        (folder / f"{stem}.csv").write_bytes(excel)
        (folder / f"{stem}.xlsx").write_bytes(book)
        csv[f"{stem}.csv"], xlsx[f"{stem}.xlsx"] = about, about

    # the page's tables: a count, a rate (filtered, as the målområde page makes them), resources, payments
    for view in mv.indicators[:1] + [v for v in mv.indicators if v.rate][:1]:
        table(view.export, mv.stem(view.id), mv.about(source, f"{view.title} – {area.title}"))
    tab = resources.table(demo_prep, YEAR, costs.load(), by="insats", filters=FILTER, k=5)
    table(resources_view.export_frame(tab), f"resurser_insats_{YEAR}{views.filter_slug(FILTER)}",
          export.About("Resurser per insats", str(YEAR), FILTER_WORDS, source, tab.note, export.method_line(5)))
    pay = payments.table(demo_payments.demo_frame(), 5)
    table(payments_view.export_table(pay, monthly=True), "utbetalningar_per_manad",
          export.About("Utbetalningar per månad", "2016–2024", "Alla deltagare", source, pay.note, export.method_line(5)),
          payments_view.wide_table(pay, monthly=True))
    # the page's workbook
    name, book = mv.workbook(source=source)
    (folder / name).write_bytes(book)
    xlsx[name] = mv.about(source)  # every sheet: its indicator – the målområde
    # the report zip's workbooks (a målområde, the resources and payments, the summary)
    rep = report.build(demo_prep, YEAR, cat, 5, SOURCE, payments=demo_payments.demo_frame())
    for name, book in report.tables_xlsx(rep).items():
        (folder / name).write_bytes(book)
        per_year = re.match(r"tabeller_\d_|sammanfattning", name)  # resources and payments also cover other years
        xlsx[name] = export.About("", str(YEAR) if per_year else "", "Alla deltagare")
    # the command line
    for fmt, ext in (("xlsx", "xlsx"), ("csv-excel", "csv")):
        out = folder / f"indikatorer_{YEAR}_bakgrund.{ext}"
        assert cli.main(["indicators", "--year", str(YEAR), "--demo", "--filter", "bakgrund=Utrikes född",
                         "--format", fmt, "--out", str(out)]) == 0
        (xlsx if ext == "xlsx" else csv)[out.name] = export.About("Indikatorer", str(YEAR), FILTER_WORDS)
    profile = folder / "lo-profil"
    books = [folder / n for n in xlsx]
    convert(books, "pdf", folder / "pdf", profile)
    # the cells as Calc shows them, every sheet (-1) in a file of its own
    convert(books, "csv:Text - txt - csv (StarCalc):59,34,76,1,,1053,false,true,true,false,false,-1", folder / "visat", profile)
    # CSV för Excel as Swedish Calc (and Excel) reads it: semicolon, UTF-8, Swedish numbers
    convert([folder / n for n in csv], "xlsx", folder / "fran-csv", profile, infilter="CSV:59,34,76,1,,1053")
    return Downloads(folder, xlsx, csv)


def _sheets_shown(d: Downloads, name: str) -> dict[str, list[list[str]]]:
    import csv as csvlib

    stem = Path(name).stem
    out = {}
    for p in sorted((d.folder / "visat").glob(f"{stem}-*.csv")) or [d.folder / "visat" / f"{stem}.csv"]:
        with p.open(encoding="utf-8", newline="") as fh:
            out[p.stem[len(stem) + 1:]] = list(csvlib.reader(fh, delimiter=";"))
    return out


def _header_at(rows: list[list[str]]) -> int:
    """The table's header: the row after the title block's blank line."""
    return next(i for i, r in enumerate(rows) if i > 0 and not any(r)) + 1


def test_every_numeric_cell_shows_the_tables_format(files: Downloads) -> None:
    checked = {"%": 0, "whole": 0, "kvot": 0}
    for name in files.xlsx:
        sheets = _sheets_shown(files, name)
        assert sheets, name
        for sheet, rows in sheets.items():
            header_at = _header_at(rows)
            header = rows[header_at]
            for r in rows[header_at + 1:]:
                if not any(r):
                    break  # the notes follow
                for col, cell in zip(header, r, strict=False):
                    u = export.unit(col)
                    if not cell or cell in ("..", "saknas"):
                        continue
                    if u is None:
                        assert not cell.endswith("%") or col.endswith(")"), (name, sheet, col, cell)
                        continue
                    pattern = SHOWN.get(u, WHOLE)
                    assert pattern.match(cell), (name, sheet, col, cell)
                    assert u == "%" or "%" not in cell, (name, sheet, col, cell)  # per cent only for shares
                    checked["%" if u == "%" else "kvot" if u == "kvot" else "whole" if pattern is WHOLE else "%"] += 1
    assert all(checked.values()), checked


def test_xlsx_cells_are_numbers_with_formats_and_no_formula(files: Downloads) -> None:
    for name in files.xlsx:
        wb = load_workbook(files.folder / name)
        assert wb.properties.title, name
        for ws in wb.worksheets:
            assert len(ws.title) <= 31
            header_row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value and not ws.cell(r - 1, 1).value)
            header = [c.value for c in ws[header_row]]
            assert ws.print_title_rows and str(header_row) in ws.print_title_rows
            assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToWidth == 1
            for row in ws.iter_rows(min_row=1):
                for cell in row:
                    assert cell.data_type != "f", (name, ws.title, cell.coordinate)
            for row in ws.iter_rows(min_row=header_row + 1, max_row=ws.max_row):
                if all(c.value is None for c in row):
                    break  # the notes follow
                for col, cell in zip(header, row, strict=False):
                    u = export.unit(col)
                    if u is None or cell.value is None or cell.value in ("..", "saknas"):
                        continue
                    assert isinstance(cell.value, (int, float)), (name, ws.title, col, cell.value)
                    assert ("%" in cell.number_format) == (u == "%"), (name, ws.title, col, cell.number_format)


def test_every_file_says_what_it_is(files: Downloads) -> None:
    for name, about in files.xlsx.items():
        for sheet, rows in _sheets_shown(files, name).items():
            text = "\n".join(";".join(r) for r in rows)
            assert LEGEND in text and "Källa: " in text and "Urval: " in text, (name, sheet)
            assert "Talen är justerade" in text or "utbetalningar" in name, (name, sheet)  # payments have no noise
            if about.year:
                assert f"År: {about.year}" in text, (name, sheet)
            if about.selection == FILTER_WORDS:
                assert f"Urval: {FILTER_WORDS}" in text, (name, sheet)
            if about.title:
                assert about.title.split(" – ")[0] in rows[0][0], (name, sheet)
    for name, about in files.csv.items():
        wb = load_workbook(files.folder / "fran-csv" / f"{Path(name).stem}.xlsx")
        ws = wb.worksheets[0]
        header = [c.value for c in ws[1]]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        blank = next(i for i, r in enumerate(rows) if not any(v not in (None, "") for v in r))
        notes = "\n".join(str(r[0]) for r in rows[blank + 1:] if r[0])
        assert f"Tabell: {about.title}" in notes and f"År: {about.year}" in notes and f"Urval: {about.selection}" in notes
        assert LEGEND in notes and "Källa: " in notes, name
        assert "Talen är justerade" in notes or "utbetalningar" in name, name
        numbers = 0
        for r in rows[:blank]:
            for col, v in zip(header, r, strict=False):
                u = export.unit(col)
                if u is None or v in (None, "", "..", "saknas"):
                    continue
                assert isinstance(v, (int, float)), (name, col, v)  # Calc (Swedish) reads it as a number
                numbers += 1
                if u == "%":
                    assert 0 <= v <= 100 and round(v, 1) == v, (name, col, v)
        assert numbers, name
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row), name


def test_every_sheet_prints_one_page_wide_on_a4(files: Downloads) -> None:
    for name in files.xlsx:
        pdf = PdfReader(files.folder / "pdf" / f"{Path(name).stem}.pdf")
        sheets = _sheets_shown(files, name)
        firsts = set()
        for rows in sheets.values():
            header_at = _header_at(rows)
            firsts.add(rows[header_at][0])
        for page in pdf.pages:
            w, h = sorted((float(page.mediabox.width), float(page.mediabox.height)))
            assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, name  # A4
            text = page.extract_text()
            # a page that held only the right-hand columns would lack the first column's header
            assert any(f.split()[0] in text for f in firsts), (name, text[:200])
            if LEGEND in text:  # the notes are kept together, on one page
                assert "Talformat" in text, name
        short = [rows for rows in sheets.values() if len(rows) < 40]
        if len(short) == len(sheets):  # a short table is one page: one page wide and one tall
            assert len(pdf.pages) == len(sheets), (name, len(pdf.pages), len(sheets))
