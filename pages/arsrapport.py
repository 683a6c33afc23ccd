"""Årsrapport: the year's whole equality follow-up as HTML, a zip of figures and tables, and PDF."""

from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from jamstalldhet.app import report, sources
from jamstalldhet.compute import catalogue
from jamstalldhet.intake.records import Prepared
from jamstalldhet.plan import narrative
from pages._payments import payments_key
from pages._shared import cat, internal_banner, internal_download, k, plan_stamp, setup, year


@st.cache_resource(max_entries=8, show_spinner="Sammanställer rapporten …")
def _build(_prep: Prepared, _cat: catalogue.Catalogue, source: str, y: int, k_: int, data_version: str,
           texts: str, catalogue_version: int, plan_version: str, payments: tuple[str, str | None, str]
           ) -> tuple[report.Report, str]:
    kind, path, _version = payments
    rep = report.build(_prep, y, _cat, k_, source, payments=sources.payments_for(kind, None if path is None else Path(path)))
    return rep, report.html(rep)


d = setup()
c = cat()
y = year()
rep, html_doc = _build(d.prep, c, d.source.label, y, k(), d.version, narrative.fingerprint(y),
                       catalogue.CATALOGUE_FILE.stat().st_mtime_ns, plan_stamp(), payments_key())
st.title(f"Årsrapport {y}")
internal_banner()
st.markdown(
    "Hela årets uppföljning i ett steg: målområdenas uppföljningstexter, alla indikatorer med diagram och "
    "tabeller, och en sammanfattning av var kvinnor och män skiljer sig åt. Allt är röjandekontrollerat. "
    "Uppföljningstexterna skriver du på respektive målområdes sida."
)
cols = st.columns(3)
HTML_HELP = "En fil som öppnas i alla webbläsare, även utan nät, och skrivs ut på A4."
if rep.internal:
    # internt: every file is made on the click, with its extract id (pages._shared.internal_download)
    base = f"jamstalldhet_{rep.year}"  # internal_download adds the id and _INTERNT
    internal_download(cols[0], "Rapporten (HTML)", base, ".html", "text/html",
                      lambda xid: report.stamp_html(html_doc, xid).encode("utf-8"), key="rapport_html",
                      type="primary", icon=":material/description:", help=HTML_HELP)
    internal_download(cols[1], "Figurer och tabeller (zip)", f"{base}_figurer_och_tabeller", ".zip", "application/zip",
                      lambda xid: report.zip_bytes(rep, xid), key="rapport_zip_internt", icon=":material/download:",
                      help="PNG i 300 dpi och SVG av varje figur, xlsx av varje tabell (görs när du klickar).")
    internal_download(cols[2], "PDF", base, ".pdf", "application/pdf", lambda xid: report.pdf_bytes(rep, xid),
                      key="rapport_pdf_internt", icon=":material/download:",
                      help="Rapporten utskriven av Chromium, med sidnummer (görs när du klickar).")
else:
    cols[0].download_button("Rapporten (HTML)", html_doc.encode("utf-8"), f"{rep.stem}.html", "text/html",
                            type="primary", icon=":material/description:", on_click="ignore", help=HTML_HELP)


def _offer(col: DeltaGenerator, make: str, spinner: str, help_: str, key: str, build: Callable[[], bytes],
           download: str, file: str, mime: str) -> None:
    """A button that makes a file (slow: Chromium), then the button that downloads it."""
    if col.button(make, help=help_, key=f"make_{key}"):
        with st.spinner(spinner):
            try:
                st.session_state[key] = (rep.stem, build())
            except report.ReportError as exc:
                st.error(str(exc))
    made = st.session_state.get(key)
    if made and made[0] == rep.stem:
        col.download_button(download, made[1], file, mime, icon=":material/download:", on_click="ignore")


if not rep.internal:
    _offer(cols[1], "Skapa figurer och tabeller (zip)", "Skapar bilder med Chromium …",
           "PNG i 300 dpi och SVG av varje figur, xlsx av varje tabell.", "rapport_zip", lambda: report.zip_bytes(rep),
           "Ladda ned zip", f"{rep.stem}_figurer_och_tabeller.zip", "application/zip")
    _offer(cols[2], "Skapa PDF", "Skriver ut PDF med Chromium …", "Rapporten utskriven av Chromium, med sidnummer.",
           "rapport_pdf", lambda: report.pdf_bytes(rep), "Ladda ned PDF", f"{rep.stem}.pdf", "application/pdf")

st.subheader("Sammanfattning")
st.markdown("**Statistiskt säkerställda skillnader mellan kvinnor och män**")
st.markdown("\n".join(f"- {line}" for line in rep.significant) or "Inga statistiskt säkerställda skillnader.")
st.markdown("**Könsfördelning utanför 40/60**")
st.markdown("\n".join(f"- {line}" for line in rep.uneven) or "Alla könsfördelningar ligger inom 40–60 %.")
# The preview is drawn only when opened (the expander reruns the page when it opens or closes):
# the whole report, its plotly.js inlined, cost the browser about 2 CPU-seconds on every year
# change (issue 16), also for someone who only came for the files.
preview = st.expander("Förhandsgranska rapporten", key="forhandsgranska", on_change="rerun")
with preview:
    if preview.open:
        st.iframe(html_doc, height=1100)
