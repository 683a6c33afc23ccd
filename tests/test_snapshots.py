"""Golden snapshots of what the demo publishes (tests/snapshots/, reviewed in the diff).

For the demo data with the tests' key and an empty store: every year's published indicator frames
(by none and each dimension, k 5 and 0), the resource frames (the same), and a few command-line
outputs. A change in any published number shows up here as a failing test; ``make snapshots``
writes the files again (``python -m tests.test_snapshots``), and the diff is the review.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
KEY = "testnyckel-inte-hemlig"  # the tests' key (tests.conftest.TEST_KEY)
BYS: tuple[str | None, ...] = (None, "insats", "bakgrund", "utbildningsniva", "aldersgrupp")
KS = (5, 0)
DECIMALS = 10

# name -> arguments of ``python -m jamstalldhet``
COMMANDS: dict[str, list[str]] = {
    "indicators_2018": ["indicators", "--demo", "--year", "2018", "--format", "json"],
    "indicators_2018_k0": ["indicators", "--demo", "--year", "2018", "--format", "json", "--k", "0"],
    "indicators_2018_by_insats": ["indicators", "--demo", "--year", "2018", "--format", "json", "--by", "insats"],
    "indicators_2018_by_aldersgrupp_k0": ["indicators", "--demo", "--year", "2018", "--format", "json",
                                          "--by", "aldersgrupp", "--k", "0"],
    "indicators_2018_filter_bakgrund": ["indicators", "--demo", "--year", "2018", "--format", "json",
                                        "--filter", "bakgrund=Utrikes född"],
    "indicators_2018_filter_insats_by_utbildningsniva": [
        "indicators", "--demo", "--year", "2018", "--format", "json",
        "--filter", "insats=Mammor i arbete", "--by", "utbildningsniva"],
    "indicators_2018_filter_two_k0": ["indicators", "--demo", "--year", "2018", "--format", "json", "--k", "0",
                                      "--filter", "insats=Fler vägar in,Mammor i arbete",
                                      "--filter", "utbildningsniva=Gymnasial"],
    "indicators_2021_by_bakgrund_csv": ["indicators", "--demo", "--year", "2021", "--format", "csv", "--by", "bakgrund"],
    "kolada_2018": ["kolada", "--year", "2018", "--demo", "--format", "json"],
    "kolada_2018_k0": ["kolada", "--year", "2018", "--demo", "--format", "json", "--k", "0"],
}


def _rounded(x: Any) -> Any:
    if isinstance(x, float):
        return round(x, DECIMALS)
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    return x


def _csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(DECIMALS)
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _frames() -> Iterator[tuple[str, str]]:
    """(relative path, text) of the published and resource frames, one file per kind and year."""
    from jamstalldhet.disclosure.tables import indicator_table
    from jamstalldhet.intake import demo
    from jamstalldhet.intake.records import prepare
    from jamstalldhet.resources import prices as costs
    from jamstalldhet.resources import table as resources

    prep = prepare(demo.demo_frame())
    prices = costs.load()
    for year in prep.years():
        published, resource = [], []
        for by in BYS:
            for k in KS:
                for parts, frame in ((published, indicator_table(prep, year, by=by, k=k).frame),
                                     (resource, resources.table(prep, year, prices, by, k=k).frame)):
                    parts.append(frame.assign(by=by or "", k=k)[["by", "k", *frame.columns]])
        yield f"published/{year}.csv", _csv(pd.concat(published, ignore_index=True))
        yield f"resources/{year}.csv", _csv(pd.concat(resource, ignore_index=True))


def _command(args: list[str], store: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAMSTALLDHET_")}
    env |= {"JAMSTALLDHET_KEY": KEY, "JAMSTALLDHET_STORE": store}
    done = subprocess.run([sys.executable, "-m", "jamstalldhet", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, (args, done.stderr)
    if "--format" in args and args[args.index("--format") + 1] == "csv":
        return done.stdout
    data = _rounded(json.loads(done.stdout))  # a list of objects: one a line, so a diff names the row
    return "[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in data) + "\n]\n"


def _commands(store: str) -> Iterator[tuple[str, str]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = pool.map(lambda args: _command(args, store), COMMANDS.values())
        for name, args, text in zip(COMMANDS, COMMANDS.values(), outputs, strict=True):
            suffix = "csv" if "csv" in args else "json"
            yield f"cli/{name}.{suffix}", text


def snapshots(store: str) -> dict[str, str]:
    """Every snapshot file's text, computed now (the environment must hold the tests' key and ``store``)."""
    return dict(_frames()) | dict(_commands(store))


def _committed(kind: str) -> dict[str, str]:
    return {str(p.relative_to(SNAPSHOTS)): p.read_text(encoding="utf-8")
            for p in (SNAPSHOTS / kind).glob("*") if p.suffix in (".csv", ".json")}


def _compare(now: dict[str, str], committed: dict[str, str]) -> None:
    assert sorted(now) == sorted(committed), "make snapshots writes the set again"
    differ = [name for name in now if now[name] != committed[name]]
    assert not differ, f"differ from tests/snapshots/ (make snapshots, then review the diff): {differ}"


def test_published_frames_match_the_snapshots() -> None:
    """Every year's published indicator and resource frames are those committed in tests/snapshots/."""
    _compare(dict(_frames()), _committed("published") | _committed("resources"))


@pytest.mark.slow  # ten processes
def test_command_line_outputs_match_the_snapshots(tmp_path: Path) -> None:
    """The command-line outputs are those committed in tests/snapshots/cli/."""
    store = tmp_path / "empty_store"
    store.mkdir()
    _compare(dict(_commands(str(store))), _committed("cli"))


def _write() -> None:
    with tempfile.TemporaryDirectory() as store:
        for k in [k for k in os.environ if k.startswith("JAMSTALLDHET_")]:
            del os.environ[k]
        os.environ |= {"JAMSTALLDHET_KEY": KEY, "JAMSTALLDHET_STORE": store}
        files = snapshots(store)
    for old in SNAPSHOTS.rglob("*"):
        if old.is_file() and old.suffix in (".csv", ".json"):
            old.unlink()
    for name, text in files.items():
        path = SNAPSHOTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    print(f"{len(files)} filer i {SNAPSHOTS.relative_to(ROOT)}")


if __name__ == "__main__":
    _write()
