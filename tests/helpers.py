"""Reference forms and facts that only the tests use (issue 30: moved here from the package, which has no
caller for them). Each is a one-value or pandas form of what the package computes on arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from jamstalldhet.base import schema as S
from jamstalldhet.base.columnar import columns_of, frame_of
from jamstalldhet.compute import stats
from jamstalldhet.show.charts import META_ALT, META_EMPTY

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

#: Dimensions in which every person belongs to exactly one group in a year, so that the groups add up
#: to the total. A person may be in several insatser, so ``insats`` is not one of them.
PARTITIONING_DIMENSIONS: Final = (S.BAKGRUND, S.UTBILDNINGSNIVA, S.ALDERSGRUPP)


def wilson(count: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of ``count / n`` (one pair of :func:`stats.wilson_arrays`); NaN for n = 0."""
    lo, hi = stats.wilson_arrays(np.array([count]), np.array([n]))
    return (float(lo[0]), float(hi[0]))


def is_even(women: int, men: int) -> bool | None:
    """True when women and men each make up 40–60 % of the two (None if there is nobody)."""
    w, m = float(women), float(men)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = stats.even_of_shares(np.array([w]) / (w + m), np.array([m]) / (w + m))
    return None if bool(np.ma.getmaskarray(value)[0]) else bool(value.data[0])


def annotate(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`stats.annotate_columns` of a frame from :func:`indicators.compute`, as a frame."""
    return frame_of(stats.annotate_columns(columns_of(table)))


def describe(fig: go.Figure, sentence: str, suppressed: bool = False) -> go.Figure:
    """Attach a text alternative to a figure, as the chart functions do (``layout.meta``)."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, META_ALT: sentence, META_EMPTY: suppressed})
    return fig
