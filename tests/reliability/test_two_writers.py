"""Two crawls of two different sites, as two real processes writing one SQLite file at the same time
(one of them also SIGKILLed once half way): the database stays sound and each site ends complete,
each release's ``new`` event once."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import SampleSite, build_site
from tests.helpers import run_crawl, site_entry, write_config
from tests.reliability.kit import NOW, integrity, kill_after, rows, site_keys, start_crawl

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def trs_site(n: int) -> SampleSite:
    """A TRS site whose releases have 索引号 of their own (keys are global across sites)."""
    site = SampleSite(profile="trs", encoding="gbk")
    site._ids = itertools.count(61_000_001)
    for cid, name in (("zwgk", "政务公开"), ("tzgg", "通知公告")):
        site.add_column(cid, name, per_page=10)
    for i in range(n):
        site.add_page(("zwgk", "tzgg")[i % 2], day=date(2022, 9, 14) - timedelta(days=i), top=False)
    return site


@pytest.mark.timeout(600)
def test_two_concurrent_crawls_into_one_database(tmp_path: Path) -> None:
    one = build_site(60, per_page=10)
    two = trs_site(60)
    with serve(one) as s1, serve(two) as s2:
        config = write_config(
            tmp_path, [site_entry(s1.url, one, name="one"), site_entry(s2.url, two, name="two")]
        )
        db = tmp_path / "govwatch.db"
        # a first pair, one of them killed half way
        a, b = start_crawl(config, "--site", "one"), start_crawl(config, "--site", "two")
        kill_after(a, 1.5)
        assert b.wait(timeout=300) == 0, b.log.read_text(errors="replace")[-3000:]
        assert integrity(db) == "ok"
        # a second pair, both to the end
        a, b = start_crawl(config, "--site", "one"), start_crawl(config, "--site", "two")
        for proc in (a, b):
            assert proc.wait(timeout=300) == 0, proc.log.read_text(errors="replace")[-3000:]
        assert integrity(db) == "ok"
        for name, site in (("one", one), ("two", two)):
            keys = {r["key"] for r in rows(db, "SELECT key FROM releases WHERE site = ?", name)}
            assert keys == site_keys(site), name
            news = Counter(
                r["key"] for r in rows(db, "SELECT key FROM events WHERE type = 'new' AND site = ?", name)
            )
            assert set(news) == site_keys(site) and set(news.values()) == {1}, name
        statuses = [r["status"] for r in rows(db, "SELECT status FROM runs ORDER BY id")]
        assert statuses.count("ok") >= 3, statuses  # the killed one stays 'running'
        assert run_crawl(config, now=NOW).events == []
