"""Payment files of ekonomiskt bistånd (data contract, section 7): reading, validation, canonical form.

One row of a payment file = one payment. This module reads such files (every format and header
synonym, personnummer pseudonymised as in section 1), validates them with Swedish messages that
name file, row and column, and gives them their canonical (stored) form. The indicators computed
from them are :mod:`jamstalldhet.payments`'s.

The file reading itself (formats, encodings, dates, header normalisation) is
:mod:`jamstalldhet.intake.reading`'s; the synonyms of payment files live in
``data/synonymer_utbetalningar.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..base import schema as S
from ..base import validation as V
from ..base.settings import DECISION_ENV, environment
from ..base.validation import Problem, rows_problems
from ..intake import reading as R
from ..intake import unknown_values as U

SYNONYMS_FILE: Final = Path(__file__).resolve().parents[2] / "data" / "synonymer_utbetalningar.toml"

# --- canonical columns ---------------------------------------------------------------------
HUSHALL_ID: Final = "hushall_id"
SOKANDE: Final = "sokande"
MEDSOKANDE: Final = "medsokande"
KON_SOKANDE: Final = "kon_sokande"
KON_MEDSOKANDE: Final = "kon_medsokande"
HUSHALLSTYP: Final = "hushallstyp"
UTBETALNINGSDATUM: Final = "utbetalningsdatum"
BELOPP: Final = "belopp"
MOTTAGARE: Final = "mottagare"
COLUMNS: Final = (HUSHALL_ID, SOKANDE, MEDSOKANDE, KON_SOKANDE, KON_MEDSOKANDE, HUSHALLSTYP, UTBETALNINGSDATUM, BELOPP, MOTTAGARE)
REQUIRED: Final = (HUSHALL_ID, SOKANDE, HUSHALLSTYP, UTBETALNINGSDATUM, BELOPP, MOTTAGARE)

ENSAM_UTAN: Final = "Ensamstående utan barn"
ENSAM_MED: Final = "Ensamstående med barn"
SAMBO_UTAN: Final = "Sammanboende utan barn"
SAMBO_MED: Final = "Sammanboende med barn"
HOUSEHOLD_TYPES: Final = (ENSAM_UTAN, ENSAM_MED, SAMBO_UTAN, SAMBO_MED)
COUPLE_TYPES: Final = (SAMBO_UTAN, SAMBO_MED)
#: Socialstyrelsen's codes 3–6 also say the single adult's gender.
CODE_GENDER: Final = {"3": S.MAN, "4": S.MAN, "5": S.KVINNA, "6": S.KVINNA}

SOKANDE_R: Final = "Sökande"
MEDSOKANDE_R: Final = "Medsökande"
TREDJE_PART: Final = "Tredje part"
RECIPIENTS: Final = (SOKANDE_R, MEDSOKANDE_R, TREDJE_PART)

LABELS: Final = {
    HUSHALL_ID: "Hushåll", SOKANDE: "Sökande (pseudonym)", MEDSOKANDE: "Medsökande (pseudonym)", KON_SOKANDE: "Kön sökande",
    KON_MEDSOKANDE: "Kön medsökande", HUSHALLSTYP: "Hushållstyp", UTBETALNINGSDATUM: "Utbetalningsdatum", BELOPP: "Belopp (kr)",
    MOTTAGARE: "Mottagare",
}

#: The board's decision: half to each adult from this date (Borås; the demo data follows it).
DEFAULT_DECISION: Final = date(2020, 1, 1)


def decision_date() -> date:
    """The date from which half is to be paid to each adult (``$JAMSTALLDHET_BESLUTSDATUM``, ISO)."""
    try:
        return date.fromisoformat(environment(DECISION_ENV))
    except ValueError:
        return DEFAULT_DECISION


@cache
def synonyms() -> dict[str, dict[str, str]]:
    """``{section: {normalised synonym: canonical value}}`` of the payment synonym file."""
    raw: dict[str, Any] = tomllib.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    return {sec: {R.normalise(w): canon for canon, words in table.items() for w in words} for sec, table in raw.items()}


# --- which kind of file ----------------------------------------------------------------------

def kind_of(columns: list[str] | tuple[str, ...]) -> str | None:
    """``"utbetalningar"``, ``"deltagare"`` or None, from a file's headers.

    >>> kind_of(["Hushåll", "Sökande", "Belopp", "Datum", "Mottagare", "Hushållstyp"])
    'utbetalningar'
    >>> kind_of(["personnummer", "insats", "startdatum"])
    'deltagare'
    >>> kind_of(["namn", "adress"]) is None
    True
    """
    norm = [R.normalise(c) for c in columns]
    pay = {synonyms()["kolumner"].get(c) for c in norm} & set(REQUIRED)
    part = {R.synonyms()["kolumner"].get(c) for c in norm} - {None}
    is_pay = len(pay) >= 3 and bool(pay & {BELOPP, HUSHALL_ID})
    is_part = {S.INSATS, S.STARTDATUM} <= part
    if is_pay and is_part:
        return "utbetalningar" if len(pay) / len(REQUIRED) >= 3 / 4 else "deltagare"
    return "utbetalningar" if is_pay else "deltagare" if is_part else None


def kind_of_file(path: Path) -> str | None:
    """:func:`kind_of` of a file's headers (read without its rows); None when the file cannot be read."""
    headers = R.read_headers(path)
    return None if headers is None else kind_of(headers)


# --- reading -------------------------------------------------------------------------------

def canonical(df: pd.DataFrame) -> pd.DataFrame:
    """The stored form: the columns of :data:`COLUMNS` in order, text as strings, dates as days."""
    out = pd.DataFrame(index=df.index)
    for col in COLUMNS:
        values = df[col] if col in df else pd.Series(None, index=df.index, dtype=object)
        if col == UTBETALNINGSDATUM:
            out[col] = pd.to_datetime(values).astype("datetime64[ms]")
        elif col == BELOPP:
            out[col] = values.astype("float64")
        else:
            out[col] = values.astype("string")
    return out.reset_index(drop=True)


def _distinct(col: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``fn`` of each distinct cell (missing cells give ``fn(None)``), computed once per value."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    values = np.array([fn(u) for u in uniques] + [fn(None)], dtype=object)
    return pd.Series(values[codes], index=col.index, dtype=object)


def _cell_text(v: Any) -> str:
    """A cell as the user wrote it: Excel numbers without ``.0``, missing as empty."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _text(col: pd.Series) -> pd.Series:
    return _distinct(col, _cell_text).astype("string")


_PNR_SHAPE: Final = re.compile(r"^(\d{2})?\d{6}[-+]?\d{4}$")


def _persons(txt: pd.Series) -> pd.Series:
    """Per cell of a text column: a personnummer → (pseudonym, gender); a pseudonymous id →
    itself; a number-shaped text that is not a valid personnummer → the ``"\\x00bad"`` marker;
    missing and empty cells → None. Each distinct cell once, the personnummer in bulk
    (:func:`~jamstalldhet.personnummer.parse_many`); the number goes no further than here."""
    from ..intake import personnummer as P

    codes, uniques = pd.factorize(txt, use_na_sentinel=True)
    texts = [str(u) for u in uniques]
    compact = [t.replace(" ", "") for t in texts]
    bulk = P.parse_many(compact)
    values = np.full(len(texts) + 1, None, dtype=object)  # the last entry is the missing cell's
    at = np.flatnonzero(bulk.valid)
    pairs = zip(P.pseudonyms(bulk.canonical[at], P.secret_key()), bulk.genders()[at].tolist(), strict=True)
    for i, pair in zip(at.tolist(), pairs, strict=True):
        values[i] = pair
    for i in np.flatnonzero(~bulk.valid).tolist():
        if texts[i]:
            values[i] = "\x00bad" if _PNR_SHAPE.match(compact[i]) else texts[i]
    return pd.Series(values[codes], index=txt.index, dtype=object)


def _amount(text: str) -> float | None:
    """``1 234,50``, ``1234.50``, ``-500``, ``−500 kr``, ``1.234,50`` → float; None if not a number."""
    s = re.sub(r"(?i)\s|\xa0|kr$|kr\.$|sek$", "", text).replace("\u2212", "-")
    if not s:
        return None
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _map_headers(headers: list[str], file: str, overrides: dict[str, str | None] | None) -> tuple[dict[int, str], list[Problem]]:
    lookup = synonyms()["kolumner"]
    overrides = overrides or {}
    mapping: dict[int, str] = {}
    problems: list[Problem] = []
    for i, h in enumerate(headers):
        canon = overrides[h] if h in overrides else lookup.get(R.normalise(h))
        if canon is None or canon not in COLUMNS:
            continue
        if canon in mapping.values():
            first = headers[next(k for k, c in mapping.items() if c == canon)]
            problems.append(Problem(file, 1, h, f"Kolumnen betyder samma sak som kolumnen {first}. Ta bort den ena."))
            continue
        mapping[i] = canon
    have = set(mapping.values())
    for req in REQUIRED:
        if req not in have:
            problems.append(Problem(file, 1, None, f"Obligatorisk kolumn saknas: {LABELS[req].split(' (')[0].lower()} ({req})."))
    return mapping, problems


def inspect(path: Path, name: str | None = None, overrides: dict[str, str | None] | None = None,
            values: U.Choices | None = None, allow_unknown: bool = False) -> R.Inspection:
    """Read and validate one payment file; the canonical frame only when there is no problem.
    Unknown values of the coded columns as :func:`reading.inspect` (hushållstyp and mottagare
    always need a choice)."""
    import dataclasses
    from functools import partial

    found: list[U.UnknownValue] = []
    ins = R.inspect_with(path, name, overrides, _map_headers,
                         partial(_convert, values=values, allow_unknown=allow_unknown, found=found))
    return dataclasses.replace(ins, unknown=tuple(U.in_file_order(found))) if found else ins


def read_file(path: Path, name: str | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    ins = inspect(path, name)
    return ins.frame, ins.problems


def _convert(body: pd.DataFrame, headers: list[str], mapping: dict[int, str], file: str, values: U.Choices | None = None,
             allow_unknown: bool = False, found: list[U.UnknownValue] | None = None) -> tuple[pd.DataFrame | None, list[Problem], None]:
    src = {canon: body[i] for i, canon in mapping.items()}
    header_of = {canon: headers[i] for i, canon in mapping.items()}
    unknown: list[U.UnknownValue] = []

    def coded(txt: pd.Series, canon: str, lookup: dict[str, str]) -> pd.Series:
        """A coded column's text through its synonyms (unknown values kept): the allowed value or None."""
        got = U.interpret(txt, canon, header_of.get(canon, canon), file, lookup, R.normalise, values)
        unknown.extend(got.unknown)
        labels = np.array([*U.ALLOWED[canon], None], dtype=object)  # code −1: the last entry
        return pd.Series(labels[got.codes], index=body.index, dtype=object)
    problems: list[Problem] = []
    rownum = np.arange(len(body)) + 2
    df = pd.DataFrame(index=body.index)
    empty = pd.Series("", index=body.index, dtype="string")

    def report(mask: npt.ArrayLike, canon: str | None, message: str) -> None:
        m = np.asarray(mask, dtype=bool)
        if m.any():
            column = None if canon is None else header_of.get(canon, canon)
            problems.extend(rows_problems(file, rownum[m].tolist(), column, message))

    hh = _text(src[HUSHALL_ID])
    report(hh == "", HUSHALL_ID, "Hushåll saknas.")
    df[HUSHALL_ID] = hh

    typ_text = _text(src[HUSHALLSTYP])
    typ = coded(typ_text, HUSHALLSTYP, synonyms()["hushallstyp"])  # an unknown type is one problem (with its count)
    report(typ_text == "", HUSHALLSTYP, "Hushållstyp saknas.")
    df[HUSHALLSTYP] = typ
    code_gender = typ_text.map(lambda v: CODE_GENDER.get(str(v))).astype(object)

    kon_lookup = R.synonyms()["kon"]

    def gender_column(canon: str) -> pd.Series:
        if canon not in src:
            return pd.Series(None, index=body.index, dtype=object)
        return coded(_text(src[canon]), canon, kon_lookup)

    for id_col, kon_col, role in ((SOKANDE, KON_SOKANDE, "sökande"), (MEDSOKANDE, KON_MEDSOKANDE, "medsökande")):
        txt = _text(src[id_col]) if id_col in src else empty
        info = _persons(txt)
        bad = info.map(lambda t: t == "\x00bad").astype(bool)
        report(bad, id_col, f"Personnumret för {role} är inte giltigt (fel form, datum eller kontrollsiffra). Rätta det i "
                            "källsystemet; numret visas inte här av sekretesskäl.")
        ids = info.map(lambda t: t[0] if isinstance(t, tuple) else (None if t == "\x00bad" else t)).astype(object)
        from_pnr = info.map(lambda t: t[1] if isinstance(t, tuple) else None).astype(object)
        gender = gender_column(kon_col)
        gender = gender.where(gender.notna(), from_pnr)
        if id_col == SOKANDE:
            gender = gender.where(gender.notna(), code_gender)
            report(txt == "", SOKANDE, "Sökande saknas.")
        present = ids.notna()
        report(present & gender.isna(), kon_col if kon_col in src else id_col,
               f"Kön för {role} saknas och kan inte härledas (inget giltigt personnummer och ingen kolumn för kön {role}).")
        df[id_col] = ids
        df[kon_col] = gender.where(present, None)

    dates, bad_dates = R.parse_dates(src[UTBETALNINGSDATUM])
    report(bad_dates, UTBETALNINGSDATUM, "Datumet kan inte läsas. Skriv det som ÅÅÅÅ-MM-DD, t.ex. 2020-03-25.")
    report(dates.isna().to_numpy() & ~bad_dates, UTBETALNINGSDATUM, "Utbetalningsdatum saknas.")
    df[UTBETALNINGSDATUM] = dates

    raw_amount = src[BELOPP]
    if pd.api.types.is_numeric_dtype(raw_amount):
        amount = raw_amount.astype("float64")
        report(amount.isna() | ~np.isfinite(amount.fillna(0)), BELOPP, "Belopp saknas.")
    else:
        amount_text = _text(raw_amount)
        amount = _distinct(amount_text, lambda v: _amount(str(v)) if v else None).astype("float64")
        report((amount_text != "") & amount.isna(), BELOPP, "Beloppet är inte ett tal. Skriv kronor, t.ex. 1234,50 eller -500.")
        report(amount_text == "", BELOPP, "Belopp saknas.")
    df[BELOPP] = amount

    mot_text = _text(src[MOTTAGARE])
    mot = coded(mot_text, MOTTAGARE, synonyms()["mottagare"])
    report(mot_text == "", MOTTAGARE, "Mottagare saknas.")
    df[MOTTAGARE] = mot

    has_med = df[MEDSOKANDE].notna()
    report((mot == MEDSOKANDE_R) & ~has_med, MOTTAGARE, "Utbetalningen går till medsökande men raden har ingen medsökande.")
    report(has_med & typ.isin([ENSAM_UTAN, ENSAM_MED]), HUSHALLSTYP, "Hushållstypen är ensamstående men raden har en medsökande.")
    report(_two_genders(df), None, "Samma person har olika kön på olika rader.")  # ids of valid persons only (bad ones are None)
    report(V.repeated_rows(body), None,
           "Raden är en dubblett av en tidigare rad. Ta bort den, eller lägg till en kolumn som skiljer två utbetalningar åt "
           "(t.ex. utbetalnings-id).")
    if found is not None:
        found.extend(unknown)
    problems += U.problems(unknown, allow_unknown)
    if problems:
        return None, V.in_file_order(problems), None
    return canonical(df), [], None


def _two_genders(df: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows where a person (as sökande or medsökande) has a gender that differs from another row's
    (:func:`validation.mixed_genders` over both roles' columns, one after the other)."""
    n = len(df)
    persons = pd.concat([df[SOKANDE], df[MEDSOKANDE]], ignore_index=True)
    genders = pd.concat([df[KON_SOKANDE], df[KON_MEDSOKANDE]], ignore_index=True)
    both = V.mixed_genders(persons, genders)
    result: npt.NDArray[np.bool_] = both[:n] | both[n:]
    return result


def summary(df: pd.DataFrame) -> dict[str, Any]:
    """Rows, households, kronor, years and recipients of a canonical payment frame."""
    years = sorted(set(pd.to_datetime(df[UTBETALNINGSDATUM]).dt.year.dropna().astype(int).tolist()))
    return {
        "rader": len(df),
        "hushåll": int(df[HUSHALL_ID].nunique()),
        "kronor": float(df[BELOPP].sum()),
        "år": years,
        "tredje_part": int((df[MOTTAGARE] == TREDJE_PART).sum()),
        "korrigeringar": int((df[BELOPP] < 0).sum()),
    }


def preview_table(df: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The first rows as they will be stored, with Swedish headers."""
    from ..base import formatting as F  # babel only for the screens, not on the command line's path

    head = df.head(n)
    out = pd.DataFrame(index=head.index)
    for col, label in LABELS.items():
        if col == UTBETALNINGSDATUM:
            out[label] = head[col].dt.strftime("%Y-%m-%d").fillna("")
        elif col == BELOPP:
            out[label] = head[col].map(lambda v: F.number(v, 2))
        else:
            out[label] = head[col].astype("string").fillna("")
    return out.reset_index(drop=True)
