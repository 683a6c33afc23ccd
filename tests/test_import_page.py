"""The Import page with AppTest: upload, preview, mapping, problems, confirm, and Översikt changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from jamstalldhet.base import formatting as F
from jamstalldhet.intake import store
from jamstalldhet.intake.records import Prepared
from tests.conftest import ROOT, shown

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast

CORPUS = ROOT / "tests" / "data" / "import"


def page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / "importera.py"), default_timeout=90).run()


def upload(at: AppTest, name: str) -> AppTest:
    at.file_uploader[0].set_value((name, (CORPUS / name).read_bytes(), "text/csv"))
    return at.run()


def oversikt_text() -> str:
    at = AppTest.from_file(str(ROOT / "pages" / "oversikt.py"), default_timeout=90)
    at.session_state["ar"] = 2018
    at.run()
    assert not at.exception
    return "\n".join([m.value for m in at.markdown] + [df.value.to_string() for df in at.dataframe])


def test_upload_preview_confirm_and_overview_changes(tmp_path: Path, demo_prep: Prepared) -> None:
    import os

    target = Path(os.environ["JAMSTALLDHET_STORE"])
    demo_total = F.number(shown(demo_prep, 2018)[("deltagare", "Totalt", "Totalt")]["count"])
    assert f"Deltagare 2018: {demo_total} personer" in oversikt_text()  # the demo data, before
    at = upload(page(), "cp1252_semikolon.csv")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rader"] == "8" and metrics["Personer"] == "7" and metrics["Kvinnor"] == "4" and metrics["År"] == "2016–2019"
    assert not store.has_data(target)  # nothing stored before the user confirms
    assert any("Personer per år" in c.value and "2016: 1 · 2017: 2 · 2018: 6 · 2019: 3" in c.value for c in at.caption)
    labels = [s.label for s in at.selectbox]
    assert "Juridiskt kön" in labels and "Från" in labels
    next(b for b in at.button if b.label == "Lagra").click()
    at.run()
    assert any("Lagrade 8 rader" in s.value for s in at.success)
    assert store.has_data(target)
    text = oversikt_text()
    # 3 women + 2 men took part in 2018: the stored data, every count of it too small to show
    assert f"{demo_total} personer" not in text and "Deltagare 2018: .. personer, .. kvinnor och .. män." in text
    # the same file again: nothing to do
    at = upload(page(), "cp1252_semikolon.csv")
    assert any("redan importerad" in i.value for i in at.info)


def test_broken_upload_lists_problems_and_stores_nothing() -> None:
    at = upload(page(), "fel_slut_fore_start.csv")
    assert any("Inget har lagrats" in e.value for e in at.error)
    problems = at.dataframe[0].value
    row = problems[problems["Problem"].str.contains("före startdatum")].iloc[0]
    assert (row["Fil"], row["Rad"], row["Kolumn"]) == ("fel_slut_fore_start.csv", 3, "Slutdatum")
    assert not [b for b in at.button if b.label == "Lagra"]


def test_mapping_can_be_corrected() -> None:
    # "Orsak" is understood as avslutsorsak; telling the page it is not used drops the outcomes
    at = upload(page(), "cp1252_semikolon.csv")
    box = next(s for s in at.selectbox if s.label == "Orsak")
    assert box.value == "avslutsorsak"
    box.set_value("(används inte)")
    at.run()
    assert not at.exception
    assert next(s for s in at.selectbox if s.label == "Orsak").value == "(används inte)"
    assert (at.dataframe[0].value["Avslutsorsak"] == "").all()


def test_preview_never_shows_personnummer() -> None:
    import pandas as pd

    at = upload(page(), "pnr_12_bindestreck.csv")
    numbers = set(pd.read_csv(CORPUS / "pnr_12_bindestreck.csv", sep=";", dtype=str)["Personnummer"])
    shown = "\n".join([df.value.to_string() for df in at.dataframe] + [m.value for m in at.markdown] + [str(x.value) for x in at.metric])
    assert "2018-02-01" in shown and "p" in at.dataframe[0].value["Person (pseudonym)"].iloc[0]
    assert not [n for n in numbers if n in shown or n.replace("-", "") in shown]


def test_a_payment_file_is_recognised_previewed_stored_and_listed() -> None:
    """The Import page takes payment files through the same path: recognised from the columns,
    previewed, stored only on confirmation, then listed beside the participant imports."""
    import os

    from jamstalldhet.payments import store as payment_store

    target = Path(os.environ["JAMSTALLDHET_STORE"])
    at = page()
    name = "utbetalningar_handraknad.csv"
    at.file_uploader[0].set_value((name, (ROOT / "tests" / "data" / name).read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    assert at.radio[0].value == "utbetalningar"  # recognised from its columns
    metrics = {m.label: m.value for m in at.metric}
    assert "Hushåll" in metrics and "Personer" not in metrics
    assert not payment_store.has_data(target)  # nothing stored before the user confirms
    next(b for b in at.button if b.label == "Lagra utbetalningarna").click()
    at.run()
    assert any("Lagrade" in s.value and "hushåll" in s.value for s in at.success)
    assert payment_store.has_data(target) and not store.has_data(target)
    assert "Lagrade utbetalningar" in [h.value for h in at.subheader]


def test_unknown_values_are_listed_and_mapped_on_the_page() -> None:
    """Issue 28: a value no synonym list knows is never mapped silently. The page lists each with its
    count, column and what it would become, refuses the file until the analyst says what each means,
    and then previews it like any good file."""
    at = upload(page(), "fel_okanda_varden.csv")
    assert not at.exception
    assert any("4 värden känns inte igen" in w.value for w in at.warning)
    listed = at.dataframe[0].value
    assert listed[["Värde", "Antal", "Kolumn", "Blir"]].values.tolist() == [
        ["Kvinan", "2", "Kön", "Annat/okänt"], ["Arbte", "1", "Avslutsorsak", "Annat"],
        ["Mna", "1", "Kön", "Annat/okänt"], ["Sjukskrivnig", "1", "Avslutsorsak", "Annat"]]
    problems = at.dataframe[1].value
    assert len(problems) == 4 and problems["Problem"].str.startswith("Okänt värde").all()
    assert not [b for b in at.button if b.label == "Lagra"]  # refused until each value is mapped
    for label, meant in (("Kön: ”Kvinan” (2 rader)", "Kvinna"), ("Avslutsorsak: ”Arbte” (1 rad)", "Arbete"),
                         ("Kön: ”Mna” (1 rad)", "Man"), ("Avslutsorsak: ”Sjukskrivnig” (1 rad)", "Ohälsa")):
        next(s for s in at.selectbox if s.label == label).set_value(meant)
        at.run()
        assert not at.exception
    assert not at.warning
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Rader"], metrics["Personer"], metrics["Kvinnor"], metrics["Män"]) == ("8", "7", "4", "3")
    assert [b for b in at.button if b.label == "Lagra"]
    assert any("”Kvinan” → Kvinna" in c.value for c in at.caption)


def test_invalid_personnummer_give_one_problem_each_and_the_list_downloads() -> None:
    at = upload(page(), "fel_ogiltiga_personnummer.csv")
    problems = at.dataframe[0].value
    assert problems["Rad"].tolist() == [3, 4, 5, 6]
    assert problems["Problem"].str.startswith("Personnumret är inte giltigt").all()
    assert "Ladda ner problemlistan (CSV)" in [b.proto.label for b in at.get("download_button")]


def test_templates_and_the_export_format_are_on_the_page() -> None:
    import io

    from openpyxl import load_workbook

    at = page()
    assert not at.exception
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert {"Ladda ner mall – deltagarposter", "Ladda ner mall – utbetalningar"} <= set(buttons)
    assert any("Vad en export ska innehålla" in e.label for e in at.expander)
    assert any("Värden som inte känns igen" in m.value for m in at.markdown)
    from jamstalldhet.intake import template

    wb = load_workbook(io.BytesIO(template.xlsx("deltagare")))
    assert wb.sheetnames[0] == template.DATA_SHEET
