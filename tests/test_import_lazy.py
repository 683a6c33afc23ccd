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


def test_help_imports_no_data_libraries() -> None:
    mods = _imported("--help")
    assert "argparse" in mods
    assert not mods & {"pandas", "numpy", "pyarrow", "scipy"}


def test_no_module_of_the_package_imports_scipy() -> None:
    for path in (ROOT / "jamstalldhet").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import scipy" not in text and "from scipy" not in text, path.name
