"""The plan at a glance: every measure's assessment over the plan period, by colour, symbol and word."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .model import EJ_UPPNATT, ICONS, KAN_INTE, UPPNATT, PlanView

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: green, red and grey that keep 4.5 : 1 for white text (the word and the symbol carry it too)
RESULT_COLOURS: Final = {UPPNATT: "#1B7A3A", EJ_UPPNATT: "#B3261E", KAN_INTE: "#6B6B6B"}


def status_figure(pv: PlanView) -> go.Figure:
    """One row per measure, one cell per year of the plan period: Uppnått, Ej uppnått or Kan inte
    bedömas, each with its colour, its symbol and its word, so that colour is never alone."""
    import textwrap

    import plotly.graph_objects as go

    from ..show.charts import layout

    rows = [(f"Mål {g.goal.number}: {m.title}", m) for g in pv.goals for m in g.measures]
    years = list(pv.plan.years) or [pv.year]
    order = (UPPNATT, EJ_UPPNATT, KAN_INTE)
    z: list[list[int | None]] = []
    text: list[list[str]] = []
    for _, m in rows:
        by_year = {a.year: a.result for a in (m.trend or (m.current,))}
        z.append([order.index(by_year[y]) if y in by_year else None for y in years])
        text.append([f"{ICONS[by_year[y]]} {by_year[y]}" if y in by_year else "" for y in years])
    labels = ["<br>".join(textwrap.wrap(label, 48)[:2]) for label, _ in rows]
    scale = [[i / 2, RESULT_COLOURS[w]] for i, w in enumerate(order)]
    fig = go.Figure(go.Heatmap(z=z, x=[str(y) for y in years], y=labels, text=text, texttemplate="%{text}",
                               textfont={"color": "white", "size": 13}, colorscale=scale, zmin=0, zmax=2, showscale=False,
                               xgap=4, ygap=4, hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    counts = pv.counts
    alt = (f"Handlingsplanens mått {years[0]}–{years[-1]}; {pv.year}: " +
           ", ".join(f"{n} {word.lower()}" for word, n in counts.items()) + ".") if rows else "Planen har inga mått."
    layout(fig, f"Målen och deras bedömning {years[0]}–{years[-1]}", pv.note, alt)
    fig.update_xaxes(type="category", side="top", showgrid=False)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_layout(height=150 + 52 * len(rows), showlegend=False, margin={"l": 330, "t": 70})
    return fig
