"""Kolada (data contract section 10): the outcome mapping, the figures by gender, the command line,
the comparison files and the Jämförelse page."""

from __future__ import annotations

import pytest

from jamstalldhet import kolada
from jamstalldhet import schema as S

# --- the outcome mapping (data/kolada.toml) -----------------------------------------------------


def test_shipped_mapping_covers_every_canonical_outcome_and_the_contracts_c_d_values() -> None:
    m = kolada.load_mapping()
    assert m.municipality == "1490"
    m.check(list(S.OUTCOMES))  # nothing the records can hold is unmapped
    assert {o: m.category_of(o) for o in (S.ARBETE, S.STUDIER, S.ARBETSMARKNADSANSTALLNING, S.OHALSA, S.ANNAT_UTFALL)} == \
        {"Arbete": "A", "Studier": "B", "Arbetsmarknadsanställning": "E", "Ohälsa": "E", "Annat": "E"}
    for value in ("Överförd till annan myndighet", "Överförd till Försäkringskassan", "Överförd till regionen"):
        assert m.category_of(value) == "C"
    for value in ("Slutfört uppdrag", "avslutad enligt plan"):  # matched as the synonyms are: case, diacritics
        assert m.category_of(value) == "D"


def _mapping(utfall: str, kod: str = "1490") -> str:
    return (f'kommunkod = "{kod}"\nkommun = "X"\n[kategorier]\nA = "a"\nB = "b"\nC = "c"\nD = "d"\nE = "e"\n'
            f"[utfall]\n{utfall}\n")


def test_an_unmapped_outcome_is_named_never_guessed() -> None:
    m = kolada.parse_mapping(_mapping('"Arbete" = "A"\n"Studier" = "B"'))
    with pytest.raises(kolada.KoladaError, match="'Ohälsa'.*ingen Kolada-kategori"):
        m.check([S.ARBETE, S.OHALSA])
    m.check([S.ARBETE, S.STUDIER])


@pytest.mark.parametrize(("text", "match"), [
    (_mapping('"Arbete" = "F"'), "kategorin ska vara en av A, B, C, D, E"),
    (_mapping('"Arbete" = "A"', kod="149"), "kommunkod ska vara kommunens fyra siffror"),
    (_mapping('"Arbete" = "A"\n"arbete" = "B"'), "två gånger"),
    ('kommunkod = "1490"\n[utfall\n', "rad 2"),
    (_mapping("").replace("[utfall]\n", ""), r"\[utfall\] saknas"),
])
def test_a_broken_mapping_file_says_what_is_wrong(text: str, match: str) -> None:
    with pytest.raises(kolada.KoladaError, match=match):
        kolada.parse_mapping(text)
