"""The målområde page: every indicator of a målområde with chart, table, breakdown and trend, its extra
sections (catalogue ``avsnitt``) and its follow-up text. Built for each ``[[malomraden]]`` of the
catalogue by dashboard.py (:func:`malomrade_page`).

Only UI here; every number comes from the jamstalldhet package.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from jamstalldhet.base.settings import default_k
from jamstalldhet.base.types import Filters
from jamstalldhet.disclosure.control import Published
from jamstalldhet.intake.records import Prepared
from pages._shared import (
    FILTER_LABELS,
    XLSX_MIME,
    Data,
    cat,
    data,
    downloads,
    file_stem,
    filtered,
    group_filters,
    internal_banner,
    internal_download,
    k,
    plan_stamp,
    report_mode,
    setup,
    shared,
    show_chart,
    show_intervals,
    show_table,
    table_note,
    year,
)


def report_link() -> None:
    """Opens this view in rapportläge in a new tab (same year and filters)."""
    from urllib.parse import urlencode

    params = {key: st.query_params[key] for key in st.query_params}
    st.sidebar.link_button("Rapportläge (för skärmdump)", "?" + urlencode({**params, "rapport": "1"}),
                           help="Öppnar målområdet utan meny och knappar, i A4-bredd, i en ny flik.")


def narrative_section(mid: str, y: int, pub: Published) -> None:
    """The målområde's follow-up text for the year: shown (figures filled in), edited, versions kept."""
    from jamstalldhet.plan import narrative
    from jamstalldhet.show import presentation

    st.header(f"Uppföljning {y}")
    text = narrative.read(y, mid)
    if text.strip():
        st.markdown(presentation.fill_figures(text, pub))
    elif not report_mode():
        st.info(f"Det finns ingen uppföljningstext för {y} ännu. Skriv den under *Redigera uppföljningstexten*.")
    if report_mode():
        return
    from jamstalldhet.base import eventlog
    from jamstalldhet.base.access import Right
    from pages import _auth

    if not _auth.allowed(Right.TEXT):
        return  # a läsare reads the text; editing is for analytiker and förvaltare
    with st.expander("Redigera uppföljningstexten"):
        key = f"text_{mid}_{y}"
        new = st.text_area(
            f"Uppföljning {y} (Markdown)", value=text, key=key, height=260,
            help="Skriv aktiviteter, läge och beslut. **fet**, *kursiv* och listor med - fungerar. "
                 "Siffror hämtas ur data med t.ex. {{deltagare.kvinnor}}, {{deltagare.män}}, {{deltagare.totalt}}, "
                 "{{avslut_arbete.kvinnor}} (andel) eller {{avslut_arbete.kvinnor.antal}} (antal).",
        )
        saved = f"saved_{key}"
        if st.session_state.pop(saved, False):  # the run after a save: the new text is shown above
            st.success("Texten är sparad. Den tidigare versionen finns kvar under Tidigare versioner.")
        if st.button("Spara texten", key=f"save_{key}", type="primary"):
            _auth.require(Right.TEXT)
            bad = presentation.unknown_placeholders(new)
            if bad:
                st.error(f"Texten sparades inte: {', '.join(bad)} kan inte fyllas med siffror. Rätta stavningen, "
                         "till exempel {{deltagare.kvinnor}} eller {{avslut_arbete.män.antal}}, eller ta bort klamrarna.")
                return
            try:
                changed = narrative.save(y, mid, new)
            except (narrative.NarrativeError, OSError) as exc:
                st.error(f"Texten kunde inte sparas: {exc}")
            else:
                if changed:
                    _auth.log(eventlog.TEXT, f"{mid} {y}")
                    st.session_state[saved] = True
                    st.rerun()  # draw the page again with the saved text, at once
                else:
                    st.info("Inget att spara: texten är oförändrad.")
        earlier = narrative.versions(y, mid)
        if earlier:
            st.markdown("**Tidigare versioner**")
            v = st.selectbox("Version", earlier, format_func=lambda v: f"Sparad {v.label}", key=f"ver_{key}")
            st.code(v.text(), language="markdown", wrap_lines=True)
            if st.button("Återställ den här versionen", key=f"restore_{key}"):
                _auth.require(Right.TEXT)
                if narrative.save(y, mid, v.text()):
                    _auth.log(eventlog.TEXT, f"{mid} {y} (återställd version {v.label})")
                st.session_state.pop(key, None)
                st.rerun()


def render_malomrade(mid: str) -> None:
    """One målområde: every indicator of the catalogue with chart, table, breakdown, trend, then its
    extra sections (catalogue ``avsnitt``) and its follow-up text. What is shown comes from
    ``jamstalldhet.show.views``; this function only draws it."""
    from jamstalldhet.show import charts, presentation, views

    d = setup()
    c = cat()
    area = c.malomrade(mid)
    filters = group_filters(d, views.default_filters(area))
    report = report_mode()
    if not report:
        report_link()
    y = year()
    # one view per (data, catalogue, målområde, year, filters, k) for the whole server: figures and
    # tables are built once, not on every rerun of every session
    key = ("malomrade", d.version, c, mid, y, k(), Filters.of(filters))
    mv = shared(key, lambda: views.malomrade_from(filtered(d, filters), c, area, y, filters))
    pub = mv.pub
    st.title(area.title)
    internal_banner()
    st.markdown(area.description)
    goals = plan_goals(d, mid, y)
    if goals:
        st.info(goals, icon=":material/flag:")
    st.caption(f"År {y} · {mv.scope} · {pub.note}")
    from jamstalldhet.show.export import source_line

    # drawn here, in its place, not filled into an empty container at the end (which moved the page, issue 26)
    source = source_line(d.source.label, d.prep.last_date())
    if not report and pub.internal:
        internal_download(st, "Alla tabeller på sidan (.xlsx)", file_stem(f"{mv.slug}_{y}"), ".xlsx", XLSX_MIME,
                          lambda xid: mv.workbook(xid, source)[1], key="dl_alla", icon=":material/download:")
    elif not report:
        name, data_ = shared((*key, "workbook"), partial(mv.workbook, source=source))
        st.download_button("Alla tabeller på sidan (.xlsx)", data_, name, XLSX_MIME, key="dl_alla",
                           icon=":material/download:", on_click="ignore")
    for view in mv.indicators:
        iid = view.id
        st.subheader(view.title)
        st.caption(view.definition)
        stem = mv.stem(iid)
        show_chart(view.figure, stem, key=f"chart_{iid}")
        show_table(view.table)
        show_intervals(view.intervals)
        table_note(pub)
        if report:
            continue
        downloads(view.export, f"{iid}_{mv.slug}_{y}", pub, key=f"dl_{iid}", title=f"{view.title} – {area.title}")
        # Made and drawn only when opened (the expander reruns the page when it opens or closes):
        # a closed one costs neither the server nor the browser a trend chart (issue 16).
        more = st.expander(f"Dela upp {view.title.lower()} och se trend", key=f"mer_{iid}", on_change="rerun")
        with more:
            if not more.open:
                continue
            by = st.selectbox("Dela upp på", [None, *area.breakdowns], key=f"by_{iid}",
                              format_func=lambda v: "Ingen uppdelning" if v is None else FILTER_LABELS[v])
            if by:
                bpub = filtered(d, filters, by=by)
                bfig = shared((*key, "breakdown", iid, by), partial(
                    charts.breakdown_chart, bpub, c, iid, f"{view.title} {y} efter {FILTER_LABELS[by].lower()}"))
                show_chart(bfig, f"{stem}_{by}", key=f"bchart_{iid}")
                show_table(presentation.breakdown_table(bpub, c, iid))
                table_note(bpub)
                downloads(presentation.export_table(bpub, c, [iid]), f"{iid}_{mv.slug}_{y}_{by}", bpub, key=f"dlb_{iid}",
                          title=f"{view.title} efter {FILTER_LABELS[by].lower()} – {area.title}")
            figure = shared((*key, "trend", iid), partial(_trend_figure, d, filters, iid, view.title, view.rate, pub.note))
            show_chart(figure, f"{iid}_{mv.slug}_trend", key=f"trend_{iid}")
    for section in area.sections:
        SECTIONS[section]()
    narrative_section(mid, y, pub)
    if report:
        st.caption(f"{pub.note}. Källa: {d.source.label}.")


def _trend_figure(d: Data, filters: dict[str, list[str]], iid: str, title: str, rate: bool, note: str) -> go.Figure:
    from jamstalldhet.show import charts, views

    trend = views.trend(lambda yy: filtered(d, filters, year_=yy), d.years, iid)
    return charts.trend_chart(trend, f"{title} över tid", rate, note)


@st.cache_data(max_entries=32, show_spinner=False)
def _plan_goals(_prep: Prepared, version: str, mid: str, y: int, k_: int, stamp: str) -> str:
    from jamstalldhet.plan import model as plan

    titles = {i: t.title for i, t in cat().indicators.items()}
    return plan.area_goals_markdown(plan.load(), mid, y, plan.published_tables(_prep, k_), titles)


def plan_goals(d: Data, mid: str, y: int) -> str:
    """The handlingsplan's goal(s) for a målområde, assessed on published figures (Markdown)."""
    return _plan_goals(d.prep, d.version, mid, y, default_k(), plan_stamp())


def malomrade_page(mid: str) -> Callable[[], None]:
    """The page function of one målområde, for ``st.Page`` (a callable with a name of its own)."""

    def page() -> None:
        render_malomrade(mid)

    page.__name__ = "malomrade_" + re.sub(r"[^a-z0-9]+", "_", mid.lower())
    return page


def _payments_section() -> None:
    from pages._payments import render_section

    render_section()


def _resources_section() -> None:
    """Resurser in short on a målområde page; the whole analysis is on the Resurser page."""
    from jamstalldhet.resources import prices as costs
    from jamstalldhet.resources import table as resources
    from jamstalldhet.resources import view as resources_view

    d = data()
    st.header("Resurser: får kvinnor och män lika stor del?")
    y, k_ = year(), k()
    try:
        prices = costs.load()
        # the sentence and the table once per (data, prices, year, k) for the whole server
        def make() -> tuple[str, pd.DataFrame]:
            tab = resources.table(d.prep, y, prices, by="insats", k=k_)
            return resources_view.sentence(tab), resources_view.share_table(tab)

        sentence, table = shared(("resurser", d.version, prices, y, k_), make)
    except costs.CostError as exc:
        st.error(str(exc))
        return
    st.markdown(sentence)
    show_table(table)
    if not report_mode():
        st.markdown("[Hela resursanalysen: dagar, kronor, resurskvot och trend →](resurser)")


#: extra sections a målområde may name in the catalogue (``avsnitt``)
SECTIONS = {"utbetalningar": _payments_section, "resurser": _resources_section}
