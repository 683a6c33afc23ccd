"""Published indicator tables: records -> indicators -> statistics -> disclosure control."""

from __future__ import annotations

from . import disclosure, indicators, stats
from .disclosure import Published
from .records import Prepared


def indicator_table(prep: Prepared, year: int, by: str | None = None, k: int = disclosure.DEFAULT_K) -> Published:
    """Every indicator of ``year`` (optionally by a dimension), ready to publish."""
    return disclosure.protect(stats.annotate(indicators.compute(prep, year, by)), k=k, by=by)
