"""Plotly figures: one palette, one layout, Swedish number formats, accessible to every reader.

Colours are from the Okabe–Ito palette (safe for colour-blind readers): women vermillion,
men blue, annat/okänt bluish green; the legend is ordered women, men. Colour is never the only
carrier (WCAG 1.4.1): every bar is labelled *Kvinnor* or *Män* under it and men's bars are
hatched; trend lines differ by dash and marker too; significance and 40/60 are written in the
figure's note. Every figure carries a one-sentence Swedish summary made from the
:class:`~jamstalldhet.disclosure.control.Published` table (:func:`alt_text`), which pages and the report
give to assistive technology next to the table. A chart whose every value is suppressed is
replaced by a sentence saying so (:func:`all_suppressed`), on screen and in every export.

The legend sits above the plot and the note below the axis labels, at fixed distances in pixels,
so the two never overlap at any export size (PNG/SVG for print, the report's PDF, the screen).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go

from ..base import formatting as F
from ..base import schema as S
from ..compute.catalogue import Catalogue
from ..compute.indicators import indicator
from ..disclosure.control import SUPPRESSION_NOTE, Published

COLOURS: Final = {S.KVINNOR: "#D55E00", S.MAN_PLURAL: "#0072B2", S.ANNAT_OKANT: "#009E73", S.TOTALT: "#999999"}
#: A second carrier besides colour: hatching for bars, dash and marker for lines.
PATTERNS: Final = {S.KVINNOR: "", S.MAN_PLURAL: "/", S.ANNAT_OKANT: "."}
DASHES: Final = {S.KVINNOR: "solid", S.MAN_PLURAL: "dash", S.ANNAT_OKANT: "dot"}
SYMBOLS: Final = {S.KVINNOR: "circle", S.MAN_PLURAL: "square", S.ANNAT_OKANT: "diamond"}
#: Gender labels under the bars and in sentences ("av kvinnorna", "av männen").
OF_GENDER: Final = {S.KVINNOR: "av kvinnorna", S.MAN_PLURAL: "av männen", S.ANNAT_OKANT: "av annat/okänt"}
COUNT_NOUN: Final = {S.KVINNOR: "kvinnor", S.MAN_PLURAL: "män", S.ANNAT_OKANT: "annat/okänt"}
FONT: Final = "Source Sans Pro, DejaVu Sans, Arial, sans-serif"
TEXT: Final = "#1f1f1f"  # 16:1 on white
NOTE_COLOUR: Final = "#4d4d4d"  # 8.5:1 on white
NOTE_CHARS: Final = 95  # the note wraps at this many characters (fits the report's 640 px)
TOP: Final = 86  # px above the plot: title, then the legend
BOTTOM: Final = 44  # px below the plot for two lines of tick labels (gender, indicator), without axis title or note
NAME_CHARS: Final = 16  # an indicator's name longer than this is set on two lines under its bars
LINE: Final = 16  # px per line of the note
LEGEND_ROW: Final = 22  # px per extra row of the legend
AXIS_TITLE: Final = 26  # px for an x-axis title
BAR_WIDTH: Final = 70  # px per bar when a chart is sized to its content (rapportläge)
TITLE_CHAR: Final = 10  # px per character of an 18 px title
MIN_WIDTH: Final = 600  # the note, wrapped at NOTE_CHARS, needs this much
LABEL_LIFT: Final = 0.03  # a bar's value label sits this share of the axis above the interval's cap
META_ALT: Final = "alt"
META_EMPTY: Final = "all_suppressed"


def alt_text(fig: go.Figure) -> str:
    """The figure's one-sentence Swedish summary (its text alternative)."""
    meta = fig.layout.meta
    return str(meta.get(META_ALT, "")) if isinstance(meta, dict) else ""


def all_suppressed(fig: go.Figure) -> bool:
    """True when every value is suppressed: show :func:`alt_text` instead of the figure."""
    meta = fig.layout.meta
    return bool(meta.get(META_EMPTY, False)) if isinstance(meta, dict) else False


def _present(x: object) -> bool:
    return not pd.isna(x)  # type: ignore[call-overload]


def layout(fig: go.Figure, title: str, note: str, alt: str, x_title: bool = False, verdict: str = "",
           tick_lines: int = 2, legend_rows: int = 1) -> go.Figure:
    """The house style of every chart: title, legend above the plot, the note below the tick labels at
    a fixed pixel distance (never over the legend, whatever the export size), the text alternative in
    ``layout.meta``."""
    lines = textwrap.wrap(verdict, NOTE_CHARS) + (textwrap.wrap(note, NOTE_CHARS) or [""])
    bottom = BOTTOM + LINE * (tick_lines - 2) + (AXIS_TITLE if x_title else 0) + LINE * len(lines) + 14
    top = TOP + LEGEND_ROW * (legend_rows - 1)  # a legend of long names wraps to more rows
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "xref": "container", "y": 1, "yref": "container",
               "yanchor": "top", "pad": {"t": 14, "l": 8}, "font": {"size": 18, "color": TEXT}},
        font={"family": FONT, "size": 13, "color": TEXT},
        separators=", ",  # decimal comma, space for thousands
        # above the plot, below the title: nothing else is drawn there
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom", "yref": "paper",
                "traceorder": "normal", "title": None, "font": {"size": 13}},
        margin={"l": 70, "r": 20, "t": top, "b": bottom, "autoexpand": False},
        plot_bgcolor="white",
        height=460 + LINE * (len(lines) - 1) + (top - TOP),
        meta={META_ALT: alt, META_EMPTY: False},
    )
    fig.update_xaxes(automargin=False, tickfont={"size": 12})
    fig.update_yaxes(gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#999", automargin=False)
    # The note's bottom edge sits 6 px above the figure's bottom edge, in pixels from the plot area,
    # so it stays below the tick labels and away from the legend whatever the export size.
    fig.add_annotation(text="<br>".join(lines), xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="bottom",
                       yshift=-(bottom - 6), showarrow=False, align="left", font={"size": 11, "color": NOTE_COLOUR})
    return fig


def _empty(title: str, alt: str) -> go.Figure:
    """Every value suppressed: the sentence instead of empty axes (also in PNG, SVG and the report)."""
    fig = go.Figure()
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "pad": {"l": 8}, "font": {"size": 18, "color": TEXT}},
        font={"family": FONT, "size": 13, "color": TEXT}, plot_bgcolor="white", height=220,
        margin={"l": 20, "r": 20, "t": 70, "b": 20}, showlegend=False,
        xaxis={"visible": False}, yaxis={"visible": False},
        meta={META_ALT: alt, META_EMPTY: True},
    )
    fig.add_annotation(text="<br>".join(textwrap.wrap(alt, 70)), xref="paper", yref="paper", x=0, y=0.5,
                       xanchor="left", showarrow=False, align="left", font={"size": 15, "color": TEXT})
    return fig


def _rows(pub: Published, ids: list[str], group: str) -> dict[str, dict[str, dict[str, Any]]]:
    """indicator -> gender -> row (only rows that exist), in ``ids`` order."""
    f = pub.frame
    f = f[f["indicator"].isin(ids) & (f["group"] == group)]
    out: dict[str, dict[str, dict[str, Any]]] = {i: {} for i in ids}
    for r in f.to_dict("records"):
        out[str(r["indicator"])][str(r["gender"])] = {str(key): v for key, v in r.items()}
    return out


def _genders(rows: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    present = {g for by_g in rows.values() for g in by_g}
    return [g for g in (S.KVINNOR, S.MAN_PLURAL, S.ANNAT_OKANT) if g in present]


def _significance_words(row: dict[str, Any] | None) -> str:
    if row is None or not _present(row.get("significant")):
        return ""
    return "statistiskt säkerställd skillnad" if row["significant"] else "ingen statistiskt säkerställd skillnad"


def _even_words(row: dict[str, Any] | None) -> str:
    if row is None or not _present(row.get("even")):
        return ""
    return "jämn könsfördelning, inom 40/60" if row["even"] else "könsfördelning utanför 40/60"


def _rate_phrase(by_g: dict[str, dict[str, Any]], genders: list[str]) -> str:
    """``12,0 % av kvinnorna och 6,0 % av männen`` (a suppressed share is said in words)."""
    shown = [f"{F.percent(by_g[g]['share'])} {OF_GENDER[g]}" for g in genders if g in by_g and _present(by_g[g]["share"])]
    hidden = [OF_GENDER[g].removeprefix("av ") for g in genders if g in by_g and not _present(by_g[g]["share"])]
    parts = [", ".join(shown[:-1]) + " och " + shown[-1] if len(shown) > 1 else "".join(shown)]
    if hidden:
        parts.append(f"andelen för {' och '.join(hidden)} visas inte")
    return "; ".join(p for p in parts if p)


def _count_phrase(by_g: dict[str, dict[str, Any]], genders: list[str]) -> str:
    """``993 kvinnor och 821 män`` (a suppressed count is ``..``)."""
    shown = [f"{F.number(by_g[g]['count'])} {COUNT_NOUN[g]}" for g in genders if g in by_g]
    return ", ".join(shown[:-1]) + " och " + shown[-1] if len(shown) > 1 else "".join(shown)


def _suppressed_sentence(title: str, pub: Published, rows: dict[str, dict[str, dict[str, Any]]], rate: bool) -> str:
    """Every value of women and men is hidden; the published total, where there is one, is still said."""
    why = pub.note if pub.internal else SUPPRESSION_NOTE.format(k=pub.k)
    text = f"{title}: värdena för kvinnor och män är för små för att visas ({why})"
    if len(rows) == 1:
        total = next(iter(rows.values())).get(S.TOTALT)
        if total is not None and _present(total["share" if rate else "count"]):
            text += f"; totalt {F.percent(total['share'])}" if rate else f"; totalt {F.number(total['count'])} personer"
    return text + "."


def rates_summary(pub: Published, cat: Catalogue, ids: list[str], title: str, group: str = S.TOTALT) -> str:
    """One Swedish sentence for a rates chart, from the published table only.

    ``Avslutade till studier 2018: 12,0 % av kvinnorna och 6,0 % av männen; statistiskt säkerställd skillnad.``
    """
    rows = _rows(pub, ids, group)
    genders = _genders(rows)
    if not any(_present(r["share"]) for by_g in rows.values() for g, r in by_g.items() if g != S.TOTALT):
        return _suppressed_sentence(title, pub, rows, rate=True)
    parts = []
    for iid in ids:
        by_g = rows[iid]
        phrase = _rate_phrase(by_g, genders) or "visas inte"
        words = _significance_words(by_g.get(S.KVINNOR))
        phrase += f" ({words})" if words else ""
        parts.append(phrase if len(ids) == 1 else f"{cat.text(iid).short.lower()} {phrase}")
    return f"{title}: " + ", ".join(parts) + "."


def counts_summary(pub: Published, cat: Catalogue, ids: list[str], title: str, group: str = S.TOTALT) -> str:
    """One Swedish sentence for a counts chart: ``Deltagare 2018: 993 kvinnor och 821 män; jämn könsfördelning (40/60).``"""
    rows = _rows(pub, ids, group)
    genders = _genders(rows)
    if not any(_present(r["count"]) for by_g in rows.values() for g, r in by_g.items() if g != S.TOTALT):
        return _suppressed_sentence(title, pub, rows, rate=False)
    parts = []
    for iid in ids:
        by_g = rows[iid]
        phrase = _count_phrase(by_g, genders)
        w = by_g.get(S.KVINNOR)
        if w is not None and _present(w["share"]):
            phrase += f", {F.percent(w['share'])} kvinnor"
        words = _even_words(w)
        phrase += f" ({words})" if words else ""
        parts.append(phrase if len(ids) == 1 else f"{cat.text(iid).short.lower()} {phrase}")
    return f"{title}: " + ", ".join(parts) + "."


def trend_summary(trend: pd.DataFrame, title: str, rate: bool) -> str:
    """``X över tid: kvinnorna 2017 10,0 %, 2018 12,0 %; männen 2017 5,0 %, 2018 6,0 %.``"""
    parts = []
    for g in (S.KVINNOR, S.MAN_PLURAL, S.ANNAT_OKANT):
        sub = trend[trend["gender"] == g] if len(trend) else trend
        if sub.empty:
            continue
        values = [f"{int(y)} {F.percent(v) if rate else F.number(c)}" for y, v, c in zip(sub["year"], sub["share"], sub["count"], strict=True)]
        parts.append(f"{OF_GENDER[g].removeprefix('av ')} " + ", ".join(values))
    if not parts:
        return f"{title}: det finns inga värden att visa."
    return f"{title}: " + "; ".join(parts) + " (.. = visas inte)."


def _verdict_line(label_of: Callable[[str], str], ids: list[str], rows: dict[str, dict[str, dict[str, Any]]], rate: bool) -> str:
    """Significance (rates) or 40/60 (counts) in words, for the figure's note; ``label_of`` names a bar group."""
    if rate:
        flags = {i: rows[i].get(S.KVINNOR, {}).get("significant") for i in ids}
        yes, label = [i for i, v in flags.items() if v is not None and _present(v) and v], "Statistiskt säkerställd skillnad mellan kvinnor och män (p < 0,05)"
        no_label = "Ingen statistiskt säkerställd skillnad mellan kvinnor och män."
    else:
        flags = {i: rows[i].get(S.KVINNOR, {}).get("even") for i in ids}
        yes, label = [i for i, v in flags.items() if v is not None and _present(v) and not v], "Könsfördelning utanför 40/60"
        no_label = "Jämn könsfördelning (40–60 % av vardera kön)."
    known = [i for i, v in flags.items() if v is not None and _present(v)]
    if not known:
        return ""
    if not yes:
        return no_label if len(known) == len(ids) else ""
    if len(ids) == 1:
        return label + "."
    return f"{label}: " + ", ".join(label_of(i) for i in yes) + "."


def _name(short: str) -> str:
    """An indicator's name under its bars, on two lines when long (Swedish compounds split at a joint:
    ``Arbetsmarknads-<br>anställning``), so that neighbouring names never run into each other."""
    if len(short) <= NAME_CHARS:
        return short
    if " " in short:
        return "<br>".join(textwrap.wrap(short, max(NAME_CHARS, len(short) // 2 + 1), break_long_words=False))
    joints = [i + 1 for i, ch in enumerate(short[:-3]) if ch == "s" and 3 < i]
    if not joints:
        return short
    cut = min(joints, key=lambda i: abs(i - len(short) / 2))
    return f"{short[:cut]}-<br>{short[cut:]}"


def _bar_marker(g: str) -> dict[str, Any]:
    """The gender's colour, and hatching for men (white stripes over the colour, in every renderer)."""
    return {"color": COLOURS[g], "line": {"color": COLOURS[g], "width": 1},
            "pattern": {"shape": PATTERNS[g], "fillmode": "overlay", "bgcolor": COLOURS[g], "fgcolor": "white", "size": 7, "solidity": 0.25}}


def _bar_label(g: str) -> str:
    return {S.ANNAT_OKANT: "Annat/okänt"}.get(g, g)


HIDDEN_FILL: Final = "#EEEEEE"
HIDDEN_LINE: Final = "#767676"  # 4.5 : 1 on white


def _hidden_gaps(fig: go.Figure, x: list[list[str]], top: float) -> None:
    """A hidden value as a marked gap: a pale, outlined slot the height of the chart with the words
    "visas inte" in it, never a bar at zero (which reads as nobody) nor one of any height (a value)."""
    if not x or not x[0]:
        return
    fig.add_bar(x=x, y=[top] * len(x[0]), marker={"color": HIDDEN_FILL, "line": {"color": HIDDEN_LINE, "width": 1}},
                marker_pattern_shape="", text=[f"{F.SUPPRESSED}<br>visas<br>inte"] * len(x[0]), textposition="inside",
                insidetextanchor="middle", textfont={"size": 12, "color": TEXT}, showlegend=False, hoverinfo="skip",
                opacity=0.9)


def rates_chart(pub: Published, cat: Catalogue, ids: list[str], title: str, group: str = S.TOTALT) -> go.Figure:
    """Shares of women and of men side by side per indicator, with 95 % intervals.

    Every bar is labelled with its gender beneath it and its value above its interval."""
    alt = rates_summary(pub, cat, ids, title, group)
    rows = _rows(pub, ids, group)
    return _rates_figure(rows, ids, [_name(cat.text(i).short) for i in ids], title, pub.note, alt,
                         _verdict_line(lambda i: cat.text(i).short.lower(), ids, rows, rate=True))


def _rates_figure(rows: dict[str, dict[str, dict[str, Any]]], keys: list[str], names: list[str], title: str, note: str,
                  alt: str, verdict: str) -> go.Figure:
    """Shares of women and men per bar group (``keys``, labelled ``names``), hidden values as marked gaps."""
    genders = _genders(rows)
    if not any(_present(r["share"]) for by_g in rows.values() for g, r in by_g.items() if g != S.TOTALT):
        return _empty(title, alt)
    ymax = max([v for r in rows.values() for v in (row.get("ci_high") for row in r.values()) if v is not None and _present(v)] or [0.01])
    fig = go.Figure()
    for g in genders:
        sub = [rows[i].get(g, {}) for i in keys]
        y = [r["share"] * 100 if r and _present(r["share"]) else None for r in sub]
        hidden = [i for i, v in enumerate(y) if v is None]
        _hidden_gaps(fig, [[names[i] for i in hidden], [_bar_label(g)] * len(hidden)], ymax * 100 * 1.15)
        hi = [r["ci_high"] * 100 if r and _present(r.get("ci_high")) else None for r in sub]
        lo = [r["ci_low"] * 100 if r and _present(r.get("ci_low")) else None for r in sub]
        x = [names, [_bar_label(g)] * len(keys)]
        fig.add_bar(
            name=g, x=x, y=y, marker=_bar_marker(g),
            error_y={"type": "data", "symmetric": False,
                     "array": [None if v is None or h is None else h - v for v, h in zip(y, hi, strict=True)],
                     "arrayminus": [None if v is None or low is None else v - low for v, low in zip(y, lo, strict=True)],
                     "color": "#333", "thickness": 1},
            customdata=[F.percent(r["share"]) if r else F.SUPPRESSED for r in sub],
            hovertemplate="%{x}: %{customdata}<extra>" + g + "</extra>",
        )
        # values above the interval, in dark text (readable whatever the bar's colour); a hidden value is
        # its marked gap (above), never a label on the axis that reads as zero
        shown = [i for i, v in enumerate(y) if v is not None]
        # lifted clear of the interval's cap, which would otherwise strike through the label
        lift = ymax * 100 * LABEL_LIFT
        fig.add_scatter(x=[[x[0][i] for i in shown], [x[1][i] for i in shown]],
                        y=[(hi[i] if hi[i] is not None else y[i]) + lift for i in shown], mode="text",
                        text=[F.percent(y[i] / 100) for i in shown], textposition="top center",  # type: ignore[operator]
                        textfont={"size": 12, "color": TEXT}, showlegend=False, hoverinfo="skip")
    fig = layout(fig, title, note + " · Felstaplar: 95 % konfidensintervall", alt, verdict=verdict,
                  tick_lines=1 + max(n.count("<br>") + 1 for n in names))
    fig.update_layout(barmode="overlay", bargap=0.12)
    fig.update_yaxes(title="Andel (%)", ticksuffix=" %", rangemode="tozero")
    fig.update_yaxes(range=[0, ymax * 100 * 1.15])
    return fig


def sized_to_content(fig: go.Figure, max_width: int) -> go.Figure:
    """A copy of a bar chart as wide as its bars need (BAR_WIDTH each, plus the margins, and room for
    its title), at most ``max_width``: two bars do not get a page's whole width. A chart without bars
    (a trend line) keeps its width."""
    positions: set[tuple[Any, ...]] = set()
    for t in fig.data:
        if t.type == "bar" and t.x is not None and len(t.x):
            x = t.x
            positions.update(zip(*x, strict=True) if isinstance(x[0], (list, tuple)) else ((v,) for v in x))
    if not positions:
        return fig
    margin = fig.layout.margin
    title = str(fig.layout.title.text or "")
    need = int((margin.l or 0) + (margin.r or 0) + BAR_WIDTH * len(positions))
    width = min(max_width, max(need, TITLE_CHAR * len(title) + 40, MIN_WIDTH))
    copy = go.Figure(fig)
    copy.update_layout(width=width, autosize=False)
    return copy


def counts_chart(pub: Published, cat: Catalogue, ids: list[str], title: str, group: str = S.TOTALT) -> go.Figure:
    """Number of women and men per indicator, each bar labelled with its gender and its number."""
    alt = counts_summary(pub, cat, ids, title, group)
    rows = _rows(pub, ids, group)
    return _counts_figure(rows, ids, [_name(cat.text(i).short) for i in ids], title, pub.note, alt,
                          _verdict_line(lambda i: cat.text(i).short.lower(), ids, rows, rate=False))


def _counts_figure(rows: dict[str, dict[str, dict[str, Any]]], keys: list[str], names: list[str], title: str, note: str,
                   alt: str, verdict: str) -> go.Figure:
    """Numbers of women and men per bar group (``keys``, labelled ``names``), hidden values as marked gaps."""
    genders = _genders(rows)
    if not any(_present(r["count"]) for by_g in rows.values() for g, r in by_g.items() if g != S.TOTALT):
        return _empty(title, alt)
    ymax = max([int(r["count"]) for by_g in rows.values() for r in by_g.values() if _present(r["count"])] or [1])
    fig = go.Figure()
    for g in genders:
        sub = [rows[i].get(g, {}) for i in keys]
        y = [int(r["count"]) if r and _present(r["count"]) else None for r in sub]
        hidden = [i for i, v in enumerate(y) if v is None]
        _hidden_gaps(fig, [[names[i] for i in hidden], [_bar_label(g)] * len(hidden)], ymax * 1.12)
        fig.add_bar(name=g, x=[names, [_bar_label(g)] * len(keys)], y=y,
                    marker=_bar_marker(g),
                    text=[F.number(v) if v is not None else F.SUPPRESSED for v in y], textposition="outside",
                    textfont={"size": 12, "color": TEXT}, cliponaxis=False,
                    hovertemplate="%{x}: %{text}<extra>" + g + "</extra>")
    fig = layout(fig, title, note, alt, verdict=verdict, tick_lines=1 + max(n.count("<br>") + 1 for n in names))
    fig.update_layout(barmode="overlay", bargap=0.12)
    fig.update_yaxes(title="Antal personer", rangemode="tozero")
    fig.update_yaxes(range=[0, ymax * 1.12])
    return fig


def breakdown_chart(pub: Published, cat: Catalogue, iid: str, title: str) -> go.Figure:
    """One indicator for women and men in each group of a breakdown (``pub.by``): shares with their
    intervals for a rate, numbers for a count; hidden values as marked gaps; a sentence that names
    each group's figures."""
    f = pub.frame[(pub.frame["indicator"] == iid) & (pub.frame["group"] != S.TOTALT)]
    listed = set(f["group"].tolist())  # in the breakdown's own order (the table's first rows), not this indicator's
    groups = [str(g) for g in dict.fromkeys(pub.frame["group"].tolist()) if g in listed]
    rows: dict[str, dict[str, dict[str, Any]]] = {g: {} for g in groups}
    for r in f.to_dict("records"):
        rows[str(r["group"])][str(r["gender"])] = {str(k): v for k, v in r.items()}
    rate = indicator(iid).kind == "rate"
    parts = []
    for g in groups:
        by_g = rows[g]
        phrase = _rate_phrase(by_g, _genders(rows)) if rate else _count_phrase(by_g, _genders(rows))
        parts.append(f"{g}: {phrase or 'visas inte'}")
    alt = f"{title}: " + "; ".join(parts) + "." if parts else f"{title}: inga grupper att visa."
    names = [_name(S.group_label(pub.by, g)) for g in groups]
    verdict = _verdict_line(lambda g: S.group_label(pub.by, g), groups, rows, rate)
    draw = _rates_figure if rate else _counts_figure
    return draw(rows, groups, names, title, pub.note, alt, verdict)


def trend_chart(trend: pd.DataFrame, title: str, rate: bool, note: str) -> go.Figure:
    """Women and men over the years; shares with 95 % intervals, or counts.

    Lines differ by dash and marker as well as colour."""
    alt = trend_summary(trend, title, rate)
    fig = go.Figure()
    for g in (S.KVINNOR, S.MAN_PLURAL, S.ANNAT_OKANT):
        sub = trend[trend["gender"] == g] if len(trend) else trend
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
        fig.add_scatter(name=g, x=sub["year"].astype(int), y=y, mode="lines+markers",
                        line={"color": COLOURS[g], "width": 3, "dash": DASHES[g]},
                        marker={"size": 9, "symbol": SYMBOLS[g]}, error_y=err, connectgaps=False)
    fig = layout(fig, title, note, alt, x_title=True)
    fig.update_xaxes(dtick=1, title="År")
    fig.update_yaxes(title="Andel (%)" if rate else "Antal personer", ticksuffix=" %" if rate else "", rangemode="tozero")
    return fig
