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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..base.settings import CONFIG_HOME_ENV, KEY_ENV, KEY_FILE_ENV, environment

# ASCII digits only: str's \\d also takes other scripts' digits, which int() reads but which have no
# place in a personnummer (and which the ASCII pseudonym input could not hold).
_FORM: Final = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$", re.ASCII)


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
    from ..base import schema as S

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


#: What ``str.strip()`` removes: every character for which ``str.isspace()`` holds (written out:
#: finding them among all code points took 70 ms at every start; a test checks the list).
_WHITESPACE: Final = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                      "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
#: The accepted shape once trimmed and without spaces (the same as :data:`_FORM`).
_SHAPE: Final = r"^([0-9]{2})?[0-9]{6}[-+]?[0-9]{4}$"
_DAYS_IN_MONTH: Final = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_LUHN_WEIGHTS: Final = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2, 1], dtype=np.int64)


@dataclass(frozen=True)
class Bulk:
    """:func:`parse` of many texts at once: one entry per text, as arrays. Where ``valid`` is
    False the other arrays hold zeros."""

    valid: npt.NDArray[np.bool_]
    birth_year: npt.NDArray[np.int64]
    man: npt.NDArray[np.bool_]  # the gender: True for schema.MAN, False for schema.KVINNA
    coordination: npt.NDArray[np.bool_]
    canonical: npt.NDArray[np.uint8] = field(repr=False)  # (n, 12) ASCII YYYYMMDDNNNN, only ever passed to pseudonyms()

    def genders(self) -> npt.NDArray[np.object_]:
        """schema.MAN or schema.KVINNA per valid text, None for the others."""
        from ..base import schema as S

        out = np.full(len(self.valid), None, dtype=object)
        out[self.valid & self.man] = S.MAN
        out[self.valid & ~self.man] = S.KVINNA
        return out


def parse_many(texts: Any, today: date | None = None) -> Bulk:
    """:func:`parse` of each text (an Arrow string array, or a sequence of str), vectorised with
    Arrow and numpy; null entries are not valid. Gives exactly what :func:`parse` gives.

    >>> b = parse_many(["811218-9876", "19811218-9875", " 811278 9873 "], date(2026, 1, 1))
    >>> b.valid.tolist(), b.birth_year.tolist(), b.man.tolist(), b.coordination.tolist()
    ([True, False, True], [1981, 0, 1981], [True, False, True], [False, False, True])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    today = today or date.today()
    arr = texts if isinstance(texts, pa.Array | pa.ChunkedArray) else pa.array(list(texts), type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())  # large_string, string_view
    n = len(arr)
    compact = pc.replace_substring(pc.utf8_trim(arr, characters=_WHITESPACE), " ", "")
    shaped = pc.fill_null(pc.match_substring_regex(compact, _SHAPE), False).to_numpy(zero_copy_only=False)
    at = np.flatnonzero(shaped)
    chars = _right_aligned(compact.filter(pa.array(shaped)), 13)  # (k, 13): [CC]YYMMDD[-+]NNNC
    lens = (chars != 0).sum(axis=1)
    sep = (lens == 11) | (lens == 13)
    century = lens >= 12
    head = np.where(sep[:, None], chars[:, 0:8], chars[:, 1:9])  # CCYYMMDD, CC zero when absent
    tail = chars[:, 9:13]  # NNNC
    plus = sep & (chars[:, 8] == ord("+"))
    d = np.concatenate([head, tail], axis=1).astype(np.int64) - ord("0")  # (k, 12); CC -48 when absent
    luhn = d[:, 2:12] * _LUHN_WEIGHTS
    luhn_ok = (np.where(luhn > 9, luhn - 9, luhn).sum(axis=1) % 10) == 0
    yy, mm, dd = d[:, 2] * 10 + d[:, 3], d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    coordination = dd > 60
    day = np.where(coordination, dd - 60, dd)
    ty, tm, td = today.year, today.month, today.day

    def after(y: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        later: npt.NDArray[np.bool_] = (y > ty) | ((y == ty) & ((mm > tm) | ((mm == tm) & (day > td))))
        return later

    short = (ty // 100) * 100 + yy
    short = short - 100 * after(short) - 100 * plus
    year = np.where(century, (d[:, 0] * 10 + d[:, 1]) * 100 + yy, short)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (mm >= 1) & (mm <= 12)
    days = _DAYS_IN_MONTH[np.where(month_ok, mm, 0)] + (month_ok & (mm == 2) & leap)
    ok = luhn_ok & ~(century & plus) & (year >= 1) & month_ok & (day >= 1) & (day <= days) & ~after(year)

    valid = np.zeros(n, dtype=bool)
    valid[at] = ok
    birth_year = np.zeros(n, dtype=np.int64)
    birth_year[at] = np.where(ok, year, 0)
    man = np.zeros(n, dtype=bool)
    man[at] = ok & (d[:, 10] % 2 == 1)
    coord = np.zeros(n, dtype=bool)
    coord[at] = ok & coordination
    canonical = np.zeros((n, 12), dtype=np.uint8)
    y4 = np.where(ok, year, 0)
    year_chars = np.stack([y4 // 1000 % 10, y4 // 100 % 10, y4 // 10 % 10, y4 % 10], axis=1) + ord("0")
    canonical[at] = np.where(ok[:, None], np.concatenate([year_chars, d[:, 4:12] + ord("0")], axis=1), 0)
    return Bulk(valid, birth_year, man, coord, canonical)


def _right_aligned(arr: Any, width: int) -> npt.NDArray[np.uint8]:
    """The bytes of an Arrow string array whose values are at most ``width`` bytes long, right
    aligned in a (n, width) matrix, zero-padded on the left. Read from the data buffer directly."""
    n = len(arr)
    if n == 0:
        return np.zeros((0, width), dtype=np.uint8)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, dtype=np.uint8)
    ends = offsets[1:]
    starts = offsets[:-1]
    pos = ends[:, None] - width + np.arange(width)  # (n, width)
    inside = pos >= starts[:, None]
    out: npt.NDArray[np.uint8] = np.where(inside, data[np.where(inside, pos, 0)] if len(data) else 0, 0).astype(np.uint8)
    return out


def key_file() -> Path:
    """Where the secret key lives: ``$JAMSTALLDHET_KEY_FILE``, else outside the data folder in
    the user's configuration directory (``~/.config/jamstalldhet/pseudonymnyckel``)."""
    env = environment(KEY_FILE_ENV)
    if env:
        return Path(env)
    base = Path(environment(CONFIG_HOME_ENV) or Path.home() / ".config")
    return base / "jamstalldhet" / "pseudonymnyckel"


def secret_key() -> bytes:
    """``$JAMSTALLDHET_KEY`` if set; else the key file, created (32 random bytes, mode 600) on first use."""
    env = environment(KEY_ENV)
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


def pseudonyms(canonical: npt.NDArray[np.uint8], key: bytes) -> list[str]:
    """:func:`pseudonym` of each row of a (n, 12) ``YYYYMMDDNNNN`` matrix (:attr:`Bulk.canonical`),
    with the key's inner and outer SHA-256 states computed once (RFC 2104) and copied per number."""
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    raw = np.ascontiguousarray(canonical, dtype=np.uint8).tobytes()
    out: list[str] = []
    append = out.append
    for i in range(0, len(raw), 12):
        h = inner.copy()
        h.update(raw[i : i + 12])
        o = outer.copy()
        o.update(h.digest())
        append("p" + o.hexdigest()[:24])
    return out
