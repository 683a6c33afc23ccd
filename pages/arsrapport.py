"""Årsrapport: the year's whole equality follow-up as HTML, a zip of figures and tables, and PDF."""

import streamlit as st

from jamstalldhet import catalogue, narrative, report, store
from jamstalldhet.records import Prepared
from pages._shared import Data, cat, internal_banner, k, setup, year


@st.cache_resource(max_entries=8, show_spinner="Sammanställer rapporten …")
def _build(_prep: Prepared, _cat: catalogue.Catalogue, source: str, y: int, k_: int, data_version: str,
           texts: str, catalogue_version: int) -> tuple[report.Report, str]:
    rep = report.build(_prep, y, _cat, k_, source)
    return rep, report.html(rep)


def _data_version(d: Data) -> str:
    return store.version(d.source.path) if d.source.kind == "store" and d.source.path else "demo"


d = setup()
c = cat()
y = year()
rep, html_doc = _build(d.prep, c, d.source.label, y, k(), _data_version(d), narrative.fingerprint(y),
                       catalogue.CATALOGUE_FILE.stat().st_mtime_ns)
st.title(f"Årsrapport {y}")
internal_banner()
st.markdown(
    "Hela årets uppföljning i ett steg: målområdenas uppföljningstexter, alla indikatorer med diagram och "
    "tabeller, och en sammanfattning av var kvinnor och män skiljer sig åt. Allt är röjandekontrollerat. "
    "Uppföljningstexterna skriver du på respektive målområdes sida."
)
cols = st.columns(3)
cols[0].download_button("Rapporten (HTML)", html_doc.encode("utf-8"), f"{rep.stem}.html", "text/html",
                        type="primary", on_click="ignore", icon=":material/description:",
                        help="En fil som öppnas i alla webbläsare, även utan nät, och skrivs ut på A4.")
if cols[1].button("Skapa figurer och tabeller (zip)", help="PNG i 300 dpi och SVG av varje figur, xlsx av varje tabell."):
    with st.spinner("Skapar bilder med Chromium …"):
        try:
            st.session_state["rapport_zip"] = (rep.stem, report.zip_bytes(rep))
        except report.ReportError as exc:
            st.error(str(exc))
if cols[2].button("Skapa PDF", help="Rapporten utskriven av Chromium, med sidnummer."):
    with st.spinner("Skriver ut PDF med Chromium …"):
        try:
            st.session_state["rapport_pdf"] = (rep.stem, report.pdf_bytes(rep))
        except report.ReportError as exc:
            st.error(str(exc))
zipped = st.session_state.get("rapport_zip")
if zipped and zipped[0] == rep.stem:
    cols[1].download_button("Ladda ned zip", zipped[1], f"{rep.stem}_figurer_och_tabeller.zip", "application/zip",
                            on_click="ignore", icon=":material/download:")
pdf = st.session_state.get("rapport_pdf")
if pdf and pdf[0] == rep.stem:
    cols[2].download_button("Ladda ned PDF", pdf[1], f"{rep.stem}.pdf", "application/pdf",
                            on_click="ignore", icon=":material/download:")

st.subheader("Sammanfattning")
st.markdown("**Statistiskt säkerställda skillnader mellan kvinnor och män**")
st.markdown("\n".join(f"- {line}" for line in rep.significant) or "Inga statistiskt säkerställda skillnader.")
st.markdown("**Könsfördelning utanför 40/60**")
st.markdown("\n".join(f"- {line}" for line in rep.uneven) or "Alla könsfördelningar ligger inom 40–60 %.")
st.subheader("Förhandsgranskning")
st.iframe(html_doc, height=1100)
