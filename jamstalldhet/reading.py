"""Files -> canonical frame: headers, values and dates as section 1 of the data contract says.

Headers and values are matched through ``data/synonymer.toml`` (case, spaces, ``_``, ``-``
and Swedish diacritics ignored). Every problem is collected as a
:class:`~jamstalldhet.validation.Problem`; nothing raises to the user.
"""

from __future__ import annotations

import io
import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from . import schema as S
from .records import canonical
from .validation import Problem, rows_problems

SYNONYMS_FILE: Final = Path(__file__).resolve().parent.parent / "data" / "synonymer.toml"


def read_parquet_canonical(path: Path) -> pd.DataFrame:
    """A Parquet file written by this package (canonical columns)."""
    return canonical(pq.read_table(path).to_pandas())


def normalise(text: object) -> str:
    """Lower case, no diacritics, no spaces, ``_`` or ``-``: ``"Juridiskt kön"`` → ``"juridisktkon"``."""
    s = unicodedata.normalize("NFKD", str(text).strip().lower())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-]+", "", s)


@cache
def synonyms() -> dict[str, dict[str, str]]:
    """``{section: {normalised synonym: canonical value}}`` from the synonym file."""
    raw: dict[str, Any] = tomllib.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    return {sec: {normalise(w): canon for canon, words in table.items() for w in words} for sec, table in raw.items()}


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sniff_separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def read_raw(path: Path) -> pd.DataFrame:
    """The file's cells as read, headers as written (text cells as ``str``)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame: pd.DataFrame = pq.read_table(path).to_pandas()
        return frame
    if suffix in (".xlsx", ".xlsm"):
        return pd.DataFrame(pd.read_excel(path, dtype=object, engine="calamine"))
    text = decode(path.read_bytes())
    return pd.read_csv(io.StringIO(text), sep=sniff_separator(text), dtype=str, keep_default_na=False, na_filter=False)


def map_headers(columns: list[str], file: str) -> tuple[dict[str, str], list[Problem]]:
    """``{file header: canonical column}`` and problems (duplicate or missing columns)."""
    lookup = synonyms()["kolumner"]
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for col in columns:
        canon = lookup.get(normalise(col))
        if canon is None:
            continue
        if canon in mapping.values():
            first = next(h for h, c in mapping.items() if c == canon)
            problems.append(Problem(file, 1, str(col), f"Kolumnen betyder samma sak som kolumnen {first}. Ta bort den ena."))
            continue
        mapping[str(col)] = canon
    have = set(mapping.values())
    if S.PERSON_ID not in have and S.PERSONNUMMER not in have:
        problems.append(Problem(file, 1, None, "Kolumn för person saknas: filen behöver person_id eller personnummer."))
    for req in (S.INSATS, S.STARTDATUM):
        if req not in have:
            problems.append(Problem(file, 1, None, f"Obligatorisk kolumn saknas: {req}."))
    if S.KON not in have and S.PERSONNUMMER not in have:
        problems.append(Problem(file, 1, None, "Kolumn för kön saknas (kön eller personnummer behövs)."))
    return mapping, problems


def _text(col: pd.Series) -> pd.Series:
    """Cells as stripped text, empty for missing (computed once per distinct value)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    texts = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    return pd.Series(texts[codes], index=col.index, dtype="string")


def _per_value(col: pd.Series, fn: Any) -> pd.Series:
    """``fn`` applied to each distinct cell once (empty and missing cells give None)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    results = np.array([fn(str(u).strip()) if str(u).strip() != "" else None for u in uniques] + [None], dtype=object)
    return pd.Series(results[codes], index=col.index, dtype=object)


def parse_dates(col: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Dates in ISO ``2018-03-01``, ``2018/03/01``, ``20180301`` or native; and a mask of
    cells that are filled but cannot be read."""
    if pd.api.types.is_datetime64_any_dtype(col):
        out = pd.to_datetime(col, errors="coerce")
        return out, np.zeros(len(col), dtype=bool)
    if col.dtype == object:
        native = col.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"))
    else:
        native = pd.Series(False, index=col.index)
    text = _text(col.where(~native, "") if native.any() else col)
    out = pd.Series(pd.NaT, index=col.index, dtype="datetime64[ms]")
    for fmt, pattern in (("%Y-%m-%d", r"^\d{4}-\d{2}-\d{2}$"), ("%Y/%m/%d", r"^\d{4}/\d{2}/\d{2}$"), ("%Y%m%d", r"^\d{8}$")):
        m = text.str.match(pattern)
        if m.any():
            out[m] = pd.to_datetime(text[m], format=fmt, errors="coerce")
    if native.any():
        out[native] = pd.to_datetime(col[native], errors="coerce")
    bad = ((text != "") & out.isna()).to_numpy()
    return out, bad


def _map_values(col: pd.Series, section: str) -> pd.Series:
    lookup = synonyms()[section]
    return _per_value(col, lambda v: lookup.get(normalise(v)))


def read_file(path: Path, name: str | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one file into the canonical frame; ``None`` and problems when it has errors."""
    file = name or path.name
    try:
        raw = read_raw(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes a message
        return None, [Problem(file, None, None, f"Filen kunde inte läsas som {path.suffix or 'fil'}: {type(exc).__name__}.")]
    if raw.empty:
        return None, [Problem(file, None, None, "Filen innehåller inga rader.")]
    mapping, problems = map_headers([str(c) for c in raw.columns], file)
    if problems:
        return None, problems
    src = {canon: raw[h] for h, canon in mapping.items()}
    header_of = {canon: h for h, canon in mapping.items()}
    rownum = np.arange(len(raw)) + 2
    df = pd.DataFrame(index=raw.index)

    def report(mask: np.ndarray, canon: str | None, message: str) -> None:
        column = None if canon is None else header_of.get(canon, canon)
        problems.extend(rows_problems(file, rownum[mask].tolist(), column, message))

    pid = _text(src[S.PERSON_ID]) if S.PERSON_ID in src else pd.Series("", index=raw.index)
    report((pid == "").to_numpy(), S.PERSON_ID, "Person-id saknas.")
    df[S.PERSON_ID] = pid
    if S.KON in src:
        kon_text = _text(src[S.KON])
        kon = _map_values(src[S.KON], "kon")
        kon = kon.where(kon.notna() | (kon_text == ""), S.ANNAT)  # other non-empty codes
        report((kon_text == "").to_numpy(), S.KON, "Kön saknas och kan inte härledas (inget personnummer).")
        df[S.KON] = kon
    if S.FODELSEAR in src:
        year = pd.to_numeric(_text(src[S.FODELSEAR]), errors="coerce")
        report(((_text(src[S.FODELSEAR]) != "") & year.isna()).to_numpy(), S.FODELSEAR, "Födelseåret är inte ett heltal.")
        df[S.FODELSEAR] = year
    if S.BAKGRUND in src:
        bg = _map_values(src[S.BAKGRUND], "bakgrund")
        df[S.BAKGRUND] = bg.where(bg.notna() | (_text(src[S.BAKGRUND]) == ""), S.UTRIKES).fillna(S.OKAND)
    if S.UTBILDNINGSNIVA in src:
        df[S.UTBILDNINGSNIVA] = _map_values(src[S.UTBILDNINGSNIVA], "utbildningsniva").fillna(S.OKAND)
    ins = _text(src[S.INSATS])
    report((ins == "").to_numpy(), S.INSATS, "Insats saknas.")
    df[S.INSATS] = ins
    for col in S.DATE_COLUMNS:
        if col in src:
            dates, bad = parse_dates(src[col])
            report(bad, col, "Datumet kan inte läsas. Skriv det som ÅÅÅÅ-MM-DD, t.ex. 2018-03-01.")
            df[col] = dates
    if S.STARTDATUM in df:
        no_start = df[S.STARTDATUM].isna() & (_text(src[S.STARTDATUM]) == "")
        if S.ANVISNINGSDATUM in df:
            no_start &= df[S.ANVISNINGSDATUM].isna()  # referred, not yet started, is allowed
        report(no_start.to_numpy(), S.STARTDATUM, "Startdatum saknas.")
    if S.SLUTDATUM in df and S.STARTDATUM in df:
        report((df[S.SLUTDATUM] < df[S.STARTDATUM]).fillna(False).to_numpy(), S.SLUTDATUM, "Slutdatum ligger före startdatum.")
    if S.AVSLUTSORSAK in src:
        txt = _text(src[S.AVSLUTSORSAK])
        out = _map_values(src[S.AVSLUTSORSAK], "avslutsorsak")
        df[S.AVSLUTSORSAK] = out.where(out.notna() | (txt == ""), S.ANNAT_UTFALL)
    for col in S.BOOL_COLUMNS:
        if col in src:
            txt = _text(src[col])
            val = _map_values(src[col], "janej")
            report(((txt != "") & val.isna()).to_numpy(), col, "Värdet ska vara ja eller nej.")
            df[col] = val.map({"true": True, "false": False})
    if S.KON in df:
        genders = df[[S.PERSON_ID, S.KON]].dropna()
        n_gender = genders.groupby(S.PERSON_ID)[S.KON].transform("nunique")
        two = genders.index[n_gender > 1]
        report(np.isin(raw.index, two), S.KON, "Samma person har olika kön på olika rader.")
    dup = raw.duplicated(keep="first").to_numpy()
    report(dup, None, "Raden är en dubblett av en tidigare rad.")
    if problems:
        return None, problems
    for col in S.COLUMNS:
        if col not in df:
            df[col] = None
    return canonical(df), []
