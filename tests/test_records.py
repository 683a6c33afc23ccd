"""One rule for the years the records touch: the import plan and the pages agree."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jamstalldhet.base import schema as S
from jamstalldhet.intake.canonical import canonical, person_count, years_of
from jamstalldhet.intake.records import prepare


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


def test_person_ids_as_a_categorical_prepare_the_same_arrays() -> None:
    """Reading keeps the person ids as a categorical (coded once); prepared from it or from the
    same ids as text, every array is the same, the cell-key record keys included."""
    import numpy as np

    from jamstalldhet.intake import demo

    text = demo.demo_frame().head(5000)
    coded = text.copy()
    coded[S.PERSON_ID] = pd.Categorical(text[S.PERSON_ID])
    coded = canonical(coded)
    assert isinstance(coded[S.PERSON_ID].dtype, pd.CategoricalDtype)
    a, b = prepare(text), prepare(coded)
    assert a.n_persons == b.n_persons == person_count(text) == person_count(coded)
    for name in ("person", "person_gender", "person_key", "start", "end", "outcome", "birth_year"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_readings_person_codes_prepare_the_same_arrays(tmp_path: Path) -> None:
    """``indicators --data`` hands prepare the person codes reading made: every array is the same
    as when prepare codes the ids itself."""
    import numpy as np

    from jamstalldhet.intake import demo
    from jamstalldhet.intake.reading import inspect

    path = tmp_path / "d.csv"
    demo.demo_frame().head(3000).to_csv(path, index=False, date_format="%Y-%m-%d")
    ins = inspect(path)
    assert ins.frame is not None and ins.persons is not None
    a, b = prepare(ins.frame), prepare(ins.frame, ins.persons)
    assert a.n_persons == b.n_persons
    for name in ("person", "person_gender", "person_key", "start", "end", "outcome", "birth_year"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
