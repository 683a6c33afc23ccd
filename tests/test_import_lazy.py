"""The command line imports only what a command needs (issue 16): no scipy at all, and none of
the modules for figures, workbooks or reports on the `indicators` path. Module lists, not times."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEVER_FOR_INDICATORS = ("scipy", "plotly", "openpyxl", "jinja2", "kaleido", "streamlit", "markdown_it", "babel", "python_calamine")


def _imported(*args: str, cwd: Path = ROOT) -> set[str]:
    """Top-level packages a `python -m jamstalldhet ...` process imported (from -X importtime)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAMSTALLDHET_KEY": "test"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "jamstalldhet", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("source", [["--demo"], ["--data", "tests/data/import/utf8_komma.csv"]])
def test_indicators_imports_no_heavy_modules(source: list[str]) -> None:
    mods = _imported("indicators", "--year", "2018", "--k", "0", *source)
    assert "jamstalldhet" in mods and "pyarrow" in mods  # the list is real
    assert not mods & set(NEVER_FOR_INDICATORS), sorted(mods & set(NEVER_FOR_INDICATORS))


@pytest.mark.parametrize("args", [[], ["--by", "insats"], ["--filter", "aldersgrupp=55–64", "--k", "5"], ["--format", "csv"]])
def test_indicators_on_a_canonical_parquet_file_imports_no_pandas(args: list[str]) -> None:
    """A canonical Parquet file is read, validated, counted, protected and written without pandas
    (jamstalldhet.intake.typed and jamstalldhet.base.columnar): about a third of a second of the command."""
    mods = _imported("indicators", "--year", "2018", "--data", "data/demo/deltagare.parquet", "--k", "0", *args)
    assert {"jamstalldhet", "pyarrow", "numpy"} <= mods  # the list is real
    assert "pandas" not in mods


def test_indicators_on_a_csv_file_still_reads_it_with_pandas() -> None:
    assert "pandas" in _imported("indicators", "--year", "2018", "--data", "tests/data/import/utf8_komma.csv")


def test_help_imports_no_data_libraries() -> None:
    mods = _imported("--help")
    assert "argparse" in mods
    assert not mods & {"pandas", "numpy", "pyarrow", "scipy"}


def test_no_module_of_the_package_imports_scipy() -> None:
    for path in (ROOT / "jamstalldhet").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import scipy" not in text and "from scipy" not in text, path.name
