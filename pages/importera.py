"""Import: upload an export, see how it was understood and every problem, then store it."""

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from jamstalldhet.base import eventlog
from jamstalldhet.base import formatting as F
from jamstalldhet.base import schema as S
from jamstalldhet.base.access import Right
from jamstalldhet.base.settings import max_file_bytes, store_dir
from jamstalldhet.intake import importing, store, template
from jamstalldhet.show import export
from pages import _auth
from pages._import_ui import ask_replace, ask_values, log_stored, saved_upload, show_problems, store_clicked, stored_row, text
from pages._payments import choose_kind, render_import, render_stored
from pages._shared import setup


def log_download(col: st.delta_generator.DeltaGenerator, label: str, stem: str, ext: str, mime: str,
                 make: Callable[[str], bytes], key: str) -> None:
    """A download of the event log: made on the click, its name and content with an extract id, and
    the download logged (before the file is made, so the JSON Lines file ends with that line)."""
    who = _auth.current()
    if who is None or not who[0].may(Right.EVENTLOG):
        return
    user, fingerprint = who
    xid = eventlog.new_extract_id()
    name = f"{stem}_{xid}{ext}"
    store = target

    def deferred() -> bytes:
        if not _auth.still_valid(fingerprint):
            raise PermissionError("utloggad")
        eventlog.append(store, user.sub, user.email, eventlog.LOG_DOWNLOAD, f"{name} · uttag {xid}")
        return make(xid)

    col.download_button(label, deferred, name, mime, key=key, on_click="ignore")

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
EXPORT_FORMAT = Path(__file__).resolve().parent.parent / "docs" / "exportformat.md"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
mall = st.columns([1, 1, 2])
for col, kind, label in ((mall[0], "deltagare", "Ladda ner mall – deltagarposter"),
                         (mall[1], "utbetalningar", "Ladda ner mall – utbetalningar")):
    col.download_button(label, partial(template.xlsx, kind), template.FILE_NAMES[kind], XLSX, key=f"mall_{kind}",
                        on_click="ignore", help="En Excel-fil med kolumnerna, deras tillåtna värden som listor och en exempelrad.")
with st.expander("Vad en export ska innehålla (exportformatet)"):
    st.markdown(EXPORT_FORMAT.read_text(encoding="utf-8") if EXPORT_FORMAT.exists() else "Se docs/exportformat.md.")
upload = st.file_uploader("Fil att importera", type=["csv", "txt", "xlsx", "parquet"], key="upload",
                          help=f"Högst {max_file_bytes() / 1e6:.0f} MB.")


def preview_participants(data: bytes, name: str, folder: Path) -> None:
    """Preview, confirm and store a file of participant records."""
    path, full_digest = saved_upload(name, data, folder)
    digest = full_digest[:12]
    overrides: dict[str, str | None] = st.session_state.setdefault(f"mapping_{digest}", {})
    values: dict[str, dict[str, str]] = st.session_state.setdefault(f"values_{digest}", {})  # kept like the mappings
    with st.spinner("Läser och kontrollerar filen …"):
        p = importing.preview(path, target, name, overrides, values)
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

    ask_values(ins.unknown, values, digest)
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
    m[4].metric("År", F.year_list(years))
    st.caption("Personer per år, som indikatorerna räknar dem (deltagare eller anvisade under året): "
               + " · ".join(f"{y}: {F.number(n)}" for y, n in s["personer_per_år"].items()))
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
                st.success(f"Lagrade {F.number(batch.rows)} rader för {F.number(batch.persons)} personer ({text(name)}). "
                           "Alla sidor visar nu den nya datan.")


if upload is not None:
    data = upload.getvalue()
    if len(data) > max_file_bytes():
        st.error(f"Filen {text(upload.name)} är {len(data) / 1e6:.0f} MB, mer än gränsen {max_file_bytes() / 1e6:.0f} MB.")
        st.stop()
    # The readers work on a file: it lives in a folder of this run's own, removed when the run ends
    # (also on an error, st.stop or st.rerun), so no personnummer stays on disk.
    with importing.upload_folder() as folder:
        if choose_kind(data, upload.name, folder) == "utbetalningar":
            render_import(data, upload.name, target, folder)
        else:
            preview_participants(data, upload.name, folder)

st.header("Lagrade importer")
manifest = store.read_manifest(target)
if not manifest.batches:
    st.caption(f"Lagringen ({target}) är tom; sidorna visar demodatan.")
for b in manifest.batches:
    stored_row(b.file, b.id, f"år {b.years[0]}–{b.years[-1]} · {F.number(b.rows)} rader · {F.number(b.persons)} personer · "
               f"importerad {b.imported[:16].replace('T', ' ')}", partial(store.remove, target, b.id),
               "Dess poster försvinner från alla sidor.")
render_stored(target)
if manifest.log:
    with st.expander("Importlogg"):
        st.dataframe(pd.DataFrame(manifest.log[::-1]), hide_index=True, width="stretch")

if _auth.allowed(Right.EVENTLOG):
    log_box = st.expander("Händelselogg", key="handelselogg", on_change="rerun")
    with log_box:
        st.caption("Vem som loggat in och ut, nekats, importerat, ersatt, tagit bort, sparat texter, sett internt läge "
                   f"och hämtat interna filer. Filen ligger i lagringen: {eventlog.path(target)}.")
    if log_box.open:  # read (and logged as read) only when opened
        _auth.require(Right.EVENTLOG)
        seen = st.session_state.setdefault("_log_read", set())
        if target not in seen:
            seen.add(target)
            _auth.log(eventlog.LOG_READ, str(eventlog.path(target).name))
        events = eventlog.read(target)
        with log_box:
            st.caption(f"{F.number(len(events))} {'händelse' if len(events) == 1 else 'händelser'}.")
            st.dataframe(pd.DataFrame(eventlog.rows(events)), hide_index=True, width="stretch")
            c1, c2, _ = st.columns([1, 1, 3])

            def log_csv(xid: str) -> bytes:
                return export.csv_excel(export.stamped(pd.DataFrame(eventlog.rows(eventlog.read(target))), xid))

            def log_jsonl(xid: str) -> bytes:
                return eventlog.export_jsonl(target)  # the download's own line (with the id) is its last line

            # made on the click (never before), with an extract id in name and content, and logged
            log_download(c1, "CSV för Excel", "handelselogg", ".csv", "text/csv", log_csv, "eventlog_csv")
            log_download(c2, "JSON Lines", "handelselogg", ".jsonl", "application/jsonl", log_jsonl, "eventlog_jsonl")
