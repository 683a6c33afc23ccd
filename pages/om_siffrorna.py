"""Om siffrorna: how to read every figure of the dashboard (the same text as the report's last section)."""

import streamlit as st

from jamstalldhet.show import presentation
from pages._shared import k, setup

setup()
st.title("Om siffrorna")
st.markdown("Så läser du tabellerna och diagrammen: vad som räknas, hur osäkerheten anges och hur enskilda "
            "personer skyddas. Samma text står sist i årsrapporten.")
for head, text in presentation.about_figures(k()):
    st.subheader(head)
    st.markdown(text)
