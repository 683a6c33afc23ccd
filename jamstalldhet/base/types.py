"""The value types and type aliases that recur across the folders.

``Filters`` is the group filter as one frozen, hashable value (cache and memo keys, a plan's measure); a
``FilterMapping`` is the same filter as the command line, the sidebar and the views write it
(``{dimension: accepted labels}``). ``ProtectedTable`` is what the three protected tables have in common
(``disclosure/control.Published``, ``resources/table.ResourceTable``, ``payments/table.PaymentTable``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NewType, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd

Year: TypeAlias = int  # a calendar year: 2018
Dimension: TypeAlias = str  # a breakdown or filter column of schema.DIMENSIONS: "insats", "aldersgrupp", …
FilterMapping: TypeAlias = Mapping[Dimension, Sequence[str]]  # {dimension: accepted labels}; empty labels = all
FilterDict: TypeAlias = dict[Dimension, list[str]]  # the same, as the views and the command line keep it
#: what the data a page reads is, as its caches key it: the store's version (its manifest's hash), or "demo";
#: it changes whenever an import commits or is removed, so no cache serves figures of older data
DataVersion = NewType("DataVersion", str)


@dataclass(frozen=True)
class Filters:
    """The group filter as one hashable value: for each filtered dimension, in the order of the
    dimensions' names, the accepted labels in the order given. A dimension without labels filters
    nothing and is left out, so ``{}`` and ``{"insats": []}`` are the same (empty, false) filter.

    >>> f = Filters.of({"insats": ["Jobb"], "aldersgrupp": []})
    >>> f, bool(f), f.as_dict()
    (Filters(pairs=(('insats', ('Jobb',)),)), True, {'insats': ['Jobb']})
    >>> Filters.of(None) == Filters.of({"kon": []}) == Filters()
    True
    """

    pairs: tuple[tuple[Dimension, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, filters: FilterMapping | Filters | None = None) -> Filters:
        if isinstance(filters, Filters):
            return filters
        return cls(tuple(sorted((dim, tuple(values)) for dim, values in (filters or {}).items() if values)))

    def as_dict(self) -> FilterDict:
        return {dim: list(values) for dim, values in self.pairs}

    def __bool__(self) -> bool:
        return bool(self.pairs)


@runtime_checkable
class ProtectedTable(Protocol):
    """A table that went through the disclosure control: its threshold ``k`` (0: internt läge),
    whether it is internal, the note every copy of it carries, its year and its pandas frame."""

    @property
    def k(self) -> int: ...

    @property
    def internal(self) -> bool: ...

    @property
    def note(self) -> str: ...

    @property
    def year(self) -> Year | None: ...

    @property
    def frame(self) -> pd.DataFrame: ...
