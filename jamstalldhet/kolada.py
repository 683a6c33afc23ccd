"""Kolada: the municipality's yearly labour-market statistics (KAS), data contract section 10.

The outcome mapping lives in one editable file, ``data/kolada.toml``: the municipality's code and
how each outcome (avslutsorsak) counts in Kolada's categories A–E. An outcome that the mapping
leaves out is reported by name (:class:`KoladaError`), never guessed.

What the canonical data keep: reading maps every outcome to one of the dashboard's five values
(``schema.OUTCOMES``) and a value it does not know (``Överförd till Försäkringskassan``,
``Slutfört uppdrag`` …) becomes ``Annat``. So the raw C and D values of an export do not reach the
records; C and D hold what the canonical values mapped there give (none with the default file), and
the rest counts in E. :data:`CD_NOTE` says so wherever the figures go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from . import schema as S
from .settings import DATA_DIR
from .typed import normalise
from .validation import TomlError, read_toml

MAPPING_FILE: Final = DATA_DIR / "kolada.toml"
CATEGORIES: Final = ("A", "B", "C", "D", "E")

CD_NOTE: Final = (
    "C (överförts till annan myndighet) och D (slutförda uppdrag): exportens egna värden för dessa "
    "(t.ex. ”Överförd till Försäkringskassan”, ”Slutfört uppdrag”) läses i dag in som Annat och räknas i E; "
    "C och D innehåller bara de utfall som data/kolada.toml för dit av de fem kanoniska."
)


class KoladaError(ValueError):
    """A mapping or a figure that cannot be made (Swedish message naming what is wrong)."""


@dataclass(frozen=True)
class Mapping:
    """``data/kolada.toml``: the municipality and outcome → category."""

    municipality: str
    name: str
    category_names: dict[str, str]
    #: normalised outcome value → category letter
    outcomes: dict[str, str]
    #: municipality code → name, for display
    municipalities: dict[str, str]

    def category_of(self, outcome: str) -> str | None:
        """The category of one outcome value, None when the file does not list it."""
        return self.outcomes.get(normalise(outcome))

    def check(self, outcomes: list[str]) -> None:
        """:class:`KoladaError` naming every outcome of ``outcomes`` that has no category."""
        missing = [o for o in outcomes if self.category_of(o) is None]
        if missing:
            raise KoladaError(
                f"{MAPPING_FILE.name}: avslutsorsaken {', '.join(repr(m) for m in missing)} har ingen Kolada-kategori. "
                f"Lägg till den under [utfall] med en av {', '.join(CATEGORIES)}; inget utfall gissas."
            )

    def municipality_name(self, code: str) -> str:
        return self.municipalities.get(code, code)


def parse_mapping(text: str, name: str = MAPPING_FILE.name) -> Mapping:
    """The mapping of a TOML text; :class:`KoladaError` with a Swedish message naming what is wrong."""
    try:
        raw = read_toml(text, name)
    except TomlError as exc:
        raise KoladaError(str(exc)) from exc
    code = str(raw.get("kommunkod", "")).strip()
    if not re.fullmatch(r"\d{4}", code):
        raise KoladaError(f"{name}: kommunkod ska vara kommunens fyra siffror (t.ex. \"1490\" för Borås), inte {code!r}.")
    cats = raw.get("kategorier", {})
    if not isinstance(cats, dict) or sorted(cats) != list(CATEGORIES):
        raise KoladaError(f"{name}: [kategorier] ska ha namn för exakt {', '.join(CATEGORIES)}.")
    table = raw.get("utfall")
    if not isinstance(table, dict) or not table:
        raise KoladaError(f"{name}: avsnittet [utfall] saknas; det anger vilken kategori (A–E) varje avslutsorsak hör till.")
    outcomes: dict[str, str] = {}
    for value, cat in table.items():
        letter = str(cat).strip().upper()
        if letter not in CATEGORIES:
            raise KoladaError(f"{name}: [utfall] {value!r} = {cat!r}: kategorin ska vara en av {', '.join(CATEGORIES)}.")
        key = normalise(value)
        if key in outcomes and outcomes[key] != letter:
            raise KoladaError(f"{name}: [utfall] {value!r} står två gånger med olika kategorier.")
        outcomes[key] = letter
    names = raw.get("kommuner", {})
    municipalities = {str(c): str(n) for c, n in names.items()} if isinstance(names, dict) else {}
    municipalities.setdefault(code, str(raw.get("kommun", code)))
    return Mapping(code, str(raw.get("kommun", code)), {c: str(cats[c]) for c in CATEGORIES}, outcomes, municipalities)


def load_mapping(path: Path = MAPPING_FILE) -> Mapping:
    """``data/kolada.toml`` (or ``path``); :class:`KoladaError` when it is missing or wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KoladaError(f"{path.name}: filen går inte att läsa ({exc.strerror or exc}).") from exc
    return parse_mapping(text, path.name)


def outcome_categories(mapping: Mapping) -> dict[int, str | None]:
    """Each canonical outcome code (index in ``schema.OUTCOMES``) → its category, None if unmapped."""
    return {i: mapping.category_of(o) for i, o in enumerate(S.OUTCOMES)}
