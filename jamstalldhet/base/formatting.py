"""Numbers in Swedish: ``1 814``, ``16,0 %``, ``−2,0`` procentenheter, ``..`` for suppressed.

Babel supplies the Swedish locale data (decimal comma, digit grouping); the grouping
space is written as a plain space and the minus as U+2212, as in SCB's publications.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
from babel.numbers import format_decimal

LOCALE: Final = "sv_SE"
SUPPRESSED: Final = ".."
MISSING: Final = "–"


def _is_missing(x: object) -> bool:
    try:
        return bool(pd.isna(x))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _clean(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ").replace("-", "−")


def number(x: object, decimals: int = 0, missing: str = SUPPRESSED) -> str:
    """``1814`` → ``1 814``; ``-2.04, 1`` → ``−2,0``."""
    if _is_missing(x):
        return missing
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return _clean(format_decimal(float(x) if decimals else round(float(x)), format=pattern, locale=LOCALE))  # type: ignore[arg-type]


def year_list(years: list[int]) -> str:
    """Years as the pages write them: ``2016–2019`` when they follow each other, else listed.

    >>> year_list([2016, 2017, 2018]), year_list([2015, 2018]), year_list([])
    ('2016–2018', '2015, 2018', '–')
    """
    if not years:
        return MISSING
    if years == list(range(years[0], years[-1] + 1)):
        return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def percent(share: object, decimals: int = 1, missing: str = SUPPRESSED) -> str:
    """A fraction as a percentage: ``0.16`` → ``16,0 %``."""
    if _is_missing(share):
        return missing
    return number(float(share) * 100, decimals) + " %"  # type: ignore[arg-type]


def pp(gap: object, missing: str = SUPPRESSED) -> str:
    """A gap in percentage points: ``-2.0`` → ``−2,0``."""
    if _is_missing(gap):
        return missing
    return ("+" if float(gap) > 0 else "") + number(gap, 1)  # type: ignore[arg-type]


def ratio(x: object, missing: str = SUPPRESSED) -> str:
    """Ratio women/men with two decimals: ``0.888`` → ``0,89``."""
    return number(x, 2, missing)


def interval(low: object, high: object, missing: str = SUPPRESSED) -> str:
    """A 95 % interval as ``13,3–19,1 %``."""
    if _is_missing(low) or _is_missing(high):
        return missing
    return f"{number(float(low) * 100, 1)}–{number(float(high) * 100, 1)} %"  # type: ignore[arg-type]


def yes_no(x: object, missing: str = SUPPRESSED) -> str:
    if _is_missing(x):
        return missing
    return "Ja" if bool(x) else "Nej"


_MARKDOWN_SPECIAL: Final = frozenset("\\`*_[]()#.!|~<>$:&/")


def markdown_text(value: str) -> str:
    """User text (a file name, a label) for a Markdown element, shown as the characters it is: every
    Markdown or HTML character is escaped, so no link, image, emphasis, HTML, emoji or colour comes
    from it, and a line break is a space.

    >>> markdown_text("[klicka](https://x.se) ![b](https://x.se/p.png).csv")
    '\\\\[klicka\\\\]\\\\(https\\\\:\\\\/\\\\/x\\\\.se\\\\) \\\\!\\\\[b\\\\]\\\\(https\\\\:\\\\/\\\\/x\\\\.se\\\\/p\\\\.png\\\\)\\\\.csv'
    """
    flat = " ".join(str(value).split())
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in flat)
