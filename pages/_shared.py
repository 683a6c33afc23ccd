"""Streamlit glue shared by the pages: cached data, the sidebar filters, rendering helpers.

Only UI here; every number comes from the jamstalldhet package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from jamstalldhet import catalogue, sources, store
from jamstalldhet.disclosure import INTERNAL_MARK, Published
from jamstalldhet.records import Prepared
from jamstalldhet.settings import default_k
from jamstalldhet.tables import indicator_table


@st.cache_resource(show_spinner="Läser in data …", max_entries=4)
def _load(kind: str, path: str | None, version: str) -> tuple[Prepared | None, str]:
    src = sources.Source(kind, None if path is None else Path(path))
    prep, problems = sources.load_prepared(src)
    if prep is None:
        return None, "\n".join(str(p) for p in problems)
    return prep, ""


@dataclass(frozen=True)
class Data:
    prep: Prepared
    source: sources.Source
    years: list[int]
    version: str  # changes when the stored data changes: part of every cache key


def data() -> Data:
    src = sources.default_source()
    version = store.version(src.path) if src.kind == "store" and src.path else "demo"
    prep, err = _load(src.kind, None if src.path is None else str(src.path), version)
    if prep is None:
        st.error(err)
        st.stop()
    return Data(prep, src, prep.years(), version)


def _query_int(name: str) -> int | None:
    try:
        return int(st.query_params[name])
    except (KeyError, ValueError):
        return None


def report_mode() -> bool:
    """Rapportläge (``?rapport=1``): one målområde without sidebar and widgets, at A4 width."""
    return st.query_params.get("rapport") == "1"


REPORT_CSS = """<style>
[data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 794px; padding: 1.5rem 2rem 2rem 2rem; }
</style>"""


def sidebar_filters(d: Data) -> None:
    """The filters shared by all pages: År and internt läge. Kept in session and URL."""
    years = sorted(d.years, reverse=True)
    if not years:
        st.warning("Det finns ingen data att visa.")
        st.stop()
    if "ar" not in st.session_state or report_mode():
        q = _query_int("ar")
        st.session_state["ar"] = q if q in years else years[0]
    if st.session_state["ar"] not in years:
        st.session_state["ar"] = years[0]
    if report_mode():
        st.html(REPORT_CSS)
        return
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
    if not st.session_state.get("_via_dashboard") and not st.get_option("global.appTest"):
        # A server whose first request is a deep link (/arsrapport) runs it in Streamlit's old
        # pages/-folder mode, without dashboard.py (wrong menu, wrong layout), and stays in that
        # mode until dashboard.py calls st.navigation. Leave the old mode (Streamlit 1.67 keeps it
        # in this class flag) and run again, through dashboard.py.
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.session_state["_via_dashboard"] = True
        st.rerun()
    d = data()
    sidebar_filters(d)
    return d


def year() -> int:
    return int(st.session_state["ar"])


def k() -> int:
    """Internt läge turns suppression off; never in rapportläge, which is for publishing."""
    return 0 if st.session_state.get("internt") and not report_mode() else default_k()


def internal_banner() -> None:
    if k() <= 1:
        st.error(f"**{INTERNAL_MARK}.** Internt läge: små tal visas utan röjandekontroll.", icon="⚠️")


def published(d: Data, by: str | None = None) -> Published:
    """The year's table of all records (no group filters)."""
    return filtered(d, {}, by=by)


def cat() -> catalogue.Catalogue:
    try:
        return catalogue.load()
    except catalogue.CatalogueError as exc:
        st.error(str(exc))
        st.stop()


def show_table(df: pd.DataFrame) -> None:
    """An interactive table; in rapportläge a static one (no toolbar, nothing to click)."""
    if report_mode():
        st.table(df.set_index(df.columns[0]))
    else:
        st.dataframe(df, hide_index=True, width="stretch")


# --- målområde pages ---------------------------------------------------------------------
ALL = "alla"
FILTER_LABELS = {"insats": "Insatser", "aldersgrupp": "Åldersgrupp", "bakgrund": "Bakgrund", "utbildningsniva": "Utbildningsnivå"}


def group_filters(d: Data, defaults: dict[str, tuple[str, ...]] | None = None) -> dict[str, list[str]]:
    """Sidebar multiselects for insats, age group, background and education (empty = alla).

    The choice is kept in the URL (``?insats=A|B``) so a link reopens the same view."""
    from jamstalldhet import schema as S

    chosen: dict[str, list[str]] = {}
    for dim, label in FILTER_LABELS.items():
        options = list(d.prep.categories[dim]) if dim in d.prep.categories else list(S.DIMENSION_VALUES[dim])
        default = list((defaults or {}).get(dim, ()))
        key = f"f_{dim}"
        if key not in st.session_state or report_mode():
            q = st.query_params.get(dim)
            initial = [] if q == ALL else q.split("|") if q else default
            st.session_state[key] = [o for o in initial if o in options]
        if not report_mode():
            st.sidebar.multiselect(label, options, key=key, placeholder="Alla")
        chosen[dim] = list(st.session_state[key])
        if chosen[dim]:
            st.query_params[dim] = "|".join(chosen[dim])
        elif default:
            st.query_params[dim] = ALL  # "alla", not the catalogue's default
        elif dim in st.query_params:
            del st.query_params[dim]
    return chosen


@st.cache_data(max_entries=128, show_spinner=False)
def _filtered_table(_prep: Prepared, version: str, year: int, by: str | None, k: int, filters: tuple[tuple[str, tuple[str, ...]], ...]) -> Published:
    from jamstalldhet.records import subset

    sub = subset(_prep, year, {dim: list(v) for dim, v in filters})
    return indicator_table(sub, year, by=by, k=k)


def filtered(d: Data, filters: dict[str, list[str]], year_: int | None = None, by: str | None = None) -> Published:
    key = tuple((dim, tuple(v)) for dim, v in sorted(filters.items()))
    return _filtered_table(d.prep, d.version, year() if year_ is None else year_, by, k(), key)


def downloads(df: pd.DataFrame, stem: str, pub: Published, key: str) -> None:
    from jamstalldhet import export

    mark = "_INTERNT" if pub.internal else ""
    cols = st.columns([1, 1, 1, 3])
    cols[0].download_button("CSV för Excel", export.csv_excel(df), f"{stem}{mark}.csv", "text/csv", key=f"{key}_xl", on_click="ignore")
    cols[1].download_button("CSV", export.csv_plain(df), f"{stem}{mark}_punkt.csv", "text/csv", key=f"{key}_csv", on_click="ignore")
    cols[2].download_button("Excel (.xlsx)", export.xlsx({stem: df}, pub.note), f"{stem}{mark}.xlsx",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                            on_click="ignore")


def chart_config(stem: str) -> dict[str, object]:
    """The camera button saves PNG at print resolution with a sensible file name; no buttons in rapportläge."""
    if report_mode():
        return {"displayModeBar": False, "staticPlot": False}
    return {"toImageButtonOptions": {"format": "png", "filename": stem, "scale": 3}, "displaylogo": False}


def report_link() -> None:
    """Opens this view in rapportläge in a new tab (same year and filters)."""
    from urllib.parse import urlencode

    params = {key: st.query_params[key] for key in st.query_params}
    st.sidebar.link_button("Rapportläge (för skärmdump)", "?" + urlencode({**params, "rapport": "1"}),
                           help="Öppnar målområdet utan meny och knappar, i A4-bredd, i en ny flik.")


def narrative_section(mid: str, y: int, pub: Published) -> None:
    """The målområde's follow-up text for the year: shown (figures filled in), edited, versions kept."""
    from jamstalldhet import narrative, presentation

    st.header(f"Uppföljning {y}")
    text = narrative.read(y, mid)
    if text.strip():
        st.markdown(presentation.fill_figures(text, pub))
    elif not report_mode():
        st.info(f"Det finns ingen uppföljningstext för {y} ännu. Skriv den under *Redigera uppföljningstexten*.")
    if report_mode():
        return
    with st.expander("Redigera uppföljningstexten"):
        key = f"text_{mid}_{y}"
        new = st.text_area(
            f"Uppföljning {y} (Markdown)", value=text, key=key, height=260,
            help="Skriv aktiviteter, läge och beslut. **fet**, *kursiv* och listor med - fungerar. "
                 "Siffror hämtas ur data med t.ex. {{deltagare.kvinnor}}, {{deltagare.män}}, {{deltagare.totalt}}, "
                 "{{avslut_arbete.kvinnor}} (andel) eller {{avslut_arbete.kvinnor.antal}} (antal).",
        )
        if st.button("Spara texten", key=f"save_{key}", type="primary"):
            try:
                changed = narrative.save(y, mid, new)
            except (narrative.NarrativeError, OSError) as exc:
                st.error(f"Texten kunde inte sparas: {exc}")
            else:
                if changed:
                    st.success("Texten är sparad. Den tidigare versionen finns kvar under Tidigare versioner.")
                else:
                    st.info("Inget att spara: texten är oförändrad.")
        earlier = narrative.versions(y, mid)
        if earlier:
            st.markdown("**Tidigare versioner**")
            v = st.selectbox("Version", earlier, format_func=lambda v: f"Sparad {v.label}", key=f"ver_{key}")
            st.code(v.text(), language="markdown", wrap_lines=True)
            if st.button("Återställ den här versionen", key=f"restore_{key}"):
                narrative.save(y, mid, v.text())
                st.session_state.pop(key, None)
                st.rerun()


def render_malomrade(mid: str) -> None:
    """One målområde: every indicator of the catalogue with chart, table, breakdown, trend, then its text."""
    import re

    from jamstalldhet import charts, export, presentation

    d = setup()
    c = cat()
    area = c.malomrade(mid)
    filters = group_filters(d, {"insats": area.insatser})
    report = report_mode()
    if not report:
        report_link()
    y = year()
    pub = filtered(d, filters)
    st.title(area.title)
    internal_banner()
    st.markdown(area.description)
    active = [f"{FILTER_LABELS[k_]}: {', '.join(v)}" for k_, v in filters.items() if v]
    st.caption(f"År {y} · " + ("; ".join(active) if active else "Alla deltagare") + f" · {pub.note}")
    slug = re.sub(r"[^a-z0-9]+", "-", mid.lower())
    all_tables = st.container()
    sheets: dict[str, pd.DataFrame] = {}
    for iid in area.indicators:
        view = presentation.indicator_view(pub, c, iid)
        st.subheader(view.title)
        st.caption(view.definition)
        stem = f"{iid}_{slug}_{y}"
        st.plotly_chart(view.figure, width="stretch", config=chart_config(stem), key=f"chart_{iid}")
        show_table(view.table)
        sheets[c.text(iid).short] = view.export
        if report:
            continue
        downloads(view.export, stem, pub, key=f"dl_{iid}")
        with st.expander(f"Dela upp {view.title.lower()} och se trend"):
            by = st.selectbox("Dela upp på", [None, *area.breakdowns], key=f"by_{iid}",
                              format_func=lambda v: "Ingen uppdelning" if v is None else FILTER_LABELS[v])
            if by:
                bpub = filtered(d, filters, by=by)
                show_table(presentation.breakdown_table(bpub, c, iid))
                downloads(presentation.export_table(bpub, c, [iid]), f"{stem}_{by}", bpub, key=f"dlb_{iid}")
            pubs = [filtered(d, filters, year_=yy) for yy in sorted(d.years)]
            trend = presentation.trend_frame(pubs, iid)
            st.plotly_chart(charts.trend_chart(trend, f"{view.title} över tid", view.rate, pub.note), width="stretch",
                            config=chart_config(f"{iid}_{slug}_trend"), key=f"trend_{iid}")
    if not report:
        mark = "_INTERNT" if pub.internal else ""
        all_tables.download_button(
            "Alla tabeller på sidan (.xlsx)", export.xlsx(sheets, pub.note), f"{slug}_{y}{mark}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_alla", icon=":material/download:",
            on_click="ignore",
        )
    narrative_section(mid, y, pub)
    if report:
        st.caption(f"{pub.note}. Källa: {d.source.label}.")
