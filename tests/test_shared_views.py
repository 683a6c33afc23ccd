"""Issue 16: what a page shows is made once for the whole server and shared by the sessions (not
rebuilt on every rerun of every session), never shared across what it depends on (year, k, filters),
and a closed "Dela upp … och se trend" costs neither a trend nor a chart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.show import export, views
from pages import _shared
from tests.conftest import malomrade_app, page_tables

MID = "makt-och-halsa"
INDICATORS = ["deltagare", "anvisade", "avslutade", "avslut_arbete", "avslut_studier",
              "avslut_arbetsmarknadsanstallning", "avslut_ohalsa"]


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    _shared._shared.clear()
    _shared._files.clear()


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    calls: list[int] = []
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def session(year: int = 2018, **state: object) -> AppTest:
    at = malomrade_app(MID)
    at.session_state["ar"] = year
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_second_session_reuses_views_and_files(monkeypatch: pytest.MonkeyPatch) -> None:
    built = counting(monkeypatch, views, "malomrade_from")
    workbooks = counting(monkeypatch, export, "workbook")
    first = session()
    assert not first.exception
    assert len(built) == 1 and len(workbooks) == len(INDICATORS) + 1  # one per table, and the page's workbook
    second = session()
    assert not second.exception
    assert len(built) == 1 and len(workbooks) == len(INDICATORS) + 1  # nothing built again
    assert [b.proto.url for b in second.get("download_button")] == [b.proto.url for b in first.get("download_button")]
    session(year=2019)
    assert len(built) == 2  # another year is another view


def test_published_and_internal_views_are_never_shared() -> None:
    published = session()
    internal = session(internt=True)
    again = session()
    names = lambda at: [b.proto.label for b in at.get("download_button")]  # noqa: E731
    assert not any("Internt" in e.value for e in published.error)
    assert any("Internt" in e.value for e in internal.error)
    assert not any("Internt" in e.value for e in again.error)
    assert names(published) == names(again)
    # the caption names the table's note: published says how small numbers are hidden
    assert [c.value for c in published.caption][0] == [c.value for c in again.caption][0]
    assert [c.value for c in published.caption][0] != [c.value for c in internal.caption][0]


def test_a_closed_breakdown_makes_no_trend() -> None:
    at = session()
    keys = [c.key for c in at.get("plotly_chart")]
    assert keys == [f"chart_{iid}" for iid in INDICATORS]  # one chart per indicator, no trend
    assert not [s for s in at.selectbox if s.key and s.key.startswith("by_")]
    assert [e.label for e in at.expander if e.label.startswith("Dela upp")][: len(INDICATORS)] == [
        f"Dela upp {t.lower()} och se trend" for t in [s.value for s in at.subheader][: len(INDICATORS)]]


def test_an_open_breakdown_shows_trend_and_breakdown() -> None:
    at = session(mer_avslut_arbete=True)
    assert not at.exception
    keys = [c.key for c in at.get("plotly_chart")]
    assert "trend_avslut_arbete" in keys and "trend_deltagare" not in keys
    by = next(s for s in at.selectbox if s.key == "by_avslut_arbete")
    at = by.set_value("aldersgrupp").run()
    assert not at.exception
    assert any("Grupp" in df.columns for df in page_tables(at))
    assert len(at.get("download_button")) == 3 * len(INDICATORS) + 1 + 3  # tables, the workbook, the breakdown
    # a chart for the breakdown (issue 26): women and men by age group, with its sentence
    assert "bchart_avslut_arbete" in [c.key for c in at.get("plotly_chart")]
    assert any("Avslutade till arbete 2018 efter åldersgrupp: –24:" in m.value for m in at.markdown)
