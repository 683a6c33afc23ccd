"""Handlingsplan: the plan's goals with measures and assessments, and the activities' status per year.

Every figure comes from jamstalldhet.plan.model (published tables only); this page reads widgets and draws.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from jamstalldhet.base import eventlog
from jamstalldhet.base.access import Right
from jamstalldhet.base.settings import default_k
from jamstalldhet.base.types import Filters
from jamstalldhet.disclosure.control import Published
from jamstalldhet.intake.records import Prepared
from jamstalldhet.plan import chart as plan_chart
from jamstalldhet.plan import model as plan
from pages import _auth
from pages._shared import Data, cat, downloads, report_mode, setup, show_chart, show_table, year

NO_STATUS = "– (ingen status)"


@st.cache_data(max_entries=64, show_spinner=False)
def _table(_prep: Prepared, version: str, y: int, k: int, filters: Filters) -> Published | None:
    return plan.published_tables(_prep, k)(y, filters.as_dict())


def _tables(d: Data, k: int) -> plan.Tables:
    def get(y: int, filters: Mapping[str, list[str]]) -> Published | None:
        return _table(d.prep, d.version, y, k, Filters.of(filters))
    return get


def _save(pl: plan.Plan, y: int) -> None:
    """Button callback: runs before the page is drawn again, so the tables show what was saved."""
    if not _auth.allowed(Right.PLAN):  # checked where the action happens, whatever the widgets say
        st.session_state["_plan_msg"] = ("error", f"Du saknar behörighet att {Right.PLAN.value}.")
        return
    entries = {a.id: plan.StatusEntry(st.session_state[f"status_{a.id}_{y}"], st.session_state[f"kommentar_{a.id}_{y}"])
               for a in pl.activities if st.session_state[f"status_{a.id}_{y}"] != NO_STATUS}
    try:
        changed = plan.save_status(y, entries)
    except (plan.PlanError, OSError) as exc:
        st.session_state["_plan_msg"] = ("error", f"Statusen kunde inte sparas: {exc}")
        return
    if changed:
        _auth.log(eventlog.PLAN, f"handlingsplan {y}")
    st.session_state["_plan_msg"] = (
        ("success", "Statusen är sparad. Den tidigare versionen finns kvar under Tidigare versioner.") if changed
        else ("info", "Inget att spara: statusen är oförändrad."))


def _restore(pl: plan.Plan, y: int) -> None:
    if not _auth.allowed(Right.PLAN):
        st.session_state["_plan_msg"] = ("error", f"Du saknar behörighet att {Right.PLAN.value}.")
        return
    version = st.session_state[f"status_version_{y}"]
    try:
        if plan.restore_status(version):
            _auth.log(eventlog.PLAN, f"handlingsplan {y} (återställd version {version.label})")
    except (plan.PlanError, OSError) as exc:
        st.session_state["_plan_msg"] = ("error", f"Versionen kunde inte återställas: {exc}")
        return
    for a in pl.activities:  # the widgets show the restored version
        st.session_state.pop(f"status_{a.id}_{y}", None)
        st.session_state.pop(f"kommentar_{a.id}_{y}", None)
    st.session_state["_plan_msg"] = ("success", "Versionen är återställd. Den du ersatte finns kvar bland de tidigare versionerna.")


def _editor(pl: plan.Plan, y: int) -> None:
    """Status and comment per activity for the year; saved versions kept and restorable."""
    current = plan.statuses(pl, y)
    with st.expander(f"Ändra status och kommentarer för {y}", expanded="_plan_msg" in st.session_state):
        kind, msg = st.session_state.pop("_plan_msg", (None, ""))
        if kind:
            getattr(st, kind)(msg)
        for a in pl.activities:
            skey, ckey = f"status_{a.id}_{y}", f"kommentar_{a.id}_{y}"
            if skey not in st.session_state:
                entry = current.get(a.id)
                st.session_state[skey] = entry.status if entry else NO_STATUS
                st.session_state[ckey] = entry.comment if entry else ""
            st.markdown(f"**{a.text}**")
            cols = st.columns([1, 3])
            cols[0].selectbox("Status", [NO_STATUS, *plan.STATUSES], key=skey)
            cols[1].text_area("Kommentar", key=ckey, height=80)
        st.button("Spara status", key=f"spara_status_{y}", type="primary", on_click=_save, args=(pl, y))
        earlier = plan.status_versions(y)
        if earlier:
            st.markdown("**Tidigare versioner**")
            v = st.selectbox("Version", earlier, format_func=lambda v: f"Sparad {v.label}", key=f"status_version_{y}")
            show_table(plan.status_table(pl, v.entries()))
            st.button("Återställ den här versionen", key=f"aterstall_status_{y}", on_click=_restore, args=(pl, y))


d = setup()
c = cat()
y = year()
pl = plan.load()
k_ = default_k()  # the plan is assessed on published figures only, also in internt läge
tables = _tables(d, k_)
pv = plan.view(pl, y, tables, c)
st.title("Handlingsplan")
st.markdown(f"**{pl.title}**" + (f" · {pl.board}" if pl.board else "") + (f" · planperiod {pl.period}" if pl.years else ""))
for problem in pl.problems:
    st.warning(str(problem), icon="⚠️")
if not pv.in_period and pl.years:
    st.info(f"{y} ligger utanför planperioden {pl.period}. Bedömningarna gäller {y}; status anges för planperiodens år.")
counts = pv.counts
st.caption(f"Bedömning {y}: " + " · ".join(f"{plan.ICONS[w]} {w}: {n}" for w, n in counts.items())
           + ". Bedömningarna görs alltid på de publicerade, röjandekontrollerade siffrorna (även i internt läge); "
             "ett värde som visas som .. kan inte bedömas.")
if pv.goals:
    show_chart(plan_chart.status_figure(pv), f"handlingsplan_{y}", key="plan_status")

for gv in pv.goals:
    st.header(f"Mål {gv.goal.number}: {gv.area_title}")
    st.markdown(gv.goal.text)
    show_table(plan.goal_table(pv, gv))
    if pl.years:
        st.markdown(f"**Trend {pl.period}**")
        show_table(plan.goal_trend_table(pv, gv))
        if not report_mode():
            with st.expander(f"Värden per år {pl.period}"):
                show_table(plan.goal_trend_table(pv, gv, values=True))

st.header(f"Aktiviteter {y}")
acts = plan.activities_table(pv)
show_table(acts)
pub = tables(y, {})
if pub is not None and not report_mode():
    downloads(plan.measures_table(pv), f"handlingsplan_mal_{y}", pub, key="dl_mal")
    downloads(acts, f"handlingsplan_aktiviteter_{y}", pub, key="dl_akt")
st.caption(pv.note or (pub.note if pub is not None else ""))
if not report_mode():
    if st.button("Skapa uppföljningsfil för sammanställningen", key="skapa_uppfoljning",
                 help="Planens läge, bedömningar, nyckeltal och uppföljningstexter i en fil som Fritids- och "
                      "folkhälsonämnden kan sammanställa med andra nämnders (JSON och Excel). Bara publicerade siffror."):
        from jamstalldhet.plan import followup

        doc = followup.build(d.prep, y, c, pl, k_)
        st.session_state["_uppfoljning"] = (y, followup.to_json(doc).encode("utf-8"), followup.to_xlsx(doc))
    made = st.session_state.get("_uppfoljning")
    if made and made[0] == y:
        cols = st.columns([1, 1, 3])
        cols[0].download_button("Uppföljningsfil (JSON)", made[1], f"uppfoljning_{y}.json", "application/json",
                                on_click="ignore", icon=":material/download:")
        cols[1].download_button("Uppföljningsfil (Excel)", made[2], f"uppfoljning_{y}.xlsx",
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                                icon=":material/download:")
    if pv.in_period and _auth.allowed(Right.PLAN):  # a läsare sees the status; analytiker edit it
        _editor(pl, y)
