"""A board's yearly follow-up as one self-describing file, and several boards' files compiled.

Fritids- och folkhälsonämnden compiles every board's follow-up of its plan once a year (the seed,
item 11). ``export-uppfoljning`` writes one board's follow-up – the plan's goals with each
measure's assessment over the period, the activities' status, the key published figures and the
målområden's texts – as JSON with a schema name and version (and as xlsx for people);
``sammanstall`` merges several such files into one HTML report with every board's goals and
assessments side by side.

Only published figures enter a file: the tables are disclosure-controlled at the configured k
(the internal view, k ≤ 1, is refused), and ``sammanstall`` refuses a file whose schema version
it does not know, a file marked internal, and a file with an unsuppressed count below its k.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd
from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from ..base import schema as S
from ..base.errors import UserError
from ..compute.indicators import indicator
from . import model as P

SCHEMA: Final = "jamstalldhet-uppfoljning"
SCHEMA_VERSION: Final = 1
#: the key figures of a follow-up file (section 2 ids), from the year's standard table
KEY_FIGURES: Final = ("deltagare", "anvisade", "avslutade", "avslut_arbete", "avslut_studier",
                      "avslut_arbetsmarknadsanstallning", "avslut_ohalsa", "fragat_om_vald", "uppgett_vald")


class FollowupError(UserError, ValueError):
    """A follow-up file that cannot be made or read (Swedish message naming the file)."""


# --- one board's file ------------------------------------------------------------------------

def _assessment(a: P.Assessment) -> dict[str, Any]:
    return {"year": a.year, "result": a.result, "value": a.value, "reason": a.reason, "perturbed": a.perturbed}


def build(prep: Any, year: int, cat: Any, plan_: P.Plan, k: int, texts: Path | None = None,
          created: datetime | None = None) -> dict[str, Any]:
    """The board's follow-up of ``year`` as a JSON-ready dict (published figures only)."""
    from ..disclosure.control import is_internal
    from ..show.export import records
    from . import narrative

    if is_internal(k):
        raise FollowupError("En uppföljningsfil innehåller bara publicerade siffror: röjandekontrollen kan inte "
                            f"vara avstängd (k = {k}).")
    tables = P.published_tables(prep, k)
    pv = P.view(plan_, year, tables, cat, root=texts)
    pub = tables(year, {}) if year in prep.years() else None
    figures = [r for r in records(pub) if r["indicator"] in KEY_FIGURES] if pub is not None else []
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "created": (created or datetime.now().astimezone()).isoformat(timespec="seconds"),
        "board": plan_.board or cat.unit,
        "unit": cat.unit,
        "year": year,
        "data_until": prep.last_date(),
        "disclosure": {"k": k, "note": pv.note},
        "plan": {"title": plan_.title, "start": plan_.start, "end": plan_.end,
                 "problems": [str(p) for p in plan_.problems]},
        "goals": [{
            "number": g.goal.number, "id": g.goal.id, "text": g.goal.text, "malomrade": g.goal.malomrade,
            "malomrade_title": g.area_title,
            "measures": [{"title": m.title, "indicator": m.measure.indicator, "scope": m.measure.scope,
                          "filters": m.measure.filter_dict, "target": m.measure.target.text,
                          "current": _assessment(m.current), "trend": [_assessment(a) for a in m.trend]}
                         for m in g.measures],
        } for g in pv.goals],
        "activities": [{
            "id": a.activity.id, "goal": a.goal_number, "text": a.activity.text, "planned_year": a.activity.planned_year,
            "status": [{"year": y, "status": e.status if e else None, "comment": e.comment if e else ""}
                       for y, e in a.by_year],
        } for a in pv.activities],
        "figures": figures,
        "texts": [{"malomrade": m.id, "title": m.title, "text": narrative.read(year, m.id, texts)}
                  for m in cat.malomraden],
    }


def to_json(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def sheets(doc: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """The same follow-up as tables (one per sheet) for the xlsx file."""
    goals = pd.DataFrame([{
        "Mål": f"Mål {g['number']}", "Målområde": g["malomrade_title"], "Mått": m["title"], "Urval": m["scope"],
        "Målvärde": m["target"], f"Värde {doc['year']}": m["current"]["value"],
        f"Bedömning {doc['year']}": m["current"]["result"],
        **{f"Bedömning {a['year']}": a["result"] for a in m["trend"]},
        "Kommentar": m["current"]["reason"]} for g in doc["goals"] for m in g["measures"]])
    goal_texts = pd.DataFrame([{"Mål": f"Mål {g['number']}", "Målområde": g["malomrade_title"], "Text": g["text"]}
                               for g in doc["goals"]])
    acts = pd.DataFrame([{"Mål": f"Mål {a['goal']}", "Aktivitet": a["text"], "Planerat år": a["planned_year"],
                          **{f"Status {s['year']}": s["status"] or "–" for s in a["status"]},
                          **{f"Kommentar {s['year']}": s["comment"] for s in a["status"]}} for a in doc["activities"]])
    figures = pd.DataFrame([{"Indikator": f["indicator"], "Kön": f["gender"], "Antal": f["count"],
                             "Nämnare": f["denominator"], "Andel": f["share"]} for f in doc["figures"]])
    texts = pd.DataFrame([{"Målområde": t["title"], "Text": t["text"]} for t in doc["texts"]])
    about = pd.DataFrame([{"Uppgift": key, "Värde": str(value)} for key, value in (
        ("Schema", doc["schema"]), ("Schemaversion", doc["schema_version"]), ("Nämnd", doc["board"]),
        ("År", doc["year"]), ("Plan", doc["plan"]["title"]), ("Planperiod", f"{doc['plan']['start']}–{doc['plan']['end']}"),
        ("Data till och med", doc["data_until"] or "–"), ("Skapad", doc["created"]),
        ("Röjandekontroll", doc["disclosure"]["note"]))])
    return {"Mål och bedömningar": goals, "Målen": goal_texts, "Aktiviteter": acts, "Nyckeltal": figures,
            "Uppföljningstexter": texts, "Om filen": about}


def to_xlsx(doc: Mapping[str, Any]) -> bytes:
    from ..show.export import xlsx

    return xlsx(sheets(doc), str(doc["disclosure"]["note"]))


# --- reading a board's file ------------------------------------------------------------------

_REQUIRED: Final = ("board", "year", "disclosure", "plan", "goals", "activities", "figures", "texts")


def check(doc: object, name: str) -> dict[str, Any]:
    """A follow-up file's content, or FollowupError (Swedish, naming the file) when it cannot be used."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise FollowupError(f"{name}: filen är ingen uppföljningsfil (schema {SCHEMA} saknas).")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise FollowupError(f"{name}: schemaversion {version} kan inte läsas; den här versionen av verktyget läser "
                            f"schemaversion {SCHEMA_VERSION}. Be nämnden exportera filen på nytt med samma version.")
    missing = [key for key in _REQUIRED if key not in doc]
    if missing:
        raise FollowupError(f"{name}: uppgiften {', '.join(missing)} saknas i filen.")
    k = doc["disclosure"].get("k") if isinstance(doc["disclosure"], dict) else None
    if not isinstance(k, int) or k <= 1:
        raise FollowupError(f"{name}: filen är inte röjandekontrollerad (k = {k}) och får inte sammanställas.")
    for f in doc["figures"]:
        count = f.get("count") if isinstance(f, dict) else None
        if isinstance(count, int) and 1 <= count < k:
            raise FollowupError(f"{name}: filen innehåller ett tal under {k} ({f.get('indicator')}, {f.get('gender')}) "
                                "som borde ha dolts; den sammanställs inte.")
    return doc


def read(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FollowupError(f"{path.name}: filen finns inte.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FollowupError(f"{path.name}: filen går inte att läsa som JSON ({exc}).") from exc
    return check(raw, path.name)


# --- the compiled report -----------------------------------------------------------------------

_TEMPLATE: Final = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
@page { size: A4 landscape; margin: 15mm;
  @bottom-right { content: "Sida " counter(page) " av " counter(pages); font: 8pt "DejaVu Sans", Arial, sans-serif; } }
body { font-family: "Source Sans Pro", "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.4;
       color: #1f1f1f; max-width: 260mm; margin: 0 auto; padding: 10mm 6mm; }
h1 { font-size: 20pt; margin: 0 0 3mm 0; } h2 { font-size: 15pt; border-bottom: 2px solid #1f1f1f; margin: 8mm 0 3mm 0; }
h3 { font-size: 12pt; margin: 5mm 0 2mm 0; }
table { border-collapse: collapse; margin: 2mm 0 4mm 0; font-size: 9.5pt; }
caption { text-align: left; font-weight: bold; padding: 0 0 1.5mm 0; }
th, td { border: 1px solid #bdbdbd; padding: 1.2mm 1.8mm; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.tal { text-align: right; white-space: nowrap; }
ul.matt { margin: 1mm 0 0 0; padding-left: 4mm; }
.not, .saknas { color: #555; font-size: 9pt; }
section.namnd { break-before: page; page-break-before: always; }
.text { background: #f6f6f4; border-left: 3px solid #0072B2; padding: 1mm 3mm; margin: 0 0 3mm 0; }
</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p>{{ boards|length }} nämnder · år {{ years }} · sammanställd {{ created }}. Alla siffror är röjandekontrollerade
av respektive nämnd; ”..” betyder att värdet inte visas (för få personer). Bedömningen står alltid i ord:
{% for w, icon in icons.items() %}<span aria-hidden="true">{{ icon }}</span> {{ w }}{% if not loop.last %}, {% endif %}{% endfor %}.</p>
</header>

<section>
<h2>Översikt</h2>
<table>
<caption>Målens bedömning och aktiviteternas status per nämnd</caption>
<thead><tr><th scope="col">Nämnd</th><th scope="col">År</th><th scope="col">Plan och period</th>
{% for w in icons %}<th scope="col">{{ w }}</th>{% endfor %}
<th scope="col">Aktiviteter</th></tr></thead>
<tbody>
{% for b in boards %}<tr><th scope="row"><a href="#namnd-{{ loop.index }}">{{ b.doc.board }}</a></th><td class="tal">{{ b.doc.year }}</td>
<td>{{ b.doc.plan.title }}, {{ b.doc.plan.start }}–{{ b.doc.plan.end }}</td>
{% for w in icons %}<td class="tal">{{ b.counts[w] }}</td>{% endfor %}
<td>{{ b.activity_summary or "–" }}</td></tr>
{% endfor %}</tbody>
</table>

<h2>Mål och bedömningar sida vid sida</h2>
<table>
<caption>Varje nämnds mål per målområde, med årets bedömning av varje mått</caption>
<thead><tr><th scope="col">Målområde</th>{% for b in boards %}<th scope="col">{{ b.doc.board }} {{ b.doc.year }}</th>{% endfor %}</tr></thead>
<tbody>
{% for area in areas %}<tr><th scope="row">{{ area }}</th>
{% for b in boards %}<td>{% for g in b.doc.goals if g.malomrade_title == area %}
<p><strong>Mål {{ g.number }}.</strong> {{ g.text }}</p>
<ul class="matt">{% for m in g.measures %}<li><span aria-hidden="true">{{ icons[m.current.result] }}</span> <strong>{{ m.current.result }}</strong>: {{ m.title }} ({{ m.target }}; {{ m.current.value }})</li>{% endfor %}</ul>
{% else %}<span class="saknas">Inget mål</span>{% endfor %}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
</section>

{% for b in boards %}
<section class="namnd" id="namnd-{{ loop.index }}">
<h2>{{ b.doc.board }} {{ b.doc.year }}</h2>
<p class="not">{{ b.doc.plan.title }}, {{ b.doc.plan.start }}–{{ b.doc.plan.end }}. {{ b.doc.unit }}{% if b.doc.unit %}. {% endif %}Data till och med {{ b.doc.data_until or "–" }}. {{ b.doc.disclosure.note }}.</p>
{% for g in b.doc.goals %}
<h3>Mål {{ g.number }} ({{ g.malomrade_title }})</h3>
<p>{{ g.text }}</p>
<table>
<caption>Mål {{ g.number }}: mått, målvärde och bedömning per år</caption>
<thead><tr><th scope="col">Mått</th><th scope="col">Målvärde</th><th scope="col">Värde {{ b.doc.year }}</th>
{% for a in (g.measures[0].trend if g.measures else []) %}<th scope="col">{{ a.year }}</th>{% endfor %}</tr></thead>
<tbody>{% for m in g.measures %}<tr><th scope="row">{{ m.title }}{% if m.scope != "Alla deltagare" %}<br><span class="not">{{ m.scope }}</span>{% endif %}</th>
<td>{{ m.target }}</td><td>{{ m.current.value }}</td>
{% for a in m.trend %}<td><span aria-hidden="true">{{ icons[a.result] }}</span> {{ a.result }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
{% endfor %}
<h3>Aktiviteter</h3>
{% if b.doc.activities %}<table>
<caption>Aktiviteternas status per år</caption>
<thead><tr><th scope="col">Mål</th><th scope="col">Aktivitet</th>{% for s in b.doc.activities[0].status %}<th scope="col">{{ s.year }}</th>{% endfor %}<th scope="col">Kommentar {{ b.doc.year }}</th></tr></thead>
<tbody>{% for a in b.doc.activities %}<tr><td>Mål {{ a.goal }}</td><th scope="row">{{ a.text }}</th>
{% for s in a.status %}<td>{{ s.status or "–" }}</td>{% endfor %}<td>{{ b.comment(a) }}</td></tr>{% endfor %}</tbody>
</table>{% else %}<p class="saknas">Inga aktiviteter.</p>{% endif %}
<h3>Nyckeltal {{ b.doc.year }}</h3>
{{ b.figures_html }}
{% for t in b.doc.texts if t.text.strip() %}<h3>Uppföljning: {{ t.title }}</h3><div class="text">{{ b.text_html(t.text) }}</div>{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""


class _Board:
    """One board's file, with what the template needs."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.counts = {w: 0 for w in P.ICONS}
        for g in doc["goals"]:
            for m in g["measures"]:
                result = m["current"]["result"]
                self.counts[result if result in self.counts else P.KAN_INTE] += 1
        statuses = [s["status"] for a in doc["activities"] for s in a["status"] if s["year"] == doc["year"] and s["status"]]
        self.activity_summary = ", ".join(f"{st.lower()} {statuses.count(st)}" for st in P.STATUSES if st in statuses)

    def comment(self, activity: Mapping[str, Any]) -> str:
        return next((str(s["comment"]) for s in activity["status"] if s["year"] == self.doc["year"]), "")

    @property
    def figures_html(self) -> Markup:
        from ..base import formatting as F

        rows: dict[str, dict[str, str]] = {}
        for f in self.doc["figures"]:
            row = rows.setdefault(str(f["indicator"]), {})
            is_count = indicator(str(f["indicator"])).kind == "count"
            row[str(f["gender"])] = F.number(f["count"]) if is_count else F.percent(f["share"])
        genders = [g for g in (*S.GENDER_GROUPS, S.TOTALT) if any(g in r for r in rows.values())]
        df = pd.DataFrame([{"Indikator": iid, **{g: r.get(g, "–") for g in genders}} for iid, r in rows.items()])
        if df.empty:
            return Markup('<p class="saknas">Inga siffror.</p>')
        return Markup(df.to_html(index=False, escape=True, border=0))  # noqa: S704 - escaped by pandas

    @staticmethod
    def text_html(text: str) -> Markup:
        from .narrative import to_html

        return Markup(to_html(text))  # noqa: S704 - markdown-it with raw HTML switched off


def compile_html(docs: Sequence[Mapping[str, Any]], created: datetime | None = None) -> str:
    """Several boards' follow-ups in one HTML report, goals and assessments side by side."""
    boards = [_Board(d) for d in docs]
    areas: list[str] = []
    for d in docs:
        for g in d["goals"]:
            if g["malomrade_title"] not in areas:
                areas.append(g["malomrade_title"])
    years = sorted({int(d["year"]) for d in docs})
    env = Environment(autoescape=select_autoescape(default_for_string=True, default=True))
    return env.from_string(_TEMPLATE).render(
        title="Sammanställning av nämndernas uppföljning av handlingsplanerna för jämställdhetsintegrering",
        boards=boards, areas=areas, years=", ".join(map(str, years)), icons=P.ICONS,
        created=(created or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M"))
