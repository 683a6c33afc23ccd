"""The store of imported payment files: ``utbetalningar/`` inside the store folder.

Layout (beside the participant store's own files, which this module never touches)::

    utbetalningar/manifest.json          live payment batches and the import log (the commit point)
    utbetalningar/batches/<id>.parquet   one file per import, canonical payment columns, pseudonymised

The engine is the participant store's (:mod:`jamstalldhet.base.batches`): every file is written to a temporary
file, fsync'ed and renamed; a batch is written before the manifest names it and removed only after a manifest
without it is in place, under the store folder's one writer lock. What is the payments' own is here: the
batch counts households, and a payment belongs to the year of its date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..base import batches
from ..base.errors import StoreError
from . import reading as P

FOLDER: Final = "utbetalningar"
MANIFEST: Final = batches.MANIFEST
file_hash = batches.file_hash

__all__ = ["ENGINE", "Batch", "Manifest", "Plan", "StoreError", "batch_path", "commit", "file_hash", "folder", "has_data", "import_file",
           "load", "plan", "read_manifest", "remove", "version"]


@dataclass(frozen=True)
class Batch:
    id: str
    file: str
    sha256: str
    imported: str
    rows: int
    households: int
    years: list[int]

    @property
    def label(self) -> str:
        span = f"{self.years[0]}–{self.years[-1]}" if self.years else "inga år"
        from ..base.formatting import number  # here: babel only when it is said
        return f"{self.file} ({span}, {number(self.rows)} utbetalningar, importerad {self.imported[:16].replace('T', ' ')})"


Manifest = batches.Manifest[Batch]
ENGINE: Final = batches.BatchStore(Batch, Manifest, ("hushåll", "households"),
                                   "Det finns ingen import av utbetalningar med id {id}.", FOLDER)


def folder(store: Path) -> Path:
    return ENGINE.folder(store)


def read_manifest(store: Path) -> Manifest:
    return ENGINE.read_manifest(store)


def batch_path(store: Path, batch_id: str) -> Path:
    return ENGINE.batch_path(store, batch_id)


def has_data(store: Path) -> bool:
    return ENGINE.has_data(store)


def version(store: Path) -> str:
    """Changes whenever the stored payments change (for caches)."""
    return ENGINE.version(store)


def _frame(files: list[Path]) -> pd.DataFrame:
    frames = [pq.read_table(f).to_pandas() for f in files]
    return P.canonical(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(P.COLUMNS)))


def load(store: Path) -> pd.DataFrame:
    """Every stored payment (the batches of one manifest) as one canonical frame."""
    return ENGINE.consistent_read(store, _frame)


def years_of(df: pd.DataFrame) -> list[int]:
    """The calendar years of the payments (a payment belongs to the year of its date)."""
    return sorted(set(pd.to_datetime(df[P.UTBETALNINGSDATUM]).dt.year.dropna().astype(int).tolist()))


@dataclass(frozen=True)
class Plan:
    """What committing a payment file would do; shown before anything is stored."""

    sha256: str
    rows: int
    households: int
    years: list[int]
    duplicate_of: Batch | None
    replaces: list[Batch]

    @property
    def lost_years(self) -> list[int]:
        return batches.lost_years(self.replaces, self.years)


def plan(store: Path, df: pd.DataFrame, sha256: str) -> Plan:
    years = years_of(df)
    dup, overlap = ENGINE.matching(store, sha256, years)
    return Plan(sha256, len(df), int(df[P.HUSHALL_ID].nunique()), years, dup, overlap)


def commit(store: Path, df: pd.DataFrame, file: str, p: Plan, replace: bool = False) -> Batch | None:
    """Store ``df`` as a new payment batch; overlapping years are replaced only with ``replace=True``.

    Returns None (and stores nothing) when the same file was imported before."""

    def new(batch_id: str, name: str, when: str) -> Batch:
        return Batch(batch_id, name, p.sha256, when, p.rows, p.households, p.years)

    def write(_m: Manifest, batch: Batch) -> None:
        batches.write_arrow(batch_path(store, batch.id), pa.Table.from_pandas(P.canonical(df), preserve_index=False))

    return ENGINE.commit(store, file, p.sha256, p.years, replace, new, write)


def remove(store: Path, batch_id: str) -> Batch:
    """Remove one payment batch."""
    return ENGINE.remove(store, batch_id)


def import_file(path: Path, store: Path, replace: bool = False, allow_unknown: bool = False) -> tuple[int, list[str]]:
    """The command line's ``import`` for a payment file: (exit status, Swedish lines for stderr).
    0 stored or already stored; 1 invalid file or overlapping years without ``replace``.
    ``allow_unknown``: unknown values take their defaults (each said), as ``--tillat-okanda``."""
    ins = P.inspect(path, allow_unknown=allow_unknown)
    if ins.frame is None:
        return 1, [str(p) for p in ins.problems] + ["Inget lagrades."]
    became = [u.became() for u in ins.unknown]
    p = plan(store, ins.frame, file_hash(path))
    if p.duplicate_of is not None:
        return 0, [f"Filen är redan importerad ({p.duplicate_of.label}). Inget ändrades."]
    if p.replaces and not replace:
        return 1, [f"Filen täcker samma år som den tidigare importen {b.label}." for b in p.replaces] + [
            "Kör igen med --replace för att ersätta den. Inget lagrades."]
    try:
        batch = commit(store, ins.frame, ins.file, p, replace=replace)
    except StoreError as exc:
        return 1, [f"fel: {exc}"]
    if batch is None:
        return 0, ["Filen är redan importerad. Inget ändrades."]
    replaced = f"; ersatte {len(p.replaces)} tidigare import(er)" if p.replaces else ""
    return 0, became + [f"Lagrade {_n(batch.rows)} utbetalningar för {_n(batch.households)} hushåll, "
                        f"år {batch.years[0]}–{batch.years[-1]}, i {folder(store)}{replaced}."]


def _n(n: int) -> str:
    """``2062`` → ``2 062``, as numbers are written everywhere (without babel on the command line's path)."""
    return f"{n:,}".replace(",", " ")
