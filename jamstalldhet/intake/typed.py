"""Parquet files that are canonical already, read and validated in Arrow, without pandas (issue 16).

A file this package wrote (the demo data, an export of the store) or one written the same way has
the canonical columns of :data:`schema.COLUMNS` with typed values and canonical labels: none of the
interpretation :mod:`jamstalldhet.intake.reading` does (header and value synonyms, stripping, parsing
dates and years) can change anything in it. Such a file is read here as an Arrow table, and only
the row rules of :mod:`jamstalldhet.base.validation` are applied, the very functions reading calls, in
reading's order, on the same columns: so the problems are the same (file, row, column, message),
and a command that counts from the file never loads pandas.

"Canonical" is decided before any rule, and conservatively: the exact column names (each of which
the synonym file maps to itself), the types (text, a dictionary of text or plain text for a coded
column, integers, timestamps without a time zone or dates, booleans), every label of a coded column
one that reading would keep as it is, no text with spaces at either end, no cell longer than
:data:`validation.MAX_CELL_CHARS`, years and dates within what both readers convert alike. Any
file that is not is read the general way by :func:`reading.inspect`, which interprets values and
reports what it cannot, so value interpretation is written once, there.

The synonym file is read here (:func:`synonyms`, :func:`normalise`), without pandas, for both:
reading takes its words from this module, and this one asks them whether a label is canonical.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..base import schema as S
from ..base import validation as V
from ..base.columnar import arrow_numpy
from ..base.settings import max_file_bytes
from ..base.validation import Problem

SYNONYMS_FILE: Final = Path(__file__).resolve().parents[2] / "data" / "synonymer.toml"


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


#: The coded columns: their labels, the synonym section reading interprets them with, and what
#: reading makes of a filled cell that section does not know (``reading._convert``).
CODED: Final = {
    S.KON: (S.GENDER_VALUES, "kon", S.ANNAT),
    S.BAKGRUND: (S.BAKGRUND_VALUES, "bakgrund", S.UTRIKES),
    S.UTBILDNINGSNIVA: (S.UTBILDNING_VALUES, "utbildningsniva", S.OKAND),
    S.AVSLUTSORSAK: (S.OUTCOMES, "avslutsorsak", S.ANNAT_UTFALL),
}
#: Days since 1970 of 0001-01-01 and 9999-12-31: dates outside are read the general way.
FIRST_DAY: Final = -719_162
LAST_DAY: Final = 2_932_896
#: Integers that float64 holds exactly (pandas turns an integer column with gaps into floats).
EXACT_INT: Final = 2**53


def accepted(column: str) -> frozenset[str]:
    """The labels of a coded column that reading keeps as they are (the synonym file, as the
    user may have edited it, maps each to itself, or does not know it and reading's default for
    an unknown word is the label itself)."""
    labels, section, other = CODED[column]
    lookup = synonyms()[section]
    return frozenset(v for v in labels if lookup.get(normalise(v), other) == v)


def _headers_canonical() -> bool:
    """Every canonical column name means itself in the synonym file, and a typed boolean's text
    (``True``/``False``, as pandas gives a column with gaps) means yes or no."""
    columns, yes_no = synonyms()["kolumner"], synonyms()["janej"]
    return (all(columns.get(normalise(c)) == c for c in S.COLUMNS)
            and yes_no.get(normalise("True")) == "true" and yes_no.get(normalise("False")) == "false")


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def _type_ok(column: str, t: pa.DataType) -> bool:
    """Whether a column's Arrow type is one the typed path reads as the general path would."""
    if column == S.PERSON_ID:
        return _is_text(t)
    if column in CODED or column in (S.INSATS, S.AVSLUTSORSAK_KALLA):
        return _is_text(t) or (pa.types.is_dictionary(t) and _is_text(t.value_type))
    if column == S.FODELSEAR:
        return bool(pa.types.is_integer(t))
    if column in S.DATE_COLUMNS:
        return bool(pa.types.is_date32(t) or (pa.types.is_timestamp(t) and t.tz is None))
    return bool(pa.types.is_boolean(t))  # the yes/no columns


def _distinct_texts(col: pa.ChunkedArray) -> list[str | None]:
    """The texts a text or dictionary column can hold: every dictionary's entries (used or not),
    else the distinct cells."""
    if pa.types.is_dictionary(col.type):
        return [v for chunk in col.chunks for v in chunk.dictionary.to_pylist()]
    return list(pc.unique(col).to_pylist())


def _clean(texts: list[str | None]) -> bool:
    """No text with spaces at either end (Python's and Arrow's whitespace are the same set: checked
    over every code point), none too long, none missing (an entry of a dictionary)."""
    return all(v is not None and v == v.strip() and len(v) <= V.MAX_CELL_CHARS for v in texts)


def _clean_column(col: pa.ChunkedArray) -> bool:
    """:func:`_clean` of a text column: each dictionary's entries (and none of them twice), or the
    cells of plain text in Arrow (one pass per check)."""
    if pa.types.is_dictionary(col.type):
        return all(_clean(chunk.dictionary.to_pylist()) and len(pc.unique(chunk.dictionary)) == len(chunk.dictionary)
                   for chunk in col.chunks)
    if (pc.max(pc.binary_length(col)).as_py() or 0) > V.MAX_CELL_CHARS and (pc.max(pc.utf8_length(col)).as_py() or 0) > V.MAX_CELL_CHARS:
        return False
    return not pc.any(pc.not_equal(pc.binary_length(pc.utf8_trim_whitespace(col)), pc.binary_length(col))).as_py()


def _values_canonical(table: pa.Table) -> bool:
    """The values of a table with canonical names and types: see the module's docstring."""
    for column in (S.PERSON_ID, S.INSATS):
        if not _clean_column(table.column(column)):
            return False
    for column in CODED:
        col = table.column(column)
        texts = _distinct_texts(col)
        if not set(texts) - {None} <= accepted(column):
            return False
        if pa.types.is_dictionary(col.type) and not _clean_column(col):  # entries missing or twice
            return False
    as_written = table.column(S.AVSLUTSORSAK_KALLA)  # the outcome as written: words of the synonym list only
    lookup = synonyms()["avslutsorsak"]
    if not all(v is None or (v and normalise(v) in lookup) for v in _distinct_texts(as_written)) or not _clean_column(as_written):
        return False
    year = table.column(S.FODELSEAR)
    low, high = pc.min(year).as_py(), pc.max(year).as_py()
    return low is None or (-EXACT_INT <= low and high <= EXACT_INT)


def _pandas_metadata_ok(schema: pa.Schema) -> bool:
    """The pandas metadata a file written from a frame carries (dtypes, index), which the
    general path's ``to_pandas`` follows, is readable JSON: a file whose metadata pandas could not
    read is left to the general path, which reports it."""
    raw = (schema.metadata or {}).get(b"pandas")
    if raw is None:
        return True
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return False


def read_table(path: Path) -> pa.Table | None:
    """The file as an Arrow table when its names and types are canonical (see the module's
    docstring), else None, as when it cannot be read, is too large or holds no rows: reading
    reports those. The values are not looked at here."""
    if path.suffix.lower() != ".parquet" or not path.is_file() or path.stat().st_size > max_file_bytes():
        return None
    try:
        parquet = pq.ParquetFile(path)  # one file: not read_table, whose dataset layer costs a start-up import
        schema = parquet.schema_arrow
        names = list(schema.names)
        if len(names) != len(S.COLUMNS) or set(names) != set(S.COLUMNS) or not _headers_canonical():
            return None
        if not all(_type_ok(f.name, f.type) for f in schema) or parquet.metadata.num_rows == 0 or not _pandas_metadata_ok(schema):
            return None
        table = parquet.read()
        table.validate(full=True)  # as reading does: the reader trusts the bytes
    except (OSError, ValueError, pa.ArrowException):  # ArrowInvalid is a ValueError, Arrow's I/O errors OSErrors
        return None
    return table if table.num_rows else None


def canonical_table(path: Path) -> pa.Table | None:
    """The file as an Arrow table when it is canonical, names, types and values (see the
    module's docstring), else None."""
    table = read_table(path)
    return table if table is not None and _values_canonical(table) else None


#: numpy's NaT as an integer
NAT: Final = np.iinfo(np.int64).min


def _days(col: pa.ChunkedArray) -> npt.NDArray[np.datetime64]:
    """A date column's date part as numpy days, NaT for missing: a timestamp's time of day is
    floored, as pandas' ``normalize`` does in the general path and Arrow's cast to dates in
    :func:`records.prepare_table`."""
    days = pc.cast(pc.cast(pc.cast(col, pa.date32()), pa.int32()), pa.int64())
    return np.asarray(arrow_numpy(days, NAT), dtype=np.int64).view("datetime64[D]")


def _floats(year: pa.ChunkedArray) -> npt.NDArray[np.float64]:
    """Integers as floats, NaN for missing (exact: :func:`_values_canonical` bounds them)."""
    return np.asarray(arrow_numpy(pc.cast(year, pa.float64()), np.nan), dtype=np.float64)


def _blank(col: pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """Missing or empty cells of a text or dictionary column (its texts have no spaces at the ends)."""
    if pa.types.is_dictionary(col.type):
        col = col.unify_dictionaries() if col.num_chunks > 1 else col
        arr = pa.concat_arrays(col.chunks) if col.num_chunks != 1 else col.chunk(0)
        empty = np.append(arrow_numpy(pc.binary_length(arr.dictionary), 0) == 0, True)
        result: npt.NDArray[np.bool_] = empty[arrow_numpy(arr.indices, -1)]
        return result
    blank: npt.NDArray[np.bool_] = arrow_numpy(pc.binary_length(col), 0) == 0  # a missing cell's length is filled as 0
    return blank


@dataclass(frozen=True)
class Checked:
    """A canonical Parquet file after the row rules: the problems, as :class:`reading.Inspection`
    would hold them, and, when there are none, the table with its persons as the rules coded them
    (each row's code in order of first appearance, and the distinct ids: code ``i`` is
    ``ids[i]``), so that counting does not code them again."""

    file: str
    problems: list[Problem]
    table: pa.Table | None = None
    persons: npt.NDArray[np.int64] | None = None
    ids: pa.Array | None = None


#: The order in which the duplicate rule codes a canonical table's columns: the result does not
#: depend on it, the time does. Dates first (a person's rows rarely share a start), so that few
#: rows are left when the person ids, the costliest column to code, come last.
DUPLICATE_ORDER: Final = (S.STARTDATUM, S.SLUTDATUM, S.ANVISNINGSDATUM, S.INSATS, S.AVSLUTSORSAK, S.AVSLUTSORSAK_KALLA, S.KON,
                          S.FODELSEAR, S.BAKGRUND, S.UTBILDNINGSNIVA, S.FRAGAT_OM_VALD, S.UPPGETT_VALD, S.PERSON_ID)


def inspect(path: Path, name: str | None = None) -> Checked | None:
    """Read and validate a canonical Parquet file in Arrow; None when the file is not canonical
    (then :func:`reading.inspect` reads it). The rules and their order are reading's
    (``reading._convert``), on the same columns; the steps reading takes that cannot find
    anything in a canonical file (headers, cell sizes, synonyms, unreadable dates or yes/no
    values, personnummer) are the conditions of being canonical instead."""
    table = canonical_table(path)
    if table is None:
        return None
    pid = table.column(S.PERSON_ID)
    # The persons are coded in Arrow's hash kernel, which releases the interpreter: on a thread of
    # its own, alongside the other rules (a third of the rules' time on 2,000,000 rows).
    with ThreadPoolExecutor(max_workers=1) as pool:
        coding = pool.submit(pc.dictionary_encode, pid.combine_chunks() if pid.num_chunks != 1 else pid.chunk(0))
        start, end, referral = (_days(table.column(c)) for c in (S.STARTDATUM, S.SLUTDATUM, S.ANVISNINGSDATUM))
        for days in (start, end, referral):
            known = days[~np.isnat(days)].astype(np.int64)
            if known.size and (known.min() < FIRST_DAY or known.max() > LAST_DAY):
                return None  # a date that pandas' and Arrow's conversions might not agree on: the general way
        file = name or path.name
        at = V.Rows.below_header(file, table.num_rows, {c: c for c in S.COLUMNS})
        blank = _blank(pid)
        problems = V.missing_person(at, blank, S.PERSON_ID)
        gender, _ = V.codes(table.column(S.KON))
        problems += V.unknown_gender(at, gender)
        problems += V.birth_years(at, _floats(table.column(S.FODELSEAR)))
        problems += V.missing_insats(at, _blank(table.column(S.INSATS)))
        problems += V.missing_start(at, start, np.isnat(start), referral)
        problems += V.end_before_start(at, start, end)
        # the persons coded once, in order of first appearance (as reading's factorize), for both
        # rules and for counting; a missing id is the empty id, as reading's stripped text makes it
        encoded = coding.result()
    persons = arrow_numpy(encoded.indices, -1).astype(np.int64)
    if blank.any():
        persons[blank] = len(encoded.dictionary)  # one code of their own (no other row has it)
    problems += V.two_genders(at, np.where(blank, -1, persons), gender)  # rows without a person are no one's (as reading)
    problems += V.duplicate_rows(at, [table.column(c) for c in DUPLICATE_ORDER], groups=persons)
    if problems:
        return Checked(file, V.in_file_order(problems))
    return Checked(file, [], table, persons, encoded.dictionary)
