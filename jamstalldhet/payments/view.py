"""What the pages and the report show of the payments (section 7): figures, tables, a sentence.

Everything here is read from a disclosure-controlled :class:`payments.PaymentTable`; a suppressed
value is a gap in a line and ``..`` in a table. Women before men, the palette of :mod:`charts`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..base import formatting as F
from ..base import schema as S
from ..show.charts import COLOURS, layout
from ..show.views import ReportSection
from . import reading as PR
from . import table as P

DELAD_COLOUR: Final = "#222222"
TYPE_COLOURS: Final = {PR.SAMBO_UTAN: "#E69F00", PR.SAMBO_MED: "#222222", S.TOTALT: "#999999"}
TREDJE_COLOUR: Final = "#CC79A7"


def _series(t: P.PaymentTable, indicator: str, group: str = S.TOTALT, monthly: bool = True) -> pd.DataFrame:
    f = t.monthly() if monthly else t.annual()
    f = f[(f["indicator"] == indicator) & (f["group"] == group)]
    ymd = pd.DataFrame({"year": f["year"].to_numpy(), "month": np.maximum(f["month"].to_numpy(), 1), "day": 1})
    x = pd.to_datetime(ymd) if len(f) else pd.Series([], dtype="datetime64[ns]")
    return pd.DataFrame({"x": x.to_numpy(), "share": f["share"].to_numpy(dtype=float), "year": f["year"].to_numpy()})


def _pct(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) * 100 for v in values]


def _layout(fig: go.Figure, title: str, note: str, alt: str) -> go.Figure:
    """The house style of :func:`charts.layout`, for monthly lines of shares (three long legend names)."""
    layout(fig, title, note, alt, legend_rows=3)
    fig.update_yaxes(title="Andel (%)", ticksuffix=" %", range=[0, 100])
    fig.update_xaxes(dtick="M12", tickformat="%Y")
    return fig


def _decision_line(fig: go.Figure, decision: date) -> None:
    x = pd.Timestamp(decision)
    fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, xref="x", yref="paper", line={"color": "#555", "dash": "dot", "width": 2})
    fig.add_annotation(x=x, y=0.32, xref="x", yref="paper", text=f"Beslut {decision.isoformat()}:<br>hälften till vardera vuxen",
                       showarrow=False, xanchor="left", yanchor="middle", align="left", xshift=4, bgcolor="rgba(255,255,255,0.85)",
                       font={"size": 12, "color": "#333"})


def trend_figure(t: P.PaymentTable, decision: date, year: int, group: str = S.TOTALT) -> go.Figure:
    """Month by month: the women's share of the kronor paid to couples (one woman, one man; the men's
    share is the rest, so it is one line, not a mirrored second one), and the share of couple
    households paid half each (40–60 %); the decision date marked. Its description names the span
    and the page's ``year``."""
    women = _series(t, P.PAR_ANDEL_KR_KVINNOR, group)
    delad = _series(t, P.PAR_DELAD_UTBETALNING, group)
    fig = go.Figure()
    fig.add_scatter(name="Kvinnornas andel av kronorna", x=women["x"], y=_pct(women["share"].to_numpy()), mode="lines",
                    line={"color": COLOURS[S.KVINNOR], "width": 3}, connectgaps=False,
                    hovertemplate="%{x|%Y-%m}: %{y:.1f} %<extra>Kvinnor</extra>")
    fig.add_scatter(name="Parhushåll som fått hälften var (40–60 %)", x=delad["x"], y=_pct(delad["share"].to_numpy()), mode="lines",
                    line={"color": DELAD_COLOUR, "width": 2, "dash": "dot"}, connectgaps=False,
                    hovertemplate="%{x|%Y-%m}: %{y:.1f} %<extra>Delad utbetalning</extra>")
    title = "Utbetalningar till par (en kvinna och en man), per månad"
    if group != S.TOTALT:
        title += f": {group.lower()}"
    fig = _layout(fig, title, _chart_note(t, women, delad), f"{_span(t)} " + sentence(t, year, decision))
    _decision_line(fig, decision)
    return fig


def by_type_figure(t: P.PaymentTable, decision: date, year: int) -> go.Figure:
    """Share of couple households paid half each, month by month, with and without children;
    and the share of all kronor paid to third parties. Its description says what this chart shows,
    for the page's ``year``."""
    fig = go.Figure()
    series = []
    for grp in PR.COUPLE_TYPES:
        s = _series(t, P.PAR_DELAD_UTBETALNING, grp)
        series.append(s)
        fig.add_scatter(name=f"Delad: {grp.lower()}", x=s["x"], y=_pct(s["share"].to_numpy()), mode="lines",
                        line={"color": TYPE_COLOURS[grp], "width": 2, "dash": "solid" if grp == PR.SAMBO_MED else "dash"},
                        connectgaps=False, hovertemplate="%{x|%Y-%m}: %{y:.1f} %<extra>" + grp + "</extra>")
    third = _series(t, P.TREDJE_PART_ANDEL)
    fig.add_scatter(name="Tredje part (andel av alla kronor)", x=third["x"], y=_pct(third["share"].to_numpy()), mode="lines",
                    line={"color": TREDJE_COLOUR, "width": 2, "dash": "dashdot"}, connectgaps=False,
                    hovertemplate="%{x|%Y-%m}: %{y:.1f} %<extra>Tredje part</extra>")
    fig = _layout(fig, "Delad utbetalning per hushållstyp och tredje part, per månad", _chart_note(t, *series, third),
                  _type_sentence(t, year))
    _decision_line(fig, decision)
    return fig


def _span(t: P.PaymentTable) -> str:
    years = t.years()
    return f"Månad för månad {years[0]}–{years[-1]}." if years else "Inga utbetalningar att visa."


def _type_sentence(t: P.PaymentTable, year: int) -> str:
    """The household-type chart in words: the span, then ``year``'s shares by type and to third parties."""
    if year not in t.years():
        return _span(t)
    f = t.annual(year)
    parts = [f"{grp.lower()} {F.percent(_value(f, P.PAR_DELAD_UTBETALNING, grp, 'share'))}" for grp in PR.COUPLE_TYPES]
    third = F.percent(_value(f, P.TREDJE_PART_ANDEL, S.TOTALT, "share"))
    return (f"{_span(t)} Andelen parhushåll som fick utbetalningen delad år {year}: {', '.join(parts)}; "
            f"till tredje part gick {third} av alla utbetalda kronor.")


def _chart_note(t: P.PaymentTable, *series: pd.DataFrame) -> str:
    gaps = any(s["share"].isna().any() for s in series)
    return t.note + (" · Luckor i linjerna: för få hushåll den månaden" if gaps and not t.internal else "")


def _value(f: pd.DataFrame, indicator: str, group: str, col: str) -> Any:
    r = f[(f["indicator"] == indicator) & (f["group"] == group)]
    return r[col].iloc[0] if len(r) else None


def annual_table(t: P.PaymentTable) -> pd.DataFrame:
    """One row per year, as the user reads it (Swedish numbers, ``..`` where suppressed)."""
    rows = []
    for y in t.years():
        f = t.annual(y)
        rows.append({
            "År": str(y),
            "Kvinnornas andel av parens kronor": F.percent(_value(f, P.PAR_ANDEL_KR_KVINNOR, S.TOTALT, "share")),
            "Parhushåll med delad utbetalning": F.number(_value(f, P.PAR_DELAD_UTBETALNING, S.TOTALT, "count")),
            "Parhushåll": F.number(_value(f, P.PAR_DELAD_UTBETALNING, S.TOTALT, "denominator")),
            "Andel med delad utbetalning": F.percent(_value(f, P.PAR_DELAD_UTBETALNING, S.TOTALT, "share")),
            "Andel till tredje part": F.percent(_value(f, P.TREDJE_PART_ANDEL, S.TOTALT, "share")),
            "Utbetalt totalt (kr)": F.number(_value(f, P.TREDJE_PART_ANDEL, S.TOTALT, "denominator")),
        })
    return pd.DataFrame(rows)


def type_table(t: P.PaymentTable, year: int) -> pd.DataFrame:
    """Households by type in one year, and for couples the 40–60 rule and women's share."""
    f = t.annual(year)
    rows = []
    for grp in (*PR.HOUSEHOLD_TYPES, S.TOTALT):
        couple = grp in PR.COUPLE_TYPES or grp == S.TOTALT
        rows.append({
            "Hushållstyp": grp,
            "Hushåll med utbetalning": F.number(_value(f, P.BISTAND_HUSHALL, grp, "count")),
            "Parhushåll (kvinna och man)": F.number(_value(f, P.PAR_DELAD_UTBETALNING, grp, "denominator")) if couple else F.MISSING,
            "Andel med delad utbetalning": F.percent(_value(f, P.PAR_DELAD_UTBETALNING, grp, "share")) if couple else F.MISSING,
            "Kvinnornas andel av kronorna": F.percent(_value(f, P.PAR_ANDEL_KR_KVINNOR, grp, "share")) if couple else F.MISSING,
        })
    return pd.DataFrame(rows)


def export_table(t: P.PaymentTable, monthly: bool = False) -> pd.DataFrame:
    """Numbers (not text) for files, one row per indicator, period, group and gender; suppressed
    values empty and marked; in internt läge every row carries the mark."""
    f = t.monthly() if monthly else t.annual()
    out = pd.DataFrame({
        "Indikator": f["indicator"].map(P.TITLES).to_numpy(),
        "År": f["year"].to_numpy(),
    })
    if monthly:
        out["Månad"] = [P.period_label(int(p)) for p in f["period"]]
    out["Grupp"] = f["group"].to_numpy()
    out["Kön"] = f["gender"].to_numpy()
    # households and kronor each in a column of their own
    households = f["indicator"].isin(HOUSEHOLD_INDICATORS).to_numpy()
    count, den = f["count"].to_numpy(dtype=object), f["denominator"].to_numpy(dtype=object)
    out["Hushåll (antal)"] = [c if h else None for c, h in zip(count, households, strict=True)]
    out["Av antal hushåll (antal)"] = [d if h else None for d, h in zip(den, households, strict=True)]
    out["Kronor (kr)"] = [None if h else c for c, h in zip(count, households, strict=True)]
    out["Av kronor (kr)"] = [None if h else d for d, h in zip(den, households, strict=True)]
    out["Andel (%)"] = f["share"].to_numpy()
    mark = P.note(t.k) if t.internal else ""
    out["Röjandekontroll"] = np.where(f["share_suppressed"].to_numpy(dtype=bool), "..", mark)
    return out.reset_index(drop=True)


HOUSEHOLD_INDICATORS: Final = (P.BISTAND_HUSHALL, P.PAR_DELAD_UTBETALNING)


def wide_table(t: P.PaymentTable, monthly: bool = False) -> pd.DataFrame:
    """The annual (or monthly) table as the screen shows it, numbers as numbers with their units:
    one row per year (month), ``..`` where hidden."""
    f = t.monthly() if monthly else t.annual()
    rows = []
    for period, sub in f.groupby("period", sort=True):
        # each indicator's first Totalt-group row (the women's or the total), looked up once, not scanned per cell
        first = sub[(sub["group"] == S.TOTALT) & sub["gender"].isin([S.TOTALT, S.KVINNOR])].drop_duplicates("indicator")
        cells = first.set_index("indicator")

        def val(indicator: str, col: str, cells: pd.DataFrame = cells) -> Any:
            v: Any = cells.at[indicator, col] if indicator in cells.index else None
            return F.SUPPRESSED if v is None or pd.isna(v) else v

        row: dict[str, Any] = {"År": int(sub["year"].iloc[0])}
        if monthly:
            row["Månad"] = P.period_label(int(str(period)))
        row.update({
            "Kvinnornas andel av parens kronor (%)": val(P.PAR_ANDEL_KR_KVINNOR, "share"),
            "Parhushåll med delad utbetalning (antal)": val(P.PAR_DELAD_UTBETALNING, "count"),
            "Parhushåll (antal)": val(P.PAR_DELAD_UTBETALNING, "denominator"),
            "Andel med delad utbetalning (%)": val(P.PAR_DELAD_UTBETALNING, "share"),
            "Andel till tredje part (%)": val(P.TREDJE_PART_ANDEL, "share"),
            "Utbetalt totalt (kr)": val(P.TREDJE_PART_ANDEL, "denominator"),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def sentence(t: P.PaymentTable, year: int, decision: date) -> str:
    """A plain Swedish sentence for the board: the year, and the last full year before the decision."""
    f = t.annual(year)
    women = _value(f, P.PAR_ANDEL_KR_KVINNOR, S.TOTALT, "share")
    delad = _value(f, P.PAR_DELAD_UTBETALNING, S.TOTALT, "share")
    third = _value(f, P.TREDJE_PART_ANDEL, S.TOTALT, "share")
    if women is None or pd.isna(women) or delad is None or pd.isna(delad):
        text = (f"År {year} var det för få parhushåll med utbetalningar för att visa hur pengarna fördelades "
                f"mellan kvinnor och män ({t.note}).")
    else:
        text = (f"År {year} gick {F.percent(women)} av de kronor som betalades ut till par (en kvinna och en man) till kvinnan, "
                f"och {F.percent(delad)} av parhushållen fick utbetalningen delad, så att kvinnan fick mellan 40 och 60 procent.")
    before = decision.year - 1  # the last full year before the decision
    if year > before and before in t.years():
        b = t.annual(before)
        bw, bd = _value(b, P.PAR_ANDEL_KR_KVINNOR, S.TOTALT, "share"), _value(b, P.PAR_DELAD_UTBETALNING, S.TOTALT, "share")
        if bw is not None and not pd.isna(bw) and bd is not None and not pd.isna(bd):
            text += (f" Året före beslutet om hälften till vardera vuxen ({before}) var andelarna {F.percent(bw)} "
                     f"och {F.percent(bd)}.")
    if third is not None and not pd.isna(third):
        text += f" {F.percent(third)} av alla utbetalda kronor gick till tredje part, till exempel hyresvärdar."
    return text


def report_section(df: pd.DataFrame | None, year: int, k: int, decision: date | None = None) -> ReportSection | None:
    """The report's section on payments (None when there are no payments for the year)."""
    if df is None or df.empty:
        return None
    t = P.table(df, k)
    if year not in t.years():
        return None
    decision = decision or PR.decision_date()
    return ReportSection(
        year, "Jämställda utbetalningar av ekonomiskt bistånd", sentence(t, year, decision), trend_figure(t, decision, year),
        {f"Utbetalningar till par {t.years()[0]}–{t.years()[-1]}": annual_table(t), f"Hushållstyper {year}": type_table(t, year)},
        {"Utbetalningar per år": wide_table(t), "Utbetalningar per månad": wide_table(t, monthly=True)}, t.note,
    )
