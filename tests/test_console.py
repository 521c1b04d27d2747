"""What commands print: one error prefix, tables that are never cut, `--since` values."""

from __future__ import annotations

from datetime import datetime

import click
import pytest
from click.testing import CliRunner

from crawler import console
from crawler.clock import ClockError, parse_since
from crawler.config import ConfigError, Issue

NOW = datetime.fromisoformat("2026-11-30T10:30:00+08:00")


def test_every_problem_is_its_own_error_line() -> None:
    error = ConfigError(
        issues=[Issue("unknown key", "config.yaml", 3, "daemon.x"), Issue("bad", "config.yaml", 9, "y")]
    )
    assert console.error_lines(error) == [
        "govwatch: error: config.yaml:3: daemon.x: unknown key",
        "govwatch: error: config.yaml:9: y: bad",
    ]
    assert console.error_lines(OSError("disk\nfull")) == ["govwatch: error: disk full"]
    assert console.error_lines("title \x1b]0;pwned\x07 here") == ["govwatch: error: title ]0;pwned here"]


def test_a_plain_table_aligns_chinese_by_its_width_and_cuts_nothing() -> None:
    text = console.plain_table(
        ("site", "column", "n"),
        [("quzhou", "发布实录", 12), ("a-very-long-site-name", "通知", 3)],
        [False, False, True],
    )
    assert text.splitlines() == [
        "site                   column     n",
        "quzhou                 发布实录  12",
        "a-very-long-site-name  通知       3",
    ]


@pytest.mark.parametrize("fmt", ["table", "tsv", "json"])
def test_print_table_formats(fmt: str) -> None:
    @click.command()
    def show() -> None:
        console.print_table(
            ("site", "reason"), [("quzhou", "2 pages failed: HTTP 500 ×2")], fmt=fmt, keys=("site", "reason")
        )

    out = CliRunner().invoke(show).output
    expected = {
        "table": "site    reason\nquzhou  2 pages failed: HTTP 500 ×2\n",
        "tsv": "site\treason\nquzhou\t2 pages failed: HTTP 500 ×2\n",
        "json": '[\n  {\n    "site": "quzhou",\n    "reason": "2 pages failed: HTTP 500 ×2"\n  }\n]\n',
    }
    assert out == expected[fmt]


@pytest.mark.parametrize(
    ("value", "instant"),
    [
        ("today", "2026-11-30T00:00:00+08:00"),
        ("yesterday", "2026-11-29T00:00:00+08:00"),
        ("7d", "2026-11-23T10:30:00+08:00"),
        ("12h", "2026-11-29T22:30:00+08:00"),
        ("2w", "2026-11-16T10:30:00+08:00"),
        ("2026-11-01", "2026-11-01T00:00:00+08:00"),
        ("2026-11-01T08:00", "2026-11-01T08:00:00+08:00"),
        ("2026-11-01T08:00:00+00:00", "2026-11-01T08:00:00+00:00"),
    ],
)
def test_since_values(value: str, instant: str) -> None:
    assert parse_since(value, NOW) == datetime.fromisoformat(instant)


@pytest.mark.parametrize("value", ["2026-13-01", "yesterdy", "7 days ago", "", "-3d"])
def test_since_refuses_what_it_cannot_read(value: str) -> None:
    with pytest.raises(ClockError, match="is not a date: write a date"):
        parse_since(value, NOW)
