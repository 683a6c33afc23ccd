"""Synthetic, deterministic payments of ekonomiskt bistånd (demo data of section 7).

About 600 households of every type receive monthly försörjningsstöd between 2016 and 2024.
Before the board's decision (:data:`payments_reading.DEFAULT_DECISION`, 2020-01-01) most of a couple's
money goes to one adult, mostly the man; from the decision most couples are paid half each,
with some exceptions. A quarter of the households have their rent paid to the landlord (third
party), some months have a correction (a negative amount), a few single households become
couples during their time with support, and a few couples are of the same gender.
Nobody here exists: ids are made up, there are no personnummer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..base import schema as S
from . import reading as P

SEED: Final = 20200101
DEMO_FILE: Final = Path(__file__).resolve().parents[2] / "data" / "demo" / "utbetalningar.parquet"
FIRST_YEAR: Final = 2016
LAST_YEAR: Final = 2024
#: (household type, number of households, monthly amount in 2016 kronor)
HOUSEHOLDS: Final = ((P.ENSAM_UTAN, 170, 5_800), (P.ENSAM_MED, 120, 8_900), (P.SAMBO_UTAN, 140, 9_800), (P.SAMBO_MED, 170, 13_900))
#: How a couple's money is split: woman's share when the money goes mostly to the man / the woman.
MODES: Final = ("half", "one", "skewed")
BEFORE: Final = (0.15, 0.65, 0.20)  # probabilities of MODES before the decision
AFTER: Final = (0.85, 0.10, 0.05)
TO_MAN: Final = 0.8  # when not half: the man gets most
_cache: dict[str, pd.DataFrame] = {}


def _woman_share(mode: str, to_man: bool) -> float:
    if mode == "half":
        return 0.5
    if mode == "one":
        return 0.0 if to_man else 1.0
    return 0.25 if to_man else 0.75


def generate(seed: int = SEED) -> pd.DataFrame:
    """The demo payments (canonical payment columns), the same for the same seed."""
    rng = np.random.default_rng(seed)
    months = pd.period_range(f"{FIRST_YEAR}-01", f"{LAST_YEAR}-12", freq="M")
    decision = pd.Period(P.DEFAULT_DECISION, freq="M")
    rows: list[tuple[object, ...]] = []
    n = 0
    for typ, count, base in HOUSEHOLDS:
        couple = typ in P.COUPLE_TYPES
        for _ in range(count):
            n += 1
            hh, a, b = f"H{n:04d}", f"P{n:04d}a", f"P{n:04d}b"
            start = int(rng.integers(-24, len(months)))  # some started before 2016: a steady stock from the start
            length = int(rng.integers(4, 49))
            span = months[max(start, 0):max(start + length, 1)]
            if couple:
                same = rng.random() < 0.03
                g_a = S.KVINNA if same and rng.random() < 0.5 else (S.MAN if rng.random() < 0.7 else S.KVINNA)
                g_b = g_a if same else (S.KVINNA if g_a == S.MAN else S.MAN)
                becomes_couple_at = None
            else:
                g_a = S.KVINNA if rng.random() < (0.85 if typ == P.ENSAM_MED else 0.4) else S.MAN
                g_b = S.MAN if g_a == S.KVINNA else S.KVINNA
                becomes_couple_at = span[len(span) // 2] if len(span) >= 8 and rng.random() < 0.08 else None
            rent = rng.random() < 0.25
            mode_before = MODES[int(rng.choice(3, p=BEFORE))]
            mode_after = MODES[int(rng.choice(3, p=AFTER))]
            to_man = rng.random() < TO_MAN
            for month in span:
                now_couple = couple or (becomes_couple_at is not None and month >= becomes_couple_at)
                t = typ if not now_couple or couple else (P.SAMBO_MED if typ == P.ENSAM_MED else P.SAMBO_UTAN)
                med, g_med = (b, g_b) if now_couple else (None, None)
                day = month.to_timestamp() + pd.Timedelta(days=24)
                inflation = 1.02 ** (month.year - FIRST_YEAR)
                amount = float(round(base * (1.5 if t in P.COUPLE_TYPES and not couple else 1.0) * inflation
                                     * max(0.3, 1 + rng.normal(0, 0.15))))
                if rent:
                    third = float(round(amount * 0.4))
                    rows.append((hh, a, med, g_a, g_med, t, day, third, P.TREDJE_PART))
                    amount -= third
                if med is not None:
                    mode = mode_after if month >= decision else mode_before
                    if g_a == g_b:
                        w_a = 0.5 if mode == "half" else (1.0 if to_man else 0.0)
                    else:
                        share = _woman_share(mode, to_man)
                        w_a = share if g_a == S.KVINNA else 1 - share
                    to_a = float(round(amount * w_a))
                    for who, value in ((P.SOKANDE_R, to_a), (P.MEDSOKANDE_R, amount - to_a)):
                        if value:
                            rows.append((hh, a, med, g_a, g_med, t, day, value, who))
                else:
                    rows.append((hh, a, med, g_a, g_med, t, day, amount, P.SOKANDE_R))
                if rng.random() < 0.03:
                    correction = -float(rng.integers(200, 1_501))
                    rows.append((hh, a, med, g_a, g_med, t, day - pd.Timedelta(days=14), correction, P.SOKANDE_R))
    df = pd.DataFrame(rows, columns=list(P.COLUMNS))
    df = df.sort_values([P.UTBETALNINGSDATUM, P.HUSHALL_ID], kind="stable")
    return P.canonical(df)


def write(df: pd.DataFrame, path: Path = DEMO_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, compression="zstd")


def read(path: Path) -> pd.DataFrame:
    """A payment Parquet file written by this package (canonical columns)."""
    return P.canonical(pq.read_table(path).to_pandas())


def demo_frame() -> pd.DataFrame:
    """The committed demo payments (generated when the file is missing)."""
    if "demo" not in _cache:
        _cache["demo"] = read(DEMO_FILE) if DEMO_FILE.exists() else generate()
    return _cache["demo"].copy()


if __name__ == "__main__":  # python -m jamstalldhet.payments.demo
    write(generate())
