"""The benchmark's checks: the three engines (ours, polars, DuckDB) give the counts worked out by
hand on a tiny file, agree on 100 000 demo records, and the agreement check sees a wrong count."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench import engines as E
from bench import run, stages
from jamstalldhet.base import schema as S
from jamstalldhet.intake.canonical import canonical

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast

K, M = S.KVINNOR, S.MAN_PLURAL

# Five records, year 2018 (run.YEAR). p1 (woman, Jobb) has two records in 2018, one ended with
# work; p2 (man, Jobb) was referred and ended with studies; p3 (woman, Studie) ended in 2017;
# p4 (man, Studie) was referred in November and has not started.
TINY = pd.DataFrame({
    S.PERSON_ID: ["p1", "p1", "p2", "p3", "p4"],
    S.KON: [S.KVINNA, S.KVINNA, S.MAN, S.KVINNA, S.MAN],
    S.FODELSEAR: [1990, 1990, 1985, 2000, 1970],
    S.BAKGRUND: [S.INRIKES, S.INRIKES, S.UTRIKES, S.INRIKES, S.OKAND],
    S.UTBILDNINGSNIVA: ["Gymnasial", "Gymnasial", S.OKAND, "Förgymnasial", S.OKAND],
    S.INSATS: ["Jobb", "Jobb", "Jobb", "Studie", "Studie"],
    S.ANVISNINGSDATUM: [None, None, "2018-01-10", None, "2018-11-01"],
    S.STARTDATUM: ["2018-02-01", "2018-08-01", "2018-03-01", "2017-05-01", None],
    S.SLUTDATUM: ["2018-06-30", None, "2018-12-31", "2017-12-31", None],
    S.AVSLUTSORSAK: [S.ARBETE, None, S.STUDIER, S.ARBETE, None],
    S.FRAGAT_OM_VALD: [True, True, False, False, False],
    S.UPPGETT_VALD: [True, False, False, False, False],
})

#: By insats and gender, counted by hand from TINY (persons, not rows: p1 counts once).
BY_INSATS = {
    ("deltagare", "Jobb", K): 1, ("deltagare", "Jobb", M): 1,  # p3 ended in 2017, p4 never started
    ("anvisade", "Jobb", M): 1, ("anvisade", "Studie", M): 1,
    ("avslutade", "Jobb", K): 1, ("avslutade", "Jobb", M): 1,
    ("avslut_arbete", "Jobb", K): 1, ("avslut_studier", "Jobb", M): 1,
    ("fragat_om_vald", "Jobb", K): 1, ("uppgett_vald", "Jobb", K): 1,
}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.parquet"
    pq.write_table(pa.Table.from_pandas(canonical(TINY), preserve_index=False), path)
    return path


def _nonzero(counts: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    summed = counts.groupby(["indicator", "group", "gender"])["count"].sum()
    return {k: int(v) for k, v in summed.items() if v}


def test_each_engine_gives_the_hand_counts(tiny: Path) -> None:
    import duckdb
    import polars as pl

    from jamstalldhet.compute.indicators import compute
    from jamstalldhet.intake.records import prepare

    table = pq.read_table(tiny)
    con = duckdb.connect()
    con.register("d", table)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    ours = E.ours_counts(compute(prepare(canonical(table.to_pandas())), run.YEAR, S.INSATS))
    assert _nonzero(ours) == BY_INSATS
    assert _nonzero(E.polars_counts(frame, run.YEAR, S.INSATS)) == BY_INSATS
    assert _nonzero(E.duckdb_counts(con, "d", run.YEAR, S.INSATS)) == BY_INSATS


def test_agreement_sees_one_wrong_count(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x = run.indicators_in_process(tiny, runs=1)
    assert x["records"] == len(TINY) and x["agree"]
    real = E.duckdb_counts

    def one_too_many(*args: object) -> pd.DataFrame:
        out = real(*args)  # type: ignore[arg-type]
        out.loc[out.index[0], "count"] += 1
        return out

    monkeypatch.setattr(E, "duckdb_counts", one_too_many)
    assert not run.indicators_in_process(tiny, runs=1)["agree"]


def test_three_engines_agree_on_100k(tmp_path: Path) -> None:
    x = run.indicators_in_process(run.demo_file(100_000, tmp_path), runs=1)
    assert x["records"] == 100_000
    assert x["agree"]


def test_stages_reach_every_stage_of_both_commands(tiny: Path, tmp_path: Path) -> None:
    """bench/stages.py times the package's own stages: each one the table names is reached by the
    command (a renamed or bypassed stage would be missing, not silently counted as "other")."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    csv = tmp_path / "deltagare.csv"
    csv.write_text("person_id;kön;insats;startdatum\np1;K;Jobb;2018-01-01\np2;M;Jobb;2018-02-01\n", encoding="utf-8")
    for command, args in (("indicators", [str(tiny)]), ("import", [str(csv), str(tmp_path / "lager")])):
        out = subprocess.run([sys.executable, "-m", "bench.stages", command, *args], cwd=root, capture_output=True, text=True, check=True)
        spent: dict[str, float] = {}
        for key, seconds in json.loads(out.stdout).items():  # a stage may also run in a thread, alongside
            spent[key.removesuffix(stages.ALONGSIDE)] = spent.get(key.removesuffix(stages.ALONGSIDE), 0.0) + seconds
        expected = {stage for _, _, stage in stages.STAGES[command]}
        assert expected | {"imports", "other", "total"} == set(spent), command
        assert all(spent[stage] > 0 for stage in expected), spent


def test_the_page_script_runs_a_malomrade_page(tmp_path: Path) -> None:
    """The pages part's child script (section 3) runs a målområde page built from the catalogue
    and prints its timings (it once failed on its own quoting, unseen until a benchmark run)."""
    import json
    import subprocess
    import sys

    env = {**run.ENV, "JAMSTALLDHET_STORE": str(tmp_path / "tomt")}  # no store: the demo data
    done = subprocess.run([sys.executable, "-c", run.PAGE_SCRIPT, "makt-och-halsa", "1"], cwd=run.ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(timings) == {"first_s", "rerun_ms"}


# --- issue 26: every page in Chromium (bench/pages.py) and the protocol clients (bench/protocol.py) ---

def test_a_rerun_message_is_what_the_frontend_sends() -> None:
    """The BackMsg a protocol client sends: a first visit names the page by URL, a widget change
    sends the page's hash and the widget's value in the field its kind uses."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    from bench import protocol

    msg = BackMsg()
    msg.ParseFromString(protocol.rerun_message(query_string="ar=2018", page_name="makt-och-halsa"))
    assert msg.WhichOneof("type") == "rerun_script"
    assert (msg.rerun_script.query_string, msg.rerun_script.page_name, msg.rerun_script.page_script_hash) == ("ar=2018", "makt-och-halsa", "")
    msg.ParseFromString(protocol.rerun_message(query_string="ar=2018", page_script_hash="abc",
                                               widgets={"$$ID-ar": "2019", "$$ID-t": True, "$$ID-m": ["A", "B"]}))
    w = {x.id: x for x in msg.rerun_script.widget_states.widgets}
    assert msg.rerun_script.page_script_hash == "abc"
    assert w["$$ID-ar"].string_value == "2019" and w["$$ID-t"].bool_value is True
    assert list(w["$$ID-m"].string_array_value.data) == ["A", "B"]
    with pytest.raises(TypeError):
        protocol.rerun_message(widgets={"x": object()})


def test_a_protocol_client_reads_menu_widgets_and_the_end_of_a_run() -> None:
    """ForwardMsgs as the server sends them: the menu (the default page's address is empty), a
    selectbox's id and options, and script_finished (a rerun's early finish does not end the wait)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from bench import protocol

    client = protocol.Client("http://127.0.0.1:1")
    run = protocol.Run()
    nav = ForwardMsg()
    for url, name, digest in (("", "Översikt", "h0"), ("makt-och-halsa", "Makt och hälsa", "h1")):
        page = nav.navigation.app_pages.add()
        page.url_pathname, page.page_name, page.page_script_hash = url, name, digest
    nav.navigation.page_script_hash = "h1"
    box = ForwardMsg()
    box.delta.new_element.selectbox.id, box.delta.new_element.selectbox.label = "$$ID-ar", "År"
    box.delta.new_element.selectbox.options.extend(["2019", "2018"])
    early, done = ForwardMsg(), ForwardMsg()
    early.script_finished = ForwardMsg.FINISHED_EARLY_FOR_RERUN
    done.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    ends = [client._read(m.SerializeToString(), run, 0.0) for m in (nav, box, early, done)]
    assert ends == [False, False, False, True]
    assert client.pages == {"oversikt": "h0", "makt-och-halsa": "h1"} and client.page_hash == "h1"
    assert client.urls["oversikt"] == ""  # the default page is visited at /, as its menu link has it
    assert client.widgets == {"År": "$$ID-ar"} and client.options["År"] == ["2019", "2018"]
    assert run.deltas == 1 and run.statuses == [2, 0] and run.finished_s is not None


def test_protocol_summary_gives_medians_and_p95_per_kind() -> None:
    from bench import protocol

    events = [{"action": "first", "seconds": 2.0}, *({"action": "year", "seconds": s} for s in (0.1, 0.2, 0.3, 0.4, 1.0)),
              {"action": "page", "seconds": 0.5}, {"action": "page", "seconds": None}]
    s = protocol.summary(events)
    assert s["year"]["median_s"] == 0.3 and s["year"]["n"] == 5 and 0.4 < s["year"]["p95_s"] <= 1.0
    assert s["actions"]["n"] == 6 and s["first"]["median_s"] == 2.0 and s["failed"] == 1
    assert protocol.slug("Översikt") == "oversikt" and protocol.slug("Om siffrorna") == "om-siffrorna"


def test_pages_bench_aggregates_visits_and_names_what_moved(tmp_path: Path) -> None:
    """bench/pages.py: medians per kind, CLS of the loads and the elements that moved most, the
    page list (menu, then rapportläge), and a BENCHMARKS.md whose other sections stay."""
    from bench import pages

    shift = {"t": 1.0, "v": 0.8, "sources": [{"node": 'stAppViewContainer > div.st-emotion-x "Skip to"'}, {"node": "stSidebar"}]}
    visits = [{"kind": "first", "seconds": 5.0, "cls": 0.3, "shifts": [shift], "charts": 2},
              *({"kind": "load", "seconds": s, "cls": c, "shifts": [{"t": 2.0, "v": c, "sources": [{"node": "stPlotlyChart"}]}],
                 "first_msg": 1.0, "first_delta": 1.1, "finished": 2.0, "charts": 2} for s, c in ((3.0, 0.05), (2.0, 0.01), (4.0, 0.02))),
              {"kind": "year_cold", "seconds": 1.5}, {"kind": "year_warm", "seconds": 0.5}, {"kind": "year_warm", "seconds": None}]
    x = pages.summarize(visits)
    assert x["load_s"] == 3.0 and x["first_s"] == 5.0 and x["year_warm_s"] == 0.5 and x["year_warm_n"] == 1
    assert x["cls"] == 0.02 and x["cls_max"] == 0.3 and x["failed"] == 1 and x["load_finished_s"] == 2.0
    assert [name for name, _ in x["cls_sources"]] == ['stAppViewContainer > div ("Skip to…")', "stSidebar", "stPlotlyChart"]
    assert x["cls_sources"][0][1] == 0.1  # a shift's value is split among its sources, and given per visit (4)
    listed = pages.page_list([("oversikt", "Översikt", ""), ("vald", "Våld", "vald"), ("importera", "Importera", "importera")],
                             ["vald", "saknas"])
    assert [key for key, _, _ in listed] == ["oversikt", "vald", "importera", "oversikt (rapportläge)", "vald (rapportläge)"]
    assert listed[0][2] == f"/?ar={pages.YEAR}" and listed[-1][2] == f"/vald?ar={pages.YEAR}&rapport=1"
    md = tmp_path / "BENCHMARKS.md"
    md.write_text("# Benchmarks\n\n## 8. Many users\n\nkept\n", encoding="utf-8")
    results = {"browser": {"before": {"date": "d", "runs": 3, "load_before": [1.0], "load_after": [1.0], "pages": {"oversikt": x}}}}
    pages.write_section(results, md)
    pages.write_section(results, md)  # again: replaced, not added twice
    text = md.read_text(encoding="utf-8")
    assert "kept" in text and text.count(pages.HEADING) == 1 and "| oversikt | 5.00 s ❌ | 3.00 s ❌ |" in text
