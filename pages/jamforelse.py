"""Jämförelse: the unit's own Kolada figures beside Kolada's published values (issue 29)."""

import json

import streamlit as st

from jamstalldhet.app import kolada
from pages._shared import XLSX_MIME, internal_banner, internal_download, k, setup, shared, show_chart, show_table, year

d = setup()
st.title("Jämförelse med Kolada")
internal_banner()
st.markdown(
    "Nyckeltalen för kommunal arbetsmarknadsstatistik (KAS) som kommunen rapporterar till Kolada, räknade ur de egna "
    "posterna, bredvid de värden Kolada har publicerat för kommunen och för kommuner du väljer."
)
try:
    mapping = kolada.load_mapping()
except kolada.KoladaError as exc:
    st.error(str(exc))
    st.stop()
kk = k()
mapping_key = (mapping.municipality, tuple(sorted(mapping.outcomes.items())))


def _own(y: int) -> kolada.Figures:
    return shared(("kolada", d.version, y, kk, mapping_key), lambda: kolada.compute(d.prep, y, kk, mapping))


try:
    own = [_own(y) for y in sorted(d.years)]
except kolada.KoladaError as exc:
    st.error(str(exc))
    st.stop()

# --- Kolada's values: the files in data/kolada/ and the analyst's uploads ---------------------------
published, messages = kolada.shipped_values()
uploads = st.file_uploader("Kolada-filer (JSON från Koladas API v3)", type=["json"], accept_multiple_files=True,
                           key="kolada_filer", help="Spara svaret från adressen under Hämta från Kolada som en .json-fil.")
for up in uploads or []:
    try:
        got, warnings = kolada.read_kolada(up.getvalue(), up.name)
    except kolada.KoladaFileError as exc:
        st.error(str(exc))
        continue
    published += got
    messages += warnings
for m in messages:
    st.warning(m)

own_ids = own[-1].ids() if own else []
kpi = st.selectbox("Nyckeltal", own_ids, index=own_ids.index("U40455") if "U40455" in own_ids else 0,
                   format_func=lambda i: f"{i} {kolada.KPI_OF[i].title}", key="kolada_kpi")
available = sorted({v.municipality for v in published} | {mapping.municipality})
chosen = st.multiselect("Kommuner i Kolada", available, default=[mapping.municipality],
                        format_func=lambda c: f"{mapping.municipality_name(c)} ({c})", key="kolada_kommuner")
home = kolada.series_name(mapping, mapping.municipality)
frame = kolada.comparison_frame(own, published, kpi, chosen, mapping)
note = f"Egna poster: {own[-1].note()}" if own else ""
show_chart(kolada.comparison_chart(frame, kpi, home, note), f"kolada_{kpi}_jamforelse")
show_table(kolada.comparison_table(frame))
if not any(v.kpi == kpi and v.municipality in chosen for v in published):
    st.info(f"Det finns inga Kolada-värden för {kpi} och de valda kommunerna. Hämta dem med adressen nedan och ladda upp filen.")

# --- definitions side by side ------------------------------------------------------------------------
st.header("Definitioner")
definition = kolada.KPI_OF[kpi]
cols = st.columns(2)
cols[0].markdown(f"**Kolada**\n\n{definition.kolada}")
cols[1].markdown(f"**Här, ur exporten**\n\n{definition.here}")
if definition.difference:
    st.markdown(f"**Skillnad:** {definition.difference}")
with st.expander("Alla nyckeltal: definitioner och skillnader"):
    show_table(kolada.definitions_frame())

# --- where the values come from -----------------------------------------------------------------------
st.header("Hämta från Kolada")
years = sorted(y for y in d.years if any(f.year == y and f.value("N40450") is not None for f in own)) or sorted(d.years)
ids = [i for i in own_ids if i not in ("N40826", "N40827")]
st.markdown(
    "Datorn här har ingen förbindelse med internet. Öppna adressen på en dator som har det, spara svaret som en "
    ".json-fil och ladda upp den ovan (eller lägg den i mappen `data/kolada/`). Kommunkoderna finns på "
    f"`{kolada.API}/municipality`."
)
st.code(kolada.api_url(ids, chosen or [mapping.municipality], years), language=None, wrap_lines=True)
if kpi not in ids:
    st.code(kolada.api_url([kpi], chosen or [mapping.municipality], years), language=None, wrap_lines=True)

# --- this year's figures as Kolada wants them ----------------------------------------------------------
y = year()
fig_year = next((f for f in own if f.year == y), None)
if fig_year is not None:
    st.header(f"Egna nyckeltal {y}")
    st.caption(fig_year.note())
    show_table(fig_year.frame())
    this_year = fig_year
    c1, c2, _ = st.columns([1, 1, 3])
    if fig_year.internal:
        # the submission: exact, made only on the click, with an extract id (issue 23)
        internal_download(c2, "Excel (.xlsx), intern inrapportering", f"kolada_{fig_year.municipality}_{y}", ".xlsx",
                          XLSX_MIME, lambda xid: kolada.xlsx(this_year, xid), key="kolada_xlsx")
    else:
        stem = kolada.file_stem(fig_year)
        c1.download_button("Kolada-JSON", json.dumps(fig_year.kolada_rows(), ensure_ascii=False).encode("utf-8"),
                           f"{stem}.json", "application/json", key="kolada_json", on_click="ignore")
        c2.download_button("Excel (.xlsx)", shared(("kolada_xlsx", d.version, y, kk, mapping_key), lambda: kolada.xlsx(this_year)),
                           f"{stem}.xlsx", XLSX_MIME, key="kolada_xlsx", on_click="ignore")
