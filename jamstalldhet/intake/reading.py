"""Files -> canonical frame: headers, values and dates as section 1 of the data contract says.

Headers and values are matched through ``data/synonymer.toml`` (case, spaces, ``_``, ``-``
and Swedish diacritics ignored; read by :mod:`jamstalldhet.intake.typed`, which reads Parquet files that
are canonical already without this module). The rules a file must satisfy are
:mod:`jamstalldhet.base.validation`'s; this module reads, maps and converts, and calls them in order.
Every problem is collected as a :class:`~jamstalldhet.base.validation.Problem`; a bad file never
raises to the user (a bug does).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.parquet as pq

from ..base import schema as S
from ..base import validation as V
from ..base.errors import UserError
from ..base.settings import max_file_bytes, max_xlsx_unpacked_bytes
from ..base.validation import MAX_LISTED, Problem
from . import unknown_values as U
from .canonical import canonical
from .typed import normalise as normalise  # re-exported: the payment reader matches its words the same way
from .typed import synonyms as synonyms


def read_parquet_canonical(path: Path) -> pd.DataFrame:
    """A Parquet file written by this package (canonical columns)."""
    return canonical(pq.read_table(path).to_pandas())


def sniff_separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


class FileRefused(UserError, ValueError):
    """The file is refused before (or instead of) being read; the message is for the user."""


#: an xlsx may unpack to at most this many times its own size (real exports: 5–20 ×), and never to
#: more than settings.max_xlsx_unpacked_bytes(); a small floor keeps tiny workbooks readable
XLSX_RATIO: Final = 100
XLSX_FLOOR: Final = 10_000_000


def xlsx_unpacked_limit(packed_bytes: int) -> int:
    """The unpacked size an xlsx of ``packed_bytes`` may have."""
    return min(max_xlsx_unpacked_bytes(), max(XLSX_FLOOR, XLSX_RATIO * packed_bytes))


def _check_xlsx(path: Path) -> None:
    """Refuse an xlsx whose decompressed size is absurd (a zip bomb) before it fills memory."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise FileRefused("Filen är inte en Excel-fil (.xlsx) fast namnet säger det.") from exc
    except NotImplementedError as exc:  # zipfile's answer to a packing method or version it lacks
        raise FileRefused(_unreadable(path, exc)) from exc
    limit = xlsx_unpacked_limit(path.stat().st_size)
    if total > limit:
        raise FileRefused(f"Excel-filen packas upp till {total / 1e6:.0f} MB, mer än gränsen {limit / 1e6:.0f} MB. "
                          "Dela upp den eller spara den som CSV.")


def read_raw(path: Path, coded: frozenset[int] = frozenset()) -> tuple[list[str], pd.DataFrame]:
    """The file's headers as written and its cells as read (columns numbered by position, so that
    a header written twice stays visible instead of being renamed by the reader). A CSV's columns
    at the positions ``coded`` are read as categoricals (each distinct cell once, by Arrow's reader
    in its threads): columns of few values, which the rules then read per value."""
    size = path.stat().st_size
    if size > max_file_bytes():
        raise FileRefused(f"Filen är {size / 1e6:.0f} MB, mer än gränsen {max_file_bytes() / 1e6:.0f} MB.")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table = pq.ParquetFile(path).read()  # one file: not read_table, whose dataset layer costs a start-up import
        table.validate(full=True)  # the reader trusts the bytes: invalid UTF-8 or indices would fail later, or worse
        frame = table.to_pandas(date_as_object=False)  # date32 as datetime64: dates stay typed, no per-cell objects
        frame.columns = pd.RangeIndex(len(table.column_names))
        return [str(c) for c in table.column_names], frame
    if suffix in (".xlsx", ".xlsm"):
        _check_xlsx(path)
        return _split_header(pd.DataFrame(pd.read_excel(path, dtype=object, engine="calamine", header=None)))
    if suffix not in (".csv", ".txt", ".tsv"):
        raise FileRefused(f"Filtypen {suffix or '(ingen)'} kan inte läsas. Använd CSV, Excel (.xlsx) eller Parquet.")
    data = path.read_bytes()
    if not data[:65536].strip() and not data.strip():  # the whole file only when it starts blank
        raise FileRefused("Filen är tom.")
    if b"\x00" in data[:65536]:
        raise FileRefused("Filen är inte en textfil (CSV) fast namnet säger det.")
    return _read_csv(data, coded)


_HEADER_BYTES = 1 << 20


def read_headers(path: Path) -> list[str] | None:
    """The file's headers as :func:`read_raw` gives them, without reading the rows: the Parquet
    schema, or the first record of a CSV's first megabyte (the whole file only when its first
    record is longer; an Excel file is read whole). None when the file cannot be read."""
    import csv

    try:
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            return [str(c) for c in pq.read_schema(path).names]
        if suffix in (".csv", ".txt", ".tsv") and path.stat().st_size > _HEADER_BYTES:
            with path.open("rb") as fh:
                data = fh.read(_HEADER_BYTES)
            data = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
            data = data[: data.rfind(b"\n") + 1]
            if b"\x00" not in data:
                text = data.decode(_encoding(data), errors="replace")
                first = next(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(text)), None)
                if first is not None:
                    return [h.strip() for h in first]
        return read_raw(path)[0]
    except bad_file_errors():  # FileRefused and BadRows are ValueErrors too
        return None


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


def _read_csv(data: bytes, coded: frozenset[int] = frozenset()) -> tuple[list[str], pd.DataFrame]:
    """pyarrow's multi-threaded CSV reader, every cell as text; rows with the wrong number of
    fields are collected (not guessed at) and reported."""
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).decode("utf-8", errors="replace")  # separators are ASCII in any encoding
    sep = sniff_separator(first)
    n = len(next(csv.reader([first.rstrip("\r")], delimiter=sep), [])) or 1
    bad: list[tuple[int | None, int, int]] = []

    def invalid(row: pacsv.InvalidRow) -> str:
        bad.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    quoted = b'"' in data  # without a quote no value can hold a newline: Arrow splits the rows faster

    def read(enc: str, careful: bool) -> pa.Table:
        return pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=[f"f{i}" for i in range(n)], encoding="utf8" if enc == "utf-8" else enc),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=quoted, invalid_row_handler=invalid if careful else None),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.dictionary(pa.int32(), pa.large_string()) if i in coded else pa.large_string() for i in range(n)},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )  # large_string: the type pandas keeps, so the frame below is not a copy

    enc = "utf-8"
    try:  # the usual file: UTF-8 (Arrow checks it as it converts) and every row whole, in one read
        table = read(enc, careful=False)
    except pa.ArrowInvalid:  # another encoding, or rows of the wrong length: found out and read again
        enc = _encoding(data)  # before Arrow reads: a row it cannot split would be decoded as UTF-8 to report it
        table = read(enc, careful=True)
    # (a coded column's categories keep the header's text, which no row of the body uses)
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
    return V.duplicate_headers(headers, [normalise(h) for h in headers], file)


def check_cell_sizes(body: pd.DataFrame, headers: list[str], file: str) -> list[Problem]:
    """Cells longer than :data:`~jamstalldhet.base.validation.MAX_CELL_CHARS` are refused; the length of
    a cell is measured in Arrow for text columns, once per distinct value otherwise."""
    problems: list[Problem] = []
    for i, h in enumerate(headers):
        col = body[i]
        if col.dtype != object and not pd.api.types.is_string_dtype(col):
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):  # a Parquet dictionary: the categories' lengths
            per_category = np.array([len(str(c)) for c in col.cat.categories] + [0], dtype=np.int64)
            lengths = per_category[col.cat.codes.to_numpy()]
        elif _is_text(col):
            import pyarrow.compute as pc

            arr = _arrow_text(col)
            if (pc.max(pc.binary_length(arr)).as_py() or 0) <= V.MAX_CELL_CHARS:
                continue  # no cell has more bytes than the limit has characters: none is too long
            lengths = pc.fill_null(pc.utf8_length(arr), 0).to_numpy()
        else:
            lengths = _distinct(col, lambda u: len(u) if isinstance(u, str) else 0, 0, np.int64)
        problems += V.long_cells(file, h, lengths)
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
            problems.append(V.same_meaning(file, str(col), headers[next(k for k, c in mapping.items() if c == canon)]))
            continue
        mapping[i] = canon
    return mapping, problems + V.missing_columns(set(mapping.values()), file)


def _is_text(col: pd.Series) -> bool:
    """A column of strings (Arrow-backed), not objects and not a categorical (which pandas also calls string)."""
    return pd.api.types.is_string_dtype(col) and col.dtype != object and not isinstance(col.dtype, pd.CategoricalDtype)


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

    try:  # the usual column, every filled cell 2018-03-01: one strict cast (Arrow refuses 2018-02-30 here)
        return pc.cast(pc.cast(pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr), pa.date32()), pa.timestamp("ms"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _strptime_forms(arr)  # some cell has another form, or none: every form, cell by cell


def _strptime_forms(arr: Any) -> Any:
    """Every accepted form where the whole cell has its shape (see :func:`_strptime_arrow`)."""
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
    if isinstance(col.dtype, pd.CategoricalDtype):  # once per (stripped) category, spread by the codes
        cells = _stripped_categorical(col)  # every row has a category ("" for missing)
        dates, bad = parse_dates(pd.Series(cells.cat.categories, dtype="str"))
        codes = cells.cat.codes.to_numpy()
        return pd.Series(dates.to_numpy()[codes], index=col.index, dtype="datetime64[ms]"), bad[codes]
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


@dataclass(frozen=True)
class Persons:
    """A frame's persons as reading coded them for its rules: each row's code, and the distinct ids
    (code ``i`` is ``ids[i]``). The store's register takes them as they are, without coding again."""

    codes: npt.NDArray[np.int64]
    ids: pd.Index

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Inspection:
    """What a file holds, before anything is stored: headers, how they were understood, problems."""

    file: str
    headers: list[str]
    mapping: dict[int, str]
    frame: pd.DataFrame | None
    problems: list[Problem]
    persons: Persons | None = None  # the frame's persons, coded while reading (None: not coded)
    unknown: tuple[U.UnknownValue, ...] = ()  # values of coded columns that no synonym list knows

    @property
    def understood(self) -> dict[str, str | None]:
        return {h: self.mapping.get(i) for i, h in enumerate(self.headers)}


def bad_file_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a bad file (not a bug) makes the readers raise: text that cannot be decoded
    or parsed (``ValueError``, which covers ``UnicodeDecodeError``, ``pyarrow.ArrowInvalid`` and
    pandas' parse errors, and :class:`FileRefused`/:class:`BadRows`), Arrow's type and
    unsupported-feature errors, a broken zip or workbook (``zipfile.BadZipFile``, calamine's
    errors), the ``csv`` module's errors, and an unreadable file (``OSError``, which covers
    Arrow's I/O errors). Anything else is a bug and must propagate. Imported here, when a
    reader has failed: calamine stays off the paths that read no workbook."""
    import csv
    import zipfile

    import pyarrow as pa
    from python_calamine import CalamineError

    return (ValueError, OSError, pa.ArrowTypeError, pa.ArrowNotImplementedError, zipfile.BadZipFile, csv.Error, CalamineError)


def _unreadable(path: Path, exc: BaseException) -> str:
    what = {".xlsx": "Excel-fil (.xlsx)", ".parquet": "Parquet-fil"}.get(path.suffix.lower(), "CSV-fil")
    return f"Filen kunde inte läsas som {what} ({type(exc).__name__}). Kontrollera att den är sparad i det formatet."


def read_checked(path: Path, file: str, coded: frozenset[int] = frozenset()) -> tuple[list[str], pd.DataFrame] | list[Problem]:
    """:func:`read_raw`, or the problems (naming ``file``) when the file cannot be read. Only the
    errors of :func:`bad_file_errors` become problems; any other exception propagates."""
    try:
        return read_raw(path, coded)
    except FileRefused as exc:
        return [Problem(file, None, None, str(exc))]
    except BadRows as exc:
        probs = [Problem(file, row, None, f"Raden har {found} fält men rubrikraden har {expected}. Kontrollera avgränsare och citattecken.")
                 for row, found, expected in exc.rows[:MAX_LISTED]]
        if len(exc.rows) > MAX_LISTED:
            from ..base.formatting import number  # here: babel only when it is said
            probs.append(Problem(file, None, None, f"Ytterligare {number(len(exc.rows) - MAX_LISTED)} rader har fel antal fält."))
        return probs
    except bad_file_errors() as exc:
        return [Problem(file, None, None, _unreadable(path, exc))]


HeaderMapper = Callable[[list[str], str, dict[str, str | None] | None], tuple[dict[int, str], list[Problem]]]
#: A kind's conversion of the rows: the canonical frame (None when a rule finds problems), the
#: problems, and the frame's persons when the conversion coded them.
Converter = Callable[[pd.DataFrame, list[str], dict[int, str], str], tuple[pd.DataFrame | None, list[Problem], Persons | None]]


def inspect_with(path: Path, name: str | None, overrides: dict[str, str | None] | None,
                 headers_of: HeaderMapper, convert: Converter, coded: frozenset[str] = frozenset()) -> Inspection:
    """Read one file and check what every kind of file must satisfy (readable, headers written
    once, rows present, cells not too long), then map its headers and convert its values with the
    kind's own ``headers_of`` and ``convert``; the frame only when there is no problem at all.
    The canonical columns ``coded`` (few distinct values) of a large CSV are read as categoricals."""
    file = name or path.name
    read = read_checked(path, file, _coded_positions(path, file, overrides, headers_of, coded))
    if isinstance(read, list):
        return Inspection(file, [], {}, None, read)
    headers, body = read
    problems = duplicate_headers(headers, file)
    if body.empty:
        return Inspection(file, headers, {}, None, problems + [Problem(file, None, None, "Filen innehåller inga rader.")])
    problems += check_cell_sizes(body, headers, file)
    mapping, header_problems = headers_of(headers, file, overrides)
    problems += header_problems
    if problems:
        return Inspection(file, headers, mapping, None, problems)
    df, problems, persons = convert(body, headers, mapping, file)
    return Inspection(file, headers, mapping, df, problems, persons)


def _coded_positions(path: Path, file: str, overrides: dict[str, str | None] | None, headers_of: HeaderMapper,
                     coded: frozenset[str]) -> frozenset[int]:
    """Where the columns ``coded`` stand in a CSV larger than the header sample (its headers read
    and mapped first); none for other files, where coding would not pay."""
    if not coded or path.suffix.lower() not in (".csv", ".txt", ".tsv") or not path.is_file() or path.stat().st_size <= _HEADER_BYTES:
        return frozenset()
    headers = read_headers(path)
    if headers is None:
        return frozenset()
    mapping, _ = headers_of(headers, file, overrides)
    return frozenset(i for i, canon in mapping.items() if canon in coded)


#: Participant columns of few distinct values (codes, dates, years): read as categoricals from a
#: large CSV, and interpreted once per value.
CODED: Final = frozenset({S.KON, S.FODELSEAR, S.BAKGRUND, S.UTBILDNINGSNIVA, S.INSATS, *S.DATE_COLUMNS, S.AVSLUTSORSAK,
                          S.AVSLUTSORSAK_KALLA, *S.BOOL_COLUMNS})


def inspect(path: Path, name: str | None = None, overrides: dict[str, str | None] | None = None,
            values: U.Choices | None = None, allow_unknown: bool = False) -> Inspection:
    """Read and validate one participant file; the canonical frame only when there is no problem at all.

    ``values``: the user's choices for values no synonym list knows; any other such value is a
    problem (one per value, with its count), unless ``allow_unknown``, when it becomes its default
    (:data:`unknown_values.DEFAULTS`). Either way :attr:`Inspection.unknown` lists them."""
    import dataclasses
    from functools import partial

    found: list[U.UnknownValue] = []
    ins = inspect_with(path, name, overrides, map_headers,
                       partial(_convert, values=values, allow_unknown=allow_unknown, found=found), CODED)
    return dataclasses.replace(ins, unknown=tuple(U.in_file_order(found))) if found else ins


def read_file(path: Path, name: str | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one file into the canonical frame; ``None`` and problems when it has errors."""
    ins = inspect(path, name)
    return ins.frame, ins.problems


def recognised_outcomes(text: pd.Series) -> pd.Series:
    """The outcome cells as written (stripped) where the synonym list's ``[avslutsorsak]`` knows them,
    missing elsewhere (empty cells, and values no list knows, whatever the user chose they mean): the
    column :data:`schema.AVSLUTSORSAK_KALLA`. So only words of the list are ever stored, never free
    text. Each distinct cell is looked at once."""
    lookup = synonyms()["avslutsorsak"]
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    kept = [str(u) if str(u) and normalise(u) in lookup else None for u in uniques]
    labels = sorted({k for k in kept if k is not None})
    position = {v: i for i, v in enumerate(labels)}
    lookup_codes = np.array([-1 if k is None else position[k] for k in kept] + [-1], dtype=np.int32)
    return pd.Series(pd.Categorical.from_codes(lookup_codes[codes], dtype=pd.CategoricalDtype(pd.Index(labels, dtype="str"))),
                     index=text.index)


def _personnummer(col: pd.Series) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_], npt.NDArray[np.object_], npt.NDArray[np.float64]]:
    """Per cell: valid, pseudonym, gender and birth year (None/NaN where the cell is not a valid
    number; missing cells are not). Each distinct stripped cell is checked once, in bulk
    (:func:`~jamstalldhet.personnummer.parse_many`), and spread over the rows by its code. The
    number itself goes no further than this function."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from . import personnummer as P

    if _is_text(col):  # Arrow strings: their dictionary, no Python object per cell
        text = _arrow_text(col)
        encoded = pc.dictionary_encode(text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        distinct = encoded.dictionary
    else:  # objects, numbers, categoricals: the text of each distinct cell, as before
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        distinct = pa.array([str(u) for u in uniques], type=pa.string())
    bulk = P.parse_many(distinct)
    n = len(distinct)
    valid = np.zeros(n + 1, dtype=bool)  # the last entry is the missing cell's
    valid[:n] = bulk.valid
    pseudonym = np.full(n + 1, None, dtype=object)
    pseudonym[:n][bulk.valid] = P.pseudonyms(bulk.canonical[bulk.valid], P.secret_key())
    gender = np.full(n + 1, None, dtype=object)
    gender[:n] = bulk.genders()
    year = np.full(n + 1, np.nan)
    year[:n][bulk.valid] = bulk.birth_year[bulk.valid]
    return valid[codes], pseudonym[codes], gender[codes], year[codes]


def _numbers(text: pd.Series) -> pd.Series:
    """``pd.to_numeric(text, errors="coerce")`` as floats: through Arrow's integer cast when every
    filled cell is a plain integer (the usual birth-year column), else through pandas."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(text.dtype, pd.CategoricalDtype):  # once per category, spread by the codes (missing: NaN)
        per_category = _numbers(pd.Series(text.cat.categories, dtype="str")).to_numpy(dtype=np.float64)
        return pd.Series(np.append(per_category, np.nan)[text.cat.codes.to_numpy()], index=text.index)
    arr = _arrow_text(text)
    filled = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    try:
        ints = pc.cast(filled, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(text, errors="coerce").astype("float64")
    return pd.Series(pc.cast(ints, pa.float64()).to_numpy(zero_copy_only=False), index=text.index)


def _datetimes(col: pd.Series) -> npt.NDArray[np.datetime64]:
    """A converted date column as the rules take it: numpy datetimes, NaT for missing."""
    return col.to_numpy(dtype="datetime64[ms]")


def _convert(body: pd.DataFrame, headers: list[str], mapping: dict[int, str], file: str, values: U.Choices | None = None,
             allow_unknown: bool = False, found: list[U.UnknownValue] | None = None) -> tuple[pd.DataFrame | None, list[Problem], Persons | None]:
    """The canonical frame of a file's rows, converting each column and checking it with
    :mod:`jamstalldhet.base.validation`'s rules; None and the problems when a rule finds any (in the
    order of the file, one per cause). Values of coded columns that no synonym list knows are
    added to ``found`` and are problems unless ``allow_unknown`` (see :func:`inspect`)."""
    src = {canon: body[i] for i, canon in mapping.items()}
    at = V.Rows.below_header(file, len(body), {canon: headers[i] for i, canon in mapping.items()})
    problems: list[Problem] = []
    df = pd.DataFrame(index=body.index)
    texts: dict[str, pd.Series] = {}

    def text_of(column: str) -> pd.Series:  # a column's stripped text, made once however many rules read it
        if column not in texts:  # a coded column stays a categorical: its categories are stripped, not its rows
            col = src[column]
            coded = column in CODED and isinstance(col.dtype, pd.CategoricalDtype)
            texts[column] = _stripped_categorical(col) if coded else _text(col)
        return texts[column]

    def blank_of(column: str) -> npt.NDArray[np.bool_]:
        col = src[column]
        return (text_of(column) == "").to_numpy() if _is_text(col) or col.dtype == object else _blank(col)

    unknown: list[U.UnknownValue] = []

    def coded(column: str, section: str) -> pd.Series:  # a coded column through its synonyms, its unknown values kept
        lookup = synonyms()[section]
        if section == "janej":
            lookup = {w: U.YES if v == "true" else U.NO for w, v in lookup.items()}
        got = U.interpret(src[column], column, at.header_of.get(column, column), file, lookup, normalise, values)
        unknown.extend(got.unknown)
        return pd.Series(pd.Categorical.from_codes(got.codes, categories=pd.Index(list(U.ALLOWED[column]))), index=body.index)

    pid = text_of(S.PERSON_ID) if S.PERSON_ID in src else pd.Series("", index=body.index, dtype="string")
    derived_gender = pd.Series(None, index=body.index, dtype=object)
    derived_year = pd.Series(np.nan, index=body.index)
    invalid = np.zeros(len(body), dtype=bool)  # rows whose personnummer is invalid: that one problem, no other of the person
    if S.PERSONNUMMER in src:
        valid, pseudonyms, genders, years = _personnummer(src[S.PERSONNUMMER])
        invalid = ~blank_of(S.PERSONNUMMER) & ~valid
        problems += V.invalid_personnummer(at, invalid)
        pid = pid.astype(object).where(~valid, pd.Series(pseudonyms, index=body.index, dtype=object))
        derived_gender = pd.Series(genders, index=body.index, dtype=object)
        derived_year = pd.Series(years, index=body.index, dtype=float)
    no_person = (pid.fillna("") == "").to_numpy(dtype=bool)
    problems += V.missing_person(at, no_person & ~invalid, S.PERSON_ID if S.PERSON_ID in src else S.PERSONNUMMER)
    df[S.PERSON_ID] = pid
    gender: npt.NDArray[np.int64] | None = None  # the genders' codes, for both rules of gender
    if S.KON in src:
        kon = coded(S.KON, "kon")  # an unknown code becomes Annat/okänt only when the user accepts it
        if S.PERSONNUMMER in src:
            kon = kon.astype(object).where(kon.notna(), derived_gender)
        gender, _ = V.codes(kon)
        problems += V.unknown_gender(at, np.where(invalid, 0, gender))
        df[S.KON] = kon
    else:
        df[S.KON] = derived_gender
    if S.FODELSEAR in src:
        raw_year = src[S.FODELSEAR]
        if pd.api.types.is_numeric_dtype(raw_year):  # typed Parquet or Excel numbers: no text round trip
            year = raw_year.astype("float64")
            problems += V.birth_years(at, year.to_numpy(dtype=np.float64, na_value=np.nan))
        else:
            year_text = text_of(S.FODELSEAR)
            year = _numbers(year_text)
            problems += V.birth_years(at, year.to_numpy(dtype=np.float64, na_value=np.nan), (year_text != "").to_numpy(dtype=bool))
        df[S.FODELSEAR] = year.where(year.notna(), derived_year)  # a year the rules refuse leaves no frame
    elif S.PERSONNUMMER in src:
        df[S.FODELSEAR] = derived_year
    if S.BAKGRUND in src:
        df[S.BAKGRUND] = coded(S.BAKGRUND, "bakgrund").fillna(S.OKAND)
    if S.UTBILDNINGSNIVA in src:
        df[S.UTBILDNINGSNIVA] = coded(S.UTBILDNINGSNIVA, "utbildningsniva").fillna(S.OKAND)
    ins = _stripped_categorical(src[S.INSATS]) if isinstance(src[S.INSATS].dtype, pd.CategoricalDtype) else text_of(S.INSATS)
    problems += V.missing_insats(at, blank_of(S.INSATS))
    df[S.INSATS] = ins
    for col in S.DATE_COLUMNS:
        if col in src:
            dates, bad = parse_dates(src[col])
            problems += V.unreadable_dates(at, col, bad)
            df[col] = dates
    if S.STARTDATUM in df:
        referral = _datetimes(df[S.ANVISNINGSDATUM]) if S.ANVISNINGSDATUM in df else None
        problems += V.missing_start(at, _datetimes(df[S.STARTDATUM]), blank_of(S.STARTDATUM), referral)
    if S.SLUTDATUM in df and S.STARTDATUM in df:
        problems += V.end_before_start(at, _datetimes(df[S.STARTDATUM]), _datetimes(df[S.SLUTDATUM]))
    if S.AVSLUTSORSAK in src:
        df[S.AVSLUTSORSAK] = coded(S.AVSLUTSORSAK, "avslutsorsak")
    as_written = S.AVSLUTSORSAK_KALLA if S.AVSLUTSORSAK_KALLA in src else S.AVSLUTSORSAK
    if as_written in src:  # the outcome as written, for Kolada's C and D: recognised values only
        df[S.AVSLUTSORSAK_KALLA] = recognised_outcomes(text_of(as_written))
    for col in S.BOOL_COLUMNS:
        if col in src and pd.api.types.is_bool_dtype(src[col]):  # typed Parquet: nothing to interpret
            df[col] = src[col].astype("boolean")
        elif col in src:
            yes_no = coded(col, "janej").cat.codes.to_numpy()  # 0 ja, 1 nej, −1 empty (or an unknown value left empty)
            df[col] = pd.Series(pd.arrays.BooleanArray(yes_no == 0, yes_no < 0), index=body.index)
    # the persons coded once: both rules (equal rows are rows of one person), the count and the register
    person_codes, person_ids = pd.factorize(df[S.PERSON_ID], use_na_sentinel=True)
    persons = person_codes.astype(np.int64)
    known_persons = np.where(no_person, -1, persons)  # rows without a (valid) person are no one's: not "two genders"
    problems += V.two_genders(at, known_persons, df[S.KON] if gender is None else gender)
    problems += V.duplicate_rows(at, body, groups=persons)
    if found is not None:
        found.extend(unknown)
    problems += U.problems(unknown, allow_unknown)
    if problems:
        return None, V.in_file_order(problems), None
    for col in S.COLUMNS:
        if col not in df:
            df[col] = None
    return canonical(df), [], Persons(persons, person_ids)
