"""Trender: any indicator over all years, women and men, with intervals."""

import pandas as pd
import streamlit as st

from jamstalldhet.compute.indicators import INDICATORS, indicator
from jamstalldhet.show import charts, presentation
from pages._shared import (
    cat,
    downloads,
    filtered,
    group_filters,
    internal_banner,
    setup,
    show_chart,
    show_table,
    table_note,
)

d = setup()
c = cat()
filters = group_filters(d)
st.title("Trender")
internal_banner()
iid = st.selectbox("Indikator", [i.id for i in INDICATORS], format_func=lambda i: c.text(i).title, key="trend_indikator")
pubs = [filtered(d, filters, year_=y) for y in sorted(d.years)]
trend = presentation.trend_frame(pubs, iid)
rate = indicator(iid).kind == "rate"
st.caption(c.text(iid).definition)
show_chart(charts.trend_chart(trend, f"{c.text(iid).title}, kvinnor och män över tid", rate, pubs[-1].note), f"{iid}_trend")
show_table(presentation.trend_table(pubs, c, iid))
table_note(pubs[-1])
table = pd.concat([presentation.export_table(p, c, [iid]) for p in pubs], ignore_index=True)  # numbers, for the files
downloads(table, f"{iid}_trend", pubs[-1], key="dl_trend", title=f"{c.text(iid).title}, kvinnor och män över tid",
          years=f"{min(d.years)}–{max(d.years)}")
