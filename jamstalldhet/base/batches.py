"""The one batch-store engine both stores use: the participants' (intake/store) and the payments' (payments/store).

A store keeps one Parquet file per imported file and one manifest in its folder::

    manifest.json          which batches are live, and the import log (the commit point)
    batches/<id>.parquet   one file per import

and all its writers hold the store folder's one lock (:func:`jamstalldhet.base.atomic.locked`). Every write
goes to a temporary file in the same folder, is fsync'ed and then renamed over the target
(:mod:`jamstalldhet.base.atomic`). A batch file is written before the manifest names it, and removed only after a
manifest without it is in place; so a crash or kill at any moment leaves the store either as it was or as it
became, never half. Readers read the manifest once and then its batches; if a commit removed a batch under
them they read the new manifest again (:meth:`BatchStore.consistent_read`).

What differs between the stores is a parameter of :class:`BatchStore`: the folder inside the store, the batch
record (participants count persons, payments households), the manifest's own header fields, and what a
commit writes besides the batch (the participants' person register).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, Self, TypeVar

from . import atomic
from .errors import StoreError
from .eventlog import mask

if TYPE_CHECKING:
    import pyarrow as pa

MANIFEST: Final = "manifest.json"
BATCH_FOLDER: Final = "batches"


class Record(Protocol):
    """What the engine knows of a batch (both stores' ``Batch`` dataclasses)."""

    @property
    def id(self) -> str: ...

    @property
    def file(self) -> str: ...

    @property
    def sha256(self) -> str: ...

    @property
    def rows(self) -> int: ...

    @property
    def years(self) -> list[int]: ...

    @property
    def label(self) -> str: ...


R = TypeVar("R", bound=Record)
T = TypeVar("T")


@dataclass
class Manifest(Generic[R]):
    """The live batches and the import log; a store's subclass adds its own header fields."""

    batches: list[R] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: dict[str, Any], record: Callable[..., R]) -> Self:
        return cls([record(**b) for b in raw.get("batches", [])], list(raw.get("log", [])), **cls.header_from(raw))

    @classmethod
    def header_from(cls, raw: dict[str, Any]) -> dict[str, Any]:
        """The subclass's own fields, read from the manifest's JSON (none here)."""
        return {}

    def header(self) -> dict[str, Any]:
        """The subclass's own fields, written before the batches (none here)."""
        return {}

    def to_json(self) -> dict[str, Any]:
        return {**self.header(), "batches": [asdict(b) for b in self.batches], "log": self.log}  # type: ignore[call-overload]


M = TypeVar("M", bound=Manifest[Any])


def file_hash(path: Path) -> str:
    """The sha256 of a file's bytes (an import of the very same file is found by it)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_arrow(target: Path, table: pa.Table) -> None:
    """A Parquet file (zstd), written atomically."""
    import pyarrow.parquet as pq

    atomic.replace_with(target, lambda tmp: pq.write_table(table, tmp, compression="zstd"), suffix=".parquet")


def matching(batches: Sequence[R], sha256: str, years: list[int]) -> tuple[R | None, list[R]]:
    """The batch that is the very same file (same hash), and, when there is none, the batches
    whose years the new file also covers (they are replaced only when the user confirms)."""
    dup = next((b for b in batches if b.sha256 == sha256), None)
    return dup, [b for b in batches if dup is None and set(b.years) & set(years)]


def lost_years(replaces: Sequence[Record], years: list[int]) -> list[int]:
    """Years that only the replaced batches hold: they disappear with them."""
    old = {y for b in replaces for y in b.years}
    return sorted(old - set(years))


def sweep(folder: Path, live: list[str]) -> None:
    """In one store folder: the batch files whose ids are not ``live`` (the manifest's), and temporary files."""
    names = {f"{i}.parquet" for i in live}
    for f in (folder / BATCH_FOLDER).glob("*"):
        if f.name not in names:
            f.unlink(missing_ok=True)
    for f in folder.glob(".tmp-*"):
        f.unlink(missing_ok=True)


def now() -> str:
    """The time of an import or a removal as the manifest and its log keep it (local ISO, seconds)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


class BatchStore(Generic[R, M]):
    """One kind of batch store inside a store folder.

    ``record`` makes a batch from its manifest entry; ``manifest`` is the manifest's type; ``subfolder`` is where
    in the store folder the kind lives (``""``: the store folder itself); ``counted`` names the log's count and
    the batch's attribute for it (``("personer", "persons")``); ``unknown`` is the message for removing a batch
    that is not there (``{id}`` is its id)."""

    def __init__(self, record: Callable[..., R], manifest: type[M], counted: tuple[str, str], unknown: str,
                 subfolder: str = "") -> None:
        self.record = record
        self.manifest = manifest
        self.counted = counted
        self.unknown = unknown
        self.subfolder = subfolder

    def folder(self, store: Path) -> Path:
        return store / self.subfolder if self.subfolder else store

    def batch_path(self, store: Path, batch_id: str) -> Path:
        return self.folder(store) / BATCH_FOLDER / f"{batch_id}.parquet"

    # --- reading ----------------------------------------------------------------------------------

    def read_manifest(self, store: Path) -> M:
        path = self.folder(store) / MANIFEST
        if not path.exists():
            return self.manifest()
        return self.manifest.from_json(json.loads(path.read_text(encoding="utf-8")), self.record)

    def write_manifest(self, store: Path, m: M) -> None:
        data = json.dumps(m.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
        atomic.write_bytes(self.folder(store) / MANIFEST, data)

    def has_data(self, store: Path) -> bool:
        return bool(self.read_manifest(store).batches)

    def version(self, store: Path) -> str:
        """Changes whenever the stored data changes (for caches): the manifest's time and size."""
        path = self.folder(store) / MANIFEST
        if not path.exists():
            return "empty"
        st = path.stat()
        return f"{st.st_mtime_ns}:{st.st_size}"

    def files(self, store: Path) -> list[Path]:
        """The batch files of the manifest as it is now."""
        return [self.batch_path(store, b.id) for b in self.read_manifest(store).batches]

    def consistent_read(self, store: Path, read: Callable[[list[Path]], T], attempts: int = 3) -> T:
        """``read`` the batch files of one manifest; if a commit removed one under us, read the new manifest."""
        for _ in range(attempts):
            try:
                return read(self.files(store))
            except FileNotFoundError:
                continue
        raise StoreError("Lagringen ändrades hela tiden medan den lästes; försök igen.")

    def matching(self, store: Path, sha256: str, years: list[int]) -> tuple[R | None, list[R]]:
        """:func:`matching` against the batches in the store as it is now."""
        return matching(self.read_manifest(store).batches, sha256, years)

    # --- writing ----------------------------------------------------------------------------------

    def commit(self, store: Path, file: str, sha256: str, years: list[int], replace: bool,
               new: Callable[[str, str, str], R], write: Callable[[M, R], None]) -> R | None:
        """Store a new batch of the file ``file`` (hash ``sha256``, covering ``years``) under the store's lock.

        ``new(id, file name, time)`` makes its record (the file name masked: a name may hold a personnummer, the
        manifest never does); ``write(manifest, batch)`` writes its file (and whatever else the store keeps
        with it, named in the manifest). Overlapping batches are replaced only with ``replace=True``; None (and
        nothing stored) when the same file was imported before."""
        with atomic.locked(store):
            dup, overlap = self.matching(store, sha256, years)  # under the lock: another import may have come first
            if dup is not None:
                return None
            if overlap and not replace:
                names = ", ".join(b.label for b in overlap)
                raise StoreError(f"Filen täcker samma år som {names}. Bekräfta att den ska ersättas.")
            when = now()
            batch = new(uuid.uuid4().hex[:16], mask(file), when)
            m = self.read_manifest(store)
            write(m, batch)
            gone = {b.id for b in overlap}
            m.batches = [b for b in m.batches if b.id not in gone] + [batch]
            key, attribute = self.counted
            m.log.append({"tid": when, "händelse": "import", "fil": batch.file, "sha256": sha256, "batch": batch.id,
                          "rader": batch.rows, key: getattr(batch, attribute), "år": batch.years, "ersatte": sorted(gone)})
            self.write_manifest(store, m)  # the commit point
            self.collect_garbage(store, m)  # the replaced batches too: no manifest names them any more
            return batch

    def remove(self, store: Path, batch_id: str) -> R:
        """Remove one batch (its records disappear from every page)."""
        with atomic.locked(store):
            m = self.read_manifest(store)
            batch: R | None = next((b for b in m.batches if b.id == batch_id), None)
            if batch is None:
                raise StoreError(self.unknown.format(id=batch_id))
            m.batches = [b for b in m.batches if b.id != batch_id]
            m.log.append({"tid": now(), "händelse": "borttagen", "fil": batch.file, "batch": batch.id, "rader": batch.rows})
            self.write_manifest(store, m)
            self.collect_garbage(store, m)
            return batch

    def collect_garbage(self, store: Path, m: M) -> None:
        """Batch and temporary files no manifest names (a replaced or removed batch, an interrupted import);
        a store that keeps more files beside its batches sweeps them too."""
        sweep(self.folder(store), [b.id for b in m.batches])
