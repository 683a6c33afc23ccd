"""Views: everything a page or the report shows for a målområde, without any UI.

A page reads its widgets, asks a view of this module and draws it; the report asks the same
views. So the scope of a målområde (its own selection of insatser), the text that says what a
table covers, the indicator views, the page's workbook and the trend are made in one place.

>>> from jamstalldhet.compute import catalogue
>>> from jamstalldhet.intake import demo
>>> from jamstalldhet.intake.records import prepare_parquet
>>> cat = catalogue.load()
>>> area = cat.malomraden[1]
>>> view = malomrade(prepare_parquet([demo.DEMO_FILE]), cat, area, 2018, 5, default_filters(area))
>>> view.scope, [v.id for v in view.indicators][:2], view.pub.perturbed
('Alla deltagare', ['deltagare', 'anvisade'], True)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..base import schema as S
from ..base.types import FilterDict, FilterMapping
from ..compute.catalogue import Catalogue, Malomrade
from ..disclosure import control as disclosure
from ..disclosure.control import Published
from ..disclosure.tables import indicator_table
from ..intake.records import Prepared
from . import presentation

if TYPE_CHECKING:
    from .export import About as export_About



def default_filters(area: Malomrade) -> FilterDict:
    """A målområde's own scope: its selection of insatser from the catalogue (none = all)."""
    return {S.INSATS: list(area.insatser)} if area.insatser else {}


def scope_label(filters: FilterMapping) -> str:
    """What a table covers, in words: "Insatser: A, B; Åldersgrupp: 25–34" or "Alla deltagare"."""
    parts = [f"{S.DIMENSION_LABELS[dim]}: {', '.join(v)}" for dim, v in filters.items() if v]
    return "; ".join(parts) if parts else "Alla deltagare"


def slug(text: str) -> str:
    """A file-name-safe form of an id or title, å, ä, ö folded to a, a, o ("makt-och-halsa";
    "Jämställda utbetalningar" → "jamstalla-utbetalningar")."""
    from .export import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text.lower())).strip("-")


def filter_slug(filters: FilterMapping, defaults: FilterMapping | None = None) -> str:
    """What a file's name says of its filter: "_bakgrund-utrikes-fodd" for each dimension chosen
    otherwise than the default ("alla" where the default selection was widened to all); "" unfiltered."""
    defaults = defaults or {}
    parts = []
    for dim in sorted(set(filters) | set(defaults)):
        chosen = list(filters.get(dim, []))
        if chosen != list(defaults.get(dim, [])):
            parts.append(slug(f"{S.DIMENSION_LABELS[dim]} {' '.join(chosen) if chosen else 'alla'}"))
    return "".join(f"_{p}" for p in parts)


@dataclass(frozen=True)
class MalomradeView:
    """One målområde for one year and scope: its published table and every indicator's view."""

    area: Malomrade
    year: int
    filters: FilterDict
    pub: Published
    indicators: list[presentation.IndicatorView]
    short_titles: list[str]

    @property
    def scope(self) -> str:
        return scope_label(self.filters)

    @property
    def slug(self) -> str:
        return slug(self.area.id)

    def stem(self, iid: str) -> str:
        """The file name (without extension) of one indicator's chart and table, with its filter."""
        return f"{iid}_{self.slug}_{self.year}{filter_slug(self.filters, default_filters(self.area))}"

    @property
    def sheets(self) -> dict[str, pd.DataFrame]:
        """Every table of the page, one sheet per indicator (for the page's workbook and the report's zip)."""
        return {short: v.export for short, v in zip(self.short_titles, self.indicators, strict=True)}

    def about(self, source: str = "", title: str | None = None) -> export_About:
        """What this målområde's files say they are (title, year, selection, source, notes)."""
        from . import export

        return export.About(title or self.area.title, str(self.year), self.scope, source, self.pub.note,
                            export.method_line(self.pub.k))

    def workbook(self, extract_id: str | None = None, source: str = "") -> tuple[str, bytes]:
        """The page's workbook: its file name and its bytes (an internal one with its extract id, in
        both); a sheet per indicator, each with its title, the year, selection and source."""
        from . import export

        stem = f"{self.slug}_{self.year}{filter_slug(self.filters, default_filters(self.area))}" + (
            f"_{extract_id}" if extract_id else "")
        base = self.about(source)
        if extract_id:
            base = export.About(base.title, base.year, base.selection, base.source,
                                f"{base.note} · {export.extract_line(extract_id)}", base.method)
        abouts = {short: base.with_title(f"{v.title} – {self.area.title} {self.year}")
                  for short, v in zip(self.short_titles, self.indicators, strict=True)}
        return disclosure.file_name(stem, self.pub.internal) + ".xlsx", export.workbook(self.sheets, abouts)


def malomrade_from(pub: Published, cat: Catalogue, area: Malomrade, year: int, filters: FilterDict) -> MalomradeView:
    """The view of a målområde from its published table (pages pass their cached table)."""
    views = [presentation.indicator_view(pub, cat, iid) for iid in area.indicators]
    return MalomradeView(area, year, filters, pub, views, [cat.text(iid).short for iid in area.indicators])


def malomrade(prep: Prepared, cat: Catalogue, area: Malomrade, year: int, k: int, filters: FilterDict) -> MalomradeView:
    """The view of a målområde, its table computed here (the report; the command line)."""
    return malomrade_from(indicator_table(prep, year, k=k, filters=filters), cat, area, year, filters)


def trend(table_of_year: Callable[[int], Published], years: list[int], iid: str) -> pd.DataFrame:
    """One indicator over the years, each year's published (for a filtered view: perturbed) value."""
    return presentation.trend_frame([table_of_year(y) for y in sorted(years)], iid)


@dataclass(frozen=True)
class ReportSection:
    """A section of the annual report beyond the målområden (resources, payments): a sentence, a
    figure with its text alternative, display tables and the numbers for the report's workbooks."""

    year: int
    title: str
    sentence: str
    figure: Any  # a plotly figure
    tables: dict[str, pd.DataFrame]  # title → display table (Swedish numbers, ``..``)
    exports: dict[str, pd.DataFrame]  # sheet name → numbers for the report's xlsx
    note: str

    @property
    def slug(self) -> str:
        return slug(self.title)
