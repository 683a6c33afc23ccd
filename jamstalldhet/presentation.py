"""Published tables as the analyst reads them: Swedish labels and number formats.

Women come first, then men, then Annat/okänt (where it exists), then Totalt. Two kinds of
percentage are labelled apart: *könsfördelning* (the share of women within a group) for
counts, *andel av kvinnorna / andel av männen* (the share of each gender who …) for rates.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from . import formatting as F
from . import schema as S
from .catalogue import Catalogue
from .disclosure import Published
from .indicators import indicator

SHARE_LABEL: Final = {S.KVINNOR: "Andel av kvinnorna", S.MAN_PLURAL: "Andel av männen", S.ANNAT_OKANT: "Andel av annat/okänt", S.TOTALT: "Andel totalt"}
CI_LABEL: Final = {S.KVINNOR: "95 % KI kvinnor", S.MAN_PLURAL: "95 % KI män", S.ANNAT_OKANT: "95 % KI annat/okänt", S.TOTALT: "95 % KI totalt"}
GAP_LABEL: Final = "Skillnad kvinnor − män (procentenheter)"
RATIO_LABEL: Final = "Kvot kvinnor/män (1 = lika)"
SIGNIFICANT_LABEL: Final = "Statistiskt säkerställd skillnad"
EVEN_LABEL: Final = "Jämn könsfördelning (40/60)"
DISTRIBUTION_LABEL: Final = "Könsfördelning, andel kvinnor"


def genders(pub: Published) -> list[str]:
    present = set(pub.frame["gender"])
    return [g for g in (*S.GENDER_GROUPS, S.TOTALT) if g in present]


def _rows(pub: Published, ids: list[str], group: str) -> pd.DataFrame:
    f = pub.frame
    return f[f["indicator"].isin(ids) & (f["group"] == group)]


def count_table(pub: Published, cat: Catalogue, ids: list[str], group: str = S.TOTALT) -> pd.DataFrame:
    """Counts of persons by gender, the share of women with its interval, and 40/60."""
    rows = []
    for iid in ids:
        if indicator(iid).kind != "count":
            continue
        sub = _rows(pub, [iid], group).set_index("gender")
        if sub.empty:
            continue
        row: dict[str, str] = {"Indikator": cat.text(iid).title}
        for g in genders(pub):
            row[g] = F.number(sub.loc[g, "count"])
        w = sub.loc[S.KVINNOR]
        row[DISTRIBUTION_LABEL] = F.percent(w["share"])
        row["95 % KI"] = F.interval(w["ci_low"], w["ci_high"])
        row[EVEN_LABEL] = F.yes_no(w["even"])
        rows.append(row)
    return pd.DataFrame(rows)


def rate_table(pub: Published, cat: Catalogue, ids: list[str], group: str = S.TOTALT) -> pd.DataFrame:
    """Counts and shares of each gender, intervals, gap, ratio and significance."""
    rows = []
    for iid in ids:
        if indicator(iid).kind != "rate":
            continue
        sub = _rows(pub, [iid], group).set_index("gender")
        if sub.empty:
            continue
        row: dict[str, str] = {"Indikator": cat.text(iid).title}
        for g in genders(pub):
            row[f"{g}, antal"] = F.number(sub.loc[g, "count"])
            row[SHARE_LABEL[g]] = F.percent(sub.loc[g, "share"])
        for g in (S.KVINNOR, S.MAN_PLURAL):
            row[CI_LABEL[g]] = F.interval(sub.loc[g, "ci_low"], sub.loc[g, "ci_high"])
        w = sub.loc[S.KVINNOR]
        row[GAP_LABEL] = F.pp(w["gap_pp"])
        row[RATIO_LABEL] = F.ratio(w["ratio"])
        row[SIGNIFICANT_LABEL] = F.yes_no(w["significant"])
        rows.append(row)
    return pd.DataFrame(rows)


def summary_sentence(pub: Published, cat: Catalogue, iid: str) -> str:
    """``Deltagare 2018: 1 814, varav 993 kvinnor och 821 män.`` – women first."""
    sub = _rows(pub, [iid], S.TOTALT).set_index("gender")
    year = int(sub["year"].iloc[0])
    parts = f"{F.number(sub.loc[S.KVINNOR, 'count'])} kvinnor och {F.number(sub.loc[S.MAN_PLURAL, 'count'])} män"
    return f"{cat.text(iid).title} {year}: {F.number(sub.loc[S.TOTALT, 'count'])} personer, {parts}."
