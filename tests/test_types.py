"""Issue 30: the value types that recur (base/types): one frozen Filters for cache keys and calls, and one
protocol that the three protected tables implement."""

from __future__ import annotations

import pandas as pd
import pytest

from jamstalldhet.app import sources
from jamstalldhet.base import schema as S
from jamstalldhet.base.types import Filters, ProtectedTable
from jamstalldhet.disclosure.control import Published
from jamstalldhet.disclosure.tables import indicator_table
from jamstalldhet.intake.records import Prepared
from jamstalldhet.payments import table as payments
from jamstalldhet.resources import prices
from jamstalldhet.resources import table as resources
from jamstalldhet.show import presentation


def test_filters_are_one_hashable_value_whatever_form_they_came_in() -> None:
    a = Filters.of({S.INSATS: ["Jobb", "Studier"], S.ALDERSGRUPP: ["25–34"], S.BAKGRUND: []})
    b = Filters.of({S.ALDERSGRUPP: ("25–34",), S.INSATS: ("Jobb", "Studier")})
    assert a == b and hash(a) == hash(b) and Filters.of(a) is a
    assert a.pairs == ((S.ALDERSGRUPP, ("25–34",)), (S.INSATS, ("Jobb", "Studier")))
    assert a.as_dict() == {S.ALDERSGRUPP: ["25–34"], S.INSATS: ["Jobb", "Studier"]}
    assert a and not Filters.of(None) and not Filters.of({S.INSATS: []}) and Filters.of({}) == Filters()
    with pytest.raises(AttributeError):
        a.pairs = ()  # type: ignore[misc]


def test_a_table_is_the_same_whichever_form_its_filters_take(demo_prep: Prepared) -> None:
    as_dict = {S.ALDERSGRUPP: ["25–34"]}
    one = indicator_table(demo_prep, 2018, k=0, filters=as_dict)
    other = indicator_table(demo_prep, 2018, k=0, filters=Filters.of(as_dict))
    pd.testing.assert_frame_equal(one.frame, other.frame)


def _tables(demo_prep: Prepared) -> list[ProtectedTable]:
    paid = sources.payments_for("demo", None)
    assert paid is not None
    return [indicator_table(demo_prep, 2018), resources.table(demo_prep, 2018, prices.load()), payments.table(paid)]


def test_the_three_protected_tables_keep_one_protocol(demo_prep: Prepared) -> None:
    pub, res, paid = _tables(demo_prep)
    assert (type(pub), type(res), type(paid)) == (Published, resources.ResourceTable, payments.PaymentTable)
    for t in (pub, res, paid):
        assert isinstance(t, ProtectedTable)
        assert t.k == 5 and t.internal is False and isinstance(t.note, str) and t.note
        assert isinstance(t.frame, pd.DataFrame) and len(t.frame)
    assert pub.year == res.year == 2018  # said by the table, not read back from its first row
    assert paid.year is None  # the payment table holds every year of the data
    internal = indicator_table(demo_prep, 2018, k=0)
    assert internal.internal and internal.note != pub.note


def test_the_year_a_page_shows_is_the_tables_own(demo_prep: Prepared) -> None:
    from jamstalldhet.compute import catalogue

    pub = indicator_table(demo_prep, 2017)
    assert presentation.summary_sentence(pub, catalogue.load(), "deltagare").startswith("Deltagare 2017:")
    assert presentation.trend_table([pub], catalogue.load(), "deltagare")["År"].tolist()[0] == "2017"
