"""Kolada: the municipality's yearly labour-market statistics (KAS), data contract section 10.

The outcome mapping lives in one editable file, ``data/kolada.toml``: the municipality's code and
how each outcome (avslutsorsak) counts in Kolada's categories A–E. An outcome that the mapping
leaves out is reported by name (:class:`KoladaError`), never guessed.

What the records keep: reading maps every outcome to one of the dashboard's five values
(``schema.OUTCOMES``; ``Överförd till Försäkringskassan`` and ``Slutfört uppdrag`` are synonyms of
``Annat``) and keeps the value as written beside it (``schema.AVSLUTSORSAK_KALLA``, words of the synonym
list only). A person's category is that of the written value when the mapping lists it, else that of
the canonical outcome (:func:`person_categories`): so C and D count what the export wrote, and a batch
stored before the written value was kept counts by its canonical outcomes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from ..base import schema as S
from ..base.errors import UserError
from ..base.settings import DATA_DIR
from ..base.validation import TomlError, read_toml
from ..compute.indicators import PersonCounter
from ..disclosure import control as disclosure
from ..disclosure.control import INTERNAL_MARK, is_internal
from ..intake.records import NEVER, Prepared, year_bounds
from ..intake.typed import normalise

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

MAPPING_FILE: Final = DATA_DIR / "kolada.toml"
CATEGORIES: Final = ("A", "B", "C", "D", "E")

class KoladaError(UserError, ValueError):
    """A mapping or a figure that cannot be made (Swedish message naming what is wrong)."""


@dataclass(frozen=True)
class Mapping:
    """``data/kolada.toml``: the municipality and outcome → category."""

    municipality: str
    name: str
    category_names: dict[str, str]
    #: normalised outcome value → category letter
    outcomes: dict[str, str]
    #: municipality code → name, for display
    municipalities: dict[str, str]

    def category_of(self, outcome: str) -> str | None:
        """The category of one outcome value, None when the file does not list it."""
        return self.outcomes.get(normalise(outcome))

    def check(self, outcomes: list[str]) -> None:
        """:class:`KoladaError` naming every outcome of ``outcomes`` that has no category."""
        missing = [o for o in outcomes if self.category_of(o) is None]
        if missing:
            raise KoladaError(
                f"{MAPPING_FILE.name}: avslutsorsaken {', '.join(repr(m) for m in missing)} har ingen Kolada-kategori. "
                f"Lägg till den under [utfall] med en av {', '.join(CATEGORIES)}; inget utfall gissas."
            )

    def municipality_name(self, code: str) -> str:
        return self.municipalities.get(code, code)


def parse_mapping(text: str, name: str = MAPPING_FILE.name) -> Mapping:
    """The mapping of a TOML text; :class:`KoladaError` with a Swedish message naming what is wrong."""
    try:
        raw = read_toml(text, name)
    except TomlError as exc:
        raise KoladaError(str(exc)) from exc
    code = str(raw.get("kommunkod", "")).strip()
    if not re.fullmatch(r"\d{4}", code):
        raise KoladaError(f"{name}: kommunkod ska vara kommunens fyra siffror (t.ex. \"1490\" för Borås), inte {code!r}.")
    cats = raw.get("kategorier", {})
    if not isinstance(cats, dict) or sorted(cats) != list(CATEGORIES):
        raise KoladaError(f"{name}: [kategorier] ska ha namn för exakt {', '.join(CATEGORIES)}.")
    table = raw.get("utfall")
    if not isinstance(table, dict) or not table:
        raise KoladaError(f"{name}: avsnittet [utfall] saknas; det anger vilken kategori (A–E) varje avslutsorsak hör till.")
    outcomes: dict[str, str] = {}
    for value, cat in table.items():
        letter = str(cat).strip().upper()
        if letter not in CATEGORIES:
            raise KoladaError(f"{name}: [utfall] {value!r} = {cat!r}: kategorin ska vara en av {', '.join(CATEGORIES)}.")
        key = normalise(value)
        if key in outcomes and outcomes[key] != letter:
            raise KoladaError(f"{name}: [utfall] {value!r} står två gånger med olika kategorier.")
        outcomes[key] = letter
    names = raw.get("kommuner", {})
    municipalities = {str(c): str(n) for c, n in names.items()} if isinstance(names, dict) else {}
    municipalities.setdefault(code, str(raw.get("kommun", code)))
    return Mapping(code, str(raw.get("kommun", code)), {c: str(cats[c]) for c in CATEGORIES}, outcomes, municipalities)


def load_mapping(path: Path = MAPPING_FILE) -> Mapping:
    """``data/kolada.toml`` (or ``path``); :class:`KoladaError` when it is missing or wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KoladaError(f"{path.name}: filen går inte att läsa ({exc.strerror or exc}).") from exc
    return parse_mapping(text, path.name)


def outcome_categories(mapping: Mapping) -> dict[int, str | None]:
    """Each canonical outcome code (index in ``schema.OUTCOMES``) → its category, None if unmapped."""
    return {i: mapping.category_of(o) for i, o in enumerate(S.OUTCOMES)}


def person_categories(prep: Prepared, latest: npt.NDArray[np.int64], mapping: Mapping) -> npt.NDArray[np.int64]:
    """Each person's category (index in :data:`CATEGORIES`, -1 = did not end) from the record of their
    latest ending (``latest``, -1 = none): the outcome as the file wrote it when the mapping lists it
    (``Överförd till Försäkringskassan`` → C), else the canonical outcome's category (``Subventionerat
    arbete`` is Arbete → A; a record stored without the written value, an older batch, likewise).
    :class:`KoladaError` names every outcome whose category neither gives, never guessed."""
    ended = latest >= 0
    if prep.n_records == 0 or not ended.any():
        return np.full(latest.size, -1, dtype=np.int64)
    row = np.maximum(latest, 0)

    def lookup(labels: tuple[str, ...] | list[str]) -> npt.NDArray[np.int64]:  # label code → category; code -1 → -1
        cats = [mapping.category_of(v) for v in labels]
        return np.array([-1 if c is None else CATEGORIES.index(c) for c in cats] + [-1], dtype=np.int64)

    canonical = np.where(ended, prep.outcome[row].astype(np.int64), -1)
    category = lookup(S.OUTCOMES)[canonical]
    written_codes = prep.codes.get(S.AVSLUTSORSAK_KALLA)
    written = np.full(latest.size, -1, dtype=np.int64)
    labels = prep.categories.get(S.AVSLUTSORSAK_KALLA, ())
    if written_codes is not None and labels:
        written = np.where(ended, written_codes[row].astype(np.int64), -1)
        by_written = lookup(labels)[written]
        category = np.where(by_written >= 0, by_written, category)
    missing = ended & (category < 0)
    if missing.any():  # named as written where the record keeps it, else by the canonical outcome
        names = {labels[w] if w >= 0 else S.OUTCOMES[o] for w, o in zip(written[missing], canonical[missing], strict=True)}
        mapping.check(sorted(names))
    return category


# --- the key figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    kind: str  # "count" or "share" (per cent of N40450)
    #: what Kolada's key figure counts (section 10 and Kolada's own definition)
    kolada: str
    #: how it is computed here from the unit's records
    here: str
    #: the difference, in one sentence ("" when there is none to speak of)
    difference: str = ""


_UNIT = ("Personer med ett slutdatum under året (en person med flera insatser räknas en gång; utfallet är det "
         "från den senast avslutade insatsen).")
_WORK = ("Kolada räknar bara arbete som varar minst en sammanhängande månad; exporten säger inte hur länge arbetet "
         "varade, så här räknas varje avslut till arbete, vilket kan ge en högre andel.")
_CD = ("C och D räknas ur exportens egna värden (t.ex. ”Överförd till Försäkringskassan”, ”Slutfört uppdrag”); "
       "ett system som skriver dem som något annat (t.ex. ”Avbrott”) får sina avslut i E.")
_TIME = ("Här är tiden från första start till sista slut bland personens insatser som avslutades under året; Kolada "
         "frågar efter tiden i kommunens arbetsmarknadsverksamhet, som kan ha börjat i en insats som inte finns i exporten.")

KPIS: Final = (
    Kpi("N40450", "Avslutade deltagare, antal", "count",
        "Deltagare i kommunens arbetsmarknadsverksamhet som avslutades under året.", _UNIT,
        "Kolada räknar de deltagare kommunen rapporterar för hela verksamheten; här bara de insatser som finns i exporten."),
    Kpi("U40450", "A. Börjat arbeta, antal", "count",
        "Avslutade som börjat ett arbete på den reguljära arbetsmarknaden, med eller utan stöd, som varar minst en "
        "sammanhängande månad; kommunal arbetsmarknadsanställning räknas inte.", "Avslutade med utfallet Arbete.", _WORK),
    Kpi("U40451", "B. Börjat studera, antal", "count",
        "Avslutade som börjat studier som ger rätt till studiemedel.", "Avslutade med utfallet Studier."),
    Kpi("U40452", "C. Överförts till annan myndighet, antal", "count",
        "Avslutade som överförts till annan myndighet (t.ex. Försäkringskassan eller regionen).",
        "Avslutade vars utfall data/kolada.toml för till C.", _CD),
    Kpi("U40453", "D. Slutförda uppdrag, antal", "count",
        "Avslutade vars uppdrag slutförts enligt plan.", "Avslutade vars utfall data/kolada.toml för till D.", _CD),
    Kpi("U40454", "E. Övrigt, antal", "count",
        "Övriga avslutade, kommunal arbetsmarknadsanställning inräknad.",
        "Avslutade med övriga utfall (Arbetsmarknadsanställning, Ohälsa och övrigt Annat med standardfilen).", _CD),
    Kpi("U40406", "A. Börjat arbeta, andel (%)", "share", "A i procent av de avslutade.", "U40450 / N40450.", _WORK),
    Kpi("U40409", "B. Börjat studera, andel (%)", "share", "B i procent av de avslutade.", "U40451 / N40450."),
    Kpi("U40412", "C. Överförts till annan myndighet, andel (%)", "share", "C i procent av de avslutade.",
        "U40452 / N40450.", _CD),
    Kpi("U40415", "D. Slutförda uppdrag, andel (%)", "share", "D i procent av de avslutade.", "U40453 / N40450.", _CD),
    Kpi("U40418", "E. Övrigt, andel (%)", "share", "E i procent av de avslutade.", "U40454 / N40450.", _CD),
    Kpi("U40455", "Börjat arbeta eller studera, andel (%)", "share",
        "Avslutade som börjat arbeta eller studera (A + B), i procent av de avslutade.", "(U40450 + U40451) / N40450.",
        _WORK),
    Kpi("N40828", "Avslutade inom 6 månader, andel (%)", "share",
        "Avslutade vars tid i verksamheten var högst 6 månader, i procent av de avslutade.",
        "Tid från första start till sista slut högst 6 kalendermånader.", _TIME),
    Kpi("N40829", "Avslutade efter 6–12 månader, andel (%)", "share",
        "Avslutade vars tid i verksamheten var mer än 6 och högst 12 månader.", "Mer än 6, högst 12 kalendermånader.", _TIME),
    Kpi("N40830", "Avslutade efter 12–24 månader, andel (%)", "share",
        "Avslutade vars tid i verksamheten var mer än 12 och högst 24 månader.", "Mer än 12, högst 24 kalendermånader.",
        _TIME),
    Kpi("N40826", "Utan arbete 6–12 månader före inskrivning, andel (%)", "share",
        "Avslutade som varit utan arbete mer än 6 och högst 12 månader före inskrivningen.",
        "Kolumnen manader_utan_arbete (månader utan arbete före första start); räknas bara när den finns.",
        "De flesta exporter saknar kolumnen; då räknas nyckeltalet inte."),
    Kpi("N40827", "Utan arbete 12–24 månader före inskrivning, andel (%)", "share",
        "Avslutade som varit utan arbete mer än 12 och högst 24 månader före inskrivningen.",
        "Som N40826, mer än 12 och högst 24 månader.", "De flesta exporter saknar kolumnen; då räknas nyckeltalet inte."),
)
KPI_OF: Final = {k.id: k for k in KPIS}
COUNT_OF_CATEGORY: Final = dict(zip(CATEGORIES, ("U40450", "U40451", "U40452", "U40453", "U40454"), strict=True))
SHARE_OF_CATEGORY: Final = dict(zip(CATEGORIES, ("U40406", "U40409", "U40412", "U40415", "U40418"), strict=True))
#: time in the programme: (id, more than … months, at most … months)
TIME_BANDS: Final = (("N40828", None, 6), ("N40829", 6, 12), ("N40830", 12, 24))
WITHOUT_WORK_BANDS: Final = (("N40826", 6, 12), ("N40827", 12, 24))
GENDERS: Final = ("T", "K", "M")
GENDER_LABELS: Final = {"T": "Totalt", "K": "Kvinnor", "M": "Män"}
HIDDEN: Final = ".."


def protect(counts: dict[str, int], keysums: dict[str, int], k: int) -> dict[str, int | None]:
    """One Kolada cell by gender (T, K, M) as published at ``k``: the rule of every published count
    (:func:`disclosure.perturb_counts`: exact in internal mode, else cell-key perturbed and hidden below
    k, 0 included), and T hidden with a hidden K or M (:func:`disclosure.publish` hides a total so). The
    same persons as an indicator cell (``avslutade``, ended to work or studies) give the same number."""
    perturbed = disclosure.perturb_counts([counts[g] for g in GENDERS], [keysums[g] for g in GENDERS], k)
    hidden = np.ma.getmaskarray(perturbed)
    out: dict[str, int | None] = {g: None if hidden[i] else int(perturbed.data[i]) for i, g in enumerate(GENDERS)}
    if not is_internal(k) and (out["K"] is None or out["M"] is None):
        out["T"] = None
    return out


def percent(numerator: int | None, denominator: int | None) -> float | None:
    """A share in per cent with one decimal (half up), None when either part is hidden or nobody ended."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return math.floor(1000 * numerator / denominator + 0.5) / 10


Bool = npt.NDArray[np.bool_]


def _add_months(days: npt.NDArray[np.int64], months: int) -> npt.NDArray[np.int64]:
    """The same day ``months`` calendar months later (the month's last day where it has fewer days)."""
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_offset = d - month.astype("datetime64[D]")
    target = month + np.timedelta64(months, "M")
    last_day = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    out: npt.NDArray[np.int64] = np.minimum(target.astype("datetime64[D]") + day_offset, last_day).astype(np.int64)
    return out


@dataclass(frozen=True)
class Figures:
    """One year's Kolada figures for the unit, protected as :func:`protect` says."""

    year: int
    municipality: str
    k: int
    #: (kpi id, gender T/K/M) → value (whole count, or per cent with one decimal); None = hidden or undefined
    values: dict[tuple[str, str], float | int | None]
    #: the cells hidden by disclosure control (status "..")
    hidden: frozenset[tuple[str, str]]

    @property
    def internal(self) -> bool:
        return is_internal(self.k)

    def ids(self) -> list[str]:
        return [kpi.id for kpi in KPIS if any((kpi.id, g) in self.values for g in GENDERS)]

    def value(self, kpi: str, gender: str = "T") -> float | int | None:
        return self.values.get((kpi, gender))

    def kolada_rows(self) -> list[dict[str, Any]]:
        """Kolada API v3's ``/data`` objects: one per key figure, its values T, K, M."""
        out: list[dict[str, Any]] = []
        for kid in self.ids():
            vals = []
            for g in GENDERS:
                hidden = (kid, g) in self.hidden
                vals.append({"gender": g, "count": 1, "status": HIDDEN if hidden else "", "value": self.values[(kid, g)]})
            out.append({"kpi": kid, "municipality": self.municipality, "period": self.year, "values": vals})
        return out

    def frame(self) -> pd.DataFrame:
        """The submission's layout: one row per key figure and gender (Id, Nyckeltal, Kön, Värde, Status)."""
        import pandas as pd

        rows = [(kid, KPI_OF[kid].title, GENDER_LABELS[g], self.values[(kid, g)], HIDDEN if (kid, g) in self.hidden else "")
                for kid in self.ids() for g in GENDERS]
        df = pd.DataFrame(rows, columns=["Id", "Nyckeltal", "Kön", "Värde", "Status"])
        df["Värde"] = df["Värde"].astype("Float64")
        return df

    def note(self) -> str:
        """What every output of these figures says about their protection."""
        if self.internal:
            return f"{INTERNAL_MARK}. Exakta tal (inrapporteringen till Kolada)."
        return f"{disclosure.note(self.k)}. Andelarna räknas från de visade antalen."  # the words of every published table


def compute(prep: Prepared, year: int, k: int, mapping: Mapping | None = None,
            months_without_work: npt.NDArray[np.float64] | None = None) -> Figures:
    """The Kolada figures of ``year`` by gender (T = everyone, K = women, M = men), protected at ``k``.

    The unit is the person with a record ending in ``year`` (``avslutade`` of section 2), with the
    outcome of their latest ending (the indicators' rule). Time in the programme: from the first start
    to the last end of the person's records ending in the year. ``months_without_work``: the optional
    column ``manader_utan_arbete`` per record (NaN unknown), taken from the person's first-starting
    record of the year's endings; without it N40826–N40827 are not computed. :class:`KoladaError`
    names any outcome among the year's endings that the mapping leaves out."""
    mapping = mapping or load_mapping()
    lo, hi = year_bounds(year)
    ended = (prep.end >= lo) & (prep.end <= hi)
    latest = PersonCounter(prep, None, 1).latest_row(ended)  # per person, -1 = did not end
    category = person_categories(prep, latest, mapping)
    is_ended = latest >= 0
    gender, keys = prep.person_gender, prep.person_key

    def cell(flags: Bool) -> dict[str, int | None]:
        sel = {"T": flags, "K": flags & (gender == 0), "M": flags & (gender == 1)}
        return protect({g: int(np.count_nonzero(s)) for g, s in sel.items()},
                       {g: int(keys[s].sum()) if keys.size else 0 for g, s in sel.items()}, k)

    values: dict[tuple[str, str], float | int | None] = {}
    hidden: set[tuple[str, str]] = set()

    def put_count(kid: str, shown: dict[str, int | None]) -> None:
        for g in GENDERS:
            values[(kid, g)] = shown[g]
            if shown[g] is None:
                hidden.add((kid, g))

    def put_share(kid: str, num: dict[str, int | None], den: dict[str, int | None]) -> None:
        for g in GENDERS:
            values[(kid, g)] = percent(num[g], den[g])
            if not is_internal(k) and (num[g] is None or den[g] is None):
                hidden.add((kid, g))

    total = cell(is_ended)
    put_count("N40450", total)
    by_cat: dict[str, dict[str, int | None]] = {}
    for i, c in enumerate(CATEGORIES):
        by_cat[c] = cell(is_ended & (category == i))
        put_count(COUNT_OF_CATEGORY[c], by_cat[c])
    for c in CATEGORIES:
        put_share(SHARE_OF_CATEGORY[c], by_cat[c], total)
    a_b = {g: None if by_cat["A"][g] is None or by_cat["B"][g] is None else int(by_cat["A"][g] or 0) + int(by_cat["B"][g] or 0)
           for g in GENDERS}
    put_share("U40455", a_b, total)

    # time in the programme: first start and last end of each person's records ending in the year
    rows = np.flatnonzero(ended & (prep.start != NEVER))
    first = np.full(prep.n_persons, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(prep.n_persons, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first, prep.person[rows], prep.start[rows].astype(np.int64))
    np.maximum.at(last, prep.person[rows], prep.end[rows].astype(np.int64))
    known = is_ended & (first != np.iinfo(np.int64).max)
    start_days = np.where(known, first, 0)
    for kid, above, at_most in TIME_BANDS:
        band = known & (last <= _add_months(start_days, at_most))
        if above is not None:
            band &= last > _add_months(start_days, above)
        put_share(kid, cell(band), total)

    if months_without_work is not None:
        months = np.full(prep.n_persons, np.nan)
        order = rows[np.lexsort((-rows, prep.start[rows]))]  # per person, the first start (ties: first row) last
        months[prep.person[order[::-1]]] = np.asarray(months_without_work, dtype=np.float64)[order[::-1]]
        for kid, above, at_most in WITHOUT_WORK_BANDS:
            with np.errstate(invalid="ignore"):
                band = is_ended & (months > above) & (months <= at_most)
            put_share(kid, cell(band), total)
    return Figures(year, mapping.municipality, k, values, frozenset(hidden))


# --- files ---------------------------------------------------------------------------------------


def file_stem(fig: Figures) -> str:
    """``kolada_1490_2018`` (``_INTERNT`` at the end of an internal file: disclosure's rule)."""
    from ..disclosure.control import file_name

    return file_name(f"kolada_{fig.municipality}_{fig.year}", fig.internal)


def definitions_frame(ids: list[str] | None = None) -> pd.DataFrame:
    """The key figures' definitions side by side: Kolada's, this tool's, and the difference."""
    import pandas as pd

    kpis = [KPI_OF[i] for i in ids] if ids is not None else list(KPIS)
    return pd.DataFrame([(k.id, k.title, k.kolada, k.here, k.difference) for k in kpis],
                        columns=["Id", "Nyckeltal", "Kolada", "Här (ur exporten)", "Skillnad"])


def xlsx(fig: Figures, extract_id: str | None = None) -> bytes:
    """The figures as a workbook laid out per key figure and gender (the internal one is the
    submission, with its extract id), with the definitions on a second sheet; the protection note
    under each table."""
    from ..show.export import extract_line
    from ..show.export import xlsx as workbook

    note = fig.note() + (f" · {extract_line(extract_id)}" if extract_id else "")
    sheet = f"Kolada {fig.year}" + (" – INTERNT" if fig.internal else "")  # the mark on the tab as well as under the table
    return workbook({sheet: fig.frame(), "Definitioner": definitions_frame(fig.ids())}, note)


# --- Kolada's own files (for comparison) -------------------------------------------------------

COMPARISON_DIR: Final = DATA_DIR / "kolada"
API: Final = "https://api.kolada.se/v3"


class KoladaFileError(KoladaError):
    """A file that is not Kolada v3 ``/data`` (Swedish message naming the file and what is wrong)."""


@dataclass(frozen=True)
class KoladaValue:
    """One published value: key figure, municipality, year, gender, value (None = not published)."""

    kpi: str
    municipality: str
    period: int
    gender: str
    value: float | None
    status: str


def api_url(kpis: list[str], municipalities: list[str], years: list[int]) -> str:
    """The Kolada v3 address whose answer is the file to download (``/data/kpi/…/municipality/…/year/…``)."""
    return (f"{API}/data/kpi/{','.join(kpis)}/municipality/{','.join(municipalities)}"
            f"/year/{','.join(str(y) for y in years)}")


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def read_kolada(raw: bytes, name: str) -> tuple[list[KoladaValue], list[str]]:
    """The values of a Kolada v3 ``/data`` answer (``{"values": [...], "count": n, "next_url": ...}``
    or the bare list of ``/data`` objects) and warnings (a page of several); :class:`KoladaFileError`
    naming the file and what is wrong for anything else."""
    import json

    def fail(what: str) -> KoladaFileError:
        return KoladaFileError(f"Fil {name}: {what}")

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail("är inte text i UTF-8, som Koladas JSON-svar är. Spara svaret från Kolada som det är.") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"är inte JSON (rad {exc.lineno}, kolumn {exc.colno}: {exc.msg}). "
                   "Spara svaret från Koladas /data-adress som det är.") from None
    warnings: list[str] = []
    if isinstance(doc, dict):
        if "values" not in doc:
            keys = ", ".join(sorted(str(k) for k in doc)[:6]) or "inga"
            raise fail(f"har inget fält \"values\" (fälten är: {keys}); det är inget svar från Koladas /data.")
        items = doc["values"]
        if doc.get("next_url"):
            warnings.append(f"Fil {name} är en sida av flera: hämta även nästa sida ({doc['next_url']}).")
    elif isinstance(doc, list):
        items = doc
    else:
        raise fail(f"ska vara ett JSON-objekt med \"values\" eller en lista av /data-objekt, inte {type(doc).__name__}.")
    if not isinstance(items, list):
        raise fail("fältet \"values\" ska vara en lista.")
    out: list[KoladaValue] = []
    for i, obj in enumerate(items, 1):
        where = f"objekt {i}"
        if not isinstance(obj, dict):
            raise fail(f"{where} är inget JSON-objekt.")
        if "ou" in obj and "municipality" not in obj:
            raise fail(f"{where} gäller en organisatorisk enhet (ou), inte en kommun; hämta /data/kpi/…/municipality/….")
        if "kpi" not in obj and ("title" in obj or "id" in obj):
            raise fail(f"{where} har id och titel men inga värden: filen ser ut som Koladas lista över nyckeltal (/kpi) "
                       "eller kommuner (/municipality), inte värden (/data).")
        for key in ("kpi", "municipality", "period", "values"):
            if key not in obj:
                raise fail(f"{where} saknar fältet \"{key}\".")
        kpi, muni, period = obj["kpi"], obj["municipality"], obj["period"]
        if not isinstance(kpi, str) or not kpi:
            raise fail(f"{where}: \"kpi\" ska vara ett nyckeltals id (text), inte {kpi!r}.")
        if not isinstance(muni, str) or not re.fullmatch(r"\d{4}", muni):
            raise fail(f"{where} ({kpi}): \"municipality\" ska vara en kommunkod med fyra siffror som text, inte {muni!r}.")
        if isinstance(period, str) and period.isdigit():
            period = int(period)
        if not isinstance(period, int) or isinstance(period, bool) or not 1900 <= period <= 2200:
            raise fail(f"{where} ({kpi}, {muni}): \"period\" ska vara ett år, inte {obj['period']!r}.")
        if not isinstance(obj["values"], list):
            raise fail(f"{where} ({kpi}, {muni}, {period}): \"values\" ska vara en lista.")
        for j, v in enumerate(obj["values"], 1):
            at = f"{where} ({kpi}, {muni}, {period}), värde {j}"
            if not isinstance(v, dict) or "gender" not in v or "value" not in v:
                raise fail(f"{at} ska ha \"gender\" och \"value\".")
            if v["gender"] not in GENDERS:
                raise fail(f"{at}: kön {v['gender']!r} är inte T, K eller M.")
            if v["value"] is not None and not _is_number(v["value"]):
                raise fail(f"{at}: \"value\" ska vara ett tal eller null, inte {v['value']!r}.")
            status = v.get("status") or ""
            if not isinstance(status, str):
                raise fail(f"{at}: \"status\" ska vara text, inte {status!r}.")
            out.append(KoladaValue(kpi, muni, period, v["gender"], None if v["value"] is None else float(v["value"]),
                                   status))
    if not out:
        warnings.append(f"Fil {name} innehåller inga värden.")
    return out, warnings


def shipped_values(folder: Path = COMPARISON_DIR) -> tuple[list[KoladaValue], list[str]]:
    """Every Kolada file in ``data/kolada/`` (the shipped Borås series and files dropped there), and
    one message per file that could not be read."""
    values: list[KoladaValue] = []
    messages: list[str] = []
    for f in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            got, warn = read_kolada(f.read_bytes(), f.name)
        except KoladaFileError as exc:
            messages.append(str(exc))
            continue
        values += got
        messages += warn
    return values, messages


# --- the comparison (Jämförelse page) ------------------------------------------------------------

OWN: Final = "Egna poster"
COMPARISON_COLUMNS: Final = ("Serie", "År", "Kön", "Värde", "Status")
#: series colours (Okabe–Ito, distinguishable with colour-vision deficiencies); gender is the line's dash
SERIES_COLOURS: Final = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#F0E442")
GENDER_DASH: Final = {"Totalt": "solid", "Kvinnor": "dot", "Män": "dash"}


def series_name(mapping: Mapping, code: str) -> str:
    return f"Kolada: {mapping.municipality_name(code)} ({code})"


def comparison_frame(own: list[Figures], published: list[KoladaValue], kpi: str, municipalities: list[str],
                     mapping: Mapping) -> pd.DataFrame:
    """The unit's own values of ``kpi`` beside Kolada's for ``municipalities``, one row per series,
    year and gender (:data:`COMPARISON_COLUMNS`); a Kolada value published twice (two files) once."""
    import pandas as pd

    rows: list[tuple[str, int, str, float | None, str]] = []
    for fig in sorted(own, key=lambda f: f.year):
        for g in GENDERS:
            if (kpi, g) in fig.values:
                rows.append((OWN, fig.year, GENDER_LABELS[g], fig.values[(kpi, g)], HIDDEN if (kpi, g) in fig.hidden else ""))
    seen: set[tuple[str, int, str]] = set()
    for code in municipalities:
        for v in sorted((v for v in published if v.kpi == kpi and v.municipality == code), key=lambda v: (v.period, v.gender)):
            if (code, v.period, v.gender) in seen:
                continue
            seen.add((code, v.period, v.gender))
            rows.append((series_name(mapping, code), v.period, GENDER_LABELS[v.gender], v.value, v.status))
    df = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    df["Värde"] = df["Värde"].astype("Float64")
    return df


def comparison_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The comparison as a table to read: one row per year, one column per series and gender."""
    if frame.empty:
        return frame
    wide = frame.pivot_table(index="År", columns=["Serie", "Kön"], values="Värde", aggfunc="first", sort=False)
    wide.columns = [f"{col[0]}, {str(col[1]).lower()}" for col in wide.columns]
    return wide.reset_index()


def comparison_sentence(frame: pd.DataFrame, kpi: str, home: str) -> str:
    """One sentence on what the chart shows (its text alternative)."""
    title = KPI_OF[kpi].title if kpi in KPI_OF else kpi
    unit = " procentenheter" if kpi in KPI_OF and KPI_OF[kpi].kind == "share" else ""
    series = [s for s in dict.fromkeys(frame["Serie"]) if s != OWN]
    from ..base.formatting import number

    shown = frame.dropna(subset=["Värde"])
    if shown.empty:
        return f"{title}: inga värden att visa."
    span = f"{int(shown['År'].min())}–{int(shown['År'].max())}"
    text = f"{title}, {span}: egna poster" + (f" och {', '.join(series)}" if series else " (inga Kolada-värden valda)") + "."
    total = shown[shown["Kön"] == "Totalt"]
    own = total[total["Serie"] == OWN].set_index("År")["Värde"]
    theirs = total[total["Serie"] == home].set_index("År")["Värde"]
    both = own.index.intersection(theirs.index)
    if len(both):
        diff = (own[both] - theirs[both]).astype(float)
        years = f"{int(both.min())}–{int(both.max())}" if len(both) > 1 else str(int(both[0]))
        worst = int(str(abs(diff).idxmax()))
        sign = "+" if diff[worst] > 0 else "−" if diff[worst] < 0 else "±"
        text += (f" Totalt skiljer sig de egna värdena från {home} med i genomsnitt {number(abs(diff).mean(), 1)}{unit} "
                 f"({years}); störst skillnad {worst}: {sign}{number(abs(diff[worst]), 1)}{unit}.")
    return text


def comparison_chart(frame: pd.DataFrame, kpi: str, home: str, note: str) -> go.Figure:
    """Lines over the years: a colour per series (own records first), a dash per gender."""
    import plotly.graph_objects as go

    from ..show.charts import layout

    fig = go.Figure()
    series = list(dict.fromkeys(frame["Serie"]))
    for i, s in enumerate(series):
        for gender in ("Totalt", "Kvinnor", "Män"):
            part = frame[(frame["Serie"] == s) & (frame["Kön"] == gender)].sort_values("År")
            if part.empty or part["Värde"].isna().all():
                continue
            fig.add_trace(go.Scatter(
                x=part["År"], y=part["Värde"].astype(float), name=f"{s}, {gender.lower()}", mode="lines+markers",
                line={"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "dash": GENDER_DASH[gender], "width": 2.5},
                connectgaps=False, hovertemplate="%{x}: %{y}<extra>" + f"{s}, {gender.lower()}" + "</extra>"))
    title = KPI_OF[kpi].title if kpi in KPI_OF else kpi
    fig = layout(fig, f"{kpi} {title}", note, comparison_sentence(frame, kpi, home), x_title=True,
                 legend_rows=max(1, (len(fig.data) + 1) // 2))
    fig.update_xaxes(title="År", dtick=1)
    fig.update_yaxes(title="Procent" if kpi in KPI_OF and KPI_OF[kpi].kind == "share" else "Antal", rangemode="tozero")
    return fig


HEADLINE: Final = "U40455"


def display_frame(fig: Figures) -> pd.DataFrame:
    """:meth:`Figures.frame` as a reader sees it: counts whole, shares in per cent with one decimal
    (Swedish numbers), a hidden value ``..``, an undefined one ``–``."""
    import pandas as pd

    from ..base import formatting as F

    out = fig.frame()
    out["Värde"] = [F.SUPPRESSED if st == HIDDEN else F.MISSING if pd.isna(v) else
                    F.number(v, 1 if KPI_OF[kid].kind == "share" else 0)
                    for kid, v, st in zip(out["Id"], out["Värde"], out["Status"], strict=True)]
    return out


def report_section(prep: Prepared, year: int, k: int) -> Any:
    """The annual report's section on Kolada: this year's figures by gender (published, or exact and
    marked in internal mode) and the unit's A + B share beside the shipped Kolada series."""
    from ..show.views import ReportSection

    mapping = load_mapping()
    own = [compute(prep, y, k, mapping) for y in prep.whole_years()]
    this = next((f for f in own if f.year == year), None)
    if this is None:
        return None
    published, _ = shipped_values()
    home = series_name(mapping, mapping.municipality)
    frame = comparison_frame(own, published, HEADLINE, [mapping.municipality], mapping)
    return ReportSection(
        year, "Kolada: kommunal arbetsmarknadsstatistik", comparison_sentence(frame, HEADLINE, home),
        comparison_chart(frame, HEADLINE, home, this.note()),
        {f"Nyckeltal {year}": display_frame(this), "Jämförelse med Kolada": comparison_table(frame)},
        {f"Kolada {year}": this.frame()}, this.note(),
    )
