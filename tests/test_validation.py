"""The rules of jamstalldhet.base.validation on columns built by hand: which rows, which column, which message."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jamstalldhet.base import schema as S
from jamstalldhet.base import validation as V

HEADERS = {S.KON: "Juridiskt kön", S.FODELSEAR: "Född", S.STARTDATUM: "Start"}
AT = V.Rows.below_header("fil.csv", 8, HEADERS)


def at(n: int) -> V.Rows:
    return V.Rows.below_header("fil.csv", n, HEADERS)


def _where(problems: list[V.Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in problems]


def test_rows_name_file_row_and_the_users_header() -> None:
    mask = np.array([False, True, False, False, False, False, False, True])
    (a, b) = AT.problems(mask, S.KON, "Fel.")
    assert (a.file, a.row, a.column, a.message) == ("fil.csv", 3, "Juridiskt kön", "Fel.")
    assert b.row == 9  # the eighth row below the header
    assert AT.problems(mask, S.INSATS, "Fel.")[0].column == S.INSATS  # no header known: the canonical name
    assert AT.problems(mask, None, "Fel.")[0].column is None
    assert AT.problems(np.zeros(8, dtype=bool), S.KON, "Fel.") == []


def test_more_than_fifty_rows_are_counted_not_listed() -> None:
    at = V.Rows.below_header("f.csv", 53, {})
    problems = at.problems(np.ones(53, dtype=bool), S.INSATS, "Insats saknas.")
    assert len(problems) == 51 and problems[49].row == 51
    assert (problems[50].row, problems[50].message) == (None, "Insats saknas. – ytterligare 3 rader med samma fel.")


def test_duplicate_headers_by_their_keys() -> None:
    problems = V.duplicate_headers(["Kön", "insats", "KON", "", ""], ["kon", "insats", "kon", "", ""], "f.csv")
    assert [(p.row, p.column, p.message) for p in problems] == [
        (1, "KON", "Kolumnrubriken finns två gånger (också som Kön). Ta bort eller byt namn på den ena.")]  # empty headers are not names


def test_long_cells() -> None:
    (p,) = V.long_cells("f.csv", "Anteckning", np.array([5, 10_001, 10_000]))
    assert (p.row, p.column, p.message) == (3, "Anteckning", "Cellen är för lång (mer än 10 000 tecken).")
    assert V.long_cells("f.csv", "", np.array([20_000]))[0].column is None
    assert V.long_cells("f.csv", "x", np.array([0, 10_000])) == []


def test_missing_columns() -> None:
    assert [p.message for p in V.missing_columns(set(), "f.csv")] == [
        "Kolumn för person saknas: filen behöver person_id eller personnummer.", "Obligatorisk kolumn saknas: insats.",
        "Obligatorisk kolumn saknas: startdatum.", "Kolumn för kön saknas (kön eller personnummer behövs)."]
    assert V.missing_columns({S.PERSONNUMMER, S.INSATS, S.STARTDATUM}, "f.csv") == []  # gender from the personnummer
    assert [p.message for p in V.missing_columns({S.PERSON_ID, S.INSATS, S.STARTDATUM}, "f.csv")] == [
        "Kolumn för kön saknas (kön eller personnummer behövs)."]


def test_birth_years() -> None:
    text = np.array(["1985", "abc", "", "1985.5", "1700", "2100", "2101", "1850"])
    year = np.array([1985, np.nan, np.nan, 1985.5, 1700, 2100, 2101, 1850])
    problems = V.birth_years(AT, year, text != "")
    assert [(p.row, p.message) for p in problems] == [
        (3, "Födelseåret är inte ett heltal."), (5, "Födelseåret ska vara ett helt år, t.ex. 1985."),
        (6, "Födelseåret ska vara ett helt år, t.ex. 1985."), (8, "Födelseåret ska vara ett helt år, t.ex. 1985.")]
    assert {p.column for p in problems} == {"Född"}
    assert _where(V.birth_years(AT, year)) == [(5, "Född"), (6, "Född"), (8, "Född")]  # typed years: no text to check


def test_missing_start_allows_referred_not_started() -> None:
    start = np.array([None, None, "2018-01-01", None], dtype="datetime64[ms]")
    referral = np.array(["2018-01-01", None, None, None], dtype="datetime64[ms]")
    blank = np.array([True, False, True, True])  # row 3's cell is filled but unreadable: reported as a date
    assert _where(V.missing_start(at(4), start, blank, referral)) == [(5, "Start")]
    assert _where(V.missing_start(at(4), start, blank, None)) == [(2, "Start"), (5, "Start")]


def test_end_before_start() -> None:
    start = np.array(["2018-03-01", "2018-03-01", None, "2018-03-01"], dtype="datetime64[D]")
    end = np.array(["2018-02-28", "2018-03-01", "2018-01-01", None], dtype="datetime64[D]")
    assert [(p.row, p.column, p.message) for p in V.end_before_start(at(4), start, end)] == [
        (2, S.SLUTDATUM, "Slutdatum ligger före startdatum.")]


def test_value_rules() -> None:
    assert _where(V.missing_person(at(3), np.array([False, True, True]), S.PERSON_ID)) == [(3, S.PERSON_ID), (4, S.PERSON_ID)]
    assert _where(V.unknown_gender(at(2), np.array([0, -1]))) == [(3, "Juridiskt kön")]
    assert _where(V.missing_insats(at(2), np.array([False, True]))) == [(3, S.INSATS)]
    assert _where(V.unreadable_dates(at(2), S.STARTDATUM, np.array([True, False]))) == [(2, "Start")]
    assert _where(V.invalid_personnummer(at(3), np.array([False, False, True]))) == [(4, S.PERSONNUMMER)]


def test_two_genders() -> None:
    person = pd.Series(["a", "a", "b", "b", "c", None, "d", "d"], dtype="str")
    gender = pd.Series(pd.Categorical([S.KVINNA, S.MAN, S.KVINNA, None, S.MAN, S.KVINNA, S.MAN, S.MAN]))
    assert V.mixed_genders(person, gender).tolist() == [True, True, False, False, False, False, False, False]
    as_text = pd.Series(["Kvinna", "Man", "Man", "Man", "Kvinna", "Man", "Kvinna", None], dtype=object)
    assert V.mixed_genders(person, as_text).tolist() == [True, True, False, False, False, False, False, False]
    assert [(p.row, p.column, p.message) for p in V.two_genders(AT, person, gender)] == [
        (2, "Juridiskt kön", "Samma person har olika kön på olika rader."), (3, "Juridiskt kön", "Samma person har olika kön på olika rader.")]


def test_duplicate_rows() -> None:
    body = pd.DataFrame({0: ["p1", "p2", "p1", "p1"], 1: ["Jobb", "Jobb", "Jobb", None], 2: [None, None, None, None]})
    assert [(p.row, p.column) for p in V.duplicate_rows(at(4), body)] == [(4, None)]  # missing equals missing


def test_mixed_genders_equal_a_groupby_on_random_columns() -> None:
    """The first-gender table gives what counting distinct genders per person gives (missing
    persons and genders ignored), on 300 random small columns."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(1, 60))
        person = pd.Series(rng.choice(np.array(["a", "b", "c", "d", None], dtype=object), n), dtype="str")
        gender = pd.Series(rng.choice(np.array(["K", "M", "X", None], dtype=object), n, p=[0.45, 0.45, 0.02, 0.08]), dtype="str")
        frame = pd.DataFrame({"p": person, "g": gender})
        known = frame.p.notna() & frame.g.notna()
        distinct = frame[known].groupby("p")["g"].nunique()
        want = (known & frame.p.isin(distinct[distinct > 1].index)).to_numpy()
        assert (V.mixed_genders(person, gender) == want).all(), (person.tolist(), gender.tolist())
