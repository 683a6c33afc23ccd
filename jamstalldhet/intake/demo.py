"""Deterministic synthetic participant records ("demo data").

The calibrated demo data covers 2016–2024 for the insatser of Jobb Borås. Its year 2018
is shaped so that the indicator code, counting the records, reproduces the figures of
the 2018 follow-up in the seed document (data contract, section 3), and the other years'
outcomes follow Borås' published share of participants who ended to work or studies
(Kolada U40455, :data:`BORAS_U40455`). Nothing here writes an indicator value: the
generator decides how many *spells* (records) start, end and how they end, per year and
gender; the counts come out of :mod:`jamstalldhet.compute.indicators` and
:mod:`jamstalldhet.app.kolada`.

``generate(scale=s)`` makes a larger or smaller population with the same proportions
(for benchmarks); only ``scale=1`` is calibrated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..base import schema as S
from .canonical import canonical

SEED: Final = 20190611  # the date of the board meeting
YEARS: Final = tuple(range(2016, 2025))
CALIBRATED_YEAR: Final = 2018

INSATSER: Final = (
    "Jobb Borås arbetsträning",
    "Studie- och yrkesvägledning",
    "Fler vägar in",
    "Mammor i arbete",
)
FLER_VAGAR_IN_YEARS: Final = range(2017, 2021)  # ESF project, until 2020
MAMMOR_YEARS: Final = range(2018, 2025)

# Spells that end in 2018 and how they end, per gender (women, men): section 3 of the
# data contract gives 16 %/18 % work, 12 %/6 % studies and 223/237 municipal employments.
ENDED_2018: Final = {
    S.KVINNA: {S.ARBETE: 96, S.STUDIER: 72, S.ARBETSMARKNADSANSTALLNING: 223, S.OHALSA: 60, S.ANNAT_UTFALL: 149},
    S.MAN: {S.ARBETE: 90, S.STUDIER: 30, S.ARBETSMARKNADSANSTALLNING: 237, S.OHALSA: 40, S.ANNAT_UTFALL: 103},
}
ACTIVE_2018: Final = {S.KVINNA: 993, S.MAN: 821}
REFERRED_2018: Final = {S.KVINNA: 398, S.MAN: 331}
OUTCOME_SHARES: Final = {  # typical outcome distribution of an ended spell in other years
    S.KVINNA: np.array([0.16, 0.12, 0.37, 0.10, 0.25]),
    S.MAN: np.array([0.18, 0.06, 0.47, 0.08, 0.21]),
}
#: Borås' published U40455 (Kolada, total T: participants who ended to work or studies, per cent
#: of those who ended), the values of the shipped ``data/kolada/boras_U40455_2016_2023.json``
#: (data contract section 10; a test checks that the two agree). The other years' outcomes are
#: shaped after it: the work and studies shares of :data:`OUTCOME_SHARES` are scaled, for women
#: and men alike (so women stay above men, as in 2018), until their total is the year's value.
#: 2018 is the seed's own (its 26.2 % is Kolada's 26.14); a year not listed (2024) keeps the typical shares.
BORAS_U40455: Final = {2016: 28.26, 2017: 29.92, 2018: 26.14, 2019: 21.16, 2020: 14.73, 2021: 23.05, 2022: 23.77,
                       2023: 16.13}
WORK_OR_STUDIES: Final = (S.OUTCOMES.index(S.ARBETE), S.OUTCOMES.index(S.STUDIER))
AGE_SHARES: Final = np.array([0.15, 0.30, 0.25, 0.18, 0.11, 0.01])
EDUCATION_SHARES: Final = {  # Förgymnasial, Gymnasial, Eftergymnasial, Okänd
    S.INRIKES: np.array([0.25, 0.50, 0.15, 0.10]),
    S.UTRIKES: np.array([0.45, 0.25, 0.15, 0.15]),
}
#: Outcomes as the case-management system writes them (column ``avslutsorsak_kalla``): of the spells
#: that end as Annat, some were handed to another authority (Kolada's C) or ended as planned (D);
#: the synonym list reads all of these as Annat, so every figure of the seed stays as it was. The
#: shares are the demo's own (Kolada publishes no C or D for Borås in the shipped file); they are drawn
#: with a random stream of their own, so that nothing else in the demo changes with them.
WRITTEN_ANNAT: Final = (
    ("Överförd till Försäkringskassan", 0.14), ("Överförd till regionen", 0.06), ("Överförd till annan myndighet", 0.04),
    ("Slutfört uppdrag", 0.12), ("Avslutad enligt plan", 0.06),
)
FOREIGN_BORN_SHARE: Final = {S.KVINNA: 0.62, S.MAN: 0.55}

DAY: Final = np.timedelta64(1, "D")


def _apportion(n: int, weights: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """``n`` split in proportion to ``weights``, whole numbers that add up to ``n`` (largest remainder)."""
    exact = n * weights / weights.sum()
    counts: npt.NDArray[np.int64] = np.floor(exact).astype(np.int64)
    rest = n - int(counts.sum())
    counts[np.argsort(-(exact - counts), kind="stable")[:rest]] += 1
    return counts


def _typical_work_or_studies() -> float:
    """The typical share (per cent) of work and studies among all who end, women and men weighted as
    in 2018 (:data:`ENDED_2018`)."""
    n = {g: sum(ENDED_2018[g].values()) for g in ENDED_2018}
    return 100 * sum(n[g] * float(OUTCOME_SHARES[g][list(WORK_OR_STUDIES)].sum()) for g in n) / sum(n.values())


def calibrated_outcomes(n_end: int, gender: str, target: float) -> npt.NDArray[np.int64]:
    """How ``n_end`` spells of one gender ending in a year end (counts in the order of
    ``schema.OUTCOMES``) when work and studies together are to be ``target`` per cent of all who
    end: the gender's typical work and studies shares (:data:`OUTCOME_SHARES`) times one factor,
    the same for women and men, the rest split over the other outcomes as typical. Women and men
    end in about 2018's proportions every year, so the total is ``target`` within rounding."""
    shares = OUTCOME_SHARES[gender]
    factor = target / _typical_work_or_studies()
    counts = np.zeros(len(S.OUTCOMES), dtype=np.int64)
    a_b = np.array([round(n_end * shares[i] * factor) for i in WORK_OR_STUDIES], dtype=np.int64)
    counts[list(WORK_OR_STUDIES)] = a_b
    others = [i for i in range(len(S.OUTCOMES)) if i not in WORK_OR_STUDIES]
    counts[others] = _apportion(n_end - int(a_b.sum()), shares[others])
    return counts


def _year_start(y: int) -> np.datetime64:
    return np.datetime64(f"{y:04d}-01-01", "D")


def _year_end(y: int) -> np.datetime64:
    return np.datetime64(f"{y:04d}-12-31", "D")


@dataclass
class _Spells:
    """Columns of spells (records) of one gender, as numpy arrays."""

    person: npt.NDArray[np.int64]
    insats: npt.NDArray[np.int8]
    ref: npt.NDArray[np.datetime64]
    start: npt.NDArray[np.datetime64]
    asked: npt.NDArray[np.int8]
    disclosed: npt.NDArray[np.int8]

    @staticmethod
    def empty() -> _Spells:
        return _Spells(
            np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0, "datetime64[D]"),
            np.zeros(0, "datetime64[D]"), np.zeros(0, np.int8), np.zeros(0, np.int8),
        )

    def __len__(self) -> int:
        return int(self.person.shape[0])

    def take(self, idx: npt.NDArray[np.int64] | npt.NDArray[np.bool_]) -> _Spells:
        return _Spells(self.person[idx], self.insats[idx], self.ref[idx], self.start[idx], self.asked[idx], self.disclosed[idx])

    def concat(self, other: _Spells) -> _Spells:
        return _Spells(*(np.concatenate([a, b]) for a, b in zip(self._cols(), other._cols(), strict=True)))

    def _cols(self) -> tuple[npt.NDArray[np.generic], ...]:
        return (self.person, self.insats, self.ref, self.start, self.asked, self.disclosed)


class _Generator:
    def __init__(self, scale: float, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.written_rng = np.random.default_rng(seed + 29)  # the outcomes as written (WRITTEN_ANNAT)
        self.scale = scale
        self.n_persons = 0
        self.gender: list[npt.NDArray[np.int8]] = []
        self.birth: list[npt.NDArray[np.int16]] = []
        self.background: list[npt.NDArray[np.int8]] = []
        self.education: list[npt.NDArray[np.int8]] = []
        self.out: list[dict[str, npt.NDArray[np.generic]]] = []

    # --- persons -------------------------------------------------------------------------
    def new_persons(self, n: int, gender: str, year: int) -> npt.NDArray[np.int64]:
        rng = self.rng
        ids = np.arange(self.n_persons, self.n_persons + n, dtype=np.int64)
        self.n_persons += n
        g = S.GENDER_VALUES.index(gender)
        age_group = rng.choice(len(AGE_SHARES), size=n, p=AGE_SHARES)
        lo = np.array([a[1] for a in S.AGE_GROUPS])[age_group]
        hi = np.minimum(np.array([a[2] for a in S.AGE_GROUPS])[age_group], 70)
        lo = np.maximum(lo, 18)
        age = rng.integers(lo, hi + 1)
        foreign = rng.random(n) < FOREIGN_BORN_SHARE[gender]
        edu = np.where(
            foreign,
            rng.choice(4, size=n, p=EDUCATION_SHARES[S.UTRIKES]),
            rng.choice(4, size=n, p=EDUCATION_SHARES[S.INRIKES]),
        )
        background = np.where(foreign, 1, 0)
        background[rng.random(n) < 0.02] = 2  # Okänd
        self.gender.append(np.full(n, g, np.int8))
        self.birth.append((year - age).astype(np.int16))
        self.background.append(background.astype(np.int8))
        self.education.append(edu.astype(np.int8))
        return ids

    # --- spells --------------------------------------------------------------------------
    def insatser(self, n: int, gender: str, year: int, foreign: npt.NDArray[np.bool_]) -> npt.NDArray[np.int8]:
        p = np.array([0.55, 0.20, 0.15, 0.10])
        if year not in FLER_VAGAR_IN_YEARS:
            p[0] += p[2]
            p[2] = 0
        choice = self.rng.choice(4, size=n, p=p / p.sum())
        mammor_ok = (gender == S.KVINNA) & foreign & (year in MAMMOR_YEARS)
        choice[(choice == 3) & ~mammor_ok] = 0
        return choice.astype(np.int8)

    def screening(self, n: int, gender: str, year: int) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
        """Asked about violence (-1 unknown) and disclosed, per spell."""
        rng = self.rng
        p_known = min(0.15 + 0.12 * (year - 2016), 0.95)
        p_asked = min(0.25 + 0.07 * (year - 2016), 0.85) + (0.05 if gender == S.KVINNA else 0.0)
        p_disclosed = 0.14 if gender == S.KVINNA else 0.05
        known = rng.random(n) < p_known
        asked = np.where(known, (rng.random(n) < p_asked).astype(np.int8), np.int8(-1)).astype(np.int8)
        disclosed = np.where(asked == 1, (rng.random(n) < p_disclosed).astype(np.int8), np.int8(-1))
        disclosed = np.where(asked == 0, np.int8(0), disclosed).astype(np.int8)
        return asked, disclosed

    def start_spells(self, persons: npt.NDArray[np.int64], gender: str, year: int,
                     early_referred: int, referred_in_year: int) -> _Spells:
        """New spells starting in ``year``; ``early_referred`` of them were referred in December
        of the year before, ``referred_in_year`` in the year itself; the rest have no referral."""
        rng = self.rng
        n = len(persons)
        if early_referred + referred_in_year > n:
            raise ValueError("demo: fler anvisade än nya deltagare")
        lo = _year_start(year)
        start = lo + rng.integers(0, 365, size=n) * DAY
        start[:early_referred] = lo + rng.integers(1, 45, size=early_referred) * DAY
        ref = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        ref[:early_referred] = _year_start(year - 1) + rng.integers(334, 365, size=early_referred) * DAY
        sl = slice(early_referred, early_referred + referred_in_year)
        ref[sl] = np.maximum(start[sl] - rng.integers(0, 35, size=referred_in_year) * DAY, lo)
        foreign = np.concatenate(self.background)[persons] == 1
        asked, disclosed = self.screening(n, gender, year)
        return _Spells(persons, self.insatser(n, gender, year, foreign), ref, start, asked, disclosed)

    def emit(self, spells: _Spells, end: npt.NDArray[Any], outcome: npt.NDArray[np.int8]) -> None:
        self.out.append({
            "person": spells.person, "insats": spells.insats, "ref": spells.ref, "start": spells.start,
            "end": end, "outcome": outcome, "asked": spells.asked, "disclosed": spells.disclosed,
        })

    def run(self) -> pd.DataFrame:
        rng = self.rng
        sc = self.scale
        genders = (S.KVINNA, S.MAN)
        # yearly targets: active persons, referrals, carried into the next year
        growth = {y: 1.0 + 0.03 * (y - CALIBRATED_YEAR) + rng.normal(0, 0.03) for y in YEARS}
        growth[CALIBRATED_YEAR] = 1.0
        active = {y: {g: round(ACTIVE_2018[g] * growth[y] * sc) for g in genders} for y in YEARS}
        referred = {y: {g: round(REFERRED_2018[g] * growth[y] * rng.uniform(0.95, 1.05) * sc) for g in genders} for y in YEARS}
        for g in genders:
            referred[CALIBRATED_YEAR][g] = round(REFERRED_2018[g] * sc)
        carry_share = {y: rng.uniform(0.36, 0.44) for y in (*YEARS, YEARS[-1] + 1)}
        # referred in December, starting in January (the last year: referred, not yet started)
        dec = {y: {g: round(rng.integers(8, 16) * sc) for g in genders} for y in (YEARS[0] - 1, *YEARS)}

        ongoing = {g: _Spells.empty() for g in genders}
        returners: dict[str, npt.NDArray[np.int64]] = {g: np.zeros(0, np.int64) for g in genders}
        # spells already running when the data begins (started in the two years before)
        for g in genders:
            n0 = round(active[YEARS[0]][g] * carry_share[YEARS[0]])
            persons = self.new_persons(n0, g, YEARS[0] - 1)
            sp = self.start_spells(persons, g, YEARS[0] - 1, 0, round(n0 * 0.6))
            sp.start = np.maximum(sp.start - rng.integers(0, 120, size=n0) * DAY * (rng.random(n0) < 0.3), _year_start(YEARS[0] - 1))
            sp.ref = np.where(np.isnat(sp.ref), sp.ref, np.minimum(sp.ref, sp.start))
            ongoing[g] = sp

        for y in YEARS:
            for g in genders:
                carry = ongoing[g]
                n_new = active[y][g] - len(carry)
                early = dec[y - 1][g]
                in_year = referred[y][g] - dec[y][g]
                if n_new < early + in_year:
                    if y == CALIBRATED_YEAR:
                        raise ValueError("demo: kalibreringen går inte ihop")
                    n_new = early + in_year + round(0.05 * active[y][g])
                n_back = min(round(0.08 * n_new), len(returners[g]))
                back_idx = rng.choice(len(returners[g]), size=n_back, replace=False)
                back = returners[g][back_idx]
                returners[g] = np.delete(returners[g], back_idx)
                persons = np.concatenate([back, self.new_persons(n_new - n_back, g, y)])
                persons = rng.permutation(persons)
                spells = carry.concat(self.start_spells(persons, g, y, early, in_year))

                # who ends this year, and how
                if y == CALIBRATED_YEAR:
                    counts = np.array([round(ENDED_2018[g][o] * sc) for o in S.OUTCOMES])
                elif y == YEARS[-1]:
                    n_end = len(spells) - round(len(spells) * 0.45)
                    counts = rng.multinomial(n_end, OUTCOME_SHARES[g])
                else:
                    n_carry = round(active[y + 1][g] * carry_share[y + 1])
                    n_end = max(len(spells) - n_carry, round(0.4 * len(spells)))
                    counts = rng.multinomial(n_end, OUTCOME_SHARES[g])
                    if y in BORAS_U40455:
                        # the year's outcomes after Borås' published series; the draw above is kept,
                        # so that the random numbers, and with them every other column, stay the same
                        counts = calibrated_outcomes(n_end, g, BORAS_U40455[y])
                if counts.sum() > len(spells):  # only at tiny scales
                    counts = rng.multinomial(round(0.6 * len(spells)), OUTCOME_SHARES[g])
                n_end = int(counts.sum())
                order = rng.permutation(len(spells))
                ending, staying = order[:n_end], order[n_end:]
                ended = spells.take(ending)
                lo = np.maximum(ended.start, _year_start(y))
                span = (_year_end(y) - lo).astype(np.int64) + 1
                end = lo + (rng.random(n_end) * span).astype(np.int64) * DAY
                outcome = rng.permutation(np.repeat(np.arange(len(S.OUTCOMES), dtype=np.int8), counts))
                self.emit(ended, end, outcome)
                ongoing[g] = spells.take(staying)
                returners[g] = np.concatenate([returners[g], ended.person])

        last = YEARS[-1]
        for g in genders:
            sp = ongoing[g]
            self.emit(sp, np.full(len(sp), np.datetime64("NaT"), "datetime64[D]"), np.full(len(sp), -1, np.int8))
            # referred in December of the last year, not yet started at extraction
            waiting = self.start_spells(self.new_persons(dec[last][g], g, last + 1), g, last + 1, dec[last][g], 0)
            waiting.start = np.full(len(waiting), np.datetime64("NaT"), "datetime64[D]")
            self.emit(waiting, np.full(len(waiting), np.datetime64("NaT"), "datetime64[D]"), np.full(len(waiting), -1, np.int8))
        return self.frame()

    def secondary(self, cols: dict[str, npt.NDArray[np.generic]]) -> dict[str, npt.NDArray[np.generic]]:
        """A second, shorter insats inside some persons' main spell (same persons and years):
        it ends before the main spell in the same year, or runs on while the main one does."""
        rng = self.rng
        start = cols["start"].astype("datetime64[D]")
        end = cols["end"].astype("datetime64[D]")
        has_start = ~np.isnat(start)
        pick = has_start & (rng.random(len(start)) < 0.15)
        ongoing = np.isnat(end)
        end_year_start = end.astype("datetime64[Y]").astype("datetime64[D]")
        sec_start = np.where(pick, start + (rng.random(len(start)) * 60).astype(np.int64) * DAY, start)
        sec_start = np.where(ongoing, np.minimum(sec_start, np.maximum(start, _year_end(YEARS[-1]))), sec_start)
        sec_lo = np.maximum(sec_start, end_year_start)
        sec_end = sec_lo + (rng.random(len(start)) * ((end - sec_lo).astype(np.int64))).astype(np.int64) * DAY
        ok = pick & (ongoing | ((sec_lo < end) & (sec_end < end) & (sec_start <= sec_end)))
        idx = np.flatnonzero(ok)
        insats = cols["insats"][idx]
        other = np.where(insats == 1, 0, 1).astype(np.int8)  # vägledning beside the main insats
        return {
            "person": cols["person"][idx], "insats": other, "ref": cols["ref"][idx], "start": sec_start[idx],
            "end": np.where(ongoing[idx], np.datetime64("NaT"), sec_end[idx]),
            "outcome": np.where(ongoing[idx], -1, rng.integers(0, len(S.OUTCOMES), size=idx.size)).astype(np.int8),
            "asked": cols["asked"][idx], "disclosed": cols["disclosed"][idx],
        }

    def frame(self) -> pd.DataFrame:
        main = {k: np.concatenate([o[k] for o in self.out]) for k in self.out[0]}
        sec = self.secondary(main)
        cols = {k: np.concatenate([sec[k], main[k]]) for k in main}  # the main spell is the later row
        order = np.argsort(cols["start"].astype("datetime64[D]"), kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
        person = cols["person"]
        gender = np.concatenate(self.gender)[person]
        pid = pc.binary_join_element_wise(
            "JB", pc.utf8_lpad(pc.cast(pa.array(person + 1), pa.string()), 6, "0"), ""
        )

        def cat(values: tuple[str, ...], codes: npt.NDArray[Any]) -> Any:
            return pd.Categorical.from_codes(codes.astype(np.int64), categories=list(values))  # type: ignore[call-overload]

        def flag(code: npt.NDArray[np.int8]) -> pd.arrays.BooleanArray:
            return pd.arrays.BooleanArray(code == 1, code < 0)

        # the outcome as written: the canonical label, or for some Annat one of WRITTEN_ANNAT
        outcome = cols["outcome"].astype(np.int64)
        written_labels = [*S.OUTCOMES, *(w for w, _ in WRITTEN_ANNAT)]
        shares = np.array([p for _, p in WRITTEN_ANNAT])
        pick = self.written_rng.choice(len(WRITTEN_ANNAT) + 1, size=outcome.size, p=[*shares, 1 - shares.sum()])
        annat = outcome == S.OUTCOMES.index(S.ANNAT_UTFALL)
        written = np.where(annat & (pick < len(WRITTEN_ANNAT)), len(S.OUTCOMES) + pick, outcome)
        df = pd.DataFrame({
            S.PERSON_ID: pd.array(pid, dtype="string"),
            S.KON: cat(S.GENDER_VALUES, gender),
            S.FODELSEAR: pd.array(np.concatenate(self.birth)[person], dtype="Int16"),
            S.BAKGRUND: cat(S.BAKGRUND_VALUES, np.concatenate(self.background)[person]),
            S.UTBILDNINGSNIVA: cat(S.UTBILDNING_VALUES, np.concatenate(self.education)[person]),
            S.INSATS: cat(INSATSER, cols["insats"]),
            S.ANVISNINGSDATUM: cols["ref"].astype("datetime64[ms]"),
            S.STARTDATUM: cols["start"].astype("datetime64[ms]"),
            S.SLUTDATUM: cols["end"].astype("datetime64[ms]"),
            S.AVSLUTSORSAK: cat(S.OUTCOMES, cols["outcome"]),
            S.AVSLUTSORSAK_KALLA: cat(tuple(written_labels), written),
            S.FRAGAT_OM_VALD: flag(cols["asked"]),
            S.UPPGETT_VALD: flag(cols["disclosed"]),
        })
        return canonical(df)


def generate(scale: float = 1.0, seed: int = SEED) -> pd.DataFrame:
    """Synthetic records; ``scale=1`` is the calibrated demo data."""
    return _Generator(scale, seed).run()


def generate_records(n: int, seed: int = SEED) -> pd.DataFrame:
    """Exactly ``n`` synthetic records with the demo data's columns and proportions."""
    base = len(demo_frame())
    scale = max(n / base * 1.05, 0.01)
    df = generate(scale=scale, seed=seed)
    while len(df) < n:  # rounding at tiny scales: a larger population, never copied rows
        scale *= 1.5 * n / max(len(df), 1)
        df = generate(scale=scale, seed=seed)
    # keep whole persons' histories as far as possible: the first n rows in start order
    return df.iloc[:n].reset_index(drop=True)


DEMO_DIR: Final = Path(__file__).resolve().parents[2] / "data" / "demo"
DEMO_FILE: Final = DEMO_DIR / "deltagare.parquet"

_cache: dict[str, pd.DataFrame] = {}


def demo_frame() -> pd.DataFrame:
    """The calibrated demo data (from ``data/demo/`` when written there, else generated)."""
    if "demo" not in _cache:
        if DEMO_FILE.exists():
            from .reading import read_parquet_canonical

            _cache["demo"] = read_parquet_canonical(DEMO_FILE)
        else:
            _cache["demo"] = generate()
    return _cache["demo"].copy()


def write(df: pd.DataFrame, path: Path) -> None:
    """Write records as Parquet (canonical dtypes kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, path, compression="zstd")
