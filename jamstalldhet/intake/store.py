"""The store of imported records: Parquet batches, a person register and one manifest, changed atomically.

Layout of a store folder::

    manifest.json          which batches are live, the person register, and the import log (the commit point)
    batches/<id>.parquet   one file per import, canonical columns, pseudonymised
    persons/<id>.parquet   the person register: pseudonymous ids (a person's code is its row) and record keys
    .lock                  serialises writers (fcntl.flock)

The engine – atomic writes, the manifest, the lock, planning against the stored batches, removing,
sweeping and reading one manifest's batches consistently – is :mod:`jamstalldhet.base.batches`, shared with
the payment store; what is the participants' own is here: the canonical frame and the person register,
written beside the batch and named by the same manifest, so they commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..base import batches
from ..base import schema as S
from ..base.columnar import arrow_numpy
from ..base.errors import StoreError
from .canonical import canonical, person_count, years_of
from .record_keys import person_keys_of

if TYPE_CHECKING:
    import pandas as pd

    from .reading import Persons

MANIFEST: Final = batches.MANIFEST
KEY_COLUMN: Final = "_key"  # the person register's record keys
PERSON_CODE: Final = "_person"  # the store-wide integer person code that commit() writes in every batch
FORMAT: Final = 1
T = TypeVar("T")
file_hash = batches.file_hash
_write_arrow = batches.write_arrow  # by this name, so that the benchmark's stages can time it

__all__ = ["ENGINE", "KEY_COLUMN", "MANIFEST", "PERSON_CODE", "Batch", "Manifest", "Plan", "StoreError", "batch_path", "commit",
           "consistent_read", "file_hash", "has_data", "load", "person_keys", "plan", "read_manifest", "remove", "version"]


@dataclass(frozen=True)
class Batch:
    id: str
    file: str  # the imported file's name (as the user named it)
    sha256: str  # of the imported file's bytes
    imported: str  # ISO time
    rows: int
    persons: int
    years: list[int]

    @property
    def label(self) -> str:
        span = f"{self.years[0]}–{self.years[-1]}" if self.years else "inga år"
        from ..base.formatting import number  # here: babel only when it is said
        return f"{self.file} ({span}, {number(self.rows)} rader, importerad {self.imported[:16].replace('T', ' ')})"


@dataclass
class Manifest(batches.Manifest[Batch]):
    format: int = FORMAT
    persons: str | None = None  # the person register file (persons/<id>.parquet)

    @classmethod
    def header_from(cls, raw: dict[str, Any]) -> dict[str, Any]:
        return {"format": int(raw.get("format", FORMAT)), "persons": raw.get("persons")}

    def header(self) -> dict[str, Any]:
        return {"format": self.format, "persons": self.persons}


class _Participants(batches.BatchStore[Batch, Manifest]):
    def collect_garbage(self, store: Path, m: Manifest) -> None:
        """Batch, register and temporary files no manifest names (replaced or removed batches, an
        interrupted import)."""
        super().collect_garbage(store, m)
        for f in (store / "persons").glob("*"):
            if f"persons/{f.name}" != m.persons:
                f.unlink(missing_ok=True)


ENGINE: Final = _Participants(Batch, Manifest, ("personer", "persons"), "Det finns ingen import med id {id}.")


# --- reading ---------------------------------------------------------------------------------

def read_manifest(store: Path) -> Manifest:
    return ENGINE.read_manifest(store)


def batch_path(store: Path, batch_id: str) -> Path:
    return ENGINE.batch_path(store, batch_id)


def has_data(store: Path) -> bool:
    return ENGINE.has_data(store)


def version(store: Path) -> str:
    """Changes whenever the stored data changes (for caches): the manifest's time and size."""
    return ENGINE.version(store)


def consistent_read(store: Path, read: Callable[[list[Path]], T]) -> T:
    """``read`` the batch files of one manifest; if a commit removed one under us, read the new manifest."""
    return ENGINE.consistent_read(store, read)


def _frame(files: list[Path]) -> pd.DataFrame:
    import pandas as pd  # here, not at the top: loading the store's counts (records.load_store) needs no frame

    frames = [pq.read_table(f).drop_columns([PERSON_CODE]).to_pandas() for f in files]
    return canonical(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(S.COLUMNS)))


def load(store: Path) -> pd.DataFrame:
    """All stored records as one canonical frame (the batches of one manifest)."""
    return consistent_read(store, _frame)


def person_keys(store: Path, register: str | None = None) -> np.ndarray:
    """Record keys by person code, kept with the person register (``register``, default the one
    the manifest names); only that column is read. A register written before keys were kept has
    them derived from its ids."""
    name = register if register is not None else read_manifest(store).persons
    if name is None:
        return np.zeros(0, dtype=np.int64)
    persons = pq.ParquetFile(store / name)  # one file: not read_table, whose dataset layer (and pandas) costs a start-up import
    if KEY_COLUMN in persons.schema_arrow.names:
        return np.asarray(arrow_numpy(persons.read(columns=[KEY_COLUMN]).column(0)), dtype=np.int64)
    return person_keys_of(persons.read().column(0).combine_chunks())


# --- planning and committing an import ---------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """What committing a file would do; shown to the user before anything is stored."""

    sha256: str
    rows: int
    persons: int
    years: list[int]
    duplicate_of: Batch | None
    replaces: list[Batch]

    @property
    def lost_years(self) -> list[int]:
        """Years that only the replaced batches hold: they disappear with them."""
        return batches.lost_years(self.replaces, self.years)


def plan(store: Path, df: pd.DataFrame, sha256: str, persons: int | None = None) -> Plan:
    """What storing ``df`` would do; ``persons`` when reading has counted them already."""
    years = years_of(df)
    dup, overlap = ENGINE.matching(store, sha256, years)
    return Plan(sha256, len(df), person_count(df) if persons is None else persons, years, dup, overlap)


def commit(store: Path, df: pd.DataFrame, file: str, p: Plan, replace: bool = False, persons: Persons | None = None) -> Batch | None:
    """Store ``df`` as a new batch. Overlapping batches are replaced only with ``replace=True``.
    ``persons``: the frame's persons as reading coded them (the register then codes nothing again).

    Returns None (and stores nothing) when the same file was imported before."""

    def new(batch_id: str, name: str, when: str) -> Batch:
        return Batch(batch_id, name, p.sha256, when, p.rows, p.persons, p.years)

    def write(m: Manifest, batch: Batch) -> None:
        table = pa.Table.from_pandas(canonical(df), preserve_index=False)
        ids = table.column(S.PERSON_ID)
        codes, register = _register_persons(store, m.persons, ids, persons)
        m.persons = f"persons/{uuid.uuid4().hex[:16]}.parquet"
        if pa.types.is_dictionary(ids.type):  # a categorical is stored as text, as every batch is
            table = table.set_column(table.schema.get_field_index(S.PERSON_ID), S.PERSON_ID, ids.cast(pa.large_string()))
        # the register and the batch are written side by side (Arrow's writer lets go of the
        # interpreter); only the manifest makes either of them count
        with ThreadPoolExecutor(max_workers=1) as pool:
            registered = pool.submit(_write_arrow, store / m.persons, register)
            _write_arrow(batch_path(store, batch.id), table.append_column(PERSON_CODE, codes))
            registered.result()

    return ENGINE.commit(store, file, p.sha256, p.years, replace, new, write)


def remove(store: Path, batch_id: str) -> Batch:
    """Remove one batch (its records disappear from every page)."""
    return ENGINE.remove(store, batch_id)


def _register_persons(store: Path, current: str | None, ids: pa.ChunkedArray, persons: Persons | None = None) -> tuple[pa.Array, pa.Table]:
    """Integer person codes for ``ids`` from the store's person register, and the register with
    the new persons appended with their record keys (cell-key method), which stay with it for good.

    The register (one column of pseudonymous ids; a person's code is its row) is written by the
    caller as a new file that only the next manifest names, so it commits atomically with the
    batch. With codes stored in the batches, loading never has to hash millions of ids again."""
    register = pq.read_table(store / current) if current else None
    known = register.column(0).combine_chunks() if register is not None else pa.array([], pa.large_string())
    if persons is not None and len(persons.codes) == len(ids):  # coded while reading: each distinct id once already
        distinct, rows = pa.array(persons.ids).cast(known.type), persons.codes
    else:
        encoded = pc.dictionary_encode(ids.combine_chunks().cast(known.type))  # each distinct id once
        distinct, rows = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
    found = pc.index_in(distinct, value_set=known)  # looked up once per person, not once per row
    is_new = pc.is_null(found).to_numpy(zero_copy_only=False)
    new = pc.filter(distinct, pa.array(is_new))
    if len(new):
        known = pa.concat_arrays([known, new])
    # a person's code: its row in the register, the new ones after the old in order of appearance
    code_of = np.where(is_new, len(known) - len(new) + np.cumsum(is_new) - 1, pc.fill_null(found, -1).to_numpy())
    codes = pa.array(code_of[rows])
    if register is None:
        old_keys = np.zeros(0, dtype=np.int64)
    elif KEY_COLUMN in register.column_names:  # the register is read once: ids and keys from the same table
        old_keys = np.asarray(register.column(KEY_COLUMN).to_numpy(), dtype=np.int64)
    else:
        old_keys = person_keys_of(register.column(0).combine_chunks())
    keys = np.concatenate([old_keys, person_keys_of(new)]) if len(new) else old_keys
    return pc.cast(codes, pa.int32()), pa.table({S.PERSON_ID: known, KEY_COLUMN: pa.array(keys, pa.int64())})
