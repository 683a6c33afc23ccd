"""Which records a command or page works on: a file, a store, or the demo data (and the
payments of ekonomiskt bistånd that go with them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.settings import store_dir
from ..base.validation import Problem
from ..intake import store

if TYPE_CHECKING:
    import pandas as pd

    from ..intake.records import Prepared
    from ..intake.unknown_values import UnknownValue

# The readers that make pandas frames (reading, demo, the payments) are imported by the functions
# that use them: counting from a canonical Parquet file, the store or the demo loads no pandas.


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
    column by column, without a pandas frame of all records, and so is a file that is canonical
    Parquet already (:mod:`jamstalldhet.intake.typed`, which applies reading's rules in Arrow); any other
    file is read, interpreted and validated by :mod:`jamstalldhet.intake.reading`."""
    from ..intake.records import load_store, prepare, prepare_parquet

    if source.kind == "demo":
        from ..intake.demo import DEMO_FILE

        return prepare_parquet([DEMO_FILE]), []
    if source.kind == "store" and source.path is not None and store.has_data(source.path):
        return load_store(source.path), []
    if source.kind == "file" and source.path is not None and source.path.exists():
        prep, problems, _ = load_file(source.path)
        return prep, problems
    df, problems = load(source)
    return (None, problems) if df is None else (prepare(df), [])


def load_file(path: Path, allow_unknown: bool = False) -> tuple[Prepared | None, list[Problem], tuple[UnknownValue, ...]]:
    """One participant file as count arrays (see :func:`load_prepared`), and the values of its coded
    columns that no synonym list knows: problems, unless ``allow_unknown`` (then they take their
    defaults, and the caller says so)."""
    from ..intake import typed
    from ..intake.records import prepare, prepare_table

    checked = typed.inspect(path)
    if checked is not None:  # canonical Parquet: its table, validated, without pandas (no value is unknown there)
        return (None, checked.problems, ()) if checked.table is None else \
            (prepare_table(checked.table, checked.persons, checked.ids), [], ())
    from ..intake.reading import inspect

    ins = inspect(path, allow_unknown=allow_unknown)  # reading's person codes, not made again
    return (None, ins.problems, ins.unknown) if ins.frame is None else (prepare(ins.frame, ins.persons), [], ins.unknown)


def load(source: Source) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The records as one canonical frame (pages and commands that need a frame)."""
    from ..intake import demo
    from ..intake.reading import read_file

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


def payments_for(kind: str, path: Path | None) -> pd.DataFrame | None:
    """The payments that go with a participant source: the store's own payments, the demo
    payments with the demo data, none for a single file (or a store without payments)."""
    if kind == "demo":
        from ..payments import demo as demo_payments

        return demo_payments.demo_frame()
    if kind == "store" and path is not None:
        from ..payments import store as payment_store

        return payment_store.load(path) if payment_store.has_data(path) else None
    return None  # a single file: nothing to import


def default_payments() -> tuple[str, Path | None]:
    """Where the dashboard's payments come from: the default store's payments when it has some
    (even if it holds no participant records), else the demo payments when the participant data
    is the demo, else none (``("none", None)``)."""
    from ..payments import store as payment_store

    target = store_dir()
    if payment_store.has_data(target):
        return "store", target
    return ("demo", None) if default_source().kind == "demo" else ("none", None)
