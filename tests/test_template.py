"""Issue 28: the export templates (xlsx with drop-down lists and an example row) round-trip: a
template filled in with every value of its drop-down lists imports without a problem, and every
value is recognised (none is unknown, none reclassified except Kolada's C/D outcomes, which are Annat)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jamstalldhet.base import schema as S
from jamstalldhet.intake import importing, template
from jamstalldhet.payments import reading as payments_reading


def fill(kind: str, path: Path) -> list[dict[str, object]]:
    """The template of ``kind`` with one row per value of its longest list, each coded column
    cycling through its drop-down values (read from the workbook's own list sheet); the rows written."""
    wb = load_workbook(io.BytesIO(template.xlsx(kind)))
    data, lists = wb[template.DATA_SHEET], wb[template.LISTS_SHEET]
    headers = [c.value for c in data[1]]
    example = [c.value for c in data[2]]
    options = {str(col[0].value): [c.value for c in col[1:] if c.value is not None] for col in lists.iter_cols() if col[0].value}
    n = max(len(v) for v in options.values())
    written = []
    for i in range(n):
        row: dict[str, object] = {}
        for h, ex in zip(headers, example, strict=True):
            value = options[h][i % len(options[h])] if h in options else ex
            if h in ("Person-id", "Hushåll", "Sökande"):
                value = f"{ex}-{i}"
            row[str(h)] = value
        if kind == "utbetalningar" and not str(row["Hushållstyp"]).startswith("Sammanboende"):  # one adult
            row.update({"Medsökande": None, "Kön medsökande": None})
            row["Mottagare"] = "Sökande" if row["Mottagare"] == "Medsökande" else row["Mottagare"]
        elif kind == "utbetalningar":
            row["Medsökande"] = f"{row['Medsökande']}-{i}"
        for j, value in enumerate(row.values(), 1):  # below the example (the template's rows are formatted ahead)
            data.cell(row=3 + i, column=j, value=value)
        written.append(row)
    wb.save(path)
    return written


def test_every_coded_column_has_a_drop_down_list() -> None:
    for kind, (columns, _) in template.KINDS.items():
        wb = load_workbook(io.BytesIO(template.xlsx(kind)))
        data = wb[template.DATA_SHEET]
        assert [c.value for c in data[1]] == [c.header for c in columns]
        validated = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in data.data_validations.dataValidation}
        coded = {chr(ord("A") + i) for i, c in enumerate(columns) if c.allowed}
        assert coded and validated == coded, kind
        assert wb[template.LISTS_SHEET].sheet_state == "hidden"


def test_participant_template_round_trips(tmp_path: Path) -> None:
    f = tmp_path / "ifylld.xlsx"
    rows = fill("deltagare", f)
    p = importing.preview(f, tmp_path / "store")
    assert p.ok, [str(x) for x in p.problems]
    assert p.inspection.unknown == ()
    df = p.inspection.frame
    assert df is not None and len(df) == len(rows) + 1  # the example row and the filled ones
    kolada_cd = set(template.KOLADA_CD_OUTCOMES)
    for i, row in enumerate(rows, 1):
        assert df[S.KON].iloc[i] == row["Kön"]
        assert df[S.AVSLUTSORSAK].iloc[i] == (S.ANNAT_UTFALL if row["Avslutsorsak"] in kolada_cd else row["Avslutsorsak"])
        assert df[S.BAKGRUND].iloc[i] == row["Bakgrund"] and df[S.UTBILDNINGSNIVA].iloc[i] == row["Utbildningsnivå"]
        assert bool(df[S.FRAGAT_OM_VALD].iloc[i]) == (row["Frågat om våld"] == "Ja")
    assert df[S.STARTDATUM].iloc[0].date() == date(2018, 2, 1)
    assert importing.commit(p, tmp_path / "store") is not None


def test_payment_template_round_trips(tmp_path: Path) -> None:
    f = tmp_path / "ifylld.xlsx"
    rows = fill("utbetalningar", f)
    ins = payments_reading.inspect(f)
    assert ins.frame is not None, [str(x) for x in ins.problems]
    assert ins.unknown == () and len(ins.frame) == len(rows) + 1
    for i, row in enumerate(rows, 1):
        for column in ("hushallstyp", "mottagare", "kon_sokande"):
            header = next(c.header for c in template.PAYMENT_COLUMNS if c.canonical == column)
            assert ins.frame[column].iloc[i] == row[header]


@pytest.mark.parametrize("kind", sorted(template.KINDS))
def test_the_example_row_imports_without_problems(kind: str, tmp_path: Path) -> None:
    f = tmp_path / template.FILE_NAMES[kind]
    f.write_bytes(template.xlsx(kind))
    ins = importing.inspect(f) if kind == "deltagare" else payments_reading.inspect(f)
    assert ins.frame is not None and not ins.problems and len(ins.frame) == 1
