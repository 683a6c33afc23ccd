"""The single source of column names, categories, dtypes and gender labels.

Every other module refers to these names; nothing else spells a column or a label.
"""

from __future__ import annotations

from typing import Final

# --- canonical columns (section 1 of the data contract) -----------------------------------
PERSON_ID: Final = "person_id"
PERSONNUMMER: Final = "personnummer"
KON: Final = "kon"
FODELSEAR: Final = "fodelsear"
BAKGRUND: Final = "bakgrund"
UTBILDNINGSNIVA: Final = "utbildningsniva"
INSATS: Final = "insats"
ANVISNINGSDATUM: Final = "anvisningsdatum"
STARTDATUM: Final = "startdatum"
SLUTDATUM: Final = "slutdatum"
AVSLUTSORSAK: Final = "avslutsorsak"
#: The outcome as the file wrote it (stripped), kept beside the canonical ``avslutsorsak`` so that
#: Kolada's categories C and D (data contract section 10), which the five canonical outcomes do not
#: tell apart, can be counted. Derived by reading from the outcome column (optional in input). Only a
#: value the synonym list (``data/synonymer.toml``, ``[avslutsorsak]``) recognises is kept; any
#: other cell is left empty, so no free text is stored (Kolada then counts the canonical outcome).
AVSLUTSORSAK_KALLA: Final = "avslutsorsak_kalla"
FRAGAT_OM_VALD: Final = "fragat_om_vald"
UPPGETT_VALD: Final = "uppgett_vald"

#: Columns of the canonical (stored) frame, in order. The personnummer is never among them.
COLUMNS: Final = (
    PERSON_ID,
    KON,
    FODELSEAR,
    BAKGRUND,
    UTBILDNINGSNIVA,
    INSATS,
    ANVISNINGSDATUM,
    STARTDATUM,
    SLUTDATUM,
    AVSLUTSORSAK,
    AVSLUTSORSAK_KALLA,
    FRAGAT_OM_VALD,
    UPPGETT_VALD,
)
INPUT_COLUMNS: Final = (*COLUMNS, PERSONNUMMER)  # what a file's header may mean
DATE_COLUMNS: Final = (ANVISNINGSDATUM, STARTDATUM, SLUTDATUM)
BOOL_COLUMNS: Final = (FRAGAT_OM_VALD, UPPGETT_VALD)

# --- gender --------------------------------------------------------------------------------
KVINNA: Final = "Kvinna"
MAN: Final = "Man"
ANNAT: Final = "Annat/okänt"
#: Legal gender values of a record, women first (code = position).
GENDER_VALUES: Final = (KVINNA, MAN, ANNAT)

KVINNOR: Final = "Kvinnor"
MAN_PLURAL: Final = "Män"
ANNAT_OKANT: Final = "Annat/okänt"
TOTALT: Final = "Totalt"
#: Published gender groups, women first; Annat/okänt only where such persons exist.
GENDER_GROUPS: Final = (KVINNOR, MAN_PLURAL, ANNAT_OKANT)
GENDER_GROUP_OF: Final = {KVINNA: KVINNOR, MAN: MAN_PLURAL, ANNAT: ANNAT_OKANT}

# --- outcomes (avslutsorsak), after Kolada's definitions -----------------------------------
ARBETE: Final = "Arbete"
STUDIER: Final = "Studier"
ARBETSMARKNADSANSTALLNING: Final = "Arbetsmarknadsanställning"
OHALSA: Final = "Ohälsa"
ANNAT_UTFALL: Final = "Annat"
OUTCOMES: Final = (ARBETE, STUDIER, ARBETSMARKNADSANSTALLNING, OHALSA, ANNAT_UTFALL)

# --- person attributes and breakdowns ------------------------------------------------------
OKAND: Final = "Okänd"
INRIKES: Final = "Inrikes född"
UTRIKES: Final = "Utrikes född"
BAKGRUND_VALUES: Final = (INRIKES, UTRIKES, OKAND)
UTBILDNING_VALUES: Final = ("Förgymnasial", "Gymnasial", "Eftergymnasial", OKAND)

ALDERSGRUPP: Final = "aldersgrupp"
#: Age groups: (label, lowest age, highest age) with the age reached in the year.
AGE_GROUPS: Final = (
    ("–24", 0, 24),
    ("25–34", 25, 34),
    ("35–44", 35, 44),
    ("45–54", 45, 54),
    ("55–64", 55, 64),
    ("65–", 65, 200),
)
AGE_GROUP_VALUES: Final = (*(g[0] for g in AGE_GROUPS), OKAND)


def group_label(by: str | None, group: str) -> str:
    """A group as a reader sees it in a breakdown's table and chart: an age group with its unit
    ("25–34 år"); every other value as it is (the files keep the values).

    >>> group_label("aldersgrupp", "25–34"), group_label("aldersgrupp", "Okänd"), group_label("insats", "Jobb")
    ('25–34 år', 'Okänd', 'Jobb')
    """
    return f"{group} år" if by == ALDERSGRUPP and group in AGE_GROUP_VALUES and group != OKAND else group

#: Breakdown dimensions, in the order the user sees them.
DIMENSIONS: Final = (INSATS, BAKGRUND, UTBILDNINGSNIVA, ALDERSGRUPP)
DIMENSION_LABELS: Final = {
    INSATS: "Insats",
    BAKGRUND: "Bakgrund",
    UTBILDNINGSNIVA: "Utbildningsnivå",
    ALDERSGRUPP: "Åldersgrupp",
}
#: Fixed category order of each attribute dimension (insats categories come from the data).
DIMENSION_VALUES: Final = {
    BAKGRUND: BAKGRUND_VALUES,
    UTBILDNINGSNIVA: UTBILDNING_VALUES,
    ALDERSGRUPP: AGE_GROUP_VALUES,
}
