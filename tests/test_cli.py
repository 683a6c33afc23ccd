from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from jamstalldhet.app.cli import main
from tests.conftest import DATA, ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jamstalldhet", *args], capture_output=True, text=True, cwd=ROOT)


def test_data_file_json_k0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "--year", "2018", "--data", str(DATA / "sma_fall.csv"), "--k", "0"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by = {(r["indicator"], r["gender"]): r for r in rows}
    assert by[("deltagare", "Kvinnor")] == {"indicator": "deltagare", "year": 2018, "gender": "Kvinnor", "count": 2,
                                            "denominator": 5, "share": 0.4, "suppressed": False,
                                            "perturbed": False}
    assert by[("avslut_arbete", "Kvinnor")]["share"] == 0.5


def test_data_file_default_k_suppresses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "--year", "2018", "--data", str(DATA / "sma_fall.csv")]) == 0
    rows = json.loads(capsys.readouterr().out)
    for r in rows:
        for key in ("count", "denominator"):
            assert r[key] is None or r[key] == 0 or r[key] >= 5
        if r["suppressed"]:
            assert r["count"] is None and r["share"] is None


def test_by_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "--year", "2018", "--demo", "--by", "insats", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["indicator", "year", "group", "gender", "count", "denominator", "share", "suppressed", "perturbed"]
    groups = {r["group"] for r in rows}
    assert {"Totalt", "Fler vägar in", "Mammor i arbete"} <= groups


def test_csv_neutralises_formula_groups(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = (DATA / "sma_fall.csv").read_text(encoding="utf-8").replace(",X,", ",=HYPERLINK(1),")
    f = tmp_path / "farlig.csv"
    f.write_text(src, encoding="utf-8")
    assert main(["indicators", "--year", "2018", "--data", str(f), "--by", "insats", "--format", "csv", "--k", "0"]) == 0
    out = capsys.readouterr().out
    assert "'=HYPERLINK(1)" in out
    assert ",=HYPERLINK" not in out


@pytest.mark.parametrize("args", [[], ["indicators"], ["indicators", "--year", "x"], ["indicators", "--year", "2018", "--by", "kommun"],
                                  ["nope"], ["indicators", "--year", "2018", "--demo", "--data", "a.csv"], ["indicators", "--year", "2018", "--k", "-1"]])
def test_wrong_usage_exits_2_without_traceback(args: list[str]) -> None:
    res = run(*args)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr


def test_invalid_input_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "trasig.csv"
    bad.write_text("person_id,kon,insats,startdatum,slutdatum\nA,Kvinna,X,2018-13-45,\nB,Man,X,2018-01-01,2017-01-01\n", encoding="utf-8")
    res = run("indicators", "--year", "2018", "--data", str(bad))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "trasig.csv, rad 2, kolumn startdatum" in res.stderr
    assert "trasig.csv, rad 3, kolumn slutdatum" in res.stderr
    assert res.stdout == ""


def test_missing_file_exits_1() -> None:
    res = run("indicators", "--year", "2018", "--data", "/finns/inte.csv")
    assert res.returncode == 1 and "Traceback" not in res.stderr


def test_demo_records(tmp_path: Path) -> None:
    out = tmp_path / "d.parquet"
    res = run("demo", "--out", str(out), "--records", "1000")
    assert res.returncode == 0, res.stderr
    import pyarrow.parquet as pq

    assert pq.read_metadata(out).num_rows == 1000


def test_help_documents_every_command() -> None:
    res = run("--help")
    assert res.returncode == 0
    for cmd in ("indicators", "demo"):
        assert cmd in res.stdout
        sub = run(cmd, "--help")
        assert sub.returncode == 0 and "--" in sub.stdout


def test_filter_is_perturbed_and_marked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "--year", "2018", "--demo", "--filter", "insats=Mammor i arbete"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["perturbed"] for r in rows)
    counts = [r["count"] for r in rows if r["count"] is not None and r["indicator"] in ("deltagare", "avslutade")]
    assert not [c for c in counts if 1 <= c < 5]


def test_fixed_selection_of_a_malomrade_is_offered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "--year", "2018", "--demo", "--filter", "insats=Fler vägar in,Mammor i arbete"]) == 0


@pytest.mark.parametrize("args", [
    ["--filter", "insats=Fler vägar in,Studie- och yrkesvägledning"],  # a free union: internal mode only
    ["--filter", "aldersgrupp=–24,25–34"],
    ["--filter", "kommun=Borås"],
    ["--filter", "insats"],
    ["--filter", "insats=Finns inte"],
    ["--k", "2"],
])
def test_refused_filters_and_thresholds_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "--year", "2018", "--demo", *args]) == 2
    assert "fel:" in capsys.readouterr().err


def test_free_union_in_internal_mode(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "--year", "2018", "--demo", "--k", "0", "--filter", "aldersgrupp=–24,25–34"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert not any(r["perturbed"] for r in rows)


def test_environment_threshold_below_3_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JAMSTALLDHET_K", "0")
    assert main(["indicators", "--year", "2018", "--demo"]) == 2
    assert "JAMSTALLDHET_K" in capsys.readouterr().err


# --- issue 28: payments on their own ------------------------------------------------------------

def test_indicators_data_recognises_a_payment_file(capsys: pytest.CaptureFixture[str]) -> None:
    """A payment export given to --data is read as one (not refused for a missing gender column),
    and gives the payment indicators of section 7, as many as the payment module computes."""
    from jamstalldhet.payments import reading as payments_reading
    from jamstalldhet.payments import table as payments

    f = DATA / "utbetalningar_handraknad.csv"
    assert main(["indicators", "--year", "2021", "--data", str(f), "--k", "0"]) == 0
    rows = json.loads(capsys.readouterr().out)
    df, _ = payments_reading.read_file(f)
    assert rows == payments.indicator_records(df, 2021, 0)
    assert {"bistand_kr", "par_andel_kr_kvinnor", "tredje_part_andel"} <= {r["indicator"] for r in rows}
    assert main(["indicators", "--year", "2021", "--data", str(f), "--by", "insats"]) == 2


def test_indicators_store_with_only_payments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "store"
    assert main(["import", str(DATA / "utbetalningar_handraknad.csv"), "--store", str(target)]) == 0
    capsys.readouterr()
    assert main(["indicators", "--year", "2021", "--store", str(target), "--k", "0"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["indicator"] for r in rows} >= {"bistand_kr", "par_delad_utbetalning"}
    assert "deltagare" not in {r["indicator"] for r in rows}


def test_invalid_personnummer_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 28: four different invalid personnummer give four lines, nothing else (no 'Person saknas',
    no 'olika kön'), in the order of the file."""
    f = ROOT / "tests" / "data" / "import" / "fel_ogiltiga_personnummer.csv"
    assert main(["import", str(f), "--store", str(tmp_path / "store")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"Fil fel_ogiltiga_personnummer.csv, rad {r}, kolumn Personnummer: Personnumret är inte giltigt (fel form, "
                     "datum eller kontrollsiffra). Rätta det i källsystemet; numret visas inte här av sekretesskäl."
                     for r in (3, 4, 5, 6)] + ["Inget lagrades."]
