"""Which records a command or page works on: a file, a store, or the demo data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import demo, store
from .reading import read_file
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
