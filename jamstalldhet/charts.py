"""Plotly figures: one palette, one layout, Swedish number formats, accessible titles.

Colours are from the Okabe–Ito palette (safe for colour-blind readers): women vermillion,
men blue, annat/okänt bluish green; the legend is ordered women, men. A suppressed value
has no bar and no label, and the figure says why.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import plotly.graph_objects as go

from . import formatting as F
from . import schema as S
from .catalogue import Catalogue
from .disclosure import Published

COLOURS: Final = {S.KVINNOR: "#D55E00", S.MAN_PLURAL: "#0072B2", S.ANNAT_OKANT: "#009E73", S.TOTALT: "#999999"}
FONT: Final = "Source Sans Pro, DejaVu Sans, Arial, sans-serif"


def _layout(fig: go.Figure, title: str, note: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        separators=", ",  # decimal comma, space for thousands
        barmode="group",
        legend={"orientation": "h", "y": -0.18, "traceorder": "normal", "title": None},
        margin={"l": 60, "r": 20, "t": 70, "b": 110},
        plot_bgcolor="white",
        height=460,
    )
    fig.update_yaxes(gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#999")
    fig.add_annotation(text=note, xref="paper", yref="paper", x=0, y=-0.32, showarrow=False,
                       xanchor="left", font={"size": 11, "color": "#555"})
    return fig


def _by_gender(pub: Published, ids: list[str], group: str) -> list[tuple[str, pd.DataFrame]]:
    """Rows of each gender present (women, men, annat/okänt), indexed by indicator in ``ids`` order."""
    f = pub.frame
    f = f[f["indicator"].isin(ids) & (f["group"] == group)]
    out = []
    for g in (S.KVINNOR, S.MAN_PLURAL, S.ANNAT_OKANT):
        sub = f[f["gender"] == g].set_index("indicator").reindex(ids)
        if not sub["gender"].isna().all():
            out.append((g, sub))
    return out


def rates_chart(pub: Published, cat: Catalogue, ids: list[str], title: str, group: str = S.TOTALT) -> go.Figure:
    """Shares of women and of men side by side per indicator, with 95 % intervals."""
    fig = go.Figure()
    any_value = False
    for g, sub in _by_gender(pub, ids, group):
        y = [None if v != v else v * 100 for v in sub["share"]]
        any_value |= any(v is not None for v in y)
        fig.add_bar(
            name=g, x=[cat.text(i).short for i in ids], y=y,
            marker_color=COLOURS[g],
            text=[F.percent(v / 100) if v is not None else "" for v in y], textposition="inside", insidetextanchor="start",
            textfont={"color": "white"},
            error_y={"type": "data", "symmetric": False,
                     "array": [None if y_ is None else hi * 100 - y_ for y_, hi in zip(y, sub["ci_high"], strict=True)],
                     "arrayminus": [None if y_ is None else y_ - lo * 100 for y_, lo in zip(y, sub["ci_low"], strict=True)],
                     "color": "#333", "thickness": 1},
            hovertemplate="%{x}: %{text}<extra>" + g + "</extra>",
        )
    note = pub.note + " · Felstaplar: 95 % konfidensintervall"
    if not any_value:
        note = "Alla värden är för små för att visas (" + pub.note + ")."
    fig = _layout(fig, title, note)
    fig.update_yaxes(title="Andel (%)", ticksuffix=" %", rangemode="tozero")
    return fig


def counts_chart(pub: Published, cat: Catalogue, ids: list[str], title: str, group: str = S.TOTALT) -> go.Figure:
    """Number of women and men per indicator."""
    fig = go.Figure()
    any_value = False
    for g, sub in _by_gender(pub, ids, group):
        y = [None if v is None or v != v else int(v) for v in sub["count"].astype(object).where(sub["count"].notna(), None)]
        any_value |= any(v is not None for v in y)
        fig.add_bar(name=g, x=[cat.text(i).short for i in ids], y=y, marker_color=COLOURS[g],
                    text=[F.number(v) if v is not None else "" for v in y], textposition="outside",
                    hovertemplate="%{x}: %{text}<extra>" + g + "</extra>")
    note = pub.note if any_value else "Alla värden är för små för att visas (" + pub.note + ")."
    fig = _layout(fig, title, note)
    fig.update_yaxes(title="Antal personer", rangemode="tozero")
    return fig


def trend_chart(trend: pd.DataFrame, title: str, rate: bool, note: str) -> go.Figure:
    """Women and men over the years; shares with 95 % intervals, or counts."""
    fig = go.Figure()
    for g in (S.KVINNOR, S.MAN_PLURAL, S.ANNAT_OKANT):
        sub = trend[trend["gender"] == g]
        if sub.empty:
            continue
        if rate:
            y = [None if pd.isna(v) else v * 100 for v in sub["share"]]
            err = {"type": "data", "symmetric": False,
                   "array": [None if pd.isna(h) or v is None else h * 100 - v for v, h in zip(y, sub["ci_high"], strict=True)],
                   "arrayminus": [None if pd.isna(lo) or v is None else v - lo * 100 for v, lo in zip(y, sub["ci_low"], strict=True)]}
        else:
            y = [None if pd.isna(v) else int(v) for v in sub["count"]]
            err = None
        fig.add_scatter(name=g, x=sub["year"].astype(int), y=y, mode="lines+markers", line={"color": COLOURS[g], "width": 3},
                        marker={"size": 8}, error_y=err, connectgaps=False)
    fig = _layout(fig, title, note)
    fig.update_xaxes(dtick=1, title="År")
    fig.update_yaxes(title="Andel (%)" if rate else "Antal personer", ticksuffix=" %" if rate else "", rangemode="tozero")
    return fig
