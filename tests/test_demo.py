"""The demo data reproduces the seed's 2018 figures (data contract, section 3) – computed
from the records by the indicator code, through the public API and the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from jamstalldhet.base import schema as S
from jamstalldhet.disclosure import cellkey
from jamstalldhet.disclosure.tables import indicator_table
from jamstalldhet.intake import demo
from jamstalldhet.intake.records import Prepared, prepare
from tests.conftest import ROOT

SEED = {
    ("deltagare", "Kvinnor"): 993, ("deltagare", "Män"): 821, ("deltagare", "Totalt"): 1814,
    ("anvisade", "Kvinnor"): 398, ("anvisade", "Män"): 331, ("anvisade", "Totalt"): 729,
    ("avslut_arbetsmarknadsanstallning", "Kvinnor"): 223, ("avslut_arbetsmarknadsanstallning", "Män"): 237,
    ("avslut_arbetsmarknadsanstallning", "Totalt"): 460,
}
SEED_SHARES = {
    ("avslut_arbete", "Kvinnor"): "16.0", ("avslut_arbete", "Män"): "18.0",
    ("avslut_studier", "Kvinnor"): "12.0", ("avslut_studier", "Män"): "6.0",
}


def _check(rows: list[dict[str, object]], exact: bool) -> None:
    """Internal mode (k = 0): the seed's figures exactly. Published: every count perturbed, within ±D
    of the seed's, and every share the shown count over the shown denominator."""
    by = {(r["indicator"], r["gender"]): r for r in rows}
    for key, value in SEED.items():
        count = by[key]["count"]
        assert isinstance(count, int)
        assert count == value if exact else abs(count - value) <= cellkey.MAX_NOISE, key
        assert by[key]["perturbed"] is not exact
    for key, pct in SEED_SHARES.items():
        share = by[key]["share"]
        assert isinstance(share, float)
        if exact:
            assert f"{share * 100:.1f}" == pct, key
        else:
            assert share == pytest.approx(by[key]["count"] / by[key]["denominator"])  # type: ignore[operator]
            assert abs(share * 100 - float(pct)) < 1.5, key
    assert not any(r["gender"] == S.ANNAT_OKANT for r in rows)


@pytest.mark.parametrize("k", [0, 5])
def test_seed_figures_through_api(demo_prep: Prepared, k: int) -> None:
    from jamstalldhet.show.export import records

    _check(records(indicator_table(demo_prep, 2018, k=k)), exact=k == 0)


@pytest.mark.slow  # a process per k
@pytest.mark.parametrize("k", [0, 5])
def test_seed_figures_through_cli(k: int) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "jamstalldhet", "indicators", "--demo", "--year", "2018", "--format", "json", "--k", str(k)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    rows = json.loads(out.stdout)
    _check(rows, exact=k == 0)
    assert {r["indicator"] for r in rows} >= {"deltagare", "anvisade", "avslutade", "avslut_arbete", "avslut_studier",
                                              "avslut_arbetsmarknadsanstallning", "avslut_ohalsa", "fragat_om_vald", "uppgett_vald"}


def test_committed_demo_file_is_the_generator_output() -> None:
    # read the committed file itself (demo_frame() would fall back to the generator if it were missing)
    assert demo.DEMO_FILE.exists(), "data/demo/deltagare.parquet saknas: kör make demo och checka in filen"
    from jamstalldhet.intake.canonical import canonical

    committed = canonical(pd.read_parquet(demo.DEMO_FILE))
    fresh = demo.generate()
    pd.testing.assert_frame_equal(committed.reset_index(drop=True), fresh.reset_index(drop=True), check_dtype=False)


def test_demo_is_deterministic_and_covers_columns() -> None:
    a, b = demo.generate(), demo.generate()
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == list(S.COLUMNS)
    for col in S.COLUMNS:
        assert a[col].notna().any(), col
    assert set(a[S.INSATS].cat.categories) >= {"Jobb Borås arbetsträning", "Fler vägar in", "Mammor i arbete", "Studie- och yrkesvägledning"}
    years = prepare(a).years()
    assert set(range(2016, 2025)) <= set(years)


def test_other_years_vary(demo_prep: Prepared) -> None:
    from jamstalldhet.show.export import records

    women = [next(r["count"] for r in records(indicator_table(demo_prep, y, k=0)) if r["indicator"] == "deltagare" and r["gender"] == "Kvinnor") for y in range(2016, 2025)]
    assert len(set(women)) == len(women)


def test_records_n_exact_and_no_copies() -> None:
    df = demo.generate_records(5000)
    assert len(df) == 5000
    assert not df.duplicated().any()
    assert set(df.columns) == set(S.COLUMNS)


@pytest.mark.parametrize("n", [0, 1, 37])
def test_records_small(n: int) -> None:
    assert len(demo.generate_records(n)) == n
