"""The parts of an import that participant files and payment files share on the Import page:
the problems, the question whether to replace earlier imports, and a stored import's row with its
removal. Rights are checked where the action happens; every action goes to the event log."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import streamlit as st

from jamstalldhet import eventlog
from jamstalldhet.access import Right
from jamstalldhet.validation import Problem, problems_frame
from pages import _auth

#: uploads on disk (the readers work on paths): one folder per server process, the newest few kept;
#: an upload holds raw personnummer, so nothing older than that stays behind in the temp folder
_UPLOADS = Path(tempfile.mkdtemp(prefix="jamstalldhet-uppladdning-"))
_KEEP = 4
_lock = threading.Lock()
_last: list[tuple[bytes, Path, str]] = []
_written: list[Path] = []  # the upload folders, oldest first


def saved_upload(name: str, data: bytes) -> tuple[Path, str]:
    """The upload as a file (written once per content) and its SHA-256; the same bytes object asked
    again in one run (kind of file, then preview) is neither hashed nor written again."""
    with _lock:
        if _last and _last[0][0] is data:
            return _last[0][1], _last[0][2]
        digest = hashlib.sha256(data).hexdigest()
        path = _UPLOADS / digest[:32] / Path(name).name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            _written.append(path.parent)
            while len(_written) > _KEEP:
                shutil.rmtree(_written.pop(0), ignore_errors=True)
        _last[:] = [(data, path, digest)]
        return path, digest


class ImportPlan(Protocol):
    """What both stores' import plans have (store.Plan, payment_store.Plan)."""

    @property
    def replaces(self) -> Sequence[Any]: ...

    @property
    def lost_years(self) -> list[int]: ...


def show_problems(name: str, problems: list[Problem]) -> None:
    st.error(f"**{len(problems)} problem i {name}.** Inget har lagrats. Rätta filen och ladda upp den igen.")
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
    c1.markdown(f"**{file}** · {description}")
    if not _auth.allowed(Right.REMOVE):
        return  # removing is for förvaltare
    with c2.popover("Ta bort"):
        st.write(f"Ta bort {file}? {consequence}")
        if st.button("Ja, ta bort", key=f"remove_{kind}_{batch_id}", type="primary"):
            _auth.require(Right.REMOVE)
            remove()
            _auth.log(eventlog.REMOVE, f"{file} ({batch_id}{', ' + kind if kind else ''})")
            st.rerun()
