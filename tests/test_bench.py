"""The benchmark's smoke test: on 100 000 records the three engines give identical counts."""

from __future__ import annotations

from pathlib import Path

from bench import run


def test_three_engines_agree_on_100k(tmp_path: Path) -> None:
    x = run.indicators_in_process(run.demo_file(100_000, tmp_path), runs=1)
    assert x["records"] == 100_000
    assert x["agree"]
    assert x["ours_s"] > 0 and x["polars_s"] > 0 and x["duckdb_s"] > 0
