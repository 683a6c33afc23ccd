"""Canonical records: the fixed columns and dtypes that reading produces and everything after it uses.

A canonical frame has the columns of :data:`schema.COLUMNS` with fixed dtypes. Reading and
validation interpret raw values and report problems; :func:`canonical` only fixes the types.
pandas is imported by the functions that take or make frames: :func:`year_span`, which the
Parquet paths use, needs none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..base import schema as S

if TYPE_CHECKING:
    import pandas as pd


def _categorical(values: object, categories: tuple[str, ...] | list[str], n: int) -> pd.Categorical:
    """Values as a categorical with exactly ``categories`` (others become missing)."""
    import pandas as pd

    if values is None:
        return pd.Categorical([None] * n, categories=list(categories))
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        cat = values.array
        assert isinstance(cat, pd.Categorical)
        if list(cat.categories) == list(categories):
            return cat
        return cat.set_categories(list(categories))
    arr: Any = values.to_numpy() if isinstance(values, pd.Series) else values
    result: pd.Categorical = pd.Categorical(arr, categories=list(categories))
    return result


def _labels(values: object, n: int) -> pd.Categorical:
    """Free labels (the categories: the labels in use, sorted, as text), missing where absent:
    the outcome as the file wrote it (:data:`schema.AVSLUTSORSAK_KALLA`), which an older store's
    batch or a file without it lacks."""
    import pandas as pd

    if values is None:
        return cast("pd.Categorical", pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8),
                                                               dtype=pd.CategoricalDtype(pd.Index([], dtype="str"))))
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        cat = series.array
        assert isinstance(cat, pd.Categorical)
        codes, texts = cat.codes, [str(c) for c in cat.categories]
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        texts = [str(u) for u in uniques]
    used = np.bincount(codes[codes >= 0], minlength=len(texts)) > 0 if len(texts) else np.zeros(0, dtype=bool)
    labels = sorted({t for t, u in zip(texts, used, strict=True) if u})
    position = {t: i for i, t in enumerate(labels)}
    lookup = np.array([position.get(t, -1) for t in texts] + [-1], dtype=np.int32)
    return cast("pd.Categorical", pd.Categorical.from_codes(lookup[codes], dtype=pd.CategoricalDtype(pd.Index(labels, dtype="str"))))


def canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Cast a frame that already holds canonical values to the canonical dtypes.

    Values outside a category list become missing; reading/validation is where
    raw values are interpreted and reported, this only fixes the types. Columns that
    already have the canonical dtype are taken as they are (no copy of the values).
    """
    import pandas as pd

    n = len(df)
    out: dict[str, object] = {}
    pid = df[S.PERSON_ID]
    out[S.PERSON_ID] = pid.array if pd.api.types.is_string_dtype(pid) and not pid.dtype == object else pid.astype("string").array
    out[S.KON] = _categorical(df.get(S.KON), S.GENDER_VALUES, n)
    out[S.FODELSEAR] = (
        pd.to_numeric(df[S.FODELSEAR], errors="coerce").astype("Int16").array
        if S.FODELSEAR in df
        else pd.array([pd.NA] * n, dtype="Int16")
    )
    for col, values in ((S.BAKGRUND, S.BAKGRUND_VALUES), (S.UTBILDNINGSNIVA, S.UTBILDNING_VALUES)):
        cat = _categorical(df.get(col), values, n)
        out[col] = cat.fillna(S.OKAND) if cat.isna().any() else cat
    ins = df[S.INSATS]
    if isinstance(ins.dtype, pd.CategoricalDtype):
        cat = ins.array
        assert isinstance(cat, pd.Categorical)
        codes = cat.codes
        if not np.bincount(codes[codes >= 0], minlength=len(cat.categories)).all():  # counted, not sorted
            cat = cat.remove_unused_categories()
        out[S.INSATS] = cat.reorder_categories(sorted(cat.categories))
    else:
        out[S.INSATS] = pd.Categorical(ins.astype("str"))  # categories: the values, sorted (str, as from a Parquet dictionary)
    for col in S.DATE_COLUMNS:
        raw = df[col] if col in df else pd.Series([pd.NaT] * n, dtype="datetime64[ms]")
        if not pd.api.types.is_datetime64_any_dtype(raw):
            raw = pd.to_datetime(raw, errors="coerce")
        out[col] = raw.astype("datetime64[ms]").array
    out[S.AVSLUTSORSAK] = _categorical(df.get(S.AVSLUTSORSAK), S.OUTCOMES, n)
    out[S.AVSLUTSORSAK_KALLA] = _labels(df.get(S.AVSLUTSORSAK_KALLA), n)
    for col in S.BOOL_COLUMNS:
        raw = df[col] if col in df else pd.Series([pd.NA] * n)
        out[col] = raw.astype("boolean").array
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)  # the columns as made above (copy-on-write keeps them safe)


def year_span(first_day: int | None, last_day: int | None) -> list[int]:
    """Every calendar year from the one of ``first_day`` to the one of ``last_day`` (days since 1970).

    The one rule for "the years the records touch", used by the store's import plan and by the
    pages' year list: the first and the last date of any kind (referral, start, end).

    >>> year_span(17532, 18262)  # 2018-01-01 .. 2020-01-01
    [2018, 2019, 2020]
    """
    if first_day is None or last_day is None:
        return []
    y0, y1 = (int(np.datetime64(int(d), "D").astype("datetime64[Y]").astype(int)) + 1970 for d in (first_day, last_day))
    return list(range(y0, y1 + 1))


def years_of(df: pd.DataFrame) -> list[int]:
    """The years a canonical frame's records touch (see :func:`year_span`)."""
    import pandas as pd

    lo: int | None = None
    hi: int | None = None
    for col in S.DATE_COLUMNS:
        d = pd.to_datetime(df[col], errors="coerce").dropna()
        if len(d):
            days = d.to_numpy(dtype="datetime64[D]").astype(np.int64)
            lo = int(days.min()) if lo is None else min(lo, int(days.min()))
            hi = int(days.max()) if hi is None else max(hi, int(days.max()))
    return year_span(lo, hi)


def person_count(df: pd.DataFrame) -> int:
    """Distinct persons of a canonical frame."""
    return int(df[S.PERSON_ID].nunique())
