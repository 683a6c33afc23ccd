"""The canonical record frame and its compact, array form used for counting.

A canonical frame has the columns of :data:`schema.COLUMNS` with fixed dtypes
(see :func:`canonical`). :func:`prepare` turns it once into integer code arrays
(persons, genders, days since 1970, category codes) so that every indicator is a
handful of vectorised numpy operations, whatever the number of records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..base import schema as S
from ..base.columnar import arrow_numpy
from . import store
from .canonical import year_span
from .record_keys import person_keys_of
from .store import PERSON_CODE

if TYPE_CHECKING:
    import pandas as pd

    from .reading import Persons

IntArray = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]

#: Sentinel days: a missing start never starts, a missing end never ends.
NEVER: int = np.iinfo(np.int32).max
NO_DATE_LOW: int = np.iinfo(np.int32).min


def _days(values: pd.Series, missing: int) -> I32:
    arr = values.to_numpy(dtype="datetime64[ms]")
    nat = np.isnat(arr)
    days = arr.astype("datetime64[D]").astype(np.int64)
    days[nat] = missing
    return days.astype(np.int32)


def _bool_code(values: pd.Series) -> I8:
    """-1 unknown, 0 false, 1 true."""
    arr = values.astype("boolean")
    code = np.where(arr.fillna(False).to_numpy(dtype=bool), 1, 0).astype(np.int8)
    code[arr.isna().to_numpy()] = -1
    return code


@dataclass(frozen=True)
class Prepared:
    """Integer arrays of a canonical frame, one entry per record."""

    person: I32  # person code 0..n_persons-1
    n_persons: int
    person_gender: I8  # gender code (index in schema.GENDER_VALUES) per person
    start: I32
    end: I32
    referred: I32
    outcome: I8  # index in schema.OUTCOMES; ended records without one are Annat
    # (codes[schema.AVSLUTSORSAK_KALLA]: the outcome as the file wrote it, -1 = not kept; see
    # categories[...] for the labels, sorted; absent in arrays made without it)
    asked: I8
    disclosed: I8
    birth_year: npt.NDArray[np.int16]  # 0 = unknown
    codes: dict[str, I8 | npt.NDArray[np.int16]] = field(default_factory=dict)
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: the secret record key of each person (jamstalldhet.disclosure.cellkey); never leaves the server
    person_key: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_records(self) -> int:
        return int(self.person.shape[0])

    def _span(self) -> tuple[int, int] | None:
        """First and last date of any kind (referral, start, end), in days; without copying the
        10-million-row arrays."""
        if self.n_records == 0:
            return None
        big, small = np.iinfo(np.int32).max, np.iinfo(np.int32).min
        starts = self.start != NEVER
        refs = self.referred != NO_DATE_LOW
        ends = self.end != NEVER
        lo = min(int(self.start.min(where=starts, initial=big)), int(self.referred.min(where=refs, initial=big)),
                 int(self.end.min(where=ends, initial=big)))
        if lo == big:
            return None
        hi = max(int(self.start.max(where=starts, initial=small)), int(self.referred.max(where=refs, initial=small)),
                 int(self.end.max(where=ends, initial=small)))
        return lo, hi

    def last_date(self) -> str | None:
        """The newest date in the records (ISO), for the report's "data t.o.m."."""
        span = self._span()
        return None if span is None else str(np.datetime64(span[1], "D"))

    def years(self) -> list[int]:
        """Calendar years the records touch (:func:`canonical.year_span`, the one rule for it)."""
        span = self._span()
        return year_span(*span) if span else []

    def whole_years(self) -> list[int]:
        """The years the data cover whole: what the pages offer, the trends plot and the report shows.

        An export holds the records active in its period, so none of them ended before the period
        began: the period starts about at the earliest end date, and ends at the latest date of any
        kind. A year whose first month has no ending yet (the records of 2015 that an export of
        2016–2024 holds only because they ran into 2016), or whose data stop before December, is
        *ofullständigt*: its figures count only some of its participants. Where no year passes (a
        file of a few records), every year the records touch.

        >>> import pandas as pd
        >>> from jamstalldhet.intake.canonical import canonical
        >>> df = pd.DataFrame({"person_id": ["a", "b", "c"], "kon": ["Kvinna", "Man", "Man"], "insats": "X",
        ...                    "startdatum": ["2015-03-01", "2016-01-01", "2017-02-01"],
        ...                    "slutdatum": ["2016-01-10", "2017-12-31", None]})
        >>> p = prepare(canonical(df))
        >>> p.years(), p.whole_years()
        ([2015, 2016, 2017], [2016, 2017])
        """
        every = self.years()
        ends = self.end != NEVER
        span = self._span()
        if not ends.any() or span is None:
            return every
        first_end = np.datetime64(int(self.end.min(where=ends, initial=np.iinfo(np.int32).max)), "D")
        last = np.datetime64(span[1], "D")
        y0 = int(first_end.astype("datetime64[Y]").astype(int)) + 1970
        y1 = int(last.astype("datetime64[Y]").astype(int)) + 1970
        if first_end > np.datetime64(f"{y0}-01-31"):
            y0 += 1
        if last < np.datetime64(f"{y1}-12-01"):
            y1 -= 1
        whole = [y for y in every if y0 <= y <= y1]
        return whole or every


def prepare(df: pd.DataFrame, persons: Persons | None = None) -> Prepared:
    """Turn a canonical frame into integer arrays (one pass, no Python loop over rows).
    ``persons``: the frame's persons as reading coded them (in order of appearance, as here), so
    that the ids are not coded again. (pandas is imported here, by the path that has a frame:
    the Parquet paths below never load it.)"""
    import pandas as pd

    if persons is not None and len(persons.codes) == len(df):
        person_codes, uniques = persons.codes, persons.ids
    else:
        person_codes, uniques = pd.factorize(df[S.PERSON_ID], use_na_sentinel=True)
    keys = person_keys_of(pa.array(uniques))  # Arrow-backed ids stay in Arrow: no Python string per person
    person = person_codes.astype(np.int32)
    n_persons = len(uniques)
    gender = df[S.KON].cat.codes.to_numpy().astype(np.int8)
    gender = np.where(gender < 0, np.int8(2), gender).astype(np.int8)  # missing -> Annat/okänt
    # validation guarantees one gender per person; the first record's gender is taken (one way for both paths)
    person_gender = _first_gender(person, gender.astype(np.int16), n_persons)
    outcome = df[S.AVSLUTSORSAK].cat.codes.to_numpy().astype(np.int8)
    outcome = np.where(outcome < 0, np.int8(S.OUTCOMES.index(S.ANNAT_UTFALL)), outcome).astype(np.int8)
    birth = df[S.FODELSEAR].fillna(0).to_numpy(dtype=np.int16)
    codes: dict[str, I8 | npt.NDArray[np.int16]] = {}
    cats: dict[str, tuple[str, ...]] = {}
    for dim in (S.INSATS, S.BAKGRUND, S.UTBILDNINGSNIVA, S.AVSLUTSORSAK_KALLA):
        col = df[dim]
        c = col.cat.codes.to_numpy()
        codes[dim] = c.astype(np.int16)
        cats[dim] = tuple(str(x) for x in col.cat.categories)
    return Prepared(
        person=person,
        n_persons=n_persons,
        person_gender=person_gender,
        start=_days(df[S.STARTDATUM], NEVER),
        end=_days(df[S.SLUTDATUM], NEVER),
        referred=_days(df[S.ANVISNINGSDATUM], NO_DATE_LOW),
        outcome=outcome,
        asked=_bool_code(df[S.FRAGAT_OM_VALD]),
        disclosed=_bool_code(df[S.UPPGETT_VALD]),
        birth_year=birth,
        codes=codes,
        categories=cats,
        person_key=keys,
    )


def year_bounds(year: int) -> tuple[int, int]:
    """First and last day of a calendar year as days since 1970-01-01."""
    lo = int(np.datetime64(f"{year:04d}-01-01", "D").astype(np.int64))
    hi = int(np.datetime64(f"{year:04d}-12-31", "D").astype(np.int64))
    return lo, hi


def age_group_codes(birth_year: npt.NDArray[np.int16], year: int) -> npt.NDArray[np.int16]:
    """Age group code per record for the age reached in ``year``; unknown -> ``Okänd``."""
    age = year - birth_year.astype(np.int32)
    edges = np.array([g[1] for g in S.AGE_GROUPS[1:]])
    code = np.searchsorted(edges, age, side="right").astype(np.int16)
    code[(birth_year == 0) | (age < 0)] = len(S.AGE_GROUPS)  # Okänd
    return code


def group_codes(prep: Prepared, by: str, year: int) -> tuple[npt.NDArray[np.int16], tuple[str, ...]]:
    """Each record's group in dimension ``by`` for ``year`` (age groups depend on the year), and the
    groups' labels; ``ValueError`` for an unknown dimension."""
    if by == S.ALDERSGRUPP:
        return age_group_codes(prep.birth_year, year), S.AGE_GROUP_VALUES
    if by not in prep.codes:
        raise ValueError(f"okänd dimension: {by}")
    return prep.codes[by].astype(np.int16), prep.categories[by]


def subset(prep: Prepared, year: int, filters: dict[str, list[str]]) -> Prepared:
    """Only the records matching every filter (``{dimension: accepted group labels}``).

    An empty or missing list means no filter on that dimension. Person codes are kept,
    so a filtered frame counts the same persons as the whole.
    """
    mask = np.ones(prep.n_records, dtype=bool)
    for dim, accepted in filters.items():
        if not accepted:
            continue
        codes, labels = group_codes(prep, dim, year)
        wanted = np.array([i for i, label in enumerate(labels) if label in accepted], dtype=np.int64)
        mask &= np.isin(codes, wanted)
    if mask.all():
        return prep
    return Prepared(
        person=prep.person[mask], n_persons=prep.n_persons, person_gender=prep.person_gender,
        start=prep.start[mask], end=prep.end[mask], referred=prep.referred[mask], outcome=prep.outcome[mask],
        asked=prep.asked[mask], disclosed=prep.disclosed[mask], birth_year=prep.birth_year[mask],
        codes={k: v[mask] for k, v in prep.codes.items()}, categories=prep.categories, person_key=prep.person_key,
    )


# --- straight from Parquet --------------------------------------------------------------------
# The store's batches and the demo file hold canonical columns. Reading them one column at a
# time into the integer arrays of Prepared never holds the whole table (nor a pandas frame of
# it) in memory: the peak is the arrays plus one column. A canonical file that was read whole to
# be validated (jamstalldhet.intake.typed) is turned into the same arrays by the same code from its table.

#: A canonical column by name, whole.
ColumnOf = Callable[[str], pa.ChunkedArray]
#: A canonical column by name, in batches (one after the other, never all at once).
BatchesOf = Callable[[str], Iterable[pa.Array]]

def _column(files: list[Path], name: str, footers: list[pq.FileMetaData] | None = None) -> pa.ChunkedArray:
    """The files' column ``name``. The outcome as written (:data:`schema.AVSLUTSORSAK_KALLA`), which a
    batch stored before it was kept lacks, is missing in such a file's rows (with ``footers``)."""
    if footers is not None and name == S.AVSLUTSORSAK_KALLA and not all(name in m.schema.names for m in footers):
        parts = [pq.ParquetFile(f).read(columns=[name]).column(0).cast(pa.large_string()) if name in m.schema.names
                 else pa.chunked_array([pa.nulls(m.num_rows, pa.large_string())]) for f, m in zip(files, footers, strict=True)]
        return pa.chunked_array([c for ch in parts for c in ch.chunks], type=pa.large_string())
    chunks = [pq.ParquetFile(f).read(columns=[name]).column(0) for f in files]
    return pa.chunked_array([c for ch in chunks for c in ch.chunks], type=chunks[0].type) if chunks else pa.chunked_array([], pa.null())


def _labels_codes(col: pa.ChunkedArray, categories: tuple[str, ...] | None, missing: int) -> tuple[npt.NDArray[np.int16], tuple[str, ...]]:
    """Codes into ``categories`` (or the sorted distinct labels) per row; missing/unknown → ``missing``."""
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr.cast(pa.string()))
    labels = [None if v is None else str(v) for v in arr.dictionary.to_pylist()]
    idx = arrow_numpy(pc.cast(arr.indices, pa.int32()), len(labels))
    if categories is None:  # the distinct labels in use, sorted (as canonical() does)
        used = np.bincount(idx, minlength=len(labels) + 1)[: len(labels)] > 0
        categories = tuple(sorted({v for v, u in zip(labels, used, strict=True) if u and v is not None}))
    pos = {c: i for i, c in enumerate(categories)}
    lookup = np.array([pos.get(v, missing) if v is not None else missing for v in labels] + [missing], dtype=np.int16)
    return lookup[idx], categories


def _batches(files: list[Path]) -> BatchesOf:
    """The files' column ``name`` a million rows at a time."""
    def of(name: str) -> Iterable[pa.Array]:
        for f in files:
            for batch in pq.ParquetFile(f).iter_batches(columns=[name], batch_size=1 << 20):
                yield batch.column(0)
    return of


def _stream(batches: Iterable[pa.Array], n: int, dtype: type[np.generic], convert: Any, missing: int) -> npt.NDArray[Any]:
    """A column of ``n`` rows converted batch by batch into one preallocated array (missing
    entries → ``missing``): a 10-million-row column is never held whole beside its result (about
    80 MB less at the peak for a timestamp column)."""
    out = np.empty(n, dtype=dtype)
    offset = 0
    for batch in batches:
        values = arrow_numpy(convert(batch), missing)
        out[offset : offset + len(values)] = values
        offset += len(values)
    return out


def _days_of(batches: Iterable[pa.Array], n: int, missing: int) -> I32:
    """Days since 1970 of a date column (missing → ``missing``)."""
    return _stream(batches, n, np.int32, lambda a: pc.cast(pc.cast(a, pa.date32()), pa.int32()), missing)


def _bool_of(col: pa.ChunkedArray) -> I8:
    return np.asarray(arrow_numpy(pc.cast(col, pa.int8()), -1), dtype=np.int8)


def _first_gender(person: I32, gender: npt.NDArray[np.int16], n_persons: int) -> I8:
    """Each person's gender on their first record, without sorting 10 million codes:
    the first row of each person by ``np.minimum.at``, a million rows at a time."""
    first = np.full(n_persons, np.iinfo(np.int32).max, dtype=np.int32)
    step = 1 << 20
    for o in range(0, person.size, step):
        np.minimum.at(first, person[o : o + step], np.arange(o, min(o + step, person.size), dtype=np.int32))
    out = np.full(n_persons, 2, dtype=np.int8)
    seen = first != np.iinfo(np.int32).max
    out[seen] = gender[first[seen]]
    return out




def prepare_parquet(files: list[Path], person_keys: IntArray | None = None) -> Prepared:
    """Prepared straight from canonical Parquet files (same result as ``prepare(canonical(...))``).

    ``person_keys`` are the record keys by the store's person code (its person register);
    without them they are derived from the person ids."""
    footers = [pq.ParquetFile(f).metadata for f in files]  # each file's footer, read once
    n = sum(m.num_rows for m in footers)
    batches = _batches(files)
    if files and all(PERSON_CODE in m.schema.names for m in footers):
        # the store's integer person codes (one register for all batches): nothing to hash
        person = _stream(batches(PERSON_CODE), n, np.int32, lambda a: pc.cast(a, pa.int32()), -1)
        n_persons = int(person.max()) + 1 if person.size else 0
        if person_keys is None or person_keys.size < n_persons:
            raise ValueError("personregistrets nycklar saknas")
        keys = np.asarray(person_keys[:n_persons], dtype=np.int64)
    else:
        person, n_persons, keys = _persons(_column(files, S.PERSON_ID))
    return _prepared(n, person, n_persons, keys, lambda name: _column(files, name, footers), batches)


def prepare_table(table: pa.Table, persons: npt.NDArray[np.int64] | None = None, ids: pa.Array | None = None) -> Prepared:
    """Prepared of a canonical table already in memory (a file :mod:`jamstalldhet.intake.typed` has
    read and validated): the same arrays as :func:`prepare_parquet` of the file, without reading
    it again. ``persons`` and ``ids``: each row's person code (in order of first appearance) and
    the distinct ids, as validation coded them, so that the ids are not hashed again."""
    if persons is not None and ids is not None and len(persons) == table.num_rows:
        person, n_persons, keys = persons.astype(np.int32), len(ids), person_keys_of(ids)
    else:
        person, n_persons, keys = _persons(table.column(S.PERSON_ID))
    return _prepared(table.num_rows, person, n_persons, keys, table.column, lambda name: table.column(name).chunks)


def _persons(pid: pa.ChunkedArray) -> tuple[I32, int, IntArray]:
    """Each row's person code in order of first appearance (as pandas' factorize in
    :func:`prepare`), how many persons, and their record keys."""
    enc = pc.dictionary_encode(pid.combine_chunks() if pid.num_chunks != 1 else pid.chunk(0))
    del pid
    person = np.asarray(arrow_numpy(enc.indices, -1), dtype=np.int32)  # (validated files have no missing id)
    return person, len(enc.dictionary), person_keys_of(enc.dictionary)


def _prepared(n: int, person: I32, n_persons: int, keys: IntArray, column: ColumnOf, batches: BatchesOf) -> Prepared:
    """Prepared of ``n`` canonical rows whose persons are coded: the other columns, one at a time."""
    gender, _ = _labels_codes(column(S.KON), S.GENDER_VALUES, 2)
    person_gender = _first_gender(person, gender, n_persons)
    del gender
    outcome, _ = _labels_codes(column(S.AVSLUTSORSAK), S.OUTCOMES, S.OUTCOMES.index(S.ANNAT_UTFALL))
    birth = _stream(batches(S.FODELSEAR), n, np.int16, lambda a: pc.cast(a, pa.int16()), 0)
    codes: dict[str, I8 | npt.NDArray[np.int16]] = {}
    cats: dict[str, tuple[str, ...]] = {}
    fixed = {S.BAKGRUND: S.BAKGRUND_VALUES, S.UTBILDNINGSNIVA: S.UTBILDNING_VALUES}
    for dim in (S.INSATS, S.BAKGRUND, S.UTBILDNINGSNIVA, S.AVSLUTSORSAK_KALLA):
        values = fixed.get(dim)
        missing = values.index(S.OKAND) if values else -1
        codes[dim], cats[dim] = _labels_codes(column(dim), values, missing)
    return Prepared(
        person=person,
        n_persons=n_persons,
        person_gender=person_gender,
        start=_days_of(batches(S.STARTDATUM), n, NEVER),
        end=_days_of(batches(S.SLUTDATUM), n, NEVER),
        referred=_days_of(batches(S.ANVISNINGSDATUM), n, NO_DATE_LOW),
        outcome=outcome.astype(np.int8),
        asked=_bool_of(column(S.FRAGAT_OM_VALD)),
        disclosed=_bool_of(column(S.UPPGETT_VALD)),
        birth_year=birth,
        codes=codes,
        categories=cats,
        person_key=keys,
    )


def load_store(store_dir: Path) -> Prepared:
    """The stored records as count arrays, read column by column (see :func:`prepare_parquet`),
    with the record keys of the store's person register (cell-key method)."""
    return store.consistent_read(store_dir, lambda files: prepare_parquet(files, store.person_keys(store_dir)))
