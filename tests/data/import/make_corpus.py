"""Writes the import corpus (run from the project root: python tests/data/import/make_corpus.py).

Every good file holds the same eight participant rows in another dress (encoding, separator,
headers, date form, gender codes, personnummer form, format), so they share one hand-worked
expectation in expected.toml. Every broken file has one known problem.

The eight rows (calendar year 2018):
  A  kvinna  2018-02-01 – 2018-06-30  Arbete          (and a second insats 2018-08-01 –, ongoing)
  B  kvinna  2017-11-01 – 2018-03-15  Studier
  C  kvinna  2018-05-01 –             ongoing
  D  man     2018-01-10 – 2018-09-01  Arbete
  E  man     2018-04-01 – 2018-12-31  Sjukskrivning (= Ohälsa)
  F  man     2016-03-01 – 2017-05-01  Annat           (not a participant in 2018)
  G  kvinna  referred 2018-12-10, starts 2019-01-07   (referred in 2018, not a participant)
2018 by hand: deltagare K 3 (A, B, C), M 2 (D, E); avslutade K 2 (A, B), M 2 (D, E);
arbete K 1 of 2, M 1 of 2; studier K 1 of 2; ohälsa M 1 of 2; anvisade K 1 (G), M 0.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent

ROWS = [  # id, kön, start, slut, orsak, anvisad
    ("A", "Kvinna", "2018-02-01", "2018-06-30", "Arbete", ""),
    ("A", "Kvinna", "2018-08-01", "", "", ""),
    ("B", "Kvinna", "2017-11-01", "2018-03-15", "Studier", ""),
    ("C", "Kvinna", "2018-05-01", "", "", ""),
    ("D", "Man", "2018-01-10", "2018-09-01", "Arbete", ""),
    ("E", "Man", "2018-04-01", "2018-12-31", "Sjukskrivning", ""),
    ("F", "Man", "2016-03-01", "2017-05-01", "Flyttat", ""),
    ("G", "Kvinna", "2019-01-07", "", "", "2018-12-10"),
]
BIRTH = {"A": "19850314", "B": "19920101", "C": "19780630", "D": "19900228", "E": "19661111", "F": "19580505", "G": "20000101"}
SERIAL = {"A": "238", "B": "124", "C": "386", "D": "571", "E": "213", "F": "459", "G": "662"}  # 3rd digit: even K, odd M


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def pnr(pid: str, form: str, coordination: bool = False) -> str:
    born = BIRTH[pid]
    if coordination:
        born = born[:6] + f"{int(born[6:]) + 60:02d}"
    serial = SERIAL[pid]
    check = luhn_digit(born[2:] + serial)
    return {"12-": f"{born}-{serial}{check}", "10-": f"{born[2:]}-{serial}{check}", "12": f"{born}{serial}{check}",
            "10": f"{born[2:]}{serial}{check}"}[form]


def frame(headers: dict[str, str], gender: dict[str, str] | None = None, date_fmt: str = "%Y-%m-%d",
          id_col: str | None = "id", pnr_form: str | None = None) -> pd.DataFrame:
    out = []
    for pid, kon, start, slut, orsak, anvisad in ROWS:
        def d(s: str) -> str:
            return "" if not s else dt.date.fromisoformat(s).strftime(date_fmt)
        row: dict[str, str] = {}
        if id_col:
            row[headers[id_col]] = f"L{ord(pid) - 64:04d}"
        if pnr_form:
            row[headers["pnr"]] = pnr(pid, pnr_form)
        if "kon" in headers:
            row[headers["kon"]] = (gender or {}).get(kon, kon)
        row[headers["insats"]] = "Jobb Borås"
        row[headers["anvisad"]] = d(anvisad)
        row[headers["start"]] = d(start)
        row[headers["slut"]] = d(slut)
        row[headers["orsak"]] = orsak
        out.append(row)
    return pd.DataFrame(out)


SV = {"id": "Deltagar_ID", "kon": "Kön", "insats": "Insats", "anvisad": "Anvisningsdatum", "start": "Startdatum",
      "slut": "Slutdatum", "orsak": "Avslutsorsak", "pnr": "Personnummer"}
EN = {"id": "person_id", "kon": "gender", "insats": "program", "anvisad": "anvisad", "start": "start", "slut": "slut",
      "orsak": "utfall", "pnr": "pnr"}
OTHER = {"id": "Löpnummer", "kon": "Juridiskt kön", "insats": "Aktivitet", "anvisad": "Anvisad datum", "start": "Från",
         "slut": "Avslutsdatum", "orsak": "Orsak", "pnr": "Personnr"}


def csv(df: pd.DataFrame, name: str, sep: str = ";", encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(df.to_csv(sep=sep, index=False, lineterminator="\r\n").encode(encoding))


def main() -> None:
    for old in HERE.glob("*"):
        if old.name not in ("make_corpus.py", "expected.toml"):
            old.unlink()
    # --- good files: same records, different dress ---
    csv(frame(EN, {"Kvinna": "F", "Man": "M"}), "utf8_komma.csv", sep=",")
    csv(frame(SV), "utf8_bom_semikolon.csv", encoding="utf-8-sig")
    csv(frame(OTHER, {"Kvinna": "kvinna", "Man": "man"}), "cp1252_semikolon.csv", encoding="cp1252")
    csv(frame(SV), "latin1_tab.csv", sep="\t", encoding="latin-1")
    csv(frame(SV, date_fmt="%Y%m%d"), "datum_kompakt.csv")
    csv(frame(SV, date_fmt="%Y/%m/%d"), "datum_snedstreck.csv")
    csv(frame(EN, {"Kvinna": "Female", "Man": "Male"}), "kon_engelska.csv", sep=",")
    csv(frame(SV, {"Kvinna": "K", "Man": "M"}), "kon_bokstav.csv")
    no_kon = {k: v for k, v in SV.items() if k != "kon"}
    for form, name in (("12-", "pnr_12_bindestreck.csv"), ("10-", "pnr_10_bindestreck.csv"), ("12", "pnr_12_siffror.csv"),
                       ("10", "pnr_10_siffror.csv")):
        csv(frame(no_kon, id_col=None, pnr_form=form), name)
    csv(frame(SV, pnr_form="12-"), "pnr_och_personid.csv")
    # samordningsnummer (day + 60) and the '+' of someone 100 or older
    df = frame(no_kon, id_col=None, pnr_form="12-")
    df[SV["pnr"]] = [pnr(r[0], "12-", coordination=True) for r in ROWS]
    csv(df, "samordningsnummer.csv")
    old = frame(no_kon, id_col=None, pnr_form="10-")
    born_f = "19180505"
    old.loc[6, SV["pnr"]] = f"{born_f[2:]}+{SERIAL['F']}{luhn_digit(born_f[2:] + SERIAL['F'])}"
    csv(old, "pnr_plus_hundra_ar.csv")
    # Excel: SCB codes 1/2 and real dates; and one with dates as text
    xl = frame(SV, {"Kvinna": "2", "Man": "1"})
    for c in ("Anvisningsdatum", "Startdatum", "Slutdatum"):
        xl[c] = pd.to_datetime(xl[c].replace("", None))
    xl.to_excel(HERE / "scb_koder_exceldatum.xlsx", index=False)
    frame(OTHER).to_excel(HERE / "excel_textdatum.xlsx", index=False)
    pq = frame(EN)
    for c in ("anvisad", "start", "slut"):
        pq[c] = pd.to_datetime(pq[c].replace("", None))
    pq.to_parquet(HERE / "deltagare.parquet", index=False)
    # --- broken files: one problem each ---
    base = frame(SV)
    csv(base.drop(columns=["Startdatum"]), "fel_saknar_startdatum.csv")
    csv(edited(base, 2, "Startdatum", "1 nov 2017"), "fel_oläsligt_datum.csv")  # row 4
    csv(edited(base, 1, "Slutdatum", "2018-07-01"), "fel_slut_fore_start.csv")  # row 3
    csv(edited(base, 3, "Kön", ""), "fel_kon_saknas.csv")  # row 5
    csv(edited(base, 1, "Kön", "Man"), "fel_tva_kon.csv")  # rows 2, 3
    with_pnr = frame(no_kon, id_col=None, pnr_form="12-")
    good = with_pnr.loc[4, "Personnummer"]
    csv(edited(with_pnr, 4, "Personnummer", good[:-1] + str((int(good[-1]) + 1) % 10)), "fel_ogiltigt_personnummer.csv")  # row 6
    csv(pd.concat([base, base.iloc[[3]]], ignore_index=True), "fel_dubblettrad.csv")  # row 10
    (HERE / "fel_tom.csv").write_bytes(b"")
    csv(base.iloc[0:0], "fel_bara_rubrik.csv")
    (HERE / "fel_inte_excel.xlsx").write_bytes(base.to_csv(index=False).encode())
    (HERE / "fel_inte_csv.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (HERE / "fel_inte_parquet.parquet").write_bytes(b"PAR1 det har ar ingen parquet")
    dup = base.copy()
    dup.insert(5, "startdatum ", dup["Startdatum"])
    csv(dup, "fel_dubbla_rubriker.csv")
    csv(edited(base, 0, "Insats", "x" * 20_000), "fel_jattecell.csv")  # row 2
    yes_no = base.copy()
    yes_no["Frågat om våld"] = ["ja", "nej", "kanske", "", "ja", "nej", "", ""]
    csv(yes_no, "fel_ja_nej.csv")  # row 4
    (HERE / "fel_okant_format.ods").write_bytes(b"PK\x03\x04 not really")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    (HERE / "fel_zipbomb.xlsx").write_bytes(buf.getvalue())
    csv(edited(base, 0, "Insats", ""), "fel_insats_saknas.csv")  # row 2
    lines = base.to_csv(sep=";", index=False, lineterminator="\r\n").split("\r\n")
    lines[3] += ";extra"
    (HERE / "fel_fel_antal_falt.csv").write_text("\r\n".join(lines), encoding="utf-8")  # row 4


def edited(df: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    out = df.copy()
    out.loc[row, column] = value
    return out

if __name__ == "__main__":
    main()
