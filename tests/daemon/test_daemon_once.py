"""``govwatch daemon --once``: crawl the sites due since their last recorded run, then exit
(time moved with GOVWATCH_NOW)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import build_site
from tests.daemon.daemonkit import runs
from tests.helpers import REPO, env_with, site_entry, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def once(
    config: Path, now: str, entry: tuple[str, ...] = ("-m", "crawler", "daemon")
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, *entry, "--config", str(config), "--once"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env_with(now), cwd=REPO)


def counts(db: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in runs(db):
        out[r["site"]] = out.get(r["site"], 0) + 1
    return out


@pytest.mark.timeout(300)
def test_once_runs_due_sites_only(tmp_path: Path) -> None:
    daily, monthly = build_site(4, per_page=5), build_site(4, per_page=5)
    with serve(daily) as a, serve(monthly) as b:
        config = write_config(
            tmp_path,
            [
                site_entry(a.url, daily, name="daily", schedule="0 9 * * *"),
                site_entry(b.url, monthly, name="monthly", schedule="0 3 1 * *"),
            ],
        )
        db = tmp_path / "govwatch.db"

        first = once(config, "2026-11-28T10:00:00+08:00")  # neither has run: both are due
        assert first.returncode == 0, first.stderr
        assert counts(db) == {"daily": 1, "monthly": 1}
        assert {r["status"] for r in runs(db)} == {"ok"}
        # due together, they were crawled by one crawl process
        assert len(set(re.findall(r"run_start site=\S+ run=\d+ pid=(\d+)", first.stderr))) == 1, first.stderr
        assert {r["started_at"] for r in runs(db)} == {
            "2026-11-28T10:00:00+08:00"
        }  # the crawl saw GOVWATCH_NOW

        # the next day at 10:00: daily's 09:00 fell since its last run, monthly's next is Dec 1st 03:00
        second = once(config, "2026-11-29T10:00:00+08:00")
        assert second.returncode == 0, second.stderr
        assert counts(db) == {"daily": 2, "monthly": 1}, second.stderr

        # nothing is due (and `python scheduler.py` is `govwatch daemon`)
        third = once(config, "2026-11-29T10:30:00+08:00", entry=(str(REPO / "scheduler.py"),))
        assert third.returncode == 0, third.stderr
        assert counts(db) == {"daily": 2, "monthly": 1}, third.stderr
        assert "not_due" in third.stderr

        # December 1st 10:00: both due; the monthly site is down, so its run fails and so does --once
        monthly.down = True
        fourth = once(config, "2026-12-01T10:00:00+08:00")
        assert fourth.returncode == 1, fourth.stderr
        assert counts(db) == {"daily": 3, "monthly": 2}
        last = {r["site"]: r["status"] for r in runs(db)}
        assert last == {"daily": "ok", "monthly": "failed"}, runs(db)
