"""Charts: the text alternative, colour never the only carrier, legend and note apart, all-suppressed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from jamstalldhet.base import schema as S
from jamstalldhet.compute import catalogue
from jamstalldhet.disclosure.control import Published
from jamstalldhet.disclosure.tables import indicator_table
from jamstalldhet.intake.records import Prepared, prepare
from jamstalldhet.show import charts
from tests.conftest import ROOT, malomrade_app, small_unit
from tests.helpers import describe

pytestmark = pytest.mark.slow  # runs pages, the report or whole processes: left out of make test-fast

OUTCOMES = ["avslut_arbete", "avslut_studier", "avslut_arbetsmarknadsanstallning", "avslut_ohalsa"]


@pytest.fixture(scope="module")
def cat() -> catalogue.Catalogue:
    return catalogue.load()


@pytest.fixture(scope="module")
def pub2018(demo_prep: Prepared) -> Published:
    """The seed's year, exact (internal mode): the sentences are worked by hand from the seed's figures."""
    return indicator_table(demo_prep, 2018, k=0)


def test_published_sentence_says_the_published_figures(demo_prep: Prepared, cat: catalogue.Catalogue) -> None:
    from jamstalldhet.base import formatting as F

    pub = indicator_table(demo_prep, 2018, k=5)
    f = pub.frame.set_index(["indicator", "gender"])
    women, men = f.loc[("avslut_studier", S.KVINNOR), "share"], f.loc[("avslut_studier", S.MAN_PLURAL), "share"]
    text = charts.alt_text(charts.rates_chart(pub, cat, ["avslut_studier"], "Avslutade till studier 2018"))
    assert text.startswith(f"Avslutade till studier 2018: {F.percent(women)} av kvinnorna och {F.percent(men)} av männen")
    assert abs(women - 0.12) < 0.01 and abs(men - 0.06) < 0.01  # the seed's 12 % and 6 %, within the noise


@pytest.fixture(scope="module")
def small() -> Prepared:
    return prepare(small_unit())  # 3 women, 40 men; 20 men ended, 8 of them to work; the 3 women to work


def test_rate_sentence_is_the_published_shares_in_words(pub2018: Published, cat: catalogue.Catalogue) -> None:
    # The seed (Borås 2018): 12 % of the women and 6 % of the men who ended went on to studies;
    # 60 of 500 women, 30 of 500 men: chi-square p < 0.001, significant.
    fig = charts.rates_chart(pub2018, cat, ["avslut_studier"], "Avslutade till studier 2018")
    assert charts.alt_text(fig) == ("Avslutade till studier 2018: 12,0 % av kvinnorna och 6,0 % av männen "
                                    "(statistiskt säkerställd skillnad).")
    assert not charts.all_suppressed(fig)


def test_count_sentence_says_the_40_60_verdict(pub2018: Published, cat: catalogue.Catalogue) -> None:
    # 993 women and 821 men: 993 / 1814 = 54,7 % women, inside 40–60
    fig = charts.counts_chart(pub2018, cat, ["deltagare"], "Deltagare 2018")
    assert charts.alt_text(fig) == "Deltagare 2018: 993 kvinnor och 821 män, 54,7 % kvinnor (jämn könsfördelning, inom 40/60)."


def test_sentence_for_several_indicators_names_each(pub2018: Published, cat: catalogue.Catalogue) -> None:
    text = charts.rates_summary(pub2018, cat, OUTCOMES, "Avslutade 2018 efter avslutsorsak")
    assert text.startswith("Avslutade 2018 efter avslutsorsak: arbete 16,0 % av kvinnorna och 18,0 % av männen (")
    assert "studier 12,0 % av kvinnorna och 6,0 % av männen (statistiskt säkerställd skillnad)" in text
    assert text.count("kvinnorna") == 4 and text.endswith(".")


def test_sentence_never_reveals_a_suppressed_value(small: Prepared, cat: catalogue.Catalogue) -> None:
    internal = indicator_table(small, 2018, k=0)
    # internally every value shows: 3 women and 40 men; 3 of 3 women and 8 of 20 men to work
    assert charts.counts_summary(internal, cat, ["deltagare"], "Deltagare") == \
        "Deltagare: 3 kvinnor och 40 män, 7,0 % kvinnor (könsfördelning utanför 40/60)."
    assert charts.rates_summary(internal, cat, ["avslut_arbete"], "Arbete").startswith(
        "Arbete: 100,0 % av kvinnorna och 40,0 % av männen")
    published = indicator_table(small, 2018, k=5)
    counts = charts.alt_text(charts.counts_chart(published, cat, ["deltagare"], "Deltagare 2018"))
    assert "3 kvinnor" not in counts and "7,0 %" not in counts and ".. kvinnor" in counts
    rates = charts.alt_text(charts.rates_chart(published, cat, ["avslut_arbete"], "Avslutade till arbete 2018"))
    assert "100,0 %" not in rates and "andelen för kvinnorna visas inte" in rates


def test_all_suppressed_chart_is_a_sentence_not_empty_axes(cat: catalogue.Catalogue) -> None:
    # 3 women and 3 men, all to work: every value is hidden, and so is the total (else it would tell)
    from jamstalldhet.intake.canonical import canonical

    rows = [(f"p{i}", S.KVINNA if i < 3 else S.MAN, "2018-02-01", "2018-10-01", S.ARBETE, "A") for i in range(6)]
    tiny = prepare(canonical(pd.DataFrame(rows, columns=[S.PERSON_ID, S.KON, S.STARTDATUM, S.SLUTDATUM, S.AVSLUTSORSAK, S.INSATS])))
    fig = charts.rates_chart(indicator_table(tiny, 2018, k=5), cat, ["avslut_arbete"], "Avslutade till arbete 2018")
    assert charts.all_suppressed(fig)
    assert charts.alt_text(fig) == ("Avslutade till arbete 2018: värdena för kvinnor och män är för små för att visas "
                                    "(.. = färre än 5 personer, visas inte).")
    assert len(fig.data) == 0 and fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    drawn = " ".join(a.text for a in fig.layout.annotations).replace("<br>", " ")
    assert drawn == charts.alt_text(fig)


def test_partly_suppressed_value_is_labelled_dots_not_drawn_as_zero(cat: catalogue.Catalogue) -> None:
    # a hand-made published table: women 12 of 100, men's share suppressed
    frame = pd.DataFrame({
        "indicator": ["avslut_studier"] * 3, "year": [2018] * 3, "group": [S.TOTALT] * 3,
        "gender": [S.KVINNOR, S.MAN_PLURAL, S.TOTALT], "count": pd.array([12, pd.NA, 15], dtype="Int64"),
        "denominator": pd.array([100, pd.NA, 130], dtype="Int64"), "share": [0.12, float("nan"), 15 / 130],
        "ci_low": [0.07, float("nan"), 0.07], "ci_high": [0.20, float("nan"), 0.18],
        "significant": pd.array([pd.NA] * 3, dtype="boolean"), "even": pd.array([pd.NA] * 3, dtype="boolean"),
    })
    pub = Published(frame, 5)
    fig = charts.rates_chart(pub, cat, ["avslut_studier"], "Studier")
    assert charts.alt_text(fig) == "Studier: 12,0 % av kvinnorna; andelen för männen visas inte."
    bars = {t.name: t for t in fig.data if t.type == "bar" and t.name}
    assert list(bars["Män"].y) == [None]
    labels = [t for t in fig.data if t.type == "scatter" and len(t.x[0])]
    assert [list(lab.text) for lab in labels] == [["12,0 %"]]
    assert labels[0].y[0] == pytest.approx(20.0 * (1 + charts.LABEL_LIFT))  # above the interval, clear of its cap
    # the men's hidden value is a marked gap the height of the chart with the words, never at zero (issue 25)
    gap = next(t for t in fig.data if t.type == "bar" and not t.name)
    assert list(gap.x[1]) == ["Män"] and gap.y[0] == pytest.approx(fig.layout.yaxis.range[1])
    assert gap.text[0] == "..<br>visas<br>inte" and gap.showlegend is False


def test_colour_is_never_the_only_carrier(pub2018: Published, cat: catalogue.Catalogue) -> None:
    fig = charts.rates_chart(pub2018, cat, OUTCOMES, "Avslutade 2018 efter avslutsorsak")
    bars = [t for t in fig.data if t.type == "bar" and t.name]
    assert [b.name for b in bars] == ["Kvinnor", "Män"]  # legend order: women, men
    for b in bars:  # every bar is labelled with its gender under it
        assert list(b.x[1]) == [b.name] * len(OUTCOMES)
    assert bars[0].marker.pattern.shape != bars[1].marker.pattern.shape  # hatched men
    # significance in words, for exactly the indicators the table calls significant
    f = pub2018.frame
    sig = f[(f["gender"] == S.KVINNOR) & (f["group"] == S.TOTALT) & f["indicator"].isin(OUTCOMES) & (f["significant"] == True)]  # noqa: E712
    named = [cat.text(i).short.lower() for i in OUTCOMES if i in set(sig["indicator"])]
    note = " ".join(a.text for a in fig.layout.annotations).replace("<br>", " ")
    assert named and f"Statistiskt säkerställd skillnad mellan kvinnor och män (p < 0,05): {', '.join(named)}." in note
    counts = charts.counts_chart(pub2018, cat, ["deltagare", "anvisade", "avslutade"], "Deltagare 2018")
    assert "Jämn könsfördelning (40–60 % av vardera kön)." in " ".join(a.text for a in counts.layout.annotations)
    trend = pd.DataFrame({"year": [2017, 2018, 2017, 2018], "gender": [S.KVINNOR, S.KVINNOR, S.MAN_PLURAL, S.MAN_PLURAL],
                          "share": [0.10, 0.12, 0.05, float("nan")], "count": [10, 12, 5, pd.NA],
                          "ci_low": [0.05] * 4, "ci_high": [0.2] * 4})
    t = charts.trend_chart(trend, "Studier över tid", True, ".. = färre än 5 personer, visas inte")
    assert {d.line.dash for d in t.data} == {"solid", "dash"} and {d.marker.symbol for d in t.data} == {"circle", "square"}
    assert charts.alt_text(t) == "Studier över tid: kvinnorna 2017 10,0 %, 2018 12,0 %; männen 2017 5,0 %, 2018 .. (.. = visas inte)."


def _geometry(svg: str) -> dict[str, float]:
    """Where the legend, the tick labels and the note are in an exported SVG (px from the top)."""
    legend = re.search(r'<g class="legend"[^>]*translate\([\d.]+,\s*([\d.]+)\)"><rect class="bg"[^>]*height="([\d.]+)"', svg)
    note = re.search(r'<g class="annotation"[^>]*><g class="annotation-text-g"[^>]*><g class="cursor-pointer" '
                     r'transform="translate\([\d.]+,\s*([\d.]+)\)"><rect class="bg"[^>]*height="([\d.]+)"', svg)
    ticks = [float(y) for y in re.findall(r'<g class="xtick2?"><text[^>]*y="([\d.]+)"', svg)]
    assert legend and note and ticks
    return {"legend_bottom": float(legend.group(1)) + float(legend.group(2)), "note_top": float(note.group(1)),
            "note_bottom": float(note.group(1)) + float(note.group(2)), "ticks_bottom": max(ticks) + 4}  # + descenders


@pytest.mark.skipif(shutil.which("chromium") is None, reason="kaleido needs Chromium")
@pytest.mark.parametrize(("width", "height"), [(640, 420), (945, 540)])  # the report's HTML/PDF size and the PNG/SVG export
def test_exported_legend_and_note_never_overlap(pub2018: Published, cat: catalogue.Catalogue, width: int, height: int) -> None:
    import plotly.io as pio

    fig = charts.rates_chart(pub2018, cat, OUTCOMES, "Avslutade 2018 efter avslutsorsak")
    g = _geometry(pio.to_image(fig, format="svg", width=width, height=height).decode())
    plot_top = fig.layout.margin.t
    assert g["legend_bottom"] <= plot_top  # the legend sits above the plot
    assert g["ticks_bottom"] < g["note_top"] <= g["note_bottom"] <= height  # the note below the tick labels, inside the figure


def test_page_shows_sentence_before_chart_and_sentence_alone_when_all_hidden(small_store: Path) -> None:

    at = malomrade_app("makt-och-halsa")
    at.session_state["ar"] = 2018
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    # Avslutade till studier: every value hidden in the small unit (nobody) – the sentence, and no chart for it
    assert any('class="diagramtext">Avslutade till studier 2018: värdena för kvinnor och män är för små för att visas '
               '(.. = färre än 5 personer, visas inte).' in t for t in texts)
    assert not any("Diagram: Avslutade till studier 2018" in t for t in texts)
    assert any("Diagram: Deltagare 2018: .. kvinnor och" in t for t in texts)  # the men are shown


def test_oversikt_chart_has_its_sentence(demo_prep: Prepared) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "oversikt.py"), default_timeout=90)
    at.session_state["ar"] = 2018
    at.run()
    assert not at.exception
    sentence = next(m.value for m in at.markdown if "diagramtext" in m.value)
    pub = indicator_table(demo_prep, 2018)
    expected = charts.rates_summary(pub, catalogue.load(), [*OUTCOMES, "avslut_annat"], "Avslutade 2018 efter avslutsorsak")
    assert f"Diagram: {expected}" in sentence  # the published figures, in words
    assert len(at.get("plotly_chart")) == 1


def test_describe_gives_any_figure_a_text_alternative() -> None:
    import plotly.graph_objects as go

    fig = describe(go.Figure(), "Utbetalningar 2018: 10 kvinnor och 12 män.")
    assert charts.alt_text(fig) == "Utbetalningar 2018: 10 kvinnor och 12 män." and not charts.all_suppressed(fig)
    assert charts.alt_text(go.Figure()) == "" and charts.all_suppressed(describe(go.Figure(), "x", suppressed=True))
