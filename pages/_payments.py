"""Streamlit glue for payments of ekonomiskt bistånd (section 7): the målområde 1 section and
the import of a payment file. Only UI here; every number comes from the jamstalldhet package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from jamstalldhet.app import sources
from jamstalldhet.base import formatting as F
from jamstalldhet.base.settings import store_dir
from jamstalldhet.payments import reading as payments_reading
from jamstalldhet.payments import store as payment_store
from jamstalldhet.payments import table as payments
from jamstalldhet.payments import view as payments_view
from pages._import_ui import ask_replace, ask_values, log_stored, saved_upload, show_problems, store_clicked, stored_row, text
from pages._shared import downloads, k, report_mode, shared, show_chart, show_table, year


# cache_resource: one table for every session (nothing changes it in place), not a copy per rerun
@st.cache_resource(max_entries=8, show_spinner="Beräknar utbetalningarna …")
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


@dataclass(frozen=True)
class _Section:
    """What the section shows for a year, made once per (payments, k, year, decision date) for the
    whole server: its figures and tables were most of a rerun of målområde 1 (issue 16)."""

    sentence: str
    trend: go.Figure
    annual: pd.DataFrame
    annual_export: pd.DataFrame
    types: go.Figure
    type_table: pd.DataFrame
    monthly_export: pd.DataFrame
    annual_wide: pd.DataFrame  # the files' wide tables: 4.2 s of a 4.6 s rerun when made on every run (issue 26)
    monthly_wide: pd.DataFrame


def _section(t: payments.PaymentTable, y: int, decision: date) -> _Section:
    return _Section(payments_view.sentence(t, y, decision), payments_view.trend_figure(t, decision, y),
                    payments_view.annual_table(t), payments_view.export_table(t), payments_view.by_type_figure(t, decision, y),
                    payments_view.type_table(t, y), payments_view.export_table(t, monthly=True),
                    payments_view.wide_table(t), payments_view.wide_table(t, monthly=True))


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
    sec = shared(("utbetalningar", *payments_key(), k(), y, decision), lambda: _section(t, y, decision))
    st.markdown(sec.sentence)
    kind, path = sources.default_payments()
    source = f"Lagrade utbetalningar ({path})" if kind == "store" else "Demodata (syntetiska utbetalningar 2016–2024)"
    st.caption(f"Par = hushåll vars sökande och medsökande är en kvinna och en man. Delad utbetalning = kvinnan fick "
               f"40–60 % av årets (månadens) kronor till de två vuxna. Negativa belopp (korrigeringar) räknas med. "
               f"{t.note}. Källa: {source}.")
    show_chart(sec.trend, f"utbetalningar_par_{y}", key="pay_trend")
    show_table(sec.annual)
    if not report_mode():
        downloads(sec.annual_export, f"utbetalningar_per_ar_{y}", t, key="dl_pay_year",
                  title="Utbetalningar av ekonomiskt bistånd per år", years=f"{t.years()[0]}–{t.years()[-1]}",
                  wide=sec.annual_wide, source=source)
    st.subheader(f"Efter hushållstyp {y}")
    show_chart(sec.types, f"utbetalningar_hushallstyp_{y}", key="pay_types")
    show_table(sec.type_table)
    if not report_mode():
        downloads(sec.monthly_export, f"utbetalningar_per_manad_{y}", t, key="dl_pay_month",
                  title="Utbetalningar av ekonomiskt bistånd per månad", years=f"{t.years()[0]}–{t.years()[-1]}",
                  wide=sec.monthly_wide, source=source)


KIND_LABELS = {"deltagare": "Deltagarposter", "utbetalningar": "Utbetalningar av ekonomiskt bistånd"}


def choose_kind(data: bytes, name: str, folder: Path) -> str:
    """Which kind of file this is: recognised from its columns, and the user may choose otherwise."""
    path, digest = saved_upload(name, data, folder)
    detected = payments_reading.kind_of_file(path)
    options = list(KIND_LABELS)
    choice = st.radio("Filen innehåller", options, index=options.index(detected) if detected in options else 0,
                      format_func=lambda v: KIND_LABELS[v], horizontal=True, key=f"kind_{digest[:12]}",
                      help="Känns igen på kolumnrubrikerna. Välj själv om det blev fel.")
    if detected is None:
        st.caption("Filtypen kunde inte avgöras av kolumnrubrikerna; kontrollera valet.")
    return str(choice)


def render_import(data: bytes, name: str, target: Path, folder: Path) -> None:
    """Preview, confirm and store one payment file (nothing is stored before the user confirms);
    ``folder``: the request's temporary folder for the upload (importing.upload_folder)."""
    path, digest = saved_upload(name, data, folder)
    values: dict[str, dict[str, str]] = st.session_state.setdefault(f"pay_values_{digest[:12]}", {})
    with st.spinner("Läser och kontrollerar utbetalningsfilen …"):
        ins = payments_reading.inspect(path, name, values=values)
    ask_values(ins.unknown, values, "pay_" + digest[:12])
    if ins.frame is None:
        show_problems(name, ins.problems, "pay_problems")
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
    replace = ask_replace(plan, " av utbetalningar", f"pay_replace_{digest[:12]}")
    if store_clicked("Lagra utbetalningarna", plan, replace, f"pay_commit_{digest[:12]}"):
        try:
            batch = payment_store.commit(target, ins.frame, name, plan, replace=replace)
        except payment_store.StoreError as exc:
            st.error(str(exc))
        else:
            if batch is not None:
                log_stored(name, batch.id, plan.replaces, "utbetalningar")
                st.success(f"Lagrade {F.number(batch.rows)} utbetalningar för {F.number(batch.households)} hushåll ({text(name)}).")


def render_stored(target: Path | None = None) -> None:
    """The stored payment imports, each removable, and their log."""
    target = target or store_dir()
    manifest = payment_store.read_manifest(target)
    if not manifest.batches:
        return
    st.subheader("Lagrade utbetalningar")
    for b in manifest.batches:
        stored_row(b.file, b.id, b.label, partial(payment_store.remove, target, b.id),
                   "Dess utbetalningar försvinner från alla sidor.", "utbetalningar")
