from jamstalldhet.base import formatting as F


def test_swedish_numbers() -> None:
    assert F.number(1814) == "1 814"
    assert F.number(993) == "993"
    assert F.percent(0.16) == "16,0 %"
    assert F.pp(-2.0) == "−2,0"
    assert F.pp(6.0) == "+6,0"
    assert F.ratio(0.8888) == "0,89"
    assert F.interval(0.1328, 0.1914) == "13,3–19,1 %"
    assert F.number(None) == ".."
    assert F.percent(float("nan")) == ".."
    assert F.number(1234567) == "1 234 567"
