"""Every indicator on a tiny hand-checkable file (tests/data/sma_fall.csv, year 2018)."""

from __future__ import annotations

import pandas as pd
import pytest

from jamstalldhet.compute import indicators
from jamstalldhet.intake.records import prepare
from tests.conftest import read


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return indicators.compute(prepare(read("sma_fall.csv")), 2018)


def cell(t: pd.DataFrame, ind: str, gender: str, group: str = "Totalt") -> tuple[int, int]:
    row = t[(t.indicator == ind) & (t.gender == gender) & (t.group == group)]
    assert len(row) == 1
    return int(row["count"].iloc[0]), int(row["denominator"].iloc[0])


# Worked by hand from the file: A, C women; B, D, H men active in 2018; E referred without
# start; F ended 2017; G starts 2019 but was referred in 2018.
EXPECTED = {
    ("deltagare", "Kvinnor"): (2, 5), ("deltagare", "Män"): (3, 5), ("deltagare", "Totalt"): (5, 5),
    ("anvisade", "Kvinnor"): (1, 3), ("anvisade", "Män"): (2, 3), ("anvisade", "Totalt"): (3, 3),
    ("avslutade", "Kvinnor"): (2, 3), ("avslutade", "Män"): (1, 3), ("avslutade", "Totalt"): (3, 3),
    # A: two endings, the latest (June, Arbete) counts; C: a tie on 30 Sept, the last row (Ohälsa)
    ("avslut_arbete", "Kvinnor"): (1, 2), ("avslut_arbete", "Män"): (0, 1), ("avslut_arbete", "Totalt"): (1, 3),
    ("avslut_studier", "Kvinnor"): (0, 2), ("avslut_studier", "Män"): (0, 1),
    ("avslut_arbetsmarknadsanstallning", "Kvinnor"): (0, 2), ("avslut_arbetsmarknadsanstallning", "Män"): (1, 1),
    ("avslut_ohalsa", "Kvinnor"): (1, 2), ("avslut_ohalsa", "Män"): (0, 1),
    ("fragat_om_vald", "Kvinnor"): (1, 1), ("fragat_om_vald", "Män"): (1, 1), ("fragat_om_vald", "Totalt"): (2, 2),
    ("uppgett_vald", "Kvinnor"): (1, 1), ("uppgett_vald", "Män"): (0, 1), ("uppgett_vald", "Totalt"): (1, 2),
}


@pytest.mark.parametrize(("ind", "gender"), list(EXPECTED))
def test_indicator_by_hand(table: pd.DataFrame, ind: str, gender: str) -> None:
    assert cell(table, ind, gender) == EXPECTED[(ind, gender)]


def test_no_annat_rows_without_such_persons(table: pd.DataFrame) -> None:
    assert set(table.gender) == {"Kvinnor", "Män", "Totalt"}
    assert list(table[table.indicator == "deltagare"].gender) == ["Kvinnor", "Män", "Totalt"]


def test_by_insats_counts_a_person_in_each_insats() -> None:
    t = indicators.compute(prepare(read("sma_fall.csv")), 2018, by="insats")
    assert cell(t, "deltagare", "Kvinnor", "X") == (1, 3)  # A
    assert cell(t, "deltagare", "Män", "X") == (2, 3)  # B, H
    assert cell(t, "deltagare", "Kvinnor", "Y") == (2, 3)  # A, C (C's two records once)
    assert cell(t, "deltagare", "Män", "Y") == (1, 3)  # D
    # within X, A's ending is the March one (Annat); within Y the June one (Arbete)
    assert cell(t, "avslut_arbete", "Kvinnor", "X") == (0, 1)
    assert cell(t, "avslut_arbete", "Kvinnor", "Y") == (1, 2)
    assert cell(t, "deltagare", "Totalt", "Totalt") == (5, 5)


def test_by_age_group_uses_age_reached_in_year() -> None:
    t = indicators.compute(prepare(read("sma_fall.csv")), 2018, by="aldersgrupp")
    assert cell(t, "deltagare", "Kvinnor", "–24") == (1, 1)  # C born 1999: 19
    assert cell(t, "deltagare", "Män", "65–") == (1, 1)  # H born 1950: 68
    assert cell(t, "deltagare", "Kvinnor", "25–34") == (1, 2)  # A born 1990: 28; D (man) 33


def test_other_year() -> None:
    t = indicators.compute(prepare(read("sma_fall.csv")), 2017)
    assert cell(t, "deltagare", "Kvinnor") == (1, 3)  # A
    assert cell(t, "deltagare", "Män") == (2, 3)  # B, F
    assert cell(t, "avslutade", "Män") == (1, 1)  # F
    assert cell(t, "anvisade", "Kvinnor") == (1, 1)  # A


def test_annat_okant_rows_when_present() -> None:
    df = read("sma_fall.csv")
    df.loc[df.person_id == "D", "kon"] = "Annat/okänt"
    t = indicators.compute(prepare(df), 2018)
    assert list(t[t.indicator == "deltagare"].gender) == ["Kvinnor", "Män", "Annat/okänt", "Totalt"]
    assert cell(t, "deltagare", "Annat/okänt") == (1, 5)
    assert cell(t, "deltagare", "Män") == (2, 5)


def test_unknown_dimension() -> None:
    with pytest.raises(ValueError):
        indicators.compute(prepare(read("sma_fall.csv")), 2018, by="nope")
