"""Dates written as ISO date-times (contract section 1): the date part is taken, in the same
vectorised pass as the other date forms; typed timestamps (Parquet) likewise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from jamstalldhet.base import schema as S
from jamstalldhet.intake import reading

DATA = Path(__file__).resolve().parent / "data"


def _days(frame: pd.DataFrame, col: str) -> list[str | None]:
    return [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in frame[col]]


def test_parse_dates_takes_the_date_part() -> None:
    cells = ["2015-01-01 00:00:00.000", "2018-03-01T00:00:00.000", "2018-03-02T13:05", "2018-03-03 23:59:59",
             "2018-03-04 00:00:00.000000Z", "2018-03-05 01:00:00.000000+0100", "2018-03-06T00:00:00+01:00",
             # refused: no such day, no such time of day, trailing text, a form the contract does not list
             "2018-02-30 00:00:00", "2018-03-01 24:00:00", "2018-03-01 00:61:00", "2018-03-01 00:00:00 x",
             "2018/03/01 00:00:00", "2018-03-01 0:00", ""]
    out, bad = reading.parse_dates(pd.Series(cells, dtype="str"))
    got = [None if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M") for v in out]
    assert got == ["2015-01-01 00:00", "2018-03-01 00:00", "2018-03-02 00:00", "2018-03-03 00:00", "2018-03-04 00:00",
                   "2018-03-05 00:00", "2018-03-06 00:00", None, None, None, None, None, None, None]
    assert bad.tolist() == [False] * 7 + [True] * 6 + [False]


def test_hand_written_csv_with_date_times() -> None:
    ins = reading.inspect(DATA / "datumtid.csv")
    assert ins.problems == []
    assert ins.frame is not None
    assert _days(ins.frame, S.ANVISNINGSDATUM) == ["2015-01-01", None, "2017-12-31"]
    assert _days(ins.frame, S.STARTDATUM) == ["2015-01-15", "2018-03-01", "2018-01-02"]
    assert _days(ins.frame, S.SLUTDATUM) == ["2018-03-01", None, "2018-12-31"]


def _typed_table() -> pa.Table:
    stockholm = pa.timestamp("us", tz="Europe/Stockholm")
    return pa.table({
        "person_id": ["a", "b", "c"],
        "kon": ["Kvinna", "Man", "Kvinna"],
        "insats": ["X", "Y", "X"],
        "anvisningsdatum": pa.array([dt.datetime(2015, 1, 1), None, dt.datetime(2017, 12, 31, 23, 59)], pa.timestamp("ms")),
        "startdatum": pa.array([dt.datetime(2015, 1, 15), dt.datetime(2018, 3, 1, 8, 30), dt.datetime(2018, 1, 2)], pa.timestamp("s")),
        # 00:30 in Stockholm is still the 1st of March there (23:30 on 28 February in UTC)
        "slutdatum": pa.array([dt.datetime(2018, 2, 28, 23, 30, tzinfo=dt.UTC), None, dt.datetime(2018, 12, 31, tzinfo=dt.UTC)],
                              pa.timestamp("us", tz="UTC")).cast(stockholm),
    })


def test_csv_written_by_pyarrow(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    pacsv.write_csv(_typed_table(), path)
    text = path.read_text(encoding="utf-8")
    assert "2015-01-01 00:00:00.000" in text and "2018-03-01 00:30:00.000000+0100" in text  # as pyarrow writes them
    ins = reading.inspect(path)
    assert ins.problems == []
    assert ins.frame is not None
    assert _days(ins.frame, S.ANVISNINGSDATUM) == ["2015-01-01", None, "2017-12-31"]
    assert _days(ins.frame, S.STARTDATUM) == ["2015-01-15", "2018-03-01", "2018-01-02"]
    assert _days(ins.frame, S.SLUTDATUM) == ["2018-03-01", None, "2018-12-31"]


def test_parquet_with_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "export.parquet"
    pq.write_table(_typed_table(), path)
    ins = reading.inspect(path)
    assert ins.problems == []
    assert ins.frame is not None
    assert _days(ins.frame, S.STARTDATUM) == ["2015-01-15", "2018-03-01", "2018-01-02"]
    assert _days(ins.frame, S.SLUTDATUM) == ["2018-03-01", None, "2018-12-31"]  # the date where it was written
    assert ins.frame[S.STARTDATUM].dt.hour.tolist() == [0, 0, 0]


def test_bad_time_of_day_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "fel.csv"
    path.write_text("person_id,kon,insats,startdatum\nA,K,X,2018-03-01 00:00:00\nB,M,X,2018-03-01 25:00:00\n", encoding="utf-8")
    ins = reading.inspect(path)
    assert ins.frame is None
    assert [(p.row, p.column) for p in ins.problems] == [(3, "startdatum")]
    assert "Datumet kan inte läsas" in ins.problems[0].message


def test_the_one_cast_for_plain_iso_columns_agrees_with_the_forms() -> None:
    """A column whose filled cells are all plain ISO dates is read by one strict cast; it gives
    what the form-by-form reading gives, and any other cell sends the column to that reading."""
    import random

    rng = random.Random(16)
    days = [f"{rng.randint(1900, 2099):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(2000)]
    days += ["2020-02-29", "2018-12-31", "2018-01-01", ""]
    arr = pa.array(days)
    assert reading._strptime_arrow(arr).equals(reading._strptime_forms(arr))
    for odd in ["2018-02-30", "2019-02-29", "2018-04-31", "20180301", "2018/03/01", "2018-03-01 00:00:00", "2018-3-1", "x"]:
        mixed = pa.array(days[:50] + [odd])
        assert reading._strptime_arrow(mixed).equals(reading._strptime_forms(mixed)), odd
