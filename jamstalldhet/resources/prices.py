"""The cost catalogue (``data/kostnader.toml``): price per participant-day per insats and year.

Data contract, section 6. One ``[[pris]]`` table per price::

    [[pris]]
    insats = "Jobb Borås arbetsträning"
    ar = 2018            # from this year on, until a later price
    kr_per_dag = 455     # kronor per participant-day (calendar day)
    kalla = "Internprislista 2018, Jobb Borås"   # where the price comes from (required)

A year without a price of its own takes the latest earlier one; an insats without any price for
the year (none in or before it) has *no* price: :meth:`CostCatalogue.price` returns ``None`` and
its kronor are reported as missing, never as 0.

A broken file raises :class:`CostError` with a Swedish message naming the file and line.
Saving keeps every earlier version as the narrative texts do (:mod:`jamstalldhet.plan.narrative`)::

    kostnader.toml                                  the current price list
    kostnader_versioner/<time>.toml                 every earlier one, named by when it was saved

and writes through :mod:`jamstalldhet.base.atomic`, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..base import versions as versions_module
from ..base.errors import UserError
from ..base.settings import COSTS_ENV, DATA_DIR, environment
from ..base.validation import TomlError, read_toml
from ..base.versions import Version

COSTS_FILE: Final = DATA_DIR / "kostnader.toml"
MAX_CHARS: Final = 200_000
_KEYS: Final = ("insats", "ar", "kr_per_dag", "kalla")
_HEADER: Final = re.compile(r"^\s*\[\[\s*pris\s*\]\]\s*(#.*)?$")
HEADER_COMMENT: Final = (
    "# Kostnadskatalog: pris per deltagardag (kronor per kalenderdag i insatsen) per insats och år.\n"
    "# Ett år utan eget pris får det senaste tidigare priset. En insats utan pris redovisas som saknad, aldrig som 0.\n"
    "# Varje pris ska ha en källa (kalla): budget, internprislista eller liknande.\n"
)


class CostError(UserError, ValueError):
    """The price list cannot be used (Swedish message naming the file, row and what is wrong)."""


@dataclass(frozen=True)
class Price:
    insats: str
    year: int  # the price applies from this year until the next price of the insats
    kr_per_day: float
    source: str
    line: int = 0  # line of its [[pris]] in the file (0 = not from a file)


@dataclass(frozen=True)
class CostCatalogue:
    prices: tuple[Price, ...] = ()

    @property
    def insatser(self) -> tuple[str, ...]:
        return tuple(sorted({p.insats for p in self.prices}))

    def price(self, insats: str, year: int) -> Price | None:
        """The price in force in ``year``: the latest with ``year`` ≤ the given one, else None."""
        best: Price | None = None
        for p in self.prices:
            if p.insats == insats and p.year <= year and (best is None or p.year > best.year):
                best = p
        return best

    def per_day(self, insatser: Iterable[str], year: int) -> npt.NDArray[np.float64]:
        """Kronor per participant-day of each insats in ``year``; NaN where there is no price."""
        out = [self.price(i, year) for i in insatser]
        return np.array([np.nan if p is None else p.kr_per_day for p in out], dtype=np.float64)

    def missing(self, insatser: Iterable[str], year: int) -> list[str]:
        """The insatser that have no price for ``year``."""
        return [i for i in insatser if self.price(i, year) is None]


# --- reading ---------------------------------------------------------------------------------

def _blocks(text: str) -> list[tuple[int, int]]:
    """(first line, last line) of each ``[[pris]]`` table, 1-based, in file order."""
    lines = text.splitlines()
    heads = [i + 1 for i, line in enumerate(lines) if _HEADER.match(line)]
    ends = [h - 1 for h in heads[1:]] + [len(lines)]
    return list(zip(heads, ends, strict=True))


def _key_line(text: str, block: tuple[int, int], key: str) -> int:
    lines = text.splitlines()
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for n in range(block[0], block[1] + 1):
        if pattern.match(lines[n - 1]):
            return n
    return block[0]


def _entry(raw: Mapping[str, Any], where: Callable[[str], str], line: int = 0) -> Price:
    """One price from its table (or editor row); ``where(key)`` says where a bad value is."""
    unknown = [k for k in raw if k not in _KEYS]
    if unknown:
        raise CostError(f"{where(unknown[0])}: okänd nyckel '{unknown[0]}'. Tillåtna: {', '.join(_KEYS)}.")
    insats = raw.get("insats")
    if not isinstance(insats, str) or not insats.strip():
        raise CostError(f"{where('insats')}: insats saknas (text, t.ex. insats = \"Jobb Borås arbetsträning\").")
    year = raw.get("ar")
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2999:
        shown = "inget" if year is None else repr(year)
        raise CostError(f"{where('ar')}: ar ska vara ett årtal (t.ex. ar = 2018), inte {shown}.")
    kr = raw.get("kr_per_dag")
    if isinstance(kr, bool) or not isinstance(kr, int | float) or not math.isfinite(kr) or kr < 0:
        shown = "inget" if kr is None else repr(kr)
        raise CostError(f"{where('kr_per_dag')}: kr_per_dag ska vara ett tal i kronor, 0 eller mer "
                        f"(t.ex. kr_per_dag = 455), inte {shown}.")
    source = raw.get("kalla")
    if not isinstance(source, str) or not source.strip():
        raise CostError(f"{where('kalla')}: kalla saknas: ange var priset kommer ifrån (budget, internprislista …).")
    return Price(insats.strip(), int(year), float(kr), source.strip(), line)


def _unique(prices: list[Price], where: Any) -> CostCatalogue:
    seen: dict[tuple[str, int], Price] = {}
    for i, p in enumerate(prices):
        key = (p.insats, p.year)
        if key in seen:
            raise CostError(f"{where(i)}: {p.insats} har redan ett pris för {p.year}.")
        seen[key] = p
    return CostCatalogue(tuple(sorted(prices, key=lambda p: (p.insats, p.year))))


def parse(text: str, name: str = "kostnader.toml") -> CostCatalogue:
    """The catalogue in ``text``; :class:`CostError` naming ``name`` and the line otherwise."""
    try:
        raw = read_toml(text, name)
    except TomlError as exc:
        raise CostError(str(exc)) from exc
    for key in raw:
        if key != "pris":
            line = next((i for i, s in enumerate(text.splitlines(), 1) if re.match(rf"^\s*\[?\s*{re.escape(key)}\b", s)), 1)
            raise CostError(f"{name}, rad {line}: okänd del '{key}'. Varje pris skrivs som en tabell [[pris]].")
    tables = raw.get("pris", [])
    if not isinstance(tables, list):
        raise CostError(f"{name}: 'pris' ska skrivas som tabeller [[pris]].")
    blocks = _blocks(text)
    prices: list[Price] = []
    for i, t in enumerate(tables):
        if not isinstance(t, dict):
            raise CostError(f"{name}: 'pris' ska skrivas som tabeller [[pris]].")
        block = blocks[i] if i < len(blocks) else (1, 1)

        def where(key: str, t: dict[str, Any] = t, block: tuple[int, int] = block) -> str:
            # a bad value is reported on its own line; a missing one on its table's [[pris]]
            return f"{name}, rad {_key_line(text, block, key) if key in t else block[0]}"

        prices.append(_entry(t, where, block[0]))
    return _unique(prices, lambda i: f"{name}, rad {prices[i].line}")


def from_rows(rows: Iterable[Mapping[str, Any]]) -> CostCatalogue:
    """A catalogue from table rows (the page's editor); messages name the row (first row = 1).

    Rows whose every value is empty are skipped (the editor's blank new row)."""
    prices: list[Price] = []
    numbers: list[int] = []
    for n, row in enumerate(rows, 1):
        clean = {k: v for k, v in row.items() if not _blank(v)}
        if not clean:
            continue
        prices.append(_entry(clean, _fixed(f"Rad {n}")))
        numbers.append(n)
    return _unique(prices, lambda i: f"Rad {numbers[i]}")


def _fixed(label: str) -> Callable[[str], str]:
    """The same place for every key (an editor row)."""
    return lambda _key: label


def _blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def rows(cat: CostCatalogue) -> list[dict[str, Any]]:
    """The prices as editor rows (keys as in the file)."""
    return [{"insats": p.insats, "ar": p.year, "kr_per_dag": p.kr_per_day, "kalla": p.source} for p in cat.prices]


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def to_toml(cat: CostCatalogue) -> str:
    """The catalogue as the file's text (header comment, then one [[pris]] per price)."""
    parts = [HEADER_COMMENT]
    for p in cat.prices:
        parts.append(
            "\n[[pris]]\n"
            f"insats = {json.dumps(p.insats, ensure_ascii=False)}\n"
            f"ar = {p.year}\n"
            f"kr_per_dag = {_number(p.kr_per_day)}\n"
            f"kalla = {json.dumps(p.source, ensure_ascii=False)}\n"
        )
    return "".join(parts)


# --- the file and its versions ------------------------------------------------------------

def path() -> Path:
    """The current price list: ``$JAMSTALLDHET_KOSTNADER`` or ``data/kostnader.toml``."""
    env = environment(COSTS_ENV)
    return Path(env) if env else COSTS_FILE


def _versions_dir(p: Path) -> Path:
    return p.parent / f"{p.stem}_versioner"


@cache
def _load(p: Path, mtime: int) -> CostCatalogue:
    return parse(p.read_text(encoding="utf-8"), p.name)


def load(file: Path | None = None) -> CostCatalogue:
    """The current catalogue (re-read whenever the file changes); empty when there is none."""
    p = file or path()
    if not p.exists():
        return CostCatalogue()
    return _load(p, p.stat().st_mtime_ns)


def read_text(file: Path | None = None) -> str:
    p = file or path()
    return p.read_text(encoding="utf-8") if p.exists() else ""


def save(text: str, file: Path | None = None) -> bool:
    """Store ``text`` as the current price list after checking it; the one it replaces is kept.

    Raises :class:`CostError` (nothing stored) when the text is not a valid catalogue.
    Returns False when the text is unchanged."""
    p = file or path()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_CHARS:
        raise CostError(f"Prislistan är för lång ({len(text)} tecken, högst {MAX_CHARS}).")
    parse(text, p.name)
    return versions_module.save(p, text, _versions_dir(p))


def save_catalogue(cat: CostCatalogue, file: Path | None = None) -> bool:
    return save(to_toml(cat), file)


def versions(file: Path | None = None) -> list[Version]:
    """Earlier price lists, newest first."""
    p = file or path()
    return versions_module.earlier(_versions_dir(p), p.suffix)


def restore(version: Version, file: Path | None = None) -> bool:
    """Make an earlier version current again (the current one is kept as a version)."""
    return save(version.text(), file)


def fingerprint(file: Path | None = None) -> str:
    """Changes whenever the price list changes (for caches)."""
    p = file or path()
    return f"{p}:{p.stat().st_mtime_ns}" if p.exists() else f"{p}:-"
