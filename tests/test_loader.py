"""The dashboard reads a dataset once, however many sessions ask for it at the same moment."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest


def test_sessions_arriving_together_read_the_data_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight sessions miss the cached loader together; Streamlit computes the key once and the
    others wait for it and take its dataset: the records are read once."""
    from pages import _shared

    calls: list[float] = []

    def slow_load(source: Any) -> tuple[object, list[object]]:
        calls.append(time.perf_counter())
        time.sleep(0.3)  # long enough for every thread to arrive while the first still reads
        return object(), []

    monkeypatch.setattr(_shared.sources, "load_prepared", slow_load)
    _shared._load.clear()
    got: list[object] = []
    start = threading.Barrier(8)

    def session() -> None:
        start.wait()
        got.append(_shared._load("demo", None, "v-test")[0])

    threads = [threading.Thread(target=session) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(got) == 8 and all(g is got[0] for g in got)  # one dataset, shared
    _shared._load.clear()
