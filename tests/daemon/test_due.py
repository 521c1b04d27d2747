"""The ``--once`` rule on a real store: due when a scheduled time fell after the last recorded run
(and at or before now), or when the site never ran."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.clock import parse_iso
from crawler.config import config_from_dict
from crawler.daemon.due import due, due_sites
from crawler.daemon.jobs import trigger
from crawler.store import Store


def config(schedule: str, **top):
    site = {
        "name": "quzhou",
        "base_url": "http://www.qz.gov.cn",
        "profile": "hanweb",
        "columns": [{"name": "发布实录", "url": "http://www.qz.gov.cn/col/col1229037214/index.html"}],
        "schedule": schedule,
    }
    return config_from_dict({"sites": [site], **top})


@pytest.mark.parametrize(
    ("schedule", "last", "now", "expected"),
    [
        ("0 9 * * *", None, "2026-11-28T08:00:00+08:00", True),  # never ran
        (
            "0 9 * * *",
            "2026-11-28T09:00:00+08:00",
            "2026-11-28T20:00:00+08:00",
            False,
        ),  # ran at the time itself
        ("0 9 * * *", "2026-11-28T08:59:59+08:00", "2026-11-28T09:00:00+08:00", True),  # the time has come
        ("0 9 * * *", "2026-11-28T08:59:59+08:00", "2026-11-28T08:59:59+08:00", False),
        ("0 9 * * *", "2026-11-28T00:30:00+00:00", "2026-11-28T09:00:00+08:00", True),  # 08:30 in China
        ("0 9 * * *", "2026-11-28T01:30:00+00:00", "2026-11-28T12:00:00+08:00", False),  # 09:30 in China
        ("*/10 * * * * *", "2026-11-28T09:00:01+08:00", "2026-11-28T09:00:09+08:00", False),
        ("*/10 * * * * *", "2026-11-28T09:00:01+08:00", "2026-11-28T09:00:10+08:00", True),
        ("0 3 1 * *", "2026-11-28T10:00:00+08:00", "2026-11-30T23:59:59+08:00", False),
        ("0 3 1 * *", "2026-11-28T10:00:00+08:00", "2026-12-01T03:00:00+08:00", True),
    ],
)
def test_due_rule(schedule: str, last: str | None, now: str, expected: bool) -> None:
    cfg = config(schedule)
    is_due, why = due(cfg.sites[0], cfg.timezone, parse_iso(last) if last else None, parse_iso(now))
    assert is_due is expected, why


def test_the_last_run_is_read_from_the_runs_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = config("0 9 * * *")
    store = Store(tmp_path / "govwatch.db")
    try:
        assert store.last_started("quzhou") is None
        assert [d for _, d, _ in due_sites(cfg, store, parse_iso("2026-11-28T10:00:00+08:00"))] == [True]
        # stored instants in two offsets: the later instant counts, not the larger string
        for now in ("2026-11-28T09:30:00+08:00", "2026-11-28T01:00:00+00:00", "2026-11-27T23:00:00+08:00"):
            monkeypatch.setenv("GOVWATCH_NOW", now)
            store.finish_run(store.start_run("quzhou"), "skipped", {})
        assert store.last_started("quzhou") == parse_iso("2026-11-28T09:30:00+08:00")
        assert [d for _, d, _ in due_sites(cfg, store, parse_iso("2026-11-28T20:00:00+08:00"))] == [False]
        assert [d for _, d, _ in due_sites(cfg, store, parse_iso("2026-11-29T09:00:00+08:00"))] == [True]
    finally:
        store.close()


def test_jitter_is_set_on_the_trigger() -> None:
    cfg = config("0 9 * * *", daemon={"jitter": "30s"})
    assert trigger(cfg.sites[0], cfg).jitter == 30
    assert trigger(cfg.sites[0], config("0 9 * * *")).jitter is None
