"""Where a whole command's time goes: the command run in this (fresh) process, with timers around
the package's own stages, printed as JSON. Used by ``bench/run.py`` for the "why" of a target.

    python -m bench.stages indicators FILE.parquet
    python -m bench.stages import FILE.csv STORE_DIR

The timers wrap module functions (a few microseconds each); the command itself is the package's
`main`, so nothing here repeats what the command does. "imports" is the time before the command
starts; "other" is what no timer covers (output, the statistics, the tables).
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

T0 = time.perf_counter()
#: the mark of time spent outside the main thread (it overlaps the other stages)
ALONGSIDE = " (alongside)"

#: (module, function, stage): the stages of each command, outermost first. A stage's time is its
#: own, without the stages nested in it.
STAGES: dict[str, list[tuple[str, str, str]]] = {
    # the benchmark's files are canonical Parquet, read by jamstalldhet.intake.typed in Arrow (reading,
    # and pandas with it, is the path of other files; wrapping it here would import it)
    "indicators": [
        ("jamstalldhet.intake.typed", "read_table", "read the file"),
        ("jamstalldhet.intake.typed", "inspect", "validate and convert"),
        ("jamstalldhet.intake.records", "prepare_table", "count arrays"),
    ],
    "import": [
        ("jamstalldhet.payments.reading", "kind_of_file", "kind of file (headers)"),
        ("jamstalldhet.intake.reading", "read_raw", "read the file"),
        ("jamstalldhet.intake.reading", "check_cell_sizes", "validate and convert"),
        ("jamstalldhet.intake.reading", "_convert", "validate and convert"),
        ("jamstalldhet.intake.store", "file_hash", "file hash (duplicate imports)"),  # in a thread, alongside reading
        ("jamstalldhet.intake.store", "plan", "plan (persons, years)"),
        ("jamstalldhet.intake.store", "_register_persons", "person register"),
        ("jamstalldhet.intake.store", "_write_arrow", "write Parquet"),
    ],
}


def _wrap(module: Any, name: str, stage: str, spent: dict[str, float], local: threading.local) -> None:
    fn: Callable[..., Any] = getattr(module, name)

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        if not hasattr(local, "stack"):
            local.stack = []
        stack: list[float] = local.stack
        stack.append(0.0)
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            total = time.perf_counter() - t
            nested = stack.pop()
            # time in another thread overlaps the main thread's: kept apart, out of the sum
            key = stage if threading.current_thread() is threading.main_thread() else f"{stage}{ALONGSIDE}"
            spent[key] = spent.get(key, 0.0) + total - nested
            if stack:
                stack[-1] += total

    setattr(module, name, timed)


#: What each command imports lazily, imported before the command so that "imports" holds it all.
PRELOAD = {"indicators": ["jamstalldhet.app.sources", "jamstalldhet.intake.typed", "jamstalldhet.disclosure.tables", "jamstalldhet.resources.table",
                          "jamstalldhet.show.export"],
           "import": ["jamstalldhet.intake.importing", "jamstalldhet.payments.store"]}


def run(command: str, args: list[str]) -> dict[str, float]:
    import importlib

    from jamstalldhet.app import cli

    for mod in PRELOAD[command]:
        importlib.import_module(mod)
    started = time.perf_counter()
    spent: dict[str, float] = {"imports": started - T0}
    local = threading.local()
    for mod, name, stage in STAGES[command]:
        _wrap(importlib.import_module(mod), name, stage, spent, local)
    # the command's own module-level imports count as imports, as they would without the timers
    spent["imports"] += time.perf_counter() - started
    started = time.perf_counter()
    argv = ["indicators", "--year", "2018", "--data", args[0], "--k", "0"] if command == "indicators" else ["import", args[0], "--store", args[1]]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(argv)
    if code != 0:
        raise SystemExit(f"{command} failed with status {code}")
    total = time.perf_counter() - T0
    spent["other"] = total - sum(v for k, v in spent.items() if not k.endswith(ALONGSIDE))
    spent["total"] = total
    return spent


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2:])))
