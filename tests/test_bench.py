"""The benchmark's checks: the three engines (ours, polars, DuckDB) give the counts worked out by
hand on a tiny file, agree on 100 000 demo records, and the agreement check sees a wrong count."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench import engines as E
from bench import run, stages
from jamstalldhet.base import schema as S
from jamstalldhet.intake.canonical import canonical

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast

K, M = S.KVINNOR, S.MAN_PLURAL

# Five records, year 2018 (run.YEAR). p1 (woman, Jobb) has two records in 2018, one ended with
# work; p2 (man, Jobb) was referred and ended with studies; p3 (woman, Studie) ended in 2017;
# p4 (man, Studie) was referred in November and has not started.
TINY = pd.DataFrame({
    S.PERSON_ID: ["p1", "p1", "p2", "p3", "p4"],
    S.KON: [S.KVINNA, S.KVINNA, S.MAN, S.KVINNA, S.MAN],
    S.FODELSEAR: [1990, 1990, 1985, 2000, 1970],
    S.BAKGRUND: [S.INRIKES, S.INRIKES, S.UTRIKES, S.INRIKES, S.OKAND],
    S.UTBILDNINGSNIVA: ["Gymnasial", "Gymnasial", S.OKAND, "Förgymnasial", S.OKAND],
    S.INSATS: ["Jobb", "Jobb", "Jobb", "Studie", "Studie"],
    S.ANVISNINGSDATUM: [None, None, "2018-01-10", None, "2018-11-01"],
    S.STARTDATUM: ["2018-02-01", "2018-08-01", "2018-03-01", "2017-05-01", None],
    S.SLUTDATUM: ["2018-06-30", None, "2018-12-31", "2017-12-31", None],
    S.AVSLUTSORSAK: [S.ARBETE, None, S.STUDIER, S.ARBETE, None],
    S.FRAGAT_OM_VALD: [True, True, False, False, False],
    S.UPPGETT_VALD: [True, False, False, False, False],
})

#: By insats and gender, counted by hand from TINY (persons, not rows: p1 counts once).
BY_INSATS = {
    ("deltagare", "Jobb", K): 1, ("deltagare", "Jobb", M): 1,  # p3 ended in 2017, p4 never started
    ("anvisade", "Jobb", M): 1, ("anvisade", "Studie", M): 1,
    ("avslutade", "Jobb", K): 1, ("avslutade", "Jobb", M): 1,
    ("avslut_arbete", "Jobb", K): 1, ("avslut_studier", "Jobb", M): 1,
    ("fragat_om_vald", "Jobb", K): 1, ("uppgett_vald", "Jobb", K): 1,
}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.parquet"
    pq.write_table(pa.Table.from_pandas(canonical(TINY), preserve_index=False), path)
    return path


def _nonzero(counts: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    summed = counts.groupby(["indicator", "group", "gender"])["count"].sum()
    return {k: int(v) for k, v in summed.items() if v}


def test_each_engine_gives_the_hand_counts(tiny: Path) -> None:
    import duckdb
    import polars as pl

    from jamstalldhet.compute.indicators import compute
    from jamstalldhet.intake.records import prepare

    table = pq.read_table(tiny)
    con = duckdb.connect()
    con.register("d", table)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    ours = E.ours_counts(compute(prepare(canonical(table.to_pandas())), run.YEAR, S.INSATS))
    assert _nonzero(ours) == BY_INSATS
    assert _nonzero(E.polars_counts(frame, run.YEAR, S.INSATS)) == BY_INSATS
    assert _nonzero(E.duckdb_counts(con, "d", run.YEAR, S.INSATS)) == BY_INSATS


def test_agreement_sees_one_wrong_count(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x = run.indicators_in_process(tiny, runs=1)
    assert x["records"] == len(TINY) and x["agree"]
    real = E.duckdb_counts

    def one_too_many(*args: object) -> pd.DataFrame:
        out = real(*args)  # type: ignore[arg-type]
        out.loc[out.index[0], "count"] += 1
        return out

    monkeypatch.setattr(E, "duckdb_counts", one_too_many)
    assert not run.indicators_in_process(tiny, runs=1)["agree"]


def test_three_engines_agree_on_100k(tmp_path: Path) -> None:
    x = run.indicators_in_process(run.demo_file(100_000, tmp_path), runs=1)
    assert x["records"] == 100_000
    assert x["agree"]


def test_stages_reach_every_stage_of_both_commands(tiny: Path, tmp_path: Path) -> None:
    """bench/stages.py times the package's own stages: each one the table names is reached by the
    command (a renamed or bypassed stage would be missing, not silently counted as "other")."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    csv = tmp_path / "deltagare.csv"
    csv.write_text("person_id;kön;insats;startdatum\np1;K;Jobb;2018-01-01\np2;M;Jobb;2018-02-01\n", encoding="utf-8")
    for command, args in (("indicators", [str(tiny)]), ("import", [str(csv), str(tmp_path / "lager")])):
        out = subprocess.run([sys.executable, "-m", "bench.stages", command, *args], cwd=root, capture_output=True, text=True, check=True)
        spent: dict[str, float] = {}
        for key, seconds in json.loads(out.stdout).items():  # a stage may also run in a thread, alongside
            spent[key.removesuffix(stages.ALONGSIDE)] = spent.get(key.removesuffix(stages.ALONGSIDE), 0.0) + seconds
        expected = {stage for _, _, stage in stages.STAGES[command]}
        assert expected | {"imports", "other", "total"} == set(spent), command
        assert all(spent[stage] > 0 for stage in expected), spent


def test_the_page_script_runs_a_malomrade_page(tmp_path: Path) -> None:
    """The pages part's child script (section 3) runs a målområde page built from the catalogue
    and prints its timings (it once failed on its own quoting, unseen until a benchmark run)."""
    import json
    import subprocess
    import sys

    env = {**run.ENV, "JAMSTALLDHET_STORE": str(tmp_path / "tomt")}  # no store: the demo data
    done = subprocess.run([sys.executable, "-c", run.PAGE_SCRIPT, "makt-och-halsa", "1"], cwd=run.ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(timings) == {"first_s", "rerun_ms"}
