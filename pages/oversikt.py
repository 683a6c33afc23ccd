"""Översikt: the year's participants, referrals, endings and outcomes, women and men."""

import streamlit as st

from jamstalldhet.show import charts, presentation
from pages._shared import (
          cat,
          downloads,
          internal_banner,
          published,
          setup,
          show_chart,
          show_intervals,
          show_table,
          table_note,
          year,
)

d = setup()
c = cat()
pub = published(d)
y = year()

st.title(f"Översikt {y}")
internal_banner()
st.markdown(presentation.summary_sentence(pub, c, "deltagare"))

COUNTS = ["deltagare", "anvisade", "avslutade"]
# every outcome, "annat" included, so that the shares of the women (and of the men) add up to 100 %
OUTCOMES = ["avslut_arbete", "avslut_studier", "avslut_arbetsmarknadsanstallning", "avslut_ohalsa", "avslut_annat"]

st.subheader("Deltagare, anvisade och avslutade")
show_table(presentation.count_table(pub, c, COUNTS))
table_note(pub)
downloads(presentation.export_table(pub, c, COUNTS), f"deltagare-anvisade-avslutade_oversikt_{y}", pub, key="dl_antal",
          title="Deltagare, anvisade och avslutade")
st.subheader("Avslutsorsak: andel av kvinnorna och andel av männen")
show_chart(charts.rates_chart(pub, c, OUTCOMES, f"Avslutade {y} efter avslutsorsak"), f"avslutsorsak_oversikt_{y}")
show_table(presentation.rate_table(pub, c, OUTCOMES))
show_intervals(presentation.interval_table(pub, c, OUTCOMES))
table_note(pub)
downloads(presentation.export_table(pub, c, OUTCOMES), f"avslutsorsak_oversikt_{y}", pub, key="dl_utfall",
          title="Avslutsorsak: andel av kvinnorna och andel av männen")
st.caption(
    f"{pub.note}. Andel av kvinnorna = andelen av de kvinnor som avslutades som gick till respektive utfall. "
    "Skillnaden är statistiskt säkerställd när p < 0,05 (Fishers exakta test vid små tal, annars chi-två). "
    "Jämn könsfördelning: 40–60 % av vardera kön."
)
