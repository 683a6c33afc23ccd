"""The store of imported payment files: ``utbetalningar/`` inside the store folder.

Layout (beside the participant store's own files, which this module never touches)::

    utbetalningar/manifest.json          live payment batches and the import log (the commit point)
    utbetalningar/batches/<id>.parquet   one file per import, canonical payment columns, pseudonymised

Writes follow :mod:`jamstalldhet.intake.store`: every file is written to a temporary file, fsync'ed and
renamed (:mod:`jamstalldhet.base.atomic`); a batch is written before the manifest names it and removed
only after a manifest without it is in place, under the store's writer lock.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..base import atomic
from ..base.eventlog import mask
from ..intake import store as store_module
from ..intake.store import StoreError, _locked, file_hash
from . import reading as P

FOLDER: Final = "utbetalningar"
MANIFEST: Final = "manifest.json"
T = TypeVar("T")

__all__ = ["Batch", "Manifest", "Plan", "StoreError", "commit", "file_hash", "folder", "has_data", "load", "plan", "read_manifest",
           "remove", "version"]


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
        return f"{self.file} ({span}, {self.rows} utbetalningar, importerad {self.imported[:16].replace('T', ' ')})"


@dataclass
class Manifest:
    batches: list[Batch] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)


def folder(store: Path) -> Path:
    return store / FOLDER


def read_manifest(store: Path) -> Manifest:
    path = folder(store) / MANIFEST
    if not path.exists():
        return Manifest()
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Manifest([Batch(**b) for b in raw.get("batches", [])], list(raw.get("log", [])))


def _write_manifest(store: Path, m: Manifest) -> None:
    data = {"batches": [asdict(b) for b in m.batches], "log": m.log}
    atomic.write_bytes(folder(store) / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def batch_path(store: Path, batch_id: str) -> Path:
    return folder(store) / "batches" / f"{batch_id}.parquet"


def has_data(store: Path) -> bool:
    return bool(read_manifest(store).batches)


def version(store: Path) -> str:
    """Changes whenever the stored payments change (for caches)."""
    return store_module.version(folder(store), MANIFEST)


def _files(store: Path) -> list[Path]:
    return [batch_path(store, b.id) for b in read_manifest(store).batches]


def _frame(files: list[Path]) -> pd.DataFrame:
    frames = [pq.read_table(f).to_pandas() for f in files]
    return P.canonical(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(P.COLUMNS)))


def load(store: Path) -> pd.DataFrame:
    """Every stored payment (the batches of one manifest) as one canonical frame."""
    return store_module.consistent_read(store, _frame, files=_files)


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
        old = {y for b in self.replaces for y in b.years}
        return sorted(old - set(self.years))


def _against(store: Path, p: Plan) -> Plan:
    dup, overlap = store_module.matching(read_manifest(store).batches, p.sha256, p.years)
    return Plan(p.sha256, p.rows, p.households, p.years, dup, overlap)


def plan(store: Path, df: pd.DataFrame, sha256: str) -> Plan:
    return _against(store, Plan(sha256, len(df), int(df[P.HUSHALL_ID].nunique()), years_of(df), None, []))


def commit(store: Path, df: pd.DataFrame, file: str, p: Plan, replace: bool = False) -> Batch | None:
    """Store ``df`` as a new payment batch; overlapping years are replaced only with ``replace=True``.

    Returns None (and stores nothing) when the same file was imported before."""
    with _locked(store):
        current = _against(store, p)
        if current.duplicate_of is not None:
            return None
        if current.replaces and not replace:
            names = ", ".join(b.label for b in current.replaces)
            raise StoreError(f"Filen täcker samma år som {names}. Bekräfta att den ska ersättas.")
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        file = mask(file)  # a file name may hold a personnummer: the manifest never does
        batch = Batch(uuid.uuid4().hex[:16], file, p.sha256, now, p.rows, p.households, p.years)
        table = pa.Table.from_pandas(P.canonical(df), preserve_index=False)
        atomic.replace_with(batch_path(store, batch.id), lambda tmp: pq.write_table(table, tmp, compression="zstd"), suffix=".parquet")
        m = read_manifest(store)
        gone = {b.id for b in current.replaces}
        m.batches = [b for b in m.batches if b.id not in gone] + [batch]
        m.log.append({"tid": now, "händelse": "import", "fil": file, "sha256": p.sha256, "batch": batch.id, "rader": batch.rows,
                      "hushåll": batch.households, "år": batch.years, "ersatte": sorted(gone)})
        _write_manifest(store, m)  # the commit point
        _collect_garbage(store, m)
        return batch


def remove(store: Path, batch_id: str) -> Batch:
    """Remove one payment batch."""
    with _locked(store):
        m = read_manifest(store)
        batch = next((b for b in m.batches if b.id == batch_id), None)
        if batch is None:
            raise StoreError(f"Det finns ingen import av utbetalningar med id {batch_id}.")
        m.batches = [b for b in m.batches if b.id != batch_id]
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        m.log.append({"tid": now, "händelse": "borttagen", "fil": batch.file, "batch": batch.id, "rader": batch.rows})
        _write_manifest(store, m)
        _collect_garbage(store, m)
        return batch


def _collect_garbage(store: Path, m: Manifest) -> None:
    """Batch and temporary files no manifest names (left by a replaced batch or an interrupted import)."""
    store_module.sweep(folder(store), [b.id for b in m.batches])


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
