"""The Handlingsplan page under AppTest: goals with assessments, activities, status edit and restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.base import formatting as F
from jamstalldhet.base import schema as S
from jamstalldhet.disclosure.tables import indicator_table
from jamstalldhet.intake.records import Prepared
from jamstalldhet.plan import model as plan
from tests.conftest import ROOT, page_tables

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast

FIRST = "utbildning-jamstalldhetsintegrering"  # the first activity of data/handlingsplan.toml


def page(y: int = 2018, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "handlingsplan.py"), default_timeout=90)
    at.session_state["ar"] = y
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def text_of(at: AppTest) -> str:
    return "\n".join(df.to_string() for df in page_tables(at))


def published(prep: Prepared, year: int, iid: str) -> dict[str, dict[str, object]]:
    """One indicator's Totalt rows, by gender, of the year's published table of all participants
    (what the page assesses a measure without a filter on)."""
    f = indicator_table(prep, year).frame
    f = f[(f["indicator"] == iid) & (f["group"] == S.TOTALT)]
    return {str(r["gender"]): r for r in f.to_dict("records")}


def test_goals_measures_and_activities(demo_prep: Prepared) -> None:
    at = page()
    assert not at.exception
    assert at.title[0].value == "Handlingsplan"
    # the plan at a glance (issue 26): every measure per year by colour, symbol and word, with its sentence
    assert [c.key for c in at.get("plotly_chart")][:1] == ["plan_status"]
    assert any("Handlingsplanens mått 2018–2020; 2018:" in m.value for m in at.markdown)
    headers = [h.value for h in at.header]
    assert headers[:3] == ["Mål 1: Makt, inflytande och ekonomisk jämställdhet", "Mål 2: Makt och hälsa",
                           "Mål 3: Makt och mäns våld mot kvinnor"]
    text = text_of(at)
    # the 2018 figures behind two measures, assessed with icon and word: always the published
    # (perturbed) figures, also in internt läge (the seed's exact −2,0 pp, 16,0 % and 18,0 % are
    # checked in internal mode in test_plan.py::test_seed_plan_on_demo_data)
    work_2018 = published(demo_prep, 2018, "avslut_arbete")
    w, m = work_2018[S.KVINNOR], work_2018[S.MAN_PLURAL]
    assert (f"{F.pp(w['gap_pp'])} procentenheter (kvinnor {F.percent(w['share'])}, män {F.percent(m['share'])})"
            in text)
    assert "✔ Uppnått" in text and "✘ Ej uppnått" in text
    per_year = [df for df in page_tables(at) if list(df.columns) == ["Mått", "2018", "2019", "2020"]]
    trends, values = per_year[0::2], per_year[1::2]  # per goal: assessments, then (expander) values
    assert len(trends) == len(values) == 3
    # avslutade till arbete, all participants, against ≥ 18 %: the demo follows Borås' published U40455 since
    # issue 29, whose 2019 and 2020 dip (21,2 % and 14,7 % to work or studies) leaves every year below the goal
    shares = [published(demo_prep, y, "avslut_arbete")[S.TOTALT]["share"] for y in (2018, 2019, 2020)]
    assessed = ["✔ Uppnått" if round(float(x) * 100, 1) >= 18 else "✘ Ej uppnått" for x in shares]  # type: ignore[arg-type]
    assert assessed == ["✘ Ej uppnått"] * 3
    measure = "Avslutade till arbete, alla deltagare"
    shown = values[1].set_index("Mått").loc[measure]
    assert list(shown) == [f"{a} (Totalt {F.percent(x)})" for a, x in zip(assessed, shares, strict=True)]
    assert list(trends[1].set_index("Mått").loc[measure]) == assessed
    assert "Ej påbörjad" in text and "Genomförd" in text
    assert not at.warning  # the plan file has no problems
    assert len(at.get("download_button")) == 6


def test_status_edit_and_restore(_isolated_texts: Path) -> None:
    at = page()
    assert at.session_state[f"status_{FIRST}_2018"] == "Ej påbörjad"
    at.selectbox(key=f"status_{FIRST}_2018").set_value("Genomförd")
    at.text_area(key=f"kommentar_{FIRST}_2018").input("Hölls i november för alla anställda.")
    at.button(key="spara_status_2018").click().run()
    assert not at.exception
    assert at.success, "no confirmation"
    saved = plan.read_status(2018)
    assert saved[FIRST] == plan.StatusEntry("Genomförd", "Hölls i november för alla anställda.")
    assert "Hölls i november" in text_of(at)
    # a second edit keeps the first as an earlier version
    at.selectbox(key=f"status_{FIRST}_2018").set_value("Försenad")
    at.button(key="spara_status_2018").click().run()
    assert plan.read_status(2018)[FIRST].status == "Försenad"
    assert (_isolated_texts / "2018" / "handlingsplan.json").exists()
    versions = plan.status_versions(2018)
    assert len(versions) == 1 and versions[0].entries()[FIRST].status == "Genomförd"
    # restore it on the page
    at.selectbox(key="status_version_2018").set_value(versions[0])
    at.button(key="aterstall_status_2018").click().run()
    assert not at.exception
    assert plan.read_status(2018)[FIRST].status == "Genomförd"
    assert at.session_state[f"status_{FIRST}_2018"] == "Genomförd"
    assert len(plan.status_versions(2018)) == 2


def test_year_outside_the_period_has_no_editor() -> None:
    at = page(2022)
    assert not at.exception
    assert any("utanför planperioden 2018–2020" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "spara_status_2022"]


def test_bad_plan_line_shown_and_rest_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = plan.PLAN_FILE.read_text(encoding="utf-8").replace('indikator = "anvisade"', 'indikator = "anvisningar"')
    f = tmp_path / "handlingsplan.toml"
    f.write_text(text, encoding="utf-8")
    monkeypatch.setattr(plan, "PLAN_FILE", f)
    at = page()
    assert not at.exception
    line = next(i for i, s in enumerate(text.splitlines(), 1) if 'indikator = "anvisningar"' in s)
    assert any(f"handlingsplan.toml, rad {line}: mål 1, mått 1: okänd indikator 'anvisningar'" in w.value for w in at.warning)
    assert [h.value for h in at.header][:3][2] == "Mål 3: Makt och mäns våld mot kvinnor"
    assert "Anvisade: jämn könsfördelning" not in text_of(at)
    assert "Kommunal arbetsmarknadsanställning" in text_of(at)


def test_followup_file_from_the_page(media: dict[str, tuple[str, bytes]]) -> None:
    import json

    at = page()
    at.button(key="skapa_uppfoljning").click().run()
    assert not at.exception
    files = {name: data for name, data in media.values()}
    doc = json.loads(files["uppfoljning_2018.json"].decode("utf-8"))
    assert doc["schema_version"] == 1 and doc["year"] == 2018 and len(doc["goals"]) == 3
    assert files["uppfoljning_2018.xlsx"][:2] == b"PK"


def test_reader_without_plan_right_cannot_edit(monkeypatch: pytest.MonkeyPatch) -> None:
    from jamstalldhet.base.access import Right
    from pages import _auth

    monkeypatch.setattr(_auth, "allowed", lambda right: right != Right.PLAN)
    at = page()
    assert not at.exception
    assert "Ej påbörjad" in text_of(at)  # the status is shown
    assert not [b for b in at.button if b.key == "spara_status_2018"]  # but not editable
