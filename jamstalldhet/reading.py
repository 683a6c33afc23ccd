"""Reading files into the canonical frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .records import canonical


def read_parquet_canonical(path: Path) -> pd.DataFrame:
    """A Parquet file written by this package (canonical columns)."""
    return canonical(pq.read_table(path).to_pandas())
