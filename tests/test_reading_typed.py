"""Typed inputs (Parquet dictionaries, booleans, timestamps) are validated through codes, not
text per row; the results equal those of the same data read as text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jamstalldhet.base import schema as S
from jamstalldhet.base import validation
from jamstalldhet.intake import reading


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "a": pd.Series(["x", "y", "x", None, None, "x", "y"], dtype="str"),
        "b": pd.Categorical(["k", "k", "k", None, None, "k", "m"]),
        "c": pd.to_datetime(["2018-01-01", None, "2018-01-01", None, None, "2018-01-01", None]),
        "d": pd.Series([1.0, 2.0, 1.0, np.nan, np.nan, 3.0, 2.0]),
        "e": pd.Series([True, False, True, None, None, True, False], dtype="boolean"),
    })


def test_duplicate_rows_equal_pandas() -> None:
    df = _frame()
    got = validation.repeated_rows(df)
    assert got.tolist() == df.duplicated(keep="first").tolist() == [False, False, True, False, True, False, False]


def test_duplicate_rows_random_equal_pandas() -> None:
    rng = np.random.default_rng(7)
    n = 2000
    df = pd.DataFrame({
        i: pd.Series(rng.choice(["a", "b", None], n), dtype="str") if i % 3 == 0
        else pd.Categorical(rng.choice(["u", "v", "w"], n)) if i % 3 == 1
        else pd.Series(rng.integers(0, 3, n)).astype(float).where(rng.random(n) > 0.2)
        for i in range(12)
    })
    assert (validation.repeated_rows(df) == df.duplicated(keep="first").to_numpy()).all()
    assert validation.repeated_rows(df[[0, 1, 2]]).sum() > 0
    # columns of ~1500 distinct values: 1500⁷ > 2⁶², so the combined key is renumbered on the way
    wide = pd.DataFrame({i: rng.integers(0, 1500, n) for i in range(7)})
    wide = pd.concat([wide, wide.sample(300, random_state=1)], ignore_index=True)
    got = validation.repeated_rows(wide)
    assert got.sum() >= 300 and (got == wide.duplicated(keep="first").to_numpy()).all()
    # with the rows' groups known (equal rows share a group), the answer is the same
    groups, _ = validation.codes(df[0])
    assert (validation.repeated_rows(df, groups) == df.duplicated(keep="first").to_numpy()).all()
    wide_groups, _ = validation.codes(wide[3])
    assert (validation.repeated_rows(wide, wide_groups) == wide.duplicated(keep="first").to_numpy()).all()


def test_categorical_text_is_stripped_and_merged() -> None:
    col = pd.Series(pd.Categorical([" Jobb ", "Jobb", None, "  ", "Studier"]))
    assert reading._text(col).tolist() == ["Jobb", "Jobb", "", "", "Studier"]
    cat = reading._stripped_categorical(col)
    assert isinstance(cat.dtype, pd.CategoricalDtype)
    assert cat.astype(str).tolist() == ["Jobb", "Jobb", "", "", "Studier"]
    assert len(set(cat.cat.codes[:2])) == 1  # " Jobb " and "Jobb" are one category
    assert reading._blank(col).tolist() == [False, False, True, True, False]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_typed_parquet_reads_like_text(tmp_path: Path, kind: str) -> None:
    rows = {
        "person_id": ["a", "a", "b", "c", "c"],
        "kon": ["Kvinna", "Kvinna", "Man", "K", "K"],
        "insats": [" Jobb", "Studier", "Jobb ", "Jobb", "Jobb"],
        "startdatum": ["2018-01-05", "2018-02-01", "2018-03-01", "2018-04-01", "2018-05-01"],
        "fragat_om_vald": [True, None, False, True, True],
    }
    if kind == "csv":
        path = tmp_path / "f.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
    else:
        path = tmp_path / "f.parquet"
        table = pa.table({
            "person_id": pa.array(rows["person_id"], pa.large_string()),
            "kon": pa.array(rows["kon"]).dictionary_encode(),
            "insats": pa.array(rows["insats"]).dictionary_encode(),
            "startdatum": pa.array(pd.to_datetime(rows["startdatum"]).to_numpy(), pa.timestamp("ms")),
            "fragat_om_vald": pa.array(rows["fragat_om_vald"], pa.bool_()),
        })
        pq.write_table(table, path)
    ins = reading.inspect(path)
    assert ins.problems == []
    assert ins.frame is not None
    f = ins.frame
    assert f[S.INSATS].astype(str).tolist() == ["Jobb", "Studier", "Jobb", "Jobb", "Jobb"]
    assert f[S.KON].astype(str).tolist() == [S.KVINNA, S.KVINNA, S.MAN, S.KVINNA, S.KVINNA]
    assert f[S.FRAGAT_OM_VALD].tolist() == [True, pd.NA, False, True, True]


def test_typed_parquet_two_genders_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({
        "person_id": ["a", "a", "b", "b"],
        "kon": pa.array(["Kvinna", "Man", "Man", "Man"]).dictionary_encode(),
        "insats": pa.array(["X", "X", "Y", "Y"]).dictionary_encode(),
        "startdatum": pa.array(pd.to_datetime(["2018-01-01"] * 4).to_numpy(), pa.timestamp("ms")),
    }), path)
    ins = reading.inspect(path)
    assert ins.frame is None
    found = {(p.row, p.message.split(".")[0]) for p in ins.problems}
    assert found == {(2, "Samma person har olika kön på olika rader"), (3, "Samma person har olika kön på olika rader"),
                     (5, "Raden är en dubblett av en tidigare rad")}


def test_parquet_date32_columns(tmp_path: Path) -> None:
    import datetime as dt

    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({
        "person_id": ["a", "b"], "kon": ["K", "M"], "insats": ["X", "Y"],
        "startdatum": pa.array([dt.date(2018, 3, 1), dt.date(1850, 1, 1)]),
        "slutdatum": pa.array([None, dt.date(2262, 1, 1)], pa.date32()),  # beyond datetime64[ns]
    }), path)
    ins = reading.inspect(path)
    assert ins.problems == []
    assert ins.frame is not None
    assert [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in ins.frame[S.SLUTDATUM]] == [None, "2262-01-01"]
    assert ins.frame[S.STARTDATUM].dt.strftime("%Y-%m-%d").tolist() == ["2018-03-01", "1850-01-01"]


@pytest.mark.parametrize("cells", [
    ["1985", "", "2001", "+1990", "007"],  # plain integers: Arrow's cast
    ["1985", "1985.0", "", "x", "1e3", "99999999999999999999"],  # anything else: pandas
])
def test_numbers_equal_pandas(cells: list[str]) -> None:
    text = pd.Series(cells, dtype="str")
    got = reading._numbers(text)
    want = pd.to_numeric(text, errors="coerce").astype("float64")
    assert got.equals(want)


@pytest.mark.parametrize("encoding,sep", [("utf-8-sig", ","), ("cp1252", ";"), ("utf-8", "\t")])
def test_headers_of_a_large_csv_are_read_without_its_rows(tmp_path: Path, encoding: str, sep: str) -> None:
    """The headers the import recognises a file's kind by are those of the whole read, from the
    first megabyte only (a quoted header with the separator in it, Swedish letters, spaces)."""
    header = sep.join(['"Person, id"', " Kön ", "Födelseår", "Insats", "Startdatum"])
    row = sep.join(["JB000001", "Kvinna", "1980", "Jobbcenter", "2018-01-01"])
    path = tmp_path / "stor.csv"
    path.write_bytes(("\n".join([header] + [row] * 60_000) + "\n").encode(encoding))
    assert path.stat().st_size > reading._HEADER_BYTES
    headers = reading.read_headers(path)
    assert headers == reading.read_raw(path)[0] == ["Person, id", "Kön", "Födelseår", "Insats", "Startdatum"]


def test_headers_of_parquet_and_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pd.DataFrame({"personnummer": ["x"], "insats": ["y"]}).to_parquet(path)
    assert reading.read_headers(path) == ["personnummer", "insats"]
    broken = tmp_path / "trasig.parquet"
    broken.write_bytes(b"PAR1 inte parquet")
    assert reading.read_headers(broken) is None
    small = tmp_path / "liten.csv"
    small.write_text("a;b\n1;2;3\n", encoding="utf-8")
    assert reading.read_headers(small) is None  # a bad row: the whole (small) file is read and refused


def test_cell_length_is_counted_in_characters_not_bytes() -> None:
    """The byte lengths only rule a column out quickly; a cell of 6 000 ö (12 000 bytes) is not
    too long, one of 10 001 characters is."""
    body = pd.DataFrame({0: pd.Series(["ö" * 6000, "kort"], dtype="str"), 1: pd.Series(["a" * 10_001, "b"], dtype="str"),
                         2: pd.Categorical(["x", "y" * 10_001])})  # a Parquet dictionary: measured per category
    problems = reading.check_cell_sizes(body, ["Anteckning", "Insats", "Avslutsorsak"], "f.csv")
    assert [(p.row, p.column) for p in problems] == [(2, "Insats"), (3, "Avslutsorsak")]


def test_a_quoted_value_may_hold_a_newline(tmp_path: Path) -> None:
    """A file with quotes is split into rows quote-aware (a value may hold a newline); a file
    without any quote cannot have such values and is split the fast way: both read the same rows."""
    quoted = tmp_path / "citat.csv"
    quoted.write_bytes(b'person_id;insats;startdatum\np1;"Jobb\ncenter";2018-01-01\np2;Studier;2018-02-01\n')
    headers, body = reading.read_raw(quoted)
    assert headers == ["person_id", "insats", "startdatum"]
    assert body[1].tolist() == ["Jobb\ncenter", "Studier"]
    plain = tmp_path / "utan_citat.csv"
    plain.write_bytes(b"person_id;insats;startdatum\np1;Jobbcenter;2018-01-01\np2;Studier;2018-02-01\n")
    assert reading.read_raw(plain)[1][1].tolist() == ["Jobbcenter", "Studier"]


def _large_csv(path: Path, broken: bool) -> Path:
    """A CSV over the header sample's size (so its code-like columns are read as categoricals),
    with spaces around values, missing cells, Swedish letters, date-times and, when ``broken``,
    cells the rules refuse."""
    import random

    rng = random.Random(16)
    rows = ["person_id;kön;födelseår;bakgrund;utbildningsnivå;insats;anvisningsdatum;startdatum;slutdatum;avslutsorsak;"
            "frågat om våld;uppgett våld"]
    for i in range(16_000):
        start = f"20{rng.randint(15, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        rows.append(";".join([
            f"P{i:06d}", rng.choice(["Kvinna", " Man", "K", "m "]), rng.choice(["1980", " 1990", "", "2001 "]),
            rng.choice(["Utrikes född", "Inrikes född", ""]), rng.choice(["Gymnasial", "Eftergymnasial ", ""]),
            rng.choice(["Jobbcenter", " Studier", "Praktik "]), rng.choice(["", start]),
            rng.choice([start, f"{start} 00:00:00.000", f" {start}"]), rng.choice(["", "2024-12-31"]),
            rng.choice(["", "Arbete", "Studier", "Annat"]), rng.choice(["", "ja", "Nej"]), rng.choice(["", "nej"])]))
    if broken:
        rows[100] = rows[100].replace("Jobbcenter", "").replace(" Studier", "").replace("Praktik ", "")
        rows[200] = "P999999;Kvinna;19x0;;;Jobbcenter;;2018-02-30;;;kanske;"
        rows[300] = "P999998;Kvinna;1066;;;Jobbcenter;;2018-01-01;2017-01-01;;;"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > reading._HEADER_BYTES
    return path


@pytest.mark.parametrize("broken", [False, True])
def test_a_large_csv_read_with_coded_columns_gives_what_text_gives(tmp_path: Path, broken: bool) -> None:
    """Read with its code-like columns as categoricals (interpreted once per value) or as text,
    a large CSV gives the same canonical frame, or the same problems on the same rows."""
    path = _large_csv(tmp_path / "stor.csv", broken)
    coded = reading.inspect(path)
    plain = reading.inspect_with(path, None, None, reading.map_headers, reading._convert)
    assert reading._coded_positions(path, path.name, None, reading.map_headers, reading.CODED)  # the coded path is taken
    assert [(p.row, p.column, p.message) for p in coded.problems] == [(p.row, p.column, p.message) for p in plain.problems]
    assert bool(coded.problems) == broken
    if not broken:
        assert coded.frame is not None and plain.frame is not None
        pd.testing.assert_frame_equal(coded.frame, plain.frame)
