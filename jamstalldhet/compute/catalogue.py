"""The indicator catalogue (``data/indikatorer.toml``): titles, definitions and målområden.

A broken catalogue raises :class:`CatalogueError` with a Swedish message naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from ..base import schema as S
from ..base.errors import UserError
from ..base.settings import DATA_DIR
from ..base.validation import TomlError, read_toml
from .indicators import INDICATORS

CATALOGUE_FILE: Final = DATA_DIR / "indikatorer.toml"


class CatalogueError(UserError, ValueError):
    """The indicator catalogue cannot be used (Swedish message naming the file and what is wrong)."""


#: sections a målområde page may add after its indicators (``avsnitt`` in the catalogue)
SECTIONS: Final = {"resurser": "Resurser (deltagardagar och kostnad)", "utbetalningar": "Jämställda utbetalningar"}


@dataclass(frozen=True)
class IndicatorText:
    id: str
    title: str
    short: str
    definition: str


@dataclass(frozen=True)
class Malomrade:
    id: str
    title: str
    description: str
    indicators: tuple[str, ...]
    insatser: tuple[str, ...]
    breakdowns: tuple[str, ...]
    #: the page's address (``/makt-och-halsa``); from the id when the catalogue does not say
    url: str = ""
    #: extra sections on the page, after the indicators (see :data:`SECTIONS`)
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    indicators: dict[str, IndicatorText]
    malomraden: tuple[Malomrade, ...]
    report_title: str = "Uppföljning av handlingsplanen för jämställdhetsintegrering"
    unit: str = ""

    def text(self, indicator_id: str) -> IndicatorText:
        return self.indicators.get(indicator_id) or IndicatorText(indicator_id, indicator_id, indicator_id, "")

    @property
    def fixed_selections(self) -> list[tuple[str, ...]]:
        """The målområden's own selections of insatser: the only unions published mode offers."""
        return [m.insatser for m in self.malomraden if m.insatser]

    def malomrade(self, mid: str) -> Malomrade:
        for m in self.malomraden:
            if m.id == mid:
                return m
        raise KeyError(mid)


#: addresses of the fixed pages, which a målområde cannot take
RESERVED_URLS: Final = frozenset({"oversikt", "resurser", "handlingsplan", "trender", "arsrapport", "importera", "tillganglighet"})


def _line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return 1


def parse(text: str, name: str = "indikatorer.toml") -> Catalogue:
    try:
        raw = read_toml(text, name)
    except TomlError as exc:
        raise CatalogueError(str(exc)) from exc
    known = {i.id for i in INDICATORS}
    texts: dict[str, IndicatorText] = {}
    for iid, t in raw.get("indikatorer", {}).items():
        if iid not in known:
            raise CatalogueError(f"{name}, rad {_line_of(text, f'[indikatorer.{iid}]')}: okänd indikator '{iid}'. Kända: {', '.join(sorted(known))}.")
        texts[iid] = IndicatorText(iid, str(t.get("titel", iid)), str(t.get("kort", t.get("titel", iid))), str(t.get("definition", "")))
    areas: list[Malomrade] = []
    for m in raw.get("malomraden", []):
        mid = str(m.get("id", ""))
        for iid in m.get("indikatorer", []):
            if iid not in known:
                raise CatalogueError(f"{name}, rad {_line_of(text, repr(iid)[1:-1])}: målområdet '{mid}' nämner okänd indikator '{iid}'.")
        for dim in m.get("uppdelningar", []):
            if dim not in S.DIMENSIONS:
                raise CatalogueError(f"{name}, rad {_line_of(text, dim)}: okänd uppdelning '{dim}'. Möjliga: {', '.join(S.DIMENSIONS)}.")
        if not mid or "titel" not in m:
            raise CatalogueError(f"{name}, rad {_line_of(text, '[[malomraden]]')}: varje målområde behöver id och titel.")
        for sec in m.get("avsnitt", []):
            if sec not in SECTIONS:
                raise CatalogueError(f"{name}, rad {_line_of(text, sec)}: okänt avsnitt '{sec}'. Möjliga: {', '.join(SECTIONS)}.")
        url = str(m.get("url") or re.sub(r"[^a-z0-9]+", "-", mid.lower()).strip("-"))
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", url) or url in RESERVED_URLS or url in {a.url for a in areas}:
            raise CatalogueError(f"{name}, rad {_line_of(text, url)}: adressen '{url}' går inte att använda "
                                 "(små bokstäver a–z, siffror och bindestreck; inte en annan sidas adress).")
        areas.append(Malomrade(mid, str(m["titel"]), str(m.get("beskrivning", "")), tuple(m.get("indikatorer", [])),
                               tuple(m.get("insatser", [])), tuple(m.get("uppdelningar", [])), url, tuple(m.get("avsnitt", []))))
    rep = raw.get("rapport", {})
    return Catalogue(texts, tuple(areas), str(rep.get("titel", Catalogue.report_title)), str(rep.get("enhet", "")))


@cache
def _load(path: Path, mtime: int) -> Catalogue:
    return parse(path.read_text(encoding="utf-8"), path.name)


def load(path: Path = CATALOGUE_FILE) -> Catalogue:
    """The catalogue, re-read whenever the file changes."""
    return _load(path, path.stat().st_mtime_ns)
