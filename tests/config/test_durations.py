from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.config import ConfigError, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("10m", timedelta(minutes=10)),
        ("6h", timedelta(hours=6)),
        ("14d", timedelta(days=14)),
        ("1h30m", timedelta(minutes=90)),
        ("0s", timedelta(0)),
        (90, timedelta(seconds=90)),
        (1.5, timedelta(seconds=1.5)),
        ("45", timedelta(seconds=45)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["", "soon", "10 minutes", "m10", "-5s", -1, True, None, [1], "5y"])
def test_bad_durations(bad):
    with pytest.raises(ConfigError):
        parse_duration(bad)


@given(st.integers(min_value=0, max_value=10_000), st.sampled_from(["s", "m", "h", "d"]))
def test_units(n, unit):
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    assert parse_duration(f"{n}{unit}") == timedelta(seconds=n * seconds)
