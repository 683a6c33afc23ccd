"""Streamlit glue shared by the pages: cached data, the sidebar filters and URL state, drawing helpers
(tables, charts, downloads). The målområde page itself is pages/_malomrade.py.

Only UI here; every number comes from the jamstalldhet package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import pandas as pd
import streamlit as st

from jamstalldhet.app import sources
from jamstalldhet.base.schema import DIMENSION_LABELS
from jamstalldhet.base.settings import default_k
from jamstalldhet.base.types import DataVersion, Filters, ProtectedTable
from jamstalldhet.compute import catalogue
from jamstalldhet.disclosure.control import INTERNAL_MARK, Published
from jamstalldhet.disclosure.tables import indicator_table
from jamstalldhet.intake import store
from jamstalldhet.intake.records import Prepared
from pages import _swedish


@st.cache_resource(show_spinner="Läser in data …", max_entries=2)
def _load(kind: str, path: str | None, version: str) -> tuple[Prepared | None, str]:
    """The dataset, loaded once for the whole server: sessions that arrive together all count as
    cache misses, but Streamlit computes a key once at a time and the others take its result
    (tests/test_loader.py). Two entries: the current version and, while sessions move on after
    an import, the one before it."""
    prep, problems = sources.load_prepared(sources.Source(kind, None if path is None else Path(path)))
    return (prep, "") if prep is not None else (None, "\n".join(str(p) for p in problems))


T = TypeVar("T")


@st.cache_resource(max_entries=256, show_spinner=False)
def _shared(key: tuple[object, ...], _make: Callable[[], Any]) -> Any:
    return _make()


def shared(key: tuple[object, ...], make: Callable[[], T]) -> T:
    """``make()``, made once per ``key`` for the whole server and handed to every session as it is
    (not copied): the figures, display tables and files a page shows, which a rerun would otherwise
    build again for every session and every visit (measured: most of a rerun's time, issue 16).
    ``key`` must name everything the result depends on (data version, year, filters, k, …), and
    nobody may change the result in place."""
    return cast(T, _shared(key, make))


@dataclass(frozen=True)
class Data:
    prep: Prepared
    source: sources.Source
    years: list[int]
    version: DataVersion  # changes when the stored data changes: part of every cache key


def data() -> Data:
    src = sources.default_source()
    version = DataVersion(store.version(src.path) if src.kind == "store" and src.path else "demo")
    prep, err = _load(src.kind, None if src.path is None else str(src.path), version)
    if prep is None:
        st.error(err)
        st.stop()
    return Data(prep, src, prep.whole_years(), version)  # a year the data cover only in part is not offered


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
[data-testid="stTable"] { font-size: 0.75rem; }
[data-testid="stTable"] th, [data-testid="stTable"] td { padding: 0.3rem 0.35rem; }
</style>"""


#: the content width of rapportläge, Streamlit's centred layout (736 px less its padding; an A4 page's text is
#: 658 px), in CSS pixels: its width and padding are Streamlit's own, so nothing is laid out twice (issue 26)
REPORT_WIDTH = 704


def sidebar_filters(d: Data) -> None:
    """The filters shared by all pages: År and internt läge. Kept in session and URL."""
    years = sorted(d.years, reverse=True)
    if not years:
        st.warning("Det finns ingen data att visa.")
        st.stop()
    # The year lives in "_ar" as well as in the widget's key "ar": Streamlit forgets a widget's
    # state when a run of another page does not draw it, and the year must follow the user
    # from page to page (the menu's links carry no ?ar=).
    if report_mode() or ("ar" not in st.session_state and "_ar" not in st.session_state):
        q = _query_int("ar")
        chosen = q if q in years else years[0]
    else:
        chosen = st.session_state.get("ar", st.session_state.get("_ar"))
    if chosen not in years:
        chosen = years[0]
    st.session_state["ar"] = st.session_state["_ar"] = chosen
    from jamstalldhet.base.access import Right
    from pages import _auth

    if "internt" in st.query_params:
        _auth.require(Right.INTERNAL)  # a reader who adds it to the URL gets "Du saknar behörighet"
    if report_mode():
        st.html(REPORT_CSS)
        return
    st.sidebar.selectbox("År", years, key="ar", help="Kalenderår som uppföljningen gäller.")
    st.query_params["ar"] = str(st.session_state["ar"])
    if _auth.allowed(Right.INTERNAL):
        st.sidebar.toggle(
            "Internt läge",
            key="internt",
            help="Visar även små tal (färre än k personer). Får inte publiceras.",
            on_change=_internal_switched,
        )
    else:
        st.session_state.pop("internt", None)
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
    from jamstalldhet.base.settings import SettingsError

    try:
        default_k()  # a threshold below 5 from the environment is refused at start, on every page
    except SettingsError as exc:
        st.error(f"Instrumentpanelen kan inte starta: {exc}")
        st.stop()
    # Swedish only (issue 26): Streamlit's table and chart toolbars speak English ("Show/hide columns",
    # "Download as CSV", "Search", "Fullscreen") and cannot be translated; every table has its own Swedish
    # downloads, so the toolbars are hidden. (An element's own height is unchanged: nothing moves.)
    st.html(PAGE_CSS, width="content")
    # again after st.navigation: in a server's first session (Streamlit's pages/-folder mode) dashboard.py runs
    # nested, and what it drew before st.navigation could be replaced before the browser ran it
    _swedish.install()
    d = data()
    st.session_state["_filters_now"] = {}  # group_filters() sets the page's filters (for the event log and files)
    st.session_state["_filters_default"] = {}
    sidebar_filters(d)
    return d


def year() -> int:
    return int(st.session_state["ar"])


def _internal_switched() -> None:
    """The toggle's callback: only a user with the right may turn internt läge on; it is logged."""
    from jamstalldhet.base import eventlog
    from jamstalldhet.base.access import Right
    from pages import _auth

    if not st.session_state.get("internt"):
        return
    if not _auth.allowed(Right.INTERNAL):
        st.session_state["internt"] = False
        _auth.log(eventlog.REFUSED, f"{Right.INTERNAL.value} · sida {_auth._page()}")
        return


def k() -> int:
    """Internt läge turns suppression off; never in rapportläge, which is for publishing, and
    only for a user with the right to it (checked on every call, whatever the session state says)."""
    from jamstalldhet.base.access import Right
    from pages import _auth

    internal = st.session_state.get("internt") and not report_mode() and _auth.allowed(Right.INTERNAL)
    return 0 if internal else default_k()


def internal_banner() -> None:
    """The internt läge banner; each page, year and filter seen in internt läge is logged once per session."""
    if k() <= 1:
        st.error(f"**{INTERNAL_MARK}.** Internt läge: små tal visas utan röjandekontroll.", icon="⚠️")
        log_internal_view()


def log_internal_view() -> None:
    from jamstalldhet.base import eventlog
    from pages import _auth

    context = extract_context()
    seen: set[str] = st.session_state.setdefault("_internal_logged", set())
    if context not in seen:
        seen.add(context)
        _auth.log(eventlog.INTERNAL, context)


def published(d: Data, by: str | None = None) -> Published:
    """The year's table of all records (no group filters)."""
    return filtered(d, {}, by=by)


def cat() -> catalogue.Catalogue:
    try:
        return catalogue.load()
    except catalogue.CatalogueError as exc:
        st.error(str(exc))
        st.stop()


# Every page's own styles (issue 26):
# - Streamlit's table and chart toolbars speak English and cannot be translated; every table has its own
#   Swedish downloads, so the toolbars are hidden (an element's own height is unchanged: nothing moves).
# - Tables are static HTML tables whose cells wrap, so every column is visible without scrolling sideways
#   and no text is printed over its neighbour: Streamlit puts each cell's text in an inline-block wider than
#   the cell, hence the rule for the cells' inner boxes. A table that never scrolls is also never a
#   scrollable region a keyboard cannot reach (WCAG 2.1.1, axe rule scrollable-region-focusable).
# - The menu's page names wrap rather than end in "…" ("Makt, inflytande och ekonomisk jämställdhet").
# - .sr-only: text for screen readers only (a chart's sentence, read before the chart; its table follows).
PAGE_CSS = """<style>
[data-testid='stElementToolbar'] { display: none !important; }
[data-testid="stTable"] > div { overflow: visible; }
[data-testid="stTable"] table { width: 100%; table-layout: auto; }
[data-testid="stTable"] th, [data-testid="stTable"] td { white-space: normal; padding: 0.3rem 0.45rem; vertical-align: bottom; }
[data-testid="stTable"] th > div, [data-testid="stTable"] td > div { display: block; min-width: 0; overflow-wrap: break-word; }
[data-testid="stTable"] td { text-align: right; }
[data-testid="stTable"] { font-size: 0.85rem; }
[data-testid="stSidebarNav"] a span { white-space: normal; overflow: visible; text-overflow: clip; }
.sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
</style>"""


def table_note(pub: Any) -> None:
    """The line right under a published table: what its figures are, linked to the page Om siffrorna."""
    from jamstalldhet.show.presentation import reading_note

    # small text in the body colour (a caption's 60 % opacity would take the link below 4.5 : 1)
    st.markdown(f":small[{reading_note(bool(pub.internal))}] [Om siffrorna](om-siffrorna)")


def show_intervals(df: pd.DataFrame) -> None:
    """A rate table's 95 % intervals, on demand under it (the chart's error bars show them too);
    not in rapportläge, whose tables must fit an A4 page beside the chart that already has them."""
    if df.empty or report_mode():
        return
    with st.expander("95 % konfidensintervall"):
        show_table(df)


def show_table(df: pd.DataFrame) -> None:
    """A static table whose cells wrap (PAGE_CSS), so that every column is visible at 1280 px and at A4
    width, and it pastes into a report as it stands; the first column heads its rows. Its files are the
    download buttons' (sorting and searching belong in Excel). A column of figures never wraps inside a
    figure ("16,8 %" stays on one line); words wrap."""
    from jamstalldhet.show.presentation import for_reading

    table = for_reading(df)
    st.table(table.set_index(table.columns[0]))




# --- målområde pages ---------------------------------------------------------------------
ALL = "alla"
#: the sidebar's filters, in this order, labelled as everywhere else (schema.DIMENSION_LABELS)
FILTER_LABELS = {dim: DIMENSION_LABELS[dim] for dim in ("insats", "aldersgrupp", "bakgrund", "utbildningsniva")}


ALL_LABEL = "Alla"


def _choice_label(dim: str, default: list[str]) -> str:
    what = "insatser" if dim == "insats" else FILTER_LABELS[dim].lower()
    return f"Målområdets {what} ({', '.join(default)})"


def group_filters(d: Data, defaults: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
    """Sidebar filters for insats, age group, background and education (empty = alla).

    Published mode offers per dimension all values, one value, or the målområde's own selection
    (the rule is ``disclosure.filter_problem``); internt läge offers free combinations. The choice
    lives in ``f_<dim>`` (a list) and in the URL (``?insats=A|B``), so a link reopens the same view;
    a URL whose combination published mode does not offer falls back to the default, with a note."""
    from jamstalldhet.base import schema as S
    from jamstalldhet.disclosure.control import filter_problem

    internal = k() <= 1
    chosen: dict[str, list[str]] = {}
    for dim, label in FILTER_LABELS.items():
        options = list(d.prep.categories[dim]) if dim in d.prep.categories else list(S.DIMENSION_VALUES[dim])
        default = list((defaults or {}).get(dim, ()))
        key, multi_key, one_key = f"f_{dim}", f"w_{dim}", f"w1_{dim}"
        if key not in st.session_state or report_mode():
            q = st.query_params.get(dim)
            initial = [] if q == ALL else q.split("|") if q else default
            st.session_state[key] = [o for o in initial if o in options]
        current = list(st.session_state[key])
        if not internal and filter_problem({dim: current}, [tuple(default)] if default else None):
            st.sidebar.info(f"{label}: kombinationen {', '.join(current)} visas bara i internt läge. "
                            "Visar " + (_choice_label(dim, default).lower() if default else "alla") + ".")
            current = default
        if not report_mode() and internal:
            if multi_key in st.session_state:
                current = list(st.session_state[multi_key])  # the user's latest choice
            else:
                st.session_state[multi_key] = current
            st.sidebar.multiselect(label, options, key=multi_key, placeholder="Alla")
        elif not report_mode():
            choices = [ALL_LABEL, *([_choice_label(dim, default)] if len(default) > 1 else []), *options]
            if one_key in st.session_state and st.session_state[one_key] in choices:
                picked = st.session_state[one_key]
            else:
                picked = (ALL_LABEL if not current else choices[1] if len(current) > 1 else current[0])
                st.session_state[one_key] = picked
            st.sidebar.selectbox(label, choices, key=one_key,
                                 help="Ett värde eller alla. Fler kombinationer finns i internt läge.")
            current = [] if picked == ALL_LABEL else default if picked == _choice_label(dim, default) else [picked]
        st.session_state[key] = current
        chosen[dim] = current
        if chosen[dim]:
            st.query_params[dim] = "|".join(chosen[dim])
        elif default:
            st.query_params[dim] = ALL  # "alla", not the catalogue's default
        elif dim in st.query_params:
            del st.query_params[dim]
    st.session_state["_filters_now"] = {dim: list(v) for dim, v in chosen.items() if v}
    st.session_state["_filters_default"] = {dim: list(v) for dim, v in (defaults or {}).items() if v}
    return chosen


# cache_resource: every session gets the same table (nothing changes a Published in place), not a
# copy unpickled on each call as cache_data would give
@st.cache_resource(max_entries=256, show_spinner=False)
def _filtered_table(_prep: Prepared, version: DataVersion, year: int, by: str | None, k: int, filters: Filters) -> Published:
    return indicator_table(_prep, year, by=by, k=k, filters=filters)


def filtered(d: Data, filters: dict[str, list[str]], year_: int | None = None, by: str | None = None) -> Published:
    return _filtered_table(d.prep, d.version, year() if year_ is None else year_, by, k(), Filters.of(filters))


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_about(title: str, pub: ProtectedTable, years: str | None = None, source: str | None = None) -> Any:
    """What a downloaded file says it is: its title, the year (or years), the page's filters in words
    (``_filters_now``, set by group_filters), the data source with its date, and the notes."""
    from jamstalldhet.show import export, views

    d = data()
    filters = st.session_state.get("_filters_now") or {}
    return export.About(title, years or str(year()), views.scope_label(filters),
                        source or export.source_line(d.source.label, d.prep.last_date()), pub.note,
                        export.method_line(int(getattr(pub, "k", k()))))


def file_stem(stem: str) -> str:
    """A file's name carries the page's filter where it differs from the page's default
    ("deltagare_makt-och-halsa_2018_bakgrund-utrikes-fodd")."""
    from jamstalldhet.show import views

    filters = st.session_state.get("_filters_now") or {}
    return stem + views.filter_slug(filters, st.session_state.get("_filters_default") or {})


def downloads(df: pd.DataFrame, stem: str, pub: ProtectedTable, key: str, title: str = "", years: str | None = None,
              wide: pd.DataFrame | None = None, source: str | None = None) -> None:
    """A table's three download buttons: "CSV för Excel" and xlsx as the screen shows the table (wide,
    with title, year, filter, source and notes), the machine CSV long. ``wide``: the wide table when
    it is not ``df`` turned by gender. A published file is made with the page (its figures are
    public anyway). An internal one (small counts shown) is made only when the user clicks, with an
    extract id in its name and content, and logged with who, what, year, filter and the id: its
    bytes are never handed to Streamlit's /media/ before the click, so its address cannot be rebuilt
    from public figures (issue 23)."""
    from jamstalldhet.disclosure.control import file_name
    from jamstalldhet.show import export

    if report_mode():  # rapportläge is for pasting into a report: nothing to click
        return
    about = file_about(title or stem, pub, years, source)
    stem = file_stem(stem)
    cols = st.columns([1, 1, 1, 3])
    if pub.internal:
        formats = (("CSV för Excel", ".csv", "text/csv", 0, "xl"), ("CSV", "_punkt.csv", "text/csv", 1, "csv"),
                   ("Excel (.xlsx)", ".xlsx", XLSX_MIME, 2, "xlsx"))
        for col, (label, ext, mime, which, suffix) in zip(cols, formats, strict=False):
            def make(xid: str, which: int = which) -> bytes:
                return export.internal_files(df, stem, pub.note, xid, about, wide)[which]

            internal_download(col, label, stem, ext, mime, make, key=f"{key}_{suffix}")
        return
    name = file_name(stem, False)
    excel, plain, workbook = _files(df, stem, pub.note, about, wide)
    cols[0].download_button("CSV för Excel", excel, f"{name}.csv", "text/csv", key=f"{key}_xl", on_click="ignore")
    cols[1].download_button("CSV", plain, f"{name}_punkt.csv", "text/csv", key=f"{key}_csv", on_click="ignore")
    cols[2].download_button("Excel (.xlsx)", workbook, f"{name}.xlsx", XLSX_MIME, key=f"{key}_xlsx", on_click="ignore")


@st.cache_data(max_entries=1024, show_spinner=False, hash_funcs={"jamstalldhet.show.export.About": repr})
def _files(df: pd.DataFrame, sheet: str, note: str, about: Any = None, wide: pd.DataFrame | None = None
           ) -> tuple[bytes, bytes, bytes]:
    """A published table's three files (CSV för Excel, CSV, xlsx), made once per table content: an
    xlsx is ~10–70 ms of openpyxl, and a page has up to 8 of them on every rerun (issue 16)."""
    from jamstalldhet.show import export

    return export.table_files(df, sheet, about or export.About(sheet, "", note=note), wide)


def extract_context() -> str:
    """Where an internal extract comes from, for the event log: page, year and filters."""
    from pages import _auth

    filters = st.session_state.get("_filters_now") or {}
    shown = "; ".join(f"{FILTER_LABELS.get(dim, dim)}: {', '.join(v)}" for dim, v in sorted(filters.items()) if v)
    return f"sida {_auth._page()} · år {st.session_state.get('ar', '')} · filter {shown or 'inga'}"


def internal_download(where: Any, label: str, stem: str, ext: str, mime: str, make: Callable[[str], bytes], key: str,
                      **kwargs: Any) -> None:
    """A download button for an internal file, made only on the click (Streamlit's deferred data:
    the callable runs in a server thread when the browser asks for the file, outside the script run).
    The file's name and content carry an extract id (128 random bits); the click is logged with it.
    The user and their sign-in are taken now and checked again at the click (a sign-out since, or a
    role without internt läge, gets no file)."""
    from jamstalldhet.base import eventlog
    from jamstalldhet.base.access import Right
    from jamstalldhet.base.settings import store_dir
    from jamstalldhet.disclosure.control import file_name
    from pages import _auth

    who = _auth.current()
    if who is None or not who[0].may(Right.INTERNAL):
        return
    user, fingerprint = who
    xid = eventlog.new_extract_id()
    name = file_name(f"{stem}_{xid}", True) + ext
    context, store = extract_context(), store_dir()

    def deferred() -> bytes:
        if not _auth.still_valid(fingerprint):
            raise PermissionError("utloggad")
        eventlog.append(store, user.sub, user.email, eventlog.DOWNLOAD, f"{name} · {context} · uttag {xid}")
        return make(xid)

    where.download_button(label, deferred, name, mime, key=key, on_click="ignore", **kwargs)


def chart_config(stem: str) -> dict[str, object]:
    """The camera button saves PNG at print resolution with a sensible file name; no buttons in rapportläge."""
    if report_mode():
        return {"displayModeBar": False, "staticPlot": False}
    # only the camera: the zoom, pan and select buttons speak English and a reader of a bar chart needs none of them
    return {"toImageButtonOptions": {"format": "png", "filename": stem, "scale": 3}, "displaylogo": False,
            "modeBarButtons": [["toImage"]]}


def plan_stamp() -> str:
    """Changes whenever the plan file or a saved plan status changes (part of cache keys)."""
    from jamstalldhet.plan import model as plan

    f = plan.PLAN_FILE
    return f"{f.stat().st_mtime_ns if f.exists() else 0}|{plan.status_fingerprint(list(plan.load().years))}"


# --- charts with their text alternative (WCAG 1.1.1) ---------------------------------------
import plotly.graph_objects as go  # noqa: E402 – only the chart helper below needs it


def show_chart(fig: go.Figure, stem: str, key: str | None = None) -> None:
    """A chart with its text alternative: the package's one-sentence summary, read by a screen reader
    just before the chart and visually hidden (its table, which follows it on every page, says the same
    to everyone; a screenshot of the chart needs no cropping).
    A chart whose every value is suppressed is that sentence alone: no empty axes."""
    from html import escape

    from jamstalldhet.show import charts

    sentence = escape(charts.alt_text(fig))
    if not sentence:  # a figure made elsewhere, without a summary
        st.plotly_chart(fig, width="stretch", config=chart_config(stem), key=key)
        return
    if charts.all_suppressed(fig):
        st.markdown(f'<p class="diagramtext">{sentence}</p>', unsafe_allow_html=True)
        return
    st.markdown(f'<p class="diagramtext sr-only">Diagram: {sentence}</p>', unsafe_allow_html=True)
    # theme=None: the figure as the package drew it (its contrasts, hatching and labels), the same
    # as in every export, not recoloured by Streamlit's chart theme
    # its height given: Streamlit reserves the room before plotly.js draws, so nothing below it moves (issue 26)
    height: int | Literal["content"] = int(fig.layout.height) if fig.layout.height else "content"
    if report_mode():  # sized to its content: two bars do not get the page's whole width
        st.plotly_chart(charts.sized_to_content(fig, REPORT_WIDTH), width="content", height=height, config=chart_config(stem),
                        key=key, theme=None)
    else:
        st.plotly_chart(fig, width="stretch", height=height, config=chart_config(stem), key=key, theme=None)
