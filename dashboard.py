"""Jämställdhetsuppföljning – the Streamlit entry point.

Run with ``streamlit run dashboard.py`` (or ``make run``).
"""

import pyarrow as pa
import streamlit as st

from pages._shared import report_mode

# The server is long-lived: the system allocator gives memory back to the OS after a large
# load, where Arrow's default pool (mimalloc) keeps it (benchmark: lower peak and faster load).
pa.set_memory_pool(pa.system_memory_pool())

# Rapportläge starts with the sidebar folded away.
st.set_page_config(page_title="Jämställdhetsuppföljning", page_icon="⚖️", layout="wide",
                   initial_sidebar_state="collapsed" if report_mode() else "auto")

pages = [
    st.Page("pages/oversikt.py", title="Översikt", url_path="oversikt", default=True),
    st.Page("pages/makt_inflytande.py", title="Makt, inflytande och ekonomisk jämställdhet", url_path="makt-inflytande"),
    st.Page("pages/makt_halsa.py", title="Makt och hälsa", url_path="makt-och-halsa"),
    st.Page("pages/vald.py", title="Makt och mäns våld mot kvinnor", url_path="vald"),
    st.Page("pages/trender.py", title="Trender", url_path="trender"),
    st.Page("pages/arsrapport.py", title="Årsrapport", url_path="arsrapport"),
    st.Page("pages/importera.py", title="Importera", url_path="importera"),
]
# Each page draws the shared sidebar filters itself (pages._shared.setup), so that a page
# run on its own (AppTest, a bookmarked URL) has the same filters.
st.session_state["_via_dashboard"] = True  # see pages._shared.setup
st.navigation(pages).run()
