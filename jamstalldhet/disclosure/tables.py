"""Published indicator tables: records -> (filter) -> indicators -> disclosure control."""

from __future__ import annotations

from ..base.types import FilterMapping, Filters
from ..compute import indicators
from ..intake.records import Prepared, subset
from . import control as disclosure
from .control import Published


def indicator_table(prep: Prepared, year: int, by: str | None = None, k: int = disclosure.DEFAULT_K,
                    filters: FilterMapping | Filters | None = None) -> Published:
    """Every indicator of ``year`` (optionally by a dimension), ready to publish.

    ``filters`` (``{dimension: accepted values}``, empty list = all) restrict the records as the
    sidebar does. Filtered or not, a published table is protected the same way (the cell-key method).
    """
    active = Filters.of(filters)
    sub = subset(prep, year, active.as_dict()) if active else prep
    return disclosure.publish(indicators.counts(sub, year, by), k=k, by=by, year=year)
