from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from jamstalldhet import demo
from jamstalldhet.reading import read_file
from jamstalldhet.records import Prepared, prepare

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's data/store: each gets an empty store."""
    if "JAMSTALLDHET_STORE" not in os.environ or os.environ.get("JAMSTALLDHET_TEST_STORE"):
        monkeypatch.setenv("JAMSTALLDHET_STORE", str(tmp_path_factory.mktemp("store")))


@pytest.fixture(scope="session")
def demo_prep() -> Prepared:
    return prepare(demo.demo_frame())


def read(name: str) -> pd.DataFrame:
    df, problems = read_file(DATA / name)
    assert df is not None, [str(p) for p in problems]
    return df
