"""Files made from published tables: CSV (standard and Swedish Excel) and JSON rows.

Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) is prefixed with an apostrophe in every export (OWASP's advice on
CSV injection).
"""

from __future__ import annotations

import csv
import io
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


def internal_files(df: pd.DataFrame, sheet: str, note: str, extract_id: str) -> tuple[bytes, bytes, bytes]:
    """An internal table's three files (CSV för Excel, CSV, xlsx), each with its extract id."""
    marked = stamped(df, extract_id)
    return csv_excel(marked), csv_plain(marked), xlsx({sheet: df}, f"{note} · {extract_line(extract_id)}")
