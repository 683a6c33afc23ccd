"""One rule for the years the records touch: the import plan and the pages agree."""

from __future__ import annotations

import pandas as pd

from jamstalldhet import schema as S
from jamstalldhet.canonical import canonical, person_count, years_of
from jamstalldhet.records import prepare


def test_years_agree_for_a_record_ending_before_its_referral() -> None:
    df = canonical(pd.DataFrame({
        S.PERSON_ID: ["a", "b", "a"], S.KON: [S.KVINNA, S.MAN, S.KVINNA], S.INSATS: ["X", "X", "Y"],
        S.ANVISNINGSDATUM: ["2019-05-01", None, None], S.STARTDATUM: [None, "2020-01-10", "2020-02-01"],
        S.SLUTDATUM: ["2017-03-01", None, "2021-06-30"],
    }))
    assert years_of(df) == prepare(df).years() == [2017, 2018, 2019, 2020, 2021]
    assert person_count(df) == 2


def test_no_dates_no_years() -> None:
    df = canonical(pd.DataFrame({S.PERSON_ID: ["a"], S.KON: [S.KVINNA], S.INSATS: ["X"]}))
    assert years_of(df) == prepare(df).years() == []
