"""Templates for exports (issue 28): an xlsx per kind of file with the columns, their allowed
values as drop-down lists (data validation) and an example row, that imports without problems.

The headers are words the synonym files map to the columns; the allowed values are those reading
recognises (:data:`unknown_values.ALLOWED`, and the outcome values of Kolada's categories C and D,
which reading recognises and counts as Annat). ``docs/exportformat.md`` describes the same format.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Final

from ..base import schema as S
from . import unknown_values as U

#: Outcome values that reading recognises besides the five categories: Kolada's C and D
#: (data/synonymer.toml lists them under Annat; data/kolada.toml gives their categories).
KOLADA_CD_OUTCOMES: Final = ("Överförd till annan myndighet", "Överförd till Försäkringskassan", "Överförd till regionen",
                             "Slutfört uppdrag", "Avslutad enligt plan")


@dataclass(frozen=True)
class Column:
    header: str  # as written in the template (the synonym files map it to its column)
    canonical: str
    note: str  # what goes in it (the template's instructions)
    allowed: tuple[str, ...] = ()  # a drop-down list when not empty
    width: int = 16


PARTICIPANT_COLUMNS: Final = (
    Column("Person-id", S.PERSON_ID, "Pseudonymt id för personen (fyll i detta eller personnummer)."),
    Column("Personnummer", S.PERSONNUMMER, "ÅÅÅÅMMDD-NNNN (även ÅÅMMDD-NNNN, utan bindestreck, samordningsnummer). "
           "Ersätts med en pseudonym och sparas aldrig.", width=18),
    Column("Kön", S.KON, "Juridiskt kön. Behövs inte där personnumret är ifyllt.", S.GENDER_VALUES, 12),
    Column("Födelseår", S.FODELSEAR, "Heltal, t.ex. 1985.", width=11),
    Column("Bakgrund", S.BAKGRUND, "Inrikes eller utrikes född.", S.BAKGRUND_VALUES),
    Column("Utbildningsnivå", S.UTBILDNINGSNIVA, "Högsta utbildning.", S.UTBILDNING_VALUES),
    Column("Insats", S.INSATS, "Insatsens namn (obligatorisk).", width=24),
    Column("Anvisningsdatum", S.ANVISNINGSDATUM, "Datum då personen anvisades, ÅÅÅÅ-MM-DD."),
    Column("Startdatum", S.STARTDATUM, "Insatsens start, ÅÅÅÅ-MM-DD (obligatorisk)."),
    Column("Slutdatum", S.SLUTDATUM, "Insatsens slut, ÅÅÅÅ-MM-DD; tomt = pågår."),
    Column("Avslutsorsak", S.AVSLUTSORSAK, "Utfall när insatsen avslutades.", (*S.OUTCOMES, *KOLADA_CD_OUTCOMES), 30),
    Column("Frågat om våld", S.FRAGAT_OM_VALD, "Har personen fått frågan om våldsutsatthet?", (U.YES, U.NO), 14),
    Column("Uppgett våld", S.UPPGETT_VALD, "Har personen uppgett våldsutsatthet?", (U.YES, U.NO), 14),
)
PARTICIPANT_EXAMPLE: Final = ("P0001", "", S.KVINNA, 1985, S.INRIKES, "Gymnasial", "Jobb Borås", date(2018, 1, 15),
                              date(2018, 2, 1), date(2018, 6, 30), S.ARBETE, U.YES, U.NO)

PAYMENT_COLUMNS: Final = (
    Column("Hushåll", "hushall_id", "Hushållets id (obligatorisk)."),
    Column("Sökande", "sokande", "Sökandes personnummer eller pseudonyma id (obligatorisk).", width=18),
    Column("Medsökande", "medsokande", "Medsökandes personnummer eller id; tomt för en vuxen.", width=18),
    Column("Kön sökande", U.KON_SOKANDE, "Behövs där sökande inte är ett personnummer.", S.GENDER_VALUES, 14),
    Column("Kön medsökande", U.KON_MEDSOKANDE, "Behövs där medsökande inte är ett personnummer.", S.GENDER_VALUES, 16),
    Column("Hushållstyp", U.HUSHALLSTYP, "Hushållstyp (även Socialstyrelsens koder 3–8).", U.HOUSEHOLD_TYPES, 26),
    Column("Utbetalningsdatum", "utbetalningsdatum", "ÅÅÅÅ-MM-DD (obligatorisk).", width=18),
    Column("Belopp", "belopp", "Kronor, decimalkomma eller punkt; negativt = korrigering (obligatorisk).", width=12),
    Column("Mottagare", U.MOTTAGARE, "Vem pengarna betalades till (obligatorisk).", U.RECIPIENTS, 14),
)
PAYMENT_EXAMPLE: Final = ("H0001", "S0001", "M0001", S.KVINNA, S.MAN, "Sammanboende med barn", date(2021, 1, 25), 5000, "Sökande")

KINDS: Final = {"deltagare": (PARTICIPANT_COLUMNS, PARTICIPANT_EXAMPLE), "utbetalningar": (PAYMENT_COLUMNS, PAYMENT_EXAMPLE)}
FILE_NAMES: Final = {"deltagare": "mall_deltagarposter.xlsx", "utbetalningar": "mall_utbetalningar.xlsx"}
DATA_SHEET: Final = "Data"
LISTS_SHEET: Final = "Listor"
ROWS: Final = 10_000  # rows below the header that the drop-down lists cover


def xlsx(kind: str) -> bytes:
    """The template of ``kind`` (``"deltagare"`` or ``"utbetalningar"``): sheet *Data* with the
    headers, one example row and a drop-down list on every coded column; *Anvisningar* with what
    each column holds; the lists themselves on a hidden sheet *Listor*."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns, example = KINDS[kind]
    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = DATA_SHEET
    lists = wb.create_sheet(LISTS_SHEET)
    guide = wb.create_sheet("Anvisningar")
    data.append([c.header for c in columns])
    data.append(list(example))
    for i, c in enumerate(columns, 1):
        letter = get_column_letter(i)
        cell = data.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.comment = Comment(c.note, "Jämställdhetsuppföljning")
        data.column_dimensions[letter].width = c.width
        if isinstance(example[i - 1], date):
            for row in range(2, ROWS + 2):
                data.cell(row=row, column=i).number_format = "yyyy-mm-dd"
        if c.allowed:
            lists.cell(row=1, column=i, value=c.header)
            for j, value in enumerate(c.allowed, 2):
                lists.cell(row=j, column=i, value=value)
            dv = DataValidation(type="list", formula1=f"={LISTS_SHEET}!${letter}$2:${letter}${len(c.allowed) + 1}",
                                allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                errorTitle="Okänt värde", error=f"Välj ett av värdena i listan för {c.header}.")
            dv.add(f"{letter}2:{letter}{ROWS + 1}")
            data.add_data_validation(dv)
    data.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 90
    guide.append(["Kolumn", "Vad den ska innehålla"])
    for c in columns:
        guide.append([c.header, c.note + (" Värden: " + ", ".join(c.allowed) + "." if c.allowed else "")])
    guide.append([])
    guide.append(["", "Rad 2 på bladet Data är ett exempel: skriv över den eller ta bort den. Ett värde som inte står i "
                      "listan känns inte igen och måste tolkas vid importen. Hela formatet: docs/exportformat.md."])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
