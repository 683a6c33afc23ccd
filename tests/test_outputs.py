"""Every output path on a small unit (3 women, 40 men in 2018): nothing in 1..4 leaves.

Page tables (AppTest), the page's CSV, CSV för Excel and xlsx downloads, the page workbook,
charts and the command line. Internt läge: the mark is in each file's name and content.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.app import cli
from jamstalldhet.base import eventlog
from jamstalldhet.base.settings import store_dir
from jamstalldhet.disclosure.control import INTERNAL_MARK
from tests.conftest import file_tables, malomrade_app, page_tables

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast

SMALL = re.compile(r"(?<![\d,.])[1-4](?![\d,])")  # a bare 1..4 (not part of 14, 2,5 or 43)


def page(internal: bool = False) -> AppTest:
    at = malomrade_app("makt-och-halsa")
    at.session_state["ar"] = 2018
    at.session_state["internt"] = internal
    return at.run()


def counts_in(frame: pd.DataFrame) -> list[int]:
    """Every count in a file's table: the columns whose unit is (antal); ``..`` is no count."""
    from jamstalldhet.show.export import unit

    cols = [c for c in frame.columns if unit(c) == "antal"]
    return [int(v) for c in cols for v in frame[c].dropna() if v != ".."]


def test_page_tables_show_dots_not_small_counts(small_store: Path) -> None:
    at = page()
    assert not at.exception
    deltagare = page_tables(at)[0].set_index("Indikator").loc["Deltagare"]
    # the 3 women hidden, and the total with them (else 43 − 40 would tell); the men shown, perturbed
    assert (deltagare["Kvinnor"], deltagare["Totalt"]) == ("..", "..")
    assert abs(int(deltagare["Män"]) - 40) <= 3
    for df in page_tables(at):
        for col in df.columns:
            if "antal" in col.lower() or col in ("Kvinnor", "Män", "Totalt"):
                assert not any(SMALL.fullmatch(str(v)) for v in df[col]), (col, df[col].tolist())
    assert all(not e.value.startswith("**Internt") for e in at.error)


def test_page_downloads_never_hold_small_counts(small_store: Path, media: dict[str, tuple[str, bytes]]) -> None:
    at = page()
    seen = 0
    for button in at.get("download_button"):
        name, data = media[button.proto.url]
        assert "INTERNT" not in name
        for frame in file_tables(name, data):
            assert INTERNAL_MARK not in frame.to_string()
            counts = counts_in(frame)
            assert not [c for c in counts if c < 5], (name, counts)  # neither 1–4 nor 0
            seen += bool(counts)
    assert seen >= 10
    deltagare = next(m for b in at.get("download_button") if (m := media[b.proto.url])[0] == "deltagare_makt-och-halsa_2018.csv")
    back = file_tables(deltagare[0], deltagare[1])[0].set_index("Indikator").loc["Deltagare"]
    # the 3 women hidden (..), and the total with them; the men shown, perturbed
    assert back["Kvinnor, antal personer (antal)"] == ".." and back["Totalt, antal personer (antal)"] == ".."
    assert abs(int(back["Män, antal personer (antal)"]) - 40) <= 3


def test_a_chart_with_every_value_suppressed_is_a_sentence(small_store: Path) -> None:
    """Nobody of the small unit ended to studies: no empty axes, a sentence that says why."""
    at = page()
    keys = [c.key for c in at.get("plotly_chart")]
    assert "chart_avslut_studier" not in keys and "chart_deltagare" in keys  # the men are shown
    text = " ".join(m.value for m in at.markdown)
    assert "Avslutade till studier 2018: värdena för kvinnor och män är för små för att visas" in text
    sentence = text.split("Avslutade till studier 2018:")[1].split("</p>")[0]
    assert not re.search(r"\b[0-4]\b", sentence)  # no small count in it


def test_internal_mode_marks_every_file_in_name_and_content(small_store: Path, media: dict[str, tuple[str, bytes]],
                                                           deferred: dict[str, tuple[str, Callable[[], bytes]]]) -> None:
    at = page(internal=True)
    assert any(INTERNAL_MARK in e.value for e in at.error)
    buttons = at.get("download_button")
    assert buttons
    assert not media  # made on the click only (issue 23): nothing for /media/ before it
    ids = set()
    for button in buttons:
        name, make = deferred[button.proto.deferred_file_id]
        data = make()  # the click
        assert "INTERNT" in name, name
        xid = name.split("_INTERNT")[0].rsplit("_", 1)[1]  # the extract id: in the name …
        assert len(xid) == 32 and xid.isalpha()
        assert xid.encode() in data or xid in pd.read_excel(io.BytesIO(data), header=None, engine="calamine").to_string()  # … and the content
        ids.add(xid)
        logged = [e for e in eventlog.read(store_dir()) if e.event == eventlog.DOWNLOAD]
        assert logged and f"uttag {xid}" in logged[-1].object and "år 2018" in logged[-1].object
        if name.endswith(".csv"):
            assert INTERNAL_MARK in data.decode("utf-8-sig")
        else:
            book = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine", header=None)
            assert all(INTERNAL_MARK in sheet.to_string() for sheet in book.values())
    deltagare = page_tables(at)[0].set_index("Indikator").loc["Deltagare"]
    assert deltagare["Kvinnor"] == "3"


def test_command_line_on_small_unit(small_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["indicators", "--year", "2018", "--store", str(small_store)]) == 0
    rows = json.loads(capsys.readouterr().out)
    published = [r[c] for r in rows for c in ("count", "denominator") if r[c] is not None]
    assert published and not [v for v in published if 1 <= v <= 4]
    assert cli.main(["indicators", "--year", "2018", "--store", str(small_store), "--format", "csv"]) == 0
    back = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert not back[["count", "denominator"]].stack().between(1, 4).any()
    assert cli.main(["indicators", "--year", "2018", "--store", str(small_store), "--k", "0"]) == 0
    captured = capsys.readouterr()
    assert INTERNAL_MARK in captured.err
