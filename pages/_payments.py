"""Streamlit glue for payments of ekonomiskt bistånd (section 7): the målområde 1 section and
the import of a payment file. Only UI here; every number comes from the jamstalldhet package."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from jamstalldhet import eventlog, payment_store, payments, payments_reading, payments_view, sources
from jamstalldhet import formatting as F
from jamstalldhet.access import Right
from jamstalldhet.settings import store_dir
from pages import _auth
from pages._shared import downloads, k, report_mode, show_chart, show_table, year


@st.cache_data(max_entries=8, show_spinner="Beräknar utbetalningarna …")
def _table(kind: str, path: str | None, version: str, k_: int) -> payments.PaymentTable | None:
    df = sources.payments_for(kind, None if path is None else Path(path))
    return None if df is None or df.empty else payments.table(df, k_)


def payments_key() -> tuple[str, str | None, str]:
    """Where the dashboard's payments come from, and their version (part of cache keys)."""
    kind, path = sources.default_payments()
    version = payment_store.version(path) if kind == "store" and path else kind
    return kind, None if path is None else str(path), version


def _current() -> payments.PaymentTable | None:
    return _table(*payments_key(), k())


def render_section() -> None:
    """Målområde 1: are couple households paid half each? Monthly, with the decision date marked."""
    st.header("Jämställda utbetalningar av ekonomiskt bistånd")
    t = _current()
    y = year()
    if t is None:
        st.info("Det finns inga utbetalningar av ekonomiskt bistånd att visa. Importera en utbetalningsfil under Importera.")
        return
    if y not in t.years():
        st.info(f"Det finns inga utbetalningar för {y} (utbetalningar finns för {t.years()[0]}–{t.years()[-1]}).")
        return
    decision = payments_reading.decision_date()
    st.markdown(payments_view.sentence(t, y, decision))
    kind, path = sources.default_payments()
    source = f"Lagrade utbetalningar ({path})" if kind == "store" else "Demodata (syntetiska utbetalningar 2016–2024)"
    st.caption(f"Par = hushåll vars sökande och medsökande är en kvinna och en man. Delad utbetalning = kvinnan fick "
               f"40–60 % av årets (månadens) kronor till de två vuxna. Negativa belopp (korrigeringar) räknas med. "
               f"{t.note}. Källa: {source}.")
    show_chart(payments_view.trend_figure(t, decision), f"utbetalningar_par_{y}", key="pay_trend")
    show_table(payments_view.annual_table(t))
    if not report_mode():
        downloads(payments_view.export_table(t), f"utbetalningar_per_ar_{y}", t, key="dl_pay_year")
    st.subheader(f"Efter hushållstyp {y}")
    show_chart(payments_view.by_type_figure(t, decision), f"utbetalningar_hushallstyp_{y}", key="pay_types")
    show_table(payments_view.type_table(t, y))
    if not report_mode():
        downloads(payments_view.export_table(t, monthly=True), f"utbetalningar_per_manad_{y}", t, key="dl_pay_month")


@st.cache_data(max_entries=4, show_spinner=False)
def _saved(name: str, data: bytes) -> str:
    folder = Path(tempfile.mkdtemp(prefix="utbetalningar-"))
    path = folder / Path(name).name
    path.write_bytes(data)
    return str(path)


KIND_LABELS = {"deltagare": "Deltagarposter", "utbetalningar": "Utbetalningar av ekonomiskt bistånd"}


def choose_kind(data: bytes, name: str) -> str:
    """Which kind of file this is: recognised from its columns, and the user may choose otherwise."""
    detected = payments_reading.kind_of_file(Path(_saved(name, data)))
    options = list(KIND_LABELS)
    choice = st.radio("Filen innehåller", options, index=options.index(detected) if detected in options else 0,
                      format_func=lambda v: KIND_LABELS[v], horizontal=True, key=f"kind_{hashlib.sha256(data).hexdigest()[:12]}",
                      help="Känns igen på kolumnrubrikerna. Välj själv om det blev fel.")
    if detected is None:
        st.caption("Filtypen kunde inte avgöras av kolumnrubrikerna; kontrollera valet.")
    return str(choice)


def render_import(data: bytes, name: str, target: Path | None = None) -> None:
    """Preview, confirm and store one payment file (nothing is stored before the user confirms)."""
    target = target or store_dir()
    digest = hashlib.sha256(data).hexdigest()
    path = Path(_saved(name, data))
    with st.spinner("Läser och kontrollerar utbetalningsfilen …"):
        ins = payments_reading.inspect(path, name)
    if ins.frame is None:
        st.error(f"**{len(ins.problems)} problem i {name}.** Inget har lagrats. Rätta filen och ladda upp den igen.")
        st.dataframe(pd.DataFrame([{"Fil": p.file, "Rad": p.row, "Kolumn": p.column, "Problem": p.message} for p in ins.problems]),
                     hide_index=True, width="stretch")
        return
    s = payments_reading.summary(ins.frame)
    years = s["år"]
    m = st.columns(5)
    m[0].metric("Utbetalningar", F.number(s["rader"]))
    m[1].metric("Hushåll", F.number(s["hushåll"]))
    m[2].metric("Kronor", F.number(s["kronor"]))
    m[3].metric("Till tredje part", F.number(s["tredje_part"]))
    m[4].metric("År", f"{years[0]}–{years[-1]}" if years else "–")
    st.caption(f"Korrigeringar (negativa belopp): {F.number(s['korrigeringar'])}. De första raderna som de kommer att lagras "
               "(personnummer är ersatta med pseudonymer):")
    st.dataframe(payments_reading.preview_table(ins.frame), hide_index=True, width="stretch")
    plan = payment_store.plan(target, ins.frame, digest)
    if plan.duplicate_of is not None:
        st.info(f"Den här filen är redan importerad ({plan.duplicate_of.label}). Inget behöver göras.")
        return
    replace = False
    if plan.replaces:
        st.warning("Filen täcker samma år som tidigare importer av utbetalningar: " + "; ".join(b.label for b in plan.replaces) + ".")
        if plan.lost_years:
            st.warning("År som bara finns i de tidigare importerna försvinner: " + ", ".join(map(str, plan.lost_years)) + ".")
        if _auth.allowed(Right.REPLACE):
            replace = st.checkbox("Ersätt de tidigare importerna med den här filen", key=f"pay_replace_{digest[:12]}")
        else:
            st.info("Bara en förvaltare kan ersätta tidigare importer. Kontakta förvaltaren av uppföljningen.")
    if st.button("Lagra utbetalningarna", type="primary", disabled=bool(plan.replaces) and not replace, key=f"pay_commit_{digest[:12]}"):
        _auth.require(Right.REPLACE if plan.replaces else Right.IMPORT)  # checked where the action happens
        try:
            batch = payment_store.commit(target, ins.frame, name, plan, replace=replace)
        except payment_store.StoreError as exc:
            st.error(str(exc))
        else:
            if batch is not None:
                _auth.log(eventlog.IMPORT, f"{name} ({batch.id}, utbetalningar)")
                for old in plan.replaces:
                    _auth.log(eventlog.REPLACE, f"{old.file} ({old.id}) ersatt av {name} ({batch.id}, utbetalningar)")
                st.success(f"Lagrade {F.number(batch.rows)} utbetalningar för {F.number(batch.households)} hushåll ({name}).")


def render_stored(target: Path | None = None) -> None:
    """The stored payment imports, each removable, and their log."""
    target = target or store_dir()
    manifest = payment_store.read_manifest(target)
    if not manifest.batches:
        return
    st.subheader("Lagrade utbetalningar")
    for b in manifest.batches:
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"**{b.file}** · {b.label}")
        if not _auth.allowed(Right.REMOVE):
            continue  # removing is for förvaltare
        with c2.popover("Ta bort"):
            st.write(f"Ta bort {b.file}? Dess utbetalningar försvinner från alla sidor.")
            if st.button("Ja, ta bort", key=f"pay_remove_{b.id}", type="primary"):
                _auth.require(Right.REMOVE)
                payment_store.remove(target, b.id)
                _auth.log(eventlog.REMOVE, f"{b.file} ({b.id}, utbetalningar)")
                st.rerun()
