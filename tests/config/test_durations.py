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


def test_cron_weekdays_count_from_sunday_like_crontab() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from crawler.config import cron_trigger

    tz = ZoneInfo("Asia/Shanghai")
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=tz)
    monday = cron_trigger("0 3 * * 1", "Asia/Shanghai").get_next_fire_time(None, saturday)
    assert monday.strftime("%a %H:%M") == "Mon 03:00"
    for sunday in ("0 3 * * 0", "0 3 * * 7", "0 0 3 * * sun"):
        assert (
            cron_trigger(sunday, "Asia/Shanghai").get_next_fire_time(None, saturday).strftime("%a") == "Sun"
        )
    weekdays = cron_trigger("30 9 * * 1-5", "Asia/Shanghai").get_next_fire_time(None, saturday)
    assert weekdays.strftime("%a %H:%M") == "Mon 09:30"
