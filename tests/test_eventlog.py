"""The event log: append-only JSON lines in the store, atomic, no personnummer."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from jamstalldhet.base import eventlog


def test_append_and_read(tmp_path: Path) -> None:
    store = tmp_path / "lager"  # does not exist yet
    t0 = datetime(2026, 11, 28, 15, 4, 5, tzinfo=timezone(timedelta(hours=1)))
    e1 = eventlog.append(store, "sub-1", "anna@example.se", eventlog.IMPORT, "deltagare_2024.csv (b1)", now=t0)
    assert e1.time == "2026-11-28T14:04:05+00:00"  # stored in UTC
    eventlog.append(store, "sub-2", "", eventlog.REMOVE, "deltagare_2024.csv (b1)", now=t0 + timedelta(minutes=1))
    events = eventlog.read(store)
    assert [(e.sub, e.event) for e in events] == [("sub-1", "import"), ("sub-2", "borttagning")]
    lines = eventlog.path(store).read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["email"] for x in lines] == ["anna@example.se", ""]
    assert set(json.loads(lines[0])) == {"time", "sub", "email", "event", "object"}
    rows = eventlog.rows(events)
    assert rows[0]["Händelse"] == "borttagning" and rows[1]["E-post"] == "anna@example.se"  # newest first
    assert eventlog.export_jsonl(store) == eventlog.path(store).read_bytes()


def test_append_keeps_earlier_lines_byte_for_byte(tmp_path: Path) -> None:
    eventlog.append(tmp_path, "a", "a@x.se", eventlog.TEXT, "vald 2024")
    before = eventlog.path(tmp_path).read_bytes()
    eventlog.append(tmp_path, "b", "b@x.se", eventlog.INTERNAL, "år 2024")
    after = eventlog.path(tmp_path).read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]  # no temporary file left


def test_personnummer_is_masked_everywhere(tmp_path: Path) -> None:
    e = eventlog.append(tmp_path, "811218-9876", "x@y.se", eventlog.IMPORT, "lista 198112189876 och 19811218-9876.csv")
    raw = eventlog.path(tmp_path).read_text(encoding="utf-8")
    assert "9876" not in raw and "811218" not in raw
    assert e.object == "lista [maskerat] och [maskerat].csv" and e.sub == "[maskerat]"


def test_unknown_event_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown event"):
        eventlog.append(tmp_path, "a", "", "tittade", "x")
    assert eventlog.read(tmp_path) == []


def test_a_damaged_line_is_skipped_and_the_next_append_starts_a_new_line(tmp_path: Path) -> None:
    eventlog.append(tmp_path, "a", "", eventlog.IMPORT, "f.csv")
    with open(eventlog.path(tmp_path), "ab") as f:
        f.write(b'{"half": ')  # a line cut short by hand
    eventlog.append(tmp_path, "b", "", eventlog.REMOVE, "f.csv")
    assert [e.sub for e in eventlog.read(tmp_path)] == ["a", "b"]


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    def write(who: str) -> None:
        for i in range(15):
            eventlog.append(tmp_path, who, "", eventlog.DOWNLOAD, f"fil{i}")

    threads = [threading.Thread(target=write, args=(f"u{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events = eventlog.read(tmp_path)
    assert len(events) == 60
    assert {(e.sub, e.object) for e in events} == {(f"u{n}", f"fil{i}") for n in range(4) for i in range(15)}


def test_time_defaults_to_now_in_utc(tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    e = eventlog.append(tmp_path, "a", "", eventlog.PLAN, "vald 2024")
    assert before <= datetime.fromisoformat(e.time) <= datetime.now(UTC)
