"""Import: the corpus of real-looking files, personnummer, the store, the command line."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from jamstalldhet.app import cli
from jamstalldhet.disclosure.tables import indicator_table
from jamstalldhet.intake import importing, personnummer, store
from jamstalldhet.intake.records import load_store, prepare

CORPUS = Path(__file__).resolve().parent / "data" / "import"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
GOOD = EXPECTED["good"]["files"]
BROKEN = EXPECTED["broken"]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of the store and its content hash."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


def test_corpus_is_large_enough() -> None:
    files = [p for p in CORPUS.iterdir() if p.name not in ("make_corpus.py", "expected.toml")]
    assert len(files) >= 30
    assert {p.name for p in files} == set(GOOD) | set(BROKEN) | set(EXPECTED["unknown"])


@pytest.mark.parametrize("name", GOOD)
def test_good_file_gives_hand_worked_figures(name: str, tmp_path: Path) -> None:
    p = importing.preview(CORPUS / name, tmp_path / "store")
    assert p.ok, [str(x) for x in p.problems]
    assert p.inspection.frame is not None
    s = importing.summary(p.inspection.frame)
    assert (s["rader"], s["personer"]) == (EXPECTED["good"]["rows"], EXPECTED["good"]["persons"])
    assert importing.commit(p, tmp_path / "store") is not None
    pub = indicator_table(prepare(store.load(tmp_path / "store")), 2018, k=0)
    f = pub.frame[pub.frame["group"] == "Totalt"].set_index(["indicator", "gender"])
    for iid, (women, men) in EXPECTED["good"]["values"].items():
        assert (f.loc[(iid, "Kvinnor"), "count"], f.loc[(iid, "Män"), "count"]) == (women, men), iid
    for iid, (women, men) in EXPECTED["good"]["denominators"].items():
        assert (f.loc[(iid, "Kvinnor"), "denominator"], f.loc[(iid, "Män"), "denominator"]) == (women, men), iid


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_names_file_row_column_and_stores_nothing(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exp = BROKEN[name]
    if "max_mb" in exp:
        monkeypatch.setenv("JAMSTALLDHET_MAX_MB", str(exp["max_mb"]))
    target = tmp_path / "store"
    good = importing.preview(CORPUS / "utf8_komma.csv", target)
    importing.commit(good, target)
    before = snapshot(target)
    p = importing.preview(CORPUS / name, target)
    assert not p.ok
    match = [x for x in p.problems if exp["message"] in x.message]
    assert match, [str(x) for x in p.problems]
    assert all(x.file == name for x in p.problems)
    if "row" in exp:
        assert any(x.row == exp["row"] and x.column == exp.get("column") for x in match), [str(x) for x in match]
    with pytest.raises(store.StoreError):
        importing.commit(p, target)
    assert cli.main(["import", str(CORPUS / name), "--store", str(target)]) == 1
    assert snapshot(target) == before


# --- issue 28: every value recognised or asked about, one problem per cause ----------------------

@pytest.mark.parametrize("name", sorted(EXPECTED["exact"]))
def test_one_problem_per_cause_in_file_order(name: str, tmp_path: Path) -> None:
    p = importing.preview(CORPUS / name, tmp_path / "store")
    got = [[x.row, x.column, x.message] for x in p.problems]
    want = EXPECTED["exact"][name]["problems"]
    assert len(got) == len(want), [str(x) for x in p.problems]
    for (row, column, message), (w_row, w_column, w_message) in zip(got, want, strict=True):
        assert (row, column) == (w_row, w_column) and message.startswith(w_message), (row, column, message)


@pytest.mark.parametrize("name", GOOD)
def test_no_value_of_a_good_file_is_unknown(name: str, tmp_path: Path) -> None:
    """Every filled gender and outcome cell of a good file is recognised (none became a default)."""
    p = importing.preview(CORPUS / name, tmp_path / "store")
    assert p.ok and p.inspection.unknown == ()


def test_unknown_values_are_reported_then_mapped(tmp_path: Path) -> None:
    name = "fel_okanda_varden.csv"
    p = importing.preview(CORPUS / name, tmp_path / "store")
    assert not p.ok and p.inspection.frame is None
    assert [(u.header, u.value, u.count, u.becomes) for u in p.inspection.unknown] == [
        ("Kön", "Kvinan", 2, "Annat/okänt"), ("Avslutsorsak", "Arbte", 1, "Annat"),
        ("Kön", "Mna", 1, "Annat/okänt"), ("Avslutsorsak", "Sjukskrivnig", 1, "Annat")]
    choices = EXPECTED["unknown"][name]["choices"]
    p = importing.preview(CORPUS / name, tmp_path / "store", values=choices)
    assert p.ok, [str(x) for x in p.problems]
    assert p.inspection.unknown == ()
    assert importing.commit(p, tmp_path / "store") is not None
    pub = indicator_table(prepare(store.load(tmp_path / "store")), 2018, k=0)
    f = pub.frame[pub.frame["group"] == "Totalt"].set_index(["indicator", "gender"])
    for iid, (women, men) in EXPECTED["good"]["values"].items():
        assert (f.loc[(iid, "Kvinnor"), "count"], f.loc[(iid, "Män"), "count"]) == (women, men), iid


def test_command_line_refuses_unknown_values_unless_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "store"
    src = str(CORPUS / "fel_okanda_varden.csv")
    assert cli.main(["import", src, "--store", str(target)]) == 1
    err = capsys.readouterr().err
    assert "Fil fel_okanda_varden.csv, rad 2, kolumn Kön: Okänt värde ”Kvinan” (2 rader" in err and "--tillat-okanda" in err
    assert not store.has_data(target)
    assert cli.main(["indicators", "--year", "2018", "--data", src, "--k", "0"]) == 1
    assert "kolumn Avslutsorsak: Okänt värde ”Sjukskrivnig” (1 rad" in capsys.readouterr().err
    assert cli.main(["indicators", "--year", "2018", "--data", src, "--k", "0", "--tillat-okanda"]) == 0
    captured = capsys.readouterr()
    assert "Fil fel_okanda_varden.csv, kolumn Kön: okänt värde ”Kvinan” (2 rader) blev ”Annat/okänt”." in captured.err
    rows = {(r["indicator"], r["gender"]): r for r in json.loads(captured.out)}
    assert rows[("deltagare", "Annat/okänt")]["count"] == 2  # Kvinan (L0001) and Mna (L0005), as the lines said
    assert cli.main(["import", src, "--store", str(target), "--tillat-okanda"]) == 0
    assert "okänt värde ”Arbte” (1 rad) blev ”Annat”" in capsys.readouterr().err
    assert store.has_data(target)


# --- personnummer ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "year", "gender", "coordination"), [
    ("19850314-2385", 1985, "Kvinna", False),
    ("850314-2385", 1985, "Kvinna", False),
    ("198503142385", 1985, "Kvinna", False),
    ("8503142385", 1985, "Kvinna", False),
    ("19850374-2382", 1985, "Kvinna", True),   # samordningsnummer: day + 60
    ("180505+4598", 1918, "Man", False),        # '+': 100 years or older
    ("180505-4598", 2018, "Man", False),        # '-': the latest century not in the future
])
def test_personnummer_forms(text: str, year: int, gender: str, coordination: bool) -> None:
    p = personnummer.parse(text, today=date(2026, 11, 28))
    assert p is not None and (p.birth_year, p.gender, p.coordination) == (year, gender, coordination)


@pytest.mark.parametrize("text", ["19850314-2386", "850314-238", "19851314-2385", "20990101-0000", "19850314+2385",
                                  "abcdefghij", "", "850314--2385"])
def test_invalid_personnummer(text: str) -> None:
    assert personnummer.parse(text, today=date(2026, 11, 28)) is None


def test_same_person_same_pseudonym_across_forms_and_keys() -> None:
    a, b = personnummer.parse("19850314-2385"), personnummer.parse("8503142385")
    assert a is not None and b is not None
    assert personnummer.pseudonym(a, b"k1") == personnummer.pseudonym(b, b"k1") != personnummer.pseudonym(a, b"k2")


def test_key_file_created_outside_data_with_mode_600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAMSTALLDHET_KEY", raising=False)
    monkeypatch.setenv("JAMSTALLDHET_KEY_FILE", str(tmp_path / "conf" / "nyckel"))
    key = personnummer.secret_key()
    assert len(key) == 64 and personnummer.secret_key() == key
    assert (tmp_path / "conf" / "nyckel").stat().st_mode & 0o777 == 0o600
    monkeypatch.delenv("JAMSTALLDHET_KEY_FILE")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert personnummer.key_file() == tmp_path / "xdg" / "jamstalldhet" / "pseudonymnyckel"


def test_no_personnummer_anywhere_in_store_or_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "store"
    for name in ("pnr_12_bindestreck.csv", "fel_ogiltigt_personnummer.csv"):
        cli.main(["import", str(CORPUS / name), "--store", str(target)])
    out = capsys.readouterr()
    numbers = set()
    for name in ("pnr_12_bindestreck.csv", "fel_ogiltigt_personnummer.csv", "samordningsnummer.csv"):
        numbers |= set(pd.read_csv(CORPUS / name, sep=";", dtype=str)["Personnummer"])
    forms = {n.replace("-", "") for n in numbers} | numbers | {n[2:] for n in numbers} | {n[2:].replace("-", "") for n in numbers}
    blobs = [p.read_bytes() for p in target.rglob("*") if p.is_file()] + [out.err.encode(), out.out.encode()]
    assert len(blobs) >= 3
    for blob in blobs:
        for n in forms:
            assert n.encode() not in blob


# --- the store -------------------------------------------------------------------------------

def test_same_file_twice_does_not_double(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "store"
    assert cli.main(["import", str(CORPUS / "utf8_komma.csv"), "--store", str(target)]) == 0
    assert cli.main(["import", str(CORPUS / "utf8_komma.csv"), "--store", str(target)]) == 0
    assert "redan importerad" in capsys.readouterr().err
    assert len(store.load(target)) == 8 and len(store.read_manifest(target).batches) == 1


def test_new_export_of_same_years_replaces_after_confirmation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "store"
    assert cli.main(["import", str(CORPUS / "utf8_komma.csv"), "--store", str(target)]) == 0
    before = snapshot(target)
    assert cli.main(["import", str(CORPUS / "kon_bokstav.csv"), "--store", str(target)]) == 1
    assert "--replace" in capsys.readouterr().err and snapshot(target) == before
    assert cli.main(["import", str(CORPUS / "kon_bokstav.csv"), "--store", str(target), "--replace"]) == 0
    m = store.read_manifest(target)
    assert [b.file for b in m.batches] == ["kon_bokstav.csv"] and len(store.load(target)) == 8
    assert [e["händelse"] for e in m.log] == ["import", "import"] and m.log[1]["ersatte"]
    assert len(list((target / "batches").glob("*.parquet"))) == 1


def test_remove_batch(tmp_path: Path) -> None:
    target = tmp_path / "store"
    p = importing.preview(CORPUS / "utf8_komma.csv", target)
    batch = importing.commit(p, target)
    assert batch is not None and store.has_data(target)
    v = store.version(target)
    store.remove(target, batch.id)
    assert not store.has_data(target) and store.version(target) != v
    assert not list((target / "batches").glob("*"))
    assert store.read_manifest(target).log[-1]["händelse"] == "borttagen"
    with pytest.raises(store.StoreError):
        store.remove(target, batch.id)


def test_indicators_data_reads_every_good_format(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    for name in ("cp1252_semikolon.csv", "scb_koder_exceldatum.xlsx", "deltagare.parquet", "pnr_10_siffror.csv"):
        assert cli.main(["indicators", "--year", "2018", "--data", str(CORPUS / name), "--k", "0"]) == 0
        rows = json.loads(capsys.readouterr().out)
        women = next(r for r in rows if r["indicator"] == "deltagare" and r["gender"] == "Kvinnor")
        assert women["count"] == 3, name


def test_dates_accept_the_listed_forms_only() -> None:
    from jamstalldhet.intake.reading import parse_dates

    cells = ["2018-03-01", "2018/03/02", "20180303", "2018-02-30", "20181301", "1 mars 2018", "", "2018-3-1", " 2018-03-04 ",
             "2020-02-29", "2019-02-29"]
    out, bad = parse_dates(pd.Series(cells, dtype="str"))
    got = [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in out]
    assert got == ["2018-03-01", "2018-03-02", "2018-03-03", None, None, None, None, None, "2018-03-04", "2020-02-29", None]
    assert bad.tolist() == [False, False, False, True, True, True, False, True, False, False, True]


def test_person_codes_are_shared_across_batches(tmp_path: Path) -> None:
    """The same person in two imports (different years) is one person, on both load paths."""
    from jamstalldhet.base import schema as S
    from jamstalldhet.compute.indicators import compute
    from jamstalldhet.intake.canonical import canonical

    def frame(year: int, ids: list[str]) -> pd.DataFrame:
        df = pd.DataFrame({S.PERSON_ID: ids, S.KON: ["Kvinna"] * len(ids), S.INSATS: "X",
                           S.STARTDATUM: f"{year}-03-01", S.SLUTDATUM: f"{year + 1}-02-01"})
        return canonical(df)

    target = tmp_path / "store"
    for i, (year, ids) in enumerate(((2017, ["a", "b", "c"]), (2019, ["c", "d"]))):
        df = frame(year, ids)
        store.commit(target, df, f"f{i}.csv", store.plan(target, df, str(i) * 64))
    fast = load_store(target)
    assert fast.n_persons == 4
    import pyarrow.parquet as pq
    stored = [pq.read_table(store.batch_path(target, b.id)).column(store.PERSON_CODE).to_pylist()
              for b in store.read_manifest(target).batches]
    assert stored == [[0, 1, 2], [2, 3]]  # c keeps its code, d comes after the register's persons
    plain = prepare(store.load(target))
    for year in (2017, 2018, 2019, 2020):
        assert compute(fast, year).equals(compute(plain, year))
    # removing the first import keeps c's code; the register is one live file
    store.remove(target, store.read_manifest(target).batches[0].id)
    assert compute(load_store(target), 2019).equals(compute(prepare(store.load(target)), 2019))
    assert len(list((target / "persons").glob("*.parquet"))) == 1


def test_person_ids_as_a_categorical_are_registered_like_text(tmp_path: Path) -> None:
    """A frame whose person ids are a categorical gives the same register, codes and stored batches
    as text ids; categories no row uses are not registered as persons."""
    import pyarrow.parquet as pq

    from jamstalldhet.base import schema as S
    from jamstalldhet.intake.canonical import canonical

    def frame(ids: list[str], categorical: bool) -> pd.DataFrame:
        pid = pd.Categorical(ids, categories=["zz", *dict.fromkeys(ids)]) if categorical else ids  # "zz": unused
        return canonical(pd.DataFrame({S.PERSON_ID: pid, S.KON: ["Kvinna"] * len(ids), S.INSATS: "X",
                                       S.STARTDATUM: "2018-03-01", S.SLUTDATUM: "2018-09-01"}))

    stored = []
    for categorical in (False, True):
        target = tmp_path / f"store_{categorical}"
        for i, ids in enumerate((["a", "b", "a", "c"], ["c", "d", "d"])):
            df = frame(ids, categorical)
            if i:
                df[S.STARTDATUM] = df[S.STARTDATUM] + pd.DateOffset(years=2)
                df[S.SLUTDATUM] = df[S.SLUTDATUM] + pd.DateOffset(years=2)
            store.commit(target, df, f"f{i}.csv", store.plan(target, df, f"{i}{categorical}" * 32))
        m = store.read_manifest(target)
        codes = [pq.read_table(store.batch_path(target, b.id)).column(store.PERSON_CODE).to_pylist() for b in m.batches]
        register = pq.read_table(target / m.persons).column(0).to_pylist()
        assert {str(pq.read_schema(store.batch_path(target, b.id)).field(S.PERSON_ID).type) for b in m.batches} == {"large_string"}
        stored.append((codes, register, [b.persons for b in m.batches]))
    assert stored[0] == stored[1] == ([[0, 1, 0, 2], [2, 3, 3]], ["a", "b", "c", "d"], [3, 2])


def test_birth_year_must_be_a_whole_year(tmp_path: Path) -> None:
    from jamstalldhet.intake.reading import inspect

    f = tmp_path / "ar.csv"
    f.write_text("person_id;kön;insats;startdatum;födelseår\na;K;X;2018-01-01;1985.5\nb;M;X;2018-01-01;19850\n"
                 "c;K;X;2018-01-01;1990\nd;M;X;2018-01-01;nittio\n", encoding="utf-8")
    problems = inspect(f).problems
    assert sorted((p.row, p.column) for p in problems) == [(2, "födelseår"), (3, "födelseår"), (5, "födelseår")]


def test_persons_counted_while_reading_equal_the_frames_persons(tmp_path: Path) -> None:
    """The preview's person count comes from the codes reading made for its rules; for every
    good file of the corpus it is the frame's own count, and the plan shows it."""
    from jamstalldhet.base import schema as S
    from jamstalldhet.intake import importing
    from jamstalldhet.intake.canonical import person_count
    from jamstalldhet.intake.reading import inspect

    good = [p for p in sorted(CORPUS.iterdir()) if p.suffix in (".csv", ".xlsx", ".parquet") and not p.name.startswith("fel_")]
    assert len(good) > 10
    for path in good:
        ins = inspect(path)
        assert ins.frame is not None, path.name
        assert ins.persons is not None and len(ins.persons) == person_count(ins.frame), path.name
        assert (ins.persons.ids[ins.persons.codes] == ins.frame[S.PERSON_ID].to_numpy()).all(), path.name
        assert importing.summary(ins.frame, ins.persons) == importing.summary(ins.frame), path.name
        preview = importing.preview(path, tmp_path / "lager")
        assert preview.plan is not None and preview.plan.persons == len(ins.persons)
        assert preview.plan.sha256 == store.file_hash(path)


def test_the_register_takes_readings_codes_or_codes_itself_alike(tmp_path: Path) -> None:
    """Two imports (the second with known and new persons) give the same register and batch
    codes whether the store takes the codes reading made or codes the ids itself."""
    import pyarrow.parquet as pq

    from jamstalldhet.intake import importing

    first = tmp_path / "a.csv"
    first.write_text("person_id;kön;insats;startdatum\np1;K;X;2017-01-01\np2;M;X;2017-02-01\np1;K;Y;2017-03-01\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("person_id;kön;insats;startdatum\np3;K;X;2019-01-01\np2;M;X;2019-02-01\np3;K;Y;2019-03-01\n", encoding="utf-8")
    found = []
    for via_reading in (True, False):
        target = tmp_path / f"lager_{via_reading}"
        for path in (first, second):
            p = importing.preview(path, target)
            assert p.ok and p.plan is not None and p.inspection.frame is not None
            if via_reading:
                importing.commit(p, target)
            else:
                store.commit(target, p.inspection.frame, p.inspection.file, p.plan)
        m = store.read_manifest(target)
        codes = [pq.read_table(store.batch_path(target, b.id)).column(store.PERSON_CODE).to_pylist() for b in m.batches]
        found.append((codes, pq.read_table(target / m.persons).to_pydict()))
    assert found[0] == found[1]
    assert found[0][0] == [[0, 1, 0], [2, 1, 2]]


# --- issue 28: the preview tells the truth -----------------------------------------------------

def test_preview_years_are_the_years_the_indicators_count(tmp_path: Path) -> None:
    """Not the span of all dates: a year in which no record is active and no one was referred is
    not a year of the file; an ongoing record counts up to the newest date in the file."""
    f = tmp_path / "luckor.csv"
    f.write_text("person_id;kon;insats;anvisningsdatum;startdatum;slutdatum\n"
                 "a;K;X;;2015-01-10;2015-03-01\n"
                 "b;M;X;;2018-02-01;\n"
                 "c;K;X;2019-11-01;;\n"
                 "d;K;X;;2018-05-01;2019-12-31\n", encoding="utf-8")
    p = importing.preview(f, tmp_path / "store")
    assert p.ok and p.inspection.frame is not None
    s = importing.summary(p.inspection.frame, p.inspection.persons)
    assert s["år"] == [2015, 2018, 2019]
    assert s["personer_per_år"] == {2015: 1, 2018: 2, 2019: 3}


def test_command_line_writes_numbers_as_everywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "stor.csv"
    f.write_text("person_id;kon;insats;startdatum\n" + "".join(f"p{i};K;X;2018-01-01\n" for i in range(2062)), encoding="utf-8")
    assert cli.main(["import", str(f), "--store", str(tmp_path / "store")]) == 0
    assert "Lagrade 2 062 rader, 2 062 personer" in capsys.readouterr().err


def test_no_silent_reclassification_in_the_corpus(tmp_path: Path) -> None:
    """Every filled gender, outcome, background, education and yes/no cell of every corpus file that
    gets as far as its values is either recognised by the synonym file or reported as unknown."""
    from jamstalldhet.intake.reading import inspect, map_headers, normalise, read_raw, synonyms

    sections = {"kon": "kon", "avslutsorsak": "avslutsorsak", "bakgrund": "bakgrund", "utbildningsniva": "utbildningsniva",
                "fragat_om_vald": "janej", "uppgett_vald": "janej"}
    checked = 0
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in (".csv", ".xlsx") or path.name.startswith(("fel_inte", "fel_zip", "fel_tom", "fel_fel_antal")):
            continue
        ins = inspect(path)
        if not ins.headers or any(p.row == 1 for p in ins.problems):
            continue  # stopped at the headers: no value was read
        headers, body = read_raw(path)
        mapping, _ = map_headers(headers, path.name)
        reported = {(u.column, u.value) for u in ins.unknown}
        for i, column in mapping.items():
            if column not in sections:
                continue
            for cell in body[i].dropna().astype(str).str.strip().unique():
                if cell and normalise(cell) not in synonyms()[sections[column]]:
                    assert (column, cell) in reported, (path.name, column, cell)
                checked += 1
    assert checked > 50
