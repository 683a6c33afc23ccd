"""Files made from published tables: CSV (standard and Swedish Excel) and JSON rows.

Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) is prefixed with an apostrophe in every export (OWASP's advice on
CSV injection).
"""

from __future__ import annotations

import io
from typing import Any, Final

import pandas as pd

from .disclosure import Published

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
CLI_COLUMNS: Final = ("indicator", "year", "gender", "count", "denominator", "share", "suppressed")


def neutralise(text: str) -> str:
    """``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``; other text unchanged."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out


def records(pub: Published) -> list[dict[str, Any]]:
    """Rows as in the command line's JSON (data contract, section 5)."""
    cols = list(CLI_COLUMNS) + (["group"] if pub.by else [])
    out: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = pub.frame[cols].to_dict("records")  # type: ignore[assignment]
    for d in rows:
        rec: dict[str, Any] = {
            "indicator": d["indicator"],
            "year": int(d["year"]),
            "gender": d["gender"],
            "count": None if pd.isna(d["count"]) else int(d["count"]),
            "denominator": None if pd.isna(d["denominator"]) else int(d["denominator"]),
            "share": None if pd.isna(d["share"]) else float(d["share"]),
            "suppressed": bool(d["suppressed"]),
        }
        if pub.by:
            rec["group"] = str(d["group"])
        out.append(rec)
    return out


def cli_csv(pub: Published) -> str:
    """The command line's CSV: comma, decimal point, UTF-8, the JSON's fields as columns."""
    df = pd.DataFrame(records(pub))
    for col in ("count", "denominator"):
        df[col] = df[col].astype("Int64")
    if pub.by:
        df = df[["indicator", "year", "group", *CLI_COLUMNS[2:]]]
    buf = io.StringIO()
    _neutralise_frame(df).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()
