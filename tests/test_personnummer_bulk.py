"""The bulk personnummer check (:func:`personnummer.parse_many`, :func:`personnummer.pseudonyms`)
against the single-value reference (:func:`personnummer.parse`, :func:`personnummer.pseudonym`),
and the readers that use it against the reference applied value by value."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamstalldhet.intake import personnummer as P
from jamstalldhet.intake import reading as R
from jamstalldhet.payments import reading as PR
from tests.conftest import examples

TODAY = dt.date(2026, 3, 15)
TODAYS = (TODAY, dt.date(2000, 2, 29), dt.date(2024, 12, 31), dt.date(2099, 1, 1), dt.date(150, 6, 1))


def check_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def number(born: dt.date, serial: int, coordination: bool = False) -> tuple[str, str]:
    """(YYYYMMDD, NNNC) of a valid number."""
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{born.year:04d}{born:%m}{day:02d}", f"{serial:03d}{check_digit(nine)}"


def forms(date8: str, last4: str, born: dt.date, today: dt.date) -> list[str]:
    """Every accepted way of writing the number (and a few with spaces around and inside)."""
    short = date8[2:]
    centenarian = (today.year - born.year, today.month, today.day) >= (100, born.month, born.day)
    sep = "+" if centenarian else "-"
    return [f"{date8}-{last4}", f"{short}{sep}{last4}", f"{date8}{last4}", f"{short}{last4}", f"{short}-{last4}",
            f"{short}+{last4}", f" {date8} - {last4} ", f"\t{short}{sep}{last4}\xa0", f"{short} {last4}", f"\u3000{date8}{last4}\n"]


def assert_same(texts: list[str], today: dt.date) -> P.Bulk:
    bulk = P.parse_many(texts, today)
    for i, text in enumerate(texts):
        ref = P.parse(text, today)
        assert bool(bulk.valid[i]) == (ref is not None), repr(text)
        if ref is None:
            assert bulk.birth_year[i] == 0 and not bulk.man[i] and not bulk.coordination[i]
            assert not bulk.canonical[i].any()
        else:
            assert int(bulk.birth_year[i]) == ref.birth_year, repr(text)
            assert bulk.genders()[i] == ref.gender, repr(text)
            assert bool(bulk.coordination[i]) == ref.coordination, repr(text)
            assert bulk.canonical[i].tobytes().decode("ascii") == ref.canonical, repr(text)
    return bulk


def generated(n: int, seed: int, today: dt.date) -> list[str]:
    rng = random.Random(seed)
    start = dt.date(1890, 1, 1).toordinal()
    texts: list[str] = []
    for _ in range(n):
        born = dt.date.fromordinal(rng.randint(start, today.toordinal()))
        date8, last4 = number(born, rng.randint(0, 999), coordination=rng.random() < 0.2)
        texts += forms(date8, last4, born, today)
    return texts


@pytest.mark.parametrize("today", TODAYS[:4])
def test_valid_numbers_in_every_form(today: dt.date) -> None:
    texts = generated(600, today.toordinal(), today)
    bulk = assert_same(texts, today)
    assert bulk.valid[0::10].all() and bulk.valid[2::10].all() and bulk.valid[6::10].all()  # the 12-digit forms
    assert bulk.valid.mean() > 0.6


def test_broken_numbers() -> None:
    good = number(dt.date(1981, 12, 18), 987)
    assert P.parse("".join(good), TODAY) is not None
    texts = ["", " ", "-", "+", "abc", "19811218-987", "19811218-98765", "811218--9876", "811218-98 7x",
             good[0] + "-" + good[1][:3] + str((int(good[1][3]) + 1) % 10),  # wrong check digit
             good[0] + "+" + good[1], "1" + good[0] + good[1], good[0][2:] + "/" + good[1], "٨١١٢١٨-٩٨٧٦",
             good[0] + good[1] + "\x00", "\x1c" + good[0] + good[1] + "\x1f", good[0] + "\u200b" + good[1]]
    for born8 in ("20230229", "19000229", "21000229", "19811301", "19810001", "19811200", "19811232", "19810431",
                  "19810100", "19810160", "19810192", "20300101", "20260316", "00000101", "00010101", "20000229", "20240229"):
        for serial in ("123", "246"):
            nine = born8[2:] + serial
            last4 = serial + check_digit(nine)
            texts += [born8 + last4, born8 + "-" + last4, born8 + "+" + last4, born8[2:] + last4, born8[2:] + "+" + last4]
    texts += [t.upper() for t in texts] + [t.replace("1", "I") for t in texts]
    for today in TODAYS:
        assert_same(texts, today)


def test_centuries_around_today() -> None:
    """Ten-digit forms born just before, on and after today's date, a century back and two."""
    texts = []
    for delta in (-2, -1, 0, 1, 2, 366):
        for years_back in (0, 99, 100, 101, 199, 200):
            day = TODAY + dt.timedelta(delta)
            try:
                born = day.replace(year=day.year - years_back)
            except ValueError:
                continue
            date8, last4 = number(born, 135)
            texts += forms(date8, last4, born, TODAY)
            texts += [date8[2:] + "+" + last4, date8[2:] + "-" + last4]
    assert_same(texts, TODAY)


TEXT = st.text(alphabet=st.sampled_from("0123456789-+ \t\xa0\u3000x٣"), max_size=16)
DIGITS = st.builds(lambda d, sep, pad: f"{pad}{d[:-4]}{sep}{d[-4:]}{pad}", st.text("0123456789", min_size=9, max_size=13),
                   st.sampled_from(["", "-", "+", " "]), st.sampled_from(["", " ", "\t"]))


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.one_of(TEXT, DIGITS, st.text(max_size=14)), max_size=40), st.sampled_from(TODAYS))
def test_random_strings(texts: list[str], today: dt.date) -> None:
    assert_same(texts, today)


@settings(max_examples=examples(200), deadline=None)
@given(st.dates(min_value=dt.date(1, 1, 1), max_value=TODAY), st.integers(0, 999), st.booleans())
def test_random_valid_dates(born: dt.date, serial: int, coordination: bool) -> None:
    date8, last4 = number(born, serial, coordination)
    assert_same(forms(date8, last4, born, TODAY), TODAY)


def test_arrow_inputs() -> None:
    texts = generated(50, 1, TODAY) + ["", "x"]
    ref = P.parse_many(texts, TODAY)
    arr = pa.array([None, *texts, None])
    for given_ in (arr.slice(1, len(texts)), pa.chunked_array([arr.slice(1, 7), arr.slice(8, len(texts) - 7)]),
                   arr.slice(1, len(texts)).cast(pa.large_string()), np.array(texts, dtype=object)):
        bulk = P.parse_many(given_, TODAY)
        assert (bulk.valid == ref.valid).all() and (bulk.canonical == ref.canonical).all()
        assert (bulk.birth_year == ref.birth_year).all() and (bulk.man == ref.man).all()
    with_nulls = P.parse_many(arr, TODAY)
    assert not with_nulls.valid[0] and not with_nulls.valid[-1]
    assert (with_nulls.valid[1:-1] == ref.valid).all()
    assert len(P.parse_many([], TODAY).valid) == 0
    assert len(P.parse_many(["x", ""], TODAY).valid) == 2


@pytest.mark.parametrize("key", [b"benchmark", b"", b"k" * 64, b"long key " * 20, bytes(range(256))])
def test_pseudonyms_equal_pseudonym(key: bytes) -> None:
    texts = generated(200, 7, TODAY)
    bulk = P.parse_many(texts, TODAY)
    valid = np.flatnonzero(bulk.valid)
    got = P.pseudonyms(bulk.canonical[valid], key)
    want = [P.pseudonym(p, key) for t in texts if (p := P.parse(t, TODAY)) is not None]
    assert got == want
    assert P.pseudonyms(np.zeros((0, 12), dtype=np.uint8), key) == []


def _reference_personnummer(col: pd.Series, key: bytes) -> list[tuple[str, str, int] | None]:
    """The reader's old way: each stripped cell through parse() and pseudonym()."""
    out: list[tuple[str, str, int] | None] = []
    for v in col.tolist():
        text = "" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
        p = P.parse(text) if text else None
        out.append(None if p is None else (P.pseudonym(p, key), p.gender, p.birth_year))
    return out


def _cells() -> list[object]:
    texts = generated(40, 3, dt.date.today())[:300]
    return [*texts, *texts[:50], None, "", "  ", "abc", "19811218-9875"]


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "object", "category"])
def test_reading_personnummer(dtype: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(P.KEY_ENV, "test key")
    col = pd.Series(_cells(), dtype=dtype)
    valid, pseudonyms, genders, years = R._personnummer(col)
    ref = _reference_personnummer(col, b"test key")
    assert valid.tolist() == [r is not None for r in ref]
    assert pseudonyms.tolist() == [r and r[0] for r in ref]
    assert genders.tolist() == [r and r[1] for r in ref]
    assert [None if np.isnan(y) else int(y) for y in years] == [r and r[2] for r in ref]


def test_reading_personnummer_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Excel numbers: 198112189876 as an integer or a float (the float's text has ``.0``)."""
    monkeypatch.setenv(P.KEY_ENV, "test key")
    cells = [int(t) for t in generated(30, 5, dt.date.today()) if t.isdigit()]
    for col in (pd.Series(cells), pd.Series(cells, dtype=float), pd.Series([*cells, None], dtype=object)):
        valid, pseudonyms, _, _ = R._personnummer(col)
        ref = _reference_personnummer(col, b"test key")
        assert valid.tolist() == [r is not None for r in ref]
        assert pseudonyms.tolist() == [r and r[0] for r in ref]


def _reference_person(text: str) -> tuple[str, str | None] | str | None:
    """The payments' rule for one cell, written with the single-value ``parse``: a personnummer →
    (pseudonym, gender); a pseudonymous id → itself; number-shaped but invalid → the marker."""
    import re

    if not text:
        return None
    compact = text.replace(" ", "")
    parsed = P.parse(compact)
    if parsed is not None:
        return (P.pseudonym(parsed, P.secret_key()), parsed.gender)
    return "\x00bad" if re.match(r"^(\d{2})?\d{6}[-+]?\d{4}$", compact) else text


def test_payments_persons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(P.KEY_ENV, "test key")
    cells = [c if isinstance(c, str) else "" for c in _cells()] + ["p1234", "hushåll 7", "19811218-9875", "٨١١٢١٨-٩٨٧٦", "8112 18 98 76"]
    txt = pd.Series(cells, dtype="string")
    want = [None if pd.isna(v) else _reference_person(str(v)) for v in txt]
    got = PR._persons(txt)
    assert got.index.equals(txt.index)
    assert got.tolist() == want


def test_trimmed_characters_are_those_str_strip_removes() -> None:
    import sys

    assert set(P._WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
