"""Published tables as the analyst reads them: Swedish labels and number formats.

Women come first, then men, then Annat/okänt (where it exists), then Totalt. Two kinds of
percentage are labelled apart: *könsfördelning* (the share of women within a group) for
counts, *andel av kvinnorna / andel av männen* (the share of each gender who …) for rates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from ..base import formatting as F
from ..base import schema as S
from ..compute.catalogue import Catalogue
from ..compute.indicators import indicator
from ..disclosure.control import INTERNAL_MARK, Published, row_mark

if TYPE_CHECKING:
    import plotly.graph_objects as go

SHARE_LABEL: Final = {S.KVINNOR: "Andel av kvinnorna", S.MAN_PLURAL: "Andel av männen", S.ANNAT_OKANT: "Andel av annat/okänt", S.TOTALT: "Andel totalt"}
CI_LABEL: Final = {S.KVINNOR: "95 % KI kvinnor", S.MAN_PLURAL: "95 % KI män", S.ANNAT_OKANT: "95 % KI annat/okänt", S.TOTALT: "95 % KI totalt"}
GAP_LABEL: Final = "Skillnad kvinnor − män (procentenheter)"
RATIO_LABEL: Final = "Kvot kvinnor/män (1 = lika)"
RATIO_FILE_LABEL: Final = "Kvot kvinnor/män, 1 = lika (kvot)"
SIGNIFICANT_LABEL: Final = "Statistiskt säkerställd skillnad"
EVEN_LABEL: Final = "Jämn könsfördelning (40/60)"
DISTRIBUTION_LABEL: Final = "Könsfördelning, andel kvinnor"


def genders(pub: Published) -> list[str]:
    present = set(pub.frame["gender"])
    return [g for g in (*S.GENDER_GROUPS, S.TOTALT) if g in present]


def _rows(pub: Published, ids: list[str], group: str) -> pd.DataFrame:
    f = pub.frame
    return f[f["indicator"].isin(ids) & (f["group"] == group)]


def _of_kind(pub: Published, ids: list[str], kind: str, group: str) -> Iterator[tuple[str, pd.DataFrame]]:
    """(indicator, its rows indexed by gender) for the indicators of ``kind`` that have rows."""
    for iid in ids:
        if indicator(iid).kind == kind:
            sub = _rows(pub, [iid], group).set_index("gender")
            if not sub.empty:
                yield iid, sub


def count_table(pub: Published, cat: Catalogue, ids: list[str], group: str = S.TOTALT) -> pd.DataFrame:
    """Counts of persons by gender, the share of women with its interval, and 40/60."""
    rows = []
    for iid, sub in _of_kind(pub, ids, "count", group):
        row: dict[str, str] = {"Indikator": cat.text(iid).title}
        for g in genders(pub):
            row[g] = F.number(sub.loc[g, "count"])
        w = sub.loc[S.KVINNOR]
        row[DISTRIBUTION_LABEL] = F.percent(w["share"])
        row["95 % KI"] = F.interval(w["ci_low"], w["ci_high"])
        row[EVEN_LABEL] = F.yes_no(w["even"])
        rows.append(row)
    return pd.DataFrame(rows)


#: the gap's heading in a table on screen: a soft hyphen lets "procentenheter" break, so the column
#: is narrow enough for every column to fit at A4 width (the files keep GAP_LABEL)
GAP_SHOWN: Final = GAP_LABEL.replace("procentenheter", "procent\u00adenheter")


def rate_table(pub: Published, cat: Catalogue, ids: list[str], group: str = S.TOTALT) -> pd.DataFrame:
    """The comparison (issue 26: every column visible at 1280 px and at A4 width): counts and shares of
    women and men, gap, ratio and significance, then the total. The intervals are ``interval_table``'s."""
    rows = []
    for iid, sub in _of_kind(pub, ids, "rate", group):
        row: dict[str, str] = {"Indikator": cat.text(iid).title}
        for g in [g for g in genders(pub) if g != S.TOTALT]:
            row[f"{g}, antal"] = F.number(sub.loc[g, "count"])
            row[SHARE_LABEL[g]] = F.percent(sub.loc[g, "share"])
        w = sub.loc[S.KVINNOR]
        row[GAP_SHOWN] = F.pp(w["gap_pp"])
        row[RATIO_LABEL] = F.ratio(w["ratio"])
        row[SIGNIFICANT_LABEL] = F.yes_no(w["significant"])
        row[f"{S.TOTALT}, antal"] = F.number(sub.loc[S.TOTALT, "count"])
        row[SHARE_LABEL[S.TOTALT]] = F.percent(sub.loc[S.TOTALT, "share"])
        rows.append(row)
    return pd.DataFrame(rows)


def interval_table(pub: Published, cat: Catalogue, ids: list[str], group: str = S.TOTALT) -> pd.DataFrame:
    """The 95 % confidence intervals of the rate table's shares, one row per indicator (shown on demand)."""
    rows = []
    for iid, sub in _of_kind(pub, ids, "rate", group):
        row: dict[str, str] = {"Indikator": cat.text(iid).title}
        for g in genders(pub):
            row[CI_LABEL[g]] = F.interval(sub.loc[g, "ci_low"], sub.loc[g, "ci_high"])
        rows.append(row)
    return pd.DataFrame(rows)


def summary_sentence(pub: Published, cat: Catalogue, iid: str) -> str:
    """``Deltagare 2018: 1 814, varav 993 kvinnor och 821 män.`` – women first."""
    sub = _rows(pub, [iid], S.TOTALT).set_index("gender")
    year = pub.year
    parts = f"{F.number(sub.loc[S.KVINNOR, 'count'])} kvinnor och {F.number(sub.loc[S.MAN_PLURAL, 'count'])} män"
    return f"{cat.text(iid).title} {year}: {F.number(sub.loc[S.TOTALT, 'count'])} personer, {parts}."


def export_table(pub: Published, cat: Catalogue, ids: list[str]) -> pd.DataFrame:
    """Numbers (not text) for files: one row per indicator, group and gender.

    Suppressed values are empty cells, and the table's note says why. In internt läge every row
    says "Internt – får inte publiceras", so the mark travels inside the file, not only in its name;
    in a published table every row says that its figures carry cell-key noise.
    """
    f = pub.frame[pub.frame["indicator"].isin(ids)]
    gender = f["gender"].to_numpy()
    women = gender == S.KVINNOR
    # a count's share is the gender's share of the total: for Totalt (100 %) it says nothing
    total_of_count = (gender == S.TOTALT) & f["indicator"].map(lambda i: indicator(i).kind == "count").to_numpy(dtype=bool)

    def only(col: str, where: np.ndarray, values: pd.Series | None = None) -> pd.Series:
        vals = (f[col] if values is None else values).to_numpy(dtype=object)
        return pd.Series([v if w else None for v, w in zip(vals, where, strict=True)], dtype=object)

    out = pd.DataFrame({
        "Indikator": [cat.text(i).title for i in f["indicator"]],
        "År": f["year"].to_numpy(),
    })
    if pub.by:
        out["Grupp"] = f["group"].to_numpy()
    out["Kön"] = gender
    out["Antal personer (antal)"] = f["count"].to_numpy()
    out["Av antal personer (antal)"] = f["denominator"].to_numpy()
    out["Andel (%)"] = only("share", ~total_of_count)
    out["95 % KI, nedre (%)"] = only("ci_low", ~total_of_count)
    out["95 % KI, övre (%)"] = only("ci_high", ~total_of_count)
    # comparisons of women with men: once, on the women's row (never on Män or Totalt)
    out[f"{GAP_LABEL}"] = only("gap_pp", women)
    out[RATIO_FILE_LABEL] = only("ratio", women)
    out[SIGNIFICANT_LABEL] = only("significant", women, f["significant"].map({True: "Ja", False: "Nej"}))
    out[EVEN_LABEL] = only("even", women, f["even"].map({True: "Ja", False: "Nej"}))
    for col in (GAP_LABEL, RATIO_FILE_LABEL, SIGNIFICANT_LABEL, EVEN_LABEL):
        if out[col].isna().all():
            out = out.drop(columns=col)
    # the mark travels in every row: internal, or that the figures carry cell-key noise
    mark = INTERNAL_MARK if pub.internal else row_mark()
    out["Röjandekontroll"] = np.where(f["suppressed"].to_numpy(), f".. {mark}", mark)
    return out.reset_index(drop=True)


def breakdown_table(pub: Published, cat: Catalogue, iid: str) -> pd.DataFrame:
    """Gender × group for one indicator: women and men side by side, with totals."""
    f = pub.frame[pub.frame["indicator"] == iid]
    kind = indicator(iid).kind
    rows = []
    for group, sub in f.groupby("group", sort=False):
        s = sub.set_index("gender")
        row: dict[str, str] = {"Grupp": S.group_label(pub.by, str(group))}
        for g in genders(pub):
            if g not in s.index:
                continue
            row[f"{g}, antal"] = F.number(s.loc[g, "count"])
            if kind == "rate":
                row[SHARE_LABEL[g]] = F.percent(s.loc[g, "share"])
        if kind == "rate":
            row[GAP_SHOWN] = F.pp(s.loc[S.KVINNOR, "gap_pp"])
            row[SIGNIFICANT_LABEL] = F.yes_no(s.loc[S.KVINNOR, "significant"])
        else:
            row[DISTRIBUTION_LABEL] = F.percent(s.loc[S.KVINNOR, "share"])
            row[EVEN_LABEL] = F.yes_no(s.loc[S.KVINNOR, "even"])
        rows.append(row)
    return pd.DataFrame(rows)


def trend_table(pubs: list[Published], cat: Catalogue, iid: str) -> pd.DataFrame:
    """One indicator over the years, one row per year, formatted like every other table (the year's
    count or rate table: ``..``, decimal comma, per cent, thousands space, labels in full)."""
    make = count_table if indicator(iid).kind == "count" else rate_table
    parts = []
    for pub in pubs:
        t = make(pub, cat, [iid])
        if t.empty:
            continue
        t = t.drop(columns=["Indikator"])
        t.insert(0, "År", str(pub.year))
        parts.append(t)
    return pd.concat(parts, ignore_index=True).fillna("") if parts else pd.DataFrame()


def trend_frame(pubs: list[Published], iid: str) -> pd.DataFrame:
    """One indicator over years (Totalt group), for the trend chart and its table."""
    parts = [p.frame[(p.frame["indicator"] == iid) & (p.frame["group"] == S.TOTALT)] for p in pubs]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


_PLACEHOLDER: Final = re.compile(r"\{\{\s*([a-z_]+)\.(kvinnor|män|man|annat|totalt)(\.antal)?\s*\}\}", re.IGNORECASE)
_PLACEHOLDER_GENDER: Final = {"kvinnor": S.KVINNOR, "män": S.MAN_PLURAL, "man": S.MAN_PLURAL, "annat": S.ANNAT_OKANT, "totalt": S.TOTALT}
_ANY_PLACEHOLDER: Final = re.compile(r"\{\{(.*?)\}\}")


def unknown_placeholders(text: str) -> list[str]:
    """Every ``{{…}}`` of a text that :func:`fill_figures` cannot fill (a misspelt indicator or gender),
    as written, in order: a text with one is refused on save rather than published raw.

    >>> unknown_placeholders("{{deltagare.kvinnor}} och {{okand.platshallare}}, {{avslut_arbete.män.antal}} {{x}}")
    ['{{okand.platshallare}}', '{{x}}']
    """
    from ..compute.indicators import INDICATORS

    known = {i.id for i in INDICATORS}
    bad = []
    for m in _ANY_PLACEHOLDER.finditer(text):
        ok = _PLACEHOLDER.fullmatch(m.group(0))
        if ok is None or ok.group(1).lower() not in known:
            bad.append(m.group(0))
    return bad


def fill_figures(text: str, pub: Published) -> str:
    """Figures in a narrative text come from the data, never typed by hand.

    ``{{deltagare.kvinnor}}`` is the number of women; for a rate, ``{{avslut_arbete.män}}`` is the
    share of men and ``{{avslut_arbete.män.antal}}`` their number. Values pass disclosure control
    (a suppressed one is ``..``); an unknown name is left visible as ``[okänd: …]``.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"indicator": ["deltagare"] * 2, "group": ["Totalt"] * 2, "gender": ["Kvinnor", "Män"],
    ...                   "count": [993, pd.NA], "share": [0.55, pd.NA]})
    >>> fill_figures("{{deltagare.kvinnor}} kvinnor och {{deltagare.män}} män, {{x.totalt}}", Published(f, 5))
    '993 kvinnor och .. män, [okänd: x.totalt]'
    """
    f = pub.frame[pub.frame["group"] == S.TOTALT].set_index(["indicator", "gender"])

    def one(m: re.Match[str]) -> str:
        iid, gender, antal = m.group(1).lower(), _PLACEHOLDER_GENDER[m.group(2).lower()], m.group(3)
        if (iid, gender) not in f.index:
            return f"[okänd: {m.group(0)[2:-2].strip()}]"
        if antal or indicator(iid).kind == "count":
            return F.number(f.at[(iid, gender), "count"])
        return F.percent(f.at[(iid, gender), "share"])

    return _PLACEHOLDER.sub(one, text)


def gender_table(pub: Published, iid: str, group: str = S.TOTALT) -> pd.DataFrame:
    """One indicator with a row per gender: narrow enough for an A4 page.

    Counts: number and könsfördelning. Rates: number, of how many, share of each gender, interval.
    """
    sub = _rows(pub, [iid], group).set_index("gender")
    rate = indicator(iid).kind == "rate"
    rows = []
    for g in genders(pub):
        r = sub.loc[g]
        if rate:
            rows.append({"Kön": g, "Antal": F.number(r["count"]), "Av": F.number(r["denominator"]),
                         "Andel": F.percent(r["share"]), "95 % KI": F.interval(r["ci_low"], r["ci_high"])})
        else:
            rows.append({"Kön": g, "Antal": F.number(r["count"]),
                         "Könsfördelning": F.percent(r["share"]) if g != S.TOTALT else "100,0 %",
                         "95 % KI": F.interval(r["ci_low"], r["ci_high"]) if g != S.TOTALT else ""})
    return pd.DataFrame(rows)


def comparison_sentence(pub: Published, iid: str, group: str = S.TOTALT) -> str:
    """Women compared with men in words: the gap, the ratio and whether it is significant, or 40/60."""
    sub = _rows(pub, [iid], group).set_index("gender")
    if S.KVINNOR not in sub.index:
        return ""
    w = sub.loc[S.KVINNOR]
    if indicator(iid).kind == "count":
        if pd.isna(w["even"]):
            return "Könsfördelningen visas inte (röjandekontroll)."
        return f"Andel kvinnor {F.percent(w['share'])}: " + ("jämn könsfördelning (inom 40–60 %)." if w["even"] else "utanför 40–60 %.")
    if pd.isna(w["gap_pp"]):
        return "Skillnaden mellan kvinnor och män visas inte (röjandekontroll eller ingen att jämföra)."
    significant = "statistiskt säkerställd" if w["significant"] else "inte statistiskt säkerställd"
    return (f"Skillnad kvinnor − män: {F.pp(w['gap_pp'])} procentenheter, kvot {F.ratio(w['ratio'])}; "
            f"skillnaden är {significant} (p = {F.number(w['p_value'], 3)}).")


@dataclass(frozen=True)
class IndicatorView:
    """What a page and the report show for one indicator: chart, table and the file table."""

    id: str
    title: str
    definition: str
    rate: bool
    figure: go.Figure
    table: pd.DataFrame
    export: pd.DataFrame
    compact: pd.DataFrame
    comparison: str
    intervals: pd.DataFrame  # a rate's 95 % intervals (empty for a count)


def indicator_view(pub: Published, cat: Catalogue, iid: str) -> IndicatorView:
    """The chart and tables of one indicator; rates get shares with intervals, counts get numbers."""
    from . import charts

    text = cat.text(iid)
    rate = indicator(iid).kind == "rate"
    year = pub.year or 0
    fig = (charts.rates_chart if rate else charts.counts_chart)(pub, cat, [iid], f"{text.title} {year}")
    table = (rate_table if rate else count_table)(pub, cat, [iid])
    return IndicatorView(iid, text.title, text.definition, rate, fig, table, export_table(pub, cat, [iid]),
                         gender_table(pub, iid), comparison_sentence(pub, iid),
                         interval_table(pub, cat, [iid]) if rate else pd.DataFrame())


def about_figures(k: int) -> list[tuple[str, str]]:
    """"Om siffrorna": how to read every figure, as (heading, text) in Swedish – the dashboard's page
    and the annual report's last section show the same text (one owner of it)."""
    from ..disclosure.control import INTERNAL_MARK, is_internal, method_text

    protection = (f"{INTERNAL_MARK}: den här versionen visar alla tal, även små, och får inte spridas." if is_internal(k)
                  else method_text(k) + " Där kvinnornas eller männens tal visas som ”..” gör gruppens totalt det också, "
                  "så att totalt minus det andra könet inte avslöjar det dolda talet. Ett ”..” betyder alltså ett litet "
                  f"tal (efter bruset under {k}), eller en total som döljs tillsammans med ett litet tal.")
    return [
        ("Personer, inte insatser", "Varje person räknas en gång per indikator och år, även om hen har haft flera "
         "insatser. Har en person avslutats flera gånger under året gäller det senaste avslutet."),
        ("Två slags andelar", "Könsfördelning är andelen kvinnor bland alla i en grupp. Andel av kvinnorna och andel av "
         "männen är andelen av respektive kön som till exempel gick till arbete; de går att jämföra även när grupperna "
         "är olika stora."),
        ("Osäkerhet", "95 % konfidensintervall är Wilsons intervall. En skillnad mellan kvinnor och män kallas "
         "statistiskt säkerställd när p < 0,05 i Fishers exakta test (när något förväntat antal är under 5) eller "
         "annars i chi-tvåtestet. Skillnaden anges i procentenheter och som kvot (kvinnornas andel delad med männens)."),
        ("Jämn könsfördelning", "Vardera kön utgör 40–60 % av gruppen, räknat på de andelar som tabellen visar."),
        ("Hela år", "Ett år som datan bara täcker delvis (till exempel det första året i en export, där bara de som "
         "fortsatte in i nästa år finns med) visas inte: dess siffror skulle räkna bara en del av årets deltagare."),
        ("Röjandekontroll", protection + " Personer med kön Annat/okänt ingår i totalen."),
        ("Internt läge", "Analytiker kan visa exakta tal för sitt eget arbete. Då är sidan och varje fil märkt som "
         "intern och inte för publicering, filnamnen slutar på _INTERNT, och varje uttag loggas."),
    ]


def reading_note(internal: bool) -> str:
    """The line under every published table, in words a non-statistician understands (issue 25)."""
    from ..disclosure.control import INTERNAL_MARK

    if internal:
        return f"{INTERNAL_MARK}: exakta tal, även små."
    return ("Talen är justerade med ett litet slumpmässigt tal för att skydda enskilda personer, så summan kan skilja "
            "sig från totalt med några personer; andelarna räknas från talen som visas. ”..” är ett litet tal som inte "
            "visas (färre än 5), eller en total som döljs för att inte avslöja ett litet tal.")



#: a formatted figure: a count, share, gap, ratio, amount or interval ("1 814", "16,8 %", "−1,6", "13,7–19,6 %", "..")
FIGURE: Final = r"[−+]?[\d  ]*[\d.,]+( ?[–−-] ?[\d  ,]+)?( ?%| kr)?|\.\.|–|"


def _decimal(x: float) -> str:
    """A float as on every other table: decimal comma, thousands space, its own decimals up to two, "–" for none."""
    if pd.isna(x):
        return "–"
    decimals = next((d for d in range(3) if round(x, d) == round(x, 2)), 2)
    return F.number(x, decimals)


def for_reading(df: pd.DataFrame) -> pd.DataFrame:
    """A table as a page or the report shows it (issue 26): a number it holds as a float written as Swedes
    write it ("26,14"), and the spaces inside a figure no-break spaces, so that a narrow column wraps its
    words but never splits "16,8 %" or "1 814" (an interval may still break after its dash). For the
    screen and the report's HTML only: the files keep plain spaces."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(_decimal)
        if out[col].map(lambda v: isinstance(v, str)).all() and out[col].str.fullmatch(FIGURE).all():
            out[col] = out[col].str.replace(" ", "\u00a0", regex=False)
    return out
