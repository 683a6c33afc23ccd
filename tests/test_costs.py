"""The cost catalogue (data/kostnader.toml): prices by year, messages naming the line, versions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from jamstalldhet.intake.records import Prepared
from jamstalldhet.resources import prices as costs
from jamstalldhet.resources.prices import CostError

TEXT = """# prislista
[[pris]]
insats = "Arbetsträning"
ar = 2016
kr_per_dag = 400
kalla = "Internprislista 2016"

[[pris]]
insats = "Arbetsträning"
ar = 2019
kr_per_dag = 450.5
kalla = "Internprislista 2019"

[[pris]]
insats = "Vägledning"
ar = 2018
kr_per_dag = 50
kalla = "Budget 2018"
"""


def test_price_of_a_year_is_the_latest_earlier_one() -> None:
    cat = costs.parse(TEXT)
    assert cat.price("Arbetsträning", 2016).kr_per_day == 400  # type: ignore[union-attr]
    assert cat.price("Arbetsträning", 2018).kr_per_day == 400  # type: ignore[union-attr]
    p = cat.price("Arbetsträning", 2019)
    assert p is not None and p.kr_per_day == 450.5 and p.source == "Internprislista 2019" and p.line == 8
    assert cat.price("Arbetsträning", 2030).kr_per_day == 450.5  # type: ignore[union-attr]


def test_missing_price_is_none_never_zero() -> None:
    cat = costs.parse(TEXT)
    assert cat.price("Arbetsträning", 2015) is None  # before the first price
    assert cat.price("Vägledning", 2017) is None
    assert cat.price("Okänd insats", 2018) is None
    per_day = cat.per_day(["Vägledning", "Okänd insats", "Arbetsträning"], 2018)
    assert per_day[0] == 50 and math.isnan(per_day[1]) and per_day[2] == 400
    assert cat.missing(["Vägledning", "Okänd insats"], 2017) == ["Vägledning", "Okänd insats"]


@pytest.mark.parametrize(("text", "line", "words"), [
    ('[[pris]]\ninsats = "A"\nar = 2018\nkr_per_dag = \nkalla = "x"\n', 4, "TOML"),
    ('[[pris]]\ninsats = "A"\nar = 2018\nkr_per_dag = 10\n', 1, "kalla saknas"),
    ('# c\n[[pris]]\ninsats = "A"\nar = 2018\nkr_per_dag = -5\nkalla = "x"\n', 5, "kr_per_dag"),
    ('[[pris]]\ninsats = "A"\nar = "2018"\nkr_per_dag = 5\nkalla = "x"\n', 3, "årtal"),
    ('[[pris]]\ninsats = "A"\nar = 2018\nkr_per_dagg = 5\nkalla = "x"\n', 4, "okänd nyckel 'kr_per_dagg'"),
    ('[[pris]]\ninsats = ""\nar = 2018\nkr_per_dag = 5\nkalla = "x"\n', 2, "insats saknas"),
    ('[[pris]]\ninsats = "A"\nar = 2018\nkr_per_dag = 5\nkalla = "x"\n\n[[pris]]\ninsats = "A"\nar = 2018\n'
     'kr_per_dag = 6\nkalla = "y"\n', 7, "redan ett pris för 2018"),
    ('titel = "x"\n[[pris]]\ninsats = "A"\nar = 2018\nkr_per_dag = 5\nkalla = "x"\n', 1, "okänd del 'titel'"),
])
def test_parse_errors_are_swedish_and_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(CostError) as err:
        costs.parse(text, "kostnader.toml")
    assert f"kostnader.toml, rad {line}:" in str(err.value)
    assert words in str(err.value)


def test_editor_rows_name_the_row_and_skip_blank_rows() -> None:
    rows = [{"insats": "A", "ar": 2018, "kr_per_dag": 5.0, "kalla": "x"},
            {"insats": None, "ar": float("nan"), "kr_per_dag": None, "kalla": ""},
            {"insats": "B", "ar": 2018.0, "kr_per_dag": 7, "kalla": "y"}]
    cat = costs.from_rows(rows)
    assert [(p.insats, p.year, p.kr_per_day) for p in cat.prices] == [("A", 2018, 5.0), ("B", 2018, 7.0)]
    with pytest.raises(CostError, match=r"^Rad 3: kalla saknas"):
        costs.from_rows([*rows[:2], {"insats": "B", "ar": 2018, "kr_per_dag": 7, "kalla": " "}])


def test_toml_round_trip_keeps_every_price() -> None:
    cat = costs.from_rows([{"insats": 'Insats "citat" och å', "ar": 2018, "kr_per_dag": 12.25, "kalla": "=HYPERLINK(x)\\n"},
                           {"insats": "B", "ar": 2020, "kr_per_dag": 1000, "kalla": "rad\nbrytning"}])
    text = costs.to_toml(cat)
    back = costs.parse(text)
    assert costs.rows(back) == costs.rows(cat)
    lines = text.splitlines()
    assert all(lines[p.line - 1] == "[[pris]]" and lines[p.line] == f"insats = {p.insats!r}".replace("'", '"')
               for p in back.prices if '"' not in p.insats)


def test_save_keeps_every_earlier_version_and_restores(tmp_path: Path) -> None:
    f = tmp_path / "kostnader.toml"
    assert costs.load(f).prices == () and costs.versions(f) == []
    assert costs.save(TEXT, f)
    assert not costs.save(TEXT, f)  # unchanged: nothing new kept
    second = TEXT.replace("kr_per_dag = 50", "kr_per_dag = 55")
    assert costs.save(second, f)
    assert costs.load(f).price("Vägledning", 2018).kr_per_day == 55  # type: ignore[union-attr]
    earlier = costs.versions(f)
    assert [v.text() for v in earlier] == [TEXT]
    assert costs.restore(earlier[0], f)
    assert costs.read_text(f) == TEXT
    assert [v.text() for v in costs.versions(f)] == [second, TEXT]


def test_invalid_text_is_not_stored(tmp_path: Path) -> None:
    f = tmp_path / "kostnader.toml"
    costs.save(TEXT, f)
    with pytest.raises(CostError, match="rad 1"):
        costs.save("[[pris]]\ninsats = 'A'\n", f)
    assert costs.read_text(f) == TEXT and costs.versions(f) == []


def test_environment_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(costs.COSTS_ENV, str(tmp_path / "egen.toml"))
    assert costs.path() == tmp_path / "egen.toml"
    costs.save(TEXT)
    assert (tmp_path / "egen.toml").read_text(encoding="utf-8") == TEXT


def test_demo_catalogue_prices_every_demo_insats_with_a_source(demo_prep: Prepared) -> None:
    from jamstalldhet.resources import table as resources

    cat = costs.parse(costs.COSTS_FILE.read_text(encoding="utf-8"))
    for year in demo_prep.years():
        assert resources.compute(demo_prep, year, cat).missing_prices == (), year
    assert all(p.source for p in cat.prices)
    employment = cat.price("Kommunal arbetsmarknadsanställning", 2018)
    guidance = cat.price("Studie- och yrkesvägledning", 2018)
    assert employment is not None and guidance is not None
    assert employment.kr_per_day > 10 * guidance.kr_per_day
