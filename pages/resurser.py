"""Resurser: do the programme's days and kronor follow its participants? (3R: Resurser; contract §6)."""

import pandas as pd
import streamlit as st

from jamstalldhet.base import eventlog
from jamstalldhet.base import schema as S
from jamstalldhet.base.access import Right
from jamstalldhet.base.types import Filters
from jamstalldhet.intake.records import Prepared
from jamstalldhet.resources import prices as costs
from jamstalldhet.resources import table as resources
from jamstalldhet.resources import view as resources_view
from jamstalldhet.show import views
from pages import _auth
from pages._shared import (
    FILTER_LABELS,
    downloads,
    group_filters,
    internal_banner,
    k,
    report_mode,
    setup,
    show_chart,
    show_table,
    table_note,
    year,
)


@st.cache_data(max_entries=64, show_spinner=False)
def _table(_prep: Prepared, _prices: costs.CostCatalogue, version: str, prices_version: str, y: int, by: str | None,
           k_: int, filters: Filters) -> resources.ResourceTable:
    return resources.table(_prep, y, _prices, by=by, filters=filters, k=k_)


d = setup()
filters = group_filters(d)
y = year()
report = report_mode()
try:
    prices = costs.load()
    prices_error = ""
except costs.CostError as exc:
    prices, prices_error = costs.CostCatalogue(), str(exc)
key = Filters.of(filters)


def table(by: str | None = S.INSATS, y_: int = y) -> resources.ResourceTable:
    return _table(d.prep, prices, d.version, costs.fingerprint(), y_, by, k(), key)


tab = table()
st.title(f"Resurser {y}")
internal_banner()
st.markdown(
    "Får kvinnor och män lika stor del av verksamhetens resurser? Här jämförs könens andel av deltagarna med deras "
    "andel av deltagardagarna och av kostnaden (deltagardagar × pris per deltagardag ur prislistan). "
    "**Resurskvot** = kvinnornas andel av kostnaden delad med deras andel av deltagarna: 1 betyder att resurserna "
    "följer deltagarna, under 1 att kvinnorna får mindre än sin andel."
)
if prices_error:
    st.error(f"Prislistan kan inte läsas: {prices_error} Rätta den under *Redigera prislistan*.")
st.caption(f"År {y} · {views.scope_label(filters)} · {tab.note}")
st.markdown(f"**{resources_view.sentence(tab)}**")
if tab.missing_prices:
    st.warning("Pris per deltagardag saknas för " + ", ".join(tab.missing_prices) + f" år {y}: deras kostnad, "
               "och totalen, redovisas som saknad. Lägg till priset under *Redigera prislistan*.")

st.subheader("Andel av deltagarna, av dagarna och av kostnaden per insats")
show_chart(resources_view.share_figure(tab), f"resurser_andelar_{y}", key="res_andelar")
show_table(resources_view.share_table(tab))
table_note(tab)
if not report:
    downloads(resources_view.export_frame(tab), f"resurser_insats_{y}", tab, key="dl_andelar",
              title="Resurser per insats: deltagare, dagar, kostnad och resurskvot")
st.caption("95 % KI för resurskvoten med deltametoden (personer som enhet). Dagar och kronor visas inte där färre än "
           "k personer ligger bakom eller där en person står för mer än 60 % av summan (dominansregeln).")

st.subheader("Dagar och kronor per deltagare")
show_table(resources_view.amount_table(tab))

if not report:
    with st.expander("Dela upp på bakgrund, utbildningsnivå eller åldersgrupp"):
        by = st.selectbox("Dela upp på", [S.BAKGRUND, S.UTBILDNINGSNIVA, S.ALDERSGRUPP], key="res_by",
                          format_func=lambda v: FILTER_LABELS[v])
        btab = table(by)
        show_table(resources_view.share_table(btab))
        show_table(resources_view.amount_table(btab))
        downloads(resources_view.export_frame(btab), f"resurser_{by}_{y}", btab, key="dl_uppdelning",
                  title=f"Resurser efter {FILTER_LABELS[by].lower()}: deltagare, dagar, kostnad och resurskvot")

st.subheader("Över tid")
trend = resources_view.trend_frame([table(None, yy) for yy in sorted(d.years)])
show_chart(resources_view.trend_figure(trend, tab.note, y), "resurser_trend", key="res_trend")
show_table(resources_view.trend_table(trend))
if not report:
    downloads(resources_view.trend_export(trend), "resurser_trend", tab, key="dl_trend",
              title="Resurser över tid: kvinnornas andel och resurskvot", years=f"{min(d.years)}–{max(d.years)}")

st.subheader(f"Prislista {y}")
show_table(resources_view.price_table(prices, d.prep.categories.get(S.INSATS, ()), y))

if not report and _auth.allowed(Right.TEXT):
    with st.expander("Redigera prislistan"):
        st.markdown(
            "Ett pris per insats och år, i kronor per deltagardag, och varifrån det kommer. Ett år utan eget pris får "
            "det senaste tidigare priset. Lägg till en rad längst ned, ta bort en rad genom att markera den. Varje "
            "sparad version finns kvar och kan återställas."
        )
        current: costs.CostCatalogue | None
        try:
            current = costs.load()
        except costs.CostError as exc:  # a broken file (edited by hand): fix its text here
            st.error(f"Prislistan kan inte läsas: {exc}")
            current = None
        if current is None:
            text = st.text_area("Prislistan (kostnader.toml)", value=costs.read_text(), key="pris_text", height=300)
            if st.button("Spara prislistan", key="pris_spara_text", type="primary"):
                _auth.require(Right.TEXT)
                try:
                    costs.save(text)
                except (costs.CostError, OSError) as err:
                    st.error(f"Prislistan sparades inte: {err}")
                else:
                    _auth.log(eventlog.TEXT, "prislista (kostnader.toml)")
                    st.rerun()
            st.stop()
        edited = st.data_editor(
            pd.DataFrame(costs.rows(current), columns=["insats", "ar", "kr_per_dag", "kalla"]),
            num_rows="dynamic", hide_index=True, width="stretch", key="pris_tabell",
            column_config={
                "insats": st.column_config.SelectboxColumn(
                    "Insats", options=sorted({*current.insatser, *d.prep.categories.get(S.INSATS, ())}), required=True),
                "ar": st.column_config.NumberColumn("År", min_value=1990, max_value=2100, step=1, format="%d", required=True),
                "kr_per_dag": st.column_config.NumberColumn("Kr per deltagardag", min_value=0.0, step=1.0, format="%.2f",
                                                            required=True),
                "kalla": st.column_config.TextColumn("Källa", help="Varifrån priset kommer, t.ex. budget 2018", required=True),
            },
        )
        if st.button("Spara prislistan", key="pris_spara", type="primary"):
            _auth.require(Right.TEXT)
            try:
                changed = costs.save_catalogue(costs.from_rows([{str(k): v for k, v in r.items()} for r in edited.to_dict("records")]))
            except (costs.CostError, OSError) as exc:
                st.error(f"Prislistan sparades inte: {exc}")
            else:
                if changed:
                    _auth.log(eventlog.TEXT, "prislista (kostnader.toml)")
                    st.success("Prislistan är sparad. Den tidigare versionen finns kvar under Tidigare versioner.")
                else:
                    st.info("Inget att spara: prislistan är oförändrad.")
        earlier = costs.versions()
        if earlier:
            st.markdown("**Tidigare versioner**")
            v = st.selectbox("Version", earlier, format_func=lambda v: f"Sparad {v.label}", key="pris_version")
            st.code(v.text(), language="toml")
            if st.button("Återställ den här versionen", key="pris_aterstall"):
                _auth.require(Right.TEXT)
                try:
                    if costs.restore(v):
                        _auth.log(eventlog.TEXT, f"prislista (återställd version {v.label})")
                except costs.CostError as exc:
                    st.error(f"Versionen kunde inte återställas: {exc}")
                else:
                    st.session_state.pop("pris_tabell", None)
                    st.rerun()
if report:
    st.caption(f"{tab.note}. Källa: {d.source.label}.")
