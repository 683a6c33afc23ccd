"""Files made from published tables: CSV (standard and Swedish Excel) and JSON rows.

Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) is prefixed with an apostrophe in every export (OWASP's advice on
CSV injection).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ..base.columnar import length, value
from ..disclosure.control import Published

if TYPE_CHECKING:
    import pandas as pd

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
CLI_COLUMNS: Final = ("indicator", "year", "gender", "count", "denominator", "share", "suppressed", "perturbed")


def neutralise(text: str) -> str:
    """``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``; other text unchanged."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out


def records(pub: Published) -> list[dict[str, Any]]:
    """Rows as in the command line's JSON (data contract, section 5), read from the table's
    columns (no pandas)."""
    cols = pub.columns
    out: list[dict[str, Any]] = []
    for i in range(length(cols)):
        count, den, share = value(cols["count"], i), value(cols["denominator"], i), value(cols["share"], i)
        rec: dict[str, Any] = {
            "indicator": str(cols["indicator"][i]),
            "year": int(cols["year"][i]),
            "gender": str(cols["gender"][i]),
            "count": None if count is None else int(count),
            "denominator": None if den is None else int(den),
            "share": None if share is None else float(share),
            "suppressed": bool(cols["suppressed"][i]),
            "perturbed": pub.perturbed,
        }
        if pub.by:
            rec["group"] = str(cols["group"][i])
        out.append(rec)
    return out


def cli_csv(rows: list[dict[str, Any]], by: str | None) -> str:
    """The command line's CSV: comma, decimal point, UTF-8, CRLF (RFC 4180), the JSON's fields as
    columns; missing values empty, text that a spreadsheet would run neutralised."""
    grouped = by is not None or any("group" in r for r in rows)
    cols = ["indicator", "year", *(["group"] if grouped else []), *CLI_COLUMNS[2:]]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(cols)
    for r in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in (r.get(c) for c in cols)])
    return buf.getvalue()


def csv_excel(df: pd.DataFrame) -> bytes:
    """CSV för Excel: semicolon, decimal comma, UTF-8 with BOM, CRLF – opens right in Swedish Excel."""
    buf = io.StringIO()
    _neutralise_frame(df).to_csv(buf, sep=";", decimal=",", index=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


def csv_plain(df: pd.DataFrame) -> bytes:
    """CSV: comma, decimal point, UTF-8 without BOM, CRLF (RFC 4180, so that a carriage
    return inside a cell is quoted and cannot split a row)."""
    buf = io.StringIO()
    _neutralise_frame(df).to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8")


def xlsx(sheets: dict[str, pd.DataFrame], note: str) -> bytes:
    """One formatted sheet per table (bold header, widths, frozen header row, note below)."""
    import pandas as pd
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, df in sheets.items():
            sheet = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Tabell"
            while sheet in used:
                sheet = sheet[:28] + f"_{len(used)}"
            used.add(sheet)
            _neutralise_frame(df).to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A2"
            for i, col in enumerate(df.columns, 1):
                width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)]) + 2
                ws.column_dimensions[get_column_letter(i)].width = min(width, 60)
                if "andel" in str(col).lower() or str(col).startswith("95 %"):
                    for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                        row[0].number_format = "0.0%"
            ws.cell(row=len(df) + 3, column=1, value=note)
    return buf.getvalue()


EXTRACT_LABEL: Final = "Uttags-id"


def extract_line(extract_id: str) -> str:
    """The line every internal file carries: the id that the event log names it by."""
    return f"{EXTRACT_LABEL}: {extract_id}"


def stamped(df: pd.DataFrame, extract_id: str) -> pd.DataFrame:
    """``df`` with one last row that carries the extract id (in its first column, the rest empty)."""
    import pandas as pd

    row = pd.DataFrame([[extract_line(extract_id)] + [""] * (len(df.columns) - 1)], columns=df.columns)
    return pd.concat([df.astype(object), row], ignore_index=True)


def internal_files(df: pd.DataFrame, sheet: str, note: str, extract_id: str, about: About | None = None,
                   wide_table: pd.DataFrame | None = None) -> tuple[bytes, bytes, bytes]:
    """An internal table's three files (CSV för Excel, CSV, xlsx), each with its extract id."""
    about = about or About(sheet, "", note=note)
    about = About(about.title, about.year, about.selection, about.source, f"{about.note} · {extract_line(extract_id)}",
                  about.method)
    excel, _, book = table_files(df, sheet, about, wide_table)
    return excel, machine_csv(stamped(df, extract_id)), book


def table_files(df: pd.DataFrame, sheet: str, about: About, wide_table: pd.DataFrame | None = None
                ) -> tuple[bytes, bytes, bytes]:
    """A table's three files: "CSV för Excel" and xlsx wide (as on screen) and saying what they are,
    the machine CSV long. ``wide_table``: the wide form when it is not ``df`` turned by gender."""
    shown = df if wide_table is None else wide_table
    return excel_table(shown, about), machine_csv(df), workbook({sheet: shown}, about)


# --- files that open right in Excel and say what they are (issue 27) -------------------------
#
# Every column of a file table carries its unit last in its header, in parentheses; the unit
# decides how the value is written (data contract, section 5):
#
# * ``(%)``: a share, held as a fraction. xlsx: the fraction (3 decimals) with the number format
#   ``0,0 %``; CSV för Excel: the percentage with one decimal; the machine CSV: the fraction
#   (header ``(bråktal)``).
# * ``(procentenheter)``: one decimal; ``(kvot)``: two; ``(dagar per deltagare)``: one;
#   counts, days and kronor (``antal``, ``hushåll``, ``dagar``, ``kr``, ``kr per deltagare``): whole numbers.
# * ``År`` is a whole number; a column without a unit is text.

UNIT: Final = re.compile(r"\(([^()]*)\)\s*$")
SHARE_UNIT: Final = "%"
FRACTION_UNIT: Final = "bråktal"
DECIMALS: Final = {"%": 1, "procentenheter": 1, "kvot": 2, "dagar per deltagare": 1, "antal": 0, "hushåll": 0,
                   "dagar": 0, "kr": 0, "kr per deltagare": 0, "personer": 0}
MACHINE_DECIMALS: Final = 6
YEAR_COLUMN: Final = "År"
MARK_COLUMN: Final = "Röjandekontroll"
GENDER_COLUMN: Final = "Kön"
GENDER_ORDER: Final = ("Kvinnor", "Män", "Annat/okänt", "Totalt")
#: columns that compare women with men: in the file once per row (from the women's row), never for Totalt
COMPARISON_PREFIXES: Final = ("Skillnad kvinnor", "Kvot kvinnor", "Statistiskt säkerställd", "Jämn könsfördelning")
SUPPRESSED_TEXT: Final = ".."
MISSING_PRICE: Final = "pris saknas"
XLSX_FORMATS: Final = {0: "#,##0", 1: "#,##0.0", 2: "0.00"}
SHARE_FORMAT: Final = "0.0 %"  # Swedish Excel shows it as 0,0 %
NUMBER_LINE: Final = ("Talformat: antal i hela tal, andelar i procent med en decimal, skillnad i procentenheter med en "
                      "decimal, kvoter med två decimaler, konfidensintervall i samma enhet som sitt värde.")
SHEET_MAX: Final = 31  # Excel's limit
PORTRAIT_WIDTH: Final = 95  # column-width units that fit an A4 portrait page at 100 %


@dataclass(frozen=True)
class About:
    """What a file says it is: title, year, selection in words, source with its date, and the
    disclosure note (the legend for ``..`` and for the perturbed values) and method line."""

    title: str
    year: str
    selection: str = "Alla deltagare"
    source: str = ""
    note: str = ""
    method: str = ""

    def head(self) -> list[str]:
        return [self.title, f"År: {self.year}", f"Urval: {self.selection}",
                *([f"Källa: {self.source}"] if self.source else [])]

    def notes(self) -> list[str]:
        parts = [p.strip() for p in re.split(r"(?<=[a-zåäö0-9)])\. (?=[A-ZÅÄÖ.])", self.note) if p.strip()]
        legend = [p for p in parts if p.startswith(SUPPRESSED_TEXT)]
        return [*legend, *[p for p in parts if p not in legend], *([self.method] if self.method else []), NUMBER_LINE]

    def with_title(self, title: str) -> About:
        return About(title, self.year, self.selection, self.source, self.note, self.method)


def method_line(k: int) -> str:
    """The threshold and method line of a file."""
    if k <= 1:
        return "Metod: internt läge, exakta tal utan röjandekontroll. Får inte publiceras."
    return (f"Metod: röjandekontroll med cellnyckelmetoden, gräns k = {k} (ett brusat antal under {k} visas som ..). "
            "95 % konfidensintervall: Wilson för andelar, deltametoden för resurskvoter. Skillnaden är statistiskt "
            "säkerställd när p < 0,05.")


def source_line(label: str, last_date: str | None) -> str:
    """The data source and its date: "Demodata (…), uppgifter till och med 2024-12-31"."""
    return label + (f", uppgifter till och med {last_date}" if last_date else "")


def unit(column: object) -> str | None:
    """The unit in a header: ``"Andel av kvinnorna (%)"`` → ``"%"``; None for a text column."""
    if str(column) == YEAR_COLUMN:
        return "år"
    m = UNIT.search(str(column))
    return m.group(1) if m and m.group(1) in DECIMALS else None


def _decimals(u: str | None) -> int:
    return 0 if u == "år" else DECIMALS.get(u or "", 0)


def is_comparison(column: object) -> bool:
    return str(column).startswith(COMPARISON_PREFIXES)


def _clean(v: Any, decimals: int, scale: float = 1.0) -> Any:
    """A value as the table shows it: a whole number as int, else rounded; text (``..``) as it is."""
    import math

    if v is None or isinstance(v, str):
        return v
    try:
        x = float(v)
    except (TypeError, ValueError):
        return v
    if math.isnan(x):
        return None
    x *= scale
    return int(round(x)) if decimals == 0 else round(x, decimals) + 0.0  # + 0.0: no "-0,0"


def _typed(df: pd.DataFrame, shares: str) -> pd.DataFrame:
    """Every column with a unit rounded as shown; ``shares``: "percent" (CSV för Excel: 54,7),
    "fraction" (xlsx: 0,547 with a per-cent format) or "machine" (bråktal, 6 decimals)."""
    out = df.copy().astype(object)
    rename: dict[str, str] = {}
    for col in df.columns:
        u = unit(col)
        if u is None:
            continue
        if shares == "machine":
            if u == SHARE_UNIT:
                rename[str(col)] = UNIT.sub(f"({FRACTION_UNIT})", str(col))
            d = 0 if _decimals(u) == 0 and u != SHARE_UNIT else MACHINE_DECIMALS
            out[col] = [_clean(v, d) for v in df[col]]
        elif u == SHARE_UNIT:
            out[col] = [_clean(v, 1, 100.0) if shares == "percent" else _clean(v, 3) for v in df[col]]
        else:
            out[col] = [_clean(v, _decimals(u)) for v in df[col]]
    return out.rename(columns=rename)


def wide(long: pd.DataFrame) -> pd.DataFrame:
    """The table as the screen shows it: one row per indicator, group (and year or month), women,
    men and total side by side; comparisons once, from the women's row. A value hidden by the
    disclosure control is ``..`` (``saknas`` where a price is missing); not applicable is empty."""
    import pandas as pd

    if GENDER_COLUMN not in long.columns:
        return _marked(long)
    values = [c for c in long.columns if unit(c) is not None and c != YEAR_COLUMN and not is_comparison(c)]
    comparisons = [c for c in long.columns if is_comparison(c)]
    keys = [c for c in long.columns if c not in values and c not in comparisons and c not in (GENDER_COLUMN, MARK_COLUMN)]
    marked = _marked(long)
    present = [g for g in GENDER_ORDER if g in set(long[GENDER_COLUMN])]
    # a column of Totalt that no row fills, not even with .., is not applicable (a count's share, the
    # resurskvot): left out
    has = {(g, c): bool(marked.loc[marked[GENDER_COLUMN] == g, c].notna().any()) for g in present for c in values}
    applicable = {(g, c) for (g, c), filled in has.items()
                  if filled or (g != "Totalt" and any(has[(h, c)] for h in present))}
    rows: list[dict[str, Any]] = []
    for _, sub in marked.groupby(keys, sort=False, dropna=False) if keys else [((), marked)]:
        first = sub.iloc[0]
        row: dict[str, Any] = {k: first[k] for k in keys}
        by_gender = {str(r[GENDER_COLUMN]): r for _, r in sub.iterrows()}
        for g in present:
            r = by_gender.get(g)
            for c in values:
                if (g, c) in applicable:
                    row[f"{g}, {str(c)[0].lower()}{str(c)[1:]}"] = None if r is None else r[c]
        women = by_gender.get("Kvinnor")
        hidden = MARK_COLUMN in long.columns and long.loc[sub.index, MARK_COLUMN].astype(str).str.startswith(SUPPRESSED_TEXT).any()
        for c in comparisons:
            v = None if women is None else women[c]
            row[str(c)] = SUPPRESSED_TEXT if _missing(v) and hidden else v
        rows.append(row)
    out = pd.DataFrame(rows)
    # a comparison no row has (a count has no gap): left out
    return out.drop(columns=[c for c in comparisons if out[c].isna().all()])


def _marked(df: pd.DataFrame) -> pd.DataFrame:
    """``..`` (or ``saknas``) in the empty numeric cells of a row that the disclosure control hid,
    and no mark column: the file's notes say what ``..`` means."""
    if MARK_COLUMN not in df.columns:
        return df
    out = df.astype(object).copy()
    marks = df[MARK_COLUMN].astype(str).tolist()
    for col in df.columns:
        if unit(col) is None or col == YEAR_COLUMN:
            continue
        out[col] = [(SUPPRESSED_TEXT if m.startswith(SUPPRESSED_TEXT) else "saknas" if m.startswith(MISSING_PRICE) else None)
                    if _missing(v) else v for v, m in zip(df[col], marks, strict=True)]
    return out.drop(columns=[MARK_COLUMN])


def _missing(v: Any) -> bool:
    import pandas as pd

    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def excel_table(df: pd.DataFrame, about: About) -> bytes:
    """"CSV för Excel" of a table that says what it is: the wide table (as on screen), shares as
    per cent with one decimal, then the title, year, selection, source and notes as lines below."""
    table = _neutralise_frame(_typed(wide(df), "percent"))
    units = [unit(c) for c in table.columns]
    lines = ["Tabell: " + about.head()[0], *about.head()[1:], *about.notes()]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(c) for c in table.columns])
    for values in table.itertuples(index=False):
        writer.writerow([_excel_cell(v, u) for v, u in zip(values, units, strict=True)])
    writer.writerow([])
    for line in lines:
        writer.writerow([neutralise(line)])
    return buf.getvalue().encode("utf-8-sig")


def _excel_cell(v: Any, u: str | None) -> str:
    """A cell of "CSV för Excel": a number with decimal comma and the table's decimals (no
    thousands separator, so that Excel reads it as a number), text as it is, empty where missing."""
    if _missing(v):
        return ""
    if isinstance(v, bool) or isinstance(v, str):
        return str(v)
    if isinstance(v, int):
        return str(v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    d = 1 if u == SHARE_UNIT else _decimals(u)
    return f"{x:.{d}f}".replace(".", ",")


def machine_csv(df: pd.DataFrame) -> bytes:
    """The machine CSV: long (one row per gender), shares as fractions (header ``(bråktal)``), every
    decimal rounded to 6 places, counts whole."""
    return csv_plain(_typed(df, "machine"))


def sheet_name(name: str, used: set[str]) -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\``, at most 31 characters cut at a word boundary,
    unique in the workbook (`` (2)`` …)."""
    clean = " ".join("".join(" " if ch in "[]:*?/\\'" else ch for ch in name).split()) or "Tabell"

    def cut(text: str, limit: int) -> str:
        if len(text) <= limit:
            return text
        head = text[:limit + 1]
        at = max(head.rfind(" "), head.rfind("-"), head.rfind("_"))
        return (head[:at] if at > limit // 2 else text[:limit]).rstrip(" -_,")

    sheet, n = cut(clean, SHEET_MAX), 1
    while sheet.lower() in {u.lower() for u in used}:
        n += 1
        sheet = f"{cut(clean, SHEET_MAX - len(f' ({n})'))} ({n})"
    used.add(sheet)
    return sheet


def _width(col: object, values: list[Any], u: str | None) -> float:
    def shown(v: Any) -> int:
        if isinstance(v, float):
            return len(f"{v:,.{_decimals(u) + (2 if u == SHARE_UNIT else 0)}f}") + (2 if u == SHARE_UNIT else 0)
        return len(str(v)) if v is not None else 0

    longest_word = max((len(w) for w in str(col).split()), default=4)
    body = max([shown(v) for v in values[:500]] + [0])
    return float(min(max(body + 2, longest_word + 2, 8 if u else 10), 45 if u is None else 18))


def workbook(sheets: dict[str, pd.DataFrame], about: About | dict[str, About]) -> bytes:
    """xlsx that opens right in Excel and prints on A4: per sheet a title block (title, year,
    selection, source), the wide table with a number format on every numeric column (per cent only
    for shares), and the notes below in one cell; A4, landscape when wider than portrait, one page
    wide, header row repeated on every page; document title and subject."""
    import math

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    used: set[str] = set()
    first: About | None = None
    for name, df in sheets.items():
        ab = about[name] if isinstance(about, dict) else about
        first = first or ab
        table = _neutralise_frame(_typed(wide(df), "fraction"))
        ws = wb.create_sheet(sheet_name(name, used))
        head = ab.head()
        for r, line in enumerate(head, 1):
            cell = ws.cell(row=r, column=1, value=neutralise(line))
            cell.font = Font(bold=True, size=14) if r == 1 else Font(bold=False)
        header_row = len(head) + 2
        units = [unit(c) for c in table.columns]
        widths = [_width(c, table[c].tolist(), u) for c, u in zip(table.columns, units, strict=True)]
        for j, col in enumerate(table.columns, 1):
            cell = ws.cell(row=header_row, column=j, value=str(col))
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
            ws.column_dimensions[get_column_letter(j)].width = widths[j - 1]
        header_lines = max(math.ceil(len(str(c)) / max(w - 1, 1)) for c, w in zip(table.columns, widths, strict=True)) if widths else 1
        ws.row_dimensions[header_row].height = 15 * max(header_lines, 1)
        for i, values in enumerate(table.itertuples(index=False), header_row + 1):
            for j, v in enumerate(values, 1):
                cell = ws.cell(row=i, column=j, value=None if _missing(v) else v)
                u = units[j - 1]
                if u is not None and not isinstance(v, str):
                    cell.number_format = ("0" if u == "år" else SHARE_FORMAT if u == SHARE_UNIT
                                          else XLSX_FORMATS[_decimals(u)])
                if isinstance(v, str) and v in (SUPPRESSED_TEXT, "saknas"):
                    cell.alignment = Alignment(horizontal="right")
        last = header_row + len(table)
        ncols = max(len(table.columns), 1)
        notes = ab.notes()
        note_row = last + 2
        total = sum(widths) or 60.0
        cell = ws.cell(row=note_row, column=1, value="\n".join(neutralise(n) for n in notes))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if ncols > 1:
            ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=ncols)
        lines = sum(math.ceil(len(n) * 1.1 / total) for n in notes)
        ws.row_dimensions[note_row].height = min(15 * lines + 4, 409)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.print_area = f"A1:{get_column_letter(ncols)}{note_row}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if total > PORTRAIT_WIDTH else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.gridLines = False
    if first is not None:
        wb.properties.title = first.title
        wb.properties.subject = f"{first.selection} · {first.year}"
        wb.properties.description = first.note
    wb.properties.creator = "Jämställdhetsuppföljning"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def fold(text: str) -> str:
    """å, ä, ö → a, a, o (and é → e …) for file names: folded, never dropped."""
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
