"""Which records a command or page works on: a file, a store, or the demo data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import demo, store
from .reading import read_file
from .records import Prepared
from .settings import store_dir
from .validation import Problem


@dataclass(frozen=True)
class Source:
    kind: str  # "demo", "store" or "file"
    path: Path | None = None

    @property
    def label(self) -> str:
        if self.kind == "demo":
            return "Demodata (syntetiska deltagare, Jobb Borås 2016–2024)"
        return f"{'Lagrad data' if self.kind == 'store' else 'Fil'}: {self.path}"


def default_source() -> Source:
    """The default store if it holds data, else the demo data."""
    d = store_dir()
    return Source("store", d) if store.has_data(d) else Source("demo")


def load_prepared(source: Source) -> tuple[Prepared | None, list[Problem]]:
    """The records as count arrays; the store and the demo are read straight from Parquet,
    column by column, without a pandas frame of all records."""
    from .records import prepare, prepare_parquet

    if source.kind == "demo":
        return prepare_parquet([demo.DEMO_FILE]), []
    if source.kind == "store" and source.path is not None and store.has_data(source.path):
        return store.load_prepared(source.path), []
    df, problems = load(source)
    return (None, problems) if df is None else (prepare(df), [])


def load(source: Source) -> tuple[pd.DataFrame | None, list[Problem]]:
    if source.kind == "demo":
        return demo.demo_frame(), []
    assert source.path is not None
    if source.kind == "store":
        if not store.has_data(source.path):
            return None, [Problem(str(source.path), None, None, "Lagringsmappen innehåller ingen data.")]
        return store.load(source.path), []
    if not source.path.exists():
        return None, [Problem(source.path.name, None, None, "Filen finns inte.")]
    return read_file(source.path)
