"""Swedish personal identity numbers: checked, read for gender and birth year, then pseudonymised.

Accepted forms (Skatteverket, SKV 704): ``YYYYMMDD-NNNN``, ``YYMMDD-NNNN``, ``YYMMDD+NNNN`` (the
``+`` marks a person who is 100 or older), ``YYYYMMDDNNNN`` and ``YYMMDDNNNN``. A
samordningsnummer has the day plus 60. The last digit is a Luhn check digit over the ten digits
``YYMMDDNNN``; the second-to-last is odd for men and even for women.

The number itself never leaves this module: :func:`pseudonym` turns it into a keyed
HMAC-SHA256 pseudonym (the same person gets the same pseudonym in every import as long as the
key is the same), and nothing here puts the number in a message.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

KEY_ENV: Final = "JAMSTALLDHET_KEY"
KEY_FILE_ENV: Final = "JAMSTALLDHET_KEY_FILE"
_FORM: Final = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$")


@dataclass(frozen=True)
class Parsed:
    canonical: str  # YYYYMMDDNNNN, century resolved (only ever passed to pseudonym())
    birth_year: int
    gender: str  # schema.KVINNA or schema.MAN
    coordination: bool


def luhn_ok(ten_digits: str) -> bool:
    """The Luhn check over ``YYMMDDNNNC``.

    >>> luhn_ok("8112189876"), luhn_ok("8112189875")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(ten_digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def parse(text: str, today: date | None = None) -> Parsed | None:
    """A checked personnummer or samordningsnummer, or None when it is not a valid one.

    >>> p = parse("811218-9876", date(2026, 1, 1)); (p.birth_year, p.gender, p.coordination)
    (1981, 'Man', False)
    >>> parse("19811218-9875") is None   # wrong check digit
    True
    """
    from . import schema as S

    m = _FORM.match(text.strip().replace(" ", ""))
    if not m:
        return None
    century, yy, mm, dd, sep, serial, check = m.groups()
    if not luhn_ok(yy + mm + dd + serial + check):
        return None
    day = int(dd)
    coordination = day > 60
    if coordination:
        day -= 60
    today = today or date.today()
    if century is not None:
        if sep == "+":
            return None  # '+' belongs to the ten-digit form only
        year = int(century + yy)
    else:
        year = (today.year // 100) * 100 + int(yy)
        if _after(year, int(mm), day, today):
            year -= 100
        if sep == "+":
            year -= 100
    try:
        born = date(year, int(mm), day)
    except ValueError:
        return None
    if born > today:
        return None
    gender = S.MAN if int(serial[-1]) % 2 == 1 else S.KVINNA
    return Parsed(f"{year:04d}{mm}{dd}{serial}{check}", year, gender, coordination)


def _after(year: int, month: int, day: int, today: date) -> bool:
    return (year, month, day) > (today.year, today.month, today.day)


def key_file() -> Path:
    """Where the secret key lives: ``$JAMSTALLDHET_KEY_FILE``, else outside the data folder in
    the user's configuration directory (``~/.config/jamstalldhet/pseudonymnyckel``)."""
    env = os.environ.get(KEY_FILE_ENV)
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "jamstalldhet" / "pseudonymnyckel"


def secret_key() -> bytes:
    """``$JAMSTALLDHET_KEY`` if set; else the key file, created (32 random bytes, mode 600) on first use."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def pseudonym(parsed: Parsed, key: bytes) -> str:
    """A keyed pseudonym: ``p`` + 24 hex digits of HMAC-SHA256(key, YYYYMMDDNNNN)."""
    return "p" + hmac.new(key, parsed.canonical.encode("ascii"), hashlib.sha256).hexdigest()[:24]
