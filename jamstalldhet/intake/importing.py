"""Import one file into the store: inspect (read, validate, pseudonymise), preview, then commit.

Nothing is stored until :func:`commit` is called, and a file with any problem is never stored,
not even partly. The page and the command line both go through here.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..base import schema as S
from ..base.validation import Problem
from . import store
from .canonical import person_count
from .reading import Inspection, Persons, inspect
from .unknown_values import Choices

#: the temporary folders of uploads: "<prefix><pid>-<random>" (an older server wrote "<prefix><random>")
UPLOAD_PREFIX: Final = "jamstalldhet-uppladdning-"


@contextlib.contextmanager
def upload_folder(tmp: Path | None = None) -> Iterator[Path]:
    """A private temporary folder for one request's uploaded file, removed when the request ends –
    also on an error or when the page stops or reruns (an upload holds raw personnummer)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{UPLOAD_PREFIX}{os.getpid()}-", dir=tmp))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def upload_path(folder: Path, name: str) -> Path:
    """Where an upload is written in ``folder``: its suffix only (a file name may hold a personnummer)."""
    suffix = Path(name).suffix.lower()
    return folder / ("fil" + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftover_uploads(tmp: Path | None = None) -> list[Path]:
    """Remove upload folders that a server which is no longer running left behind (a crash, a kill);
    folders of running servers are left alone. Returns what was removed."""
    base = Path(tmp or tempfile.gettempdir())
    removed: list[Path] = []
    for folder in base.glob(UPLOAD_PREFIX + "*"):
        owner = re.match(r"(\d+)-", folder.name[len(UPLOAD_PREFIX):])
        if owner and _alive(int(owner.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


@dataclass(frozen=True)
class Preview:
    inspection: Inspection
    plan: store.Plan | None

    @property
    def ok(self) -> bool:
        return self.inspection.frame is not None and not self.inspection.problems

    @property
    def problems(self) -> list[Problem]:
        return self.inspection.problems


#: what the Import page shows of a file before it is stored
Summary = TypedDict("Summary", {"rader": int, "personer": int, "kvinnor": int, "män": int, "annat/okänt": int,
                                "år": list[int], "personer_per_år": dict[int, int], "insatser": list[str]})


def persons_per_year(df: pd.DataFrame, codes: npt.NDArray[np.int64] | None = None) -> dict[int, int]:
    """The years the records fall in as the indicators count them, and the persons counted in each:
    a person counts in Y when a record of theirs is active in Y (started by Y-12-31, not ended before
    Y-01-01; an ongoing record up to the newest date in the file) or was referred in Y. Years in which
    no one counts are left out (unlike the span of all dates)."""
    def years(col: str) -> npt.NDArray[np.int64]:
        y = df[col].to_numpy(dtype="datetime64[ms]").astype("datetime64[Y]")
        return np.where(np.isnat(y), -1, y.astype(np.int64) + 1970)

    start, end, referred = years(S.STARTDATUM), years(S.SLUTDATUM), years(S.ANVISNINGSDATUM)
    newest = max((int(a.max()) for a in (start, end, referred) if a.size), default=-1)
    if newest < 0:
        return {}
    end = np.where(end < 0, newest, end)
    if codes is None:
        codes = pd.factorize(df[S.PERSON_ID], use_na_sentinel=True)[0].astype(np.int64)
    filled = [a[a >= 0] for a in (start, referred) if (a >= 0).any()]
    if not filled:
        return {}
    first = min(int(a.min()) for a in filled)
    out: dict[int, int] = {}
    for y in range(first, newest + 1):
        counted = ((start >= 0) & (start <= y) & (end >= y)) | (referred == y)
        n = int(np.unique(codes[counted]).size)
        if n:
            out[y] = n
    return out


def summary(df: pd.DataFrame, persons: Persons | None = None) -> Summary:
    """Rows, persons, years and insatser of a canonical frame, women and men among the persons
    (each person's first row). ``persons``: the frame's persons as reading coded them, so that the
    ids are not coded again."""
    if persons is not None and len(persons.codes) == len(df):
        _, first = np.unique(persons.codes, return_index=True)  # each person's first row
        genders, n_persons = df[S.KON].iloc[first].value_counts(), len(persons)
    else:
        genders, n_persons = df.drop_duplicates(S.PERSON_ID)[S.KON].value_counts(), person_count(df)
    return {
        "rader": len(df),
        "personer": n_persons,
        "kvinnor": int(genders.get(S.KVINNA, 0)),
        "män": int(genders.get(S.MAN, 0)),
        "annat/okänt": int(genders.get(S.ANNAT, 0)),
        "år": sorted(per_year := persons_per_year(df, None if persons is None else persons.codes)),
        "personer_per_år": per_year,
        "insatser": sorted(str(v) for v in df[S.INSATS].dropna().unique()),
    }


LABELS = {
    S.PERSON_ID: "Person (pseudonym)", S.KON: "Kön", S.FODELSEAR: "Födelseår", S.BAKGRUND: "Bakgrund",
    S.UTBILDNINGSNIVA: "Utbildningsnivå", S.INSATS: "Insats", S.ANVISNINGSDATUM: "Anvisad", S.STARTDATUM: "Start",
    S.SLUTDATUM: "Slut", S.AVSLUTSORSAK: "Avslutsorsak", S.AVSLUTSORSAK_KALLA: "Avslutsorsak i filen (för Kolada)",
    S.FRAGAT_OM_VALD: "Frågat om våld", S.UPPGETT_VALD: "Uppgett våld",
}


def preview_table(df: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The first rows as the user reads them: Swedish headers, dates as 2018-03-01, blanks for missing.

    >>> from jamstalldhet.intake.canonical import canonical
    >>> t = preview_table(canonical(pd.DataFrame({"person_id": ["a"], "kon": ["Kvinna"], "insats": ["X"],
    ...                                           "startdatum": ["2018-03-01"]})))
    >>> t[["Kön", "Start", "Slut"]].iloc[0].tolist()
    ['Kvinna', '2018-03-01', '']
    """
    head = df.head(n)
    out = pd.DataFrame(index=head.index)
    for col, label in LABELS.items():
        values = head[col]
        if col in S.DATE_COLUMNS:
            out[label] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif col in S.BOOL_COLUMNS:
            out[label] = values.map({True: "Ja", False: "Nej"}).fillna("")
        else:
            out[label] = values.astype("string").fillna("")
    return out.reset_index(drop=True)


def preview(path: Path, store_dir: Path, name: str | None = None, overrides: dict[str, str | None] | None = None,
            values: Choices | None = None, allow_unknown: bool = False) -> Preview:
    """``values``: the user's meaning of values no synonym list knows; ``allow_unknown``: take the
    others as their defaults (the command line's ``--tillat-okanda``) instead of refusing the file."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(store.file_hash, path)  # hashlib lets go of the interpreter: hashed while the file is checked
        ins = inspect(path, name, overrides, values, allow_unknown)
        if ins.frame is None:
            return Preview(ins, None)
        persons = None if ins.persons is None else len(ins.persons)
        return Preview(ins, store.plan(store_dir, ins.frame, digest.result(), persons))


def commit(p: Preview, store_dir: Path, replace: bool = False) -> store.Batch | None:
    """Store the previewed file (None when the very same file was imported before)."""
    if not p.ok or p.plan is None or p.inspection.frame is None:
        raise store.StoreError("Filen har fel och kan inte lagras.")
    return store.commit(store_dir, p.inspection.frame, p.inspection.file, p.plan, replace=replace, persons=p.inspection.persons)
