"""The Parquet store of imported records.

Layout: ``<store>/batches/*.parquet`` (one file per import). Readers take every batch.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .records import canonical


def batch_files(store: Path) -> list[Path]:
    return sorted((store / "batches").glob("*.parquet"))


def has_data(store: Path) -> bool:
    return bool(batch_files(store))


def version(store: Path) -> str:
    """Changes whenever the stored data changes (for caches)."""
    files = batch_files(store)
    return "|".join(f"{f.name}:{f.stat().st_mtime_ns}:{f.stat().st_size}" for f in files)


def load(store: Path) -> pd.DataFrame:
    """All stored records as one canonical frame."""
    files = batch_files(store)
    frames = [pq.read_table(f).to_pandas() for f in files]
    return canonical(pd.concat(frames, ignore_index=True))
