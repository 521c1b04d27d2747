"""The daemon's log writes every time in one zone: the configuration's."""

from __future__ import annotations

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from crawler.daemon.logs import DaemonLog


def test_timestamps_and_time_fields_share_the_configured_zone() -> None:
    stream = io.StringIO()
    log = DaemonLog(json_lines=True, stream=stream, tz=ZoneInfo("Asia/Shanghai"))
    log.emit(
        "scheduled",
        site="quzhou",
        next=datetime.fromisoformat("2026-11-30T04:00:00+00:00"),
        now=datetime.fromisoformat("2026-11-30T11:59:59.123456+08:00"),
    )
    line = json.loads(stream.getvalue())
    assert line["ts"].endswith("+08:00")
    assert line["next"] == "2026-11-30T12:00:00+08:00"
    assert line["now"] == "2026-11-30T11:59:59+08:00"


def test_text_lines_too() -> None:
    stream = io.StringIO()
    log = DaemonLog(stream=stream, tz=ZoneInfo("Europe/Berlin"))
    log.emit("not_due", site="a", now=datetime.fromisoformat("2026-11-30T12:00:00+08:00"))
    ts, event, site, now = stream.getvalue().split()
    assert ts.endswith("+01:00") and event == "not_due" and site == "site=a"
    assert now == "now=2026-11-30T05:00:00+01:00"
