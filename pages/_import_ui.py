"""The parts of an import that participant files and payment files share on the Import page:
the problems, the question whether to replace earlier imports, and a stored import's row with its
removal. Rights are checked where the action happens; every action goes to the event log."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import streamlit as st

from jamstalldhet.base import eventlog
from jamstalldhet.base import formatting as F
from jamstalldhet.base.access import Right
from jamstalldhet.base.formatting import markdown_text
from jamstalldhet.base.validation import Problem, problems_frame
from jamstalldhet.intake import importing
from jamstalldhet.intake import unknown_values as U
from jamstalldhet.show import export
from pages import _auth

_lock = threading.Lock()
_last: list[tuple[bytes, str]] = []  # the last upload's bytes and their SHA-256


def saved_upload(name: str, data: bytes, folder: Path) -> tuple[Path, str]:
    """The upload as a file in ``folder`` (the request's own temporary folder, removed when the
    request ends: importing.upload_folder) and its SHA-256; the same bytes object asked again (kind
    of file, then preview) is not hashed again."""
    with _lock:
        if _last and _last[0][0] is data:
            digest = _last[0][1]
        else:
            digest = hashlib.sha256(data).hexdigest()
            _last[:] = [(data, digest)]
    path = importing.upload_path(folder, name)
    if not path.exists():
        path.write_bytes(data)
    return path, digest


def text(value: str) -> str:
    """User text (a file name, a label) for Markdown, shown as the characters it is: no link, image,
    HTML or emphasis can come from it."""
    return markdown_text(value)


class ImportPlan(Protocol):
    """What both stores' import plans have (store.Plan, payment_store.Plan)."""

    @property
    def replaces(self) -> Sequence[Any]: ...

    @property
    def lost_years(self) -> list[int]: ...


#: a row this high lets the grid wrap a long message (Streamlit wraps text above 4rem)
WRAPPING_ROW_HEIGHT = 84


def show_problems(name: str, problems: list[Problem], key: str = "problems") -> None:
    """Every problem, in the order of the file, in a grid whose long messages wrap, and the whole
    list as a CSV file."""
    st.error(f"**{F.number(len(problems))} problem i {text(name)}.** Inget har lagrats. Rätta filen (eller ange vad okända "
             "värden betyder) och ladda upp den igen.")
    frame = problems_frame(problems)
    st.dataframe(frame, hide_index=True, width="stretch", row_height=WRAPPING_ROW_HEIGHT,
                 column_config={"Problem": st.column_config.TextColumn("Problem", width="large"),
                                "Rad": st.column_config.NumberColumn("Rad", format="%d")})
    st.download_button("Ladda ner problemlistan (CSV)", export.csv_excel(frame), "importproblem.csv", "text/csv",
                       key=f"dl_{key}", on_click="ignore")


CHOOSE = "(välj)"


def _value_key(digest: str, u: U.UnknownValue) -> str:
    return f"value_{digest}_{u.column}_" + hashlib.sha256(u.value.encode("utf-8")).hexdigest()[:12]


def ask_values(unknown: Sequence[U.UnknownValue], choices: dict[str, dict[str, str]], digest: str) -> None:
    """The values no synonym list knows: value, count, column and what it would become, and a
    choice of an allowed value for each (kept in the session like the column mappings); the
    choices made can be undone."""
    if unknown:
        st.warning(f"**{F.number(len(unknown))} värden känns inte igen.** Inget tolkas tyst: ange vad varje värde betyder, "
                   "annars kan filen inte lagras. (Lägg gärna till ordet i synonymfilen, så känns det igen nästa gång.)")
        st.dataframe(U.frame(list(unknown)), hide_index=True, width="stretch")
        cols = st.columns(2)
        for i, u in enumerate(unknown):
            options = [CHOOSE, *U.ALLOWED[u.column]] + ([] if u.column in U.NEEDS_CHOICE else [U.EMPTY])
            rows = "1 rad" if u.count == 1 else f"{F.number(u.count)} rader"
            choice = cols[i % 2].selectbox(f"{u.header}: ”{u.value}” ({rows})", options, index=0,
                                           format_func=lambda v: v if v == CHOOSE else U.label(v), key=_value_key(digest, u))
            if choice != CHOOSE:
                choices.setdefault(u.column, {})[u.value] = str(choice)
                st.rerun()
    chosen = [(column, value, meant) for column, values in choices.items() for value, meant in values.items()]
    if chosen:
        st.caption("Dina tolkningar: " + "; ".join(f"”{text(v)}” → {text(U.label(m))}" for _, v, m in chosen))
        if st.button("Ångra tolkningarna", key=f"undo_values_{digest}"):
            choices.clear()
            st.rerun()


def ask_replace(plan: ImportPlan, what: str, key: str) -> bool:
    """Warn about the earlier imports a file would replace; only a förvaltare may confirm it."""
    if not plan.replaces:
        return False
    st.warning(f"Filen täcker samma år som tidigare importer{what}: " + "; ".join(b.label for b in plan.replaces) + ".")
    if plan.lost_years:
        st.warning("År som bara finns i de tidigare importerna försvinner: " + ", ".join(map(str, plan.lost_years)) + ".")
    if _auth.allowed(Right.REPLACE):
        return bool(st.checkbox("Ersätt de tidigare importerna med den här filen", key=key))
    st.info("Bara en förvaltare kan ersätta tidigare importer. Kontakta förvaltaren av uppföljningen.")
    return False


def store_clicked(label: str, plan: ImportPlan, replace: bool, key: str) -> bool:
    """The store button; when clicked, the right to import (or to replace) is checked there and then."""
    if not st.button(label, type="primary", disabled=bool(plan.replaces) and not replace, key=key):
        return False
    _auth.require(Right.REPLACE if plan.replaces else Right.IMPORT)
    return True


def log_stored(name: str, batch_id: str, replaced: Sequence[Any], kind: str = "") -> None:
    suffix = f", {kind}" if kind else ""
    _auth.log(eventlog.IMPORT, f"{name} ({batch_id}{suffix})")
    for old in replaced:
        _auth.log(eventlog.REPLACE, f"{old.file} ({old.id}) ersatt av {name} ({batch_id}{suffix})")


def stored_row(file: str, batch_id: str, description: str, remove: Callable[[], object], consequence: str,
               kind: str = "") -> None:
    """One stored import; a förvaltare can remove it (checked again when the removal is confirmed)."""
    c1, c2 = st.columns([5, 1])
    c1.markdown(f"**{text(file)}** · {text(description)}")
    if not _auth.allowed(Right.REMOVE):
        return  # removing is for förvaltare
    with c2.popover("Ta bort"):
        st.text(f"Ta bort {file}? {consequence}")
        if st.button("Ja, ta bort", key=f"remove_{kind}_{batch_id}", type="primary"):
            _auth.require(Right.REMOVE)
            remove()
            _auth.log(eventlog.REMOVE, f"{file} ({batch_id}{', ' + kind if kind else ''})")
            st.rerun()
