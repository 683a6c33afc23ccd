"""The store of imported records: Parquet batches and one manifest, changed atomically.

Layout of a store folder::

    manifest.json          which batches are live, and the import log (the commit point)
    batches/<id>.parquet   one file per import, canonical columns, pseudonymised
    .lock                  serialises writers (fcntl.flock)

Every write goes to a temporary file in the same folder, is fsync'ed and then renamed over the
target (``os.replace`` is atomic on POSIX), and the folder is fsync'ed too. A batch file is
written before the manifest names it, and removed only after a manifest without it is in place;
so a crash or kill at any moment leaves the store either as it was or as it became, never half.
Readers read the manifest once and then its batches; if a concurrent commit removed a batch
under them they read the new manifest again, so they see either the old or the new data.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..base import atomic
from ..base import schema as S
from ..base.columnar import arrow_numpy
from ..base.eventlog import mask
from .canonical import canonical, person_count, years_of
from .record_keys import person_keys_of

if TYPE_CHECKING:
    import pandas as pd

    from .reading import Persons

MANIFEST: Final = "manifest.json"
KEY_COLUMN: Final = "_key"  # the person register's record keys
PERSON_CODE: Final = "_person"  # the store-wide integer person code that commit() writes in every batch
T = TypeVar("T")
FORMAT: Final = 1


class StoreError(RuntimeError):
    pass


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
        return f"{self.file} ({span}, {self.rows} rader, importerad {self.imported[:16].replace('T', ' ')})"


@dataclass
class Manifest:
    batches: list[Batch] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    format: int = FORMAT
    persons: str | None = None  # the person register file (persons/<id>.parquet)


# --- writes -----------------------------------------------------------------------------------

def _write_arrow(target: Path, table: pa.Table) -> None:
    atomic.replace_with(target, lambda tmp: pq.write_table(table, tmp, compression="zstd"), suffix=".parquet")


@contextlib.contextmanager
def _locked(store: Path) -> Iterator[None]:
    store.mkdir(parents=True, exist_ok=True)
    with open(store / ".lock", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# --- reading ---------------------------------------------------------------------------------

def read_manifest(store: Path) -> Manifest:
    path = store / MANIFEST
    if not path.exists():
        return Manifest()
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Manifest([Batch(**b) for b in raw.get("batches", [])], list(raw.get("log", [])), int(raw.get("format", FORMAT)),
                    raw.get("persons"))


def _write_manifest(store: Path, m: Manifest) -> None:
    data = {"format": m.format, "persons": m.persons, "batches": [asdict(b) for b in m.batches], "log": m.log}
    atomic.write_bytes(store / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def batch_path(store: Path, batch_id: str) -> Path:
    return store / "batches" / f"{batch_id}.parquet"


def has_data(store: Path) -> bool:
    return bool(read_manifest(store).batches)


def version(store: Path, manifest: str = MANIFEST) -> str:
    """Changes whenever the stored data changes (for caches): the manifest's time and size."""
    path = store / manifest
    if not path.exists():
        return "empty"
    st = path.stat()
    return f"{st.st_mtime_ns}:{st.st_size}"


def consistent_read(store: Path, read: Callable[[list[Path]], T], attempts: int = 3,
                    files: Callable[[Path], list[Path]] | None = None) -> T:
    """``read`` the batch files of one manifest; if a commit removed one under us, read the new manifest.

    ``files`` lists another store's batch files (the payments' own manifest) the same way."""
    for _ in range(attempts):
        try:
            return read(files(store) if files else [batch_path(store, b.id) for b in read_manifest(store).batches])
        except FileNotFoundError:
            continue
    raise StoreError("Lagringen ändrades hela tiden medan den lästes; försök igen.")


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

def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
        old = {y for b in self.replaces for y in b.years}
        return sorted(old - set(self.years))


def plan(store: Path, df: pd.DataFrame, sha256: str, persons: int | None = None) -> Plan:
    """What storing ``df`` would do; ``persons`` when reading has counted them already."""
    return _against(store, Plan(sha256, len(df), person_count(df) if persons is None else persons, years_of(df), None, []))


class Stored(Protocol):
    """What both stores (participants, payments) know of a batch to plan an import against it."""

    @property
    def sha256(self) -> str: ...

    @property
    def years(self) -> list[int]: ...


B = TypeVar("B", bound=Stored)


def matching(batches: list[B], sha256: str, years: list[int]) -> tuple[B | None, list[B]]:
    """The batch that is the very same file (same hash), and, when there is none, the batches
    whose years the new file also covers (they are replaced only when the user confirms)."""
    dup = next((b for b in batches if b.sha256 == sha256), None)
    return dup, [b for b in batches if dup is None and set(b.years) & set(years)]


def _against(store: Path, p: Plan) -> Plan:
    """The plan's duplicate and overlapping batches in the store as it is now."""
    dup, overlap = matching(read_manifest(store).batches, p.sha256, p.years)
    return Plan(p.sha256, p.rows, p.persons, p.years, dup, overlap)


def commit(store: Path, df: pd.DataFrame, file: str, p: Plan, replace: bool = False, persons: Persons | None = None) -> Batch | None:
    """Store ``df`` as a new batch. Overlapping batches are replaced only with ``replace=True``.
    ``persons``: the frame's persons as reading coded them (the register then codes nothing again).

    Returns None (and stores nothing) when the same file was imported before."""
    with _locked(store):
        current = _against(store, p)  # re-check under the lock: another import may have come first
        if current.duplicate_of is not None:
            return None
        if current.replaces and not replace:
            names = ", ".join(b.label for b in current.replaces)
            raise StoreError(f"Filen täcker samma år som {names}. Bekräfta att den ska ersättas.")
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        file = mask(file)  # a file name may hold a personnummer: the manifest never does
        batch = Batch(uuid.uuid4().hex[:16], file, p.sha256, now, p.rows, p.persons, p.years)
        m = read_manifest(store)
        table = pa.Table.from_pandas(canonical(df), preserve_index=False)
        ids = table.column(S.PERSON_ID)
        codes, register = _register_persons(store, m.persons, ids, persons)
        m.persons = f"persons/{uuid.uuid4().hex[:16]}.parquet"
        if pa.types.is_dictionary(ids.type):  # a categorical is stored as text, as every batch is
            table = table.set_column(table.schema.get_field_index(S.PERSON_ID), S.PERSON_ID, ids.cast(pa.large_string()))
        # the register and the batch are written side by side (Arrow's writer lets go of the
        # interpreter); only the manifest below makes either of them count
        with ThreadPoolExecutor(max_workers=1) as pool:
            registered = pool.submit(_write_arrow, store / m.persons, register)
            _write_arrow(batch_path(store, batch.id), table.append_column(PERSON_CODE, codes))
            registered.result()
        gone = {b.id for b in current.replaces}
        m.batches = [b for b in m.batches if b.id not in gone] + [batch]
        m.log.append({"tid": now, "händelse": "import", "fil": file, "sha256": p.sha256, "batch": batch.id, "rader": batch.rows,
                      "personer": batch.persons, "år": batch.years, "ersatte": sorted(gone)})
        _write_manifest(store, m)  # the commit point
        _collect_garbage(store, m)  # the replaced batches too: no manifest names them any more
        return batch


def remove(store: Path, batch_id: str) -> Batch:
    """Remove one batch (its records disappear from every page)."""
    with _locked(store):
        m = read_manifest(store)
        batch = next((b for b in m.batches if b.id == batch_id), None)
        if batch is None:
            raise StoreError(f"Det finns ingen import med id {batch_id}.")
        m.batches = [b for b in m.batches if b.id != batch_id]
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        m.log.append({"tid": now, "händelse": "borttagen", "fil": batch.file, "batch": batch.id, "rader": batch.rows})
        _write_manifest(store, m)
        _collect_garbage(store, m)
        return batch


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


def _collect_garbage(store: Path, m: Manifest) -> None:
    """Batch, register and temporary files no manifest names (replaced or removed batches, an
    interrupted import)."""
    sweep(store, [b.id for b in m.batches])
    for f in (store / "persons").glob("*"):
        if f"persons/{f.name}" != m.persons:
            f.unlink(missing_ok=True)


def sweep(folder: Path, live: list[str]) -> None:
    """In one store folder: the batch files whose ids are not ``live`` (the manifest's), and
    temporary files; both stores call it after writing their manifest."""
    names = {f"{i}.parquet" for i in live}
    for f in (folder / "batches").glob("*"):
        if f.name not in names:
            f.unlink(missing_ok=True)
    for f in folder.glob(".tmp-*"):
        f.unlink(missing_ok=True)
