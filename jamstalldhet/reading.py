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
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.parquet as pq

from . import schema as S
from .canonical import canonical
from .settings import max_file_bytes, max_xlsx_unpacked_bytes
from .validation import MAX_LISTED, Problem, rows_problems

SYNONYMS_FILE: Final = Path(__file__).resolve().parent.parent / "data" / "synonymer.toml"
MAX_CELL_CHARS: Final = 10_000


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


def sniff_separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


class FileRefused(ValueError):
    """The file is refused before (or instead of) being read; the message is for the user."""


def _check_xlsx(path: Path) -> None:
    """Refuse an xlsx whose decompressed size is absurd (a zip bomb) before it fills memory."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise FileRefused("Filen är inte en Excel-fil (.xlsx) fast namnet säger det.") from exc
    limit = max_xlsx_unpacked_bytes()
    if total > limit:
        raise FileRefused(f"Excel-filen packas upp till {total / 1e6:.0f} MB, mer än gränsen {limit / 1e6:.0f} MB. "
                          "Dela upp den eller spara den som CSV.")


def read_raw(path: Path) -> tuple[list[str], pd.DataFrame]:
    """The file's headers as written and its cells as read (columns numbered by position, so that
    a header written twice stays visible instead of being renamed by the reader)."""
    size = path.stat().st_size
    if size > max_file_bytes():
        raise FileRefused(f"Filen är {size / 1e6:.0f} MB, mer än gränsen {max_file_bytes() / 1e6:.0f} MB.")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table = pq.read_table(path)
        frame = table.to_pandas(date_as_object=False)  # date32 as datetime64: dates stay typed, no per-cell objects
        frame.columns = pd.RangeIndex(len(table.column_names))
        return [str(c) for c in table.column_names], frame
    if suffix in (".xlsx", ".xlsm"):
        _check_xlsx(path)
        return _split_header(pd.DataFrame(pd.read_excel(path, dtype=object, engine="calamine", header=None)))
    if suffix not in (".csv", ".txt", ".tsv"):
        raise FileRefused(f"Filtypen {suffix or '(ingen)'} kan inte läsas. Använd CSV, Excel (.xlsx) eller Parquet.")
    data = path.read_bytes()
    if not data.strip():
        raise FileRefused("Filen är tom.")
    if b"\x00" in data[:65536]:
        raise FileRefused("Filen är inte en textfil (CSV) fast namnet säger det.")
    return _read_csv(data)


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    for enc in ("utf-8", "cp1252"):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        return enc
    return "latin-1"


class BadRows(ValueError):
    def __init__(self, rows: list[tuple[int | None, int, int]]):
        super().__init__("rader med fel antal fält")
        self.rows = rows  # (row as the user counts, fields found, fields expected)


def _read_csv(data: bytes) -> tuple[list[str], pd.DataFrame]:
    """pyarrow's multi-threaded CSV reader, every cell as text; rows with the wrong number of
    fields are collected (not guessed at) and reported."""
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    enc = _encoding(data)
    first = data.split(b"\n", 1)[0].decode(enc, errors="replace")
    sep = sniff_separator(first)
    n = len(next(csv.reader([first.rstrip("\r")], delimiter=sep), [])) or 1
    bad: list[tuple[int | None, int, int]] = []

    def invalid(row: pacsv.InvalidRow) -> str:
        bad.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    table = pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(column_names=[f"f{i}" for i in range(n)], encoding="utf8" if enc == "utf-8" else enc),
        parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, invalid_row_handler=invalid),
        convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(n)},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    if bad:  # pyarrow does not number rows when values may hold newlines: count records here
        text = io.StringIO(data.decode(enc, errors="replace"), newline="")
        raise BadRows([(i, len(rec), n) for i, rec in enumerate(csv.reader(text, delimiter=sep), 1) if rec and len(rec) != n])
    headers = [str(h).strip() for h in table.slice(0, 1).to_pylist()[0].values()] if table.num_rows else []
    body = table.slice(1).to_pandas()
    body.columns = pd.RangeIndex(len(body.columns))
    return headers, body


def _split_header(raw: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    headers = ["" if pd.isna(h) else str(h).strip() for h in raw.iloc[0]] if len(raw) else []
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = pd.RangeIndex(len(headers))
    return headers, body


def duplicate_headers(headers: list[str], file: str) -> list[Problem]:
    """A header written twice (case, spaces and diacritics ignored) is a problem."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for h in headers:
        key = normalise(h)
        if h and key in seen:
            problems.append(Problem(file, 1, h, f"Kolumnrubriken finns två gånger (också som {seen[key]}). Ta bort eller byt namn på den ena."))
        seen.setdefault(key, h)
    return problems


def check_cell_sizes(body: pd.DataFrame, headers: list[str], file: str) -> list[Problem]:
    """Cells longer than :data:`MAX_CELL_CHARS` are refused (they are not participant data)."""
    problems: list[Problem] = []
    for i, h in enumerate(headers):
        col = body[i]
        if col.dtype != object and not pd.api.types.is_string_dtype(col):
            continue
        if _is_text(col):
            too_long = (col.str.len().fillna(0) > MAX_CELL_CHARS).to_numpy()
        else:
            too_long = _distinct(col, lambda u: len(u) if isinstance(u, str) else 0, 0, np.int64) > MAX_CELL_CHARS
        if too_long.any():
            problems.extend(rows_problems(file, (np.flatnonzero(too_long) + 2).tolist(), h or None,
                                          f"Cellen är för lång (mer än {MAX_CELL_CHARS:,} tecken).".replace(",", " ")))
    return problems


def map_headers(headers: list[str], file: str, overrides: dict[str, str | None] | None = None) -> tuple[dict[int, str], list[Problem]]:
    """``{column position: canonical column}`` and problems (two columns meaning the same, missing columns).

    ``overrides`` maps a file header to the canonical column the user chose (None = not used)."""
    lookup = synonyms()["kolumner"]
    overrides = overrides or {}
    mapping: dict[int, str] = {}
    problems: list[Problem] = []
    for i, col in enumerate(headers):
        canon = overrides[col] if col in overrides else lookup.get(normalise(col))
        if canon is None or canon not in S.INPUT_COLUMNS:
            continue
        if canon in mapping.values():
            first = headers[next(k for k, c in mapping.items() if c == canon)]
            problems.append(Problem(file, 1, str(col), f"Kolumnen betyder samma sak som kolumnen {first}. Ta bort den ena."))
            continue
        mapping[i] = canon
    have = set(mapping.values())
    if S.PERSON_ID not in have and S.PERSONNUMMER not in have:
        problems.append(Problem(file, 1, None, "Kolumn för person saknas: filen behöver person_id eller personnummer."))
    for req in (S.INSATS, S.STARTDATUM):
        if req not in have:
            problems.append(Problem(file, 1, None, f"Obligatorisk kolumn saknas: {req}."))
    if S.KON not in have and S.PERSONNUMMER not in have:
        problems.append(Problem(file, 1, None, "Kolumn för kön saknas (kön eller personnummer behövs)."))
    return mapping, problems


def _is_text(col: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(col) and col.dtype != object


def _text(col: pd.Series) -> pd.Series:
    """Cells as stripped text, empty for missing. Text columns are stripped in Arrow (vectorised);
    categorical ones (Parquet dictionaries) through their categories; other cells (Excel
    numbers, typed Parquet) are turned into text once per distinct value."""
    if _is_text(col):
        return col.str.strip().fillna("")
    if isinstance(col.dtype, pd.CategoricalDtype):
        return _stripped_categorical(col).astype("str")
    return pd.Series(_distinct(col, lambda u: str(u).strip(), "", object), index=col.index, dtype="str")


def _stripped_categorical(col: pd.Series) -> pd.Series:
    """A categorical column with its categories stripped (categories that become equal are
    merged) and missing cells as the empty category: codes only, no text per row."""
    stripped = pd.Series([str(c).strip() for c in col.cat.categories] + [""], dtype="str")
    merged, cats = pd.factorize(stripped)
    codes = merged[col.cat.codes.to_numpy()]  # code -1 (missing) takes the last entry, ""
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats), index=col.index)


def _blank(col: pd.Series) -> npt.NDArray[np.bool_]:
    """Cells that are missing or only spaces (``_text(col) == ""``, without building the text)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        blank_cat = np.array([not str(c).strip() for c in col.cat.categories] + [True])
        result: npt.NDArray[np.bool_] = blank_cat[col.cat.codes.to_numpy()]
        return result
    if _is_text(col) or col.dtype == object:
        return (_text(col) == "").to_numpy()
    return col.isna().to_numpy()  # numbers, dates, booleans: a value is never blank


def _distinct(col: pd.Series, fn: Any, missing: object, dtype: Any) -> npt.NDArray[Any]:
    """``fn`` of each distinct cell, computed once per distinct value and spread over the rows
    (``missing`` for missing cells)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return np.array([fn(u) for u in uniques] + [missing], dtype=dtype)[codes]


def _per_value(col: pd.Series, fn: Any) -> pd.Series:
    """``fn`` of each distinct stripped cell (empty and missing cells give None)."""
    return pd.Series(_distinct(col, lambda u: fn(t) if (t := str(u).strip()) else None, None, object), index=col.index, dtype=object)


#: The accepted forms: strptime format, the whole cell's shape, where the day's digits stand.
DATE_FORMATS: Final = (("%Y-%m-%d", r"^\d{4}-\d{2}-\d{2}$", 8), ("%Y/%m/%d", r"^\d{4}/\d{2}/\d{2}$", 8), ("%Y%m%d", r"^\d{8}$", 6))
#: ISO date-times as databases and pyarrow write them (``2015-01-01 00:00:00.000``,
#: ``2018-03-01T00:00:00``, ``… 00:00:00.000000Z``): a valid time of day, optional seconds,
#: fraction and UTC offset; the date part (the first ten characters) is taken as written.
DATETIME_SHAPE: Final = r"^\d{4}-\d{2}-\d{2}[ T]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$"


def _strptime(text: pd.Series) -> pd.Series:
    """Each accepted form where the whole cell has its shape, parsed by Arrow (vectorised).
    Arrow rolls an impossible day over (2018-02-30 → 03-02), so the parsed day must equal the
    written one; anything else is missing."""
    return pd.Series(_strptime_arrow(_arrow_text(text)).to_numpy(zero_copy_only=False), dtype="datetime64[ms]")


def _arrow_text(text: pd.Series) -> Any:
    """A text column as an Arrow string array (no copy when it is Arrow-backed already)."""
    import pyarrow as pa

    return pa.Array.from_pandas(text.astype("string[pyarrow]"))


def _strptime_arrow(arr: Any) -> Any:
    """:func:`_strptime` on an Arrow string array: a ``timestamp[ms]`` array, null where the
    cell has none of the accepted forms or names a day that does not exist."""
    import pyarrow as pa
    import pyarrow.compute as pc

    none = pa.scalar(None, pa.timestamp("ms"))
    out = pa.nulls(len(arr), pa.timestamp("ms"))
    forms = [(fmt, pattern, day_at, None) for fmt, pattern, day_at in DATE_FORMATS] + [("%Y-%m-%d", DATETIME_SHAPE, 8, 10)]
    left = pc.not_equal(arr, "")  # filled cells of no form yet (the shapes exclude each other)
    for fmt, pattern, day_at, date_part in forms:
        if not pc.any(left).as_py():
            break  # every filled cell has its form: the other shapes need not be tried
        shaped = pc.match_substring_regex(arr, pattern)
        if not pc.any(shaped).as_py():
            continue
        left = pc.and_(left, pc.invert(shaped))
        cells = pc.if_else(shaped, arr, pa.scalar(None, arr.type))  # only cells of this shape
        if date_part is not None:
            cells = pc.utf8_slice_codeunits(cells, 0, date_part)
        parsed = pc.strptime(cells, format=fmt, unit="ms", error_is_null=True)
        written_day = pc.cast(pc.utf8_slice_codeunits(cells, day_at, day_at + 2), pa.int64())
        exact = pc.fill_null(pc.equal(pc.day(parsed), written_day), False)
        out = pc.coalesce(out, pc.if_else(exact, parsed, none))
    return out


def parse_dates(col: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Dates in ISO ``2018-03-01``, ``2018/03/01``, ``20180301``, ISO date-times (the date part)
    or native; and a mask of cells that are filled but cannot be read."""
    if pd.api.types.is_datetime64_any_dtype(col):  # typed: the date part, as written in its own time zone
        out = pd.to_datetime(col, errors="coerce")
        if isinstance(out.dtype, pd.DatetimeTZDtype):
            out = out.dt.tz_localize(None)
        return out.dt.normalize(), np.zeros(len(col), dtype=bool)
    if col.dtype == object:
        native = col.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"))
    else:
        native = pd.Series(False, index=col.index)
    text = _text(col.where(~native, "") if native.any() else col)
    out = _strptime(text).set_axis(col.index)
    if native.any():
        out[native] = pd.to_datetime(col[native], errors="coerce")
    bad = ((text != "") & out.isna()).to_numpy()
    return out, bad


def _map_values(col: pd.Series, section: str, categories: tuple[str, ...] | None = None) -> pd.Series:
    """Each distinct cell through the synonym table once. With ``categories`` the result is a
    categorical built from codes (no string comparisons over all rows afterwards)."""
    lookup = synonyms()[section]
    if categories is None:
        return _per_value(col, lambda v: lookup.get(normalise(v)))
    pos = {c: i for i, c in enumerate(categories)}
    codes = _distinct(col, lambda u: pos.get(lookup.get(normalise(str(u).strip()), ""), -1), -1, np.int16)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(list(categories))), index=col.index)


@dataclass(frozen=True)
class Inspection:
    """What a file holds, before anything is stored: headers, how they were understood, problems."""

    file: str
    headers: list[str]
    mapping: dict[int, str]
    frame: pd.DataFrame | None
    problems: list[Problem]

    @property
    def understood(self) -> dict[str, str | None]:
        return {h: self.mapping.get(i) for i, h in enumerate(self.headers)}


def inspect(path: Path, name: str | None = None, overrides: dict[str, str | None] | None = None) -> Inspection:
    """Read and validate one file; the canonical frame only when there is no problem at all."""
    file = name or path.name
    try:
        headers, body = read_raw(path)
    except FileRefused as exc:
        return Inspection(file, [], {}, None, [Problem(file, None, None, str(exc))])
    except BadRows as exc:
        probs = [Problem(file, row, None, f"Raden har {found} fält men rubrikraden har {expected}. Kontrollera avgränsare och citattecken.")
                 for row, found, expected in exc.rows[:MAX_LISTED]]
        if len(exc.rows) > MAX_LISTED:
            probs.append(Problem(file, None, None, f"Ytterligare {len(exc.rows) - MAX_LISTED} rader har fel antal fält."))
        return Inspection(file, [], {}, None, probs)
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes a message
        what = {".xlsx": "Excel-fil (.xlsx)", ".parquet": "Parquet-fil"}.get(path.suffix.lower(), "CSV-fil")
        return Inspection(file, [], {}, None, [Problem(file, None, None, f"Filen kunde inte läsas som {what} ({type(exc).__name__}). "
                                                                           "Kontrollera att den är sparad i det formatet.")])
    problems = duplicate_headers(headers, file)
    if body.empty:
        return Inspection(file, headers, {}, None, problems + [Problem(file, None, None, "Filen innehåller inga rader.")])
    problems += check_cell_sizes(body, headers, file)
    mapping, header_problems = map_headers(headers, file, overrides)
    problems += header_problems
    if problems:
        return Inspection(file, headers, mapping, None, problems)
    df, problems = _convert(body, headers, mapping, file)
    return Inspection(file, headers, mapping, df, problems)


def read_file(path: Path, name: str | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one file into the canonical frame; ``None`` and problems when it has errors."""
    ins = inspect(path, name)
    return ins.frame, ins.problems


def _personnummer(col: pd.Series) -> pd.Series:
    """Per cell: (pseudonym, gender, birth year) for a valid number, None otherwise. The number
    itself goes no further than this function."""
    from . import personnummer as P

    key = P.secret_key()

    def one(text: str) -> tuple[str, str, int] | None:
        parsed = P.parse(text)
        return None if parsed is None else (P.pseudonym(parsed, key), parsed.gender, parsed.birth_year)

    return _per_value(col, one)


def _two_genders(person: pd.Series, gender: pd.Series) -> npt.NDArray[np.bool_]:
    """Rows of persons who have more than one gender (missing genders ignored), with integer
    codes: the lowest and the highest gender code of each person differ."""
    p, _ = _codes(person)
    g, _ = _codes(gender)
    known = (p >= 0) & (g >= 0)
    n = int(p.max()) + 1 if p.size else 0
    low = np.full(n, np.iinfo(np.int64).max)
    high = np.full(n, -1)
    np.minimum.at(low, p[known], g[known])
    np.maximum.at(high, p[known], g[known])
    mixed = (low != high) & (high >= 0)
    result: npt.NDArray[np.bool_] = known & mixed[np.where(p >= 0, p, 0)]
    return result


def _codes(col: pd.Series) -> tuple[npt.NDArray[np.int64], int]:
    """Integer codes of a column's distinct values (missing = −1) and how many there are: a
    categorical's own codes (no hashing), else pandas' factorize (Arrow-backed text is hashed in
    C; measured no slower than Arrow's ``dictionary_encode`` of a chunked column)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy().astype(np.int64), len(col.cat.categories)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return codes.astype(np.int64), len(uniques)


def _numbers(text: pd.Series) -> pd.Series:
    """``pd.to_numeric(text, errors="coerce")`` as floats: through Arrow's integer cast when every
    filled cell is a plain integer (the usual birth-year column), else through pandas."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = _arrow_text(text)
    filled = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    try:
        ints = pc.cast(filled, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(text, errors="coerce").astype("float64")
    return pd.Series(pc.cast(ints, pa.float64()).to_numpy(zero_copy_only=False), index=text.index)


def _duplicate_rows(body: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows equal to an earlier row (missing equals missing). Each column becomes integer codes
    (see :func:`_codes`), the codes are combined into one 64-bit key per row (re-numbered
    whenever the next column could overflow it) and the key is checked once."""
    key = np.zeros(len(body), dtype=np.int64)
    span = 1
    for c in body.columns:
        codes, n = _codes(body[c])
        if span * (n + 1) >= 2**62:
            key, uniques = pd.factorize(key)
            span = len(uniques)
        key = key * (n + 1) + (codes + 1)
        span *= n + 1
    result: npt.NDArray[np.bool_] = pd.Series(key).duplicated(keep="first").to_numpy()
    return result


def _convert(body: pd.DataFrame, headers: list[str], mapping: dict[int, str], file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    src = {canon: body[i] for i, canon in mapping.items()}
    header_of = {canon: headers[i] for i, canon in mapping.items()}
    problems: list[Problem] = []
    rownum = np.arange(len(body)) + 2
    df = pd.DataFrame(index=body.index)

    def report(mask: np.ndarray, canon: str | None, message: str) -> None:
        column = None if canon is None else header_of.get(canon, canon)
        problems.extend(rows_problems(file, rownum[mask].tolist(), column, message))

    pid = _text(src[S.PERSON_ID]) if S.PERSON_ID in src else pd.Series("", index=body.index, dtype="string")
    derived_gender = pd.Series(None, index=body.index, dtype=object)
    derived_year = pd.Series(np.nan, index=body.index)
    if S.PERSONNUMMER in src:
        info = _personnummer(src[S.PERSONNUMMER])
        valid = info.notna()
        report(~_blank(src[S.PERSONNUMMER]) & ~valid.to_numpy(), S.PERSONNUMMER,
               "Personnumret är inte giltigt (fel form, datum eller kontrollsiffra). Rätta det i källsystemet; "
               "numret visas inte här av sekretesskäl.")
        pid = pid.astype(object).where(~valid, info.map(lambda t: t[0] if t else None))
        derived_gender = info.map(lambda t: t[1] if t else None)
        derived_year = info.map(lambda t: float(t[2]) if t else np.nan).astype(float)
    report((pid.fillna("") == "").to_numpy(), S.PERSON_ID if S.PERSON_ID in src else S.PERSONNUMMER,
           "Person saknas: raden har varken person-id eller giltigt personnummer.")
    df[S.PERSON_ID] = pid
    if S.KON in src:
        kon = _map_values(src[S.KON], "kon", S.GENDER_VALUES)
        kon = kon.where(kon.notna() | _blank(src[S.KON]), S.ANNAT)  # other non-empty codes
        if S.PERSONNUMMER in src:
            kon = kon.astype(object).where(kon.notna(), derived_gender)
        report(kon.isna().to_numpy(), S.KON, "Kön saknas och kan inte härledas (inget giltigt personnummer på raden).")
        df[S.KON] = kon
    else:
        df[S.KON] = derived_gender
    if S.FODELSEAR in src:
        raw_year = src[S.FODELSEAR]
        if pd.api.types.is_numeric_dtype(raw_year):  # typed Parquet or Excel numbers: no text round trip
            year = raw_year.astype("float64")
        else:
            year_text = _text(raw_year)
            year = _numbers(year_text)
            report(((year_text != "") & year.isna()).to_numpy(), S.FODELSEAR, "Födelseåret är inte ett heltal.")
        fractional = (year.notna() & ((year % 1 != 0) | (year < 1850) | (year > 2100))).to_numpy()
        report(fractional, S.FODELSEAR, "Födelseåret ska vara ett helt år, t.ex. 1985.")
        year = year.where(~fractional)
        df[S.FODELSEAR] = year.where(year.notna(), derived_year)
    elif S.PERSONNUMMER in src:
        df[S.FODELSEAR] = derived_year
    if S.BAKGRUND in src:
        bg = _map_values(src[S.BAKGRUND], "bakgrund", S.BAKGRUND_VALUES)
        df[S.BAKGRUND] = bg.where(bg.notna() | _blank(src[S.BAKGRUND]), S.UTRIKES).fillna(S.OKAND)
    if S.UTBILDNINGSNIVA in src:
        df[S.UTBILDNINGSNIVA] = _map_values(src[S.UTBILDNINGSNIVA], "utbildningsniva", S.UTBILDNING_VALUES).fillna(S.OKAND)
    ins = _stripped_categorical(src[S.INSATS]) if isinstance(src[S.INSATS].dtype, pd.CategoricalDtype) else _text(src[S.INSATS])
    report(_blank(src[S.INSATS]), S.INSATS, "Insats saknas.")
    df[S.INSATS] = ins
    for col in S.DATE_COLUMNS:
        if col in src:
            dates, bad = parse_dates(src[col])
            report(bad, col, "Datumet kan inte läsas. Skriv det som ÅÅÅÅ-MM-DD, t.ex. 2018-03-01.")
            df[col] = dates
    if S.STARTDATUM in df:
        no_start = df[S.STARTDATUM].isna() & _blank(src[S.STARTDATUM])
        if S.ANVISNINGSDATUM in df:
            no_start &= df[S.ANVISNINGSDATUM].isna()  # referred, not yet started, is allowed
        report(no_start.to_numpy(), S.STARTDATUM, "Startdatum saknas.")
    if S.SLUTDATUM in df and S.STARTDATUM in df:
        report((df[S.SLUTDATUM] < df[S.STARTDATUM]).fillna(False).to_numpy(), S.SLUTDATUM, "Slutdatum ligger före startdatum.")
    if S.AVSLUTSORSAK in src:
        out = _map_values(src[S.AVSLUTSORSAK], "avslutsorsak", S.OUTCOMES)
        df[S.AVSLUTSORSAK] = out.where(out.notna() | _blank(src[S.AVSLUTSORSAK]), S.ANNAT_UTFALL)
    for col in S.BOOL_COLUMNS:
        if col in src and pd.api.types.is_bool_dtype(src[col]):  # typed Parquet: nothing to interpret
            df[col] = src[col].astype("boolean")
        elif col in src:
            txt = _text(src[col])
            val = _map_values(src[col], "janej")
            report(((txt != "") & val.isna()).to_numpy(), col, "Värdet ska vara ja eller nej.")
            df[col] = val.map({"true": True, "false": False})
    report(_two_genders(df[S.PERSON_ID], df[S.KON]), S.KON, "Samma person har olika kön på olika rader.")
    dup = _duplicate_rows(body)
    report(dup, None, "Raden är en dubblett av en tidigare rad. Ta bort den.")
    if problems:
        return None, problems
    for col in S.COLUMNS:
        if col not in df:
            df[col] = None
    return canonical(df), []
