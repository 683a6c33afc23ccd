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
from jamstalldhet.base.access import Right
from jamstalldhet.base.formatting import markdown_text
from jamstalldhet.base.validation import Problem, problems_frame
from jamstalldhet.intake import importing
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


def show_problems(name: str, problems: list[Problem]) -> None:
    st.error(f"**{len(problems)} problem i {text(name)}.** Inget har lagrats. Rätta filen och ladda upp den igen.")
    st.dataframe(problems_frame(problems), hide_index=True, width="stretch")


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
