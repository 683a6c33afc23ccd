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
from functools import cache
from pathlib import Path
from typing import Any, Final

from ..base import versions as versions_module
from ..base.errors import UserError
from ..base.settings import texts_dir
from ..base.versions import Version

MAX_CHARS: Final = 100_000
_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class NarrativeError(UserError, ValueError):
    """A follow-up text that cannot be saved or read (Swedish message)."""


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
    return versions_module.save(path(year, mid, root), text, _versions_dir(year, mid, root))


def versions(year: int, mid: str, root: Path | None = None) -> list[Version]:
    """Earlier texts, newest first."""
    _check(year, mid)
    return versions_module.earlier(_versions_dir(year, mid, root), ".md")


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
