"""Problems in input files, as data (file, row with the header as row 1, column, Swedish message),
and the rules of a participant file (data contract, section 1) that find them.

A rule takes columns that :mod:`jamstalldhet.reading` has already read and, where the rule is about
a value's meaning, converted (pandas Series and numpy masks, vectorised: no Python per row), and
returns the :class:`Problem` s it finds. Reading reads the file, maps its headers, converts its
values and calls the rules in the order the user sees the problems. Whether a personnummer is valid
is :mod:`jamstalldhet.personnummer`'s to say: reading passes that rule the rows it found invalid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import schema as S

MAX_LISTED = 50  # per kind of problem; the rest are counted
MAX_CELL_CHARS: Final = 10_000
FIRST_YEAR: Final = 1850  # birth years outside FIRST_YEAR..LAST_YEAR are refused
LAST_YEAR: Final = 2100


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # as the user counts: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Fil {self.file}"]
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column is not None:
            where.append(f"kolumn {self.column}")
        return ", ".join(where) + ": " + self.message


def rows_problems(file: str, rows: list[int], column: str | None, message: str) -> list[Problem]:
    """One problem per row (at most :data:`MAX_LISTED`, then one that counts the rest)."""
    out = [Problem(file, r, column, message) for r in rows[:MAX_LISTED]]
    if len(rows) > MAX_LISTED:
        out.append(Problem(file, None, column, f"{message} – ytterligare {len(rows) - MAX_LISTED} rader med samma fel."))
    return out


# --- the file's headers and cells -------------------------------------------------------------

def duplicate_headers(headers: list[str], keys: list[str], file: str) -> list[Problem]:
    """A header written twice (``keys``: each header as it is matched, e.g. case and diacritics ignored)."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for h, key in zip(headers, keys, strict=True):
        if h and key in seen:
            problems.append(Problem(file, 1, h, f"Kolumnrubriken finns två gånger (också som {seen[key]}). Ta bort eller byt namn på den ena."))
        seen.setdefault(key, h)
    return problems


def long_cells(file: str, header: str, lengths: npt.ArrayLike) -> list[Problem]:
    """Cells of one column longer than :data:`MAX_CELL_CHARS` (they are not participant data);
    ``lengths`` has one entry per row below the header."""
    too_long = np.asarray(lengths) > MAX_CELL_CHARS
    if not too_long.any():
        return []
    return rows_problems(file, (np.flatnonzero(too_long) + 2).tolist(), header or None,
                         f"Cellen är för lång (mer än {MAX_CELL_CHARS:,} tecken).".replace(",", " "))


def same_meaning(file: str, header: str, first: str) -> Problem:
    """A second column whose header means the same canonical column as ``first``."""
    return Problem(file, 1, header, f"Kolumnen betyder samma sak som kolumnen {first}. Ta bort den ena.")


def missing_columns(have: set[str], file: str) -> list[Problem]:
    """The columns a participant file must have (a person, insats, start and a gender), given the
    canonical columns it has."""
    problems: list[Problem] = []
    if S.PERSON_ID not in have and S.PERSONNUMMER not in have:
        problems.append(Problem(file, 1, None, "Kolumn för person saknas: filen behöver person_id eller personnummer."))
    for req in (S.INSATS, S.STARTDATUM):
        if req not in have:
            problems.append(Problem(file, 1, None, f"Obligatorisk kolumn saknas: {req}."))
    if S.KON not in have and S.PERSONNUMMER not in have:
        problems.append(Problem(file, 1, None, "Kolumn för kön saknas (kön eller personnummer behövs)."))
    return problems


# --- the rows --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rows:
    """The rows of one file: its name, each row's number as the user counts it (the header is
    row 1) and the header the user wrote for each canonical column."""

    file: str
    numbers: npt.NDArray[np.int64]
    header_of: Mapping[str, str]

    @classmethod
    def below_header(cls, file: str, n: int, header_of: Mapping[str, str]) -> Rows:
        return cls(file, np.arange(n, dtype=np.int64) + 2, header_of)

    def problems(self, mask: npt.ArrayLike, column: str | None, message: str) -> list[Problem]:
        """The rows of ``mask``, in the column the user wrote for canonical ``column`` (None: the whole row)."""
        where = None if column is None else self.header_of.get(column, column)
        return rows_problems(self.file, self.numbers[np.asarray(mask, dtype=bool)].tolist(), where, message)


def invalid_personnummer(at: Rows, invalid: npt.NDArray[np.bool_]) -> list[Problem]:
    """Filled personnummer cells that :mod:`~jamstalldhet.personnummer` does not accept."""
    return at.problems(invalid, S.PERSONNUMMER, "Personnumret är inte giltigt (fel form, datum eller kontrollsiffra). Rätta det i "
                                                "källsystemet; numret visas inte här av sekretesskäl.")


def missing_person(at: Rows, person: pd.Series, column: str) -> list[Problem]:
    """Rows whose person (id, or pseudonym of a valid personnummer) is empty."""
    return at.problems((person.fillna("") == "").to_numpy(), column,
                       "Person saknas: raden har varken person-id eller giltigt personnummer.")


def unknown_gender(at: Rows, gender: pd.Series) -> list[Problem]:
    """Rows whose gender cell is empty and whose personnummer (if any) cannot tell it."""
    return at.problems(gender.isna().to_numpy(), S.KON, "Kön saknas och kan inte härledas (inget giltigt personnummer på raden).")


def birth_years(at: Rows, year: pd.Series, text: pd.Series | None = None) -> list[Problem]:
    """Birth years that are not numbers (``text``: the cells as written, when they were text) or
    not a whole year from :data:`FIRST_YEAR` to :data:`LAST_YEAR`."""
    problems: list[Problem] = []
    if text is not None:
        problems += at.problems(((text != "") & year.isna()).to_numpy(), S.FODELSEAR, "Födelseåret är inte ett heltal.")
    implausible = (year.notna() & ((year % 1 != 0) | (year < FIRST_YEAR) | (year > LAST_YEAR))).to_numpy()
    return problems + at.problems(implausible, S.FODELSEAR, "Födelseåret ska vara ett helt år, t.ex. 1985.")


def missing_insats(at: Rows, blank: npt.NDArray[np.bool_]) -> list[Problem]:
    return at.problems(blank, S.INSATS, "Insats saknas.")


def unreadable_dates(at: Rows, column: str, bad: npt.NDArray[np.bool_]) -> list[Problem]:
    """Filled date cells in none of the accepted forms (``bad``, from the date parser)."""
    return at.problems(bad, column, "Datumet kan inte läsas. Skriv det som ÅÅÅÅ-MM-DD, t.ex. 2018-03-01.")


def missing_start(at: Rows, start: pd.Series, blank: npt.NDArray[np.bool_], referral: pd.Series | None) -> list[Problem]:
    """Rows without a start date (an empty cell); a referral without a start is allowed (not yet started)."""
    no_start = start.isna() & blank
    if referral is not None:
        no_start &= referral.isna()
    return at.problems(no_start.to_numpy(), S.STARTDATUM, "Startdatum saknas.")


def end_before_start(at: Rows, start: pd.Series, end: pd.Series) -> list[Problem]:
    return at.problems((end < start).fillna(False).to_numpy(), S.SLUTDATUM, "Slutdatum ligger före startdatum.")


def not_yes_no(at: Rows, column: str, text: pd.Series, value: pd.Series) -> list[Problem]:
    """Filled cells (``text``) of a yes/no column that are neither (``value`` missing)."""
    return at.problems(((text != "") & value.isna()).to_numpy(), column, "Värdet ska vara ja eller nej.")


def two_genders(at: Rows, person: pd.Series | npt.NDArray[np.int64], gender: pd.Series) -> list[Problem]:
    return at.problems(mixed_genders(person, gender), S.KON, "Samma person har olika kön på olika rader.")


def duplicate_rows(at: Rows, body: pd.DataFrame, groups: npt.NDArray[np.int64] | None = None) -> list[Problem]:
    return at.problems(repeated_rows(body, groups), None, "Raden är en dubblett av en tidigare rad. Ta bort den.")


def mixed_genders(person: pd.Series | npt.NDArray[np.int64], gender: pd.Series) -> npt.NDArray[np.bool_]:
    """Rows of persons who have more than one gender (missing genders ignored), with integer
    codes: each person's first known gender in a table, and a person with a row of another gender
    is mixed. ``person`` is the column or its :func:`codes` (a caller that needs them for other
    rules computes them once)."""
    p = person if isinstance(person, np.ndarray) else codes(person)[0]
    g, _ = codes(gender)
    known = (p >= 0) & (g >= 0)
    pk, gk = p[known], g[known]
    n = int(p.max()) + 1 if p.size else 0
    first = np.full(n, -1, dtype=np.int64)
    persons, at = np.unique(pk, return_index=True)  # each person's first known row
    first[persons] = gk[at]
    mixed = np.zeros(n, dtype=bool)
    mixed[pk[gk != first[pk]]] = True
    result: npt.NDArray[np.bool_] = known & mixed[np.where(p >= 0, p, 0)]
    return result


def codes(col: pd.Series) -> tuple[npt.NDArray[np.int64], int]:
    """Integer codes of a column's distinct values (missing = −1) and how many there are: a
    categorical's own codes (no hashing), else pandas' factorize (Arrow-backed text is hashed in
    C; measured no slower than Arrow's ``dictionary_encode`` of a chunked column)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy().astype(np.int64), len(col.cat.categories)
    found, uniques = pd.factorize(col, use_na_sentinel=True)
    return found.astype(np.int64), len(uniques)


def _shared(key: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """``key`` renumbered 0..m−1 in order of appearance, and which entries share their key with another."""
    renumbered, uniques = pd.factorize(key)
    return renumbered.astype(np.int64), np.bincount(renumbered, minlength=len(uniques))[renumbered] > 1


def repeated_rows(body: pd.DataFrame, groups: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.bool_]:
    """Rows equal to an earlier row (missing equals missing).

    The rows are refined column by column: each column's integer codes (see :func:`codes`) are
    combined with the key so far, renumbered, and a row whose key is unique is dropped, because
    it cannot equal any other row; the next column is coded for the rows left only. ``groups``
    (optional, :func:`codes` of a column) is a coarser partition the caller already has, such as the person of each row:
    rows that are equal are in the same group, so most rows (persons with one row) are dropped
    before any column is coded. What is left at the end are the rows equal to another row."""
    n = len(body)
    rows = np.arange(n)
    key = np.zeros(n, dtype=np.int64)
    if groups is not None and n:
        key = np.where(groups < 0, int(groups.max()) + 1, groups)  # codes 0..m−1 (missing −1 → m): no hashing
        keep = np.bincount(key)[key] > 1
        rows, key = rows[keep], key[keep]
    for c in body.columns:
        if rows.size == 0:
            break
        col = body[c] if rows.size == n else body[c].iloc[rows]
        column_codes, m = codes(col)
        key, keep = _shared(key * (m + 1) + (column_codes + 1))  # < rows · (m + 1): no overflow
        rows, key = rows[keep], key[keep]
    result = np.zeros(n, dtype=bool)
    if rows.size:
        first = np.zeros(rows.size, dtype=bool)
        _, first_at = np.unique(key, return_index=True)
        first[first_at] = True  # rows ascend, so a key's first entry is its first row
        result[rows[~first]] = True
    return result


class TomlError(ValueError):
    """A settings file (catalogue, price list, plan) that is not TOML: the line, and why."""

    def __init__(self, name: str, line: int | None, detail: str) -> None:
        self.line = line
        self.detail = f"filen går inte att läsa som TOML ({detail})."
        super().__init__(f"{name}, rad {line if line is not None else '?'}: {self.detail}")


def read_toml(text: str, name: str) -> dict[str, Any]:
    """The tables of a TOML text; :class:`TomlError` naming the file and the line otherwise."""
    import re
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise TomlError(name, int(m.group(1)) if m else None, str(exc)) from exc


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problems as the Import page lists them: file, row (as the user counts), column, problem."""
    return pd.DataFrame([{"Fil": p.file, "Rad": p.row, "Kolumn": p.column, "Problem": p.message} for p in problems],
                        columns=["Fil", "Rad", "Kolumn", "Problem"])
