"""The payment store (``utbetalningar/`` in the store folder): atomic batches, duplicates,
replacement of overlapping years, and no effect on the participant store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jamstalldhet.app import sources
from jamstalldhet.intake import store
from jamstalldhet.payments import reading as PR
from jamstalldhet.payments import store as PS
from jamstalldhet.payments import table as P
from tests.conftest import DATA

HAND = DATA / "utbetalningar_handraknad.csv"


def frame(path: Path = HAND) -> pd.DataFrame:
    df, problems = PR.read_file(path)
    assert df is not None, [str(p) for p in problems]
    return df


def commit(target: Path, df: pd.DataFrame, name: str, sha: str, replace: bool = False) -> PS.Batch | None:
    return PS.commit(target, df, name, PS.plan(target, df, sha), replace=replace)


def test_commit_and_load_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "store"
    df = frame()
    plan = PS.plan(target, df, PS.file_hash(HAND))
    assert (plan.rows, plan.households, plan.years, plan.duplicate_of, plan.replaces) == (18, 7, [2021, 2022], None, [])
    batch = PS.commit(target, df, HAND.name, plan)
    assert batch is not None and batch.years == [2021, 2022]
    pd.testing.assert_frame_equal(PS.load(target), df)
    assert PS.has_data(target) and (target / "utbetalningar" / "manifest.json").exists()
    assert PS.batch_path(target, batch.id).exists()
    # the participant store is untouched: no manifest, no data
    assert not (target / store.MANIFEST).exists() and not store.has_data(target)
    assert [e["händelse"] for e in PS.read_manifest(target).log] == ["import"]


def test_same_file_is_not_stored_twice(tmp_path: Path) -> None:
    target = tmp_path / "store"
    df = frame()
    sha = PS.file_hash(HAND)
    first = commit(target, df, HAND.name, sha)
    assert first is not None
    again = PS.plan(target, df, sha)
    assert again.duplicate_of == first and again.replaces == []
    assert PS.commit(target, df, "kopia.csv", again) is None
    assert len(PS.read_manifest(target).batches) == 1
    assert len(PS.load(target)) == 18


def test_overlapping_years_replaced_only_on_confirmation(tmp_path: Path) -> None:
    target = tmp_path / "store"
    df = frame()
    first = commit(target, df, "2021-2022.csv", "a" * 64)
    assert first is not None
    only_2022 = df[df[PR.UTBETALNINGSDATUM].dt.year == 2022].reset_index(drop=True)
    plan = PS.plan(target, only_2022, "b" * 64)
    assert plan.replaces == [first] and plan.lost_years == [2021]
    with pytest.raises(PS.StoreError, match="Bekräfta"):
        PS.commit(target, only_2022, "2022.csv", plan)
    assert len(PS.load(target)) == 18  # nothing changed
    second = PS.commit(target, only_2022, "2022.csv", plan, replace=True)
    assert second is not None
    assert [b.id for b in PS.read_manifest(target).batches] == [second.id]
    assert not PS.batch_path(target, first.id).exists()
    assert len(PS.load(target)) == 2
    assert PS.read_manifest(target).log[-1]["ersatte"] == [first.id]


def test_disjoint_years_are_added(tmp_path: Path) -> None:
    target = tmp_path / "store"
    df = frame()
    commit(target, df[df[PR.UTBETALNINGSDATUM].dt.year == 2021], "2021.csv", "a" * 64)
    plan = PS.plan(target, df[df[PR.UTBETALNINGSDATUM].dt.year == 2022], "b" * 64)
    assert plan.replaces == []
    PS.commit(target, df[df[PR.UTBETALNINGSDATUM].dt.year == 2022], "2022.csv", plan)
    assert len(PS.load(target)) == 18
    t = P.table(PS.load(target), k=0)
    assert t.years() == [2021, 2022]


def test_remove_and_version(tmp_path: Path) -> None:
    target = tmp_path / "store"
    assert PS.version(target) == "empty" and PS.load(target).empty
    batch = commit(target, frame(), "a.csv", "a" * 64)
    assert batch is not None
    v1 = PS.version(target)
    PS.remove(target, batch.id)
    assert PS.version(target) != v1 and not PS.has_data(target)
    assert not PS.batch_path(target, batch.id).exists()
    with pytest.raises(PS.StoreError):
        PS.remove(target, batch.id)


def test_a_failed_write_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "store"
    first = commit(target, frame(), "a.csv", "a" * 64)
    assert first is not None

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disken är full")

    monkeypatch.setattr(PS.ENGINE, "write_manifest", boom)
    with pytest.raises(OSError):
        commit(target, frame(), "b.csv", "b" * 64, replace=True)
    monkeypatch.undo()
    assert [b.id for b in PS.read_manifest(target).batches] == [first.id]
    assert len(PS.load(target)) == 18
    commit(target, frame(), "c.csv", "c" * 64, replace=True)  # the next commit collects the orphan batch file
    assert len(list((target / "utbetalningar" / "batches").glob("*.parquet"))) == 1


def test_personnummer_never_reach_the_store(tmp_path: Path) -> None:
    target = tmp_path / "store"
    f = DATA / "utbetalningar_personnummer.csv"
    commit(target, frame(f), f.name, PS.file_hash(f))
    blob = b"".join(p.read_bytes() for p in (target / "utbetalningar").rglob("*") if p.is_file())
    for digits in (b"8503151238", b"850315-1238", b"850315-1246", b"900101-2385", b"9001012385"):
        assert digits not in blob


def test_payments_for_each_source(tmp_path: Path) -> None:
    target = tmp_path / "store"
    assert sources.payments_for("store", target) is None
    assert sources.payments_for("file", tmp_path / "x.csv") is None
    demo = sources.payments_for("demo", None)
    assert demo is not None and len(demo) > 1000
    commit(target, frame(), "a.csv", "a" * 64)
    stored = sources.payments_for("store", target)
    assert stored is not None and len(stored) == 18


def test_import_file_for_the_command_line(tmp_path: Path) -> None:
    target = tmp_path / "store"
    code, lines = PS.import_file(DATA / "utbetalningar_fel.csv", target)
    assert code == 1 and lines[-1] == "Inget lagrades." and any("rad 3, kolumn belopp" in line for line in lines)
    assert not PS.has_data(target)
    code, lines = PS.import_file(HAND, target)
    assert code == 0 and lines == [f"Lagrade 18 utbetalningar för 7 hushåll, år 2021–2022, i {target / 'utbetalningar'}."]
    code, lines = PS.import_file(HAND, target)
    assert code == 0 and "redan importerad" in lines[0]
    other = DATA / "utbetalningar_personnummer.csv"
    code, lines = PS.import_file(other, target)
    assert code == 1 and "--replace" in lines[-1]
    code, lines = PS.import_file(other, target, replace=True)
    assert code == 0 and "ersatte 1" in lines[0]
    assert len(PS.load(target)) == 3
