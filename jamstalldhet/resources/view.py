"""Views of the resource tables (section 6 of the data contract): sentences, tables for screens
and files, the trend and its figure, the price list. UI-free; the pages only draw them.

Everything here is read from a disclosure-controlled :class:`resources.ResourceTable`.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from ..base import formatting as F
from ..base import schema as S
from ..disclosure import control as disclosure
from ..intake.records import Prepared
from ..show.views import ReportSection
from .prices import CostCatalogue
from .table import GENDER_COLS, ResourceTable


def _get(tab: ResourceTable, iid: str, group: str, gender: str, col: str = "value") -> Any:
    """One cell, as the table's frame holds it, None where there is none."""
    row = tab.cells.get((iid, group, gender))
    value = None if row is None else row[col]
    return None if value is None or pd.isna(value) else value


def _share(tab: ResourceTable, iid: str, group: str, gender: str) -> float | None:
    """A gender's share of the group's total of ``iid`` (persons when ``iid`` is None)."""
    col = "denominator" if iid == "persons" else "value"
    src = "deltagardagar" if iid == "persons" else iid
    part, whole = _get(tab, src, group, gender, col), _get(tab, src, group, S.TOTALT, col)
    if part is None or whole is None or not whole:
        return None
    return float(part) / float(whole)


def sentence(tab: ResourceTable, group: str = S.TOTALT) -> str:
    """"Kvinnorna är 55 % av deltagarna och får 46 % av kostnaden." (or why it cannot be said)."""
    where = "" if group == S.TOTALT else f" i {group}"
    people = _share(tab, "persons", group, S.KVINNOR)
    money = _share(tab, "kostnad_kr", group, S.KVINNOR)
    if people is None:
        return f"Kvinnornas andel av deltagarna{where} kan inte visas (röjandekontroll)."
    head = f"Kvinnorna är {F.percent(people, 0)} av deltagarna{where}"
    if _get(tab, "kostnad_kr", group, S.TOTALT, "missing"):
        return head + ". Kostnaden kan inte beräknas: pris per deltagardag saknas för " + ", ".join(tab.missing_prices) + "."
    if money is None:
        return head + ". Deras andel av kostnaden visas inte (röjandekontroll)."
    return head + f" och får {F.percent(money, 0)} av kostnaden."


def _fmt(x: Any, decimals: int = 0, missing: bool = False) -> str:
    if missing:
        return "saknas"
    return F.number(x, decimals)


def share_table(tab: ResourceTable) -> pd.DataFrame:
    """Per group: women's and men's shares of participants, of days and of kronor, the resurskvot
    with its 95 % interval (delta method)."""
    rows = []
    for group in _groups(tab):
        row: dict[str, str] = {"Grupp": group}
        for g, word in ((S.KVINNOR, "kvinnor"), (S.MAN_PLURAL, "män")):
            row[f"Andel {word} av deltagarna"] = F.percent(_share(tab, "persons", group, g))
            row[f"Andel {word} av dagarna"] = F.percent(_share(tab, "deltagardagar", group, g))
            miss = bool(_get(tab, "kostnad_kr", group, g, "missing"))
            row[f"Andel {word} av kostnaden"] = "saknas" if miss else F.percent(_share(tab, "kostnad_kr", group, g))
        kv_missing = bool(_get(tab, "resurskvot", group, S.KVINNOR, "missing"))
        row["Resurskvot kvinnor"] = "saknas" if kv_missing else F.ratio(_get(tab, "resurskvot", group, S.KVINNOR))
        lo, hi = _get(tab, "resurskvot", group, S.KVINNOR, "ci_low"), _get(tab, "resurskvot", group, S.KVINNOR, "ci_high")
        row["95 % KI resurskvot"] = "saknas" if kv_missing else _interval(lo, hi)
        rows.append(row)
    return pd.DataFrame(rows)


SHARE_SERIES: Final = (("persons", "av deltagarna", "."), ("deltagardagar", "av dagarna", "/"), ("kostnad_kr", "av kostnaden", ""))


def share_figure(tab: ResourceTable) -> Any:
    """The gender budget's core picture: per insats (or group), the women's share of the participants
    beside their share of the days and of the cost; a line at the women's share of all participants.
    Where the cost bar is longer than the participants' bar, resources go to women beyond their number."""
    import plotly.graph_objects as go

    from ..show.charts import COLOURS, layout

    groups = [g for g in _groups(tab) if g != S.TOTALT]
    fig = go.Figure()
    for iid, words, pattern in SHARE_SERIES:
        x = [_share(tab, iid, g, S.KVINNOR) for g in groups]
        fig.add_bar(name=f"Kvinnornas andel {words}", y=groups, x=[None if v is None else v * 100 for v in x], orientation="h",
                    marker={"color": COLOURS[S.KVINNOR], "opacity": {"persons": 0.45, "deltagardagar": 0.7}.get(iid, 1.0),
                            "pattern": {"shape": pattern, "fgcolor": "white", "size": 6} if pattern else {}},
                    text=[F.percent(v) for v in x], textposition="outside", cliponaxis=False,
                    hovertemplate="%{y}: %{text}<extra>" + words + "</extra>")
    overall = _share(tab, "persons", S.TOTALT, S.KVINNOR)
    if overall is not None:
        fig.add_vline(x=overall * 100, line={"color": "#333", "dash": "dash", "width": 1})
    layout(fig, f"Kvinnornas andel av deltagarna, dagarna och kostnaden per insats {_year(tab)}", tab.note,
           _share_sentence(tab, groups), x_title=True)
    longest = max((len(g) for g in groups), default=10)
    fig.update_layout(barmode="group", height=max(320, 110 + 70 * len(groups)), yaxis={"autorange": "reversed"},
                      margin={"l": min(40 + 7 * longest, 320)})
    for g in groups:
        if all(_share(tab, iid, g, S.KVINNOR) is None or pd.isna(_share(tab, iid, g, S.KVINNOR)) for iid, _, _ in SHARE_SERIES):
            fig.add_annotation(x=1, y=g, xanchor="left", showarrow=False, font={"size": 12},
                               text=f"{F.SUPPRESSED} visas inte (för få kvinnor eller män)")
    line = f" · streckad linje: alla insatser, {F.percent(overall)} av deltagarna" if overall is not None else ""
    fig.update_xaxes(title=f"Kvinnornas andel (%){line}", ticksuffix=" %", range=[0, 105])
    return fig


def _year(tab: ResourceTable) -> int:
    return int(tab.rows[0]["year"]) if tab.rows else 0


def _share_sentence(tab: ResourceTable, groups: list[str]) -> str:
    """In words: each insats whose women's share of the cost differs from their share of the participants."""
    parts = []
    for g in groups:
        p, c = _share(tab, "persons", g, S.KVINNOR), _share(tab, "kostnad_kr", g, S.KVINNOR)
        if p is not None and c is not None:
            parts.append(f"{g} {F.percent(p)} av deltagarna och {F.percent(c)} av kostnaden")
    head = f"Kvinnornas andel per insats {_year(tab)}"
    return f"{head}: " + "; ".join(parts) + "." if parts else f"{head}: värdena visas inte."


def _interval(lo: Any, hi: Any) -> str:
    return F.SUPPRESSED if lo is None or hi is None or pd.isna(lo) or pd.isna(hi) else f"{F.ratio(lo)}–{F.ratio(hi)}"


def amount_table(tab: ResourceTable) -> pd.DataFrame:
    """Per group and gender: persons, days, kronor, days and kronor per participant."""
    rows = []
    genders = [g for g in GENDER_COLS if g in set(tab.frame["gender"])]
    for group in _groups(tab):
        for g in genders:
            miss = bool(_get(tab, "kostnad_kr", group, g, "missing"))
            persons = _get(tab, "deltagardagar", group, g, "denominator")
            nobody = persons is not None and not pd.isna(persons) and int(persons) == 0  # "–": no one, not hidden
            rows.append({
                "Grupp": group, "Kön": g,
                "Deltagare": F.number(persons),
                "Deltagardagar": F.number(_get(tab, "deltagardagar", group, g)),
                "Dagar per deltagare": "–" if nobody else F.number(_get(tab, "dagar_per_deltagare", group, g), 1),
                "Kostnad (kr)": _fmt(_get(tab, "kostnad_kr", group, g), missing=miss),
                "Kostnad per deltagare (kr)": "–" if nobody else _fmt(_get(tab, "kostnad_per_deltagare", group, g), missing=miss),
            })
    return pd.DataFrame(rows)


def _groups(tab: ResourceTable) -> list[str]:
    return list(dict.fromkeys(tab.frame["group"]))


#: each quantity of the resource table in a column of its own, its unit in the header
EXPORT_COLUMNS: dict[str, str] = {
    "deltagardagar": "Deltagardagar (dagar)", "dagar_per_deltagare": "Dagar per deltagare (dagar per deltagare)",
    "kostnad_kr": "Kostnad (kr)", "kostnad_per_deltagare": "Kostnad per deltagare (kr per deltagare)",
    "resurskvot": "Resurskvot (kvot)",
}


def export_frame(tab: ResourceTable) -> pd.DataFrame:
    """The table for files: one row per group and gender (long, tidy), each quantity in a column of
    its own with its unit (persons, days, kronor, shares, the resurskvot and its interval as a ratio);
    ``..`` (or a missing price) marked in a column of its own."""
    rows = []
    genders = [g for g in GENDER_COLS if g in set(tab.frame["gender"])]
    for group in _groups(tab):
        for g in genders:
            row: dict[str, Any] = {"År": tab.frame["year"].iloc[0], "Grupp": group, "Kön": g,
                                   "Deltagare (antal)": _get(tab, "deltagardagar", group, g, "denominator")}
            for iid, col in EXPORT_COLUMNS.items():
                row[col] = _get(tab, iid, group, g)
            if g != S.TOTALT:
                row["Andel av deltagarna (%)"] = _share(tab, "persons", group, g)
                row["Andel av dagarna (%)"] = _share(tab, "deltagardagar", group, g)
                row["Andel av kostnaden (%)"] = _share(tab, "kostnad_kr", group, g)
                row["Resurskvot, 95 % KI nedre (kvot)"] = _get(tab, "resurskvot", group, g, "ci_low")
                row["Resurskvot, 95 % KI övre (kvot)"] = _get(tab, "resurskvot", group, g, "ci_high")
            hidden = any(bool(_get(tab, i, group, g, "suppressed")) for i in EXPORT_COLUMNS)
            missing = any(bool(_get(tab, i, group, g, "missing")) for i in EXPORT_COLUMNS)
            mark = ".." if hidden else "pris saknas" if missing else disclosure.INTERNAL_MARK if tab.internal else ""
            row["Röjandekontroll"] = mark
            rows.append(row)
    cols = ["År", "Grupp", "Kön", "Deltagare (antal)", *EXPORT_COLUMNS.values(), "Andel av deltagarna (%)",
            "Andel av dagarna (%)", "Andel av kostnaden (%)", "Resurskvot, 95 % KI nedre (kvot)",
            "Resurskvot, 95 % KI övre (kvot)", "Röjandekontroll"]
    out = pd.DataFrame(rows, columns=cols)
    # the resurskvot of Totalt is 1 by definition: no ratio, no interval
    out.loc[out["Kön"] == S.TOTALT, "Resurskvot (kvot)"] = None
    return out


def trend_export(trend: pd.DataFrame) -> pd.DataFrame:
    """The trend for files: the units in the headers (shares as fractions, the resurskvot a ratio)."""
    return trend.rename(columns={
        "Andel kvinnor av deltagarna": "Andel kvinnor av deltagarna (%)",
        "Andel kvinnor av kostnaden": "Andel kvinnor av kostnaden (%)",
        "Resurskvot kvinnor": "Resurskvot kvinnor (kvot)",
        "95 % KI nedre": "Resurskvot kvinnor, 95 % KI nedre (kvot)",
        "95 % KI övre": "Resurskvot kvinnor, 95 % KI övre (kvot)",
    })


def trend_frame(tabs: list[ResourceTable], group: str = S.TOTALT) -> pd.DataFrame:
    """Per year: women's share of participants and of kronor, and the resurskvot with interval."""
    rows = []
    for t in tabs:
        if t.frame.empty:
            continue
        y = int(t.frame["year"].iloc[0])
        rows.append({
            "År": y,
            "Andel kvinnor av deltagarna": _share(t, "persons", group, S.KVINNOR),
            "Andel kvinnor av kostnaden": _share(t, "kostnad_kr", group, S.KVINNOR),
            "Resurskvot kvinnor": _get(t, "resurskvot", group, S.KVINNOR),
            "95 % KI nedre": _get(t, "resurskvot", group, S.KVINNOR, "ci_low"),
            "95 % KI övre": _get(t, "resurskvot", group, S.KVINNOR, "ci_high"),
        })
    return pd.DataFrame(rows, columns=["År", "Andel kvinnor av deltagarna", "Andel kvinnor av kostnaden",
                                       "Resurskvot kvinnor", "95 % KI nedre", "95 % KI övre"])


def trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """The trend as the analyst reads it (Swedish formats)."""
    return pd.DataFrame({
        "År": trend["År"].astype(str),
        "Andel kvinnor av deltagarna": trend["Andel kvinnor av deltagarna"].map(F.percent),
        "Andel kvinnor av kostnaden": trend["Andel kvinnor av kostnaden"].map(F.percent),
        "Resurskvot kvinnor": trend["Resurskvot kvinnor"].map(F.ratio),
        "95 % KI": [_interval(lo, hi) for lo, hi in zip(trend["95 % KI nedre"], trend["95 % KI övre"], strict=True)],
    })


def trend_figure(trend: pd.DataFrame, note: str, year: int) -> Any:
    """Women's share of participants and of kronor over the years (plotly figure); its description
    names the span and the page's ``year``."""
    import plotly.graph_objects as go

    from ..show.charts import COLOURS, layout

    fig = go.Figure()
    x = trend["År"].astype(int)
    for col, dash in (("Andel kvinnor av deltagarna", "dot"), ("Andel kvinnor av kostnaden", "solid")):
        y = [None if pd.isna(v) else v * 100 for v in trend[col]]
        fig.add_scatter(name=col, x=x, y=y, mode="lines+markers", line={"color": COLOURS[S.KVINNOR], "width": 3, "dash": dash},
                        marker={"size": 8}, connectgaps=False)
    layout(fig, "Kvinnornas andel av deltagarna och av kostnaden", note, _trend_sentence(trend, year), x_title=True)
    fig.update_xaxes(dtick=1, title="År")
    fig.update_yaxes(title="Andel (%)", ticksuffix=" %", rangemode="tozero")
    return fig


def _trend_sentence(trend: pd.DataFrame, year: int) -> str:
    """The trend chart's text alternative: the span, and ``year``'s shares (the year the page shows)."""
    if trend.empty:
        return "Kvinnornas andel av deltagarna och av kostnaden: inga år att visa."
    years = trend["År"].astype(int)
    head = f"Kvinnornas andel av deltagarna och av kostnaden {years.min()}–{years.max()}"
    row = trend[years == year].dropna(subset=["Andel kvinnor av deltagarna", "Andel kvinnor av kostnaden"])
    if row.empty:
        return f"{head}; för {year} visas värdena inte (röjandekontroll eller pris saknas)."
    last = row.iloc[0]
    return (f"{head}; {year}: {F.percent(last['Andel kvinnor av deltagarna'])} av deltagarna och "
            f"{F.percent(last['Andel kvinnor av kostnaden'])} av kostnaden.")


def price_table(costs: CostCatalogue, insatser: list[str] | tuple[str, ...], year: int) -> pd.DataFrame:
    """The price of each insats in ``year`` with its source, or that it is missing."""
    rows = []
    for ins in insatser:
        p = costs.price(ins, year)
        rows.append({"Insats": ins, "Kr per deltagardag": "saknas" if p is None else F.number(p.kr_per_day, 0 if p.kr_per_day.is_integer() else 2),
                     "Gäller från": "" if p is None else str(p.year), "Källa": "" if p is None else p.source})
    return pd.DataFrame(rows)


def report_section(prep: Prepared, year: int, k: int, costs: CostCatalogue, years: list[int]) -> ReportSection | None:
    """The report's Resurser section: per insats the shares of participants, days and kronor, the
    resurskvot and kronor per participant, the sentence, and the trend (None without participants)."""
    from . import table as resources

    tab = resources.table(prep, year, costs, by="insats", k=k)
    if tab.frame.empty:
        return None
    trend = trend_frame([resources.table(prep, y, costs, k=k) for y in sorted(years)])
    return ReportSection(
        year, "Resurser: får kvinnor och män lika stor del?", sentence(tab), trend_figure(trend, tab.note, year),
        {f"Andel av deltagare, dagar och kostnad per insats {year}": share_table(tab),
         f"Dagar och kronor per deltagare {year}": amount_table(tab), "Över tid": trend_table(trend)},
        {"Resurser per insats": export_frame(tab), "Resurser över tid": trend_export(trend)}, tab.note,
    )
