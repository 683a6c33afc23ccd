"""Import: upload an export, see how it was understood and every problem, then store it."""

from functools import partial

import pandas as pd
import streamlit as st

from jamstalldhet import eventlog, export, importing, store
from jamstalldhet import formatting as F
from jamstalldhet import schema as S
from jamstalldhet.access import Right
from jamstalldhet.settings import max_file_bytes, store_dir
from pages import _auth
from pages._import_ui import ask_replace, log_stored, saved_upload, show_problems, store_clicked, stored_row
from pages._payments import choose_kind, render_import, render_stored
from pages._shared import setup

COLUMN_LABELS = {
    S.PERSON_ID: "Person-id", S.PERSONNUMMER: "Personnummer (pseudonymiseras)", S.KON: "Kön", S.FODELSEAR: "Födelseår",
    S.BAKGRUND: "Bakgrund", S.UTBILDNINGSNIVA: "Utbildningsnivå", S.INSATS: "Insats", S.ANVISNINGSDATUM: "Anvisningsdatum",
    S.STARTDATUM: "Startdatum", S.SLUTDATUM: "Slutdatum", S.AVSLUTSORSAK: "Avslutsorsak",
    S.FRAGAT_OM_VALD: "Frågat om våld", S.UPPGETT_VALD: "Uppgett våld",
}
NOT_USED = "(används inte)"

setup()
_auth.require(Right.IMPORT)  # a reader who opens /importera gets "Du saknar behörighet" and nothing else
target = store_dir()
st.title("Importera")
st.markdown(
    "Ladda upp en export från verksamhetssystemet – **deltagarposter** eller **utbetalningar av ekonomiskt bistånd** "
    "(sidan känner igen filens slag på kolumnerna): **CSV** (semikolon eller komma, UTF-8 eller Windows-1252), "
    "**Excel (.xlsx)** eller **Parquet**. Du ser först hur filen förstods och alla fel – **inget lagras förrän du "
    "bekräftar**, och en fil med fel lagras aldrig. Personnummer ersätts med en pseudonym och sparas aldrig."
)
upload = st.file_uploader("Fil att importera", type=["csv", "txt", "xlsx", "parquet"], key="upload",
                          help=f"Högst {max_file_bytes() / 1e6:.0f} MB.")


def preview_participants(data: bytes, name: str) -> None:
    """Preview, confirm and store a file of participant records."""
    path, full_digest = saved_upload(name, data)
    digest = full_digest[:12]
    overrides: dict[str, str | None] = st.session_state.setdefault(f"mapping_{digest}", {})
    with st.spinner("Läser och kontrollerar filen …"):
        p = importing.preview(path, target, name, overrides)
    ins = p.inspection

    if ins.headers:
        with st.expander("Så här förstods kolumnerna", expanded=not p.ok):
            st.caption("Ändra om en kolumn har tolkats fel. Kolumner som inte används lagras inte.")
            options = [NOT_USED, *COLUMN_LABELS]
            cols = st.columns(3)
            for i, (header, canon) in enumerate(ins.understood.items()):
                choice = cols[i % 3].selectbox(header or f"(kolumn {i + 1} utan rubrik)", options,
                                               index=options.index(canon) if canon in options else 0,
                                               format_func=lambda c: COLUMN_LABELS.get(c, c), key=f"map_{digest}_{i}")
                wanted = None if choice == NOT_USED else choice
                if wanted != canon:
                    overrides[header] = wanted
                    st.rerun()

    if not p.ok:
        show_problems(name, p.problems)
        return

    assert ins.frame is not None and p.plan is not None
    s = importing.summary(ins.frame, ins.persons)
    years = s["år"]
    m = st.columns(5)
    m[0].metric("Rader", F.number(s["rader"]))
    m[1].metric("Personer", F.number(s["personer"]))
    m[2].metric("Kvinnor", F.number(s["kvinnor"]))
    m[3].metric("Män", F.number(s["män"]))
    m[4].metric("År", f"{years[0]}–{years[-1]}" if years else "–")
    st.caption("Insatser: " + ", ".join(s["insatser"][:30]) + (" …" if len(s["insatser"]) > 30 else ""))
    st.caption("De första raderna som de kommer att lagras:")
    st.dataframe(importing.preview_table(ins.frame), hide_index=True, width="stretch")

    if p.plan.duplicate_of is not None:
        st.info(f"Den här filen är redan importerad ({p.plan.duplicate_of.label}). Inget behöver göras.")
        return
    replace = ask_replace(p.plan, "", f"replace_{digest}")
    if store_clicked("Lagra", p.plan, replace, f"commit_{digest}"):
        try:
            batch = importing.commit(p, target, replace=replace)
        except store.StoreError as exc:
            st.error(str(exc))
        else:
            if batch is not None:
                log_stored(name, batch.id, p.plan.replaces)
                st.success(f"Lagrade {batch.rows} rader för {batch.persons} personer ({name}). "
                           "Alla sidor visar nu den nya datan.")


if upload is not None:
    data = upload.getvalue()
    if len(data) > max_file_bytes():
        st.error(f"Filen {upload.name} är {len(data) / 1e6:.0f} MB, mer än gränsen {max_file_bytes() / 1e6:.0f} MB.")
        st.stop()
    if choose_kind(data, upload.name) == "utbetalningar":
        render_import(data, upload.name, target)
    else:
        preview_participants(data, upload.name)

st.header("Lagrade importer")
manifest = store.read_manifest(target)
if not manifest.batches:
    st.caption(f"Lagringen ({target}) är tom; sidorna visar demodatan.")
for b in manifest.batches:
    stored_row(b.file, b.id, f"år {b.years[0]}–{b.years[-1]} · {b.rows} rader · {b.persons} personer · "
               f"importerad {b.imported[:16].replace('T', ' ')}", partial(store.remove, target, b.id),
               "Dess poster försvinner från alla sidor.")
render_stored(target)
if manifest.log:
    with st.expander("Importlogg"):
        st.dataframe(pd.DataFrame(manifest.log[::-1]), hide_index=True, width="stretch")

if _auth.allowed(Right.EVENTLOG):
    events = eventlog.read(target)
    with st.expander(f"Händelselogg ({F.number(len(events))} händelser)"):
        st.caption("Vem som importerat, ersatt, tagit bort, sparat texter, slagit på internt läge och hämtat interna filer. "
                   f"Filen ligger i lagringen: {eventlog.path(target)}.")
        if events:
            table = pd.DataFrame(eventlog.rows(events))
            st.dataframe(table, hide_index=True, width="stretch")
            c1, c2, _ = st.columns([1, 1, 3])
            c1.download_button("CSV för Excel", export.csv_excel(table), "handelselogg.csv", "text/csv",
                               key="eventlog_csv", on_click="ignore")
            c2.download_button("JSON Lines", eventlog.export_jsonl(target), eventlog.FILE, "application/jsonl",
                               key="eventlog_jsonl", on_click="ignore")
        else:
            st.caption("Inga händelser ännu.")
