"""Streamlit glue shared by the pages: cached data, the sidebar filters, rendering helpers.

Only UI here; every number comes from the jamstalldhet package.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from jamstalldhet import catalogue, sources, store
from jamstalldhet.disclosure import INTERNAL_MARK, Published
from jamstalldhet.records import Prepared, prepare
from jamstalldhet.settings import default_k
from jamstalldhet.tables import indicator_table


@st.cache_resource(show_spinner="Läser in data …", max_entries=4)
def _load(kind: str, path: str | None, version: str) -> tuple[Prepared | None, str]:
    src = sources.Source(kind, None if path is None else __import__("pathlib").Path(path))
    df, problems = sources.load(src)
    if df is None:
        return None, "\n".join(str(p) for p in problems)
    return prepare(df), ""


@dataclass(frozen=True)
class Data:
    prep: Prepared
    source: sources.Source
    years: list[int]


def data() -> Data:
    src = sources.default_source()
    version = store.version(src.path) if src.kind == "store" and src.path else "demo"
    prep, err = _load(src.kind, None if src.path is None else str(src.path), version)
    if prep is None:
        st.error(err)
        st.stop()
    return Data(prep, src, prep.years())


def _query_int(name: str) -> int | None:
    try:
        return int(st.query_params[name])
    except (KeyError, ValueError):
        return None


def sidebar_filters(d: Data) -> None:
    """The filters shared by all pages: År and internt läge. Kept in session and URL."""
    years = sorted(d.years, reverse=True)
    if not years:
        st.warning("Det finns ingen data att visa.")
        st.stop()
    if "ar" not in st.session_state:
        q = _query_int("ar")
        st.session_state["ar"] = q if q in years else years[0]
    if st.session_state["ar"] not in years:
        st.session_state["ar"] = years[0]
    st.sidebar.selectbox("År", years, key="ar", help="Kalenderår som uppföljningen gäller.")
    st.query_params["ar"] = str(st.session_state["ar"])
    st.sidebar.toggle(
        "Internt läge",
        key="internt",
        help="Visar även små tal (färre än k personer). Får inte publiceras.",
    )
    st.sidebar.caption(d.source.label)


def setup() -> Data:
    """Load the data and draw the shared sidebar filters; every page starts with this."""
    d = data()
    sidebar_filters(d)
    return d


def year() -> int:
    return int(st.session_state["ar"])


def k() -> int:
    return 0 if st.session_state.get("internt") else default_k()


def internal_banner() -> None:
    if st.session_state.get("internt"):
        st.error(f"**{INTERNAL_MARK}.** Internt läge: små tal visas utan röjandekontroll.", icon="⚠️")


@st.cache_data(max_entries=64, show_spinner=False)
def _table(_prep: Prepared, version: str, year: int, by: str | None, k: int) -> Published:
    return indicator_table(_prep, year, by=by, k=k)


def published(d: Data, by: str | None = None) -> Published:
    version = store.version(d.source.path) if d.source.kind == "store" and d.source.path else "demo"
    return _table(d.prep, version, year(), by, k())


def cat() -> catalogue.Catalogue:
    try:
        return catalogue.load()
    except catalogue.CatalogueError as exc:
        st.error(str(exc))
        st.stop()


def show_table(df: pd.DataFrame) -> None:
    st.dataframe(df, hide_index=True, width="stretch")
