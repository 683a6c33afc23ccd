"""Values of a coded column that no synonym list knows (data contract, section 1): found, counted and
reported, never mapped silently.

A coded column (kön, bakgrund, utbildningsnivå, avslutsorsak, the ja/nej columns; in payment files
hushållstyp, mottagare and the gender columns) is interpreted through its synonym list
(``data/synonymer.toml``, ``data/synonymer_utbetalningar.toml``). A filled cell in no list is an
*unknown value*: reading reports each distinct one once, with its count, the first row it is on and
what it would become (:data:`DEFAULTS`). The user either chooses what it means (a :data:`Choices`
mapping, kept like the column mappings are kept, and given back to the reader) or the file is
refused; the command line takes the defaults only with ``--tillat-okanda`` and then says what each
value became (:func:`became`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from ..base import schema as S
from ..base.validation import Problem

if TYPE_CHECKING:
    import pandas as pd

#: The user's choices: ``{canonical column: {value as written: allowed value}}``; an allowed value
#: of :data:`EMPTY` means "leave the cell empty" (missing).
Choices = Mapping[str, Mapping[str, str]]

#: What a cell becomes when it is left empty (shown as the choice "(tomt)").
EMPTY: Final = ""
EMPTY_LABEL: Final = "(tomt)"

YES: Final = "Ja"
NO: Final = "Nej"

# payment columns (spelled here as payments_reading spells them, which imports this module)
HUSHALLSTYP: Final = "hushallstyp"
MOTTAGARE: Final = "mottagare"
KON_SOKANDE: Final = "kon_sokande"
KON_MEDSOKANDE: Final = "kon_medsokande"
HOUSEHOLD_TYPES: Final = ("Ensamstående utan barn", "Ensamstående med barn", "Sammanboende utan barn", "Sammanboende med barn")
RECIPIENTS: Final = ("Sökande", "Medsökande", "Tredje part")

#: The values a coded column may take (what the user may map an unknown value to).
ALLOWED: Final[dict[str, tuple[str, ...]]] = {
    S.KON: S.GENDER_VALUES,
    S.BAKGRUND: S.BAKGRUND_VALUES,
    S.UTBILDNINGSNIVA: S.UTBILDNING_VALUES,
    S.AVSLUTSORSAK: S.OUTCOMES,
    S.FRAGAT_OM_VALD: (YES, NO),
    S.UPPGETT_VALD: (YES, NO),
    HUSHALLSTYP: HOUSEHOLD_TYPES,
    MOTTAGARE: RECIPIENTS,
    KON_SOKANDE: S.GENDER_VALUES,
    KON_MEDSOKANDE: S.GENDER_VALUES,
}

#: What an unknown value becomes when the user accepts it without a choice (``--tillat-okanda``):
#: the contract's "everything else" of each column; :data:`EMPTY` for the columns that have none.
DEFAULTS: Final[dict[str, str]] = {
    S.KON: S.ANNAT,
    S.BAKGRUND: S.UTRIKES,  # "any other country name"
    S.UTBILDNINGSNIVA: S.OKAND,
    S.AVSLUTSORSAK: S.ANNAT_UTFALL,  # "everything else that ended"
    S.FRAGAT_OM_VALD: EMPTY,
    S.UPPGETT_VALD: EMPTY,
    HUSHALLSTYP: EMPTY,
    MOTTAGARE: EMPTY,
    KON_SOKANDE: S.ANNAT,
    KON_MEDSOKANDE: S.ANNAT,
}

#: Columns whose unknown values cannot be accepted without a choice (an empty cell is refused there).
NEEDS_CHOICE: Final = frozenset({HUSHALLSTYP, MOTTAGARE})

#: What a column's values should be, said with its unknown values.
HINTS: Final = {
    S.FRAGAT_OM_VALD: "Värdet ska vara ja eller nej.",
    S.UPPGETT_VALD: "Värdet ska vara ja eller nej.",
    HUSHALLSTYP: "Okänd hushållstyp: använd Ensamstående/Sammanboende utan/med barn eller Socialstyrelsens koder 3–8.",
    MOTTAGARE: "Okänd mottagare: använd Sökande, Medsökande eller Tredje part.",
}


def label(value: str) -> str:
    """An allowed value as the user reads it (the empty one as ``(tomt)``)."""
    return EMPTY_LABEL if value == EMPTY else value


@dataclass(frozen=True)
class UnknownValue:
    """One distinct unknown value of one column."""

    file: str
    column: str  # canonical
    header: str  # as written in the file
    value: str  # as written (stripped)
    count: int  # rows that hold it
    first_row: int  # as the user counts (header = row 1)
    becomes: str  # without a choice

    def problem(self) -> Problem:
        rows = "1 rad" if self.count == 1 else f"{_number(self.count)} rader"
        hint = HINTS.get(self.column, "")
        if self.column in NEEDS_CHOICE:
            then = "Ange vad det betyder, eller rätta filen."
        else:
            then = f"Utan ett val skulle det bli ”{label(self.becomes)}”. Ange vad det betyder, eller rätta filen."
        return Problem(self.file, self.first_row, self.header,
                       f"Okänt värde ”{self.value}” ({rows}, första på rad {self.first_row}). {hint + ' ' if hint else ''}{then}")

    def became(self) -> str:
        """What the command line says of it with ``--tillat-okanda``."""
        return (f"Fil {self.file}, kolumn {self.header}: okänt värde ”{self.value}” ({_number(self.count)} "
                f"{'rad' if self.count == 1 else 'rader'}) blev ”{label(self.becomes)}”.")


def _number(n: int) -> str:
    """``2062`` → ``2 062`` (as formatting.number, without loading babel on the command line's path)."""
    return f"{n:,}".replace(",", " ")


def cell_text(value: Any) -> str:
    """A cell as the user wrote it: stripped, Excel's whole numbers without ``.0``, missing as empty."""
    if value is None or value is np.nan:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def choice_for(choices: Choices | None, column: str, value: str, normalise: Callable[[str], str]) -> str | None:
    """The user's choice for ``value`` of ``column`` (case, spaces and diacritics ignored), if any
    and if it is an allowed value (or :data:`EMPTY`)."""
    if not choices or column not in choices:
        return None
    key = normalise(value)
    for written, chosen in choices[column].items():
        if normalise(written) == key and (chosen == EMPTY or chosen in ALLOWED[column]):
            return chosen
    return None


@dataclass(frozen=True)
class Interpreted:
    """A coded column's cells interpreted: one code per row (index into the allowed values; −1
    empty or missing), and the unknown values found."""

    codes: npt.NDArray[np.int16]
    unknown: list[UnknownValue]


def interpret(col: pd.Series, column: str, header: str, file: str, lookup: Mapping[str, str],
              normalise: Callable[[str], str], choices: Choices | None = None,
              allowed: tuple[str, ...] | None = None, known: Callable[[str], str | None] | None = None) -> Interpreted:
    """Each distinct cell of ``col`` once: through the synonym ``lookup`` (normalised word →
    allowed value), else the user's choice, else an unknown value (counted, and coded as what it
    becomes, :data:`DEFAULTS`). ``known``: an extra rule for a cell the list does not know (e.g.
    a code that says more than the list), consulted before the choices."""
    import pandas as pd

    values = allowed if allowed is not None else ALLOWED[column]
    pos = {v: i for i, v in enumerate(values)}
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    per_value = np.full(len(uniques) + 1, -1, dtype=np.int16)  # the last entry: missing cells
    found: list[tuple[int, str]] = []
    for i, u in enumerate(uniques):
        text = cell_text(u)
        if not text:
            continue
        meant = lookup.get(normalise(text))
        if meant is None and known is not None:
            meant = known(text)
        if meant is None:
            meant = choice_for(choices, column, text, normalise)
        if meant is None:
            found.append((i, text))
            meant = DEFAULTS[column]
        per_value[i] = pos.get(meant, -1)
    unknown: list[UnknownValue] = []
    if found:
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        first = np.full(len(uniques), len(codes), dtype=np.int64)
        seen, at = np.unique(codes, return_index=True)
        first[seen[seen >= 0]] = at[seen >= 0]
        unknown = [UnknownValue(file, column, header, text, int(counts[i]), int(first[i]) + 2, DEFAULTS[column])
                   for i, text in found]
    return Interpreted(per_value[codes], unknown)


def in_file_order(unknown: list[UnknownValue]) -> list[UnknownValue]:
    return sorted(unknown, key=lambda u: u.first_row)  # stable: one row's values in the order of the columns read


def problems(unknown: list[UnknownValue], allow: bool) -> list[Problem]:
    """The problems of the unknown values: every one, or with ``allow`` (``--tillat-okanda``) only
    those of the columns that need a choice."""
    return [u.problem() for u in unknown if not allow or u.column in NEEDS_CHOICE]


def frame(unknown: list[UnknownValue]) -> pd.DataFrame:
    """The unknown values as the Import page lists them: value, count, column, what it becomes."""
    import pandas as pd

    return pd.DataFrame([{"Värde": u.value, "Antal": _number(u.count), "Kolumn": u.header, "Första rad": u.first_row,
                          "Blir": "(måste väljas)" if u.column in NEEDS_CHOICE else label(u.becomes)} for u in unknown],
                        columns=["Värde", "Antal", "Kolumn", "Första rad", "Blir"])
