"""Tables as numpy columns, and the pandas frame made from them only where one is wanted.

The indicators, their statistics and their disclosure control work on a :data:`Columns` table:
one numpy array per column, all of one length. A value that may be missing (a suppressed count,
a significance that was not tested) is a ``numpy.ma.MaskedArray``, whose mask says which entries
are missing; text is an object array of ``str``. The command line reads these arrays directly,
so ``indicators`` never imports pandas (about a third of a second of every run, issue 16); the
pages, the report and the files ask for :func:`frame_of`, which gives the frame they have always
had: masked integers as ``Int64``, masked booleans as ``boolean``, masked floats as NaN, text as
pandas' ``str``. Arrow columns become numpy arrays here too (:func:`arrow_numpy`), from their
buffers, because pyarrow's own conversions import pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Columns = dict[str, Any]  # name -> numpy array or numpy.ma.MaskedArray


def length(cols: Columns) -> int:
    """The number of rows (0 for a table without columns)."""
    return len(next(iter(cols.values()))) if cols else 0


def text(values: list[str] | tuple[str, ...]) -> npt.NDArray[np.object_]:
    """A text column (object array of ``str``; ``np.array`` would make fixed-width unicode)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def masked(values: npt.ArrayLike, missing: npt.ArrayLike) -> np.ma.MaskedArray[Any, Any]:
    """``values`` with the entries of ``missing`` marked missing (the mask is always a full array)."""
    arr = np.asarray(values)
    return np.ma.MaskedArray(arr, mask=np.broadcast_to(np.asarray(missing, dtype=bool), arr.shape).copy())


def take(cols: Columns, rows: npt.NDArray[np.int64]) -> Columns:
    """The rows ``rows`` of every column (masks kept)."""
    return {name: col[rows] for name, col in cols.items()}


def frame_of(cols: Columns) -> pd.DataFrame:
    """The pandas frame of a :data:`Columns` table (pandas is imported here, not before)."""
    import pandas as pd

    data: dict[str, Any] = {}
    for name, col in cols.items():
        if isinstance(col, np.ma.MaskedArray):
            mask = np.ma.getmaskarray(col)
            values = np.asarray(col.data)
            if values.dtype.kind in "iu":
                data[name] = pd.arrays.IntegerArray(values.astype(np.int64), mask.copy())
            elif values.dtype.kind == "b":
                data[name] = pd.arrays.BooleanArray(values.astype(bool), mask.copy())
            else:
                data[name] = np.where(mask, np.nan, values.astype(np.float64))
        elif col.dtype == object:
            data[name] = pd.array(col, dtype="str")
        else:
            data[name] = col
    return pd.DataFrame(data, index=pd.RangeIndex(length(cols)))


def columns_of(frame: pd.DataFrame) -> Columns:
    """The :data:`Columns` of a frame (the inverse of :func:`frame_of`): nullable integer and
    boolean columns become masked arrays, text becomes ``str`` objects."""
    import pandas as pd

    out: Columns = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_extension_array_dtype(col.dtype) and col.dtype.kind in "iub":  # Int64, boolean
            missing = col.isna().to_numpy()
            fill: Any = False if col.dtype.kind == "b" else 0
            out[str(name)] = masked(col.fillna(fill).to_numpy(dtype=bool if col.dtype.kind == "b" else np.int64), missing)
        elif pd.api.types.is_string_dtype(col.dtype) or col.dtype == object:
            out[str(name)] = text(["" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
                                   for v in col.tolist()])
        else:
            out[str(name)] = col.to_numpy()
    return out


def value(col: Any, i: int) -> Any:
    """Entry ``i`` of a column as a Python value (None where it is missing)."""
    if isinstance(col, np.ma.MaskedArray):
        return None if bool(np.ma.getmaskarray(col)[i]) else col.data[i].item()
    v = col[i]
    if isinstance(v, float) and v != v:
        return None
    return v.item() if isinstance(v, np.generic) else v


# --- Arrow to numpy without pandas ------------------------------------------------------------
# pyarrow's own conversions (``to_numpy``, ``pa.array``, ``pa.scalar``, a compute function given a
# Python value) import pandas to look for pandas objects or options, which costs a third of a
# second and is what the typed path avoids. These read and make the buffers themselves.

def arrow_missing(arr: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """Which entries of an Arrow array are missing (its validity bitmap, unpacked)."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        return np.concatenate([arrow_missing(c) for c in arr.chunks]) if arr.num_chunks else np.zeros(0, dtype=bool)
    n, validity = len(arr), arr.buffers()[0]
    if arr.null_count == 0 or validity is None:
        return np.zeros(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
    missing: npt.NDArray[np.bool_] = bits[arr.offset : arr.offset + n] == 0
    return missing


def arrow_numpy(arr: pa.Array | pa.ChunkedArray, fill: int | float | None = None) -> npt.NDArray[Any]:
    """A fixed-width Arrow array (integers, floats, booleans; cast dates and times to integers
    first) as numpy, read from its buffers; missing entries become ``fill`` (which must be given
    when there are any). Read-only when nothing had to be filled (no copy)."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        parts = [arrow_numpy(c, fill) for c in arr.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=_numpy_type(arr.type))
    n = len(arr)
    if pa.types.is_boolean(arr.type):
        bits = np.unpackbits(np.frombuffer(arr.buffers()[1], dtype=np.uint8), bitorder="little") if n else np.zeros(0, np.uint8)
        values: npt.NDArray[Any] = bits[arr.offset : arr.offset + n].astype(bool)
    else:
        kind = _numpy_type(arr.type)
        values = np.frombuffer(arr.buffers()[1], dtype=kind, count=arr.offset + n)[arr.offset :] if n else np.zeros(0, dtype=kind)
    if arr.null_count:
        if fill is None:
            raise ValueError("missing entries need a fill value")
        fill_type = np.dtype(np.float64) if isinstance(fill, float) else np.min_scalar_type(fill)
        values = values.astype(np.result_type(values.dtype, fill_type))  # a copy, wide enough for ``fill``
        values[arrow_missing(arr)] = fill
    return values


def _numpy_type(t: pa.DataType) -> np.dtype[Any]:
    """numpy's type of an Arrow integer, float or boolean type."""
    import pyarrow as pa

    if pa.types.is_boolean(t):
        return np.dtype(bool)
    if pa.types.is_floating(t):
        return np.dtype(f"f{t.bit_width // 8}")
    if pa.types.is_integer(t):
        return np.dtype(f"{'i' if pa.types.is_signed_integer(t) else 'u'}{t.bit_width // 8}")
    raise TypeError(f"not a fixed-width number: {t}")


def arrow_of(values: npt.NDArray[Any]) -> pa.Array:
    """An Arrow array of a numpy integer or float array (no missing entries), on its buffer."""
    import pyarrow as pa

    arr = np.ascontiguousarray(values)
    kinds = {"i": {1: pa.int8(), 2: pa.int16(), 4: pa.int32(), 8: pa.int64()}, "u": {1: pa.uint8(), 2: pa.uint16(), 4: pa.uint32(),
             8: pa.uint64()}, "f": {4: pa.float32(), 8: pa.float64()}}
    return pa.Array.from_buffers(kinds[arr.dtype.kind][arr.dtype.itemsize], len(arr), [None, pa.py_buffer(arr)])
