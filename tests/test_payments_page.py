"""The payments section of målområde 1 and the import of a payment file, under AppTest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.base.formatting import markdown_text
from jamstalldhet.base.settings import store_dir
from jamstalldhet.payments import reading as PR
from jamstalldhet.payments import store as PS
from tests.conftest import DATA, page_tables

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast

SECTION = """
from pages._payments import render_section
render_section()
"""

IMPORT = """
from pathlib import Path
from jamstalldhet.intake.importing import upload_folder
from jamstalldhet.base.settings import store_dir
from pages._payments import render_import, render_stored
p = Path({path!r})
with upload_folder() as folder:
    render_import(p.read_bytes(), p.name, store_dir(), folder)
render_stored()
"""


def section(year: int, **state: object) -> AppTest:
    at = AppTest.from_string(SECTION, default_timeout=120)
    at.session_state["ar"] = year
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n" + "\n".join(c.value for c in at.caption)


def test_section_on_demo_data(media: dict[str, tuple[str, bytes]]) -> None:
    at = section(2024)
    assert not at.exception, at.exception
    assert at.header[0].value == "Jämställda utbetalningar av ekonomiskt bistånd"
    assert len(at.get("plotly_chart")) == 2
    assert "År 2024 gick" in text(at) and "Året före beslutet" in text(at) and "Demodata" in text(at)
    annual = page_tables(at)[0]
    assert list(annual["År"]) == [str(y) for y in range(2016, 2025)]
    types = page_tables(at)[1]
    assert list(types["Hushållstyp"])[:4] == list(PR.HOUSEHOLD_TYPES)
    buttons = at.get("download_button")
    assert len(buttons) == 6
    names = {name for name, _ in media.values()}
    assert "utbetalningar_per_ar_2024.xlsx" in names and "utbetalningar_per_manad_2024.csv" in names


def test_section_internal_view_is_marked(media: dict[str, tuple[str, bytes]],
                                        deferred: dict[str, tuple[str, Callable[[], bytes]]]) -> None:
    at = section(2024, internt=True)
    assert not at.exception
    assert "Internt – får inte publiceras" in text(at)
    assert not media  # internal files are made on the click only (issue 23), never with the page
    assert any(name.endswith("_INTERNT.xlsx") for name, _ in deferred.values())


def test_section_year_without_payments() -> None:
    at = section(2030)
    assert not at.exception
    assert "inga utbetalningar för 2030" in at.info[0].value


def test_section_reads_stored_payments_first() -> None:
    df, _ = PR.read_file(DATA / "utbetalningar_handraknad.csv")
    assert df is not None
    PS.commit(store_dir(), df, "hand.csv", PS.plan(store_dir(), df, "a" * 64))
    at = section(2021, internt=True)
    assert not at.exception
    assert "Lagrade utbetalningar" in text(at)
    # the hand-worked 2021: 39,5 % of the couples' kronor to the women (22 501 of 57 000), 3 of 6 delad
    assert "39,5 %" in text(at) and "50,0 % av parhushållen" in text(at)


def test_import_preview_then_store_then_duplicate(tmp_path: Path) -> None:
    script = IMPORT.format(path=str(DATA / "utbetalningar_handraknad.csv"))
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric][:2] == ["18", "7"]
    assert not PS.has_data(store_dir())  # nothing stored before the user confirms
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("pay_commit_"))).click().run()
    assert not at.exception
    assert "Lagrade 18 utbetalningar för 7 hushåll" in at.success[0].value
    assert PS.has_data(store_dir())
    again = AppTest.from_string(script, default_timeout=60).run()
    assert "redan importerad" in again.info[0].value
    assert any("Lagrade utbetalningar" == h.value for h in again.subheader)


@pytest.mark.parametrize("name", ["utbetalningar_fel.csv", "utbetalningar_fel_kolumner.csv"])
def test_import_of_a_bad_file_lists_problems(name: str) -> None:
    at = AppTest.from_string(IMPORT.format(path=str(DATA / name)), default_timeout=60).run()
    assert not at.exception
    assert f"problem i {markdown_text(name)}" in at.error[0].value and "Inget har lagrats" in at.error[0].value
    problems = at.dataframe[-1].value  # after the list of unknown values, where the file has some (issue 28)
    assert set(problems.columns) == {"Fil", "Rad", "Kolumn", "Problem"}
    assert len(problems) >= 4
    assert not at.button
    assert not PS.has_data(store_dir())


def test_import_asks_before_replacing_years() -> None:
    df, _ = PR.read_file(DATA / "utbetalningar_handraknad.csv")
    assert df is not None
    PS.commit(store_dir(), df, "tidigare.csv", PS.plan(store_dir(), df, "a" * 64))
    at = AppTest.from_string(IMPORT.format(path=str(DATA / "utbetalningar_personnummer.csv")), default_timeout=60).run()
    assert not at.exception
    assert "samma år som tidigare importer" in at.warning[0].value
    commit = next(b for b in at.button if b.key and b.key.startswith("pay_commit_"))
    assert commit.disabled
    at.checkbox[0].check().run()
    at.button(key=commit.key).click().run()
    assert "Lagrade 3 utbetalningar för 2 hushåll" in at.success[0].value
    assert [b.file for b in PS.read_manifest(store_dir()).batches] == ["utbetalningar_personnummer.csv"]


KIND = """
from pathlib import Path
import streamlit as st
from jamstalldhet.intake.importing import upload_folder
from pages._payments import choose_kind
p = Path({path!r})
with upload_folder() as folder:
    st.write("vald:" + choose_kind(p.read_bytes(), p.name, folder))
"""


@pytest.mark.parametrize(("name", "kind"), [("utbetalningar_handraknad.csv", "utbetalningar"), ("sma_fall.csv", "deltagare")])
def test_kind_of_file_is_recognised_and_can_be_changed(name: str, kind: str) -> None:
    at = AppTest.from_string(KIND.format(path=str(DATA / name)), default_timeout=60).run()
    assert not at.exception
    assert at.radio[0].value == kind
    assert f"vald:{kind}" in at.markdown[0].value
    other = "deltagare" if kind == "utbetalningar" else "utbetalningar"
    at.radio[0].set_value(other).run()
    assert f"vald:{other}" in at.markdown[0].value
