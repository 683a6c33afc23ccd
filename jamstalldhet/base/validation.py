"""Problems in input files, as data (file, row with the header as row 1, column, Swedish message),
and the rules of a participant file (data contract, section 1) that find them.

A rule takes columns that have already been read and, where the rule is about a value's meaning,
converted (numpy arrays, masks and integer codes, vectorised: no Python per row), and returns the
:class:`Problem` s it finds. Two readers call the same rules in the same order, so that a file gets
the same problems whichever reads it: :mod:`jamstalldhet.intake.reading` (any file; it reads, maps the
headers and interprets the values in pandas) and :mod:`jamstalldhet.intake.typed` (a Parquet file whose
columns and values are canonical already, in Arrow, without pandas). Whether a personnummer is
valid is :mod:`jamstalldhet.intake.personnummer`'s to say: reading passes that rule the rows it found
invalid. pandas is imported only by the functions that are given (or make) pandas objects.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt

from . import schema as S
from .columnar import arrow_numpy, arrow_of
from .errors import UserError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    #: A column as either reader holds it: a pandas Series (reading) or an Arrow array (typed).
    Column: TypeAlias = pd.Series | pa.Array | pa.ChunkedArray

MAX_LISTED = 50  # per kind of problem; the rest are counted
MAX_CELL_CHARS: Final = 10_000
FIRST_YEAR: Final = 1850  # birth years outside FIRST_YEAR..LAST_YEAR are refused
LAST_YEAR: Final = 2100
FEW_GENDERS: Final = 8  # gender codes counted one by one (see mixed_genders)


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # as the user counts: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Fil {self.file}"]
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column is not None:
            where.append(f"kolumn {self.column}")
        return ", ".join(where) + ": " + self.message


def rows_problems(file: str, rows: list[int], column: str | None, message: str) -> list[Problem]:
    """One problem per row (at most :data:`MAX_LISTED`, then one that counts the rest)."""
    out = [Problem(file, r, column, message) for r in rows[:MAX_LISTED]]
    if len(rows) > MAX_LISTED:
        from .formatting import number  # here: babel only when it is said
        out.append(Problem(file, None, column, f"{message} – ytterligare {number(len(rows) - MAX_LISTED)} rader med samma fel."))
    return out


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems in the order of the file: by row (the header's first), those of no row (counts of
    the rest) last; problems of one row keep the order of the rules."""
    return sorted(problems, key=lambda p: (p.row is None, p.row or 0))


# --- the file's headers and cells -------------------------------------------------------------

def duplicate_headers(headers: list[str], keys: list[str], file: str) -> list[Problem]:
    """A header written twice (``keys``: each header as it is matched, e.g. case and diacritics ignored)."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for h, key in zip(headers, keys, strict=True):
        if h and key in seen:
            problems.append(Problem(file, 1, h, f"Kolumnrubriken finns två gånger (också som {seen[key]}). Ta bort eller byt namn på den ena."))
        seen.setdefault(key, h)
    return problems


def long_cells(file: str, header: str, lengths: npt.ArrayLike) -> list[Problem]:
    """Cells of one column longer than :data:`MAX_CELL_CHARS` (they are not participant data);
    ``lengths`` has one entry per row below the header."""
    too_long = np.asarray(lengths) > MAX_CELL_CHARS
    if not too_long.any():
        return []
    return rows_problems(file, (np.flatnonzero(too_long) + 2).tolist(), header or None,
                         f"Cellen är för lång (mer än {MAX_CELL_CHARS:,} tecken).".replace(",", " "))


def same_meaning(file: str, header: str, first: str) -> Problem:
    """A second column whose header means the same canonical column as ``first``."""
    return Problem(file, 1, header, f"Kolumnen betyder samma sak som kolumnen {first}. Ta bort den ena.")


def missing_columns(have: set[str], file: str) -> list[Problem]:
    """The columns a participant file must have (a person, insats, start and a gender), given the
    canonical columns it has."""
    problems: list[Problem] = []
    if S.PERSON_ID not in have and S.PERSONNUMMER not in have:
        problems.append(Problem(file, 1, None, "Kolumn för person saknas: filen behöver person_id eller personnummer."))
    for req in (S.INSATS, S.STARTDATUM):
        if req not in have:
            problems.append(Problem(file, 1, None, f"Obligatorisk kolumn saknas: {req}."))
    if S.KON not in have and S.PERSONNUMMER not in have:
        problems.append(Problem(file, 1, None, "Kolumn för kön saknas (kön eller personnummer behövs)."))
    return problems


# --- the rows --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rows:
    """The rows of one file: its name, each row's number as the user counts it (the header is
    row 1) and the header the user wrote for each canonical column."""

    file: str
    numbers: npt.NDArray[np.int64]
    header_of: Mapping[str, str]

    @classmethod
    def below_header(cls, file: str, n: int, header_of: Mapping[str, str]) -> Rows:
        return cls(file, np.arange(n, dtype=np.int64) + 2, header_of)

    def problems(self, mask: npt.ArrayLike, column: str | None, message: str) -> list[Problem]:
        """The rows of ``mask``, in the column the user wrote for canonical ``column`` (None: the whole row)."""
        where = None if column is None else self.header_of.get(column, column)
        return rows_problems(self.file, self.numbers[np.asarray(mask, dtype=bool)].tolist(), where, message)


def invalid_personnummer(at: Rows, invalid: npt.NDArray[np.bool_]) -> list[Problem]:
    """Filled personnummer cells that :mod:`~jamstalldhet.intake.personnummer` does not accept."""
    return at.problems(invalid, S.PERSONNUMMER, "Personnumret är inte giltigt (fel form, datum eller kontrollsiffra). Rätta det i "
                                                "källsystemet; numret visas inte här av sekretesskäl.")


def missing_person(at: Rows, empty: npt.NDArray[np.bool_], column: str) -> list[Problem]:
    """Rows whose person (id, or pseudonym of a valid personnummer) is ``empty`` (missing or the
    empty text)."""
    return at.problems(empty, column, "Person saknas: raden har varken person-id eller giltigt personnummer.")


def unknown_gender(at: Rows, gender: npt.NDArray[np.int64]) -> list[Problem]:
    """Rows whose gender (its :func:`codes`, −1 missing) is missing and whose personnummer (if any)
    cannot tell it."""
    return at.problems(gender < 0, S.KON, "Kön saknas och kan inte härledas (inget giltigt personnummer på raden).")


def birth_years(at: Rows, year: npt.NDArray[np.floating[Any]], written: npt.NDArray[np.bool_] | None = None) -> list[Problem]:
    """Birth years (NaN missing) that are not numbers (``written``: the cells that were filled
    text, when the column was text; None when it was typed numbers) or not a whole year from
    :data:`FIRST_YEAR` to :data:`LAST_YEAR`."""
    problems: list[Problem] = []
    known = ~np.isnan(year)
    if written is not None:
        problems += at.problems(written & ~known, S.FODELSEAR, "Födelseåret är inte ett heltal.")
    with np.errstate(invalid="ignore"):  # NaN rows compare False and are not known anyway
        implausible = known & ((year % 1 != 0) | (year < FIRST_YEAR) | (year > LAST_YEAR))
    return problems + at.problems(implausible, S.FODELSEAR, "Födelseåret ska vara ett helt år, t.ex. 1985.")


def missing_insats(at: Rows, blank: npt.NDArray[np.bool_]) -> list[Problem]:
    return at.problems(blank, S.INSATS, "Insats saknas.")


def unreadable_dates(at: Rows, column: str, bad: npt.NDArray[np.bool_]) -> list[Problem]:
    """Filled date cells in none of the accepted forms (``bad``, from the date parser)."""
    return at.problems(bad, column, "Datumet kan inte läsas. Skriv det som ÅÅÅÅ-MM-DD, t.ex. 2018-03-01.")


def missing_start(at: Rows, start: npt.NDArray[np.datetime64], blank: npt.NDArray[np.bool_],
                  referral: npt.NDArray[np.datetime64] | None) -> list[Problem]:
    """Rows without a start date (NaT, and the cell empty: a filled cell that could not be read
    is reported as such); a referral without a start is allowed (not yet started)."""
    no_start = np.isnat(start) & blank
    if referral is not None:
        no_start &= np.isnat(referral)
    return at.problems(no_start, S.STARTDATUM, "Startdatum saknas.")


def end_before_start(at: Rows, start: npt.NDArray[np.datetime64], end: npt.NDArray[np.datetime64]) -> list[Problem]:
    """Rows whose end date (the date part) lies before their start date; missing dates compare
    false (NaT)."""
    return at.problems(end < start, S.SLUTDATUM, "Slutdatum ligger före startdatum.")


def two_genders(at: Rows, person: Column | npt.NDArray[np.int64], gender: Column | npt.NDArray[np.int64]) -> list[Problem]:
    return at.problems(mixed_genders(person, gender), S.KON, "Samma person har olika kön på olika rader.")


def duplicate_rows(at: Rows, body: pd.DataFrame | Sequence[Column], groups: npt.NDArray[np.int64] | None = None) -> list[Problem]:
    return at.problems(repeated_rows(body, groups), None, "Raden är en dubblett av en tidigare rad. Ta bort den.")


def mixed_genders(person: Column | npt.NDArray[np.int64], gender: Column | npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Rows of persons who have more than one gender (missing genders ignored), with integer
    codes. ``person`` and ``gender`` are columns or their :func:`codes` (a caller that needs
    them for other rules computes them once).

    With a few gender codes (the usual three), each gender's persons are counted by
    ``np.bincount`` and a person found under two is mixed: linear, no sort. With more codes, a
    table of each person's first known gender, and a person with a row of another gender is mixed."""
    p = person if isinstance(person, np.ndarray) else codes(person)[0]
    g = gender if isinstance(gender, np.ndarray) else codes(gender)[0]
    known = (p >= 0) & (g >= 0)
    pk, gk = p[known], g[known]
    if not pk.size:  # no row with both a person and a gender (e.g. every person missing)
        return np.zeros(len(p), dtype=bool)
    n = int(p.max()) + 1
    m = int(gk.max()) + 1 if gk.size else 0
    if m <= FEW_GENDERS:
        genders = np.zeros(n, dtype=np.int8)
        for code in range(m):
            genders += np.bincount(pk[gk == code], minlength=n) > 0
        few: npt.NDArray[np.bool_] = known & (genders > 1)[np.where(p >= 0, p, 0)]
        return few
    first = np.full(n, -1, dtype=np.int64)
    persons, at = np.unique(pk, return_index=True)  # each person's first known row
    first[persons] = gk[at]
    mixed = np.zeros(n, dtype=bool)
    mixed[pk[gk != first[pk]]] = True
    result: npt.NDArray[np.bool_] = known & mixed[np.where(p >= 0, p, 0)]
    return result


def codes(col: Column) -> tuple[npt.NDArray[np.int64], int]:
    """Integer codes of a column's distinct values (missing = −1) and how many codes there are
    (an upper bound: codes of equal values are equal, codes of different values differ).

    A pandas categorical gives its own codes and an Arrow dictionary its indices (no hashing); an
    Arrow dictionary whose chunks have different dictionaries is unified first, and a dictionary
    that holds a value twice (or a null) is coded through its own values. Other columns are
    hashed: pandas' factorize (Arrow-backed text is hashed in C; measured no slower than Arrow's
    ``dictionary_encode`` of a chunked column), Arrow's ``dictionary_encode``."""
    import pyarrow as pa

    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        return _arrow_codes(col)
    import pandas as pd

    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy().astype(np.int64), len(col.cat.categories)
    found, uniques = pd.factorize(col, use_na_sentinel=True)
    return found.astype(np.int64), len(uniques)


def _arrow_codes(col: pa.Array | pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], int]:
    """:func:`codes` of an Arrow column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(col, pa.ChunkedArray):
        if col.num_chunks == 0:
            return np.zeros(0, dtype=np.int64), 0
        if pa.types.is_dictionary(col.type) and col.num_chunks > 1:
            try:
                col = col.unify_dictionaries()  # one dictionary for all chunks: the indices then mean the same everywhere
            except pa.ArrowInvalid:  # Arrow cannot unify dictionaries holding a null: the values, coded anew
                col = col.cast(col.type.value_type)
        arr = pa.concat_arrays(col.chunks) if col.num_chunks > 1 else col.chunk(0)
    else:
        arr = col
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)  # nulls stay null (not a value of the dictionary)
    indices = arrow_numpy(arr.indices, -1).astype(np.int64)  # a copy: callers may change their codes
    dictionary = arr.dictionary
    if dictionary.null_count or len(pc.unique(dictionary)) < len(dictionary):  # the values' own codes, per entry
        own = pc.dictionary_encode(dictionary)
        per_entry = np.asarray(arrow_numpy(own.indices, -1), dtype=np.int64)
        return np.append(per_entry, -1)[indices], len(own.dictionary)
    return indices, len(dictionary)


def _shared(key: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """``key`` renumbered 0..m−1 (equal keys equal), and which entries share their key with another.
    pandas' factorize when pandas is loaded anyway (a hash table: about 2.5 times faster than a
    sort on two million keys), else numpy's sort: the typed path does not load pandas for this."""
    if "pandas" in sys.modules:
        import pandas as pd

        found, uniques = pd.factorize(key)
        renumbered, m = found.astype(np.int64), len(uniques)
    else:
        distinct, inverse = np.unique(key, return_inverse=True)
        renumbered, m = inverse.astype(np.int64).reshape(-1), len(distinct)
    return renumbered, np.bincount(renumbered, minlength=m)[renumbered] > 1


def _columns(body: pd.DataFrame | Sequence[Column]) -> list[Column]:
    """A body's columns in order: a frame's, or the sequence itself."""
    if isinstance(body, Sequence):
        return list(body)
    return [body[c] for c in body.columns]


def _take(col: Column, rows: npt.NDArray[np.intp]) -> Column:
    """The rows ``rows`` of a column, pandas or Arrow."""
    import pyarrow as pa

    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        return col.take(arrow_of(rows.astype(np.int64)))
    return col.iloc[rows]


def repeated_rows(body: pd.DataFrame | Sequence[Column], groups: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.bool_]:
    """Rows equal to an earlier row (missing equals missing). ``body``: a frame, or its columns
    (pandas or Arrow, all of one length).

    The rows are refined column by column: each column's integer codes (see :func:`codes`) are
    combined with the key so far, renumbered, and a row whose key is unique is dropped, because
    it cannot equal any other row; the next column is coded for the rows left only. ``groups``
    (optional, :func:`codes` of a column) is a coarser partition the caller already has, such as the person of each row:
    rows that are equal are in the same group, so most rows (persons with one row) are dropped
    before any column is coded. What is left at the end are the rows equal to another row."""
    columns = _columns(body)
    n = len(columns[0]) if columns else (len(groups) if groups is not None else 0)
    rows = np.arange(n)
    key = np.zeros(n, dtype=np.int64)
    if groups is not None and n:
        key = np.where(groups < 0, int(groups.max()) + 1, groups)  # codes 0..m−1 (missing −1 → m): no hashing
        keep = np.bincount(key)[key] > 1
        rows, key = rows[keep], key[keep]
    for col in columns:
        if rows.size == 0:
            break
        column_codes, m = codes(col if rows.size == n else _take(col, rows))
        key, keep = _shared(key * (m + 1) + (column_codes + 1))  # < rows · (m + 1): no overflow
        rows, key = rows[keep], key[keep]
    result = np.zeros(n, dtype=bool)
    if rows.size:
        first = np.zeros(rows.size, dtype=bool)
        _, first_at = np.unique(key, return_index=True)
        first[first_at] = True  # rows ascend, so a key's first entry is its first row
        result[rows[~first]] = True
    return result


class TomlError(UserError, ValueError):
    """A settings file (catalogue, price list, plan) that is not TOML: the line, and why."""

    def __init__(self, name: str, line: int | None, detail: str) -> None:
        self.line = line
        self.detail = f"filen går inte att läsa som TOML ({detail})."
        super().__init__(f"{name}, rad {line if line is not None else '?'}: {self.detail}")


def read_toml(text: str, name: str) -> dict[str, Any]:
    """The tables of a TOML text; :class:`TomlError` naming the file and the line otherwise."""
    import re
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise TomlError(name, int(m.group(1)) if m else None, str(exc)) from exc


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problems as the Import page lists them: file, row (as the user counts), column, problem."""
    import pandas as pd

    return pd.DataFrame([{"Fil": p.file, "Rad": p.row, "Kolumn": p.column, "Problem": p.message} for p in problems],
                        columns=["Fil", "Rad", "Kolumn", "Problem"])
