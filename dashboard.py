"""Jämställdhetsuppföljning – the Streamlit entry point.

Run with ``streamlit run dashboard.py`` (or ``make run``).
"""

import pyarrow as pa
import streamlit as st

from pages import _auth, _swedish
from pages._malomrade import malomrade_page
from pages._shared import cat, report_mode

# The server is long-lived: the system allocator gives memory back to the OS after a large
# load, where Arrow's default pool (mimalloc) keeps it (benchmark: lower peak and faster load).
pa.set_memory_pool(pa.system_memory_pool())

# Rapportläge starts with the sidebar folded away, in Streamlit's centred layout: the width of its first
# skeleton and about an A4 page's text, so nothing is laid out again when the page arrives (issue 26).
st.set_page_config(page_title="Jämställdhetsuppföljning", page_icon="⚖️", layout="centered" if report_mode() else "wide",
                   initial_sidebar_state="collapsed" if report_mode() else "auto")
# WCAG 3.1.1 and Swedish only: <html lang="sv"> and Streamlit's own words (uploader, skip link, menus,
# labels) in Swedish. Streamlit 1.67 has no setting for either (its index.html says lang="en"), so one
# script does both on every run, through st.html's supported unsafe_allow_javascript (pages/_swedish.py).
_swedish.install()
_auth.gate()  # with sign-in configured: nothing but the sign-in view until signed in

# One page per målområde of the catalogue (data/indikatorer.toml): title and address from there, so
# a new målområde in the catalogue is a new page, with no code.
catalogue = cat()
start = st.Page("pages/oversikt.py", title="Översikt", url_path="", default=True)  # at "/"; "/oversikt" leads there too
pages = [
    start,
    *[st.Page(malomrade_page(area.id), title=area.title, url_path=area.url) for area in catalogue.malomraden],
    st.Page("pages/resurser.py", title="Resurser", url_path="resurser"),
    st.Page("pages/handlingsplan.py", title="Handlingsplan", url_path="handlingsplan"),
    st.Page("pages/trender.py", title="Trender", url_path="trender"),
    st.Page("pages/jamforelse.py", title="Jämförelse", url_path="jamforelse"),
    st.Page("pages/om_siffrorna.py", title="Om siffrorna", url_path="om-siffrorna"),
    st.Page("pages/arsrapport.py", title="Årsrapport", url_path="arsrapport"),
    st.Page("pages/importera.py", title="Importera", url_path="importera"),
    st.Page("pages/tillganglighet.py", title="Tillgänglighet", url_path="tillganglighet"),
]
# Each page draws the shared sidebar filters itself (pages._shared.setup), so that a page
# run on its own (AppTest, a bookmarked URL) has the same filters.
st.session_state["_via_dashboard"] = True  # see pages._shared.setup
# An address no page has gets a Swedish page (not Streamlit's English "Page not found").
missing = _swedish.unknown_address(pages, start, "oversikt")
st.navigation(_auth.menu(pages + ([missing] if missing else []))).run()
