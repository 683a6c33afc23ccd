"""The narrative follow-up per year and målområde (the text of the seed's item 11).

Layout under :func:`settings.texts_dir` (``data/uppfoljning/``)::

    <year>/<målområde>.md                      the current text (Markdown)
    <year>/versioner/<målområde>/<time>.md     every earlier text, named by when it was saved

Saving moves the text it replaces into ``versioner/`` first, so no version is ever lost,
and writes through a temporary file and ``os.replace`` so a crash never leaves half a text.
Markdown becomes HTML with markdown-it-py with raw HTML switched off: ``<script>`` in a text is
shown as text, never run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

from . import atomic
from .settings import texts_dir

MAX_CHARS: Final = 100_000
_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_STAMP: Final = "%Y-%m-%dT%H%M%S.%fZ"
_VERSION_NAME: Final = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{6}\.\d{6}Z)(?:-\d+)?$")


class NarrativeError(ValueError):
    pass


@dataclass(frozen=True)
class Version:
    saved: datetime
    path: Path

    @property
    def label(self) -> str:
        return self.saved.astimezone().strftime("%Y-%m-%d %H:%M:%S")

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _check(year: int, mid: str) -> None:
    if not _ID.match(mid):
        raise NarrativeError(f"Ogiltigt målområdes-id '{mid}' (bara a–z, 0–9 och bindestreck).")
    if not 1900 <= int(year) <= 2999:
        raise NarrativeError(f"Ogiltigt år {year}.")


def path(year: int, mid: str, root: Path | None = None) -> Path:
    _check(year, mid)
    return (root or texts_dir()) / str(int(year)) / f"{mid}.md"


def _versions_dir(year: int, mid: str, root: Path | None) -> Path:
    return (root or texts_dir()) / str(int(year)) / "versioner" / mid


def read(year: int, mid: str, root: Path | None = None) -> str:
    """The current text, or an empty string when none has been written."""
    p = path(year, mid, root)
    return p.read_text(encoding="utf-8") if p.exists() else ""


def save(year: int, mid: str, text: str, root: Path | None = None) -> bool:
    """Store ``text`` as the current version; the one it replaces is kept. False if unchanged."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_CHARS:
        raise NarrativeError(f"Texten är för lång ({len(text)} tecken, högst {MAX_CHARS}).")
    p = path(year, mid, root)
    if p.exists():
        old = p.read_text(encoding="utf-8")
        if old == text:
            return False
        saved = datetime.fromtimestamp(p.stat().st_mtime, UTC)
        vdir = _versions_dir(year, mid, root)
        target = vdir / f"{saved.strftime(_STAMP)}.md"
        n = 1
        while target.exists():
            target = vdir / f"{saved.strftime(_STAMP)}-{n}.md"
            n += 1
        atomic.write_bytes(target, old.encode("utf-8"))
    atomic.write_bytes(p, text.encode("utf-8"))
    return True


def versions(year: int, mid: str, root: Path | None = None) -> list[Version]:
    """Earlier texts, newest first."""
    _check(year, mid)
    out: list[Version] = []
    for f in _versions_dir(year, mid, root).glob("*.md"):
        m = _VERSION_NAME.match(f.stem)
        if m:
            out.append(Version(datetime.strptime(m.group(1), _STAMP).replace(tzinfo=UTC), f))
    return sorted(out, key=lambda v: (v.saved, v.path.name), reverse=True)


def fingerprint(year: int, root: Path | None = None) -> str:
    """Changes whenever a text of the year changes (for caches)."""
    folder = (root or texts_dir()) / str(int(year))
    return "|".join(f"{p.name}:{p.stat().st_mtime_ns}" for p in sorted(folder.glob("*.md")))


@cache
def _markdown() -> Any:
    """The Markdown renderer, made on first use (the command line's indicators never needs it)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def to_html(text: str) -> str:
    """Markdown → HTML; raw HTML is escaped and ``javascript:`` links are not made links.

    >>> to_html("**Viktigt** <script>alert(1)</script>")
    '<p><strong>Viktigt</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\\n'
    """
    return str(_markdown().render(text))
