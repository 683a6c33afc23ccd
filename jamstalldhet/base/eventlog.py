"""The event log: who did what and when, appended to a JSON-lines file in the store folder.

One line per event: ``time`` (ISO, UTC), ``sub`` and ``email`` of the user, ``event`` (one of
:data:`EVENTS`) and its ``object`` (a file name, a batch id, a text's målområde and year). Never a
personnummer and never a figure: an object that looks like a personnummer is masked before it is
written. Each append rewrites the file atomically (:mod:`jamstalldhet.base.atomic`) under the store's
lock, so a crash leaves the log as it was or with the new line, and two writers never lose one.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from . import atomic

# Anything shaped like a personnummer or samordningsnummer in free text (a file name, a log line):
# 10 or 12 digits, with or without a hyphen, plus, space or underscore before the last four.
_ANYWHERE: Final = re.compile(r"(?<![0-9])(?:[0-9]{2})?[0-9]{6}[-+_\s]?[0-9]{4}(?![0-9])")
MASK: Final = "[maskerat]"


def mask(text: str) -> str:
    """``text`` with every personnummer-like run of digits replaced by ``[maskerat]``.

    >>> mask("lista 19850314 2385.csv")
    'lista [maskerat].csv'
    >>> mask("850314+2385 och 8503142385, 2018-01-01")
    '[maskerat] och [maskerat], 2018-01-01'
    """
    return _ANYWHERE.sub(MASK, text)


FILE: Final = "handelselogg.jsonl"

IMPORT: Final = "import"
REPLACE: Final = "ersättning"
REMOVE: Final = "borttagning"
TEXT: Final = "sparad text"
PLAN: Final = "planstatus"
INTERNAL: Final = "internt läge på"
DOWNLOAD: Final = "intern fil hämtad"
SIGN_IN: Final = "inloggning"
SIGN_OUT: Final = "utloggning"
REFUSED: Final = "nekad"
LOG_READ: Final = "händelseloggen läst"
LOG_DOWNLOAD: Final = "händelseloggen hämtad"
EVENTS: Final = (IMPORT, REPLACE, REMOVE, TEXT, PLAN, INTERNAL, DOWNLOAD, SIGN_IN, SIGN_OUT, REFUSED, LOG_READ, LOG_DOWNLOAD)
SIGN_OUTS: Final = "utloggningar.txt"  # one fingerprint of a signed-out sign-in per line (see sign_out)
FIELDS: Final = ("time", "sub", "email", "event", "object")
COLUMNS: Final = {"time": "Tid (UTC)", "sub": "Användare (sub)", "email": "E-post", "event": "Händelse", "object": "Objekt"}


@dataclass(frozen=True)
class Event:
    time: str
    sub: str
    email: str
    event: str
    object: str


def path(store: Path) -> Path:
    return store / FILE


def clean(text: str) -> str:
    """One line, no personnummer-like digits (every form of the data contract's section 1).

    >>> clean("lista 19811218-9876.csv")
    'lista [maskerat].csv'
    >>> clean("lista 19850314 2385.csv")
    'lista [maskerat].csv'
    >>> clean("deltagare_2024.csv")
    'deltagare_2024.csv'
    """
    return " ".join(mask(str(text)).split())


def append(store: Path, sub: str, email: str, event: str, obj: str, now: datetime | None = None) -> Event:
    """Add one event at the end of the log; earlier lines are kept byte for byte."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    when = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    e = Event(when, clean(sub), clean(email), event, clean(obj))
    line = (json.dumps(asdict(e), ensure_ascii=False) + "\n").encode("utf-8")
    target = path(store)
    with atomic.locked(store):
        before = target.read_bytes() if target.exists() else b""
        if before and not before.endswith(b"\n"):
            before += b"\n"
        atomic.write_bytes(target, before + line)
    return e


def read(store: Path) -> list[Event]:
    """Every event, oldest first; a line that is not an event is skipped, not fatal."""
    target = path(store)
    if not target.exists():
        return []
    events: list[Event] = []
    for raw in target.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(raw)
            events.append(Event(*(str(rec[f]) for f in FIELDS)))
        except (ValueError, KeyError, TypeError):
            continue
    return events


def rows(events: list[Event]) -> list[dict[str, str]]:
    """The events as rows with Swedish column names, newest first (for a table or an export)."""
    return [{COLUMNS[f]: getattr(e, f) for f in FIELDS} for e in reversed(events)]


def export_jsonl(store: Path) -> bytes:
    """The log file as it is (for download)."""
    target = path(store)
    return target.read_bytes() if target.exists() else b""


# --- internal extracts: each file with exact figures has an id no one can guess -------------------

_LETTERS: Final = str.maketrans("0123456789abcdef", "abcdefghijkmnpqr")


def new_extract_id() -> str:
    """128 random bits: the id of one internal extract, in its file name, its content and the log.

    Written in 16 letters, no digits: a run of digits in a hexadecimal id could look like a
    personnummer to :func:`mask`, and the log would then keep a masked id that no
    longer names its file.

    >>> xid = new_extract_id()
    >>> len(xid), xid.isalpha(), xid.islower()
    (32, True, True)
    """
    return secrets.token_hex(16).translate(_LETTERS)


# --- sign-outs: a signed-out sign-in's cookie is refused on this server ---------------------------

def _sign_outs(store: Path) -> Path:
    return store / SIGN_OUTS


def sign_out(store: Path, fingerprint: str) -> None:
    """Record that the sign-in with ``fingerprint`` has signed out (appended atomically under the lock)."""
    line = (fingerprint.strip() + "\n").encode("ascii")
    target = _sign_outs(store)
    with atomic.locked(store):
        before = target.read_bytes() if target.exists() else b""
        if line not in before.splitlines(keepends=True):
            atomic.write_bytes(target, before + line)


def signed_out(store: Path, fingerprint: str) -> bool:
    """Whether the sign-in with ``fingerprint`` has signed out."""
    target = _sign_outs(store)
    if not target.exists():
        return False
    return fingerprint.strip() in target.read_text(encoding="ascii", errors="replace").split()


def fingerprint(parts: list[str]) -> str:
    """A fingerprint of one sign-in (its subject, issue time and nonce), not of the person."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
