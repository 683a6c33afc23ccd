"""The same aggregates as jamstalldhet.compute.indicators, written idiomatically in polars and in DuckDB.

Only for the benchmark: numerators of every indicator for one year, per group of one breakdown
and gender (person-level distinct counts, the latest ending per person and group decides the
outcome, ties to the last row). Returned as a long frame (indicator, group, gender, count).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from jamstalldhet.base import schema as S

if TYPE_CHECKING:  # pandas and DuckDB are imported where used: the whole-process polars script needs neither
    import duckdb
    import pandas as pd

GENDER = {S.KVINNA: S.KVINNOR, S.MAN: S.MAN_PLURAL, S.ANNAT: S.ANNAT_OKANT}
OUTCOME_IND = {S.ARBETE: "avslut_arbete", S.STUDIER: "avslut_studier", S.ARBETSMARKNADSANSTALLNING: "avslut_arbetsmarknadsanstallning",
               S.OHALSA: "avslut_ohalsa", S.ANNAT_UTFALL: "avslut_annat"}
EDGES = [g[1] for g in S.AGE_GROUPS[1:]]  # 25, 35, 45, 55, 65


# --- polars ------------------------------------------------------------------------------------

def _pl_age_group(year: int) -> pl.Expr:
    age = year - pl.col(S.FODELSEAR)
    expr = pl.when(pl.col(S.FODELSEAR).is_null() | (pl.col(S.FODELSEAR) == 0) | (age < 0)).then(pl.lit(S.OKAND))
    for (label, _lo, hi) in S.AGE_GROUPS[:-1]:
        expr = expr.when(age <= hi).then(pl.lit(label))
    return expr.otherwise(pl.lit(S.AGE_GROUPS[-1][0]))


def polars_counts(df: pl.DataFrame | pl.LazyFrame, year: int, by: str | None) -> pd.DataFrame:
    """``by=None``: the totals only (group ``Totalt``)."""
    return _long(polars_frame(df, year, by).to_pandas())


def polars_frame(df: pl.DataFrame | pl.LazyFrame, year: int, by: str | None) -> pl.DataFrame:
    """:func:`polars_counts` as a polars frame (indicator, _g, kon, count), without pandas."""
    lo, hi = date(year, 1, 1), date(year, 12, 31)
    if by is None:
        grp = pl.lit(S.TOTALT)
    else:
        grp = _pl_age_group(year) if by == S.ALDERSGRUPP else pl.col(by).cast(pl.String)
    base = df.lazy().with_row_index("_row").with_columns(grp.alias("_g"))
    start, end, ref = pl.col(S.STARTDATUM), pl.col(S.SLUTDATUM), pl.col(S.ANVISNINGSDATUM)
    active = base.filter(start.is_not_null() & (start <= hi) & (end.is_null() | (end >= lo)))
    ended = base.filter(end.is_not_null() & (end >= lo) & (end <= hi))
    referred = base.filter(ref.is_not_null() & (ref >= lo) & (ref <= hi))

    def persons(frame: pl.LazyFrame, name: str) -> pl.LazyFrame:
        return (frame.select(S.PERSON_ID, "_g", S.KON).unique([S.PERSON_ID, "_g"])
                .group_by("_g", S.KON).agg(pl.len().alias("count")).with_columns(pl.lit(name).alias("indicator")))

    latest = (ended.sort(S.SLUTDATUM, "_row").group_by(S.PERSON_ID, "_g")
              .agg(pl.col(S.AVSLUTSORSAK).cast(pl.String).fill_null(S.ANNAT_UTFALL).last(), pl.col(S.KON).first()))
    outcomes = (latest.filter(pl.col(S.AVSLUTSORSAK).cast(pl.String).is_in(list(OUTCOME_IND)))
                .group_by("_g", S.KON, S.AVSLUTSORSAK).agg(pl.len().alias("count"))
                .with_columns(pl.col(S.AVSLUTSORSAK).cast(pl.String).replace_strict(OUTCOME_IND).alias("indicator"))
                .drop(S.AVSLUTSORSAK))
    asked = active.filter(pl.col(S.FRAGAT_OM_VALD) == True).select(S.PERSON_ID, "_g", S.KON).unique([S.PERSON_ID, "_g"])  # noqa: E712
    told = (active.filter(pl.col(S.UPPGETT_VALD) == True).select(S.PERSON_ID, "_g").unique()  # noqa: E712
            .join(asked, on=[S.PERSON_ID, "_g"], how="inner"))
    cols = ["indicator", "_g", S.KON, "count"]
    parts = [persons(active, "deltagare"), persons(referred, "anvisade"), persons(ended, "avslutade"), outcomes,
             persons(asked, "fragat_om_vald"), persons(told, "uppgett_vald")]
    return pl.concat([p.select(cols) for p in parts]).collect()


# --- DuckDB ------------------------------------------------------------------------------------

def duckdb_counts(con: duckdb.DuckDBPyConnection, table: str, year: int, by: str) -> pd.DataFrame:
    lo, hi = f"DATE '{year}-01-01'", f"DATE '{year}-12-31'"
    if by == S.ALDERSGRUPP:
        cases = " ".join(f"WHEN {year} - {S.FODELSEAR} <= {hi_} THEN '{label}'" for label, _lo, hi_ in S.AGE_GROUPS[:-1])
        grp = (f"CASE WHEN {S.FODELSEAR} IS NULL OR {S.FODELSEAR} = 0 OR {year} - {S.FODELSEAR} < 0 THEN '{S.OKAND}' "
               f"{cases} ELSE '{S.AGE_GROUPS[-1][0]}' END")
    else:
        grp = f"CAST({by} AS VARCHAR)"
    outcome_case = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in OUTCOME_IND.items())
    sql = f"""
    WITH base AS (SELECT *, row_number() OVER () AS _row, {grp} AS _g FROM {table}),
    active AS (SELECT * FROM base WHERE {S.STARTDATUM} <= {hi} AND ({S.SLUTDATUM} IS NULL OR {S.SLUTDATUM} >= {lo})),
    ended AS (SELECT * FROM base WHERE {S.SLUTDATUM} BETWEEN {lo} AND {hi}),
    referred AS (SELECT * FROM base WHERE {S.ANVISNINGSDATUM} BETWEEN {lo} AND {hi}),
    asked AS (SELECT DISTINCT {S.PERSON_ID}, _g, {S.KON} FROM active WHERE {S.FRAGAT_OM_VALD}),
    told AS (SELECT DISTINCT t.{S.PERSON_ID}, t._g, t.{S.KON} FROM active t
             SEMI JOIN asked a ON t.{S.PERSON_ID} = a.{S.PERSON_ID} AND t._g = a._g WHERE t.{S.UPPGETT_VALD}),
    latest AS (SELECT {S.PERSON_ID}, _g, arg_max({S.KON}, ({S.SLUTDATUM}, _row)) AS {S.KON},
                      arg_max(coalesce(CAST({S.AVSLUTSORSAK} AS VARCHAR), '{S.ANNAT_UTFALL}'), ({S.SLUTDATUM}, _row)) AS utfall
               FROM ended GROUP BY ALL)
    SELECT 'deltagare' AS indicator, _g, {S.KON}, count(DISTINCT {S.PERSON_ID}) AS count FROM active GROUP BY ALL
    UNION ALL SELECT 'anvisade', _g, {S.KON}, count(DISTINCT {S.PERSON_ID}) FROM referred GROUP BY ALL
    UNION ALL SELECT 'avslutade', _g, {S.KON}, count(DISTINCT {S.PERSON_ID}) FROM ended GROUP BY ALL
    UNION ALL SELECT CASE utfall {outcome_case} END, _g, {S.KON}, count(*) FROM latest
              WHERE utfall IN ({", ".join(f"'{k}'" for k in OUTCOME_IND)}) GROUP BY ALL
    UNION ALL SELECT 'fragat_om_vald', _g, {S.KON}, count(*) FROM asked GROUP BY ALL
    UNION ALL SELECT 'uppgett_vald', _g, {S.KON}, count(*) FROM told GROUP BY ALL
    """
    return _long(con.sql(sql).df())


def _long(df: pd.DataFrame) -> pd.DataFrame:
    df = df.rename(columns={"_g": "group"})
    df["gender"] = df[S.KON].astype(str).map(GENDER)
    df["group"] = df["group"].astype(str)
    return df[["indicator", "group", "gender", "count"]].astype({"count": "int64"})


def ours_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """jamstalldhet.compute.indicators.compute's numerators in the same long shape (groups only)."""
    f = frame[(frame["group"] != S.TOTALT) & (frame["gender"] != S.TOTALT)]
    return f[["indicator", "group", "gender", "count"]].astype({"count": "int64"})


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal counts for every (indicator, group, gender), zero where one side has no row."""
    key = ["indicator", "group", "gender"]
    m = a.groupby(key)["count"].sum().to_frame("a").join(b.groupby(key)["count"].sum().to_frame("b"), how="outer").fillna(0)
    return bool((m["a"] == m["b"]).all())
